// End-to-end tests on the lab's real images (../shared/lab, built once into
// ${XDG_CACHE_HOME:-~/.cache}/strata-lab/images by scripts/lab-images.sh,
// which ctest runs first as the fixture "lab_images"). Every test skips with
// a message when the images are absent.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>

#include "base/json.h"
#include "image/loader.h"
#include "oci/reference.h"
#include "testing/test_util.h"

namespace strata {
namespace {

std::string LabImages() { return testing::LabImagesDir(); }

bool Exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}

#define REQUIRE_LAB_IMAGE(name)                                               \
  if (!Exists(LabImages() + "/" + (name) + ".docker.tar")) {                  \
    GTEST_SKIP() << "lab image " << (name) << " not built in " << LabImages() \
                 << " (needs ../shared/lab; run scripts/lab-images.sh)";      \
  }

// Runs a command and returns its stdout (empty on failure).
std::string Capture(const std::string& cmd, int* status) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
    out.append(buf.data(), n);
  *status = ::pclose(p);
  return out;
}

image::LoadedImage MustLoad(const std::string& reference) {
  auto ref = oci::ParseReference(reference);
  EXPECT_TRUE(ref.ok()) << ref.status().ToString();
  auto img = image::Load(*ref, image::LoadOptions{});
  EXPECT_TRUE(img.ok()) << reference << ": " << img.status().ToString();
  if (!img.ok()) std::abort();
  return std::move(img).value();
}

class LabImageTest : public ::testing::TestWithParam<std::string> {};

// The three on-disk forms of one image give the same layers and view.
TEST_P(LabImageTest, AllFormsAgree) {
  const std::string name = GetParam();
  REQUIRE_LAB_IMAGE(name);
  const std::string base = LabImages() + "/" + name;
  image::LoadedImage oci = MustLoad("oci:" + base + ".oci");
  image::LoadedImage ocia = MustLoad("oci-archive:" + base + ".oci.tar");
  image::LoadedImage dock = MustLoad("docker-archive:" + base + ".docker.tar");
  ASSERT_TRUE(oci.metadata && ocia.metadata && dock.metadata);
  EXPECT_EQ(oci.metadata->manifest.digest, ocia.metadata->manifest.digest);
  ASSERT_EQ(oci.layers.size(), dock.layers.size());
  for (size_t i = 0; i < oci.layers.size(); ++i) {
    EXPECT_EQ(oci.layers[i].diff_id, ocia.layers[i].diff_id);
    EXPECT_EQ(oci.layers[i].diff_id, dock.layers[i].diff_id);
    EXPECT_EQ(oci.layers[i].entries, dock.layers[i].entries);
  }
  EXPECT_EQ(oci.tree.size(), ocia.tree.size());
  EXPECT_EQ(oci.tree.size(), dock.tree.size());
  EXPECT_GT(oci.tree.size(), 50);
}

// The squashed view matches an independent implementation (Python tarfile).
TEST_P(LabImageTest, ViewMatchesPythonOracle) {
  const std::string name = GetParam();
  REQUIRE_LAB_IMAGE(name);
  const std::string layout = LabImages() + "/" + name + ".oci";
  image::LoadedImage img = MustLoad("oci:" + layout);
  std::string cmd = "python3 " STRATA_SOURCE_DIR "/src/integration/oracle.py";
  for (const auto& l : img.metadata->layers) {
    cmd += " " + layout + "/blobs/sha256/" + l.descriptor.digest.hex();
  }
  int status = -1;
  std::string out = Capture(cmd, &status);
  ASSERT_EQ(status, 0) << cmd;
  auto counts = json::Parse(out, "oracle output", 1 << 20);
  ASSERT_TRUE(counts.ok()) << out;
  EXPECT_EQ((*counts)["total"].get<int64_t>(), img.tree.size());
  EXPECT_EQ((*counts)["regular"].get<int64_t>(),
            img.tree.CountType(fs::FileType::kRegular));
  EXPECT_EQ((*counts)["directories"].get<int64_t>(),
            img.tree.CountType(fs::FileType::kDirectory));
  EXPECT_EQ((*counts)["symlinks"].get<int64_t>(),
            img.tree.CountType(fs::FileType::kSymlink));
}

INSTANTIATE_TEST_SUITE_P(Lab, LabImageTest,
                         ::testing::Values("debian-minbase", "debian-fat",
                                           "distroless-style", "alpine-3.20"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n) {
                             if (!isalnum(static_cast<unsigned char>(c)))
                               c = '_';
                           }
                           return n;
                         });

TEST(LabDebianFatTest, WhiteoutsApplied) {
  REQUIRE_LAB_IMAGE("debian-fat");
  image::LoadedImage img = MustLoad("oci:" + LabImages() + "/debian-fat.oci");
  ASSERT_EQ(img.layers.size(), 4u);
  const fs::FileTree& t = img.tree;
  // Layer 2 installed these; layer 3 whites them out.
  EXPECT_EQ(t.Lookup("usr/bin/curl"), nullptr);
  EXPECT_EQ(t.Lookup("usr/lib/python3/dist-packages/yaml"), nullptr);
  EXPECT_EQ(t.Lookup("usr/lib/python3/dist-packages/PyYAML-6.0.dist-info"),
            nullptr);
  EXPECT_EQ(t.Lookup("usr/share/nodejs/semver"), nullptr);
  // The opaque directory keeps only what layer 3 put in it.
  EXPECT_NE(t.Lookup("usr/share/doc/python3-yaml/README.lab"), nullptr);
  EXPECT_EQ(t.Glob("usr/share/doc/python3-yaml/*"),
            std::vector<std::string>{"usr/share/doc/python3-yaml/README.lab"});
  // Things that stay.
  EXPECT_NE(t.Lookup("usr/bin/python3"), nullptr);
  EXPECT_NE(t.Lookup("app/package-lock.json"), nullptr);
  EXPECT_EQ(t.Lookup("app/package-lock.json")->layer, 3);
}

TEST(LabDebianFatTest, SymlinksResolveInsideTheImage) {
  REQUIRE_LAB_IMAGE("debian-fat");
  image::LoadedImage img = MustLoad("oci:" + LabImages() + "/debian-fat.oci");
  // Debian 12 is merged-/usr: bin -> usr/bin, sh -> dash.
  auto r = img.tree.Resolve("bin/sh");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->path, "usr/bin/dash");
  EXPECT_EQ(r->info->type, fs::FileType::kRegular);
  auto os = img.tree.Resolve("etc/os-release");
  ASSERT_TRUE(os.ok());
  EXPECT_EQ(os->path, "usr/lib/os-release");
}

TEST(LabCliTest, InspectJsonOnDebianFat) {
  REQUIRE_LAB_IMAGE("debian-fat");
  int status = -1;
  std::string out =
      Capture(std::string(STRATA_BINARY_DIR) + "/strata inspect -o json " +
                  LabImages() + "/debian-fat.oci.tar",
              &status);
  ASSERT_EQ(status, 0);
  auto j = json::Parse(out, "inspect output", 1 << 24);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ((*j)["schemaVersion"], "strata.inspect/v1");
  EXPECT_EQ((*j)["transport"], "oci-archive");
  EXPECT_EQ((*j)["platform"], "linux/amd64");
  EXPECT_EQ((*j)["layers"].size(), 4u);
  for (const auto& l : (*j)["layers"]) {
    EXPECT_EQ(l["compression"], "gzip");
    EXPECT_GT(l["uncompressedSize"].get<int64_t>(),
              l["compressedSize"].get<int64_t>() - 1024 * 1024);
  }
}

// strata sbom on every lab image: the OS package count equals the lab's
// ground truth (../shared/lab/inventory.py), and both standard formats
// validate against the official schemas.
struct SbomCase {
  const char* image;
  const char* purl_type;
  int packages;
};

class LabSbomTest : public ::testing::TestWithParam<SbomCase> {};

TEST_P(LabSbomTest, CountsPackagesAndValidates) {
  const SbomCase c = GetParam();
  REQUIRE_LAB_IMAGE(c.image);
  std::string dir = "/tmp/strata-lab-sbom-" + std::string(c.image);
  std::string validate = STRATA_SOURCE_DIR "/../shared/schemas/validate.sh";
  int status = -1;
  Capture("rm -rf " + dir + " && mkdir -p " + dir, &status);
  std::string out = Capture(std::string(STRATA_BINARY_DIR) +
                                "/strata sbom -q -o json -o spdx-json=" + dir +
                                "/s.json -o cyclonedx-json=" + dir +
                                "/c.json -o cyclonedx-json=" + dir +
                                "/c15.json --cyclonedx-version 1.5 " +
                                LabImages() + "/" + c.image + ".oci",
                            &status);
  ASSERT_EQ(status, 0) << out;
  auto j = json::Parse(out, "sbom", 1 << 28);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  int n = 0;
  for (const auto& p : (*j)["packages"]) {
    if (p["purl"].get<std::string>().rfind(
            std::string("pkg:") + c.purl_type + "/", 0) == 0)
      ++n;
  }
  EXPECT_EQ(n, c.packages);
  if (!Exists(validate)) GTEST_SKIP() << validate << " absent";
  for (const auto& [fmt, file] :
       std::vector<std::pair<std::string, std::string>>{
           {"spdx-2.3", "s.json"},
           {"cyclonedx-1.6", "c.json"},
           {"cyclonedx-1.5", "c15.json"}}) {
    std::string v = Capture(
        "bash " + validate + " " + fmt + " " + dir + "/" + file + " 2>&1",
        &status);
    EXPECT_EQ(status, 0) << fmt << ": " << v;
  }
  Capture("rm -rf " + dir, &status);
}

INSTANTIATE_TEST_SUITE_P(
    Lab, LabSbomTest,
    ::testing::Values(SbomCase{"debian-minbase", "deb", 96},
                      SbomCase{"debian-fat", "deb", 565},
                      SbomCase{"distroless-style", "deb", 9},
                      SbomCase{"alpine-3.20", "apk", 14}),
    [](const auto& info) {
      std::string n = info.param.image;
      for (char& ch : n) {
        if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return n;
    });

// The identity of a package URL for comparison: type/namespace/name@version,
// percent-decoded and lowercased, without qualifiers or subpath.
std::string PurlKey(std::string purl) {
  purl = purl.substr(0, purl.find_first_of("?#"));
  std::string out;
  for (size_t i = 0; i < purl.size(); ++i) {
    if (purl[i] == '%' && i + 2 < purl.size()) {
      out += static_cast<char>(std::stoi(purl.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out +=
          static_cast<char>(std::tolower(static_cast<unsigned char>(purl[i])));
    }
  }
  return out;
}

// Issue "SBOM II": every language package Trivy reports on debian-fat is in
// strata's SBOM (strata may find more). Runs the real Trivy through the
// lab's script (installed from npm on first use); skips when it cannot run.
TEST(LabTrivyTest, EveryLanguagePackageTrivyFindsOnDebianFat) {
  REQUIRE_LAB_IMAGE("debian-fat");
  std::string script = STRATA_SOURCE_DIR "/../shared/lab/trivy-sbom.sh";
  if (!Exists(script)) GTEST_SKIP() << script << " absent";
  std::string dir = "/tmp/strata-lab-trivy";
  int status = -1;
  Capture("rm -rf " + dir + " && mkdir -p " + dir, &status);
  std::string log = Capture("bash " + script + " " + LabImages() +
                                "/debian-fat.oci " + dir + "/trivy.json 2>&1",
                            &status);
  if (status != 0 || !Exists(dir + "/trivy.json")) {
    GTEST_SKIP() << "Trivy could not run (offline?): " << log;
  }
  std::string strata =
      Capture(std::string(STRATA_BINARY_DIR) + "/strata sbom -q -o json " +
                  LabImages() + "/debian-fat.oci",
              &status);
  ASSERT_EQ(status, 0);
  auto ours = json::Parse(strata, "strata sbom", 1 << 28);
  ASSERT_TRUE(ours.ok()) << ours.status().ToString();
  std::set<std::string> found;
  for (const auto& p : (*ours)["packages"]) {
    found.insert(PurlKey(p["purl"].get<std::string>()));
  }
  std::string trivy_text = Capture("cat " + dir + "/trivy.json", &status);
  auto trivy = json::Parse(trivy_text, "trivy sbom", 1 << 28);
  ASSERT_TRUE(trivy.ok()) << trivy.status().ToString();
  int language = 0;
  for (const auto& c : (*trivy)["components"]) {
    if (!c.contains("purl")) continue;
    std::string key = PurlKey(c["purl"].get<std::string>());
    if (key.rfind("pkg:deb/", 0) == 0 || key.rfind("pkg:apk/", 0) == 0 ||
        key.rfind("pkg:rpm/", 0) == 0) {
      continue;
    }
    ++language;
    EXPECT_TRUE(found.count(key)) << "Trivy found " << key << ", strata not";
  }
  EXPECT_GE(language, 80);  // npm, maven, golang and pypi packages
  Capture("rm -rf " + dir, &status);
}

}  // namespace
}  // namespace strata
