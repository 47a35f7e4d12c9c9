// cosign-compatible in-toto attestations of images, signed with a key and
// kept in the registry by the ".att" tag schema (ATTESTATION_SPEC.md).
//
// `cosign attest` turns a predicate file into an in-toto Statement naming the
// image (subject name = the repository, digest {"sha256": <hex>} of the
// manifest), wraps it in a DSSE envelope signed over
// PAE("application/vnd.in-toto+json", statement), and appends the envelope
// as one layer to the OCI image tagged "sha256-<hex>.att" next to the image:
//   {"mediaType":"application/vnd.dsse.envelope.v1+json","size":..,
//    "digest":..,"annotations":{"dev.cosignproject.cosign/signature":"",
//                               "predicateType":"<predicate type URI>"}}
// The attestation image itself is built like the signature image
// (storage.h). Statements are written as cosign writes them: in-toto
// Statement v0.1, fields _type, predicateType, subject, predicate.
//
// Verification (VerifyAttestations) accepts a layer when its envelope
// verifies with one of the keys, carries an in-toto statement, names the
// image's manifest digest among its subjects and has the wanted predicate
// type. Not being verified is an outcome: the verdict lists one reason per
// rejected layer.
#ifndef STRATA_COSIGN_ATTEST_H_
#define STRATA_COSIGN_ATTEST_H_

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/digest.h"
#include "base/status.h"
#include "cosign/storage.h"
#include "crypto/keys.h"
#include "registry/client.h"
#include "sigstore/dsse.h"

namespace strata::cosign {

inline constexpr std::string_view kDsseEnvelopeMediaType =
    "application/vnd.dsse.envelope.v1+json";
// The annotation that names an attestation layer's predicate type.
inline constexpr std::string_view kPredicateTypeAnnotation = "predicateType";
// The statement type strata writes: in-toto Statement v1. (cosign 2 still
// writes v0.1, which is otherwise the same; verification accepts both.)
inline constexpr std::string_view kInTotoStatementType =
    "https://in-toto.io/Statement/v1";
// cosign's generic predicate (COSIGN_PREDICATE_SPEC.md).
inline constexpr std::string_view kCosignCustomPredicateType =
    "https://cosign.sigstore.dev/attestation/v1";

// Caps on untrusted attestations: an envelope (a layer's blob) is at most
// kMaxEnvelopeBytes, and an .att image holds at most kMaxSignatureLayers
// (100) layers; a predicate file read by `strata attest` is at most
// kMaxPredicateBytes. Statement JSON nesting: caps::kMaxJsonDepth.
inline constexpr int64_t kMaxEnvelopeBytes = 16 * 1024 * 1024;
inline constexpr int64_t kMaxPredicateBytes = 8 * 1024 * 1024;

// The predicate type URI for cosign's --type NAME: custom, slsaprovenance,
// slsaprovenance02, slsaprovenance1, spdx, spdxjson, cyclonedx, link, vuln,
// openvex; any other value that looks like a URI ("scheme:rest", scheme
// [A-Za-z][A-Za-z0-9+.-]*, no whitespace or control characters) is used
// verbatim as cosign does. Else kInvalidArgument
// "invalid predicate type \"NAME\"".
Result<std::string> PredicateTypeUri(std::string_view type_name);

// Builds the statement bytes for `predicate` (the file's bytes) of type
// `type_name` (as for PredicateTypeUri) over the image `repository`
// (e.g. "127.0.0.1:5000/app") with manifest digest `image`:
//   custom: predicate {"Data": <predicate as text>, "Timestamp": timestamp}
//           whatever the bytes hold (cosign's generic predicate);
//   spdx:   the predicate text as a JSON string (SPDX tag-value);
//   others: the predicate must be a JSON object (at most kMaxPredicateBytes,
//           depth caps::kMaxJsonDepth), embedded as parsed, keys sorted;
//           else kInvalidArgument
//           "invalid JSON payload for predicate type URI: <why>".
// `timestamp` is RFC 3339 UTC ("2025-02-28T19:18:11Z"). The image digest
// must be sha256 (cosign's subjects are).
Result<std::string> MakeStatement(std::string_view type_name,
                                  std::string_view predicate,
                                  std::string_view repository,
                                  const Digest& image,
                                  std::string_view timestamp);

// Signs `statement` into a DSSE envelope (payload type in-toto, one
// signature with an empty keyid, the key's DefaultHash) and returns the
// envelope JSON as cosign writes it:
//   {"payloadType":"application/vnd.in-toto+json","payload":"<b64>",
//    "signatures":[{"keyid":"","sig":"<b64>"}]}
Result<std::string> SignStatement(const crypto::PrivateKey& key,
                                  std::string_view statement);

// That envelope JSON for `statement` and its raw signature `sig`.
std::string EnvelopeJson(std::string_view statement, std::string_view sig);

// The .att layer descriptor for `envelope` with `predicate_type` (URI).
oci::Descriptor AttestationDescriptor(std::string_view envelope,
                                      std::string_view predicate_type);

// Appends the envelope as a layer of the .att image of `image` in `repo`
// (PushAttachment: no duplicates, at most kMaxSignatureLayers layers).
Status PushAttestation(registry::Client& client, const std::string& repo,
                       const Digest& image, std::string_view envelope,
                       std::string_view predicate_type);

// The layers of the .att image of `image` in `repo` (none: empty), each blob
// at most kMaxEnvelopeBytes (ReadAttachment).
Result<std::vector<AttachmentLayer>> ReadAttestations(registry::Client& client,
                                                      const std::string& repo,
                                                      const Digest& image);

struct VerifiedAttestation {
  std::string envelope;  // the layer's blob, as stored
  sigstore::InTotoStatement statement;
};

struct AttestationVerdict {
  // The accepted layers, in layer order.
  std::vector<VerifiedAttestation> verified;
  // One line per rejected layer, "attestation 2: <why>" (1-based), or
  // "no attestations" when there is no layer.
  std::vector<std::string> rejections;

  bool accepted() const { return !verified.empty(); }
  // OK when accepted; else kPermissionDenied
  // "no valid attestation: attestation 1: ...; attestation 2: ...".
  Status ToStatus() const;
};

// Checks what a verified DSSE envelope says: `payload_type` is in-toto, the
// `payload` is an in-toto statement (v1 or v0.1), some subject has digest
// `image` (same algorithm, same hex) and its predicateType equals
// `predicate_type` (a URI). kPermissionDenied naming what differs; a
// statement that does not parse is that parser's error.
Result<sigstore::InTotoStatement> CheckAttestationStatement(
    std::string_view payload_type, std::string_view payload,
    const Digest& image, std::string_view predicate_type);

// Checks each layer, in this order, rejecting it at the first failure:
// media type kDsseEnvelopeMediaType; blob at most kMaxEnvelopeBytes; the
// blob is a DSSE envelope (sigstore::ParseDsseEnvelope; JSON depth capped);
// some signature of the envelope verifies over PAE(payloadType, payload)
// with some key in `keys` (each with its DefaultHash; RSA PKCS#1 v1.5);
// then CheckAttestationStatement.
// More than kMaxSignatureLayers layers: nothing is looked at and the one
// rejection is "N attestations, over the cap of 100".
AttestationVerdict VerifyAttestations(const Digest& image,
                                      std::span<const AttachmentLayer> layers,
                                      std::span<const crypto::PublicKey> keys,
                                      std::string_view predicate_type);

// Whether `envelope` (parsed from `layer`, an attestation of `image`) is
// signed by someone the caller trusts: OK, or why not. The key-based overload
// above checks the DSSE signatures against keys; keyless callers check the
// layer's certificate and Rekor annotations (cli/attest.cc).
using EnvelopeCheck =
    std::function<Status(const Digest& image, const AttachmentLayer& layer,
                         const sigstore::DsseEnvelope& envelope)>;
// As above, with `check` in place of the key check.
AttestationVerdict VerifyAttestations(const Digest& image,
                                      std::span<const AttachmentLayer> layers,
                                      const EnvelopeCheck& check,
                                      std::string_view predicate_type);

}  // namespace strata::cosign

#endif  // STRATA_COSIGN_ATTEST_H_
