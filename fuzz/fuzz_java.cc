// Fuzzes the Java archive reduce path (catalog/java/archive.h and
// summary.h): zip scanning with nested archives under small caps, package
// naming, and the summary's JSON round trip; and the metadata parsers
// (metadata.h) directly on the raw bytes, which zip compression would
// otherwise hide from the fuzzer.
#include <cstdint>
#include <string_view>

#include "catalog/java/archive.h"
#include "catalog/java/metadata.h"
#include "catalog/java/summary.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  using namespace strata::catalog::java;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)ParseManifest(bytes);
  (void)ParsePomProperties(bytes);
  (void)PomLicenseNames(bytes);
  for (const std::string& l : BundleLicenses(bytes)) (void)LicenseId(l);
  (void)ParseArchiveFileName(bytes);
  ScanLimits limits;
  limits.max_archive_bytes = 1 * caps::kMiB;
  limits.max_expanded_bytes = 4 * caps::kMiB;
  limits.max_metadata_bytes = 64 * caps::kKiB;
  limits.max_entries = 10'000;
  auto scan = ScanArchive(bytes, limits);
  if (!scan.ok()) return 0;
  Summary summary = Summarize("fuzz-1.0.jar", *scan);
  for (size_t i = 0; i < summary.packages.size(); ++i) {
    const JavaPackage& p = summary.packages[i];
    if (p.name.empty() || p.version.empty()) __builtin_trap();
    if (p.parent >= static_cast<int>(i)) __builtin_trap();
  }
  auto back = DecodeSummary(EncodeSummary(summary));
  if (!back.ok()) __builtin_trap();
  return 0;
}
