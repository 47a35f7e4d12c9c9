// Fuzzes the OCI/Docker document parsers (oci/manifest.h): manifests,
// indexes, image configs and document classification, and checks that every
// accepted document respects its caps.
#include <cstdint>
#include <string_view>

#include "base/caps.h"
#include "oci/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto m = oci::ParseManifest(bytes, "manifest"); m.ok()) {
    if (m->layers.size() > static_cast<size_t>(caps::kMaxLayers)) {
      __builtin_trap();
    }
  }
  if (auto index = oci::ParseIndex(bytes, "index"); index.ok()) {
    if (index->manifests.size() >
        static_cast<size_t>(caps::kMaxIndexManifests)) {
      __builtin_trap();
    }
  }
  if (auto config = oci::ParseImageConfig(bytes, "config"); config.ok()) {
    if (config->diff_ids.size() > static_cast<size_t>(caps::kMaxLayers)) {
      __builtin_trap();
    }
  }
  oci::ClassifyDocument(bytes, "").status().IgnoreError();
  return 0;
}
