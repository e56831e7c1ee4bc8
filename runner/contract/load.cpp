#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>

#include "runner/contract/contract.hpp"
#include "runner/contract/internal/loader.hpp"

namespace conform::contract {
namespace {

namespace fs = std::filesystem;

// The folder above a contract folder: "schemas/x/", "schemas/x" and "x" (from inside schemas/)
// all give schemas/.
fs::path parent_of(const fs::path& dir) {
    std::error_code ec;
    fs::path p = fs::absolute(dir, ec).lexically_normal();
    if (p.filename().empty())
        p = p.parent_path();
    return p.parent_path();
}

} // namespace

core::Result<Contract> load_contract(const fs::path& dir, const fs::path& schemas_dir,
                                     const LoadOptions& options) {
    CONFORM_TRY(internal::Loader loader, internal::Loader::create(schemas_dir, options));
    return loader.load(dir);
}

core::Result<Contract> load_contract(const fs::path& dir) {
    return load_contract(dir, parent_of(dir));
}

namespace {

// The contract folders of schemas_dir (those holding a contract.json), sorted: a contract's
// name is its folder's (checked on load), so this sorts by name.
core::Result<std::vector<fs::path>> contract_folders(const fs::path& schemas_dir) {
    std::error_code ec;
    if (!fs::is_directory(schemas_dir, ec))
        return core::fail("not a directory (the contracts folder, schemas/)",
                          core::Location{schemas_dir.string(), 0, 0, {}, false});
    std::vector<fs::path> folders;
    for (const fs::directory_entry& entry : fs::directory_iterator(schemas_dir, ec)) {
        std::error_code entry_ec; // an unreadable entry is simply not a contract folder
        // meta/ holds the bundled 2020-12 meta-schemas, not a contract.
        if (!entry.is_directory(entry_ec) || entry.path().filename() == "meta")
            continue;
        if (fs::is_regular_file(entry.path() / "contract.json", entry_ec))
            folders.push_back(entry.path());
    }
    if (ec)
        return core::fail("cannot list the folder: " + ec.message(),
                          core::Location{schemas_dir.string(), 0, 0, {}, false});
    std::sort(folders.begin(), folders.end());
    return folders;
}

// A Loader starts by compiling the draft 2020-12 meta-schema and the descriptor schemas: 7.2 M
// instructions, where loading the three seed contracts takes 8 M (callgrind). With three
// folders, two threads took as long as one, or longer (3.5 to 5.2 ms against 3.45 ms).
constexpr std::size_t k_folders_per_thread = 4;

core::Result<std::vector<Contract>> load_folders(const fs::path& schemas_dir,
                                                 const std::vector<fs::path>& folders,
                                                 const LoadOptions& options) {
    // No more threads than cores, and none for fewer than k_folders_per_thread folders each:
    // a thread pays for its own Loader, which costs what loading a few contracts does.
    const std::size_t threads = std::min<std::size_t>(
        {options.threads, std::max<std::size_t>(1, folders.size() / k_folders_per_thread),
         std::max(1u, std::thread::hardware_concurrency())});
    if (threads <= 1) {
        CONFORM_TRY(internal::Loader loader, internal::Loader::create(schemas_dir, options));
        std::vector<Contract> contracts;
        for (const fs::path& folder : folders) {
            CONFORM_TRY(Contract contract, loader.load(folder));
            contracts.push_back(std::move(contract));
        }
        return contracts;
    }
    // Each thread its own Loader (the descriptor schemas compiled, a registry of what it
    // loaded), the folders taken in turn; every folder's outcome kept in its place, so that the
    // answer is the one loading them in order gives.
    std::vector<std::optional<core::Result<Contract>>> loaded(folders.size());
    std::atomic<std::size_t> next{0};
    const auto load_some = [&] {
        auto loader = internal::Loader::create(schemas_dir, options);
        for (std::size_t i = next++; i < folders.size(); i = next++)
            loaded[i] = loader ? loader->load(folders[i])
                               : core::Result<Contract>(core::fail(loader.error()));
    };
    std::vector<std::thread> helpers;
    for (std::size_t t = 1; t < threads; ++t)
        helpers.emplace_back(load_some);
    load_some();
    for (std::thread& h : helpers)
        h.join();
    std::vector<Contract> contracts;
    contracts.reserve(folders.size());
    for (std::optional<core::Result<Contract>>& one : loaded) {
        if (!*one)
            return core::fail(std::move(*one).error());
        contracts.push_back(std::move(**one));
    }
    return contracts;
}

} // namespace

core::Result<std::vector<Contract>> load_contracts(const fs::path& schemas_dir,
                                                   const LoadOptions& options) {
    CONFORM_TRY(const std::vector<fs::path> folders, contract_folders(schemas_dir));
    return load_folders(schemas_dir, folders, options);
}

core::Result<std::vector<Contract>> load_named_contracts(const fs::path& schemas_dir,
                                                         std::span<const std::string> names,
                                                         const LoadOptions& options) {
    CONFORM_TRY(const std::vector<fs::path> folders, contract_folders(schemas_dir));
    if (names.empty())
        return load_folders(schemas_dir, folders, options);
    // Only the named folders are loaded: a broken contract beside them is not this run's.
    std::vector<fs::path> chosen;
    for (const std::string& name : names) {
        const auto found = std::find_if(folders.begin(), folders.end(),
                                        [&](const fs::path& f) { return f.filename() == name; });
        if (found == folders.end()) {
            std::string known;
            for (const fs::path& f : folders)
                known += (known.empty() ? "" : ", ") + f.filename().string();
            return core::fail("no contract named \"" + name + "\" (there are: " + known + ")",
                              core::Location{schemas_dir.string(), 0, 0, {}, false});
        }
        if (std::find(chosen.begin(), chosen.end(), *found) == chosen.end())
            chosen.push_back(*found);
    }
    std::sort(chosen.begin(), chosen.end());
    return load_folders(schemas_dir, chosen, options);
}

} // namespace conform::contract
