#include "cli/sign.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "base/base64.h"
#include "base/hex.h"
#include "base/unique_fd.h"
#include "cli/exit_codes.h"
#include "cli/keys.h"
#include "cli/sign_bundle.h"
#include "cli/verify.h"
#include "cosign/go_json.h"
#include "cosign/payload.h"
#include "io/file_source.h"
#include "pki/certificate.h"
#include "pki/identity.h"
#include "registry/store.h"
#include "sigstore/services.h"

namespace strata::cli {
namespace {

// "--annotations k=v" values as cosign's payload "optional" members.
Result<std::optional<std::map<std::string, std::string>>> ParseAnnotations(
    const std::vector<std::string>& values) {
  if (values.size() > kMaxSignAnnotations) {
    return InvalidArgumentError(
        "at most " + std::to_string(kMaxSignAnnotations) + " annotations");
  }
  std::optional<std::map<std::string, std::string>> annotations;
  for (const std::string& kv : values) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgumentError("annotation \"" + kv.substr(0, 200) +
                                  "\" is not KEY=VALUE");
    }
    if (!annotations) annotations.emplace();
    (*annotations)[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return annotations;
}

// The exact identity and issuer of a Fulcio certificate (PEM).
Result<pki::IdentityPolicy> OwnIdentity(const std::string& certificate_pem) {
  ASSIGN_OR_RETURN(std::vector<pki::Certificate> certs,
                   pki::Certificate::ParsePemChain(certificate_pem));
  if (certs.size() != 1) {
    return InternalError("the signing certificate is not one certificate");
  }
  ASSIGN_OR_RETURN(std::vector<pki::SubjectAltName> sans,
                   certs[0].SubjectAltNames());
  ASSIGN_OR_RETURN(std::optional<std::string> issuer, certs[0].FulcioIssuer());
  if (sans.empty() || !issuer) {
    return DataLossError(
        "fulcio's certificate has no identity or no OIDC issuer");
  }
  return pki::IdentityPolicy{pki::Matcher::Exact(sans[0].value),
                             pki::Matcher::Exact(*issuer)};
}

}  // namespace

void AddKeylessFlags(CLI::App* cmd, KeylessFlags* flags) {
  cmd->add_option("--identity-token", flags->identity_token,
                  "OIDC identity token (or a file holding it) for keyless "
                  "signing; default $SIGSTORE_ID_TOKEN");
  cmd->add_option("--fulcio-url", flags->fulcio_url, "Fulcio URL (keyless)")
      ->capture_default_str();
  cmd->add_option("--rekor-url", flags->rekor_url, "Rekor URL")
      ->capture_default_str();
  cmd->add_option("--trusted-root", flags->trusted_root,
                  "trusted_root.json to verify the signature and its log "
                  "entry against before it is pushed");
  cmd->add_option("--timestamp-server-url", flags->tsa_url,
                  "RFC 3161 timestamp authority URL: timestamp the signature");
  cmd->add_flag("--tlog-upload", flags->tlog_upload,
                "on by default: log the signature in Rekor (--rekor-url); with "
                "--key, "
                "--tlog-upload=false skips it (keyless always logs)")
      ->capture_default_str();
}

Result<std::string> ReadIdentityToken(const std::string& flag) {
  std::string token = flag;
  if (token.empty()) {
    if (const char* env = std::getenv("SIGSTORE_ID_TOKEN")) token = env;
  }
  std::error_code ec;
  if (!token.empty() && token.size() < 4096 &&
      std::filesystem::is_regular_file(token, ec)) {
    ASSIGN_OR_RETURN(token,
                     io::ReadFileCapped(token, sigstore::kMaxIdentityTokenBytes,
                                        "identity token"));
  }
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' ||
                            token.back() == ' ')) {
    token.pop_back();
  }
  return token;
}

Result<std::string> ResolveIdentityToken(const KeylessFlags& flags,
                                         std::string_view key_file) {
  ASSIGN_OR_RETURN(std::string token, ReadIdentityToken(flags.identity_token));
  if (key_file.empty() == token.empty()) {
    return InvalidArgumentError(
        key_file.empty()
            ? "sign with --key, or keyless with --identity-token (or "
              "SIGSTORE_ID_TOKEN)"
            : "give either --key or an identity token, not both");
  }
  return token;
}

Result<std::unique_ptr<SigningIdentity>> LoadSigningIdentity(
    const KeylessFlags& flags, const std::string& key_file) {
  ASSIGN_OR_RETURN(std::string token, ResolveIdentityToken(flags, key_file));
  if (key_file.empty() && !flags.tlog_upload) {
    return InvalidArgumentError(
        "keyless signing always logs in Rekor: --tlog-upload=false needs "
        "--key");
  }
  if (!flags.tsa_url.empty() && !flags.tlog_upload) {
    return InvalidArgumentError(
        "--timestamp-server-url goes with a rekor entry: drop "
        "--tlog-upload=false");
  }
  auto id = std::make_unique<SigningIdentity>();
  if (!key_file.empty()) {
    ASSIGN_OR_RETURN(id->key, LoadPrivateKeyFile(key_file));
    id->options.key = &*id->key;
  }
  if (!flags.trusted_root.empty()) {
    ASSIGN_OR_RETURN(id->root, LoadTrustedRootFile(flags.trusted_root));
  }
  id->http = registry::NewCurlTransport(registry::TransportOptions{});
  id->options.identity_token = std::move(token);
  id->options.tlog_upload = flags.tlog_upload;
  id->options.fulcio_url = flags.fulcio_url;
  id->options.rekor_url = flags.rekor_url;
  id->options.tsa_url = flags.tsa_url;
  id->options.trusted_root = id->root ? &*id->root : nullptr;
  id->options.http = id->http.get();
  return id;
}

Result<sigstore::TrustedRoot> LoadTrustedRootFile(const std::string& path) {
  ASSIGN_OR_RETURN(
      std::string text,
      io::ReadFileCapped(path, sigstore::kMaxTrustedRootBytes, "trusted root"));
  Result<sigstore::TrustedRoot> root = sigstore::ParseTrustedRoot(text);
  if (!root.ok()) return root.status().WithContext(path);
  return root;
}

Result<std::string> LegacyRekorBundle(const sigstore::TransparencyLogEntry& e) {
  if (!e.signed_entry_timestamp || e.canonicalized_body.empty()) {
    return InvalidArgumentError(
        "the rekor entry has no signed entry timestamp or no body");
  }
  std::string out = "{\"SignedEntryTimestamp\":";
  cosign::AppendGoJsonString(Base64Encode(*e.signed_entry_timestamp), out);
  out += ",\"Payload\":{\"body\":";
  cosign::AppendGoJsonString(Base64Encode(e.canonicalized_body), out);
  out += ",\"integratedTime\":" + std::to_string(e.integrated_time) +
         ",\"logIndex\":" + std::to_string(e.log_index) + ",\"logID\":\"" +
         HexEncode(e.log_id) + "\"}}";
  return out;
}

Result<KeylessAnnotations> MakeKeylessAnnotations(
    const sigstore::Bundle& bundle, std::span<const std::string> chain_der) {
  if (bundle.certificates.size() != 1 || bundle.tlog_entries.size() != 1 ||
      chain_der.empty() || chain_der[0] != bundle.certificates[0]) {
    return InternalError(
        "a keyless signature needs one certificate, fulcio's chain for it "
        "and one rekor entry");
  }
  KeylessAnnotations out;
  for (size_t i = 0; i < chain_der.size(); ++i) {
    ASSIGN_OR_RETURN(pki::Certificate c,
                     pki::Certificate::FromDer(chain_der[i]));
    (i == 0 ? out.certificate : out.chain) += c.ToPem();
  }
  ASSIGN_OR_RETURN(out.bundle, LegacyRekorBundle(bundle.tlog_entries[0]));
  return out;
}

int64_t SigningNow() {
  return std::chrono::ceil<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void AddSigningRegistryFlags(CLI::App* cmd, RegistryFlags* flags) {
  AddRegistryFlags(cmd, flags, /*with_cache=*/false);
  CLI::App* group = cmd->get_option_group("Registry");
  group->remove_option(group->get_option("--key"));
  group
      ->add_option("--registry-key", flags->key,
                   "client key (PEM) for mTLS with the registry")
      ->check(CLI::ExistingFile);
}

void AddRegistryImageArgs(CLI::App* cmd, std::string* image,
                          RegistryFlags* flags) {
  cmd->add_option("IMAGE", *image,
                  "registry image by tag or digest (docker://NAME or NAME)")
      ->required();
  AddSigningRegistryFlags(cmd, flags);
}

void AddSigningFlags(CLI::App* cmd, SigningFlags* flags) {
  AddRegistryImageArgs(cmd, &flags->image, &flags->registry);
  cmd->add_option("--key", flags->key,
                  "cosign private key file (encrypted; passphrase from "
                  "STRATA_PASSWORD, COSIGN_PASSWORD or the terminal)");
  AddKeylessFlags(cmd, &flags->keyless);
  cmd->add_flag("--new-bundle-format", flags->new_bundle_format,
                "store a Sigstore bundle (DSSE, in-toto) as an OCI referrer "
                "of the image, as cosign's new bundle format does");
}

Result<SigningSession> OpenSigningSession(std::string_view command,
                                          const SigningFlags& flags) {
  SigningSession out;
  ASSIGN_OR_RETURN(out.ref, ParseRegistryImage(command, flags.image));
  ASSIGN_OR_RETURN(out.signer, LoadSigningIdentity(flags.keyless, flags.key));
  ASSIGN_OR_RETURN(out.client, MakeRegistryClient(out.ref, flags.registry));
  return out;
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

Result<oci::Descriptor> ResolveManifest(registry::Client& client,
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
  return d;
}

Result<Digest> ResolveManifestDigest(registry::Client& client,
                                     const oci::ImageRef& ref) {
  ASSIGN_OR_RETURN(oci::Descriptor d, ResolveManifest(client, ref));
  return d.digest;
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

Result<std::string> SignImageLogged(
    registry::Client& client, const oci::ImageRef& ref,
    const sigstore::SignOptions& options,
    const std::optional<std::map<std::string, std::string>>& annotations) {
  if ((options.key == nullptr) == options.identity_token.empty() ||
      !options.tlog_upload) {
    return InvalidArgumentError(
        "a logged image signature needs a key or an identity token (not "
        "both) and a rekor entry");
  }
  ASSIGN_OR_RETURN(Digest digest, ResolveManifestDigest(client, ref));
  cosign::SignatureLayer layer;
  layer.payload =
      cosign::MakePayload(CosignDockerReference(ref), digest, annotations);
  std::vector<std::string> chain;
  sigstore::SignOptions o = options;
  o.fulcio_chain = options.key != nullptr ? nullptr : &chain;
  ASSIGN_OR_RETURN(sigstore::Bundle bundle,
                   sigstore::SignBlob(layer.payload, o));
  layer.signature = Base64Encode(bundle.message_signature->signature);
  if (!bundle.rfc3161_timestamps.empty()) {
    layer.rfc3161_timestamp =
        Rfc3161TimestampAnnotation(bundle.rfc3161_timestamps.front());
  }
  if (options.key != nullptr) {
    if (bundle.tlog_entries.size() != 1) {
      return InternalError("the signed bundle has no one rekor entry");
    }
    ASSIGN_OR_RETURN(layer.bundle, LegacyRekorBundle(bundle.tlog_entries[0]));
  } else {
    ASSIGN_OR_RETURN(KeylessAnnotations material,
                     MakeKeylessAnnotations(bundle, chain));
    layer.certificate = std::move(material.certificate);
    if (!material.chain.empty()) layer.chain = std::move(material.chain);
    layer.bundle = std::move(material.bundle);
  }
  if (options.trusted_root != nullptr) {
    cosign::ImageIdentity image;
    image.reference = ref;
    image.reference.tag.clear();
    image.reference.digest = digest;
    image.manifest_digest = digest;
    const int64_t now = options.now_unix != 0 ? options.now_unix : SigningNow();
    VerifyResult v;
    if (options.key != nullptr) {
      ASSIGN_OR_RETURN(crypto::PublicKey pub, options.key->Public());
      v = VerifyWithKeys(image, {&layer, 1}, {&pub, 1}, false,
                         options.trusted_root, now);
    } else {
      ASSIGN_OR_RETURN(pki::IdentityPolicy identity,
                       OwnIdentity(*layer.certificate));
      v = VerifyKeyless(
          image, {&layer, 1},
          KeylessPolicy{std::move(identity), options.trusted_root, now});
    }
    if (!v.accepted) {
      return InternalError(
          "the signature does not verify: " +
          (v.rejections.empty() ? std::string("rejected") : v.rejections[0]));
    }
  }
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
                   MakeRegistryClient(ref, flags));
  return FetchSignatures(*client, ref);
}

std::function<int()> SetupSign(CLI::App* cmd) {
  struct Args {
    SigningFlags signing;
    std::vector<std::string> annotations;
  };
  auto a = std::make_shared<Args>();
  AddSigningFlags(cmd, &a->signing);
  cmd->add_option("-a,--annotations", a->annotations,
                  "KEY=VALUE added to the payload's \"optional\" (repeatable)")
      ->allow_extra_args(false);
  return [a]() -> int {
    Result<std::optional<std::map<std::string, std::string>>> annotations =
        ParseAnnotations(a->annotations);
    if (!annotations.ok()) return ReportError(annotations.status());
    Result<SigningSession> session = OpenSigningSession("sign", a->signing);
    if (!session.ok()) return ReportError(session.status());
    const std::optional<crypto::PrivateKey>& key = session->signer->key;
    const sigstore::SignOptions& o = session->signer->options;
    registry::Client& client = *session->client;
    Result<std::string> pushed =
        a->signing.new_bundle_format
            ? SignImageBundle(client, session->ref, o, *annotations)
        : key && !o.tlog_upload
            ? SignImage(client, session->ref, *key, *annotations)
            : SignImageLogged(client, session->ref, o, *annotations);
    if (!pushed.ok()) return ReportError(pushed.status());
    std::fprintf(stderr, "Pushing signature to: %s\n", pushed->c_str());
    return kExitOk;
  };
}

}  // namespace strata::cli
