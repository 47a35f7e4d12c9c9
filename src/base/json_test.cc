#include "base/json.h"

#include <gtest/gtest.h>

#include "base/caps.h"

namespace strata::json {
namespace {

TEST(JsonParseTest, ParsesObject) {
  auto j = Parse(R"({"a":"x","n":3,"l":["p","q"],"m":{"k":"v"}})", "doc", 1000);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ(**GetString(*j, "a"), "x");
  EXPECT_EQ(**GetInt(*j, "n"), 3);
  EXPECT_EQ(GetStringArray(*j, "l")->value().size(), 2u);
  EXPECT_EQ(GetStringMap(*j, "m")->value().at("k"), "v");
  EXPECT_FALSE(GetString(*j, "missing")->has_value());
}

TEST(JsonParseTest, WrongTypeIsDataLoss) {
  auto j = Parse(R"({"a":1,"l":[1]})", "doc", 1000);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(GetString(*j, "a").status().message(),
            "field \"a\" must be a string");
  EXPECT_EQ(GetStringArray(*j, "l").status().code(), StatusCode::kDataLoss);
}

TEST(JsonParseTest, RejectsInvalidAndTrailingGarbage) {
  auto r = Parse("{\"a\":", "manifest", 1000);
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.status().message().rfind("manifest is not valid JSON: ", 0), 0u);
  EXPECT_FALSE(Parse("{} x", "manifest", 1000).ok());
}

TEST(JsonParseTest, RejectsOverSizeCap) {
  auto r = Parse("[1,2,3]", "index", 3);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status().message(), "index is 7 bytes, over the cap of 3");
}

TEST(JsonParseTest, RejectsDeepNesting) {
  std::string deep(caps::kMaxJsonDepth + 10, '[');
  deep += std::string(caps::kMaxJsonDepth + 10, ']');
  auto r = Parse(deep, "manifest", 1 << 20);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status().message(), "manifest nests deeper than 64 levels");
  // Just under the cap is fine.
  std::string ok(caps::kMaxJsonDepth - 1, '[');
  ok += std::string(caps::kMaxJsonDepth - 1, ']');
  EXPECT_TRUE(Parse(ok, "manifest", 1 << 20).ok());
}

TEST(JsonParseTest, BuildsNestedValues) {
  auto j =
      Parse(R"({"a":[1,{"b":[true,null,2.5,-3,"s"]},[]],"e":{},"d":1,"d":2,)"
            R"("u":18446744073709551615})",
            "doc", 1000);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ(Dump(*j),
            R"({"a":[1,{"b":[true,null,2.5,-3,"s"]},[]],"d":2,"e":{},)"
            R"("u":18446744073709551615})");
  EXPECT_TRUE((*j)["u"].is_number_unsigned());
  auto scalar = Parse(" \"x\" ", "doc", 1000);
  ASSERT_TRUE(scalar.ok());
  EXPECT_EQ(*scalar, Json("x"));
}

TEST(JsonParseTest, ManyObjectsInOneArray) {
  constexpr int kCount = 200'000;
  std::string text = "[";
  for (int i = 0; i < kCount; ++i) text += i ? ",{}" : "{}";
  text += "]";
  auto j = Parse(text, "sbom", 1 << 30);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  ASSERT_EQ(j->size(), static_cast<size_t>(kCount));
  EXPECT_TRUE(j->back().is_object());
}

TEST(JsonParseTest, ManyObjectMembersInOneObject) {
  constexpr int kCount = 200'000;
  std::string text = "{";
  for (int i = 0; i < kCount; ++i) {
    if (i) text += ",";
    text += "\"k" + std::to_string(i) + "\":{}";
  }
  text += "}";
  auto j = Parse(text, "package-lock.json", 1 << 30);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  ASSERT_EQ(j->size(), static_cast<size_t>(kCount));
  EXPECT_TRUE((*j)["k199999"].is_object());
}

TEST(JsonParseTest, DepthCapBoundary) {
  const int cap = caps::kMaxJsonDepth;
  auto arrays = [](int n) {
    return std::string(n, '[') + "1" + std::string(n, ']');
  };
  EXPECT_TRUE(Parse(arrays(cap), "doc", 1 << 20).ok());
  EXPECT_EQ(Parse(arrays(cap + 1), "doc", 1 << 20).status().message(),
            "doc nests deeper than 64 levels");
  auto objects = [](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += "{\"a\":";
    s += "{}";
    for (int i = 0; i < n; ++i) s += "}";
    return s;
  };
  // `cap` objects around an empty one: the innermost holds no key.
  EXPECT_TRUE(Parse(objects(cap), "doc", 1 << 20).ok());
  EXPECT_EQ(Parse(objects(cap + 1), "doc", 1 << 20).status().message(),
            "doc nests deeper than 64 levels");
}

TEST(JsonParseTest, DepthErrorWinsOverLaterSyntaxError) {
  std::string deep = std::string(caps::kMaxJsonDepth + 1, '[') + "1,}";
  EXPECT_EQ(Parse(deep, "doc", 1 << 20).status(),
            ResourceExhaustedError("doc nests deeper than 64 levels"));
  std::string early = "[x" + std::string(caps::kMaxJsonDepth + 1, '[');
  EXPECT_EQ(Parse(early, "doc", 1 << 20).status(),
            DataLossError("doc is not valid JSON: parse error at line 1, "
                          "column 2: syntax error while parsing value - "
                          "invalid literal; last read: '[x'"));
}

TEST(JsonParseTest, MalformedMessages) {
  EXPECT_EQ(Parse("{\"a\":", "manifest", 1000).status(),
            DataLossError("manifest is not valid JSON: parse error at line 1, "
                          "column 6: syntax error while parsing value - "
                          "unexpected end of input; expected '[', '{', or a "
                          "literal"));
  EXPECT_EQ(Parse("{} x", "manifest", 1000).status(),
            DataLossError("manifest is not valid JSON: parse error at line 1, "
                          "column 4: syntax error while parsing value - "
                          "invalid literal; last read: '{} x'; expected end "
                          "of input"));
  EXPECT_EQ(Parse("[1e999]", "manifest", 1000).status(),
            DataLossError("manifest is not valid JSON: number overflow "
                          "parsing '1e999'"));
  EXPECT_EQ(Parse("", "manifest", 1000).status(),
            DataLossError("manifest is not valid JSON: parse error at line 1, "
                          "column 1: syntax error while parsing value - "
                          "unexpected end of input; expected '[', '{', or a "
                          "literal"));
}

TEST(JsonParseTest, TruncatedOrFlippedIsDataLoss) {
  const std::string good = R"({"a":[1,{"b":"c"}],"d":null})";
  ASSERT_TRUE(Parse(good, "doc", 1000).ok());
  for (size_t n = 0; n < good.size(); ++n) {
    auto r = Parse(good.substr(0, n), "doc", 1000);
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << n;
  }
  std::string flipped = good;
  flipped[5] = ']';  // "a":] ...
  EXPECT_EQ(Parse(flipped, "doc", 1000).status(),
            DataLossError("doc is not valid JSON: parse error at line 1, "
                          "column 6: syntax error while parsing value - "
                          "unexpected ']'; expected '[', '{', or a literal"));
}

TEST(JsonParseTest, DumpReplacesInvalidUtf8) {
  Json j = std::string("a\xff");
  EXPECT_EQ(Dump(j), "\"a\xEF\xBF\xBD\"");
}

}  // namespace
}  // namespace strata::json
