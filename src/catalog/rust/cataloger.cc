#include "catalog/rust/cataloger.h"

#include <utility>

#include "base/caps.h"
#include "catalog/rust/audit_data.h"
#include "elf/elf.h"

namespace strata::catalog::rust {
namespace {

constexpr std::string_view kName = "rust-cargo-auditable-cataloger";
constexpr std::string_view kRule = "rust-binary";

Status RunRust(const Context& ctx, sbom::Sbom* out) {
  const std::string too_large =
      "larger than the " +
      std::to_string(caps::kMaxAnalysedFileBytes / caps::kMiB) +
      " MiB cap on analysed binaries";
  ForEachCaptured(
      ctx.image, kRule, "", kName, too_large, out,
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
      .rules = {image::CaptureRule{
          .name = kRule,
          .globs = {},
          .executables = true,
          .magic = std::string(elf::kMagic),
          .max_file_bytes = caps::kMaxAnalysedFileBytes,
          .reduce =
              [](std::string_view, std::string_view bytes) {
                return ReadAuditData(bytes);
              }}},
      .run = RunRust,
  };
}

}  // namespace strata::catalog::rust
