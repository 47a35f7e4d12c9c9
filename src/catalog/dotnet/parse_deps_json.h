// Parser of .NET's <app>.deps.json (written by `dotnet build` / `dotnet
// publish` next to the application), a pure function over bytes.
//
// The document's "libraries" object maps "Name/Version" to
//   {"type": "package" | "project" | "reference" | "runtimepack" | ...,
//    "serviceable": ..., "sha512": "sha512-<base64>", "path": ..., ...};
// "targets" maps each target framework (".NETCoreApp,Version=v8.0", maybe
// with "/<rid>") to the same keys, each with "dependencies": {"Name":
// "Version", ...}. Only libraries of type "package" (NuGet packages) are
// kept: the application's own projects and framework references are not
// packages. See https://github.com/dotnet/sdk/blob/main/documentation/
// specs/runtime-configuration-file.md.
//
// All input is hostile: the document size is capped (the capture cap) and
// so are the libraries and target entries (constants at the top of
// parse_deps_json.cc); JSON nesting is capped by base/json.h.
// Thread-safety: pure functions.
#ifndef STRATA_CATALOG_DOTNET_PARSE_DEPS_JSON_H_
#define STRATA_CATALOG_DOTNET_PARSE_DEPS_JSON_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "sbom/model.h"

namespace strata::catalog::dotnet {

struct DepsJson {
  // type kDotnet with name and version (from the "Name/Version" key),
  // depends (the dependency names of that key in every target, sorted, no
  // duplicates) and extra ("nuget.sha512": the "sha512" value as written,
  // base64; "nuget.path": the package's path in the NuGet cache) filled.
  // Locations and cataloger are left to the caller. Sorted by key.
  std::vector<sbom::Package> packages;
  // "library \"Foo\": key is not \"name/version\"", one per package library
  // that could not be read.
  std::vector<std::string> problems;
};

// Errors: invalid JSON, no "libraries" object, a "targets" member or target
// of the wrong shape (kDataLoss); more libraries or target entries than the
// caps (kResourceExhausted).
Result<DepsJson> ParseDepsJson(std::string_view bytes);

}  // namespace strata::catalog::dotnet

#endif  // STRATA_CATALOG_DOTNET_PARSE_DEPS_JSON_H_
