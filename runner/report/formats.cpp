// The format table's behaviour: parsing names, building reporters, writing files atomically.

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <system_error>

#include <unistd.h>

#include "runner/report/internal/text.hpp"

namespace conform::report {
namespace {

// Collects the run; renders and writes the file when it ends.
class FileReporter final : public internal::ModelBuilder {
public:
    FileReporter(Renderer render, std::filesystem::path file)
        : m_render(render), m_file(std::move(file)) {}

    core::Result<void> run_ended(const RunSummary& s) override {
        CONFORM_CHECK(ModelBuilder::run_ended(s));
        return write_file_atomically(m_file, m_render(model()));
    }

private:
    Renderer m_render;
    std::filesystem::path m_file;
};

core::Unexpected<core::Diagnostic> file_error(const std::filesystem::path& file,
                                              const std::string& what) {
    core::Location where;
    where.file = file.string();
    return core::fail("cannot write the report: " + what, std::move(where));
}

} // namespace

std::optional<Format> parse_format(std::string_view name) {
    for (const FormatInfo& f : k_formats)
        if (f.name == name)
            return f.format;
    return std::nullopt;
}

std::string format_names() {
    std::string out;
    for (const FormatInfo& f : k_formats) {
        if (!out.empty())
            out += ", ";
        out += f.name;
    }
    return out;
}

std::unique_ptr<Reporter> make_reporter(Format format, const ReporterOptions& options) {
    const FormatInfo& f = info(format);
    if (!f.render)
        return console_reporter(options.out ? *options.out : std::cout, options.console);
    return file_reporter(f.render, options.output_dir / f.file_name);
}

std::unique_ptr<Reporter> file_reporter(Renderer render, std::filesystem::path file) {
    return std::make_unique<FileReporter>(render, std::move(file));
}

std::unique_ptr<Reporter> json_reporter(std::filesystem::path file) {
    return file_reporter(&render_json, std::move(file));
}

core::Result<void> write_file_atomically(const std::filesystem::path& file, std::string_view text) {
    std::error_code ec;
    const auto parent = file.parent_path();
    if (!parent.empty()) {
        std::filesystem::create_directories(parent, ec);
        if (ec)
            return file_error(file, "cannot create " + parent.string() + ": " + ec.message());
    }
    // Beside the target so that the rename stays on one file system; the pid keeps two
    // concurrent runs from sharing a temp file.
    const std::filesystem::path temp =
        file.string() + ".tmp." + std::to_string(static_cast<long>(::getpid()));
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out)
            return file_error(file, "cannot create " + temp.string() + ": " + std::strerror(errno));
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        out.close();
        if (!out) {
            std::filesystem::remove(temp, ec);
            return file_error(file, "writing " + temp.string() + " failed");
        }
    }
    std::filesystem::rename(temp, file, ec);
    if (ec) {
        std::error_code ignored;
        std::filesystem::remove(temp, ignored);
        return file_error(file, "cannot rename " + temp.string() + " into place: " + ec.message());
    }
    return {};
}

} // namespace conform::report
