// An early warning beside the engine's full-run test: the body-level personas, asked the shapes
// of cases/<contract>/*.cases.json (default page, edges, limit 1 and 100, a walk of 7), give
// exactly their declared ids through today's checks (classifier, page, walk, envelope).
#include <catch2/catch.hpp>

#include "runner/checks/checks.hpp"
#include "runner/core/json_pointer.hpp"
#include "tests/serve/serve_support.hpp"

using namespace conform;
using nlohmann::json;

namespace {

contract::Query query_of(const http::QueryParams& params) {
    contract::Query out;
    for (const http::QueryParam& p : params)
        out.emplace_back(p.name, p.value);
    return out;
}

} // namespace

TEST_CASE("persona declarations agree with the checks on success answers",
          "[serve][personas][checks]") {
    for (const contract::Contract& c : test::seed_contracts()) {
        const contract::Operation& op = test::seed_operation(c);
        const contract::Pagination& page = *op.pagination;
        const serve::Fixtures fixtures = test::seed_fixtures(c);
        for (const serve::PersonaInfo& p : serve::personas()) {
            // Refusal, auth and transport personas need the engine's negative cases and sockets;
            // write personas its scenarios (tests/engine/scenario_test.cpp).
            if (p.mutation.leniency != serve::Leniency::none ||
                p.mutation.transport != serve::TransportFault::none ||
                p.mutation.state != serve::StateFault::none)
                continue;
            serve::Applicability a = serve::applicability(p.id, c, fixtures);
            if (!a.applies)
                continue;
            if (p.expected_from_fixture) { // this operation's own sample, not the family's union
                const serve::OperationFixture* f = fixtures.find(op.name);
                REQUIRE(f);
                a.expected = f->doc_sample_expected.value_or(serve::DeviationSet{});
                a.tolerated = f->doc_sample_tolerated;
            }
            INFO(c.name << " " << p.name);
            const test::Served served = test::serve_persona(c, p.id);
            test::Client client(c);
            serve::DeviationSet got;
            auto ask = [&](const http::QueryParams& params) {
                json body = client.call(*served.reference, params);
                const schema::ValidationResult r = op.response.compiled.validate(body);
                for (const core::Deviation& d :
                     checks::classify({op.name, op.response.document, body, r}))
                    got.insert(d.id);
                for (const core::Deviation& d :
                     checks::check_page(page, query_of(params), body, op.name))
                    got.insert(d.id);
                for (const core::Deviation& d : checks::check_envelope(
                         c.envelope, op.name, body, contract::Expectation::success))
                    got.insert(d.id);
                return body;
            };
            const json first = ask({});
            std::int64_t total = 23;
            if (const json* t = core::resolve_pointer(first, page.total_pointer))
                total = t->is_string() ? std::stoll(t->get<std::string>()) : t->get<std::int64_t>();
            ask({{page.offset_param, std::to_string(total)}, {page.limit_param, "5"}});
            ask({{page.offset_param, std::to_string(total + 10)}, {page.limit_param, "5"}});
            ask({{page.limit_param, "1"}});
            const json full = ask({{page.limit_param, "100"}});
            std::vector<json> bodies;
            bodies.reserve(20); // WalkPage views point into it
            std::vector<checks::WalkPage> walk;
            for (int i = 0; i < 20; ++i) {
                const http::QueryParams params{{page.offset_param, std::to_string(i * 7)},
                                               {page.limit_param, "7"}};
                bodies.push_back(ask(params));
                walk.push_back({query_of(params), bodies.back()});
                const json* items = core::resolve_pointer(bodies.back(), page.items_pointer);
                if (!items || items->size() < 7)
                    break;
            }
            for (const core::Deviation& d :
                 checks::check_walk(page, walk, 7, op.name, core::JsonView(full)))
                got.insert(d.id);
            INFO("got " << got.to_string() << "; expected " << a.expected.to_string()
                        << "; tolerated " << a.tolerated.to_string());
            CHECK((got & a.expected) == a.expected);
            CHECK((got & (a.expected | a.tolerated)) == got);
        }
    }
}
