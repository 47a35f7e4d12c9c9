// cosign signatures against the real CNCF distribution registry, started by
// the registry test harness on a free 127.0.0.1 port (skips with a message
// when docker-registry is absent).
#include <gtest/gtest.h>

#include "base/base64.h"
#include "base/byte_source.h"
#include "cosign/payload.h"
#include "cosign/storage.h"
#include "cosign/verify.h"
#include "registry/client.h"
#include "registry/testing/harness.h"

namespace strata::cosign {
namespace {

using registry::testing::RegistryMode;
using registry::testing::RegistryServer;

constexpr char kRepo[] = "cosign/app";

Status PushBlob(registry::Client& client, const std::string& media_type,
                const std::string& bytes, oci::Descriptor* out) {
  out->media_type = media_type;
  out->digest = Sha256Of(bytes);
  out->size = static_cast<int64_t>(bytes.size());
  return client.PushBlob(kRepo, *out,
                         [&]() -> Result<std::unique_ptr<ByteSource>> {
                           return std::unique_ptr<ByteSource>(
                               std::make_unique<MemorySource>(bytes));
                         });
}

// Pushes a one-layer image tagged v1; returns its manifest digest.
Result<Digest> PushSmallImage(registry::Client& client) {
  oci::Descriptor config, layer;
  RETURN_IF_ERROR(PushBlob(client, std::string(oci::media::kOciConfig),
                           "{\"architecture\":\"amd64\",\"os\":\"linux\","
                           "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}",
                           &config));
  RETURN_IF_ERROR(PushBlob(client, std::string(oci::media::kOciLayer),
                           std::string(1024, '\0'), &layer));
  std::string manifest = "{\"schemaVersion\":2,\"mediaType\":\"" +
                         std::string(oci::media::kOciManifest) +
                         "\",\"config\":{\"mediaType\":\"" + config.media_type +
                         "\",\"digest\":\"" + config.digest.ToString() +
                         "\",\"size\":" + std::to_string(config.size) +
                         "},\"layers\":[{\"mediaType\":\"" + layer.media_type +
                         "\",\"digest\":\"" + layer.digest.ToString() +
                         "\",\"size\":" + std::to_string(layer.size) + "}]}";
  oci::Descriptor d;
  d.media_type = std::string(oci::media::kOciManifest);
  d.digest = Sha256Of(manifest);
  d.size = static_cast<int64_t>(manifest.size());
  RETURN_IF_ERROR(client.PutManifest(kRepo, "v1", d, manifest).status());
  return d.digest;
}

#define REQUIRE_REGISTRY_CLIENT()                                 \
  if (Status probe = RegistryServer::Probe(RegistryMode::kPlain); \
      !probe.ok()) {                                              \
    GTEST_SKIP() << "registry tests need docker-registry: "       \
                 << probe.ToString();                             \
  }                                                               \
  ASSERT_NO_FATAL_FAILURE(Start())

class CosignRegistryTest : public ::testing::Test {
 protected:
  void Start() {
    Result<std::unique_ptr<RegistryServer>> server =
        RegistryServer::Start(RegistryMode::kPlain);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = *std::move(server);
    registry::ClientOptions options;
    options.insecure_registries = {server_->host()};
    options.credential_store = std::make_shared<registry::CredentialStore>(
        registry::CredentialSources{});
    Result<std::unique_ptr<registry::Client>> client =
        registry::Client::Create(server_->host(), options);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = *std::move(client);
  }

  // Pushes each of `blobs` and tags a signature manifest over them (each
  // with a dummy signature annotation) as the .sig of `image`.
  void PutSignatureManifest(const Digest& image,
                            const std::vector<std::string>& blobs) {
    std::vector<oci::Descriptor> layers;
    for (const std::string& blob : blobs) {
      oci::Descriptor d;
      d.media_type = std::string(kSimpleSigningMediaType);
      d.digest = Sha256Of(blob);
      d.size = static_cast<int64_t>(blob.size());
      Result<bool> exists = client_->BlobExists(kRepo, d);
      ASSERT_TRUE(exists.ok()) << exists.status().ToString();
      if (!*exists)
        ASSERT_TRUE(PushBlob(*client_, d.media_type, blob, &d).ok());
      d.annotations.emplace(kSignatureAnnotation, "AAAA");
      layers.push_back(d);
    }
    SignatureImage img = BuildSignatureImage(layers);
    oci::Descriptor config;
    ASSERT_TRUE(PushBlob(*client_, std::string(oci::media::kOciConfig),
                         img.config, &config)
                    .ok());
    Result<bool> put = client_->PutManifest(
        kRepo, SignatureTag(image), img.manifest_descriptor, img.manifest);
    ASSERT_TRUE(put.ok()) << put.status().ToString();
  }

  std::unique_ptr<RegistryServer> server_;
  std::unique_ptr<registry::Client> client_;
};

TEST_F(CosignRegistryTest, SignsTwiceReadsBackAndVerifies) {
  REQUIRE_REGISTRY_CLIENT();
  registry::Client& c = *client_;

  Result<Digest> image = PushSmallImage(c);
  ASSERT_TRUE(image.ok()) << image.status().ToString();

  // No signatures yet.
  Result<std::vector<SignatureLayer>> none = ReadSignatures(c, kRepo, *image);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->empty());

  const std::string identity = server_->host() + "/" + kRepo;
  std::string payload = MakePayload(identity, *image);
  std::vector<crypto::PublicKey> keys;
  std::vector<SignatureLayer> signed_layers;
  for (int i = 0; i < 2; ++i) {
    Result<crypto::PrivateKey> key = crypto::PrivateKey::GenerateEcdsaP256();
    ASSERT_TRUE(key.ok());
    keys.push_back(*key->Public());
    Result<std::string> sig = key->Sign(payload, crypto::Hash::kSha256);
    ASSERT_TRUE(sig.ok());
    SignatureLayer layer;
    layer.payload = payload;
    layer.signature = Base64Encode(*sig);
    signed_layers.push_back(layer);
    Status pushed = PushSignature(c, kRepo, *image, layer);
    ASSERT_TRUE(pushed.ok()) << pushed.ToString();
  }
  // Pushing the same signature again adds nothing.
  ASSERT_TRUE(PushSignature(c, kRepo, *image, signed_layers[1]).ok());

  // One manifest at the .sig tag, two layers, laid out as cosign does.
  Result<registry::FetchedManifest> m =
      c.GetManifest(kRepo, SignatureTag(*image));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  std::vector<oci::Descriptor> descriptors = {
      LayerDescriptor(signed_layers[0]), LayerDescriptor(signed_layers[1])};
  SignatureImage expected = BuildSignatureImage(descriptors);
  EXPECT_EQ(m->bytes, expected.manifest);
  EXPECT_EQ(m->descriptor.media_type, oci::media::kOciManifest);

  Result<std::vector<SignatureLayer>> read = ReadSignatures(c, kRepo, *image);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, signed_layers);

  ImageIdentity by_tag{*oci::ParseRegistryName(identity + ":v1"), *image};
  Verdict v = VerifyImage(by_tag, *read, keys);
  // The payload names the repository without a tag: by tag it is refused,
  // by digest accepted.
  EXPECT_FALSE(v.accepted());
  ImageIdentity by_digest{
      *oci::ParseRegistryName(identity + "@" + image->ToString()), *image};
  v = VerifyImage(by_digest, *read, keys);
  ASSERT_TRUE(v.accepted()) << v.ToStatus().ToString();
  EXPECT_EQ(v.verified.size(), 2u);
  // Each key alone accepts its own layer.
  v = VerifyImage(by_digest, *read, {&keys[1], 1});
  EXPECT_EQ(v.verified.size(), 1u);
  EXPECT_EQ(v.rejections, std::vector<std::string>{
                              "signature 1: signature does not verify with "
                              "the key"});
}

TEST_F(CosignRegistryTest, CapsHostileSignatureManifests) {
  REQUIRE_REGISTRY_CLIENT();
  Result<Digest> image = PushSmallImage(*client_);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  const std::string what =
      std::string("signature manifest ") + kRepo + ":" + SignatureTag(*image);

  // A layer over the payload cap is refused before it is fetched.
  const std::string big_blob(kMaxPayloadBytes + 1, 'x');
  ASSERT_NO_FATAL_FAILURE(PutSignatureManifest(*image, {big_blob}));
  Result<std::vector<SignatureLayer>> big =
      ReadSignatures(*client_, kRepo, *image);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(big.status().ToString(),
            what + ": signature layer " + Sha256Of(big_blob).Short() +
                " is 65537 bytes, over the cap of 65536");

  // More layers than the cap.
  std::vector<std::string> many;
  for (int i = 0; i <= kMaxSignatureLayers; ++i) {
    many.push_back(std::to_string(i));
  }
  ASSERT_NO_FATAL_FAILURE(PutSignatureManifest(*image, many));
  Result<std::vector<SignatureLayer>> too_many =
      ReadSignatures(*client_, kRepo, *image);
  EXPECT_EQ(
      too_many.status(),
      ResourceExhaustedError(what + " has 101 layers, over the cap of 100"));
  // Signing refuses to grow it further.
  SignatureLayer layer;
  layer.payload = MakePayload("x/y", *image);
  layer.signature = "AAAA";
  EXPECT_EQ(PushSignature(*client_, kRepo, *image, layer).code(),
            StatusCode::kResourceExhausted);

  // At the cap it reads.
  many.pop_back();
  ASSERT_NO_FATAL_FAILURE(PutSignatureManifest(*image, many));
  Result<std::vector<SignatureLayer>> full =
      ReadSignatures(*client_, kRepo, *image);
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  ASSERT_EQ(full->size(), 100u);
  EXPECT_EQ((*full)[99].payload, "99");
}

}  // namespace
}  // namespace strata::cosign
