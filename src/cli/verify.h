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
// Not being verified is an outcome: the functions return a VerifyResult.
#ifndef STRATA_CLI_VERIFY_H_
#define STRATA_CLI_VERIFY_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "cosign/payload.h"
#include "cosign/storage.h"
#include "cosign/verify.h"
#include "crypto/keys.h"
#include "pki/identity.h"
#include "sigstore/tlog.h"
#include "sigstore/trusted_root.h"

namespace strata::cli {

// At most this many --key files.
inline constexpr size_t kMaxVerifyKeys = 32;
// A dev.sigstore.cosign/bundle annotation larger than this is refused.
inline constexpr size_t kMaxRekorBundleBytes = 256 * 1024;

// `strata verify (--key K ... | --certificate-identity[-regexp] ...
// --certificate-oidc-issuer[-regexp] ... --trusted-root F) IMAGE`.
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
VerifyResult VerifyWithKeys(const cosign::ImageIdentity& image,
                            std::span<const cosign::SignatureLayer> layers,
                            std::span<const crypto::PublicKey> keys,
                            bool require_all_keys);

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

}  // namespace strata::cli

#endif  // STRATA_CLI_VERIFY_H_
