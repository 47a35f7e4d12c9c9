// Clients of the Sigstore signing services, over registry::HttpTransport
// (the I/O seam: a scripted fake in tests, libcurl in strata):
//   - Fulcio v2 (POST {fulcio}/api/v2/signingCert): a short-lived signing
//     certificate for a key, from an OIDC identity token;
//   - Rekor v1 (POST {rekor}/api/v1/log/entries): a hashedrekord 0.0.1 or
//     dsse 0.0.1 entry, returned as a bundle's TransparencyLogEntry;
//   - an RFC 3161 timestamp authority: a TimeStampResp over a signature.
//
// Every response is capped (the constants below) and parsed strictly; a
// non-2xx answer is kUnavailable (5xx, 429) or kFailedPrecondition (other
// statuses) "fulcio: HTTP 400: <first line of the body, sanitised>". What
// the services answer is not trusted here: the signer verifies the finished
// bundle against a trusted root (sign.h).
//
// Thread-safety: the functions are stateless; the transport must be
// thread-safe if they are called concurrently.
#ifndef STRATA_SIGSTORE_SERVICES_H_
#define STRATA_SIGSTORE_SERVICES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/caps.h"
#include "base/status.h"
#include "crypto/keys.h"
#include "registry/http.h"
#include "sigstore/tlog.h"

namespace strata::sigstore {

// Caps on what the services answer, and on the token.
inline constexpr int64_t kMaxFulcioResponseBytes = 256 * caps::kKiB;
inline constexpr int64_t kMaxRekorResponseBytes = 4 * caps::kMiB;
inline constexpr int64_t kMaxTsaResponseBytes = 64 * caps::kKiB;
inline constexpr size_t kMaxIdentityTokenBytes = 64 * caps::kKiB;
// Bytes of an error body quoted in a message.
inline constexpr size_t kMaxQuotedErrorBytes = 200;

// --- Fulcio -----------------------------------------------------------------

// The claim Fulcio's proof of possession signs, read from the token's JWT
// payload (base64url; the token is not verified here): "email" when present,
// else "sub". kInvalidArgument naming what is wrong with the token.
Result<std::string> TokenSubject(std::string_view identity_token);

// Asks Fulcio for a certificate for `key`'s public key, proving possession
// by signing TokenSubject(token) with `key` (SHA-256). Returns the chain as
// DER, leaf first (signedCertificateEmbeddedSct or
// signedCertificateDetachedSct). The leaf must be for `key`.
Result<std::vector<std::string>> RequestSigningCertificate(
    registry::HttpTransport& http, std::string_view fulcio_url,
    std::string_view identity_token, const crypto::PrivateKey& key);

// Parses a Fulcio v2 signingCert response body: the PEM chain, leaf first,
// as DER (at most pki::kMaxChainCertificates). kDataLoss otherwise.
Result<std::vector<std::string>> ParseSigningCertResponse(
    std::string_view body);

// --- Rekor v1 ---------------------------------------------------------------

// A hashedrekord 0.0.1 entry: a signature over a digest, and the verifier
// (a PEM certificate or PEM public key, stored base64-encoded).
struct HashedRekord {
  crypto::Hash hash = crypto::Hash::kSha256;
  std::string digest;     // raw digest bytes of the artifact
  std::string signature;  // raw signature bytes
  std::string verifier_pem;
};
json::Json HashedRekordEntry(const HashedRekord& r);

// A dsse 0.0.1 proposed entry: the envelope as JSON text and its verifier.
json::Json DsseEntry(std::string_view envelope_json,
                     std::string_view verifier_pem);

// POSTs `proposed_entry` to {rekor}/api/v1/log/entries and parses the
// answer (ParseRekorResponse).
Result<TransparencyLogEntry> UploadEntry(registry::HttpTransport& http,
                                         std::string_view rekor_url,
                                         const json::Json& proposed_entry);

// Reads Rekor v1's answer: an object with exactly one member {uuid: {body
// (base64), integratedTime, logID (hex), logIndex, verification:
// {inclusionProof: {checkpoint, hashes (hex), logIndex, rootHash (hex),
// treeSize}, signedEntryTimestamp (base64)}}}. kind and version come from
// the body's "kind" and "apiVersion". kDataLoss naming the member.
Result<TransparencyLogEntry> ParseRekorResponse(std::string_view body);

// --- RFC 3161 timestamp authority --------------------------------------------

enum class TsaRequestFormat {
  kRfc3161,       // DER TimeStampReq, application/timestamp-query
  kSigstoreJson,  // Sigstore timestamp-authority's JSON request
};

// Sigstore's timestamp authority (and its mock) serves both forms at
// ".../api/v1/timestamp", and the mock only the JSON one: kSigstoreJson for
// a URL whose path ends so, kRfc3161 for any other.
TsaRequestFormat TsaFormatForUrl(std::string_view tsa_url);

// A DER TimeStampReq: SHA-256 imprint of `signature`, `nonce`, certReq.
Result<std::string> MakeTimestampQuery(std::string_view signature,
                                       uint64_t nonce);

// Requests a timestamp over `signature` with a fresh random nonce and
// returns the DER TimeStampResp, checked against the request (granted,
// version, nonce, imprint). Whether the TSA is trusted is the verifier's
// question (pki/timestamp.h).
Result<std::string> RequestTimestamp(registry::HttpTransport& http,
                                     std::string_view tsa_url,
                                     std::string_view signature,
                                     TsaRequestFormat format);

// Checks a DER TimeStampResp against the request it answers.
Status CheckTimestampResponse(std::string_view response_der,
                              std::string_view query_der);

}  // namespace strata::sigstore

#endif  // STRATA_SIGSTORE_SERVICES_H_
