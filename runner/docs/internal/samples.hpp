#pragma once
// The page's own samples: a request code block (a URL with its query written one parameter a
// line, or an HTTP request "POST / HTTP/1.1" with headers and a JSON body) paired with the next
// code block that holds JSON. Each pair becomes one exchange of <Operation>.samples.jsonl.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/docs/docs.hpp"
#include "runner/docs/internal/markdown.hpp"

namespace conform::docs::internal {

struct SampleExchange {
    nlohmann::json exchange;           // {"request", "response", "source"}: one JSONL line
    std::string method;                // "GET"
    std::optional<std::string> action; // the Action parameter or X-TC-Action header it sends
    std::size_t line = 0;              // the request's first line
};

[[nodiscard]] std::vector<SampleExchange> read_samples(const std::vector<CodeBlock>& blocks,
                                                       std::string_view doc,
                                                       std::vector<Warning>& warnings);

} // namespace conform::docs::internal
