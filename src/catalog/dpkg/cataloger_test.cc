#include "catalog/dpkg/cataloger.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "catalog/osrelease/os_release.h"
#include "oci/reference.h"
#include "testing/image_writer.h"
#include "testing/tar_writer.h"
#include "testing/test_util.h"

namespace strata::catalog::dpkg {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> CaptureGlobs() {
  std::vector<std::string> globs;
  for (std::string_view g : MakeDpkgCataloger().globs) globs.emplace_back(g);
  for (std::string_view g : osrelease::Globs()) globs.emplace_back(g);
  return globs;
}

Result<image::LoadedImage> LoadWithCapture(
    const std::string& reference,
    int64_t max_file_bytes = caps::kMaxCapturedFileBytes) {
  ASSIGN_OR_RETURN(oci::ImageRef ref, oci::ParseReference(reference));
  image::LoadOptions options;
  options.capture_globs = CaptureGlobs();
  options.max_captured_file_bytes = max_file_bytes;
  return image::Load(ref, options);
}

sbom::Sbom Catalog(const image::LoadedImage& img) {
  sbom::Sbom out;
  sbom::Distro distro = osrelease::Detect(img);
  Context ctx{img, distro};
  Status s = MakeDpkgCataloger().run(ctx, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

const sbom::Package* Find(const sbom::Sbom& s, std::string_view name) {
  for (const sbom::Package& p : s.packages) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::string Testdata(const std::string& c) {
  return std::string(STRATA_SOURCE_DIR) + "/src/catalog/dpkg/testdata/" + c;
}

std::vector<std::string> Reasons(const sbom::Sbom& s) {
  std::vector<std::string> out;
  for (const sbom::Unknown& u : s.unknowns) {
    EXPECT_EQ(u.cataloger, "dpkg-db-cataloger");
    out.push_back(u.location.path + ": " + u.reason);
  }
  return out;
}

TEST(DpkgCatalogerTest, NameAndGlobs) {
  Cataloger c = MakeDpkgCataloger();
  EXPECT_EQ(c.name, "dpkg-db-cataloger");
  EXPECT_THAT(
      c.globs,
      ElementsAre("var/lib/dpkg/status", "var/lib/dpkg/status.d/*",
                  "var/lib/dpkg/info/*.list", "var/lib/dpkg/info/*.md5sums",
                  "usr/share/doc/*/copyright"));
}

TEST(DpkgCatalogerTest, StatusFileWithListsMd5sumsAndCopyrights) {
  auto img = LoadWithCapture("dir:" + Testdata("status"));
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  EXPECT_THAT(Reasons(s), IsEmpty());
  ASSERT_EQ(s.packages.size(), 3u);

  const sbom::Package* zlib = Find(s, "zlib1g");
  ASSERT_NE(zlib, nullptr);
  EXPECT_EQ(zlib->type, sbom::PackageType::kDeb);
  EXPECT_EQ(zlib->version, "1:1.2.13.dfsg-1");
  EXPECT_EQ(zlib->architecture, "amd64");
  EXPECT_EQ(zlib->source_name, "zlib");
  EXPECT_EQ(zlib->source_version, "1:1.2.13.dfsg-1");
  EXPECT_EQ(zlib->maintainer, "Mark Brown <broonie@debian.org>");
  EXPECT_EQ(zlib->description, "compression library - runtime");
  EXPECT_THAT(zlib->depends, ElementsAre("libc6"));
  EXPECT_THAT(zlib->provides, ElementsAre("libz1"));
  // From zlib1g:amd64.list; directories of the image left out.
  EXPECT_THAT(zlib->files,
              ElementsAre("usr/lib/x86_64-linux-gnu/libz.so.1.2.13",
                          "usr/share/doc/zlib1g/copyright",
                          "usr/lib/x86_64-linux-gnu/libz.so.1"));
  EXPECT_THAT(zlib->licenses, ElementsAre("Artistic-1.0-Perl", "BSL-1.0",
                                          "GPL-2.0-or-later", "Zlib"));
  EXPECT_THAT(zlib->locations,
              ElementsAre(sbom::Location{"var/lib/dpkg/status", -1, ""}));
  EXPECT_EQ(zlib->introduced_layer, -1);
  EXPECT_EQ(zlib->cataloger, "dpkg-db-cataloger");
  EXPECT_TRUE(zlib->purl.empty());
  EXPECT_TRUE(zlib->cpes.empty());

  const sbom::Package* libc = Find(s, "libc6");
  ASSERT_NE(libc, nullptr);
  EXPECT_EQ(libc->source_name, "glibc");
  EXPECT_EQ(libc->source_version, "2.36-9+deb12u4");
  // No .list: info/libc6:amd64.md5sums.
  EXPECT_THAT(libc->files,
              ElementsAre("lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                          "lib/x86_64-linux-gnu/libc.so.6"));
  EXPECT_THAT(libc->licenses,
              ElementsAre("GPL-2.0-or-later", "LGPL-2.1-or-later"));

  const sbom::Package* py = Find(s, "python3");
  ASSERT_NE(py, nullptr);
  EXPECT_THAT(py->files, IsEmpty());
  EXPECT_THAT(py->licenses, ElementsAre("LGPL-2.1-or-later", "MIT", "PSF-2.0"));
  EXPECT_EQ(Find(s, "old-tool"), nullptr);
  EXPECT_EQ(Find(s, "tzdata"), nullptr);
}

TEST(DpkgCatalogerTest, BadStanzasBecomeLocatedUnknowns) {
  auto img = LoadWithCapture("dir:" + Testdata("missing"));
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  EXPECT_NE(Find(s, "base-files"), nullptr);
  EXPECT_NE(Find(s, "mawk"), nullptr);
  EXPECT_EQ(s.packages.size(), 2u);
  EXPECT_THAT(
      Reasons(s),
      ElementsAre("var/lib/dpkg/status: stanza 2 has no Version field",
                  "var/lib/dpkg/status: stanza 3 has no Package field"));
}

TEST(DpkgCatalogerTest, DistrolessStatusD) {
  auto img = LoadWithCapture("dir:" + Testdata("distroless"));
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_EQ(osrelease::Detect(*img).id, "debian");
  sbom::Sbom s = Catalog(*img);
  EXPECT_THAT(Reasons(s), IsEmpty());
  ASSERT_EQ(s.packages.size(), 1u);
  const sbom::Package& p = s.packages[0];
  EXPECT_EQ(p.name, "libssl3");
  EXPECT_EQ(p.version, "3.0.15-1~deb12u1");
  EXPECT_EQ(p.source_name, "openssl");
  EXPECT_THAT(p.locations, ElementsAre(sbom::Location{
                               "var/lib/dpkg/status.d/libssl3", -1, ""}));
  EXPECT_THAT(p.files,
              ElementsAre("usr/lib/x86_64-linux-gnu/engines-3/afalg.so",
                          "usr/lib/x86_64-linux-gnu/libcrypto.so.3",
                          "usr/lib/x86_64-linux-gnu/libssl.so.3",
                          "usr/share/doc/libssl3/changelog.Debian.gz"));
  EXPECT_THAT(p.licenses, ElementsAre("Apache-2.0"));
}

std::string Stanza(std::string_view name, std::string_view version) {
  return "Package: " + std::string(name) +
         "\nStatus: install ok installed\nArchitecture: amd64\nVersion: " +
         std::string(version) + "\n\n";
}

class LayeredImageTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("strata-dpkg"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<image::LoadedImage> Write(
      const std::vector<std::string>& tars,
      int64_t max_file_bytes = caps::kMaxCapturedFileBytes) {
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

TEST_F(LayeredImageTest, IntroducedLayerIsTheFirstCopyListingThePackage) {
  auto img = Write({
      testing::TarWriter()
          .File("var/lib/dpkg/status", Stanza("a", "1.0") + Stanza("b", "1.0"))
          .File("var/lib/dpkg/status.d/x", Stanza("x", "1"))
          .Finish(),
      testing::TarWriter()
          .File("var/lib/dpkg/status",
                Stanza("a", "1.0") + Stanza("b", "2.0") + Stanza("c", "1.0"))
          .File("var/lib/dpkg/status.d/x", Stanza("x", "1"))
          .Finish(),
      testing::TarWriter()
          .File("var/lib/dpkg/status.d/y", Stanza("y", "1"))
          .File("etc/unrelated", "x")
          .Finish(),
  });
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  EXPECT_THAT(Reasons(s), IsEmpty());
  std::map<std::string, int> introduced;
  for (const sbom::Package& p : s.packages) {
    introduced[p.name + "@" + p.version] = p.introduced_layer;
  }
  EXPECT_EQ(
      introduced,
      (std::map<std::string, int>{
          {"a@1.0", 0}, {"b@2.0", 1}, {"c@1.0", 1}, {"x@1", 0}, {"y@1", 2}}));
  const sbom::Package* a = Find(s, "a");
  ASSERT_NE(a, nullptr);
  EXPECT_THAT(a->locations, ElementsAre(sbom::Location{"var/lib/dpkg/status", 1,
                                                       diff_ids_[1]}));
}

TEST_F(LayeredImageTest, StatusOverTheCaptureCapIsAnUnknown) {
  std::string status;
  for (int i = 0; i < 100; ++i) status += Stanza("p" + std::to_string(i), "1");
  auto img =
      Write({testing::TarWriter().File("var/lib/dpkg/status", status).Finish()},
            /*max_file_bytes=*/1024);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  EXPECT_THAT(s.packages, IsEmpty());
  EXPECT_THAT(Reasons(s),
              ElementsAre("var/lib/dpkg/status: \"var/lib/dpkg/status\" is "
                          "larger than the capture cap"));
}

TEST_F(LayeredImageTest, HostileNamesDoNotBuildPaths) {
  auto img =
      Write({testing::TarWriter()
                 .File("var/lib/dpkg/status",
                       Stanza("../../etc", "1") + Stanza("ok/x", "1"))
                 .File("etc/copyright", "/usr/share/common-licenses/GPL-2")
                 .Finish()});
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  ASSERT_EQ(s.packages.size(), 2u);
  for (const sbom::Package& p : s.packages) {
    EXPECT_THAT(p.files, IsEmpty());
    EXPECT_THAT(p.licenses, IsEmpty());
  }
}

// --- Lab images: dpkg-query is the oracle ----------------------------------

std::string Shell(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) {
    out.append(buf.data(), n);
  }
  EXPECT_EQ(::pclose(p), 0) << cmd;
  return out;
}

std::set<std::string> Lines(const std::string& s) {
  std::set<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.insert(line);
  }
  return out;
}

// "name\tversion\tarch" of the installed packages dpkg-query finds in
// `status` (written to a scratch admindir).
std::set<std::string> DpkgQuery(const std::string& dir,
                                const std::string& status) {
  std::filesystem::remove_all(dir + "/admin");
  std::filesystem::create_directories(dir + "/admin/info");
  std::filesystem::create_directories(dir + "/admin/updates");
  std::ofstream(dir + "/admin/status", std::ios::binary) << status;
  std::set<std::string> out;
  for (const std::string& line :
       Lines(Shell("dpkg-query --admindir=" + dir +
                   "/admin -W -f '${db:Status-Status}\\t${Package}\\t"
                   "${Version}\\t${Architecture}\\n' 2>/dev/null"))) {
    if (line.starts_with("installed\t")) out.insert(line.substr(10));
  }
  return out;
}

class LabDpkgTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("strata-dpkg-lab"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_P(LabDpkgTest, MatchesDpkgQuery) {
  const std::string path = testing::LabImagesDir() + "/" + GetParam() + ".oci";
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    GTEST_SKIP() << "lab image " << path
                 << " absent (set STRATA_LAB_IMAGES or run "
                    "scripts/lab-images.sh)";
  }
  auto img = LoadWithCapture("oci:" + path);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Distro distro = osrelease::Detect(*img);
  EXPECT_EQ(distro.id, "debian");
  EXPECT_EQ(distro.version_id, "12");
  EXPECT_EQ(distro.codename, "bookworm");

  sbom::Sbom s = Catalog(*img);
  EXPECT_THAT(Reasons(s), IsEmpty());
  std::set<std::string> got;
  std::map<std::string, int> got_layer;
  for (const sbom::Package& p : s.packages) {
    std::string key = p.name + "\t" + p.version + "\t" + p.architecture;
    got.insert(key);
    got_layer[key] = p.introduced_layer;
  }
  ASSERT_FALSE(got.empty());

  std::set<std::string> want;
  std::map<std::string, int> want_layer;
  auto status = image::ReadFile(*img, "var/lib/dpkg/status");
  if (status.ok()) {
    want = DpkgQuery(dir_, *status);
    // Introduced layers: dpkg-query over every layer's copy, lowest first.
    for (const image::CapturedFile* copy :
         image::CapturedCopies(*img, "var/lib/dpkg/status")) {
      for (const std::string& key : DpkgQuery(dir_, copy->content)) {
        want_layer.try_emplace(key, copy->layer);
      }
    }
  } else {
    // Distroless: one package per status.d file, read with awk.
    for (const std::string& f : img->tree.Glob("var/lib/dpkg/status.d/*")) {
      if (f.ends_with(".md5sums")) continue;
      auto content = image::ReadFile(*img, f);
      ASSERT_TRUE(content.ok()) << content.status().ToString();
      std::ofstream(dir_ + "/one", std::ios::binary) << *content;
      std::string line = Shell(
          "awk -F': ' '/^Package:/{p=$2} /^Version:/{v=$2} "
          "/^Architecture:/{a=$2} END{print p \"\\t\" v \"\\t\" a}' " +
          dir_ + "/one");
      want.insert(line.substr(0, line.find('\n')));
      want_layer[line.substr(0, line.find('\n'))] = img->tree.Lookup(f)->layer;
    }
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ(got_layer, want_layer);
}

INSTANTIATE_TEST_SUITE_P(Lab, LabDpkgTest,
                         ::testing::Values("debian-minbase", "debian-fat",
                                           "distroless-style"));

}  // namespace
}  // namespace strata::catalog::dpkg
