#include "cosign/storage.h"

#include <gtest/gtest.h>

#include "base/json.h"
#include "cosign/payload.h"
#include "cosign/test_fixtures.h"

namespace strata::cosign {
namespace {

Digest D(char c) { return *Digest::Parse("sha256:" + std::string(64, c)); }

const std::string kHeader("\x00sigstore-json\n", 15);

TEST(AttachmentTagTest, EncodesDigestAsCosignDoes) {
  EXPECT_EQ(SignatureTag(D('a')), "sha256-" + std::string(64, 'a') + ".sig");
  EXPECT_EQ(AttachmentTag(D('b'), Attachment::kAttestation),
            "sha256-" + std::string(64, 'b') + ".att");
  EXPECT_EQ(AttachmentTag(D('c'), Attachment::kSbom),
            "sha256-" + std::string(64, 'c') + ".sbom");
}

TEST(BuildSignatureImageTest, WritesCosignLayout) {
  SignatureLayer layer;
  layer.payload = "{}";
  layer.signature = "MEUC";
  oci::Descriptor d = LayerDescriptor(layer);
  EXPECT_EQ(d.media_type, kSimpleSigningMediaType);
  EXPECT_EQ(d.digest, Sha256Of("{}"));
  EXPECT_EQ(d.size, 2);
  SignatureImage img = BuildSignatureImage({d});
  const std::string layer_digest = Sha256Of("{}").ToString();
  EXPECT_EQ(img.config,
            "{\"architecture\":\"\",\"created\":\"0001-01-01T00:00:00Z\","
            "\"history\":[{\"created\":\"0001-01-01T00:00:00Z\"}],\"os\":\"\","
            "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" +
                layer_digest + "\"]},\"config\":{}}");
  // cosign's one-signature config blobs are 233 bytes.
  EXPECT_EQ(img.config.size(), 233u);
  EXPECT_EQ(img.manifest,
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image."
            "manifest.v1+json\",\"config\":{\"mediaType\":\"application/"
            "vnd.oci.image.config.v1+json\",\"size\":233,\"digest\":\"" +
                img.config_descriptor.digest.ToString() +
                "\"},\"layers\":[{\"mediaType\":\"application/"
                "vnd.dev.cosign.simplesigning.v1+json\",\"size\":2,"
                "\"digest\":\"" +
                layer_digest +
                "\",\"annotations\":{\"dev.cosignproject.cosign/signature\":"
                "\"MEUC\"}}]}");
  EXPECT_EQ(img.manifest_descriptor.digest, Sha256Of(img.manifest));
  EXPECT_EQ(img.manifest_descriptor.size,
            static_cast<int64_t>(img.manifest.size()));
  // Our own manifest parser reads it back.
  Result<oci::Manifest> m = oci::ParseManifest(img.manifest, "sig");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->layers[0].annotations, d.annotations);
}

TEST(AppendLayerTest, SkipsDuplicateLayers) {
  SignatureLayer a;
  a.payload = "p";
  a.signature = "s1";
  SignatureLayer b = a;
  b.signature = "s2";
  std::vector<oci::Descriptor> layers;
  EXPECT_TRUE(AppendLayer(layers, LayerDescriptor(a)));
  EXPECT_FALSE(AppendLayer(layers, LayerDescriptor(a)));
  EXPECT_TRUE(AppendLayer(layers, LayerDescriptor(b)));
  b.bundle = "{}";
  EXPECT_TRUE(AppendLayer(layers, LayerDescriptor(b)));
  EXPECT_EQ(layers.size(), 3u);
  SignatureImage img = BuildSignatureImage(layers);
  EXPECT_NE(
      img.config.find("\"history\":[{\"created\":\"0001-01-01T00:00:00Z\"}"
                      ",{\"created\":\"0001-01-01T00:00:00Z\"},"
                      "{\"created\":\"0001-01-01T00:00:00Z\"}]"),
      std::string::npos);
}

TEST(LayerDescriptorTest, CarriesKeylessAnnotations) {
  SignatureLayer layer;
  layer.payload = "x";
  layer.signature = "c2ln";
  layer.certificate = "-----BEGIN CERTIFICATE-----\n";
  layer.chain = "chain";
  layer.bundle = "{\"SignedEntryTimestamp\":\"\"}";
  oci::Descriptor d = LayerDescriptor(layer);
  EXPECT_EQ(d.annotations.size(), 4u);
  EXPECT_EQ(d.annotations.at(std::string(kBundleAnnotation)), *layer.bundle);
  EXPECT_EQ(LayerFromDescriptor(d, "x"), layer);
}

TEST(ParseSigstoreJsonTest, ReadsFixtures) {
  REQUIRE_FIXTURES();
  Result<std::vector<SignatureLayer>> mixed =
      ReadDirSignatures(FixtureDir() / "dir-img-cosign-mixed");
  ASSERT_TRUE(mixed.ok()) << mixed.status().ToString();
  ASSERT_EQ(mixed->size(), 2u);
  EXPECT_EQ((*mixed)[0].media_type, kSimpleSigningMediaType);
  EXPECT_TRUE((*mixed)[0].signature.starts_with("MEQCIH9T"));
  EXPECT_FALSE((*mixed)[0].bundle);

  Result<std::vector<SignatureLayer>> keyless =
      ReadDirSignatures(FixtureDir() / "dir-img-cosign-fulcio-rekor-valid");
  ASSERT_TRUE(keyless.ok()) << keyless.status().ToString();
  ASSERT_EQ(keyless->size(), 1u);
  const SignatureLayer& k = (*keyless)[0];
  ASSERT_TRUE(k.certificate && k.chain && k.bundle);
  EXPECT_TRUE(k.certificate->starts_with("-----BEGIN CERTIFICATE-----"));
  EXPECT_TRUE(k.bundle->starts_with("{\"SignedEntryTimestamp\""));
  EXPECT_TRUE(ParsePayload(k.payload).ok());

  Result<std::vector<SignatureLayer>> none =
      ReadDirSignatures(FixtureDir() / "no-such-dir");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(ParseSigstoreJsonTest, RejectsCorruptFiles) {
  auto error = [](std::string_view bytes) {
    Result<SignatureLayer> l = ParseSigstoreJson(bytes);
    EXPECT_FALSE(l.ok()) << bytes;
    return l.ok() ? std::string()
                  : std::string(StatusCodeName(l.status().code())) + ": " +
                        l.status().ToString();
  };
  EXPECT_EQ(error("{\"mimeType\":\"a\",\"payload\":\"\"}"),
            "DATA_LOSS: sigstore-json signature: missing the "
            "\"\\x00sigstore-json\\n\" header");
  EXPECT_EQ(error(kHeader + "{\"mimeType\":\"a\",\"payload\":\"!!\"}"),
            "DATA_LOSS: sigstore-json signature: payload is not valid base64");
  EXPECT_EQ(error(kHeader + "{\"mimeType\":\"a\"}"),
            "DATA_LOSS: sigstore-json signature: missing payload");
  EXPECT_EQ(error(kHeader + "{\"payload\":\"\"}"),
            "DATA_LOSS: sigstore-json signature: missing mimeType");
  EXPECT_EQ(error(kHeader + "{\"mimeType\":1,\"payload\":\"\"}"),
            "DATA_LOSS: sigstore-json signature: field \"mimeType\" must be a "
            "string");
  EXPECT_EQ(error(kHeader + "{\"mimeType\":\"a\",\"payload\":\"\","
                            "\"annotations\":{\"k\":1}}"),
            "DATA_LOSS: sigstore-json signature: field \"annotations\" must "
            "be an object of strings");
  EXPECT_EQ(error(kHeader + "[]"),
            "DATA_LOSS: sigstore-json signature: must be a JSON object");
  std::string huge_payload = kHeader + "{\"mimeType\":\"a\",\"payload\":\"" +
                             std::string(kMaxPayloadBytes / 3 * 4 + 8, 'A') +
                             "\"}";
  EXPECT_EQ(error(huge_payload),
            "RESOURCE_EXHAUSTED: sigstore-json signature: payload over the "
            "cap of 65536 bytes");
  EXPECT_EQ(error(std::string(kMaxSigstoreJsonBytes + 1, ' ')),
            "RESOURCE_EXHAUSTED: sigstore-json signature is 1048577 bytes, "
            "over the cap of 1048576");
  Result<SignatureLayer> ok = ParseSigstoreJson(
      kHeader + "{\"mimeType\":\"text/plain\",\"payload\":\"aGk=\"}");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->payload, "hi");
  EXPECT_EQ(ok->media_type, "text/plain");
  EXPECT_EQ(ok->signature, "");
}

}  // namespace
}  // namespace strata::cosign
