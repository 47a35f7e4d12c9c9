// Where cosign keeps signatures in a registry: the tag schema of
// cosign's SIGNATURE_SPEC. The signatures of image sha256:<hex> live in one
// OCI image manifest tagged "sha256-<hex>.sig" in the image's repository;
// each signature is one layer whose blob is the signed payload
// (payload.h) and whose annotations carry the base64 signature and,
// for keyless signing, the certificate, its chain and the Rekor bundle.
//
// The signature image is built exactly as cosign builds it
// (go-containerregistry over an empty image): an OCI manifest, a config blob
//   {"architecture":"","created":"0001-01-01T00:00:00Z",
//    "history":[{"created":"0001-01-01T00:00:00Z"},...],"os":"",
//    "rootfs":{"type":"layers","diff_ids":[<layer digests>]},"config":{}}
// and layers {"mediaType","size","digest","annotations"} in that order, all
// serialised as Go's encoding/json does.
//
// Also reads the containers/image "dir:" form of one signature (a file
// "\x00sigstore-json\n" + {"mimeType","payload"(base64),"annotations"}).
#ifndef STRATA_COSIGN_STORAGE_H_
#define STRATA_COSIGN_STORAGE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/digest.h"
#include "base/status.h"
#include "oci/manifest.h"
#include "registry/client.h"

namespace strata::cosign {

inline constexpr std::string_view kSimpleSigningMediaType =
    "application/vnd.dev.cosign.simplesigning.v1+json";
inline constexpr std::string_view kSignatureAnnotation =
    "dev.cosignproject.cosign/signature";
inline constexpr std::string_view kCertificateAnnotation =
    "dev.sigstore.cosign/certificate";
inline constexpr std::string_view kChainAnnotation =
    "dev.sigstore.cosign/chain";
inline constexpr std::string_view kBundleAnnotation =
    "dev.sigstore.cosign/bundle";
// An RFC 3161 timestamp over the raw signature bytes, as cosign writes it:
// {"SignedRFC3161Timestamp":"<base64 DER TimeStampResponse>"}.
inline constexpr std::string_view kRfc3161TimestampAnnotation =
    "dev.sigstore.cosign/rfc3161timestamp";

// Caps on what a registry (or a dir: file) hands us. Payloads are capped by
// kMaxPayloadBytes (payload.h).
inline constexpr int kMaxSignatureLayers = 100;
inline constexpr int64_t kMaxSignatureManifestBytes = 1024 * 1024;
inline constexpr int64_t kMaxSigstoreJsonBytes = 1024 * 1024;

enum class Attachment { kSignature, kAttestation, kSbom };

// "sha256-<hex>.sig" / ".att" / ".sbom" for the image `subject`.
std::string AttachmentTag(const Digest& subject, Attachment kind);
inline std::string SignatureTag(const Digest& subject) {
  return AttachmentTag(subject, Attachment::kSignature);
}

// One signature: a layer of the signature image.
struct SignatureLayer {
  std::string media_type = std::string(kSimpleSigningMediaType);
  std::string payload;    // the signed bytes (the layer's blob)
  std::string signature;  // base64, as in the annotation; "" when absent
  // Keyless material, carried as data (verified elsewhere).
  std::optional<std::string> certificate;        // PEM
  std::optional<std::string> chain;              // PEM
  std::optional<std::string> bundle;             // JSON
  std::optional<std::string> rfc3161_timestamp;  // JSON
  friend bool operator==(const SignatureLayer&,
                         const SignatureLayer&) = default;
};

// The layer's descriptor: the payload's digest and size, the signature
// annotation (always) and the keyless ones that are set.
oci::Descriptor LayerDescriptor(const SignatureLayer& layer);
// The layer back from its descriptor and blob (`payload` must be the blob
// the descriptor names; the caller verified it).
SignatureLayer LayerFromDescriptor(const oci::Descriptor& d,
                                   std::string payload);

// Adds `layer` at the end of `layers` unless a descriptor with the same
// media type, digest, size and annotations is there already (cosign's
// duplicate check). Returns whether it was added.
bool AppendLayer(std::vector<oci::Descriptor>& layers,
                 const oci::Descriptor& layer);

// cosign's signature image over `layers`, in order.
struct SignatureImage {
  std::string config;
  oci::Descriptor config_descriptor;
  std::string manifest;
  oci::Descriptor manifest_descriptor;
};
SignatureImage BuildSignatureImage(const std::vector<oci::Descriptor>& layers);

// One layer of any attachment image (.sig, .att, .sbom): its descriptor and
// its blob, checked against the descriptor's digest and size.
struct AttachmentLayer {
  oci::Descriptor descriptor;
  std::string blob;
};

// Adds the layer `d` (whose blob is `blob`) to the attachment image `kind` of
// image `image` in `repo`, tagged AttachmentTag(image, kind): reads the
// manifest there (absent: none yet), appends the layer with AppendLayer
// (nothing is pushed when it is already there), pushes the blob, the config
// and the manifest by tag. At most kMaxSignatureLayers layers. Read-modify-
// write like cosign: two concurrent writers may lose a layer.
Status PushAttachment(registry::Client& client, const std::string& repo,
                      const Digest& image, Attachment kind,
                      const oci::Descriptor& d, const std::string& blob);

// Every layer of the attachment image `kind` of `image` in `repo`, in
// manifest order, each blob fetched and checked. No tag: an empty list. More
// than kMaxSignatureLayers layers, a manifest over
// kMaxSignatureManifestBytes or a layer over `max_blob_bytes` (checked
// before fetching) is kResourceExhausted; a blob that does not match is
// kDataLoss. Errors name "<signature|attestation|sbom> manifest REPO:TAG".
Result<std::vector<AttachmentLayer>> ReadAttachment(registry::Client& client,
                                                    const std::string& repo,
                                                    const Digest& image,
                                                    Attachment kind,
                                                    int64_t max_blob_bytes);

// Adds `layer` to the signatures of image `image` in `repo`: reads the
// manifest at SignatureTag(image) (absent: none yet), appends the layer
// (nothing is pushed when it is already there), pushes the payload and
// config blobs and the manifest by tag. Read-modify-write like cosign: two
// concurrent signers may lose a signature.
Status PushSignature(registry::Client& client, const std::string& repo,
                     const Digest& image, const SignatureLayer& layer);

// Every layer of the signature image of `image` in `repo`, in manifest
// order, each blob fetched and checked against its digest. No tag: an empty
// list. More than kMaxSignatureLayers layers, a manifest over
// kMaxSignatureManifestBytes or a layer over kMaxPayloadBytes is
// kResourceExhausted; a blob that does not match is kDataLoss.
Result<std::vector<SignatureLayer>> ReadSignatures(registry::Client& client,
                                                   const std::string& repo,
                                                   const Digest& image);

// One containers/image "dir:" signature file (at most
// kMaxSigstoreJsonBytes): "\x00sigstore-json\n" then a JSON object with
// "mimeType" (string), "payload" (base64, at most kMaxPayloadBytes decoded)
// and optional "annotations" (strings).
Result<SignatureLayer> ParseSigstoreJson(std::string_view bytes);
// The files signature-1, signature-2, ... of a containers/image "dir:"
// image, up to the first one missing (at most kMaxSignatureLayers).
Result<std::vector<SignatureLayer>> ReadDirSignatures(const std::string& dir);

}  // namespace strata::cosign

#endif  // STRATA_COSIGN_STORAGE_H_
