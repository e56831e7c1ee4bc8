// record: the JSONL recording reader (RecordingReader over a file, line by line), and the
// line <-> Recorded conversion. Input: a recording file. Properties: nothing crashes, leaks or
// hangs; every line read back is written by to_json() as a line that from_json() reads again;
// read again with its JSON bodies parsed (as replay reads), a body handed over parsed is the
// parse of the body's bytes (the fast reader takes both from one parse of the line); read
// into one Recorded line after line (as replay reads, Recorded::clear keeping its buffers),
// every line is what a fresh read gives, and every bad line the same error.
#include <nlohmann/json.hpp>

#include "fuzz/fuzz_input.hpp"
#include "fuzz/targets.hpp"
#include "runner/core/json_parse.hpp"
#include "runner/record/record.hpp"

namespace conform::fuzz {

namespace {

void parsed_bodies_are_the_bytes(const MemoryFile& file, std::size_t size) {
    auto reader = record::RecordingReader::open(
        file.path(), {.parse_bodies = true, .body_max_depth = 64, .lend_bodies = true});
    if (!reader)
        violated("cannot open the in-memory recording");
    for (std::size_t calls = 0; calls <= size + 1; ++calls) {
        auto next = reader->next();
        if (!next)
            continue;
        if (!*next)
            return;
        const record::Recorded& r = **next;
        if (!r.parsed_body)
            continue;
        if (!r.exchange.response)
            violated("a parsed body without a response");
        const auto bytes = core::parse_json(r.exchange.response->body);
        if (!bytes || *bytes != r.parsed_body->root().to_json())
            violated("a body handed over parsed is not the parse of its bytes");
    }
    violated("the reader did not reach the end of the file");
}

} // namespace

int recording_reader(const std::uint8_t* data, std::size_t size) {
    const MemoryFile file(as_text(data, size));
    parsed_bodies_are_the_bytes(file, size);
    auto reader = record::RecordingReader::open(file.path());
    auto reused = record::RecordingReader::open(file.path());
    if (!reader || !reused)
        violated("cannot open the in-memory recording");
    // As the writer dumps (recording.cpp): invalid UTF-8 from a text body becomes U+FFFD.
    const auto dump = [](const nlohmann::json& line) {
        return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    };
    record::Recorded into;
    // Every call consumes at least one line: the input bounds the loop.
    for (std::size_t calls = 0; calls <= size + 1; ++calls) {
        auto next = reader->next();
        auto got = reused->next_into(into);
        if (next.has_value() != got.has_value())
            violated("a line read into a used Recorded is good where a fresh read is not");
        if (!next) {
            if (next.error().to_string() != got.error().to_string())
                violated("a bad line read into a used Recorded is told otherwise");
            continue;
        }
        if (next->has_value() != *got)
            violated("reading into a used Recorded ends elsewhere");
        if (!*next)
            return 0;
        const nlohmann::json line = record::to_json(**next);
        const std::string text = dump(line);
        if (dump(record::to_json(into)) != text)
            violated("a line read into a used Recorded is not the line read fresh");
        auto back = record::from_json(line, file.path(), 1);
        if (!back)
            violated("a line read back does not read again after to_json");
    }
    violated("the reader did not reach the end of the file");
}

} // namespace conform::fuzz

CONFORM_FUZZ_ENTRY(recording_reader)
