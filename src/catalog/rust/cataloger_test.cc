#include "catalog/rust/cataloger.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "catalog/rust/test_binaries.h"
#include "oci/reference.h"
#include "testing/image_writer.h"
#include "testing/test_util.h"

namespace strata::catalog::rust {
namespace {

using namespace testbin;  // NOLINT(build/namespaces): test helpers
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(RustCatalogerTest, NameAndRule) {
  Cataloger c = MakeRustCataloger();
  EXPECT_EQ(c.name, "rust-cargo-auditable-cataloger");
  EXPECT_THAT(c.globs, IsEmpty());
  ASSERT_EQ(c.rules.size(), 1u);
  const image::CaptureRule& r = c.rules[0];
  EXPECT_EQ(r.name, "rust-binary");
  EXPECT_TRUE(r.executables);
  EXPECT_THAT(r.globs, IsEmpty());
  EXPECT_EQ(r.magic,
            "\x7f"
            "ELF");
  EXPECT_EQ(r.max_file_bytes, 256 * caps::kMiB);
  auto kept = r.reduce("bin/x", RustElf(Zlib(kJson)));
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(**kept, kJson);
}

class RustImageTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("strata-rust"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& rel, const std::string& bytes, mode_t mode) {
    const std::string path = dir_ + "/root/" + rel;
    std::filesystem::create_directories(
        std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << bytes;
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
  }

  sbom::Sbom Catalog(const Cataloger& c) {
    sbom::Sbom out;
    auto ref = oci::ParseReference("dir:" + dir_ + "/root");
    EXPECT_TRUE(ref.ok());
    image::LoadOptions options;
    options.capture_rules = c.rules;
    auto img = image::Load(*ref, options);
    EXPECT_TRUE(img.ok()) << img.status().ToString();
    if (!img.ok()) return out;
    sbom::Distro distro;
    Status s = c.run(Context{*img, distro}, &out);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  std::string dir_;
};

std::vector<std::string> Summary(const sbom::Sbom& s) {
  std::vector<std::string> out;
  for (const sbom::Package& p : s.packages) {
    EXPECT_EQ(p.cataloger, "rust-cargo-auditable-cataloger");
    out.push_back(p.locations.at(0).path + " " + p.name + "@" + p.version);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> Reasons(const sbom::Sbom& s) {
  std::vector<std::string> out;
  for (const sbom::Unknown& u : s.unknowns) {
    EXPECT_EQ(u.cataloger, "rust-cargo-auditable-cataloger");
    out.push_back(u.location.path + ": " + u.reason);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(RustImageTest, RootfsBinaries) {
  Write("usr/local/bin/hello", RustElf(Zlib(kJson)), 0755);
  Write("usr/bin/bad-zlib", RustElf("garbage"), 0755);
  Write("usr/bin/bad-json", RustElf(Zlib(R"({"packages":[{"name":"a"}]})")),
        0755);
  Write("usr/bin/plain", elf::BuildElf({}, {{.name = ".text", .data = "x"}}),
        0755);
  Write("usr/share/hello.elf", RustElf(Zlib(kJson)), 0644);  // not executable
  sbom::Sbom s = Catalog(MakeRustCataloger());
  EXPECT_THAT(Summary(s), ElementsAre("usr/local/bin/hello adler@1.0.2",
                                      "usr/local/bin/hello cc@1.0.83",
                                      "usr/local/bin/hello hello@0.1.0",
                                      "usr/local/bin/hello libc@0.1.12",
                                      "usr/local/bin/hello libc@0.2.150"));
  EXPECT_THAT(
      Reasons(s),
      ElementsAre("usr/bin/bad-json: rust audit data: package 0: no "
                  "version",
                  "usr/bin/bad-zlib: rust audit data: bad zlib stream"));
}

TEST_F(RustImageTest, BinaryOverTheCapIsAnUnknown) {
  Write("usr/bin/big", RustElf(Zlib(kJson)), 0755);
  Cataloger c = MakeRustCataloger();
  c.rules[0].max_file_bytes = 64;
  sbom::Sbom s = Catalog(c);
  EXPECT_THAT(s.packages, IsEmpty());
  EXPECT_THAT(Reasons(s),
              ElementsAre("usr/bin/big: larger than the 256 MiB cap on "
                          "analysed binaries"));
}

// The fuzz seeds are these builders' output (STRATA_UPDATE_GOLDEN=1
// rewrites them).
TEST(RustFuzzSeedsTest, AreCurrent) {
  const std::string dir =
      std::string(STRATA_SOURCE_DIR) + "/fuzz/corpus/fuzz_rust/";
  testing::ExpectGolden(dir + "auditable.elf", RustElf(Zlib(kJson)));
  testing::ExpectGolden(
      dir + "auditable32be.elf",
      RustElf(Zlib(kJson), {.is_64 = false, .big_endian = true}));
  testing::ExpectGolden(dir + "audit.json", kJson);
}

}  // namespace
}  // namespace strata::catalog::rust
