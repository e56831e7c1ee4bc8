// The persona table's accessors, which persona fits which contract, and the listing of
// `conform serve --list-personas`.
#include <algorithm>
#include <iomanip>
#include <ostream>

#include "runner/contract/cases.hpp"
#include "runner/serve/internal/plan.hpp"
#include "runner/serve/serve.hpp"

namespace conform::serve {

std::vector<core::DeviationId> DeviationSet::ids() const {
    std::vector<core::DeviationId> out;
    for (const core::DeviationInfo& d : core::k_deviations)
        if (contains(d.id))
            out.push_back(d.id);
    return out;
}

std::string DeviationSet::to_string() const {
    std::string out;
    for (core::DeviationId id : ids())
        out += (out.empty() ? "" : ", ") + std::string(core::name_of(id));
    return out.empty() ? "-" : out;
}

std::span<const PersonaInfo> personas() noexcept {
    return k_personas;
}

const PersonaInfo* find_persona(std::string_view name) noexcept {
    for (const PersonaInfo& p : k_personas)
        if (p.name == name)
            return &p;
    return nullptr;
}

Persona::Persona(PersonaId id) noexcept : m_ids{id}, m_mutation(info(id).mutation) {}

std::string Persona::name() const {
    std::string out;
    for (PersonaId id : m_ids)
        out += (out.empty() ? "" : "+") + std::string(name_of(id));
    return out;
}

std::string Persona::description() const {
    std::string out;
    for (PersonaId id : m_ids)
        out += (out.empty() ? "" : "; ") + std::string(info(id).description);
    return out;
}

namespace {

// Slot by slot: the non-conforming value of either (their claims are disjoint, so at most one
// of the two sets any slot).
Mutation merged(const Mutation& a, const Mutation& b) {
    auto pick = [](auto x, auto y) { return x != decltype(x){} ? x : y; };
    Mutation m;
    m.window = pick(a.window, b.window);
    m.items = pick(a.items, b.items);
    m.total = pick(a.total, b.total);
    m.body = pick(a.body, b.body);
    m.leniency = a.leniency | b.leniency;
    m.transport = pick(a.transport, b.transport);
    m.state = pick(a.state, b.state);
    return m;
}

std::string_view first_slot(std::uint16_t bits) {
    for (std::size_t i = 0; i < k_slot_names.size(); ++i)
        if (bits & (1U << i))
            return k_slot_names[i];
    return "answer";
}

// Why a row claims more than it sets, for the message of a clash.
std::string_view why_wide(const Mutation& m) {
    if (m.transport != TransportFault::none)
        return " (a transport fault hides every other mutation)";
    if (m.body == BodyTransform::doc_sample)
        return " (doc-sample replaces the whole success body)";
    return "";
}

} // namespace

core::Result<Persona> compose(std::span<const PersonaId> ids) {
    if (ids.empty())
        return Persona();
    if (ids.size() > 1 && std::find(ids.begin(), ids.end(), PersonaId::reference) != ids.end())
        return core::fail("the reference mutates nothing: combine only other personas");
    Persona out(ids.front());
    for (PersonaId id : ids.subspan(1)) {
        const PersonaInfo& row = info(id);
        if (std::find(out.m_ids.begin(), out.m_ids.end(), id) != out.m_ids.end())
            return core::fail("persona " + std::string(row.name) + " is named twice");
        for (PersonaId earlier : out.m_ids)
            if (const auto shared = claims(info(earlier).mutation) & claims(row.mutation))
                return core::fail("personas " + std::string(name_of(earlier)) + " and " +
                                  std::string(row.name) + " cannot be combined: both set the " +
                                  std::string(first_slot(shared)) +
                                  std::string(why_wide(info(earlier).mutation)) +
                                  std::string(why_wide(row.mutation)));
        out.m_ids.push_back(id);
        out.m_mutation = merged(out.m_mutation, row.mutation);
    }
    return out;
}

core::Result<Persona> parse_persona(std::string_view spec) {
    std::vector<PersonaId> ids;
    for (std::size_t start = 0;;) {
        const std::size_t plus = spec.find('+', start);
        const std::string_view name = spec.substr(start, plus - start);
        const PersonaInfo* row = find_persona(name);
        if (!row) {
            std::string known;
            for (const PersonaInfo& p : k_personas)
                known += (known.empty() ? "" : ", ") + std::string(p.name);
            return core::fail("unknown persona \"" + std::string(name) + "\" (known: " + known +
                              "; combine them with '+')");
        }
        ids.push_back(row->id);
        if (plus == std::string_view::npos)
            break;
        start = plus + 1;
    }
    return compose(ids);
}

namespace {

Applicability no(std::string why) {
    Applicability a;
    a.applies = false;
    a.why_not = std::move(why);
    return a;
}

bool any_of_plans(const std::vector<internal::OperationPlan>& plans, auto predicate) {
    return std::any_of(plans.begin(), plans.end(), predicate);
}

bool dataset_outgrows(const internal::OperationPlan& p, std::int64_t page_size) {
    return static_cast<std::int64_t>(p.fixture->items.size()) > page_size;
}

// doc-sample: the ids come from the datasets that have a sample and say what it shows.
Applicability doc_sample_fit(Applicability a, const Fixtures& fixtures) {
    bool any = false;
    for (const auto& [name, f] : fixtures.operations)
        if (f.sample_body && f.doc_sample_expected) {
            any = true;
            a.expected = a.expected | *f.doc_sample_expected;
            a.tolerated = a.tolerated | f.doc_sample_tolerated;
        }
    if (!any)
        return no("no operation has both a sample answer (<Op>.samples.jsonl) and a "
                  "\"doc_sample\" expectation in its dataset");
    return a;
}

// The page slots: each needs a paging operation on which its change can show.
Applicability page_fit(Applicability a, const Mutation& m,
                       const std::vector<internal::OperationPlan>& plans) {
    if (plans.empty())
        return no("no operation of the contract pages (no pagination model with a dataset)");
    if (m.total == TotalTransform::as_string &&
        !any_of_plans(plans, [](const auto& p) { return !p.total_is_string; }))
        return no("the contract documents " + plans.front().operation->pagination->total_pointer +
                  " as a string already, and the reference obeys the contract");
    if (m.items == ItemTransform::lowercase &&
        !any_of_plans(plans, [](const auto& p) { return p.has_uppercase_field; }))
        return no("every documented item field name is lowercase already");
    if (m.items == ItemTransform::drop_required &&
        !any_of_plans(plans, [](const auto& p) { return !p.dropped_field.empty(); }))
        return no("no item field other than the item key is required");
    // check_page sees a short default page only when more items exist than it holds.
    if (m.window == PageWindow::half_default && !any_of_plans(plans, [](const auto& p) {
            const auto documented = p.operation->pagination->limit_default;
            return documented > 1 && dataset_outgrows(p, internal::wrong_default_limit(documented));
        }))
        return no("the documented default limit is too small, or the dataset too short, "
                  "for a smaller default page to show");
    // The default page shows the ignored limit only when the dataset outgrows the default.
    if (m.window == PageWindow::ignore_limit && !any_of_plans(plans, [](const auto& p) {
            return dataset_outgrows(p, p.operation->pagination->limit_default);
        }))
        a.expected.erase(core::DeviationId::pagination_default_limit);
    return a;
}

// One row, slot by slot.
Applicability row_fit(const PersonaInfo& row, const contract::Contract& contract,
                      const Fixtures& fixtures) {
    const Mutation& m = row.mutation;
    Applicability a;
    a.expected = row.expected;
    a.tolerated = row.tolerated;
    if (m.state != StateFault::none)
        return contract::scenarios_of(contract).empty()
                   ? no("the contract has no write scenario (a create, a delete and the "
                        "listing that shows their resource): no write for it to break")
                   : a;
    if (m.transport != TransportFault::none || m == Mutation{})
        return a; // transport-level (or nothing): any contract
    if (has(m.leniency, Leniency::unsigned_requests) && !http::find_scheme(contract.signing))
        return no("the contract signs nothing (signing \"" + contract.signing +
                  "\"): there is no signature check to skip");
    if (m.body == BodyTransform::doc_sample)
        return doc_sample_fit(a, fixtures);
    if (m.leniency == Leniency::unsigned_requests)
        return a;
    // Every other mutation changes a page of items (accept-invalid: its filters and paging).
    return page_fit(a, m, internal::paging_plans(contract, fixtures));
}

} // namespace

Applicability applicability(const Persona& persona, const contract::Contract& contract,
                            const Fixtures& fixtures) {
    Applicability out;
    for (PersonaId id : persona.ids()) {
        Applicability a = row_fit(info(id), contract, fixtures);
        if (!a.applies) {
            if (persona.ids().size() > 1)
                a.why_not = std::string(name_of(id)) + ": " + a.why_not;
            return a;
        }
        out.expected = out.expected | a.expected;
        out.tolerated = out.tolerated | a.tolerated;
    }
    for (core::DeviationId id : out.expected.ids())
        out.tolerated.erase(id);
    return out;
}

namespace {

std::string ids_column(DeviationSet expected, DeviationSet tolerated, bool from_fixture) {
    std::string out =
        from_fixture && expected.empty() ? std::string("(from the dataset)") : expected.to_string();
    if (!tolerated.empty())
        out += " (may also: " + tolerated.to_string() + ")";
    return out;
}

} // namespace

void write_persona_list(std::ostream& out) {
    for (const PersonaInfo& p : k_personas)
        out << std::left << std::setw(20) << p.name << ' '
            << ids_column(p.expected, p.tolerated, p.expected_from_fixture) << "\n    "
            << p.description << '\n';
}

void write_persona_list(std::ostream& out, const contract::Contract& contract,
                        const Fixtures& fixtures) {
    out << "personas for " << contract.name << ":\n";
    for (const PersonaInfo& p : k_personas) {
        const Applicability a = applicability(p.id, contract, fixtures);
        out << std::left << std::setw(20) << p.name << ' ';
        if (a.applies)
            out << ids_column(a.expected, a.tolerated, false);
        else
            out << "not applicable: " << a.why_not;
        out << "\n    " << p.description << '\n';
    }
}

} // namespace conform::serve
