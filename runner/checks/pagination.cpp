#include "runner/checks/checks.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>
#include <functional>
#include <tuple>

#include "runner/core/json_pointer.hpp"

namespace conform::checks {
namespace {

using core::Deviation;
using core::DeviationId;
using core::JsonView;

std::optional<std::int64_t> as_integer(std::string_view text) {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return n;
}

// A total is an integer, or (a deviation reported elsewhere) a string holding one.
std::optional<std::int64_t> total_of(JsonView v) {
    if (v.is_number() && v.is_integer())
        return v.as_int64();
    if (v.is_string())
        return as_integer(v.as_string());
    return std::nullopt;
}

[[gnu::cold]] Deviation make(DeviationId id, const std::string& operation, std::string pointer,
                             std::string expected, std::string actual, std::string message) {
    Deviation d;
    d.id = id;
    d.kind = std::string(core::name_of(id)).substr(std::string("pagination.").size());
    d.severity = core::info(id).severity;
    d.operation = operation;
    d.instance_pointer = std::move(pointer);
    d.schema_pointer = "pagination";
    d.expected = std::move(expected);
    d.actual = std::move(actual);
    d.message = std::move(message);
    return d;
}

// A value found for a documented pointer, and the member it was found under instead ("" when
// it is where the contract says).
struct Found {
    JsonView value;
    std::string pointer;
    std::string via;
};

// The value at pointer; else, as the classifier's field.misplaced finds documented fields under
// another parent: the first token missing from an object is looked for one level down, inside
// that object's other members (`prefer` first), and the rest of the pointer resolved there.
// want_array: only an array will do (a list that is there but not an array is not relocated:
// the schema check reports it).
std::optional<Found> find_listed(JsonView body, std::string_view pointer, std::string_view prefer,
                                 bool want_array) {
    // The documented place first, as every conforming page has it: no token list built.
    if (pointer.find('~') == std::string_view::npos && pointer.size() > 1 && pointer[0] == '/') {
        std::optional<JsonView> node = body;
        for (std::size_t at = 1; node && at <= pointer.size();) {
            const std::size_t end = std::min(pointer.find('/', at), pointer.size());
            node = node->is_object() ? node->find(pointer.substr(at, end - at)) : std::nullopt;
            at = end + 1;
        }
        if (node && (!want_array || node->is_array()))
            return Found{*node, std::string(pointer), {}};
    }
    auto tokens = core::parse_pointer(pointer);
    if (!tokens || tokens->empty())
        return std::nullopt;
    auto fits = [&](JsonView v) { return !want_array || v.is_array(); };
    JsonView node = body;
    std::string at;
    for (std::size_t i = 0; i < tokens->size(); ++i) {
        const std::string& token = (*tokens)[i];
        if (!node.is_object())
            return std::nullopt;
        if (auto child = node.find(token)) {
            node = *child;
            core::append_pointer_token(at, token);
            continue;
        }
        std::string rest;
        for (std::size_t j = i; j < tokens->size(); ++j)
            core::append_pointer_token(rest, (*tokens)[j]);
        std::optional<Found> hit;
        auto try_member = [&](std::string_view name, JsonView member) {
            if (!member.is_object())
                return false;
            auto v = core::resolve_pointer(member, rest);
            if (!v || !fits(*v))
                return false;
            std::string where = at;
            core::append_pointer_token(where, name);
            hit = Found{*v, where + rest, std::string(name)};
            return true;
        };
        if (!prefer.empty())
            if (auto member = node.find(prefer))
                try_member(prefer, *member);
        if (!hit)
            node.for_each_member(
                [&](std::string_view name, JsonView member) { return !try_member(name, member); });
        return hit;
    }
    if (!fits(node))
        return std::nullopt;
    return Found{node, std::string(pointer), {}};
}

// Each deviation over a relocated list says where the list was found.
void say_where(std::vector<Deviation>& found, bool relocated, const std::string& items_pointer) {
    if (relocated)
        for (Deviation& d : found)
            d.message += " (list at " + items_pointer + ")";
}

} // namespace

Listing locate_listing(const PageModel& model, JsonView body) {
    Listing l;
    l.items_pointer = model.items_pointer;
    l.total_pointer = model.total_pointer;
    std::string via;
    if (!model.items_pointer.empty())
        if (auto f = find_listed(body, model.items_pointer, {}, true)) {
            l.items = f->value;
            l.items_pointer = std::move(f->pointer);
            l.relocated = !f->via.empty();
            via = std::move(f->via);
        }
    // The total beside a relocated list first: the envelope moved both.
    if (!model.total_pointer.empty())
        if (auto f = find_listed(body, model.total_pointer, via, false)) {
            l.total = total_of(f->value);
            l.total_pointer = std::move(f->pointer);
        }
    return l;
}

std::optional<std::string> query_value(const Query& query, std::string_view name) {
    for (const auto& [k, v] : query)
        if (k == name)
            return v;
    return std::nullopt;
}

namespace {

// check_page on a page already located.
std::vector<Deviation> check_located_page(const PageModel& model, const Query& query,
                                          const Listing& listing, const std::string& operation) {
    std::vector<Deviation> out;
    if (model.items_pointer.empty() || model.limit_param.empty())
        return out; // the operation does not page
    if (!listing.items)
        return out; // no list to count: the schema check reports why
    const std::int64_t count = static_cast<std::int64_t>(listing.items->size());
    const std::string& items_at = listing.items_pointer;
    const std::string& total_at = listing.total_pointer;
    const auto limit_text = query_value(query, model.limit_param);
    const auto offset_text = query_value(query, model.offset_param);
    std::optional<std::int64_t> limit;
    if (limit_text)
        limit = as_integer(*limit_text);
    const std::int64_t offset = offset_text
                                    ? as_integer(*offset_text).value_or(model.offset_default)
                                    : model.offset_default;
    const std::optional<std::int64_t> total = listing.total;

    if (limit && *limit >= 0 && count > *limit)
        out.push_back(make(DeviationId::pagination_over_limit, operation, items_at,
                           "at most " + std::to_string(*limit) + " items (" + model.limit_param +
                               "=" + *limit_text + ")",
                           std::to_string(count) + " items",
                           std::to_string(count) + " items returned for " + model.limit_param +
                               "=" + *limit_text));
    if (!limit_text) {
        const bool more_exist = total && *total > offset + count;
        if (count > model.limit_default || (more_exist && count < model.limit_default))
            out.push_back(make(DeviationId::pagination_default_limit, operation, items_at,
                               std::to_string(model.limit_default) + " items (the documented "
                                                                     "default limit)",
                               std::to_string(count) + " items",
                               "without " + model.limit_param + ", the page holds " +
                                   std::to_string(count) + " items instead of the default " +
                                   std::to_string(model.limit_default)));
    }
    if (total && count > *total)
        out.push_back(make(DeviationId::pagination_items_exceed_total, operation, total_at,
                           "at least " + std::to_string(count), std::to_string(*total),
                           std::to_string(count) + " items returned but " + total_at.substr(1) +
                               " is " + std::to_string(*total)));
    else if (total && offset >= *total && count > 0)
        out.push_back(
            make(DeviationId::pagination_past_end, operation, items_at,
                 "no items at offset " + std::to_string(offset), std::to_string(count) + " items",
                 std::to_string(count) + " items returned at " + model.offset_param + "=" +
                     std::to_string(offset) + ", at or past the total " + std::to_string(*total)));
    say_where(out, listing.relocated, listing.items_pointer);
    return out;
}

} // namespace

std::vector<Deviation> check_page(const PageModel& model, const Query& query, JsonView body,
                                  const std::string& operation) {
    if (model.items_pointer.empty() || model.limit_param.empty())
        return {}; // the operation does not page
    return check_located_page(model, query, locate_listing(model, body), operation);
}

std::vector<Deviation> check_page(const PageModel& model, const Query& query,
                                  const Listing& listing, const std::string& operation) {
    return check_located_page(model, query, listing, operation);
}

namespace {

// The identity of an item, appended to out: its key field, else the whole item (strings in
// place of objects). hint: where the item before had its key (JsonView::find).
void append_identity(JsonView item, const std::string& key, std::size_t& hint, std::string& out) {
    if (item.is_object() && !key.empty())
        if (auto k = item.find(key, hint)) {
            if (k->is_string())
                out += k->as_string();
            else
                out += k->to_json().dump();
            return;
        }
    out += item.to_json().dump();
}

PageFacts facts_of(const PageModel& model, Listing listing) {
    PageFacts f;
    f.total = listing.total;
    f.has_list = listing.items.has_value();
    f.relocated = listing.relocated;
    f.items_pointer = std::move(listing.items_pointer);
    f.total_pointer = std::move(listing.total_pointer);
    if (listing.items) {
        const std::size_t n = listing.items->size();
        f.id_ends.reserve(n);
        // Identities are alike in length, as a rule (an id, a name): room for n of 32 bytes,
        // or, when the first is longer, for n like it (within a bound: it may be an outlier).
        constexpr std::size_t k_usual = 32, k_bound = 64 * 1024;
        f.id_bytes.reserve(std::min(n * k_usual, k_bound));
        std::size_t hint = 0;
        auto items = listing.items->items();
        JsonView item;
        for (bool first = true; items.next(item); first = false) {
            append_identity(item, model.item_key, hint, f.id_bytes);
            if (first && f.id_bytes.size() > k_usual)
                f.id_bytes.reserve(std::min(f.id_bytes.size() * n + n, k_bound));
            f.id_ends.push_back(static_cast<std::uint32_t>(f.id_bytes.size()));
        }
    }
    return f;
}

// Every identity of a walk once: an open-addressing table of (hash, identity) with at least
// twice as many slots as identities, so that one is found in about one probe; compared as text
// only where hashes tie. One allocation per walk, none per item.
class IdentitySet {
public:
    explicit IdentitySet(std::size_t identities = 0) {
        const std::size_t slots = std::bit_ceil(std::max<std::size_t>(2 * identities, 8));
        m_slots.resize(slots);
        m_mask = slots - 1;
    }

    // Adds id; false when it is there already.
    bool insert(std::string_view id) {
        const std::uint64_t hash = hash_of(id);
        Slot& slot = m_slots[find(hash, id)];
        if (slot.used())
            return false;
        slot = {hash, id.data() != nullptr ? id : std::string_view("", 0)};
        ++m_size;
        return true;
    }
    [[nodiscard]] bool contains(std::string_view id) const {
        return m_slots[find(hash_of(id), id)].used();
    }
    [[nodiscard]] std::size_t size() const noexcept { return m_size; }

private:
    struct Slot {
        std::uint64_t hash = 0;
        std::string_view id; // data() nullptr: empty
        [[nodiscard]] bool used() const noexcept { return id.data() != nullptr; }
    };
    // Identities are short (an id, a name): their 8-byte words folded in by a multiply and
    // xor-shift spread them over the slots as well as std::hash does, at a third of its cost.
    static std::uint64_t hash_of(std::string_view id) noexcept {
        constexpr std::uint64_t k = 0x9E3779B97F4A7C15ull;
        auto mix = [](std::uint64_t x) {
            x ^= x >> 29;
            x *= 0xBF58476D1CE4E5B9ull;
            return x ^ (x >> 32);
        };
        const char* p = id.data();
        std::size_t n = id.size();
        std::uint64_t h = k ^ n;
        for (; n > 8; n -= 8, p += 8)
            h = mix(h ^ word(p)) * k;
        if (n == 8) {
            h = mix(h ^ word(p));
        } else if (n > 0) { // the last 1 to 7 bytes, each once
            std::uint64_t tail = 0;
            for (std::size_t i = 0; i < n; ++i)
                tail |= std::uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
            h = mix(h ^ tail);
        }
        return mix(h);
    }
    static std::uint64_t word(const char* p) noexcept {
        std::uint64_t w;
        std::memcpy(&w, p, sizeof w);
        return w;
    }
    // The slot holding id, else the empty one where it would go (the table is never full).
    [[nodiscard]] std::size_t find(std::uint64_t hash, std::string_view id) const {
        for (std::size_t at = hash & m_mask;; at = (at + 1) & m_mask) {
            const Slot& slot = m_slots[at];
            if (!slot.used() || (slot.hash == hash && slot.id == id))
                return at;
        }
    }

    std::vector<Slot> m_slots;
    std::size_t m_mask = 0;
    std::size_t m_size = 0;
};

// The pages of a walk as their facts. Identities are views into the facts, which outlive the
// check.
struct Walked {
    std::span<const PageFacts* const> pages;
    const PageFacts* where = nullptr; // the first page with a list: the walk's pointers
    IdentitySet distinct;             // every identity of the walk once
    bool offset_ignored = false;

    [[nodiscard]] bool seen(std::string_view id) const { return distinct.contains(id); }
};

void check_total_stable(const Walked& w, const std::string& operation,
                        std::vector<Deviation>& out) {
    const auto& first = w.pages.front()->total;
    for (std::size_t i = 1; i < w.pages.size(); ++i)
        if (const auto& total = w.pages[i]->total; total && first && *total != *first) {
            out.push_back(make(DeviationId::pagination_total_unstable, operation,
                               w.where->total_pointer, std::to_string(*first) + " on every page",
                               std::to_string(*total) + " on page " + std::to_string(i + 1),
                               "the total changed from " + std::to_string(*first) + " to " +
                                   std::to_string(*total) + " during one walk"));
            return;
        }
}

// offset-ignored (a later page repeats the first exactly), else duplicate items.
void check_repeats(const PageModel& model, Walked& w, std::int64_t limit,
                   const std::string& operation, std::vector<Deviation>& out) {
    const PageFacts& first = *w.pages.front();
    for (std::size_t i = 1; i < w.pages.size() && !w.offset_ignored; ++i)
        if (first.items() > 0 && w.pages[i]->same_items(first)) {
            w.offset_ignored = true;
            out.push_back(make(DeviationId::pagination_offset_ignored, operation,
                               w.where->items_pointer,
                               "different items at " + model.offset_param + "=" +
                                   std::to_string(static_cast<std::int64_t>(i) * limit),
                               "the same items as at " + model.offset_param + "=0",
                               "page " + std::to_string(i + 1) +
                                   " repeats page 1: " + model.offset_param + " is ignored"));
        }
    // Every identity in walk order: one the set holds already is a repeat; the first is named.
    std::size_t count = 0;
    for (const PageFacts* page : w.pages)
        count += page->items();
    w.distinct = IdentitySet(count);
    std::size_t duplicates = 0;
    std::string first_duplicate;
    for (const PageFacts* page : w.pages)
        for (std::size_t i = 0; i < page->items(); ++i)
            if (const std::string_view id = page->id(i); !w.distinct.insert(id))
                if (duplicates++ == 0)
                    first_duplicate = id;
    if (duplicates == 0 || w.offset_ignored)
        return;
    Deviation d = make(DeviationId::pagination_duplicate, operation, w.where->items_pointer,
                       "each item once", std::to_string(duplicates) + " repeated",
                       std::to_string(duplicates) +
                           " item(s) returned more than once in one "
                           "walk, first " +
                           first_duplicate);
    d.count = duplicates;
    out.push_back(std::move(d));
}

// Only a walk that reached the end (a short page) can say what is missing: gap, told apart
// from a wrong total by the full listing, else total-mismatch.
void check_end(const PageModel& model, const Walked& w, std::int64_t limit,
               const std::string& operation, std::optional<JsonView> full_listing,
               std::vector<Deviation>& out) {
    const PageFacts& last = *w.pages.back();
    const bool reached_end = static_cast<std::int64_t>(last.items()) < limit;
    const auto total = last.total;
    if (!reached_end || !total || w.offset_ignored)
        return;
    const auto distinct = static_cast<std::int64_t>(w.distinct.size());
    std::vector<std::string_view> skipped;
    PageFacts full;
    if (full_listing) {
        full = facts_of(model, locate_listing(model, *full_listing));
        for (std::size_t i = 0; i < full.items(); ++i)
            if (!w.seen(full.id(i)))
                skipped.push_back(full.id(i));
    }
    if (!skipped.empty()) {
        Deviation d = make(DeviationId::pagination_gap, operation, w.where->items_pointer,
                           "every item of the full listing once",
                           std::to_string(skipped.size()) + " never returned",
                           "the walk skipped " + std::to_string(skipped.size()) +
                               " item(s) that a single large page lists, first " +
                               std::string(skipped.front()));
        d.count = skipped.size();
        out.push_back(std::move(d));
    } else if (distinct != *total) {
        out.push_back(make(DeviationId::pagination_total_mismatch, operation,
                           w.where->total_pointer, std::to_string(distinct) + " (items walked)",
                           std::to_string(*total),
                           "a full walk returned " + std::to_string(distinct) +
                               " distinct items but the total says " + std::to_string(*total)));
    }
}

} // namespace

PageFacts page_facts(const PageModel& model, JsonView body) {
    return facts_of(model, locate_listing(model, body));
}

PageFacts page_facts(const PageModel& model, Listing listing) {
    return facts_of(model, std::move(listing));
}

std::vector<Deviation> check_walk(const PageModel& model, const std::vector<WalkPage>& pages,
                                  std::int64_t limit, const std::string& operation,
                                  std::optional<JsonView> full_listing, bool page_checks) {
    std::vector<Deviation> out;
    if (pages.empty() || model.items_pointer.empty())
        return out;
    std::vector<PageFacts> facts;
    std::vector<const PageFacts*> walked;
    facts.reserve(pages.size());
    walked.reserve(pages.size());
    for (const WalkPage& p : pages) {
        Listing listing = locate_listing(model, p.body);
        if (page_checks)
            for (Deviation& d : check_located_page(model, p.query, listing, operation))
                out.push_back(std::move(d));
        walked.push_back(&facts.emplace_back(facts_of(model, std::move(listing))));
    }
    for (Deviation& d : check_walk(model, walked, limit, operation, full_listing))
        out.push_back(std::move(d));
    return out;
}

std::vector<Deviation> check_walk(const PageModel& model, std::span<const PageFacts* const> pages,
                                  std::int64_t limit, const std::string& operation,
                                  std::optional<JsonView> full_listing) {
    std::vector<Deviation> out;
    if (pages.empty() || model.items_pointer.empty())
        return out;
    Walked w;
    w.pages = pages;
    const auto listed =
        std::find_if(pages.begin(), pages.end(), [](const PageFacts* p) { return p->has_list; });
    w.where = listed == pages.end() ? pages.front() : *listed;
    check_total_stable(w, operation, out);
    check_repeats(model, w, limit, operation, out);
    check_end(model, w, limit, operation, full_listing, out);
    say_where(out, w.where->relocated, w.where->items_pointer);
    return out;
}

} // namespace conform::checks
