// The signers' injected edges in their real form: random nonces, the process environment
// (STYLE.md lesson 2; the system clock is core/clock.hpp's).
#include <cstdlib>

#include "runner/http/http.hpp"

namespace conform::http {

RandomNonceSource::RandomNonceSource() : m_engine(std::random_device{}()) {}

RandomNonceSource::RandomNonceSource(std::uint64_t seed) : m_engine(seed) {}

std::uint32_t RandomNonceSource::next_nonce() {
    // Positive and within a signed 32-bit integer (see NonceSource).
    std::uniform_int_distribution<std::uint32_t> distribution(1, 0x7FFFFFFF);
    const std::lock_guard lock(m_mutex);
    return distribution(m_engine);
}

std::optional<std::string> ProcessEnvironment::get(std::string_view name) const {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr)
        return std::nullopt;
    return std::string(value);
}

} // namespace conform::http
