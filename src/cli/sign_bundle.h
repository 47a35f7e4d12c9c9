// `strata sign --new-bundle-format`: signs an image as cosign v2.5+/v3 does
// in its new bundle format (cosign/bundle_store.h): a DSSE envelope of the
// in-toto Statement naming the image's manifest digest (predicateType
// https://sigstore.dev/cosign/sign/v1) in a Sigstore bundle v0.3, stored as
// an OCI 1.1 referrer of the image (the referrers tag schema on registries
// without the referrers API).
#ifndef STRATA_CLI_SIGN_BUNDLE_H_
#define STRATA_CLI_SIGN_BUNDLE_H_

#include <map>
#include <optional>
#include <string>

#include "base/status.h"
#include "crypto/keys.h"
#include "oci/reference.h"
#include "registry/client.h"
#include "sigstore/sign.h"

namespace strata::cli {

// Signs the manifest `ref` names (by tag: resolved to its digest first) and
// pushes the bundle. With `key` (borrowed) the envelope is signed with it
// and no transparency-log entry is made (verify such a bundle with
// --insecure-ignore-tlog); its options.key, tlog_upload and, when null,
// http are set here. Without `key`, `options` are used as given (keyless:
// identity token, Fulcio, Rekor). `annotations` become the statement
// subject's annotations. Returns the artifact's reference
// "REGISTRY/REPO@sha256:<artifact manifest digest>".
Result<std::string> SignImageBundle(
    registry::Client& client, const oci::ImageRef& ref,
    const crypto::PrivateKey* key, sigstore::SignOptions options,
    const std::optional<std::map<std::string, std::string>>& annotations);

}  // namespace strata::cli

#endif  // STRATA_CLI_SIGN_BUNDLE_H_
