// Coverage: the recorder the engine feeds exchange by exchange, the gate (--min-coverage,
// --fail-on-unobserved) and the merge of shards. coverage.hpp says what is counted.

#include "runner/report/internal/coverage.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>

#include "runner/core/json_pointer.hpp"
#include "runner/report/internal/text.hpp"

namespace conform::report {

// ---- names ----

namespace {

constexpr std::string_view k_page_shape_names[k_page_shapes] = {"first", "middle", "last",
                                                                "past-end"};

} // namespace

std::string_view name_of(PageShape shape) noexcept {
    return k_page_shape_names[static_cast<std::size_t>(shape)];
}

std::optional<PageShape> parse_page_shape(std::string_view name) noexcept {
    for (std::size_t i = 0; i < k_page_shapes; ++i)
        if (k_page_shape_names[i] == name)
            return static_cast<PageShape>(i);
    return std::nullopt;
}

std::string_view name_of(CoverageMetric metric) noexcept {
    for (const MetricInfo& m : k_coverage_metrics)
        if (m.metric == metric)
            return m.name;
    return "?";
}

std::optional<CoverageMetric> parse_coverage_metric(std::string_view name) noexcept {
    for (const MetricInfo& m : k_coverage_metrics)
        if (m.name == name)
            return m.metric;
    return std::nullopt;
}

std::string coverage_metric_names() {
    std::string out;
    for (const MetricInfo& m : k_coverage_metrics)
        out += (out.empty() ? "" : ", ") + std::string(m.name);
    return out;
}

std::string percent_text(double percent) {
    // Floored to a tenth, so that 99.96% never shows as 100% while something is missing.
    const double tenths = std::floor(percent * 10.0 + 1e-9);
    char text[32];
    if (std::fmod(tenths, 10.0) == 0.0)
        std::snprintf(text, sizeof text, "%.0f%%", tenths / 10.0);
    else
        std::snprintf(text, sizeof text, "%.1f%%", tenths / 10.0);
    return text;
}

std::string code_text(const nlohmann::json& code) {
    return code.is_string() ? code.get<std::string>() : code.dump();
}

// ---- ratios ----

Ratio TargetCoverage::ratio(CoverageMetric metric) const {
    Ratio r;
    for (const OperationCoverage& op : operations) {
        switch (metric) {
        case CoverageMetric::operations:
            r.documented += 1;
            r.covered += op.exercised();
            break;
        case CoverageMetric::params:
            for (const ParamCoverage& p : op.params) {
                r.documented += 1;
                r.covered += p.sent;
            }
            break;
        case CoverageMetric::values:
            for (const ParamCoverage& p : op.params) {
                r.documented += p.values.size();
                r.covered += p.values_sent.size();
            }
            break;
        case CoverageMetric::fields:
            r.documented += op.fields.size();
            r.covered += op.fields.size() - op.fields_missing.size();
            break;
        case CoverageMetric::codes:
            for (const nlohmann::json& code : op.codes) {
                r.documented += 1;
                r.covered += std::find(op.codes_observed.begin(), op.codes_observed.end(), code) !=
                             op.codes_observed.end();
            }
            break;
        case CoverageMetric::pages:
            if (op.pages) {
                r.documented += k_page_shapes;
                r.covered += op.pages_seen.size();
            }
            break;
        }
    }
    return r;
}

std::vector<std::string> Coverage::unreached() const {
    std::vector<std::string> out;
    for (const std::string& c : contracts)
        if (std::none_of(targets.begin(), targets.end(),
                         [&](const TargetCoverage& t) { return t.contract == c; }))
            out.push_back(c);
    return out;
}

// ---- the gate ----

core::Result<std::vector<std::pair<CoverageMetric, double>>>
parse_min_coverage(std::string_view text) {
    std::vector<std::pair<CoverageMetric, double>> out;
    const auto bad = [&](const std::string& why) {
        return core::fail("--min-coverage expects NAME=PERCENT[,NAME=PERCENT...] with NAME one "
                          "of " +
                          coverage_metric_names() + " (e.g. operations=90,fields=80): " + why);
    };
    std::size_t at = 0;
    while (at <= text.size()) {
        const std::size_t comma = std::min(text.find(',', at), text.size());
        const std::string_view item = text.substr(at, comma - at);
        at = comma + 1;
        const std::size_t eq = item.find('=');
        if (eq == std::string_view::npos)
            return bad("\"" + std::string(item) + "\" has no =PERCENT");
        const std::string_view name = item.substr(0, eq);
        std::string_view number = item.substr(eq + 1);
        if (number.ends_with('%'))
            number.remove_suffix(1);
        const auto metric = parse_coverage_metric(name);
        if (!metric)
            return bad("no measure named \"" + std::string(name) + "\"");
        double percent = 0;
        const auto [end, ec] =
            std::from_chars(number.data(), number.data() + number.size(), percent);
        if (ec != std::errc() || end != number.data() + number.size() || number.empty() ||
            !(percent >= 0 && percent <= 100))
            return bad("\"" + std::string(item) + "\": the percent is a number from 0 to 100");
        if (std::any_of(out.begin(), out.end(), [&](const auto& m) { return m.first == *metric; }))
            return bad(std::string(name) + " is given twice");
        out.emplace_back(*metric, percent);
    }
    return out;
}

namespace {

// "[QUALIFIER:]ITEM" -> (qualifier, item). A field starts with "/"; a qualifier never does.
std::pair<std::string_view, std::string_view> split_unobserved(std::string_view spec) {
    if (spec.starts_with('/'))
        return {{}, spec};
    const std::size_t colon = spec.find(':');
    if (colon == std::string_view::npos || colon == 0)
        return {{}, spec};
    return {spec.substr(0, colon), spec.substr(colon + 1)};
}

// The share of a list people read: the first few, then how many more.
std::string coverage_list(const std::vector<std::string>& items, std::size_t shown = 10) {
    std::string out;
    for (std::size_t i = 0; i < items.size() && i < shown; ++i)
        out += (i ? ", " : "") + items[i];
    if (items.size() > shown)
        out += ", and " + std::to_string(items.size() - shown) + " more";
    return out;
}

// What a row misses of one measure, as "what: items" for a failure message.
std::string coverage_missing_text(const TargetCoverage& row, CoverageMetric metric) {
    std::vector<std::string> items;
    for (const OperationCoverage& op : row.operations) {
        switch (metric) {
        case CoverageMetric::operations:
            if (!op.exercised())
                items.push_back(op.name);
            break;
        case CoverageMetric::params:
            for (const ParamCoverage& p : op.params)
                if (!p.sent)
                    items.push_back(op.name + " " + p.name);
            break;
        case CoverageMetric::values:
            for (const ParamCoverage& p : op.params)
                for (const std::string& v : p.values)
                    if (std::find(p.values_sent.begin(), p.values_sent.end(), v) ==
                        p.values_sent.end())
                        items.push_back(op.name + " " + p.name + "=" + v);
            break;
        case CoverageMetric::fields:
            for (const std::string& f : op.fields_missing)
                items.push_back(op.name + " " + f);
            break;
        case CoverageMetric::codes:
            for (const nlohmann::json& c : op.codes)
                if (std::find(op.codes_observed.begin(), op.codes_observed.end(), c) ==
                    op.codes_observed.end())
                    items.push_back(op.name + " " + code_text(c));
            break;
        case CoverageMetric::pages:
            if (op.pages)
                for (std::size_t s = 0; s < k_page_shapes; ++s) {
                    const auto shape = static_cast<PageShape>(s);
                    if (std::find(op.pages_seen.begin(), op.pages_seen.end(), shape) ==
                        op.pages_seen.end())
                        items.push_back(op.name + " " + std::string(name_of(shape)));
                }
            break;
        }
    }
    static constexpr std::string_view k_what[] = {"not exercised",  "never sent",     "never sent",
                                                  "never observed", "never observed", "never seen"};
    return std::string(k_what[static_cast<std::size_t>(metric)]) + ": " + coverage_list(items);
}

std::string number_text(double value) {
    std::string text = percent_text(value);
    text.pop_back(); // the %
    return text;
}

// Whether the qualifier picks the operation of the row (no qualifier picks every one).
bool picks(std::string_view qualifier, const TargetCoverage& row, const OperationCoverage& op) {
    return qualifier.empty() || qualifier == row.contract || qualifier == op.name ||
           qualifier == row.contract + "/" + op.name;
}

} // namespace

core::Result<void> check_unobserved_item(std::string_view spec) {
    const auto [qualifier, item] = split_unobserved(spec);
    if (item.empty())
        return core::fail("--fail-on-unobserved expects a field (/RepoSet/*/RepoName) or a status "
                          "code (230), optionally after CONTRACT:, OPERATION: or "
                          "CONTRACT/OPERATION:; got \"" +
                          std::string(spec) + "\"");
    if (item.starts_with('/') && !core::parse_pointer(item))
        return core::fail("--fail-on-unobserved: \"" + std::string(item) +
                          "\" is not a field path (/A/*/B, ~0 and ~1 escaping ~ and /)");
    return {};
}

std::vector<std::string> judge_coverage(const Coverage& coverage) {
    std::vector<std::string> out;
    for (const auto& [metric, minimum] : coverage.gate.minimum) {
        const std::string name(name_of(metric));
        const std::string gate = "--min-coverage " + name + "=" + number_text(minimum);
        for (const TargetCoverage& row : coverage.targets) {
            const Ratio r = row.ratio(metric);
            // covered/documented < minimum/100, exactly (no rounding lets 89.99% pass 90).
            if (static_cast<double>(r.covered) * 100.0 >=
                minimum * static_cast<double>(r.documented))
                continue;
            out.push_back(row.contract + " @ " + row.target + ": " + name + " " +
                          percent_text(r.percent()) + " (" + std::to_string(r.covered) + " of " +
                          std::to_string(r.documented) + ") is below " + gate + "; " +
                          coverage_missing_text(row, metric));
        }
        if (metric == CoverageMetric::operations && minimum > 0)
            for (const std::string& c : coverage.unreached())
                out.push_back(c + ": no exchange reached it (operations 0%), below " + gate +
                              " (name the contracts the traffic is for with --contract)");
    }
    for (const std::string& spec : coverage.gate.observe) {
        // Named, not structured bindings: clang 14 (the fuzz build) cannot capture those.
        const std::pair<std::string_view, std::string_view> split = split_unobserved(spec);
        const std::string_view qualifier = split.first, item = split.second;
        const bool field = item.starts_with('/');
        bool concerned = false;
        for (const TargetCoverage& row : coverage.targets) {
            bool row_concerned = false, seen = false;
            std::vector<std::string> where;
            for (const OperationCoverage& op : row.operations) {
                if (!picks(qualifier, row, op))
                    continue;
                if (field) {
                    if (std::find(op.fields.begin(), op.fields.end(), item) == op.fields.end())
                        continue;
                    row_concerned = true;
                    where.push_back(op.name);
                    seen = seen || std::find(op.fields_missing.begin(), op.fields_missing.end(),
                                             item) == op.fields_missing.end();
                } else {
                    row_concerned = true;
                    seen = seen || std::any_of(op.codes_observed.begin(), op.codes_observed.end(),
                                               [&](const nlohmann::json& c) {
                                                   return code_text(c) == item;
                                               });
                }
            }
            concerned = concerned || row_concerned;
            if (!row_concerned || seen)
                continue;
            out.push_back(row.contract + " @ " + row.target + ": " +
                          (field ? std::string(item) + " (" + coverage_list(where) + ")"
                                 : "status code " + std::string(item)) +
                          " was never observed (--fail-on-unobserved " + spec + ")");
        }
        if (!concerned)
            out.push_back("--fail-on-unobserved " + spec + ": " +
                          (field ? "no operation of the contracts this run judged documents it"
                                 : "no contract or operation of this run is named " +
                                       std::string(qualifier)));
    }
    return out;
}

// ---- what the reporters show ----

namespace internal {

std::string ratio_text(const Ratio& r) {
    if (r.documented == 0)
        return "-";
    return std::to_string(r.covered) + "/" + std::to_string(r.documented) + " " +
           percent_text(r.percent());
}

std::string undocumented_codes_text(const OperationCoverage& op) {
    std::vector<std::string> codes;
    for (const nlohmann::json& c : op.codes_observed)
        if (std::find(op.codes.begin(), op.codes.end(), c) == op.codes.end())
            codes.push_back(code_text(c));
    return coverage_list(codes, SIZE_MAX);
}

std::vector<std::string> uncovered_phrases(const OperationCoverage& op, std::size_t shown) {
    std::vector<std::string> out;
    const std::size_t limit = shown == 0 ? SIZE_MAX : shown;
    const auto add = [&](std::string_view what, const std::vector<std::string>& items) {
        if (!items.empty())
            out.push_back(std::string(what) + ": " + coverage_list(items, limit));
    };
    if (!op.exercised())
        out.emplace_back("not exercised");
    std::vector<std::string> params, values, codes, pages;
    for (const ParamCoverage& p : op.params) {
        if (!p.sent)
            params.push_back(p.name);
        for (const std::string& v : p.values)
            if (std::find(p.values_sent.begin(), p.values_sent.end(), v) == p.values_sent.end())
                values.push_back(p.name + "=" + v);
    }
    for (const nlohmann::json& c : op.codes)
        if (std::find(op.codes_observed.begin(), op.codes_observed.end(), c) ==
            op.codes_observed.end())
            codes.push_back(code_text(c));
    if (op.pages)
        for (std::size_t s = 0; s < k_page_shapes; ++s)
            if (std::find(op.pages_seen.begin(), op.pages_seen.end(), static_cast<PageShape>(s)) ==
                op.pages_seen.end())
                pages.emplace_back(name_of(static_cast<PageShape>(s)));
    add("params never sent", params);
    add("enum values never sent", values);
    add("fields never observed", op.fields_missing);
    add("codes never observed", codes);
    add("page shapes never seen", pages);
    if (const std::string undocumented = undocumented_codes_text(op); !undocumented.empty())
        out.push_back("codes observed, not documented: " + undocumented);
    return out;
}

std::string uncovered_text(const OperationCoverage& op, std::size_t shown) {
    std::string text;
    for (const std::string& p : uncovered_phrases(op, shown))
        text += (text.empty() ? "" : "; ") + p;
    return text;
}

} // namespace internal

// ---- merging shards ----

namespace {

void merge_operation(OperationCoverage& into, const OperationCoverage& from) {
    into.exchanges += from.exchanges;
    for (ParamCoverage& p : into.params) {
        const auto other = std::find_if(from.params.begin(), from.params.end(),
                                        [&](const ParamCoverage& q) { return q.name == p.name; });
        if (other == from.params.end())
            continue;
        p.sent = p.sent || other->sent;
        std::vector<std::string> sent;
        for (const std::string& v : p.values)
            if (std::count(p.values_sent.begin(), p.values_sent.end(), v) ||
                std::count(other->values_sent.begin(), other->values_sent.end(), v))
                sent.push_back(v);
        p.values_sent = std::move(sent);
    }
    std::vector<std::string> missing;
    for (const std::string& f : into.fields_missing)
        if (std::count(from.fields_missing.begin(), from.fields_missing.end(), f))
            missing.push_back(f);
    into.fields_missing = std::move(missing);
    for (const nlohmann::json& c : from.codes_observed)
        if (std::find(into.codes_observed.begin(), into.codes_observed.end(), c) ==
            into.codes_observed.end())
            into.codes_observed.push_back(c);
    std::sort(into.codes_observed.begin(), into.codes_observed.end());
    for (PageShape s : from.pages_seen)
        if (std::find(into.pages_seen.begin(), into.pages_seen.end(), s) == into.pages_seen.end())
            into.pages_seen.push_back(s);
    std::sort(into.pages_seen.begin(), into.pages_seen.end());
}

} // namespace

Coverage merge_coverage(const std::vector<const Coverage*>& parts) {
    Coverage out;
    std::set<std::string> contracts;
    std::map<std::pair<std::string, std::string>, TargetCoverage> rows;
    for (const Coverage* part : parts) {
        if (!part)
            continue;
        if (out.gate.empty())
            out.gate = part->gate;
        contracts.insert(part->contracts.begin(), part->contracts.end());
        for (const TargetCoverage& row : part->targets) {
            const auto [it, fresh] = rows.emplace(std::pair{row.contract, row.target}, row);
            if (fresh)
                continue;
            for (const OperationCoverage& op : row.operations) {
                auto same =
                    std::find_if(it->second.operations.begin(), it->second.operations.end(),
                                 [&](const OperationCoverage& o) { return o.name == op.name; });
                if (same == it->second.operations.end())
                    it->second.operations.push_back(op);
                else
                    merge_operation(*same, op);
            }
        }
    }
    out.contracts.assign(contracts.begin(), contracts.end());
    for (auto& [key, row] : rows)
        out.targets.push_back(std::move(row));
    return out;
}

// ---- the recorder ----

// Named, not anonymous: CoverageRecorder::Impl (declared in the header) holds these types, and
// a member of an anonymous-namespace type is an error in a unity build (-Wsubobject-linkage).
namespace recorder_detail {

constexpr std::uint32_t k_no_node = UINT32_MAX;

// One documented field (or the root, or the items of an array) in a tree walked alongside a
// response body. Field bits are numbered in pre-order, so a subtree's fields are [lo, hi).
struct CoverageFieldNode {
    std::string name; // the member name; "" for the body and for items
    bool is_field = false;
    std::uint32_t bit = 0;
    std::uint32_t lo = 0, hi = 0;
    std::vector<std::pair<std::string, std::uint32_t>> members; // sorted by name
    std::uint32_t items = k_no_node;
};

// Length first, then bytes: an order in which most comparisons of names are one of lengths.
inline bool shorter_first(std::string_view a, std::string_view b) noexcept {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
}

struct CoverageOperationIndex {
    const OperationDoc* doc = nullptr;
    std::vector<CoverageFieldNode> nodes; // nodes[0]: the body
    std::uint32_t field_bits = 0;
    std::vector<std::uint32_t> bit_of_field; // doc->fields[i] -> bit; k_no_node: unwalkable
    // name -> doc index, ordered by shorter_first: every exchange looks up each parameter it
    // sent, and most names differ in length, which is compared before any byte.
    std::vector<std::pair<std::string, std::uint32_t>> params;
    std::vector<std::uint32_t> value_base; // doc param -> its first value bit
    std::uint32_t value_bits = 0;
};

struct CoverageContractIndex {
    ContractDoc doc;
    std::vector<std::string> status_tokens;
    bool has_status = false;
    std::vector<CoverageOperationIndex> operations; // as doc.operations (sorted by name)
};

using Words = std::unique_ptr<std::atomic<std::uint64_t>[]>;

Words make_words(std::uint32_t bits) {
    const std::size_t n = (bits + 63) / 64;
    Words w(new std::atomic<std::uint64_t>[n == 0 ? 1 : n]);
    for (std::size_t i = 0; i < (n == 0 ? 1 : n); ++i)
        w[i].store(0, std::memory_order_relaxed);
    return w;
}

bool test_bit(const Words& w, std::uint32_t bit) {
    return (w[bit >> 6].load(std::memory_order_relaxed) >> (bit & 63)) & 1u;
}

// Set once: a load first, so that workers do not fight over a cache line already set.
void set_bit(const Words& w, std::uint32_t bit) {
    const std::uint64_t mask = std::uint64_t{1} << (bit & 63);
    std::atomic<std::uint64_t>& word = w[bit >> 6];
    if (!(word.load(std::memory_order_relaxed) & mask))
        word.fetch_or(mask, std::memory_order_relaxed);
}

bool all_set(const Words& w, std::uint32_t lo, std::uint32_t hi) {
    while (lo < hi) {
        const std::uint32_t word = lo >> 6;
        const std::uint32_t end = std::min<std::uint32_t>(hi, (word + 1) * 64);
        const unsigned width = end - lo;
        const std::uint64_t mask =
            (width == 64 ? ~std::uint64_t{0} : ((std::uint64_t{1} << width) - 1)) << (lo & 63);
        if ((w[word].load(std::memory_order_relaxed) & mask) != mask)
            return false;
        lo = end;
    }
    return true;
}

// Written by every thread that judges (replay's workers): what each exchange writes (the count)
// goes to a cache line of the thread's own, so that it takes from the other threads neither
// their counts' lines nor the line they read the bits' addresses from on every exchange; the
// bits are read before they are set.
struct CoverageOperationState {
    Words fields, params, values, codes;
    std::atomic<std::uint8_t> pages{0};
    // Exchanges seen, counted in slots on their own cache lines, a thread to a slot: jobs
    // judging at once would otherwise pass one line between their cores on every exchange.
    struct alignas(64) Slot {
        std::atomic<std::uint64_t> n{0};
    };
    std::array<Slot, 8> exchanges;
    [[nodiscard]] std::uint64_t exchanges_seen() const {
        std::uint64_t sum = 0;
        for (const Slot& slot : exchanges)
            sum += slot.n.load(std::memory_order_relaxed);
        return sum;
    }
    alignas(64) std::mutex undocumented_mutex;
    std::vector<nlohmann::json> undocumented_codes;
};

struct CoverageRow {
    const CoverageContractIndex* contract = nullptr;
    std::vector<std::unique_ptr<CoverageOperationState>> operations;
};

std::uint32_t add_child(std::vector<CoverageFieldNode>& nodes, std::uint32_t parent,
                        const std::string& token) {
    if (token == "*") {
        if (nodes[parent].items == k_no_node) {
            nodes[parent].items = static_cast<std::uint32_t>(nodes.size());
            nodes.emplace_back();
        }
        return nodes[parent].items;
    }
    for (const auto& [name, index] : nodes[parent].members)
        if (name == token)
            return index;
    const auto index = static_cast<std::uint32_t>(nodes.size());
    nodes[parent].members.emplace_back(token, index);
    nodes.emplace_back().name = token;
    return index;
}

// Pre-order: a field's bit, then its subtree's, so that [lo, hi) is the subtree.
void number_fields(std::vector<CoverageFieldNode>& nodes, std::uint32_t node, std::uint32_t& next) {
    nodes[node].lo = next;
    std::sort(nodes[node].members.begin(), nodes[node].members.end());
    std::vector<std::uint32_t> children;
    for (const auto& member : nodes[node].members)
        children.push_back(member.second);
    if (nodes[node].items != k_no_node)
        children.push_back(nodes[node].items);
    for (const std::uint32_t child : children) {
        if (nodes[child].is_field)
            nodes[child].bit = next++;
        number_fields(nodes, child, next);
    }
    nodes[node].hi = next;
}

CoverageOperationIndex index_operation(const OperationDoc& doc) {
    CoverageOperationIndex op;
    op.doc = &doc;
    op.nodes.emplace_back();
    std::vector<std::uint32_t> node_of_field;
    for (const std::string& path : doc.fields) {
        const auto tokens = core::parse_pointer(path);
        if (!tokens || tokens->empty()) {
            node_of_field.push_back(k_no_node);
            continue;
        }
        std::uint32_t at = 0;
        for (const std::string& t : *tokens)
            at = add_child(op.nodes, at, t);
        if (tokens->back() == "*") { // an array's items are no field of their own
            node_of_field.push_back(k_no_node);
            continue;
        }
        op.nodes[at].is_field = true;
        node_of_field.push_back(at);
    }
    number_fields(op.nodes, 0, op.field_bits);
    for (const std::uint32_t node : node_of_field)
        op.bit_of_field.push_back(node == k_no_node ? k_no_node : op.nodes[node].bit);
    for (std::uint32_t i = 0; i < doc.params.size(); ++i) {
        op.params.emplace_back(doc.params[i].name, i);
        op.value_base.push_back(op.value_bits);
        op.value_bits += static_cast<std::uint32_t>(doc.params[i].values.size());
    }
    std::sort(op.params.begin(), op.params.end(), [](const auto& a, const auto& b) {
        return shorter_first(a.first, b.first) || (a.first == b.first && a.second < b.second);
    });
    return op;
}

std::uint32_t find_member(const CoverageFieldNode& node, std::string_view key) {
    const auto it =
        std::lower_bound(node.members.begin(), node.members.end(), key,
                         [](const std::pair<std::string, std::uint32_t>& m, std::string_view k) {
                             return std::string_view(m.first) < k;
                         });
    return it != node.members.end() && it->first == key ? it->second : k_no_node;
}

void walk_fields(const CoverageOperationIndex& op, const Words& bits, std::uint32_t node,
                 core::JsonView value);

// The members of node still worth looking for: a field never seen, or one whose subtree was
// not seen whole. At most k_pending of them; more: nullopt (then every member is looked up).
constexpr std::size_t k_pending = 16;
struct PendingMembers {
    std::array<std::uint32_t, k_pending> nodes{};
    std::size_t count = 0;
};

std::optional<PendingMembers> pending_members(const CoverageOperationIndex& op, const Words& bits,
                                              const CoverageFieldNode& n) {
    PendingMembers out;
    for (const auto& member : n.members) {
        const CoverageFieldNode& c = op.nodes[member.second];
        if ((c.is_field && !test_bit(bits, c.bit)) || !all_set(bits, c.lo, c.hi)) {
            if (out.count == k_pending)
                return std::nullopt;
            out.nodes[out.count++] = member.second;
        }
    }
    return out;
}

void walk_child(const CoverageOperationIndex& op, const Words& bits, std::uint32_t child,
                core::JsonView value) {
    const CoverageFieldNode& c = op.nodes[child];
    if (c.is_field)
        set_bit(bits, c.bit);
    if (c.lo < c.hi)
        walk_fields(op, bits, child, value);
}

// An object's members against the pending ones only: once most fields were seen, a member
// costs a length comparison or two.
void walk_members(const CoverageOperationIndex& op, const Words& bits, const CoverageFieldNode& n,
                  const std::optional<PendingMembers>& pending, core::JsonView object) {
    if (pending && pending->count == 0)
        return;
    auto members = object.members();
    std::string_view key;
    core::JsonView member;
    while (members.next(key, member)) {
        if (!pending) {
            if (const std::uint32_t child = find_member(n, key); child != k_no_node)
                walk_child(op, bits, child, member);
            continue;
        }
        for (std::size_t i = 0; i < pending->count; ++i)
            if (op.nodes[pending->nodes[i]].name == key) {
                walk_child(op, bits, pending->nodes[i], member);
                break;
            }
    }
}

// Marks every documented field of value under node; a subtree whose fields were all seen
// (by this exchange or an earlier one) is not entered.
void walk_fields(const CoverageOperationIndex& op, const Words& bits, std::uint32_t node,
                 core::JsonView value) {
    const CoverageFieldNode& n = op.nodes[node];
    if (all_set(bits, n.lo, n.hi))
        return;
    if (value.is_object() && !n.members.empty()) {
        walk_members(op, bits, n, pending_members(op, bits, n), value);
    } else if (value.is_array() && n.items != k_no_node) {
        const CoverageFieldNode& items = op.nodes[n.items];
        if (items.lo == items.hi)
            return;
        // What to look for in the items is worked out once per list, not once per item.
        const std::optional<PendingMembers> pending = pending_members(op, bits, items);
        value.for_each_item([&](std::size_t, core::JsonView item) {
            if (item.is_object() && !items.members.empty())
                walk_members(op, bits, items, pending, item);
            else
                walk_fields(op, bits, n.items, item);
            return !all_set(bits, items.lo, items.hi);
        });
    }
}

// "Disks.0.Size" -> "Disks.N.Size" (contract::index_template's rule); "" when nothing changes.
std::string coverage_index_template(std::string_view name) {
    std::string out;
    bool changed = false;
    std::size_t at = 0;
    for (bool first = true; at <= name.size(); first = false) {
        const std::size_t dot = std::min(name.find('.', at), name.size());
        const std::string_view segment = name.substr(at, dot - at);
        const bool digits =
            !segment.empty() && std::all_of(segment.begin(), segment.end(),
                                            [](char c) { return c >= '0' && c <= '9'; });
        if (!first)
            out += '.';
        if (!first && digits) {
            out += 'N';
            changed = true;
        } else {
            out += segment;
        }
        at = dot + 1;
    }
    return changed ? out : std::string();
}

std::optional<core::JsonView> at_tokens(core::JsonView value,
                                        const std::vector<std::string>& tokens) {
    for (const std::string& t : tokens) {
        if (value.is_object()) {
            const auto member = value.find(t);
            if (!member)
                return std::nullopt;
            value = *member;
        } else if (value.is_array()) {
            std::size_t index = 0;
            const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), index);
            if (ec != std::errc() || end != t.data() + t.size() || index >= value.size())
                return std::nullopt;
            std::optional<core::JsonView> item;
            value.for_each_item([&](std::size_t i, core::JsonView v) {
                if (i == index)
                    item = v;
                return i < index;
            });
            if (!item)
                return std::nullopt;
            value = *item;
        } else {
            return std::nullopt;
        }
    }
    return value;
}

} // namespace recorder_detail

using namespace recorder_detail;

namespace {

// The row a thread used last, per thread: the rows' lock is taken when the contract or target
// changes, not once per exchange by every worker. recorder is the Impl's serial, which no other
// recorder ever has (an address may be reused).
struct RowMemo {
    std::uint64_t recorder = 0;
    const CoverageContractIndex* contract = nullptr;
    std::string target;
    CoverageRow* row = nullptr;
};
thread_local RowMemo t_row_memo;
std::atomic<std::uint64_t> g_recorders{0};
// This thread's slot among CoverageOperationState::exchanges, handed out in turn.
std::atomic<std::size_t> g_slots{0};
thread_local const std::size_t t_slot = g_slots.fetch_add(1, std::memory_order_relaxed) % 8;

} // namespace

struct CoverageRecorder::Impl {
    const std::uint64_t serial = ++g_recorders;
    std::vector<std::unique_ptr<CoverageContractIndex>> contracts; // sorted by name
    mutable std::mutex rows_mutex;
    std::map<std::string, std::map<std::string, std::unique_ptr<CoverageRow>, std::less<>>,
             std::less<>>
        rows;

    const CoverageContractIndex* contract(std::string_view name) const {
        const auto it = std::lower_bound(
            contracts.begin(), contracts.end(), name,
            [](const std::unique_ptr<CoverageContractIndex>& c, std::string_view n) {
                return std::string_view(c->doc.contract) < n;
            });
        return it != contracts.end() && (*it)->doc.contract == name ? it->get() : nullptr;
    }

    CoverageRow& row(const CoverageContractIndex& c, std::string_view target) {
        RowMemo& memo = t_row_memo;
        if (memo.recorder == serial && memo.contract == &c && memo.target == target)
            return *memo.row;
        CoverageRow& found = locked_row(c, target);
        memo = RowMemo{serial, &c, std::string(target), &found};
        return found;
    }

    CoverageRow& locked_row(const CoverageContractIndex& c, std::string_view target) {
        std::lock_guard lock(rows_mutex);
        auto by_contract = rows.find(std::string_view(c.doc.contract));
        if (by_contract == rows.end())
            by_contract = rows.emplace(c.doc.contract, decltype(rows)::mapped_type{}).first;
        auto& targets = by_contract->second;
        auto it = targets.find(target);
        if (it != targets.end())
            return *it->second;
        auto r = std::make_unique<CoverageRow>();
        r->contract = &c;
        for (const CoverageOperationIndex& op : c.operations) {
            auto s = std::make_unique<CoverageOperationState>();
            s->fields = make_words(op.field_bits);
            s->params = make_words(static_cast<std::uint32_t>(op.doc->params.size()));
            s->values = make_words(op.value_bits);
            s->codes = make_words(static_cast<std::uint32_t>(op.doc->codes.size()));
            r->operations.push_back(std::move(s));
        }
        return *targets.emplace(std::string(target), std::move(r)).first->second;
    }
};

CoverageRecorder::CoverageRecorder(std::vector<ContractDoc> contracts)
    : m_impl(std::make_unique<Impl>()) {
    for (ContractDoc& doc : contracts) {
        auto c = std::make_unique<CoverageContractIndex>();
        c->doc = std::move(doc);
        std::sort(c->doc.operations.begin(), c->doc.operations.end(),
                  [](const OperationDoc& a, const OperationDoc& b) { return a.name < b.name; });
        if (!c->doc.status_pointer.empty())
            if (auto tokens = core::parse_pointer(c->doc.status_pointer)) {
                c->status_tokens = std::move(*tokens);
                c->has_status = true;
            }
        for (const OperationDoc& op : c->doc.operations)
            c->operations.push_back(index_operation(op));
        m_impl->contracts.push_back(std::move(c));
    }
    std::sort(m_impl->contracts.begin(), m_impl->contracts.end(),
              [](const auto& a, const auto& b) { return a->doc.contract < b->doc.contract; });
}

CoverageRecorder::~CoverageRecorder() = default;

void CoverageRecorder::target_seen(std::string_view contract, std::string_view target) {
    if (const CoverageContractIndex* c = m_impl->contract(contract))
        m_impl->row(*c, target);
}

void CoverageRecorder::exchange_seen(const ExchangeSeen& x) {
    const CoverageContractIndex* c = m_impl->contract(x.contract);
    if (!c)
        return;
    const auto op_it = std::lower_bound(c->operations.begin(), c->operations.end(), x.operation,
                                        [](const CoverageOperationIndex& o, std::string_view n) {
                                            return std::string_view(o.doc->name) < n;
                                        });
    if (op_it == c->operations.end() || op_it->doc->name != x.operation)
        return;
    const CoverageOperationIndex& op = *op_it;
    CoverageOperationState& state =
        *m_impl->row(*c, x.target)
             .operations[static_cast<std::size_t>(op_it - c->operations.begin())];
    state.exchanges[t_slot].n.fetch_add(1, std::memory_order_relaxed);

    const auto find_param = [&op](std::string_view n) {
        const auto it =
            std::lower_bound(op.params.begin(), op.params.end(), n,
                             [](const std::pair<std::string, std::uint32_t>& p,
                                std::string_view k) { return shorter_first(p.first, k); });
        return it != op.params.end() && it->first == n ? it->second : k_no_node;
    };
    for (const auto& [name, value] : x.params) {
        std::uint32_t p = find_param(name);
        if (p == k_no_node && name.find('.') != std::string::npos)
            if (const std::string t = coverage_index_template(name); !t.empty())
                p = find_param(t);
        if (p == k_no_node)
            continue;
        set_bit(state.params, p);
        const std::vector<std::string>& values = op.doc->params[p].values;
        for (std::size_t v = 0; v < values.size(); ++v)
            if (values[v] == value) {
                set_bit(state.values, op.value_base[p] + static_cast<std::uint32_t>(v));
                break;
            }
    }
    if ((state.pages.load(std::memory_order_relaxed) & x.pages) != x.pages)
        state.pages.fetch_or(x.pages, std::memory_order_relaxed);
    if (!x.body)
        return;
    walk_fields(op, state.fields, 0, *x.body);
    if (!c->has_status)
        return;
    const auto status = at_tokens(*x.body, c->status_tokens);
    if (!status || status->is_null() || status->is_object() || status->is_array())
        return;
    for (std::size_t i = 0; i < op.doc->codes.size(); ++i)
        if (core::JsonView(op.doc->codes[i]) == *status) {
            set_bit(state.codes, static_cast<std::uint32_t>(i));
            return;
        }
    nlohmann::json code = status->to_json();
    std::lock_guard lock(state.undocumented_mutex);
    if (std::find(state.undocumented_codes.begin(), state.undocumented_codes.end(), code) ==
        state.undocumented_codes.end())
        state.undocumented_codes.push_back(std::move(code));
}

Coverage CoverageRecorder::result() const {
    Coverage out;
    for (const auto& c : m_impl->contracts)
        out.contracts.push_back(c->doc.contract);
    std::lock_guard lock(m_impl->rows_mutex);
    for (const auto& [contract, targets] : m_impl->rows)
        for (const auto& [target, row] : targets) {
            TargetCoverage t;
            t.contract = contract;
            t.target = target;
            for (std::size_t i = 0; i < row->contract->operations.size(); ++i) {
                const CoverageOperationIndex& op = row->contract->operations[i];
                CoverageOperationState& state = *row->operations[i];
                OperationCoverage o;
                o.name = op.doc->name;
                o.exchanges = state.exchanges_seen();
                for (std::size_t p = 0; p < op.doc->params.size(); ++p) {
                    ParamCoverage pc;
                    pc.name = op.doc->params[p].name;
                    pc.sent = test_bit(state.params, static_cast<std::uint32_t>(p));
                    pc.values = op.doc->params[p].values;
                    for (std::size_t v = 0; v < pc.values.size(); ++v)
                        if (test_bit(state.values,
                                     op.value_base[p] + static_cast<std::uint32_t>(v)))
                            pc.values_sent.push_back(pc.values[v]);
                    o.params.push_back(std::move(pc));
                }
                o.fields = op.doc->fields;
                for (std::size_t f = 0; f < o.fields.size(); ++f)
                    if (op.bit_of_field[f] == k_no_node ||
                        !test_bit(state.fields, op.bit_of_field[f]))
                        o.fields_missing.push_back(o.fields[f]);
                o.codes = op.doc->codes;
                for (std::size_t k = 0; k < o.codes.size(); ++k)
                    if (test_bit(state.codes, static_cast<std::uint32_t>(k)))
                        o.codes_observed.push_back(o.codes[k]);
                {
                    std::lock_guard codes_lock(state.undocumented_mutex);
                    for (const nlohmann::json& code : state.undocumented_codes)
                        o.codes_observed.push_back(code);
                }
                std::sort(o.codes_observed.begin(), o.codes_observed.end());
                o.pages = op.doc->pages;
                const std::uint8_t pages = state.pages.load(std::memory_order_relaxed);
                for (std::size_t s = 0; s < k_page_shapes; ++s)
                    if (pages & bit_of(static_cast<PageShape>(s)))
                        o.pages_seen.push_back(static_cast<PageShape>(s));
                t.operations.push_back(std::move(o));
            }
            out.targets.push_back(std::move(t));
        }
    return out;
}

} // namespace conform::report
