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
#include <string_view>

#include "base/status.h"
#include "oci/manifest.h"
#include "oci/reference.h"
#include "registry/client.h"
#include "sigstore/sign.h"

namespace strata::cli {

// Signs `statement`, an in-toto statement about the manifest `image` in
// `ref`'s repository, into a DSSE bundle with `options` (sigstore::SignDsse:
// a key or an identity token; a Rekor entry when options.tlog_upload; an
// HTTP transport is made when options.http is null) and pushes it as a
// referrer of `image` (cosign::PushBundle). Returns
// "REGISTRY/REPO@sha256:<artifact manifest digest>".
Result<std::string> PushStatementBundle(registry::Client& client,
                                        const oci::ImageRef& ref,
                                        const oci::Descriptor& image,
                                        std::string_view statement,
                                        sigstore::SignOptions options);

// Signs the manifest `ref` names (by tag: resolved to its digest first)
// with cosign's sign statement (MakeSignStatement; `annotations` become the
// subject's annotations) and pushes the bundle (PushStatementBundle). A
// key-signed bundle without a log entry verifies only with
// --insecure-ignore-tlog.
Result<std::string> SignImageBundle(
    registry::Client& client, const oci::ImageRef& ref,
    sigstore::SignOptions options,
    const std::optional<std::map<std::string, std::string>>& annotations);

}  // namespace strata::cli

#endif  // STRATA_CLI_SIGN_BUNDLE_H_
