// Fixture datasets (cases/<contract>/<Op>.dataset.json) and the page's own sample answers,
// checked against schemas/dataset.schema.json and against the contract they serve; for an
// operation without a dataset, data synthesized from its response schema.
#include <fstream>
#include <set>

#include "runner/core/json_parse.hpp"
#include "runner/core/json_pointer.hpp"
#include "runner/schema/schema.hpp"
#include "runner/serve/internal/envelope.hpp"
#include "runner/serve/internal/plan.hpp"
#include "runner/serve/internal/schema_lookup.hpp"
#include "runner/serve/internal/synthesize.hpp"
#include "runner/serve/serve.hpp"

namespace conform::serve {

namespace fs = std::filesystem;
using nlohmann::json;

const OperationFixture* Fixtures::find(std::string_view operation) const {
    auto it = operations.find(operation);
    return it == operations.end() ? nullptr : &it->second;
}

namespace {

core::Location at(const fs::path& file, std::string pointer) {
    core::Location where;
    where.file = file.string();
    where.pointer = std::move(pointer);
    where.has_pointer = true;
    return where;
}

std::string pointer_of(std::string_view base, std::initializer_list<std::string_view> tokens) {
    std::string out(base);
    for (std::string_view t : tokens)
        core::append_pointer_token(out, t);
    return out;
}

core::Result<schema::CompiledSchema> compile_dataset_schema(const fs::path& schemas_dir) {
    const fs::path path = contract::descriptor_schema(schemas_dir, "dataset.schema.json");
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        return core::fail("missing: fixture datasets are checked against it", at(path, {}));
    CONFORM_TRY(json document, core::load_json_file(path));
    schema::Registry registry;
    schema::CompileOptions options;
    options.origin = path.string();
    auto compiled = schema::compile(document, registry, options);
    if (!compiled) {
        core::Diagnostic d = std::move(compiled).error();
        if (d.where.file.empty())
            d.where.file = path.string();
        return core::fail(std::move(d));
    }
    return std::move(compiled).value();
}

core::Result<void> conforms(const schema::CompiledSchema& schema, const json& document,
                            const fs::path& file) {
    const schema::ValidationResult r = schema.validate(document);
    if (r.valid)
        return {};
    // The deepest error is the most specific one ("/items/3: must be object" beats "/items").
    const schema::OutputUnit* best = &r.errors.front();
    for (const schema::OutputUnit& u : r.errors)
        if (u.instance_location.size() > best->instance_location.size())
            best = &u;
    std::string message = best->error.empty() ? "not a valid dataset" : best->error;
    if (!best->property.empty())
        message += " (" + best->property + ")";
    return core::fail("not a valid dataset (schemas/dataset.schema.json): " + message,
                      at(file, best->instance_location));
}

core::Result<std::optional<json>> read_sample_body(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        core::Location where;
        where.file = file.string();
        return core::fail("cannot read the samples file", where);
    }
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        auto parsed = core::parse_json(line, file.string());
        if (!parsed) {
            core::Diagnostic d = std::move(parsed).error();
            d.where.line = number;
            return core::fail(std::move(d));
        }
        if (const json* body = core::resolve_pointer(*parsed, "/response/body"))
            return std::optional<json>(*body);
    }
    return std::optional<json>();
}

core::Result<DeviationSet> read_ids(const json& list, const fs::path& file,
                                    const std::string& pointer) {
    DeviationSet out;
    for (std::size_t i = 0; i < list.size(); ++i) {
        auto id = core::parse_deviation_id(list[i].get<std::string>());
        if (!id) // the schema's enum and the taxonomy table disagree
            return core::fail("not a deviation id", at(file, pointer + "/" + std::to_string(i)));
        out.insert(*id);
    }
    return out;
}

core::Result<std::vector<Filter>> read_filters(const json& doc, const contract::Operation& op,
                                               const fs::path& file) {
    std::vector<Filter> out;
    auto it = doc.find("filters");
    if (it == doc.end())
        return out;
    const json* request_props = core::resolve_pointer(op.request.document, "/properties");
    const auto item_fields = internal::properties_of(
        internal::item_schema(op.response.document, op.pagination->items_pointer));
    for (std::size_t i = 0; i < it->size(); ++i) {
        const json& f = (*it)[i];
        const std::string base = "/filters/" + std::to_string(i);
        Filter filter;
        filter.param = f["param"].get<std::string>();
        filter.field = f["field"].get<std::string>();
        const json* property =
            request_props && request_props->is_object() && request_props->contains(filter.param)
                ? &(*request_props)[filter.param]
                : nullptr;
        if (!property)
            return core::fail("\"" + filter.param + "\" is not a parameter of " + op.name + " (" +
                                  op.request.path.filename().string() + ")",
                              at(file, base + "/param"));
        if (std::find(item_fields.begin(), item_fields.end(), filter.field) == item_fields.end())
            return core::fail("\"" + filter.field + "\" is not a documented item field of " +
                                  op.name,
                              at(file, base + "/field"));
        for (const auto& [value, field_value] : f["values"].items())
            filter.values.emplace(value, field_value);
        if (const json* enumeration = core::resolve_pointer(*property, "/enum");
            enumeration && enumeration->is_array()) {
            std::set<std::string> documented;
            for (const json& v : *enumeration)
                if (v.is_string()) {
                    documented.insert(v.get<std::string>());
                    if (!filter.values.count(v.get<std::string>()))
                        return core::fail("no item value for the documented " + filter.param +
                                              " value \"" + v.get<std::string>() + "\"",
                                          at(file, base + "/values"));
                }
            for (const auto& [value, _] : filter.values)
                if (!documented.count(value))
                    return core::fail("\"" + value + "\" is not a documented " + filter.param +
                                          " value",
                                      at(file, pointer_of(base + "/values", {value})));
        }
        out.push_back(std::move(filter));
    }
    return out;
}

// Every item in one reference page must validate: the reference's answers are only as
// conforming as its fixture.
core::Result<void> items_conform(const contract::Operation& op, const OperationFixture& fixture) {
    const auto& page = *op.pagination;
    std::set<std::string> keys;
    for (std::size_t i = 0; i < fixture.items.size(); ++i) {
        const json& item = fixture.items[i];
        const std::string base = "/items/" + std::to_string(i);
        auto key = item.find(page.item_key);
        if (key == item.end())
            return core::fail("the item has no \"" + page.item_key +
                                  "\" (the pagination model's item key)",
                              at(fixture.file, base));
        if (!keys.insert(key->dump()).second)
            return core::fail("item key " + key->dump() +
                                  " repeats an earlier item: the reference's pages would hold "
                                  "duplicates",
                              at(fixture.file, pointer_of(base, {page.item_key})));
    }
    const internal::OperationPlan plan = internal::plan_of(op, &fixture);
    const json body =
        internal::page_body(fixture.page_base, op, json(fixture.items),
                            static_cast<std::int64_t>(fixture.items.size()), plan.total_is_string);
    const schema::ValidationResult r = op.response.compiled.validate(body);
    if (r.valid)
        return {};
    const schema::OutputUnit& u = r.errors.front();
    const std::string prefix = page.items_pointer + "/";
    if (u.instance_location.starts_with(prefix))
        return core::fail("the item does not validate against " +
                              op.response.path.filename().string() + ": " + u.error,
                          at(fixture.file, "/items/" + u.instance_location.substr(prefix.size())));
    return core::fail("a reference answer does not validate against " +
                          op.response.path.filename().string() + " at " + u.instance_location +
                          ": " + u.error,
                      at(fixture.file, {}));
}

// The dataset's "doc_sample": what answering with the page's own sample must make conform
// report, and what it may.
core::Result<void> read_doc_sample(const json& doc, OperationFixture& fixture) {
    auto ds = doc.find("doc_sample");
    if (ds == doc.end())
        return {};
    CONFORM_TRY(DeviationSet expected,
                read_ids((*ds)["expected"], fixture.file, "/doc_sample/expected"));
    fixture.doc_sample_expected = expected;
    if (ds->contains("tolerated")) {
        CONFORM_TRY(fixture.doc_sample_tolerated,
                    read_ids((*ds)["tolerated"], fixture.file, "/doc_sample/tolerated"));
    }
    return {};
}

} // namespace

core::Result<Fixtures> load_fixtures(const contract::Contract& contract,
                                     const fs::path& cases_dir) {
    std::optional<schema::CompiledSchema> dataset_schema; // only needed for a dataset file
    Fixtures out;
    out.contract = contract.name;
    // Operations whose items are synthesized, with the doc_sample of a dataset file that
    // writes no items (only what the page's samples must make conform report).
    std::vector<std::pair<const contract::Operation*, OperationFixture>> unwritten;
    for (const auto& [name, op] : contract.operations) {
        const fs::path file = cases_dir / contract.name / (name + ".dataset.json");
        std::error_code ec;
        if (!fs::is_regular_file(file, ec)) {
            unwritten.emplace_back(&op, OperationFixture{});
            continue;
        }
        if (!dataset_schema) {
            CONFORM_TRY(dataset_schema, compile_dataset_schema(contract.directory.parent_path()));
        }
        OperationFixture fixture;
        fixture.operation = name;
        fixture.file = file;
        CONFORM_TRY(json doc, core::load_json_file(fixture.file));
        CONFORM_CHECK(conforms(*dataset_schema, doc, fixture.file));
        CONFORM_CHECK(read_doc_sample(doc, fixture));
        if (!doc.contains("items")) {
            unwritten.emplace_back(&op, std::move(fixture));
            continue;
        }
        if (!op.pagination)
            continue; // a dataset pages: the reference answers with its envelope only
        fixture.page_base = internal::synthesize_page_base(contract, op);
        for (const json& item : doc["items"])
            fixture.items.push_back(item);
        CONFORM_TRY(fixture.filters, read_filters(doc, op, fixture.file));
        if (op.samples) {
            CONFORM_TRY(fixture.sample_body, read_sample_body(*op.samples));
        }
        CONFORM_CHECK(items_conform(op, fixture));
        out.operations.emplace(name, std::move(fixture));
    }
    // No items written: synthesized from the response schema, after the written ones so that
    // a linked identifier takes the values a written producer lists. What cannot be made valid
    // is set aside with why, not the whole family's failure: the reference answers it with its
    // envelope only, and a run skips its cases.
    for (auto& [op, written] : unwritten) {
        auto made = internal::synthesize_fixture(contract, *op, out);
        core::Result<void> fits =
            made && op->pagination ? items_conform(*op, *made) : core::Result<void>();
        if (!made || !fits) {
            out.unsynthesizable.emplace(op->name, made ? fits.error() : made.error());
            continue;
        }
        OperationFixture fixture = std::move(*made);
        fixture.doc_sample_expected = std::move(written.doc_sample_expected);
        fixture.doc_sample_tolerated = std::move(written.doc_sample_tolerated);
        if (op->samples) {
            CONFORM_TRY(fixture.sample_body, read_sample_body(*op->samples));
        }
        out.operations.emplace(op->name, std::move(fixture));
    }
    return out;
}

} // namespace conform::serve
