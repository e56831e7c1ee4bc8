#pragma once
// The seed contracts and their fixtures, loaded once, and requests signed the way the engine
// signs them (with the built-in test credentials), for the serve tests.

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/contract/contract.hpp"
#include "runner/http/http.hpp"
#include "runner/http/server.hpp"
#include "runner/serve/serve.hpp"

namespace conform::test {

// The committed contracts (schemas/), loaded once; REQUIREs success.
[[nodiscard]] const std::vector<contract::Contract>& seed_contracts();
[[nodiscard]] const contract::Contract& seed_contract(std::string_view name);
// cases/<name>/*.dataset.json, freshly loaded.
[[nodiscard]] serve::Fixtures seed_fixtures(const contract::Contract& contract);

// The time every in-memory test runs at.
inline constexpr std::int64_t k_now = 1'760'000'000;

// A handler for one contract and persona, at k_now on a FixedClock (exposed for tests that move
// it).
struct Served {
    const contract::Contract* contract = nullptr;
    std::shared_ptr<http::FixedClock> clock;
    std::shared_ptr<serve::Reference> reference;
};
[[nodiscard]] Served serve_persona(const contract::Contract& contract,
                                   const serve::Persona& persona);

// How a request goes out.
enum class Sign { yes, none, wrong_secret, stale };

class Client {
public:
    explicit Client(const contract::Contract& contract) : m_contract(contract) {}
    // A request for the contract's seed operation with these extra parameters.
    [[nodiscard]] http::ServerRequest request(http::QueryParams params, Sign sign = Sign::yes,
                                              bool with_operation = true);
    // Answers it and parses the body (REQUIREs JSON).
    [[nodiscard]] nlohmann::json call(const serve::Reference& reference, http::QueryParams params,
                                      Sign sign = Sign::yes, bool with_operation = true);

    [[nodiscard]] std::string host() const { return "127.0.0.1:18080"; }
    [[nodiscard]] std::string path() const;

private:
    const contract::Contract& m_contract;
    std::uint32_t m_nonce = 1000;
};

// The value at a JSON pointer (REQUIREs it exists).
[[nodiscard]] const nlohmann::json& at(const nlohmann::json& body, const std::string& pointer);
// The item keys of a page.
[[nodiscard]] std::vector<std::string> keys_of(const contract::Contract& contract,
                                               const nlohmann::json& body);
// The seed operation: the first paging operation whose dataset writes its items (GetRepo,
// GetFavor),
// which the requests above name.
[[nodiscard]] const contract::Operation& seed_operation(const contract::Contract& contract);

} // namespace conform::test
