#pragma once
// Deterministic corpora for the benchmarks: UCloud GetRepo-like response pages.

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace conform::bench {

// The response schema the corpus is validated against (GetRepo-like, 2020-12).
nlohmann::json getrepo_schema();

// count pages of ~20 repositories (~3.8 KB each); every tenth page deviates (an item as a
// string, a stringified total, a lower-cased field, an enum near-miss...). Same seed, same
// bytes.
std::vector<std::string> getrepo_pages(std::size_t count, unsigned seed = 20261122);

} // namespace conform::bench
