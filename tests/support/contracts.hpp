#pragma once
// The committed contracts, loaded once per test executable (header-only; link conform::contract).

#include <catch2/catch.hpp>

#include "runner/contract/contract.hpp"

namespace conform::test {

// schemas/ucloud-uhub from contract::default_schemas_dir() (the source tree's in tests).
inline const contract::Contract& ucloud_contract() {
    static const contract::Contract c = [] {
        auto loaded = contract::load_contract(contract::default_schemas_dir() / "ucloud-uhub");
        REQUIRE(loaded);
        return std::move(loaded).value();
    }();
    return c;
}

} // namespace conform::test
