// SignBlob and SignDsse option checks and service failures on a scripted
// transport. The full flow (Fulcio, Rekor, TSA, verification) runs against
// the mock Sigstore services in cli/blob_test.cc.
#include "sigstore/sign.h"

#include <gtest/gtest.h>

#include "base/base64.h"
#include "registry/test_fake_http.h"

namespace strata::sigstore {
namespace {

using registry::testing::FakeHttp;
using registry::testing::Reply;

TEST(SignTest, NeedsExactlyOneOfKeyAndToken) {
  FakeHttp http;
  auto key = crypto::PrivateKey::GenerateEcdsaP256();
  ASSERT_TRUE(key.ok());
  SignOptions o;
  o.http = &http;
  EXPECT_EQ(SignBlob("x", o).status().message(),
            "sign with either a key or an identity token (keyless)");
  o.key = &*key;
  o.identity_token = "a.b.c";
  EXPECT_EQ(SignBlob("x", o).status().message(),
            "sign with either a key or an identity token (keyless)");
  o.http = nullptr;
  o.identity_token.clear();
  EXPECT_EQ(SignBlob("x", o).status().message(), "no HTTP transport");
}

TEST(SignTest, KeyWithoutTlogGivesAVerifiableSignature) {
  FakeHttp http;  // no request expected
  auto key = crypto::PrivateKey::GenerateEcdsaP256();
  ASSERT_TRUE(key.ok());
  SignOptions o;
  o.http = &http;
  o.key = &*key;
  o.tlog_upload = false;
  auto b = SignBlob("artifact", o);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  auto pub = key->Public();
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(*b->public_key_hint, PublicKeyHint(*pub));
  EXPECT_EQ(Base64Decode(*b->public_key_hint)->size(), 32u);
  ASSERT_TRUE(b->message_signature);
  EXPECT_EQ(b->message_signature->digest_algorithm, "SHA2_256");
  EXPECT_TRUE(pub->Verify("artifact", b->message_signature->signature,
                          crypto::Hash::kSha256)
                  .ok());
  EXPECT_TRUE(b->tlog_entries.empty());
  auto reread = ParseBundle(json::Dump(BundleToJson(*b)));
  ASSERT_TRUE(reread.ok()) << reread.status().ToString();
  EXPECT_EQ(reread->media_type, kBundleMediaTypeV03);
}

TEST(SignTest, DsseSignsThePae) {
  FakeHttp http;
  auto key = crypto::PrivateKey::GenerateEcdsaP256();
  ASSERT_TRUE(key.ok());
  SignOptions o;
  o.http = &http;
  o.key = &*key;
  o.tlog_upload = false;
  auto b = SignDsse("text/plain", "hello", o);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_TRUE(b->dsse_envelope);
  ASSERT_EQ(b->dsse_envelope->signatures.size(), 1u);
  EXPECT_TRUE(key->Public()
                  ->Verify(Pae("text/plain", "hello"),
                           b->dsse_envelope->signatures[0].sig,
                           crypto::Hash::kSha256)
                  .ok());
  EXPECT_EQ(SignDsse(kInTotoPayloadType, "{}", o).status().code(),
            StatusCode::kDataLoss);
}

TEST(SignTest, RekorFailureIsReported) {
  FakeHttp http;
  http.Expect("POST", "http://r/api/v1/log/entries", Reply(400, "bad entry"));
  auto key = crypto::PrivateKey::GenerateEcdsaP256();
  ASSERT_TRUE(key.ok());
  SignOptions o;
  o.http = &http;
  o.key = &*key;
  o.rekor_url = "http://r";
  EXPECT_EQ(SignBlob("x", o).status().message(), "rekor: HTTP 400: bad entry");
}

TEST(SignTest, KeylessRefusesACertificateForAnotherKey) {
  FakeHttp http;
  http.Expect("POST", "http://f/api/v2/signingCert",
              Reply(201,
                    "{\"signedCertificateEmbeddedSct\":{\"chain\":"
                    "{\"certificates\":[\"x\"]}}}"));
  SignOptions o;
  o.http = &http;
  o.identity_token =
      Base64UrlEncode("{}") + "." + Base64UrlEncode(R"({"sub":"me"})") + ".";
  o.fulcio_url = "http://f";
  Status s = SignBlob("x", o).status();
  EXPECT_EQ(s.context(), "fulcio response certificate 0");
}

}  // namespace
}  // namespace strata::sigstore
