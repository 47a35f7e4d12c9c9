#include "catalog/golang/cataloger.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "catalog/golang/modinfo.h"
#include "catalog/golang/test_binaries.h"
#include "oci/reference.h"
#include "testing/image_writer.h"
#include "testing/tar_writer.h"
#include "testing/test_util.h"

namespace strata::catalog::golang {
namespace {

using namespace testbin;  // NOLINT(build/namespaces): test helpers
using ::testing::ElementsAre;
using ::testing::IsEmpty;

Result<image::LoadedImage> LoadWithRules(const std::string& reference,
                                         const Cataloger& c) {
  ASSIGN_OR_RETURN(oci::ImageRef ref, oci::ParseReference(reference));
  image::LoadOptions options;
  options.capture_rules = c.rules;
  return image::Load(ref, options);
}

sbom::Sbom Catalog(const image::LoadedImage& img) {
  sbom::Sbom out;
  sbom::Distro distro;
  Context ctx{img, distro};
  Status s = MakeGolangCataloger().run(ctx, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

// "path name@version" of every package, sorted.
std::set<std::string> Summary(const sbom::Sbom& s) {
  std::set<std::string> out;
  for (const sbom::Package& p : s.packages) {
    EXPECT_EQ(p.cataloger, "go-module-binary-cataloger");
    EXPECT_EQ(p.type, sbom::PackageType::kGoModule);
    out.insert(p.locations.at(0).path + " " + p.name + "@" + p.version);
  }
  return out;
}

std::vector<std::string> Reasons(const sbom::Sbom& s) {
  std::vector<std::string> out;
  for (const sbom::Unknown& u : s.unknowns) {
    EXPECT_EQ(u.cataloger, "go-module-binary-cataloger");
    out.push_back(u.location.path + ": " + u.reason);
  }
  return out;
}

const std::string kOld =
    "path\texample.com/old\nmod\texample.com/old\tv1.0.0\t"
    "h1:abc=\ndep\tgithub.com/pkg/errors\tv0.8.1\th1:def=\n";

TEST(GolangCatalogerTest, NameAndRule) {
  Cataloger c = MakeGolangCataloger();
  EXPECT_EQ(c.name, "go-module-binary-cataloger");
  EXPECT_THAT(c.globs, IsEmpty());
  ASSERT_EQ(c.rules.size(), 1u);
  const image::CaptureRule& r = c.rules[0];
  EXPECT_EQ(r.name, "go-binary");
  EXPECT_TRUE(r.executables);
  EXPECT_THAT(r.globs, IsEmpty());
  EXPECT_EQ(r.magic,
            "\x7f"
            "ELF");
  EXPECT_EQ(r.max_file_bytes, 256 * caps::kMiB);
  auto kept =
      r.reduce("bin/x", GoElf(InlineBlob("go1.23.1", Framed(kModinfo))));
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(**kept, "go\tgo1.23.1\n" + kModinfo);
}

class GolangImageTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("strata-golang"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& rel, const std::string& bytes, mode_t mode) {
    const std::string path = dir_ + "/root/" + rel;
    std::filesystem::create_directories(
        std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << bytes;
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
  }

  std::string dir_;
};

TEST_F(GolangImageTest, RootfsBinaries) {
  Write("app/bin/esbuild", GoElf(InlineBlob("go1.23.1", Framed(kModinfo))),
        0755);
  Write("usr/bin/old",
        PointerElf({.is_64 = false, .big_endian = true}, "go1.16.15",
                   Framed(kOld)),
        0755);
  Write("usr/bin/corrupt",
        GoElf(kMagic + "\x08\x02" + std::string(16, '\0') + "\xff"), 0755);
  Write("usr/bin/c-program", BuildElf({}, {{.name = ".text", .data = "x"}}),
        0755);
  Write("usr/bin/script", "#!/bin/sh\necho go\n", 0755);
  // Not executable: not looked at.
  Write("usr/share/go.elf", GoElf(InlineBlob("go1.22.0", Framed(kOld))), 0644);

  auto img = LoadWithRules("dir:" + dir_ + "/root", MakeGolangCataloger());
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  EXPECT_THAT(Summary(s),
              ::testing::UnorderedElementsAre(
                  "app/bin/esbuild github.com/evanw/esbuild@(devel)",
                  "app/bin/esbuild golang.org/x/sys@"
                  "v0.0.0-20220715151400-c0bba94af5f8",
                  "app/bin/esbuild stdlib@v1.23.1",
                  "usr/bin/old example.com/old@v1.0.0",
                  "usr/bin/old github.com/pkg/errors@v0.8.1",
                  "usr/bin/old stdlib@v1.16.15"));
  EXPECT_THAT(Reasons(s),
              ElementsAre("usr/bin/corrupt: go build info: bad varint"));
  for (const sbom::Package& p : s.packages) {
    EXPECT_EQ(p.locations.at(0).layer, -1);
    EXPECT_EQ(p.introduced_layer, -1);
  }
}

TEST_F(GolangImageTest, ReplacedAndDeletedBinariesInLayers) {
  testing::TestImage ti;
  for (std::string tar :
       {testing::TarWriter()
            .File("usr/bin/a", GoElf(InlineBlob("go1.21.0", Framed(kOld))),
                  0755)
            .File("usr/bin/b", GoElf(InlineBlob("go1.21.0", Framed(kOld))),
                  0755)
            .Finish(),
        testing::TarWriter()
            .File("usr/bin/a", GoElf(InlineBlob("go1.23.1", Framed(kModinfo))),
                  0755)
            .Whiteout("usr/bin/b")
            .Finish()}) {
    testing::TestLayer layer;
    layer.tar = std::move(tar);
    ti.layers.push_back(std::move(layer));
  }
  auto written = testing::WriteOciLayout(dir_ + "/layout", {ti});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  auto img = LoadWithRules("oci:" + dir_ + "/layout", MakeGolangCataloger());
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  EXPECT_THAT(Reasons(s), IsEmpty());
  EXPECT_THAT(Summary(s), ::testing::UnorderedElementsAre(
                              "usr/bin/a github.com/evanw/esbuild@(devel)",
                              "usr/bin/a golang.org/x/sys@"
                              "v0.0.0-20220715151400-c0bba94af5f8",
                              "usr/bin/a stdlib@v1.23.1"));
  for (const sbom::Package& p : s.packages) {
    EXPECT_EQ(p.locations.at(0),
              (sbom::Location{"usr/bin/a", 1, (*written)[0].diff_ids[1]}));
    EXPECT_EQ(p.introduced_layer, 1);
  }
}

TEST_F(GolangImageTest, BinaryOverTheCapIsAnUnknown) {
  Write("usr/bin/big", GoElf(InlineBlob("go1.23.1", Framed(kModinfo))), 0755);
  Cataloger c = MakeGolangCataloger();
  c.rules[0].max_file_bytes = 64;
  auto img = LoadWithRules("dir:" + dir_ + "/root", c);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  EXPECT_THAT(s.packages, IsEmpty());
  EXPECT_THAT(Reasons(s),
              ElementsAre("usr/bin/big: larger than the 256 MiB cap on "
                          "analysed binaries"));
}

TEST_F(GolangImageTest, UnparsableBuildInfoIsAnUnknown) {
  Write("usr/bin/x",
        GoElf(InlineBlob("go1.23.1", Framed("dep\tonly-a-path\n"))), 0755);
  auto img = LoadWithRules("dir:" + dir_ + "/root", MakeGolangCataloger());
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  EXPECT_THAT(s.packages, IsEmpty());
  EXPECT_THAT(Reasons(s), ElementsAre("usr/bin/x: go build info: line 2: "
                                      "expected 2 or 3 columns, got 1"));
}

// The fuzz seeds are these builders' output (STRATA_UPDATE_GOLDEN=1
// rewrites them).
TEST(GolangFuzzSeedsTest, AreCurrent) {
  const std::string dir =
      std::string(STRATA_SOURCE_DIR) + "/fuzz/corpus/fuzz_golang/";
  testing::ExpectGolden(dir + "inline.elf",
                        GoElf(InlineBlob("go1.23.1", Framed(kModinfo))));
  testing::ExpectGolden(dir + "pointer32be.elf",
                        PointerElf({.is_64 = false, .big_endian = true},
                                   "go1.16.15", Framed(kOld)));
  testing::ExpectGolden(dir + "no_section_headers.elf",
                        BuildElf({.section_headers = false},
                                 {{.name = ".data",
                                   .data = InlineBlob("go1.22.5", Framed(kOld)),
                                   .addr = 0x600000}}));
  testing::ExpectGolden(dir + "modinfo.txt", "go\tgo1.23.1\n" + kModinfo);
}

// --- The lab image: what Trivy finds, and more -------------------------------

TEST(LabGolangTest, DebianFat) {
  const std::string path = testing::LabImagesDir() + "/debian-fat.oci";
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    GTEST_SKIP() << "lab image " << path << " absent";
  }
  auto img = LoadWithRules("oci:" + path, MakeGolangCataloger());
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  EXPECT_THAT(Reasons(s), IsEmpty());
  const std::set<std::string> got = Summary(s);
  const std::string esbuild = "app/node_modules/@esbuild/linux-x64/bin/esbuild";
  // Trivy's finding.
  EXPECT_TRUE(got.contains(esbuild + " golang.org/x/sys@"
                                     "v0.0.0-20220715151400-c0bba94af5f8"));
  EXPECT_TRUE(got.contains(esbuild + " github.com/evanw/esbuild@(devel)"));
  EXPECT_TRUE(got.contains(esbuild + " stdlib@v1.23.1"));
  // Debian builds skopeo outside module mode: the toolchain only.
  EXPECT_TRUE(got.contains("usr/bin/skopeo stdlib@v1.19.8"));
}

}  // namespace
}  // namespace strata::catalog::golang
