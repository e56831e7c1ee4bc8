#pragma once
// The fixed run every report format's golden file is rendered from: two targets (the
// conforming reference persona and doc-sample), a passing case, a failing case with a
// type.mismatch and a pagination.over-limit deviation (doc sources, an exchange), skipped
// cases, an environment note. Every time in it is fixed.

#include "runner/report/report.hpp"

namespace conform::test {

[[nodiscard]] report::ReportModel sample_run();

} // namespace conform::test
