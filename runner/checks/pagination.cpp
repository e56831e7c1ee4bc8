#include "runner/checks/pagination.hpp"

#include <charconv>
#include <map>

#include "runner/core/json_pointer.hpp"

namespace conform::checks {
namespace {

using core::Deviation;
using core::DeviationId;
using core::JsonView;

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
    auto items = core::resolve_pointer(body, model.items_pointer);
    if (!items || !items->is_array())
        return out; // no list to count: the schema check reports why
    const std::int64_t count = static_cast<std::int64_t>(items->size());
    const auto limit_text = query_value(query, model.limit_param);
    const auto offset_text = query_value(query, model.offset_param);
    std::optional<std::int64_t> limit;
    if (limit_text)
        limit = as_integer(*limit_text);
    const std::int64_t offset = offset_text
                                    ? as_integer(*offset_text).value_or(model.offset_default)
                                    : model.offset_default;
    std::optional<std::int64_t> total;
    if (auto t = core::resolve_pointer(body, model.total_pointer))
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
            out.push_back(
                make(DeviationId::pagination_default_limit, operation, model.items_pointer,
                     std::to_string(model.limit_default) + " items (the documented "
                                                           "default limit)",
                     std::to_string(count) + " items",
                     "without " + model.limit_param + ", the page holds " + std::to_string(count) +
                         " items instead of the default " + std::to_string(model.limit_default)));
    }
    if (total && count > *total)
        out.push_back(make(DeviationId::pagination_items_exceed_total, operation,
                           model.total_pointer, "at least " + std::to_string(count),
                           std::to_string(*total),
                           std::to_string(count) + " items returned but " +
                               model.total_pointer.substr(1) + " is " + std::to_string(*total)));
    else if (total && offset >= *total && count > 0)
        out.push_back(
            make(DeviationId::pagination_past_end, operation, model.items_pointer,
                 "no items at offset " + std::to_string(offset), std::to_string(count) + " items",
                 std::to_string(count) + " items returned at " + model.offset_param + "=" +
                     std::to_string(offset) + ", at or past the total " + std::to_string(*total)));
    return out;
}

namespace {

// The identity of an item: its key field, else the whole item (strings in place of objects).
std::string item_identity(JsonView item, const std::string& key) {
    if (item.is_object() && !key.empty())
        if (auto k = item.find(key))
            return k->is_string() ? std::string(k->as_string()) : k->to_json().dump();
    return item.to_json().dump();
}

std::vector<std::string> identities(const PageModel& model, JsonView body) {
    std::vector<std::string> out;
    if (auto items = core::resolve_pointer(body, model.items_pointer); items && items->is_array())
        items->for_each_item([&](std::size_t, JsonView item) {
            out.push_back(item_identity(item, model.item_key));
            return true;
        });
    return out;
}

} // namespace

std::vector<Deviation> check_walk(const PageModel& model, const std::vector<WalkPage>& pages,
                                  std::int64_t limit, const std::string& operation,
                                  std::optional<JsonView> full_listing) {
    std::vector<Deviation> out;
    if (pages.empty() || model.items_pointer.empty())
        return out;
    for (const WalkPage& p : pages)
        for (Deviation& d : check_page(model, p.query, p.body, operation))
            out.push_back(std::move(d));

    std::vector<std::optional<std::int64_t>> totals;
    std::vector<std::vector<std::string>> ids;
    for (const WalkPage& p : pages) {
        auto t = core::resolve_pointer(p.body, model.total_pointer);
        totals.push_back(t ? total_of(*t) : std::nullopt);
        ids.push_back(identities(model, p.body));
    }
    for (std::size_t i = 1; i < totals.size(); ++i)
        if (totals[i] && totals[0] && *totals[i] != *totals[0]) {
            out.push_back(make(DeviationId::pagination_total_unstable, operation,
                               model.total_pointer, std::to_string(*totals[0]) + " on every page",
                               std::to_string(*totals[i]) + " on page " + std::to_string(i + 1),
                               "the total changed from " + std::to_string(*totals[0]) + " to " +
                                   std::to_string(*totals[i]) + " during one walk"));
            break;
        }
    // offset-ignored: a later page repeats the first page exactly
    bool offset_ignored = false;
    for (std::size_t i = 1; i < ids.size() && !offset_ignored; ++i)
        if (!ids[0].empty() && ids[i] == ids[0]) {
            offset_ignored = true;
            out.push_back(
                make(DeviationId::pagination_offset_ignored, operation, model.items_pointer,
                     "different items at " + model.offset_param + "=" + std::to_string(i * limit),
                     "the same items as at " + model.offset_param + "=0",
                     "page " + std::to_string(i + 1) + " repeats page 1: " + model.offset_param +
                         " is ignored"));
        }
    std::map<std::string, std::size_t> first_seen;
    std::size_t duplicates = 0;
    std::string first_duplicate;
    for (std::size_t page = 0; page < ids.size(); ++page)
        for (const std::string& id : ids[page])
            if (!first_seen.emplace(id, page).second && duplicates++ == 0)
                first_duplicate = id;
    if (duplicates > 0 && !offset_ignored) {
        Deviation d = make(DeviationId::pagination_duplicate, operation, model.items_pointer,
                           "each item once", std::to_string(duplicates) + " repeated",
                           std::to_string(duplicates) +
                               " item(s) returned more than once in one "
                               "walk, first " +
                               first_duplicate);
        d.count = duplicates;
        out.push_back(std::move(d));
    }
    // Only a walk that reached the end (a short page) can say what is missing.
    const bool reached_end = static_cast<std::int64_t>(ids.back().size()) < limit;
    const auto total = totals.back();
    if (reached_end && total && !offset_ignored) {
        const auto distinct = static_cast<std::int64_t>(first_seen.size());
        std::vector<std::string> skipped;
        if (full_listing)
            for (const std::string& id : identities(model, *full_listing))
                if (!first_seen.count(id))
                    skipped.push_back(id);
        if (!skipped.empty()) {
            Deviation d =
                make(DeviationId::pagination_gap, operation, model.items_pointer,
                     "every item of the full listing once",
                     std::to_string(skipped.size()) + " never returned",
                     "the walk skipped " + std::to_string(skipped.size()) +
                         " item(s) that a single large page lists, first " + skipped.front());
            d.count = skipped.size();
            out.push_back(std::move(d));
        } else if (distinct != *total) {
            out.push_back(make(DeviationId::pagination_total_mismatch, operation,
                               model.total_pointer, std::to_string(distinct) + " (items walked)",
                               std::to_string(*total),
                               "a full walk returned " + std::to_string(distinct) +
                                   " distinct items but the total says " + std::to_string(*total)));
        }
    }
    return out;
}

} // namespace conform::checks
