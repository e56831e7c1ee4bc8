#include "runner/serve/internal/store.hpp"

#include <algorithm>

#include "runner/serve/internal/envelope.hpp"
#include "runner/serve/internal/params.hpp"
#include "runner/serve/internal/schema_lookup.hpp"
#include "runner/serve/internal/synthesize.hpp"

namespace conform::serve::internal {

using nlohmann::json;

namespace {

// A request value (or a request schema's default) as the item schema types the field: the
// listing may type as a string what the write sends as a boolean (UHub IsShared).
json as_item_value(const json& root, const json* field_schema, const json& value) {
    const json* schema = field_schema ? resolve_local_ref(root, field_schema) : nullptr;
    const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    const std::string type =
        schema && schema->is_object() && schema->contains("type") && (*schema)["type"].is_string()
            ? (*schema)["type"].get<std::string>()
            : std::string("string");
    if (type == "integer")
        if (auto n = parse_integer(text))
            return *n;
    if (type == "boolean")
        return text == "true" || text == "1";
    if (type == "number")
        try {
            return std::stod(text);
        } catch (const std::exception&) {
            return text;
        }
    if (type == "array") { // one value sent for a list: a list of it
        if (value.is_array())
            return value;
        const json* items = schema->contains("items") ? &(*schema)["items"] : nullptr;
        return json::array({as_item_value(root, items, value)});
    }
    return text;
}

const json* property_schema(const json* object_schema, const std::string& name) {
    if (!object_schema || !object_schema->is_object())
        return nullptr;
    auto props = object_schema->find("properties");
    if (props == object_schema->end() || !props->is_object())
        return nullptr;
    auto it = props->find(name);
    return it == props->end() ? nullptr : &*it;
}

std::string store_key_of(const json& item, const std::string& key) {
    auto it = item.find(key);
    if (it == item.end())
        return {};
    return it->is_string() ? it->get<std::string>() : it->dump();
}

} // namespace

Store::Store(const contract::Contract& contract, const Fixtures& fixtures)
    : m_contract(contract), m_fixtures(fixtures), m_scenarios(contract::scenarios_of(contract)) {
    for (const contract::Scenario& s : m_scenarios) {
        const contract::Operation* op = contract.find_operation(s.listing);
        if (!op || !op->pagination || m_listings.count(s.listing))
            continue;
        Listing listing;
        listing.operation = op;
        listing.item_schema = item_schema(op->response.document, op->pagination->items_pointer);
        if (listing.item_schema)
            listing.item_schema = resolve_local_ref(op->response.document, listing.item_schema);
        if (const OperationFixture* f = fixtures.find(s.listing))
            listing.items = f->items;
        m_listings.emplace(s.listing, std::move(listing));
    }
}

std::optional<std::vector<json>> Store::items(std::string_view listing) const {
    std::lock_guard lock(m_mutex);
    auto it = m_listings.find(listing);
    if (it == m_listings.end())
        return std::nullopt;
    return it->second.items;
}

void Store::apply_sent(const Listing& listing, const contract::Operation& op,
                       const contract::Scenario& scenario, const http::QueryParams& params,
                       json& item) const {
    const json& root = listing.operation->response.document;
    for (const std::string& field : properties_of(listing.item_schema)) {
        if (field == scenario.key || !contract::request_property(op.request.document, field))
            continue;
        if (const std::string* sent = params.find(field))
            item[field] = as_item_value(root, property_schema(listing.item_schema, field), *sent);
    }
}

json Store::new_item(const Listing& listing, const contract::Operation& op,
                     const contract::Scenario& scenario, const std::string& key,
                     const http::QueryParams& params) const {
    const json& root = listing.operation->response.document;
    json item = json::object();
    const auto index = static_cast<std::int64_t>(listing.items.size());
    for (const std::string& field : properties_of(listing.item_schema)) {
        const json* field_schema = property_schema(listing.item_schema, field);
        if (field == scenario.key) {
            item[field] = as_item_value(root, field_schema, key);
            continue;
        }
        // the create's documented default when not sent (UHub IsShared false), else a value
        // like the listing's others
        const json* request = contract::request_property(op.request.document, field);
        if (request && request->is_object() && request->contains("default"))
            item[field] = as_item_value(root, field_schema, (*request)["default"]);
        else if (!listing.items.empty() && listing.items.front().contains(field))
            item[field] = listing.items.front()[field];
        else if (field_schema)
            item[field] = synthesize_value(root, *field_schema, field, index);
    }
    apply_sent(listing, op, scenario, params, item);
    return item;
}

json Store::success(const contract::Operation& op, const json& item) const {
    const OperationFixture* fixture = m_fixtures.find(op.name);
    json body = fixture && fixture->body ? *fixture->body : success_envelope(m_contract, op);
    if (!body.is_object() || !item.is_object())
        return body;
    const json& root = op.response.document;
    const json* top = resolve_local_ref(root, &root);
    const json envelope = success_envelope(m_contract, op);
    for (auto& [field, value] : body.items())
        if (!envelope.contains(field))
            if (auto it = item.find(field); it != item.end())
                value = as_item_value(root, property_schema(top, field), *it);
    return body;
}

std::optional<json> Store::write(const contract::Operation& op, const http::QueryParams& params,
                                 StateFault fault) {
    const contract::Scenario* scenario = nullptr;
    Verb verb = Verb::create;
    for (const contract::Scenario& s : m_scenarios) {
        const bool dependent =
            std::find(s.dependents.begin(), s.dependents.end(), op.name) != s.dependents.end();
        if (op.name == s.create || op.name == s.update || op.name == s.remove || dependent) {
            scenario = &s;
            verb = op.name == s.create   ? Verb::create
                   : op.name == s.update ? Verb::update
                   : op.name == s.remove ? Verb::remove
                                         : Verb::dependent;
            break;
        }
    }
    if (!scenario)
        return std::nullopt;
    const std::string* key = params.find(scenario->key);
    if (!key) // the request schema requires it: check_params refused already, unless lenient
        return refusal_envelope(m_contract, op.name, Refusal::invalid_parameter,
                                invalid_parameter_message(scenario->key, "is required"));

    std::lock_guard lock(m_mutex);
    auto listing_it = m_listings.find(scenario->listing);
    if (listing_it == m_listings.end())
        return success(op, json::object());
    Listing& listing = listing_it->second;
    auto found = std::find_if(listing.items.begin(), listing.items.end(), [&](const json& item) {
        return store_key_of(item, scenario->key) == *key;
    });
    const bool exists = found != listing.items.end();
    const std::string what = scenario->name + " " + *key;
    json written = exists ? *found : json::object(); // what the answer may tell of it
    switch (verb) {
    case Verb::create:
        if (exists && fault != StateFault::duplicate_create_ok)
            return refusal_envelope(m_contract, op.name, Refusal::resource_exists,
                                    what + " already exists");
        if (!exists) {
            written = new_item(listing, op, *scenario, *key, params);
            if (fault != StateFault::create_noop) {
                listing.items.push_back(written);
                listing.created.insert(*key);
            }
        }
        break;
    case Verb::update:
        if (!exists)
            return refusal_envelope(m_contract, op.name, Refusal::resource_missing,
                                    what + " does not exist");
        if (fault != StateFault::update_noop) {
            apply_sent(listing, op, *scenario, params, *found);
            written = *found;
        }
        break;
    case Verb::remove:
        if (!exists && fault != StateFault::delete_missing_ok)
            return refusal_envelope(m_contract, op.name, Refusal::resource_missing,
                                    what + " does not exist");
        if (exists && fault != StateFault::delete_noop) {
            listing.items.erase(found);
            listing.created.erase(*key);
        }
        break;
    case Verb::dependent:
        // What lives inside a resource is modelled only for those written here: they have
        // none, so any child named is missing. A dataset's resource answers as documented.
        if (!exists)
            return refusal_envelope(m_contract, op.name, Refusal::resource_missing,
                                    what + " does not exist");
        if (listing.created.count(*key) && fault != StateFault::delete_missing_ok)
            return refusal_envelope(m_contract, op.name, Refusal::resource_missing,
                                    "nothing of the kind " + op.name + " names exists in " + what);
        break;
    }
    return success(op, written);
}

} // namespace conform::serve::internal
