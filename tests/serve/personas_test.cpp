// The persona table: complete, named uniquely, every id a taxonomy id, applicability per
// contract, the listing.
#include <set>
#include <sstream>

#include <catch2/catch.hpp>

#include "runner/serve/serve.hpp"
#include "tests/serve/serve_support.hpp"

using namespace conform;
using serve::PersonaId;

TEST_CASE("persona table: every id has a named, described row", "[serve][personas]") {
    std::set<std::string_view> names;
    for (const serve::PersonaInfo& p : serve::personas()) {
        INFO(p.name);
        CHECK(names.insert(p.name).second);
        CHECK_FALSE(p.description.empty());
        CHECK(serve::find_persona(p.name) == &p);
        for (core::DeviationId id : (p.expected | p.tolerated).ids()) {
            // every declared id is a taxonomy id, by name as users write it
            const auto back = core::parse_deviation_id(core::name_of(id));
            REQUIRE(back);
            CHECK(*back == id);
        }
    }
    CHECK(names.size() == serve::personas().size());
    CHECK(serve::find_persona("no-such-persona") == nullptr);
    // The brief's list, each with the ids it must make conform report.
    const std::pair<const char*, const char*> k_required[] = {
        {"reference", "-"},
        {"items-as-strings", "type.mismatch"},
        {"total-as-string", "type.mismatch"},
        {"data-envelope", "field.misplaced"},
        {"lowercase-fields", "field.renamed"},
        {"missing-field", "field.missing"},
        {"extra-field", "field.unexpected"},
        {"ignore-limit", "pagination.over-limit, pagination.default-limit"},
        {"ignore-offset", "pagination.offset-ignored, pagination.past-end"},
        {"off-by-one", "pagination.gap"},
        {"duplicate-items", "pagination.duplicate"},
        {"unstable-total", "pagination.total-unstable"},
        {"wrong-default-limit", "pagination.default-limit"},
        {"accept-invalid", "envelope.status"},
        {"accept-unsigned", "auth.unsigned-accepted, auth.bad-signature-accepted"},
        {"http-500", "http.status"},
        {"html-error", "http.status, http.content-type"},
        {"slow", "http.transport"},
        {"truncated-body", "http.transport"},
        // issue 17: the write personas
        {"create-noop", "state.create-not-visible"},
        {"update-noop", "state.update-not-visible"},
        {"delete-noop", "state.delete-not-visible"},
        {"delete-missing-ok", "state.delete-missing-accepted"},
        {"duplicate-create-ok", "state.duplicate-create-accepted"},
    };
    for (const auto& [name, ids] : k_required) {
        const serve::PersonaInfo* p = serve::find_persona(name);
        REQUIRE(p != nullptr);
        CHECK(p->expected.to_string() == ids);
    }
    CHECK(serve::find_persona("doc-sample")->expected_from_fixture);
}

TEST_CASE("DeviationSet", "[serve][personas]") {
    using core::DeviationId;
    constexpr serve::DeviationSet s{DeviationId::http_status, DeviationId::field_missing};
    static_assert(s.size() == 2 && s.contains(DeviationId::http_status));
    static_assert(!s.contains(DeviationId::http_transport));
    CHECK(s.ids() == std::vector{DeviationId::field_missing, DeviationId::http_status});
    CHECK(s.to_string() == "field.missing, http.status");
    CHECK(serve::DeviationSet{}.to_string() == "-");
    serve::DeviationSet t = s;
    t.erase(DeviationId::http_status);
    CHECK(t == serve::DeviationSet{DeviationId::field_missing});
}

TEST_CASE("persona applicability per contract", "[serve][personas]") {
    for (const contract::Contract& c : test::seed_contracts()) {
        INFO(c.name);
        const serve::Fixtures fixtures = test::seed_fixtures(c);
        for (const serve::PersonaInfo& p : serve::personas()) {
            INFO(p.name);
            const serve::Applicability a = serve::applicability(p.id, c, fixtures);
            if (!a.applies) {
                CHECK_FALSE(a.why_not.empty());
                CHECK(a.expected.empty());
                continue;
            }
            CHECK(a.why_not.empty());
            CHECK((a.expected & a.tolerated).empty());
            CHECK(a.expected.empty() == (p.id == PersonaId::reference));
            if (!p.expected_from_fixture)
                CHECK(a.expected == p.expected);
        }
    }
    const auto& tencent = test::seed_contract("tencent-ccr");
    const auto& ucloud = test::seed_contract("ucloud-uhub");
    const auto tencent_fixtures = test::seed_fixtures(tencent);
    const auto ucloud_fixtures = test::seed_fixtures(ucloud);
    // Tencent's table documents totalCount as a String already.
    const auto total = serve::applicability(PersonaId::total_as_string, tencent, tencent_fixtures);
    CHECK_FALSE(total.applies);
    CHECK(total.why_not.find("/totalCount") != std::string::npos);
    CHECK(serve::applicability(PersonaId::total_as_string, ucloud, ucloud_fixtures).applies);
    // The write personas need a write scenario: UHub has one (Repo), Tencent's GetFavor none.
    CHECK(serve::applicability(PersonaId::create_noop, ucloud, ucloud_fixtures).applies);
    const auto writes = serve::applicability(PersonaId::create_noop, tencent, tencent_fixtures);
    CHECK_FALSE(writes.applies);
    CHECK(writes.why_not.find("write scenario") != std::string::npos);
    // doc-sample's ids come from each dataset's hand-derived expectation.
    using core::DeviationId;
    CHECK(serve::applicability(PersonaId::doc_sample, tencent, tencent_fixtures).expected ==
          serve::DeviationSet{DeviationId::field_misplaced, DeviationId::type_mismatch,
                              DeviationId::pagination_past_end});
    const auto uhub_sample = serve::applicability(PersonaId::doc_sample, ucloud, ucloud_fixtures);
    // the union over the family: GetRepo's, GetRepoImage's and GetImageTag's samples
    CHECK(uhub_sample.expected ==
          serve::DeviationSet{
              DeviationId::type_mismatch, DeviationId::field_missing,
              DeviationId::pagination_over_limit, DeviationId::pagination_items_exceed_total,
              DeviationId::pagination_default_limit, DeviationId::pagination_total_mismatch,
              DeviationId::pagination_past_end});
    CHECK(uhub_sample.tolerated == serve::DeviationSet{DeviationId::pagination_offset_ignored});
    // A persona that does not apply cannot be served.
    serve::ReferenceOptions total_options;
    total_options.persona = PersonaId::total_as_string;
    auto refused = serve::make_reference(tencent, test::seed_fixtures(tencent), total_options);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message.find("does not apply") != std::string::npos);
    // Fixtures of another contract are refused.
    auto mixed = serve::make_reference(tencent, test::seed_fixtures(ucloud), {});
    CHECK_FALSE(mixed);
}

TEST_CASE("persona composition: rows combine when their slots are disjoint", "[serve][personas]") {
    using core::DeviationId;
    auto both = serve::parse_persona("data-envelope+ignore-limit");
    REQUIRE(both);
    CHECK(both->name() == "data-envelope+ignore-limit");
    CHECK(both->ids().size() == 2);
    CHECK(both->mutation().body == serve::BodyTransform::data_envelope);
    CHECK(both->mutation().window == serve::PageWindow::ignore_limit);
    CHECK_FALSE(both->is_reference());
    CHECK(both->description().find("under \"data\"") != std::string::npos);
    CHECK(both->description().find("whatever the limit") != std::string::npos);
    // One name is the row itself.
    auto one = serve::parse_persona("ignore-limit");
    REQUIRE(one);
    CHECK(one->mutation() == serve::info(PersonaId::ignore_limit).mutation);
    CHECK(serve::Persona().is_reference());
    // Leniency is one bit per check: both may be skipped at once.
    auto lenient = serve::parse_persona("accept-invalid+accept-unsigned");
    REQUIRE(lenient);
    CHECK(has(lenient->mutation().leniency, serve::Leniency::invalid_params));
    CHECK(has(lenient->mutation().leniency, serve::Leniency::unsigned_requests));

    // Expected ids are the union; an id one row expects is not merely tolerated.
    const auto& ucloud = test::seed_contract("ucloud-uhub");
    const auto fixtures = test::seed_fixtures(ucloud);
    const serve::Applicability a = serve::applicability(*both, ucloud, fixtures);
    CHECK(a.applies);
    CHECK(a.expected == serve::DeviationSet{DeviationId::field_misplaced,
                                            DeviationId::pagination_over_limit,
                                            DeviationId::pagination_default_limit});
    CHECK(a.tolerated == serve::DeviationSet{DeviationId::pagination_duplicate});
    auto gap = serve::parse_persona("duplicate-items+unstable-total");
    REQUIRE(gap);
    CHECK(serve::applicability(*gap, ucloud, fixtures).expected ==
          serve::DeviationSet{DeviationId::pagination_duplicate,
                              DeviationId::pagination_total_unstable});
    // A combination applies only where every row does, and says which row does not.
    const auto& tencent = test::seed_contract("tencent-ccr");
    auto stringly = serve::parse_persona("data-envelope+total-as-string");
    REQUIRE(stringly);
    const auto no = serve::applicability(*stringly, tencent, test::seed_fixtures(tencent));
    CHECK_FALSE(no.applies);
    CHECK(no.why_not.starts_with("total-as-string: "));
}

TEST_CASE("persona composition: a shared slot, a repeat or an unknown name is a usage error",
          "[serve][personas]") {
    auto error_of = [](std::string_view spec) {
        auto p = serve::parse_persona(spec);
        REQUIRE_FALSE(p);
        return p.error().message;
    };
    const std::string window = error_of("ignore-limit+off-by-one");
    CHECK(window.find("ignore-limit and off-by-one") != std::string::npos);
    CHECK(window.find("page window") != std::string::npos);
    CHECK(error_of("total-as-string+unstable-total").find("the total") != std::string::npos);
    CHECK(error_of("items-as-strings+extra-field").find("the items") != std::string::npos);
    // A transport fault or the sample body would hide the other row's mutation.
    CHECK(error_of("data-envelope+slow").find("transport fault hides") != std::string::npos);
    CHECK(error_of("doc-sample+ignore-limit").find("doc-sample replaces") != std::string::npos);
    CHECK(error_of("http-500+accept-unsigned").find("cannot be combined") != std::string::npos);
    CHECK(error_of("ignore-limit+ignore-limit").find("named twice") != std::string::npos);
    CHECK(error_of("reference+ignore-limit").find("reference") != std::string::npos);
    const std::string unknown = error_of("data-envelope+nope");
    CHECK(unknown.find("unknown persona \"nope\"") != std::string::npos);
    CHECK(unknown.find("ignore-limit") != std::string::npos); // the known ones are listed
    CHECK(error_of("data-envelope+").find("unknown persona \"\"") != std::string::npos);

    // Over the whole table: a pair combines exactly when the slots they claim are disjoint.
    for (const serve::PersonaInfo& a : serve::personas())
        for (const serve::PersonaInfo& b : serve::personas()) {
            if (a.id == PersonaId::reference || b.id == PersonaId::reference || a.id == b.id)
                continue;
            INFO(a.name << "+" << b.name);
            const std::array ids{a.id, b.id};
            CHECK(serve::compose(ids).has_value() ==
                  ((serve::claims(a.mutation) & serve::claims(b.mutation)) == 0));
        }
}

TEST_CASE("persona listing", "[serve][personas]") {
    std::ostringstream all;
    serve::write_persona_list(all);
    for (const serve::PersonaInfo& p : serve::personas()) {
        CHECK(all.str().find(std::string(p.name)) != std::string::npos);
        CHECK(all.str().find(std::string(p.description)) != std::string::npos);
    }
    CHECK(all.str().find("pagination.over-limit, pagination.default-limit (may also: "
                         "pagination.duplicate)") != std::string::npos);

    const auto& tencent = test::seed_contract("tencent-ccr");
    std::ostringstream one;
    serve::write_persona_list(one, tencent, test::seed_fixtures(tencent));
    CHECK(one.str().find("personas for tencent-ccr") != std::string::npos);
    CHECK(one.str().find("not applicable: the contract documents /totalCount") !=
          std::string::npos);
    CHECK(one.str().find("field.misplaced, type.mismatch") != std::string::npos);
}

TEST_CASE("test credentials: one pair per scheme, accepted by the reference", "[serve][personas]") {
    for (const http::Scheme& s : http::schemes()) {
        const http::Credentials c = serve::test_credentials(s);
        CHECK_FALSE(c.key_id.empty());
        CHECK_FALSE(c.secret.empty());
        CHECK(serve::test_credentials(s.id).key_id == c.key_id);
    }
}
