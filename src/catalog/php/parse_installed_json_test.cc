#include "catalog/php/parse_installed_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "testing/test_util.h"

namespace strata::catalog::php {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::StartsWith;

std::string Testdata(const std::string& rel) {
  return testing::ReadTestFile(std::string(STRATA_SOURCE_DIR) +
                               "/src/catalog/php/testdata/projects/" + rel);
}

InstalledJson MustParse(std::string_view bytes) {
  Result<InstalledJson> j = ParseInstalledJson(bytes);
  EXPECT_TRUE(j.ok()) << j.status().ToString();
  return j.ok() ? *std::move(j) : InstalledJson{};
}

TEST(ParseInstalledJsonTest, ReadsComposer2) {
  std::string bytes = Testdata("app/vendor/composer/installed.json");
  ASSERT_FALSE(bytes.empty());
  InstalledJson j = MustParse(bytes);
  ASSERT_EQ(j.packages.size(), 5u);
  const sbom::Package& monolog = j.packages[0];
  EXPECT_EQ(monolog.type, sbom::PackageType::kPhpComposer);
  EXPECT_EQ(monolog.name, "monolog/monolog");
  EXPECT_EQ(monolog.version, "3.4.0");
  EXPECT_EQ(monolog.description,
            "Sends your logs to files, sockets, inboxes, databases and various "
            "web services");
  EXPECT_THAT(monolog.licenses, ElementsAre("MIT"));
  // "php" is a platform requirement, not a package.
  EXPECT_THAT(monolog.depends, ElementsAre("psr/log"));
  EXPECT_THAT(monolog.digests, IsEmpty());  // empty shasum
  EXPECT_EQ(monolog.extra, (std::map<std::string, std::string>{
                               {"composer.type", "library"},
                               {"composer.version_normalized", "3.4.0.0"}}));
  EXPECT_THAT(monolog.locations, IsEmpty());

  // The version is kept as written.
  EXPECT_EQ(j.packages[2].version, "v1.28.0");
  EXPECT_EQ(j.packages[2].extra.at("composer.version_normalized"), "1.28.0.0");

  const sbom::Package& phpunit = j.packages[3];
  EXPECT_EQ(phpunit.extra.at("composer.dev"), "true");
  EXPECT_THAT(phpunit.depends,
              ElementsAre("myclabs/deep-copy", "sebastian/diff"));
  EXPECT_EQ(j.packages[0].extra.count("composer.dev"), 0u);

  const sbom::Package& internal = j.packages[4];
  EXPECT_THAT(internal.licenses, ElementsAre("LicenseRef-proprietary"));
  EXPECT_THAT(internal.depends, IsEmpty());  // "require": []
  EXPECT_EQ(internal.extra.at("composer.type"), "composer-plugin");

  EXPECT_THAT(j.problems, ElementsAre("package 6: no version"));
}

TEST(ParseInstalledJsonTest, ReadsComposer1) {
  InstalledJson j =
      MustParse(Testdata("var/www/legacy/vendor/composer/installed.json"));
  ASSERT_EQ(j.packages.size(), 3u);
  EXPECT_THAT(j.problems, IsEmpty());
  const sbom::Package& guzzle = j.packages[0];
  EXPECT_EQ(guzzle.name, "guzzlehttp/guzzle");
  EXPECT_THAT(guzzle.depends,
              ElementsAre("guzzlehttp/promises", "guzzlehttp/psr7",
                          "symfony/polyfill-intl-idn"));
  EXPECT_EQ(guzzle.digests,
            (std::map<std::string, std::string>{
                {"SHA-1", "9d4290de1cfd701f38099ef7e183b64b4b7b0c5e"}}));
  // "license" as one string.
  EXPECT_THAT(j.packages[1].licenses, ElementsAre("MIT"));
}

TEST(ParseInstalledJsonTest, LicencesAndBadEntries) {
  InstalledJson j = MustParse(R"json([
    {"name": "a/a", "version": "1", "license": ["(MIT or GPL-2.0-or-later)",
      "Nonstandard", "MIT", ""]},
    {"name": "b/b", "version": 2},
    {"version": "1"},
    "not an object",
    {"name": "c/c", "version": "1", "require": "x/y"},
    {"name": "d/d", "version": "1", "license": [1]},
    {"name": "e/e", "version": "1", "dist": {"shasum": 5}},
    {"name": "f/f", "version": "1", "dist": {"shasum": "abc"}, "description": "one\ntwo"}
  ])json");
  ASSERT_EQ(j.packages.size(), 2u);
  EXPECT_THAT(j.packages[0].licenses,
              ElementsAre("(MIT OR GPL-2.0-or-later)", "LicenseRef-Nonstandard",
                          "MIT"));
  EXPECT_THAT(j.packages[1].digests, IsEmpty());
  EXPECT_EQ(j.packages[1].description, "one");
  EXPECT_THAT(j.problems,
              ElementsAre("package 2: field \"version\" must be a string",
                          "package 3: no name", "package 4: not an object",
                          "package 5: field \"require\" must be an object",
                          "package 6: field \"license\" must be a string or "
                          "an array of strings",
                          "package 7: field \"shasum\" must be a string"));
}

TEST(ParseInstalledJsonTest, ReportsBadDocuments) {
  EXPECT_EQ(ParseInstalledJson("\"x\"").status(),
            DataLossError("installed.json is neither an array nor an object"));
  EXPECT_EQ(ParseInstalledJson("{\"dev\": true}").status(),
            DataLossError("installed.json has no \"packages\" array"));
  EXPECT_EQ(ParseInstalledJson("{\"packages\": {}}").status(),
            DataLossError("installed.json has no \"packages\" array"));
  EXPECT_EQ(
      ParseInstalledJson("{\"packages\": [], \"dev-package-names\": 1}")
          .status(),
      DataLossError("installed.json: field \"dev-package-names\" must be an "
                    "array of strings"));
  Result<InstalledJson> cut =
      ParseInstalledJson(Testdata("srv/broken/vendor/composer/installed.json"));
  EXPECT_EQ(cut.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(cut.status().message(),
              StartsWith("installed.json is not valid JSON: "));
}

TEST(ParseInstalledJsonTest, EnforcesItsCaps) {
  // Numbers, not objects: base/json.h's parser is quadratic in the objects
  // of one array (nlohmann's callback parser).
  std::string many = "[";
  for (int i = 0; i < 100'000; ++i) many += "0,";
  EXPECT_EQ(
      ParseInstalledJson(many + "0]").status(),
      ResourceExhaustedError("installed.json lists more than 100000 packages"));
  many.back() = ']';
  Result<InstalledJson> at_cap = ParseInstalledJson(many);
  ASSERT_TRUE(at_cap.ok()) << at_cap.status().ToString();
  EXPECT_EQ(at_cap->problems.size(), 100'000u);
  std::string deep(100, '[');
  EXPECT_EQ(ParseInstalledJson(deep).status(),
            ResourceExhaustedError("installed.json nests deeper than 64 "
                                   "levels"));
}

TEST(ParseInstalledJsonTest, SurvivesTruncationAndFlippedBytes) {
  const std::string bytes = Testdata("app/vendor/composer/installed.json");
  ASSERT_FALSE(bytes.empty());
  for (size_t n = 0; n + 1 < bytes.size(); n += 13) {
    EXPECT_FALSE(ParseInstalledJson(bytes.substr(0, n)).ok()) << n;
  }
  for (size_t i = 0; i < bytes.size(); i += 5) {
    std::string b = bytes;
    b[i] = static_cast<char>(b[i] ^ 0x01);
    ParseInstalledJson(b).status().IgnoreError();  // must not crash
  }
}

}  // namespace
}  // namespace strata::catalog::php
