// Rust dependency lists embedded by cargo-auditable: the `.dep-v0` section
// of an ELF executable holds zlib-compressed JSON (the auditable-serde
// VersionInfo format, https://rustsec.org/schemas/cargo-auditable.json):
//
//   {"packages":[
//     {"name":"adler","version":"0.2.3","source":"crates.io"},
//     {"name":"cc","version":"1.0.83","source":"crates.io","kind":"build"},
//     {"name":"app","version":"0.1.0","source":"local",
//      "dependencies":[0,1],"root":true}]}
//
// "kind" ("build" or "runtime") is omitted for runtime, "dependencies"
// (indexes into "packages") when empty, "root" when false. "source" is
// "crates.io", "git", "local", "registry" or another string.
//
// Thread-safety: pure functions.
#ifndef STRATA_CATALOG_RUST_AUDIT_DATA_H_
#define STRATA_CATALOG_RUST_AUDIT_DATA_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "sbom/model.h"

namespace strata::catalog::rust {

// The decompressed JSON of the `.dep-v0` section of the ELF file `bytes`;
// nullopt when the file is no readable ELF file or has no such section (a
// section table lookup, never a scan). Errors, prefixed "rust audit data: ":
// "bad zlib stream", "truncated zlib stream", "elf: section .dep-v0 out of
// bounds", and kResourceExhausted "decompressed JSON exceeds the cap of
// 8388608 bytes".
Result<std::optional<std::string>> ReadAuditData(std::string_view bytes);

struct Crate {
  std::string name;
  std::string version;
  std::string source;                // "crates.io", "local", "git", ...
  std::string kind;                  // "runtime" (also when omitted) or "build"
  std::vector<size_t> dependencies;  // indexes into the crate list
  bool root = false;
};

// Parses the JSON (within the same cap). Errors (kDataLoss): invalid JSON,
// "packages" missing or not an array, a package that is not an object or
// lacks a string name/version/source ("package 2: field \"version\" must be
// a string", "package 2: no version"), a dependency index that is not a
// non-negative integer below the number of packages ("package 2:
// dependency 99 out of range").
Result<std::vector<Crate>> ParseAuditData(std::string_view json);

// One kRustCrate package per crate: name, version, depends = the names of
// its dependencies, extra "rust.source", "rust.kind" and "rust.root" =
// "true" for the root crate; locations = {location}, introduced_layer =
// location.layer, cataloger = `cataloger`. purl and cpes are left for
// sbom::Finalize.
std::vector<sbom::Package> CratePackages(const std::vector<Crate>& crates,
                                         const sbom::Location& location,
                                         std::string_view cataloger);

}  // namespace strata::catalog::rust

#endif  // STRATA_CATALOG_RUST_AUDIT_DATA_H_
