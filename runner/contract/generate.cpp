// Cases generated from the contract: what a hand-written cases file covers (the seed
// GetRepo set), derived from the request schema, the pagination model, the routing parameter
// and the signing scheme, for any read-only operation of an imported family.
#include <algorithm>
#include <set>

#include "runner/contract/cases.hpp"
#include "runner/contract/internal/schema_walk.hpp"

namespace conform::contract {
namespace {

using nlohmann::json;

constexpr std::int64_t k_walk_limit = 7;      // small, and no common total is a multiple
constexpr std::int64_t k_walk_max_pages = 20; // the walk's bound
constexpr std::int64_t k_largest_limit = 100; // when the page documents no maximum
constexpr std::int64_t k_edge_limit = 5;      // the limit of the end-of-listing pages
constexpr std::string_view k_not_a_number = "abc";
constexpr std::string_view k_not_in_enum = "conform-not-documented";

struct Param {
    std::string name;
    const json* schema = nullptr;
    bool required = false;
};

// What every case of the operation sends besides its own parameters.
struct Base {
    Query values;            // required parameters conform can fill (enum, default, const)
    std::vector<Link> links; // required parameters another operation lists
    std::vector<std::string> unfilled; // required, unlinked identifiers: never made up
};

std::string slug(std::string_view text) {
    std::string out = internal::lower(text);
    for (char& c : out)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
            c = '-';
    if (out.empty() || out.front() == '.' || out.front() == '-')
        out.insert(out.begin(), 'p');
    return out;
}

std::string render(const json& v) {
    if (v.is_string())
        return v.get<std::string>();
    return v.dump();
}

std::vector<Param> params_of(const Contract& contract, const Operation& op) {
    const json& doc = op.request.document;
    const auto required = internal::required_names(&doc);
    std::vector<Param> out;
    for (const std::string& name : internal::property_names(&doc)) {
        if (name == contract.routing.param)
            continue;
        const bool req = std::find(required.begin(), required.end(), name) != required.end();
        out.push_back({name, internal::property(doc, &doc, name), req});
    }
    // A required indexed parameter ("Type.N" requires its first element, "Type.0"): its
    // schema is the pattern property the importer wrote with the page's name in x-indexed.
    if (auto patterns = doc.find("patternProperties");
        patterns != doc.end() && patterns->is_object())
        for (const auto& [_, schema] : patterns->items()) {
            const std::string indexed = schema.value("x-indexed", std::string());
            const auto n = indexed.find(".N");
            if (n == std::string::npos)
                continue;
            std::string first = indexed;
            first.replace(n, 2, ".0");
            if (std::find(required.begin(), required.end(), first) != required.end())
                out.push_back({first, &schema, true});
        }
    return out;
}

bool is_paging(const Operation& op, std::string_view name) {
    return op.pagination &&
           (name == op.pagination->offset_param || name == op.pagination->limit_param);
}

// A value conform may send for a required parameter without asking anyone: what the page
// documents (a default, a constant, the first enum value), or a number or boolean. A string
// with none of those is an identifier, which only a link may supply.
std::optional<std::string> documented_value(const json* schema) {
    if (!schema || !schema->is_object())
        return std::nullopt;
    if (auto it = schema->find("default"); it != schema->end())
        return render(*it);
    if (auto it = schema->find("const"); it != schema->end())
        return render(*it);
    if (auto it = schema->find("enum"); it != schema->end() && it->is_array() && !it->empty())
        return render(it->front());
    const std::string type = internal::type_of(schema);
    if (type == "integer" || type == "number")
        return render(schema->value("minimum", json(1)));
    if (type == "boolean")
        return "true";
    return std::nullopt;
}

Base base_of(const Contract& contract, const Operation& op, const std::vector<Param>& params) {
    Base base;
    base.links = links_of(contract, op);
    for (const Param& p : params) {
        if (!p.required || is_paging(op, p.name))
            continue;
        const bool linked = std::any_of(base.links.begin(), base.links.end(),
                                        [&](const Link& l) { return l.param == p.name; });
        if (linked)
            continue;
        if (auto v = documented_value(p.schema))
            base.values.emplace_back(p.name, *v);
        else
            base.unfilled.push_back(p.name);
    }
    return base;
}

// Adds what the operation always needs, except the parameters the case leaves out on purpose,
// and says why the case cannot run when a value is missing.
void complete(Case& c, const Base& base, const Operation& op) {
    auto omitted = [&](const std::string& name) {
        return std::find(c.omit.begin(), c.omit.end(), name) != c.omit.end();
    };
    auto has = [&](const std::string& name) {
        return std::any_of(c.params.begin(), c.params.end(),
                           [&](const auto& kv) { return kv.first == name; });
    };
    for (const auto& [name, value] : base.values)
        if (!omitted(name) && !has(name))
            c.params.emplace_back(name, value);
    std::sort(c.params.begin(), c.params.end());
    // Linked values are filled by the run from the producers' answers on the same target (or
    // the case is skipped there, naming the parameter and the producer).
    for (const Link& l : base.links)
        if (!omitted(l.param) && !has(l.param))
            c.links.push_back(l);
    std::string why;
    for (const std::string& name : base.unfilled)
        if (!omitted(name) && !has(name)) {
            why += (why.empty() ? "" : "; ") + name + " is required and no operation of " +
                   op.name + "'s family lists it (conform never makes up an identifier; " +
                   "--param " + name + "=VALUE gives one)";
            c.unfilled.push_back(name);
        }
    c.skip = why;
}

struct Builder {
    const Operation& op;
    const Base& base;
    std::vector<Case> cases;
    std::set<std::string> names;

    Case& add(std::string name, CaseKind kind, std::string description, Query params,
              Expectation expect) {
        std::string unique = name;
        for (int n = 2; !names.insert(unique).second; ++n)
            unique = name + "-" + std::to_string(n);
        Case c;
        c.name = std::move(unique);
        c.kind = kind;
        c.description = std::move(description);
        c.params = std::move(params);
        c.expect = expect;
        c.source = CaseSource::generated;
        cases.push_back(std::move(c));
        return cases.back();
    }
};

std::int64_t largest_limit(const Operation& op, const std::vector<Param>& params) {
    for (const Param& p : params)
        if (p.name == op.pagination->limit_param && p.schema && p.schema->contains("maximum") &&
            (*p.schema)["maximum"].is_number_integer())
            return (*p.schema)["maximum"].get<std::int64_t>();
    return k_largest_limit;
}

void paging_cases(Builder& b, const std::vector<Param>& params) {
    const Pagination& page = *b.op.pagination;
    const std::string limit = std::to_string(k_edge_limit);
    b.add("default-page", CaseKind::single,
          "No " + page.offset_param + "/" + page.limit_param + ": the documented default limit (" +
              std::to_string(page.limit_default) + ") applies",
          {}, Expectation::success);
    Case& walk = b.add("walk-limit-" + std::to_string(k_walk_limit), CaseKind::walk,
                       "Every page with a small limit: no duplicates, no gaps, a stable total", {},
                       Expectation::success);
    walk.walk_limit = k_walk_limit;
    walk.walk_max_pages = k_walk_max_pages;
    b.add("offset-at-end", CaseKind::single, "Offset equal to the total: an empty page",
          {{page.limit_param, limit}, {page.offset_param, "{{total}}"}}, Expectation::success);
    b.add("offset-past-end", CaseKind::single, "Offset beyond the total: an empty page",
          {{page.limit_param, limit}, {page.offset_param, "{{total+10}}"}}, Expectation::success);
    b.add("limit-1", CaseKind::single, "The smallest page", {{page.limit_param, "1"}},
          Expectation::success);
    const std::int64_t largest = largest_limit(b.op, params);
    b.add("limit-" + std::to_string(largest), CaseKind::single,
          "The largest limit (the documented maximum, else " + std::to_string(k_largest_limit) +
              ")",
          {{page.limit_param, std::to_string(largest)}}, Expectation::success);
}

void enum_cases(Builder& b, const std::vector<Param>& params) {
    for (const Param& p : params) {
        if (!p.schema || !p.schema->contains("enum") || !(*p.schema)["enum"].is_array())
            continue;
        for (const json& v : (*p.schema)["enum"])
            b.add(slug(p.name) + "-" + slug(render(v)), CaseKind::single,
                  "Documented " + p.name + " value", {{p.name, render(v)}}, Expectation::success);
    }
}

// Invalid inputs the page's own types refuse: a word for a number, a negative where the page
// documents none (paging, or a minimum of 0 or more), a value outside the enum, a required
// parameter left out.
void negative_cases(Builder& b, const std::vector<Param>& params) {
    for (const Param& p : params) {
        const std::string type = internal::type_of(p.schema);
        const bool has_enum = p.schema && p.schema->contains("enum");
        if ((type == "integer" || type == "number") && !has_enum) {
            const bool non_negative =
                is_paging(b.op, p.name) ||
                (p.schema && p.schema->contains("minimum") && (*p.schema)["minimum"].is_number() &&
                 (*p.schema)["minimum"].get<double>() >= 0);
            if (non_negative)
                b.add("negative-" + slug(p.name), CaseKind::negative, "", {{p.name, "-1"}},
                      Expectation::refusal_preferred);
            b.add("non-numeric-" + slug(p.name), CaseKind::negative, "",
                  {{p.name, std::string(k_not_a_number)}}, Expectation::refusal_preferred);
        }
        if (has_enum)
            b.add("unknown-" + slug(p.name), CaseKind::negative, "A value outside the enum",
                  {{p.name, std::string(k_not_in_enum)}}, Expectation::refusal_preferred);
        if (p.required)
            b.add("missing-" + slug(p.name), CaseKind::negative, "A required parameter left out",
                  {}, Expectation::refusal)
                .omit.push_back(p.name);
    }
}

void auth_cases(Builder& b, const Contract& contract) {
    if (contract.signing == "none")
        return;
    b.add("unsigned", CaseKind::auth, "", {}, Expectation::refusal).signing = Signing::none;
    b.add("bad-signature", CaseKind::auth, "", {}, Expectation::refusal).signing =
        Signing::bad_signature;
    if (contract.signing == "tencent-v2-hmac")
        b.add("stale-timestamp", CaseKind::auth, "A Timestamp outside the server's window", {},
              Expectation::refusal)
            .signing = Signing::stale_timestamp;
}

} // namespace

CaseFile generate_cases(const Contract& contract, const Operation& operation) {
    const std::vector<Param> params = params_of(contract, operation);
    const Base base = base_of(contract, operation, params);
    Builder b{operation, base, {}, {}};
    if (operation.pagination)
        paging_cases(b, params);
    else
        b.add("default-request", CaseKind::single, "The required parameters only", {},
              Expectation::success);
    enum_cases(b, params);
    negative_cases(b, params);
    auth_cases(b, contract);
    for (Case& c : b.cases)
        complete(c, base, operation);
    // Last and never completed: without the routing parameter nothing else matters.
    Case& routing =
        b.add("missing-" + slug(contract.routing.param), CaseKind::negative,
              "No routing parameter: the documented error envelope", {}, Expectation::refusal);
    routing.omit.push_back(contract.routing.param);

    CaseFile out;
    out.contract = contract.name;
    out.operation = operation.name;
    out.path = contract.directory / (operation.name + ".operation.json");
    out.cases = std::move(b.cases);
    return out;
}

Case probe_case(const Contract& contract, const Operation& operation) {
    const Base base = base_of(contract, operation, params_of(contract, operation));
    Case c;
    c.name = "probe";
    c.kind = CaseKind::single;
    c.description = "The default request: reachability, the total, identifiers for consumers";
    c.expect = Expectation::success;
    c.source = CaseSource::generated;
    complete(c, base, operation);
    return c;
}

CaseFile merge_cases(CaseFile generated, const CaseFile& file) {
    CaseFile out = std::move(generated);
    out.path = file.path;
    out.with_generated = true;
    for (const Case& c : file.cases) {
        auto same = std::find_if(out.cases.begin(), out.cases.end(),
                                 [&](const Case& g) { return g.name == c.name; });
        if (same != out.cases.end())
            *same = c;
        else
            out.cases.push_back(c);
    }
    return out;
}

core::Result<std::vector<CaseFile>> plan_cases(const Contract& contract,
                                               const std::filesystem::path& cases_dir,
                                               const std::filesystem::path& schemas_dir) {
    CONFORM_TRY(std::vector<CaseFile> files, load_cases_for(contract, cases_dir, schemas_dir));
    std::vector<CaseFile> out;
    for (const auto& [name, op] : contract.operations) {
        if (!contract.is_read_only(name))
            continue;
        const std::string& operation = name; // clang 14 cannot capture a structured binding
        auto file = std::find_if(files.begin(), files.end(),
                                 [&](const CaseFile& f) { return f.operation == operation; });
        if (file == files.end())
            out.push_back(generate_cases(contract, op));
        else if (file->with_generated)
            out.push_back(merge_cases(generate_cases(contract, op), *file));
        else
            out.push_back(std::move(*file));
    }
    return out;
}

json to_json(const CaseFile& file) {
    json cases = json::array();
    for (const Case& c : file.cases) {
        json out = {{"name", c.name}, {"kind", name_of(c.kind)}, {"source", name_of(c.source)}};
        if (!c.description.empty())
            out["description"] = c.description;
        out["params"] = json::object();
        for (const auto& [k, v] : c.params)
            out["params"][k] = v;
        if (!c.omit.empty())
            out["omit"] = c.omit;
        out["signing"] = name_of(c.signing);
        out["expect"] = name_of(c.expect);
        if (c.kind == CaseKind::walk)
            out["walk"] = {{"limit", c.walk_limit}, {"max_pages", c.walk_max_pages}};
        if (!c.checks.empty())
            out["checks"] = c.checks;
        if (!c.links.empty()) {
            out["links"] = json::object();
            for (const Link& l : c.links)
                out["links"][l.param] = {{"from", l.from}, {"pointer", l.pointer}};
        }
        if (!c.skip.empty())
            out["skip"] = c.skip;
        cases.push_back(std::move(out));
    }
    return {{"contract", file.contract}, {"operation", file.operation}, {"cases", cases}};
}

} // namespace conform::contract
