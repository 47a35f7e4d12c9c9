#include "catalog/golang/cataloger.h"

#include <utility>

#include "base/caps.h"
#include "catalog/golang/buildinfo.h"
#include "catalog/golang/modinfo.h"
#include "elf/elf.h"

namespace strata::catalog::golang {
namespace {

constexpr std::string_view kName = "go-module-binary-cataloger";
constexpr std::string_view kRule = "go-binary";

Status RunGolang(const Context& ctx, sbom::Sbom* out) {
  const std::string too_large =
      "larger than the " +
      std::to_string(caps::kMaxAnalysedFileBytes / caps::kMiB) +
      " MiB cap on analysed binaries";
  ForEachCaptured(
      ctx.image, kRule, "", kName, too_large, out,
      [&](const image::CapturedFile& file, const sbom::Location& location) {
        auto info = ParseBuildInfo(file.content);
        if (!info.ok()) {
          out->unknowns.push_back(
              {location, std::string(kName),
               info.status().WithContext("go build info").ToString()});
          return;
        }
        for (sbom::Package& p : BuildInfoPackages(*info, location, kName)) {
          out->packages.push_back(std::move(p));
        }
      });
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
