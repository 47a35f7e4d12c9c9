#include "catalog/apk/cataloger.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <tuple>

#include "oci/reference.h"
#include "testing/image_writer.h"
#include "testing/tar_writer.h"
#include "testing/test_util.h"

namespace strata::catalog::apk {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Triple = std::tuple<std::string, std::string, std::string>;

Result<image::LoadedImage> LoadRef(const std::string& ref) {
  ASSIGN_OR_RETURN(oci::ImageRef r, oci::ParseReference(ref));
  image::LoadOptions opts;
  for (std::string_view g : MakeApkCataloger().globs) {
    opts.capture_globs.emplace_back(g);
  }
  return image::Load(r, opts);
}

std::string Testdata(const std::string& c) {
  return std::string(STRATA_SOURCE_DIR) + "/src/catalog/apk/testdata/" + c;
}

sbom::Sbom Catalog(const image::LoadedImage& img) {
  sbom::Distro distro;
  Context ctx{img, distro};
  sbom::Sbom out;
  Status st = MakeApkCataloger().run(ctx, &out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

std::set<Triple> Triples(const sbom::Sbom& s) {
  std::set<Triple> out;
  for (const sbom::Package& p : s.packages) {
    out.emplace(p.name, p.version, p.architecture);
  }
  return out;
}

TEST(ApkCatalogerTest, NameAndGlobs) {
  Cataloger c = MakeApkCataloger();
  EXPECT_EQ(c.name, "apk-db-cataloger");
  EXPECT_THAT(c.globs,
              ElementsAre("lib/apk/db/installed", "usr/lib/apk/db/installed"));
}

TEST(ApkCatalogerTest, RootfsDatabase) {
  auto img = LoadRef("dir:" + Testdata("basic"));
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  EXPECT_THAT(s.unknowns, IsEmpty());
  ASSERT_EQ(s.packages.size(), 4u);
  for (const sbom::Package& p : s.packages) {
    EXPECT_EQ(p.cataloger, "apk-db-cataloger");
    ASSERT_EQ(p.locations.size(), 1u);
    EXPECT_EQ(p.locations[0], (sbom::Location{"lib/apk/db/installed", -1, ""}));
    EXPECT_EQ(p.introduced_layer, -1);
  }
  EXPECT_EQ(s.packages[1].name, "busybox");
}

TEST(ApkCatalogerTest, ApkTools3Location) {
  auto img = LoadRef("dir:" + Testdata("apk-tools3"));
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  ASSERT_EQ(s.packages.size(), 1u);
  EXPECT_EQ(s.packages[0].name, "apk-tools");
  EXPECT_THAT(s.packages[0].depends,
              ElementsAre("musl", "ca-certificates-bundle",
                          "so:libapk.so.3.0.0", "so:libc.musl-aarch64.so.1"));
  EXPECT_EQ(s.packages[0].locations[0].path, "usr/lib/apk/db/installed");
}

TEST(ApkCatalogerTest, BadRecordsBecomeLocatedUnknowns) {
  auto img = LoadRef("dir:" + Testdata("bad-records"));
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  EXPECT_EQ(s.packages.size(), 2u);
  ASSERT_EQ(s.unknowns.size(), 4u);
  EXPECT_EQ(s.unknowns[1].location.path, "lib/apk/db/installed");
  EXPECT_EQ(s.unknowns[1].cataloger, "apk-db-cataloger");
  EXPECT_EQ(s.unknowns[1].reason, "record at line 16: no package name (P:)");
}

class ApkLayersTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("apk-cataloger"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  Result<image::LoadedImage> Write(const testing::TestImage& img) {
    auto w = testing::WriteOciLayout(dir_ + "/img", {img});
    if (!w.ok()) return w.status();
    diff_ids_ = (*w)[0].diff_ids;
    return LoadRef("oci:" + dir_ + "/img");
  }
  std::string dir_;
  std::vector<std::string> diff_ids_;
};

testing::TestLayer Layer(std::string tar) {
  return {std::move(tar), testing::LayerCompression::kGzip, ""};
}

constexpr char kMusl[] = "P:musl\nV:1.2.5-r0\nA:x86_64\n\n";
constexpr char kBusybox[] = "P:busybox\nV:1.36.1-r29\nA:x86_64\n\n";

TEST_F(ApkLayersTest, IntroducedLayerIsTheFirstCopyListingThePackage) {
  testing::TestImage img;
  img.layers.push_back(
      Layer(testing::TarWriter().File("lib/apk/db/installed", kMusl).Finish()));
  img.layers.push_back(
      Layer(testing::TarWriter().File("etc/motd", "hi").Finish()));
  img.layers.push_back(
      Layer(testing::TarWriter()
                .File("lib/apk/db/installed", std::string(kMusl) + kBusybox)
                .Finish()));
  auto loaded = Write(img);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  sbom::Sbom s = Catalog(*loaded);
  ASSERT_EQ(s.packages.size(), 2u);
  EXPECT_EQ(s.packages[0].name, "musl");
  EXPECT_EQ(s.packages[0].introduced_layer, 0);
  EXPECT_EQ(s.packages[1].name, "busybox");
  EXPECT_EQ(s.packages[1].introduced_layer, 2);
  EXPECT_EQ(s.packages[1].locations[0],
            (sbom::Location{"lib/apk/db/installed", 2, diff_ids_[2]}));
}

TEST_F(ApkLayersTest, SymlinkedDatabaseIsReadOnce) {
  testing::TestImage img;
  img.layers.push_back(Layer(testing::TarWriter()
                                 .File("usr/lib/apk/db/installed", kMusl)
                                 .Symlink("lib/apk", "../usr/lib/apk")
                                 .Finish()));
  auto loaded = Write(img);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  sbom::Sbom s = Catalog(*loaded);
  EXPECT_THAT(s.unknowns, IsEmpty());
  ASSERT_EQ(s.packages.size(), 1u);
  EXPECT_EQ(s.packages[0].locations[0].path, "usr/lib/apk/db/installed");
  EXPECT_EQ(s.packages[0].introduced_layer, 0);
}

TEST_F(ApkLayersTest, DatabaseOverTheCaptureCapIsAnUnknown) {
  testing::TestImage img;
  img.layers.push_back(
      Layer(testing::TarWriter().File("lib/apk/db/installed", kMusl).Finish()));
  auto w = testing::WriteOciLayout(dir_ + "/img", {img});
  ASSERT_TRUE(w.ok());
  auto ref = oci::ParseReference("oci:" + dir_ + "/img");
  ASSERT_TRUE(ref.ok());
  image::LoadOptions opts;
  opts.capture_globs = {"lib/apk/db/installed"};
  opts.max_captured_file_bytes = 4;
  auto loaded = image::Load(*ref, opts);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  sbom::Sbom s = Catalog(*loaded);
  EXPECT_THAT(s.packages, IsEmpty());
  ASSERT_EQ(s.unknowns.size(), 1u);
  EXPECT_EQ(s.unknowns[0].reason,
            "\"lib/apk/db/installed\" is larger than the capture cap");
}

// Oracle: the lab's alpine image, against awk over the same db bytes.
TEST(ApkLabTest, Alpine320MatchesAwk) {
  std::string path = testing::LabImagesDir() + "/alpine-3.20.oci";
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    GTEST_SKIP() << "lab image absent: " << path;
  }
  auto img = LoadRef("oci:" + path);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  EXPECT_THAT(s.unknowns, IsEmpty());

  auto bytes = image::ReadFile(*img, "lib/apk/db/installed");
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  std::string db = testing::MakeTempDir("apk-oracle") + "/installed";
  std::ofstream(db, std::ios::binary) << *bytes;
  std::string cmd =
      "awk -F: '/^P:/{p=substr($0,3)} /^V:/{v=substr($0,3)} "
      "/^A:/{a=substr($0,3)} /^$/{if(p!=\"\")print p\"|\"v\"|\"a; p=\"\"} "
      "END{if(p!=\"\")print p\"|\"v\"|\"a}' " +
      db;
  std::set<Triple> want;
  FILE* f = ::popen(cmd.c_str(), "r");
  ASSERT_NE(f, nullptr);
  char buf[4096];
  while (std::fgets(buf, sizeof(buf), f)) {
    std::string line(buf);
    if (!line.empty() && line.back() == '\n') line.pop_back();
    size_t a = line.find('|'), b = line.rfind('|');
    want.emplace(line.substr(0, a), line.substr(a + 1, b - a - 1),
                 line.substr(b + 1));
  }
  EXPECT_EQ(::pclose(f), 0);
  std::filesystem::remove_all(std::filesystem::path(db).parent_path());
  EXPECT_EQ(want.size(), 14u);
  EXPECT_EQ(Triples(s), want);
  for (const sbom::Package& p : s.packages) {
    EXPECT_EQ(p.introduced_layer, 0) << p.name;
    EXPECT_EQ(p.locations[0].layer, 0) << p.name;
  }
}

}  // namespace
}  // namespace strata::catalog::apk
