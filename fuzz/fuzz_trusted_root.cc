// Fuzzes the Sigstore trust inputs (sigstore/trusted_root.h, sigstore/tlog.h):
// trusted_root.json parsing, transparency-log entries and their checkpoints.
// The same bytes go to each parser; accepted values must respect the caps,
// and the verifiers must not crash on whatever parsed.
#include <cstdint>
#include <string_view>

#include "sigstore/tlog.h"
#include "sigstore/trusted_root.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  using namespace strata::sigstore;
  std::string_view input(reinterpret_cast<const char*>(data), size);

  Result<TrustedRoot> root = ParseTrustedRoot(input);
  if (root.ok()) {
    if (root->tlogs.size() > kMaxTrustedRootLogs ||
        root->ctlogs.size() > kMaxTrustedRootLogs ||
        root->certificate_authorities.size() > kMaxTrustedRootAuthorities ||
        root->timestamp_authorities.size() > kMaxTrustedRootAuthorities) {
      __builtin_trap();
    }
    for (const TransparencyLog& log : root->tlogs) {
      if (root->FindTlog(log.log_id) == nullptr) __builtin_trap();
    }
  }

  Result<Checkpoint> cp = ParseCheckpoint(input);
  if (cp.ok() && (cp->signatures.empty() ||
                  cp->signatures.size() > kMaxCheckpointSignatures)) {
    __builtin_trap();
  }

  Result<json::Json> doc = json::Parse(input, "fuzz.json", 1 << 22);
  if (!doc.ok()) return 0;
  Result<TransparencyLogEntry> entry = ParseTlogEntry(*doc);
  if (!entry.ok()) return 0;
  if (entry->log_index < 0 || entry->integrated_time < 0 ||
      entry->canonicalized_body.size() >
          static_cast<size_t>(kMaxCanonicalBodyBytes)) {
    __builtin_trap();
  }
  if (entry->inclusion_proof &&
      (entry->inclusion_proof->hashes.size() > kMaxProofHashes ||
       entry->inclusion_proof->tree_size < 0)) {
    __builtin_trap();
  }
  const TrustedRoot empty;
  VerifyInclusionProof(*entry).IgnoreError();
  VerifySet(*entry, root.ok() ? *root : empty).IgnoreError();
  VerifyCheckpoint(*entry, root.ok() ? *root : empty).IgnoreError();
  return 0;
}
