// Fuzzes image reference syntax (oci/reference.h, no file system access) and
// platform strings and repository names, and checks that a parsed reference's
// canonical form parses back to itself.
#include <cstdint>
#include <string_view>

#include "base/caps.h"
#include "oci/manifest.h"
#include "oci/reference.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  oci::ParsePlatform(input).status().IgnoreError();
  oci::ParseRepository(input).status().IgnoreError();
  bool needs_detection = false;
  auto ref = oci::ParseReferenceSyntax(input, &needs_detection);
  if (!ref.ok() || needs_detection) return 0;
  std::string canonical = ref->ToString();
  if (static_cast<int64_t>(canonical.size()) > caps::kMaxReferenceLength) {
    return 0;
  }
  auto again = oci::ParseReferenceSyntax(canonical, &needs_detection);
  if (!again.ok() || needs_detection || again->ToString() != canonical ||
      again->path != ref->path || again->tag != ref->tag ||
      again->digest != ref->digest || again->index != ref->index ||
      again->registry != ref->registry ||
      again->repository != ref->repository) {
    __builtin_trap();
  }
  return 0;
}
