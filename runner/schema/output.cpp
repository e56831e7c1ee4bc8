// 2020-12 core 12.4: the "flag" and "basic" output formats.
#include "runner/schema/schema.hpp"

namespace conform::schema {

nlohmann::json to_output_json(const ValidationResult& result, OutputFormat format) {
    nlohmann::json out = {{"valid", result.valid}};
    if (format == OutputFormat::flag)
        return out;
    auto unit = [](const OutputUnit& u, bool valid) {
        nlohmann::json j = {{"valid", valid},
                            {"keywordLocation", u.keyword_location},
                            {"absoluteKeywordLocation", u.absolute_keyword_location},
                            {"instanceLocation", u.instance_location}};
        if (valid)
            j["annotation"] = u.annotation;
        else
            j["error"] = u.error;
        return j;
    };
    if (!result.valid) {
        nlohmann::json errors = nlohmann::json::array();
        for (const OutputUnit& u : result.errors)
            errors.push_back(unit(u, false));
        out["errors"] = std::move(errors);
    } else if (!result.annotations.empty()) {
        nlohmann::json annotations = nlohmann::json::array();
        for (const OutputUnit& u : result.annotations)
            annotations.push_back(unit(u, true));
        out["annotations"] = std::move(annotations);
    }
    return out;
}

} // namespace conform::schema
