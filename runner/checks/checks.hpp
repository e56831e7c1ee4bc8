#pragma once
// The named checks of the live runner and replay, in one explicit table (STYLE.md lessons 6
// and 7: no static-init self-registration). A check is a pure function of a case's exchanges
// and its operation, returning findings: a Deviation plus the exchange that shows it.
//
//   CheckContext ctx{contract, op, the_case, observed};
//   for (const CheckInfo& check : checks())
//       if (applies(check, the_case) && selected(check.name))
//           for (Finding& f : check.run(ctx)) report(check.name, f);
//
// Ids are exactly DESIGN.md's taxonomy; `conform list-checks` prints this table.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/contract/cases.hpp"
#include "runner/contract/contract.hpp"
#include "runner/core/deviation.hpp"
#include "runner/core/json_parse.hpp"
#include "runner/core/json_view.hpp"
#include "runner/http/http.hpp"
// Listing and PageFacts, which Observed holds (the rest of the door's exports: at the end).
#include "runner/checks/internal/pagination.hpp" // IWYU pragma: export

namespace conform::checks {

// One exchange as the checks see it: what was asked, and the body parsed once.
struct Observed {
    enum class Role : std::uint8_t {
        page,        // the case's request, or one page of a walk
        full_listing // after a walk: one page with a limit above the total (gap vs total)
    };
    const http::Exchange* exchange = nullptr;
    contract::Query query;              // the request's parameters, in sending order
    std::optional<nlohmann::json> body; // the response body, when it parses as JSON
    // The same body through a view the caller keeps alive (replay parses with simdjson,
    // core::FastParser, and skips the nlohmann tree); when set, the checks read it, not body.
    std::optional<core::JsonView> view;
    std::string body_error; // why it did not parse ("line 1, column 1: ...")
    Role role = Role::page;
    // A page of a walk judged alone already (replay): what pagination.walk reads of it, taken
    // then (walk_facts), which the caller keeps alive; read in place of the body, which need
    // not be kept parsed. A walk's pages have facts all, or bodies all.
    const PageFacts* facts = nullptr;
    // What several checks would each find again in the body, found once by whoever made this
    // (find_once): whether its envelope says success and, for an operation that pages, where
    // its list and total are. Read through succeeded() and listing_in(), which find it anew
    // when it was not found once, or for another envelope or model.
    struct Found {
        const contract::Envelope* envelope = nullptr;
        bool success = false;
        const PageModel* model = nullptr; // listing's; nullptr: none found
        Listing listing;
    };
    std::optional<Found> found;

    // Whether the body parsed (either way), and the body to read.
    [[nodiscard]] bool has_json() const noexcept { return view || body; }
    [[nodiscard]] core::JsonView json() const { return view ? *view : core::JsonView(*body); }
    // Sets found from a body viewed (view: its views stay valid in a copy of this), for the
    // contract's envelope and the operation's pagination; nothing without such a body.
    void find_once(const contract::Contract& contract, const contract::Operation* operation);
    // Whether the body's envelope says success, and where its list is: as found once, else
    // found now. Both need a JSON body (has_json()).
    [[nodiscard]] bool succeeded(const contract::Envelope& envelope) const;
    [[nodiscard]] Listing listing_in(const PageModel& model) const;

    // Parses exchange.response's body (when there is a response); past limits, body_error
    // says so (a body nested deeper than limits.max_depth is not JSON to the checks).
    [[nodiscard]] static Observed of(const http::Exchange& exchange, Role role = Role::page,
                                     core::ParseLimits limits = {});
    // The same with simdjson: the body is parsed by parser and read through view, without an
    // nlohmann tree (replay's hot path). The view is valid until parser's next parse.
    [[nodiscard]] static Observed of(const http::Exchange& exchange, core::FastParser& parser,
                                     Role role = Role::page, core::ParseLimits limits = {});
    // The same over a response body parsed already (its reader's, record::ReaderOptions::
    // parse_bodies), which the caller keeps alive: no second parse.
    [[nodiscard]] static Observed of_parsed(const http::Exchange& exchange, core::JsonView body,
                                            Role role = Role::page);
};

struct CheckContext {
    const contract::Contract& contract;
    const contract::Operation* operation; // nullptr: the request named no operation
    const contract::Case& test_case;
    std::span<const Observed> exchanges; // in sending order
    // Each page was judged as a case of its own (replay): pagination.walk leaves out the
    // per-page checks and reports only what needs several pages.
    bool pages_judged = false;
};

struct Finding {
    core::Deviation deviation;
    std::size_t exchange = 0; // index into CheckContext::exchanges
};

using CheckFn = std::vector<Finding> (*)(const CheckContext& context);

enum class CheckId : std::uint8_t {
    http,
    envelope,
    schema,
    pagination_page,
    pagination_walk,
    negative,
    auth,
    state, // write scenarios: judged by the engine's scenario runner, named here
};

struct CheckInfo {
    CheckId id;
    std::string_view name;        // "--check" value and report key
    std::string_view description; // one line, for `conform list-checks` and --help
    std::array<bool, 4> kinds;    // applies to CaseKind single, walk, negative, auth
    CheckFn run;
};

[[nodiscard]] std::span<const CheckInfo> checks() noexcept;
[[nodiscard]] const CheckInfo* find_check(std::string_view name) noexcept;
// Whether the check runs for the case: its kind, and the case's own "checks" list when it
// names any.
[[nodiscard]] bool applies(const CheckInfo& check, const contract::Case& test_case) noexcept;

// Answers that mean "slow down": HTTP 429, 503 with Retry-After, or an error envelope whose
// message or description says RequestLimitExceeded / rate limit / too many requests. The
// engine backs off and retries them, and reports them as environment problems, never as
// deviations.
[[nodiscard]] bool is_throttled(const contract::Contract& contract, const Observed& observed);

// What pagination.walk reads of one page, taken when the page is judged alone so that its
// walk is judged later without the page parsed (Observed::facts); nullopt for a page the walk
// check passes over (no JSON body, a failure envelope) and for an operation that does not page.
[[nodiscard]] std::optional<PageFacts> walk_facts(const contract::Contract& contract,
                                                  const contract::Operation& operation,
                                                  const Observed& observed);

} // namespace conform::checks

// Behind the door (STYLE.md lesson 1): the deviation classifier, the single-page and walk
// pagination checks, the envelope check. Docs lint is the second door, checks/doc_lint.hpp.
#include "runner/checks/internal/classify.hpp"   // IWYU pragma: export
#include "runner/checks/internal/envelope.hpp"   // IWYU pragma: export
#include "runner/checks/internal/pagination.hpp" // IWYU pragma: export
