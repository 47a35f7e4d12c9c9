#include "catalog/java/cataloger.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "catalog/java/summary.h"
#include "catalog/java/test_zip.h"
#include "oci/reference.h"
#include "testing/image_writer.h"
#include "testing/tar_writer.h"

namespace strata::catalog::java {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr std::string_view kCataloger = "java-archive-cataloger";

Result<image::LoadedImage> LoadWithCapture(const std::string& reference) {
  ASSIGN_OR_RETURN(oci::ImageRef ref, oci::ParseReference(reference));
  image::LoadOptions options;
  Cataloger c = MakeJavaCataloger();
  for (std::string_view g : c.globs) options.capture_globs.emplace_back(g);
  options.capture_rules = c.rules;
  return image::Load(ref, options);
}

sbom::Sbom Catalog(const image::LoadedImage& img) {
  sbom::Distro distro;
  Context ctx{img, distro};
  sbom::Sbom out;
  Status st = MakeJavaCataloger().run(ctx, &out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

// "group:name@version at path" for each package.
std::vector<std::string> Describe(const sbom::Sbom& s) {
  std::vector<std::string> out;
  for (const sbom::Package& p : s.packages) {
    EXPECT_EQ(p.type, sbom::PackageType::kJavaArchive);
    EXPECT_EQ(p.cataloger, kCataloger);
    EXPECT_EQ(p.locations.size(), 1u);
    out.push_back(p.group + ":" + p.name + "@" + p.version + " at " +
                  p.locations.at(0).path);
  }
  return out;
}

const sbom::Package* Find(const sbom::Sbom& s, std::string_view name) {
  for (const sbom::Package& p : s.packages) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::string Lang3Jar() {
  return WriteZip(
      {{"META-INF/MANIFEST.MF",
        "Manifest-Version: 1.0\r\nImplementation-Version: 3.12.0\r\n"
        "Bundle-SymbolicName: org.apache.commons.lang3\r\n\r\n"},
       {"META-INF/maven/org.apache.commons/commons-lang3/pom.properties",
        "artifactId=commons-lang3\ngroupId=org.apache.commons\n"
        "version=3.12.0\n"},
       {"META-INF/maven/org.apache.commons/commons-lang3/pom.xml",
        "<project><licenses><license><name>Apache License, Version 2.0"
        "</name></license></licenses></project>"}});
}

std::string DatabindJar() {
  return WriteZip(
      MavenJar("com.fasterxml.jackson.core", "jackson-databind", "2.14.0"));
}

// A Spring Boot style fat jar: its own pom, two libraries, one broken jar.
std::string FatJar() {
  std::vector<ZipMember> m = MavenJar("com.example", "demo", "1.0");
  m.push_back(
      {"BOOT-INF/lib/jackson-databind-2.14.0.jar", DatabindJar(), true});
  m.push_back({"BOOT-INF/lib/commons-lang3-3.12.0.jar", Lang3Jar(), true});
  m.push_back({"BOOT-INF/lib/broken.jar", "PK\x03\x04 truncated"});
  return WriteZip(m);
}

TEST(JavaCatalogerTest, NameAndRule) {
  Cataloger c = MakeJavaCataloger();
  EXPECT_EQ(c.name, kCataloger);
  EXPECT_THAT(c.globs, IsEmpty());
  ASSERT_EQ(c.rules.size(), 1u);
  const image::CaptureRule& r = c.rules[0];
  EXPECT_EQ(r.name, "java-archive");
  EXPECT_THAT(
      r.globs,
      ElementsAre("**/*.jar", "**/*.war", "**/*.ear", "**/*.par", "**/*.sar",
                  "**/*.nar", "**/*.jpi", "**/*.hpi", "**/*.kar", "**/*.lpkg"));
  EXPECT_FALSE(r.executables);
  EXPECT_EQ(r.magic, std::string("PK\x03\x04", 4));
  EXPECT_EQ(r.max_file_bytes, 256 * caps::kMiB);
}

TEST(JavaCatalogerTest, ReduceKeepsASummaryOrNothing) {
  const image::CaptureRule r = MakeJavaCataloger().rules[0];
  auto kept = r.reduce("app/lib/commons-lang3-3.12.0.jar", Lang3Jar());
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  ASSERT_TRUE(kept->has_value());
  auto summary = DecodeSummary(**kept);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  ASSERT_EQ(summary->packages.size(), 1u);
  EXPECT_EQ(summary->packages[0].name, "commons-lang3");
  EXPECT_LT((*kept)->size(), 1024u);

  // No identity and no problem: nothing kept.
  kept = r.reduce("usr/share/java/ca.jar", WriteZip({{"a.class", "x"}}));
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_FALSE(kept->has_value());

  EXPECT_EQ(r.reduce("x.jar", "PK\x03\x04").status(),
            DataLossError("no end of central directory record"));
}

class JavaCatalogerImageTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("strata-java"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(JavaCatalogerImageTest, LayeredImage) {
  testing::TestImage ti;
  ti.layers.resize(2);
  ti.layers[0].tar =
      testing::TarWriter()
          .File("usr/share/java/commons-lang3.jar", Lang3Jar())
          .Symlink("usr/share/java/commons-lang3-3.12.0.jar",
                   "commons-lang3.jar")
          .File("opt/old/jackson-databind-2.14.0.jar", DatabindJar())
          .Finish();
  ti.layers[1].tar =
      testing::TarWriter()
          .Whiteout("opt/old")
          .File("app/lib/commons-lang3-3.12.0.jar", Lang3Jar())
          .File("app/lib/jackson-databind-2.14.0.jar", DatabindJar())
          .File("app/demo.jar", FatJar())
          .File("app/corrupt.jar", "PK\x03\x04 not really")
          .File("app/notes.jar", "plain text, no zip magic")
          .Finish();
  auto written = testing::WriteOciLayout(dir_ + "/img", {ti});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  auto img = LoadWithCapture("oci:" + dir_ + "/img");
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);

  EXPECT_THAT(
      Describe(s),
      ElementsAre("com.example:demo@1.0 at app/demo.jar",
                  "com.fasterxml.jackson.core:jackson-databind@2.14.0 at "
                  "app/demo.jar!/BOOT-INF/lib/jackson-databind-2.14.0.jar",
                  "org.apache.commons:commons-lang3@3.12.0 at "
                  "app/demo.jar!/BOOT-INF/lib/commons-lang3-3.12.0.jar",
                  "org.apache.commons:commons-lang3@3.12.0 at "
                  "app/lib/commons-lang3-3.12.0.jar",
                  "com.fasterxml.jackson.core:jackson-databind@2.14.0 at "
                  "app/lib/jackson-databind-2.14.0.jar",
                  "org.apache.commons:commons-lang3@3.12.0 at "
                  "usr/share/java/commons-lang3.jar"));

  const std::string diff0 = written->at(0).diff_ids[0];
  const std::string diff1 = written->at(0).diff_ids[1];
  const sbom::Package& lang3 = s.packages[3];
  EXPECT_EQ(lang3.locations[0],
            (sbom::Location{"app/lib/commons-lang3-3.12.0.jar", 1, diff1}));
  EXPECT_THAT(lang3.licenses, ElementsAre("Apache-2.0"));
  ASSERT_EQ(lang3.digests.size(), 1u);
  EXPECT_EQ(lang3.digests.at("SHA-1").size(), 40u);
  EXPECT_EQ(s.packages[5].locations[0],
            (sbom::Location{"usr/share/java/commons-lang3.jar", 0, diff0}));
  // Same bytes, same digest; the nested copy too.
  EXPECT_EQ(s.packages[5].digests, lang3.digests);
  EXPECT_EQ(s.packages[2].digests, lang3.digests);
  EXPECT_NE(s.packages[0].digests, lang3.digests);
  // A nested archive is located in the layer of its outer archive.
  EXPECT_EQ(s.packages[2].locations[0].layer, 1);
  EXPECT_EQ(s.packages[2].locations[0].layer_digest, diff1);

  // demo contains both nested libraries.
  EXPECT_THAT(
      s.relationships,
      ElementsAre(
          sbom::Relationship{s.packages[0].id, s.packages[1].id, "contains"},
          sbom::Relationship{s.packages[0].id, s.packages[2].id, "contains"}));

  ASSERT_EQ(s.unknowns.size(), 2u);
  EXPECT_EQ(s.unknowns[0].location,
            (sbom::Location{"app/corrupt.jar", 1, diff1}));
  EXPECT_EQ(s.unknowns[0].cataloger, kCataloger);
  EXPECT_EQ(s.unknowns[0].reason, "no end of central directory record");
  EXPECT_EQ(
      s.unknowns[1].location,
      (sbom::Location{"app/demo.jar!/BOOT-INF/lib/broken.jar", 1, diff1}));
  EXPECT_EQ(s.unknowns[1].reason, "no end of central directory record");

  // Finalize gives final ids and keeps the relationships; PURLs as Trivy's.
  sbom::Finalize(s);
  const sbom::Package* demo = Find(s, "demo");
  ASSERT_NE(demo, nullptr);
  EXPECT_EQ(demo->purl, "pkg:maven/com.example/demo@1.0");
  std::set<std::string> contained;
  for (const sbom::Relationship& r : s.relationships) {
    EXPECT_EQ(r.from, demo->id);
    EXPECT_EQ(r.type, "contains");
    for (const sbom::Package& p : s.packages) {
      if (p.id == r.to) contained.insert(p.locations[0].path);
    }
  }
  EXPECT_THAT(
      contained,
      ElementsAre("app/demo.jar!/BOOT-INF/lib/commons-lang3-3.12.0.jar",
                  "app/demo.jar!/BOOT-INF/lib/jackson-databind-2.14.0.jar"));
  std::set<std::string> purls;
  for (const sbom::Package& p : s.packages) purls.insert(p.purl);
  EXPECT_THAT(purls,
              ElementsAre("pkg:maven/com.example/demo@1.0",
                          "pkg:maven/com.fasterxml.jackson.core/"
                          "jackson-databind@2.14.0",
                          "pkg:maven/org.apache.commons/commons-lang3@3.12.0"));
}

TEST_F(JavaCatalogerImageTest, RootfsDirectory) {
  std::filesystem::create_directories(dir_ + "/root/srv/webapps");
  std::ofstream(dir_ + "/root/srv/webapps/shop-2.1.war", std::ios::binary)
      << WriteZip({{"WEB-INF/lib/commons-lang3-3.12.0.jar", Lang3Jar()},
                   {"WEB-INF/web.xml", "<web-app/>"}});
  auto img = LoadWithCapture("dir:" + dir_ + "/root");
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  EXPECT_THAT(s.unknowns, IsEmpty());
  EXPECT_THAT(Describe(s),
              ElementsAre(":shop@2.1 at srv/webapps/shop-2.1.war",
                          "org.apache.commons:commons-lang3@3.12.0 at "
                          "srv/webapps/shop-2.1.war!/WEB-INF/lib/"
                          "commons-lang3-3.12.0.jar"));
  EXPECT_EQ(s.packages[0].locations[0].layer, -1);
  EXPECT_THAT(s.relationships,
              ElementsAre(sbom::Relationship{s.packages[0].id, s.packages[1].id,
                                             "contains"}));
}

// Captured results the loader cannot easily produce in a test: a file over
// the 256 MiB cap, a reduce error, a damaged summary.
TEST(JavaCatalogerRunTest, TruncatedFailedAndDamagedCaptures) {
  const std::string_view rule = MakeJavaCataloger().rules[0].name;
  image::LoadedImage img;
  fs::LayerChanges layer;
  for (std::string name : {"big.jar", "bad.jar", "odd.jar"}) {
    fs::Change c;
    c.path = name;
    c.info.content = {0, static_cast<int64_t>(layer.changes.size()) * 512, 1};
    layer.changes.push_back(c);
    image::CapturedFile f;
    f.layer = 0;
    f.offset = c.info.content.offset;
    f.path = name;
    f.rule = rule;
    img.captured.push_back(f);
  }
  ASSERT_TRUE(img.tree.ApplyLayer(layer).ok());
  img.captured[0].truncated = true;
  img.captured[1].error = "corrupt zip archive: Truncated ZIP file data";
  img.captured[2].content = R"({"packages":[]})";
  sbom::Sbom s = Catalog(img);
  EXPECT_THAT(s.packages, IsEmpty());
  ASSERT_EQ(s.unknowns.size(), 3u);
  EXPECT_EQ(s.unknowns[0].location.path, "bad.jar");
  EXPECT_EQ(s.unknowns[0].reason,
            "corrupt zip archive: Truncated ZIP file data");
  EXPECT_EQ(s.unknowns[1].location.path, "big.jar");
  EXPECT_EQ(s.unknowns[1].reason,
            "larger than the 256 MiB cap on java archives");
  EXPECT_EQ(s.unknowns[2].location.path, "odd.jar");
  EXPECT_EQ(s.unknowns[2].reason,
            "malformed java archive summary: missing packages or problems");
}

}  // namespace
}  // namespace strata::catalog::java
