#pragma once
// Lookup of a few strings: member names for properties, required, dependentSchemas..., and
// the strings of an enum. A linear scan over a handful of names beats hashing (API objects
// have ~10 members); larger tables hash.
//
// Objects of one API response type almost always list their members in the same order, and
// usually in the order the schema declares them: find() takes a cursor that remembers where
// the previous member matched and tries the entry after it first, so walking an object whose
// order agrees costs one comparison per member.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runner/core/text.hpp"

namespace conform::schema::internal {

template <class T> class PropertyTable {
public:
    struct Entry {
        std::string key;
        T value;
    };

    void add(std::string key, T value) {
        m_entries.push_back(Entry{std::move(key), std::move(value)});
        m_size = m_entries.size();
        if (m_entries.size() > k_linear_limit) {
            m_index.clear();
            for (std::size_t i = 0; i < m_entries.size(); ++i)
                m_index.emplace(m_entries[i].key, i);
        }
    }

    [[nodiscard]] const Entry* find(std::string_view key) const {
        if (m_entries.size() <= k_linear_limit) { // enums of a few strings: no call
            for (const Entry& e : m_entries)
                if (same(e.key, key))
                    return &e;
            return nullptr;
        }
        std::size_t cursor = 0;
        return find_slow(key, cursor);
    }

    // As find(key), trying the entry at cursor first; on a hit, cursor moves past the entry.
    [[nodiscard]] const Entry* find(std::string_view key, std::size_t& cursor) const {
        if (cursor < m_size && same(m_entries[cursor].key, key)) [[likely]]
            return &m_entries[cursor++];
        return find_slow(key, cursor);
    }

    [[nodiscard]] std::size_t index_of(const Entry* e) const {
        return static_cast<std::size_t>(e - m_entries.data());
    }

    [[nodiscard]] const std::vector<Entry>& entries() const { return m_entries; }
    [[nodiscard]] std::size_t size() const { return m_entries.size(); }

private:
    static constexpr std::size_t k_linear_limit = 16;

    [[gnu::noinline]] const Entry* find_slow(std::string_view key, std::size_t& cursor) const {
        const std::size_t n = m_entries.size();
        if (n <= k_linear_limit) {
            for (std::size_t i = 0; i < n; ++i)
                if (same(m_entries[i].key, key)) {
                    cursor = i + 1;
                    return &m_entries[i];
                }
            return nullptr;
        }
        auto it = m_index.find(key);
        if (it == m_index.end())
            return nullptr;
        cursor = it->second + 1;
        return &m_entries[it->second];
    }

    static bool same(std::string_view a, std::string_view b) noexcept {
        return core::same_bytes(a, b);
    }

    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const {
            return std::hash<std::string_view>{}(s);
        }
    };
    std::vector<Entry> m_entries;
    std::size_t m_size = 0; // m_entries.size(), without the division by sizeof(Entry)
    std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>> m_index;
};

} // namespace conform::schema::internal
