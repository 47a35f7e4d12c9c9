#include "cli/attest.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>

#include "base/base64.h"
#include "base/json.h"
#include "base/unique_fd.h"
#include "cli/exit_codes.h"
#include "cli/keys.h"
#include "cli/output.h"
#include "cli/remote.h"
#include "cli/sign.h"
#include "cosign/go_json.h"
#include "registry/store.h"

namespace strata::cli {
namespace {

Result<std::string> ReadPredicateFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("open " + path, errno);
  std::string out;
  char buf[64 * 1024];
  while (true) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("read " + path, errno);
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) >
        static_cast<size_t>(cosign::kMaxPredicateBytes)) {
      return ResourceExhaustedError(path + ": predicate is over " +
                                    std::to_string(cosign::kMaxPredicateBytes) +
                                    " bytes");
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

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
    Result<std::string> predicate = ReadPredicateFile(a->predicate);
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

std::function<int()> SetupVerifyAttestation(CLI::App* cmd) {
  struct Args {
    std::string image;
    std::string key;
    std::string type = "custom";
    RegistryFlags registry;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("IMAGE", a->image,
                  "registry image by tag or digest (docker://NAME or NAME)")
      ->required();
  AddSigningRegistryFlags(cmd, &a->registry);
  cmd->add_option("--key", a->key, "public key file (PEM)")->required();
  cmd->add_option("--type", a->type,
                  "predicate type to accept: a name as for attest, or a URI")
      ->capture_default_str();
  return [a]() -> int {
    Result<oci::ImageRef> ref =
        ParseRegistryImage("verify-attestation", a->image);
    if (!ref.ok()) return ReportError(ref.status());
    Result<std::string> uri = cosign::PredicateTypeUri(a->type);
    if (!uri.ok()) return ReportError(uri.status());
    Result<crypto::PublicKey> key = LoadPublicKeyFile(a->key);
    if (!key.ok()) return ReportError(key.status());
    Result<std::shared_ptr<registry::Client>> client =
        MakeClient(*ref, a->registry);
    if (!client.ok()) return ReportError(client.status());
    Result<AttestationCheck> check =
        CheckAttestations(**client, *ref, {&*key, 1}, a->type);
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
