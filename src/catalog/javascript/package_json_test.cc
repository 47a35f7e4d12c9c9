#include "catalog/javascript/package_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "testing/test_util.h"

namespace strata::catalog::javascript {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string Rootfs(const std::string& path) {
  return testing::ReadTestFile(std::string(STRATA_SOURCE_DIR) +
                               "/src/catalog/javascript/testdata/rootfs/" +
                               path);
}

TEST(ParsePackageJsonTest, ReadsInstalledManifest) {
  auto p = ParsePackageJson(Rootfs("app/node_modules/debug/package.json"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->name, "debug");
  EXPECT_EQ(p->version, "2.6.9");
  EXPECT_THAT(p->licenses, ElementsAre("MIT"));
  EXPECT_EQ(p->description, "small debugging utility");
  EXPECT_EQ(p->author, "TJ Holowaychuk <tj@vision-media.ca>");
  EXPECT_EQ(p->repository, "git://github.com/visionmedia/debug.git");
  EXPECT_EQ(p->homepage, "");
  // dependencies only, not devDependencies.
  EXPECT_THAT(p->depends, ElementsAre("ms"));
}

TEST(ParsePackageJsonTest, ScopedNameAuthorObjectAndLegacyLicenses) {
  auto babel = ParsePackageJson(
      Rootfs("usr/share/nodejs/@babel/code-frame/package.json"));
  ASSERT_TRUE(babel.ok()) << babel.status().ToString();
  EXPECT_EQ(babel->name, "@babel/code-frame");
  EXPECT_EQ(babel->homepage, "https://babel.dev/docs/en/next/babel-code-frame");
  EXPECT_EQ(babel->repository, "https://github.com/babel/babel.git");
  EXPECT_THAT(babel->depends, ElementsAre("@babel/highlight"));

  auto lodash =
      ParsePackageJson(Rootfs("srv/yarn-app/node_modules/lodash/package.json"));
  ASSERT_TRUE(lodash.ok());
  EXPECT_EQ(lodash->author, "John-David Dalton <john.david.dalton@gmail.com>");
  EXPECT_EQ(lodash->repository, "lodash/lodash");

  auto qr =
      ParsePackageJson(Rootfs("usr/share/nodejs/qrcode-terminal/package.json"));
  ASSERT_TRUE(qr.ok());
  EXPECT_THAT(qr->licenses, ElementsAre("LicenseRef-Apache-2.0"));
}

TEST(ParsePackageJsonTest, DescriptionBecomesOneLine) {
  auto p = ParsePackageJson(Rootfs("app/package.json"));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->description, "Order intake service");
  EXPECT_THAT(p->depends, ElementsAre("@orders/shared", "debug", "ms"));
}

TEST(ParsePackageJsonTest, MissingNameOrVersionIsEmpty) {
  auto p = ParsePackageJson(R"({"type": "module"})");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->name, "");
  EXPECT_EQ(p->version, "");
  EXPECT_THAT(p->licenses, IsEmpty());
}

TEST(ParsePackageJsonTest, OptionalFieldsOfOtherTypesAreIgnored) {
  auto p = ParsePackageJson(
      R"({"name": "odd", "version": "1.0.0", "description": ["x"],
          "author": 7, "homepage": {}, "repository": ["git"],
          "license": 5, "dependencies": ["a", "b"]})");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->description, "");
  EXPECT_EQ(p->author, "");
  EXPECT_EQ(p->homepage, "");
  EXPECT_EQ(p->repository, "");
  EXPECT_THAT(p->licenses, IsEmpty());
  EXPECT_THAT(p->depends, IsEmpty());
}

TEST(ParsePackageJsonTest, Errors) {
  EXPECT_EQ(ParsePackageJson("[1, 2]").status().ToString(),
            "package.json is not an object");
  EXPECT_EQ(ParsePackageJson(R"({"name": 1})").status().ToString(),
            "field \"name\" must be a string");
  EXPECT_EQ(
      ParsePackageJson(R"({"name": "a", "version": 1.5})").status().ToString(),
      "field \"version\" must be a string");
}

TEST(ParsePackageJsonTest, TruncatedAndFlippedFilesAreErrors) {
  const std::string good = Rootfs("app/node_modules/ms/package.json");
  auto truncated = ParsePackageJson(good.substr(0, good.size() / 2));
  EXPECT_EQ(truncated.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(truncated.status().ToString(),
              ::testing::StartsWith("package.json is not valid JSON: "));
  std::string flipped = good;
  flipped[0] = '[';
  EXPECT_EQ(ParsePackageJson(flipped).status().code(), StatusCode::kDataLoss);
}

TEST(ParsePackageJsonTest, OverTheSizeCapIsResourceExhausted) {
  std::string big = R"({"name": "big", "version": "1.0.0", "readme": ")";
  big += std::string(4 * 1024 * 1024, 'x');
  big += "\"}";
  auto p = ParsePackageJson(big);
  EXPECT_EQ(p.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(p.status().ToString(), "package.json is " +
                                       std::to_string(big.size()) +
                                       " bytes, over the cap of 4194304");
}

TEST(NormalizeLicenseTest, KeepsExpressionsAndRefsFreeText) {
  EXPECT_EQ(NormalizeLicense("MIT"), "MIT");
  EXPECT_EQ(NormalizeLicense(" ISC "), "ISC");
  EXPECT_EQ(NormalizeLicense("(MIT OR CC0-1.0)"), "(MIT OR CC0-1.0)");
  EXPECT_EQ(NormalizeLicense("GPL-2.0+ WITH Classpath-exception-2.0"),
            "GPL-2.0+ WITH Classpath-exception-2.0");
  EXPECT_EQ(NormalizeLicense("(AFL-2.1 OR BSD-3-Clause) AND MIT"),
            "(AFL-2.1 OR BSD-3-Clause) AND MIT");
  EXPECT_EQ(NormalizeLicense("LicenseRef-Proprietary"),
            "LicenseRef-Proprietary");
  EXPECT_EQ(NormalizeLicense("Apache 2.0"), "LicenseRef-Apache-2.0");
  EXPECT_EQ(NormalizeLicense("MIT/X11"), "LicenseRef-MIT-X11");
  EXPECT_EQ(NormalizeLicense("Public Domain"), "LicenseRef-Public-Domain");
  EXPECT_EQ(NormalizeLicense("SEE LICENSE IN LICENSE.md"),
            "LicenseRef-SEE-LICENSE-IN-LICENSE.md");
  EXPECT_EQ(NormalizeLicense("(MIT"), "LicenseRef--MIT");
  EXPECT_EQ(NormalizeLicense("MIT OR"), "LicenseRef-MIT-OR");
  EXPECT_EQ(NormalizeLicense("MIT WITH"), "LicenseRef-MIT-WITH");
  EXPECT_EQ(NormalizeLicense("MIT) (ISC"), "LicenseRef-MIT---ISC");
  EXPECT_EQ(NormalizeLicense(""), "");
}

TEST(LicensesOfTest, StringObjectAndLegacyArray) {
  auto j = [](const char* s) {
    return json::Parse(s, "test", 1 << 20).value();
  };
  EXPECT_THAT(LicensesOf(j(R"({"license": "BSD-3-Clause"})")),
              ElementsAre("BSD-3-Clause"));
  EXPECT_THAT(LicensesOf(j(R"({"license": {"type": "MIT", "url": "x"}})")),
              ElementsAre("MIT"));
  EXPECT_THAT(
      LicensesOf(j(
          R"({"licenses": [{"type": "MIT"}, "Apache-2.0", {"type": "MIT"}]})")),
      ElementsAre("MIT", "Apache-2.0"));
  EXPECT_THAT(LicensesOf(j(R"({"license": "", "licenses": ["ISC"]})")),
              ElementsAre("ISC"));
  EXPECT_THAT(LicensesOf(j(R"({"licenses": {"type": "ISC"}})")),
              ElementsAre("ISC"));
}

}  // namespace
}  // namespace strata::catalog::javascript
