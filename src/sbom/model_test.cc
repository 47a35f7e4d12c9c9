#include "sbom/model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace strata::sbom {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Package Pkg(PackageType type, std::string name, std::string path,
            std::vector<std::string> depends = {},
            std::vector<std::string> provides = {}) {
  Package p;
  p.type = type;
  p.name = std::move(name);
  p.version = "1.0";
  p.architecture = "x86_64";
  p.depends = std::move(depends);
  p.provides = std::move(provides);
  p.locations.push_back({path, 0, ""});
  return p;
}

const Package& Named(const Sbom& s, std::string_view name) {
  auto it = std::find_if(s.packages.begin(), s.packages.end(),
                         [&](const Package& p) { return p.name == name; });
  EXPECT_NE(it, s.packages.end()) << name;
  return *it;
}

std::vector<std::pair<std::string, std::string>> Edges(const Sbom& s) {
  std::map<std::string, std::string> names;
  for (const Package& p : s.packages) names[p.id] = p.name;
  std::vector<std::pair<std::string, std::string>> out;
  for (const Relationship& r : s.relationships) {
    EXPECT_EQ(r.type, "depends-on");
    out.emplace_back(names[r.from], names[r.to]);
  }
  return out;
}

constexpr char kApkDb[] = "lib/apk/db/installed";

TEST(PackageTypeNameTest, Names) {
  EXPECT_EQ(PackageTypeName(PackageType::kDeb), "deb");
  EXPECT_EQ(PackageTypeName(PackageType::kApk), "apk");
  EXPECT_EQ(PackageTypeName(PackageType::kRpm), "rpm");
}

TEST(FinalizeTest, SortsByTypeNameVersionArchAndLocation) {
  Sbom s;
  s.packages.push_back(Pkg(PackageType::kRpm, "a", "x"));
  s.packages.push_back(Pkg(PackageType::kDeb, "b", "y"));
  s.packages.push_back(Pkg(PackageType::kDeb, "b", "x"));
  s.packages.push_back(Pkg(PackageType::kDeb, "a", "z"));
  s.packages[1].version = "0.9";
  Finalize(s);
  std::vector<std::string> order;
  for (const Package& p : s.packages) {
    order.push_back(p.name + "/" + p.version + "/" + p.locations[0].path);
  }
  EXPECT_THAT(order, ElementsAre("a/1.0/z", "b/0.9/y", "b/1.0/x", "a/1.0/x"));
  EXPECT_EQ(s.packages.back().type, PackageType::kRpm);
}

TEST(FinalizeTest, IdsAreStableAndUniquePerLocation) {
  Sbom s;
  s.packages.push_back(Pkg(PackageType::kApk, "musl", kApkDb));
  s.packages.push_back(
      Pkg(PackageType::kApk, "musl", "usr/lib/apk/db/installed"));
  s.packages.push_back(Pkg(PackageType::kApk, "musl", kApkDb));
  Finalize(s);
  // sha256("lib/apk/db/installed") starts with these 16 hex digits.
  EXPECT_EQ(s.packages[0].id, "apk:musl@1.0:x86_64:4e9f0cd4d6d863c6");
  EXPECT_EQ(s.packages[1].id, "apk:musl@1.0:x86_64:4e9f0cd4d6d863c6-2");
  EXPECT_NE(s.packages[2].id, s.packages[0].id);
  EXPECT_EQ(s.packages[2].id.rfind("apk:musl@1.0:x86_64:", 0), 0u);
}

TEST(FinalizeTest, FillsPurlAndCpesOnlyWhenEmpty) {
  Sbom s;
  s.distro.id = "alpine";
  s.distro.version_id = "3.20.3";
  s.packages.push_back(Pkg(PackageType::kApk, "musl", kApkDb));
  s.packages.push_back(Pkg(PackageType::kApk, "busybox", kApkDb));
  s.packages[1].purl = "pkg:apk/alpine/busybox@given";
  s.packages[1].cpes = {"cpe:given"};
  Finalize(s);
  EXPECT_EQ(Named(s, "musl").purl,
            "pkg:apk/alpine/musl@1.0?arch=x86_64&distro=alpine-3.20.3");
  EXPECT_THAT(Named(s, "musl").cpes,
              ElementsAre("cpe:2.3:a:musl:musl:1.0:*:*:*:*:*:*:*",
                          "cpe:2.3:a:alpinelinux:musl:1.0:*:*:*:*:*:*:*"));
  EXPECT_EQ(Named(s, "busybox").purl, "pkg:apk/alpine/busybox@given");
  EXPECT_THAT(Named(s, "busybox").cpes, ElementsAre("cpe:given"));
}

TEST(FinalizeTest, ResolvesDependsByNameAndProvides) {
  Sbom s;
  s.packages.push_back(
      Pkg(PackageType::kApk, "musl", kApkDb, {}, {"so:libc.musl-x86_64.so.1"}));
  s.packages.push_back(Pkg(PackageType::kApk, "busybox", kApkDb,
                           {"so:libc.musl-x86_64.so.1", "!busybox-extras",
                            "musl", "busybox", "absent"},
                           {"cmd:sh"}));
  s.packages.push_back(Pkg(PackageType::kApk, "busybox-extras", kApkDb));
  s.packages.push_back(
      Pkg(PackageType::kApk, "alpine-baselayout", kApkDb, {"cmd:sh"}));
  Finalize(s);
  EXPECT_THAT(
      Edges(s),
      ::testing::UnorderedElementsAre(
          std::pair<std::string, std::string>{"alpine-baselayout", "busybox"},
          std::pair<std::string, std::string>{"busybox", "musl"}));
  // Sorted and deduplicated (busybox names musl twice).
  EXPECT_EQ(s.relationships.size(), 2u);
  EXPECT_TRUE(std::is_sorted(s.relationships.begin(), s.relationships.end()));
}

TEST(FinalizeTest, DependsStayWithinPackageType) {
  Sbom s;
  s.packages.push_back(Pkg(PackageType::kDeb, "libc6", "var/lib/dpkg/status"));
  s.packages.push_back(
      Pkg(PackageType::kRpm, "bash", "var/lib/rpm/rpmdb.sqlite", {"libc6"}));
  Finalize(s);
  EXPECT_THAT(s.relationships, IsEmpty());
}

TEST(FinalizeTest, PrefersProvidersFromTheSameDatabase) {
  Sbom s;
  s.packages.push_back(Pkg(PackageType::kApk, "musl", kApkDb));
  s.packages.push_back(
      Pkg(PackageType::kApk, "musl", "usr/lib/apk/db/installed"));
  s.packages.push_back(Pkg(PackageType::kApk, "busybox", kApkDb, {"musl"}));
  Finalize(s);
  ASSERT_EQ(s.relationships.size(), 1u);
  const Relationship& r = s.relationships[0];
  auto to = std::find_if(s.packages.begin(), s.packages.end(),
                         [&](const Package& p) { return p.id == r.to; });
  ASSERT_NE(to, s.packages.end());
  EXPECT_EQ(to->locations[0].path, kApkDb);
}

TEST(FinalizeTest, SortsUnknownsAndIsIdempotent) {
  Sbom s;
  s.packages.push_back(Pkg(PackageType::kApk, "b", kApkDb, {"a"}));
  s.packages.push_back(Pkg(PackageType::kApk, "a", kApkDb));
  s.unknowns.push_back({{"z", 1, ""}, "apk-db-cataloger", "bad"});
  s.unknowns.push_back({{"a", 2, ""}, "apk-db-cataloger", "worse"});
  Finalize(s);
  EXPECT_EQ(s.unknowns[0].location.path, "a");
  Sbom again = s;
  Finalize(again);
  ASSERT_EQ(again.packages.size(), s.packages.size());
  for (size_t i = 0; i < s.packages.size(); ++i) {
    EXPECT_EQ(again.packages[i].id, s.packages[i].id);
    EXPECT_EQ(again.packages[i].purl, s.packages[i].purl);
    EXPECT_EQ(again.packages[i].cpes, s.packages[i].cpes);
  }
  EXPECT_EQ(again.relationships, s.relationships);
  EXPECT_EQ(again.relationships.size(), 1u);
}

}  // namespace
}  // namespace strata::sbom

namespace strata::sbom {
namespace {

TEST(FinalizeTest, CarriesExistingRelationshipsOverToNewIds) {
  Sbom s;
  Package a;
  a.id = "SPDXRef-a";
  a.type = PackageType::kDeb;
  a.name = "a";
  a.version = "1";
  Package b = a;
  b.id = "SPDXRef-b";
  b.name = "b";
  s.packages = {b, a};
  s.relationships = {{"SPDXRef-a", "SPDXRef-b", "depends-on"},
                     {"SPDXRef-a", "SPDXRef-gone", "depends-on"}};
  Finalize(s);
  ASSERT_EQ(s.relationships.size(), 1u);
  EXPECT_EQ(s.relationships[0].from, s.packages[0].id);  // a sorts first
  EXPECT_EQ(s.relationships[0].to, s.packages[1].id);
  EXPECT_NE(s.packages[0].id, "SPDXRef-a");
}

}  // namespace
}  // namespace strata::sbom
