// `strata verify`: checks the cosign signatures of an image in a registry,
// with public keys or keyless (a Fulcio certificate, its Rekor bundle and a
// trusted root), and prints what cosign verify prints
// (docs/formats/verify-json.md).
//
// A signature layer (cosign/storage.h) is accepted:
//  - with keys: as cosign::VerifyImage accepts it with the given keys;
//  - keyless: when its certificate annotation holds a PEM certificate whose
//    key verifies the signature and cosign::VerifyImage accepts it with that
//    key (claims: payload, manifest digest, docker-reference), and then, as
//    the sigstore layer verifies a bundle (sigstore/verify.h): its Rekor
//    bundle annotation is cosign's legacy bundle of a hashedrekord entry
//    that records this payload's sha256, this signature and this
//    certificate, whose SET verifies with a tlog of the trusted root; at the
//    entry's integrated time the certificate chains to a certificate
//    authority of the trusted root (the chain annotation's certificates are
//    only untrusted intermediates: self-issued ones are dropped); it has a
//    valid embedded SCT from a CT log of the trusted root; and its SANs and
//    OIDC issuer match the identity policy.
// The image is named by digest for the claims check: the signed
// docker-reference must name the image's repository (any tag or digest), as
// cosign writes it ("REGISTRY/REPO") and skopeo's matchRepository accepts.
//
// Signatures in cosign's new bundle format (cosign/bundle_store.h: Sigstore
// bundles found among the image's OCI referrers, API or tag-schema
// fallback) are verified too, see VerifyImageBundles; `strata verify`
// accepts the image when a signature verifies in either storage mode.
//
// Not being verified is an outcome: the functions return a VerifyResult.
#ifndef STRATA_CLI_VERIFY_H_
#define STRATA_CLI_VERIFY_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "cosign/bundle_store.h"
#include "cosign/payload.h"
#include "cosign/storage.h"
#include "cosign/verify.h"
#include "crypto/keys.h"
#include "pki/identity.h"
#include "sigstore/bundle.h"
#include "sigstore/dsse.h"
#include "sigstore/tlog.h"
#include "sigstore/trusted_root.h"

namespace strata::cli {

// At most this many --key files.
inline constexpr size_t kMaxVerifyKeys = 32;
// A dev.sigstore.cosign/bundle annotation larger than this is refused.
inline constexpr size_t kMaxRekorBundleBytes = 256 * 1024;

// `strata verify (--key K ... [--trusted-root F | --insecure-ignore-tlog] |
// --certificate-identity[-regexp] ... --certificate-oidc-issuer[-regexp] ...
// --trusted-root F) IMAGE`. Both storage modes are searched: the .sig tag and
// bundle referrers. With --key and --trusted-root every signature's log
// entry is verified against that root (a .sig layer's Rekor bundle
// annotation, a bundle's entry); a key-signed bundle always needs one unless
// --insecure-ignore-tlog, while a .sig layer without --trusted-root is
// accepted on its signature alone (as skopeo's sigstoreSigned policy does
// without a Rekor key).
// Exit 0 verified, 2 no valid signature, 1 error.
std::function<int()> SetupVerify(CLI::App* cmd);

// cosign's legacy Rekor bundle (the dev.sigstore.cosign/bundle annotation),
//   {"SignedEntryTimestamp": base64,
//    "Payload": {"body": base64, "integratedTime": n, "logIndex": n,
//                "logID": hex}},
// read strictly (those members with those types, nothing else required;
// unknown members ignored) into a transparency-log entry whose kind and
// version are the body's "kind" and "apiVersion". kDataLoss naming the
// member otherwise ("rekor bundle: Payload.logID is not hex");
// kResourceExhausted over kMaxRekorBundleBytes.
Result<sigstore::TransparencyLogEntry> ParseRekorBundle(std::string_view json);

// cosign's RFC 3161 timestamp annotation
// (dev.sigstore.cosign/rfc3161timestamp),
// {"SignedRFC3161Timestamp":"<base64 DER>"}: the DER, read strictly (that
// member a base64 string; unknown members ignored); kDataLoss
// "rfc3161 timestamp annotation: ..." otherwise, kResourceExhausted over
// kMaxRekorBundleBytes. The writer is its inverse.
Result<std::string> ParseRfc3161TimestampAnnotation(std::string_view json);
std::string Rfc3161TimestampAnnotation(std::string_view der);

// The Sigstore bundle a keyless cosign signature or attestation layer
// amounts to: its certificate (PEM leaf), the chain annotation's
// intermediates (self-issued certificates dropped: trust comes only from
// the trusted root) and its legacy Rekor bundle as the log entry. The
// caller sets the content (message signature or DSSE envelope).
Result<sigstore::Bundle> LegacyKeylessBundle(
    std::string_view certificate_pem,
    const std::optional<std::string>& chain_pem,
    std::string_view rekor_bundle_json);

// The same for a key-signed layer: no certificate (publicKey verification
// material: the caller's key) and the legacy Rekor bundle as the log entry.
Result<sigstore::Bundle> LegacyKeyBundle(std::string_view rekor_bundle_json);

// An identity or issuer matcher from a flag pair (--X and --X-regexp):
// exactly one must be given ("--X or --X-regexp is required for keyless
// verification", "give --X or --X-regexp, not both").
Result<pki::Matcher> MatcherFromFlags(const std::string& exact,
                                      const std::string& regexp,
                                      std::string_view flag);

// The verification flags `verify` and `verify-attestation` share, with
// cosign's names: --key (repeatable), --certificate-identity[-regexp],
// --certificate-oidc-issuer[-regexp], --trusted-root and
// --insecure-ignore-tlog. `what` ("signature", "attestation") words the
// help.
// The keyless identity flags: --certificate-identity[-regexp] and
// --certificate-oidc-issuer[-regexp] (see MatcherFromFlags).
void AddIdentityFlags(CLI::App* cmd, std::string* identity,
                      std::string* identity_regexp, std::string* issuer,
                      std::string* issuer_regexp);

struct VerifierFlags {
  std::vector<std::string> keys;
  std::string identity, identity_regexp, issuer, issuer_regexp;
  std::string trusted_root;
  bool ignore_tlog = false;
};
void AddVerifierFlags(CLI::App* cmd, VerifierFlags* flags,
                      std::string_view what);

struct BundlePolicy;

// What the flags load into. Not movable: bundle_policy() points into it.
struct Verifier {
  std::vector<crypto::PublicKey> keys;
  std::optional<pki::IdentityPolicy> identity;  // set: keyless
  std::optional<sigstore::TrustedRoot> root;
  bool ignore_tlog = false;
  int64_t now_unix = 0;  // the clock, for integrated times

  Verifier() = default;
  Verifier(const Verifier&) = delete;
  Verifier& operator=(const Verifier&) = delete;

  bool keyless() const { return identity.has_value(); }
  // The root the log entries of key-signed .sig and .att layers are checked
  // against: the trusted root with --key, unless --insecure-ignore-tlog.
  const sigstore::TrustedRoot* key_tlog_root() const;
  // How bundles are checked (BundlePolicy, predicate_type empty).
  BundlePolicy bundle_policy() const;
};

// Loads the keys, the identity and the trusted root of `flags` into `out`.
// Exactly one of --key and a keyless identity; keyless needs exactly one of
// each --X/--X-regexp pair and --trusted-root; at most kMaxVerifyKeys keys;
// --insecure-ignore-tlog only with keys. kInvalidArgument saying which.
Status LoadVerifier(const VerifierFlags& flags, Verifier* out);

// The identity policy of the four flags: MatcherFromFlags for
// certificate-identity and for certificate-oidc-issuer.
Result<pki::IdentityPolicy> IdentityFromFlags(
    const std::string& identity, const std::string& identity_regexp,
    const std::string& issuer, const std::string& issuer_regexp);

struct KeylessPolicy {
  pki::IdentityPolicy identity;
  const sigstore::TrustedRoot* root = nullptr;  // required
  int64_t now_unix = 0;  // "now", for integrated times and CT log windows
};

// One accepted signature layer.
struct VerifiedSignature {
  size_t index = 0;  // into the layers verified, 0-based
  cosign::Payload payload;
};

struct VerifyResult {
  std::vector<VerifiedSignature> verified;  // layer order
  // "signature 2: <why>" (1-based) per rejected layer; also "no signatures",
  // and with require_all_keys "key 2: no signature verifies with it".
  std::vector<std::string> rejections;
  // Some layer accepted (and, with require_all_keys, every key used).
  bool accepted = false;
};

// Verifies `layers` of `image` with `keys` (any one suffices). With
// `require_all_keys` every key must verify at least one accepted layer.
// With `tlog_root` a layer must also carry a Rekor bundle annotation whose
// entry verifies against that root (its SET signed by one of its logs) and
// records this payload's digest, this signature and the key that verified
// it; `now_unix` bounds the integrated time.
VerifyResult VerifyWithKeys(const cosign::ImageIdentity& image,
                            std::span<const cosign::SignatureLayer> layers,
                            std::span<const crypto::PublicKey> keys,
                            bool require_all_keys,
                            const sigstore::TrustedRoot* tlog_root = nullptr,
                            int64_t now_unix = 0);

// Verifies `layers` of `image` keyless (see above).
VerifyResult VerifyKeyless(const cosign::ImageIdentity& image,
                           std::span<const cosign::SignatureLayer> layers,
                           const KeylessPolicy& policy);

// What `strata verify -o json` prints (without the newline): the accepted
// payloads as cosign verify prints them, a JSON array in Go's encoding of
// cosign's SimpleContainerImage, "optional" holding the signed optional
// members plus, for a layer with a certificate, "Subject" (its first SAN),
// "Issuer" and "1.3.6.1.4.1.57264.1.1" (its OIDC issuer), and for a layer
// with a Rekor bundle, "Bundle". `layers` are those given to Verify*.
Result<std::string> VerifiedJson(std::span<const cosign::SignatureLayer> layers,
                                 std::span<const VerifiedSignature> verified);

// How bundles stored as referrers are verified.
struct BundlePolicy {
  // Exactly one of: keys (any one suffices) or a keyless identity.
  std::span<const crypto::PublicKey> keys;
  std::optional<pki::IdentityPolicy> identity;
  // Required keyless; with keys, what the log entries are verified against
  // (without it, and without ignore_tlog, key bundles are rejected).
  const sigstore::TrustedRoot* root = nullptr;
  // Keys only (cosign's --insecure-ignore-tlog): only the envelope's
  // signature is checked, with the key; log entries are neither required
  // nor verified. Bundles with a certificate are then rejected.
  bool ignore_tlog = false;
  int64_t now_unix = 0;
  // What the bundles must hold: empty, image signatures
  // (cosign::CheckSignStatement); else attestations of this predicate type
  // URI (cosign::CheckAttestationStatement).
  std::string predicate_type;
};

struct VerifiedImageBundle {
  size_t index = 0;                 // into the bundles verified, 0-based
  size_t key_index = 0;             // the key that verified it (keys only)
  std::string signer;               // the certificate's SAN, or the key type
  std::string issuer;               // the OIDC issuer (keyless)
  std::string payload;              // the signed in-toto statement
  sigstore::DsseEnvelope envelope;  // the bundle's envelope
};

struct BundleVerifyResult {
  std::vector<VerifiedImageBundle> verified;  // bundle order
  // "bundle 2: <why>" (1-based) per rejected bundle.
  std::vector<std::string> rejections;
  // Bundles passed over because their listing says they hold another
  // predicate type (an attestation when signatures are wanted, say).
  size_t passed_over = 0;
};

// Verifies `bundles` of the image `image` (its manifest digest). A bundle
// whose listed predicate type (StoredBundle::predicate_type) is set and is
// not the wanted one (policy.predicate_type, or cosign's sign predicate for
// signatures) is passed over without a word. A bundle is accepted when it
// holds a DSSE envelope, it verifies with sigstore::VerifyBundle against the
// artifact `image` (sha256) under the policy (or, with ignore_tlog, its one
// signature verifies with the key), and its payload passes the statement
// check of the policy for `image`: for signatures cosign::CheckSignStatement
// (an in-toto statement with predicateType
// https://sigstore.dev/cosign/sign/v1 whose subject is the image: a
// statement about another image is rejected), for attestations
// cosign::CheckAttestationStatement.
BundleVerifyResult VerifyImageBundles(
    const Digest& image, std::span<const cosign::StoredBundle> bundles,
    const BundlePolicy& policy);

// The JSON array entries `strata verify` prints for accepted bundles, as
// cosign verify prints them (comma-separated, no brackets):
//   {"critical":{"identity":{"docker-reference":REF},"image":
//    {"docker-manifest-digest":DIGEST},"type":
//    "https://sigstore.dev/cosign/sign/v1"},"optional":{...}}
// with "optional" empty for a key and {"Issuer","Subject"} keyless.
std::string BundleVerifiedJson(std::string_view docker_reference,
                               const Digest& image,
                               std::span<const VerifiedImageBundle> verified);

}  // namespace strata::cli

#endif  // STRATA_CLI_VERIFY_H_
