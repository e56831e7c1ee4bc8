// core URI references (uriparser): resolve_uri, split_fragment, is_uri, is_uri_reference.
// Input: the first line is the base, the rest the reference. Properties: nothing crashes;
// a resolved URI resolves to itself again, as an absolute reference.
#include "runner/core/uri.hpp"
#include "fuzz/fuzz_input.hpp"
#include "fuzz/targets.hpp"

namespace conform::fuzz {

int uri(const std::uint8_t* data, std::size_t size) {
    const auto [base, reference] = split_first_line(as_text(data, size));
    (void)core::is_uri(base);
    (void)core::is_uri_reference(reference);
    const auto [without, fragment] = core::split_fragment(reference);
    if (without.size() + fragment.size() > reference.size())
        violated("split_fragment made bytes up");
    auto resolved = core::resolve_uri(base, reference);
    if (resolved) {
        (void)core::split_fragment(*resolved);
        (void)core::is_uri(*resolved);
        (void)core::resolve_uri(*resolved, "#x");
        (void)core::resolve_uri(*resolved, "../a/./b");
    }
    return 0;
}

} // namespace conform::fuzz

CONFORM_FUZZ_ENTRY(uri)
