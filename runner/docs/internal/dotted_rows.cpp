// Dotted names in response and model tables ("subnetSet.n.cidr", "data.n.zoneId",
// "quota.used"), the way Tencent API 2.0 pages write nested fields without a table of their
// own: folded into data model tables, so that the schemas, the pagination model, the samples'
// lint and the reference read them as they read a captioned sub-table. Request tables keep
// theirs: there a dotted name is what goes on the wire ("Disks.N.Size").
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "runner/docs/internal/markdown.hpp"
#include "runner/docs/internal/page.hpp"
#include "runner/docs/internal/type_words.hpp"

namespace conform::docs::internal {
namespace {

bool is_index_segment(std::string_view segment) {
    return segment == "n" || segment == "N";
}

// What the rows "parent.<rest>" of one table say about parent: the rows themselves, with
// parent's part of the name taken off.
struct Dotted {
    std::string parent;
    std::vector<Field> rows;
};

bool is_array_type(std::string_view cell) {
    const TypeExpr type = parse_type(cell);
    return type.array_depth > 0 || (type.row && type.row->slot == ModelSlot::items);
}

// Whether a type cell names a data model documented by a table of its own.
bool names_page_model(const PageFacts& facts, std::string_view cell) {
    const TypeExpr type = parse_type(cell);
    if (!type.names_model)
        return false;
    const std::string lower = to_lower_ascii(type.base);
    return std::any_of(facts.tables.begin(), facts.tables.end(), [&](const FieldTable& t) {
        return t.is_model() && to_lower_ascii(t.name) == lower;
    });
}

class DottedRows {
public:
    DottedRows(PageFacts& facts, std::string_view doc, std::vector<Warning>& warnings)
        : m_facts(facts), m_doc(doc), m_warnings(warnings) {
        for (const FieldTable& t : facts.tables)
            m_taken.insert(to_lower_ascii(t.name));
    }

    // The rows "a.n.b" of table t become a model table for a's items (appended to the page's
    // tables, where its own dotted rows are folded in turn); "a.b", of a's members; "a.n",
    // a's item type. A parent with no row of its own gets one.
    void fold(std::size_t t) {
        std::vector<Field> kept;
        std::vector<Dotted> groups;
        std::unordered_map<std::string, std::size_t> group_of, kept_at; // by (parent) name
        for (Field& field : m_facts.tables[t].fields) {
            const std::size_t dot = field.name.find('.');
            if (dot == std::string::npos || dot == 0 || dot + 1 == field.name.size()) {
                kept_at.emplace(field.name, kept.size());
                kept.push_back(std::move(field));
                continue;
            }
            const auto [at, added] = group_of.emplace(field.name.substr(0, dot), groups.size());
            if (added)
                groups.push_back(Dotted{at->first, {}});
            Dotted& group = groups[at->second];
            group.rows.push_back(std::move(field));
            group.rows.back().name.erase(0, dot + 1);
        }
        for (Dotted& group : groups) {
            auto [at, added] = kept_at.emplace(group.parent, kept.size());
            if (added) { // a parent with no row of its own
                Field own;
                own.name = group.parent;
                own.line = group.rows.front().line;
                kept.push_back(std::move(own));
            }
            if (auto model = fold_group(kept[at->second], group))
                m_facts.tables.push_back(std::move(*model));
        }
        m_facts.tables[t].fields = std::move(kept);
    }

private:
    Warning warning(std::size_t line, std::string message) const {
        return Warning{core::Location{std::string(m_doc), line, 0, {}, false}, std::move(message)};
    }

    std::optional<FieldTable> fold_group(Field& parent, Dotted& group) {
        const bool indexed =
            is_index_segment(group.rows.front().name.substr(0, group.rows.front().name.find('.')));
        std::vector<Field> members;
        const Field* item_type = nullptr;
        for (Field& row : group.rows) {
            const std::size_t dot = row.name.find('.');
            const std::string_view first = std::string_view(row.name).substr(0, dot);
            if (is_index_segment(first) != indexed) {
                m_warnings.push_back(
                    warning(row.line, "field " + group.parent + "." + row.name +
                                          (indexed ? " has no index" : " has an index") +
                                          " where the first row under " + group.parent +
                                          " does not; skipped"));
                continue;
            }
            if (!indexed) {
                members.push_back(std::move(row));
            } else if (dot == std::string::npos) {
                item_type = &row; // "a.n": the type of a's items
            } else {
                row.name.erase(0, dot + 1);
                members.push_back(std::move(row));
            }
        }
        const bool array = indexed || is_array_type(parent.type_cell);
        if (names_page_model(m_facts, parent.type_cell)) {
            m_warnings.push_back(warning(group.rows.front().line,
                                         "the rows " + group.parent + ".* describe " +
                                             group.parent + ", whose type names a data model " +
                                             "of the page; the model is kept, the rows skipped"));
            return std::nullopt;
        }
        if (members.empty()) {
            if (item_type && !parse_type(item_type->type_cell).base.empty())
                parent.type_cell = "Array of " + item_type->type_cell;
            else if (indexed && parent.type_cell.empty())
                parent.type_cell = "Array";
            return std::nullopt;
        }
        if (item_type)
            m_warnings.push_back(warning(item_type->line, "field " + group.parent +
                                                              ".n gives a type for items whose "
                                                              "fields the rows below it list; "
                                                              "the fields are kept"));
        FieldTable model;
        model.section = Section::model;
        model.name = made_model_name(group.parent);
        model.header_line = members.front().line;
        model.fields = std::move(members);
        parent.type_cell = array ? "Array of " + model.name : model.name;
        return model;
    }

    // A model table's name for the rows of field: the field's own name, unless a table or a
    // type word has it (ASCII case aside), then with "Item", "Item2"... added.
    std::string made_model_name(const std::string& field) {
        std::string name = field;
        for (int n = 1; find_type_word(name) || m_taken.count(to_lower_ascii(name)); ++n)
            name = field + "Item" + (n > 1 ? std::to_string(n) : std::string());
        m_taken.insert(to_lower_ascii(name));
        return name;
    }

    PageFacts& m_facts;
    std::string_view m_doc;
    std::vector<Warning>& m_warnings;
    std::unordered_set<std::string> m_taken; // table names, lower case
};

} // namespace

void fold_dotted_rows(PageFacts& facts, std::string_view doc, std::vector<Warning>& warnings) {
    DottedRows rows(facts, doc, warnings);
    // By index: the tables folded append the models they make, which are folded in turn.
    for (std::size_t t = 0; t < facts.tables.size(); ++t)
        if (facts.tables[t].section != Section::request)
            rows.fold(t);
}

} // namespace conform::docs::internal
