#include "runner/checks/doc_lint.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "runner/checks/checks.hpp"
#include "runner/contract/contract.hpp"
#include "runner/core/json_parse.hpp"
#include "runner/core/json_pointer.hpp"
#include "runner/core/text.hpp"
#include "runner/schema/schema.hpp"

namespace conform::checks {
namespace {

namespace fs = std::filesystem;
using core::Deviation;
using core::DeviationId;
using nlohmann::json;

// One imported page, parsed.
struct Page {
    std::string doc;
    std::string contract;
    std::string family; // the contract the page's folder or domain makes (default_contract)
    std::string operation;
    json request_schema;
    json response_schema;
    json operation_json;
    std::vector<json> samples;
};

// Where a field is documented, for doc.family-drift.
struct FieldUse {
    std::string type;
    const Page* page = nullptr;
    std::size_t line = 0;
};

const docs::GeneratedFile* file_ending(const docs::ImportResult& r, std::string_view suffix) {
    for (const auto& f : r.files)
        if (f.name.ends_with(suffix))
            return &f;
    return nullptr;
}

// A member of an object, or null: samples are read from the importer's JSON, whose parts may
// be null (a page whose sample response is not JSON), and json::value() throws on null.
const json& member(const json& object, const char* key) {
    static const json k_null;
    if (!object.is_object())
        return k_null;
    auto it = object.find(key);
    return it == object.end() ? k_null : *it;
}

core::Result<Page> load_page(const fs::path& doc, const std::string& text,
                             const fs::path& schemas_dir, std::vector<docs::Warning>& warnings) {
    docs::ImportOptions options;
    options.contract = docs::default_contract(doc, docs::guess_family(text));
    if (!schemas_dir.empty() && fs::is_directory(schemas_dir / options.contract))
        options.overlay_dir = schemas_dir / options.contract;
    CONFORM_TRY(docs::ImportResult imported,
                docs::import_page(text, doc.filename().string(), options));
    warnings.insert(warnings.end(), imported.warnings.begin(), imported.warnings.end());
    Page page;
    page.doc = doc.filename().string();
    page.contract = options.contract;
    page.operation = imported.operation;
    auto parse = [&](std::string_view suffix, json& into) -> core::Result<void> {
        const auto* f = file_ending(imported, suffix);
        if (!f)
            return core::fail("the import of " + page.doc + " produced no *" + std::string(suffix));
        CONFORM_TRY(json parsed, core::parse_json(f->content, f->name));
        into = std::move(parsed);
        return {};
    };
    CONFORM_CHECK(parse(".request.schema.json", page.request_schema));
    CONFORM_CHECK(parse(".response.schema.json", page.response_schema));
    CONFORM_CHECK(parse(".operation.json", page.operation_json));
    if (const auto* f = file_ending(imported, ".samples.jsonl")) {
        std::istringstream lines(f->content);
        std::size_t n = 0;
        for (std::string line; std::getline(lines, line);) {
            ++n;
            if (line.empty())
                continue;
            CONFORM_TRY(json sample, core::parse_json(line, f->name));
            page.samples.push_back(std::move(sample));
        }
    }
    return page;
}

// Fields of operation.json's pagination model; absent or null fields stay empty (an operation
// that does not page).
PageModel page_model(const json& operation) {
    PageModel m;
    const json& p = member(operation, "pagination");
    if (!p.is_object())
        return m;
    auto text = [&](const char* key) {
        auto it = p.find(key);
        return it != p.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    auto number = [&](const char* key, std::int64_t fallback) {
        auto it = p.find(key);
        return it != p.end() && it->is_number_integer() ? it->get<std::int64_t>() : fallback;
    };
    m.offset_param = text("offset_param");
    m.limit_param = text("limit_param");
    m.offset_default = number("offset_default", 0);
    m.limit_default = number("limit_default", 20);
    m.items_pointer = text("items_pointer");
    m.total_pointer = text("total_pointer");
    m.item_key = text("item_key");
    return m;
}

// Query values are strings on the wire; read them as the request table types them, so that
// "3" for an int parameter is 3 and "abc" stays a string (and is reported).
json coerce(const std::string& value, const json* property) {
    if (!property || !property->is_object() || !property->contains("type"))
        return value;
    const json& type = (*property)["type"];
    auto is = [&](const char* t) {
        return type == t ||
               (type.is_array() && std::find(type.begin(), type.end(), t) != type.end());
    };
    if (is("integer") || is("number")) {
        auto parsed = core::parse_json(value);
        if (parsed && parsed->is_number())
            return *parsed;
    }
    if (is("boolean") && (value == "true" || value == "false"))
        return value == "true";
    return value;
}

class Linter {
public:
    explicit Linter(LintReport& report) : m_report(report) {}

    core::Result<void> lint_page(const Page& page) {
        CONFORM_TRY(schema::CompiledSchema response, compile(page.response_schema, page.doc));
        CONFORM_TRY(schema::CompiledSchema request, compile(page.request_schema, page.doc));
        const PageModel model = page_model(page.operation_json);
        for (const json& sample : page.samples) {
            const json& source_line = member(member(sample, "source"), "line");
            const std::size_t line =
                source_line.is_number_unsigned() ? source_line.get<std::size_t>() : 0;
            const json& request_part = member(sample, "request");
            Query query;
            if (const json& pairs = member(request_part, "query"); pairs.is_array())
                for (const auto& pair : pairs)
                    if (pair.is_array() && pair.size() == 2 && pair[0].is_string() &&
                        pair[1].is_string())
                        query.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
            // POST-style APIs (Tencent API 3.0) send their parameters as a JSON body
            if (const json& b = member(request_part, "body"); b.is_object())
                for (const auto& [k, v] : b.items())
                    query.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
            lint_request(page, request, query, line);
            const json& response_part = member(sample, "response");
            if (!response_part.is_object() || !response_part.contains("body"))
                continue; // no response block, or one that is not JSON: the import says so
            const json& body = response_part["body"];
            auto result = response.validate(body);
            for (Deviation& d : classify({page.operation, page.response_schema, body, result}))
                add(std::move(d), page.doc, line, "sample-vs-table", "sample response");
            for (Deviation& d : check_page(model, query, body, page.operation))
                add(std::move(d), page.doc, line, "sample-vs-table", "sample response");
        }
        lint_defaults(page);
        return {};
    }

    // Pages of one operation compared property by property (doc.translation-drift).
    void compare(const Page& a, const Page& b) {
        m_a = &a;
        m_b = &b;
        compare_schema(a.request_schema, b.request_schema, "", "request table");
        compare_schema(a.response_schema, b.response_schema, "", "response table");
    }

    // One field documented with different types by operations of one family: the type most
    // operations give is the family's; each operation that differs is a finding.
    void family_drift(const std::string& name, const std::vector<FieldUse>& uses) {
        std::map<std::string, std::size_t> votes;
        for (const FieldUse& u : uses)
            ++votes[u.type];
        if (votes.size() < 2)
            return;
        std::string major = uses.front().type;
        for (const FieldUse& u : uses)
            if (votes[u.type] > votes[major])
                major = u.type;
        std::string others;
        for (const FieldUse& u : uses)
            if (u.type == major)
                others += (others.empty() ? "" : ", ") + u.page->operation;
        for (const FieldUse& u : uses) {
            if (u.type == major)
                continue;
            Deviation d = base(DeviationId::doc_family_drift, *u.page, "type");
            d.instance_pointer = "/" + core::escape_pointer_token(name);
            d.expected = major;
            d.actual = u.type;
            d.message = "\"" + name + "\" is documented as " + u.type + " in " + u.page->operation +
                        " but as " + major + " in " + others;
            add(std::move(d), u.page->doc, u.line, "family", "family");
        }
    }

private:
    core::Result<schema::CompiledSchema> compile(const json& s, const std::string& doc) {
        schema::CompileOptions options;
        options.base_uri = s.value("$id", std::string("urn:conform:docs:") + doc);
        options.origin = doc;
        return schema::compile(s, m_registry, options);
    }

    void lint_request(const Page& page, const schema::CompiledSchema& request, const Query& query,
                      std::size_t line) {
        json instance = json::object();
        std::map<std::string, int> seen;
        for (const auto& [sent, value] : query) {
            // "Disks.N.Size=..." sends the page's placeholder: its own finding, then read as
            // index 0 so that it is not also a missing field
            const std::string name = placeholder_to_index(page, sent, line);
            if (++seen[name] == 2) {
                Deviation d = base(DeviationId::doc_sample_vs_table, page, "repeated-parameter");
                d.instance_pointer = "/" + name;
                d.expected = "\"" + name + "\" once";
                d.actual = std::to_string(std::count_if(query.begin(), query.end(),
                                                        [&](auto& p) { return p.first == name; })) +
                           " times";
                d.message = "the sample request sends \"" + name + "\" " + d.actual +
                            "; the table declares it once";
                add(std::move(d), page.doc, line, "sample-vs-table", "sample request");
                continue;
            }
            if (seen[name] > 1)
                continue;
            instance[name] = coerce(value, contract::request_property(page.request_schema, name));
        }
        const std::vector<std::string> wholes = sent_whole(page, instance, line);
        auto result = request.validate(instance);
        for (Deviation& d : classify({page.operation, page.request_schema, instance, result})) {
            const bool member_of_whole =
                d.id == DeviationId::field_missing &&
                std::any_of(wholes.begin(), wholes.end(), [&](const std::string& w) {
                    return d.instance_pointer.starts_with("/" + w + ".");
                });
            if (!member_of_whole) // already said once, by the placeholder finding
                add(std::move(d), page.doc, line, "sample-vs-table", "sample request");
        }
    }

    // "BWConf=LVGDeccZ" where the table documents BWConf.Name, BWConf.PayMode, ...: the sample
    // sends a stand-in for the whole structure. One doc.placeholder finding naming the members
    // it leaves out, not a field.missing for each. Returns the names sent so.
    std::vector<std::string> sent_whole(const Page& page, const json& instance, std::size_t line) {
        std::vector<std::string> out;
        const json& properties = member(page.request_schema, "properties");
        const json& required = member(page.request_schema, "required");
        if (!properties.is_object() || !required.is_array())
            return out;
        for (const auto& [name, _] : instance.items()) {
            if (properties.contains(name))
                continue;
            std::string members;
            for (const json& r : required)
                if (r.is_string() && r.get<std::string>().starts_with(name + ".") &&
                    !instance.contains(r.get<std::string>()))
                    members += (members.empty() ? "" : ", ") + r.get<std::string>();
            if (members.empty())
                continue;
            Deviation d = base(DeviationId::doc_placeholder, page, "structure-parameter");
            d.instance_pointer = "/" + core::escape_pointer_token(name);
            d.expected = members;
            d.actual = "\"" + name + "\"";
            d.message = "the sample request sends \"" + name +
                        "\" whole, a stand-in for the members the table documents; it leaves out " +
                        members;
            add(std::move(d), page.doc, line, "sample-vs-table", "sample request");
            out.push_back(name);
        }
        return out;
    }

    // "Disks.N.Size" (or ".n") when the request table documents Disks.N.Size as indexed:
    // doc.placeholder, and the name with index 0; any other name as it is.
    std::string placeholder_to_index(const Page& page, const std::string& name, std::size_t line) {
        std::string indexed;
        bool placeholder = false;
        std::size_t start = 0;
        while (start <= name.size()) {
            const std::size_t dot = std::min(name.find('.', start), name.size());
            std::string segment = name.substr(start, dot - start);
            if (start > 0 && (segment == "N" || segment == "n")) {
                placeholder = true;
                segment = "0";
            }
            indexed += (start > 0 ? "." : "") + segment;
            start = dot + 1;
        }
        if (!placeholder || !contract::request_property(page.request_schema, indexed))
            return name;
        Deviation d = base(DeviationId::doc_placeholder, page, "indexed-parameter");
        d.instance_pointer = "/" + core::escape_pointer_token(name);
        d.expected = "\"" + indexed + "\" (an index: 0, 1, ...)";
        d.actual = "\"" + name + "\"";
        d.message = "the sample request sends the placeholder \"" + name +
                    "\" of an indexed parameter; on the wire it is " + indexed + ", " +
                    index_one(indexed) + ", ...";
        add(std::move(d), page.doc, line, "sample-vs-table", "sample request");
        return indexed;
    }

    static std::string index_one(std::string indexed) {
        const std::size_t at = indexed.find(".0");
        if (at != std::string::npos)
            indexed[at + 1] = '1';
        return indexed;
    }

    // A default outside its own enum: the table contradicts itself.
    void lint_defaults(const Page& page) {
        const json& properties = member(page.request_schema, "properties");
        if (!properties.is_object())
            return;
        for (const auto& [name, p] : properties.items()) {
            if (!p.is_object() || !p.contains("default") || !p.contains("enum"))
                continue;
            const json& def = p["default"];
            const json& values = p["enum"];
            if (std::find(values.begin(), values.end(), def) != values.end())
                continue;
            bool case_only = false;
            for (const auto& v : values)
                case_only =
                    case_only || (v.is_string() && def.is_string() &&
                                  core::iequals(v.get<std::string>(), def.get<std::string>()));
            Deviation d = base(DeviationId::value_enum, page,
                               case_only ? "default-case-only" : "default-not-in-enum");
            d.instance_pointer = "/properties/" + name + "/default";
            d.expected = values.dump();
            d.actual = def.dump();
            d.message = "the default " + def.dump() + " of \"" + name + "\" is not one of its " +
                        "documented values " + values.dump() +
                        (case_only ? " (differs only in case)" : "");
            add(std::move(d), page.doc, source_line(p), "table-vs-table", "request table");
        }
    }

    void compare_schema(const json& a, const json& b, const std::string& pointer,
                        const std::string& subject) {
        if (!a.is_object() || !b.is_object())
            return;
        auto differ = [&](const char* keyword, const std::string& kind, std::string note) {
            Deviation d = base(DeviationId::doc_translation_drift, *m_b, kind);
            d.instance_pointer = pointer + "/" + keyword;
            d.expected = a.contains(keyword) ? a[keyword].dump() : "(absent)";
            d.actual = b.contains(keyword) ? b[keyword].dump() : "(absent)";
            d.message = subject + " " + (pointer.empty() ? "/" : pointer) + " " + keyword + ": " +
                        m_a->doc + " says " + d.expected + ", " + m_b->doc + " says " + d.actual +
                        note;
            add(std::move(d), m_b->doc, source_line(b), "translation", subject);
        };
        for (const char* keyword : {"type", "default", "const"})
            if (a.value(keyword, json()) != b.value(keyword, json()))
                differ(keyword, keyword, "");
        if (a.value("enum", json()) != b.value("enum", json())) {
            const bool case_only =
                lowered(a.value("enum", json())) == lowered(b.value("enum", json()));
            differ("enum", case_only ? "enum-case" : "enum",
                   case_only ? " (differs only in case)" : "");
        }
        if (sorted(a.value("required", json::array())) !=
            sorted(b.value("required", json::array())))
            differ("required", "required", "");
        for (const char* map : {"properties", "$defs"}) {
            const json pa = a.value(map, json::object()), pb = b.value(map, json::object());
            std::set<std::string> names;
            for (const auto& [k, v] : pa.items())
                names.insert(k);
            for (const auto& [k, v] : pb.items())
                names.insert(k);
            for (const std::string& name : names) {
                const std::string child = pointer + "/" + map + "/" + name;
                if (pa.contains(name) && pb.contains(name)) {
                    compare_schema(pa[name], pb[name], child, subject);
                    continue;
                }
                Deviation d = base(DeviationId::doc_translation_drift, *m_b, "missing");
                d.instance_pointer = child;
                d.expected = pa.contains(name) ? "documented" : "(absent)";
                d.actual = pb.contains(name) ? "documented" : "(absent)";
                d.message = subject + ": \"" + name + "\" is documented by " +
                            (pa.contains(name) ? m_a->doc : m_b->doc) + " only";
                add(std::move(d), m_b->doc, source_line(pb.contains(name) ? pb[name] : b),
                    "translation", subject);
            }
        }
        if (a.contains("items") && b.contains("items"))
            compare_schema(a["items"], b["items"], pointer + "/items", subject);
    }

    static json lowered(const json& values) {
        json out = json::array();
        if (values.is_array())
            for (const auto& v : values)
                out.push_back(v.is_string() ? json(core::ascii_lower(v.get<std::string>())) : v);
        return out;
    }
    static json sorted(json values) {
        if (values.is_array())
            std::sort(values.begin(), values.end());
        return values;
    }
    static std::size_t source_line(const json& s) {
        if (s.is_object() && s.contains("x-source") && s["x-source"].is_object())
            return s["x-source"].value("line", std::size_t{0});
        return 0;
    }

    Deviation base(DeviationId id, const Page& page, std::string kind) const {
        Deviation d;
        d.id = id;
        d.kind = std::move(kind);
        d.severity = core::info(id).severity;
        d.operation = page.operation;
        return d;
    }

    void add(Deviation d, const std::string& doc, std::size_t line, std::string_view rule,
             std::string_view subject) {
        LintFinding f;
        f.line = d.source && d.source->line ? d.source->line : line;
        f.deviation = std::move(d);
        f.doc = doc;
        f.rule = std::string(rule);
        f.subject = std::string(subject);
        m_report.findings.push_back(std::move(f));
    }

    LintReport& m_report;
    schema::Registry m_registry;
    const Page* m_a = nullptr;
    const Page* m_b = nullptr;
};

using FieldUses = std::map<std::string, std::vector<FieldUse>>; // field name -> one per operation

std::string simple_type(const json& schema) {
    const json& type = member(schema, "type");
    std::string out;
    if (type.is_string())
        out = type.get<std::string>();
    else if (type.is_array())
        for (const json& t : type)
            if (t.is_string() && t != "null")
                out = t.get<std::string>();
    return out == "integer" ? std::string("number") : out; // 20 and 20.5 are both numbers
}

void collect_fields(const json& schema, const Page& page, FieldUses& uses, int depth) {
    if (!schema.is_object() || depth > 16)
        return;
    for (const char* map : {"properties", "patternProperties", "$defs"}) {
        const json& children = member(schema, map);
        if (!children.is_object())
            continue;
        for (const auto& [key, child] : children.items()) {
            const json& indexed = member(child, "x-indexed");
            const std::string name = std::string(map) == "patternProperties" && indexed.is_string()
                                         ? indexed.get<std::string>()
                                         : key;
            const std::string type = simple_type(child);
            std::vector<FieldUse>& list = uses[name];
            const bool seen = std::any_of(list.begin(), list.end(), [&](const FieldUse& u) {
                return u.page->operation == page.operation;
            });
            if (std::string(map) != "$defs" && !type.empty() && !seen) {
                const json& line = member(member(child, "x-source"), "line");
                list.push_back(
                    {type, &page,
                     line.is_number_unsigned() ? line.get<std::size_t>() : std::size_t{0}});
            }
            collect_fields(child, page, uses, depth + 1);
        }
    }
    collect_fields(member(schema, "items"), page, uses, depth + 1);
}

} // namespace

core::Result<LintReport> lint_docs(const LintRequest& request) {
    CONFORM_TRY(const std::vector<fs::path> paths, docs::collect_pages(request.docs));
    std::vector<PageText> texts;
    std::vector<LintSkip> unreadable;
    for (const fs::path& path : paths) {
        auto text = core::read_text_file(path);
        if (text)
            texts.push_back({path, std::move(text).value()});
        else
            unreadable.push_back({path, text.error().to_string(), true});
    }
    LintReport report = lint_texts(texts, request.schemas_dir);
    report.skipped.insert(report.skipped.end(), unreadable.begin(), unreadable.end());
    return report;
}

LintReport lint_texts(const std::vector<PageText>& texts, const fs::path& schemas_dir) {
    LintReport report;
    std::vector<Page> pages;
    Linter linter(report);
    for (const auto& [path, text] : texts) {
        const docs::PageClass kind = docs::classify_page(text, path.filename().string());
        if (kind.kind != docs::PageKind::api) {
            report.skipped.push_back({path, kind.why, false});
            continue;
        }
        auto page = load_page(path, text, schemas_dir, report.warnings);
        if (page)
            if (auto linted = linter.lint_page(*page); !linted)
                page = core::fail(linted.error());
        if (!page) {
            core::Diagnostic error = page.error();
            error.where.file = path.string();
            report.skipped.push_back({path, error.to_string(), true});
            continue;
        }
        page->family = docs::default_contract(path, docs::guess_family(text));
        pages.push_back(std::move(page).value());
    }
    report.pages_linted = pages.size();
    for (std::size_t i = 0; i < pages.size(); ++i)
        for (std::size_t j = i + 1; j < pages.size(); ++j)
            if (pages[i].operation == pages[j].operation)
                linter.compare(pages[i], pages[j]);
    std::map<std::string, FieldUses> families;
    for (const Page& page : pages) {
        collect_fields(page.request_schema, page, families[page.family], 0);
        collect_fields(page.response_schema, page, families[page.family], 0);
    }
    for (const auto& [family, uses] : families)
        for (const auto& [name, list] : uses)
            linter.family_drift(name, list);
    return report;
}

std::string lint_summary(const LintReport& report) {
    std::map<std::string, std::size_t> by_id;
    for (const LintFinding& f : report.findings)
        ++by_id[std::string(core::name_of(f.deviation.id))];
    std::string out = "findings by id:";
    for (const auto& [id, n] : by_id)
        out += (out.ends_with(":") ? " " : ", ") + id + " " + std::to_string(n);
    if (by_id.empty())
        out += " none";
    const auto failed = static_cast<std::size_t>(std::count_if(
        report.skipped.begin(), report.skipped.end(), [](const LintSkip& s) { return s.failed; }));
    out += "; pages: " + std::to_string(report.pages_linted) + " linted, " +
           std::to_string(report.skipped.size() - failed) + " skipped, " + std::to_string(failed) +
           " failed\n";
    return out;
}

std::string lint_text(const LintReport& report) {
    std::string out;
    for (const LintFinding& f : report.findings) {
        const Deviation& d = f.deviation;
        out += f.doc + ":" + std::to_string(f.line) + ": " +
               std::string(core::name_of(d.severity)) + " " + std::string(core::name_of(d.id)) +
               "[" + d.kind + "] " + (d.instance_pointer.empty() ? "/" : d.instance_pointer) +
               " (" + f.subject + "): " + d.message + "\n";
    }
    out += std::to_string(report.findings.size()) + " finding(s)\n";
    return out;
}

json lint_json(const LintReport& report) {
    json out = json::array();
    for (const LintFinding& f : report.findings) {
        const Deviation& d = f.deviation;
        out.push_back({{"id", core::name_of(d.id)},
                       {"kind", d.kind},
                       {"severity", core::name_of(d.severity)},
                       {"doc", f.doc},
                       {"line", f.line},
                       {"operation", d.operation},
                       {"pointer", d.instance_pointer},
                       {"expected", d.expected},
                       {"actual", d.actual},
                       {"message", d.message},
                       {"count", d.count},
                       {"rule", f.rule},
                       {"subject", f.subject},
                       {"fingerprint", d.fingerprint()}});
    }
    return out;
}

} // namespace conform::checks
