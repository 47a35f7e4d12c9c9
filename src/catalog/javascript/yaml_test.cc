#include "catalog/javascript/yaml.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace strata::catalog::javascript {
namespace {

using ::testing::ElementsAre;

TEST(ParseYamlTest, MapsSequencesScalarsAndNulls) {
  auto docs = ParseYaml(
      "a: 1\nb:\n  - x\n  - {c: d}\nc: ~\n? [k]\n: v\n'quoted': \"s\"\n",
      "test.yaml");
  ASSERT_TRUE(docs.ok()) << docs.status().ToString();
  ASSERT_EQ(docs->size(), 1u);
  const YamlNode& doc = docs->front();
  EXPECT_EQ(doc.kind, YamlNode::Kind::kMap);
  EXPECT_THAT(doc.keys, ElementsAre("a", "b", "c", "", "quoted"));
  EXPECT_EQ(doc.ScalarAt("a"), "1");
  EXPECT_EQ(doc.ScalarAt("quoted"), "s");
  const YamlNode* b = doc.Find("b");
  ASSERT_NE(b, nullptr);
  ASSERT_EQ(b->kind, YamlNode::Kind::kSequence);
  ASSERT_EQ(b->items.size(), 2u);
  EXPECT_EQ(b->items[0].scalar, "x");
  EXPECT_EQ(b->items[1].ScalarAt("c"), "d");
  EXPECT_EQ(doc.Find("c")->kind, YamlNode::Kind::kNull);
  EXPECT_EQ(doc.ScalarAt("b"), "");
  EXPECT_EQ(doc.Find("missing"), nullptr);
  EXPECT_EQ(b->Find("x"), nullptr);
}

TEST(ParseYamlTest, SeveralDocuments) {
  auto docs = ParseYaml("---\na: 1\n---\nb: 2\n", "test.yaml");
  ASSERT_TRUE(docs.ok()) << docs.status().ToString();
  ASSERT_EQ(docs->size(), 2u);
  EXPECT_EQ((*docs)[1].ScalarAt("b"), "2");
  auto none = ParseYaml("", "test.yaml");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(ParseYamlTest, AliasesAreNotExpanded) {
  // A billion-laughs document stays as small as its text.
  std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'j'; ++c, ++prev) {
    text += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) text += std::string(i ? ", *" : "*") + prev;
    text += "]\n";
  }
  auto docs = ParseYaml(text, "laughs.yaml");
  ASSERT_TRUE(docs.ok()) << docs.status().ToString();
  const YamlNode* j = docs->front().Find("j");
  ASSERT_NE(j, nullptr);
  ASSERT_EQ(j->items.size(), 10u);
  EXPECT_EQ(j->items[0].kind, YamlNode::Kind::kNull);
}

TEST(ParseYamlTest, InvalidYamlIsDataLoss) {
  auto r = ParseYaml("a: [1, 2\n", "test.yaml");
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.status().ToString(),
            "test.yaml is not valid YAML: line 2, column 1: end of sequence "
            "flow not found");
  EXPECT_EQ(ParseYaml("a: b: c\n", "test.yaml").status().ToString(),
            "test.yaml is not valid YAML: line 1, column 5: illegal map value");
}

TEST(ParseYamlTest, DeepNestingIsAnError) {
  auto r = ParseYaml(std::string(5000, '['), "deep.yaml");
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(r.status().ToString(),
              ::testing::StartsWith("deep.yaml is not valid YAML: "));
}

TEST(ParseYamlTest, OverTheCapsIsResourceExhausted) {
  EXPECT_EQ(ParseYaml(std::string(32 * 1024 * 1024 + 1, '#'), "big.yaml")
                .status()
                .ToString(),
            "big.yaml is 33554433 bytes, over the cap of 33554432");
  std::string many = "[";
  for (int i = 0; i < 1'000'000; ++i) many += "1,";
  many += "1]";  // 1,000,001 scalars and the sequence
  EXPECT_EQ(ParseYaml(many, "many.yaml").status().ToString(),
            "many.yaml has more than 1000000 YAML nodes");
  std::string docs;
  for (int i = 0; i < 17; ++i) docs += "--- a\n";
  EXPECT_EQ(ParseYaml(docs, "docs.yaml").status().ToString(),
            "docs.yaml has more than 16 documents");
}

}  // namespace
}  // namespace strata::catalog::javascript
