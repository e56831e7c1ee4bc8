#pragma once
// Where a contract-file error is: file#/pointer (the whole file when the pointer is empty).

#include <filesystem>
#include <string>

#include "runner/core/result.hpp"

namespace conform::contract::internal {

[[nodiscard]] inline core::Location at(const std::filesystem::path& file, std::string pointer) {
    const bool has_pointer = !pointer.empty();
    return core::Location{file.string(), 0, 0, std::move(pointer), has_pointer};
}

} // namespace conform::contract::internal
