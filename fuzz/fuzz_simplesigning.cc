// Fuzzes the cosign signature parsers (cosign/payload.h, cosign/storage.h):
// the strict simple signing payload and the containers/image sigstore-json
// file, and checks that an accepted payload is small and well formed.
#include <cstdint>
#include <string_view>

#include "cosign/payload.h"
#include "cosign/storage.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto p = cosign::ParsePayload(bytes); p.ok()) {
    if (size > static_cast<size_t>(cosign::kMaxPayloadBytes) ||
        p->manifest_digest.empty()) {
      __builtin_trap();
    }
  }
  if (auto layer = cosign::ParseSigstoreJson(bytes); layer.ok()) {
    if (layer->payload.size() > static_cast<size_t>(cosign::kMaxPayloadBytes)) {
      __builtin_trap();
    }
    cosign::ParsePayload(layer->payload).status().IgnoreError();
  }
  return 0;
}
