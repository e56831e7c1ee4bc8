#pragma once
// A reporter that listens to nothing: for tests that read the run's outcome, not its report.

#include "runner/report/report.hpp"

namespace conform::test {

class Silent final : public report::Reporter {};

} // namespace conform::test
