#include "runner/checks/checks.hpp"

#include "runner/core/json_pointer.hpp"

namespace conform::checks {
namespace {

using core::Deviation;
using core::DeviationId;
using core::JsonView;

[[gnu::cold]] Deviation make(DeviationId id, std::string kind, const std::string& operation,
                             std::string pointer, std::string expected, std::string actual,
                             std::string message) {
    Deviation d;
    d.id = id;
    d.kind = std::move(kind);
    d.severity = core::info(id).severity;
    d.operation = operation;
    d.instance_pointer = std::move(pointer);
    d.schema_pointer = "envelope";
    d.expected = std::move(expected);
    d.actual = std::move(actual);
    d.message = std::move(message);
    return d;
}

std::string text_of(std::optional<JsonView> v) {
    if (!v)
        return "(absent)";
    std::string s = v->to_json().dump();
    return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

} // namespace

bool is_success(const contract::Envelope& envelope, JsonView body) {
    auto code = core::resolve_pointer(body, envelope.code.pointer);
    return code && *code == JsonView(envelope.code.success);
}

std::vector<Deviation> check_envelope(const contract::Envelope& envelope,
                                      const std::string& operation, JsonView body, Expect expect) {
    std::vector<Deviation> out;
    auto code = core::resolve_pointer(body, envelope.code.pointer);
    const JsonView success(envelope.code.success);
    if (!code || code->type() != success.type()) {
        out.push_back(
            make(DeviationId::envelope_shape, "status-field", operation, envelope.code.pointer,
                 std::string(core::type_name(success.type())) + " status field", text_of(code),
                 "the status field " + envelope.code.pointer +
                     (code ? " has the wrong type" : " is missing")));
        return out; // nothing else can be judged without a status
    }
    const bool succeeded = *code == success;
    if (succeeded && expect != Expect::success) {
        Deviation d = make(DeviationId::envelope_status, "success-on-negative", operation,
                           envelope.code.pointer, "an error status", text_of(code) + " (success)",
                           "a request that should be refused was answered with success");
        if (expect == Expect::refusal_preferred)
            d.severity = core::Severity::warning; // the pages do not promise refusal
        out.push_back(std::move(d));
    }
    if (!succeeded && expect == Expect::success)
        out.push_back(make(DeviationId::envelope_status, "failure-on-positive", operation,
                           envelope.code.pointer, "success " + success.to_json().dump(),
                           text_of(code),
                           "a valid request was answered with an error status " + text_of(code)));
    if (envelope.description) {
        auto desc = core::resolve_pointer(body, envelope.description->pointer);
        const JsonView desc_success(envelope.description->success);
        if (!desc || desc->type() != desc_success.type())
            out.push_back(make(DeviationId::envelope_shape, "description-field", operation,
                               envelope.description->pointer,
                               std::string(core::type_name(desc_success.type())), text_of(desc),
                               "the status description " + envelope.description->pointer +
                                   (desc ? " has the wrong type" : " is missing")));
        else if (succeeded && !(*desc == desc_success))
            out.push_back(
                make(DeviationId::envelope_shape, "description-value", operation,
                     envelope.description->pointer, desc_success.to_json().dump(), text_of(desc),
                     "a success answer's description is not " + desc_success.to_json().dump()));
    }
    auto message = core::resolve_pointer(body, envelope.message_pointer);
    if (!succeeded && (!message || !message->is_string()))
        out.push_back(make(DeviationId::envelope_shape, "message-field", operation,
                           envelope.message_pointer, "a string explaining the error",
                           text_of(message),
                           "an error answer has no message at " + envelope.message_pointer));
    else if (message && !message->is_string())
        out.push_back(make(DeviationId::envelope_shape, "message-field", operation,
                           envelope.message_pointer, "string", text_of(message),
                           "the message field " + envelope.message_pointer + " is not a string"));
    if (envelope.action && !operation.empty()) { // no operation named, no echo to expect
        auto action = core::resolve_pointer(body, envelope.action->pointer);
        const std::string expected = envelope.action->expected(operation);
        if (!action || !action->is_string() || action->as_string() != expected)
            out.push_back(make(DeviationId::envelope_shape, "action-echo", operation,
                               envelope.action->pointer, "\"" + expected + "\"", text_of(action),
                               "the answer does not echo the operation as \"" + expected + "\""));
    }
    return out;
}

} // namespace conform::checks
