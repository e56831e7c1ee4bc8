#include "runner/checks/pagination.hpp"

#include <charconv>

#include "runner/core/json_pointer.hpp"

namespace conform::checks {
namespace {

using core::Deviation;
using core::DeviationId;
using core::JsonView;

std::optional<JsonView> at(JsonView root, std::string_view pointer) {
    auto tokens = core::parse_pointer(pointer);
    if (!tokens)
        return std::nullopt;
    JsonView v = root;
    for (const auto& t : *tokens) {
        auto next = v.find(t);
        if (!next)
            return std::nullopt;
        v = *next;
    }
    return v;
}

std::optional<std::int64_t> as_integer(std::string_view text) {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return n;
}

// A total is an integer, or (a deviation reported elsewhere) a string holding one.
std::optional<std::int64_t> total_of(JsonView v) {
    if (v.is_number() && v.is_integer())
        return v.as_int64();
    if (v.is_string())
        return as_integer(v.as_string());
    return std::nullopt;
}

Deviation make(DeviationId id, const std::string& operation, std::string pointer,
               std::string expected, std::string actual, std::string message) {
    Deviation d;
    d.id = id;
    d.kind = std::string(core::name_of(id)).substr(std::string("pagination.").size());
    d.severity = core::info(id).severity;
    d.operation = operation;
    d.instance_pointer = std::move(pointer);
    d.schema_pointer = "pagination";
    d.expected = std::move(expected);
    d.actual = std::move(actual);
    d.message = std::move(message);
    return d;
}

} // namespace

std::optional<std::string> query_value(const Query& query, std::string_view name) {
    for (const auto& [k, v] : query)
        if (k == name)
            return v;
    return std::nullopt;
}

std::vector<Deviation> check_page(const PageModel& model, const Query& query, JsonView body,
                                  const std::string& operation) {
    std::vector<Deviation> out;
    if (model.items_pointer.empty() || model.limit_param.empty())
        return out; // the operation does not page
    auto items = at(body, model.items_pointer);
    if (!items || !items->is_array())
        return out; // no list to count: the schema check reports why
    const std::int64_t count = static_cast<std::int64_t>(items->size());
    const auto limit_text = query_value(query, model.limit_param);
    const auto offset_text = query_value(query, model.offset_param);
    std::optional<std::int64_t> limit;
    if (limit_text)
        limit = as_integer(*limit_text);
    const std::int64_t offset =
        offset_text ? as_integer(*offset_text).value_or(model.offset_default) : model.offset_default;
    std::optional<std::int64_t> total;
    if (auto t = at(body, model.total_pointer))
        total = total_of(*t);

    if (limit && *limit >= 0 && count > *limit)
        out.push_back(make(DeviationId::pagination_over_limit, operation, model.items_pointer,
                           "at most " + std::to_string(*limit) + " items (" + model.limit_param +
                               "=" + *limit_text + ")",
                           std::to_string(count) + " items",
                           std::to_string(count) + " items returned for " + model.limit_param +
                               "=" + *limit_text));
    if (!limit_text) {
        const bool more_exist = total && *total > offset + count;
        if (count > model.limit_default || (more_exist && count < model.limit_default))
            out.push_back(make(DeviationId::pagination_default_limit, operation,
                               model.items_pointer,
                               std::to_string(model.limit_default) + " items (the documented "
                                                                     "default limit)",
                               std::to_string(count) + " items",
                               "without " + model.limit_param + ", the page holds " +
                                   std::to_string(count) + " items instead of the default " +
                                   std::to_string(model.limit_default)));
    }
    if (total && count > *total)
        out.push_back(make(DeviationId::pagination_items_exceed_total, operation,
                           model.total_pointer, "at least " + std::to_string(count),
                           std::to_string(*total),
                           std::to_string(count) + " items returned but " +
                               model.total_pointer.substr(1) + " is " + std::to_string(*total)));
    else if (total && offset >= *total && count > 0)
        out.push_back(make(DeviationId::pagination_past_end, operation, model.items_pointer,
                           "no items at offset " + std::to_string(offset),
                           std::to_string(count) + " items",
                           std::to_string(count) + " items returned at " + model.offset_param +
                               "=" + std::to_string(offset) + ", at or past the total " +
                               std::to_string(*total)));
    return out;
}

} // namespace conform::checks
