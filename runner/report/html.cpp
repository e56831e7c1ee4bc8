// One self-contained HTML page: inline CSS, a few lines of inline JS for the filter by
// deviation id and for sorting the coverage tables, no external resource of any kind (it is opened
// from CI artifacts, offline). Every piece of run data is escaped; the script reads only data-id
// attributes.

#include <algorithm>
#include <cstdio>

#include "runner/report/internal/text.hpp"

namespace conform::report {
namespace {

using internal::escape_html;

constexpr std::string_view k_style = R"(<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem;color:#1f2328;background:#fff}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:1px solid #d0d7de}
h3{font-size:1rem;margin:0 0 .5rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
pre{background:#f6f8fa;padding:.5rem;overflow:auto;max-height:24rem;white-space:pre-wrap;word-break:break-all}
.pass{background:#dafbe1}.fail{background:#ffebe9}.skip{background:#eaeef2;color:#57606a}.none{color:#8c959f}
.totals span{margin-right:1rem}.sev-error{color:#cf222e;font-weight:600}.sev-warning{color:#9a6700;font-weight:600}.sev-info{color:#57606a}
article{border:1px solid #d0d7de;border-radius:6px;padding:.75rem;margin:.75rem 0}
dl{display:grid;grid-template-columns:max-content auto;gap:.15rem 1rem;margin:.25rem 0}dt{color:#57606a}dd{margin:0}
table.sortable th{cursor:pointer}table.sortable th[aria-sort=ascending]::after{content:" \25B2"}table.sortable th[aria-sort=descending]::after{content:" \25BC"}
.partial{background:#fff8c5}tr.total td{font-weight:600}
</style>
)";

// Shows only the deviations whose data-id matches the selected one; a link ending in
// #id=<deviation id> opens the page filtered (and choosing an id updates the address).
constexpr std::string_view k_script = R"(<script>
(function(){var f=document.getElementById('filter');if(!f)return;
function apply(){var v=f.value;document.querySelectorAll('article.deviation').forEach(function(a){a.hidden=v!==''&&a.getAttribute('data-id')!==v;});}
f.addEventListener('change',function(){apply();try{history.replaceState(null,'',f.value?'#id='+f.value:'#');}catch(e){}});
var m=/^#id=(.+)$/.exec(location.hash);if(m){f.value=decodeURIComponent(m[1]);apply();}})();
(function(){document.querySelectorAll('table.sortable').forEach(function(t){var hs=t.tHead.rows[0].cells;
function key(r,i){var c=r.cells[i];var s=c.getAttribute('data-sort');return s!==null?parseFloat(s):c.textContent;}
Array.prototype.forEach.call(hs,function(h,i){h.addEventListener('click',function(){var up=h.getAttribute('aria-sort')!=='ascending';
var b=t.tBodies[0];var rs=Array.prototype.slice.call(b.rows);rs.sort(function(x,y){var a=key(x,i),c=key(y,i);var d=typeof a==='number'&&typeof c==='number'?a-c:String(a).localeCompare(String(c));return up?d:-d;});
rs.forEach(function(r){b.appendChild(r);});Array.prototype.forEach.call(hs,function(o){o.removeAttribute('aria-sort');});h.setAttribute('aria-sort',up?'ascending':'descending');});});});})();
</script>
)";

std::string_view status_class(const CaseResult* c) {
    if (!c)
        return "none";
    if (!c->skipped.empty())
        return "skip";
    return c->passed() ? "pass" : "fail";
}

void totals(std::string& out, const ReportModel& model) {
    const RunSummary& s = model.summary;
    out += "<header>\n<h1>conform report</h1>\n<p class=\"totals\"><span><b>" +
           internal::plural(s.cases, "case", "cases") + "</b></span><span class=\"pass\">" +
           std::to_string(s.passed) + " passed</span><span class=\"fail\">" +
           std::to_string(s.failed) + " failed</span><span class=\"skip\">" +
           std::to_string(s.skipped) + " skipped</span><span><b>" +
           internal::plural(s.deviations, "deviation", "deviations") + "</b> (" +
           std::to_string(s.errors) + " errors, " + std::to_string(s.warnings) +
           " warnings)</span>";
    if (s.unreachable_targets)
        out +=
            "<span class=\"fail\">" + std::to_string(s.unreachable_targets) + " unreachable</span>";
    out += "<span>" + internal::format_seconds(s.seconds) + " s</span></p>\n";
    out += "<p>" + escape_html(model.tool);
    if (!model.run.started_at.empty())
        out += ", started " + escape_html(model.run.started_at);
    out += "</p>\n";
    if (!model.run.arguments.empty()) {
        std::string args;
        for (const std::string& a : model.run.arguments)
            args += (args.empty() ? "" : " ") + a;
        out += "<p><code>" + escape_html(args) + "</code></p>\n";
    }
    out += "</header>\n";
}

void matrices(std::string& out, const ReportModel& model) {
    const internal::Matrix m = internal::build_matrix(model);
    if (m.rows.empty())
        return;
    out += "<section>\n<h2>Conformance matrix</h2>\n<table class=\"matrix\">\n<thead><tr>"
           "<th>contract</th><th>operation</th>";
    for (const std::string& t : m.targets)
        out += "<th>" + escape_html(t) + "</th>";
    out += "</tr></thead>\n<tbody>\n";
    const auto rows = internal::summary_rows(model.cases);
    // Operations in first-seen order; one cell per target, coloured by its worst case.
    std::vector<std::pair<std::string, std::string>> operations;
    for (const internal::SummaryRow& r : rows)
        if (std::find(operations.begin(), operations.end(), std::pair{r.contract, r.operation}) ==
            operations.end())
            operations.emplace_back(r.contract, r.operation);
    for (const auto& [contract, operation] : operations) {
        out += "<tr><td>" + escape_html(contract) + "</td><td>" + escape_html(operation) + "</td>";
        for (const std::string& t : m.targets) {
            const auto r = std::find_if(rows.begin(), rows.end(), [&](const auto& row) {
                return row.contract == contract && row.operation == operation && row.target == t;
            });
            if (r == rows.end()) {
                out += "<td class=\"none\">-</td>";
                continue;
            }
            const std::string_view cls = r->failed ? "fail" : r->passed ? "pass" : "skip";
            std::string text =
                std::to_string(r->passed) + "/" + std::to_string(r->cases) + " passed";
            if (r->skipped)
                text += ", " + std::to_string(r->skipped) + " skipped";
            if (r->deviations)
                text += ", " + internal::plural(r->deviations, "deviation", "deviations");
            out += "<td class=\"" + std::string(cls) + "\">" + escape_html(text) + "</td>";
        }
        out += "</tr>\n";
    }
    out += "</tbody>\n</table>\n<h3>Cases</h3>\n<table class=\"cases\">\n<thead><tr>"
           "<th>contract</th><th>operation</th><th>case</th>";
    for (const std::string& t : m.targets)
        out += "<th>" + escape_html(t) + "</th>";
    out += "</tr></thead>\n<tbody>\n";
    for (const internal::MatrixRow& row : m.rows) {
        out += "<tr><td>" + escape_html(row.contract) + "</td><td>" + escape_html(row.operation) +
               "</td><td><code>" + escape_html(row.case_name) + "</code></td>";
        for (const CaseResult* c : row.cells) {
            out += "<td class=\"" + std::string(status_class(c)) + "\"";
            if (c && !c->skipped.empty())
                out += " title=\"" + escape_html(c->skipped) + "\"";
            out += ">" + escape_html(internal::cell_text(c)) + "</td>";
        }
        out += "</tr>\n";
    }
    out += "</tbody>\n</table>\n</section>\n";
}

void exchange_block(std::string& out, const nlohmann::json& exchange) {
    std::string text = internal::request_line(exchange);
    if (const std::string response = internal::response_line(exchange); !response.empty())
        text += (text.empty() ? "" : "\n") + response;
    if (const std::string body = internal::response_body(exchange); !body.empty())
        text += "\n\n" + body;
    out += "<details><summary>request and response</summary><pre>" + escape_html(text) +
           "</pre></details>\n";
}

void deviations_section(std::string& out, const ReportModel& model) {
    const auto groups = internal::group_by_id(model.cases);
    if (groups.empty())
        return;
    out += "<section>\n<h2>Deviations</h2>\n<p><label>Filter by id <select id=\"filter\">"
           "<option value=\"\">all</option>";
    for (const auto& [id, list] : groups)
        out += "<option value=\"" + escape_html(core::name_of(id)) + "\">" +
               escape_html(core::name_of(id)) + " (" + std::to_string(list.size()) + ")</option>";
    out += "</select></label></p>\n";
    for (const auto& [id, list] : groups)
        for (const internal::Occurrence& o : list) {
            const core::Deviation& d = o.deviation();
            const CaseResult& c = *o.case_result;
            const std::string name(core::name_of(id));
            const std::string severity(core::name_of(d.severity));
            out += "<article class=\"deviation\" data-id=\"" + escape_html(name) +
                   "\">\n<h3><code>" + escape_html(name) + "</code> <span class=\"sev-" + severity +
                   "\">" + severity + "</span> " +
                   escape_html(internal::case_label(c) + " @ " + c.target) + "</h3>\n";
            if (!d.message.empty())
                out += "<p>" + escape_html(d.message) + "</p>\n";
            out += "<dl>\n";
            const auto row = [&](std::string_view term, const std::string& value, bool code) {
                if (value.empty())
                    return;
                out += "<dt>" + std::string(term) + "</dt><dd>" + (code ? "<code>" : "") +
                       escape_html(value) + (code ? "</code>" : "") + "</dd>\n";
            };
            row("pointer", internal::pointer_text(d.instance_pointer), true);
            if (d.count > 1)
                row("count", std::to_string(d.count), false);
            row("schema", d.schema_pointer, true);
            row("kind", d.kind, false);
            row("expected", d.expected, false);
            row("actual", d.actual, false);
            row("doc", internal::source_text(d), true);
            row("check", o.check->name, false);
            row("fingerprint", d.fingerprint(), true);
            out += "</dl>\n";
            if (const nlohmann::json* exchange = internal::exchange_of(c, *o.check, o.index))
                exchange_block(out, *exchange);
            out += "</article>\n";
        }
    out += "</section>\n";
}

// Each write scenario with its steps (request, answer, verdict), in run order.
void scenarios_section(std::string& out, const ReportModel& model) {
    std::string items;
    for (const CaseResult& c : model.cases) {
        const std::vector<std::string> steps = internal::step_lines(c, true);
        if (steps.empty())
            continue;
        items += "<details><summary>" +
                 escape_html(internal::case_label(c) + " @ " + c.target + ": " +
                             std::string(internal::case_status(c))) +
                 "</summary>\n<ol>\n";
        for (const std::string& line : steps) {
            const auto dot = line.find(". ");
            items += "<li><code>" +
                     escape_html(dot == std::string::npos ? line : line.substr(dot + 2)) +
                     "</code></li>\n";
        }
        items += "</ol>\n</details>\n";
    }
    if (!items.empty())
        out += "<section>\n<h2>Write scenarios</h2>\n" + items + "</section>\n";
}

void notes(std::string& out, const ReportModel& model) {
    std::string unreachable;
    for (const TargetRecord& t : model.targets)
        if (!t.reachable)
            unreachable += "<li>" +
                           escape_html(t.info.contract + " @ " + t.info.display_name() + " (" +
                                       t.info.target + "): " + t.error) +
                           "</li>\n";
    if (!unreachable.empty())
        out +=
            "<section>\n<h2>Unreachable targets</h2>\n<ul>\n" + unreachable + "</ul>\n</section>\n";
    std::string unresponsive;
    for (const TargetRecord& t : model.targets)
        if (t.unresponsive) {
            unresponsive += "<li>" +
                            escape_html(t.info.contract + " @ " + t.info.display_name() + ": " +
                                        t.unresponsive->reason) +
                            "<ul>\n";
            for (const std::string& line : t.unresponsive->evidence)
                unresponsive += "<li>" + escape_html(line) + "</li>\n";
            unresponsive += "</ul></li>\n";
        }
    if (!unresponsive.empty())
        out += "<section>\n<h2>Unresponsive targets</h2>\n<ul>\n" + unresponsive +
               "</ul>\n</section>\n";
    std::string environment;
    for (const CaseResult& c : model.cases)
        for (const std::string& note : c.environment)
            environment += "<li><code>" + escape_html(internal::case_label(c)) + "</code> @ " +
                           escape_html(c.target) + ": " + escape_html(note) + "</li>\n";
    if (!environment.empty())
        out += "<section>\n<h2>Environment (not deviations)</h2>\n<ul>\n" + environment +
               "</ul>\n</section>\n";
}

void baseline(std::string& out, const ReportModel& model) {
    if (!model.baseline)
        return;
    out += "<section id=\"baseline\">\n<h2>Baseline</h2>\n<p>" +
           escape_html(internal::baseline_line(model)) + "</p>\n";
    const auto accepted = internal::accepted_occurrences(model.cases);
    if (!accepted.empty()) {
        out += "<details><summary>accepted deviations</summary>\n<ul>\n";
        for (const internal::Occurrence& o : accepted)
            out +=
                "<li><code>" + escape_html(core::name_of(o.deviation().id)) + "</code> " +
                escape_html(internal::case_label(*o.case_result) + " @ " + o.case_result->target +
                            " at " + internal::pointer_text(o.deviation().instance_pointer) + ": " +
                            o.deviation().message) +
                "</li>\n";
        out += "</ul>\n</details>\n";
    }
    if (!model.baseline->fixed.empty()) {
        out +=
            "<p>Fixed since the baseline (remove with <code>--write-baseline</code>):</p>\n<ul>\n";
        for (const BaselineEntry& e : model.baseline->fixed)
            out += "<li class=\"pass\">" + escape_html(internal::fixed_entry_text(e)) + "</li>\n";
        out += "</ul>\n";
    }
    out += "</section>\n";
}

// A table per contract, sortable by any column (a click on its header): a row per target and
// operation and the target's totals, then what no exchange reached and the gate's failures.
void coverage_section(std::string& out, const ReportModel& model) {
    if (!model.coverage)
        return;
    const Coverage& c = *model.coverage;
    out += "<section>\n<h2>Coverage</h2>\n";
    std::vector<std::string> contracts;
    for (const TargetCoverage& row : c.targets)
        if (std::find(contracts.begin(), contracts.end(), row.contract) == contracts.end())
            contracts.push_back(row.contract);
    constexpr CoverageMetric k_columns[] = {CoverageMetric::operations, CoverageMetric::params,
                                            CoverageMetric::values,     CoverageMetric::fields,
                                            CoverageMetric::codes,      CoverageMetric::pages};
    const auto cell = [](const Ratio& r) {
        char sort[32];
        std::snprintf(sort, sizeof sort, "%.3f", r.percent());
        return std::string("<td data-sort=\"") + sort + "\"" +
               (r.covered < r.documented ? " class=\"partial\"" : "") + ">" +
               escape_html(internal::ratio_text(r)) + "</td>";
    };
    for (const std::string& contract : contracts) {
        out += "<h3>" + escape_html(contract) +
               "</h3>\n<table class=\"coverage sortable\">\n<thead><tr><th>target</th>"
               "<th>operation</th><th>exchanges</th>";
        for (CoverageMetric m : k_columns)
            out += "<th>" + escape_html(name_of(m)) + "</th>";
        out += "<th>not covered</th></tr></thead>\n<tbody>\n";
        for (const TargetCoverage& row : c.targets) {
            if (row.contract != contract)
                continue;
            std::size_t exchanges = 0;
            for (const OperationCoverage& op : row.operations)
                exchanges += op.exchanges;
            out += "<tr class=\"total\"><td>" + escape_html(row.target) +
                   "</td><td>(all)</td><td data-sort=\"" + std::to_string(exchanges) + "\">" +
                   std::to_string(exchanges) + "</td>";
            for (CoverageMetric m : k_columns)
                out += cell(row.ratio(m));
            out += "<td></td></tr>\n";
            for (const OperationCoverage& op : row.operations) {
                const TargetCoverage one{row.contract, row.target, {op}};
                out += "<tr><td>" + escape_html(row.target) + "</td><td>" + escape_html(op.name) +
                       "</td><td data-sort=\"" + std::to_string(op.exchanges) + "\">" +
                       std::to_string(op.exchanges) + "</td>";
                for (CoverageMetric m : k_columns)
                    out += cell(one.ratio(m));
                out += "<td>" + escape_html(internal::uncovered_text(op, 0)) + "</td></tr>\n";
            }
        }
        out += "</tbody>\n</table>\n";
    }
    if (const auto unreached = c.unreached(); !unreached.empty()) {
        out += "<p>No exchange reached:";
        for (const std::string& name : unreached)
            out += " <code>" + escape_html(name) + "</code>";
        out += "</p>\n";
    }
    if (!c.failures.empty()) {
        out += "<p class=\"fail\"><b>Coverage below the gate:</b></p>\n<ul>\n";
        for (const std::string& f : c.failures)
            out += "<li>" + escape_html(f) + "</li>\n";
        out += "</ul>\n";
    }
    out += "</section>\n";
}

} // namespace

std::string render_html(const ReportModel& model) {
    std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                      "<title>conform report</title>\n";
    out += k_style;
    out += "</head>\n<body>\n";
    totals(out, model);
    notes(out, model);
    matrices(out, model);
    deviations_section(out, model);
    scenarios_section(out, model);
    coverage_section(out, model);
    baseline(out, model);
    out += k_script;
    out += "</body>\n</html>\n";
    return out;
}

} // namespace conform::report
