// Fuzzes Sigstore bundle parsing (sigstore/bundle.h) and the writer's round
// trip: whatever parses must serialise and parse again to the same JSON.
#include <cstdint>
#include <string_view>

#include "sigstore/bundle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Result<sigstore::Bundle> b = sigstore::ParseBundle(bytes);
  if (!b.ok()) return 0;
  if (b->tlog_entries.size() > sigstore::kMaxTlogEntries ||
      b->rfc3161_timestamps.size() > sigstore::kMaxTimestamps ||
      b->certificates.size() > sigstore::kMaxBundleCertificates ||
      b->message_signature.has_value() == b->dsse_envelope.has_value()) {
    __builtin_trap();
  }
  const json::Json once = sigstore::BundleToJson(*b);
  Result<sigstore::Bundle> again = sigstore::ParseBundle(json::Dump(once));
  if (!again.ok() || sigstore::BundleToJson(*again) != once) __builtin_trap();
  return 0;
}
