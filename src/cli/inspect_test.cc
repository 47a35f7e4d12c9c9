#include "cli/inspect.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/common.h"
#include "testing/image_writer.h"
#include "testing/tar_writer.h"
#include "testing/test_util.h"

namespace strata::cli {
namespace {

using testing::LayerCompression;
using testing::TarWriter;

// Golden files live in src/cli/testdata; STRATA_UPDATE_GOLDEN=1 rewrites them.
void ExpectGolden(const std::string& name, const std::string& actual) {
  testing::ExpectGolden(
      std::string(STRATA_SOURCE_DIR) + "/src/cli/testdata/" + name, actual);
}

testing::TestImage GoldenImage() {
  testing::TestImage img;
  img.layers.push_back({TarWriter()
                            .Dir("etc")
                            .File("etc/os-release", "ID=golden\n")
                            .Dir("usr/bin")
                            .File("usr/bin/app", "app", 0755)
                            .Symlink("bin", "usr/bin")
                            .CharDevice("dev/null", 1, 3)
                            .Finish(),
                        LayerCompression::kGzip, ""});
  img.layers.push_back(
      {TarWriter().Whiteout("etc/os-release").File("etc/motd", "hi").Finish(),
       LayerCompression::kZstd, ""});
  img.entrypoint = {"/usr/bin/app", "--serve"};
  img.cmd = {};
  img.env = {"PATH=/usr/bin", "MODE=golden"};
  img.user = "65532";
  img.working_dir = "/srv";
  img.labels = {{"org.opencontainers.image.title", "golden"}};
  return img;
}

class InspectTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("inspect_test"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(InspectTest, JsonAndTableMatchGoldenFiles) {
  ASSERT_TRUE(testing::WriteOciLayout(dir_ + "/img", {GoldenImage()}).ok());
  SourceOptions opts;
  opts.quiet = true;
  auto img = LoadFromCli("oci:" + dir_ + "/img:latest", opts);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  json::Json report = InspectJson(*img);
  EXPECT_EQ(report["reference"], "oci:" + dir_ + "/img:latest");
  report["reference"] = "<REFERENCE>";
  ExpectGolden("inspect.golden.json", json::Dump(report, 2) + "\n");
  ExpectGolden("inspect.golden.txt", InspectTable(report));
}

TEST_F(InspectTest, AllThreeFormsReportTheSameLayers) {
  auto img = GoldenImage();
  ASSERT_TRUE(testing::WriteOciArchive(dir_ + "/a.tar", {img}).ok());
  ASSERT_TRUE(testing::WriteDockerArchive(dir_ + "/d.tar", {img}).ok());
  ASSERT_TRUE(testing::WriteOciLayout(dir_ + "/l", {img}).ok());
  SourceOptions opts;
  opts.quiet = true;
  std::vector<json::Json> reports;
  for (const std::string& ref :
       {dir_ + "/a.tar", dir_ + "/d.tar", dir_ + "/l"}) {
    auto r = LoadFromCli(ref, opts);  // auto-detected
    ASSERT_TRUE(r.ok()) << ref << ": " << r.status().ToString();
    reports.push_back(InspectJson(*r));
  }
  EXPECT_EQ(reports[0]["transport"], "oci-archive");
  EXPECT_EQ(reports[1]["transport"], "docker-archive");
  EXPECT_EQ(reports[2]["transport"], "oci");
  for (const auto& r : reports) {
    EXPECT_EQ(r["files"], reports[2]["files"]);
    ASSERT_EQ(r["layers"].size(), 2u);
    for (int i = 0; i < 2; ++i) {
      EXPECT_EQ(r["layers"][i]["diffID"], reports[2]["layers"][i]["diffID"]);
    }
  }
  EXPECT_EQ(reports[0]["manifest"], reports[2]["manifest"]);
}

// Runs the real binary; returns exit status, fills stdout/stderr.
int RunStrata(const std::string& args, std::string* out, std::string* err) {
  std::string errfile = testing::MakeTempDir("strata_err") + "/stderr";
  std::string cmd =
      std::string(STRATA_BINARY_DIR) + "/strata " + args + " 2>" + errfile;
  FILE* p = ::popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
    out->append(buf.data(), n);
  int st = ::pclose(p);
  std::ifstream e(errfile);
  std::stringstream ss;
  ss << e.rdbuf();
  *err = ss.str();
  std::filesystem::remove_all(std::filesystem::path(errfile).parent_path());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST_F(InspectTest, BinaryExitCodesAndOneLineErrors) {
  std::string out, err;
  EXPECT_EQ(RunStrata("inspect " + dir_ + "/missing", &out, &err), 1);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(err.rfind("strata: error: ", 0), 0u) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;

  out.clear();
  EXPECT_EQ(RunStrata("inspect -o yaml x", &out, &err), 1);
  EXPECT_EQ(RunStrata("--help", &out, &err), 0);
  EXPECT_NE(out.find("inspect"), std::string::npos);

  // A hostile image: the error names the layer, nothing reaches stdout.
  testing::TestImage bad;
  bad.layers.push_back(
      {TarWriter().File("../../x", "y").Finish(), LayerCompression::kGzip, ""});
  ASSERT_TRUE(testing::WriteOciLayout(dir_ + "/bad", {bad}).ok());
  out.clear();
  EXPECT_EQ(RunStrata("inspect -o json " + dir_ + "/bad", &out, &err), 1);
  EXPECT_TRUE(out.empty()) << out;
  EXPECT_NE(err.find("climbs above the image root"), std::string::npos) << err;

  ASSERT_TRUE(testing::WriteOciLayout(dir_ + "/good", {GoldenImage()}).ok());
  out.clear();
  EXPECT_EQ(RunStrata("inspect -q -o json " + dir_ + "/good", &out, &err), 0)
      << err;
  EXPECT_TRUE(err.empty()) << err;
  auto j = json::Parse(out, "stdout", 1 << 20);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["files"]["total"], 8);
}

}  // namespace
}  // namespace strata::cli
