// cosign signatures against the real CNCF distribution registry, started by
// the registry test harness on a free 127.0.0.1 port (skips with a message
// when docker-registry is absent).
#include <gtest/gtest.h>

#include "base/base64.h"
#include "cosign/payload.h"
#include "cosign/storage.h"
#include "cosign/verify.h"
#include "registry/client.h"
#include "registry/testing/plain_registry.h"

namespace strata::cosign {
namespace {

using registry::testing::PlainRegistryTest;
using registry::testing::PushBlobBytes;
using registry::testing::PushTinyImage;

constexpr char kRepo[] = "cosign/app";

class CosignRegistryTest : public PlainRegistryTest {
 protected:
  // Pushes each of `blobs` and tags a signature manifest over them (each
  // with a dummy signature annotation) as the .sig of `image`.
  // `padding`, when set, is one more annotation on the first layer (to
  // grow the manifest); the manifest's size goes to `manifest_bytes`.
  void PutSignatureManifest(const Digest& image,
                            const std::vector<std::string>& blobs,
                            const std::string& padding = "",
                            size_t* manifest_bytes = nullptr) {
    std::vector<oci::Descriptor> layers;
    for (const std::string& blob : blobs) {
      oci::Descriptor d;
      d.media_type = std::string(kSimpleSigningMediaType);
      d.digest = Sha256Of(blob);
      d.size = static_cast<int64_t>(blob.size());
      Result<bool> exists = client_->BlobExists(kRepo, d);
      ASSERT_TRUE(exists.ok()) << exists.status().ToString();
      if (!*exists) {
        ASSERT_TRUE(PushBlobBytes(*client_, kRepo, d.media_type, blob).ok());
      }
      d.annotations.emplace(kSignatureAnnotation, "AAAA");
      if (!padding.empty() && layers.empty()) {
        d.annotations.emplace("org.example.padding", padding);
      }
      layers.push_back(d);
    }
    SignatureImage img = BuildSignatureImage(layers);
    if (manifest_bytes) *manifest_bytes = img.manifest.size();
    ASSERT_TRUE(
        PushBlobBytes(*client_, kRepo, oci::media::kOciConfig, img.config)
            .ok());
    Result<bool> put = client_->PutManifest(
        kRepo, SignatureTag(image), img.manifest_descriptor, img.manifest);
    ASSERT_TRUE(put.ok()) << put.status().ToString();
  }
};

TEST_F(CosignRegistryTest, SignsTwiceReadsBackAndVerifies) {
  registry::Client& c = *client_;

  Result<oci::Descriptor> tiny = PushTinyImage(c, kRepo, "v1", "layer");
  ASSERT_TRUE(tiny.ok()) << tiny.status().ToString();
  const Digest image = tiny->digest;

  // No signatures yet.
  Result<std::vector<SignatureLayer>> none = ReadSignatures(c, kRepo, image);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->empty());

  const std::string identity = server_->host() + "/" + kRepo;
  std::string payload = MakePayload(identity, image);
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
    Status pushed = PushSignature(c, kRepo, image, layer);
    ASSERT_TRUE(pushed.ok()) << pushed.ToString();
  }
  // Pushing the same signature again adds nothing.
  ASSERT_TRUE(PushSignature(c, kRepo, image, signed_layers[1]).ok());

  // One manifest at the .sig tag, two layers, laid out as cosign does.
  Result<registry::FetchedManifest> m =
      c.GetManifest(kRepo, SignatureTag(image));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  std::vector<oci::Descriptor> descriptors = {
      LayerDescriptor(signed_layers[0]), LayerDescriptor(signed_layers[1])};
  SignatureImage expected = BuildSignatureImage(descriptors);
  EXPECT_EQ(m->bytes, expected.manifest);
  EXPECT_EQ(m->descriptor.media_type, oci::media::kOciManifest);

  Result<std::vector<SignatureLayer>> read = ReadSignatures(c, kRepo, image);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, signed_layers);

  ImageIdentity by_tag{*oci::ParseRegistryName(identity + ":v1"), image};
  Verdict v = VerifyImage(by_tag, *read, keys);
  // The payload names the repository without a tag: by tag it is refused,
  // by digest accepted.
  EXPECT_FALSE(v.accepted());
  ImageIdentity by_digest{
      *oci::ParseRegistryName(identity + "@" + image.ToString()), image};
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
  Result<oci::Descriptor> pushed =
      PushTinyImage(*client_, kRepo, "v1", "layer");
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  const Digest image = pushed->digest;
  const std::string what =
      std::string("signature manifest ") + kRepo + ":" + SignatureTag(image);

  // A layer over the payload cap is refused before it is fetched.
  const std::string big_blob(kMaxPayloadBytes + 1, 'x');
  ASSERT_NO_FATAL_FAILURE(PutSignatureManifest(image, {big_blob}));
  Result<std::vector<SignatureLayer>> big =
      ReadSignatures(*client_, kRepo, image);
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
  ASSERT_NO_FATAL_FAILURE(PutSignatureManifest(image, many));
  Result<std::vector<SignatureLayer>> too_many =
      ReadSignatures(*client_, kRepo, image);
  EXPECT_EQ(
      too_many.status(),
      ResourceExhaustedError(what + " has 101 layers, over the cap of 100"));
  // Signing refuses to grow it further.
  SignatureLayer layer;
  layer.payload = MakePayload("x/y", image);
  layer.signature = "AAAA";
  EXPECT_EQ(PushSignature(*client_, kRepo, image, layer).code(),
            StatusCode::kResourceExhausted);

  // A manifest over its cap (a layer with a huge annotation) is refused
  // before it is parsed.
  size_t manifest_bytes = 0;
  ASSERT_NO_FATAL_FAILURE(PutSignatureManifest(
      image, {"small"},
      std::string(static_cast<size_t>(kMaxSignatureManifestBytes), 'p'),
      &manifest_bytes));
  ASSERT_GT(manifest_bytes, static_cast<size_t>(kMaxSignatureManifestBytes));
  Result<std::vector<SignatureLayer>> huge =
      ReadSignatures(*client_, kRepo, image);
  EXPECT_EQ(huge.status(), ResourceExhaustedError(
                               what + " is " + std::to_string(manifest_bytes) +
                               " bytes, over the cap of 1048576"));
  // Signing does not read-modify-write it either.
  EXPECT_EQ(PushSignature(*client_, kRepo, image, layer),
            ResourceExhaustedError(what + " is over the cap of 1048576 bytes"));
  // Just under the cap it reads.
  ASSERT_NO_FATAL_FAILURE(PutSignatureManifest(
      image, {"small"},
      std::string(static_cast<size_t>(kMaxSignatureManifestBytes) -
                      (manifest_bytes - kMaxSignatureManifestBytes),
                  'p'),
      &manifest_bytes));
  ASSERT_EQ(manifest_bytes, static_cast<size_t>(kMaxSignatureManifestBytes));
  Result<std::vector<SignatureLayer>> at_cap =
      ReadSignatures(*client_, kRepo, image);
  ASSERT_TRUE(at_cap.ok()) << at_cap.status().ToString();
  ASSERT_EQ(at_cap->size(), 1u);
  EXPECT_EQ((*at_cap)[0].payload, "small");

  // At the cap it reads.
  many.pop_back();
  ASSERT_NO_FATAL_FAILURE(PutSignatureManifest(image, many));
  Result<std::vector<SignatureLayer>> full =
      ReadSignatures(*client_, kRepo, image);
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  ASSERT_EQ(full->size(), 100u);
  EXPECT_EQ((*full)[99].payload, "99");
}

}  // namespace
}  // namespace strata::cosign
