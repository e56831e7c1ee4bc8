#include "runner/engine/internal/coverage.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include "runner/checks/checks.hpp"
#include "runner/core/json_pointer.hpp"

namespace conform::engine::internal {
namespace {

using nlohmann::json;

// Deep enough for any vendor's response; recursive schemas stop at the subschema they are in.
constexpr int k_max_field_depth = 24;

struct FieldWalk {
    const json& root;
    std::vector<std::string>& out;
    std::set<std::string> seen;
    std::vector<const json*> open; // subschemas being walked: a recursive $ref stops here

    void walk(const json* node, const std::string& path, int depth) {
        node = core::resolve_local_ref(root, node);
        if (!node || !node->is_object() || depth > k_max_field_depth ||
            std::find(open.begin(), open.end(), node) != open.end())
            return;
        open.push_back(node);
        if (const auto props = node->find("properties"); props != node->end() && props->is_object())
            for (const auto& [name, sub] : props->items()) {
                std::string field = path;
                core::append_pointer_token(field, name);
                if (seen.insert(field).second)
                    out.push_back(field);
                walk(&sub, field, depth + 1);
            }
        if (const auto items = node->find("items"); items != node->end() && items->is_object())
            walk(&*items, path + "/*", depth + 1);
        for (const char* branches : {"allOf", "anyOf", "oneOf"})
            if (const auto list = node->find(branches); list != node->end() && list->is_array())
                for (const json& branch : *list)
                    walk(&branch, path, depth + 1);
        open.pop_back();
    }
};

// An enum value as it travels in a query string: strings as they are, others as JSON text.
std::string wire_text(const json& value) {
    return value.is_string() ? value.get<std::string>() : value.dump();
}

std::vector<std::string> enum_values(const json& root, const json* schema) {
    std::vector<std::string> out;
    schema = core::resolve_local_ref(root, schema);
    if (!schema || !schema->is_object())
        return out;
    if (const auto e = schema->find("enum"); e != schema->end() && e->is_array())
        for (const json& v : *e)
            if (std::find(out.begin(), out.end(), wire_text(v)) == out.end())
                out.push_back(wire_text(v));
    if (const auto c = schema->find("const"); c != schema->end() && out.empty())
        out.push_back(wire_text(*c));
    return out;
}

std::vector<report::ParamDoc> params_of(const json& request) {
    std::vector<report::ParamDoc> out;
    const json* schema = core::resolve_local_ref(request, &request);
    if (!schema || !schema->is_object())
        return out;
    if (const auto props = schema->find("properties"); props != schema->end() && props->is_object())
        for (const auto& [name, sub] : props->items())
            out.push_back({name, enum_values(request, &sub)});
    if (const auto patterns = schema->find("patternProperties");
        patterns != schema->end() && patterns->is_object())
        for (const auto& [pattern, sub] : patterns->items()) {
            const json* s = core::resolve_local_ref(request, &sub);
            if (!s || !s->is_object())
                continue;
            const auto indexed = s->find("x-indexed");
            if (indexed != s->end() && indexed->is_string())
                out.push_back({indexed->get<std::string>(), enum_values(request, s)});
        }
    std::sort(out.begin(), out.end(),
              [](const report::ParamDoc& a, const report::ParamDoc& b) { return a.name < b.name; });
    return out;
}

// The success value, then any enum/const the response schema gives the status field.
std::vector<json> codes_of(const contract::Contract& contract, const json& response) {
    std::vector<json> out;
    const contract::StatusField& status = contract.envelope.code;
    if (status.pointer.empty())
        return out;
    out.push_back(status.success);
    const auto tokens = core::parse_pointer(status.pointer);
    if (!tokens)
        return out;
    const json* at = core::resolve_local_ref(response, &response);
    for (const std::string& t : *tokens) {
        if (!at || !at->is_object())
            return out;
        const auto props = at->find("properties");
        if (props == at->end() || !props->is_object() || !props->contains(t))
            return out;
        at = core::resolve_local_ref(response, &(*props)[t]);
    }
    if (!at || !at->is_object())
        return out;
    std::vector<json> listed;
    if (const auto e = at->find("enum"); e != at->end() && e->is_array())
        listed.assign(e->begin(), e->end());
    if (const auto c = at->find("const"); c != at->end())
        listed.push_back(*c);
    for (json& v : listed)
        if (std::find(out.begin(), out.end(), v) == out.end())
            out.push_back(std::move(v));
    return out;
}

std::optional<std::int64_t> coverage_integer(const std::optional<std::string>& text) {
    if (!text)
        return std::nullopt;
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
    if (ec != std::errc() || end != text->data() + text->size())
        return std::nullopt;
    return n;
}

} // namespace

report::ContractDoc documented(const contract::Contract& contract) {
    report::ContractDoc doc;
    doc.contract = contract.name;
    doc.status_pointer = contract.envelope.code.pointer;
    for (const auto& [name, op] : contract.operations) {
        report::OperationDoc o;
        o.name = name;
        o.params = params_of(op.request.document);
        FieldWalk walk{op.response.document, o.fields, {}, {}};
        walk.walk(&op.response.document, "", 0);
        o.codes = codes_of(contract, op.response.document);
        o.pages = op.pagination.has_value();
        doc.operations.push_back(std::move(o));
    }
    return doc;
}

std::vector<report::ContractDoc> documented(const std::vector<contract::Contract>& contracts) {
    std::vector<report::ContractDoc> out;
    for (const contract::Contract& c : contracts)
        out.push_back(documented(c));
    return out;
}

std::uint8_t page_shapes(const contract::Pagination& model, const contract::Query& query,
                         const checks::Listing& listing) {
    if (!listing.items || !listing.items->is_array())
        return 0;
    const auto offset = coverage_integer(checks::query_value(query, model.offset_param))
                            .value_or(model.offset_default);
    const auto limit = coverage_integer(checks::query_value(query, model.limit_param))
                           .value_or(model.limit_default);
    const auto count = static_cast<std::int64_t>(listing.items->size());
    using report::bit_of;
    using report::PageShape;
    if (count == 0)
        return offset > 0
                   ? bit_of(PageShape::past_end)
                   : static_cast<std::uint8_t>(bit_of(PageShape::first) | bit_of(PageShape::last));
    const bool last = listing.total ? offset + count >= *listing.total : count < limit;
    std::uint8_t shapes = offset <= 0 ? bit_of(PageShape::first) : 0;
    if (last)
        shapes |= bit_of(PageShape::last);
    else if (offset > 0)
        shapes |= bit_of(PageShape::middle);
    return shapes;
}

std::uint8_t page_shapes(const contract::Pagination& model, const contract::Query& query,
                         core::JsonView body) {
    return page_shapes(model, query, checks::locate_listing(model, body));
}

void observe_case(report::CoverageRecorder& recorder, const checks::CheckContext& context,
                  std::string_view target) {
    if (!context.operation)
        return;
    for (const checks::Observed& o : context.exchanges) {
        if (!o.exchange || !o.exchange->response)
            continue;
        report::ExchangeSeen seen;
        seen.contract = context.contract.name;
        seen.target = target;
        seen.operation = context.operation->name;
        seen.params = o.query;
        if (o.has_json()) {
            seen.body = o.json();
            if (context.operation->pagination)
                seen.pages = page_shapes(*context.operation->pagination, o.query,
                                         o.listing_in(*context.operation->pagination));
        }
        recorder.exchange_seen(seen);
    }
}

} // namespace conform::engine::internal
