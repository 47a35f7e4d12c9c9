// cosign's "new bundle format" for images (cosign specs/BUNDLE_SPEC.md):
// a Sigstore bundle (v0.3 JSON) stored as an OCI 1.1 artifact that refers to
// the image, found through the referrers API or, on registries without it,
// the referrers tag schema (the index tagged "sha256-<hex>").
//
// The artifact is an OCI image manifest
//   {"artifactType": kBundleArtifactType,
//    "config": the empty descriptor (application/vnd.oci.empty.v1+json, "{}"),
//    "layers": [the bundle JSON, media type kBundleArtifactType, annotated
//               org.opencontainers.image.title "sha256-<hex>.sigstore.json"],
//    "subject": the image's descriptor,
//    "annotations": dev.sigstore.bundle.content, .predicateType and
//                   org.opencontainers.image.created}
// pushed by digest.
//
// What cosign (v2.5+/v3) signs in this mode: a DSSE envelope (payload type
// application/vnd.in-toto+json) of an in-toto Statement v1 whose one subject
// is the image's manifest digest and whose predicateType is
// kCosignSignPredicateType with an empty predicate:
//   {"_type":"https://in-toto.io/Statement/v1",
//    "subject":[{"digest":{"sha256":"<hex>"},"annotations":{...}}],
//    "predicateType":"https://sigstore.dev/cosign/sign/v1","predicate":{}}
#ifndef STRATA_COSIGN_BUNDLE_STORE_H_
#define STRATA_COSIGN_BUNDLE_STORE_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/caps.h"
#include "base/digest.h"
#include "base/status.h"
#include "oci/manifest.h"
#include "registry/client.h"

namespace strata::cosign {

inline constexpr std::string_view kBundleArtifactType =
    "application/vnd.dev.sigstore.bundle.v0.3+json";
inline constexpr std::string_view kEmptyMediaType =
    "application/vnd.oci.empty.v1+json";
inline constexpr std::string_view kCosignSignPredicateType =
    "https://sigstore.dev/cosign/sign/v1";
inline constexpr std::string_view kBundleContentAnnotation =
    "dev.sigstore.bundle.content";
inline constexpr std::string_view kBundlePredicateTypeAnnotation =
    "dev.sigstore.bundle.predicateType";
inline constexpr std::string_view kCreatedAnnotation =
    "org.opencontainers.image.created";

// Caps on what a registry hands us: referrers considered per image, the
// bytes of one artifact manifest and of one stored bundle (checked against
// the descriptor before anything is fetched).
inline constexpr int kMaxBundleReferrers = 100;
inline constexpr int64_t kMaxBundleManifestBytes = 64 * caps::kKiB;
inline constexpr int64_t kMaxStoredBundleBytes = caps::kMiB;

// The in-toto Statement cosign signs for `image` (sha256 only; other
// algorithms are kInvalidArgument). `annotations` become the subject's
// annotations (an empty object when there are none).
Result<std::string> MakeSignStatement(
    const Digest& image, const std::map<std::string, std::string>& annotations);

// Checks that a verified DSSE payload is a cosign image signature of
// `image`: payload type application/vnd.in-toto+json, an in-toto Statement
// with predicateType kCosignSignPredicateType and a subject whose sha256 is
// `image`. kPermissionDenied naming what differs
// ("the statement's subjects do not include sha256:...").
Status CheckSignStatement(std::string_view payload_type,
                          std::string_view payload, const Digest& image);

// The artifact manifest for `bundle_json` about the image `subject`.
// `created` (RFC 3339) is the created annotation; empty: none.
struct BundleArtifact {
  std::string manifest;
  oci::Descriptor descriptor;  // media type, digest, size, artifactType,
                               // annotations (as the referrers index lists)
  oci::Descriptor layer;       // the bundle blob
};
Result<BundleArtifact> BuildBundleArtifact(const oci::Descriptor& subject,
                                           std::string_view bundle_json,
                                           std::string_view created);

struct PushedBundle {
  oci::Descriptor manifest;
  bool referrers_api = false;  // the registry answered with OCI-Subject
};
// Pushes the empty config, the bundle blob and the artifact manifest (by
// digest) to `repo`; when the registry did not answer with OCI-Subject, adds
// the manifest to the fallback index of `subject` (AddReferrerFallback).
// The bundle must parse (sigstore::ParseBundle) and be at most
// kMaxStoredBundleBytes.
Result<PushedBundle> PushBundle(registry::Client& client,
                                const std::string& repo,
                                const oci::Descriptor& subject,
                                std::string_view bundle_json,
                                std::string_view created);

// One bundle referrer of an image: its manifest digest and either the
// bundle's bytes (digest-checked, at most kMaxStoredBundleBytes) or why they
// could not be had (a bad referrer does not hide the others).
// `predicate_type` is what the listing's dev.sigstore.bundle.predicateType
// annotation claims ("" when absent): unauthenticated, good only to pass over
// bundles of another kind quietly; verification checks the statement itself.
struct StoredBundle {
  Digest manifest;
  Status status;
  std::string bundle;
  std::string predicate_type;
};
// The referrers of `image` in `repo` with artifactType kBundleArtifactType
// (API or fallback index), in listing order. Each referrer must be an OCI
// manifest of at most kMaxBundleManifestBytes with that artifactType, the
// subject `image` and a first layer of media type kBundleArtifactType.
// More than kMaxBundleReferrers referrers is kResourceExhausted; a listing
// error is returned as is.
Result<std::vector<StoredBundle>> ReadBundles(registry::Client& client,
                                              const std::string& repo,
                                              const Digest& image);

}  // namespace strata::cosign

#endif  // STRATA_COSIGN_BUNDLE_STORE_H_
