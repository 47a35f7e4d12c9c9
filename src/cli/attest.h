// `strata attest` and `strata verify-attestation`: cosign-compatible in-toto
// attestations of registry images (cosign/attest.h), signed with a key file
// or keyless, verified with key files.
//
//   strata attest --key cosign.key --predicate FILE [--type T] IMAGE
//   strata attest --identity-token T [--fulcio-url U] [--rekor-url U]
//                 [--trusted-root F] --predicate FILE [--type T] IMAGE
//   strata verify-attestation --key cosign.pub [--type T] IMAGE
//
// --type takes cosign's names (custom, the default; slsaprovenance,
// slsaprovenance02, slsaprovenance1, spdx, spdxjson, cyclonedx, link, vuln,
// openvex) or a predicate type URI. verify-attestation prints each accepted
// envelope as one JSON line on stdout ({"payloadType","payload","signatures"},
// as stored), the checks it made on stderr, and exits 0; when none is
// accepted it prints the reason for each attestation and exits
// kExitCheckFailed (2).
#ifndef STRATA_CLI_ATTEST_H_
#define STRATA_CLI_ATTEST_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "base/digest.h"
#include "base/status.h"
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

// The same keyless: the statement is signed by sigstore::SignDsse with
// `options` (an identity token and no key; tlog_upload must be on; tsa_url
// is ignored) and logged in Rekor as a dsse 0.0.1 entry (cosign 2 logs
// intoto 0.0.2 entries). The envelope is written as cosign::SignStatement
// writes it, and its .att layer carries, besides the predicateType and
// empty signature annotations, the certificate, chain and Rekor bundle
// annotations (MakeKeylessAnnotations). With options.trusted_root the
// signed bundle is verified (identity: the certificate's own) before
// anything is pushed.
Result<std::string> AttestImageKeyless(registry::Client& client,
                                       const oci::ImageRef& ref,
                                       const sigstore::SignOptions& options,
                                       std::string_view type_name,
                                       std::string_view predicate,
                                       std::string_view timestamp);

struct AttestationCheck {
  Digest image;  // the manifest digest `ref` resolved to
  cosign::AttestationVerdict verdict;
};

// Reads the .att layers of `ref`'s manifest and verifies them for the
// predicate type `type_name` (a --type value) with `keys`.
Result<AttestationCheck> CheckAttestations(
    registry::Client& client, const oci::ImageRef& ref,
    std::span<const crypto::PublicKey> keys, std::string_view type_name);
// The same with `check` deciding whom an envelope is signed by (keyless).
Result<AttestationCheck> CheckAttestations(registry::Client& client,
                                           const oci::ImageRef& ref,
                                           const cosign::EnvelopeCheck& check,
                                           std::string_view type_name);

}  // namespace strata::cli

#endif  // STRATA_CLI_ATTEST_H_
