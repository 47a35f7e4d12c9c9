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

TEST(MakePurlTest, LanguagePackagesFollowEachTypesNameRules) {
  Distro debian;
  debian.id = "debian";
  debian.version_id = "12";
  auto purl = [&](PackageType t, std::string name, std::string version,
                  std::string group = "") {
    Package p;
    p.type = t;
    p.name = std::move(name);
    p.version = std::move(version);
    p.group = std::move(group);
    p.architecture = "amd64";  // never a qualifier of language purls
    return MakePurl(p, debian);
  };
  EXPECT_EQ(purl(PackageType::kPython, "Django_REST.framework", "3.15"),
            "pkg:pypi/django-rest.framework@3.15");
  EXPECT_EQ(purl(PackageType::kNpm, "@Babel/Core", "7.24.0"),
            "pkg:npm/%40babel/core@7.24.0");
  EXPECT_EQ(purl(PackageType::kNpm, "lodash", "4.17.20"),
            "pkg:npm/lodash@4.17.20");
  EXPECT_EQ(purl(PackageType::kGoModule, "github.com/pkg/errors", "v0.9.1"),
            "pkg:golang/github.com/pkg/errors@v0.9.1");
  EXPECT_EQ(purl(PackageType::kGoModule, "stdlib", "v1.22.5"),
            "pkg:golang/stdlib@v1.22.5");
  EXPECT_EQ(purl(PackageType::kJavaArchive, "jackson-databind", "2.14.0",
                 "com.fasterxml.jackson.core"),
            "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.14.0");
  EXPECT_EQ(purl(PackageType::kRustCrate, "serde", "1.0.200"),
            "pkg:cargo/serde@1.0.200");
  EXPECT_EQ(purl(PackageType::kGem, "rack", "3.0.8"), "pkg:gem/rack@3.0.8");
  EXPECT_EQ(purl(PackageType::kPhpComposer, "symfony/console", "v6.4.1"),
            "pkg:composer/symfony/console@v6.4.1");
  EXPECT_EQ(purl(PackageType::kDotnet, "Newtonsoft.Json", "13.0.1"),
            "pkg:nuget/Newtonsoft.Json@13.0.1");
  EXPECT_EQ(purl(PackageType::kBinary, "python", "3.11.2"),
            "pkg:generic/python@3.11.2");
}

TEST(MakeCpesTest, LanguagePackagesUseTheirOwnerAsVendor) {
  Package p;
  p.type = PackageType::kGoModule;
  p.name = "golang.org/x/sys";
  p.version = "v0.1.0";
  Distro debian;
  debian.id = "debian";
  EXPECT_THAT(MakeCpes(p, debian),
              ElementsAre("cpe:2.3:a:sys:sys:v0.1.0:*:*:*:*:*:*:*",
                          "cpe:2.3:a:x:sys:v0.1.0:*:*:*:*:*:*:*"));
  p.type = PackageType::kJavaArchive;
  p.name = "log4j-core";
  p.group = "org.apache.logging.log4j";
  p.version = "2.14.1";
  EXPECT_THAT(
      MakeCpes(p, debian),
      ElementsAre("cpe:2.3:a:log4j-core:log4j-core:2.14.1:*:*:*:*:*:*:*",
                  "cpe:2.3:a:log4j_core:log4j_core:2.14.1:*:*:*:*:*:*:*",
                  "cpe:2.3:a:apache:log4j-core:2.14.1:*:*:*:*:*:*:*"));
}

TEST(PackageTypeTest, NamesRoundTrip) {
  for (PackageType t :
       {PackageType::kDeb, PackageType::kApk, PackageType::kRpm,
        PackageType::kPython, PackageType::kNpm, PackageType::kGoModule,
        PackageType::kJavaArchive, PackageType::kRustCrate, PackageType::kGem,
        PackageType::kPhpComposer, PackageType::kDotnet,
        PackageType::kBinary}) {
    EXPECT_EQ(PackageTypeFromName(PackageTypeName(t)), t);
    EXPECT_EQ(PackageTypeFromPurlType(PurlType(t)), t);
  }
  EXPECT_EQ(PackageTypeFromName("cpan"), std::nullopt);
  EXPECT_TRUE(IsOsPackage(PackageType::kRpm));
  EXPECT_FALSE(IsOsPackage(PackageType::kNpm));
}

}  // namespace
}  // namespace strata::sbom
