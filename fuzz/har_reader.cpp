// record: the HAR 1.2 reader (read_har) and writer (to_har). Input: a HAR file. Properties:
// nothing crashes, leaks or hangs; the entries read are written as HAR that parse_har reads
// back with as many entries.
#include <nlohmann/json.hpp>

#include "fuzz/fuzz_input.hpp"
#include "fuzz/targets.hpp"
#include "runner/record/record.hpp"

namespace conform::fuzz {

int har_reader(const std::uint8_t* data, std::size_t size) {
    const MemoryFile file(as_text(data, size));
    auto har = record::read_har(file.path());
    if (!har) {
        (void)har.error().to_string();
        return 0;
    }
    for (const core::Diagnostic& bad : har->bad)
        (void)bad.to_string();
    const nlohmann::json written = record::to_har(har->entries);
    (void)written.dump();
    auto back = record::parse_har(written);
    if (!back)
        violated("to_har output is not read by parse_har");
    if (back->entries.size() != har->entries.size())
        violated("to_har/parse_har lost entries");
    return 0;
}

} // namespace conform::fuzz

CONFORM_FUZZ_ENTRY(har_reader)
