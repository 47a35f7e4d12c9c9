#include "catalog/binary/classifiers.h"

#include <optional>
#include <set>
#include <utility>

#include "catalog/binary/pattern.h"
#include "fs/file_tree.h"
#include "sbom/purl.h"

namespace strata::catalog::binary {
namespace {

using namespace std::string_view_literals;  // NULs inside patterns

// The rows. Comments quote the strings each upstream binary embeds.
std::vector<Classifier> MakeTable() {
  return {
      {
          // "BusyBox v1.36.1 (2024-06-10 07:11:47 UTC) multi-call binary."
          .klass = "busybox-binary",
          .package = "busybox",
          .purl = "pkg:generic/busybox",
          .cpes = {"busybox:busybox"},
          .globs = {"**/busybox"},
          .patterns = {"BusyBox v({N}){S} \\("sv},
      },
      {
          // OPENSSL_VERSION_TEXT: "\0OpenSSL 3.0.15 3 Sep 2024",
          // "\0OpenSSL 1.1.1w  11 Sep 2023", "\0OpenSSL 1.0.2k-fips ..."
          .klass = "openssl-binary",
          .package = "openssl",
          .purl = "pkg:generic/openssl",
          .cpes = {"openssl:openssl"},
          .globs = {"**/openssl"},
          .patterns = {"\0OpenSSL ({N}{A}) "sv, "\0OpenSSL ({N}{A})-"sv},
      },
      {
          // The same text in libcrypto (and in libssl before 3.0).
          .klass = "openssl-library",
          .package = "openssl",
          .purl = "pkg:generic/openssl",
          .cpes = {"openssl:openssl"},
          .globs = {"**/libcrypto.so*", "**/libssl.so*"},
          .patterns = {"\0OpenSSL ({N}{A}) "sv, "\0OpenSSL ({N}{A})-"sv},
      },
      {
          // PY_VERSION "\0" "3.11.2" "\0", found from the version in the file
          // name (sys.version's "3.11.2 (main, ...)" is built at run time).
          .klass = "python-binary",
          .package = "python",
          .purl = "pkg:generic/python",
          .cpes = {"python_software_foundation:python", "python:python"},
          .globs = {"**/python[0-9].[0-9]*"},
          .patterns = {"\0({FV}.{N}{S})\0"sv},
      },
      {
          .klass = "python-binary-lib",
          .package = "python",
          .purl = "pkg:generic/python",
          .cpes = {"python_software_foundation:python", "python:python"},
          .globs = {"**/libpython[0-9].[0-9]*.so*"},
          .patterns = {"\0({FV}.{N}{S})\0"sv},
      },
      {
          // runtime.buildVersion: "go1.22.5" followed by NUL padding.
          .klass = "go-binary",
          .package = "go",
          .purl = "pkg:generic/go",
          .cpes = {"golang:go"},
          .globs = {"**/go"},
          .patterns = {"go(1.{N})\0"sv},
      },
      {
          // The inspector's user agent: "node.js/v18.20.4".
          .klass = "nodejs-binary",
          .package = "node",
          .purl = "pkg:generic/node",
          .cpes = {"nodejs:node.js"},
          .globs = {"**/node", "**/nodejs"},
          .patterns = {"node.js/v({N})"sv},
      },
      {
          // Distributions build node as a stub over libnode.so.
          .klass = "nodejs-library",
          .package = "node",
          .purl = "pkg:generic/node",
          .cpes = {"nodejs:node.js"},
          .globs = {"**/libnode.so*"},
          .patterns = {"node.js/v({N})"sv},
      },
      {
          // The launcher's JDK_ARGS block:
          // "\0openjdk\0java\0" "0.0" "\0" "17.0.13+11-Debian-2deb12u1" "\0"
          .klass = "java-binary-openjdk",
          .package = "openjdk",
          .purl = "pkg:generic/oracle/openjdk",
          .cpes = {"oracle:openjdk"},
          .globs = {"**/java"},
          .patterns = {"\0openjdk\0java\0{N}\0({N}{S})\0"sv},
          .jvm_cpe = true,
      },
      {
          // A JDK/JRE's `release` file: JAVA_RUNTIME_VERSION="17.0.13+11",
          // JAVA_VERSION="17.0.13" (the runtime version first, as syft).
          .klass = "java-jvm-release",
          .package = "openjdk",
          .purl = "pkg:generic/oracle/openjdk",
          .cpes = {"oracle:openjdk"},
          .globs = {"**/jvm/*/release", "**/java/*/release", "**/*jdk*/release",
                    "**/*jre*/release"},
          .patterns = {"JAVA_RUNTIME_VERSION=\"({N}{S})\""sv,
                       "JAVA_VERSION=\"({N}{S})\""sv},
          .text = true,
          .jvm_cpe = true,
      },
      {
          // NGINX_VER_BUILD in "nginx version: nginx/1.25.3"
          .klass = "nginx-binary",
          .package = "nginx",
          .purl = "pkg:generic/nginx",
          .cpes = {"f5:nginx", "nginx:nginx"},
          .globs = {"**/nginx"},
          .patterns = {"nginx version: nginx/({N})"sv},
      },
      {
          // The banner AP_SERVER_BASEVERSION " (" PLATFORM ")":
          // "Apache/2.4.58 (Unix)"
          .klass = "httpd-binary",
          .package = "httpd",
          .purl = "pkg:generic/httpd",
          .cpes = {"apache:http_server"},
          .globs = {"**/httpd", "**/apache2"},
          .patterns = {"Apache/({N}) \\("sv},
      },
      {
          // REDIS_VERSION REDIS_BUILD_ID ...:
          // "7.2.4buildkitsandbox-1702957741000000000"; before 3.0
          // "Redis version 2.8.23".
          .klass = "redis-binary",
          .package = "redis",
          .purl = "pkg:generic/redis",
          .cpes = {"redislabs:redis", "redis:redis"},
          .globs = {"**/redis-server"},
          .patterns = {"({N})buildkitsandbox-"sv, "Redis version ({N})"sv},
      },
      {
          // PG_VERSION_STR "PostgreSQL 16.1 on x86_64-pc-linux-gnu, ..." and
          // PG_BACKEND_VERSIONSTR "postgres (PostgreSQL) 16.1".
          .klass = "postgresql-binary",
          .package = "postgresql",
          .purl = "pkg:generic/postgresql",
          .cpes = {"postgresql:postgresql"},
          .globs = {"**/postgres"},
          .patterns = {"\0PostgreSQL ({N}{S}) "sv,
                       "postgres \\(PostgreSQL\\) ({N}{S})"sv},
      },
      {
          // Source paths of Oracle's builds:
          // ".../release/mysql-8.0.37/mysys/my_default.cc"
          .klass = "mysql-binary",
          .package = "mysql",
          .purl = "pkg:generic/mysql",
          .cpes = {"oracle:mysql"},
          .globs = {"**/mysql"},
          .patterns = {"/mysql-({N})/"sv, "/mysql-({N})-"sv},
      },
      {
          .klass = "mysqld-binary",
          .package = "mysql-server",
          .purl = "pkg:generic/mysql-server",
          .cpes = {"oracle:mysql", "oracle:mysql_server"},
          .globs = {"**/mysqld"},
          .patterns = {"/mysql-({N})/"sv, "/mysql-({N})-"sv},
      },
      {
          // MYSQL_SERVER_VERSION: "10.11.6-MariaDB"
          .klass = "mariadb-binary",
          .package = "mariadb",
          .purl = "pkg:generic/mariadb",
          .cpes = {"mariadb:mariadb"},
          .globs = {"**/mariadb", "**/mysql", "**/mariadbd", "**/mysqld"},
          .patterns = {"({N})-MariaDB"sv},
      },
      {
          // The default user agent: "curl/8.5.0"
          .klass = "curl-binary",
          .package = "curl",
          .purl = "pkg:generic/curl",
          .cpes = {"haxx:curl"},
          .globs = {"**/curl"},
          .patterns = {"curl/({N})"sv},
      },
      {
          // curl_version(): "libcurl/8.5.0 OpenSSL/%s zlib/%s ..."
          .klass = "curl-library",
          .package = "curl",
          .purl = "pkg:generic/curl",
          .cpes = {"haxx:curl"},
          .globs = {"**/libcurl.so*", "**/libcurl-*.so*"},
          .patterns = {"libcurl/({N})"sv},
      },
      {
          // The what(1) string: "@(#)Bash version 5.2.15(1) release GNU"
          .klass = "bash-binary",
          .package = "bash",
          .purl = "pkg:generic/bash",
          .cpes = {"gnu:bash"},
          .globs = {"**/bash"},
          .patterns = {"@\\(#\\)Bash version ({N})\\("sv},
      },
      {
          // STATS_VERSION_STRING " version 2.8.3-86e043a, released 2023/09/07";
          // before 2.0 "HA-Proxy version 1.8.30 2021/04/12".
          .klass = "haproxy-binary",
          .package = "haproxy",
          .purl = "pkg:generic/haproxy",
          .cpes = {"haproxy:haproxy"},
          .globs = {"**/haproxy"},
          .patterns = {" version ({N}){S}, released 20"sv,
                       "HA-Proxy version ({N})"sv},
      },
  };
}

struct Compiled {
  const Classifier* row;
  std::vector<std::string> globs;
  std::vector<std::pair<size_t, BytePattern>> patterns;  // index, pattern
};

// The table with its patterns parsed (a pattern that does not parse is
// left out; classifiers_test checks that every one does).
const std::vector<Compiled>& CompiledTable() {
  static const std::vector<Compiled> compiled = [] {
    std::vector<Compiled> out;
    for (const Classifier& c : Classifiers()) {
      Compiled row{&c, {c.globs.begin(), c.globs.end()}, {}};
      for (size_t i = 0; i < c.patterns.size(); ++i) {
        if (auto p = BytePattern::Parse(c.patterns[i]); p.ok()) {
          row.patterns.emplace_back(i, std::move(p).value());
        }
      }
      out.push_back(std::move(row));
    }
    return out;
  }();
  return compiled;
}

std::string Printable(std::string_view bytes) {
  std::string out(bytes.substr(0, kMaxEvidenceBytes));
  for (char& c : out) {
    if (c < 0x20 || c > 0x7e) c = '.';
  }
  return out;
}

// CPE 2.3 formatted-string binding (NISTIR 7695 6.2): '.', '_', '-' and
// alphanumerics stay, other printable ASCII is quoted; anything else
// cannot be bound (nullopt).
}  // namespace

const std::vector<Classifier>& Classifiers() {
  static const std::vector<Classifier> kTable = MakeTable();
  return kTable;
}

const Classifier* FindClassifier(std::string_view klass) {
  for (const Classifier& c : Classifiers()) {
    if (c.klass == klass) return &c;
  }
  return nullptr;
}

std::vector<std::string> ClassifierGlobs(bool text) {
  std::vector<std::string> out;
  std::set<std::string_view> seen;
  for (const Classifier& c : Classifiers()) {
    if (c.text != text) continue;
    for (std::string_view g : c.globs) {
      if (seen.insert(g).second) out.emplace_back(g);
    }
  }
  return out;
}

std::vector<Hit> Classify(std::string_view path, std::string_view bytes,
                          bool text) {
  std::vector<Hit> hits;
  const std::string_view file_version = FileVersion(path);
  for (const Compiled& row : CompiledTable()) {
    if (row.row->text != text || !fs::GlobMatchAny(row.globs, path)) continue;
    for (const auto& [index, p] : row.patterns) {
      if (auto m = p.Find(bytes, file_version)) {
        hits.push_back(
            {row.row, index, std::string(m->version), Printable(m->evidence)});
        break;
      }
    }
  }
  return hits;
}

std::string PurlFor(const Classifier& c, std::string_view version) {
  return std::string(c.purl) + "@" + sbom::PurlEncode(version);
}

std::vector<std::string> CpesFor(const Classifier& c,
                                 std::string_view version) {
  std::string_view update;
  if (c.jvm_cpe) {
    if (size_t u = version.find('_'); u != std::string_view::npos) {
      // "1.8.0_352-b08": version "1.8.0", update "352" (leading zeros off)
      update = version.substr(u + 1);
      update = update.substr(0, update.find('-'));
      while (update.size() > 1 && update.front() == '0') {
        update.remove_prefix(1);
      }
      version = version.substr(0, u);
    } else {
      version = version.substr(0, version.find('+'));
    }
  }
  std::string v = sbom::CpeEscape(version);
  std::string u =
      update.empty() ? "*" : sbom::CpeEscape("update" + std::string(update));
  if (v.empty() || u.empty()) return {};
  std::vector<std::string> out;
  for (std::string_view vendor_product : c.cpes) {
    out.push_back("cpe:2.3:a:" + std::string(vendor_product) + ":" + v + ":" +
                  u + ":*:*:*:*:*:*");
  }
  return out;
}

}  // namespace strata::catalog::binary
