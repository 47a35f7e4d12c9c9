// Signing into Sigstore bundles (v0.3): a blob (message signature) or a
// DSSE envelope, with a key or keyless (an ephemeral ECDSA P-256 key and a
// Fulcio certificate from an OIDC identity token), logged in Rekor v1
// unless told not to, optionally timestamped by an RFC 3161 authority.
//
// The finished bundle is checked before it is returned: its signature with
// the signing key always, and the whole bundle with VerifyBundle when a
// trusted root is given (and the bundle has a log entry), so a service's
// bad answer or our own mistake is caught before anything is written.
#ifndef STRATA_SIGSTORE_SIGN_H_
#define STRATA_SIGSTORE_SIGN_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "crypto/keys.h"
#include "registry/http.h"
#include "sigstore/bundle.h"
#include "sigstore/trusted_root.h"

namespace strata::sigstore {

// The public-good instances (cosign's defaults).
inline constexpr std::string_view kDefaultFulcioUrl =
    "https://fulcio.sigstore.dev";
inline constexpr std::string_view kDefaultRekorUrl =
    "https://rekor.sigstore.dev";

struct SignOptions {
  // Exactly one of: a key (borrowed; outlives the call), or an identity
  // token for keyless signing.
  const crypto::PrivateKey* key = nullptr;
  std::string identity_token;
  std::string fulcio_url = std::string(kDefaultFulcioUrl);
  std::string rekor_url = std::string(kDefaultRekorUrl);
  bool tlog_upload = true;
  std::string tsa_url;  // empty: no RFC 3161 timestamp
  // When set, the bundle is verified against it (borrowed).
  const TrustedRoot* trusted_root = nullptr;
  // "now" for that verification, Unix seconds; 0: the system clock
  // rounded up to the second (an SCT stamped milliseconds ago is not in
  // the future).
  int64_t now_unix = 0;
  // Every request goes through it (borrowed; required).
  registry::HttpTransport* http = nullptr;
  // Keyless: when set (borrowed), receives Fulcio's certificate chain as it
  // answered (DER, leaf first); the bundle holds the leaf only. Callers
  // that store signatures cosign's legacy way need the rest of it.
  std::vector<std::string>* fulcio_chain = nullptr;
};

// A bundle's publicKey.hint for `key`: base64 of SHA-256 of its
// SubjectPublicKeyInfo DER.
std::string PublicKeyHint(const crypto::PublicKey& key);

// Signs `artifact` (a message signature over its digest with the key's
// default hash; Ed25519 over the bytes) and logs a hashedrekord 0.0.1
// entry. kInvalidArgument for bad options; service errors as services.h
// says; kInternal when the finished bundle does not verify.
Result<Bundle> SignBlob(std::string_view artifact, const SignOptions& options);

// Signs a DSSE envelope of `payload` (PAE, exactly one signature) and logs
// a dsse 0.0.1 entry. For in-toto, payload_type is kInTotoPayloadType and
// the verification (with a trusted root) checks nothing about subjects.
Result<Bundle> SignDsse(std::string_view payload_type, std::string_view payload,
                        const SignOptions& options);

}  // namespace strata::sigstore

#endif  // STRATA_SIGSTORE_SIGN_H_
