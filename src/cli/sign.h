// `strata sign`: signs an image in a registry as cosign does (simple signing
// payload, signature appended to the image's ".sig" manifest), and the
// registry plumbing `strata sign` and `strata verify` share.
#ifndef STRATA_CLI_SIGN_H_
#define STRATA_CLI_SIGN_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/digest.h"
#include "base/status.h"
#include "cli/remote.h"
#include "cosign/storage.h"
#include "cosign/verify.h"
#include "crypto/keys.h"
#include "oci/reference.h"
#include "registry/client.h"

namespace strata::cli {

// At most this many --annotations.
inline constexpr size_t kMaxSignAnnotations = 64;

// `strata sign --key K IMAGE [--annotations k=v ...]`.
std::function<int()> SetupSign(CLI::App* cmd);

// The registry flags of sign and verify: AddRegistryFlags without
// --cache-dir, with the mTLS client key as --registry-key (their --key is
// the signing or verification key).
void AddSigningRegistryFlags(CLI::App* cmd, RegistryFlags* flags);

// Parses IMAGE as a registry reference; anything else (oci:, dir:, an
// existing path, ...) is kInvalidArgument
// "<command> needs a registry image (docker://NAME or NAME), not <ref>".
Result<oci::ImageRef> ParseRegistryImage(std::string_view command,
                                         std::string_view image);

// The docker-reference cosign signs: the repository without tag or digest,
// "REGISTRY/REPO" (docker.io as index.docker.io, as go-containerregistry
// names it).
std::string CosignDockerReference(const oci::ImageRef& ref);

// The manifest digest `ref` names (HEAD by tag, or by digest: it must
// exist).
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
