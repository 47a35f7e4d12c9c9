#include "catalog/dotnet/cataloger.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "catalog/cataloger_test_util.h"
#include "oci/reference.h"
#include "testing/image_writer.h"
#include "testing/tar_writer.h"

namespace strata::catalog::dotnet {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr std::string_view kName = "dotnet-deps-cataloger";

Result<image::LoadedImage> LoadWithCapture(
    const std::string& reference,
    int64_t max_file_bytes = caps::kMaxCapturedFileBytes) {
  return test::LoadForCataloger(MakeDotnetCataloger(), reference,
                                max_file_bytes);
}

sbom::Sbom Catalog(const image::LoadedImage& img) {
  return test::RunCataloger(MakeDotnetCataloger(), img);
}

TEST(DotnetCatalogerTest, NameAndGlobs) {
  Cataloger c = MakeDotnetCataloger();
  EXPECT_EQ(c.name, kName);
  EXPECT_THAT(c.globs, ElementsAre("**/*.deps.json"));
  EXPECT_THAT(c.rules, IsEmpty());
}

TEST(DotnetCatalogerTest, CatalogsEveryDepsJson) {
  auto img = LoadWithCapture(std::string("dir:") + STRATA_SOURCE_DIR +
                             "/src/catalog/dotnet/testdata/publish");
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  std::set<std::string> found;
  for (const sbom::Package& p : s.packages) {
    EXPECT_EQ(p.type, sbom::PackageType::kDotnet);
    EXPECT_EQ(p.cataloger, kName);
    EXPECT_THAT(p.locations,
                ElementsAre(sbom::Location{"app/MyWebApp.deps.json", -1, ""}));
    found.insert(p.name + "@" + p.version);
  }
  EXPECT_EQ(found, (std::set<std::string>{
                       "Microsoft.Extensions.Logging.Abstractions@8.0.0",
                       "Microsoft.Extensions.Logging@8.0.0",
                       "Newtonsoft.Json@13.0.3", "Serilog@3.1.1"}));
  ASSERT_EQ(s.unknowns.size(), 1u);
  EXPECT_EQ(s.unknowns[0].location.path, "opt/tool/Tool.deps.json");
  EXPECT_EQ(s.unknowns[0].cataloger, kName);
  EXPECT_THAT(s.unknowns[0].reason,
              StartsWith("deps.json is not valid JSON: "));

  sbom::Finalize(s);
  std::map<std::string, std::string> names;
  for (const sbom::Package& p : s.packages) names[p.id] = p.name;
  std::set<std::string> edges;
  for (const sbom::Relationship& r : s.relationships) {
    edges.insert(names[r.from] + " -> " + names[r.to]);
  }
  EXPECT_EQ(edges, (std::set<std::string>{
                       "Microsoft.Extensions.Logging -> "
                       "Microsoft.Extensions.Logging.Abstractions"}));
  for (const sbom::Package& p : s.packages) {
    if (p.name == "Serilog") {
      EXPECT_EQ(p.purl, "pkg:nuget/Serilog@3.1.1");
    }
  }
}

TEST(DotnetCatalogerTest, LayeredImageProblemsAndCap) {
  const std::string dir = testing::MakeTempDir("strata-dotnet");
  testing::TestImage ti;
  testing::TestLayer layer;
  layer.tar =
      testing::TarWriter()
          .File(
              "app/A.deps.json",
              R"({"libraries": {"X/1": {"type": "package"}, "Y": {"type": "package"}}})")
          .File("app/Big.deps.json", "{" + std::string(2000, ' ') + "}")
          .Finish();
  ti.layers.push_back(std::move(layer));
  auto written = testing::WriteOciLayout(dir + "/layout", {ti});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  auto img = LoadWithCapture("oci:" + dir + "/layout", /*max_file_bytes=*/1024);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  ASSERT_EQ(s.packages.size(), 1u);
  EXPECT_EQ(s.packages[0].name, "X");
  const sbom::Location a{"app/A.deps.json", 0, (*written)[0].diff_ids[0]};
  EXPECT_EQ(s.packages[0].locations, std::vector<sbom::Location>{a});
  ASSERT_EQ(s.unknowns.size(), 2u);
  EXPECT_EQ(s.unknowns[0].location, a);
  EXPECT_EQ(s.unknowns[0].reason, "library \"Y\": key is not \"name/version\"");
  EXPECT_EQ(s.unknowns[1].location.path, "app/Big.deps.json");
  EXPECT_EQ(s.unknowns[1].reason, "larger than the capture cap");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace strata::catalog::dotnet
