#include "runner/engine/internal/case_checks.hpp"

#include <algorithm>
#include <map>

namespace conform::engine {

bool is_selected(const std::vector<std::string>& selection, std::string_view name) {
    return selection.empty() ||
           std::find(selection.begin(), selection.end(), name) != selection.end();
}

std::vector<report::CheckResult> run_case_checks(const checks::CheckContext& context,
                                                 const std::vector<std::string>& selection) {
    std::vector<report::CheckResult> out;
    out.reserve(checks::checks().size());
    for (const checks::CheckInfo& check : checks::checks()) {
        if (!checks::applies(check, context.test_case) || !is_selected(selection, check.name))
            continue;
        report::CheckResult check_result;
        check_result.name = std::string(check.name);
        // One root cause, one deviation: the same finding on every page of a walk is
        // folded into the first, with the pages counted.
        std::map<std::string, std::size_t> by_fingerprint;
        for (checks::Finding& f : check.run(context)) {
            if (f.deviation.operation.empty() && context.operation)
                f.deviation.operation = context.operation->name;
            const auto [it, fresh] =
                by_fingerprint.emplace(f.deviation.fingerprint(), check_result.deviations.size());
            if (!fresh) {
                check_result.deviations[it->second].count += f.deviation.count;
                continue;
            }
            check_result.deviations.push_back(std::move(f.deviation));
            check_result.exchange_of.push_back(f.exchange);
        }
        out.push_back(std::move(check_result));
    }
    return out;
}

} // namespace conform::engine
