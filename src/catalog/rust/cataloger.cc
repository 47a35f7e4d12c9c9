#include "catalog/rust/cataloger.h"

#include <utility>

#include "catalog/rust/audit_data.h"

namespace strata::catalog::rust {
namespace {

constexpr std::string_view kName = "rust-cargo-auditable-cataloger";
constexpr std::string_view kRule = "rust-binary";

Status RunRust(const Context& ctx, sbom::Sbom* out) {
  ForEachCapturedBinary(
      ctx.image, kRule, kName, out,
      [&](const image::CapturedFile& file, const sbom::Location& location) {
        auto crates = ParseAuditData(file.content);
        if (!crates.ok()) {
          out->unknowns.push_back(
              {location, std::string(kName),
               crates.status().WithContext("rust audit data").ToString()});
          return;
        }
        for (sbom::Package& p : CratePackages(*crates, location, kName)) {
          out->packages.push_back(std::move(p));
        }
      });
  return Status::Ok();
}

}  // namespace

Cataloger MakeRustCataloger() {
  return Cataloger{
      .name = kName,
      .globs = {},
      .rules = {ElfBinaryRule(kRule,
                              [](std::string_view, std::string_view bytes) {
                                return ReadAuditData(bytes);
                              })},
      .run = RunRust,
  };
}

}  // namespace strata::catalog::rust
