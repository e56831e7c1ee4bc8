// http: the signers and verifiers of every scheme (signer.hpp). Input: a query component
// whose parameters are signed (or, when it does not parse, verified as received).
// Properties: nothing crashes; whatever a scheme signs, its own verifier accepts with the same
// credentials, clock and target; random received parameters never crash a verifier.
#include "fuzz/fuzz_input.hpp"
#include "fuzz/targets.hpp"
#include "runner/http/http.hpp"

namespace conform::fuzz {

namespace {

class FixedNonce final : public http::NonceSource {
public:
    std::uint32_t next_nonce() override { return ++m_next % 2147483647u + 1; }

private:
    std::uint32_t m_next = 0;
};

} // namespace

int signer(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = as_text(data, size);
    const http::FixedClock clock(1767225600); // 2026-01-01T00:00:00Z
    FixedNonce nonces;
    const http::Credentials creds{"AKIDfuzzkeyid", "fuzz-secret-key"};
    const http::Credentials known[] = {creds};
    const http::RequestTarget target{"GET", "api.example.com", "/v2/index.php"};

    auto received = http::parse_query(text);
    for (const http::Scheme& scheme : http::schemes()) {
        http::NonceLedger ledger;
        const http::VerifyContext context{known, clock, &ledger};
        if (!received) {
            http::QueryParams raw;
            raw.add(std::string(text.substr(0, text.size() / 2)),
                    std::string(text.substr(text.size() / 2)));
            (void)scheme.verify(raw, target, context);
            continue;
        }
        (void)scheme.verify(*received, target, context);
        // Explicit Timestamp, Nonce and SignatureMethod are signed as given (and may be stale
        // or unknown on purpose): the round trip property holds for the signer's own choices.
        http::QueryParams to_sign = *received;
        for (const char* name : {"Timestamp", "Nonce", "SignatureMethod"})
            to_sign.erase(name);
        auto signed_query = scheme.sign(to_sign, target, creds, clock, nonces);
        if (!signed_query)
            continue;
        (void)signed_query->query();
        http::NonceLedger fresh;
        const http::VerifyContext verify_context{known, clock, &fresh};
        const http::Verdict verdict = scheme.verify(signed_query->params, target, verify_context);
        if (!verdict.ok()) {
            std::fprintf(stderr, "%s: %s\n", std::string(scheme.name).c_str(),
                         verdict.detail.c_str());
            violated("a scheme's verifier refuses what its signer signed");
        }
    }
    return 0;
}

} // namespace conform::fuzz

CONFORM_FUZZ_ENTRY(signer)
