// The persona table's accessors, which persona fits which contract, and the listing of
// `conform serve --list-personas`.
#include <algorithm>
#include <iomanip>
#include <ostream>

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

} // namespace

Applicability applicability(PersonaId persona, const contract::Contract& contract,
                            const Fixtures& fixtures) {
    const PersonaInfo& row = info(persona);
    Applicability a;
    a.expected = row.expected;
    a.tolerated = row.tolerated;
    const auto plans = internal::paging_plans(contract, fixtures);

    switch (persona) {
    case PersonaId::reference:
    case PersonaId::http_500:
    case PersonaId::html_error:
    case PersonaId::slow:
    case PersonaId::truncated_body:
        return a; // transport-level: any contract

    case PersonaId::accept_unsigned:
        if (!http::find_scheme(contract.signing))
            return no("the contract signs nothing (signing \"" + contract.signing +
                      "\"): there is no signature check to skip");
        return a;

    case PersonaId::doc_sample: {
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
    default:
        break;
    }

    // Every other persona mutates a page of items.
    if (plans.empty())
        return no("no operation of the contract pages (no pagination model with a dataset)");

    switch (persona) {
    case PersonaId::total_as_string:
        if (!any_of_plans(plans, [](const auto& p) { return !p.total_is_string; }))
            return no("the contract documents " +
                      plans.front().operation->pagination->total_pointer +
                      " as a string already, and the reference obeys the contract");
        break;
    case PersonaId::lowercase_fields:
        if (!any_of_plans(plans, [](const auto& p) { return p.has_uppercase_field; }))
            return no("every documented item field name is lowercase already");
        break;
    case PersonaId::missing_field:
        if (!any_of_plans(plans, [](const auto& p) { return !p.dropped_field.empty(); }))
            return no("no item field other than the item key is required");
        break;
    case PersonaId::wrong_default_limit:
        // check_page sees a short default page only when more items exist than it holds.
        if (!any_of_plans(plans, [](const auto& p) {
                const auto documented = p.operation->pagination->limit_default;
                return documented > 1 && static_cast<std::int64_t>(p.fixture->items.size()) >
                                             internal::wrong_default_limit(documented);
            }))
            return no("the documented default limit is too small, or the dataset too short, "
                      "for a smaller default page to show");
        break;
    case PersonaId::ignore_limit:
        // The default page shows the ignored limit only when the dataset outgrows the default.
        if (!any_of_plans(plans, [](const auto& p) {
                return static_cast<std::int64_t>(p.fixture->items.size()) >
                       p.operation->pagination->limit_default;
            }))
            a.expected.erase(core::DeviationId::pagination_default_limit);
        break;
    default:
        break;
    }
    return a;
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
