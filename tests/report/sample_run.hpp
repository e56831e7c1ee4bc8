#pragma once
// A hand-built run for the report unit tests (the golden files come from a real run at a
// fixed clock, tests/report/golden_test.cpp): two targets (the
// conforming reference persona and doc-sample), a passing case, a failing case with a
// type.mismatch and a pagination.over-limit deviation (doc sources, an exchange), skipped
// cases, an environment note. Every time in it is fixed.

#include "runner/report/report.hpp"

namespace conform::test {

[[nodiscard]] report::ReportModel sample_run();

} // namespace conform::test
