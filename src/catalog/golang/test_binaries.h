// Go binaries for tests and fuzz seeds, built byte by byte (header-only;
// test support, never linked into strata).
#ifndef STRATA_CATALOG_GOLANG_TEST_BINARIES_H_
#define STRATA_CATALOG_GOLANG_TEST_BINARIES_H_

#include <cstdint>
#include <string>

#include "elf/builder.h"

namespace strata::catalog::golang::testbin {

using elf::BuildElf;
using elf::BuildOptions;

// The sentinels cmd/go frames modinfo with (modload.infoStart/infoEnd).
inline const std::string kInfoStart(
    "\x30\x77\xaf\x0c\x92\x74\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6", 16);
inline const std::string kInfoEnd(
    "\xf9\x32\x43\x31\x86\x18\x20\x72\x00\x82\x42\x10\x41\x16\xd8\xf2", 16);
inline const std::string kMagic = "\xff Go buildinf:";

inline const std::string kModinfo =
    "path\tgithub.com/evanw/esbuild/cmd/esbuild\n"
    "mod\tgithub.com/evanw/esbuild\t(devel)\t\n"
    "dep\tgolang.org/x/sys\tv0.0.0-20220715151400-c0bba94af5f8\t"
    "h1:0A+M6Uqn+Eje4kHMK80dtF3JCXC4ykBgQG4Fe06QRhQ=\n"
    "build\t-buildmode=exe\n"
    "build\tCGO_ENABLED=0\n";

inline std::string Uvarint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

// A Go >= 1.18 blob: header, then the two length-prefixed strings.
inline std::string InlineBlob(const std::string& version,
                              const std::string& mod) {
  return kMagic + "\x08\x02" + std::string(16, '\0') + Uvarint(version.size()) +
         version + Uvarint(mod.size()) + mod;
}

inline std::string Framed(const std::string& mod) {
  return kInfoStart + mod + kInfoEnd;
}

inline std::string GoElf(const std::string& blob, BuildOptions options = {}) {
  return BuildElf(options,
                  {{.name = ".text", .data = "\x90\x90\xc3"},
                   {.name = ".go.buildinfo", .data = blob, .addr = 0x10000}});
}

// Stores `v` as a `size`-byte integer.
inline std::string Int(uint64_t v, int size, bool big_endian) {
  std::string out;
  for (int i = 0; i < size; ++i) {
    const int shift = 8 * (big_endian ? size - 1 - i : i);
    out.push_back(static_cast<char>(v >> shift & 0xff));
  }
  return out;
}

// A Go 1.13-1.17 binary: .go.buildinfo holds pointers to two string
// headers in .data (0x20000), whose data is in .rodata (0x30000).
inline std::string PointerElf(const BuildOptions& o, const std::string& version,
                              const std::string& mod) {
  const int ptr = o.is_64 ? 8 : 4;
  const bool big = o.big_endian;
  std::string blob = kMagic + static_cast<char>(ptr) + (big ? '\1' : '\0') +
                     Int(0x20000, ptr, big) + Int(0x20000 + 2 * ptr, ptr, big);
  blob.resize(32, '\0');
  const std::string data =
      Int(0x30000, ptr, big) + Int(version.size(), ptr, big) +
      Int(0x30000 + version.size(), ptr, big) + Int(mod.size(), ptr, big);
  return BuildElf(o, {{.name = ".go.buildinfo", .data = blob, .addr = 0x10000},
                      {.name = ".data", .data = data, .addr = 0x20000},
                      {.name = ".rodata",
                       .data = version + mod,
                       .addr = 0x30000,
                       .segment_flags = elf::kPfR}});
}

}  // namespace strata::catalog::golang::testbin

#endif  // STRATA_CATALOG_GOLANG_TEST_BINARIES_H_
