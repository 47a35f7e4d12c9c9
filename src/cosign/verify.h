// Key-based verification of cosign signatures of one image.
//
// A signature layer (storage.h) is accepted when, in this order: its media
// type is the simple signing one; it has a signature annotation that is
// valid base64 (line breaks ignored, as Go's decoder does); the signature
// verifies over the payload bytes with one of the given public keys (each
// key with its DefaultHash; RSA PKCS#1 v1.5); the payload parses strictly
// (payload.h); its docker-manifest-digest is the image's manifest digest;
// and its docker-reference matches the image's reference by containers/image
// "matchRepoDigestOrExact": for a reference by digest the signed reference
// must name the same repository (any tag or digest), for a reference by tag
// it must be exactly the same reference (same repository, the same explicit
// tag, no digest). An image is verified when at least one layer is
// accepted. Rekor bundles, certificates and chains are not looked at here.
//
// Not being verified is an outcome, not an error: VerifyImage returns a
// Verdict whatever the signatures hold.
#ifndef STRATA_COSIGN_VERIFY_H_
#define STRATA_COSIGN_VERIFY_H_

#include <span>
#include <string>
#include <vector>

#include "base/digest.h"
#include "base/status.h"
#include "cosign/payload.h"
#include "cosign/storage.h"
#include "crypto/keys.h"
#include "oci/reference.h"

namespace strata::cosign {

struct ImageIdentity {
  // The image as the user named it (kRegistry): by tag (empty tag:
  // "latest") or by digest.
  oci::ImageRef reference;
  // The digest of the image's manifest bytes (resolved from the tag).
  Digest manifest_digest;
};

struct Verdict {
  // The payloads of the accepted layers, in layer order.
  std::vector<Payload> verified;
  // One line per rejected layer, "signature 2: <why>" (1-based), or the
  // one reason nothing could be accepted ("no signatures").
  std::vector<std::string> rejections;

  bool accepted() const { return !verified.empty(); }
  // OK when accepted; else kPermissionDenied
  // "no valid signature: signature 1: ...; signature 2: ...".
  Status ToStatus() const;
};

// Verifies `signatures` of `image` with `keys` (any one key suffices).
Verdict VerifyImage(const ImageIdentity& image,
                    std::span<const SignatureLayer> signatures,
                    std::span<const crypto::PublicKey> keys);

// The identity rule alone: OK if the signed `docker_reference` matches
// `image` under matchRepoDigestOrExact, else kPermissionDenied saying why.
Status MatchIdentity(const oci::ImageRef& image,
                     std::string_view docker_reference);

}  // namespace strata::cosign

#endif  // STRATA_COSIGN_VERIFY_H_
