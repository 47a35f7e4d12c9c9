// Offline verification of a Sigstore bundle against an artifact, a trusted
// root and a policy (a public key, or a certificate identity and issuer),
// as Sigstore clients verify: every check must pass, and a failure says
// which one and why.
//
// What is checked, in order:
//  1. the bundle's signature over the artifact (message signature: the
//     artifact's digest, with the bundle's digest only a hint that must
//     agree; DSSE: exactly one signature over PAE, and for in-toto the
//     artifact's SHA-256 among the statement's subjects);
//  2. each transparency-log entry: its log is in the trusted root, its body
//     records this signature, this key or certificate and this artifact,
//     its SET (Rekor v1) and its inclusion proof and checkpoint verify,
//     its integrated time is not in the future;
//  3. the signing times: integrated times of entries whose SET verified and
//     RFC 3161 timestamps from trusted authorities; at least one is needed
//     for a certificate (keyless), and for Rekor v2 entries (no integrated
//     time) a timestamp is needed;
//  4. keyless: at every signing time the certificate chains to a trusted
//     Fulcio CA (a root carried in the bundle is refused), has a valid
//     embedded SCT, and it matches the identity policy.
#ifndef STRATA_SIGSTORE_VERIFY_H_
#define STRATA_SIGSTORE_VERIFY_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "crypto/keys.h"
#include "pki/identity.h"
#include "sigstore/bundle.h"
#include "sigstore/trusted_root.h"

namespace strata::sigstore {

// What was signed: the artifact's bytes, or only its SHA-256 digest.
struct Artifact {
  std::optional<std::string_view> bytes;
  std::string sha256;  // raw 32 bytes; computed from `bytes` when empty

  static Artifact FromBytes(std::string_view b);
  static Artifact FromSha256(std::string raw_digest);
};

struct VerifyPolicy {
  // Exactly one of these.
  std::optional<crypto::PublicKey> key;
  std::optional<pki::IdentityPolicy> identity;
  // Unix seconds "now", for integrated times in the future.
  int64_t now_unix = 0;
};

struct VerifiedBundle {
  std::string signer;  // the matching SAN, or the key's type name
  std::string issuer;  // Fulcio issuer; empty for a key
  std::vector<Timestamp> signing_times;
  // The DSSE payload when the content is an envelope.
  std::string payload_type;
  std::string payload;
};

Result<VerifiedBundle> VerifyBundle(const Bundle& bundle,
                                    const Artifact& artifact,
                                    const TrustedRoot& root,
                                    const VerifyPolicy& policy);

}  // namespace strata::sigstore

#endif  // STRATA_SIGSTORE_VERIFY_H_
