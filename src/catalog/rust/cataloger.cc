#include "catalog/rust/cataloger.h"

#include <utility>

#include "base/caps.h"
#include "catalog/rust/audit_data.h"
#include "elf/elf.h"

namespace strata::catalog::rust {
namespace {

// Largest executable whose bytes are read to look for audit data (the same
// cap as the Go cataloger's: both rules read the same files once).

constexpr std::string_view kName = "rust-cargo-auditable-cataloger";
constexpr std::string_view kRule = "rust-binary";

Status RunRust(const Context& ctx, sbom::Sbom* out) {
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
    auto crates = ParseAuditData(file->content);
    if (!crates.ok()) {
      unknown(crates.status().WithContext("rust audit data").ToString());
      continue;
    }
    for (sbom::Package& p : CratePackages(*crates, location, kName)) {
      out->packages.push_back(std::move(p));
    }
  }
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
