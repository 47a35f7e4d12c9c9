#include "cli/sign.h"

#include <cstdio>

#include "base/base64.h"
#include "cli/exit_codes.h"
#include "cli/keys.h"
#include "cosign/payload.h"
#include "registry/store.h"

namespace strata::cli {
namespace {

Result<std::shared_ptr<registry::Client>> MakeClient(
    const oci::ImageRef& ref, const RegistryFlags& flags) {
  registry::RegistryOptions ro;
  ASSIGN_OR_RETURN(ro.client, MakeClientOptions(flags));
  return registry::ClientFor(ref, ro);
}

}  // namespace

void AddSigningRegistryFlags(CLI::App* cmd, RegistryFlags* flags) {
  AddRegistryFlags(cmd, flags, /*with_cache=*/false);
  CLI::App* group = cmd->get_option_group("Registry");
  group->remove_option(group->get_option("--key"));
  group
      ->add_option("--registry-key", flags->key,
                   "client key (PEM) for mTLS with the registry")
      ->check(CLI::ExistingFile);
}

Result<oci::ImageRef> ParseRegistryImage(std::string_view command,
                                         std::string_view image) {
  Result<oci::ImageRef> ref = oci::ParseReference(image);
  if (!ref.ok() || ref->transport != oci::Transport::kRegistry) {
    return InvalidArgumentError(
        std::string(command) +
        " needs a registry image (docker://NAME or NAME), not " +
        std::string(image.substr(0, 300)));
  }
  return ref;
}

std::string CosignDockerReference(const oci::ImageRef& ref) {
  const std::string registry =
      ref.registry == "docker.io" ? "index.docker.io" : ref.registry;
  return registry + "/" + ref.repository;
}

Result<Digest> ResolveManifestDigest(registry::Client& client,
                                     const oci::ImageRef& ref) {
  const std::string what =
      ref.digest ? ref.digest->ToString()
                 : (ref.tag.empty() ? std::string("latest") : ref.tag);
  Result<oci::Descriptor> d = client.HeadManifest(ref.repository, what);
  if (!d.ok()) return d.status().WithContext(ref.Name());
  if (ref.digest && d->digest != *ref.digest) {
    return DataLossError(ref.Name() + ": the registry answered digest " +
                         d->digest.ToString());
  }
  return d->digest;
}

Result<std::string> SignImage(
    registry::Client& client, const oci::ImageRef& ref,
    const crypto::PrivateKey& key,
    const std::optional<std::map<std::string, std::string>>& annotations) {
  ASSIGN_OR_RETURN(Digest digest, ResolveManifestDigest(client, ref));
  cosign::SignatureLayer layer;
  layer.payload =
      cosign::MakePayload(CosignDockerReference(ref), digest, annotations);
  ASSIGN_OR_RETURN(std::string signature,
                   key.Sign(layer.payload, crypto::DefaultHash(key.type())));
  layer.signature = Base64Encode(signature);
  RETURN_IF_ERROR(cosign::PushSignature(client, ref.repository, digest, layer));
  return CosignDockerReference(ref) + ":" + cosign::SignatureTag(digest);
}

Result<RemoteSignatures> FetchSignatures(registry::Client& client,
                                         const oci::ImageRef& ref) {
  RemoteSignatures out;
  ASSIGN_OR_RETURN(out.image.manifest_digest,
                   ResolveManifestDigest(client, ref));
  out.image.reference = ref;
  out.image.reference.tag.clear();
  out.image.reference.digest = out.image.manifest_digest;
  ASSIGN_OR_RETURN(out.layers,
                   cosign::ReadSignatures(client, ref.repository,
                                          out.image.manifest_digest));
  return out;
}

Result<RemoteSignatures> FetchSignatures(const std::string& image,
                                         const RegistryFlags& flags) {
  ASSIGN_OR_RETURN(oci::ImageRef ref, ParseRegistryImage("verify", image));
  ASSIGN_OR_RETURN(std::shared_ptr<registry::Client> client,
                   MakeClient(ref, flags));
  return FetchSignatures(*client, ref);
}

std::function<int()> SetupSign(CLI::App* cmd) {
  struct Args {
    std::string image;
    std::string key;
    std::vector<std::string> annotations;
    RegistryFlags registry;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("IMAGE", a->image,
                  "registry image by tag or digest (docker://NAME or NAME)")
      ->required();
  AddSigningRegistryFlags(cmd, &a->registry);
  cmd->add_option("--key", a->key,
                  "cosign private key file (encrypted; passphrase from "
                  "STRATA_PASSWORD, COSIGN_PASSWORD or the terminal)")
      ->required();
  cmd->add_option("-a,--annotations", a->annotations,
                  "KEY=VALUE added to the payload's \"optional\" (repeatable)")
      ->allow_extra_args(false);
  return [a]() -> int {
    if (a->annotations.size() > kMaxSignAnnotations) {
      return ReportError(InvalidArgumentError(
          "at most " + std::to_string(kMaxSignAnnotations) + " annotations"));
    }
    std::optional<std::map<std::string, std::string>> annotations;
    for (const std::string& kv : a->annotations) {
      const size_t eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        return ReportError(InvalidArgumentError(
            "annotation \"" + kv.substr(0, 200) + "\" is not KEY=VALUE"));
      }
      if (!annotations) annotations.emplace();
      (*annotations)[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    Result<oci::ImageRef> ref = ParseRegistryImage("sign", a->image);
    if (!ref.ok()) return ReportError(ref.status());
    Result<crypto::PrivateKey> key = LoadPrivateKeyFile(a->key);
    if (!key.ok()) return ReportError(key.status());
    Result<std::shared_ptr<registry::Client>> client =
        MakeClient(*ref, a->registry);
    if (!client.ok()) return ReportError(client.status());
    Result<std::string> pushed = SignImage(**client, *ref, *key, annotations);
    if (!pushed.ok()) return ReportError(pushed.status());
    std::fprintf(stderr, "Pushing signature to: %s\n", pushed->c_str());
    return kExitOk;
  };
}

}  // namespace strata::cli
