// `strata sign-blob` and `strata verify-blob`: Sigstore bundles for files,
// with cosign's flag names.
//
//   strata sign-blob FILE (--key K | --identity-token T | $SIGSTORE_ID_TOKEN)
//       [--fulcio-url U] [--rekor-url U] [--timestamp-server-url U]
//       [--trusted-root F] [--bundle OUT] [--output-signature OUT]
//       [--tlog-upload=false]
//   strata verify-blob --bundle F (--key K | --certificate-identity I |
//       --certificate-identity-regexp R) [--certificate-oidc-issuer U |
//       --certificate-oidc-issuer-regexp R] [--trusted-root T]
//       FILE_OR_sha256:DIGEST
//
// sign-blob writes the bundle atomically (a temporary file renamed over
// OUT); without --bundle or --output-signature the base64 signature goes to
// stdout. --identity-token takes the token or a file holding it. With
// --trusted-root the new bundle is verified before it is written.
//
// verify-blob takes the artifact, or its digest when the argument is
// "sha256:" and 64 lowercase hex digits and no such file exists (the
// sigstore-conformance CLI protocol). There is no network trust root: without
// --trusted-root it fails. Exit 0 and "Verified OK" on stderr when the bundle
// verifies, kExitCheckFailed when it does not (or does not parse),
// kExitError for usage and I/O errors.
#ifndef STRATA_CLI_BLOB_H_
#define STRATA_CLI_BLOB_H_

#include <CLI/CLI.hpp>
#include <functional>

namespace strata::cli {

// Files read by these commands are capped: an artifact at
// kMaxBlobArtifactBytes (it is held in memory to be hashed and signed),
// bundles at sigstore::kMaxBundleBytes, trusted roots at
// sigstore::kMaxTrustedRootBytes, tokens at sigstore::kMaxIdentityTokenBytes.
inline constexpr int64_t kMaxBlobArtifactBytes = int64_t{1} << 30;

std::function<int()> SetupSignBlob(CLI::App* cmd);
std::function<int()> SetupVerifyBlob(CLI::App* cmd);

}  // namespace strata::cli

#endif  // STRATA_CLI_BLOB_H_
