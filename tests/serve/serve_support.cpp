#include "tests/serve/serve_support.hpp"

#include <catch2/catch.hpp>

#include "runner/contract/cases.hpp"
#include "runner/core/json_parse.hpp"
#include "runner/core/json_pointer.hpp"

namespace conform::test {

const std::vector<contract::Contract>& seed_contracts() {
    static const std::vector<contract::Contract> contracts = [] {
        auto loaded = contract::load_contracts(contract::default_schemas_dir());
        if (!loaded)
            FAIL("the seed contracts do not load: " << loaded.error().to_string());
        return std::move(loaded).value();
    }();
    return contracts;
}

const contract::Contract& seed_contract(std::string_view name) {
    for (const contract::Contract& c : seed_contracts())
        if (c.name == name)
            return c;
    FAIL("no seed contract " << name);
    throw std::logic_error("unreachable");
}

serve::Fixtures seed_fixtures(const contract::Contract& contract) {
    auto fixtures = serve::load_fixtures(contract, contract::default_cases_dir());
    if (!fixtures)
        FAIL("fixtures of " << contract.name << ": " << fixtures.error().to_string());
    return std::move(fixtures).value();
}

Served serve_persona(const contract::Contract& contract, const serve::Persona& persona) {
    Served s;
    s.contract = &contract;
    s.clock = std::make_shared<http::FixedClock>(k_now);
    serve::ReferenceOptions options;
    options.persona = persona;
    options.clock = s.clock;
    auto reference = serve::make_reference(contract, seed_fixtures(contract), options);
    if (!reference)
        FAIL("make_reference: " << reference.error().to_string());
    s.reference = std::move(reference).value();
    return s;
}

const contract::Operation& seed_operation(const contract::Contract& contract) {
    for (const auto& [name, op] : contract.operations) {
        const auto dataset =
            contract::default_cases_dir() / contract.name / (name + ".dataset.json");
        if (op.pagination && std::filesystem::exists(dataset) &&
            core::load_json_file(dataset).value().contains("items"))
            return op;
    }
    FAIL("no paging operation of " << contract.name << " has a written dataset");
    throw std::logic_error("unreachable");
}

std::string Client::path() const {
    const std::string& url = m_contract.base_url;
    const auto slash = url.find('/', url.find("://") + 3);
    return slash == std::string::npos ? "/" : url.substr(slash);
}

http::ServerRequest Client::request(http::QueryParams params, Sign sign, bool with_operation) {
    if (with_operation)
        params.set(m_contract.routing.param, seed_operation(m_contract).name);
    http::ServerRequest r;
    r.method = "GET";
    r.path = path();
    r.host = host();
    const http::Scheme* scheme = http::find_scheme(m_contract.signing);
    if (scheme && sign != Sign::none) {
        http::Credentials credentials = serve::test_credentials(*scheme);
        if (sign == Sign::wrong_secret)
            credentials.secret += "-wrong";
        // Tencent's common parameters; a stale request is one hour old.
        if (scheme->id == http::SchemeId::tencent_v2_hmac)
            params.set("Region", "ap-guangzhou");
        const http::FixedClock clock(sign == Sign::stale ? k_now - 3600 : k_now);
        struct Counter final : http::NonceSource {
            std::uint32_t& next;
            explicit Counter(std::uint32_t& n) : next(n) {}
            std::uint32_t next_nonce() override { return ++next; }
        } nonces(m_nonce);
        auto signed_query =
            scheme->sign(params, {"GET", host(), path()}, credentials, clock, nonces);
        REQUIRE(signed_query);
        r.raw_query = signed_query->query();
    } else {
        r.raw_query = http::encode_query(params);
    }
    return r;
}

nlohmann::json Client::call(const serve::Reference& reference, http::QueryParams params, Sign sign,
                            bool with_operation) {
    const http::ServerResponse response =
        reference.answer(request(std::move(params), sign, with_operation));
    INFO(response.body);
    REQUIRE(response.content_type == "application/json");
    auto parsed = nlohmann::json::parse(response.body, nullptr, false);
    REQUIRE_FALSE(parsed.is_discarded());
    return parsed;
}

const nlohmann::json& at(const nlohmann::json& body, const std::string& pointer) {
    const nlohmann::json* v = core::resolve_pointer(body, pointer);
    INFO(pointer << " in " << body.dump());
    REQUIRE(v != nullptr);
    return *v;
}

std::vector<std::string> keys_of(const contract::Contract& contract, const nlohmann::json& body) {
    const auto& page = *seed_operation(contract).pagination;
    std::vector<std::string> out;
    for (const nlohmann::json& item : at(body, page.items_pointer))
        out.push_back(item.is_string() ? item.get<std::string>()
                                       : item.at(page.item_key).get<std::string>());
    return out;
}

} // namespace conform::test
