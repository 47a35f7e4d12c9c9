// `strata attest` and `strata verify-attestation`: cosign-compatible in-toto
// attestations of registry images (cosign/attest.h), signed with a key file
// or keyless, verified with key files.
//
//   strata attest --key cosign.key --predicate FILE [--type T] IMAGE
//   strata attest --identity-token T [--fulcio-url U] [--rekor-url U]
//                 [--trusted-root F] --predicate FILE [--type T] IMAGE
//   strata attest ... --new-bundle-format ...      (a Sigstore bundle referrer)
//   strata verify-attestation --key cosign.pub [--type T]
//                 [--trusted-root F | --insecure-ignore-tlog] IMAGE
//   strata verify-attestation --certificate-identity[-regexp] I
//                 --certificate-oidc-issuer[-regexp] U --trusted-root F
//                 [--type T] IMAGE
//
// --type takes cosign's names (custom, the default; slsaprovenance,
// slsaprovenance02, slsaprovenance1, spdx, spdxjson, cyclonedx, link, vuln,
// openvex) or a predicate type URI. verify-attestation looks in both
// storage modes (the .att tag and bundle referrers; a key-signed bundle's
// log entry is verified against --trusted-root unless
// --insecure-ignore-tlog), prints each accepted envelope as one JSON line
// on stdout ({"payloadType","payload","signatures"}, as stored), the checks
// it made on stderr, and exits 0; when none is accepted it prints the
// reason for each attestation and exits kExitCheckFailed (2).
#ifndef STRATA_CLI_ATTEST_H_
#define STRATA_CLI_ATTEST_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/digest.h"
#include "base/status.h"
#include "cli/verify.h"
#include "cosign/attest.h"
#include "crypto/keys.h"
#include "oci/reference.h"
#include "registry/client.h"
#include "sigstore/sign.h"

namespace strata::cli {

std::function<int()> SetupAttest(CLI::App* cmd);
std::function<int()> SetupVerifyAttestation(CLI::App* cmd);

// "2025-02-28T19:18:11Z" for Unix seconds `t` (UTC).
std::string Rfc3339Utc(int64_t t);

// Attests `ref`'s manifest (ResolveManifestDigest): the statement of
// `predicate` as `type_name` (cosign::MakeStatement, subject named
// CosignDockerReference(ref)) signed with `key` and appended to the image's
// .att manifest. Returns the attestation's reference
// "REGISTRY/REPO:sha256-<hex>.att".
Result<std::string> AttestImage(registry::Client& client,
                                const oci::ImageRef& ref,
                                const crypto::PrivateKey& key,
                                std::string_view type_name,
                                std::string_view predicate,
                                std::string_view timestamp);

// The same with a log entry: the statement is signed by
// sigstore::SignDsse with `options` (a key or an identity token;
// tlog_upload must be on; tsa_url is ignored) and logged in Rekor as a dsse
// 0.0.1 entry, as cosign (v2.6+, through sigstore-go) logs attestations;
// older cosign logged intoto 0.0.2 entries, which verification accepts too.
// The envelope is written as cosign::SignStatement writes it, and its .att
// layer carries, besides the predicateType and empty signature
// annotations, the Rekor bundle annotation and, keyless, the certificate
// and chain annotations (MakeKeylessAnnotations). With
// options.trusted_root the signed bundle is verified (keyless: identity the
// certificate's own) before anything is pushed.
Result<std::string> AttestImageLogged(registry::Client& client,
                                      const oci::ImageRef& ref,
                                      const sigstore::SignOptions& options,
                                      std::string_view type_name,
                                      std::string_view predicate,
                                      std::string_view timestamp);

// Attests `ref`'s manifest in cosign's new bundle format: the statement (as
// for AttestImage) signed into a DSSE Sigstore bundle and stored as an OCI
// referrer of the image (PushStatementBundle: `options` with a key or an
// identity token, a log entry when tlog_upload, an RFC 3161 timestamp with
// tsa_url), its listing annotated with the predicate type. Returns
// "REGISTRY/REPO@sha256:<artifact manifest digest>".
Result<std::string> AttestImageBundle(registry::Client& client,
                                      const oci::ImageRef& ref,
                                      const sigstore::SignOptions& options,
                                      std::string_view type_name,
                                      std::string_view predicate,
                                      std::string_view timestamp);

// Whom attestations must be signed by.
struct AttestationPolicy {
  // Keys (bundles.keys; any one suffices) or a keyless identity
  // (bundles.identity, with bundles.root). The bundle policy's
  // predicate_type is set by CheckAttestations.
  BundlePolicy bundles;
  // Keyless: decides whether an .att layer's envelope is signed by the
  // identity (its certificate and Rekor annotations). Empty: .att layers
  // are checked with bundles.keys.
  cosign::EnvelopeCheck layer_check;
};

struct AttestationCheck {
  Digest image;                       // the manifest digest `ref` resolved to
  cosign::AttestationVerdict layers;  // the .att layers
  BundleVerifyResult bundles;         // the bundle referrers
  size_t bundles_listed = 0;          // bundle referrers found
  // Some .att layer or bundle accepted.
  bool accepted() const;
  // Why each attestation was rejected: the layers' reasons ("attestation
  // 2: ...", without the bare "no attestations" when there are bundles)
  // and then the bundles' ("bundle 1: ...").
  std::vector<std::string> Rejections() const;
};

// Reads the .att layers and the bundle referrers of `ref`'s manifest and
// verifies both for the predicate type `type_name` (a --type value) under
// `policy`.
Result<AttestationCheck> CheckAttestations(registry::Client& client,
                                           const oci::ImageRef& ref,
                                           const AttestationPolicy& policy,
                                           std::string_view type_name);

}  // namespace strata::cli

#endif  // STRATA_CLI_ATTEST_H_
