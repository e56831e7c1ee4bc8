#pragma once
// UHub-shaped pages for the pagination check tests: the model and a slice of a listing.

#include <string>

#include <nlohmann/json.hpp>

#include "runner/checks/checks.hpp"

namespace conform::test {

inline checks::PageModel uhub() {
    checks::PageModel m;
    m.offset_param = "Offset";
    m.limit_param = "Limit";
    m.items_pointer = "/RepoSet";
    m.total_pointer = "/TotalCount";
    m.item_key = "RepoName";
    return m;
}

// Items r<from> .. r<to - 1> and the given total, as UHub's GetRepo answers.
inline nlohmann::json slice(int from, int to, nlohmann::json total) {
    nlohmann::json set = nlohmann::json::array();
    for (int i = from; i < to; ++i)
        set.push_back({{"RepoName", "r" + std::to_string(i)}});
    return {{"RetCode", 0}, {"TotalCount", std::move(total)}, {"RepoSet", std::move(set)}};
}

} // namespace conform::test
