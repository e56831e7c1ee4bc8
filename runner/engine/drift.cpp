// run_compare: `conform run --compare FILE.jsonl`. A LiveSource sends each recorded request
// again and hands replay the new exchange; the shape of each new body is compared with the
// recorded one on the way.
#include "runner/engine/drift.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "runner/core/json_parse.hpp"
#include "runner/core/json_pointer.hpp"
#include "runner/engine/internal/endpoint.hpp"
#include "runner/engine/internal/replay_route.hpp"
#include "runner/engine/internal/reporting.hpp"
#include "runner/engine/internal/request_pipeline.hpp"
#include "runner/record/record.hpp"

namespace conform::engine {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Shape {
    std::map<std::string, std::set<std::string>> types; // folded pointer -> JSON types seen
    std::map<std::string, std::size_t> counts;          // array pointer (outside arrays) -> size
};

std::string type_of(const json& v) {
    switch (v.type()) {
    case json::value_t::object:
        return "object";
    case json::value_t::array:
        return "array";
    case json::value_t::string:
        return "string";
    case json::value_t::boolean:
        return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
        return "integer";
    case json::value_t::number_float:
        return "number";
    case json::value_t::null:
        return "null";
    default:
        return "value";
    }
}

// Iterative (a body may be deep): pointer, value, inside an array.
void shape_of(const json& root, Shape& shape) {
    struct Item {
        std::string pointer;
        const json* value;
        bool in_array;
    };
    std::vector<Item> stack{{"", &root, false}};
    while (!stack.empty()) {
        Item item = std::move(stack.back());
        stack.pop_back();
        shape.types[item.pointer].insert(type_of(*item.value));
        if (item.value->is_object()) {
            for (const auto& [name, member] : item.value->items()) {
                std::string p = item.pointer;
                core::append_pointer_token(p, name);
                stack.push_back({std::move(p), &member, item.in_array});
            }
        } else if (item.value->is_array()) {
            if (!item.in_array)
                shape.counts[item.pointer] = item.value->size();
            for (const json& element : *item.value)
                stack.push_back({item.pointer + "/*", &element, true});
        }
    }
}

std::string join(const std::set<std::string>& types) {
    std::string out;
    for (const std::string& t : types)
        out += (out.empty() ? "" : "|") + t;
    return out;
}

bool under(const std::string& pointer, const std::string& parent) {
    return pointer.size() > parent.size() && pointer.compare(0, parent.size(), parent) == 0 &&
           pointer[parent.size()] == '/';
}

std::string items(std::size_t n) {
    return std::to_string(n) + (n == 1 ? " item" : " items");
}

} // namespace

std::string_view name_of(DriftKind kind) {
    switch (kind) {
    case DriftKind::added:
        return "added";
    case DriftKind::removed:
        return "removed";
    case DriftKind::type_changed:
        return "type-changed";
    case DriftKind::count_changed:
        return "count-changed";
    case DriftKind::status_changed:
        return "status-changed";
    }
    return "?";
}

std::vector<DriftChange> compare_shapes(const json& recorded, const json& live) {
    Shape then, now;
    shape_of(recorded, then);
    shape_of(live, now);
    std::vector<DriftChange> changes;
    // Pointers sort parents first: what lies under the last added (removed) one is skipped.
    std::optional<std::string> last_added, last_removed;
    for (const auto& [pointer, types] : now.types) {
        const auto was = then.types.find(pointer);
        if (was == then.types.end()) {
            if (last_added && under(pointer, *last_added))
                continue;
            last_added = pointer;
            changes.push_back({DriftKind::added, pointer, "", join(types)});
        } else if (was->second != types) {
            changes.push_back({DriftKind::type_changed, pointer, join(was->second), join(types)});
        }
    }
    for (const auto& [pointer, types] : then.types) {
        if (now.types.count(pointer))
            continue;
        if (last_removed && under(pointer, *last_removed))
            continue;
        last_removed = pointer;
        changes.push_back({DriftKind::removed, pointer, join(types), ""});
    }
    for (const auto& [pointer, n] : now.counts)
        if (const auto was = then.counts.find(pointer);
            was != then.counts.end() && was->second != n)
            changes.push_back({DriftKind::count_changed, pointer, items(was->second), items(n)});
    std::stable_sort(
        changes.begin(), changes.end(),
        [](const DriftChange& a, const DriftChange& b) { return a.pointer < b.pointer; });
    return changes;
}

namespace {

// Replay's source: each recorded exchange sent again, the new exchange handed on.
class LiveSource final : public ExchangeSource {
public:
    LiveSource(ExchangeSource& recorded, const ReplayContracts& contracts, const CompareJob& job,
               const internal::RequestEdges& edges, const http::Environment& environment)
        : m_recorded(recorded), m_router(contracts), m_job(job), m_environment(environment),
          m_pipeline(edges, {.limits = job.settings.limits.body()}) {}

    core::Result<std::optional<record::Recorded>> next() override {
        for (;;) {
            CONFORM_TRY(std::optional<record::Recorded> then, m_recorded.next());
            if (!then)
                return then;
            if (auto now = again(*then))
                return now;
        }
    }

    DriftOutcome& outcome() { return m_outcome; }
    std::size_t sent() const { return m_sent; }
    std::size_t unreachable() const { return m_unreachable; }

private:
    // The recorded request sent again through the pipeline (once: no retries, no recording),
    // its answer compared with the recorded one. nullopt (and a note) when it cannot be sent.
    std::optional<record::Recorded> again(const record::Recorded& then) {
        DriftEntry entry;
        entry.file = then.file.string();
        entry.line = then.line;
        Endpoint endpoint;
        auto plan = plan_of(then, entry, endpoint);
        if (!plan) {
            entry.note = "not sent again: " + plan.error().message;
            m_outcome.drifted.push_back(std::move(entry));
            return std::nullopt;
        }
        std::vector<std::string> environment; // no retries: nothing to note
        auto sent = m_pipeline.send(*plan, *m_contract, {}, environment);
        if (!sent) {
            entry.note = "not signed: " + sent.error().message;
            m_outcome.drifted.push_back(std::move(entry));
            return std::nullopt;
        }
        ++m_sent;
        const internal::Answer& answer = sent->answer;
        const http::Exchange& x = *answer.exchange;
        entry.request = x.request.method + " " + record::redacted_url(x.request);
        ++m_outcome.compared;
        compare(then, answer, entry);
        if (!entry.changes.empty() || !entry.note.empty())
            m_outcome.drifted.push_back(std::move(entry));
        return now_of(then, x);
    }

    // What to send again: the recorded parameters without their signature, timestamp and
    // nonce, to the target or where it was recorded, signed with today's credentials. Sets
    // m_contract and the entry's names; fails saying why it cannot be sent.
    core::Result<internal::RequestPlan> plan_of(const record::Recorded& then, DriftEntry& entry,
                                                Endpoint& endpoint) {
        CONFORM_TRY(Routed routed, m_router.route(then));
        const contract::Contract& c = *routed.contract;
        m_contract = &c;
        entry.contract = c.name;
        entry.operation = routed.operation->name;
        const std::string url = m_job.target ? m_job.target->url
                                             : origin_of(then.exchange.request.base_url) +
                                                   path_of(then.exchange.request.base_url);
        CONFORM_TRY(endpoint, endpoint_of(url, c.base_url));
        internal::RequestPlan plan;
        plan.method = then.exchange.request.method;
        plan.endpoint = &endpoint;
        for (const http::QueryParam& p : then.exchange.request.query)
            if (!is_signing_param(p.name))
                plan.params.add(p.name, p.value);
        const contract::Signing signing = routed.test_case->signing;
        if (signing == contract::Signing::bad_signature ||
            signing == contract::Signing::stale_timestamp)
            // Its signature is what it tests, and today's would not be the recorded one.
            return core::fail("case " + routed.test_case->name + " sends a " +
                              (signing == contract::Signing::bad_signature ? "wrong signature"
                                                                           : "stale timestamp"));
        if (signing == contract::Signing::none)
            return plan;
        if (const http::Scheme* scheme = http::find_scheme(c.signing)) {
            CONFORM_TRY(m_credentials, http::credentials_from_env(*scheme, m_environment));
            plan.sign = {scheme, &m_credentials, contract::Signing::sign};
        }
        return plan;
    }

    // The new exchange as replay reads it: the recorded one's names and place.
    record::Recorded now_of(const record::Recorded& then, const http::Exchange& x) const {
        record::Recorded now;
        now.exchange = x;
        now.time = internal::iso_utc(x.started);
        now.contract = then.contract.empty() ? m_contract->name : then.contract;
        now.operation = then.operation;
        now.case_name = then.case_name;
        now.target = m_job.target
                         ? (m_job.target->name.empty() ? m_job.target->url : m_job.target->name)
                         : target_name(then);
        now.file = then.file;
        now.line = then.line;
        now.pointer = then.pointer;
        return now;
    }

    // Status and body shape then and now, into the entry. The new body is the one the
    // pipeline parsed; the recorded one is parsed here.
    void compare(const record::Recorded& then, const internal::Answer& answer, DriftEntry& entry) {
        const http::Exchange& x = *answer.exchange;
        if (!x.response) {
            ++m_unreachable;
            entry.note = "no answer now: " + (x.failure ? x.failure->message : std::string("?"));
            return;
        }
        if (!then.exchange.response) {
            entry.note = "no answer was recorded; the endpoint answers now";
            return;
        }
        if (then.exchange.response->status != x.response->status)
            entry.changes.push_back({DriftKind::status_changed, "",
                                     std::to_string(then.exchange.response->status),
                                     std::to_string(x.response->status)});
        auto old_body =
            core::parse_json(then.exchange.response->body, {}, m_job.settings.limits.body());
        const std::optional<json>& new_body = answer.observed.body;
        if (old_body && new_body) {
            auto shape = compare_shapes(*old_body, *new_body);
            entry.changes.insert(entry.changes.end(), shape.begin(), shape.end());
        } else if (old_body.has_value() != new_body.has_value()) {
            entry.note = old_body ? "the body is no longer JSON" : "the body is JSON now";
        }
    }

    ExchangeSource& m_recorded;
    Router m_router;
    const CompareJob& m_job;
    const http::Environment& m_environment;
    internal::RequestPipeline m_pipeline;
    const contract::Contract* m_contract = nullptr; // the current exchange's
    http::Credentials m_credentials;                // the current exchange's
    DriftOutcome m_outcome;
    std::size_t m_sent = 0, m_unreachable = 0;
};

// Entries with changes (the others only say why they could not be compared).
std::size_t drifted_count(const DriftOutcome& o) {
    return static_cast<std::size_t>(
        std::count_if(o.drifted.begin(), o.drifted.end(),
                      [](const DriftEntry& e) { return !e.changes.empty(); }));
}

json drift_json(const DriftOutcome& o, const CompareJob& job) {
    json files = json::array();
    for (const fs::path& f : job.files)
        files.push_back(f.string());
    json entries = json::array();
    for (const DriftEntry& e : o.drifted) {
        json changes = json::array();
        for (const DriftChange& c : e.changes)
            changes.push_back({{"kind", name_of(c.kind)},
                               {"pointer", c.pointer},
                               {"recorded", c.recorded},
                               {"live", c.live}});
        json j = {{"file", e.file},         {"line", e.line},
                  {"contract", e.contract}, {"operation", e.operation},
                  {"request", e.request},   {"changes", std::move(changes)}};
        if (!e.note.empty())
            j["note"] = e.note;
        entries.push_back(std::move(j));
    }
    return {{"conform_drift", 1},
            {"recordings", std::move(files)},
            {"compared", o.compared},
            {"drifted", drifted_count(o)},
            {"not_compared", o.drifted.size() - drifted_count(o)},
            {"exchanges", std::move(entries)}};
}

void print_drift(const DriftOutcome& o, std::ostream& out, bool verbose) {
    out << "\nDrift (the API changed since it was recorded; not deviations)\n";
    std::size_t shown = 0;
    for (const DriftEntry& e : o.drifted) {
        if (!verbose && shown >= 20) {
            out << "  ... " << (o.drifted.size() - shown) << " more in drift.json\n";
            break;
        }
        ++shown;
        out << "  " << e.file << ":" << e.line << " " << e.contract << "/" << e.operation;
        if (!e.note.empty())
            out << ": " << e.note;
        out << '\n';
        for (const DriftChange& c : e.changes)
            out << "    " << name_of(c.kind) << "  " << (c.pointer.empty() ? "status" : c.pointer)
                << (c.recorded.empty() ? "" : "  was " + c.recorded)
                << (c.live.empty() ? "" : "  now " + c.live) << '\n';
    }
    out << o.compared << " exchange(s) sent again, " << drifted_count(o) << " drifted, "
        << o.drifted.size() - drifted_count(o) << " not compared\n";
}

} // namespace

core::Result<core::Verdict> run_compare(const CompareJob& job, std::ostream& out,
                                        std::ostream& err) {
    CONFORM_TRY(const LoadedContracts loaded,
                load_replay_contracts(job.schemas_dir, job.cases_dir, job.contracts,
                                      job.settings.limits.contracts()));
    if (job.target)
        if (auto endpoint = endpoint_of(job.target->url, "http://localhost/"); !endpoint)
            return core::fail(endpoint.error());
    CONFORM_TRY(auto recorded, RecordingFiles::open(job.files, job.settings.limits.recordings()));
    CONFORM_TRY(auto transport, http::make_transport(job.client));
    const ReplayContracts contracts{loaded.contracts, loaded.cases};
    http::RandomNonceSource random_nonces;
    const http::ProcessEnvironment process_environment;
    const core::Clock& clock = job.clock ? *job.clock : core::system_clock();
    const internal::RequestEdges edges{*transport, clock, job.nonces ? *job.nonces : random_nonces};
    LiveSource live(*recorded, contracts, job, edges,
                    job.environment ? *job.environment : process_environment);

    const std::string started_at = internal::iso_utc(clock.wall());
    CONFORM_TRY(auto reporting, internal::Reporting::open(job.report, out, err, started_at, clock));
    report::Reporter& reporter = reporting->reporter();
    reporter.run_starting({started_at, job.arguments, {}});
    ReplaySettings settings = job.settings;
    settings.jobs = 1; // the source sends; one worker keeps the requests in recorded order
    settings.coverage = &reporting->measure_coverage(loaded.contracts);
    const ReplayOutcome outcome = replay_exchanges(live, contracts, settings, reporter);
    CONFORM_CHECK(reporting->finish(outcome.summary));
    const DriftOutcome& drift = live.outcome();
    CONFORM_CHECK(report::write_file_atomically(job.report.dir / "drift.json",
                                                drift_json(drift, job).dump(2) + "\n"));
    print_drift(drift, out, job.report.console.verbose);
    reporting->announce(err);
    err << "conform: drift written to " << (job.report.dir / "drift.json").string() << '\n';
    if (outcome.malformed > 0)
        return core::Verdict::bad_input;
    if (live.sent() > 0 && live.unreachable() == live.sent())
        return core::Verdict::unreachable;
    if (reporting->failing() || (job.fail_on_drift && drifted_count(drift) > 0))
        return core::Verdict::deviations;
    return core::Verdict::conformant;
}

} // namespace conform::engine
