#pragma once
// In-memory edges for the signing tests (STYLE.md lesson 2): a nonce sequence, an environment
// map, and a guard that restores a process environment variable.

#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runner/http/http.hpp"
#include "tests/support/scoped_env.hpp"

namespace conform::test {

class FixedNonces final : public http::NonceSource {
public:
    explicit FixedNonces(std::vector<std::uint32_t> nonces) : m_nonces(std::move(nonces)) {}
    std::uint32_t next_nonce() override { return m_nonces.at(m_next++ % m_nonces.size()); }

private:
    std::vector<std::uint32_t> m_nonces;
    std::size_t m_next = 0;
};

class MapEnvironment final : public http::Environment {
public:
    MapEnvironment(std::map<std::string, std::string, std::less<>> values)
        : m_values(std::move(values)) {}
    std::optional<std::string> get(std::string_view name) const override {
        const auto it = m_values.find(name);
        return it == m_values.end() ? std::nullopt : std::optional<std::string>(it->second);
    }

private:
    std::map<std::string, std::string, std::less<>> m_values;
};

} // namespace conform::test
