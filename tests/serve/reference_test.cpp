// The reference persona: pagination over the fixture, the contract's exact envelopes, every
// documented error, signature verification, and answers that validate against the contract.
#include <thread>

#include <catch2/catch.hpp>

#include "runner/serve/serve.hpp"
#include "tests/serve/serve_support.hpp"

using namespace conform;
using conform::test::Client;
using conform::test::Sign;
using nlohmann::json;

namespace {

struct Fixture {
    const contract::Contract& contract;
    test::Served served;
    Client client;
    const contract::Operation& op;
    const contract::Pagination& page;

    explicit Fixture(const std::string& name)
        : contract(test::seed_contract(name)),
          served(test::serve_persona(contract, serve::PersonaId::reference)), client(contract),
          op(test::seed_operation(contract)), page(*op.pagination) {}

    json call(http::QueryParams params, Sign sign = Sign::yes, bool with_operation = true) {
        return client.call(*served.reference, std::move(params), sign, with_operation);
    }
    std::int64_t total_of(const json& body) const {
        const json& t = test::at(body, page.total_pointer);
        return t.is_string() ? std::stoll(t.get<std::string>()) : t.get<std::int64_t>();
    }
    std::vector<std::string> dataset_keys(std::size_t from, std::size_t to) const {
        const auto& items = served.reference->fixtures().find(op.name)->items;
        std::vector<std::string> out;
        for (std::size_t i = from; i < to && i < items.size(); ++i)
            out.push_back(items[i].at(page.item_key).get<std::string>());
        return out;
    }
    void require_valid(const json& body) const {
        const schema::ValidationResult r = op.response.compiled.validate(body);
        INFO(contract.name << ": " << body.dump());
        for (const auto& e : r.errors)
            INFO(e.instance_location << " " << e.keyword_location << ": " << e.error);
        REQUIRE(r.valid);
    }
    bool is_ucloud() const { return contract.envelope.action.has_value(); }
};

const char* const k_contracts[] = {"tencent-ccr", "ucloud-uhub", "genesissai-uhub"};

} // namespace

TEST_CASE("reference: the default page, its envelope and the total's documented type",
          "[serve][reference]") {
    Fixture f(GENERATE(as<std::string>{}, "tencent-ccr", "ucloud-uhub", "genesissai-uhub"));
    const json body = f.call({});
    f.require_valid(body);
    CHECK(test::keys_of(f.contract, body) == f.dataset_keys(0, 20));
    CHECK(f.total_of(body) == 23);
    const json& total = test::at(body, f.page.total_pointer);
    if (f.is_ucloud()) {
        CHECK(body.at("Action") == "GetRepoResponse");
        CHECK(body.at("RetCode") == 0);
        CHECK(body.at("Message") == "");
        CHECK(total.is_number_integer());
    } else {
        CHECK(body.at("code") == 0);
        CHECK(body.at("codeDesc") == "Success");
        CHECK(body.at("message") == "");
        CHECK(total == "23"); // the table says String; the reference obeys the contract
    }
}

TEST_CASE("reference: a walk of 7, the edges, and every answer schema-valid",
          "[serve][reference][schema]") {
    Fixture f(GENERATE(as<std::string>{}, "tencent-ccr", "ucloud-uhub", "genesissai-uhub"));
    std::vector<std::string> walked;
    for (int offset = 0; offset < 40; offset += 7) {
        const json body =
            f.call({{f.page.offset_param, std::to_string(offset)}, {f.page.limit_param, "7"}});
        f.require_valid(body);
        const auto keys = test::keys_of(f.contract, body);
        CHECK(keys == f.dataset_keys(offset, offset + 7));
        CHECK(f.total_of(body) == 23);
        walked.insert(walked.end(), keys.begin(), keys.end());
        if (keys.size() < 7)
            break;
    }
    CHECK(walked == f.dataset_keys(0, 23));

    for (const char* offset : {"23", "33", "1000"}) {
        const json body = f.call({{f.page.offset_param, offset}, {f.page.limit_param, "5"}});
        f.require_valid(body);
        CHECK(test::keys_of(f.contract, body).empty());
        CHECK(f.total_of(body) == 23);
    }
    for (const char* limit : {"0", "1", "100"}) {
        const json body = f.call({{f.page.limit_param, limit}});
        f.require_valid(body);
        CHECK(test::keys_of(f.contract, body).size() ==
              std::min<std::size_t>(23, std::stoul(limit)));
    }
    // Leading zeros are still a decimal integer; repeated parameters keep the first value.
    const json repeated = f.call({{f.page.limit_param, "03"}, {f.page.limit_param, "9"}});
    CHECK(test::keys_of(f.contract, repeated).size() == 3);
}

TEST_CASE("reference: the UHub Type filter (private = IsShared false, public = true)",
          "[serve][reference][schema]") {
    const std::string name = GENERATE(as<std::string>{}, "ucloud-uhub", "genesissai-uhub");
    Fixture f(name);
    // The page's own spelling: private/public in Chinese, Private/Public in the English copy.
    const std::string priv = name == "ucloud-uhub" ? "private" : "Private";
    const std::string pub = name == "ucloud-uhub" ? "public" : "Public";
    std::size_t seen = 0;
    for (const auto& [value, shared] : {std::pair{priv, "false"}, std::pair{pub, "true"}}) {
        const json body = f.call({{"Type", value}, {"Limit", "100"}});
        f.require_valid(body);
        const json& items = body.at("RepoSet");
        CHECK(f.total_of(body) == static_cast<std::int64_t>(items.size()));
        for (const json& item : items)
            CHECK(item.at("IsShared") == shared);
        seen += items.size();
        // Paging applies within the filter.
        const json page = f.call({{"Type", value}, {"Limit", "7"}, {"Offset", "7"}});
        f.require_valid(page);
        CHECK(f.total_of(page) == static_cast<std::int64_t>(items.size()));
    }
    CHECK(seen == 23);
    CHECK(f.total_of(f.call({{"Type", priv}})) == 15);
    CHECK(f.total_of(f.call({{"Type", pub}})) == 8);
    // The other page's spelling is not this contract's value.
    const json wrong_case = f.call({{"Type", name == "ucloud-uhub" ? "Private" : "private"}});
    CHECK(wrong_case.at("RetCode") == 230);
}

TEST_CASE("reference: routing errors", "[serve][reference][errors]") {
    Fixture f(GENERATE(as<std::string>{}, "tencent-ccr", "ucloud-uhub", "genesissai-uhub"));
    const json missing = f.call({}, Sign::yes, /*with_operation=*/false);
    const json unknown = f.call({{"Action", "NoSuchAction"}}, Sign::yes, false);
    if (f.is_ucloud()) {
        CHECK(missing ==
              json{{"Action", "Response"}, {"RetCode", 160}, {"Message", "Missing Action"}});
        CHECK(unknown.at("RetCode") == 161);
        CHECK(unknown.at("Action") == "NoSuchActionResponse");
        CHECK(unknown.at("Message").get<std::string>().find("NoSuchAction") != std::string::npos);
    } else {
        CHECK(missing.at("code") == 4000);
        CHECK(missing.at("codeDesc") == "InvalidParameter");
        CHECK(missing.at("message").get<std::string>().find("Action") != std::string::npos);
        CHECK(unknown.at("code") == 4000);
        CHECK(unknown.at("message").get<std::string>().find("NoSuchAction") != std::string::npos);
    }
    // An empty routing value is missing too.
    const json empty = f.call({{"Action", ""}}, Sign::yes, false);
    CHECK(empty.at(f.is_ucloud() ? "RetCode" : "code") == (f.is_ucloud() ? 160 : 4000));
}

TEST_CASE("reference: invalid parameter values are refused naming the parameter",
          "[serve][reference][errors]") {
    Fixture f(GENERATE(as<std::string>{}, "tencent-ccr", "ucloud-uhub", "genesissai-uhub"));
    std::vector<std::pair<std::string, std::string>> bad = {
        {f.page.limit_param, "-1"},   {f.page.limit_param, "abc"}, {f.page.offset_param, "-5"},
        {f.page.offset_param, "1.5"}, {f.page.limit_param, ""},    {f.page.limit_param, "+3"}};
    if (f.is_ucloud())
        bad.emplace_back("Type", "EzVxntiX"); // the page's own sample value
    for (const auto& [name, value] : bad) {
        INFO(name << "=" << value);
        const json body = f.call({{name, value}});
        const std::string message = body.at(f.is_ucloud() ? "Message" : "message");
        CHECK(message.find(name) != std::string::npos);
        if (f.is_ucloud()) {
            CHECK(body.at("RetCode") == 230);
            CHECK(body.at("Action") == "GetRepoResponse");
        } else {
            CHECK(body.at("code") == 4000);
            CHECK(body.at("codeDesc") == "InvalidParameter");
        }
    }
    // A malformed query is refused the same way.
    http::ServerRequest r = f.client.request({});
    r.raw_query += "&x=%zz";
    const json body = json::parse(f.served.reference->answer(r).body);
    CHECK(body.at(f.is_ucloud() ? "RetCode" : "code") == (f.is_ucloud() ? 230 : 4000));
}

TEST_CASE("reference: UCloud signatures (170 missing, 171 mismatch, 172 unknown key)",
          "[serve][reference][auth]") {
    Fixture f(GENERATE(as<std::string>{}, "ucloud-uhub", "genesissai-uhub"));
    CHECK(f.call({}).at("RetCode") == 0);
    CHECK(f.call({}, Sign::none).at("RetCode") == 170);
    const json wrong = f.call({}, Sign::wrong_secret);
    CHECK(wrong.at("RetCode") == 171);
    CHECK(wrong.at("Message") == "Signature VerifyAC Error");
    // A tampered parameter after signing.
    http::ServerRequest r = f.client.request({{"Limit", "5"}});
    r.raw_query.replace(r.raw_query.find("Limit=5"), 7, "Limit=6");
    CHECK(json::parse(f.served.reference->answer(r).body).at("RetCode") == 171);
    // A key the server does not know.
    http::ServerRequest stranger = f.client.request({});
    const auto at = stranger.raw_query.find("conform-test-public-key");
    REQUIRE(at != std::string::npos);
    stranger.raw_query.replace(at, 7, "someone");
    const json unknown = json::parse(f.served.reference->answer(stranger).body);
    CHECK(unknown.at("RetCode") == 172);
    CHECK(unknown.at("Message") == "User Not Exists");
}

TEST_CASE("reference: Tencent signatures, the 300 s window and nonce reuse",
          "[serve][reference][auth]") {
    Fixture f("tencent-ccr");
    CHECK(f.call({}).at("code") == 0);
    const json unsigned_answer = f.call({}, Sign::none);
    CHECK(unsigned_answer.at("code") == 4100);
    CHECK(f.call({}, Sign::wrong_secret).at("code") == 4100);
    const json stale = f.call({}, Sign::stale);
    CHECK(stale.at("code") == 4500);
    CHECK(stale.at("codeDesc") == "AuthFailure.SignatureExpire");

    // The same signed request twice: the second reuses its Nonce.
    const http::ServerRequest once = f.client.request({{"limit", "3"}});
    CHECK(json::parse(f.served.reference->answer(once).body).at("code") == 0);
    const json replay = json::parse(f.served.reference->answer(once).body);
    CHECK(replay.at("code") == 4500);
    CHECK(replay.at("codeDesc") == "AuthFailure.RequestReplay");

    // Within the window on the server's clock: 299 s late still passes, 301 s does not.
    const http::ServerRequest late = f.client.request({});
    f.served.clock->set(test::k_now + 299);
    CHECK(json::parse(f.served.reference->answer(late).body).at("code") == 0);
    const http::ServerRequest later = f.client.request({});
    f.served.clock->set(test::k_now + 301);
    CHECK(json::parse(f.served.reference->answer(later).body).at("code") == 4500);
    f.served.clock->set(test::k_now);

    // The signature covers the host: the same query sent to another host fails.
    http::ServerRequest moved = f.client.request({});
    moved.host = "127.0.0.1:9";
    CHECK(json::parse(f.served.reference->answer(moved).body).at("code") == 4100);

    // Unknown SecretId.
    http::ServerRequest stranger = f.client.request({});
    const auto at = stranger.raw_query.find("AKIDconformTest");
    REQUIRE(at != std::string::npos);
    stranger.raw_query.replace(at, 4, "AKIX");
    CHECK(json::parse(f.served.reference->answer(stranger).body).at("code") == 4104);
}

TEST_CASE("reference: configured credentials replace the test ones", "[serve][reference][auth]") {
    const contract::Contract& c = test::seed_contract("ucloud-uhub");
    serve::ReferenceOptions options;
    options.credentials = {{"someone-else", "their-private-key"}};
    options.clock = std::make_shared<http::FixedClock>(test::k_now);
    auto ref = serve::make_reference(c, test::seed_fixtures(c), options);
    REQUIRE(ref);
    Client client(c);
    CHECK(client.call(**ref, {}).at("RetCode") == 172); // the test key is no longer known
}

TEST_CASE("reference: refusals keep HTTP 200 and JSON", "[serve][reference][errors]") {
    for (const char* name : k_contracts) {
        Fixture f(name);
        const http::ServerResponse r = f.served.reference->answer(f.client.request({}, Sign::none));
        CHECK(r.status == 200);
        CHECK(r.content_type == "application/json");
        CHECK_FALSE(r.delay);
        CHECK_FALSE(r.declared_length);
    }
}

TEST_CASE("reference: answers concurrently from many threads", "[serve][reference][threads]") {
    Fixture f("tencent-ccr");
    std::vector<http::ServerRequest> requests;
    for (int i = 0; i < 64; ++i)
        requests.push_back(f.client.request({{"offset", std::to_string(i % 30)}, {"limit", "7"}}));
    std::vector<int> codes(requests.size(), -1);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < 8; ++t)
        threads.emplace_back([&, t] {
            for (std::size_t i = t; i < requests.size(); i += 8)
                codes[i] = json::parse(f.served.reference->answer(requests[i]).body).at("code");
        });
    for (auto& t : threads)
        t.join();
    for (int code : codes)
        CHECK(code == 0);
}
