// The signers' injected edges in their real form: the system clock, random nonces, the process
// environment (STYLE.md lesson 2).
#include <chrono>
#include <cstdlib>

#include "runner/http/signer.hpp"

namespace conform::http {

std::int64_t SystemClock::unix_seconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

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
