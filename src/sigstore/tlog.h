// Rekor transparency-log entries (protobuf-specs sigstore_rekor.proto,
// TransparencyLogEntry) and their offline proofs:
//   - the Signed Entry Timestamp (inclusion promise, Rekor v1),
//   - the RFC 9162 Merkle inclusion proof of the entry's body,
//   - the checkpoint (a C2SP signed note, tlog-checkpoint format) that signs
//     the proof's root hash and tree size.
//
// Every verifier returns OK or a Status whose message says exactly what
// failed. A proof that does not hold is kPermissionDenied; a malformed
// field is kDataLoss; a missing piece is kFailedPrecondition; no matching
// log in the trusted root is kNotFound. Bundle-level checks (that the body
// matches the artifact, certificate validity at the integrated time, TSA
// timestamps, key validity at a TSA time for Rekor v2) belong to the caller.
#ifndef STRATA_SIGSTORE_TLOG_H_
#define STRATA_SIGSTORE_TLOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/caps.h"
#include "base/json.h"
#include "base/status.h"
#include "sigstore/trusted_root.h"

namespace strata::sigstore {

// Caps on one entry.
inline constexpr size_t kMaxProofHashes = 64;  // a tree of 2^64 leaves
inline constexpr int64_t kMaxCanonicalBodyBytes = 1 * caps::kMiB;
inline constexpr size_t kMaxCheckpointBytes = 16 * caps::kKiB;
inline constexpr size_t kMaxCheckpointSignatures = 64;
// Signed entry timestamps and checkpoint signatures are bounded by
// crypto::kMaxKeyBytes.

// Integrated times up to this far past "now" are tolerated (clock skew).
inline constexpr int64_t kDefaultClockSkewSeconds = 60;

struct InclusionProof {
  int64_t log_index = 0;  // index of the leaf in this tree (shard)
  std::string root_hash;  // raw bytes
  int64_t tree_size = 0;
  std::vector<std::string> hashes;  // raw bytes, leaf to root
  std::string checkpoint;           // the signed note; empty when absent
};

struct TransparencyLogEntry {
  int64_t log_index = 0;  // global index
  std::string log_id;     // raw bytes of logId.keyId
  std::string kind;       // kindVersion.kind, e.g. "hashedrekord"
  std::string version;    // kindVersion.version, e.g. "0.0.1"
  // Unix seconds; 0 when absent (Rekor v2 entries have none).
  int64_t integrated_time = 0;
  // inclusionPromise.signedEntryTimestamp (raw signature bytes).
  std::optional<std::string> signed_entry_timestamp;
  std::optional<InclusionProof> inclusion_proof;
  std::string canonicalized_body;  // decoded bytes; empty when absent
};

// Reads one element of a bundle's verificationMaterial.tlogEntries. Types
// are strict (int64 as number or decimal string, bytes as base64); logId
// and kindVersion are required; negative indexes, times and sizes are
// refused; caps above are kResourceExhausted. Errors name the member:
// "inclusionProof: field \"treeSize\" must be an int64".
Result<TransparencyLogEntry> ParseTlogEntry(const json::Json& entry);

// The bytes a Rekor v1 SET signs: RFC 8785 JSON of {"body": base64(body),
// "integratedTime", "logID": lowercase hex of log_id, "logIndex"}.
Result<std::string> SetPayload(const TransparencyLogEntry& entry);

// Verifies the SET with the key of a tlog in `root` whose log id equals
// entry.log_id and whose key is valid at entry.integrated_time.
Status VerifySet(const TransparencyLogEntry& entry, const TrustedRoot& root);

// RFC 6962 leaf hash: SHA-256(0x00 || body).
std::string LeafHash(std::string_view body);

// Verifies that SHA-256(0x00 || canonicalized_body) is leaf log_index of a
// tree of tree_size leaves with root root_hash, by the RFC 9162 2.1.3.2
// audit path. Hashes must be 32 bytes, log_index < tree_size, and the path
// exactly as long as the tree requires.
Status VerifyInclusionProof(const TransparencyLogEntry& entry);

// A parsed checkpoint (C2SP tlog-checkpoint in a C2SP signed note).
struct Checkpoint {
  std::string origin;
  int64_t tree_size = 0;
  std::string root_hash;                // raw bytes
  std::vector<std::string> extensions;  // lines after the root hash
  struct Signature {
    std::string name;
    std::string key_hint;   // 4 bytes
    std::string signature;  // the rest of the decoded bytes
  };
  std::vector<Signature> signatures;
  std::string signed_text;  // the note text the signatures cover
};

// Parses a signed note holding a checkpoint: text lines (origin, decimal
// tree size, base64 root hash, optional extension lines), a blank line,
// then one or more "\u2014 <name> <base64(key hint || signature)>" lines,
// every line ending in '\n'. kDataLoss naming the bad part otherwise.
Result<Checkpoint> ParseCheckpoint(std::string_view note);

// The C2SP key hint of `log`'s key when it signs as `key_name`: for Ed25519
// SHA-256(name || '\n' || 0x01 || raw key)[:4]; for ECDSA (Rekor v1)
// SHA-256(SubjectPublicKeyInfo DER)[:4]; for RSA SHA-256(name || '\n' ||
// 0xff || "PKIX-RSA-PKCS#1v1.5" || DER)[:4]. Empty for unusable keys.
std::string CheckpointKeyHint(const LogKey& key, std::string_view key_name);

// Parses the inclusion proof's checkpoint, requires its tree size and root
// hash to equal the proof's, and requires at least one signature line whose
// key hint matches a tlog of `root` with id entry.log_id and whose
// signature verifies over the note text. Signature lines by other keys
// (witness cosignatures, other logs) are ignored.
// The key's validity window is not checked here (Rekor v2 entries have no
// integrated time): callers check LogKey::ValidAt at their verified time.
Status VerifyCheckpoint(const TransparencyLogEntry& entry,
                        const TrustedRoot& root);

// Requires an integrated time (> 0) no later than now_unix + max_skew.
Status VerifyIntegratedTime(const TransparencyLogEntry& entry, int64_t now_unix,
                            int64_t max_skew = kDefaultClockSkewSeconds);

// The name Rekor's entry bodies give a hash ("sha256", "sha384",
// "sha512"); other hashes are named sha256.
std::string_view RekorHashName(crypto::Hash h);

}  // namespace strata::sigstore

#endif  // STRATA_SIGSTORE_TLOG_H_
