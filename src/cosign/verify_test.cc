#include "cosign/verify.h"

#include <gtest/gtest.h>

#include "base/base64.h"
#include "cosign/test_fixtures.h"

namespace strata::cosign {
namespace {

constexpr std::string_view kRepo =
    "192.168.64.2:5000/cosign-signed-single-sample";

oci::ImageRef Ref(std::string_view name) {
  Result<oci::ImageRef> r = oci::ParseRegistryName(name);
  EXPECT_TRUE(r.ok()) << name << ": " << r.status().ToString();
  return *r;
}

crypto::PublicKey FixtureKey(std::string_view name) {
  Result<crypto::PublicKey> k =
      crypto::PublicKey::FromPem(ReadFixture(FixtureDir() / name));
  EXPECT_TRUE(k.ok()) << name << ": " << k.status().ToString();
  return *std::move(k);
}

std::vector<SignatureLayer> FixtureSignatures(std::string_view dir) {
  Result<std::vector<SignatureLayer>> s = ReadDirSignatures(FixtureDir() / dir);
  EXPECT_TRUE(s.ok()) << dir << ": " << s.status().ToString();
  return s.ok() ? *std::move(s) : std::vector<SignatureLayer>();
}

Digest ManifestDigest(std::string_view dir) {
  return Sha256Of(ReadFixture(FixtureDir() / dir / "manifest.json"));
}

// The image of fixture `dir` named `repo@<its manifest digest>`.
ImageIdentity ByDigest(std::string_view dir, std::string_view repo = kRepo) {
  Digest d = ManifestDigest(dir);
  return {Ref(std::string(repo) + "@" + d.ToString()), d};
}

Verdict VerifyFixture(const ImageIdentity& image, std::string_view dir,
                      std::initializer_list<std::string_view> key_files) {
  std::vector<crypto::PublicKey> keys;
  for (std::string_view name : key_files) keys.push_back(FixtureKey(name));
  std::vector<SignatureLayer> sigs = FixtureSignatures(dir);
  return VerifyImage(image, sigs, keys);
}

TEST(VerifyFixtureTest, AcceptsValidSignature) {
  REQUIRE_FIXTURES();
  Verdict v = VerifyFixture(ByDigest("dir-img-cosign-valid"),
                            "dir-img-cosign-valid", {"cosign.pub"});
  ASSERT_TRUE(v.accepted()) << v.ToStatus().ToString();
  ASSERT_EQ(v.verified.size(), 1u);
  EXPECT_EQ(v.verified[0].docker_reference, kRepo);
  EXPECT_EQ(v.verified[0].manifest_digest,
            ManifestDigest("dir-img-cosign-valid"));
  EXPECT_TRUE(v.rejections.empty());
  EXPECT_TRUE(v.ToStatus().ok());
}

TEST(VerifyFixtureTest, AcceptsTwoValidSignatures) {
  REQUIRE_FIXTURES();
  Verdict v = VerifyFixture(ByDigest("dir-img-cosign-valid-2"),
                            "dir-img-cosign-valid-2", {"cosign.pub"});
  EXPECT_EQ(v.verified.size(), 2u) << v.ToStatus().ToString();
}

TEST(VerifyFixtureTest, AcceptsMixedWhenOneVerifies) {
  REQUIRE_FIXTURES();
  Verdict v = VerifyFixture(ByDigest("dir-img-cosign-mixed"),
                            "dir-img-cosign-mixed", {"cosign.pub"});
  EXPECT_TRUE(v.accepted());
  EXPECT_EQ(v.verified.size(), 1u);
  EXPECT_EQ(v.rejections, std::vector<std::string>{
                              "signature 1: signature does not verify with "
                              "the key"});
}

TEST(VerifyFixtureTest, TagReferenceMustMatchExactly) {
  REQUIRE_FIXTURES();
  Digest d = ManifestDigest("dir-img-cosign-valid-with-tag");
  Verdict tag = VerifyFixture({Ref("192.168.64.2:5000/skopeo-signed:tag"), d},
                              "dir-img-cosign-valid-with-tag", {"cosign.pub"});
  ASSERT_TRUE(tag.accepted()) << tag.ToStatus().ToString();
  EXPECT_EQ(tag.verified[0].creator, "containers/image 5.21.2-dev");
  EXPECT_EQ(tag.verified[0].timestamp, 1657296609);

  Verdict other =
      VerifyFixture({Ref("192.168.64.2:5000/skopeo-signed:othertag"), d},
                    "dir-img-cosign-valid-with-tag", {"cosign.pub"});
  EXPECT_FALSE(other.accepted());
  EXPECT_EQ(
      other.ToStatus(),
      PermissionDeniedError("no valid signature: signature 1: signed identity "
                            "\"192.168.64.2:5000/skopeo-signed:tag\" is not "
                            "192.168.64.2:5000/skopeo-signed:othertag"));
  // By digest, the repository is enough.
  Verdict digest =
      VerifyFixture({Ref("192.168.64.2:5000/skopeo-signed@" + d.ToString()), d},
                    "dir-img-cosign-valid-with-tag", {"cosign.pub"});
  EXPECT_TRUE(digest.accepted()) << digest.ToStatus().ToString();
}

TEST(VerifyFixtureTest, RejectsModifiedManifest) {
  REQUIRE_FIXTURES();
  ImageIdentity image = ByDigest("dir-img-cosign-modified-manifest");
  Verdict v =
      VerifyFixture(image, "dir-img-cosign-modified-manifest", {"cosign.pub"});
  EXPECT_FALSE(v.accepted());
  EXPECT_EQ(v.rejections,
            std::vector<std::string>{
                "signature 1: signed manifest digest "
                "sha256:"
                "634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a"
                "00 is not the image's " +
                image.manifest_digest.ToString()});
}

TEST(VerifyFixtureTest, RejectsManifestDigestError) {
  REQUIRE_FIXTURES();
  Verdict v =
      VerifyFixture(ByDigest("dir-img-cosign-manifest-digest-error"),
                    "dir-img-cosign-manifest-digest-error", {"cosign.pub"});
  EXPECT_FALSE(v.accepted());
  ASSERT_EQ(v.rejections.size(), 1u);
  EXPECT_TRUE(v.rejections[0].starts_with(
      "signature 1: signed manifest digest sha256:634a8f35"))
      << v.rejections[0];
}

TEST(VerifyFixtureTest, RejectsImageWithoutManifest) {
  REQUIRE_FIXTURES();
  // The image has no manifest: there is no digest its signatures can name.
  ASSERT_FALSE(std::filesystem::exists(
      FixtureDir() / "dir-img-cosign-no-manifest" / "manifest.json"));
  Digest none = Sha256Of("");
  Verdict v = VerifyFixture({Ref(std::string(kRepo) + ":latest"), none},
                            "dir-img-cosign-no-manifest", {"cosign.pub"});
  EXPECT_FALSE(v.accepted());
  ASSERT_EQ(v.rejections.size(), 1u);
  EXPECT_TRUE(
      v.rejections[0].starts_with("signature 1: signed manifest digest"))
      << v.rejections[0];
}

TEST(VerifyFixtureTest, RejectsOtherAttachment) {
  REQUIRE_FIXTURES();
  Verdict v = VerifyFixture(ByDigest("dir-img-cosign-other-attachment"),
                            "dir-img-cosign-other-attachment", {"cosign.pub"});
  EXPECT_EQ(v.ToStatus(),
            PermissionDeniedError(
                "no valid signature: signature 1: media type \"text/plain\" is "
                "not a cosign simple signing payload"));
}

TEST(VerifyFixtureTest, RejectsUnknownKeySignature) {
  REQUIRE_FIXTURES();
  Result<SignatureLayer> sig = ParseSigstoreJson(
      ReadFixture(FixtureDir() / "unknown-cosign-key.signature"));
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  std::vector<crypto::PublicKey> keys;
  keys.push_back(FixtureKey("cosign.pub"));
  Verdict v = VerifyImage(ByDigest("dir-img-cosign-valid"), {&*sig, 1}, keys);
  EXPECT_EQ(v.rejections,
            std::vector<std::string>{
                "signature 1: signature does not verify with the key"});
}

TEST(VerifyFixtureTest, KeyRekorSignatureVerifiesWithItsKeyOnly) {
  REQUIRE_FIXTURES();
  ImageIdentity image = ByDigest("dir-img-cosign-key-rekor-valid",
                                 "192.168.64.2:5000/cosign-signed/key-1");
  Verdict good =
      VerifyFixture(image, "dir-img-cosign-key-rekor-valid", {"cosign2.pub"});
  EXPECT_TRUE(good.accepted()) << good.ToStatus().ToString();
  Verdict wrong =
      VerifyFixture(image, "dir-img-cosign-key-rekor-valid", {"cosign.pub"});
  EXPECT_FALSE(wrong.accepted());
  // Several keys: any one suffices, for each image.
  Verdict both = VerifyFixture(image, "dir-img-cosign-key-rekor-valid",
                               {"cosign.pub", "cosign2.pub"});
  EXPECT_TRUE(both.accepted());
  Verdict both_valid =
      VerifyFixture(ByDigest("dir-img-cosign-valid"), "dir-img-cosign-valid",
                    {"cosign2.pub", "cosign.pub"});
  EXPECT_TRUE(both_valid.accepted());
  Verdict rsa = VerifyFixture(image, "dir-img-cosign-key-rekor-valid",
                              {"some-rsa-key.pub"});
  EXPECT_EQ(rsa.rejections,
            std::vector<std::string>{
                "signature 1: signature does not verify with the key"});
}

// Signatures made in the test with a fresh key.
class SignedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<crypto::PrivateKey> k = crypto::PrivateKey::GenerateEcdsaP256();
    ASSERT_TRUE(k.ok());
    key_.emplace(*std::move(k));
    keys_.push_back(*key_->Public());
  }
  SignatureLayer Sign(std::string payload) {
    SignatureLayer l;
    l.payload = std::move(payload);
    Result<std::string> sig = key_->Sign(l.payload, crypto::Hash::kSha256);
    EXPECT_TRUE(sig.ok());
    l.signature = Base64Encode(*sig);
    return l;
  }
  Verdict Verify(const ImageIdentity& image, const SignatureLayer& layer) {
    return VerifyImage(image, {&layer, 1}, keys_);
  }
  std::string Reason(const ImageIdentity& image, const SignatureLayer& layer) {
    Verdict v = Verify(image, layer);
    EXPECT_FALSE(v.accepted());
    return v.rejections.size() == 1 ? v.rejections[0] : "";
  }

  Digest a_ = Sha256Of("manifest a");
  Digest b_ = Sha256Of("manifest b");
  ImageIdentity image_a_{Ref("r.example/app@" + a_.ToString()), a_};
  std::optional<crypto::PrivateKey> key_;
  std::vector<crypto::PublicKey> keys_;
};

TEST_F(SignedTest, AcceptsOwnSignature) {
  EXPECT_TRUE(
      Verify(image_a_, Sign(MakePayload("r.example/app", a_))).accepted());
  // A signature wrapped at 76 columns, as some signers write it.
  SignatureLayer wrapped = Sign(MakePayload("r.example/app:v1", a_));
  wrapped.signature.insert(20, "\n");
  EXPECT_TRUE(Verify(image_a_, wrapped).accepted());
}

TEST_F(SignedTest, RejectsPayloadOfAnotherImage) {
  EXPECT_EQ(Reason(image_a_, Sign(MakePayload("r.example/app", b_))),
            "signature 1: signed manifest digest " + b_.ToString() +
                " is not the image's " + a_.ToString());
}

TEST_F(SignedTest, RejectsSignatureCopiedFromAnotherImage) {
  // The .sig of r.example/other (same manifest bytes) put beside r.example/app.
  EXPECT_EQ(Reason(image_a_, Sign(MakePayload("r.example/other", a_))),
            "signature 1: signed identity \"r.example/other\" is not "
            "repository r.example/app");
  // Or beside an image with different content.
  ImageIdentity image_b{Ref("r.example/app@" + b_.ToString()), b_};
  EXPECT_TRUE(Reason(image_b, Sign(MakePayload("r.example/app", a_)))
                  .starts_with("signature 1: signed manifest digest"));
}

TEST_F(SignedTest, RejectsSignedButMalformedPayloads) {
  std::string good = MakePayload("r.example/app", a_);
  std::string dup = good;
  dup.insert(dup.find("\"image\""), "\"type\":\"x\",");
  EXPECT_EQ(Reason(image_a_, Sign(dup)),
            "signature 1: signature payload: duplicate key \"type\"");
  std::string unknown = good;
  unknown.insert(unknown.find("\"image\""), "\"extra\":1,");
  EXPECT_EQ(Reason(image_a_, Sign(unknown)),
            "signature 1: signature payload: unknown field \"critical.extra\"");
  std::string wrong_case = good;
  wrong_case.replace(wrong_case.find("\"identity\""), 2, "\"I");
  EXPECT_EQ(Reason(image_a_, Sign(wrong_case)),
            "signature 1: signature payload: unknown field "
            "\"critical.Identity\"");
  std::string wrong_type = good;
  wrong_type.replace(wrong_type.find("\"r.example/app\""), 15, "[]");
  EXPECT_EQ(Reason(image_a_, Sign(wrong_type)),
            "signature 1: signature payload: field "
            "\"critical.identity.docker-reference\" must be a string");
}

TEST_F(SignedTest, RejectsTamperedPayloadAndBadSignatures) {
  SignatureLayer l = Sign(MakePayload("r.example/app", a_));
  SignatureLayer tampered = l;
  tampered.payload.back() = ' ';
  EXPECT_EQ(Reason(image_a_, tampered),
            "signature 1: signature does not verify with the key");
  SignatureLayer bad64 = l;
  bad64.signature = "***";
  EXPECT_EQ(Reason(image_a_, bad64),
            "signature 1: signature is not valid base64");
  SignatureLayer none = l;
  none.signature.clear();
  EXPECT_EQ(Reason(image_a_, none),
            "signature 1: no dev.cosignproject.cosign/signature annotation");
}

TEST_F(SignedTest, ReportsWhyNothingWasAccepted) {
  EXPECT_EQ(VerifyImage(image_a_, {}, keys_).ToStatus(),
            PermissionDeniedError("no valid signature: no signatures"));
  SignatureLayer l = Sign(MakePayload("r.example/app", a_));
  EXPECT_EQ(VerifyImage(image_a_, {&l, 1}, {}).ToStatus(),
            PermissionDeniedError("no valid signature: no public keys given"));
  ImageIdentity mismatched{Ref("r.example/app@" + b_.ToString()), a_};
  EXPECT_FALSE(VerifyImage(mismatched, {&l, 1}, keys_).accepted());
  std::vector<SignatureLayer> two = {Sign(MakePayload("r.example/x", a_)),
                                     Sign(MakePayload("r.example/app", b_))};
  EXPECT_EQ(VerifyImage(image_a_, two, keys_).ToStatus(),
            PermissionDeniedError(
                "no valid signature: signature 1: signed identity "
                "\"r.example/x\" is not repository r.example/app; "
                "signature 2: signed manifest digest " +
                b_.ToString() + " is not the image's " + a_.ToString()));
}

TEST(MatchIdentityTest, FollowsMatchRepoDigestOrExact) {
  oci::ImageRef latest = Ref("busybox");  // docker.io/library/busybox:latest
  EXPECT_TRUE(MatchIdentity(latest, "docker.io/library/busybox:latest").ok());
  EXPECT_TRUE(MatchIdentity(latest, "busybox:latest").ok());
  EXPECT_EQ(MatchIdentity(latest, "busybox"),
            PermissionDeniedError("signed identity \"busybox\" is not "
                                  "docker.io/library/busybox:latest"));
  EXPECT_FALSE(MatchIdentity(latest, "busybox:1.36").ok());
  EXPECT_FALSE(
      MatchIdentity(latest, "busybox:latest@sha256:" + std::string(64, 'a'))
          .ok());
  oci::ImageRef by_digest = Ref("busybox@sha256:" + std::string(64, 'b'));
  EXPECT_TRUE(MatchIdentity(by_digest, "busybox").ok());
  EXPECT_TRUE(MatchIdentity(by_digest, "docker.io/library/busybox:1.36").ok());
  EXPECT_EQ(MatchIdentity(by_digest, "quay.io/busybox"),
            PermissionDeniedError("signed identity \"quay.io/busybox\" is not "
                                  "repository docker.io/library/busybox"));
  EXPECT_EQ(MatchIdentity(by_digest, "Not A Ref").code(),
            StatusCode::kPermissionDenied);
  oci::ImageRef port = Ref("localhost:5000/test:v1");
  EXPECT_TRUE(MatchIdentity(port, "localhost:5000/test:v1").ok());
  EXPECT_FALSE(MatchIdentity(port, "localhost:5000/test").ok());
}

}  // namespace
}  // namespace strata::cosign
