// core JSON Pointer: parse_pointer, escape round trip, resolve_pointer through nlohmann and
// through the JsonView (nlohmann and simdjson), percent_decode. Input: the first line is the
// pointer, the rest a JSON document (a fixed document when the rest is not JSON).
#include <nlohmann/json.hpp>

#include "fuzz/fuzz_input.hpp"
#include "fuzz/targets.hpp"
#include "runner/core/json_parse.hpp"
#include "runner/core/json_pointer.hpp"

namespace conform::fuzz {

namespace {

const nlohmann::json& fallback_document() {
    static const nlohmann::json doc = nlohmann::json::parse(
        R"({"a": [1, {"b~c": {"d/e": [null, true, "x"]}}], "": {"": 0}, "%25": 1,
            "RepoSet": [{"RepoName": "n"}], "0": [[[]]]})");
    return doc;
}

} // namespace

int json_pointer(const std::uint8_t* data, std::size_t size) {
    static core::FastParser fast;
    const auto [pointer, rest] = split_first_line(as_text(data, size));

    (void)core::percent_decode(pointer);
    auto tokens = core::parse_pointer(pointer);
    if (tokens) {
        std::string rebuilt;
        for (const std::string& t : *tokens)
            core::append_pointer_token(rebuilt, t);
        auto again = core::parse_pointer(rebuilt);
        if (!again || *again != *tokens)
            violated("escape/parse round trip changed the tokens");
    }

    auto parsed = core::parse_json(rest);
    const nlohmann::json& doc = parsed ? *parsed : fallback_document();
    const nlohmann::json* found = core::resolve_pointer(doc, pointer);
    auto through_view = core::resolve_pointer(core::JsonView(doc), pointer);
    if ((found != nullptr) != through_view.has_value())
        violated("nlohmann and JsonView resolution disagree");
    if (found && !(core::JsonView(*found) == *through_view))
        violated("nlohmann and JsonView resolved different values");
    if (parsed) {
        auto simd = fast.parse(rest);
        if (simd) {
            auto through_simd = core::resolve_pointer(*simd, pointer);
            if (through_simd.has_value() != (found != nullptr))
                violated("simdjson and nlohmann resolution disagree");
            if (found && !(core::JsonView(*found) == *through_simd))
                violated("simdjson and nlohmann resolved different values");
        }
    }
    return 0;
}

} // namespace conform::fuzz

CONFORM_FUZZ_ENTRY(json_pointer)
