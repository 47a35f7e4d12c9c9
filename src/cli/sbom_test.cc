// End-to-end tests of `strata sbom` through the real binary.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/json.h"
#include "cli/output.h"
#include "testing/image_writer.h"
#include "testing/tar_writer.h"

namespace strata::cli {
namespace {

using testing::LayerCompression;
using testing::TarWriter;

std::string Slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int RunStrataCli(const std::string& args, std::string* out) {
  std::string cmd = "SOURCE_DATE_EPOCH=1700000000 " +
                    std::string(STRATA_BINARY_DIR) + "/strata " + args +
                    " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  out->clear();
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) {
    out->append(buf.data(), n);
  }
  int st = ::pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

class SbomCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("sbom_cli");
    testing::TestImage img;
    img.layers.push_back(
        {TarWriter()
             .File("usr/lib/os-release",
                   "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n")
             .Symlink("etc/os-release", "../usr/lib/os-release")
             .File("var/lib/dpkg/status",
                   "Package: libc6\nStatus: install ok installed\n"
                   "Architecture: amd64\nSource: glibc\n"
                   "Version: 2.36-9+deb12u4\n\n"
                   "Package: xz-utils\nStatus: install ok installed\n"
                   "Architecture: amd64\nVersion: 5.6.0-0.1\n"
                   "Depends: libc6 (>= 2.34)\n\n")
             .Finish(),
         LayerCompression::kGzip, ""});
    ASSERT_TRUE(testing::WriteOciLayout(dir_ + "/img", {img}).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(SbomCliTest, WritesSeveralFormatsInOnePass) {
  std::string out;
  ASSERT_EQ(
      RunStrataCli("sbom -q " + dir_ + "/img -o json -o spdx-json=" + dir_ +
                       "/a.spdx.json -o cyclonedx-json=" + dir_ + "/a.cdx.json",
                   &out),
      0)
      << out;
  auto j = json::Parse(out, "stdout", 1 << 24);
  ASSERT_TRUE(j.ok()) << out;
  auto spdx = json::Parse(Slurp(dir_ + "/a.spdx.json"), "spdx", 1 << 24);
  ASSERT_TRUE(spdx.ok());
  EXPECT_EQ((*spdx)["spdxVersion"], "SPDX-2.3");
  auto cdx = json::Parse(Slurp(dir_ + "/a.cdx.json"), "cdx", 1 << 24);
  ASSERT_TRUE(cdx.ok());
  EXPECT_EQ((*cdx)["specVersion"], "1.6");
  std::string purls = json::Dump(*cdx);
  EXPECT_NE(purls.find("pkg:deb/debian/xz-utils@5.6.0-0.1?arch=amd64"),
            std::string::npos)
      << purls;
  // No temporary files are left behind.
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    files += e.is_regular_file() ? 1 : 0;
  }
  EXPECT_EQ(files, 2);
}

TEST_F(SbomCliTest, SameImageSameBytes) {
  std::string a, b;
  ASSERT_EQ(RunStrataCli("sbom -q " + dir_ + "/img -o spdx-json", &a), 0) << a;
  ASSERT_EQ(RunStrataCli("sbom -q " + dir_ + "/img -o spdx-json", &b), 0);
  EXPECT_EQ(a, b);
  EXPECT_NE(a.find("2023-11-14T22:13:20Z"), std::string::npos);  // the epoch
}

TEST_F(SbomCliTest, ConvertsBetweenFormats) {
  std::string out;
  ASSERT_EQ(RunStrataCli("sbom -q " + dir_ + "/img -o cyclonedx-json=" + dir_ +
                             "/in.cdx.json",
                         &out),
            0)
      << out;
  ASSERT_EQ(RunStrataCli("sbom " + dir_ + "/in.cdx.json -o spdx-json", &out), 0)
      << out;
  EXPECT_NE(out.find("xz-utils"), std::string::npos);
  EXPECT_NE(out.find("\"SPDX-2.3\""), std::string::npos);
}

TEST_F(SbomCliTest, BadUsageAndBadInputAreOneLineErrors) {
  std::string out;
  EXPECT_EQ(RunStrataCli("sbom " + dir_ + "/img -o nope", &out), 1);
  EXPECT_EQ(out.rfind("strata: error: ", 0), 0u) << out;
  EXPECT_EQ(RunStrataCli("sbom " + dir_ + "/img -o json -o table", &out), 1);
  EXPECT_NE(out.find("only one -o may write to standard output"),
            std::string::npos);
  std::ofstream(dir_ + "/bad.json") << "{\"spdxVersion\": 3";
  EXPECT_EQ(RunStrataCli("sbom " + dir_ + "/bad.json", &out), 1);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  // A failed run leaves no output file behind.
  EXPECT_EQ(RunStrataCli(
                "sbom " + dir_ + "/bad.json -o json=" + dir_ + "/o.json", &out),
            1);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/o.json"));
}

TEST(OutputSpecTest, ParsesFormatsAndFiles) {
  auto s = ParseOutputSpecs({"json", "spdx-json=a.json"}, "table");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)[0].format, "json");
  EXPECT_EQ((*s)[0].file, "");
  EXPECT_EQ((*s)[1].file, "a.json");
  EXPECT_EQ((*ParseOutputSpecs({}, "table"))[0].format, "table");
  EXPECT_FALSE(ParseOutputSpecs({"json="}, "table").ok());
}

}  // namespace
}  // namespace strata::cli
