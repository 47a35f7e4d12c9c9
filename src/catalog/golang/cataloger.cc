#include "catalog/golang/cataloger.h"

#include <utility>

#include "catalog/golang/buildinfo.h"
#include "catalog/golang/modinfo.h"

namespace strata::catalog::golang {
namespace {

constexpr std::string_view kName = "go-module-binary-cataloger";
constexpr std::string_view kRule = "go-binary";

Status RunGolang(const Context& ctx, sbom::Sbom* out) {
  ForEachCapturedBinary(
      ctx.image, kRule, kName, out,
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
      .rules = {ElfBinaryRule(kRule,
                              [](std::string_view, std::string_view bytes) {
                                return ReadBuildInfo(bytes);
                              })},
      .run = RunGolang,
  };
}

}  // namespace strata::catalog::golang
