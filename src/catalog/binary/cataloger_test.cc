#include "catalog/binary/cataloger.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "base/unique_fd.h"
#include "catalog/binary/classifiers.h"
#include "oci/reference.h"
#include "testing/image_writer.h"
#include "testing/tar_writer.h"
#include "testing/test_util.h"

namespace strata::catalog::binary {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

template <size_t N>
std::string B(const char (&s)[N]) {
  return std::string(s, N - 1);
}

std::string Elf(const std::string& middle) {
  return B("\x7f"
           "ELF\x02\x01\x01\0") +
         std::string(512, '\xee') + middle + std::string(512, '\xdd');
}

std::string Python(std::string_view version) {
  return Elf(B("\0pymalloc_debug\0") + std::string(version) + B("\0strict\0"));
}

const std::string kJavaRelease =
    "IMPLEMENTOR=\"Debian\"\n"
    "JAVA_RUNTIME_VERSION=\"17.0.13+11-Debian-2deb12u1\"\n"
    "JAVA_VERSION=\"17.0.13\"\n";

// Loads with the cataloger's globs and rule; `whole`: without the rule's
// windows (reduce sees every file whole).
Result<image::LoadedImage> LoadWithCapture(const std::string& reference,
                                           bool whole = false) {
  ASSIGN_OR_RETURN(oci::ImageRef ref, oci::ParseReference(reference));
  Cataloger c = MakeBinaryCataloger();
  image::LoadOptions options;
  options.capture_globs.assign(c.globs.begin(), c.globs.end());
  options.capture_rules = c.rules;
  if (whole) options.capture_rules[0].window_bytes = 0;
  return image::Load(ref, options);
}

sbom::Sbom Catalog(const image::LoadedImage& img) {
  sbom::Sbom out;
  sbom::Distro distro;
  Context ctx{img, distro};
  Status s = MakeBinaryCataloger().run(ctx, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

// "<name> <version> <path>[,<path>...]" per package, in output order.
std::vector<std::string> Summary(const sbom::Sbom& s) {
  std::vector<std::string> out;
  for (const sbom::Package& p : s.packages) {
    std::string line = p.name + " " + p.version + " ";
    for (size_t i = 0; i < p.locations.size(); ++i) {
      line += (i ? "," : "") + p.locations[i].path;
    }
    out.push_back(line);
  }
  return out;
}

std::vector<std::string> Reasons(const sbom::Sbom& s) {
  std::vector<std::string> out;
  for (const sbom::Unknown& u : s.unknowns) {
    EXPECT_EQ(u.cataloger, "binary-classifier-cataloger");
    out.push_back(u.location.path + ": " + u.reason);
  }
  return out;
}

const sbom::Package* Find(const sbom::Sbom& s, std::string_view name) {
  for (const sbom::Package& p : s.packages) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

TEST(BinaryCatalogerTest, NameGlobsAndRule) {
  Cataloger c = MakeBinaryCataloger();
  EXPECT_EQ(c.name, "binary-classifier-cataloger");
  EXPECT_THAT(c.globs, ElementsAre("**/jvm/*/release", "**/java/*/release",
                                   "**/*jdk*/release", "**/*jre*/release"));
  ASSERT_EQ(c.rules.size(), 1u);
  const image::CaptureRule& r = c.rules[0];
  EXPECT_EQ(r.name, "binary-classifier");
  EXPECT_EQ(r.magic,
            "\x7f"
            "ELF");
  EXPECT_FALSE(r.executables);
  EXPECT_EQ(r.max_file_bytes, 128 * caps::kMiB);
  EXPECT_EQ(r.window_bytes, 4 * caps::kMiB);
  EXPECT_EQ(r.window_overlap, static_cast<int64_t>(kMaxDecidingBytes));
  EXPECT_EQ(r.globs, ClassifierGlobs(/*text=*/false));
  ASSERT_TRUE(r.reduce);
}

TEST(ReduceBinaryTest, OneLinePerHit) {
  std::string bytes =
      Elf(B("/release/mysql-8.0.37/mysys/x.cc\0"
            "10.11.6-MariaDB\0"));
  auto kept = ReduceBinary("usr/bin/mysql", bytes);
  ASSERT_TRUE(kept.ok());
  ASSERT_TRUE(kept->has_value());
  EXPECT_EQ(**kept,
            "mysql-binary\t0\t8.0.37\t/mysql-8.0.37/\n"
            "mariadb-binary\t0\t10.11.6\t10.11.6-MariaDB\n");
  kept = ReduceBinary("usr/bin/mysql", Elf(B("/mysql-8.0.37-linux\0")));
  ASSERT_TRUE(kept.ok());
  ASSERT_TRUE(kept->has_value());
  EXPECT_EQ(**kept, "mysql-binary\t1\t8.0.37\t/mysql-8.0.37-\n");
}

TEST(ReduceBinaryTest, NothingToKeep) {
  auto kept = ReduceBinary("usr/bin/python3.11", Elf("no version here"));
  ASSERT_TRUE(kept.ok());
  EXPECT_FALSE(kept->has_value());
  kept = ReduceBinary("usr/bin/unrelated", Python("3.11.2"));
  ASSERT_TRUE(kept.ok());
  EXPECT_FALSE(kept->has_value());
}

class BinaryCatalogerDirTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("strata-binary"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& path, const std::string& bytes,
             std::filesystem::perms perms = std::filesystem::perms(0755)) {
    std::filesystem::path p = dir_ + "/" + path;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
    std::filesystem::permissions(p, perms);
  }

  // A sparse ELF file of `size` bytes, NULs but for `pieces` (offset,
  // bytes).
  void WriteSparse(
      const std::string& path, int64_t size,
      const std::vector<std::pair<int64_t, std::string>>& pieces = {}) {
    std::filesystem::path p = dir_ + "/" + path;
    std::filesystem::create_directories(p.parent_path());
    UniqueFd fd(::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0755));
    ASSERT_TRUE(fd.valid());
    ASSERT_EQ(::write(fd.get(),
                      "\x7f"
                      "ELF",
                      4),
              4);
    for (const auto& [offset, bytes] : pieces) {
      ASSERT_EQ(::pwrite(fd.get(), bytes.data(), bytes.size(), offset),
                static_cast<ssize_t>(bytes.size()));
    }
    ASSERT_EQ(::ftruncate(fd.get(), size), 0);
  }

  std::string ReadBack(const std::string& path) {
    std::ifstream in(dir_ + "/" + path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // Files whose hits lie across and around window boundaries.
  void WriteWindowedFiles() {
    // Across the end of the first window: only the second holds it whole.
    WriteSparse("usr/lib/x86_64-linux-gnu/libnode.so.108", 6 * caps::kMiB,
                {{kWindowBytes - 8, B("\0node.js/v18.20.4\0")}});
    // In the overlap of the first two windows: both see it.
    WriteSparse("usr/lib/libcurl.so.4", 5 * caps::kMiB,
                {{kWindowBytes - 100, B("\0libcurl/7.88.1 zlib\0")}});
    // The row's second pattern in the first window, its first in the third.
    WriteSparse(
        "usr/local/bin/redis-server", 10 * caps::kMiB,
        {{1000, B("\0Redis version 2.8.23\0")},
         {9 * caps::kMiB, B("\0"
                            "7.2.4buildkitsandbox-1702957741000000000\0")}});
    // Two rows; mysql's second pattern in the first window, its first in the
    // second; mariadb's in the last.
    WriteSparse("usr/bin/mysql", 9 * caps::kMiB,
                {{2 * caps::kMiB, B("/release/mysql-8.0.37-linux\0")},
                 {5 * caps::kMiB, B("/release/mysql-8.0.36/x.cc\0")},
                 {9 * caps::kMiB - 40, B("\0"
                                         "10.11.6-MariaDB\0")}});
  }

  std::string dir_;
};

TEST_F(BinaryCatalogerDirTest, ClassifiesBinariesAndReleaseFiles) {
  Write("usr/bin/python3.11", Python("3.11.2"));
  std::filesystem::create_symlink("python3.11", dir_ + "/usr/bin/python3");
  const std::string jdk = "usr/lib/jvm/java-17-openjdk-amd64/";
  Write(jdk + "release", kJavaRelease, std::filesystem::perms(0644));
  Write(jdk + "bin/java", Elf(B("\0openjdk\0java\0"
                                "0.0\0"
                                "17.0.13+11-Debian-2deb12u1\0")));
  const std::string openssl = B("\0OpenSSL 3.0.15 3 Sep 2024\0");
  Write("usr/bin/openssl", Elf(openssl));
  Write("usr/lib/x86_64-linux-gnu/libcrypto.so.3", Elf(openssl));
  Write("usr/lib/x86_64-linux-gnu/libssl.so.3", Elf("no text"));
  Write("bin/bash", Elf(B("@(#)Bash version 5.2.15(1) release GNU\0")));
  // Not ELF: a wrapper script that mentions a version.
  Write("usr/local/bin/node", "#!/bin/sh\n# node.js/v20.0.0\nexec x \"$@\"\n");

  auto img = LoadWithCapture("dir:" + dir_);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  EXPECT_THAT(Reasons(s), IsEmpty());
  EXPECT_THAT(Summary(s), ElementsAre("bash 5.2.15 bin/bash",
                                      "openjdk 17.0.13+11-Debian-2deb12u1 " +
                                          jdk + "bin/java," + jdk + "release",
                                      "openssl 3.0.15 usr/bin/openssl,"
                                      "usr/lib/x86_64-linux-gnu/libcrypto.so.3",
                                      "python 3.11.2 usr/bin/python3.11"));

  const sbom::Package* python = Find(s, "python");
  ASSERT_NE(python, nullptr);
  EXPECT_EQ(python->type, sbom::PackageType::kBinary);
  EXPECT_EQ(python->cataloger, "binary-classifier-cataloger");
  EXPECT_EQ(python->purl, "pkg:generic/python@3.11.2");
  EXPECT_THAT(
      python->cpes,
      ElementsAre(
          "cpe:2.3:a:python_software_foundation:python:3.11.2:*:*:*:*:*:*:*",
          "cpe:2.3:a:python:python:3.11.2:*:*:*:*:*:*:*"));
  EXPECT_THAT(python->extra,
              ElementsAre(std::pair<const std::string, std::string>(
                              "binary.class", "python-binary"),
                          std::pair<const std::string, std::string>(
                              "binary.evidence", ".3.11.2.")));
  EXPECT_EQ(python->locations[0].layer, -1);

  const sbom::Package* java = Find(s, "openjdk");
  ASSERT_NE(java, nullptr);
  EXPECT_EQ(java->purl,
            "pkg:generic/oracle/openjdk@17.0.13%2B11-Debian-2deb12u1");
  EXPECT_THAT(java->cpes,
              ElementsAre("cpe:2.3:a:oracle:openjdk:17.0.13:*:*:*:*:*:*:*"));
  EXPECT_EQ(java->extra.at("binary.class"), "java-binary-openjdk");
}

TEST_F(BinaryCatalogerDirTest, ReleaseFileAlone) {
  Write("opt/java/openjdk/release", "JAVA_VERSION=\"17.0.13\"\n");
  auto img = LoadWithCapture("dir:" + dir_);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  EXPECT_THAT(Summary(s),
              ElementsAre("openjdk 17.0.13 opt/java/openjdk/release"));
  EXPECT_EQ(s.packages[0].extra.at("binary.class"), "java-jvm-release");
  EXPECT_EQ(s.packages[0].extra.at("binary.evidence"),
            "JAVA_VERSION=\"17.0.13\"");
}

TEST_F(BinaryCatalogerDirTest, BinaryOverCapIsUnknown) {
  const int64_t cap = MakeBinaryCataloger().rules[0].max_file_bytes;
  WriteSparse("usr/local/bin/node", cap + 1);
  WriteSparse("usr/local/bin/redis-server", cap);
  auto img = LoadWithCapture("dir:" + dir_);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  EXPECT_THAT(s.packages, IsEmpty());
  EXPECT_THAT(Reasons(s),
              ElementsAre("usr/local/bin/node: larger than the 128 MiB cap"));
}

TEST_F(BinaryCatalogerDirTest, MalformedResultAndReduceErrorAreUnknowns) {
  Write("usr/bin/curl", Elf(B("\0curl/8.5.0\0")));
  Write("usr/sbin/nginx", Elf(B("nginx version: nginx/1.25.3\n")));
  auto img = LoadWithCapture("dir:" + dir_);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  ASSERT_EQ(img->captured.size(), 2u);
  for (image::CapturedFile& f : img->captured) {
    ASSERT_EQ(f.rule, "binary-classifier");
    if (f.path == "usr/bin/curl") {
      f.content += "no-such-class\t1\tx\n";
    } else {
      f.content.clear();
      f.error = "reduce failed";
    }
  }
  sbom::Sbom s = Catalog(*img);
  EXPECT_THAT(Summary(s), ElementsAre("curl 8.5.0 usr/bin/curl"));
  EXPECT_THAT(Reasons(s),
              ElementsAre("usr/bin/curl: malformed classifier result",
                          "usr/sbin/nginx: reduce failed"));
}

TEST_F(BinaryCatalogerDirTest, WindowsFindHitsAcrossBoundaries) {
  WriteWindowedFiles();
  auto img = LoadWithCapture("dir:" + dir_);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  EXPECT_THAT(Reasons(s), IsEmpty());
  EXPECT_THAT(
      Summary(s),
      ElementsAre("curl 7.88.1 usr/lib/libcurl.so.4",
                  "mariadb 10.11.6 usr/bin/mysql", "mysql 8.0.36 usr/bin/mysql",
                  "node 18.20.4 "
                  "usr/lib/x86_64-linux-gnu/libnode.so.108",
                  "redis 7.2.4 usr/local/bin/redis-server"));
  // What each window kept, in window order.
  auto kept = [&](std::string_view path) {
    auto copies = image::CurrentCaptured(*img, "binary-classifier", path);
    return copies.size() == 1 ? copies[0]->content : "<none>";
  };
  EXPECT_EQ(kept("usr/lib/x86_64-linux-gnu/libnode.so.108"),
            "nodejs-library\t0\t18.20.4\tnode.js/v18.20.4\n");
  EXPECT_EQ(kept("usr/lib/libcurl.so.4"),
            "curl-library\t0\t7.88.1\tlibcurl/7.88.1\n"
            "curl-library\t0\t7.88.1\tlibcurl/7.88.1\n");
  EXPECT_EQ(kept("usr/local/bin/redis-server"),
            "redis-binary\t1\t2.8.23\tRedis version 2.8.23\n"
            "redis-binary\t0\t7.2.4\t7.2.4buildkitsandbox-\n");
  EXPECT_EQ(kept("usr/bin/mysql"),
            "mysql-binary\t1\t8.0.37\t/mysql-8.0.37-\n"
            "mysql-binary\t0\t8.0.36\t/mysql-8.0.36/\n"
            "mariadb-binary\t0\t10.11.6\t10.11.6-MariaDB\n");
  const sbom::Package* redis = Find(s, "redis");
  ASSERT_NE(redis, nullptr);
  EXPECT_EQ(redis->extra.at("binary.evidence"), "7.2.4buildkitsandbox-");
}

TEST_F(BinaryCatalogerDirTest, SameResultsWindowedAndWhole) {
  WriteWindowedFiles();
  Write("usr/bin/python3.11", Python("3.11.2"));
  Write("bin/bash", Elf(B("@(#)Bash version 5.2.15(1) release GNU\0")));
  auto windowed = LoadWithCapture("dir:" + dir_);
  ASSERT_TRUE(windowed.ok()) << windowed.status().ToString();
  auto whole = LoadWithCapture("dir:" + dir_, /*whole=*/true);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  // Whole: one reduce call per file, one line per row.
  auto redis = image::CurrentCaptured(*whole, "binary-classifier",
                                      "usr/local/bin/redis-server");
  ASSERT_EQ(redis.size(), 1u);
  EXPECT_EQ(redis[0]->content,
            "redis-binary\t0\t7.2.4\t7.2.4buildkitsandbox-\n");
  // As the reduce gives over the file's bytes.
  auto reduced = ReduceBinary("usr/local/bin/redis-server",
                              ReadBack("usr/local/bin/redis-server"));
  ASSERT_TRUE(reduced.ok());
  EXPECT_EQ(*reduced, redis[0]->content);

  sbom::Sbom a = Catalog(*windowed);
  sbom::Sbom b = Catalog(*whole);
  EXPECT_THAT(Reasons(a), IsEmpty());
  EXPECT_THAT(Reasons(b), IsEmpty());
  EXPECT_EQ(Summary(a), Summary(b));
  EXPECT_EQ(Summary(a).size(), 7u);
  ASSERT_EQ(a.packages.size(), b.packages.size());
  for (size_t i = 0; i < a.packages.size(); ++i) {
    EXPECT_EQ(a.packages[i].extra, b.packages[i].extra);
    EXPECT_EQ(a.packages[i].purl, b.packages[i].purl);
    EXPECT_EQ(a.packages[i].cpes, b.packages[i].cpes);
  }
}

TEST(BinaryCatalogerOciTest, ClassifiesCurrentCopyInItsLayer) {
  const std::string dir = testing::MakeTempDir("strata-binary-oci");
  testing::TestLayer base, top;
  base.tar = testing::TarWriter()
                 .Dir("usr/")
                 .Dir("usr/bin/")
                 .File("usr/bin/python3.11", Python("3.11.2"), 0755)
                 .File("usr/bin/bash",
                       Elf(B("@(#)Bash version 5.2.15(1) release GNU\0")), 0755)
                 .Finish();
  top.tar = testing::TarWriter()
                .File("usr/bin/python3.11", Python("3.11.9"), 0755)
                .Whiteout("usr/bin/bash")
                .Finish();
  testing::TestImage image;
  image.layers = {base, top};
  auto written = testing::WriteOciLayout(dir + "/img", {image});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  auto img = LoadWithCapture("oci:" + dir + "/img");
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  sbom::Sbom s = Catalog(*img);
  EXPECT_THAT(Summary(s), ElementsAre("python 3.11.9 usr/bin/python3.11"));
  ASSERT_EQ(s.packages.size(), 1u);
  EXPECT_EQ(s.packages[0].locations[0].layer, 1);
  EXPECT_EQ(s.packages[0].locations[0].layer_digest, (*written)[0].diff_ids[1]);
  std::filesystem::remove_all(dir);
}

// The lab's debian-fat image: Debian's python3.11, nodejs (libnode), an
// OpenJDK 17 JRE, openssl, bash and curl.
TEST(BinaryCatalogerLabTest, DebianFat) {
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
  auto version = [&](const char* name) -> std::string {
    const sbom::Package* p = Find(s, name);
    return p ? p->version : "";
  };
  EXPECT_THAT(version("python"), ::testing::StartsWith("3.11."));
  EXPECT_THAT(version("node"), ::testing::StartsWith("18."));
  EXPECT_THAT(version("openjdk"), ::testing::StartsWith("17."));
  EXPECT_THAT(version("openssl"), ::testing::StartsWith("3.0."));
  EXPECT_THAT(version("bash"), ::testing::StartsWith("5.2."));
  EXPECT_THAT(version("curl"), ::testing::StartsWith("7.88."));
  const sbom::Package* java = Find(s, "openjdk");
  ASSERT_NE(java, nullptr);
  std::vector<std::string> java_paths;
  for (const sbom::Location& l : java->locations) java_paths.push_back(l.path);
  EXPECT_THAT(java_paths,
              ::testing::Contains("usr/lib/jvm/java-17-openjdk-amd64/release"));
}

}  // namespace
}  // namespace strata::catalog::binary
