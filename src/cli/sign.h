// `strata sign`: signs an image in a registry as cosign does (simple signing
// payload, signature appended to the image's ".sig" manifest), with a key
// or keyless (an ephemeral key, a Fulcio certificate and a Rekor entry,
// stored in cosign's legacy annotations), and the registry plumbing
// `strata sign`, `strata attest` and `strata verify` share.
#ifndef STRATA_CLI_SIGN_H_
#define STRATA_CLI_SIGN_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/digest.h"
#include "base/status.h"
#include "cli/remote.h"
#include "cosign/storage.h"
#include "cosign/verify.h"
#include "crypto/keys.h"
#include "oci/reference.h"
#include "registry/client.h"
#include "sigstore/sign.h"
#include "sigstore/tlog.h"
#include "sigstore/trusted_root.h"

namespace strata::cli {

// At most this many --annotations.
inline constexpr size_t kMaxSignAnnotations = 64;

// `strata sign (--key K | --identity-token T [--fulcio-url U]
// [--rekor-url U] [--trusted-root F]) IMAGE [--annotations k=v ...]`.
std::function<int()> SetupSign(CLI::App* cmd);

// The keyless flags of sign and attest (cosign's names).
struct KeylessFlags {
  // The token, or a file holding it; empty: $SIGSTORE_ID_TOKEN.
  std::string identity_token;
  std::string fulcio_url = std::string(sigstore::kDefaultFulcioUrl);
  std::string rekor_url = std::string(sigstore::kDefaultRekorUrl);
  // When set, what is signed is verified against it before it is pushed.
  std::string trusted_root;
  // Log the signature in Rekor (cosign's default; keyless always logs).
  bool tlog_upload = true;
  // An RFC 3161 timestamp authority to timestamp the signature; empty: none.
  std::string tsa_url;
};
void AddKeylessFlags(CLI::App* cmd, KeylessFlags* flags);

// An identity token: `flag`, else $SIGSTORE_ID_TOKEN; a value naming a
// file (shorter than 4096 characters) is read from it (at most
// sigstore::kMaxIdentityTokenBytes); trailing newlines and spaces dropped.
Result<std::string> ReadIdentityToken(const std::string& flag);

// The identity token of `flags`: --identity-token, else $SIGSTORE_ID_TOKEN;
// a value naming a regular file is replaced by the file's contents (at most
// sigstore::kMaxIdentityTokenBytes); trailing whitespace is dropped. Empty
// when neither is given. Then exactly one of `key_file` and the token must
// be set, else kInvalidArgument "sign with --key, or keyless with
// --identity-token (or SIGSTORE_ID_TOKEN)" or "give either --key or an
// identity token, not both".
Result<std::string> ResolveIdentityToken(const KeylessFlags& flags,
                                         std::string_view key_file);

// What `sign` and `attest` sign with: the private key of --key or an
// identity token, and the options for signing with it (options.key points
// to `key`; Fulcio and Rekor URLs, tlog_upload, and the trusted root and
// HTTP transport they point to). Not movable: `options` points into it.
struct SigningIdentity {
  std::optional<crypto::PrivateKey> key;
  std::optional<sigstore::TrustedRoot> root;
  std::unique_ptr<registry::HttpTransport> http;
  sigstore::SignOptions options;
};
// Loads the key (passphrase per cli/keys.h) or prepares keyless signing;
// errors as ResolveIdentityToken and the file loaders give them.
Result<std::unique_ptr<SigningIdentity>> LoadSigningIdentity(
    const KeylessFlags& flags, const std::string& key_file);

// Reads a trusted_root.json (at most sigstore::kMaxTrustedRootBytes).
Result<sigstore::TrustedRoot> LoadTrustedRootFile(const std::string& path);

// cosign's legacy Rekor bundle for a Rekor v1 entry, the
// dev.sigstore.cosign/bundle annotation, as cosign writes it:
//   {"SignedEntryTimestamp":"<b64>","Payload":{"body":"<b64>",
//    "integratedTime":N,"logIndex":N,"logID":"<hex>"}}
// (what ParseRekorBundle in verify.h reads). kInvalidArgument when the entry
// has no SET or no body.
Result<std::string> LegacyRekorBundle(const sigstore::TransparencyLogEntry& e);

// The keyless annotations of a cosign layer, from a keyless bundle (one
// certificate, one Rekor entry) and Fulcio's chain (DER, leaf first, as
// sigstore::SignOptions::fulcio_chain receives it).
struct KeylessAnnotations {
  std::string certificate;  // PEM of the leaf
  std::string chain;        // PEM of the rest of the chain ("" if none)
  std::string bundle;       // LegacyRekorBundle of the entry
};
Result<KeylessAnnotations> MakeKeylessAnnotations(
    const sigstore::Bundle& bundle, std::span<const std::string> chain_der);

// "Now" for checking what was just signed: the system clock rounded up to
// the second (an SCT stamped milliseconds ago is not in the future).
int64_t SigningNow();

// The registry flags of sign and verify: AddRegistryFlags without
// --cache-dir, with the mTLS client key as --registry-key (their --key is
// the signing or verification key).
void AddSigningRegistryFlags(CLI::App* cmd, RegistryFlags* flags);

// IMAGE (a registry image by tag or digest) and AddSigningRegistryFlags:
// what sign, attest, verify and verify-attestation all take.
void AddRegistryImageArgs(CLI::App* cmd, std::string* image,
                          RegistryFlags* flags);

// What sign and attest take besides their own flags: AddRegistryImageArgs,
// --key, the keyless flags and --new-bundle-format.
struct SigningFlags {
  std::string image;
  std::string key;
  KeylessFlags keyless;
  RegistryFlags registry;
  bool new_bundle_format = false;
};
void AddSigningFlags(CLI::App* cmd, SigningFlags* flags);

// What a signing command works with: the image, who signs (the key loaded,
// its passphrase read, or the keyless options) and the registry client.
struct SigningSession {
  oci::ImageRef ref;
  std::unique_ptr<SigningIdentity> signer;
  std::shared_ptr<registry::Client> client;
};
// Parses IMAGE (ParseRegistryImage with `command`), loads the signer
// (LoadSigningIdentity) and makes the client, in that order.
Result<SigningSession> OpenSigningSession(std::string_view command,
                                          const SigningFlags& flags);

// Parses IMAGE as a registry reference; anything else (oci:, dir:, an
// existing path, ...) is kInvalidArgument
// "<command> needs a registry image (docker://NAME or NAME), not <ref>".
Result<oci::ImageRef> ParseRegistryImage(std::string_view command,
                                         std::string_view image);

// The docker-reference cosign signs: the repository without tag or digest,
// "REGISTRY/REPO" (docker.io as index.docker.io, as go-containerregistry
// names it).
std::string CosignDockerReference(const oci::ImageRef& ref);

// The manifest `ref` names (one HEAD, by tag or by digest: it must exist;
// by digest, the registry must answer that digest): its media type, digest
// and size.
Result<oci::Descriptor> ResolveManifest(registry::Client& client,
                                        const oci::ImageRef& ref);
// Its digest.
Result<Digest> ResolveManifestDigest(registry::Client& client,
                                     const oci::ImageRef& ref);

// Signs `ref`'s manifest with `key` (its DefaultHash) over cosign's payload
// (cosign::MakePayload with CosignDockerReference and `annotations`) and
// appends the signature to its .sig manifest (cosign::PushSignature).
// Returns the signature's reference "REGISTRY/REPO:sha256-<hex>.sig".
Result<std::string> SignImage(
    registry::Client& client, const oci::ImageRef& ref,
    const crypto::PrivateKey& key,
    const std::optional<std::map<std::string, std::string>>& annotations);

// The same with a log entry: `options` as for sigstore::SignBlob, with a
// key or an identity token, and tlog_upload on. The payload is logged in
// Rekor as a hashedrekord and the layer carries its Rekor bundle annotation,
// with options.tsa_url the RFC 3161 timestamp annotation (a timestamp over
// the signature bytes), and, keyless (an ephemeral key and a Fulcio
// certificate), the certificate and chain annotations. With
// options.trusted_root the layer is verified as `strata verify` verifies it
// (keyless: VerifyKeyless with the certificate's own identity and issuer;
// a key: VerifyWithKeys with the log entry) before it is pushed: kInternal
// "the signature does not verify: <why>" otherwise.
Result<std::string> SignImageLogged(
    registry::Client& client, const oci::ImageRef& ref,
    const sigstore::SignOptions& options,
    const std::optional<std::map<std::string, std::string>>& annotations);

// An image's identity and its signature layers, read from the registry.
struct RemoteSignatures {
  // reference: the image by digest (REGISTRY/REPO@DIGEST).
  cosign::ImageIdentity image;
  std::vector<cosign::SignatureLayer> layers;
};
Result<RemoteSignatures> FetchSignatures(registry::Client& client,
                                         const oci::ImageRef& ref);
// The same from the command line: IMAGE parsed (ParseRegistryImage) and a
// client made from `flags`.
Result<RemoteSignatures> FetchSignatures(const std::string& image,
                                         const RegistryFlags& flags);

}  // namespace strata::cli

#endif  // STRATA_CLI_SIGN_H_
