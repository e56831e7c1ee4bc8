// core JSON parsing: parse_json (nlohmann, with the nesting limit and line/column errors) and
// FastParser (simdjson), and the JsonView over both. Properties: nothing crashes; when both
// parsers accept a text, the two views are equal by JSON Schema rules and copy back to the
// same nlohmann value.
#include <nlohmann/json.hpp>

#include "fuzz/fuzz_input.hpp"
#include "fuzz/targets.hpp"
#include "runner/core/json_parse.hpp"
#include "runner/core/json_view.hpp"

namespace conform::fuzz {

int json_parse(const std::uint8_t* data, std::size_t size) {
    static core::FastParser fast;
    const std::string_view text = as_text(data, size);
    auto slow = core::parse_json(text, "fuzz.json");
    auto quick = fast.parse(text, "fuzz.json");
    if (!slow) {
        (void)slow.error().to_string();
        return 0;
    }
    if (!quick)
        return 0; // simdjson may refuse what nlohmann takes (e.g. integers beyond 64 bits)
    const core::JsonView a(*slow);
    const core::JsonView b = *quick;
    if (has_duplicate_keys(b))
        return 0;
    if (!(a == b) || !(b == a))
        violated("nlohmann and simdjson views differ");
    if (a.to_json() != b.to_json())
        violated("to_json of the two views differ");
    (void)a.size();
    (void)b.size();
    return 0;
}

} // namespace conform::fuzz

CONFORM_FUZZ_ENTRY(json_parse)
