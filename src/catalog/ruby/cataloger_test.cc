#include "catalog/ruby/cataloger.h"

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

namespace strata::catalog::ruby {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr std::string_view kName = "ruby-installed-gemspec-cataloger";

Result<image::LoadedImage> LoadWithCapture(
    const std::string& reference,
    int64_t max_file_bytes = caps::kMaxCapturedFileBytes) {
  return test::LoadForCataloger(MakeRubyCataloger(), reference, max_file_bytes);
}

sbom::Sbom Catalog(const image::LoadedImage& img) {
  return test::RunCataloger(MakeRubyCataloger(), img);
}

const sbom::Package* Find(const sbom::Sbom& s, std::string_view name) {
  return test::FindPackage(s, name);
}

std::vector<std::string> Reasons(const sbom::Sbom& s) {
  return test::UnknownReasons(s, kName);
}

TEST(RubyCatalogerTest, NameAndGlobs) {
  Cataloger c = MakeRubyCataloger();
  EXPECT_EQ(c.name, kName);
  EXPECT_THAT(c.globs, ElementsAre("**/specifications/*.gemspec",
                                   "**/specifications/default/*.gemspec"));
  EXPECT_THAT(c.rules, IsEmpty());
}

class GemsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto img = LoadWithCapture(std::string("dir:") + STRATA_SOURCE_DIR +
                               "/src/catalog/ruby/testdata/gems");
    ASSERT_TRUE(img.ok()) << img.status().ToString();
    sbom_ = Catalog(*img);
  }
  sbom::Sbom sbom_;
};

TEST_F(GemsTest, FindsEveryInstalledGem) {
  std::map<std::string, std::string> found;
  for (const sbom::Package& p : sbom_.packages) {
    EXPECT_EQ(p.type, sbom::PackageType::kGem);
    EXPECT_EQ(p.cataloger, kName);
    EXPECT_TRUE(p.purl.empty());
    found[p.name] = p.version;
  }
  EXPECT_EQ(found, (std::map<std::string, std::string>{
                       {"json", "2.6.1"},
                       {"nokogiri", "1.15.4"},
                       {"racc", "1.7.1"},
                       {"rack", "3.0.8"},
                       {"rack-test", "0.5.3"},
                   }));
  EXPECT_THAT(Reasons(sbom_),
              ElementsAre("usr/local/bundle/specifications/broken-1.0.gemspec: "
                          "unterminated string literal at line 7"));
}

TEST_F(GemsTest, ReadsLicencesDependenciesAndLocations) {
  const sbom::Package* rack = Find(sbom_, "rack");
  ASSERT_NE(rack, nullptr);
  EXPECT_EQ(rack->description, "A modular Ruby webserver interface.");
  EXPECT_THAT(rack->licenses, ElementsAre("MIT"));
  EXPECT_THAT(rack->depends, IsEmpty());
  EXPECT_THAT(rack->files, IsEmpty());
  EXPECT_THAT(
      rack->locations,
      ElementsAre(sbom::Location{
          "usr/local/bundle/specifications/rack-3.0.8.gemspec", -1, ""}));

  const sbom::Package* racc = Find(sbom_, "racc");
  ASSERT_NE(racc, nullptr);
  EXPECT_THAT(racc->licenses, ElementsAre("Ruby", "BSD-2-Clause"));

  const sbom::Package* nokogiri = Find(sbom_, "nokogiri");
  ASSERT_NE(nokogiri, nullptr);
  EXPECT_THAT(nokogiri->depends, ElementsAre("racc"));
  EXPECT_THAT(nokogiri->locations,
              ElementsAre(sbom::Location{"usr/local/bundle/specifications/"
                                         "nokogiri-1.15.4-x86_64-linux.gemspec",
                                         -1, ""}));

  const sbom::Package* json = Find(sbom_, "json");
  ASSERT_NE(json, nullptr);
  EXPECT_THAT(json->licenses, ElementsAre("Ruby"));
  EXPECT_THAT(json->files, IsEmpty());  // a default gem
}

TEST_F(GemsTest, FilesOfAnUnpackedGem) {
  const sbom::Package* p = Find(sbom_, "rack-test");
  ASSERT_NE(p, nullptr);
  const std::string dir = "var/lib/gems/1.8/gems/rack-test-0.5.3/";
  // The path climbing out of the image is dropped.
  EXPECT_THAT(
      p->files,
      ElementsAre(dir + "History.txt", dir + "MIT-LICENSE.txt",
                  dir + "README.rdoc", dir + "Rakefile",
                  dir + "lib/rack/mock_session.rb", dir + "lib/rack/test.rb",
                  dir + "lib/rack/test/cookie_jar.rb"));
  EXPECT_THAT(p->depends, ElementsAre("rack"));
  EXPECT_THAT(p->licenses, ElementsAre("MIT"));
}

TEST_F(GemsTest, DependsResolveAfterFinalize) {
  sbom::Finalize(sbom_);
  std::map<std::string, std::string> names;
  for (const sbom::Package& p : sbom_.packages) names[p.id] = p.name;
  std::set<std::string> edges;
  for (const sbom::Relationship& r : sbom_.relationships) {
    edges.insert(names[r.from] + " -> " + names[r.to]);
  }
  EXPECT_EQ(edges,
            (std::set<std::string>{"nokogiri -> racc", "rack-test -> rack"}));
  const sbom::Package* p = Find(sbom_, "rack-test");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->purl, "pkg:gem/rack-test@0.5.3");
}

TEST(RubyLayeredTest, FreeTextLicencesAndTheCaptureCap) {
  const std::string dir = testing::MakeTempDir("strata-ruby");
  const std::string specs = "usr/local/lib/ruby/gems/3.2.0/specifications/";
  testing::TestImage ti;
  testing::TestLayer layer;
  layer.tar =
      testing::TarWriter()
          .File(specs + "a-1.gemspec",
                "Gem::Specification.new do |s|\n  s.name = \"a\"\n"
                "  s.version = \"1\"\n"
                "  s.licenses = [\"Nonstandard licence\", \"" +
                    std::string(200, 'x') +
                    "\", \"mit OR apache-2.0\"]\n"
                    "end\n")
          .File(specs + "big-1.gemspec", "Gem::Specification.new do |s|\n" +
                                             std::string(2000, '#') + "\nend\n")
          .Finish();
  ti.layers.push_back(std::move(layer));
  auto written = testing::WriteOciLayout(dir + "/layout", {ti});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  auto img = LoadWithCapture("oci:" + dir + "/layout", /*max_file_bytes=*/1024);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  ASSERT_EQ(s.packages.size(), 1u);
  EXPECT_THAT(
      s.packages[0].licenses,
      ElementsAre("LicenseRef-Nonstandard-licence", "MIT OR Apache-2.0"));
  EXPECT_THAT(s.packages[0].locations,
              ElementsAre(sbom::Location{specs + "a-1.gemspec", 0,
                                         (*written)[0].diff_ids[0]}));
  EXPECT_THAT(Reasons(s), ElementsAre(specs + "big-1.gemspec: larger than "
                                              "the capture cap"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace strata::catalog::ruby
