#include "runner/core/result.hpp"

namespace conform::core {

std::string Location::to_string() const {
    std::string out = file.empty() ? std::string("<input>") : file;
    if (line != 0) {
        out += ':' + std::to_string(line);
        if (column != 0)
            out += ':' + std::to_string(column);
    }
    if (has_pointer)
        out += "#" + pointer;
    return out;
}

std::string Diagnostic::to_string() const {
    return where.to_string() + ": " + message;
}

} // namespace conform::core
