#pragma once
// conform::core — the shared vocabulary, no I/O beyond reading a file: Result and Diagnostic,
// the read-only JSON view (nlohmann + simdjson), JSON parsing with locations, JSON Pointer,
// URI references, ASCII text helpers, the UTF-8 decoder, the clock edge, the Verdict a job
// returns.

#include "runner/core/clock.hpp"
#include "runner/core/deviation.hpp"
#include "runner/core/function_ref.hpp"
#include "runner/core/json_parse.hpp"
#include "runner/core/json_pointer.hpp"
#include "runner/core/json_view.hpp"
#include "runner/core/result.hpp"
#include "runner/core/text.hpp"
#include "runner/core/uri.hpp"
#include "runner/core/utf8.hpp"
#include "runner/core/verdict.hpp"
