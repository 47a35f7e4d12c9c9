#include "catalog/osrelease/os_release.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "oci/reference.h"

namespace strata::catalog::osrelease {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(ParseOsReleaseTest, ReadsDebian) {
  sbom::Distro d = ParseOsRelease(
      "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
      "NAME=\"Debian GNU/Linux\"\n"
      "VERSION_ID=\"12\"\n"
      "VERSION=\"12 (bookworm)\"\n"
      "VERSION_CODENAME=bookworm\n"
      "ID=debian\n"
      "HOME_URL=\"https://www.debian.org/\"\n");
  EXPECT_EQ(d.id, "debian");
  EXPECT_EQ(d.version_id, "12");
  EXPECT_EQ(d.codename, "bookworm");
  EXPECT_EQ(d.name, "Debian GNU/Linux");
  EXPECT_EQ(d.pretty_name, "Debian GNU/Linux 12 (bookworm)");
  EXPECT_THAT(d.id_like, IsEmpty());
}

TEST(ParseOsReleaseTest, CodenameFallsBackToVersionParentheses) {
  sbom::Distro d = ParseOsRelease("ID=debian\nVERSION=\"11 (bullseye)\"\n");
  EXPECT_EQ(d.codename, "bullseye");
}

TEST(ParseOsReleaseTest, QuotingEscapesCommentsAndIdLike) {
  sbom::Distro d = ParseOsRelease(
      "# a comment\n"
      "\n"
      "  ID='ubuntu'\n"
      "NAME=\"say \\\"hi\\\" \\\\ \\$HOME\"\n"
      "PRETTY_NAME='no $expansion \\n here'\n"
      "ID_LIKE=\"  rhel   fedora centos \"\n"
      "VERSION_ID=22.04 # trailing comment\n"
      "not a key value line\n"
      "VERSION_CODENAME=\n");
  EXPECT_EQ(d.id, "ubuntu");
  EXPECT_EQ(d.name, "say \"hi\" \\ $HOME");
  EXPECT_EQ(d.pretty_name, "no $expansion \\n here");
  EXPECT_THAT(d.id_like, ElementsAre("rhel", "fedora", "centos"));
  EXPECT_EQ(d.version_id, "22.04");
  EXPECT_EQ(d.codename, "");
}

TEST(ParseOsReleaseTest, CrlfAndUnterminatedQuote) {
  sbom::Distro d = ParseOsRelease("ID=alpine\r\nVERSION_ID=\"3.20.3\r\n");
  EXPECT_EQ(d.id, "alpine");
  EXPECT_EQ(d.version_id, "3.20.3");
}

TEST(ParseOsReleaseTest, CapsLinesAndValues) {
  std::string content;
  for (int i = 0; i < 2000; ++i) content += "X=1\n";
  content += "ID=late\n";
  EXPECT_EQ(ParseOsRelease(content).id, "");  // past the line cap
  EXPECT_EQ(ParseOsRelease("ID=" + std::string(10000, 'a')).id.size(), 4096u);
  std::string many = "ID_LIKE=\"";
  for (int i = 0; i < 100; ++i) many += "x ";
  EXPECT_EQ(ParseOsRelease(many + "\"").id_like.size(), 16u);
}

// Detection over a dir: root filesystem written in a temp dir.
class DetectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/strata-osrelease-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  void Write(const std::string& rel, const std::string& content) {
    std::filesystem::path p = root_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }

  sbom::Distro Detected() {
    auto ref = oci::ParseReference("dir:" + root_.string());
    EXPECT_TRUE(ref.ok()) << ref.status().ToString();
    image::LoadOptions options;
    for (std::string_view g : Globs()) options.capture_globs.emplace_back(g);
    auto img = image::LoadRootfs(*ref, options);
    EXPECT_TRUE(img.ok()) << img.status().ToString();
    if (!img.ok()) return {};
    return Detect(*img);
  }

  std::filesystem::path root_;
};

TEST_F(DetectTest, FollowsTheEtcOsReleaseSymlink) {
  Write("usr/lib/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
  std::filesystem::create_directories(root_ / "etc");
  std::filesystem::create_symlink("../usr/lib/os-release",
                                  root_ / "etc/os-release");
  Write("etc/alpine-release", "3.20.3\n");  // os-release wins
  sbom::Distro d = Detected();
  EXPECT_EQ(d.id, "debian");
  EXPECT_EQ(d.version_id, "12");
}

TEST_F(DetectTest, NothingFoundIsEmpty) { EXPECT_TRUE(Detected().empty()); }

TEST_F(DetectTest, AlpineRelease) {
  Write("etc/alpine-release", "3.20.3\n");
  sbom::Distro d = Detected();
  EXPECT_EQ(d.id, "alpine");
  EXPECT_EQ(d.version_id, "3.20.3");
}

TEST_F(DetectTest, DebianVersionNumber) {
  Write("etc/debian_version", "12.5\n");
  sbom::Distro d = Detected();
  EXPECT_EQ(d.id, "debian");
  EXPECT_EQ(d.version_id, "12");
  EXPECT_EQ(d.codename, "");
}

TEST_F(DetectTest, DebianVersionCodename) {
  Write("etc/debian_version", "bookworm/sid\n");
  sbom::Distro d = Detected();
  EXPECT_EQ(d.id, "debian");
  EXPECT_EQ(d.version_id, "");
  EXPECT_EQ(d.codename, "bookworm");
}

TEST_F(DetectTest, RedHatRelease) {
  Write("etc/redhat-release", "Red Hat Enterprise Linux release 9.4 (Plow)\n");
  sbom::Distro d = Detected();
  EXPECT_EQ(d.id, "rhel");
  EXPECT_EQ(d.version_id, "9.4");
  EXPECT_EQ(d.codename, "Plow");
  EXPECT_EQ(d.name, "Red Hat Enterprise Linux");
}

TEST_F(DetectTest, CentosRelease) {
  Write("etc/centos-release", "CentOS Linux release 7.9.2009 (Core)\n");
  sbom::Distro d = Detected();
  EXPECT_EQ(d.id, "centos");
  EXPECT_EQ(d.version_id, "7");
  EXPECT_EQ(d.codename, "Core");
}

TEST_F(DetectTest, SuseRelease) {
  Write("etc/SuSE-release",
        "SUSE Linux Enterprise Server 12 (x86_64)\nVERSION = 12\n"
        "PATCHLEVEL = 5\n");
  sbom::Distro d = Detected();
  EXPECT_EQ(d.id, "sles");
  EXPECT_EQ(d.version_id, "12.5");
  EXPECT_EQ(d.name, "SUSE Linux Enterprise Server 12");
}

TEST_F(DetectTest, LsbRelease) {
  Write("etc/lsb-release",
        "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\n"
        "DISTRIB_DESCRIPTION=\"Ubuntu 22.04.4 LTS\"\n");
  sbom::Distro d = Detected();
  EXPECT_EQ(d.id, "ubuntu");
  EXPECT_EQ(d.version_id, "22.04");
  EXPECT_EQ(d.codename, "jammy");
  EXPECT_EQ(d.pretty_name, "Ubuntu 22.04.4 LTS");
}

TEST_F(DetectTest, UnknownRedHatStyleFallsThrough) {
  Write("etc/system-release", "Some Other OS release 1 (x)\n");
  EXPECT_TRUE(Detected().empty());
}

}  // namespace
}  // namespace strata::catalog::osrelease
