#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <re2/re2.h>

#include "runner/schema/regex.hpp"

using conform::schema::Regex;

TEST_CASE("ECMA-262 patterns run on RE2 with search semantics") {
    auto r = Regex::compile("^[a-z]+\\d{2}$");
    REQUIRE(r);
    CHECK(r->search("abc12"));
    CHECK_FALSE(r->search("abc123"));
    auto unanchored = Regex::compile("b");
    REQUIRE(unanchored);
    CHECK(unanchored->search("abc"));
}

TEST_CASE("ECMA escapes RE2 spells differently are translated") {
    auto u = Regex::compile("^\\u00e9$");
    REQUIRE(u);
    CHECK(u->search("\xc3\xa9"));
    auto s = Regex::compile("^\\s$");
    REQUIRE(s);
    CHECK(s->search("\xc2\xa0")); // NO-BREAK SPACE is ECMA whitespace
}

TEST_CASE("constructs RE2 cannot run are clear errors") {
    CHECK_FALSE(Regex::compile("(?!x)y"));
    CHECK_FALSE(Regex::compile("(a)\\1"));
    auto bad = Regex::compile("(");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message.find("invalid regular expression") != std::string::npos);
}

// The simple-pattern automaton must answer exactly as RE2 would for every pattern it takes:
// each pattern is tried on every string over a small alphabet (plus multi-byte and control
// characters) up to length 4, against RE2 compiled from the same text.
TEST_CASE("the simple-pattern matcher agrees with RE2") {
    const char* patterns[] = {
        "^[a-z0-9][a-z0-9._-]*$",
        "^[a-z]+\\d{2}$",
        "a",
        "^a",
        "a$",
        "^$",
        "",
        "^a*$",
        "a*",
        "ab?c",
        "^a?b+$",
        "[a-c]{2,3}",
        "^[a-c]{2,}$",
        "^x{0,2}y$",
        "\\w+-\\d",
        "^[\\-.]b",
        "a{0}b",
        "^(?:a)$",
        "^a.b$",
        "[^a]",
        "\\sa",
        "^\\.\\$$",
        "b*?a",
        "^[ab-]{1,2}$",
        "^\\t?a\\/$",
        // more state sets than the deterministic table holds: simulated position by position
        "^[ab]*a[ab]{6}$",
        "a[abc]{2,5}b",
    };
    const std::vector<std::string> alphabet = {"a", "b", "c", "-", ".",  "1",        "x",
                                               "y", "_", "$", "/", "\t", "\xc3\xa9", " "};
    std::vector<std::string> strings = {""};
    for (std::size_t len = 0, begin = 0; len < 4; ++len) {
        const std::size_t end = strings.size();
        for (std::size_t i = begin; i < end; ++i)
            for (const auto& c : alphabet)
                strings.push_back(strings[i] + c);
        begin = end;
    }
    std::size_t simple = 0;
    for (const char* pattern : patterns) {
        auto ours = Regex::compile(pattern);
        REQUIRE(ours);
        simple += ours->uses_simple_matcher();
        re2::RE2 reference(pattern);
        REQUIRE(reference.ok());
        for (const std::string& s : strings) {
            INFO("pattern " << pattern << " on \"" << s << "\"");
            CHECK(ours->search(s) == re2::RE2::PartialMatch(s, reference));
        }
    }
    // Longer strings over a narrow alphabet, for the patterns whose answer needs them.
    std::vector<std::string> longer = {""};
    for (std::size_t len = 0, begin = 0; len < 9; ++len) {
        const std::size_t end = longer.size();
        for (std::size_t i = begin; i < end; ++i)
            for (char c : {'a', 'b', 'c'})
                longer.push_back(longer[i] + c);
        begin = end;
    }
    for (const char* pattern : {"^[ab]*a[ab]{6}$", "a[abc]{2,5}b", "^a{2,4}b+c?$", "ab*c$"}) {
        auto ours = Regex::compile(pattern);
        REQUIRE(ours);
        CHECK(ours->uses_simple_matcher());
        re2::RE2 reference(pattern);
        for (const std::string& s : longer) {
            INFO("pattern " << pattern << " on \"" << s << "\"");
            CHECK(ours->search(s) == re2::RE2::PartialMatch(s, reference));
        }
    }
    CHECK(simple >= 20); // the subset covers the common shapes; the rest go to RE2
    CHECK_FALSE(Regex::compile("^a.b$")->uses_simple_matcher());
    CHECK_FALSE(Regex::compile("[^a]")->uses_simple_matcher());
}
