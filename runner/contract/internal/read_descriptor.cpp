#include "runner/contract/internal/read_descriptor.hpp"

#include <limits>

namespace conform::contract::internal {
namespace {

StatusField read_status_field(const nlohmann::json& field) {
    return StatusField{field.at("pointer").get<std::string>(), field.at("success")};
}

} // namespace

// The schema has checked "integer", which 20.0 satisfies too; a value beyond int64 saturates
// instead of overflowing the conversion.
std::int64_t read_integer(const nlohmann::json& value) {
    constexpr auto k_max = std::numeric_limits<std::int64_t>::max();
    constexpr auto k_min = std::numeric_limits<std::int64_t>::min();
    if (value.is_number_unsigned())
        return value.get<std::uint64_t>() > static_cast<std::uint64_t>(k_max)
                   ? k_max
                   : static_cast<std::int64_t>(value.get<std::uint64_t>());
    if (value.is_number_integer())
        return value.get<std::int64_t>();
    const double d = value.get<double>();
    if (!(d < 9.2e18))
        return k_max;
    if (!(d > -9.2e18))
        return k_min;
    return static_cast<std::int64_t>(d);
}

std::string string_or_empty(const nlohmann::json& object, std::string_view key) {
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Envelope read_envelope(const nlohmann::json& envelope) {
    Envelope out;
    out.code = read_status_field(envelope.at("code"));
    out.message_pointer = envelope.at("message").at("pointer").get<std::string>();
    if (auto it = envelope.find("description"); it != envelope.end())
        out.description = read_status_field(*it);
    if (auto it = envelope.find("action"); it != envelope.end())
        out.action =
            ActionEcho{it->at("pointer").get<std::string>(), it->at("suffix").get<std::string>()};
    return out;
}

Routing read_routing(const nlohmann::json& routing) {
    return Routing{routing.at("in").get<std::string>(), routing.at("param").get<std::string>()};
}

std::optional<Pagination> read_pagination(const nlohmann::json& pagination) {
    if (pagination.is_null())
        return std::nullopt;
    Pagination out;
    out.offset_param = pagination.at("offset_param").get<std::string>();
    out.offset_default = read_integer(pagination.at("offset_default"));
    out.limit_param = pagination.at("limit_param").get<std::string>();
    out.limit_default = read_integer(pagination.at("limit_default"));
    out.items_pointer = pagination.at("items_pointer").get<std::string>();
    out.total_pointer = pagination.at("total_pointer").get<std::string>();
    out.item_key = pagination.at("item_key").get<std::string>();
    return out;
}

} // namespace conform::contract::internal
