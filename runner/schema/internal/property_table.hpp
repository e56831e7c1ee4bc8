#pragma once
// Lookup of a few strings: member names for properties, required, dependentSchemas..., and
// the strings of an enum. A linear scan over a handful of names beats hashing (API objects
// have ~10 members); larger tables hash.
//
// Objects of one API response type almost always list their members in the same order, and
// usually in the order the schema declares them: find() takes a cursor that remembers where
// the previous member matched and tries the entry after it first, so walking an object whose
// order agrees costs one comparison per member.
//
// find_stored() takes a name as simdjson's string buffer holds it (a 32-bit length, then the
// bytes): each entry keeps its name in that form, masked, so that the entry at the cursor is
// compared, length included, by two word loads for names of up to 12 bytes.

#include <algorithm>
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
    // A name as a simdjson string buffer stores it, in two masked words: its 32-bit length
    // and first 4 bytes, then bytes 4 to 11.
    struct StoredName {
        std::uint64_t head = 0, head_mask = 0, tail = 0, tail_mask = 0;
    };
    struct Entry {
        std::string key;
        T value;
        StoredName stored{};
    };

    void add(std::string key, T value) {
        const StoredName stored = stored_name(key);
        m_entries.push_back(Entry{std::move(key), std::move(value), stored});
        m_size = m_entries.size();
        // Past the limit, indexed: all of them once, then each as it comes (building it
        // anew for each made a table of 16,000 names take seconds).
        if (m_entries.size() == k_linear_limit + 1)
            for (std::size_t i = 0; i < m_entries.size(); ++i)
                m_index.emplace(m_entries[i].key, i);
        else if (m_entries.size() > k_linear_limit + 1)
            m_index.emplace(m_entries.back().key, m_entries.size() - 1);
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

    // As find(key, cursor), for a name stored as simdjson stores strings: `at` points to its
    // 32-bit length, with at least 16 bytes readable from there (simdjson pads its string
    // buffer by SIMDJSON_PADDING).
    [[nodiscard]] const Entry* find_stored(const std::uint8_t* at, std::size_t& cursor) const {
        if (cursor < m_size) [[likely]] {
            const Entry& e = m_entries[cursor];
            if ((load64(at) & e.stored.head_mask) == e.stored.head &&
                (load64(at + 8) & e.stored.tail_mask) == e.stored.tail &&
                (e.key.size() <= 12 ||
                 core::same_bytes({reinterpret_cast<const char*>(at) + 16, e.key.size() - 12},
                                  {e.key.data() + 12, e.key.size() - 12}))) {
                ++cursor;
                return &e;
            }
        }
        std::uint32_t length;
        std::memcpy(&length, at, sizeof length);
        return find_slow({reinterpret_cast<const char*>(at) + sizeof length, length}, cursor);
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
    static std::uint64_t load64(const std::uint8_t* p) noexcept {
        std::uint64_t w;
        std::memcpy(&w, p, sizeof w);
        return w;
    }
    static StoredName stored_name(std::string_view key) {
        StoredName name;
        if (key.size() > UINT32_MAX) { // no simdjson string is this long: never a quick match
            name.head = 1;
            return name;
        }
        // The 16 bytes from the length on, and which of them hold the name (in memory order:
        // the masks are loaded as the words are, whatever the byte order).
        std::uint8_t bytes[16] = {}, used[16] = {};
        const auto length = static_cast<std::uint32_t>(key.size());
        const std::size_t n = std::min<std::size_t>(key.size(), 12);
        std::memcpy(bytes, &length, sizeof length);
        std::memcpy(bytes + sizeof length, key.data(), n);
        std::fill(used, used + sizeof length + n, std::uint8_t{0xFF});
        name.head_mask = load64(used);
        name.tail_mask = load64(used + 8);
        name.head = load64(bytes) & name.head_mask;
        name.tail = load64(bytes + 8) & name.tail_mask;
        return name;
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
