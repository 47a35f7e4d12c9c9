// Rust binaries for tests and fuzz seeds, built byte by byte (header-only;
// test support, never linked into strata).
#ifndef STRATA_CATALOG_RUST_TEST_BINARIES_H_
#define STRATA_CATALOG_RUST_TEST_BINARIES_H_

#include <zlib.h>

#include <cstdlib>
#include <string>

#include "elf/builder.h"

namespace strata::catalog::rust::testbin {

// As cargo-auditable writes it for a small binary: compact, crates sorted
// by name, defaults omitted.
inline const std::string kJson =
    R"({"packages":[)"
    R"({"name":"adler","version":"1.0.2","source":"crates.io"},)"
    R"({"name":"cc","version":"1.0.83","source":"crates.io","kind":"build"},)"
    R"({"name":"hello","version":"0.1.0","source":"local",)"
    R"("dependencies":[0,1,3,4],"root":true},)"
    R"({"name":"libc","version":"0.2.150","source":"crates.io"},)"
    R"({"name":"libc","version":"0.1.12","source":"registry"}]})";

// zlib (RFC 1950) at the best compression, as cargo-auditable uses.
inline std::string Zlib(const std::string& data) {
  uLongf n = compressBound(data.size());
  std::string out(n, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &n,
                reinterpret_cast<const Bytef*>(data.data()), data.size(),
                Z_BEST_COMPRESSION) != Z_OK) {
    std::abort();
  }
  out.resize(n);
  return out;
}

inline std::string RustElf(const std::string& section,
                           elf::BuildOptions options = {}) {
  return elf::BuildElf(options, {{.name = ".text", .data = "\x90\xc3"},
                                 {.name = ".dep-v0", .data = section}});
}

}  // namespace strata::catalog::rust::testbin

#endif  // STRATA_CATALOG_RUST_TEST_BINARIES_H_
