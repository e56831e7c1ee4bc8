// Each persona's mutation, observed directly on its answers (the engine's test then proves
// that conform reports it).
#include <catch2/catch.hpp>

#include "runner/core/json_pointer.hpp"
#include "runner/serve/serve.hpp"
#include "tests/serve/serve_support.hpp"

using namespace conform;
using conform::test::Client;
using conform::test::Sign;
using nlohmann::json;
using serve::PersonaId;

namespace {

struct Persona {
    const contract::Contract& contract;
    test::Served served;
    Client client;
    const contract::Pagination& page;

    Persona(const std::string& name, const serve::Persona& persona)
        : contract(test::seed_contract(name)), served(test::serve_persona(contract, persona)),
          client(contract), page(*test::seed_operation(contract).pagination) {}

    json call(http::QueryParams params = {}, Sign sign = Sign::yes) {
        return client.call(*served.reference, std::move(params), sign);
    }
    http::ServerResponse raw(http::QueryParams params = {}, Sign sign = Sign::yes) {
        return served.reference->answer(client.request(std::move(params), sign));
    }
    json walk_page(int offset, int limit = 7) {
        return call({{page.offset_param, std::to_string(offset)},
                     {page.limit_param, std::to_string(limit)}});
    }
    std::vector<std::string> keys(const json& body) { return test::keys_of(contract, body); }
    json total(const json& body) { return test::at(body, page.total_pointer); }
    bool ok(const json& body) {
        return test::at(body, contract.envelope.code.pointer) == contract.envelope.code.success;
    }
    bool valid(const json& body) {
        return test::seed_operation(contract).response.compiled.is_valid(body);
    }
};

const json& first_item(const Persona& p, const json& body) {
    return test::at(body, p.page.items_pointer + "/0");
}

} // namespace

TEST_CASE("persona doc-sample: success answers are the page's sample; refusals as the reference",
          "[serve][persona]") {
    const std::string name =
        GENERATE(as<std::string>{}, "tencent-ccr", "ucloud-uhub", "genesissai-uhub");
    Persona p(name, PersonaId::doc_sample);
    const json sample =
        *p.served.reference->fixtures().find(test::seed_operation(p.contract).name)->sample_body;
    CHECK(p.call() == sample);
    CHECK(p.walk_page(14) == sample);
    CHECK_FALSE(p.valid(sample)); // the page contradicts its own table
    const json refused = p.call({}, Sign::none);
    CHECK_FALSE(p.ok(refused));
    CHECK_FALSE(p.ok(p.call({{p.page.limit_param, "-1"}})));
}

TEST_CASE("persona items-as-strings, total-as-string, data-envelope", "[serve][persona]") {
    {
        Persona p("ucloud-uhub", PersonaId::items_as_strings);
        const json body = p.walk_page(0);
        CHECK(body.at("RepoSet") ==
              json{"api-00", "web-01", "base-02", "tools-03", "ci-04", "batch-05", "edge-06"});
        CHECK_FALSE(p.valid(body));
    }
    {
        Persona p("tencent-ccr", PersonaId::items_as_strings);
        CHECK(first_item(p, p.call()) == "team/api-00");
    }
    {
        Persona p("genesissai-uhub", PersonaId::total_as_string);
        const json body = p.call();
        CHECK(body.at("TotalCount") == "23");
        CHECK(body.at("RepoSet").size() == 20);
        CHECK_FALSE(p.valid(body));
    }
    for (const char* name : {"tencent-ccr", "ucloud-uhub"}) {
        Persona p(name, PersonaId::data_envelope);
        const json body = p.call();
        CHECK(core::resolve_pointer(body, p.page.items_pointer) == nullptr);
        CHECK(core::resolve_pointer(body, p.page.total_pointer) == nullptr);
        CHECK(test::at(body, "/data" + p.page.items_pointer).size() == 20);
        const json& total = test::at(body, "/data" + p.page.total_pointer);
        CHECK((total == 23 || total == "23"));
        CHECK(p.ok(body));
    }
}

TEST_CASE("persona lowercase-fields, missing-field, extra-field", "[serve][persona]") {
    {
        Persona p("ucloud-uhub", PersonaId::lowercase_fields);
        const json item = first_item(p, p.call());
        CHECK(item.contains("reponame"));
        CHECK(item.contains("isshared"));
        CHECK_FALSE(item.contains("RepoName"));
    }
    {
        Persona p("tencent-ccr", PersonaId::lowercase_fields);
        const json item = first_item(p, p.call());
        CHECK(item.contains("tagcount"));
        CHECK_FALSE(item.contains("tagCount"));
    }
    {
        Persona p("ucloud-uhub", PersonaId::missing_field);
        const json body = p.call();
        for (const json& item : body.at("RepoSet")) {
            CHECK_FALSE(item.contains("CreateTime")); // the first required non-key field
            CHECK(item.contains("RepoName"));
        }
        CHECK_FALSE(p.valid(body));
    }
    {
        Persona p("tencent-ccr", PersonaId::missing_field);
        CHECK_FALSE(first_item(p, p.call()).contains("repotype"));
    }
    for (const char* name : {"tencent-ccr", "genesissai-uhub"}) {
        Persona p(name, PersonaId::extra_field);
        const json body = p.call();
        CHECK(first_item(p, body).contains("conformExtra"));
        CHECK_FALSE(p.valid(body));
    }
}

TEST_CASE("persona ignore-limit, ignore-offset, off-by-one, duplicate-items", "[serve][persona]") {
    {
        Persona p("ucloud-uhub", PersonaId::ignore_limit);
        CHECK(p.keys(p.walk_page(0)).size() == 23); // more than Limit=7
        CHECK(p.keys(p.walk_page(7)).size() == 16); // everything from the offset
        CHECK(p.keys(p.call()).size() == 23);       // and no default limit
    }
    {
        Persona p("tencent-ccr", PersonaId::ignore_offset);
        CHECK(p.keys(p.walk_page(7)) == p.keys(p.walk_page(0)));
        CHECK(p.keys(p.walk_page(23, 5)).size() == 5); // past the end: the first page again
    }
    {
        Persona p("genesissai-uhub", PersonaId::off_by_one);
        const auto first = p.keys(p.walk_page(0));
        const auto second = p.keys(p.walk_page(7));
        CHECK(first.back() == "edge-06");
        const auto& items = p.served.reference->fixtures().find("GetRepo")->items;
        CHECK(second.front() == items[8].at("RepoName")); // item 7 is skipped
        CHECK(second.size() == 7);
        CHECK(p.keys(p.call({{"Limit", "100"}})).size() == 23); // the full listing is whole
        CHECK(p.keys(p.walk_page(23, 5)).empty());
    }
    {
        Persona p("ucloud-uhub", PersonaId::duplicate_items);
        const auto first = p.keys(p.walk_page(0));
        const auto second = p.keys(p.walk_page(7));
        CHECK(second.front() == first.back()); // the previous page's last item again
        CHECK(second.size() == 7);
        CHECK(p.keys(p.walk_page(23, 5)).empty()); // the end is still empty
    }
}

TEST_CASE("persona unstable-total, wrong-default-limit", "[serve][persona]") {
    {
        Persona p("ucloud-uhub", PersonaId::unstable_total);
        std::vector<json> totals;
        for (int offset : {0, 7, 14, 21})
            totals.push_back(p.total(p.walk_page(offset)));
        CHECK(totals == std::vector<json>{23, 24, 24, 23});
        // Deterministic: the same page, the same total.
        CHECK(p.total(p.walk_page(7)) == 24);
    }
    {
        Persona p("tencent-ccr", PersonaId::unstable_total);
        CHECK(p.total(p.walk_page(7)) == "24"); // still typed as the contract says
    }
    {
        Persona p("tencent-ccr", PersonaId::wrong_default_limit);
        CHECK(p.keys(p.call()).size() == 10);
        CHECK(p.keys(p.walk_page(0)).size() == 7); // an explicit limit is obeyed
    }
}

TEST_CASE("persona accept-invalid, accept-unsigned", "[serve][persona]") {
    {
        Persona p("ucloud-uhub", PersonaId::accept_invalid);
        for (const auto& [name, value] :
             {std::pair{"Limit", "-1"}, std::pair{"Limit", "abc"}, std::pair{"Offset", "-5"},
              std::pair{"Type", "EzVxntiX"}}) {
            INFO(name << "=" << value);
            const json body = p.call({{name, value}});
            CHECK(p.ok(body));
            CHECK(p.valid(body));
        }
        CHECK(p.call({{"Type", "EzVxntiX"}}).at("TotalCount") == 23); // the filter is ignored
        CHECK_FALSE(p.ok(p.call({}, Sign::none)));                    // signatures still checked
    }
    for (const char* name : {"tencent-ccr", "ucloud-uhub"}) {
        Persona p(name, PersonaId::accept_unsigned);
        CHECK(p.ok(p.call({}, Sign::none)));
        CHECK(p.ok(p.call({}, Sign::wrong_secret)));
        CHECK(p.ok(p.call({}, Sign::stale)));
        CHECK_FALSE(p.ok(p.call({{p.page.limit_param, "-1"}}))); // parameters still checked
    }
}

TEST_CASE("persona http-500, html-error, slow, truncated-body", "[serve][persona]") {
    for (const char* name : {"tencent-ccr", "ucloud-uhub"}) {
        Persona p(name, PersonaId::http_500);
        const http::ServerResponse r = p.raw();
        CHECK(r.status == 500);
        CHECK(r.content_type == "application/json");
        const json body = json::parse(r.body);
        CHECK_FALSE(p.ok(body));
        CHECK(test::at(body, p.contract.envelope.message_pointer) == "Internal Server Error");
    }
    {
        Persona p("genesissai-uhub", PersonaId::html_error);
        const http::ServerResponse r = p.raw();
        CHECK(r.status == 502);
        CHECK(r.content_type == "text/html");
        CHECK(r.body.find("<h1>502 Bad Gateway</h1>") != std::string::npos);
        CHECK(json::parse(r.body, nullptr, false).is_discarded());
    }
    {
        Persona p("tencent-ccr", PersonaId::slow);
        const http::ServerResponse r = p.raw();
        REQUIRE(r.delay);
        CHECK(*r.delay == std::chrono::milliseconds(3000));
        CHECK(p.ok(json::parse(r.body))); // the answer itself is the reference's
    }
    {
        Persona p("ucloud-uhub", PersonaId::truncated_body);
        const http::ServerResponse r = p.raw();
        REQUIRE(r.declared_length);
        CHECK(*r.declared_length > r.body.size());
        CHECK(p.ok(json::parse(r.body)));
    }
}

namespace {

serve::Persona parsed(std::string_view spec) {
    auto p = serve::parse_persona(spec);
    INFO(spec);
    REQUIRE(p);
    return std::move(p).value();
}

// A data-enveloped body with its list and total put back where the contract documents them.
json unenveloped(const Persona& p, json body) {
    const json data = body.at("data");
    body.erase("data");
    for (const std::string& pointer : {p.page.items_pointer, p.page.total_pointer}) {
        const json::json_pointer at(pointer);
        body[at] = data.at(at);
    }
    return body;
}

} // namespace

TEST_CASE("combined personas: data-envelope+ignore-limit is enveloped and over the limit",
          "[serve][persona][combined]") {
    Persona p("ucloud-uhub", parsed("data-envelope+ignore-limit"));
    const json body = p.walk_page(0);
    CHECK_FALSE(body.contains("RepoSet"));
    CHECK_FALSE(body.contains("TotalCount"));
    CHECK(test::at(body, "/data/RepoSet").size() == 23); // Limit=7 ignored, under "data"
    CHECK(test::at(body, "/data/TotalCount") == 23);
    CHECK(test::at(p.walk_page(7), "/data/RepoSet").size() == 16);
    CHECK(p.ok(body));
}

TEST_CASE("combined personas: data-envelope with each page persona is that persona, enveloped",
          "[serve][persona][combined]") {
    const std::string contract = GENERATE(as<std::string>{}, "ucloud-uhub", "tencent-ccr");
    const std::string page_persona = GENERATE(as<std::string>{}, "ignore-limit", "off-by-one",
                                              "duplicate-items", "unstable-total");
    INFO(contract << " data-envelope+" << page_persona);
    Persona combined(contract, parsed("data-envelope+" + page_persona));
    Persona alone(contract, parsed(page_persona));
    Persona flat(contract, PersonaId::reference);
    bool differs_from_reference = false;
    auto same_page = [&](const http::QueryParams& params) {
        const json body = combined.call(params);
        CHECK(core::resolve_pointer(body, combined.page.items_pointer) == nullptr);
        const json expected = alone.call(params);
        CHECK(unenveloped(combined, body) == expected);
        differs_from_reference |= expected != flat.call(params);
    };
    const auto& page = combined.page;
    same_page({});
    for (int offset : {0, 7, 14, 21, 23, 30})
        same_page({{page.offset_param, std::to_string(offset)}, {page.limit_param, "7"}});
    same_page({{page.limit_param, "100"}});
    CHECK(differs_from_reference); // the page persona's mutation did show
}

TEST_CASE("the reference persona mutates nothing", "[serve][persona]") {
    for (const contract::Contract& c : test::seed_contracts()) {
        Persona p(c.name, PersonaId::reference);
        const http::ServerResponse r = p.raw();
        CHECK(r.status == 200);
        CHECK_FALSE(r.delay);
        CHECK_FALSE(r.declared_length);
        CHECK(p.valid(json::parse(r.body)));
    }
}
