#include "catalog/dotnet/parse_deps_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "testing/test_util.h"

namespace strata::catalog::dotnet {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::StartsWith;

std::string Testdata(const std::string& rel) {
  return testing::ReadTestFile(std::string(STRATA_SOURCE_DIR) +
                               "/src/catalog/dotnet/testdata/publish/" + rel);
}

DepsJson MustParse(std::string_view bytes) {
  Result<DepsJson> d = ParseDepsJson(bytes);
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? *std::move(d) : DepsJson{};
}

TEST(ParseDepsJsonTest, ReadsWhatDotnetPublishWrites) {
  std::string bytes = Testdata("app/MyWebApp.deps.json");
  ASSERT_FALSE(bytes.empty());
  DepsJson d = MustParse(bytes);
  EXPECT_THAT(d.problems, IsEmpty());
  // Packages only: the app's projects and the runtime pack are left out.
  std::vector<std::string> keys;
  for (const sbom::Package& p : d.packages) {
    EXPECT_EQ(p.type, sbom::PackageType::kDotnet);
    EXPECT_THAT(p.locations, IsEmpty());
    keys.push_back(p.name + "/" + p.version);
  }
  EXPECT_THAT(keys,
              ElementsAre("Microsoft.Extensions.Logging.Abstractions/8.0.0",
                          "Microsoft.Extensions.Logging/8.0.0",
                          "Newtonsoft.Json/13.0.3", "Serilog/3.1.1"));
  EXPECT_THAT(d.packages[1].depends,
              ElementsAre("Microsoft.Extensions.Logging.Abstractions"));
  EXPECT_THAT(d.packages[2].depends, IsEmpty());
  EXPECT_EQ(d.packages[2].extra,
            (std::map<std::string, std::string>{
                {"nuget.path", "newtonsoft.json/13.0.3"},
                {"nuget.sha512",
                 "sha512-tlCLe4/2HV9Mhti6hSkA0HSHf3leWggo84KE+JFonuFcG/"
                 "fKQCX9moFXzWCQNFb+ir7I1nyunmDG2BrjLACzDw=="}}));
  EXPECT_THAT(d.packages[2].digests, IsEmpty());
}

TEST(ParseDepsJsonTest, DependenciesFromEveryTarget) {
  DepsJson d = MustParse(R"({
    "targets": {
      "net8.0": {"A/1": {"dependencies": {"B": "1", "C": "2"}}},
      "net8.0/linux-x64": {"A/1": {"dependencies": {"D": "1", "B": "1"}},
                           "B/1": [], "C/2": {"dependencies": []}}
    },
    "libraries": {"A/1": {"type": "package"}, "B/1": {"type": "package"}}
  })");
  ASSERT_EQ(d.packages.size(), 2u);
  EXPECT_THAT(d.packages[0].depends, ElementsAre("B", "C", "D"));
  EXPECT_THAT(d.packages[1].depends, IsEmpty());
  EXPECT_THAT(d.packages[1].extra, IsEmpty());
}

TEST(ParseDepsJsonTest, BadLibrariesBecomeProblems) {
  DepsJson d = MustParse(R"({"libraries": {
    "NoSlash": {"type": "package"},
    "/1.0": {"type": "package"},
    "Name/": {"type": "package"},
    "Typed/1": {"type": 1},
    "Sha/1": {"type": "package", "sha512": 5},
    "Array/1": [],
    "Good/1.0.0-beta.2": {"type": "package", "sha512": ""},
    "Untyped/1": {}
  }})");
  ASSERT_EQ(d.packages.size(), 1u);
  EXPECT_EQ(d.packages[0].name, "Good");
  EXPECT_EQ(d.packages[0].version, "1.0.0-beta.2");
  EXPECT_THAT(
      d.problems,
      ElementsAre("library \"/1.0\": key is not \"name/version\"",
                  "library \"Array/1\": not an object",
                  "library \"Name/\": key is not \"name/version\"",
                  "library \"NoSlash\": key is not \"name/version\"",
                  "library \"Sha/1\": field \"sha512\" must be a string",
                  "library \"Typed/1\": field \"type\" must be a "
                  "string"));
  std::string long_key(300, 'k');
  d = MustParse("{\"libraries\": {\"" + long_key +
                "\": {\"type\": \"package\"}}}");
  EXPECT_THAT(d.problems, ElementsAre("library \"" + std::string(128, 'k') +
                                      "...\": key is not \"name/version\""));
}

TEST(ParseDepsJsonTest, ReportsBadDocuments) {
  EXPECT_EQ(ParseDepsJson("[]").status(),
            DataLossError("deps.json is not an object"));
  EXPECT_EQ(ParseDepsJson("{}").status(),
            DataLossError("deps.json has no \"libraries\" object"));
  EXPECT_EQ(ParseDepsJson("{\"libraries\": []}").status(),
            DataLossError("deps.json has no \"libraries\" object"));
  EXPECT_EQ(ParseDepsJson("{\"libraries\": {}, \"targets\": []}").status(),
            DataLossError("deps.json: field \"targets\" must be an object"));
  EXPECT_EQ(ParseDepsJson("{\"libraries\": {}, \"targets\": {\"net8.0\": 1}}")
                .status(),
            DataLossError("deps.json: target \"net8.0\" is not an object"));
  Result<DepsJson> cut = ParseDepsJson(Testdata("opt/tool/Tool.deps.json"));
  EXPECT_EQ(cut.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(cut.status().message(),
              StartsWith("deps.json is not valid JSON: "));
}

TEST(ParseDepsJsonTest, EnforcesItsCaps) {
  std::string libs = "{\"libraries\": {";
  for (int i = 0; i < 100'000; ++i) {
    libs += "\"P" + std::to_string(i) + "/1\": 0,";
  }
  // Numbers, not objects: base/json.h's parser is quadratic in the objects
  // of one object (nlohmann's callback parser).
  EXPECT_EQ(ParseDepsJson(libs + "\"Q/1\": 0}}").status(),
            ResourceExhaustedError("deps.json lists more than 100000 "
                                   "libraries"));
  libs.pop_back();
  EXPECT_TRUE(ParseDepsJson(libs + "}}").ok());

  std::string targets = "{\"libraries\": {}, \"targets\": {";
  for (int t = 0; t < 2; ++t) {
    targets += "\"t" + std::to_string(t) + "\": {";
    for (int i = 0; i < 100'000; ++i) {
      targets += "\"P" + std::to_string(i) + "/1\": 0,";
    }
    targets.back() = '}';
    targets += ',';
  }
  targets.back() = '}';
  EXPECT_TRUE(ParseDepsJson(targets + "}").ok());
  EXPECT_EQ(ParseDepsJson(targets.substr(0, targets.size() - 1) +
                          ", \"t2\": {\"x/1\": 0}}}")
                .status(),
            ResourceExhaustedError("deps.json has more than 200000 target "
                                   "entries"));
}

TEST(ParseDepsJsonTest, SurvivesTruncationAndFlippedBytes) {
  const std::string bytes = Testdata("app/MyWebApp.deps.json");
  ASSERT_FALSE(bytes.empty());
  for (size_t n = 0; n < bytes.size(); n += 11) {
    EXPECT_FALSE(ParseDepsJson(bytes.substr(0, n)).ok()) << n;
  }
  for (size_t i = 0; i < bytes.size(); i += 5) {
    std::string b = bytes;
    b[i] = static_cast<char>(b[i] ^ 0x01);
    ParseDepsJson(b).status().IgnoreError();  // must not crash
  }
}

}  // namespace
}  // namespace strata::catalog::dotnet
