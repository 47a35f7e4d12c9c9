// Catalogers: small functions that find packages in a loaded image, all
// registered in one table (registry.cc). Adding one is a row there plus a
// folder with its parser.
//
// A cataloger declares the files it needs as globs; the image loader captures
// those files' bytes (every layer's copy, within caps) during its single pass
// over the layers, so catalogers never re-read a layer. A bad record becomes
// an sbom::Unknown (located, with a reason) and the cataloger goes on; only a
// failure that makes the whole result meaningless is an error Status.
#ifndef STRATA_CATALOG_CATALOGER_H_
#define STRATA_CATALOG_CATALOGER_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "image/loader.h"
#include "sbom/model.h"

namespace strata::catalog {

struct Context {
  const image::LoadedImage& image;
  const sbom::Distro& distro;
};

struct Cataloger {
  std::string_view name;  // same in code, CLI and output: "dpkg-db-cataloger"
  // Files to capture as they are (fs::GlobMatch patterns over normalised
  // paths); read them with image::ReadFile / image::CurrentCaptured(image,
  // "", glob).
  std::vector<std::string_view> globs;
  // Files to look inside (binaries, archives), reduced while loading; read
  // the results with image::CurrentCaptured(image, rule.name).
  std::vector<image::CaptureRule> rules;
  // Appends packages and unknowns to `out`, which starts empty: catalogers
  // run in parallel, each into its own part, and never see each other's
  // results (so `run` must only read the image). depends-on relationships are
  // made by sbom::Finalize from Package::depends; a cataloger that knows
  // more (an archive nested in another) gives its packages ids of its own,
  // unique within the SBOM (e.g. "java:" + location), and adds
  // relationships between them: Finalize carries them over to the final
  // ids.
  Status (*run)(const Context& ctx, sbom::Sbom* out);
};

// Helpers for catalogers (common.cc) ----------------------------------------

// A declared licence: the SPDX expression `text` is (normalised), else
// "LicenseRef-<text>"; nullopt for a text empty, longer than 128 bytes or
// multi-line (not a licence name).
std::optional<std::string> DeclaredLicense(std::string_view text);

// Calls fn(file, location) for every current captured file of `rule` ("" for
// glob captures) whose path matches `glob` ("" = any), sorted by path. A
// file that was over its cap becomes an unknown of `cataloger` with reason
// `truncated_reason`, and one whose reduce failed an unknown with that
// error, instead of reaching fn.
void ForEachCaptured(
    const image::LoadedImage& image, std::string_view rule,
    std::string_view glob, std::string_view cataloger,
    std::string_view truncated_reason, sbom::Sbom* out,
    const std::function<void(const image::CapturedFile& file,
                             const sbom::Location& location)>& fn);

// A capture rule keeping what `reduce` finds in every executable ELF file of
// at most caps::kMaxAnalysedFileBytes (Go build info, Rust audit data).
image::CaptureRule ElfBinaryRule(std::string_view name,
                                 decltype(image::CaptureRule::reduce) reduce);

// ForEachCaptured over what the ElfBinaryRule `rule` kept, with the reason
// for binaries over the cap spelled once.
void ForEachCapturedBinary(
    const image::LoadedImage& image, std::string_view rule,
    std::string_view cataloger, sbom::Sbom* out,
    const std::function<void(const image::CapturedFile& file,
                             const sbom::Location& location)>& fn);

// Gives every package without an id a temporary one, then adds a
// "contains" relationship from each OS package to every other package
// whose location (the outer file, before any "!") is one of the OS
// package's files: Debian's python3-requests contains the requests
// dist-info, the skopeo deb contains skopeo's Go modules. Paths are
// compared after resolving symlinked directories in the image (merged
// /usr: a dpkg list's "bin/bash" is "usr/bin/bash"). Run after every
// cataloger, before sbom::Finalize.
void LinkOwners(const image::LoadedImage& image, sbom::Sbom* sbom);

// Location of `path` in the final view (layer of the last writer, and that
// layer's diffID).
sbom::Location LocationOf(const image::LoadedImage& image,
                          std::string_view path);
// Location of a captured copy.
sbom::Location LocationOf(const image::LoadedImage& image,
                          const image::CapturedFile& file);

// The history of database file `path` below `layer` (the layer of the copy
// the cataloger already parsed, LocationOf(image, path).layer): every
// complete captured copy from a lower layer, lowest first. The layer that
// introduced a package is the first of these copies that lists it, else
// `layer` itself; parsing only these copies never parses the current
// database twice. Empty for dir: sources (no layers).
std::vector<const image::CapturedFile*> EarlierCopies(
    const image::LoadedImage& image, std::string_view path, int layer);

}  // namespace strata::catalog

#endif  // STRATA_CATALOG_CATALOGER_H_
