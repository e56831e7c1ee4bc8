#pragma once
// The deviation taxonomy of DESIGN.md as one table (STYLE.md lesson 6), and the Deviation
// value every check produces. Ids are stable: users keep them in baselines and CI configs.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace conform::core {

enum class DeviationId : std::uint8_t {
    field_missing,
    field_unexpected,
    field_renamed,
    field_misplaced,
    type_mismatch,
    value_enum,
    value_range,
    value_format,
    envelope_status,
    envelope_shape,
    pagination_over_limit,
    pagination_default_limit,
    pagination_items_exceed_total,
    pagination_total_mismatch,
    pagination_total_unstable,
    pagination_duplicate,
    pagination_gap,
    pagination_offset_ignored,
    pagination_past_end,
    http_status,
    http_content_type,
    http_transport,
    auth_unsigned_accepted,
    auth_bad_signature_accepted,
    state_create_not_visible,
    state_update_not_visible,
    state_delete_not_visible,
    state_delete_missing_accepted,
    state_duplicate_create_accepted,
    doc_sample_vs_table,
    doc_translation_drift,
    doc_family_drift,
    doc_placeholder,
};

enum class Severity : std::uint8_t { info, warning, error };

struct DeviationInfo {
    DeviationId id;
    std::string_view name;    // "field.missing"
    Severity severity;        // default; configurable per id
    std::string_view meaning; // one line, for `conform list-deviations` and the docs
};

inline constexpr std::array k_deviations = {
    DeviationInfo{DeviationId::field_missing, "field.missing", Severity::error,
                  "a documented required field is absent"},
    DeviationInfo{DeviationId::field_unexpected, "field.unexpected", Severity::warning,
                  "a field the contract does not declare"},
    DeviationInfo{DeviationId::field_renamed, "field.renamed", Severity::error,
                  "an unexpected field matches a missing documented one by case or a small edit"},
    DeviationInfo{DeviationId::field_misplaced, "field.misplaced", Severity::error,
                  "documented fields found under another parent"},
    DeviationInfo{DeviationId::type_mismatch, "type.mismatch", Severity::error,
                  "wrong JSON type (stringified-number, stringified-bool, scalar-for-object, "
                  "object-for-scalar, null)"},
    DeviationInfo{DeviationId::value_enum, "value.enum", Severity::error,
                  "a value outside the documented set (case-only near misses named as such)"},
    DeviationInfo{DeviationId::value_range, "value.range", Severity::error,
                  "a value outside its bounds, length or count limits"},
    DeviationInfo{DeviationId::value_format, "value.format", Severity::error,
                  "a string that does not match its documented format or pattern"},
    DeviationInfo{DeviationId::envelope_status, "envelope.status", Severity::error,
                  "success status on a negative case, or failure on a positive one"},
    DeviationInfo{DeviationId::envelope_shape, "envelope.shape", Severity::error,
                  "status or message fields missing or mistyped"},
    DeviationInfo{DeviationId::pagination_over_limit, "pagination.over-limit", Severity::error,
                  "a page holds more items than the limit asked for"},
    DeviationInfo{DeviationId::pagination_default_limit, "pagination.default-limit",
                  Severity::error, "without a limit, the page size is not the documented default"},
    DeviationInfo{DeviationId::pagination_items_exceed_total, "pagination.items-exceed-total",
                  Severity::error, "a page holds more items than the total count says exist"},
    DeviationInfo{DeviationId::pagination_total_mismatch, "pagination.total-mismatch",
                  Severity::error, "the items of a full walk do not add up to the total count"},
    DeviationInfo{DeviationId::pagination_total_unstable, "pagination.total-unstable",
                  Severity::error, "the total count changes between pages of one walk"},
    DeviationInfo{DeviationId::pagination_duplicate, "pagination.duplicate", Severity::error,
                  "the same item appears on more than one page"},
    DeviationInfo{DeviationId::pagination_gap, "pagination.gap", Severity::error,
                  "items are skipped between consecutive pages"},
    DeviationInfo{DeviationId::pagination_offset_ignored, "pagination.offset-ignored",
                  Severity::error, "different offsets return the same page"},
    DeviationInfo{DeviationId::pagination_past_end, "pagination.past-end", Severity::error,
                  "an offset at or past the end does not return an empty page"},
    DeviationInfo{DeviationId::http_status, "http.status", Severity::error,
                  "an unexpected HTTP status"},
    DeviationInfo{DeviationId::http_content_type, "http.content-type", Severity::error,
                  "a body that is not JSON, or a wrong content type"},
    DeviationInfo{DeviationId::http_transport, "http.transport", Severity::error,
                  "timeout, reset, truncated body or TLS failure"},
    DeviationInfo{DeviationId::auth_unsigned_accepted, "auth.unsigned-accepted", Severity::error,
                  "the endpoint answers a request without a signature"},
    DeviationInfo{DeviationId::auth_bad_signature_accepted, "auth.bad-signature-accepted",
                  Severity::error,
                  "the endpoint answers a request with a wrong or stale signature"},
    // Write scenarios (issue 17): create, read back, update, read back, delete, read back.
    DeviationInfo{DeviationId::state_create_not_visible, "state.create-not-visible",
                  Severity::error,
                  "a create answers success but the listing does not show the resource with the "
                  "fields sent"},
    DeviationInfo{DeviationId::state_update_not_visible, "state.update-not-visible",
                  Severity::error,
                  "an update answers success but the listing does not show the changed fields"},
    DeviationInfo{DeviationId::state_delete_not_visible, "state.delete-not-visible",
                  Severity::error,
                  "a delete answers success but the listing still shows the resource"},
    DeviationInfo{DeviationId::state_delete_missing_accepted, "state.delete-missing-accepted",
                  Severity::error,
                  "deleting a resource that does not exist answers success instead of an error"},
    DeviationInfo{DeviationId::state_duplicate_create_accepted, "state.duplicate-create-accepted",
                  Severity::error,
                  "creating a resource whose name exists answers success instead of an error"},
    DeviationInfo{DeviationId::doc_sample_vs_table, "doc.sample-vs-table", Severity::warning,
                  "the documentation's sample contradicts its own tables"},
    DeviationInfo{DeviationId::doc_translation_drift, "doc.translation-drift", Severity::warning,
                  "two pages of the same operation disagree (a translation drifted)"},
    DeviationInfo{DeviationId::doc_family_drift, "doc.family-drift", Severity::warning,
                  "operations of one family document the same field with different types"},
    DeviationInfo{DeviationId::doc_placeholder, "doc.placeholder", Severity::warning,
                  "a sample sends a placeholder (the indexed parameter's literal .N) for a value"},
};
static_assert(static_cast<std::size_t>(DeviationId::doc_placeholder) + 1 == k_deviations.size(),
              "every DeviationId has a row in k_deviations");

[[nodiscard]] constexpr const DeviationInfo& info(DeviationId id) {
    return k_deviations[static_cast<std::size_t>(id)];
}
[[nodiscard]] constexpr std::string_view name_of(DeviationId id) {
    return info(id).name;
}
[[nodiscard]] std::optional<DeviationId> parse_deviation_id(std::string_view name);
[[nodiscard]] std::string_view name_of(Severity s);

// A documentation row a deviation contradicts (the importer's x-source).
struct DocSource {
    std::string doc;
    std::size_t line = 0;
};

struct Deviation {
    DeviationId id;
    std::string kind; // sub-kind, e.g. "stringified-number", "case-only"
    Severity severity = Severity::error;
    std::string operation;        // "GetRepo"
    std::string instance_pointer; // "/RepoSet/0" (the first occurrence)
    std::string schema_pointer;   // keyword location in the schema
    std::string expected;         // short text
    std::string actual;           // short text
    std::string message;          // one line for people
    std::size_t count = 1;        // occurrences folded into this one (array items)
    std::optional<DocSource> source;

    // Stable across runs, reordering and array indices: id + operation + schema pointer +
    // instance pointer with indices folded to "*".
    [[nodiscard]] std::string fingerprint() const;
};

// "/RepoSet/3/RepoName" -> "/RepoSet/*/RepoName"
[[nodiscard]] std::string fold_indices(std::string_view pointer);

} // namespace conform::core
