#include <algorithm>

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

core::Result<std::vector<Contract>> load_contracts(const fs::path& schemas_dir,
                                                   const LoadOptions& options) {
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
    // A contract's name is its folder's (checked on load), so this sorts by name.
    std::sort(folders.begin(), folders.end());

    CONFORM_TRY(internal::Loader loader, internal::Loader::create(schemas_dir, options));
    std::vector<Contract> contracts;
    for (const fs::path& folder : folders) {
        CONFORM_TRY(Contract contract, loader.load(folder));
        contracts.push_back(std::move(contract));
    }
    return contracts;
}

core::Result<std::vector<Contract>> load_named_contracts(const fs::path& schemas_dir,
                                                         std::span<const std::string> names,
                                                         const LoadOptions& options) {
    CONFORM_TRY(std::vector<Contract> all, load_contracts(schemas_dir, options));
    const auto named = [&](std::string_view name) {
        return std::find(names.begin(), names.end(), name) != names.end();
    };
    for (const std::string& name : names)
        if (std::none_of(all.begin(), all.end(),
                         [&](const Contract& c) { return c.name == name; })) {
            std::string known;
            for (const Contract& c : all)
                known += (known.empty() ? "" : ", ") + c.name;
            return core::fail("no contract named \"" + name + "\" (there are: " + known + ")",
                              core::Location{schemas_dir.string(), 0, 0, {}, false});
        }
    std::vector<Contract> chosen;
    for (Contract& c : all)
        if (names.empty() || named(c.name))
            chosen.push_back(std::move(c));
    return chosen;
}

} // namespace conform::contract
