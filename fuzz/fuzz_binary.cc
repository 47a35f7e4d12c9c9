// Fuzzes the binary classifier (catalog/binary/classifiers.h, pattern.h):
// the first byte picks the file path (so every row and {FV} get their turn),
// the rest is the file. Every hit must be a version starting with a digit,
// without tabs or newlines, and printable evidence within its cap; and the
// input, read as a pattern spec, must parse or fail cleanly.
#include <cstdint>
#include <string_view>

#include "catalog/binary/cataloger.h"
#include "catalog/binary/classifiers.h"
#include "catalog/binary/pattern.h"

namespace {

constexpr std::string_view kPaths[] = {
    "bin/busybox",
    "usr/bin/openssl",
    "usr/lib/libcrypto.so.3",
    "usr/bin/python3.11",
    "usr/lib/libpython3.12.so.1.0",
    "usr/local/go/bin/go",
    "usr/bin/node",
    "usr/lib/libnode.so.108",
    "usr/lib/jvm/java-17/bin/java",
    "usr/lib/jvm/java-17/release",
    "usr/sbin/nginx",
    "usr/sbin/httpd",
    "usr/bin/redis-server",
    "usr/bin/postgres",
    "usr/bin/mysql",
    "usr/sbin/mysqld",
    "usr/bin/curl",
    "usr/lib/libcurl.so.4",
    "bin/bash",
    "usr/sbin/haproxy",
};

void Check(const strata::catalog::binary::Hit& h) {
  using strata::catalog::binary::kMaxEvidenceBytes;
  if (h.version.empty() || h.version[0] < '0' || h.version[0] > '9' ||
      h.version.find_first_of("\t\n") != std::string::npos ||
      h.evidence.size() > kMaxEvidenceBytes) {
    __builtin_trap();
  }
  for (char c : h.evidence) {
    if (c < 0x20 || c > 0x7e) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata::catalog::binary;
  if (size == 0) return 0;
  std::string_view path = kPaths[data[0] % std::size(kPaths)];
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  for (bool text : {false, true}) {
    for (const Hit& h : Classify(path, bytes, text)) Check(h);
  }
  if (!ReduceBinary(path, bytes).ok()) __builtin_trap();
  if (auto p = BytePattern::Parse(bytes); p.ok()) {
    (void)p->Find(bytes, FileVersion(path));
  }
  return 0;
}
