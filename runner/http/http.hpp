#pragma once
// conform::http — requests as they go on the wire. This door holds query strings: an ordered
// parameter list, RFC 3986 percent-encoding, a strict parser, and the value rendering of
// ../shared/SIGNING.md; signing and the client come with it (internal/signer.hpp,
// internal/transport.hpp, included at the end); the HTTP(S) listener of the reference server
// and tests (Server, ServerRequest, ServerResponse) is the second door, runner/http/server.hpp.
// httplib and OpenSSL types never leave this module (STYLE.md lesson 5): they appear only in its
// .cpp files and internal/.
//
//   QueryParams params;
//   params.add("Action", "GetRepo");
//   CONFORM_CHECK(append_value(params, "RepoName", view));  // arrays become RepoName.0, ...
//   std::string query = encode_query(params);                // "Action=GetRepo&RepoName.0=a"
//   auto back = parse_query(query);                          // Result<QueryParams>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runner/core/json_view.hpp"
#include "runner/core/result.hpp"

namespace conform::http {

struct QueryParam {
    std::string name;
    std::string value; // decoded bytes, exactly as signed (never percent-encoded here)

    friend bool operator==(const QueryParam&, const QueryParam&) = default;
};

// The parameters of one request in sending order. Names may repeat (UCloud's own sample sends
// ProjectId twice) and repeats keep their order: nothing here sorts or deduplicates.
class QueryParams {
public:
    QueryParams() = default;
    QueryParams(std::initializer_list<QueryParam> params) : m_params(params) {}

    void add(std::string name, std::string value);
    // The same from views, each string built in place.
    void add_copy(std::string_view name, std::string_view value) {
        QueryParam& p = m_params.emplace_back();
        p.name.assign(name);
        p.value.assign(value);
    }
    void reserve(std::size_t n) { m_params.reserve(n); }
    void clear() noexcept { m_params.clear(); } // keeps the storage
    // Replaces every parameter called name by one, at the position of the first (or at the
    // end when there was none).
    void set(std::string_view name, std::string value);
    // Removes every parameter called name; returns how many there were.
    std::size_t erase(std::string_view name);
    // The first value of name, or nullptr.
    [[nodiscard]] const std::string* find(std::string_view name) const;
    [[nodiscard]] bool contains(std::string_view name) const { return find(name) != nullptr; }

    [[nodiscard]] std::size_t size() const noexcept { return m_params.size(); }
    [[nodiscard]] bool empty() const noexcept { return m_params.empty(); }
    [[nodiscard]] auto begin() const noexcept { return m_params.begin(); }
    [[nodiscard]] auto end() const noexcept { return m_params.end(); }
    [[nodiscard]] const QueryParam& operator[](std::size_t i) const { return m_params[i]; }

    friend bool operator==(const QueryParams&, const QueryParams&) = default;

private:
    std::vector<QueryParam> m_params;
};

// Byte order of names, as both signing schemes sort (SIGNING.md: "comparing bytes", so "CPU"
// < "ChargeType" and "Name.10" < "Name.2"; UTF-8 lead bytes sort after ASCII).
[[nodiscard]] bool name_bytes_less(std::string_view a, std::string_view b) noexcept;
// The parameters stably sorted by name bytes: repeated names keep their sending order.
[[nodiscard]] std::vector<QueryParam> sorted_by_name(const QueryParams& params);

// RFC 3986 2.3: the unreserved characters A-Z a-z 0-9 - _ . ~ stay; every other byte becomes
// %XX with uppercase hex (2.1). A space is %20, never '+': a '+' that reaches the UCloud
// gateway unencoded decodes to a space (SIGNING.md, RetCode 172).
[[nodiscard]] std::string percent_encode(std::string_view bytes);
// name=value pairs, both percent-encoded, joined with '&', in the list's order.
[[nodiscard]] std::string encode_query(const QueryParams& params);
// Strict parser of a query component (the part after '?', without the '?'):
// - '&' separates pairs; empty pairs ("a=1&&b=2", a trailing '&') carry nothing and are skipped;
// - a pair without '=' is a parameter with an empty value; the first '=' splits name and value;
// - %XX decodes to one byte (either hex case); a '%' not followed by two hex digits is an error
//   naming its byte offset;
// - '+' decodes to a space, as the vendors' gateways decode it (application/x-www-form-
//   urlencoded; SIGNING.md's RetCode 172 story). percent_encode never emits '+', so our own
//   requests round-trip; a client that sends a raw '+' gets exactly what the real clouds give it;
// - an empty name ("=x") is an error naming its offset.
// Decoded bytes are not checked for UTF-8: values are signed and compared as bytes.
[[nodiscard]] core::Result<QueryParams> parse_query(std::string_view query);
// The same, telling in `encoded` whether query is exactly what encode_query gives for what
// it parses to (every pair non-empty with its '=', every byte unreserved or an uppercase %XX
// of a byte that is not), from the same pass and without building that spelling: a recorded
// query that needs no raw copy kept.
[[nodiscard]] core::Result<QueryParams> parse_query(std::string_view query, bool& encoded);
// The same into `into`, cleared first and its storage reused (a reader that parses query after
// query into one QueryParams allocates nothing for it); on an error it holds the pairs before.
[[nodiscard]] core::Result<void> parse_query_into(std::string_view query, bool& encoded,
                                                  QueryParams& into);
// One percent-encoded component, decoded by the rules above; offset is where text starts in
// the enclosing query, for the error message.
[[nodiscard]] core::Result<std::string> percent_decode(std::string_view text,
                                                       std::size_t offset = 0);

// Value rendering, "as sent" (SIGNING.md): integers plain, booleans true/false, a float
// without a trailing ".0" (35.0 -> "35") and never in scientific notation (1e-7 ->
// "0.0000001"), the shortest form that reads back as the same double.
[[nodiscard]] std::string render_integer(std::int64_t value);
[[nodiscard]] std::string render_bool(bool value);
// Fails for NaN and infinities, which have no query-string form.
[[nodiscard]] core::Result<std::string> render_number(double value);

// Appends name=value rendered as above; a string is sent as is; an array is flattened into
// name.0, name.1, ... (nested arrays: name.0.0). Fails naming the parameter for null and for
// objects, which the seed APIs never take in a query.
[[nodiscard]] core::Result<void> append_value(QueryParams& params, std::string_view name,
                                              core::JsonView value);

// The host as a request signs it (Tencent v2 source string): "host" on the scheme's default
// port (80 for http, 443 for https), "host:port" otherwise. IPv6 literals keep their brackets.
[[nodiscard]] std::string signing_host(std::string_view host, std::uint16_t port, bool https);

} // namespace conform::http

// Behind the door (STYLE.md lesson 1): signing (schemes, signers and verifiers, credentials, the
// nonce ledger) and the client (Request, Exchange, Transport, make_transport, RateLimiter, the
// FailureKind table). The listener is the second door, runner/http/server.hpp.
#include "runner/http/internal/signer.hpp"    // IWYU pragma: export
#include "runner/http/internal/transport.hpp" // IWYU pragma: export
