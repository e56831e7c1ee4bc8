// Rendering request values as they are sent and signed (../shared/SIGNING.md, UCloud:
// "Values are rendered as sent").
#include <charconv>
#include <cmath>
#include <system_error>

#include "runner/http/http.hpp"

namespace conform::http {

std::string render_integer(std::int64_t value) {
    return std::to_string(value);
}

std::string render_bool(bool value) {
    return value ? "true" : "false";
}

core::Result<std::string> render_number(double value) {
    if (!std::isfinite(value))
        return core::fail("the number " + std::to_string(value) +
                          " has no query-string form (NaN and infinities cannot be sent)");
    if (value == 0)
        return std::string("0"); // -0.0 is sent as 0
    // Fixed notation with no precision: the shortest digits that read back as the same
    // double (C++17 [charconv.to.chars]), so 35.0 -> "35", 0.1 -> "0.1", 1e-7 -> "0.0000001",
    // 1e21 -> "1000000000000000000000", and never an exponent.
    char buffer[512]; // DBL_MAX in fixed notation is 309 digits; the smallest subnormal ~ 330
    const auto [end, ec] =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
    if (ec != std::errc{})
        return core::fail("cannot render the number " + std::to_string(value));
    return std::string(buffer, end);
}

namespace {

core::Result<void> append_rendered(QueryParams& params, const std::string& name,
                                   core::JsonView value) {
    switch (value.type()) {
    case core::JsonType::null:
        return core::fail("parameter " + name + " is null, which has no query-string form");
    case core::JsonType::object:
        return core::fail("parameter " + name +
                          " is an object; query parameters take scalars and arrays");
    case core::JsonType::boolean:
        params.add(name, render_bool(value.as_bool()));
        return {};
    case core::JsonType::string:
        params.add(name, std::string(value.as_string()));
        return {};
    case core::JsonType::number:
        switch (value.number_kind()) {
        case core::NumberKind::int64:
            params.add(name, render_integer(value.as_int64()));
            return {};
        case core::NumberKind::uint64:
            params.add(name, std::to_string(value.as_uint64()));
            return {};
        case core::NumberKind::floating: {
            auto rendered = render_number(value.as_double());
            if (!rendered)
                return core::fail("parameter " + name + ": " + rendered.error().message);
            params.add(name, std::move(rendered).value());
            return {};
        }
        }
        break;
    case core::JsonType::array: {
        // SIGNING.md: lists are flattened into Name.0, Name.1, ...
        core::Result<void> result;
        value.for_each_item([&](std::size_t index, core::JsonView item) {
            result = append_rendered(params, name + '.' + std::to_string(index), item);
            return result.has_value();
        });
        return result;
    }
    }
    return core::fail("parameter " + name + " has an unknown JSON type");
}

} // namespace

core::Result<void> append_value(QueryParams& params, std::string_view name, core::JsonView value) {
    // All or nothing: a bad item deep in an array leaves params untouched.
    QueryParams rendered;
    CONFORM_CHECK(append_rendered(rendered, std::string(name), value));
    for (const QueryParam& p : rendered)
        params.add(p.name, p.value);
    return {};
}

} // namespace conform::http
