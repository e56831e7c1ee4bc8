// `conform sign`: sign a request's parameters and print its query string, so that a user can
// call an API with curl or debug a signature.
#include <ostream>

#include "runner/http/http.hpp"

namespace conform::http {
namespace {

struct SeedContract {
    std::string_view name;
    SchemeId scheme;
    std::string_view host;
    std::string_view path;
};

// The "signing" and "base_url" of schemas/<name>/contract.json for the three seed contracts.
// Temporary: when contract/ loads contracts, `sign --contract` reads them from there.
constexpr std::array k_seed_contracts = {
    SeedContract{"tencent-ccr", SchemeId::tencent_v2_hmac, "ccr.api.qcloud.com", "/v2/index.php"},
    SeedContract{"ucloud-uhub", SchemeId::ucloud_sha1, "api.ucloud.cn", "/"},
    SeedContract{"genesissai-uhub", SchemeId::ucloud_sha1, "api.genesissai.com", "/"},
};

std::string known_names(auto&& rows) {
    std::string out;
    for (const auto& row : rows)
        out += (out.empty() ? "" : ", ") + std::string(row.name);
    return out;
}

} // namespace

core::Result<core::Verdict> run_sign(const SignJob& job, const SignEdges& edges, std::ostream& out,
                                     std::ostream& err) {
    if (job.contract.empty() == job.scheme.empty())
        return core::fail("give exactly one of --contract NAME or --scheme NAME");

    const Scheme* chosen = nullptr;
    RequestTarget target;
    target.method = job.method.empty() ? std::string("GET") : job.method;
    if (!job.contract.empty()) {
        const SeedContract* contract = nullptr;
        for (const SeedContract& row : k_seed_contracts)
            if (row.name == job.contract)
                contract = &row;
        if (contract == nullptr)
            return core::fail("unknown contract \"" + job.contract +
                              "\"; known: " + known_names(k_seed_contracts));
        chosen = &scheme(contract->scheme);
        target.host = contract->host;
        target.path = contract->path;
    } else {
        chosen = find_scheme(job.scheme);
        if (chosen == nullptr)
            return core::fail("unknown signing scheme \"" + job.scheme +
                              "\"; known: " + known_names(schemes()));
    }
    if (!job.host.empty())
        target.host = job.host;
    if (!job.path.empty())
        target.path = job.path;
    if (target.host.find("://") != std::string::npos || target.host.find('/') != std::string::npos)
        return core::fail("--host takes HOST[:PORT] (the port only when it is not the "
                          "default one), not a URL: " +
                          target.host);
    if (target.path.empty() || target.path.front() != '/')
        return core::fail("--path must start with '/': " + target.path);
    // Tencent v2 signs the host the request goes to; UCloud signs parameters only.
    if (chosen->id == SchemeId::tencent_v2_hmac && target.host.empty())
        return core::fail(std::string(chosen->name) + " signs the host: give --host");

    QueryParams params;
    for (const std::string& spec : job.params) {
        const std::size_t eq = spec.find('=');
        if (eq == std::string::npos || eq == 0)
            return core::fail("--param takes NAME=VALUE (value unencoded), got \"" + spec + "\"");
        params.add(spec.substr(0, eq), spec.substr(eq + 1));
    }

    auto credentials = credentials_from_env(*chosen, edges.environment);
    if (!credentials)
        return core::fail(credentials.error().message);

    // Warnings for requests the gateway will refuse whatever the signature (SIGNING.md).
    if (!params.contains("Action"))
        err << "conform: warning: no Action parameter\n";
    if (params.contains("Signature"))
        err << "conform: warning: the given Signature is replaced by the computed one\n";
    if (params.contains(chosen->key_id_param))
        err << "conform: warning: the given " << chosen->key_id_param << " is replaced by "
            << chosen->key_id_env << '\n';
    if (chosen->id == SchemeId::tencent_v2_hmac) {
        if (!params.contains("Region"))
            err << "conform: warning: no Region parameter (Tencent v2 requires one)\n";
        if (params.contains("Version"))
            err << "conform: warning: a Version parameter switches a v2 host to another API's "
                   "envelope\n";
    }

    auto signed_query = chosen->sign(params, target, *credentials, edges.clock, edges.nonces);
    if (!signed_query)
        return core::fail(signed_query.error().message);
    if (job.explain)
        err << "conform: string to sign (" << chosen->name << "): " << signed_query->explain
            << '\n';
    out << signed_query->query() << '\n';
    return core::Verdict::conformant;
}

core::Result<core::Verdict> run_sign(const SignJob& job, std::ostream& out, std::ostream& err) {
    const ProcessEnvironment environment;
    const SystemClock clock;
    RandomNonceSource nonces;
    return run_sign(job, SignEdges{environment, clock, nonces}, out, err);
}

} // namespace conform::http
