#include "catalog/dotnet/cataloger.h"

#include <string>
#include <utility>

#include "catalog/dotnet/parse_deps_json.h"

namespace strata::catalog::dotnet {
namespace {

constexpr std::string_view kName = "dotnet-deps-cataloger";
constexpr std::string_view kGlob = "**/*.deps.json";

Status RunDotnet(const Context& ctx, sbom::Sbom* out) {
  ForEachCaptured(
      ctx.image, "", kGlob, kName, "larger than the capture cap", out,
      [&](const image::CapturedFile& f, const sbom::Location& location) {
        auto unknown = [&](std::string reason) {
          out->unknowns.push_back(
              {location, std::string(kName), std::move(reason)});
        };
        Result<DepsJson> deps = ParseDepsJson(f.content);
        if (!deps.ok()) {
          unknown(deps.status().ToString());
          return;
        }
        for (sbom::Package& p : deps->packages) {
          p.locations = {location};
          p.cataloger = std::string(kName);
          out->packages.push_back(std::move(p));
        }
        for (std::string& problem : deps->problems) unknown(std::move(problem));
      });
  return Status::Ok();
}

}  // namespace

Cataloger MakeDotnetCataloger() {
  return Cataloger{
      .name = kName,
      .globs = {kGlob},
      .rules = {},
      .run = RunDotnet,
  };
}

}  // namespace strata::catalog::dotnet
