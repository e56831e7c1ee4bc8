#pragma once
// Member-name lookup for properties, required, dependentSchemas...: a linear scan over a
// handful of names beats hashing (API objects have ~10 members); larger tables hash.

#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace conform::schema::internal {

template <class T> class PropertyTable {
public:
    struct Entry {
        std::string key;
        T value;
    };

    void add(std::string key, T value) {
        m_entries.push_back(Entry{std::move(key), std::move(value)});
        if (m_entries.size() > k_linear_limit) {
            m_index.clear();
            for (std::size_t i = 0; i < m_entries.size(); ++i)
                m_index.emplace(m_entries[i].key, i);
        }
    }

    [[nodiscard]] const Entry* find(std::string_view key) const {
        if (m_entries.size() <= k_linear_limit) {
            // length and first byte reject almost every mismatch before memcmp
            for (const Entry& e : m_entries)
                if (e.key.size() == key.size() &&
                    (key.empty() || (e.key[0] == key[0] &&
                                     std::memcmp(e.key.data(), key.data(), key.size()) == 0)))
                    return &e;
            return nullptr;
        }
        auto it = m_index.find(key);
        return it == m_index.end() ? nullptr : &m_entries[it->second];
    }
    [[nodiscard]] std::size_t index_of(const Entry* e) const {
        return static_cast<std::size_t>(e - m_entries.data());
    }

    [[nodiscard]] const std::vector<Entry>& entries() const { return m_entries; }
    [[nodiscard]] std::size_t size() const { return m_entries.size(); }

private:
    static constexpr std::size_t k_linear_limit = 16;
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const {
            return std::hash<std::string_view>{}(s);
        }
    };
    std::vector<Entry> m_entries;
    std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>> m_index;
};

} // namespace conform::schema::internal
