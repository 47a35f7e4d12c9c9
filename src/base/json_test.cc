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

TEST(JsonParseTest, DumpReplacesInvalidUtf8) {
  Json j = std::string("a\xff");
  EXPECT_EQ(Dump(j), "\"a\xEF\xBF\xBD\"");
}

}  // namespace
}  // namespace strata::json
