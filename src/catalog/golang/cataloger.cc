#include "catalog/golang/cataloger.h"

#include <utility>

#include "base/caps.h"
#include "catalog/golang/buildinfo.h"
#include "catalog/golang/modinfo.h"
#include "elf/elf.h"

namespace strata::catalog::golang {
namespace {

// Largest executable whose bytes are read to look for build info. Go
// binaries are typically 5-150 MiB; the bytes live only while reduce runs.

constexpr std::string_view kName = "go-module-binary-cataloger";
constexpr std::string_view kRule = "go-binary";

Status RunGolang(const Context& ctx, sbom::Sbom* out) {
  for (const image::CapturedFile* file :
       image::CurrentCaptured(ctx.image, kRule)) {
    const sbom::Location location = LocationOf(ctx.image, *file);
    auto unknown = [&](std::string reason) {
      out->unknowns.push_back(
          {location, std::string(kName), std::move(reason)});
    };
    if (file->truncated) {
      unknown("larger than the " +
              std::to_string(caps::kMaxAnalysedFileBytes / caps::kMiB) +
              " MiB cap on analysed binaries");
      continue;
    }
    if (!file->error.empty()) {
      unknown(file->error);
      continue;
    }
    auto info = ParseBuildInfo(file->content);
    if (!info.ok()) {
      unknown(info.status().WithContext("go build info").ToString());
      continue;
    }
    for (sbom::Package& p : BuildInfoPackages(*info, location, kName)) {
      out->packages.push_back(std::move(p));
    }
  }
  return Status::Ok();
}

}  // namespace

Cataloger MakeGolangCataloger() {
  return Cataloger{
      .name = kName,
      .globs = {},
      .rules = {image::CaptureRule{
          .name = kRule,
          .globs = {},
          .executables = true,
          .magic = std::string(elf::kMagic),
          .max_file_bytes = caps::kMaxAnalysedFileBytes,
          .reduce =
              [](std::string_view, std::string_view bytes) {
                return ReadBuildInfo(bytes);
              }}},
      .run = RunGolang,
  };
}

}  // namespace strata::catalog::golang
