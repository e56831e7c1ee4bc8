#include "runner/engine/internal/scenario_runner.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <vector>

#include "runner/checks/checks.hpp"
#include "runner/core/json_pointer.hpp"
#include "runner/engine/internal/case_checks.hpp"
#include "runner/engine/internal/coverage.hpp"
#include "runner/record/record.hpp"

namespace conform::engine::internal {
namespace {

using nlohmann::json;

// The checks every step's answer goes through (a page's own paging checks belong to the
// listing's cases; a step reads pages only to find one item).
constexpr std::string_view k_step_checks[] = {"http", "envelope", "schema"};
constexpr std::string_view k_state_check = "state";
constexpr std::int64_t k_max_listing_pages = 200;
constexpr std::string_view k_unreadable =
    "stopped: the listing could not be read back reliably (an answer failed, or had deviations "
    "of its own, or repeated an item): the state is not judged through it";
constexpr std::string_view k_interrupted = "interrupted: cleaned up what this run created";

// A value as the listing renders it (UHub lists IsShared as the string "true").
std::string scenario_text_of(core::JsonView v) {
    if (v.is_string())
        return std::string(v.as_string());
    if (v.is_boolean())
        return v.as_bool() ? "true" : "false";
    return v.to_json().dump();
}

// A JSON value as a query sends it: a string's text, anything else as JSON.
std::string json_text(const json& v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
}

// A request property's documented default as sent, "" when it has none.
std::string default_text(const json& property) {
    return property.is_object() && property.contains("default") ? json_text(property["default"])
                                                                : std::string();
}

const json* scenario_property(const json& schema, std::string_view name) {
    return contract::request_property(schema, name);
}

// The value a write sends for a field the listing shows: distinct from what the resource
// holds (`previous`), so that a write that changes nothing is seen.
std::string scenario_value_for(const json* property, std::string_view field,
                               const std::string& previous, int round) {
    if (property && property->is_object()) {
        if (auto e = property->find("enum"); e != property->end() && e->is_array())
            for (const json& v : *e) {
                const std::string text = v.is_string() ? v.get<std::string>() : v.dump();
                if (text != previous)
                    return text;
            }
        const std::string type = property->value("type", json("string")).is_string()
                                     ? property->value("type", std::string("string"))
                                     : std::string("string");
        if (type == "boolean" ||
            (property->contains("default") && (*property)["default"].is_string() &&
             ((*property)["default"] == "true" || (*property)["default"] == "false")))
            return previous == "true" ? "false" : "true";
        if (type == "integer" || type == "number")
            return previous == "1" ? "2" : "1";
    }
    return "conform " + std::string(field) + (round == 0 ? " created" : " updated");
}

// A request property whose values are constrained beyond type and enum: a made-up value might
// be refused for that alone, so the scenario does not send it.
// A value for a child's name that nothing holds: the first enum value, 1, true, or a
// conform-missing name.
std::string missing_value_for(const json* property) {
    if (property && property->is_object()) {
        if (auto e = property->find("enum"); e != property->end() && e->is_array() && !e->empty())
            return e->front().is_string() ? e->front().get<std::string>() : e->front().dump();
        const json type = property->value("type", json("string"));
        if (type == "integer" || type == "number")
            return "1";
        if (type == "boolean")
            return "true";
    }
    return "conform-missing";
}

bool constrained(const json& property) {
    if (!property.is_object())
        return true;
    for (const char* k : {"pattern", "format", "minLength", "maxLength", "minimum", "maximum",
                          "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "const"})
        if (property.contains(k))
            return true;
    return false;
}

struct ItemSearch {
    bool found = false;
    std::optional<json> item; // the listed item
    std::string pointer;      // "/RepoSet/3" (the page's)
    // Every page was read and can be trusted: answered, successful, without a deviation of
    // its own, no item twice. A listing that breaks these is the read cases' finding; the
    // state is not judged through it (one root cause, one deviation).
    bool complete = true;
};

class ScenarioRun {
public:
    ScenarioRun(const ScenarioTarget& target, const contract::Scenario& scenario,
                const RequestPipeline& pipeline, const RunSettings& settings,
                report::CaseResult& result)
        : m_target(target), m_contract(*target.target.contract), m_scenario(scenario),
          m_pipeline(pipeline), m_settings(settings), m_result(result) {
        m_state.name = std::string(k_state_check);
    }

    bool interrupted() const { return m_settings.interrupted && m_settings.interrupted->load(); }

    // One step: sent, recorded as the case's next exchange with its name, checked. Returns
    // the answer's body when it parsed; `accepted` says whether the envelope says success.
    struct StepAnswer {
        bool sent = false;
        bool accepted = false;
        bool clean = true; // the answer's own checks found nothing
        std::optional<core::JsonView> body;
        std::size_t exchange = 0;
    };
    // The step's parameters and the required ones its page gives a value (a documented
    // default or single choice), unless the step or --param gives them.
    http::QueryParams with_documented(const contract::Operation& op,
                                      const http::QueryParams& params) const {
        http::QueryParams out = params;
        for (const auto& [name, value] : contract::probe_case(m_contract, op).params)
            if (!out.contains(name) && !m_settings.extra_params.contains(name))
                out.add(name, value);
        return out;
    }

    // expect nullopt: either answer is fine (a clean-up delete of what may not exist); the
    // envelope is judged as what it says it is.
    StepAnswer step(const contract::Operation& op, const http::QueryParams& params,
                    const std::string& name, std::optional<contract::Expectation> expect) {
        StepAnswer out;
        const http::Credentials* creds =
            m_target.target.credentials ? &*m_target.target.credentials : nullptr;
        RequestPlan plan{
            op.method,
            &m_target.endpoint,
            request_params(m_contract, op, with_documented(op, params), m_settings.extra_params),
            {m_target.scheme, creds, contract::Signing::sign}};
        const RecordLabels labels{m_contract.name, op.name, m_result.name, m_target.target.name};
        auto sent = m_pipeline.send(plan, m_contract, labels, m_result.environment);
        if (!sent) {
            m_result.environment.push_back(
                name + ": cannot build the request: " + sent.error().to_string());
            return out;
        }
        // answered (a refusal is an answer; a timeout or a refused connection is none)
        out.sent = !sent->throttled && sent->answer.exchange->response.has_value();
        out.exchange = m_observed.size();
        json excerpt = record::excerpt(*sent->answer.exchange);
        m_exchanges.push_back(std::move(sent->answer.exchange));
        m_observed.push_back(std::move(sent->answer.observed));
        const checks::Observed& o = m_observed.back();
        out.accepted = o.has_json() && checks::is_success(m_contract.envelope, o.json()) &&
                       o.exchange && o.exchange->response &&
                       o.exchange->response->status / 100 == 2;
        if (o.has_json())
            out.body = o.json();

        // The answer's checks, as a case of this step's expectation. A refusal step whose
        // answer is a success is the state check's finding alone (one root cause, one
        // deviation); when refused, the envelope check judges the error envelope's shape.
        contract::Case step_case;
        step_case.name = name;
        step_case.expect = expect.value_or(out.accepted ? contract::Expectation::success
                                                        : contract::Expectation::refusal);
        const bool judge_envelope =
            step_case.expect == contract::Expectation::success || !out.accepted;
        std::vector<std::string> selection;
        for (std::string_view c : k_step_checks)
            if (is_selected(m_settings.checks, c) && (c != "envelope" || judge_envelope))
                selection.emplace_back(c);
        const checks::CheckContext context{m_contract, &op, step_case,
                                           std::span<const checks::Observed>(&o, 1)};
        std::string verdict = "ok";
        for (report::CheckResult& r : run_case_checks(context, selection)) {
            if (!r.deviations.empty()) {
                out.clean = false;
                verdict = r.name + ": " + std::string(core::name_of(r.deviations.front().id));
            }
            merge(std::move(r), out.exchange);
        }
        if (m_settings.coverage) // a write operation is exercised by its scenario's steps
            observe_case(*m_settings.coverage, context, m_target.target.name);
        excerpt["step"] = {{"name", name}, {"verdict", verdict}};
        m_result.exchanges.push_back(std::move(excerpt));
        return out;
    }

    void merge(report::CheckResult r, std::size_t exchange) {
        auto it = std::find_if(m_checks.begin(), m_checks.end(),
                               [&](const report::CheckResult& c) { return c.name == r.name; });
        if (it == m_checks.end()) {
            report::CheckResult fresh;
            fresh.name = r.name;
            m_checks.push_back(std::move(fresh));
            it = std::prev(m_checks.end());
        }
        for (core::Deviation& d : r.deviations) {
            it->deviations.push_back(std::move(d));
            it->exchange_of.push_back(exchange);
        }
    }

    // A state finding on the step at `exchange`; its verdict on the step is replaced.
    void state_deviation(core::DeviationId id, const std::string& operation, std::string pointer,
                         std::string expected, std::string actual, std::string message,
                         std::size_t exchange) {
        core::Deviation d;
        d.id = id;
        d.severity = core::info(id).severity;
        d.operation = operation;
        d.instance_pointer = std::move(pointer);
        d.expected = std::move(expected);
        d.actual = std::move(actual);
        d.message = std::move(message);
        m_state.deviations.push_back(std::move(d));
        m_state.exchange_of.push_back(exchange);
        if (exchange < m_result.exchanges.size())
            m_result.exchanges[exchange]["step"]["verdict"] = std::string(core::name_of(id));
    }

    // A step that must be refused answered success: the state id at the envelope's code.
    void refusal_accepted(core::DeviationId id, const std::string& operation, std::string message,
                          std::size_t exchange) {
        state_deviation(id, operation, m_contract.envelope.code.pointer,
                        "a refusal (the error envelope)", "success", std::move(message), exchange);
    }

    // Walks the listing (offset/limit pages of its default size) for the item whose key is
    // `name`; stops at the item, a short page, or the end the total names.
    ItemSearch find(const std::string& name, const std::string& step_name) {
        ItemSearch out;
        const contract::Operation* listing = m_contract.find_operation(m_scenario.listing);
        const contract::Pagination& model = *listing->pagination;
        const std::int64_t limit = std::max<std::int64_t>(1, model.limit_default);
        std::set<std::string> seen;
        for (std::int64_t page = 0; page < k_max_listing_pages; ++page) {
            http::QueryParams p;
            p.add(model.offset_param, std::to_string(page * limit));
            p.add(model.limit_param, std::to_string(limit));
            const StepAnswer a =
                step(*listing, p, step_name + " (page " + std::to_string(page + 1) + ")",
                     contract::Expectation::success);
            m_last_read = a.exchange;
            if (!a.sent || !a.accepted || !a.clean || !a.body) {
                out.complete = false;
                return out;
            }
            const checks::Listing l = checks::locate_listing(model, *a.body);
            if (!l.items || !l.items->is_array()) {
                out.complete = false;
                return out;
            }
            std::size_t count = 0;
            bool repeated = false;
            l.items->for_each_item([&](std::size_t i, core::JsonView item) {
                ++count;
                const auto key = item.is_object() ? item.find(m_scenario.key) : std::nullopt;
                if (key && !seen.insert(scenario_text_of(*key)).second) {
                    repeated = true;
                    return false;
                }
                if (key && scenario_text_of(*key) == name) {
                    out.found = true;
                    out.item = item.to_json();
                    out.pointer = l.items_pointer + "/" + std::to_string(i);
                    return false;
                }
                return true;
            });
            if (repeated) {
                out.complete = false;
                return out;
            }
            if (out.found)
                return out;
            const std::int64_t walked = page * limit + static_cast<std::int64_t>(count);
            if (static_cast<std::int64_t>(count) < limit || (l.total && walked >= *l.total))
                return out;
        }
        return out;
    }

    // The fields of `sent` the item does not show as sent: "Description: \"x\" (sent \"y\")"; a
    // value sent for a field the listing shows as a list is shown as that list of one.
    static std::string differing(const json& item, const http::QueryParams& sent,
                                 const std::string& key, std::string& pointer_field) {
        std::string out;
        for (const http::QueryParam& p : sent) {
            if (p.name == key)
                continue;
            auto it = item.find(p.name);
            const std::string listed = it == item.end() ? std::string("(absent)") : json_text(*it);
            // one value sent for a list the listing shows: that list of it
            if (listed == p.value || (it != item.end() && it->is_array() && it->size() == 1 &&
                                      json_text(it->front()) == p.value))
                continue;
            if (pointer_field.empty())
                pointer_field = p.name;
            if (!out.empty())
                out += ", ";
            out += p.name + " listed " + listed + ", sent " + p.value;
        }
        return out;
    }

    // The fields a write sends: those its request declares and the listing's items show.
    http::QueryParams fields_for(const contract::Operation& op, const std::string& name,
                                 const json* previous, int round) const {
        const contract::Operation* listing = m_contract.find_operation(m_scenario.listing);
        http::QueryParams out;
        out.add(m_scenario.key, name);
        const json& request = op.request.document;
        auto props = request.find("properties");
        if (props == request.end() || !props->is_object())
            return out;
        const std::vector<std::string> shown = contract::item_fields(*listing);
        for (const auto& [field, schema] : props->items()) {
            if (field == m_scenario.key ||
                std::find(shown.begin(), shown.end(), field) == shown.end() || constrained(schema))
                continue;
            if (m_settings.extra_params.contains(field)) // --param's value is sent instead
                continue;
            std::string before = previous ? std::string() : default_text(schema);
            if (previous)
                if (auto it = previous->find(field); it != previous->end())
                    before = json_text(*it);
            out.add(field,
                    scenario_value_for(scenario_property(request, field), field, before, round));
        }
        return out;
    }

    void run(const std::string& run_id, std::size_t ordinal);
    bool create_phase(const std::string& name, ItemSearch& found);
    bool dependents_phase(const std::string& name);
    bool update_phase(const std::string& name, ItemSearch& found);
    bool delete_phase(const std::string& name);
    bool duplicate_phase(const std::string& twice);
    // Ends the scenario: notes why (when there is a reason) and cleans up. Always false.
    bool stop(std::string_view why) {
        if (!why.empty())
            m_result.environment.emplace_back(why);
        clean_up();
        return false;
    }

    // The steps' checks and the state check, as --check selects them.
    std::vector<report::CheckResult> take_checks() {
        std::vector<report::CheckResult> out = std::move(m_checks);
        if (is_selected(m_settings.checks, k_state_check))
            out.push_back(std::move(m_state));
        return out;
    }

private:
    std::string next_name(const std::string& run_id, std::size_t ordinal) {
        return "conform-" + run_id + "-" + std::to_string(ordinal) + "-" +
               std::to_string(++m_created_count);
    }

    // Deletes what this run created and still believes exists; a refusal names it.
    void clean_up();

    const ScenarioTarget& m_target;
    const contract::Contract& m_contract;
    const contract::Scenario& m_scenario;
    const RequestPipeline& m_pipeline;
    const RunSettings& m_settings;
    report::CaseResult& m_result;
    std::vector<std::unique_ptr<const http::Exchange>> m_exchanges;
    std::vector<checks::Observed> m_observed;
    std::vector<report::CheckResult> m_checks;
    report::CheckResult m_state;
    std::vector<std::string> m_created; // created in this run, not known deleted
    std::size_t m_created_count = 0;
    std::size_t m_last_read = 0;
};

void ScenarioRun::clean_up() {
    const contract::Operation* remove = m_contract.find_operation(m_scenario.remove);
    for (const std::string& name : m_created) {
        http::QueryParams p;
        p.add(m_scenario.key, name);
        const StepAnswer a = step(*remove, p, "clean up " + name, std::nullopt);
        if (!a.accepted)
            m_result.environment.push_back(
                "left behind: " + m_scenario.key + " " + name +
                " was created by this run and the target did not delete it (" + m_scenario.remove +
                " " + (a.sent ? "refused" : "not answered") + ")");
    }
    m_created.clear();
}

// 1. create, read back: listed, with the fields sent. False when the scenario stops here.
bool ScenarioRun::create_phase(const std::string& name, ItemSearch& found) {
    const contract::Operation* create = m_contract.find_operation(m_scenario.create);
    const http::QueryParams created = fields_for(*create, name, nullptr, 0);
    if (interrupted())
        return stop("interrupted before the scenario started");
    const StepAnswer c = step(*create, created, "create " + name, contract::Expectation::success);
    if (!c.accepted)
        return stop(c.sent ? "" : "stopped: the create was not answered");
    m_created.push_back(name);
    if (interrupted())
        return stop(k_interrupted);
    found = find(name, "read back the create");
    if (!found.complete)
        return stop(k_unreadable);
    std::string field;
    if (!found.found) {
        state_deviation(
            core::DeviationId::state_create_not_visible, create->name,
            m_contract.find_operation(m_scenario.listing)->pagination->items_pointer,
            m_scenario.key + " " + name + " listed", "not in any page of " + m_scenario.listing,
            create->name + " answered success but " + m_scenario.listing + " does not list " + name,
            m_last_read);
        return stop("");
    }
    if (std::string diff = differing(*found.item, created, m_scenario.key, field); !diff.empty()) {
        std::string pointer = found.pointer;
        core::append_pointer_token(pointer, field);
        state_deviation(core::DeviationId::state_create_not_visible, create->name, pointer,
                        "the fields " + create->name + " sent", diff,
                        name + " is listed without the fields its create sent: " + diff,
                        m_last_read);
        return stop("");
    }
    return true;
}

// 1b. each delete of what lives inside the resource, naming a child the new resource cannot
// have: refused, or it claims to delete what does not exist.
bool ScenarioRun::dependents_phase(const std::string& name) {
    for (const std::string& dependent : m_scenario.dependents) {
        const contract::Operation* op = m_contract.find_operation(dependent);
        if (!op)
            continue;
        if (interrupted())
            return stop(k_interrupted);
        http::QueryParams params;
        params.add(m_scenario.key, name);
        const json& request = op->request.document;
        const json required =
            request.is_object() ? request.value("required", json::array()) : json::array();
        for (const json& r : required)
            if (r.is_string() && r != m_scenario.key && r != m_contract.routing.param)
                params.add(r.get<std::string>(),
                           missing_value_for(scenario_property(request, r.get<std::string>())));
        const StepAnswer a = step(*op, params, dependent + " of what " + name + " does not hold",
                                  contract::Expectation::refusal);
        if (a.accepted)
            refusal_accepted(core::DeviationId::state_delete_missing_accepted, op->name,
                             op->name + " in " + name + ", just created and holding nothing, " +
                                 "answered success",
                             a.exchange);
    }
    return true;
}

// 2. update, read back the change (when the family has an update).
bool ScenarioRun::update_phase(const std::string& name, ItemSearch& found) {
    if (m_scenario.update.empty())
        return true;
    const contract::Operation* update = m_contract.find_operation(m_scenario.update);
    if (interrupted())
        return stop(k_interrupted);
    const http::QueryParams changed = fields_for(*update, name, &*found.item, 1);
    const StepAnswer u = step(*update, changed, "update " + name, contract::Expectation::success);
    if (!u.accepted)
        return stop("");
    found = find(name, "read back the update");
    if (!found.complete)
        return stop(k_unreadable);
    std::string field;
    std::string diff = found.found ? differing(*found.item, changed, m_scenario.key, field)
                                   : std::string("not listed any more");
    if (diff.empty())
        return true;
    std::string pointer = found.found ? found.pointer : std::string();
    if (found.found)
        core::append_pointer_token(pointer, field);
    state_deviation(core::DeviationId::state_update_not_visible, update->name, pointer,
                    "the fields " + update->name + " sent", diff,
                    update->name + " answered success but " + m_scenario.listing +
                        " does not show the change: " + diff,
                    m_last_read);
    return stop("");
}

// 3. delete, read back the absence, delete again (refused).
bool ScenarioRun::delete_phase(const std::string& name) {
    const contract::Operation* remove = m_contract.find_operation(m_scenario.remove);
    if (interrupted())
        return stop(k_interrupted);
    http::QueryParams key_only;
    key_only.add(m_scenario.key, name);
    const StepAnswer d = step(*remove, key_only, "delete " + name, contract::Expectation::success);
    if (!d.accepted)
        return stop("");
    const ItemSearch found = find(name, "read back the delete");
    if (!found.complete)
        return stop(k_unreadable);
    if (found.found) {
        state_deviation(core::DeviationId::state_delete_not_visible, remove->name, found.pointer,
                        name + " not listed", "still listed at " + found.pointer,
                        remove->name + " answered success but " + m_scenario.listing +
                            " still lists " + name,
                        m_last_read);
        return stop("");
    }
    m_created.erase(std::remove(m_created.begin(), m_created.end(), name), m_created.end());
    const StepAnswer again =
        step(*remove, key_only, "delete " + name + " again", contract::Expectation::refusal);
    if (again.accepted)
        refusal_accepted(core::DeviationId::state_delete_missing_accepted, remove->name,
                         remove->name + " of " + name +
                             ", which no longer exists, answered success",
                         again.exchange);
    return true;
}

// 4. create another one twice: the second is refused.
bool ScenarioRun::duplicate_phase(const std::string& twice) {
    const contract::Operation* create = m_contract.find_operation(m_scenario.create);
    if (interrupted())
        return stop(k_interrupted);
    const http::QueryParams second = fields_for(*create, twice, nullptr, 0);
    const StepAnswer first =
        step(*create, second, "create " + twice, contract::Expectation::success);
    if (!first.accepted)
        return stop("");
    m_created.push_back(twice);
    const StepAnswer dup =
        step(*create, second, "create " + twice + " again", contract::Expectation::refusal);
    if (dup.accepted)
        refusal_accepted(core::DeviationId::state_duplicate_create_accepted, create->name,
                         create->name + " of " + twice + ", which exists already, answered success",
                         dup.exchange);
    return true;
}

void ScenarioRun::run(const std::string& run_id, std::size_t ordinal) {
    const std::string name = next_name(run_id, ordinal);
    ItemSearch found;
    if (create_phase(name, found) && dependents_phase(name) && update_phase(name, found) &&
        delete_phase(name) && duplicate_phase(next_name(run_id, ordinal)))
        stop("");
}

} // namespace

std::string scenario_run_id(const core::Clock& clock) {
    return std::to_string(clock.unix_seconds());
}

namespace {

// The required parameters of the scenario's create, update and delete that nothing gives a
// value: not its key, not a field it writes (what the listing shows, for the create and the
// update), not a documented value, not --param; an identifier another listing names (a link)
// included, which a scenario does not look up. "CreateX: A, B; DeleteX: C", or "".
std::string unfilled_writes(const contract::Contract& contract, const contract::Scenario& scenario,
                            const http::QueryParams& extra) {
    std::string out;
    const contract::Operation* listing = contract.find_operation(scenario.listing);
    const std::vector<std::string> shown =
        listing ? contract::item_fields(*listing) : std::vector<std::string>{};
    for (const std::string* name : {&scenario.create, &scenario.update, &scenario.remove}) {
        const contract::Operation* op = name->empty() ? nullptr : contract.find_operation(*name);
        if (!op)
            continue;
        const contract::Case probe = contract::probe_case(contract, *op);
        std::vector<std::string> needed = probe.unfilled;
        for (const contract::Link& link : probe.links)
            needed.push_back(link.param);
        std::string missing;
        for (const std::string& param : needed) {
            const json* schema = contract::request_property(op->request.document, param);
            const bool written = *name != scenario.remove &&
                                 std::find(shown.begin(), shown.end(), param) != shown.end() &&
                                 schema && !constrained(*schema);
            if (param == scenario.key || written || extra.contains(param))
                continue;
            missing += (missing.empty() ? "" : ", ") + param;
        }
        if (!missing.empty())
            out += (out.empty() ? "" : "; ") + *name + ": " + missing;
    }
    return out;
}

// What the recorded run was given with --param, read back from its create: the parameters
// the scenario would not have made itself (a field it writes, made up as it makes it) beside
// the routing one and the key; replay has no --param of its own. Those given here win.
http::QueryParams given_with_param(const contract::Contract& contract,
                                   const contract::Scenario& scenario,
                                   const http::QueryParams& create,
                                   const http::QueryParams& extra) {
    http::QueryParams out = extra;
    const contract::Operation* op = contract.find_operation(scenario.create);
    const contract::Operation* listing = contract.find_operation(scenario.listing);
    if (!op || !listing)
        return out;
    const std::vector<std::string> shown = contract::item_fields(*listing);
    for (const http::QueryParam& p : create) {
        if (p.name == contract.routing.param || p.name == scenario.key || out.contains(p.name))
            continue;
        const json* schema = contract::request_property(op->request.document, p.name);
        if (schema && !constrained(*schema) &&
            std::find(shown.begin(), shown.end(), p.name) != shown.end()) {
            if (scenario_value_for(scenario_property(op->request.document, p.name), p.name,
                                   default_text(*schema), 0) == p.value)
                continue; // made up by the scenario, as it will be again
        }
        out.add(p.name, p.value);
    }
    return out;
}

} // namespace

report::CaseResult run_scenario(const ScenarioTarget& target, const contract::Scenario& scenario,
                                std::size_t ordinal, const RequestPipeline& pipeline,
                                const RunSettings& settings, const core::Clock& clock) {
    const auto started = clock.monotonic();
    const Target& t = target.target;
    report::CaseResult result;
    result.contract = t.contract->name;
    result.operation = scenario.create;
    result.target = t.name;
    result.url = target.endpoint.base_url;
    result.persona = t.persona;
    result.name = "scenario-" + scenario.name;
    result.description = "create, read back from " + scenario.listing + ", " +
                         (scenario.update.empty() ? std::string() : "update, read back, ") +
                         "delete, read back, delete again (refused), create twice (refused), "
                         "clean up";
    result.kind = "scenario";
    result.expect = "success";
    auto finish = [&](std::string skipped) {
        result.skipped = std::move(skipped);
        result.seconds = clock.seconds_since(started);
        return result;
    };
    if (!target.unreachable_why.empty())
        return finish("target unreachable: " + target.unreachable_why);
    if (!t.allow_writes)
        return finish("writes are sent to an external target only with --allow-writes (" +
                      scenario.create + (scenario.update.empty() ? "" : ", " + scenario.update) +
                      ", " + scenario.remove + ")");
    if (target.scheme && !t.credentials)
        return finish("no credentials: " + t.missing_credentials);
    if (std::string missing = unfilled_writes(*t.contract, scenario, settings.extra_params);
        !missing.empty())
        return finish("required and given by nothing (conform never makes up an identifier; "
                      "--param NAME=VALUE gives one): " +
                      missing);
    if (settings.interrupted && settings.interrupted->load())
        return finish("interrupted before the scenario started");

    ScenarioRun run(target, scenario, pipeline, settings, result);
    run.run(settings.run_id.empty() ? scenario_run_id(clock) : settings.run_id, ordinal);
    result.checks = run.take_checks();
    return finish({});
}

namespace {

// Answers each request with the next recorded step, as long as the step asks what the
// recording holds: the same operation, about the same resource.
class RecordedSteps final : public http::Transport {
public:
    RecordedSteps(std::span<const record::Recorded* const> steps, std::string routing,
                  std::string key)
        : m_steps(steps), m_routing(std::move(routing)), m_key(std::move(key)) {}

    http::Exchange send(const http::Request& request) override {
        const std::string sends = describe(request.query);
        if (m_diverged.empty() && m_next >= m_steps.size())
            m_diverged =
                "the recording ends before step " + std::to_string(m_next + 1) + " (" + sends + ")";
        if (m_diverged.empty()) {
            const record::Recorded& r = *m_steps[m_next];
            const std::string holds = describe(r.exchange.request.query);
            if (holds == sends) {
                ++m_next;
                http::Exchange x = r.exchange;
                x.request = request;
                return x;
            }
            m_diverged = "step " + std::to_string(m_next + 1) + " sends " + sends + ", " +
                         record_where(r) + " holds " + holds;
        }
        http::Exchange x;
        x.request = request;
        x.failure = http::TransportFailure{http::FailureKind::connection_closed, m_diverged};
        return x;
    }

    [[nodiscard]] const std::string& diverged() const { return m_diverged; }
    [[nodiscard]] std::size_t unused() const { return m_steps.size() - m_next; }

private:
    std::string describe(const http::QueryParams& q) const {
        const std::string* op = q.find(m_routing);
        const std::string* key = q.find(m_key);
        return (op ? *op : std::string("(no ") + m_routing + ")") + " " + m_key + "=" +
               (key ? *key : std::string("(none)"));
    }
    static std::string record_where(const record::Recorded& r) {
        return r.pointer.empty() ? r.file.string() + ":" + std::to_string(r.line)
                                 : r.file.string() + "#" + r.pointer;
    }

    std::span<const record::Recorded* const> m_steps;
    std::string m_routing, m_key;
    std::size_t m_next = 0;
    std::string m_diverged;
};

// "conform-<run id>-<ordinal>-<n>" -> run id and ordinal; nullopt for another shape.
std::optional<std::pair<std::string, std::size_t>> parse_scenario_name(std::string_view name) {
    constexpr std::string_view prefix = "conform-";
    if (!name.starts_with(prefix))
        return std::nullopt;
    name.remove_prefix(prefix.size());
    const auto last = name.rfind('-');
    if (last == std::string_view::npos || last == 0)
        return std::nullopt;
    const auto before = name.rfind('-', last - 1);
    if (before == std::string_view::npos || before == 0)
        return std::nullopt;
    std::size_t ordinal = 0;
    const std::string_view digits = name.substr(before + 1, last - before - 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), ordinal);
    if (ec != std::errc() || end != digits.data() + digits.size() || ordinal == 0)
        return std::nullopt;
    return std::pair{std::string(name.substr(0, before)), ordinal};
}

} // namespace

report::CaseResult replay_scenario(const contract::Contract& contract,
                                   const contract::Scenario& scenario,
                                   std::span<const record::Recorded* const> steps,
                                   const RunSettings& settings, const core::Clock& clock) {
    const record::Recorded& first = *steps.front();
    Target target;
    target.contract = &contract;
    target.name = first.target.empty() ? first.exchange.request.base_url : first.target;
    target.url = first.exchange.request.base_url;
    target.allow_writes = true; // nothing is sent: the recording answers
    auto endpoint = endpoint_of(target.url, contract.base_url);
    const std::string* created = first.exchange.request.query.find(scenario.key);
    const auto name = created ? parse_scenario_name(*created) : std::nullopt;
    if (!endpoint || !name) {
        report::CaseResult result;
        result.contract = contract.name;
        result.operation = scenario.create;
        result.target = target.name;
        result.url = target.url;
        result.name = "scenario-" + scenario.name;
        result.kind = "scenario";
        result.expect = "success";
        result.skipped = "the recorded scenario at " + first.file.string() + ":" +
                         std::to_string(first.line) + " does not start with a create of a " +
                         "conform-<run>-<n>-1 " + scenario.key;
        return result;
    }
    RecordedSteps transport(steps, contract.routing.param, scenario.key);
    RunSettings replayed = settings;
    replayed.extra_params =
        given_with_param(contract, scenario, first.exchange.request.query, settings.extra_params);
    http::RandomNonceSource nonces;
    const RequestPipeline pipeline({transport, clock, nonces}, {0, std::chrono::milliseconds(0),
                                                                nullptr, settings.limits.body()});
    replayed.run_id = name->first;
    replayed.recorder = nullptr;
    replayed.interrupted = nullptr;
    const ScenarioTarget where{target, *endpoint, nullptr, {}};
    report::CaseResult result =
        run_scenario(where, scenario, name->second, pipeline, replayed, clock);
    result.description = "recorded at " + first.file.string() + ":" + std::to_string(first.line) +
                         ": " + result.description;
    if (!transport.diverged().empty()) {
        result.checks.clear();
        result.skipped = "the recording does not follow the scenario: " + transport.diverged();
    } else if (transport.unused() > 0) {
        result.environment.push_back(std::to_string(transport.unused()) +
                                     " recorded step(s) after the scenario's end were not judged");
    }
    return result;
}

} // namespace conform::engine::internal
