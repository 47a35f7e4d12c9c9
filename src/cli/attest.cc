#include "cli/attest.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>

#include "base/base64.h"
#include "base/hex.h"
#include "base/json.h"
#include "base/unique_fd.h"
#include "cli/exit_codes.h"
#include "cli/keys.h"
#include "cli/output.h"
#include "cli/remote.h"
#include "cli/sign.h"
#include "cli/verify.h"
#include "cosign/go_json.h"
#include "io/file_source.h"
#include "registry/store.h"
#include "sigstore/verify.h"

namespace strata::cli {
namespace {

Result<std::shared_ptr<registry::Client>> MakeClient(
    const oci::ImageRef& ref, const RegistryFlags& flags) {
  registry::RegistryOptions ro;
  ASSIGN_OR_RETURN(ro.client, MakeClientOptions(flags));
  return registry::ClientFor(ref, ro);
}

// One line per envelope: as stored when it is one line, else re-serialised.
std::string EnvelopeLine(const std::string& envelope) {
  if (envelope.find_first_of("\r\n") == std::string::npos) return envelope;
  Result<json::Json> j =
      json::Parse(envelope, "DSSE envelope", cosign::kMaxEnvelopeBytes);
  return j.ok() ? json::Dump(*j) : std::string();
}

}  // namespace

std::string Rfc3339Utc(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  if (::gmtime_r(&tt, &tm) == nullptr) return "1970-01-01T00:00:00Z";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<std::string> AttestImage(registry::Client& client,
                                const oci::ImageRef& ref,
                                const crypto::PrivateKey& key,
                                std::string_view type_name,
                                std::string_view predicate,
                                std::string_view timestamp) {
  ASSIGN_OR_RETURN(std::string uri, cosign::PredicateTypeUri(type_name));
  ASSIGN_OR_RETURN(Digest digest, ResolveManifestDigest(client, ref));
  ASSIGN_OR_RETURN(
      std::string statement,
      cosign::MakeStatement(type_name, predicate, CosignDockerReference(ref),
                            digest, timestamp));
  ASSIGN_OR_RETURN(std::string envelope, cosign::SignStatement(key, statement));
  RETURN_IF_ERROR(
      cosign::PushAttestation(client, ref.repository, digest, envelope, uri));
  return ref.registry + "/" + ref.repository + ":" +
         cosign::AttachmentTag(digest, cosign::Attachment::kAttestation);
}

Result<std::string> AttestImageKeyless(registry::Client& client,
                                       const oci::ImageRef& ref,
                                       const sigstore::SignOptions& options,
                                       std::string_view type_name,
                                       std::string_view predicate,
                                       std::string_view timestamp) {
  if (options.key != nullptr || options.identity_token.empty() ||
      !options.tlog_upload) {
    return InvalidArgumentError(
        "keyless attestation needs an identity token, no key and a rekor "
        "entry");
  }
  ASSIGN_OR_RETURN(std::string uri, cosign::PredicateTypeUri(type_name));
  ASSIGN_OR_RETURN(Digest digest, ResolveManifestDigest(client, ref));
  ASSIGN_OR_RETURN(
      std::string statement,
      cosign::MakeStatement(type_name, predicate, CosignDockerReference(ref),
                            digest, timestamp));
  std::vector<std::string> chain;
  sigstore::SignOptions o = options;
  o.tsa_url.clear();
  o.fulcio_chain = &chain;
  ASSIGN_OR_RETURN(
      sigstore::Bundle bundle,
      sigstore::SignDsse(sigstore::kInTotoPayloadType, statement, o));
  ASSIGN_OR_RETURN(KeylessAnnotations material,
                   MakeKeylessAnnotations(bundle, chain));
  if (!bundle.dsse_envelope || bundle.dsse_envelope->signatures.size() != 1) {
    return InternalError("the signed bundle has no one-signature envelope");
  }
  // As cosign::SignStatement writes envelopes.
  std::string envelope = "{\"payloadType\":";
  cosign::AppendGoJsonString(sigstore::kInTotoPayloadType, envelope);
  envelope += ",\"payload\":\"" + Base64Encode(statement) +
              "\",\"signatures\":[{\"keyid\":\"\",\"sig\":\"" +
              Base64Encode(bundle.dsse_envelope->signatures[0].sig) + "\"}]}";
  oci::Descriptor d = cosign::AttestationDescriptor(envelope, uri);
  d.annotations[std::string(cosign::kCertificateAnnotation)] =
      std::move(material.certificate);
  if (!material.chain.empty()) {
    d.annotations[std::string(cosign::kChainAnnotation)] =
        std::move(material.chain);
  }
  d.annotations[std::string(cosign::kBundleAnnotation)] =
      std::move(material.bundle);
  RETURN_IF_ERROR(cosign::PushAttachment(client, ref.repository, digest,
                                         cosign::Attachment::kAttestation, d,
                                         envelope));
  return ref.registry + "/" + ref.repository + ":" +
         cosign::AttachmentTag(digest, cosign::Attachment::kAttestation);
}

Result<AttestationCheck> CheckAttestations(
    registry::Client& client, const oci::ImageRef& ref,
    std::span<const crypto::PublicKey> keys, std::string_view type_name) {
  ASSIGN_OR_RETURN(std::string uri, cosign::PredicateTypeUri(type_name));
  AttestationCheck out;
  ASSIGN_OR_RETURN(out.image, ResolveManifestDigest(client, ref));
  ASSIGN_OR_RETURN(std::vector<cosign::AttachmentLayer> layers,
                   cosign::ReadAttestations(client, ref.repository, out.image));
  out.verdict = cosign::VerifyAttestations(out.image, layers, keys, uri);
  return out;
}

Result<AttestationCheck> CheckAttestations(registry::Client& client,
                                           const oci::ImageRef& ref,
                                           const cosign::EnvelopeCheck& check,
                                           std::string_view type_name) {
  ASSIGN_OR_RETURN(std::string uri, cosign::PredicateTypeUri(type_name));
  AttestationCheck out;
  ASSIGN_OR_RETURN(out.image, ResolveManifestDigest(client, ref));
  ASSIGN_OR_RETURN(std::vector<cosign::AttachmentLayer> layers,
                   cosign::ReadAttestations(client, ref.repository, out.image));
  out.verdict = cosign::VerifyAttestations(out.image, layers, check, uri);
  return out;
}

std::function<int()> SetupAttest(CLI::App* cmd) {
  struct Args {
    std::string image;
    std::string key;
    std::string predicate;
    std::string type = "custom";
    KeylessFlags keyless;
    RegistryFlags registry;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("IMAGE", a->image,
                  "registry image by tag or digest (docker://NAME or NAME)")
      ->required();
  AddSigningRegistryFlags(cmd, &a->registry);
  cmd->add_option("--key", a->key,
                  "cosign private key file (encrypted; passphrase from "
                  "STRATA_PASSWORD, COSIGN_PASSWORD or the terminal)");
  AddKeylessFlags(cmd, &a->keyless);
  cmd->add_option("--predicate", a->predicate,
                  "file with the predicate (custom: any bytes; spdx: SPDX "
                  "tag-value; other types: a JSON object)")
      ->required();
  cmd->add_option("--type", a->type,
                  "predicate type: custom, slsaprovenance, slsaprovenance02, "
                  "slsaprovenance1, spdx, spdxjson, cyclonedx, link, vuln, "
                  "openvex, or a URI")
      ->capture_default_str();
  return [a]() -> int {
    Result<oci::ImageRef> ref = ParseRegistryImage("attest", a->image);
    if (!ref.ok()) return ReportError(ref.status());
    if (Result<std::string> uri = cosign::PredicateTypeUri(a->type);
        !uri.ok()) {
      return ReportError(uri.status());
    }
    Result<std::string> predicate = io::ReadFileCapped(
        a->predicate, cosign::kMaxPredicateBytes, "predicate");
    if (!predicate.ok()) return ReportError(predicate.status());
    Result<int64_t> now = OutputTimestamp();
    if (!now.ok()) return ReportError(now.status());
    Result<std::unique_ptr<SigningIdentity>> signer =
        LoadSigningIdentity(a->keyless, a->key);
    if (!signer.ok()) return ReportError(signer.status());
    const std::optional<crypto::PrivateKey>& key = (*signer)->key;
    const sigstore::SignOptions& o = (*signer)->options;
    Result<std::shared_ptr<registry::Client>> client =
        MakeClient(*ref, a->registry);
    if (!client.ok()) return ReportError(client.status());
    const std::string timestamp = Rfc3339Utc(*now);
    Result<std::string> pushed =
        key ? AttestImage(**client, *ref, *key, a->type, *predicate, timestamp)
            : AttestImageKeyless(**client, *ref, o, a->type, *predicate,
                                 timestamp);
    if (!pushed.ok()) return ReportError(pushed.status());
    std::fprintf(stderr, "Pushing attestation to: %s\n", pushed->c_str());
    return kExitOk;
  };
}

namespace {

// Keyless attestations as cosign stores them: the layer's certificate,
// chain and legacy Rekor bundle annotations around its DSSE envelope,
// verified as a Sigstore bundle whose artifact is the image digest.
struct KeylessEnvelopeCheck {
  std::shared_ptr<sigstore::TrustedRoot> root;
  cosign::EnvelopeCheck check;
};

Result<KeylessEnvelopeCheck> MakeKeylessEnvelopeCheck(
    const std::string& identity, const std::string& identity_regexp,
    const std::string& issuer, const std::string& issuer_regexp,
    const std::string& trusted_root) {
  if (trusted_root.empty()) {
    return FailedPreconditionError(
        "--trusted-root is required for keyless verification (nothing is "
        "fetched)");
  }
  ASSIGN_OR_RETURN(
      pki::Matcher subject,
      MatcherFromFlags(identity, identity_regexp, "certificate-identity"));
  ASSIGN_OR_RETURN(
      pki::Matcher oidc,
      MatcherFromFlags(issuer, issuer_regexp, "certificate-oidc-issuer"));
  ASSIGN_OR_RETURN(sigstore::TrustedRoot loaded,
                   LoadTrustedRootFile(trusted_root));
  KeylessEnvelopeCheck out;
  out.root = std::make_shared<sigstore::TrustedRoot>(std::move(loaded));
  sigstore::VerifyPolicy policy;
  policy.identity = pki::IdentityPolicy{std::move(subject), std::move(oidc)};
  policy.now_unix = SigningNow();
  out.check = [root = out.root, policy](
                  const Digest& image, const cosign::AttachmentLayer& layer,
                  const sigstore::DsseEnvelope& envelope) -> Status {
    const auto& ann = layer.descriptor.annotations;
    auto cert = ann.find(std::string(cosign::kCertificateAnnotation));
    if (cert == ann.end()) {
      return PermissionDeniedError(
          "no certificate (not a keyless attestation)");
    }
    auto rekor = ann.find(std::string(cosign::kBundleAnnotation));
    if (rekor == ann.end()) {
      return PermissionDeniedError(
          "no rekor bundle (dev.sigstore.cosign/bundle)");
    }
    std::optional<std::string> chain;
    if (auto c = ann.find(std::string(cosign::kChainAnnotation));
        c != ann.end()) {
      chain = c->second;
    }
    ASSIGN_OR_RETURN(sigstore::Bundle bundle,
                     LegacyKeylessBundle(cert->second, chain, rekor->second));
    bundle.dsse_envelope = envelope;
    // The artifact is the image: VerifyBundle requires it among the
    // statement's subjects.
    std::optional<std::string> digest = HexDecode(image.hex());
    if (image.algorithm() != DigestAlgorithm::kSha256 || !digest) {
      return PermissionDeniedError("the image digest is not sha256");
    }
    return sigstore::VerifyBundle(
               bundle, sigstore::Artifact::FromSha256(*std::move(digest)),
               *root, policy)
        .status();
  };
  return out;
}

}  // namespace

std::function<int()> SetupVerifyAttestation(CLI::App* cmd) {
  struct Args {
    std::string image;
    std::string key;
    std::string type = "custom";
    std::string identity, identity_regexp, issuer, issuer_regexp;
    std::string trusted_root;
    RegistryFlags registry;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("IMAGE", a->image,
                  "registry image by tag or digest (docker://NAME or NAME)")
      ->required();
  AddSigningRegistryFlags(cmd, &a->registry);
  cmd->add_option("--key", a->key, "public key file (PEM)");
  cmd->add_option("--certificate-identity", a->identity,
                  "keyless: the signer's identity (certificate SAN), exact");
  cmd->add_option("--certificate-identity-regexp", a->identity_regexp,
                  "keyless: a regexp the whole identity must match");
  cmd->add_option("--certificate-oidc-issuer", a->issuer,
                  "keyless: the OIDC issuer, exact");
  cmd->add_option("--certificate-oidc-issuer-regexp", a->issuer_regexp,
                  "keyless: a regexp the whole OIDC issuer must match");
  cmd->add_option("--trusted-root", a->trusted_root,
                  "keyless: a Sigstore trusted_root.json (required; nothing "
                  "is fetched)");
  cmd->add_option("--type", a->type,
                  "predicate type to accept: a name as for attest, or a URI")
      ->capture_default_str();
  return [a]() -> int {
    Result<oci::ImageRef> ref =
        ParseRegistryImage("verify-attestation", a->image);
    if (!ref.ok()) return ReportError(ref.status());
    Result<std::string> uri = cosign::PredicateTypeUri(a->type);
    if (!uri.ok()) return ReportError(uri.status());
    const bool keyless = !a->identity.empty() || !a->identity_regexp.empty();
    if (a->key.empty() == !keyless) {
      return ReportError(InvalidArgumentError(
          "verify with --key, or keyless with --certificate-identity (or "
          "--certificate-identity-regexp), --certificate-oidc-issuer (or "
          "--certificate-oidc-issuer-regexp) and --trusted-root"));
    }
    Result<std::shared_ptr<registry::Client>> client =
        MakeClient(*ref, a->registry);
    if (!client.ok()) return ReportError(client.status());
    Result<AttestationCheck> check = InvalidArgumentError("unreachable");
    if (!keyless) {
      Result<crypto::PublicKey> key = LoadPublicKeyFile(a->key);
      if (!key.ok()) return ReportError(key.status());
      check = CheckAttestations(**client, *ref, {&*key, 1}, a->type);
    } else {
      Result<KeylessEnvelopeCheck> keyless_check =
          MakeKeylessEnvelopeCheck(a->identity, a->identity_regexp, a->issuer,
                                   a->issuer_regexp, a->trusted_root);
      if (!keyless_check.ok()) return ReportError(keyless_check.status());
      check = CheckAttestations(**client, *ref, keyless_check->check, a->type);
    }
    if (!check.ok()) return ReportError(check.status());
    const cosign::AttestationVerdict& v = check->verdict;
    const std::string name =
        ref->registry + "/" + ref->repository + "@" + check->image.ToString();
    if (!v.accepted()) {
      for (const std::string& why : v.rejections) {
        std::fprintf(stderr, "strata: %s\n", why.c_str());
      }
      std::fprintf(stderr,
                   "strata: error: no valid attestation of type %s for %s\n",
                   uri->c_str(), a->image.c_str());
      return kExitCheckFailed;
    }
    std::fprintf(stderr,
                 "Verification for %s --\n"
                 "The following checks were performed on each of these "
                 "attestations:\n"
                 "  - The DSSE signature was verified against the specified "
                 "public key\n"
                 "  - The payload is an in-toto statement whose subject is "
                 "the image's manifest digest\n"
                 "  - The predicate type is %s\n",
                 name.c_str(), uri->c_str());
    std::string out;
    for (const cosign::VerifiedAttestation& va : v.verified) {
      out += EnvelopeLine(va.envelope) + "\n";
    }
    Status st = WriteStdout(out);
    return st.ok() ? kExitOk : ReportError(st);
  };
}

}  // namespace strata::cli
