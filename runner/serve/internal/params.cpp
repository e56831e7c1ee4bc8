#include "runner/serve/internal/params.hpp"

#include <charconv>
#include <set>

#include "runner/core/json_pointer.hpp"

namespace conform::serve::internal {

using nlohmann::json;

std::optional<std::int64_t> parse_integer(std::string_view text) {
    if (text.empty() || text.front() == '+')
        return std::nullopt;
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return n;
}

namespace {

std::string declared_type(const json& property) {
    if (!property.is_object())
        return {};
    auto it = property.find("type");
    return it != property.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The value as the schema's type reads it; a value that does not read stays a string, so the
// schema's "type" keyword is what refuses it.
json coerce(const std::string& value, const std::string& type) {
    if (type == "integer") {
        if (auto n = parse_integer(value))
            return *n;
    } else if (type == "number") {
        double d = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), d);
        if (!value.empty() && ec == std::errc() && end == value.data() + value.size())
            return d;
    } else if (type == "boolean") {
        if (value == "true")
            return true;
        if (value == "false")
            return false;
    }
    return value;
}

std::string last_token(std::string_view pointer) {
    auto tokens = core::parse_pointer(pointer);
    return tokens && !tokens->empty() ? tokens->back() : std::string();
}

std::string enum_words(const json& property) {
    std::string out;
    if (auto it = property.find("enum"); it != property.end() && it->is_array())
        for (const json& v : *it)
            out += (out.empty() ? "" : ", ") + (v.is_string() ? v.get<std::string>() : v.dump());
    return out;
}

std::string why_of(const schema::OutputUnit& unit, const json& property) {
    const std::string keyword = last_token(unit.keyword_location);
    if (keyword == "type")
        return "must be " + (declared_type(property) == "integer"
                                 ? std::string("an integer")
                                 : "of type " + declared_type(property));
    if (keyword == "enum")
        return "must be one of " + enum_words(property);
    return unit.error.empty() ? "not allowed by " + keyword : unit.error;
}

} // namespace

std::optional<ParamProblem> check_params(const contract::Operation& operation,
                                         const http::QueryParams& params) {
    std::set<std::string, std::less<>> seen;
    if (const auto& p = operation.pagination)
        for (const http::QueryParam& q : params) {
            if ((q.name != p->offset_param && q.name != p->limit_param) ||
                !seen.insert(q.name).second)
                continue;
            auto n = parse_integer(q.value);
            if (!n || *n < 0)
                return ParamProblem{q.name, "must be a non-negative integer"};
        }

    const json& schema = operation.request.document;
    const json* properties = nullptr;
    if (schema.is_object())
        if (auto it = schema.find("properties"); it != schema.end() && it->is_object())
            properties = &*it;
    if (!properties)
        return std::nullopt;
    json instance = json::object();
    for (const http::QueryParam& q : params) {
        // "Disks.0.Size" is read by the "Disks.N.Size" entry (contract::request_property)
        const json* property = contract::request_property(schema, q.name);
        if (instance.contains(q.name) || !property)
            continue;
        const std::string type = declared_type(*property);
        if (type == "array" || type == "object")
            continue; // flattened Name.0 lists are not rebuilt here
        instance[q.name] = coerce(q.value, type);
    }
    const schema::ValidationResult result = operation.request.compiled.validate(instance);
    if (result.valid)
        return std::nullopt;
    // The first error about one parameter (instance location "/Type"); a root-level error
    // (required, ...) names the keyword's property.
    for (const schema::OutputUnit& unit : result.errors) {
        std::string param = last_token(unit.instance_location);
        if (param.empty())
            param = unit.property;
        if (param.empty())
            continue;
        const json* property = contract::request_property(schema, param);
        return ParamProblem{param, why_of(unit, property ? *property : json::object())};
    }
    return ParamProblem{"(query)", result.errors.front().error};
}

} // namespace conform::serve::internal
