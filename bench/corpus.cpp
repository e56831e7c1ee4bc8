#include "bench/corpus.hpp"

#include <random>

namespace conform::bench {

nlohmann::json getrepo_schema() {
    return nlohmann::json::parse(R"({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://conform.dev/bench/GetRepo.response.schema.json",
  "type": "object",
  "required": ["RetCode", "Action", "TotalCount", "RepoSet"],
  "additionalProperties": false,
  "properties": {
    "RetCode": {"type": "integer"},
    "Action": {"type": "string", "const": "GetRepoResponse"},
    "Message": {"type": "string"},
    "TotalCount": {"type": "integer", "minimum": 0},
    "RepoSet": {"type": "array", "maxItems": 100, "items": {"$ref": "#/$defs/RepoSet"}}
  },
  "$defs": {
    "RepoSet": {
      "type": "object",
      "required": ["RepoName", "RepoType", "CreateTime", "UpdateTime", "Description",
                   "IsShared", "IsOutSide", "TagCount"],
      "additionalProperties": false,
      "properties": {
        "RepoName": {"type": "string", "minLength": 1, "pattern": "^[a-z0-9][a-z0-9._-]*$"},
        "RepoType": {"enum": ["private", "public"]},
        "CreateTime": {"type": "string"},
        "UpdateTime": {"type": "string"},
        "Description": {"type": "string"},
        "IsShared": {"enum": ["true", "false"]},
        "IsOutSide": {"enum": ["true", "false"]},
        "TagCount": {"type": "integer", "minimum": 0}
      }
    }
  }
})");
}

std::vector<std::string> getrepo_pages(std::size_t count, unsigned seed) {
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    auto word = [&](int len) {
        std::string s;
        for (int i = 0; i < len; ++i)
            s += static_cast<char>('a' + pick(26));
        return s;
    };
    std::vector<std::string> pages;
    pages.reserve(count);
    for (std::size_t p = 0; p < count; ++p) {
        nlohmann::json repos = nlohmann::json::array();
        for (int i = 0; i < 20; ++i) {
            repos.push_back({
                {"RepoName", word(6) + "-" + std::to_string(p * 20 + static_cast<std::size_t>(i))},
                {"RepoType", pick(2) ? "private" : "public"},
                {"CreateTime", "2026-0" + std::to_string(1 + pick(9)) + "-1" +
                                   std::to_string(pick(9)) + " 10:2" + std::to_string(pick(9)) +
                                   ":00"},
                {"UpdateTime",
                 "2026-10-2" + std::to_string(pick(9)) + " 08:1" + std::to_string(pick(9)) + ":00"},
                {"Description", word(20) + " " + word(12)},
                {"IsShared", pick(2) ? "true" : "false"},
                {"IsOutSide", pick(2) ? "true" : "false"},
                {"TagCount", pick(50)},
            });
        }
        nlohmann::json page = {{"Action", "GetRepoResponse"},
                               {"RetCode", 0},
                               {"TotalCount", 1000},
                               {"RepoSet", repos}};
        if (p % 10 == 9) { // the deviating tenth
            switch (pick(4)) {
            case 0:
                page["RepoSet"][3] = page["RepoSet"][3]["RepoName"];
                break;
            case 1:
                page["TotalCount"] = "1000";
                break;
            case 2: {
                auto& r = page["RepoSet"][5];
                r["repoName"] = r["RepoName"];
                r.erase("RepoName");
                break;
            }
            default:
                page["RepoSet"][7]["RepoType"] = "Private";
                break;
            }
        }
        pages.push_back(page.dump());
    }
    return pages;
}

} // namespace conform::bench
