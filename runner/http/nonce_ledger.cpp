// Tencent v2 replay protection for the reference server (SIGNING.md: servers refuse "a
// reused Nonce").
#include <algorithm>

#include "runner/http/signer.hpp"

namespace conform::http {

bool NonceLedger::remember(std::string_view key_id, std::string_view nonce, std::int64_t timestamp,
                           std::int64_t now) {
    std::string key;
    key.reserve(key_id.size() + 1 + nonce.size());
    key.append(key_id).append(1, '\0').append(nonce);
    const std::lock_guard lock(m_mutex);
    // Forget pairs whose requests are stale by now, at most once per window: amortised O(1).
    if (now >= m_next_sweep) {
        std::erase_if(m_forget_after, [&](const auto& entry) { return entry.second < now; });
        m_next_sweep = now + m_window;
    }
    const std::int64_t forget_after = std::max(timestamp, now) + m_window;
    const auto [it, inserted] = m_forget_after.try_emplace(std::move(key), forget_after);
    if (!inserted && it->second < now) {
        it->second = forget_after; // seen long ago, but not swept yet: a fresh use
        return true;
    }
    return inserted;
}

std::size_t NonceLedger::size() const {
    const std::lock_guard lock(m_mutex);
    return m_forget_after.size();
}

} // namespace conform::http
