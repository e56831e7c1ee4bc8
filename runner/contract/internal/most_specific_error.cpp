#include "runner/contract/internal/most_specific_error.hpp"

#include <algorithm>
#include <cctype>

#include "runner/core/json_pointer.hpp"
#include "runner/core/text.hpp"
#include "runner/core/uri.hpp"

namespace conform::contract::internal {
namespace {

std::size_t depth(std::string_view pointer) {
    return static_cast<std::size_t>(std::count(pointer.begin(), pointer.end(), '/'));
}

// Optimal string alignment distance: insertions, deletions, substitutions and adjacent
// transpositions cost one each ("limit_parm" -> "limit_param" is one).
std::size_t edit_distance(std::string_view a, std::string_view b) {
    const std::size_t n = a.size(), m = b.size();
    std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1, 0));
    for (std::size_t i = 0; i <= n; ++i)
        d[i][0] = i;
    for (std::size_t j = 0; j <= m; ++j)
        d[0][j] = j;
    for (std::size_t i = 1; i <= n; ++i)
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[n][m];
}

// The members a closed object declares, found from the canonical location of its
// additionalProperties keyword ("https://.../contract.schema.json#/$defs/x/additionalProperties").
std::vector<std::string> declared_members(const schema::OutputUnit& unit,
                                          const nlohmann::json& schema_document) {
    auto [base, fragment] = core::split_fragment(unit.absolute_keyword_location);
    // Only a location inside schema_document itself can be looked up there.
    if (auto id = schema_document.find("$id");
        id != schema_document.end() && id->is_string() && id->get<std::string>() != base)
        return {};
    std::string pointer = core::percent_decode(fragment);
    const std::string_view keyword = "/additionalProperties";
    if (!pointer.ends_with(keyword))
        return {};
    pointer.resize(pointer.size() - keyword.size());
    const nlohmann::json* object = core::resolve_pointer(schema_document, pointer);
    if (object == nullptr || !object->is_object())
        return {};
    auto properties = object->find("properties");
    if (properties == object->end() || !properties->is_object())
        return {};
    std::vector<std::string> names;
    for (const auto& [name, value] : properties->items())
        names.push_back(name);
    return names;
}

} // namespace

std::string closest_name(std::string_view typo, const std::vector<std::string>& names) {
    for (const std::string& name : names)
        if (core::iequals(typo, name))
            return name;
    std::string best;
    std::size_t best_distance = 3; // more than two edits is another word, not a typo
    for (const std::string& name : names) {
        const std::size_t d = edit_distance(typo, name);
        if (d < best_distance && 2 * d < name.size()) {
            best = name;
            best_distance = d;
        }
    }
    return best;
}

core::Diagnostic most_specific_error(const schema::ValidationResult& result,
                                     const std::filesystem::path& file,
                                     const nlohmann::json* schema_document) {
    if (result.errors.empty()) // invalid without a unit would be a validator bug
        return core::Diagnostic{"does not conform to its schema", {file.string(), 0, 0, {}, false}};
    // The deepest instance location names the smallest wrong thing: a typo'd key inside
    // pagination also fails anyOf and required one level up, but the key is the mistake.
    // Among equally deep errors the deepest keyword is the most specific branch.
    const schema::OutputUnit* best = &result.errors.front();
    for (const schema::OutputUnit& unit : result.errors) {
        const std::size_t a = depth(unit.instance_location), b = depth(best->instance_location);
        if (a > b || (a == b && depth(unit.keyword_location) > depth(best->keyword_location)))
            best = &unit;
    }
    std::string message = best->error;
    if (schema_document != nullptr && !best->property.empty() &&
        best->keyword_location.ends_with("/additionalProperties")) {
        const std::string hint =
            closest_name(best->property, declared_members(*best, *schema_document));
        if (!hint.empty())
            message += " (did you mean \"" + hint + "\"?)";
    }
    // The root's pointer is empty: the file alone says where.
    const bool has_pointer = !best->instance_location.empty();
    return core::Diagnostic{std::move(message),
                            {file.string(), 0, 0, best->instance_location, has_pointer}};
}

core::Result<void> conforms(const schema::CompiledSchema& compiled, const nlohmann::json& instance,
                            const std::filesystem::path& file,
                            const nlohmann::json* schema_document) {
    // Files are valid as a rule: the fast path says so without collecting output units.
    if (compiled.is_valid(instance))
        return {};
    schema::ValidationResult result = compiled.validate(instance);
    if (result.valid)
        return {};
    return core::fail(most_specific_error(result, file, schema_document));
}

} // namespace conform::contract::internal
