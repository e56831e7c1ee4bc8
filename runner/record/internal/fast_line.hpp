#pragma once
// The recording reader's hot path: one JSONL line parsed whole with simdjson (core::FastParser)
// and read straight into a Recorded, without an nlohmann tree. A JSON response body is handed
// over as the exact bytes the line holds (no parse-and-dump round trip) and, when asked, as
// its part of the line's parse (no second parse).
//
// The fast path only ever says "here it is" or "not mine": any line it does not take whole
// (not JSON, a wrong shape, a number simdjson will not read, an odd encoding) goes to the full
// reader (core::parse_json + from_json), which either reads it too or names what is wrong with
// file:line and the JSON pointer. So diagnostics are the full reader's, byte for byte, and a
// line the fast path takes is one the full reader takes with the same meaning.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "runner/core/function_ref.hpp"
#include "runner/http/http.hpp"
#include "runner/record/record.hpp"

namespace conform::record::internal {

// The bytes simdjson may read past a line's end; a line buffer keeps this much capacity spare.
inline constexpr std::size_t k_line_padding = 64;

// Sets base_url, query and raw_query from a recorded URL (fragment dropped). The URL's query is
// authoritative; listed (the line's "query", made only when needed) is used only when the URL's
// query does not parse, or when the URL has none. false: not an absolute URL.
[[nodiscard]] bool set_request_url(http::Request& request, std::string_view url,
                                   core::FunctionRef<http::QueryParams()> listed);

class FastLineReader {
public:
    // options: the line's nesting limit, and whether (and how deep) to parse response bodies.
    explicit FastLineReader(const ReaderOptions& options);
    ~FastLineReader();
    FastLineReader(const FastLineReader&) = delete;
    FastLineReader& operator=(const FastLineReader&) = delete;

    // readable: the bytes that may be read from line.data(), k_line_padding at least past its
    // end (their content does not matter). Into out, a default Recorded; false: not taken (out
    // then holds what was read before it was refused), read it with the full reader.
    [[nodiscard]] bool read(std::string_view line, std::size_t readable,
                            const std::filesystem::path& file, std::size_t line_number,
                            Recorded& out);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace conform::record::internal
