#pragma once
// Pagination checks on one page (DESIGN.md pagination.*): what a single request/response pair
// can prove about an offset/limit listing. Walk-level checks (duplicates, gaps, unstable
// totals) build on these in the live runner.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runner/contract/contract.hpp"
#include "runner/core/deviation.hpp"
#include "runner/core/json_view.hpp"

namespace conform::checks {

using Query = contract::Query;
using PageModel = contract::Pagination;

// Where one page's list and total are. At the documented pointers; else, as the classifier's
// field.misplaced finds them, under another member of the object that should have held them
// (Tencent's own sample nests repoInfo and totalCount under "data"): a listing found there is
// still paged, so the pagination checks do not go blind on it. The checks, and the live
// runner's probe ({{total}}) and walk, read pages through this one function.
struct Listing {
    std::optional<core::JsonView> items; // the list (an array), where found
    std::string items_pointer;           // where it is: documented, or "/data/repoInfo"
    std::optional<std::int64_t> total;   // an integer, or a string holding one
    std::string total_pointer;           // where the total is (documented when absent)
    bool relocated = false;              // the list is under another parent than documented
};
[[nodiscard]] Listing locate_listing(const PageModel& model, core::JsonView body);

// The first value of a query parameter, if present.
[[nodiscard]] std::optional<std::string> query_value(const Query& query, std::string_view name);

// over-limit, default-limit, items-exceed-total, past-end for one page. Over a relocated list
// (locate_listing) each deviation points there and its message says "list at <pointer>".
[[nodiscard]] std::vector<core::Deviation> check_page(const PageModel& model, const Query& query,
                                                      core::JsonView body,
                                                      const std::string& operation);
// The same on a page located already (locate_listing).
[[nodiscard]] std::vector<core::Deviation> check_page(const PageModel& model, const Query& query,
                                                      const Listing& listing,
                                                      const std::string& operation);

// One page of a walk: what was asked and what came back.
struct WalkPage {
    Query query;
    core::JsonView body;
};

// What the walk checks read of one page, taken once: its total, its items' identities (the
// key field, else the whole item as JSON) and where its list is. A page so taken need not stay
// parsed until its walk ends: replay takes each page's facts when it judges the page alone.
struct PageFacts {
    std::optional<std::int64_t> total;
    bool has_list = false; // a list was located (Listing::items)
    bool relocated = false;
    std::string items_pointer, total_pointer;
    std::string id_bytes;               // the identities, back to back
    std::vector<std::uint32_t> id_ends; // where each identity ends in id_bytes

    [[nodiscard]] std::size_t items() const noexcept { return id_ends.size(); }
    [[nodiscard]] std::string_view id(std::size_t i) const noexcept {
        const std::uint32_t from = i == 0 ? 0 : id_ends[i - 1];
        return std::string_view(id_bytes).substr(from, id_ends[i] - from);
    }
    [[nodiscard]] bool same_items(const PageFacts& other) const noexcept {
        return id_ends == other.id_ends && id_bytes == other.id_bytes;
    }
};
[[nodiscard]] PageFacts page_facts(const PageModel& model, core::JsonView body);
[[nodiscard]] PageFacts page_facts(const PageModel& model, Listing listing);

// A walk with a fixed limit from offset 0, page after page, in request order: the per-page
// checks on each page, then total-unstable, duplicate, offset-ignored, and, once the walk
// reached a short page (the end), gap or total-mismatch. Telling a skipped item (gap) from a
// wrong total needs a listing of everything: pass a page fetched with a limit above the total
// as full_listing; without it a shortfall is reported as total-mismatch. page_checks false:
// the walk-level checks only (each page was judged on its own).
[[nodiscard]] std::vector<core::Deviation>
check_walk(const PageModel& model, const std::vector<WalkPage>& pages, std::int64_t limit,
           const std::string& operation, std::optional<core::JsonView> full_listing = {},
           bool page_checks = true);

// The walk-level checks alone, over the pages' facts in request order.
[[nodiscard]] std::vector<core::Deviation>
check_walk(const PageModel& model, std::span<const PageFacts* const> pages, std::int64_t limit,
           const std::string& operation, std::optional<core::JsonView> full_listing = {});

} // namespace conform::checks
