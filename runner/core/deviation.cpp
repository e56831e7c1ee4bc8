#include "runner/core/deviation.hpp"

#include <cstdio>

namespace conform::core {

std::optional<DeviationId> parse_deviation_id(std::string_view name) {
    for (const DeviationInfo& d : k_deviations)
        if (d.name == name)
            return d.id;
    return std::nullopt;
}

std::string_view name_of(Severity s) {
    switch (s) {
    case Severity::info:
        return "info";
    case Severity::warning:
        return "warning";
    case Severity::error:
        return "error";
    }
    return "error";
}

std::string fold_indices(std::string_view pointer) {
    std::string out;
    out.reserve(pointer.size());
    std::size_t i = 0;
    while (i < pointer.size()) {
        // pointer[i] == '/': copy the token, or "*" when it is all digits
        std::size_t end = pointer.find('/', i + 1);
        if (end == std::string_view::npos)
            end = pointer.size();
        std::string_view token = pointer.substr(i + 1, end - i - 1);
        out += '/';
        const bool index =
            !token.empty() && token.find_first_not_of("0123456789") == std::string_view::npos;
        out += index ? std::string_view("*") : token;
        i = end;
    }
    return out;
}

std::string Deviation::fingerprint() const {
    // FNV-1a 64: small, stable across platforms and releases (unlike std::hash).
    const std::string key = std::string(name_of(id)) + '|' + operation + '|' +
                            fold_indices(schema_pointer) + '|' + fold_indices(instance_pointer);
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : key) {
        h ^= c;
        h *= 1099511628211ull;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

} // namespace conform::core
