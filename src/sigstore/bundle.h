// Sigstore bundles (protobuf-specs sigstore_bundle.proto, Bundle) v0.1,
// v0.2 and v0.3, read from and written as their protobuf JSON form.
//
// Parsing checks shape and the version's own rules; it proves nothing.
// Verification is verify.h.
#ifndef STRATA_SIGSTORE_BUNDLE_H_
#define STRATA_SIGSTORE_BUNDLE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/caps.h"
#include "base/json.h"
#include "base/status.h"
#include "sigstore/dsse.h"
#include "sigstore/tlog.h"

namespace strata::sigstore {

inline constexpr int64_t kMaxBundleBytes = 32 * caps::kMiB;
inline constexpr size_t kMaxTlogEntries = 16;
inline constexpr size_t kMaxTimestamps = 16;
inline constexpr size_t kMaxBundleCertificates = 10;

// The media type strata writes for new bundles.
inline constexpr std::string_view kBundleMediaTypeV03 =
    "application/vnd.dev.sigstore.bundle.v0.3+json";

enum class BundleVersion { kV01, kV02, kV03 };

struct MessageSignature {
  std::string digest_algorithm;  // HashAlgorithm enum name; empty if absent
  std::string digest;            // raw bytes; empty if absent (a hint only)
  std::string signature;         // raw bytes
};

struct Bundle {
  BundleVersion version = BundleVersion::kV03;
  std::string media_type;
  // Verification material: exactly one of these is set.
  std::vector<std::string> certificates;  // DER, leaf first
  bool certificate_chain = false;  // certificates came as x509CertificateChain
  std::optional<std::string> public_key_hint;  // publicKey.hint (may be "")
  std::vector<TransparencyLogEntry> tlog_entries;
  std::vector<std::string> rfc3161_timestamps;  // DER TimeStampResponse/token
  // Content: exactly one of these.
  std::optional<MessageSignature> message_signature;
  std::optional<DsseEnvelope> dsse_envelope;
};

// Parses a bundle. Errors (kDataLoss unless said) name what is wrong:
// unknown media types, not exactly one kind of verification material or
// content, an empty certificate chain, v0.1 entries without an inclusion
// promise, v0.2+ entries without an inclusion proof, bad base64, caps.
Result<Bundle> ParseBundle(std::string_view bytes);

// The bundle as protobuf JSON (v0.3 media type unless `bundle.media_type`
// says otherwise); ParseBundle reads it back to an equal bundle.
json::Json BundleToJson(const Bundle& bundle);

}  // namespace strata::sigstore

#endif  // STRATA_SIGSTORE_BUNDLE_H_
