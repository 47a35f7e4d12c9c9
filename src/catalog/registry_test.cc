#include "catalog/registry.h"

#include <filesystem>
#include <fstream>
#include <set>

#include "catalog/cataloger.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/image_writer.h"

namespace strata::catalog {
namespace {

using ::testing::Contains;
using ::testing::UnorderedElementsAre;

class LinkOwnersTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = strata::testing::MakeTempDir("link_owners"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  image::LoadedImage LoadRoot() {
    auto ref = oci::ParseReference("dir:" + dir_);
    EXPECT_TRUE(ref.ok());
    auto img = image::Load(*ref, {});
    EXPECT_TRUE(img.ok()) << img.status().ToString();
    return std::move(img).value();
  }
  void Touch(const std::string& rel) {
    std::filesystem::create_directories(
        std::filesystem::path(dir_ + "/" + rel).parent_path());
    std::ofstream(dir_ + "/" + rel) << "x";
  }
  std::string dir_;
};

sbom::Package Pkg(sbom::PackageType t, std::string name,
                  std::vector<std::string> files, std::string location) {
  sbom::Package p;
  p.type = t;
  p.name = std::move(name);
  p.version = "1";
  p.files = std::move(files);
  sbom::Location l;
  l.path = std::move(location);
  p.locations = {l};
  return p;
}

TEST_F(LinkOwnersTest, OsPackagesContainWhatTheirFilesHold) {
  // Merged /usr: the deb lists bin/tool, the image holds usr/bin/tool.
  Touch("usr/bin/tool");
  Touch("usr/lib/python3/dist-packages/req-1.dist-info/METADATA");
  Touch("usr/share/java/lib.jar");
  Touch("app/own.jar");
  std::filesystem::create_directory_symlink("usr/bin", dir_ + "/bin");
  image::LoadedImage img = LoadRoot();

  sbom::Sbom s;
  s.packages.push_back(Pkg(sbom::PackageType::kDeb, "tool",
                           {"bin/tool", "usr/share/doc/tool"},
                           "var/lib/dpkg/status"));
  s.packages.push_back(
      Pkg(sbom::PackageType::kDeb, "python3-req",
          {"usr/lib/python3/dist-packages/req-1.dist-info/METADATA"},
          "var/lib/dpkg/status"));
  s.packages.push_back(Pkg(sbom::PackageType::kDeb, "libjava",
                           {"usr/share/java/lib.jar"}, "var/lib/dpkg/status"));
  s.packages.push_back(Pkg(sbom::PackageType::kGoModule, "golang.org/x/sys", {},
                           "usr/bin/tool"));
  s.packages.push_back(
      Pkg(sbom::PackageType::kPython, "req", {},
          "usr/lib/python3/dist-packages/req-1.dist-info/METADATA"));
  s.packages.push_back(Pkg(sbom::PackageType::kJavaArchive, "inner", {},
                           "usr/share/java/lib.jar!/lib/inner.jar"));
  s.packages.push_back(
      Pkg(sbom::PackageType::kJavaArchive, "own", {}, "app/own.jar"));
  s.packages[6].id = "java:app/own.jar";  // a cataloger's own id is kept
  LinkOwners(img, &s);

  for (const sbom::Package& p : s.packages) EXPECT_FALSE(p.id.empty());
  EXPECT_EQ(s.packages[6].id, "java:app/own.jar");
  std::vector<std::pair<std::string, std::string>> links;
  for (const sbom::Relationship& r : s.relationships) {
    EXPECT_EQ(r.type, "contains");
    auto name = [&](const std::string& id) {
      for (const sbom::Package& p : s.packages) {
        if (p.id == id) return p.name;
      }
      return std::string("?");
    };
    links.emplace_back(name(r.from), name(r.to));
  }
  EXPECT_THAT(
      links,
      UnorderedElementsAre(
          std::pair<std::string, std::string>{"tool", "golang.org/x/sys"},
          std::pair<std::string, std::string>{"python3-req", "req"},
          std::pair<std::string, std::string>{"libjava", "inner"}));
  // Finalize carries the links over to the final ids.
  sbom::Finalize(s);
  EXPECT_EQ(s.relationships.size(), 3u);
}

TEST(RegistryTest, EveryCatalogerHasANameAndWhatItReads) {
  std::set<std::string_view> names, rules;
  for (const Cataloger& c : Catalogers()) {
    EXPECT_FALSE(c.name.empty());
    EXPECT_TRUE(names.insert(c.name).second) << c.name;
    EXPECT_TRUE(!c.globs.empty() || !c.rules.empty()) << c.name;
    EXPECT_NE(c.run, nullptr) << c.name;
    for (const image::CaptureRule& r : c.rules) {
      EXPECT_TRUE(rules.insert(r.name).second) << r.name;
    }
  }
  EXPECT_LE(CaptureRules().size(), 64u);  // image::Capturer's limit
  EXPECT_THAT(CaptureGlobs(), Contains("var/lib/dpkg/status"));
}

}  // namespace
}  // namespace strata::catalog
