#include "crypto/keys.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace strata::crypto {
namespace {

PrivateKey FromEvp(EVP_PKEY* raw) {
  EvpPkeyPtr key(raw);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr,
                           nullptr);
  char* p = nullptr;
  long n = BIO_get_mem_data(bio, &p);
  Result<PrivateKey> k = PrivateKey::FromPem(std::string(p, n));
  BIO_free(bio);
  EXPECT_TRUE(k.ok()) << k.status().ToString();
  return std::move(*k);
}

TEST(KeysTest, SignsAndVerifiesWithEveryKeyType) {
  struct Case {
    PrivateKey key;
    std::string name;
    Hash hash;
  };
  std::vector<Case> cases;
  cases.push_back(
      {*PrivateKey::GenerateEcdsaP256(), "ecdsa-p256", Hash::kSha256});
  cases.push_back({FromEvp(EVP_EC_gen("P-384")), "ecdsa-p384", Hash::kSha384});
  cases.push_back({FromEvp(EVP_RSA_gen(2048)), "rsa-2048", Hash::kSha256});
  cases.push_back({FromEvp(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")),
                   "ed25519", Hash::kSha512});
  for (const Case& c : cases) {
    Result<PublicKey> pub = c.key.Public();
    ASSERT_TRUE(pub.ok());
    EXPECT_EQ(pub->TypeName(), c.name);
    Result<std::string> sig = c.key.Sign("payload", c.hash);
    ASSERT_TRUE(sig.ok()) << sig.status().ToString();
    EXPECT_TRUE(pub->Verify("payload", *sig, c.hash).ok()) << c.name;
    EXPECT_EQ(pub->Verify("payloaD", *sig, c.hash).ToString(),
              "signature does not verify with the " + c.name + " key");
    std::string bad = *sig;
    bad[bad.size() / 2] ^= 1;
    EXPECT_FALSE(pub->Verify("payload", bad, c.hash).ok()) << c.name;
    if (c.name != "ed25519") {
      EXPECT_TRUE(
          pub->VerifyDigest(HashBytes(c.hash, "payload"), *sig, c.hash).ok());
      EXPECT_FALSE(
          pub->VerifyDigest(HashBytes(c.hash, "other"), *sig, c.hash).ok());
    }
    // PEM and DER round trips give the same key.
    Result<PublicKey> again = PublicKey::FromPem(pub->ToPem());
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(*again == *pub);
    EXPECT_TRUE(
        PublicKey::FromDer(pub->ToDer())->Verify("payload", *sig, c.hash).ok());
    Result<PrivateKey> back = PrivateKey::FromPkcs8Der(c.key.ToPkcs8Der());
    ASSERT_TRUE(back.ok());
    EXPECT_TRUE(*back->Public() == *pub);
  }
}

TEST(KeysTest, RefusesWeakUnknownAndMalformedKeys) {
  EvpPkeyPtr k1(EVP_EC_gen("secp256k1"));
  EXPECT_EQ(PublicKey::FromEvp(k1.get()).status().ToString(),
            "unsupported EC curve secp256k1 (want P-256, P-384 or P-521)");
  EvpPkeyPtr small(EVP_RSA_gen(1024));
  EXPECT_EQ(PublicKey::FromEvp(small.get()).status().ToString(),
            "RSA key of 1024 bits (want 2048 to 8192)");
  const std::string pem = PrivateKey::GenerateEcdsaP256()->Public()->ToPem();
  EXPECT_TRUE(PublicKey::FromPem(pem).ok());
  EXPECT_TRUE(PublicKey::FromPem("\n" + pem + "\n\n").ok());
  EXPECT_EQ(PublicKey::FromPem(pem + "x").status().ToString(),
            "data after the PEM block");
  EXPECT_EQ(PublicKey::FromPem("garbage").status().ToString(),
            "not a PEM block");
  EXPECT_EQ(PublicKey::FromPem(std::string(kMaxKeyBytes + 1, 'a'))
                .status()
                .ToString(),
            "PEM is over 65536 bytes");
  std::string priv = PrivateKey::GenerateEcdsaP256()->ToPkcs8Pem();
  EXPECT_EQ(PublicKey::FromPem(priv).status().ToString(),
            "PEM block is \"PRIVATE KEY\", want \"PUBLIC KEY\"");
  std::string der = PrivateKey::GenerateEcdsaP256()->Public()->ToDer();
  EXPECT_EQ(PublicKey::FromDer(der + "x").status().ToString(),
            "data after the public key");
  for (size_t n = 0; n < der.size(); ++n) {
    EXPECT_FALSE(PublicKey::FromDer(der.substr(0, n)).ok()) << n;
  }
  EXPECT_EQ(
      PrivateKey::FromPkcs8Der("\x30\x03\x02\x01\x00").status().ToString(),
      "not a DER PKCS#8 private key");
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Real keys from containers/image's signature fixtures (cosign-generated).
TEST(KeysTest, ReadsRealCosignPublicKeys) {
  const std::filesystem::path dir =
      std::filesystem::path(STRATA_SOURCE_DIR) /
      "../shared/conformance/sigstore/containers-image/signature/fixtures";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "no " << dir.string();
  Result<PublicKey> k = PublicKey::FromPem(ReadFile(dir / "cosign.pub"));
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(k->TypeName(), "ecdsa-p256");
  Result<PublicKey> rsa =
      PublicKey::FromPem(ReadFile(dir / "some-rsa-key.pub"));
  ASSERT_TRUE(rsa.ok()) << rsa.status().ToString();
  EXPECT_EQ(rsa->type(), KeyType::kRsa);
}

}  // namespace
}  // namespace strata::crypto
