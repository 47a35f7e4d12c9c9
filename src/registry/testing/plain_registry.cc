#include "registry/testing/plain_registry.h"

#include <utility>

#include "base/byte_source.h"
#include "base/digest.h"
#include "registry/auth.h"

namespace strata::registry::testing {

Result<std::unique_ptr<Client>> NewPlainClient(std::string_view host,
                                               ClientOptions options) {
  options.insecure_registries.emplace_back(host);
  if (options.credential_store == nullptr) {
    options.credential_store =
        std::make_shared<CredentialStore>(CredentialSources{});
  }
  return Client::Create(std::string(host), options);
}

Result<oci::Descriptor> PushBlobBytes(Client& client, std::string_view repo,
                                      std::string_view media_type,
                                      std::string_view bytes) {
  oci::Descriptor d;
  d.media_type = std::string(media_type);
  d.digest = Sha256Of(bytes);
  d.size = static_cast<int64_t>(bytes.size());
  RETURN_IF_ERROR(client.PushBlob(
      std::string(repo), d, [bytes]() -> Result<std::unique_ptr<ByteSource>> {
        return std::unique_ptr<ByteSource>(
            std::make_unique<MemorySource>(bytes));
      }));
  return d;
}

Result<oci::Descriptor> PushTinyImage(Client& client, std::string_view repo,
                                      std::string_view tag,
                                      std::string_view layer) {
  ASSIGN_OR_RETURN(
      oci::Descriptor config,
      PushBlobBytes(client, repo, oci::media::kOciConfig,
                    "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":"
                    "{\"type\":\"layers\",\"diff_ids\":[]}}"));
  ASSIGN_OR_RETURN(oci::Descriptor layer_d,
                   PushBlobBytes(client, repo, oci::media::kOciLayer, layer));
  auto entry = [](const oci::Descriptor& d) {
    return "{\"mediaType\":\"" + d.media_type + "\",\"digest\":\"" +
           d.digest.ToString() + "\",\"size\":" + std::to_string(d.size) + "}";
  };
  const std::string manifest = "{\"schemaVersion\":2,\"mediaType\":\"" +
                               std::string(oci::media::kOciManifest) +
                               "\",\"config\":" + entry(config) +
                               ",\"layers\":[" + entry(layer_d) + "]}";
  oci::Descriptor d;
  d.media_type = std::string(oci::media::kOciManifest);
  d.digest = Sha256Of(manifest);
  d.size = static_cast<int64_t>(manifest.size());
  RETURN_IF_ERROR(
      client.PutManifest(std::string(repo), std::string(tag), d, manifest)
          .status());
  return d;
}

void PlainRegistryTest::SetUp() {
  if (Status probe = RegistryServer::Probe(RegistryMode::kPlain); !probe.ok()) {
    GTEST_SKIP() << "registry tests need docker-registry: " << probe.ToString();
  }
  Result<std::unique_ptr<RegistryServer>> server =
      RegistryServer::Start(RegistryMode::kPlain);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  server_ = *std::move(server);
  Result<std::unique_ptr<Client>> client = NewPlainClient(server_->host());
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  client_ = *std::move(client);
  Result<TempDir> dir = TempDir::Create("strata-regtest-files");
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  dir_.emplace(*std::move(dir));
}

}  // namespace strata::registry::testing
