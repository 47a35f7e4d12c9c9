// Test support for tests that need a registry with something in it: a
// registry::Client for a plain-HTTP registry with no credentials, blob and
// tiny-image pushes, and a GoogleTest fixture that starts the real
// docker-registry (RegistryMode::kPlain) for each test.
//
//   class MyTest : public registry::testing::PlainRegistryTest {};
//   TEST_F(MyTest, Works) {
//     Result<oci::Descriptor> image =
//         registry::testing::PushTinyImage(*client_, "app/x", "v1", "a");
//     ASSERT_TRUE(image.ok()) << image.status().ToString();
//     // server_->host() + "/app/x:v1" names it; image->digest is its digest.
//   }
//
// Unlike the harness (strata_registry_testing), this library links
// strata_registry and GoogleTest. Test support only: never linked into
// strata.
#ifndef STRATA_REGISTRY_TESTING_PLAIN_REGISTRY_H_
#define STRATA_REGISTRY_TESTING_PLAIN_REGISTRY_H_

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "oci/manifest.h"
#include "registry/client.h"
#include "registry/testing/harness.h"

namespace strata::registry::testing {

// A client for the registry at `host` ("127.0.0.1:PORT"), spoken to over
// plain http. `options` is used as given except that `host` is added to its
// insecure_registries and, when it has no credential_store, an empty one is
// set: no docker config or credential helper of the machine is read.
Result<std::unique_ptr<Client>> NewPlainClient(std::string_view host,
                                               ClientOptions options = {});

// Uploads `bytes` as a blob of `media_type` to `repo`; returns its
// descriptor (media type, sha256 digest, size).
Result<oci::Descriptor> PushBlobBytes(Client& client, std::string_view repo,
                                      std::string_view media_type,
                                      std::string_view bytes);

// Pushes a one-layer OCI image to repo:tag: an amd64/linux config with no
// diff_ids (the same for every image), one layer of kOciLayer media type
// whose content is `layer` (any bytes, not a real tar), and an OCI image
// manifest over both. Images with different `layer`s have different
// manifest digests. Returns the manifest's descriptor (kOciManifest).
Result<oci::Descriptor> PushTinyImage(Client& client, std::string_view repo,
                                      std::string_view tag,
                                      std::string_view layer);

// A fixture that, before each test, starts a plain-HTTP docker-registry in
// server_, a NewPlainClient for it in client_, and makes a fresh directory
// for the test's own files in dir_; when docker-registry cannot run, the
// test is skipped with "registry tests need docker-registry: " and the
// probe's reason. A failure to start is a fatal failure. The registry stops
// and the directory is removed when the test's fixture is destroyed.
//
// A subclass that overrides SetUp may do its own checks (and skip) first;
// it calls PlainRegistryTest::SetUp() and returns at once when
// IsSkipped() || HasFatalFailure() before using server_, client_ or dir_.
class PlainRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override;

  std::unique_ptr<RegistryServer> server_;
  std::unique_ptr<Client> client_;
  std::optional<TempDir> dir_;
};

}  // namespace strata::registry::testing

#endif  // STRATA_REGISTRY_TESTING_PLAIN_REGISTRY_H_
