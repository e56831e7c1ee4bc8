#include <map>
#include <memory>
#include <mutex>

#include "runner/core/json_parse.hpp"
#include "runner/core/uri.hpp"
#include "runner/schema/schema.hpp"

namespace conform::schema {
namespace internal {
// Generated from schemas/meta/2020-12 by cmake/embed_meta.cmake.
const std::vector<std::pair<std::string_view, std::string_view>>& bundled_meta_schemas();
} // namespace internal

namespace {

// The bundled meta-schemas, parsed once per process: they never change, and every Registry
// (a contract's load makes several) shares them instead of parsing nine documents again.
struct Bundled {
    std::string id;
    std::string origin;
    std::shared_ptr<const nlohmann::json> document;
};

const std::vector<Bundled>& bundled() {
    static const std::vector<Bundled> documents = [] {
        std::vector<Bundled> out;
        for (const auto& [path, text] : internal::bundled_meta_schemas()) {
            auto doc = std::make_shared<const nlohmann::json>(
                nlohmann::json::parse(text)); // ours, known good: a bug if not
            std::string id = doc->at("$id").get<std::string>();
            out.push_back(
                {std::move(id), "bundled meta-schema " + std::string(path), std::move(doc)});
        }
        return out;
    }();
    return documents;
}

} // namespace

struct Registry::Impl {
    std::map<std::string, std::shared_ptr<const nlohmann::json>, std::less<>> documents;
    std::map<std::string, std::string, std::less<>> origins;
    std::vector<std::pair<std::string, std::filesystem::path>> directories;
};

Registry::Registry() : m_impl(std::make_unique<Impl>()) {
    for (const Bundled& b : bundled()) {
        m_impl->origins[b.id] = b.origin;
        m_impl->documents[b.id] = b.document;
    }
}

Registry::Registry(Registry&&) noexcept = default;
Registry& Registry::operator=(Registry&&) noexcept = default;
Registry::~Registry() = default;

void Registry::add(std::string uri, nlohmann::json document) {
    auto [without_fragment, fragment] = core::split_fragment(uri);
    std::string key(without_fragment);
    m_impl->origins[key] = key;
    m_impl->documents[key] = std::make_shared<const nlohmann::json>(std::move(document));
}

void Registry::map_directory(std::string uri_prefix, std::filesystem::path directory) {
    m_impl->directories.emplace_back(std::move(uri_prefix), std::move(directory));
}

core::Result<const nlohmann::json*> Registry::find(std::string_view uri) {
    auto [without_fragment, fragment] = core::split_fragment(uri);
    if (auto it = m_impl->documents.find(without_fragment); it != m_impl->documents.end())
        return it->second.get();
    for (const auto& [prefix, directory] : m_impl->directories) {
        if (!without_fragment.starts_with(prefix))
            continue;
        const std::string rest(without_fragment.substr(prefix.size()));
        if (rest.find("..") != std::string::npos) // never escape the mapped directory
            continue;
        const std::filesystem::path file = directory / rest;
        std::error_code ec;
        if (!std::filesystem::is_regular_file(file, ec))
            continue;
        CONFORM_TRY(nlohmann::json doc, core::load_json_file(file));
        const std::string key(without_fragment);
        m_impl->origins[key] = file.string();
        auto& slot = m_impl->documents[key];
        slot = std::make_shared<const nlohmann::json>(std::move(doc));
        return slot.get();
    }
    return static_cast<const nlohmann::json*>(nullptr);
}

std::string Registry::origin_of(std::string_view uri) const {
    auto it = m_impl->origins.find(uri);
    return it == m_impl->origins.end() ? std::string(uri) : it->second;
}

} // namespace conform::schema
