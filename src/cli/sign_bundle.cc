#include "cli/sign_bundle.h"

#include <ctime>
#include <memory>

#include "base/json.h"
#include "cli/sign.h"
#include "cosign/bundle_store.h"
#include "registry/http.h"
#include "sigstore/bundle.h"
#include "sigstore/dsse.h"

namespace strata::cli {
namespace {

// RFC 3339 UTC, to the second.
std::string NowRfc3339() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf, n);
}

}  // namespace

Result<std::string> PushStatementBundle(registry::Client& client,
                                        const oci::ImageRef& ref,
                                        const oci::Descriptor& image,
                                        std::string_view statement,
                                        sigstore::SignOptions options) {
  std::unique_ptr<registry::HttpTransport> http;
  if (options.http == nullptr) {
    http = registry::NewCurlTransport(registry::TransportOptions{});
    options.http = http.get();
  }
  ASSIGN_OR_RETURN(
      sigstore::Bundle bundle,
      sigstore::SignDsse(sigstore::kInTotoPayloadType, statement, options));
  ASSIGN_OR_RETURN(
      cosign::PushedBundle pushed,
      cosign::PushBundle(client, ref.repository, image,
                         json::Dump(sigstore::BundleToJson(bundle)),
                         NowRfc3339()));
  return CosignDockerReference(ref) + "@" + pushed.manifest.digest.ToString();
}

Result<std::string> SignImageBundle(
    registry::Client& client, const oci::ImageRef& ref,
    sigstore::SignOptions options,
    const std::optional<std::map<std::string, std::string>>& annotations) {
  ASSIGN_OR_RETURN(oci::Descriptor image, ResolveManifest(client, ref));
  ASSIGN_OR_RETURN(
      std::string statement,
      cosign::MakeSignStatement(
          image.digest,
          annotations.value_or(std::map<std::string, std::string>())));
  return PushStatementBundle(client, ref, image, statement, std::move(options));
}

}  // namespace strata::cli
