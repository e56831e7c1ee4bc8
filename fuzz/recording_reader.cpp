// record: the JSONL recording reader (RecordingReader over a file, line by line), and the
// line <-> Recorded conversion. Input: a recording file. Properties: nothing crashes, leaks or
// hangs; every line read back is written by to_json() as a line that from_json() reads again.
#include <nlohmann/json.hpp>

#include "fuzz/fuzz_input.hpp"
#include "fuzz/targets.hpp"
#include "runner/record/record.hpp"

namespace conform::fuzz {

int recording_reader(const std::uint8_t* data, std::size_t size) {
    const MemoryFile file(as_text(data, size));
    auto reader = record::RecordingReader::open(file.path());
    if (!reader)
        violated("cannot open the in-memory recording");
    // Every call consumes at least one line: the input bounds the loop.
    for (std::size_t calls = 0; calls <= size + 1; ++calls) {
        auto next = reader->next();
        if (!next) {
            (void)next.error().to_string();
            continue;
        }
        if (!*next)
            return 0;
        const nlohmann::json line = record::to_json(**next);
        // As the writer dumps (recording.cpp): invalid UTF-8 from a text body becomes U+FFFD.
        (void)line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        auto back = record::from_json(line, file.path(), 1);
        if (!back)
            violated("a line read back does not read again after to_json");
    }
    violated("the reader did not reach the end of the file");
}

} // namespace conform::fuzz

CONFORM_FUZZ_ENTRY(recording_reader)
