#include "catalog/python/cataloger.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "catalog/cataloger_test_util.h"
#include "oci/reference.h"
#include "testing/image_writer.h"
#include "testing/tar_writer.h"
#include "testing/test_util.h"

namespace strata::catalog::python {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr std::string_view kName = "python-installed-package-cataloger";

Result<image::LoadedImage> LoadWithCapture(
    const std::string& reference,
    int64_t max_file_bytes = caps::kMaxCapturedFileBytes) {
  return test::LoadForCataloger(MakePythonCataloger(), reference,
                                max_file_bytes);
}

sbom::Sbom Catalog(const image::LoadedImage& img) {
  return test::RunCataloger(MakePythonCataloger(), img);
}

const sbom::Package* Find(const sbom::Sbom& s, std::string_view name) {
  return test::FindPackage(s, name);
}

std::vector<std::string> Reasons(const sbom::Sbom& s) {
  return test::UnknownReasons(s, kName);
}

std::string Testdata(const std::string& c) {
  return std::string(STRATA_SOURCE_DIR) + "/src/catalog/python/testdata/" + c;
}

sbom::Location Loc(std::string path) { return {std::move(path), -1, ""}; }

TEST(PythonCatalogerTest, NameAndGlobs) {
  Cataloger c = MakePythonCataloger();
  EXPECT_EQ(c.name, kName);
  EXPECT_THAT(
      c.globs,
      ElementsAre("**/*.dist-info/METADATA", "**/*.dist-info/RECORD",
                  "**/*.egg-info/PKG-INFO", "**/*.egg-info/installed-files.txt",
                  "**/*.egg-info/requires.txt", "**/*.egg-info",
                  "**/*.egg/EGG-INFO/PKG-INFO",
                  "**/*.egg/EGG-INFO/requires.txt"));
  EXPECT_THAT(c.rules, IsEmpty());
}

class SiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto img = LoadWithCapture("dir:" + Testdata("site"));
    ASSERT_TRUE(img.ok()) << img.status().ToString();
    sbom_ = Catalog(*img);
  }
  sbom::Sbom sbom_;
};

constexpr std::string_view kDist = "usr/lib/python3/dist-packages";
constexpr std::string_view kLocal = "usr/local/lib/python3.11/dist-packages";
constexpr std::string_view kVenv = "app/venv/lib/python3.12/site-packages";

std::string In(std::string_view dir, std::string_view rel) {
  return std::string(dir) + "/" + std::string(rel);
}

TEST_F(SiteTest, FindsEveryInstalledDistribution) {
  std::map<std::string, std::string> found;
  for (const sbom::Package& p : sbom_.packages) {
    EXPECT_EQ(p.type, sbom::PackageType::kPython);
    EXPECT_EQ(p.cataloger, kName);
    EXPECT_TRUE(p.purl.empty());
    found[p.name] = p.version;
  }
  EXPECT_EQ(found, (std::map<std::string, std::string>{
                       {"Flask-Cors", "3.0.10"},
                       {"PyYAML", "6.0.1"},
                       {"certifi", "2022.9.24"},
                       {"cryptography", "38.0.4"},
                       {"python-apt", "2.6.0"},
                       {"requests", "2.28.1"},
                       {"urllib3", "2.3.0"},
                       {"zope.interface", "5.5.2"},
                   }));
  EXPECT_THAT(Reasons(sbom_),
              ElementsAre(In(kVenv, "broken-1.0.dist-info/METADATA") +
                          ": no Version field"));
}

TEST_F(SiteTest, DistInfoWithRecord) {
  const sbom::Package* p = Find(sbom_, "requests");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->description, "Python HTTP for Humans.");
  EXPECT_THAT(p->licenses, ElementsAre("Apache-2.0"));
  EXPECT_THAT(p->depends,
              ElementsAre("charset-normalizer", "idna", "urllib3", "certifi"));
  EXPECT_THAT(p->provides, IsEmpty());
  EXPECT_THAT(
      p->locations,
      ElementsAre(Loc(In(kDist, "requests-2.28.1.dist-info/METADATA"))));
  EXPECT_THAT(p->files, SizeIs(10));
  EXPECT_THAT(p->files, Contains(In(kDist, "requests/api.py")));
  EXPECT_THAT(p->files, Contains("usr/bin/requests-cli"));
  EXPECT_EQ(p->extra, (std::map<std::string, std::string>{
                          {"python.site", std::string(kDist)}}));
}

TEST_F(SiteTest, DistInfoAndEggInfoOfOneDistributionAreOnePackage) {
  const sbom::Package* p = Find(sbom_, "cryptography");
  ASSERT_NE(p, nullptr);
  EXPECT_THAT(
      p->locations,
      ElementsAre(Loc(In(kDist, "cryptography-38.0.4.dist-info/METADATA")),
                  Loc(In(kDist, "cryptography.egg-info/PKG-INFO"))));
  EXPECT_THAT(p->licenses, ElementsAre("BSD-3-Clause OR Apache-2.0"));
  EXPECT_THAT(p->depends, ElementsAre("cffi"));
  EXPECT_THAT(p->files, SizeIs(4));
}

TEST_F(SiteTest, EggInfoDirectories) {
  const sbom::Package* certifi = Find(sbom_, "certifi");
  ASSERT_NE(certifi, nullptr);
  EXPECT_THAT(certifi->licenses, ElementsAre("MPL-2.0"));
  EXPECT_THAT(certifi->files, IsEmpty());  // Debian ships no file list
  EXPECT_THAT(
      certifi->locations,
      ElementsAre(Loc(In(kDist, "certifi-2022.9.24.egg-info/PKG-INFO"))));

  const sbom::Package* cors = Find(sbom_, "Flask-Cors");
  ASSERT_NE(cors, nullptr);
  EXPECT_THAT(cors->licenses, ElementsAre("MIT"));
  EXPECT_THAT(cors->depends, ElementsAre("flask", "six"));
  EXPECT_THAT(cors->provides, ElementsAre("flask-cors"));
  EXPECT_THAT(cors->files, SizeIs(11));
  EXPECT_THAT(cors->files, Contains(In(kLocal, "flask_cors/core.py")));
  EXPECT_EQ(cors->extra.at("python.site"), kLocal);
}

TEST_F(SiteTest, SingleFileEggInfoAndUnzippedEgg) {
  const sbom::Package* apt = Find(sbom_, "python-apt");
  ASSERT_NE(apt, nullptr);
  EXPECT_THAT(apt->locations,
              ElementsAre(Loc(In(kDist, "python_apt-2.6.0.egg-info"))));
  EXPECT_THAT(apt->licenses,
              ElementsAre("LicenseRef-GNU-General-Public-License--GPL-"));
  EXPECT_EQ(apt->extra.at("python.site"), kDist);

  const sbom::Package* zope = Find(sbom_, "zope.interface");
  ASSERT_NE(zope, nullptr);
  EXPECT_THAT(zope->depends, ElementsAre("setuptools"));
  EXPECT_THAT(zope->provides, ElementsAre("zope-interface"));
  EXPECT_THAT(zope->licenses, ElementsAre("LicenseRef-Zope-Public-License"));
  EXPECT_EQ(zope->extra.at("python.site"), kLocal);
}

TEST_F(SiteTest, LicenseExpressionAndNormalisedNames) {
  const sbom::Package* urllib3 = Find(sbom_, "urllib3");
  ASSERT_NE(urllib3, nullptr);
  EXPECT_THAT(urllib3->licenses, ElementsAre("MIT"));
  EXPECT_THAT(urllib3->depends, IsEmpty());  // extras only
  EXPECT_EQ(urllib3->extra.at("python.site"), kVenv);
  const sbom::Package* yaml = Find(sbom_, "PyYAML");
  ASSERT_NE(yaml, nullptr);
  EXPECT_THAT(yaml->provides, ElementsAre("pyyaml"));
  EXPECT_THAT(yaml->files, IsEmpty());  // no RECORD
}

TEST_F(SiteTest, DependsResolveAfterFinalize) {
  sbom::Finalize(sbom_);
  std::set<std::string> edges;
  std::map<std::string, std::string> names;
  for (const sbom::Package& p : sbom_.packages) names[p.id] = p.name;
  for (const sbom::Relationship& r : sbom_.relationships) {
    edges.insert(names[r.from] + " -> " + names[r.to]);
  }
  EXPECT_EQ(edges, (std::set<std::string>{"requests -> certifi",
                                          "requests -> urllib3"}));
  const sbom::Package* yaml = Find(sbom_, "PyYAML");
  ASSERT_NE(yaml, nullptr);
  EXPECT_EQ(yaml->purl, "pkg:pypi/pyyaml@6.0.1");
}

class LayeredPythonTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("strata-python"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<image::LoadedImage> Write(const std::vector<std::string>& tars,
                                   int64_t max_file_bytes) {
    testing::TestImage ti;
    for (const std::string& t : tars) {
      testing::TestLayer layer;
      layer.tar = t;
      ti.layers.push_back(std::move(layer));
    }
    auto written = testing::WriteOciLayout(dir_ + "/layout", {ti});
    if (!written.ok()) return written.status();
    diff_ids_ = (*written)[0].diff_ids;
    return LoadWithCapture("oci:" + dir_ + "/layout", max_file_bytes);
  }

  std::string dir_;
  std::vector<std::string> diff_ids_;
};

TEST_F(LayeredPythonTest, CurrentCopiesOnlyAndCapsBecomeUnknowns) {
  const std::string site = "usr/lib/python3.11/site-packages/";
  std::string big_record;
  for (int i = 0; i < 100; ++i)
    big_record += "pkg/m" + std::to_string(i) + ".py,,\n";
  auto img = Write(
      {testing::TarWriter()
           .File(site + "gone-1.0.dist-info/METADATA",
                 "Name: gone\nVersion: 1.0\n")
           .File(site + "a-1.0.dist-info/METADATA", "Name: a\nVersion: 1.0\n")
           .File(site + "a-1.0.dist-info/RECORD", big_record)
           .File(site + "huge-1.0.dist-info/METADATA",
                 "Name: huge\nVersion: 1.0\nLicense: " +
                     std::string(2000, 'x') + "\n")
           .Finish(),
       testing::TarWriter()
           .File(site + ".wh.gone-1.0.dist-info", "")
           .File(site + "b-2.0.dist-info/METADATA", "Name: b\nVersion: 2.0\n")
           .Finish()},
      /*max_file_bytes=*/1024);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  std::vector<std::string> names;
  for (const sbom::Package& p : s.packages) names.push_back(p.name);
  EXPECT_THAT(names, ElementsAre("a", "b"));
  // The RECORD over the cap costs the files, not the package.
  EXPECT_THAT(s.packages[0].files, IsEmpty());
  EXPECT_THAT(s.packages[1].locations,
              ElementsAre(sbom::Location{site + "b-2.0.dist-info/METADATA", 1,
                                         diff_ids_[1]}));
  EXPECT_THAT(Reasons(s),
              ElementsAre(site + "a-1.0.dist-info/RECORD: \"" + site +
                              "a-1.0.dist-info/RECORD\" is larger than the "
                              "capture cap",
                          site + "huge-1.0.dist-info/METADATA: larger than the "
                                 "capture cap"));
}

// --- Lab image: what Trivy finds on debian-fat must be found ---------------

TEST(LabPythonTest, DebianFat) {
  const std::string path = testing::LabImagesDir() + "/debian-fat.oci";
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    GTEST_SKIP() << "lab image " << path
                 << " absent (set STRATA_LAB_IMAGES or run "
                    "scripts/lab-images.sh)";
  }
  auto img = LoadWithCapture("oci:" + path);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  EXPECT_THAT(Reasons(s), IsEmpty());
  std::set<std::string> found;
  for (const sbom::Package& p : s.packages) {
    found.insert(p.locations.front().path + " " + p.name + "@" + p.version);
  }
  // Trivy's finding, and Debian's python3-* packages.
  EXPECT_THAT(found, Contains("app/python/site-packages/PyYAML-6.0.dist-info/"
                              "METADATA PyYAML@6.0"));
  EXPECT_THAT(found, Contains("usr/lib/python3/dist-packages/"
                              "requests-2.28.1.egg-info/PKG-INFO "
                              "requests@2.28.1"));
  EXPECT_THAT(found, Contains("usr/lib/python3/dist-packages/"
                              "cryptography-38.0.4.dist-info/METADATA "
                              "cryptography@38.0.4"));
}

}  // namespace
}  // namespace strata::catalog::python
