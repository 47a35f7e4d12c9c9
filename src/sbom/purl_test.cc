#include "sbom/purl.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace strata::sbom {
namespace {

using ::testing::ElementsAre;

Distro Debian12() {
  Distro d;
  d.id = "debian";
  d.version_id = "12";
  return d;
}

Package Deb(std::string name, std::string version, std::string arch) {
  Package p;
  p.type = PackageType::kDeb;
  p.name = std::move(name);
  p.version = std::move(version);
  p.architecture = std::move(arch);
  return p;
}

TEST(PurlEncodeTest, KeepsUnreservedAndEncodesEverythingElse) {
  EXPECT_EQ(PurlEncode("aZ09.-_~"), "aZ09.-_~");
  EXPECT_EQ(PurlEncode("1:2+dfsg/x y@z?&=#%"),
            "1%3A2%2Bdfsg%2Fx%20y%40z%3F%26%3D%23%25");
  EXPECT_EQ(PurlEncode("\xc3\xa9"), "%C3%A9");
  EXPECT_EQ(PurlEncode(""), "");
}

TEST(MakePurlTest, DebianEpochAndSourceInSortedQualifierOrder) {
  Package p = Deb("zlib1g", "1:1.2.13.dfsg-1", "amd64");
  p.source_name = "zlib";
  EXPECT_EQ(MakePurl(p, Debian12()),
            "pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1"
            "?arch=amd64&distro=debian-12&upstream=zlib");
}

TEST(MakePurlTest, DebianSourceVersionDiffers) {
  Package p = Deb("libgcc-s1", "12.2.0-14", "amd64");
  p.source_name = "gcc-12";
  p.source_version = "12.2.0-14+deb12u1";
  EXPECT_EQ(MakePurl(p, Debian12()),
            "pkg:deb/debian/libgcc-s1@12.2.0-14?arch=amd64&distro=debian-12"
            "&upstream=gcc-12%4012.2.0-14%2Bdeb12u1");
}

TEST(MakePurlTest, DebianSourceSameAsNameIsOmitted) {
  Package p = Deb("bash", "5.2.15-2+b7", "amd64");
  p.source_name = "bash";
  p.source_version = "5.2.15-2+b7";
  EXPECT_EQ(MakePurl(p, Debian12()),
            "pkg:deb/debian/bash@5.2.15-2%2Bb7?arch=amd64&distro=debian-12");
}

TEST(MakePurlTest, UbuntuUsesDistroIdAsNamespace) {
  Distro d;
  d.id = "ubuntu";
  d.version_id = "24.04";
  EXPECT_EQ(MakePurl(Deb("tar", "1.35+dfsg-3build1", "amd64"), d),
            "pkg:deb/ubuntu/tar@1.35%2Bdfsg-3build1?arch=amd64"
            "&distro=ubuntu-24.04");
}

TEST(MakePurlTest, UnknownDistroUsesDefaultNamespaceAndNoDistro) {
  EXPECT_EQ(MakePurl(Deb("tzdata", "2024a-0+deb12u1", "all"), Distro{}),
            "pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all");
}

TEST(MakePurlTest, Alpine) {
  Package p;
  p.type = PackageType::kApk;
  p.name = "libcrypto3";
  p.version = "3.3.2-r0";
  p.architecture = "x86_64";
  p.source_name = "openssl";
  Distro d;
  d.id = "alpine";
  d.version_id = "3.20.3";
  EXPECT_EQ(MakePurl(p, d),
            "pkg:apk/alpine/libcrypto3@3.3.2-r0?arch=x86_64"
            "&distro=alpine-3.20.3&upstream=openssl");
  p.name = "openssl";
  EXPECT_EQ(MakePurl(p, d),
            "pkg:apk/alpine/openssl@3.3.2-r0?arch=x86_64&distro=alpine-3.20.3");
}

TEST(MakePurlTest, RpmWithEpochAndSourceRpm) {
  Package p;
  p.type = PackageType::kRpm;
  p.name = "bash";
  p.version = "5.1.8-9.el9";
  p.epoch = "1";
  p.architecture = "x86_64";
  p.source_name = "bash-5.1.8-9.el9.src.rpm";
  Distro d;
  d.id = "rhel";
  d.version_id = "9.4";
  EXPECT_EQ(MakePurl(p, d),
            "pkg:rpm/redhat/bash@5.1.8-9.el9?arch=x86_64&distro=rhel-9.4"
            "&epoch=1&upstream=bash-5.1.8-9.el9.src.rpm");
  d.id = "rocky";
  p.epoch = "";
  p.source_name = "";
  EXPECT_EQ(MakePurl(p, d),
            "pkg:rpm/rocky/bash@5.1.8-9.el9?arch=x86_64&distro=rocky-9.4");
}

TEST(MakePurlTest, NameIsEncodedAndEmptyNameGivesNothing) {
  EXPECT_EQ(MakePurl(Deb("g++", "4:12.2.0-3", "amd64"), Distro{}),
            "pkg:deb/debian/g%2B%2B@4%3A12.2.0-3?arch=amd64");
  EXPECT_EQ(MakePurl(Deb("", "1", "amd64"), Distro{}), "");
}

TEST(MakeCpesTest, NameSourceVariantAndDistroVendor) {
  Package p = Deb("libssl3", "3.0.15-1~deb12u1", "amd64");
  p.source_name = "openssl";
  EXPECT_THAT(
      MakeCpes(p, Debian12()),
      ElementsAre("cpe:2.3:a:libssl3:libssl3:3.0.15-1\\~deb12u1:*:*:*:*:*:*:*",
                  "cpe:2.3:a:openssl:openssl:3.0.15-1\\~deb12u1:*:*:*:*:*:*:*",
                  "cpe:2.3:a:debian:libssl3:3.0.15-1\\~deb12u1:*:*:*:*:*:*:*"));
}

TEST(MakeCpesTest, EscapesPunctuationButNotDotDashUnderscore) {
  Package p = Deb("python3-yaml", "1:6.0+dfsg_1", "amd64");
  EXPECT_THAT(
      MakeCpes(p, Distro{}),
      ElementsAre(
          "cpe:2.3:a:python3-yaml:python3-yaml:1\\:6.0\\+dfsg_1:*:*:*:*:*:*:*",
          "cpe:2.3:a:python3_yaml:python3_yaml:1\\:6.0\\+dfsg_1:*:*:*:*:*:*:"
          "*"));
}

TEST(MakeCpesTest, AtMostFourAndUnbindableValuesSkipped) {
  Package p = Deb("Lib-Foo", "1.0", "amd64");
  p.source_name = "foo";
  std::vector<std::string> cpes = MakeCpes(p, Debian12());
  EXPECT_THAT(cpes, ElementsAre("cpe:2.3:a:lib-foo:lib-foo:1.0:*:*:*:*:*:*:*",
                                "cpe:2.3:a:foo:foo:1.0:*:*:*:*:*:*:*",
                                "cpe:2.3:a:lib_foo:lib_foo:1.0:*:*:*:*:*:*:*",
                                "cpe:2.3:a:debian:lib-foo:1.0:*:*:*:*:*:*:*"));
  p.version = "1.0 beta";
  EXPECT_THAT(MakeCpes(p, Debian12()), ::testing::IsEmpty());
  p.version = "";
  p.source_name = "";
  EXPECT_THAT(MakeCpes(Deb("zlib", "", "all"), Distro{}),
              ElementsAre("cpe:2.3:a:zlib:zlib:*:*:*:*:*:*:*:*"));
}

}  // namespace
}  // namespace strata::sbom
