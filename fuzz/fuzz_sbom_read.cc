// Fuzzes the SBOM readers (sbom/format.h): SPDX, CycloneDX and strata JSON
// detection and mapping. Every accepted document respects the array caps and
// can be written back out in every format.
#include <cstdint>
#include <string_view>

#include "sbom/format.h"
#include "sbom/format_internal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto sbom = sbom::Read(bytes);
  if (!sbom.ok()) return 0;
  if (sbom->packages.size() > sbom::internal::kMaxSbomArrayItems ||
      sbom->relationships.size() > sbom::internal::kMaxSbomArrayItems) {
    __builtin_trap();
  }
  for (sbom::Format f :
       {sbom::Format::kTable, sbom::Format::kJson, sbom::Format::kSpdxJson,
        sbom::Format::kCycloneDxJson}) {
    if (!sbom::Write(*sbom, f, sbom::WriteOptions{}).ok()) __builtin_trap();
  }
  return 0;
}
