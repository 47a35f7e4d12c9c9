#include "catalog/php/cataloger.h"

#include <string>
#include <utility>

#include "catalog/php/parse_installed_json.h"

namespace strata::catalog::php {
namespace {

constexpr std::string_view kName = "php-composer-installed-cataloger";
constexpr std::string_view kGlob = "**/vendor/composer/installed.json";

Status RunPhp(const Context& ctx, sbom::Sbom* out) {
  ForEachCaptured(
      ctx.image, "", kGlob, kName, "larger than the capture cap", out,
      [&](const image::CapturedFile& f, const sbom::Location& location) {
        auto unknown = [&](std::string reason) {
          out->unknowns.push_back(
              {location, std::string(kName), std::move(reason)});
        };
        Result<InstalledJson> installed = ParseInstalledJson(f.content);
        if (!installed.ok()) {
          unknown(installed.status().ToString());
          return;
        }
        for (sbom::Package& p : installed->packages) {
          p.locations = {location};
          p.cataloger = std::string(kName);
          out->packages.push_back(std::move(p));
        }
        for (std::string& problem : installed->problems)
          unknown(std::move(problem));
      });
  return Status::Ok();
}

}  // namespace

Cataloger MakePhpCataloger() {
  return Cataloger{
      .name = kName,
      .globs = {kGlob},
      .rules = {},
      .run = RunPhp,
  };
}

}  // namespace strata::catalog::php
