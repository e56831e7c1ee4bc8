// Tencent v2 replay protection for the reference server (SIGNING.md: servers refuse "a
// reused Nonce").
#include <algorithm>

#include "runner/http/http.hpp"

namespace conform::http {

void NonceLedger::forget_stale(std::int64_t now) {
    std::erase_if(m_forget_after, [&](const auto& entry) { return entry.second < now; });
}

NonceLedger::Remembered NonceLedger::remember(std::string_view key_id, std::string_view nonce,
                                              std::int64_t timestamp, std::int64_t now) {
    std::string key;
    key.reserve(key_id.size() + 1 + nonce.size());
    key.append(key_id).append(1, '\0').append(nonce);
    const std::lock_guard lock(m_mutex);
    // Forget pairs whose requests are stale by now, at most once per window: amortised O(1).
    if (now >= m_next_sweep) {
        forget_stale(now);
        m_next_sweep = now + m_window;
    }
    const std::int64_t forget_after = std::max(timestamp, now) + m_window;
    if (auto it = m_forget_after.find(key); it != m_forget_after.end()) {
        if (it->second >= now)
            return Remembered::reused;
        it->second = forget_after; // seen long ago, but not swept yet: a fresh use
        return Remembered::fresh;
    }
    if (m_forget_after.size() >= m_capacity && now >= m_next_full_sweep) {
        forget_stale(now); // full: look for room, but at most once a second (O(capacity))
        m_next_full_sweep = now + 1;
    }
    if (m_forget_after.size() >= m_capacity)
        return Remembered::full;
    m_forget_after.emplace(std::move(key), forget_after);
    return Remembered::fresh;
}

std::size_t NonceLedger::size() const {
    const std::lock_guard lock(m_mutex);
    return m_forget_after.size();
}

} // namespace conform::http
