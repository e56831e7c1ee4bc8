#include "runner/engine/internal/replay_route.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <span>
#include <vector>

#include "runner/core/text.hpp"
#include "runner/record/record.hpp"

namespace conform::engine {
namespace {

// A request's parameters as views, on the stack for the usual few (on the heap past 16): the
// routing and the walk key of every exchange read them.
class ParamViews {
public:
    using View = std::pair<std::string_view, std::string_view>;
    explicit ParamViews(std::size_t most) {
        if (most > m_few.size()) {
            m_many.resize(most);
            m_data = m_many.data();
        }
    }
    ParamViews(const ParamViews&) = delete; // m_data may point into the object
    ParamViews& operator=(const ParamViews&) = delete;

    void push(std::string_view name, std::string_view value) { m_data[m_size++] = {name, value}; }
    [[nodiscard]] std::span<View> views() noexcept { return {m_data, m_size}; }

private:
    std::array<View, 16> m_few;
    std::vector<View> m_many;
    View* m_data = m_few.data();
    std::size_t m_size = 0;
};

// The first of chars in text (npos: none), in one pass: find_first_of looks each byte up in
// chars with its own memchr call, and every exchange's URL goes through here.
std::size_t first_of(std::string_view text, std::string_view chars) noexcept {
    const auto at = std::find_if(text.begin(), text.end(), [&](char c) {
        return std::find(chars.begin(), chars.end(), c) != chars.end();
    });
    return at == text.end() ? std::string_view::npos : static_cast<std::size_t>(at - text.begin());
}

std::string_view authority_of(std::string_view url) {
    const auto scheme = url.find("://");
    if (scheme == std::string_view::npos)
        return {};
    url.remove_prefix(scheme + 3);
    return url.substr(0, first_of(url, "/?#"));
}

const contract::Case* find_case(const std::vector<contract::CaseFile>& files,
                                std::string_view operation, std::string_view name) {
    for (const contract::CaseFile& f : files)
        if (f.operation == operation)
            for (const contract::Case& c : f.cases)
                if (c.name == name)
                    return &c;
    return nullptr;
}

// A case that is one request on its own: judged as the cases file says; any other (a walk)
// is judged page by page as singles, and as a walk apart.
bool is_standalone(contract::CaseKind kind) {
    return kind == contract::CaseKind::negative || kind == contract::CaseKind::auth ||
           kind == contract::CaseKind::single;
}

} // namespace

// The URL's host as it is spelled (host_of lowercases it).
std::string_view host_in(std::string_view url) {
    std::string_view authority = authority_of(url);
    if (const auto at = authority.rfind('@'); at != std::string_view::npos)
        authority.remove_prefix(at + 1);
    if (authority.starts_with('[')) // IPv6 literal
        return authority.substr(1, authority.find(']') - 1);
    return authority.substr(0, authority.find(':'));
}

std::string_view path_in(std::string_view url) {
    const auto scheme = url.find("://");
    if (scheme == std::string_view::npos)
        return "/";
    url.remove_prefix(scheme + 3);
    const auto slash = url.find('/');
    if (slash == std::string_view::npos)
        return "/";
    url.remove_prefix(slash);
    return url.substr(0, first_of(url, "?#"));
}

std::string host_of(std::string_view url) {
    return core::ascii_lower(host_in(url));
}

std::string path_of(std::string_view url) {
    return std::string(path_in(url));
}

std::string_view origin_in(std::string_view url) {
    const auto scheme = url.find("://");
    if (scheme == std::string_view::npos)
        return url;
    return url.substr(0, scheme + 3 + authority_of(url).size());
}

std::string origin_of(std::string_view url) {
    return std::string(origin_in(url));
}

std::string_view target_of(const record::Recorded& recorded) {
    return recorded.target.empty() ? origin_in(recorded.exchange.request.base_url)
                                   : std::string_view(recorded.target);
}

std::string target_name(const record::Recorded& recorded) {
    return std::string(target_of(recorded));
}

bool is_signing_param(std::string_view name) {
    // UCloud: Signature + PublicKey; Tencent v2: Signature, SecretId, Timestamp, Nonce,
    // SignatureMethod stays (it names the scheme, the same for every page).
    return record::is_secret_name(name) || name == "Timestamp" || name == "Nonce" ||
           name == "SignatureNonce";
}

Router::Router(const ReplayContracts& contracts) : m_contracts(contracts) {
    for (const contract::Contract& c : contracts.contracts) {
        m_hosts.push_back(host_of(c.base_url));
        m_paths.push_back(path_of(c.base_url));
        contract::Case& unrouted = m_unrouted.emplace_back();
        unrouted.omit.push_back(c.routing.param);
    }
    for (const std::vector<contract::CaseFile>& files : contracts.cases)
        for (const contract::CaseFile& f : files)
            for (const contract::Case& known : f.cases)
                if (!is_standalone(known.kind)) {
                    contract::Case& page = m_walk_pages[&known];
                    page.name = known.name;
                    page.omit = known.omit;
                }
}

core::Result<Routed> Router::with_contract(const record::Recorded& r, std::size_t index) const {
    const contract::Contract& c = m_contracts.contracts[index];
    ParamViews query(r.exchange.request.query.size());
    for (const http::QueryParam& p : r.exchange.request.query)
        query.push(p.name, p.value);
    Routed routed;
    routed.contract = &c;
    routed.test_case = &m_single;
    auto op = c.route_views(query.views());
    if (op) {
        routed.operation = *op;
    } else if (!r.operation.empty() && !r.exchange.request.query.contains(c.routing.param)) {
        // The line names the operation of a request sent without its routing parameter (a
        // negative case): judged as that operation, the parameter omitted.
        routed.operation = c.find_operation(r.operation);
        if (!routed.operation)
            return core::fail(c.name + " has no operation " + r.operation);
        routed.test_case = &m_unrouted[index];
    } else {
        return core::fail(c.name + ": " + op.error().message);
    }
    if (!r.case_name.empty() && index < m_contracts.cases.size())
        if (const contract::Case* known =
                find_case(m_contracts.cases[index], routed.operation->name, r.case_name)) {
            if (is_standalone(known->kind)) {
                routed.test_case = known;
                routed.standalone_case = true;
            } else {
                // A page of a walk case: judged as a single page; the walk is grouped apart.
                routed.walk_case_name = known->name;
                routed.test_case = &m_walk_pages.at(known);
            }
        }
    return routed;
}

core::Result<Routed> Router::route(const record::Recorded& r) const {
    const auto& contracts = m_contracts.contracts;
    if (!r.contract.empty()) {
        for (std::size_t i = 0; i < contracts.size(); ++i)
            if (contracts[i].name == r.contract)
                return with_contract(r, i);
        return core::fail("the line names contract \"" + r.contract +
                          "\", which is not among those loaded");
    }
    const std::string_view host = host_in(r.exchange.request.base_url); // m_hosts: lowercase
    const std::string_view path = path_in(r.exchange.request.base_url);
    // Tiers: the contracts at the request's host, then at its path, then all of them.
    std::string first_error;
    for (int tier = 0; tier < 3; ++tier) {
        std::size_t accepted = 0;
        std::string names; // of the contracts that accept it
        std::optional<Routed> found;
        for (std::size_t i = 0; i < contracts.size(); ++i) {
            const bool in_tier = tier == 0   ? core::iequals(m_hosts[i], host)
                                 : tier == 1 ? m_paths[i] == path
                                             : true;
            if (!in_tier)
                continue;
            auto routed = with_contract(r, i);
            if (routed) {
                ++accepted;
                names.append(names.empty() ? "" : ", ").append(contracts[i].name);
                found = std::move(*routed);
            } else if (first_error.empty()) {
                first_error = routed.error().message;
            }
        }
        if (accepted == 1)
            return std::move(*found);
        if (accepted > 1)
            return core::fail("ambiguous: several contracts accept it (" + names +
                              "); name one with --contract");
    }
    if (contracts.empty())
        return core::fail("no contract is loaded");
    return core::fail("no loaded contract accepts " + r.exchange.request.method + " " +
                      record::redacted_url(r.exchange.request) +
                      (first_error.empty() ? std::string() : " (" + first_error + ")"));
}

std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view s) {
    auto number = [&](std::size_t at, std::size_t len) -> std::optional<int> {
        if (at + len > s.size())
            return std::nullopt;
        int n = 0;
        auto [end, ec] = std::from_chars(s.data() + at, s.data() + at + len, n);
        if (ec != std::errc() || end != s.data() + at + len)
            return std::nullopt;
        return n;
    };
    if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
        s[13] != ':' || s[16] != ':')
        return std::nullopt;
    const auto y = number(0, 4), mo = number(5, 2), d = number(8, 2), h = number(11, 2),
               mi = number(14, 2), sec = number(17, 2);
    if (!y || !mo || !d || !h || !mi || !sec || *mo < 1 || *mo > 12 || *d < 1 || *d > 31)
        return std::nullopt;
    std::size_t at = 19;
    if (at < s.size() && s[at] == '.')
        for (++at; at < s.size() && std::isdigit(static_cast<unsigned char>(s[at]));)
            ++at;
    int offset_minutes = 0;
    if (at < s.size() && (s[at] == 'Z' || s[at] == 'z')) {
        ++at;
    } else if (at < s.size() && (s[at] == '+' || s[at] == '-')) {
        const auto oh = number(at + 1, 2), om = number(at + 4, 2);
        if (!oh || !om || at + 3 >= s.size() || s[at + 3] != ':')
            return std::nullopt;
        offset_minutes = (s[at] == '+' ? 1 : -1) * (*oh * 60 + *om);
        at += 6;
    } else {
        return std::nullopt;
    }
    if (at != s.size())
        return std::nullopt;
    using namespace std::chrono;
    const sys_days date =
        year{*y} / month{static_cast<unsigned>(*mo)} / std::chrono::day{static_cast<unsigned>(*d)};
    return system_clock::time_point(date) + hours(*h) + minutes(*mi) + seconds(*sec) -
           minutes(offset_minutes);
}

bool is_stale(const std::string& time, const ReplaySettings& settings) {
    if (!settings.max_age || time.empty())
        return false;
    const auto when = parse_iso8601(time);
    return when && *when < settings.now - *settings.max_age;
}

std::string age_text(std::chrono::seconds age) {
    if (age.count() % 86400 == 0)
        return std::to_string(age.count() / 86400) + "d";
    return std::to_string(age.count()) + "s";
}

namespace {

// listing_key appended to key after `file` and a separator (no file: listing_key alone), in
// one allocation: it is made for every page replayed.
void append_listing_key(std::string& key, const record::Recorded& r, const Routed& routed,
                        const std::string* file = nullptr) {
    const std::string* offset = routed.operation && routed.operation->pagination
                                    ? &routed.operation->pagination->offset_param
                                    : nullptr;
    ParamViews kept(r.exchange.request.query.size());
    std::size_t bytes = 0;
    for (const http::QueryParam& p : r.exchange.request.query)
        if ((!offset || p.name != *offset) && !is_signing_param(p.name)) {
            kept.push(p.name, p.value);
            bytes += p.name.size() + p.value.size() + 2;
        }
    // In name order, a name sent twice keeping its order. A listing's few parameters are
    // sorted in place (std::stable_sort takes a buffer from the heap for them); a long query
    // (a line may hold thousands) by merging.
    const std::span<ParamViews::View> params = kept.views();
    if (params.size() <= 16) {
        for (std::size_t i = 1; i < params.size(); ++i)
            for (std::size_t j = i; j > 0 && params[j].first < params[j - 1].first; --j)
                std::swap(params[j], params[j - 1]);
    } else {
        std::stable_sort(params.begin(), params.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
    }
    const std::string& operation = routed.operation ? routed.operation->name : r.operation;
    const std::string_view target = target_of(r);
    key.reserve(key.size() + (file ? file->size() + 1 : 0) + routed.contract->name.size() +
                operation.size() + target.size() + routed.walk_case_name.size() + 3 + bytes);
    if (file)
        key.append(*file).append(1, '\x1f');
    key.append(routed.contract->name).append(1, '\x1f').append(operation).append(1, '\x1f');
    key.append(target).append(1, '\x1f').append(routed.walk_case_name);
    for (const auto& [name, value] : params)
        key.append(1, '\x1f').append(name).append(1, '=').append(value);
}

} // namespace

std::string listing_key(const record::Recorded& r, const Routed& routed) {
    std::string key;
    append_listing_key(key, r, routed);
    return key;
}

std::string walk_key(const record::Recorded& r, const Routed& routed) {
    std::string key;
    append_listing_key(key, r, routed, &r.file.native());
    return key;
}

} // namespace conform::engine
