// Defaults stated in parameter descriptions, in Chinese and English.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "runner/docs/internal/defaults.hpp"
#include "runner/docs/internal/schemas.hpp"

using conform::docs::internal::find_default;

TEST_CASE("Chinese phrasings of a default", "[docs][defaults]") {
    CHECK(find_default("偏移量，默认0") == "0");
    CHECK(find_default("数量，默认20") == "20");
    CHECK(find_default("返回数量，默认为20，最大值为100") == "20");
    CHECK(find_default("默认值为 50。") == "50");
    CHECK(find_default("偏移量，默认为０") == "0"); // full-width digits
    CHECK(find_default("返回数量，默认值：２０，最大值为１００") == "20");
    CHECK(find_default("默认值：15") == "15");
    CHECK(find_default("该值缺省时，后台取默认值0") == "0");
    CHECK(find_default("private私有仓库，public公共仓库，默认public") == "public");
    CHECK(find_default("升序还是降序，默认是 desc，还可以选择 asc") == "desc");
    CHECK(find_default("缺省为 10") == "10");
}

TEST_CASE("English phrasings of a default", "[docs][defaults]") {
    CHECK(find_default("Query offset. The default value is 0") == "0");
    CHECK(find_default("Query quantity. The default value is 20") == "20");
    CHECK(find_default("Quantity, default is 20") == "20");
    CHECK(find_default("Offset, default 0") == "0");
    CHECK(find_default("Page size. Default: 30") == "30");
    CHECK(find_default("Page size (default: 25).") == "25");
    CHECK(find_default("Include tags; defaults to false") == "false");
    CHECK(find_default("Private private repository, Public public repository, Default is public") ==
          "public");
    CHECK(find_default("The default value is \"desc\".") == "desc");
}

TEST_CASE("descriptions that state no default", "[docs][defaults]") {
    CHECK_FALSE(find_default("Project ID. If not filled in, the default project is used."));
    CHECK_FALSE(find_default("项目ID。不填写为默认项目，子帐号必须填写。"));
    CHECK_FALSE(find_default("If omitted, the default value is used."));
    // The default said in words, not a value: the region's default VPC, the Web-recommended
    // firewall; a space alone does not make the next word a value.
    CHECK_FALSE(find_default("VPC ID。默认为当前地域的默认VPC。"));
    CHECK_FALSE(find_default("防火墙ID，默认：Web推荐防火墙"));
    CHECK_FALSE(find_default("使用默认VPC"));
    CHECK(find_default("默认 TTL，默认为 600") == "600");
    CHECK(find_default("节点数，默认为3个") == "3");
    CHECK_FALSE(find_default("Defaultless text"));
    CHECK_FALSE(find_default(""));
}

TEST_CASE("a stated default takes the property's type", "[docs][defaults]") {
    using conform::docs::internal::typed_default;
    using nlohmann::json;
    std::string why;
    CHECK(typed_default("20", json{{"type", "integer"}}, why) == json(20));
    CHECK(typed_default("0.5", json{{"type", "number"}}, why) == json(0.5));
    CHECK(typed_default("3", json{{"type", "number"}}, why) == json(3));
    CHECK(typed_default("False", json{{"type", "boolean"}}, why) == json(false));
    CHECK(typed_default("public", json{{"type", "string"}}, why) == json("public"));
    CHECK_FALSE(typed_default("twenty", json{{"type", "integer"}}, why));
    CHECK(why == "not an integer");
    CHECK_FALSE(typed_default("1", json{{"type", "array"}}, why));
}
