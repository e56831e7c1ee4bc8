// run_replay: `conform replay FILE...`. Loads the contracts and their cases, opens the
// recordings, replays them (replay.cpp) and writes the reports, as `conform run` does.
#include <algorithm>
#include <charconv>
#include <iostream>

#include "runner/core/text.hpp"
#include "runner/engine/internal/reporting.hpp"
#include "runner/engine/replay.hpp"
#include "runner/record/record.hpp"

namespace conform::engine {
namespace {

namespace fs = std::filesystem;

bool is_har(const fs::path& file) {
    return core::iequals(file.extension().string(), ".har");
}

} // namespace

struct RecordingFiles::State {
    std::vector<fs::path> files;
    std::size_t next_file = 0;
    std::optional<record::RecordingReader> reader;
    // A HAR file is one JSON document: read whole (record::read_har), then handed out entry by
    // entry. Its size bounds the memory it takes, not the JSONL recordings' length.
    std::optional<record::HarImport> har;
    std::size_t har_bad = 0, har_next = 0;
    std::uint64_t done_bytes = 0; // of the files read to their end
    record::ReaderOptions options;
};

RecordingFiles::~RecordingFiles() = default;

core::Result<std::unique_ptr<RecordingFiles>>
RecordingFiles::open(const std::vector<fs::path>& files, const record::ReaderOptions& options) {
    if (files.empty())
        return core::fail("no recording to replay (conform replay FILE...)");
    std::size_t standard_input = 0;
    for (const fs::path& f : files) {
        if (f == "-") { // standard input: read once, so named once
            if (++standard_input > 1)
                return core::fail("\"-\" (standard input) is named more than once");
            continue;
        }
        std::error_code ec;
        // A pipe or /dev/fd/N (`<(zstdcat day.jsonl.zst)`) is a recording too.
        if (!fs::exists(f, ec) || fs::is_directory(f, ec))
            return core::fail("no such recording file",
                              core::Location{f.string(), 0, 0, {}, false});
    }
    std::unique_ptr<RecordingFiles> source(new RecordingFiles());
    source->m_state = std::make_unique<State>();
    source->m_state->files = files;
    source->m_state->options = options;
    return source;
}

core::Result<std::optional<record::Recorded>> RecordingFiles::next() {
    std::optional<record::Recorded> out(std::in_place);
    CONFORM_TRY(const bool got, next_into(*out));
    if (!got)
        out.reset();
    return out;
}

core::Result<bool> RecordingFiles::next_into(record::Recorded& out) {
    State& s = *m_state;
    for (;;) {
        if (!s.reader && !s.har) {
            if (s.next_file >= s.files.size())
                return false;
            const fs::path& file = s.files[s.next_file];
            if (is_har(file)) {
                auto har = record::read_har(file);
                if (!har) {
                    ++s.next_file; // reported as one bad input, and the replay goes on
                    return core::fail(std::move(har).error());
                }
                s.har.emplace(std::move(*har));
                s.har_bad = s.har_next = 0;
            } else {
                auto reader = record::RecordingReader::open(file, s.options);
                if (!reader) {
                    ++s.next_file;
                    return core::fail(std::move(reader).error());
                }
                s.reader.emplace(std::move(*reader));
            }
        }
        if (s.har) {
            if (s.har_bad < s.har->bad.size())
                return core::fail(s.har->bad[s.har_bad++]);
            if (s.har_next < s.har->entries.size()) {
                out = std::move(s.har->entries[s.har_next++]);
                return true;
            }
            std::error_code ec;
            s.done_bytes += fs::file_size(s.files[s.next_file], ec);
            s.har.reset();
            ++s.next_file;
            continue;
        }
        CONFORM_TRY(const bool got, s.reader->next_into(out));
        if (got)
            return true;
        s.done_bytes += s.reader->bytes_read(); // stdin and .gz/.zst too: what was read
        s.reader.reset();
        ++s.next_file;
    }
}

std::uint64_t RecordingFiles::bytes_read() const {
    return m_state->done_bytes;
}

std::optional<ExchangeSource::Splittable> RecordingFiles::splittable() const {
    const State& s = *m_state;
    if (s.next_file != 0 || s.reader || s.har)
        return std::nullopt; // already being read through next()
    Splittable out;
    for (const fs::path& file : s.files) {
        if (is_har(file))
            return std::nullopt;
        const auto size = record::splittable_size(file);
        if (!size)
            return std::nullopt;
        out.files.push_back(file);
        out.sizes.push_back(*size);
    }
    out.options = s.options;
    return out;
}

core::Result<std::chrono::seconds> parse_age(std::string_view text) {
    if (text.size() < 2)
        return core::fail(
            "--max-age expects a number and a unit (s, m, h, d, w), e.g. 30d; got \"" +
            std::string(text) + "\"");
    std::int64_t n = 0;
    const char unit = text.back();
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, n);
    std::int64_t scale = 0;
    switch (unit) {
    case 's':
        scale = 1;
        break;
    case 'm':
        scale = 60;
        break;
    case 'h':
        scale = 3600;
        break;
    case 'd':
        scale = 86400;
        break;
    case 'w':
        scale = 7 * 86400;
        break;
    default:
        break;
    }
    if (ec != std::errc() || end != text.data() + text.size() - 1 || n < 0 || scale == 0)
        return core::fail(
            "--max-age expects a number and a unit (s, m, h, d, w), e.g. 30d; got \"" +
            std::string(text) + "\"");
    return std::chrono::seconds(n * scale);
}

core::Result<LoadedContracts> load_replay_contracts(const fs::path& schemas_dir,
                                                    const fs::path& cases_dir_given,
                                                    const std::vector<std::string>& names,
                                                    const contract::LoadOptions& options) {
    const fs::path schemas = schemas_dir.empty() ? contract::default_schemas_dir() : schemas_dir;
    const fs::path cases_dir =
        cases_dir_given.empty() ? contract::default_cases_dir() : cases_dir_given;
    LoadedContracts loaded;
    CONFORM_TRY(loaded.contracts, contract::load_named_contracts(schemas, names, options));
    for (const contract::Contract& c : loaded.contracts) {
        // The cases a run would send (generated and written), so that a recorded exchange's
        // case name finds what it expected; a recording of other traffic names none.
        CONFORM_TRY(auto files, contract::plan_cases(c, cases_dir, schemas));
        loaded.cases.push_back(std::move(files));
    }
    return loaded;
}

core::Result<core::Verdict> run_replay(const ReplayJob& job, std::ostream& out, std::ostream& err) {
    contract::LoadOptions load = job.settings.limits.contracts();
    load.threads = static_cast<unsigned>(std::max(1, job.settings.jobs)); // --jobs cores
    CONFORM_TRY(const LoadedContracts loaded,
                load_replay_contracts(job.schemas_dir, job.cases_dir, job.contracts, load));
    CONFORM_TRY(auto source, RecordingFiles::open(job.files, reader_options(job.settings)));

    const std::string started_at = internal::iso_utc(job.settings.now);
    CONFORM_TRY(
        auto reporting,
        internal::Reporting::open(job.report, out, err, started_at,
                                  job.settings.clock ? *job.settings.clock : core::system_clock()));
    report::Reporter& reporter = reporting->reporter();
    ReplaySettings settings = job.settings;
    settings.coverage = &reporting->measure_coverage(loaded.contracts);
    reporter.run_starting({started_at, job.arguments, job.settings.shard.text()});
    const ReplayOutcome outcome =
        replay_exchanges(*source, {loaded.contracts, loaded.cases}, settings, reporter);
    CONFORM_CHECK(reporting->finish(outcome.summary));
    err << "conform: replayed " << outcome.exchanges << " exchange(s)";
    if (outcome.walks)
        err << ", " << outcome.walks << " walk(s)";
    if (outcome.malformed)
        err << "; " << outcome.malformed << " malformed line(s)";
    if (outcome.unroutable)
        err << "; " << outcome.unroutable << " unroutable exchange(s)";
    if (outcome.stale)
        err << "; " << outcome.stale << " stale exchange(s)";
    err << '\n';
    reporting->announce(err);
    // A bad line is bad input even though everything else was replayed and reported; like an
    // unreachable target for `conform run`, it outranks deviations.
    if (outcome.malformed > 0)
        return core::Verdict::bad_input;
    if ((job.settings.fail_stale && outcome.stale > 0) || reporting->failing())
        return core::Verdict::deviations;
    return core::Verdict::conformant;
}

} // namespace conform::engine
