#include "cli/blob.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "base/base64.h"
#include "base/unique_fd.h"
#include "cli/exit_codes.h"
#include "cli/keys.h"
#include "cli/sign.h"
#include "cli/verify.h"
#include "io/file_source.h"
#include "pki/identity.h"
#include "registry/http.h"
#include "sigstore/bundle.h"
#include "sigstore/services.h"
#include "sigstore/sign.h"
#include "sigstore/trusted_root.h"
#include "sigstore/verify.h"

namespace strata::cli {
namespace {

// Writes `data` to `path` through a temporary file in the same directory,
// renamed over `path` (replacing it) once complete.
Status WriteFileAtomic(const std::string& path, std::string_view data) {
  std::string tmp = path + ".tmp-XXXXXX";
  UniqueFd fd(::mkostemp(tmp.data(), O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("create " + tmp, errno);
  Status st;
  std::string_view rest = data;
  while (st.ok() && !rest.empty()) {
    ssize_t n = ::write(fd.get(), rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      st = ErrnoError("write " + tmp, errno);
      break;
    }
    rest.remove_prefix(static_cast<size_t>(n));
  }
  if (st.ok() && ::fchmod(fd.get(), 0644) != 0) {
    st = ErrnoError("chmod " + tmp, errno);
  }
  if (st.ok() && ::fsync(fd.get()) != 0) st = ErrnoError("fsync " + tmp, errno);
  if (::close(fd.release()) != 0 && st.ok()) {
    st = ErrnoError("close " + tmp, errno);
  }
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    st = ErrnoError("rename " + tmp + " to " + path, errno);
  }
  if (!st.ok()) ::unlink(tmp.c_str());
  return st;
}

// Now, rounded up: an SCT or log time stamped a few milliseconds ago is
// not in the future at whole-second precision.
int64_t NowUnix() {
  return std::chrono::ceil<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct SignBlobFlags {
  std::string file;
  std::string key;
  std::string identity_token;
  std::string fulcio_url = std::string(sigstore::kDefaultFulcioUrl);
  std::string rekor_url = std::string(sigstore::kDefaultRekorUrl);
  std::string tsa_url;
  std::string trusted_root;
  std::string bundle;
  std::string output_signature;
  bool tlog_upload = true;
};

Status RunSignBlob(const SignBlobFlags& f) {
  ASSIGN_OR_RETURN(std::string token, ReadIdentityToken(f.identity_token));
  if (f.key.empty() == token.empty()) {
    return InvalidArgumentError(
        f.key.empty() ? "sign with --key, or keyless with --identity-token (or "
                        "SIGSTORE_ID_TOKEN)"
                      : "give either --key or an identity token, not both");
  }
  ASSIGN_OR_RETURN(
      std::string artifact,
      io::ReadFileCapped(f.file, kMaxBlobArtifactBytes, "artifact"));
  std::optional<sigstore::TrustedRoot> root;
  if (!f.trusted_root.empty()) {
    ASSIGN_OR_RETURN(root, LoadTrustedRootFile(f.trusted_root));
  }
  std::optional<crypto::PrivateKey> key;
  if (!f.key.empty()) {
    ASSIGN_OR_RETURN(key, LoadPrivateKeyFile(f.key));
  }
  std::unique_ptr<registry::HttpTransport> http =
      registry::NewCurlTransport(registry::TransportOptions{});
  sigstore::SignOptions o;
  o.key = key ? &*key : nullptr;
  o.identity_token = token;
  o.fulcio_url = f.fulcio_url;
  o.rekor_url = f.rekor_url;
  o.tlog_upload = f.tlog_upload;
  o.tsa_url = f.tsa_url;
  o.trusted_root = root ? &*root : nullptr;
  o.http = http.get();
  ASSIGN_OR_RETURN(sigstore::Bundle bundle, sigstore::SignBlob(artifact, o));
  const std::string signature =
      Base64Encode(bundle.message_signature->signature);
  if (!f.bundle.empty()) {
    RETURN_IF_ERROR(WriteFileAtomic(
        f.bundle, json::Dump(sigstore::BundleToJson(bundle)) + "\n"));
    std::fprintf(stderr, "Wrote bundle to file %s\n", f.bundle.c_str());
  }
  if (!f.output_signature.empty()) {
    RETURN_IF_ERROR(WriteFileAtomic(f.output_signature, signature));
    std::fprintf(stderr, "Wrote signature to file %s\n",
                 f.output_signature.c_str());
  } else if (f.bundle.empty()) {
    std::printf("%s\n", signature.c_str());
  }
  return Status::Ok();
}

struct VerifyBlobFlags {
  std::string artifact;
  std::string bundle;
  std::string key;
  std::string identity;
  std::string identity_regexp;
  std::string issuer;
  std::string issuer_regexp;
  std::string trusted_root;
};

// "sha256:" and 64 lowercase hex digits, naming no existing path.
std::optional<std::string> AsDigest(const std::string& arg) {
  constexpr std::string_view kPrefix = "sha256:";
  if (!arg.starts_with(kPrefix) || arg.size() != kPrefix.size() + 64) {
    return std::nullopt;
  }
  std::string raw;
  for (size_t i = kPrefix.size(); i < arg.size(); i += 2) {
    int v = 0;
    for (char c : {arg[i], arg[i + 1]}) {
      if (c >= '0' && c <= '9') {
        v = v * 16 + (c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v = v * 16 + (c - 'a' + 10);
      } else {
        return std::nullopt;
      }
    }
    raw += static_cast<char>(v);
  }
  std::error_code ec;
  if (std::filesystem::exists(arg, ec)) return std::nullopt;
  return raw;
}

// Usage and I/O errors are returned; a bundle that does not verify is an
// outcome, written to *failure.
Status RunVerifyBlob(const VerifyBlobFlags& f, Status* failure) {
  const bool identity = !f.identity.empty() || !f.identity_regexp.empty();
  if (f.key.empty() == !identity) {
    return InvalidArgumentError(
        "verify with --key, or with --certificate-identity (or "
        "--certificate-identity-regexp) and --certificate-oidc-issuer (or "
        "--certificate-oidc-issuer-regexp)");
  }
  if (f.trusted_root.empty()) {
    return FailedPreconditionError(
        "--trusted-root is required (no network trust root fetching)");
  }
  sigstore::VerifyPolicy policy;
  policy.now_unix = NowUnix();
  if (!f.key.empty()) {
    ASSIGN_OR_RETURN(policy.key, LoadPublicKeyFile(f.key));
  } else {
    ASSIGN_OR_RETURN(policy.identity,
                     IdentityFromFlags(f.identity, f.identity_regexp, f.issuer,
                                       f.issuer_regexp));
  }
  ASSIGN_OR_RETURN(sigstore::TrustedRoot root,
                   LoadTrustedRootFile(f.trusted_root));
  ASSIGN_OR_RETURN(
      std::string bundle_text,
      io::ReadFileCapped(f.bundle, sigstore::kMaxBundleBytes, "bundle"));
  std::string artifact_bytes;
  sigstore::Artifact artifact;
  if (std::optional<std::string> digest = AsDigest(f.artifact)) {
    artifact = sigstore::Artifact::FromSha256(std::move(*digest));
  } else {
    ASSIGN_OR_RETURN(
        artifact_bytes,
        io::ReadFileCapped(f.artifact, kMaxBlobArtifactBytes, "artifact"));
    artifact = sigstore::Artifact::FromBytes(artifact_bytes);
  }
  Result<sigstore::Bundle> bundle = sigstore::ParseBundle(bundle_text);
  if (!bundle.ok()) {
    *failure = bundle.status().WithContext(f.bundle);
    return Status::Ok();
  }
  Result<sigstore::VerifiedBundle> v =
      sigstore::VerifyBundle(*bundle, artifact, root, policy);
  if (!v.ok() && v.status().code() == StatusCode::kInvalidArgument) {
    return v.status();
  }
  if (!v.ok()) *failure = v.status();
  return Status::Ok();
}

}  // namespace

std::function<int()> SetupSignBlob(CLI::App* cmd) {
  auto f = std::make_shared<SignBlobFlags>();
  cmd->add_option("file", f->file, "the file to sign")->required();
  cmd->add_option("--key", f->key, "cosign private key file");
  cmd->add_option("--identity-token", f->identity_token,
                  "OIDC identity token (or a file holding it) for keyless "
                  "signing; default $SIGSTORE_ID_TOKEN");
  cmd->add_option("--fulcio-url", f->fulcio_url, "Fulcio URL")
      ->capture_default_str();
  cmd->add_option("--rekor-url", f->rekor_url, "Rekor URL")
      ->capture_default_str();
  cmd->add_option("--timestamp-server-url", f->tsa_url,
                  "RFC 3161 timestamp authority URL");
  cmd->add_option("--trusted-root", f->trusted_root,
                  "trusted_root.json to verify the new bundle against");
  cmd->add_option("--bundle", f->bundle, "write the Sigstore bundle here");
  cmd->add_option("--output-signature", f->output_signature,
                  "write the base64 signature here");
  cmd->add_flag("--tlog-upload", f->tlog_upload,
                "log the signature in Rekor (--tlog-upload=false to skip)")
      ->capture_default_str();
  return [f]() {
    Status st = RunSignBlob(*f);
    return st.ok() ? kExitOk : ReportError(st);
  };
}

std::function<int()> SetupVerifyBlob(CLI::App* cmd) {
  auto f = std::make_shared<VerifyBlobFlags>();
  cmd->add_option("artifact", f->artifact,
                  "the file, or sha256:DIGEST, the bundle signs")
      ->required();
  cmd->add_option("--bundle", f->bundle, "the Sigstore bundle")->required();
  cmd->add_option("--key", f->key, "PEM public key file");
  AddIdentityFlags(cmd, &f->identity, &f->identity_regexp, &f->issuer,
                   &f->issuer_regexp);
  cmd->add_option("--trusted-root", f->trusted_root,
                  "trusted_root.json (required: no network trust root)");
  return [f]() {
    Status failure;
    Status st = RunVerifyBlob(*f, &failure);
    if (!st.ok()) return ReportError(st);
    if (!failure.ok()) {
      std::fprintf(stderr, "strata: verification failed: %s\n",
                   failure.ToString().c_str());
      return kExitCheckFailed;
    }
    std::fprintf(stderr, "Verified OK\n");
    return kExitOk;
  };
}

}  // namespace strata::cli
