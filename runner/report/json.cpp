// report.json: the model as a versioned document (schemas/report.schema.json), and back.
//
// Shape: {conform_report, tool, started_at, arguments, targets: [{name, endpoints: [{contract,
// url, persona, reachable, error?, unresponsive?: {reason, evidence}}], cases: [{..., checks:
// [{name, status, deviations: [{..., exchange?}]}], exchanges: [...]}]}], summary}. A deviation's
// "exchange" is an index into its case's "exchanges", so a walk's pages are stored once however
// many deviations they show.

#include <algorithm>

#include "runner/core/json_parse.hpp"
#include "runner/core/json_pointer.hpp"
#include "runner/report/baseline.hpp"
#include "runner/report/internal/text.hpp"

namespace conform::report {

using nlohmann::json;
// report.json keeps its members in the order written here (version first), for people who
// read it; the reader does not depend on order.
using ordered = nlohmann::ordered_json;

namespace {

ordered deviation_json(const core::Deviation& d) {
    ordered j = {{"id", core::name_of(d.id)},
                 {"kind", d.kind},
                 {"severity", core::name_of(d.severity)},
                 {"operation", d.operation},
                 {"instance_pointer", d.instance_pointer},
                 {"schema_pointer", d.schema_pointer},
                 {"expected", d.expected},
                 {"actual", d.actual},
                 {"message", d.message},
                 {"count", d.count},
                 {"fingerprint", d.fingerprint()}};
    if (d.source)
        j["source"] = {{"doc", d.source->doc}, {"line", d.source->line}};
    return j;
}

ordered case_json(const CaseResult& c) {
    ordered checks = ordered::array();
    for (const CheckResult& check : c.checks) {
        ordered deviations = ordered::array();
        for (std::size_t i = 0; i < check.deviations.size(); ++i) {
            ordered d = deviation_json(check.deviations[i]);
            if (const auto index = check.exchange_index(i))
                d["exchange"] = *index;
            deviations.push_back(std::move(d));
        }
        ordered j = {{"name", check.name},
                     {"status", internal::check_status(check)},
                     {"deviations", std::move(deviations)}};
        if (!check.skipped.empty())
            j["skipped_reason"] = check.skipped;
        if (!check.accepted.empty()) {
            ordered accepted = ordered::array();
            for (const core::Deviation& d : check.accepted)
                accepted.push_back(deviation_json(d));
            j["accepted"] = std::move(accepted);
        }
        checks.push_back(std::move(j));
    }
    ordered exchanges = ordered::array();
    for (const json& e : c.exchanges)
        exchanges.push_back(ordered(e));
    ordered j = {{"contract", c.contract},
                 {"operation", c.operation},
                 {"case", c.name},
                 {"description", c.description},
                 {"kind", c.kind},
                 {"expect", c.expect},
                 {"url", c.url},
                 {"persona", c.persona},
                 {"status", internal::case_status(c)},
                 {"deviation_count", c.deviation_count()},
                 {"seconds", c.seconds},
                 {"plan_index", c.plan_index},
                 {"environment", c.environment},
                 {"checks", std::move(checks)},
                 {"exchanges", std::move(exchanges)}};
    if (!c.skipped.empty())
        j["skipped_reason"] = c.skipped;
    return j;
}

ordered baseline_entry_json(const BaselineEntry& e) {
    ordered j = {{"target", e.target},
                 {"contract", e.contract},
                 {"operation", e.operation},
                 {"case", e.case_name},
                 {"id", e.id},
                 {"fingerprint", e.fingerprint},
                 {"message", e.message},
                 {"first_seen", e.first_seen},
                 {"last_seen", e.last_seen}};
    if (!e.expires.empty())
        j["expires"] = e.expires;
    return j;
}

ordered coverage_json(const Coverage& coverage) {
    ordered targets = ordered::array();
    for (const TargetCoverage& row : coverage.targets) {
        ordered totals = ordered::object();
        for (const MetricInfo& m : k_coverage_metrics) {
            const Ratio r = row.ratio(m.metric);
            totals[std::string(m.name)] = {
                {"covered", r.covered}, {"documented", r.documented}, {"percent", r.percent()}};
        }
        ordered operations = ordered::array();
        for (const OperationCoverage& op : row.operations) {
            ordered params = ordered::array();
            for (const ParamCoverage& p : op.params)
                params.push_back({{"name", p.name},
                                  {"sent", p.sent},
                                  {"values", p.values},
                                  {"values_sent", p.values_sent}});
            ordered seen = ordered::array();
            for (PageShape shape : op.pages_seen)
                seen.push_back(name_of(shape));
            operations.push_back(
                {{"name", op.name},
                 {"exercised", op.exercised()},
                 {"exchanges", op.exchanges},
                 {"params", std::move(params)},
                 {"fields", {{"documented", op.fields}, {"missing", op.fields_missing}}},
                 {"codes", {{"documented", op.codes}, {"observed", op.codes_observed}}},
                 {"pages", {{"paged", op.pages}, {"seen", std::move(seen)}}}});
        }
        targets.push_back({{"contract", row.contract},
                           {"target", row.target},
                           {"totals", std::move(totals)},
                           {"operations", std::move(operations)}});
    }
    ordered j = {{"contracts", coverage.contracts}};
    if (!coverage.gate.empty()) {
        ordered minimum = ordered::array();
        for (const auto& [metric, percent] : coverage.gate.minimum)
            minimum.push_back({{"measure", name_of(metric)}, {"percent", percent}});
        j["gate"] = {{"min", std::move(minimum)}, {"unobserved", coverage.gate.observe}};
    }
    j["failures"] = coverage.failures;
    j["targets"] = std::move(targets);
    return j;
}

} // namespace

json to_json(const core::Deviation& d) {
    return json(deviation_json(d));
}

ordered to_report_json(const ReportModel& model) {
    ordered targets = ordered::array();
    for (const std::string& name : model.target_names()) {
        ordered endpoints = ordered::array();
        for (const TargetRecord& t : model.targets)
            if (t.info.display_name() == name) {
                ordered e = {{"contract", t.info.contract},
                             {"url", t.info.target},
                             {"persona", t.info.persona},
                             {"reachable", t.reachable}};
                if (!t.reachable)
                    e["error"] = t.error;
                if (t.unresponsive)
                    e["unresponsive"] = {{"reason", t.unresponsive->reason},
                                         {"evidence", t.unresponsive->evidence}};
                endpoints.push_back(std::move(e));
            }
        ordered cases = ordered::array();
        for (const CaseResult& c : model.cases)
            if (c.target == name)
                cases.push_back(case_json(c));
        targets.push_back(
            {{"name", name}, {"endpoints", std::move(endpoints)}, {"cases", std::move(cases)}});
    }
    const RunSummary& s = model.summary;
    ordered document = {{"conform_report", k_report_version},
                        {"tool", model.tool},
                        {"started_at", model.run.started_at},
                        {"arguments", model.run.arguments}};
    if (!model.run.shard.empty())
        document["shard"] = model.run.shard;
    document["summary"] = {
        {"cases", s.cases},           {"passed", s.passed},
        {"failed", s.failed},         {"skipped", s.skipped},
        {"deviations", s.deviations}, {"errors", s.errors},
        {"warnings", s.warnings},     {"accepted", s.accepted},
        {"fixed", s.fixed},           {"unreachable_targets", s.unreachable_targets},
        {"seconds", s.seconds}};
    if (model.baseline) {
        ordered fixed = ordered::array();
        for (const BaselineEntry& e : model.baseline->fixed)
            fixed.push_back(baseline_entry_json(e));
        document["baseline"] = {{"file", model.baseline->file},
                                {"accepted", model.baseline->accepted},
                                {"expired", model.baseline->expired},
                                {"fixed", std::move(fixed)}};
    }
    if (model.coverage)
        document["coverage"] = coverage_json(*model.coverage);
    document["targets"] = std::move(targets);
    return document;
}

std::string render_json(const ReportModel& model) {
    // Invalid UTF-8 in a body excerpt becomes U+FFFD instead of an exception at the end of a run.
    return to_report_json(model).dump(2, ' ', false, ordered::error_handler_t::replace) + '\n';
}

// ---- reading ----

namespace {

// Reads typed members, naming the file and JSON pointer of whatever is wrong.
class Reader {
public:
    explicit Reader(std::string_view file) : m_file(file) {}

    [[nodiscard]] core::Unexpected<core::Diagnostic> error(const std::string& pointer,
                                                           std::string message) const {
        core::Location where;
        where.file = m_file;
        where.pointer = pointer;
        where.has_pointer = true;
        return core::fail(std::move(message), std::move(where));
    }

    static std::string at(const std::string& pointer, std::string_view token) {
        std::string p = pointer;
        core::append_pointer_token(p, token);
        return p;
    }
    static std::string at(const std::string& pointer, std::size_t index) {
        return at(pointer, std::to_string(index));
    }

    core::Result<const json*> member(const json& object, const std::string& pointer,
                                     const char* key, json::value_t type, bool required) const {
        if (!object.is_object())
            return error(pointer, "expected an object");
        const auto it = object.find(key);
        if (it == object.end()) {
            if (required)
                return error(pointer, std::string("missing member \"") + key + "\"");
            return static_cast<const json*>(nullptr);
        }
        const bool ok =
            type == json::value_t::number_unsigned
                ? it->is_number_unsigned() || (it->is_number_integer() && it->get<long long>() >= 0)
            : type == json::value_t::number_float ? it->is_number()
                                                  : it->type() == type;
        if (!ok)
            return error(at(pointer, key),
                         std::string("expected ") + type_word(type) + ", got " + it->type_name());
        return &*it;
    }

    core::Result<std::string> string(const json& o, const std::string& p, const char* key,
                                     bool required = true) const {
        CONFORM_TRY(const json* v, member(o, p, key, json::value_t::string, required));
        return v ? v->get<std::string>() : std::string();
    }
    core::Result<std::size_t> count(const json& o, const std::string& p, const char* key,
                                    bool required = true) const {
        CONFORM_TRY(const json* v, member(o, p, key, json::value_t::number_unsigned, required));
        return v ? v->get<std::size_t>() : std::size_t{0};
    }
    core::Result<double> number(const json& o, const std::string& p, const char* key) const {
        CONFORM_TRY(const json* v, member(o, p, key, json::value_t::number_float, true));
        return v->get<double>();
    }
    core::Result<bool> boolean(const json& o, const std::string& p, const char* key) const {
        CONFORM_TRY(const json* v, member(o, p, key, json::value_t::boolean, true));
        return v->get<bool>();
    }
    core::Result<const json*> array(const json& o, const std::string& p, const char* key,
                                    bool required = true) const {
        return member(o, p, key, json::value_t::array, required);
    }
    core::Result<std::vector<std::string>> strings(const json& o, const std::string& p,
                                                   const char* key) const {
        CONFORM_TRY(const json* a, array(o, p, key));
        std::vector<std::string> out;
        for (std::size_t i = 0; i < a->size(); ++i) {
            if (!(*a)[i].is_string())
                return error(at(at(p, key), i), "expected a string");
            out.push_back((*a)[i].get<std::string>());
        }
        return out;
    }

private:
    static const char* type_word(json::value_t t) {
        switch (t) {
        case json::value_t::string:
            return "a string";
        case json::value_t::number_unsigned:
            return "a non-negative integer";
        case json::value_t::number_float:
            return "a number";
        case json::value_t::boolean:
            return "a boolean";
        case json::value_t::array:
            return "an array";
        case json::value_t::object:
            return "an object";
        default:
            return "a value";
        }
    }

    std::string m_file;
};

core::Result<core::Deviation> read_deviation(const Reader& r, const json& j, const std::string& p,
                                             std::optional<std::size_t>& exchange) {
    core::Deviation d;
    CONFORM_TRY(const std::string id, r.string(j, p, "id"));
    const auto parsed = core::parse_deviation_id(id);
    if (!parsed)
        return r.error(Reader::at(p, "id"), "unknown deviation id \"" + id + "\"");
    d.id = *parsed;
    CONFORM_TRY(d.kind, r.string(j, p, "kind"));
    CONFORM_TRY(const std::string severity, r.string(j, p, "severity"));
    const auto s = parse_severity(severity);
    if (!s)
        return r.error(Reader::at(p, "severity"), "unknown severity \"" + severity + "\"");
    d.severity = *s;
    CONFORM_TRY(d.operation, r.string(j, p, "operation"));
    CONFORM_TRY(d.instance_pointer, r.string(j, p, "instance_pointer"));
    CONFORM_TRY(d.schema_pointer, r.string(j, p, "schema_pointer"));
    CONFORM_TRY(d.expected, r.string(j, p, "expected"));
    CONFORM_TRY(d.actual, r.string(j, p, "actual"));
    CONFORM_TRY(d.message, r.string(j, p, "message"));
    CONFORM_TRY(d.count, r.count(j, p, "count"));
    CONFORM_TRY(const json* source, r.member(j, p, "source", json::value_t::object, false));
    if (source) {
        const std::string sp = Reader::at(p, "source");
        core::DocSource ds;
        CONFORM_TRY(ds.doc, r.string(*source, sp, "doc"));
        CONFORM_TRY(ds.line, r.count(*source, sp, "line"));
        d.source = std::move(ds);
    }
    CONFORM_TRY(const json* ex, r.member(j, p, "exchange", json::value_t::number_unsigned, false));
    exchange = ex ? std::optional<std::size_t>(ex->get<std::size_t>()) : std::nullopt;
    return d;
}

core::Result<CheckResult> read_check(const Reader& r, const json& j, const std::string& p,
                                     std::size_t exchanges) {
    CheckResult check;
    CONFORM_TRY(check.name, r.string(j, p, "name"));
    CONFORM_TRY(check.skipped, r.string(j, p, "skipped_reason", false));
    CONFORM_TRY(const json* deviations, r.array(j, p, "deviations"));
    const std::string dp = Reader::at(p, "deviations");
    bool indices_known = true;
    for (std::size_t i = 0; i < deviations->size(); ++i) {
        std::optional<std::size_t> exchange;
        CONFORM_TRY(core::Deviation d,
                    read_deviation(r, (*deviations)[i], Reader::at(dp, i), exchange));
        if (exchange && *exchange >= exchanges)
            return r.error(Reader::at(Reader::at(dp, i), "exchange"),
                           "exchange " + std::to_string(*exchange) +
                               " does not exist (the case has " + std::to_string(exchanges) + ")");
        // exchange_of is a prefix: once one is unknown the rest are too (CheckResult's rule).
        if (exchange && indices_known)
            check.exchange_of.push_back(*exchange);
        else
            indices_known = false;
        check.deviations.push_back(std::move(d));
    }
    CONFORM_TRY(const json* accepted, r.array(j, p, "accepted", false));
    if (accepted) {
        const std::string ap = Reader::at(p, "accepted");
        for (std::size_t i = 0; i < accepted->size(); ++i) {
            std::optional<std::size_t> unused;
            CONFORM_TRY(core::Deviation d,
                        read_deviation(r, (*accepted)[i], Reader::at(ap, i), unused));
            check.accepted.push_back(std::move(d));
        }
    }
    return check;
}

core::Result<BaselineEntry> read_baseline_entry(const Reader& r, const json& j,
                                                const std::string& p) {
    BaselineEntry e;
    CONFORM_TRY(e.target, r.string(j, p, "target", false));
    CONFORM_TRY(e.contract, r.string(j, p, "contract"));
    CONFORM_TRY(e.operation, r.string(j, p, "operation"));
    CONFORM_TRY(e.case_name, r.string(j, p, "case"));
    CONFORM_TRY(e.id, r.string(j, p, "id"));
    CONFORM_TRY(e.fingerprint, r.string(j, p, "fingerprint"));
    CONFORM_TRY(e.message, r.string(j, p, "message", false));
    CONFORM_TRY(e.first_seen, r.string(j, p, "first_seen"));
    CONFORM_TRY(e.last_seen, r.string(j, p, "last_seen"));
    CONFORM_TRY(e.expires, r.string(j, p, "expires", false));
    for (const auto& [name, value] :
         {std::pair{"first_seen", &e.first_seen}, std::pair{"last_seen", &e.last_seen},
          std::pair{"expires", &e.expires}})
        if (!value->empty() && !is_iso_date(*value))
            return r.error(Reader::at(p, name),
                           "expected a date YYYY-MM-DD, got \"" + *value + "\"");
    return e;
}

core::Result<CaseResult> read_case(const Reader& r, const json& j, const std::string& p,
                                   const std::string& target) {
    CaseResult c;
    c.target = target;
    CONFORM_TRY(c.contract, r.string(j, p, "contract"));
    CONFORM_TRY(c.operation, r.string(j, p, "operation"));
    CONFORM_TRY(c.name, r.string(j, p, "case"));
    CONFORM_TRY(c.description, r.string(j, p, "description", false));
    CONFORM_TRY(c.kind, r.string(j, p, "kind"));
    CONFORM_TRY(c.expect, r.string(j, p, "expect"));
    CONFORM_TRY(c.url, r.string(j, p, "url"));
    CONFORM_TRY(c.persona, r.string(j, p, "persona"));
    CONFORM_TRY(c.skipped, r.string(j, p, "skipped_reason", false));
    CONFORM_TRY(c.seconds, r.number(j, p, "seconds"));
    CONFORM_TRY(c.plan_index, r.count(j, p, "plan_index", false));
    CONFORM_TRY(c.environment, r.strings(j, p, "environment"));
    CONFORM_TRY(const json* exchanges, r.array(j, p, "exchanges"));
    for (std::size_t i = 0; i < exchanges->size(); ++i) {
        if (!(*exchanges)[i].is_object())
            return r.error(Reader::at(Reader::at(p, "exchanges"), i), "expected an object");
        c.exchanges.push_back((*exchanges)[i]);
    }
    CONFORM_TRY(const json* checks, r.array(j, p, "checks"));
    for (std::size_t i = 0; i < checks->size(); ++i) {
        CONFORM_TRY(CheckResult check,
                    read_check(r, (*checks)[i], Reader::at(Reader::at(p, "checks"), i),
                               c.exchanges.size()));
        c.checks.push_back(std::move(check));
    }
    CONFORM_TRY(const std::string status, r.string(j, p, "status"));
    if (status != internal::case_status(c))
        return r.error(Reader::at(p, "status"), "status \"" + status + "\" contradicts the case (" +
                                                    std::string(internal::case_status(c)) + ")");
    return c;
}

core::Result<OperationCoverage> read_operation_coverage(const Reader& r, const json& j,
                                                        const std::string& p) {
    OperationCoverage op;
    CONFORM_TRY(op.name, r.string(j, p, "name"));
    CONFORM_TRY(op.exchanges, r.count(j, p, "exchanges"));
    CONFORM_TRY(const json* params, r.array(j, p, "params"));
    for (std::size_t i = 0; i < params->size(); ++i) {
        const std::string pp = Reader::at(Reader::at(p, "params"), i);
        ParamCoverage param;
        CONFORM_TRY(param.name, r.string((*params)[i], pp, "name"));
        CONFORM_TRY(param.sent, r.boolean((*params)[i], pp, "sent"));
        CONFORM_TRY(param.values, r.strings((*params)[i], pp, "values"));
        CONFORM_TRY(param.values_sent, r.strings((*params)[i], pp, "values_sent"));
        for (const std::string& v : param.values_sent)
            if (std::find(param.values.begin(), param.values.end(), v) == param.values.end())
                return r.error(Reader::at(pp, "values_sent"),
                               "\"" + v + "\" is not one of the documented values");
        op.params.push_back(std::move(param));
    }
    const std::string fp = Reader::at(p, "fields");
    CONFORM_TRY(const json* fields, r.member(j, p, "fields", json::value_t::object, true));
    CONFORM_TRY(op.fields, r.strings(*fields, fp, "documented"));
    CONFORM_TRY(op.fields_missing, r.strings(*fields, fp, "missing"));
    for (const std::string& f : op.fields_missing)
        if (std::find(op.fields.begin(), op.fields.end(), f) == op.fields.end())
            return r.error(Reader::at(fp, "missing"),
                           "\"" + f + "\" is not one of the documented fields");
    const std::string cp = Reader::at(p, "codes");
    CONFORM_TRY(const json* codes, r.member(j, p, "codes", json::value_t::object, true));
    CONFORM_TRY(const json* documented, r.array(*codes, cp, "documented"));
    CONFORM_TRY(const json* observed, r.array(*codes, cp, "observed"));
    op.codes.assign(documented->begin(), documented->end());
    op.codes_observed.assign(observed->begin(), observed->end());
    const std::string gp = Reader::at(p, "pages");
    CONFORM_TRY(const json* pages, r.member(j, p, "pages", json::value_t::object, true));
    CONFORM_TRY(op.pages, r.boolean(*pages, gp, "paged"));
    CONFORM_TRY(const std::vector<std::string> seen, r.strings(*pages, gp, "seen"));
    for (std::size_t i = 0; i < seen.size(); ++i) {
        const auto shape = parse_page_shape(seen[i]);
        if (!shape)
            return r.error(Reader::at(Reader::at(gp, "seen"), i),
                           "unknown page shape \"" + seen[i] +
                               "\" (first, middle, last, past-end)");
        op.pages_seen.push_back(*shape);
    }
    return op;
}

// report.json's "coverage" (its "totals" are derived, and not read).
core::Result<Coverage> read_coverage(const Reader& r, const json& j) {
    const std::string p = "/coverage";
    Coverage coverage;
    CONFORM_TRY(coverage.contracts, r.strings(j, p, "contracts"));
    CONFORM_TRY(coverage.failures, r.strings(j, p, "failures"));
    CONFORM_TRY(const json* gate, r.member(j, p, "gate", json::value_t::object, false));
    if (gate) {
        const std::string gp = Reader::at(p, "gate");
        CONFORM_TRY(const json* minimum, r.array(*gate, gp, "min"));
        for (std::size_t i = 0; i < minimum->size(); ++i) {
            const std::string mp = Reader::at(Reader::at(gp, "min"), i);
            CONFORM_TRY(const std::string name, r.string((*minimum)[i], mp, "measure"));
            const auto metric = parse_coverage_metric(name);
            if (!metric)
                return r.error(Reader::at(mp, "measure"), "unknown coverage measure \"" + name +
                                                              "\" (" + coverage_metric_names() +
                                                              ")");
            CONFORM_TRY(const double percent, r.number((*minimum)[i], mp, "percent"));
            coverage.gate.minimum.emplace_back(*metric, percent);
        }
        CONFORM_TRY(coverage.gate.observe, r.strings(*gate, gp, "unobserved"));
    }
    CONFORM_TRY(const json* targets, r.array(j, p, "targets"));
    for (std::size_t t = 0; t < targets->size(); ++t) {
        const std::string tp = Reader::at(Reader::at(p, "targets"), t);
        TargetCoverage row;
        CONFORM_TRY(row.contract, r.string((*targets)[t], tp, "contract"));
        CONFORM_TRY(row.target, r.string((*targets)[t], tp, "target"));
        CONFORM_TRY(const json* operations, r.array((*targets)[t], tp, "operations"));
        for (std::size_t o = 0; o < operations->size(); ++o) {
            CONFORM_TRY(OperationCoverage op,
                        read_operation_coverage(r, (*operations)[o],
                                                Reader::at(Reader::at(tp, "operations"), o)));
            row.operations.push_back(std::move(op));
        }
        coverage.targets.push_back(std::move(row));
    }
    return coverage;
}

// One target of report.json: a TargetRecord per endpoint, then its cases.
core::Result<void> read_target(const Reader& r, const json& target, const std::string& tp,
                               ReportModel& model) {
    CONFORM_TRY(const std::string name, r.string(target, tp, "name"));
    CONFORM_TRY(const json* endpoints, r.array(target, tp, "endpoints"));
    for (std::size_t e = 0; e < endpoints->size(); ++e) {
        const json& endpoint = (*endpoints)[e];
        const std::string ep = Reader::at(Reader::at(tp, "endpoints"), e);
        TargetRecord record;
        record.info.name = name;
        CONFORM_TRY(record.info.contract, r.string(endpoint, ep, "contract"));
        CONFORM_TRY(record.info.target, r.string(endpoint, ep, "url"));
        CONFORM_TRY(record.info.persona, r.string(endpoint, ep, "persona"));
        CONFORM_TRY(record.reachable, r.boolean(endpoint, ep, "reachable"));
        CONFORM_TRY(record.error, r.string(endpoint, ep, "error", false));
        CONFORM_TRY(const json* unresponsive,
                    r.member(endpoint, ep, "unresponsive", json::value_t::object, false));
        if (unresponsive) {
            const std::string up = Reader::at(ep, "unresponsive");
            Unresponsive u;
            CONFORM_TRY(u.reason, r.string(*unresponsive, up, "reason"));
            CONFORM_TRY(u.evidence, r.strings(*unresponsive, up, "evidence"));
            record.unresponsive = std::move(u);
        }
        model.targets.push_back(std::move(record));
    }
    CONFORM_TRY(const json* cases, r.array(target, tp, "cases"));
    for (std::size_t c = 0; c < cases->size(); ++c) {
        CONFORM_TRY(CaseResult result,
                    read_case(r, (*cases)[c], Reader::at(Reader::at(tp, "cases"), c), name));
        model.cases.push_back(std::move(result));
    }
    return {};
}

core::Result<RunSummary> read_summary(const Reader& r, const json& document) {
    CONFORM_TRY(const json* summary,
                r.member(document, std::string(), "summary", json::value_t::object, true));
    const std::string sp = "/summary";
    RunSummary s;
    CONFORM_TRY(s.cases, r.count(*summary, sp, "cases"));
    CONFORM_TRY(s.passed, r.count(*summary, sp, "passed"));
    CONFORM_TRY(s.failed, r.count(*summary, sp, "failed"));
    CONFORM_TRY(s.skipped, r.count(*summary, sp, "skipped"));
    CONFORM_TRY(s.deviations, r.count(*summary, sp, "deviations"));
    CONFORM_TRY(s.errors, r.count(*summary, sp, "errors"));
    CONFORM_TRY(s.warnings, r.count(*summary, sp, "warnings"));
    CONFORM_TRY(s.accepted, r.count(*summary, sp, "accepted", false));
    CONFORM_TRY(s.fixed, r.count(*summary, sp, "fixed", false));
    CONFORM_TRY(s.unreachable_targets, r.count(*summary, sp, "unreachable_targets"));
    CONFORM_TRY(s.seconds, r.number(*summary, sp, "seconds"));
    return s;
}

core::Result<BaselineOutcome> read_baseline_outcome(const Reader& r, const json& baseline) {
    BaselineOutcome b;
    const std::string bp = "/baseline";
    CONFORM_TRY(b.file, r.string(baseline, bp, "file"));
    CONFORM_TRY(b.accepted, r.count(baseline, bp, "accepted"));
    CONFORM_TRY(b.expired, r.count(baseline, bp, "expired"));
    CONFORM_TRY(const json* fixed, r.array(baseline, bp, "fixed"));
    for (std::size_t i = 0; i < fixed->size(); ++i) {
        CONFORM_TRY(BaselineEntry e,
                    read_baseline_entry(r, (*fixed)[i], Reader::at(bp + "/fixed", i)));
        b.fixed.push_back(std::move(e));
    }
    return b;
}

} // namespace

core::Result<ReportModel> parse_report(const json& document, std::string_view file) {
    const Reader r(file);
    const std::string root;
    if (!document.is_object())
        return r.error(root, "a report is a JSON object");
    const auto version = document.find("conform_report");
    if (version == document.end())
        return r.error(root, "not a conform report: missing \"conform_report\"");
    if (!version->is_number_integer() || version->get<long long>() != k_report_version)
        return r.error("/conform_report", "unsupported report version " + version->dump() +
                                              " (this conform reads version " +
                                              std::to_string(k_report_version) + ")");
    ReportModel model;
    CONFORM_TRY(model.tool, r.string(document, root, "tool"));
    CONFORM_TRY(model.run.started_at, r.string(document, root, "started_at"));
    CONFORM_TRY(model.run.arguments, r.strings(document, root, "arguments"));
    CONFORM_TRY(model.run.shard, r.string(document, root, "shard", false));
    CONFORM_TRY(const json* targets, r.array(document, root, "targets"));
    for (std::size_t t = 0; t < targets->size(); ++t)
        CONFORM_CHECK(read_target(r, (*targets)[t], Reader::at("/targets", t), model));
    // report.json groups cases by target; the model keeps the run's order (plan_index).
    std::stable_sort(
        model.cases.begin(), model.cases.end(),
        [](const CaseResult& a, const CaseResult& b) { return a.plan_index < b.plan_index; });
    CONFORM_TRY(model.summary, read_summary(r, document));
    CONFORM_TRY(const json* baseline,
                r.member(document, root, "baseline", json::value_t::object, false));
    if (baseline) {
        CONFORM_TRY(BaselineOutcome b, read_baseline_outcome(r, *baseline));
        model.baseline = std::move(b);
    }
    CONFORM_TRY(const json* coverage,
                r.member(document, root, "coverage", json::value_t::object, false));
    if (coverage) {
        CONFORM_TRY(Coverage c, read_coverage(r, *coverage));
        model.coverage = std::move(c);
    }
    return model;
}

core::Result<ReportModel> load_report(const std::filesystem::path& file) {
    CONFORM_TRY(const json document, core::load_json_file(file));
    return parse_report(document, file.string());
}

// ---- baselines ----

core::Result<Baseline> parse_baseline(const json& document, std::string_view file) {
    const Reader r(file);
    if (!document.is_object())
        return r.error("", "a baseline is a JSON object");
    const auto version = document.find("conform_baseline");
    if (version == document.end())
        return r.error("", "not a conform baseline: missing \"conform_baseline\"");
    if (!version->is_number_integer() || version->get<long long>() != k_baseline_version)
        return r.error("/conform_baseline", "unsupported baseline version " + version->dump() +
                                                " (this conform reads version " +
                                                std::to_string(k_baseline_version) + ")");
    CONFORM_TRY(const json* entries, r.array(document, "", "entries"));
    std::map<std::string, BaselineEntry> by_key;
    for (std::size_t i = 0; i < entries->size(); ++i) {
        const std::string p = Reader::at("/entries", i);
        CONFORM_TRY(BaselineEntry e, read_baseline_entry(r, (*entries)[i], p));
        if (!core::parse_deviation_id(e.id))
            return r.error(Reader::at(p, "id"), "unknown deviation id \"" + e.id + "\"");
        std::string key = e.key();
        if (!by_key.emplace(std::move(key), std::move(e)).second)
            return r.error(p, "the same deviation is listed twice");
    }
    Baseline baseline;
    for (auto& [key, e] : by_key)
        baseline.entries.push_back(std::move(e));
    return baseline;
}

core::Result<Baseline> load_baseline(const std::filesystem::path& file) {
    CONFORM_TRY(const json document, core::load_json_file(file));
    return parse_baseline(document, file.string());
}

std::string render_baseline(const Baseline& baseline) {
    ordered entries = ordered::array();
    for (const BaselineEntry& e : baseline.entries)
        entries.push_back(baseline_entry_json(e));
    const ordered document = {{"conform_baseline", k_baseline_version},
                              {"entries", std::move(entries)}};
    return document.dump(2, ' ', false, ordered::error_handler_t::replace) + '\n';
}

} // namespace conform::report
