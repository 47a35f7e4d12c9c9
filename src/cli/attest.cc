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
#include "cli/sign_bundle.h"
#include "cli/verify.h"
#include "cosign/go_json.h"
#include "io/file_source.h"
#include "registry/store.h"
#include "sigstore/verify.h"

namespace strata::cli {
namespace {

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

namespace {

// What an attestation of `ref`'s manifest says: the predicate type URI, the
// manifest digest and the statement.
struct ImageStatement {
  std::string uri;
  Digest digest;
  std::string statement;
};
Result<ImageStatement> MakeImageStatement(registry::Client& client,
                                          const oci::ImageRef& ref,
                                          std::string_view type_name,
                                          std::string_view predicate,
                                          std::string_view timestamp) {
  ImageStatement out;
  ASSIGN_OR_RETURN(out.uri, cosign::PredicateTypeUri(type_name));
  ASSIGN_OR_RETURN(out.digest, ResolveManifestDigest(client, ref));
  ASSIGN_OR_RETURN(
      out.statement,
      cosign::MakeStatement(type_name, predicate, CosignDockerReference(ref),
                            out.digest, timestamp));
  return out;
}

// "REGISTRY/REPO:sha256-<hex>.att".
std::string AttestationRef(const oci::ImageRef& ref, const Digest& image) {
  return ref.registry + "/" + ref.repository + ":" +
         cosign::AttachmentTag(image, cosign::Attachment::kAttestation);
}

}  // namespace

Result<std::string> AttestImage(registry::Client& client,
                                const oci::ImageRef& ref,
                                const crypto::PrivateKey& key,
                                std::string_view type_name,
                                std::string_view predicate,
                                std::string_view timestamp) {
  ASSIGN_OR_RETURN(ImageStatement st, MakeImageStatement(client, ref, type_name,
                                                         predicate, timestamp));
  ASSIGN_OR_RETURN(std::string envelope,
                   cosign::SignStatement(key, st.statement));
  RETURN_IF_ERROR(cosign::PushAttestation(client, ref.repository, st.digest,
                                          envelope, st.uri));
  return AttestationRef(ref, st.digest);
}

Result<std::string> AttestImageLogged(registry::Client& client,
                                      const oci::ImageRef& ref,
                                      const sigstore::SignOptions& options,
                                      std::string_view type_name,
                                      std::string_view predicate,
                                      std::string_view timestamp) {
  if ((options.key == nullptr) == options.identity_token.empty() ||
      !options.tlog_upload) {
    return InvalidArgumentError(
        "a logged attestation needs a key or an identity token (not both) "
        "and a rekor entry");
  }
  ASSIGN_OR_RETURN(ImageStatement st, MakeImageStatement(client, ref, type_name,
                                                         predicate, timestamp));
  const std::string& statement = st.statement;
  std::vector<std::string> chain;
  sigstore::SignOptions o = options;
  o.tsa_url.clear();  // cosign timestamps .att payloads, not signatures
  o.fulcio_chain = options.key != nullptr ? nullptr : &chain;
  ASSIGN_OR_RETURN(
      sigstore::Bundle bundle,
      sigstore::SignDsse(sigstore::kInTotoPayloadType, statement, o));
  if (!bundle.dsse_envelope || bundle.dsse_envelope->signatures.size() != 1 ||
      bundle.tlog_entries.size() != 1) {
    return InternalError(
        "the signed bundle has no one-signature envelope and one rekor entry");
  }
  const std::string envelope =
      cosign::EnvelopeJson(statement, bundle.dsse_envelope->signatures[0].sig);
  oci::Descriptor d = cosign::AttestationDescriptor(envelope, st.uri);
  if (options.key != nullptr) {
    ASSIGN_OR_RETURN(d.annotations[std::string(cosign::kBundleAnnotation)],
                     LegacyRekorBundle(bundle.tlog_entries[0]));
  } else {
    ASSIGN_OR_RETURN(KeylessAnnotations material,
                     MakeKeylessAnnotations(bundle, chain));
    d.annotations[std::string(cosign::kCertificateAnnotation)] =
        std::move(material.certificate);
    if (!material.chain.empty()) {
      d.annotations[std::string(cosign::kChainAnnotation)] =
          std::move(material.chain);
    }
    d.annotations[std::string(cosign::kBundleAnnotation)] =
        std::move(material.bundle);
  }
  RETURN_IF_ERROR(cosign::PushAttachment(client, ref.repository, st.digest,
                                         cosign::Attachment::kAttestation, d,
                                         envelope));
  return AttestationRef(ref, st.digest);
}

Result<std::string> AttestImageBundle(registry::Client& client,
                                      const oci::ImageRef& ref,
                                      const sigstore::SignOptions& options,
                                      std::string_view type_name,
                                      std::string_view predicate,
                                      std::string_view timestamp) {
  ASSIGN_OR_RETURN(oci::Descriptor image, ResolveManifest(client, ref));
  ASSIGN_OR_RETURN(
      std::string statement,
      cosign::MakeStatement(type_name, predicate, CosignDockerReference(ref),
                            image.digest, timestamp));
  return PushStatementBundle(client, ref, image, statement, options);
}

bool AttestationCheck::accepted() const {
  return layers.accepted() || !bundles.verified.empty();
}

std::vector<std::string> AttestationCheck::Rejections() const {
  std::vector<std::string> out;
  // Bundles but no .att layer: its "no attestations" says nothing.
  const bool bundles_seen = bundles_listed > bundles.passed_over;
  if (!(bundles_seen && layers.rejections.size() == 1 &&
        layers.rejections[0] == "no attestations")) {
    out = layers.rejections;
  }
  out.insert(out.end(), bundles.rejections.begin(), bundles.rejections.end());
  return out;
}

Result<AttestationCheck> CheckAttestations(registry::Client& client,
                                           const oci::ImageRef& ref,
                                           const AttestationPolicy& policy,
                                           std::string_view type_name) {
  ASSIGN_OR_RETURN(std::string uri, cosign::PredicateTypeUri(type_name));
  AttestationCheck out;
  ASSIGN_OR_RETURN(out.image, ResolveManifestDigest(client, ref));
  ASSIGN_OR_RETURN(std::vector<cosign::AttachmentLayer> layers,
                   cosign::ReadAttestations(client, ref.repository, out.image));
  out.layers = policy.layer_check
                   ? cosign::VerifyAttestations(out.image, layers,
                                                policy.layer_check, uri)
                   : cosign::VerifyAttestations(out.image, layers,
                                                policy.bundles.keys, uri);
  ASSIGN_OR_RETURN(std::vector<cosign::StoredBundle> stored,
                   cosign::ReadBundles(client, ref.repository, out.image));
  out.bundles_listed = stored.size();
  BundlePolicy bundle_policy = policy.bundles;
  bundle_policy.predicate_type = uri;
  out.bundles = VerifyImageBundles(out.image, stored, bundle_policy);
  return out;
}

std::function<int()> SetupAttest(CLI::App* cmd) {
  struct Args {
    SigningFlags signing;
    std::string predicate;
    std::string type = "custom";
  };
  auto a = std::make_shared<Args>();
  AddSigningFlags(cmd, &a->signing);
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
    if (Result<std::string> uri = cosign::PredicateTypeUri(a->type);
        !uri.ok()) {
      return ReportError(uri.status());
    }
    if (!a->signing.new_bundle_format && !a->signing.keyless.tsa_url.empty()) {
      return ReportError(InvalidArgumentError(
          "--timestamp-server-url needs --new-bundle-format for attestations "
          "(cosign's .att layers timestamp another thing)"));
    }
    Result<std::string> predicate = io::ReadFileCapped(
        a->predicate, cosign::kMaxPredicateBytes, "predicate");
    if (!predicate.ok()) return ReportError(predicate.status());
    Result<int64_t> now = OutputTimestamp();
    if (!now.ok()) return ReportError(now.status());
    Result<SigningSession> session = OpenSigningSession("attest", a->signing);
    if (!session.ok()) return ReportError(session.status());
    const std::optional<crypto::PrivateKey>& key = session->signer->key;
    const sigstore::SignOptions& o = session->signer->options;
    registry::Client& client = *session->client;
    const oci::ImageRef& ref = session->ref;
    const std::string timestamp = Rfc3339Utc(*now);
    Result<std::string> pushed =
        a->signing.new_bundle_format
            ? AttestImageBundle(client, ref, o, a->type, *predicate, timestamp)
        : key && !o.tlog_upload
            ? AttestImage(client, ref, *key, a->type, *predicate, timestamp)
            : AttestImageLogged(client, ref, o, a->type, *predicate, timestamp);
    if (!pushed.ok()) return ReportError(pushed.status());
    std::fprintf(stderr, "Pushing attestation to: %s\n", pushed->c_str());
    return kExitOk;
  };
}

namespace {

// Attestation layers checked with their log entries, as cosign stores
// them: the layer's legacy Rekor bundle annotation (and, keyless, its
// certificate and chain annotations) around its DSSE envelope, verified as a
// Sigstore bundle whose artifact is the image digest against `root`, signed
// by the identity or by one of `keys` (borrowed, like root).
cosign::EnvelopeCheck LoggedEnvelopeCheck(
    const sigstore::TrustedRoot* root,
    const std::optional<pki::IdentityPolicy>& identity,
    std::span<const crypto::PublicKey> keys, int64_t now_unix) {
  return [root, identity, keys, now_unix](
             const Digest& image, const cosign::AttachmentLayer& layer,
             const sigstore::DsseEnvelope& envelope) -> Status {
    const auto& ann = layer.descriptor.annotations;
    auto cert = ann.find(std::string(cosign::kCertificateAnnotation));
    if (identity && cert == ann.end()) {
      return PermissionDeniedError(
          "no certificate (not a keyless attestation)");
    }
    auto rekor = ann.find(std::string(cosign::kBundleAnnotation));
    if (rekor == ann.end()) {
      return PermissionDeniedError(
          identity ? "no rekor bundle (dev.sigstore.cosign/bundle)"
                   : "no rekor bundle (dev.sigstore.cosign/bundle) to verify "
                     "the log entry with --trusted-root "
                     "(--insecure-ignore-tlog skips it)");
    }
    sigstore::Bundle bundle;
    if (identity) {
      std::optional<std::string> chain;
      if (auto c = ann.find(std::string(cosign::kChainAnnotation));
          c != ann.end()) {
        chain = c->second;
      }
      ASSIGN_OR_RETURN(bundle,
                       LegacyKeylessBundle(cert->second, chain, rekor->second));
    } else {
      ASSIGN_OR_RETURN(bundle, LegacyKeyBundle(rekor->second));
    }
    bundle.dsse_envelope = envelope;
    // The artifact is the image: VerifyBundle requires it among the
    // statement's subjects.
    std::optional<std::string> digest = HexDecode(image.hex());
    if (image.algorithm() != DigestAlgorithm::kSha256 || !digest) {
      return PermissionDeniedError("the image digest is not sha256");
    }
    const sigstore::Artifact artifact =
        sigstore::Artifact::FromSha256(*std::move(digest));
    sigstore::VerifyPolicy policy;
    policy.now_unix = now_unix;
    if (identity) {
      policy.identity = *identity;
      return sigstore::VerifyBundle(bundle, artifact, *root, policy).status();
    }
    Status last = PermissionDeniedError("no key to verify it with");
    for (const crypto::PublicKey& key : keys) {
      policy.key = key;
      last = sigstore::VerifyBundle(bundle, artifact, *root, policy).status();
      if (last.ok()) break;
    }
    return last;
  };
}

// One line per accepted attestation: .att envelopes as stored, bundle
// envelopes as cosign writes envelopes.
std::string AcceptedEnvelopes(const AttestationCheck& check) {
  std::string out;
  for (const cosign::VerifiedAttestation& va : check.layers.verified) {
    out += EnvelopeLine(va.envelope) + "\n";
  }
  for (const VerifiedImageBundle& vb : check.bundles.verified) {
    out += json::Dump(sigstore::DsseEnvelopeToJson(vb.envelope)) + "\n";
  }
  return out;
}

}  // namespace

std::function<int()> SetupVerifyAttestation(CLI::App* cmd) {
  struct Args {
    std::string image;
    std::string type = "custom";
    VerifierFlags verifier;
    RegistryFlags registry;
  };
  auto a = std::make_shared<Args>();
  AddRegistryImageArgs(cmd, &a->image, &a->registry);
  AddVerifierFlags(cmd, &a->verifier, "attestation");
  cmd->add_option("--type", a->type,
                  "predicate type to accept: a name as for attest, or a URI")
      ->capture_default_str();
  return [a]() -> int {
    Result<oci::ImageRef> ref =
        ParseRegistryImage("verify-attestation", a->image);
    if (!ref.ok()) return ReportError(ref.status());
    Result<std::string> uri = cosign::PredicateTypeUri(a->type);
    if (!uri.ok()) return ReportError(uri.status());
    Verifier v;
    if (Status st = LoadVerifier(a->verifier, &v); !st.ok()) {
      return ReportError(st);
    }
    const bool keyless = v.keyless();
    AttestationPolicy policy;
    policy.bundles = v.bundle_policy();
    // Keyless, or keys with --trusted-root: .att layers need their log entry.
    if (keyless || v.key_tlog_root() != nullptr) {
      policy.layer_check =
          LoggedEnvelopeCheck(&*v.root, v.identity, v.keys, v.now_unix);
    }
    Result<std::shared_ptr<registry::Client>> client =
        MakeRegistryClient(*ref, a->registry);
    if (!client.ok()) return ReportError(client.status());
    Result<AttestationCheck> check =
        CheckAttestations(**client, *ref, policy, a->type);
    if (!check.ok()) return ReportError(check.status());
    const std::string name =
        ref->registry + "/" + ref->repository + "@" + check->image.ToString();
    if (!check->accepted()) {
      for (const std::string& why : check->Rejections()) {
        std::fprintf(stderr, "strata: %s\n", why.c_str());
      }
      std::fprintf(stderr,
                   "strata: error: no valid attestation of type %s for %s\n",
                   uri->c_str(), a->image.c_str());
      return kExitCheckFailed;
    }
    std::string checks;
    if (policy.layer_check) {
      checks +=
          "  - Existence of the claims in the transparency log was verified "
          "offline\n";
    }
    checks += keyless ? "  - The code-signing certificate was verified using "
                        "trusted certificate authority certificates\n"
                      : "  - The DSSE signature was verified against the "
                        "specified public key\n";
    std::fprintf(stderr,
                 "Verification for %s --\n"
                 "The following checks were performed on each of these "
                 "attestations:\n%s"
                 "  - The payload is an in-toto statement whose subject is "
                 "the image's manifest digest\n"
                 "  - The predicate type is %s\n",
                 name.c_str(), checks.c_str(), uri->c_str());
    Status st = WriteStdout(AcceptedEnvelopes(*check));
    return st.ok() ? kExitOk : ReportError(st);
  };
}

}  // namespace strata::cli
