#pragma once
// conform::serve — the reference server (DESIGN.md "Reference server and personas"): every
// contract answered as its documentation promises, from the contract files and a fixture
// dataset, and personas that break that promise on purpose so that the runner proves it notices.
//
//   auto contracts = contract::load_contracts(contract::default_schemas_dir());
//   const contract::Contract& c = contracts->front();
//   CONFORM_TRY(Fixtures fixtures, load_fixtures(c, contract::default_cases_dir()));
//   ReferenceOptions options;
//   options.persona = PersonaId::ignore_limit;               // default: the reference itself
//   options.persona = *parse_persona("data-envelope+ignore-limit");   // rows combined
//   CONFORM_TRY(auto ref, make_reference(c, std::move(fixtures), options));
//   http::ServerResponse r = ref->answer(request);          // in memory, thread-safe
//   CONFORM_TRY(auto server, start_reference(ref, server_options));  // on a socket
//   sign_with(test_credentials(*http::find_scheme(c.signing)));  // what the server accepts
//
// What the reference does, for any contract (nothing here names one of the seed APIs; the
// contract, its schemas and the dataset drive it):
//   1. routes by the contract's routing parameter (absent → "missing operation", unknown →
//      "unknown operation": UCloud RetCode 160 / 161, Tencent v2 code 4000);
//   2. verifies the signature with the contract's scheme and the known credentials
//      (http::k_verify_statuses: UCloud 170/171/172, Tencent 4100/4104/4500 incl. the 300 s
//      Timestamp window and Nonce reuse);
//   3. checks the query against the operation's request schema (the declared parameters,
//      coerced by their declared type) and, always, that the paging parameters are
//      non-negative integers (UCloud RetCode 230, Tencent 4000 InvalidParameter; the message
//      names the parameter);
//   4. answers dataset[offset, offset + limit) of the items matching the dataset's filters
//      (limit defaults to the contract's pagination model), the total typed as the response
//      schema says, inside the contract's success envelope.
// Refusals use the contract's envelope with HTTP 200 (SIGNING.md).

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <iosfwd>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/contract/contract.hpp"
#include "runner/core/deviation.hpp"
#include "runner/core/result.hpp"
#include "runner/core/verdict.hpp"
#include "runner/http/http.hpp"
#include "runner/http/server.hpp"

namespace conform::serve {

// ---- A set of deviation ids (constexpr, so the persona table can hold one per row) ----

class DeviationSet {
public:
    constexpr DeviationSet() = default;
    constexpr DeviationSet(std::initializer_list<core::DeviationId> ids) {
        for (core::DeviationId id : ids)
            m_bits |= bit(id);
    }

    [[nodiscard]] constexpr bool contains(core::DeviationId id) const noexcept {
        return (m_bits & bit(id)) != 0;
    }
    [[nodiscard]] constexpr bool empty() const noexcept { return m_bits == 0; }
    [[nodiscard]] constexpr std::size_t size() const noexcept {
        std::size_t n = 0;
        for (std::uint64_t b = m_bits; b != 0; b &= b - 1)
            ++n;
        return n;
    }
    constexpr DeviationSet& insert(core::DeviationId id) noexcept {
        m_bits |= bit(id);
        return *this;
    }
    constexpr DeviationSet& erase(core::DeviationId id) noexcept {
        m_bits &= ~bit(id);
        return *this;
    }
    [[nodiscard]] constexpr DeviationSet operator|(DeviationSet other) const noexcept {
        DeviationSet out;
        out.m_bits = m_bits | other.m_bits;
        return out;
    }
    [[nodiscard]] constexpr DeviationSet operator&(DeviationSet other) const noexcept {
        DeviationSet out;
        out.m_bits = m_bits & other.m_bits;
        return out;
    }
    friend constexpr bool operator==(DeviationSet, DeviationSet) = default;

    // In taxonomy order (core::k_deviations).
    [[nodiscard]] std::vector<core::DeviationId> ids() const;
    // "pagination.over-limit, pagination.default-limit", or "-" when empty.
    [[nodiscard]] std::string to_string() const;

private:
    static constexpr std::uint64_t bit(core::DeviationId id) noexcept {
        return std::uint64_t{1} << static_cast<unsigned>(id);
    }
    std::uint64_t m_bits = 0;
};
static_assert(core::k_deviations.size() <= 64, "DeviationSet holds every taxonomy id");

// ---- Personas (a table, STYLE.md lesson 6) ----

enum class PersonaId : std::uint8_t {
    reference,
    doc_sample,
    items_as_strings,
    total_as_string,
    data_envelope,
    lowercase_fields,
    missing_field,
    extra_field,
    ignore_limit,
    ignore_offset,
    off_by_one,
    duplicate_items,
    unstable_total,
    wrong_default_limit,
    accept_invalid,
    accept_unsigned,
    http_500,
    html_error,
    slow,
    truncated_body,
    create_noop,
    update_noop,
    delete_noop,
    delete_missing_ok,
    duplicate_create_ok,
};

// ---- What a persona does: one value per slot of the answer (the reference applies them) ----

// Which items of the matching ones a page holds, given the offset and limit asked.
enum class PageWindow : std::uint8_t {
    exact,         // [offset, offset + limit), limit defaulting to the documented default
    ignore_limit,  // every matching item from the offset on
    ignore_offset, // every page starts at the first item
    skip_one,      // a page at a non-zero offset starts one item later (a gap)
    repeat_one,    // a page inside the listing starts one item early (a duplicate)
    half_default,  // without a limit: half the documented default (wrong_default_limit())
};

// What happens to each item of the page.
enum class ItemTransform : std::uint8_t {
    none,
    key_strings,    // the item is replaced by its item-key string
    lowercase,      // field names lowercased
    drop_required,  // the first required field other than the item key is removed
    add_undeclared, // an undeclared field k_extra_field is added
};
inline constexpr std::string_view k_extra_field = "conformExtra";

// What happens to the total.
enum class TotalTransform : std::uint8_t {
    none,
    as_string,       // sent as a string holding the number
    one_more_inside, // one higher on pages strictly inside the listing
};

// What happens to the success body around the page.
enum class BodyTransform : std::uint8_t {
    none,
    data_envelope, // the list and the total moved under "/data"
    doc_sample,    // the whole success body is the page's own sample (when the dataset has one)
};

// Which request checks the reference skips (bits: both may be skipped at once).
enum class Leniency : std::uint8_t {
    none = 0,
    invalid_params = 1,    // no parameter check; unknown filter values ignored, bad paging
                           // values become the defaults
    unsigned_requests = 2, // no signature check
};
[[nodiscard]] constexpr Leniency operator|(Leniency a, Leniency b) noexcept {
    return static_cast<Leniency>(static_cast<std::uint8_t>(a) | static_cast<std::uint8_t>(b));
}
[[nodiscard]] constexpr bool has(Leniency set, Leniency bit) noexcept {
    return (static_cast<std::uint8_t>(set) & static_cast<std::uint8_t>(bit)) != 0;
}

// What happens to the answer on the wire (hides every other slot: see claims()).
enum class TransportFault : std::uint8_t {
    none,
    http_500,       // HTTP 500 with the contract's error envelope
    html_error,     // HTTP 502 text/html gateway page
    slow,           // waits ReferenceOptions::slow_delay before answering
    truncated_body, // Content-Length announces more than is sent, then the connection closes
};

// What a write does to the state (issue 17's write personas: create-noop, update-noop,
// delete-noop, delete-missing-ok, duplicate-create-ok), applied by the reference's store
// (internal/store) to the writes of the contract's scenarios (contract::scenarios_of); a
// contract without a scenario has no write for them to break (applicability()).
enum class StateFault : std::uint8_t {
    none,
    create_noop,         // a create answers success and stores nothing
    update_noop,         // an update answers success and changes nothing
    delete_noop,         // a delete answers success and removes nothing
    delete_missing_ok,   // deleting what does not exist answers success
    duplicate_create_ok, // creating what exists answers success
};

// A persona's behaviour: every slot at its conforming value is the reference.
struct Mutation {
    PageWindow window = PageWindow::exact;
    ItemTransform items = ItemTransform::none;
    TotalTransform total = TotalTransform::none;
    BodyTransform body = BodyTransform::none;
    Leniency leniency = Leniency::none;
    TransportFault transport = TransportFault::none;
    StateFault state = StateFault::none;

    friend constexpr bool operator==(const Mutation&, const Mutation&) = default;
};

// The parts of an answer a mutation decides; two personas combine only when their claims are
// disjoint. A transport fault claims everything (the client sees no body, so another persona's
// mutation could not show); doc-sample claims the whole success body.
enum class Slot : std::uint8_t {
    page_window,
    items,
    total,
    body,
    param_checks,
    signature_checks,
    transport,
    state,
};
inline constexpr std::array<std::string_view, 8> k_slot_names = {"page window",
                                                                 "items",
                                                                 "total",
                                                                 "success body",
                                                                 "parameter checks",
                                                                 "signature checks",
                                                                 "transport",
                                                                 "state transitions"};
static_assert(k_slot_names.size() == static_cast<std::size_t>(Slot::state) + 1,
              "every Slot has a name");

[[nodiscard]] constexpr std::uint16_t slot_bit(Slot s) noexcept {
    return static_cast<std::uint16_t>(1U << static_cast<unsigned>(s));
}
[[nodiscard]] constexpr std::uint16_t claims(const Mutation& m) noexcept {
    if (m.transport != TransportFault::none)
        return static_cast<std::uint16_t>(slot_bit(Slot::state) * 2 - 1);
    std::uint16_t out = 0;
    if (m.body == BodyTransform::doc_sample)
        out |= slot_bit(Slot::page_window) | slot_bit(Slot::items) | slot_bit(Slot::total) |
               slot_bit(Slot::body);
    if (m.window != PageWindow::exact)
        out |= slot_bit(Slot::page_window);
    if (m.items != ItemTransform::none)
        out |= slot_bit(Slot::items);
    if (m.total != TotalTransform::none)
        out |= slot_bit(Slot::total);
    if (m.body != BodyTransform::none)
        out |= slot_bit(Slot::body);
    if (has(m.leniency, Leniency::invalid_params))
        out |= slot_bit(Slot::param_checks);
    if (has(m.leniency, Leniency::unsigned_requests))
        out |= slot_bit(Slot::signature_checks);
    if (m.state != StateFault::none)
        out |= slot_bit(Slot::state);
    return out;
}

// What a full run of a contract's cases (cases/<contract>/*.cases.json: a default page, a
// walk, the edges, negative inputs, auth negatives) must report against a persona.
//   expected:  every one of these ids must appear; a missing one is a sensitivity bug.
//   tolerated: ids that may appear as well, as a consequence of the same mutation, depending on
//              how the runner walks or which checks it runs after a failed one (each row says
//              why). Anything outside expected | tolerated is a false positive.
// expected_from_fixture: the ids depend on the documentation's own sample (doc-sample); the
// dataset states them (Fixtures::doc_sample_expected), see applicability().
using core::DeviationId;
struct PersonaInfo {
    PersonaId id;
    std::string_view name;
    std::string_view description; // one line
    Mutation mutation;
    DeviationSet expected;
    DeviationSet tolerated;
    bool expected_from_fixture = false;
};

inline constexpr std::array k_personas = {
    PersonaInfo{PersonaId::reference,
                "reference",
                "conforms: the contract's envelopes, paging and documented errors",
                {},
                {},
                {}},
    PersonaInfo{PersonaId::doc_sample,
                "doc-sample",
                "refuses as the reference; every success answer is the page's own sample body",
                {.body = BodyTransform::doc_sample},
                {},
                {},
                true},
    PersonaInfo{PersonaId::items_as_strings,
                "items-as-strings",
                "the items are replaced by their item-key strings (UCloud's sample RepoSet)",
                {.items = ItemTransform::key_strings},
                {DeviationId::type_mismatch},
                {}},
    PersonaInfo{PersonaId::total_as_string,
                "total-as-string",
                "the total is sent as a string holding the number",
                {.total = TotalTransform::as_string},
                {DeviationId::type_mismatch},
                {}},
    PersonaInfo{PersonaId::data_envelope,
                "data-envelope",
                "the list and the total are moved under \"data\" (Tencent's sample)",
                {.body = BodyTransform::data_envelope},
                {DeviationId::field_misplaced},
                {}},
    PersonaInfo{PersonaId::lowercase_fields,
                "lowercase-fields",
                "item field names are lowercased (RepoName -> reponame)",
                {.items = ItemTransform::lowercase},
                {DeviationId::field_renamed},
                {}},
    PersonaInfo{PersonaId::missing_field,
                "missing-field",
                "the first required item field other than the item key is dropped",
                {.items = ItemTransform::drop_required},
                {DeviationId::field_missing},
                {}},
    PersonaInfo{PersonaId::extra_field,
                "extra-field",
                "every item carries an undeclared field \"conformExtra\"",
                {.items = ItemTransform::add_undeclared},
                {DeviationId::field_unexpected},
                {}},
    // tolerated duplicate: a walk that advances by the limit sees overlapping pages.
    PersonaInfo{PersonaId::ignore_limit,
                "ignore-limit",
                "every matching item from the offset on, whatever the limit",
                {.window = PageWindow::ignore_limit},
                {DeviationId::pagination_over_limit, DeviationId::pagination_default_limit},
                {DeviationId::pagination_duplicate}},
    // past-end: the offset-at-end case gets the first page back.
    PersonaInfo{PersonaId::ignore_offset,
                "ignore-offset",
                "every page starts at the first item, whatever the offset",
                {.window = PageWindow::ignore_offset},
                {DeviationId::pagination_offset_ignored, DeviationId::pagination_past_end},
                {}},
    // tolerated total-mismatch: a walk without a full listing cannot tell a gap from a total.
    PersonaInfo{PersonaId::off_by_one,
                "off-by-one",
                "a page asked at a non-zero offset starts one item later (an item is skipped)",
                {.window = PageWindow::skip_one},
                {DeviationId::pagination_gap},
                {DeviationId::pagination_total_mismatch}},
    PersonaInfo{PersonaId::duplicate_items,
                "duplicate-items",
                "a page at a non-zero offset starts one item early (repeats the previous last)",
                {.window = PageWindow::repeat_one},
                {DeviationId::pagination_duplicate},
                {}},
    PersonaInfo{PersonaId::unstable_total,
                "unstable-total",
                "the total is one higher on pages strictly inside the listing",
                {.total = TotalTransform::one_more_inside},
                {DeviationId::pagination_total_unstable},
                {}},
    PersonaInfo{PersonaId::wrong_default_limit,
                "wrong-default-limit",
                "without a limit the page holds half the documented default (10 for 20)",
                {.window = PageWindow::half_default},
                {DeviationId::pagination_default_limit},
                {}},
    PersonaInfo{PersonaId::accept_invalid,
                "accept-invalid",
                "invalid parameter values are answered with success (defaults used instead)",
                {.leniency = Leniency::invalid_params},
                {DeviationId::envelope_status},
                {}},
    PersonaInfo{PersonaId::accept_unsigned,
                "accept-unsigned",
                "no signature check: unsigned, wrongly signed and stale requests succeed",
                {.leniency = Leniency::unsigned_requests},
                {DeviationId::auth_unsigned_accepted, DeviationId::auth_bad_signature_accepted},
                {}},
    // tolerated envelope.status: the body is an error envelope, so a runner that also reads
    // bodies of non-2xx answers sees failure on a positive case.
    PersonaInfo{PersonaId::http_500,
                "http-500",
                "every answer is HTTP 500 with a JSON error envelope",
                {.transport = TransportFault::http_500},
                {DeviationId::http_status},
                {DeviationId::envelope_status}},
    PersonaInfo{PersonaId::html_error,
                "html-error",
                "every answer is an HTTP 502 text/html gateway page",
                {.transport = TransportFault::html_error},
                {DeviationId::http_status, DeviationId::http_content_type},
                {}},
    PersonaInfo{PersonaId::slow,
                "slow",
                "every answer waits 3 s (ReferenceOptions::slow_delay), beyond a client timeout",
                {.transport = TransportFault::slow},
                {DeviationId::http_transport},
                {}},
    PersonaInfo{PersonaId::truncated_body,
                "truncated-body",
                "Content-Length announces more bytes than the body holds, then the connection "
                "closes",
                {.transport = TransportFault::truncated_body},
                {DeviationId::http_transport},
                {}},
    // The write personas: each breaks one transition of a scenario (create, read back, update,
    // read back, delete, read back, delete again, create twice) and nothing a read-only case
    // sees, so each makes conform report exactly its state id.
    PersonaInfo{PersonaId::create_noop,
                "create-noop",
                "a create answers success and stores nothing",
                {.state = StateFault::create_noop},
                {DeviationId::state_create_not_visible},
                {}},
    PersonaInfo{PersonaId::update_noop,
                "update-noop",
                "an update answers success and changes nothing",
                {.state = StateFault::update_noop},
                {DeviationId::state_update_not_visible},
                {}},
    PersonaInfo{PersonaId::delete_noop,
                "delete-noop",
                "a delete answers success and removes nothing",
                {.state = StateFault::delete_noop},
                {DeviationId::state_delete_not_visible},
                {}},
    PersonaInfo{PersonaId::delete_missing_ok,
                "delete-missing-ok",
                "deleting a resource that does not exist answers success",
                {.state = StateFault::delete_missing_ok},
                {DeviationId::state_delete_missing_accepted},
                {}},
    PersonaInfo{PersonaId::duplicate_create_ok,
                "duplicate-create-ok",
                "creating a resource whose name exists answers success",
                {.state = StateFault::duplicate_create_ok},
                {DeviationId::state_duplicate_create_accepted},
                {}},
};
static_assert(k_personas.size() == static_cast<std::size_t>(PersonaId::duplicate_create_ok) + 1,
              "every PersonaId has a row in k_personas");
static_assert(
    [] {
        for (std::size_t i = 0; i < k_personas.size(); ++i)
            if (static_cast<std::size_t>(k_personas[i].id) != i)
                return false;
        return true;
    }(),
    "k_personas rows are in PersonaId order");
static_assert(
    [] {
        for (const PersonaInfo& p : k_personas) {
            const bool is_reference = p.id == PersonaId::reference;
            if (is_reference != (p.expected.empty() && !p.expected_from_fixture))
                return false; // only the reference is silent
            if (!(p.expected & p.tolerated).empty())
                return false; // an id is either required or tolerated
        }
        return true;
    }(),
    "every persona but the reference declares what it must make conform report");
static_assert(
    [] {
        for (const PersonaInfo& p : k_personas) {
            if ((p.id == PersonaId::reference) != (p.mutation == Mutation{}))
                return false; // only the reference mutates nothing
            for (const PersonaInfo& q : k_personas)
                if (&p != &q && p.mutation == q.mutation)
                    return false; // a persona is its mutation: no two rows alike
        }
        return true;
    }(),
    "every persona but the reference is a distinct mutation");

[[nodiscard]] constexpr const PersonaInfo& info(PersonaId id) noexcept {
    return k_personas[static_cast<std::size_t>(id)];
}
[[nodiscard]] constexpr std::string_view name_of(PersonaId id) noexcept {
    return info(id).name;
}
[[nodiscard]] std::span<const PersonaInfo> personas() noexcept;
// By name ("ignore-limit"); nullptr when unknown.
[[nodiscard]] const PersonaInfo* find_persona(std::string_view name) noexcept;

// One row, or several combined ("data-envelope+ignore-limit"): every row's mutation at once,
// the expected ids their union (applicability()). Implicit from a PersonaId: one row is a
// persona.
class Persona {
public:
    Persona() = default;            // the reference
    Persona(PersonaId id) noexcept; // NOLINT(google-explicit-constructor)

    [[nodiscard]] std::span<const PersonaId> ids() const noexcept { return m_ids; }
    [[nodiscard]] const Mutation& mutation() const noexcept { return m_mutation; }
    [[nodiscard]] bool is_reference() const noexcept { return m_mutation == Mutation{}; }
    // The rows' names joined by '+', in the order given.
    [[nodiscard]] std::string name() const;
    // The rows' descriptions joined by "; ".
    [[nodiscard]] std::string description() const;

private:
    friend core::Result<Persona> compose(std::span<const PersonaId> ids);
    std::vector<PersonaId> m_ids{PersonaId::reference};
    Mutation m_mutation;
};

// Combines rows; an error when two rows claim the same slot (claims()), naming both and the
// slot, when a row is named twice, or when the reference is one of several.
[[nodiscard]] core::Result<Persona> compose(std::span<const PersonaId> ids);
// "ignore-limit" or "data-envelope+ignore-limit" (the --persona flag of serve and run); an
// unknown name is an error listing the known ones.
[[nodiscard]] core::Result<Persona> parse_persona(std::string_view spec);

// ---- Fixtures: cases/<contract>/<Op>.dataset.json (validated by schemas/dataset.schema.json) ----

// A query parameter that selects items by one item field (UHub Type: private → IsShared
// "false", public → IsShared "true"). A filter applies only when its parameter is sent: the
// request schema's default is not applied, so that the default page lists everything.
struct Filter {
    std::string param;                            // "Type"
    std::string field;                            // "IsShared"
    std::map<std::string, nlohmann::json> values; // parameter value → the field's value
};

struct OperationFixture {
    std::string operation;
    std::filesystem::path file;        // the dataset file
    std::vector<nlohmann::json> items; // each valid against the operation's item schema
    std::vector<Filter> filters;
    // The page's own sample answer (the first exchange of <Op>.samples.jsonl with a body).
    std::optional<nlohmann::json> sample_body;
    // What answering every success with the sample must make conform report (the dataset's
    // "doc_sample", hand-derived from the page; doc-sample is not applicable without it).
    std::optional<DeviationSet> doc_sample_expected;
    DeviationSet doc_sample_tolerated;
    // No dataset was written: the items (or, for an operation that does not page, the whole
    // success body) are synthesized from the response schema (internal/synthesize).
    bool synthesized = false;
    std::optional<nlohmann::json> body;
    // A paging answer's frame: the success envelope and the response's other documented
    // fields (synthesized), into which the page's items and total are set.
    nlohmann::json page_base;
};

struct Fixtures {
    std::string contract;
    std::map<std::string, OperationFixture, std::less<>> operations;
    // Operations with no dataset whose response schema no synthesized answer satisfies, each
    // with why (file and pointer). The reference answers them with the envelope alone; a run
    // skips their cases naming this, instead of failing the whole family.
    std::map<std::string, core::Diagnostic, std::less<>> unsynthesizable;

    [[nodiscard]] const OperationFixture* find(std::string_view operation) const;
};

// An operation without a dataset file gets synthesized data instead (internal/synthesize:
// items for a paging operation, a success body for one that does not page), checked the same
// way. Reads cases_dir/<contract.name>/<Op>.dataset.json for every paging operation, validates it
// against <schemas>/dataset.schema.json (the folder above contract.directory) and against the
// contract: filters name a declared request parameter and item field and map every value the
// request schema enumerates; item keys are unique; a page of every item validates against the
// response schema. Errors name the file and the JSON pointer ("cases/x/Op.dataset.json#/items/3/
// IsShared: ..."), or file:line for a bad samples line.
[[nodiscard]] core::Result<Fixtures> load_fixtures(const contract::Contract& contract,
                                                   const std::filesystem::path& cases_dir);

// ---- Which personas fit which contract ----

struct Applicability {
    bool applies = true;
    std::string why_not;   // when !applies: one line ("the contract documents /totalCount as a
                           // string already")
    DeviationSet expected; // for this contract (doc-sample: from the dataset)
    DeviationSet tolerated;
};

// For a combination: applies when every row does; the union of the rows' ids (an id one row
// expects is not tolerated).
[[nodiscard]] Applicability
applicability(const Persona& persona, const contract::Contract& contract, const Fixtures& fixtures);

// ---- Built-in test credentials ----

// The key pair the embedded default run signs with and the reference accepts when no
// credentials are configured. Published here on purpose: these are NOT secrets and open
// nothing but a local reference server.
struct TestCredentials {
    http::SchemeId scheme;
    std::string_view key_id;
    std::string_view secret;
};
inline constexpr std::array k_test_credentials = {
    TestCredentials{http::SchemeId::ucloud_sha1, "conform-test-public-key",
                    "conform-test-private-key-not-a-secret"},
    TestCredentials{http::SchemeId::tencent_v2_hmac, "AKIDconformTestSecretId0000000000",
                    "conformTestSecretKeyNotASecret00"},
};
static_assert(k_test_credentials.size() ==
                  static_cast<std::size_t>(http::SchemeId::tencent_v2_hmac) + 1,
              "one test key pair per signing scheme");
static_assert(
    [] {
        for (std::size_t i = 0; i < k_test_credentials.size(); ++i)
            if (static_cast<std::size_t>(k_test_credentials[i].scheme) != i)
                return false;
        return true;
    }(),
    "k_test_credentials rows are in SchemeId order");
[[nodiscard]] http::Credentials test_credentials(const http::Scheme& scheme);
[[nodiscard]] http::Credentials test_credentials(http::SchemeId scheme);

// ---- The reference handler ----

namespace internal {
class Store;
}

struct ReferenceOptions {
    Persona persona; // default: the reference
    // The key pairs the server accepts; empty: test_credentials() of the contract's scheme.
    std::vector<http::Credentials> credentials;
    // The server's clock for the Tencent Timestamp window; nullptr: the system clock.
    std::shared_ptr<const http::Clock> clock;
    // How long the slow persona waits before answering.
    std::chrono::milliseconds slow_delay{3000};
};

// Answers requests for one contract. Thread-safe: answer() may run on every server thread at
// once (the mutable state locks: the nonce ledger, the request counts, and the store of the
// listings that write scenarios change, seeded from the fixtures and this Reference's alone).
// The contract must outlive the Reference (contracts are loaded once and kept).
class Reference {
public:
    Reference(const contract::Contract& contract, Fixtures fixtures, ReferenceOptions options);
    ~Reference();
    Reference(const Reference&) = delete;
    Reference& operator=(const Reference&) = delete;

    // How many requests named each operation (routed ones, whatever the answer): what tests
    // count writes with.
    [[nodiscard]] std::map<std::string, std::size_t, std::less<>> requests_by_operation() const;
    // The items a listing holds now (the store for a listing a write scenario changes, else
    // its fixture's); empty when it has none.
    [[nodiscard]] std::vector<nlohmann::json> listing_items(std::string_view listing) const;

    [[nodiscard]] http::ServerResponse answer(const http::ServerRequest& request) const;

    [[nodiscard]] const contract::Contract& contract() const noexcept { return m_contract; }
    [[nodiscard]] const Fixtures& fixtures() const noexcept { return m_fixtures; }
    [[nodiscard]] const Persona& persona() const noexcept { return m_options.persona; }
    [[nodiscard]] std::span<const http::Credentials> credentials() const noexcept {
        return m_options.credentials;
    }

private:
    [[nodiscard]] http::ServerResponse answer_json(const http::ServerRequest& request) const;
    [[nodiscard]] nlohmann::json success_body(const contract::Operation& op,
                                              const OperationFixture& fixture,
                                              const http::QueryParams& params) const;

    const contract::Contract& m_contract;
    Fixtures m_fixtures;
    ReferenceOptions m_options;
    const http::Scheme* m_scheme; // nullptr: the contract signs nothing
    mutable http::NonceLedger m_nonces;
    std::unique_ptr<internal::Store> m_store;
    mutable std::mutex m_count_mutex;
    mutable std::map<std::string, std::size_t, std::less<>> m_counts;
};

// Checks that the persona applies to the contract (the error says why not) and that the
// fixtures are the contract's, then builds the handler.
[[nodiscard]] core::Result<std::shared_ptr<Reference>>
make_reference(const contract::Contract& contract, Fixtures fixtures, ReferenceOptions options);

// A real listener answering with reference->answer (kept alive by the server's handler).
[[nodiscard]] core::Result<std::unique_ptr<http::Server>>
start_reference(std::shared_ptr<const Reference> reference, const http::ServerOptions& options);

// ---- `conform serve --list-personas` ----

// One row per persona: name, the ids it must make conform report (tolerated ones in
// parentheses), description.
void write_persona_list(std::ostream& out);
// The same for one contract: whether each persona applies, why not, and its ids there.
void write_persona_list(std::ostream& out, const contract::Contract& contract,
                        const Fixtures& fixtures);

// ---- `conform serve` ----

struct ServeJob {
    std::string contract;               // required unless list_personas
    std::string persona = "reference";  // a row's name, or several joined by '+' (parse_persona)
    std::string listen = "127.0.0.1:0"; // HOST:PORT, [IPv6]:PORT, or :PORT (loopback); 0: any
    bool tls = false;
    bool list_personas = false; // print the table (for `contract`, when given) and exit
    std::optional<std::filesystem::path> schemas_dir; // default: contract::default_schemas_dir()
    std::optional<std::filesystem::path> cases_dir;   // default: contract::default_cases_dir()
    std::optional<std::filesystem::path> certificate_out; // --tls: write the PEM here
    int threads = 8;
};

struct ServeEdges {
    const http::Environment& environment;
    // Tests stop the server by setting this; SIGINT and SIGTERM always stop it too.
    const std::atomic<bool>* stop = nullptr;
};

// Starts the reference for job.contract, prints its URL (the contract's base path on the
// listening origin) as the first line of out, notes on err which credentials it accepts
// (from UCLOUD_* / TENCENTCLOUD_* when both are set, else the built-in test credentials), and
// blocks until SIGINT or SIGTERM (handlers installed here, the previous ones restored after).
// Returns conformant when stopped cleanly; a usage or configuration error (unknown contract
// or persona, a persona that does not apply, half-set credentials, a bad --listen, a port that
// cannot be bound) is the Diagnostic, its message the whole text to print after
// "conform serve: ".
[[nodiscard]] core::Result<core::Verdict> run_serve(const ServeJob& job, std::ostream& out,
                                                    std::ostream& err);
[[nodiscard]] core::Result<core::Verdict> run_serve(const ServeJob& job, const ServeEdges& edges,
                                                    std::ostream& out, std::ostream& err);

} // namespace conform::serve
