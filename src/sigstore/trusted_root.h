// Sigstore trusted roots (protobuf-specs sigstore_trustroot.proto,
// TrustedRoot), read from their protobuf JSON form: the transparency logs,
// CT logs, certificate authorities and timestamp authorities a verifier
// trusts, each with its validity window.
//
// Also the protobuf-JSON field readers the sigstore layer shares (int64 as a
// number or a string, bytes as base64 of either alphabet, RFC 3339
// Timestamps).
//
// A TrustedRoot is a plain value (move-only: it owns OpenSSL keys); lookups
// return pointers into it that live as long as the root. Const methods are
// safe to call from several threads.
#ifndef STRATA_SIGSTORE_TRUSTED_ROOT_H_
#define STRATA_SIGSTORE_TRUSTED_ROOT_H_

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/caps.h"
#include "base/json.h"
#include "base/status.h"
#include "crypto/keys.h"

namespace strata::sigstore {

// A trusted_root.json larger than this is refused before parsing.
inline constexpr int64_t kMaxTrustedRootBytes = 1 * caps::kMiB;
// At most this many tlogs, ctlogs, certificate authorities and timestamp
// authorities (each list separately), and certificates per chain.
inline constexpr size_t kMaxTrustedRootLogs = 64;
inline constexpr size_t kMaxTrustedRootAuthorities = 64;
inline constexpr size_t kMaxCertificatesPerChain = 16;

// A point in time: seconds since the Unix epoch plus nanoseconds (a
// google.protobuf.Timestamp). Ordered.
struct Timestamp {
  int64_t seconds = 0;
  int32_t nanos = 0;  // [0, 999999999]
  static Timestamp FromUnix(int64_t seconds) { return {seconds, 0}; }
  friend auto operator<=>(const Timestamp&, const Timestamp&) = default;
};

// Parses an RFC 3339 date-time as protobuf JSON writes Timestamps:
// "2021-01-12T11:53:27Z", "2022-12-31T23:59:59.999Z", or with a numeric
// offset ("+01:00"). Years 0001 to 9999; at most 9 fraction digits.
// kDataLoss "bad timestamp \"...\"" otherwise.
Result<Timestamp> ParseTimestamp(std::string_view text);

// A closed interval [start, end]; no end means "not yet ended".
struct TimeRange {
  Timestamp start;
  std::optional<Timestamp> end;
  bool Contains(Timestamp t) const { return start <= t && (!end || t <= *end); }
};

// A log key (common.proto PublicKey).
struct LogKey {
  // The PublicKeyDetails enum name as written ("PKIX_ECDSA_P256_SHA_256").
  std::string details;
  std::string raw_bytes;  // as given (DER)
  // Set when `details` names a key type strata verifies with (PKIX ECDSA
  // P-256/P-384/P-521, PKIX Ed25519, PKIX RSA PKCS#1 v1.5 and PSS with a
  // fixed size) and raw_bytes hold such a key. Other types (deprecated
  // PKCS#1 encodings, LMS, ML-DSA, Ed25519ph, unknown names) are kept but
  // unusable: `key` is empty.
  std::optional<crypto::PublicKey> key;
  crypto::Hash hash = crypto::Hash::kSha256;  // the signature's hash
  crypto::RsaPadding padding = crypto::RsaPadding::kPkcs1v15;
  // Absent validFor: no bound. Present validFor must have a start.
  std::optional<TimeRange> valid_for;

  bool usable() const { return key.has_value(); }
  // True when the key is usable and `t` lies in valid_for (ends inclusive).
  bool ValidAt(Timestamp t) const {
    return usable() && (!valid_for || valid_for->Contains(t));
  }
  // Verifies `signature` over `message` with this key's algorithm. Fails
  // (kFailedPrecondition) when the key is unusable.
  Status Verify(std::string_view message, std::string_view signature) const;
};

// A transparency log or CT log (TransparencyLogInstance).
struct TransparencyLog {
  std::string base_url;
  std::string hash_algorithm;  // HashAlgorithm enum name ("SHA2_256")
  LogKey public_key;
  std::string log_id;             // raw bytes of logId.keyId
  std::string checkpoint_key_id;  // raw bytes; empty when absent
  std::string operator_name;
};

// A Fulcio CA or an RFC 3161 timestamp authority (CertificateAuthority).
struct CertificateAuthority {
  std::string subject_organization;
  std::string subject_common_name;
  std::string uri;
  // DER certificates in the file's order (the last is the trust anchor).
  // Not parsed here.
  std::vector<std::string> cert_chain;
  TimeRange valid_for;  // required, with a start
  std::string operator_name;
};

struct TrustedRoot {
  std::string media_type;
  std::vector<TransparencyLog> tlogs;
  std::vector<CertificateAuthority> certificate_authorities;
  std::vector<TransparencyLog> ctlogs;
  std::vector<CertificateAuthority> timestamp_authorities;

  // The first tlog / ctlog whose log id equals `log_id` (raw bytes), or
  // nullptr.
  const TransparencyLog* FindTlog(std::string_view log_id) const;
  const TransparencyLog* FindCtlog(std::string_view log_id) const;
};

// Parses a trusted_root.json. Accepts the media types
// "application/vnd.dev.sigstore.trustedroot+json;version=0.1" and
// "application/vnd.dev.sigstore.trustedroot.v0.1+json" / ".v0.2+json".
// Unknown members are ignored. Errors (kDataLoss unless said otherwise)
// name the member, e.g. "tlogs[1]: publicKey.validFor.start is missing";
// a file over kMaxTrustedRootBytes or a list over its cap is
// kResourceExhausted. A key whose details name a supported type but whose
// bytes are not that key is an error.
Result<TrustedRoot> ParseTrustedRoot(std::string_view bytes);

// --- Protobuf JSON readers (shared by the sigstore layer) ------------------
// Each returns nullopt when `key` is absent (or null) and kDataLoss naming
// the member when it has the wrong type or form.

// int64: a JSON integer or a string of decimal digits with an optional '-'.
Result<std::optional<int64_t>> GetProtoInt64(const json::Json& obj,
                                             std::string_view key);
// bytes: base64, standard or URL alphabet, padding optional, line breaks
// (CR, LF) skipped as Go's decoder skips them.
Result<std::optional<std::string>> GetProtoBytes(const json::Json& obj,
                                                 std::string_view key);
// google.protobuf.Timestamp: an RFC 3339 string (ParseTimestamp).
Result<std::optional<Timestamp>> GetProtoTimestamp(const json::Json& obj,
                                                   std::string_view key);

}  // namespace strata::sigstore

#endif  // STRATA_SIGSTORE_TRUSTED_ROOT_H_
