#include "runner/serve/internal/envelope.hpp"

#include "runner/core/json_pointer.hpp"
#include "runner/http/http.hpp"

namespace conform::serve::internal {

using nlohmann::json;

Family family_of(const contract::Contract& contract) {
    if (const http::Scheme* s = http::find_scheme(contract.signing))
        return s->id == http::SchemeId::tencent_v2_hmac ? Family::tencent_v2 : Family::ucloud;
    return contract.envelope.description ? Family::tencent_v2 : Family::ucloud;
}

void set_at(json& document, std::string_view pointer, json value) {
    auto tokens = core::parse_pointer(pointer);
    if (!tokens || tokens->empty()) { // contract loading validated the pointers
        document = std::move(value);
        return;
    }
    json* at = &document;
    for (const std::string& t : *tokens) {
        if (!at->is_object())
            *at = json::object();
        at = &(*at)[t];
    }
    *at = std::move(value);
}

json take_at(json& document, std::string_view pointer) {
    auto tokens = core::parse_pointer(pointer);
    if (!tokens || tokens->empty())
        return nullptr;
    json* parent = &document;
    for (std::size_t i = 0; i + 1 < tokens->size(); ++i) {
        if (!parent->is_object() || !parent->contains((*tokens)[i]))
            return nullptr;
        parent = &(*parent)[(*tokens)[i]];
    }
    if (!parent->is_object())
        return nullptr;
    auto it = parent->find(tokens->back());
    if (it == parent->end())
        return nullptr;
    json out = std::move(*it);
    parent->erase(it);
    return out;
}

json success_envelope(const contract::Contract& contract, std::string_view operation) {
    const contract::Envelope& e = contract.envelope;
    json body = json::object();
    set_at(body, e.code.pointer, e.code.success);
    if (e.description)
        set_at(body, e.description->pointer, e.description->success);
    if (!e.message_pointer.empty())
        set_at(body, e.message_pointer, "");
    if (e.action)
        set_at(body, e.action->pointer, e.action->expected(operation));
    return body;
}

namespace {

// Whether the response schema's root lets a member named by pointer's first token appear: a
// page that documents no Message forbids one (additionalProperties false).
bool root_allows(const contract::Operation& operation, std::string_view pointer) {
    const json& root = operation.response.document;
    const auto tokens = core::parse_pointer(pointer);
    if (!tokens || tokens->empty() || !root.is_object())
        return true;
    if (auto props = root.find("properties");
        props != root.end() && props->is_object() && props->contains(tokens->front()))
        return true;
    auto extra = root.find("additionalProperties");
    return extra == root.end() || *extra != false;
}

} // namespace

json success_envelope(const contract::Contract& contract, const contract::Operation& operation) {
    json body = success_envelope(contract, operation.name);
    const contract::Envelope& e = contract.envelope;
    if (!e.message_pointer.empty() && !root_allows(operation, e.message_pointer))
        take_at(body, e.message_pointer);
    if (e.description && !root_allows(operation, e.description->pointer))
        take_at(body, e.description->pointer);
    return body;
}

json page_body(json base, const contract::Operation& operation, json items, std::int64_t total,
               bool total_is_string) {
    json body = std::move(base);
    if (const auto& p = operation.pagination) {
        // The reference obeys the contract's table: Tencent documents totalCount as a String.
        set_at(body, p->total_pointer, total_is_string ? json(std::to_string(total)) : json(total));
        set_at(body, p->items_pointer, std::move(items));
    }
    return body;
}

json error_envelope(const contract::Contract& contract, std::string_view echo, int code,
                    std::string_view code_desc, std::string message) {
    const contract::Envelope& e = contract.envelope;
    json body = json::object();
    // The status field keeps the type of its success value (a string status stays a string).
    if (e.code.success.is_string())
        set_at(body, e.code.pointer, std::to_string(code));
    else
        set_at(body, e.code.pointer, code);
    if (e.description)
        set_at(body, e.description->pointer, std::string(code_desc));
    if (!e.message_pointer.empty())
        set_at(body, e.message_pointer, std::move(message));
    if (e.action) // SIGNING.md: {"Action": "<Action>Response", "RetCode": ..., "Message": ...}
        set_at(body, e.action->pointer, e.action->expected(echo));
    return body;
}

json refusal_envelope(const contract::Contract& contract, std::string_view echo, Refusal refusal,
                      std::string message) {
    const RefusalInfo& r = refusal_info(refusal);
    return family_of(contract) == Family::tencent_v2
               ? error_envelope(contract, echo, r.tencent_code, r.tencent_code_desc,
                                std::move(message))
               : error_envelope(contract, echo, r.ucloud_code, {}, std::move(message));
}

std::string missing_operation_message(const contract::Contract& contract) {
    return "Missing " + contract.routing.param;
}

std::string unknown_operation_message(const contract::Contract& contract, std::string_view value) {
    return "Unknown " + contract.routing.param + " \"" + std::string(value) + "\"";
}

std::string invalid_parameter_message(std::string_view param, std::string_view why) {
    return "Param " + std::string(param) + " is invalid: " + std::string(why);
}

std::string dump(const json& body) {
    return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace conform::serve::internal
