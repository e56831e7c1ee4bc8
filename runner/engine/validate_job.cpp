#include <fstream>
#include <iostream>

#include "runner/core/json_parse.hpp"
#include "runner/engine/engine.hpp"
#include "runner/schema/schema.hpp"

namespace conform::engine {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string file_uri(const fs::path& p) {
    std::error_code ec;
    fs::path abs = fs::weakly_canonical(fs::absolute(p, ec), ec);
    return "file://" + abs.generic_string();
}

// Prints one instance's verdict in the chosen format.
class Printer {
public:
    Printer(ValidateJob::Output output, std::ostream& out) : m_output(output), m_out(out) {}

    void verdict(const std::string& label, const schema::ValidationResult& r) {
        if (m_output == ValidateJob::Output::text) {
            m_out << label << ": " << (r.valid ? "valid" : "invalid") << '\n';
            for (const auto& e : r.errors)
                m_out << "  " << (e.instance_location.empty() ? "(root)" : e.instance_location)
                      << ": " << e.error << "  [" << e.keyword_location << "]\n";
            return;
        }
        json line = schema::to_output_json(r, m_output == ValidateJob::Output::flag
                                                  ? schema::OutputFormat::flag
                                                  : schema::OutputFormat::basic);
        line.erase("annotations");
        json out = {{"instance", label}, {"valid", r.valid}};
        if (line.contains("errors"))
            out["errors"] = std::move(line["errors"]);
        m_out << out.dump() << '\n';
    }

    void bad_input(const std::string& label, const core::Diagnostic& d) {
        if (m_output == ValidateJob::Output::text) {
            m_out << label << ": error: " << d.to_string() << '\n';
            return;
        }
        m_out << json{{"instance", label}, {"valid", false}, {"error", d.to_string()}}.dump()
              << '\n';
    }

private:
    ValidateJob::Output m_output;
    std::ostream& m_out;
};

// Non-schema values caught before compiling: the schema against its meta-schema.
core::Result<void> check_against_meta(const json& document, const std::string& origin,
                                      schema::Registry& registry) {
    if (document.is_object() && document.contains("$schema") &&
        document["$schema"] != schema::k_draft2020_12 &&
        document["$schema"] != std::string(schema::k_draft2020_12) + "#")
        return {}; // custom meta-schemas are checked by compile()
    CONFORM_TRY(const json* meta_doc, registry.find(schema::k_draft2020_12));
    CONFORM_TRY(schema::CompiledSchema meta, schema::compile(*meta_doc, registry));
    auto result = meta.validate(document);
    if (result.valid)
        return {};
    // The deepest error is the most specific one.
    const schema::OutputUnit* best = &result.errors.front();
    for (const auto& e : result.errors)
        if (e.instance_location.size() > best->instance_location.size())
            best = &e;
    return core::fail("not a valid draft 2020-12 schema: " + best->error,
                      core::Location{origin, 0, 0, best->instance_location, true});
}

} // namespace

core::Result<core::Verdict> run_validate(const ValidateJob& job, std::ostream& out,
                                         std::ostream& /*err*/) {
    schema::Registry registry;
    for (const auto& [dir, base] : job.resource_dirs) {
        std::error_code ec;
        if (!fs::is_directory(dir, ec))
            return core::fail("resource directory does not exist", {dir.string(), 0, 0, {}, false});
        registry.map_directory(base, dir);
    }
    CONFORM_TRY(const json document,
                core::load_json_file(job.schema, core::ParseLimits{job.max_schema_depth}));
    const std::string base = file_uri(job.schema);
    // Sibling files answer relative references (local only, never the network).
    registry.map_directory(
        file_uri(job.schema.parent_path().empty() ? fs::path(".") : job.schema.parent_path()) + "/",
        job.schema.parent_path().empty() ? fs::path(".") : job.schema.parent_path());
    CONFORM_CHECK(check_against_meta(document, job.schema.string(), registry));
    schema::CompileOptions options;
    options.base_uri = base;
    options.origin = job.schema.string();
    options.assert_format = job.assert_format;
    options.max_instance_depth = job.max_depth;
    options.max_schema_depth = job.max_schema_depth;
    options.max_evaluation_depth = job.max_ref_depth;
    options.regex.max_length = job.max_pattern_bytes;
    const core::ParseLimits limits{job.max_depth};
    CONFORM_TRY(const schema::CompiledSchema compiled,
                schema::compile(document, registry, options));

    Printer printer(job.output, out);
    bool any_invalid = false, any_bad_input = false;
    auto check = [&](const std::string& label, core::JsonView instance) {
        auto result = compiled.validate(instance);
        any_invalid = any_invalid || !result.valid;
        printer.verdict(label, result);
    };

    if (job.jsonl) {
        std::ifstream in(*job.jsonl, std::ios::binary);
        if (!in)
            return core::fail("cannot open file", {job.jsonl->string(), 0, 0, {}, false});
        core::FastParser parser;
        std::string line;
        std::size_t number = 0;
        while (std::getline(in, line)) {
            ++number;
            if (!line.empty() && line.back() == '\r')
                line.pop_back();
            if (line.find_first_not_of(" \t") == std::string::npos)
                continue;
            const std::string label = std::to_string(number);
            auto parsed = parser.parse(line, job.jsonl->string(), limits);
            if (!parsed) {
                core::Diagnostic d = std::move(parsed).error();
                d.where.line = number; // a line of the file, not of the one-line document
                any_bad_input = true;
                printer.bad_input(label, d);
                continue;
            }
            check(label, *parsed);
        }
    } else {
        for (const fs::path& file : job.files) {
            auto instance = core::load_json_file(file, limits);
            if (!instance) {
                any_bad_input = true;
                printer.bad_input(file.string(), instance.error());
                continue;
            }
            check(file.string(), *instance);
        }
    }
    return any_bad_input ? core::Verdict::bad_input
           : any_invalid ? core::Verdict::deviations
                         : core::Verdict::conformant;
}

} // namespace conform::engine
