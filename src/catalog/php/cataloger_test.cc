#include "catalog/php/cataloger.h"

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

namespace strata::catalog::php {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr std::string_view kName = "php-composer-installed-cataloger";

Result<image::LoadedImage> LoadWithCapture(
    const std::string& reference,
    int64_t max_file_bytes = caps::kMaxCapturedFileBytes) {
  return test::LoadForCataloger(MakePhpCataloger(), reference, max_file_bytes);
}

sbom::Sbom Catalog(const image::LoadedImage& img) {
  return test::RunCataloger(MakePhpCataloger(), img);
}

std::vector<std::string> Reasons(const sbom::Sbom& s) {
  return test::UnknownReasons(s, kName);
}

TEST(PhpCatalogerTest, NameAndGlobs) {
  Cataloger c = MakePhpCataloger();
  EXPECT_EQ(c.name, kName);
  EXPECT_THAT(c.globs, ElementsAre("**/vendor/composer/installed.json"));
  EXPECT_THAT(c.rules, IsEmpty());
}

TEST(PhpCatalogerTest, CatalogsEveryProject) {
  auto img = LoadWithCapture(std::string("dir:") + STRATA_SOURCE_DIR +
                             "/src/catalog/php/testdata/projects");
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  std::map<std::string, std::string> found;  // name -> location
  for (const sbom::Package& p : s.packages) {
    EXPECT_EQ(p.type, sbom::PackageType::kPhpComposer);
    EXPECT_EQ(p.cataloger, kName);
    ASSERT_EQ(p.locations.size(), 1u);
    EXPECT_EQ(p.locations[0].layer, -1);
    found[p.name + "@" + p.version] = p.locations[0].path;
  }
  const std::string app = "app/vendor/composer/installed.json";
  const std::string legacy = "var/www/legacy/vendor/composer/installed.json";
  EXPECT_EQ(found, (std::map<std::string, std::string>{
                       {"acme/internal-tools@dev-main", app},
                       {"guzzlehttp/guzzle@6.5.5", legacy},
                       {"guzzlehttp/promises@1.4.0", legacy},
                       {"guzzlehttp/psr7@1.7.0", legacy},
                       {"monolog/monolog@3.4.0", app},
                       {"phpunit/phpunit@10.3.2", app},
                       {"psr/log@3.0.0", app},
                       {"symfony/polyfill-mbstring@v1.28.0", app},
                   }));
  std::vector<std::string> reasons = Reasons(s);
  ASSERT_EQ(reasons.size(), 2u);
  EXPECT_EQ(reasons[0], app + ": package 6: no version");
  EXPECT_THAT(reasons[1], StartsWith("srv/broken/vendor/composer/"
                                     "installed.json: installed.json is not "
                                     "valid JSON: "));

  sbom::Finalize(s);
  std::map<std::string, std::string> names;
  for (const sbom::Package& p : s.packages) names[p.id] = p.name;
  std::set<std::string> edges;
  for (const sbom::Relationship& r : s.relationships) {
    edges.insert(names[r.from] + " -> " + names[r.to]);
  }
  EXPECT_EQ(edges,
            (std::set<std::string>{"guzzlehttp/guzzle -> guzzlehttp/promises",
                                   "guzzlehttp/guzzle -> guzzlehttp/psr7",
                                   "monolog/monolog -> psr/log"}));
  for (const sbom::Package& p : s.packages) {
    if (p.name == "monolog/monolog") {
      EXPECT_EQ(p.purl, "pkg:composer/monolog/monolog@3.4.0");
    }
  }
}

TEST(PhpCatalogerTest, CurrentCopyOverTheCapIsAnUnknown) {
  const std::string dir = testing::MakeTempDir("strata-php");
  const std::string path = "srv/app/vendor/composer/installed.json";
  testing::TestImage ti;
  for (const std::string& content :
       {std::string("[{\"name\": \"a/a\", \"version\": \"1\"}]"),
        "[" + std::string(2000, ' ') + "]"}) {
    testing::TestLayer layer;
    layer.tar = testing::TarWriter().File(path, content).Finish();
    ti.layers.push_back(std::move(layer));
  }
  auto written = testing::WriteOciLayout(dir + "/layout", {ti});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  auto img = LoadWithCapture("oci:" + dir + "/layout", /*max_file_bytes=*/1024);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  // The first layer's copy was replaced: only the current one counts.
  EXPECT_THAT(s.packages, IsEmpty());
  ASSERT_EQ(s.unknowns.size(), 1u);
  EXPECT_EQ(s.unknowns[0].location,
            (sbom::Location{path, 1, (*written)[0].diff_ids[1]}));
  EXPECT_EQ(s.unknowns[0].reason, "larger than the capture cap");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace strata::catalog::php
