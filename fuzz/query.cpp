// http: the strict query-string parser (parse_query, percent_decode) and the encoder.
// Input: a query component. Properties: nothing crashes; a parsed query encodes to a query
// that parses back to the same parameters, and percent_encode/percent_decode round-trip.
#include "fuzz/fuzz_input.hpp"
#include "fuzz/targets.hpp"
#include "runner/http/http.hpp"

namespace conform::fuzz {

int query(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = as_text(data, size);
    auto decoded = http::percent_decode(text);
    if (decoded) {
        auto again = http::percent_decode(http::percent_encode(*decoded));
        if (!again || *again != *decoded)
            violated("percent_encode/percent_decode round trip");
    }
    auto params = http::parse_query(text);
    if (!params) {
        (void)params.error().to_string();
        return 0;
    }
    const std::string encoded = http::encode_query(*params);
    auto back = http::parse_query(encoded);
    if (!back)
        violated("encode_query output does not parse");
    if (!(*back == *params))
        violated("encode_query/parse_query round trip changed the parameters");
    (void)http::sorted_by_name(*params);
    return 0;
}

} // namespace conform::fuzz

CONFORM_FUZZ_ENTRY(query)
