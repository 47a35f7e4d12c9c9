#include "catalog/binary/classifiers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <memory>
#include <set>
#include <string>

#include "catalog/binary/pattern.h"
#include "testing/test_util.h"

namespace strata::catalog::binary {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace std::string_literals;

// A string literal with its NUL bytes.
template <size_t N>
std::string B(const char (&s)[N]) {
  return std::string(s, N - 1);
}

// Deterministic binary noise (no printable runs worth matching).
std::string Noise(size_t n, uint32_t seed) {
  std::string out(n, '\0');
  for (char& c : out) {
    seed = seed * 1103515245 + 12345;
    c = static_cast<char>((seed >> 16) & 0xff);
  }
  return out;
}

// An ELF-looking file: header, noise, `middle`, noise.
std::string Elf(const std::string& middle) {
  return B("\x7f"
           "ELF\x02\x01\x01\0") +
         Noise(4096, 1) + middle + Noise(4096, 2);
}

// "<class> <package> <version>" of every hit.
std::vector<std::string> Found(std::string_view path, std::string_view bytes,
                               bool text = false) {
  std::vector<std::string> out;
  for (const Hit& h : Classify(path, bytes, text)) {
    out.push_back(std::string(h.classifier->klass) + " " +
                  std::string(h.classifier->package) + " " + h.version);
  }
  return out;
}

TEST(ClassifierTableTest, RowsAreWellFormed) {
  std::set<std::string_view> classes;
  for (const Classifier& c : Classifiers()) {
    SCOPED_TRACE(c.klass);
    EXPECT_TRUE(classes.insert(c.klass).second) << "duplicate class";
    EXPECT_FALSE(c.package.empty());
    EXPECT_TRUE(c.purl.starts_with("pkg:generic/")) << c.purl;
    EXPECT_FALSE(c.globs.empty());
    for (std::string_view g : c.globs) EXPECT_TRUE(g.starts_with("**/")) << g;
    EXPECT_FALSE(c.patterns.empty());
    for (std::string_view spec : c.patterns) {
      auto p = BytePattern::Parse(spec);
      EXPECT_TRUE(p.ok()) << p.status().ToString();
    }
    EXPECT_FALSE(c.cpes.empty());
    for (std::string_view vp : c.cpes) {
      EXPECT_EQ(std::count(vp.begin(), vp.end(), ':'), 1) << vp;
    }
    EXPECT_EQ(FindClassifier(c.klass), &c);
  }
  EXPECT_EQ(FindClassifier("no-such-class"), nullptr);
}

TEST(ClassifierTableTest, GlobsSplitByKind) {
  std::vector<std::string> text = ClassifierGlobs(/*text=*/true);
  EXPECT_THAT(text, ElementsAre("**/jvm/*/release", "**/java/*/release",
                                "**/*jdk*/release", "**/*jre*/release"));
  std::vector<std::string> elf = ClassifierGlobs(/*text=*/false);
  EXPECT_EQ(std::set<std::string>(elf.begin(), elf.end()).size(), elf.size());
  EXPECT_THAT(elf, ::testing::Contains("**/python[0-9].[0-9]*"));
  EXPECT_THAT(elf, ::testing::Contains("**/libnode.so*"));
  EXPECT_THAT(elf, ::testing::Not(::testing::Contains("**/jvm/*/release")));
}

TEST(ClassifyTest, Busybox) {
  EXPECT_THAT(Found("bin/busybox",
                    Elf("BusyBox v1.36.1 (2024-06-10 07:11:47 UTC) multi-call "
                        "binary.\n")),
              ElementsAre("busybox-binary busybox 1.36.1"));
  EXPECT_THAT(Found("bin/busybox",
                    Elf("BusyBox v1.35.0 (Debian 1:1.35.0-4+b3) multi-call")),
              ElementsAre("busybox-binary busybox 1.35.0"));
  EXPECT_THAT(Found("bin/busybox", Elf("BusyBox v%s (%s) multi-call binary")),
              IsEmpty());
  EXPECT_THAT(Found("bin/toybox", Elf("BusyBox v1.36.1 (2024)")), IsEmpty());
}

TEST(ClassifyTest, OpenSsl) {
  EXPECT_THAT(Found("usr/bin/openssl", Elf(B("\0OpenSSL 3.0.15 3 Sep 2024\0"
                                             "3.0.15\0"))),
              ElementsAre("openssl-binary openssl 3.0.15"));
  EXPECT_THAT(Found("usr/lib/x86_64-linux-gnu/libcrypto.so.1.1",
                    Elf(B("\0OpenSSL 1.1.1w  11 Sep 2023\0"))),
              ElementsAre("openssl-library openssl 1.1.1w"));
  EXPECT_THAT(Found("usr/lib64/libssl.so.10",
                    Elf(B("\0OpenSSL 1.0.2k-fips  26 Jan 2017\0"))),
              ElementsAre("openssl-library openssl 1.0.2k"));
  // Format strings and mentions in other text are no version.
  EXPECT_THAT(Found("usr/bin/openssl",
                    Elf(B("\0OpenSSL %s\0built with OpenSSL 3.0.15 x\0"))),
              IsEmpty());
}

TEST(ClassifyTest, PythonBinaryUsesVersionInFileName) {
  // Debian's python3.11 around PY_VERSION.
  const std::string bytes =
      Elf(B("\0"
            "3.1.0\0LC_ALL\0pymalloc\0pymalloc_debug\0"
            "3.11.2\0"
            "strict\0<prefix>/lib/pythonX.X\0"));
  EXPECT_THAT(Found("usr/bin/python3.11", bytes),
              ElementsAre("python-binary python 3.11.2"));
  EXPECT_THAT(Found("usr/local/bin/python3.12", bytes), IsEmpty());
  EXPECT_THAT(Found("usr/bin/python3", bytes), IsEmpty());
  EXPECT_THAT(Found("usr/local/lib/libpython3.11.so.1.0", bytes),
              ElementsAre("python-binary-lib python 3.11.2"));
  EXPECT_THAT(Found("usr/local/bin/python3.13", Elf(B("\0"
                                                      "3.13.0rc1\0"))),
              ElementsAre("python-binary python 3.13.0rc1"));
}

TEST(ClassifyTest, GoToolchain) {
  EXPECT_THAT(Found("usr/local/go/bin/go",
                    Elf(B("poly1305/bits_go1.13.go\0x\0go1.22.5\0\0\0\0"))),
              ElementsAre("go-binary go 1.22.5"));
  EXPECT_THAT(Found("usr/local/go/bin/go", Elf(B("go1.22.5 linux/amd64"))),
              IsEmpty());
  EXPECT_THAT(Found("usr/local/go/bin/gofmt", Elf(B("go1.22.5\0"))), IsEmpty());
}

TEST(ClassifyTest, Node) {
  const std::string bytes = Elf(
      B("node.js instance\0[ \0]\n\n\0/json\0node.js/v18.20.4\0(delegate_)"));
  EXPECT_THAT(Found("usr/local/bin/node", bytes),
              ElementsAre("nodejs-binary node 18.20.4"));
  EXPECT_THAT(Found("usr/lib/x86_64-linux-gnu/libnode.so.108", bytes),
              ElementsAre("nodejs-library node 18.20.4"));
  EXPECT_THAT(Found("usr/local/bin/node", Elf(B("node.js/v%s\0"))), IsEmpty());
}

TEST(ClassifyTest, JavaLauncher) {
  EXPECT_THAT(
      Found("usr/lib/jvm/java-17-openjdk-amd64/bin/java",
            Elf(B("NOTE: Picked up %s: %s\0openjdk\0java\0"
                  "0.0\0"
                  "17.0.13+11-Debian-2deb12u1\0-J-ms8m\0"))),
      ElementsAre("java-binary-openjdk openjdk 17.0.13+11-Debian-2deb12u1"));
  EXPECT_THAT(Found("opt/jdk8/bin/java", Elf(B("\0openjdk\0java\0"
                                               "1.8\0"
                                               "1.8.0_352-b08\0"))),
              ElementsAre("java-binary-openjdk openjdk 1.8.0_352-b08"));
  EXPECT_THAT(Found("usr/bin/java", Elf(B("\0openjdk\0java\0"
                                          "0.0\0\0"))),
              IsEmpty());
}

TEST(ClassifyTest, JvmReleaseFile) {
  const std::string temurin =
      "IMPLEMENTOR=\"Eclipse Adoptium\"\n"
      "JAVA_RUNTIME_VERSION=\"17.0.13+11\"\n"
      "JAVA_VERSION=\"17.0.13\"\n"
      "JAVA_VERSION_DATE=\"2024-10-15\"\n";
  EXPECT_THAT(Found("opt/java/openjdk/release", temurin, /*text=*/true),
              ElementsAre("java-jvm-release openjdk 17.0.13+11"));
  // Not a binary row.
  EXPECT_THAT(Found("opt/java/openjdk/release", temurin), IsEmpty());
  EXPECT_THAT(Found("usr/local/openjdk-11/release",
                    "JAVA_VERSION=\"11.0.16\"\nOS_NAME=\"Linux\"\n", true),
              ElementsAre("java-jvm-release openjdk 11.0.16"));
  EXPECT_THAT(Found("usr/lib/jvm/x/release", "JAVA_VERSION=\"\"\n", true),
              IsEmpty());
  EXPECT_THAT(Found("etc/release", temurin, true), IsEmpty());
}

TEST(ClassifyTest, Nginx) {
  EXPECT_THAT(
      Found("usr/sbin/nginx", Elf(B("\0nginx version: nginx/1.25.3\n\0"))),
      ElementsAre("nginx-binary nginx 1.25.3"));
  EXPECT_THAT(Found("usr/sbin/nginx", Elf(B("\0nginx version: %s\n\0"))),
              IsEmpty());
}

TEST(ClassifyTest, Httpd) {
  EXPECT_THAT(Found("usr/local/apache2/bin/httpd",
                    Elf(B("Apache/2\0Apache/2.4\0Apache/2.4.58 (Unix)\0"))),
              ElementsAre("httpd-binary httpd 2.4.58"));
  EXPECT_THAT(Found("usr/sbin/apache2", Elf(B("Apache/2.4.62 (Debian)\0"))),
              ElementsAre("httpd-binary httpd 2.4.62"));
  EXPECT_THAT(Found("usr/local/apache2/bin/httpd", Elf(B("Apache/2.4\0"))),
              IsEmpty());
}

TEST(ClassifyTest, Redis) {
  EXPECT_THAT(Found("usr/local/bin/redis-server",
                    Elf(B("Redis version=%s, bits=%d\0"
                          "7.2.4buildkitsandbox-1702957741000000000\0"))),
              ElementsAre("redis-binary redis 7.2.4"));
  EXPECT_THAT(Found("usr/local/bin/redis-server",
                    Elf(B("Server started, Redis version 2.8.23\0"))),
              ElementsAre("redis-binary redis 2.8.23"));
  EXPECT_THAT(Found("usr/local/bin/redis-server",
                    Elf(B("Redis version=%s, bits=%d\0"))),
              IsEmpty());
}

TEST(ClassifyTest, Postgres) {
  EXPECT_THAT(
      Found("usr/lib/postgresql/16/bin/postgres",
            Elf(B("\0PostgreSQL 16.1 on x86_64-pc-linux-gnu, compiled by "
                  "gcc\0"))),
      ElementsAre("postgresql-binary postgresql 16.1"));
  EXPECT_THAT(Found("usr/local/bin/postgres",
                    Elf(B("postgres (PostgreSQL) 15beta4\n\0"))),
              ElementsAre("postgresql-binary postgresql 15beta4"));
  EXPECT_THAT(Found("usr/local/bin/postgres",
                    Elf(B("\0PostgreSQL %s on %s\0postgres (PostgreSQL) "
                          "\0"))),
              IsEmpty());
}

TEST(ClassifyTest, MysqlAndMariadb) {
  const std::string oracle =
      Elf(B("/export/home/pb2/build/sb_0-1234-1.5/release/mysql-8.0.37/mysys/"
            "my_default.cc\0"));
  EXPECT_THAT(Found("usr/bin/mysql", oracle),
              ElementsAre("mysql-binary mysql 8.0.37"));
  EXPECT_THAT(Found("usr/sbin/mysqld", oracle),
              ElementsAre("mysqld-binary mysql-server 8.0.37"));
  const std::string maria =
      Elf(B("\0mariadb\0"
            "10.11.6-MariaDB\0/home/buildbot/mariadb/sql\0"));
  EXPECT_THAT(Found("usr/bin/mariadb", maria),
              ElementsAre("mariadb-binary mariadb 10.11.6"));
  EXPECT_THAT(Found("usr/bin/mysql", maria),
              ElementsAre("mariadb-binary mariadb 10.11.6"));
  EXPECT_THAT(Found("usr/bin/mysql", Elf(B("/mysql-test/x\0%s-MariaDB\0"))),
              IsEmpty());
}

TEST(ClassifyTest, Curl) {
  EXPECT_THAT(Found("usr/bin/curl", Elf(B("\0curl/7.88.1\0"))),
              ElementsAre("curl-binary curl 7.88.1"));
  EXPECT_THAT(Found("usr/lib/x86_64-linux-gnu/libcurl.so.4.8.0",
                    Elf(B("\0libcurl/7.88.1 zlib/%s libidn2/%s\0"))),
              ElementsAre("curl-library curl 7.88.1"));
  EXPECT_THAT(Found("usr/lib/x86_64-linux-gnu/libcurl-gnutls.so.4",
                    Elf(B("\0libcurl/8.5.0\0"))),
              ElementsAre("curl-library curl 8.5.0"));
  EXPECT_THAT(Found("usr/bin/curl", Elf(B("\0curl/curl.h\0curl/%s\0"))),
              IsEmpty());
}

TEST(ClassifyTest, Bash) {
  EXPECT_THAT(
      Found("bin/bash", Elf(B("\0@(#)Bash version 5.2.15(1) release GNU\0"))),
      ElementsAre("bash-binary bash 5.2.15"));
  EXPECT_THAT(Found("bin/bash", Elf(B("\0GNU bash, version %s (%s)\0"))),
              IsEmpty());
}

TEST(ClassifyTest, Haproxy) {
  EXPECT_THAT(Found("usr/local/sbin/haproxy",
                    Elf(B("\0 version 2.8.3-86e043a, released 2023/09/07\0"))),
              ElementsAre("haproxy-binary haproxy 2.8.3"));
  EXPECT_THAT(Found("usr/sbin/haproxy",
                    Elf(B("\0HA-Proxy version 1.8.30 2021/04/12\0"))),
              ElementsAre("haproxy-binary haproxy 1.8.30"));
  EXPECT_THAT(
      Found("usr/sbin/haproxy", Elf(B("\0HA-Proxy version %s %s - x\0"))),
      IsEmpty());
}

TEST(ClassifyTest, EvidenceIsPrintableAndCapped) {
  auto hits = Classify("usr/bin/java",
                       Elf(B("\0openjdk\0java\0"
                             "0.0\0"
                             "17.0.13+11\0")),
                       /*text=*/false);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].evidence, ".openjdk.java.0.0.17.0.13+11.");

  std::string suffix(40, 'x');
  std::string number = "1." + std::string(40, '2');
  hits = Classify(
      "usr/bin/java",
      Elf("\0openjdk\0java\0"s + number + "\0"s + number + suffix + "\0"s),
      /*text=*/false);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].version, number + suffix);
  EXPECT_EQ(hits[0].evidence.size(), kMaxEvidenceBytes);
  EXPECT_TRUE(hits[0].evidence.starts_with(".openjdk.java.1.222"));
}

TEST(PurlForTest, AppendsEncodedVersion) {
  const Classifier* java = FindClassifier("java-binary-openjdk");
  ASSERT_NE(java, nullptr);
  EXPECT_EQ(PurlFor(*java, "17.0.13+11"),
            "pkg:generic/oracle/openjdk@17.0.13%2B11");
  const Classifier* python = FindClassifier("python-binary");
  ASSERT_NE(python, nullptr);
  EXPECT_EQ(PurlFor(*python, "3.11.2"), "pkg:generic/python@3.11.2");
}

TEST(CpesForTest, OnePerVendorProduct) {
  const Classifier* python = FindClassifier("python-binary");
  ASSERT_NE(python, nullptr);
  EXPECT_THAT(
      CpesFor(*python, "3.13.0rc1"),
      ElementsAre(
          "cpe:2.3:a:python_software_foundation:python:3.13.0rc1:*:*:*:*:*:"
          "*:*",
          "cpe:2.3:a:python:python:3.13.0rc1:*:*:*:*:*:*:*"));
  const Classifier* postgres = FindClassifier("postgresql-binary");
  ASSERT_NE(postgres, nullptr);
  EXPECT_THAT(
      CpesFor(*postgres, "16.1+x"),
      ElementsAre("cpe:2.3:a:postgresql:postgresql:16.1\\+x:*:*:*:*:*:*:*"));
  EXPECT_THAT(CpesFor(*postgres, "16 1"), IsEmpty());
}

TEST(CpesForTest, JvmVersionWithoutBuildAndWithUpdate) {
  const Classifier* java = FindClassifier("java-jvm-release");
  ASSERT_NE(java, nullptr);
  EXPECT_THAT(CpesFor(*java, "17.0.13+11-Debian-2deb12u1"),
              ElementsAre("cpe:2.3:a:oracle:openjdk:17.0.13:*:*:*:*:*:*:*"));
  EXPECT_THAT(
      CpesFor(*java, "1.8.0_052-b08"),
      ElementsAre("cpe:2.3:a:oracle:openjdk:1.8.0:update52:*:*:*:*:*:*"));
  EXPECT_THAT(CpesFor(*java, "11.0.16"),
              ElementsAre("cpe:2.3:a:oracle:openjdk:11.0.16:*:*:*:*:*:*:*"));
}

TEST(ClassifyTest, ScansHostileBytesWithoutHits) {
  // Anchors everywhere, nothing completing them.
  std::string bytes;
  for (int i = 0; i < 2000; ++i) {
    bytes += B("\0OpenSSL 1.");
    bytes += B("go1.");
    bytes += "-MariaDB";
    bytes += std::string(60, '9');
  }
  for (const char* path : {"usr/bin/openssl", "usr/bin/go", "usr/bin/mariadb",
                           "usr/bin/python3.11"}) {
    EXPECT_THAT(Found(path, bytes), IsEmpty()) << path;
  }
}

// Real binaries of the host, when present: the version each reports about
// itself must be the one found in its bytes.
std::string Shell(const std::string& cmd) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(::popen(cmd.c_str(), "r"), ::pclose);
  std::string out;
  char buf[256];
  while (p && std::fgets(buf, sizeof buf, p.get())) out += buf;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) {
    out.pop_back();
  }
  return out;
}

bool Exists(const char* path) {
  struct stat st;
  return ::stat(path, &st) == 0;
}

std::string HostVersion(const char* path) {
  std::string bytes = testing::ReadTestFile(path);
  auto hits = Classify(std::string(path).substr(1), bytes, /*text=*/false);
  return hits.empty() ? "" : hits[0].version;
}

TEST(HostBinaryTest, Bash) {
  if (!Exists("/bin/bash")) GTEST_SKIP() << "no /bin/bash";
  std::string want = Shell(
      "/bin/bash -c 'echo "
      "${BASH_VERSINFO[0]}.${BASH_VERSINFO[1]}.${BASH_VERSINFO[2]}'");
  EXPECT_EQ(HostVersion("/bin/bash"), want);
}

TEST(HostBinaryTest, Python311) {
  if (!Exists("/usr/bin/python3.11")) GTEST_SKIP() << "no python3.11";
  std::string want = Shell(
      "/usr/bin/python3.11 -c 'import platform; "
      "print(platform.python_version())'");
  EXPECT_EQ(HostVersion("/usr/bin/python3.11"), want);
}

TEST(HostBinaryTest, OpenSslLibraries) {
  const char* crypto = "/usr/lib/x86_64-linux-gnu/libcrypto.so.3";
  const char* ssl = "/usr/lib/x86_64-linux-gnu/libssl.so.3";
  if (!Exists(crypto) || !Exists("/usr/bin/openssl")) {
    GTEST_SKIP() << "no libcrypto.so.3 or openssl";
  }
  // "OpenSSL 3.0.15 3 Sep 2024 (Library: OpenSSL 3.0.15 3 Sep 2024)"
  std::string text = Shell("/usr/bin/openssl version");
  std::string library = text.substr(text.rfind("OpenSSL ") + 8);
  std::string want = library.substr(0, library.find(' '));
  EXPECT_EQ(HostVersion(crypto), want);
  // OpenSSL 3's libssl asks libcrypto for the text: nothing, or the same.
  if (Exists(ssl)) {
    std::string got = HostVersion(ssl);
    EXPECT_TRUE(got.empty() || got == want) << got;
  }
}

TEST(HostBinaryTest, Busybox) {
  if (!Exists("/bin/busybox")) GTEST_SKIP() << "no /bin/busybox";
  // "BusyBox v1.36.1 (2024-06-10 07:11:47 UTC) multi-call binary."
  std::string banner = Shell("/bin/busybox 2>&1 | head -1");
  std::string want = banner.substr(banner.find(" v") + 2);
  want = want.substr(0, want.find(' '));
  EXPECT_EQ(HostVersion("/bin/busybox"), want);
}

}  // namespace
}  // namespace strata::catalog::binary
