// The Go build information text (buildinfo.h's output, the format of
// `go version -m` and runtime/debug.BuildInfo.String()) parsed into modules
// and build settings, and turned into SBOM packages.
//
//   go     go1.22.5
//   path   example.com/app/cmd/app
//   mod    example.com/app  (devel)
//   dep    golang.org/x/sys v0.20.0  h1:...=
//   dep    github.com/old/mod v1.0.0
//   =>     github.com/new/mod v1.1.0  h1:...=     (replaces the line above)
//   build  -ldflags="-s -w -X main.version=1.2.3"
//   build  vcs.revision=0123abcd...
//
// Fields are tab-separated. Build setting keys and values that contain
// spaces, tabs, quotes or newlines are Go-quoted ("..." or `...`). Lines
// of other kinds are ignored, as Go's own parser does.
//
// Thread-safety: pure functions.
#ifndef STRATA_CATALOG_GOLANG_MODINFO_H_
#define STRATA_CATALOG_GOLANG_MODINFO_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "sbom/model.h"

namespace strata::catalog::golang {

struct ModuleVersion {
  std::string path;
  std::string version;  // "v1.2.3", "(devel)", "" for a directory replacement
  std::string sum;      // "h1:<base64 sha256>=" or ""
};

struct Module {
  ModuleVersion module;
  std::optional<ModuleVersion> replace;  // the `=>` line after it
};

struct BuildSetting {
  std::string key;    // "-ldflags", "CGO_ENABLED", "vcs.revision", ...
  std::string value;  // unquoted
};

struct BuildInfo {
  std::string go_version;  // "go1.22.5", "go1.21.4 X:loopvar"
  std::string path;        // the main package
  std::optional<Module> main;
  std::vector<Module> deps;
  std::vector<BuildSetting> settings;
};

// Parses build information text. Errors (kDataLoss) name the line, as Go's
// runtime/debug.ParseBuildInfo does: "line 4: expected 2 or 3 columns, got
// 4", "line 5: expected 3 columns for replacement, got 2", "line 5:
// replacement with no module on previous line", "line 7: build line missing
// '='", "line 7: invalid quoted value in build line", "line 7: unquoted
// value \"a b\" must be quoted", ...; "no go version" when the first line is
// not "go\t<version>".
Result<BuildInfo> ParseBuildInfo(std::string_view text);

// The Go toolchain version as the semantic version that vulnerability
// databases use for the standard library: "go1.22.5" -> "v1.22.5", "go1.20"
// -> "v1.20.0", "go1.21rc2" -> "v1.21.0-rc.2", "go1.22.5 X:boringcrypto" ->
// "v1.22.5". nullopt for anything else ("devel go1.23-abc ...").
std::optional<std::string> GoVersionToSemver(std::string_view go_version);

// The packages of one Go binary found at `location`:
//   - one kGoModule package per dependency: name = module path, version;
//     a replaced module is reported as its replacement, with extra
//     "go.replaces" = "<original path>@<original version>";
//   - the main module (version as recorded, "(devel)" included), with extra
//     "go.path" (main package) and every build setting as
//     "go.build.<key>"; it depends on every dependency and on stdlib;
//   - "stdlib", version GoVersionToSemver(go version), else the raw
//     go version; present even for binaries built outside module mode.
// Every package: extra "go.version" (the toolchain), "go.sum" where
// recorded, locations = {location}, introduced_layer = location.layer,
// cataloger = `cataloger`. purl and cpes are left for sbom::Finalize.
std::vector<sbom::Package> BuildInfoPackages(const BuildInfo& info,
                                             const sbom::Location& location,
                                             std::string_view cataloger);

}  // namespace strata::catalog::golang

#endif  // STRATA_CATALOG_GOLANG_MODINFO_H_
