#include "pki/certificate.h"

#include <gtest/gtest.h>

#include "pki/test_util.h"

namespace strata::pki {
namespace {

using testing::B64;
using testing::CaExts;
using testing::kDay;
using testing::kT0;
using testing::LeafExts;
using testing::LoadBundle;
using testing::MakeCert;

constexpr char kBeaconIdentity[] =
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-"
    "beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/"
    "main";

TEST(CertificateTest, ReadsFulcioLeafFromConformanceBundle) {
  SKIP_WITHOUT_CONFORMANCE_DATA();
  auto bundle = LoadBundle("happy-path-v0.3");
  ASSERT_EQ(bundle.certs_der.size(), 1u);
  auto cert = Certificate::FromDer(bundle.certs_der[0]);
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  auto sans = cert->SubjectAltNames();
  ASSERT_TRUE(sans.ok()) << sans.status().ToString();
  ASSERT_EQ(sans->size(), 1u);
  EXPECT_EQ((*sans)[0], (SubjectAltName{SanType::kUri, kBeaconIdentity}));
  auto issuer = cert->FulcioIssuer();
  ASSERT_TRUE(issuer.ok()) << issuer.status().ToString();
  EXPECT_EQ(*issuer, "https://token.actions.githubusercontent.com");
  EXPECT_EQ(FormatTime(cert->not_before()), "2024-03-19T17:26:26Z");
  EXPECT_EQ(FormatTime(cert->not_after()), "2024-03-19T17:36:26Z");
  EXPECT_TRUE(cert->HasCodeSigningEku());
  EXPECT_FALSE(cert->IsCa());
  EXPECT_FALSE(cert->IsSelfIssued());
  auto key = cert->PublicKey();
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->TypeName(), "ecdsa-p256");
  EXPECT_EQ(cert->ToDer(), bundle.certs_der[0]);
}

TEST(CertificateTest, ReadsUsernameOtherName) {
  SKIP_WITHOUT_CONFORMANCE_DATA();
  const std::string text =
      testing::ReadFile(testing::ConformanceDir() /
                        "sigstore-go/pkg/testing/data/bundles/"
                        "othername.sigstore.json");
  auto doc = json::Parse(text, "othername", 1 << 20);
  ASSERT_TRUE(doc.ok());
  const auto& vm = (*doc)["verificationMaterial"];
  const std::string b64 =
      vm.contains("certificate")
          ? vm["certificate"]["rawBytes"]
          : vm["x509CertificateChain"]["certificates"][0]["rawBytes"];
  auto cert = Certificate::FromDer(B64(b64));
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  auto sans = cert->SubjectAltNames();
  ASSERT_TRUE(sans.ok()) << sans.status().ToString();
  ASSERT_EQ(sans->size(), 1u);
  EXPECT_EQ((*sans)[0], (SubjectAltName{SanType::kUsername, "foo!oidc.local"}));
  auto issuer = cert->FulcioIssuer();
  ASSERT_TRUE(issuer.ok());
  EXPECT_EQ(*issuer, "http://oidc.local:8080");
}

TEST(CertificateTest, ReadsPemChainFixtures) {
  SKIP_WITHOUT_CONFORMANCE_DATA();
  const auto dir =
      testing::ConformanceDir() / "containers-image/signature/fixtures";
  auto root =
      Certificate::FromPem(testing::ReadFile(dir / "fulcio_v1.crt.pem"));
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  EXPECT_TRUE(root->IsCa());
  EXPECT_TRUE(root->IsSelfIssued());
  EXPECT_FALSE(root->HasCodeSigningEku());
  auto chain =
      Certificate::ParsePemChain(testing::ReadFile(dir / "fulcio-chain"));
  ASSERT_TRUE(chain.ok()) << chain.status().ToString();
  EXPECT_GE(chain->size(), 1u);
  auto leaf = Certificate::Parse(testing::ReadFile(dir / "fulcio-cert"));
  ASSERT_TRUE(leaf.ok()) << leaf.status().ToString();
  auto sans = leaf->SubjectAltNames();
  ASSERT_TRUE(sans.ok());
  ASSERT_EQ(sans->size(), 1u);
  EXPECT_EQ((*sans)[0], (SubjectAltName{SanType::kEmail, "mitr@redhat.com"}));
  auto issuer = leaf->FulcioIssuer();
  ASSERT_TRUE(issuer.ok());
  EXPECT_EQ(*issuer, "https://github.com/login/oauth");
}

TEST(CertificateTest, RoundTripsPemAndDer) {
  auto c = MakeCert("leaf", nullptr, kT0, kT0 + kDay, LeafExts());
  auto from_pem = Certificate::Parse(c.cert.ToPem());
  ASSERT_TRUE(from_pem.ok()) << from_pem.status().ToString();
  EXPECT_EQ(*from_pem, c.cert);
  auto from_der = Certificate::Parse(c.cert.ToDer());
  ASSERT_TRUE(from_der.ok());
  EXPECT_EQ(*from_der, c.cert);
  Certificate copy = c.cert;
  EXPECT_EQ(copy, c.cert);
  EXPECT_EQ(copy.get(), c.cert.get());
}

TEST(CertificateTest, RefusesCorruptDer) {
  auto c = MakeCert("leaf", nullptr, kT0, kT0 + kDay, LeafExts());
  const std::string der = c.cert.ToDer();
  EXPECT_EQ(Certificate::FromDer(der.substr(0, der.size() - 1)).status(),
            DataLossError("not a DER certificate"));
  EXPECT_EQ(Certificate::FromDer(der + "x").status(),
            DataLossError("data after the certificate"));
  EXPECT_EQ(Certificate::FromDer("").status(),
            DataLossError("not a DER certificate"));
  std::string flipped = der;
  flipped[1] ^= 0x7f;  // the outer length
  EXPECT_FALSE(Certificate::FromDer(flipped).ok());
  // The signature BIT STRING's unused-bits byte: BER OpenSSL would accept.
  // A set bit among the unused ones (the last bit of the last byte, with
  // one unused bit) is not DER; unused bits that happen to be zero would be.
  const ASN1_BIT_STRING* sig = nullptr;
  X509_get0_signature(&sig, nullptr, c.cert.get());
  std::string ber = der;
  const size_t unused_bits = der.size() - ASN1_STRING_length(sig) - 1;
  ASSERT_EQ(ber[unused_bits - 2], '\x03');
  ASSERT_EQ(ber[unused_bits], '\0');
  ber[unused_bits] = 1;
  ber.back() |= 0x01;
  EXPECT_EQ(Certificate::FromDer(ber).status(),
            DataLossError("certificate is not in canonical DER"));
  EXPECT_EQ(
      Certificate::FromDer(std::string(kMaxCertificateBytes + 1, '0')).status(),
      ResourceExhaustedError("certificate is over 65536 bytes"));
}

TEST(CertificateTest, RefusesBadPem) {
  auto c = MakeCert("leaf", nullptr, kT0, kT0 + kDay, LeafExts());
  const std::string pem = c.cert.ToPem();
  EXPECT_EQ(Certificate::FromPem(pem + pem).status(),
            DataLossError("want one PEM certificate, got 2"));
  EXPECT_EQ(Certificate::FromPem("junk\n" + pem).status(),
            DataLossError("data outside the PEM blocks"));
  EXPECT_EQ(Certificate::FromPem(pem + "junk").status(),
            DataLossError("data outside the PEM blocks"));
  EXPECT_EQ(Certificate::FromPem("  \n").status(),
            DataLossError("no PEM certificate"));
  EXPECT_EQ(Certificate::FromPem(pem.substr(0, pem.size() - 20)).status(),
            DataLossError("malformed PEM block"));
  std::string key_pem = c.key.ToPkcs8Pem();
  EXPECT_EQ(
      Certificate::FromPem(key_pem).status(),
      DataLossError("PEM block is \"PRIVATE KEY\", want \"CERTIFICATE\""));
  std::string eleven;
  for (int i = 0; i < 11; ++i) eleven += pem;
  EXPECT_EQ(Certificate::ParsePemChain(eleven).status(),
            ResourceExhaustedError("more than 10 certificates in a chain"));
  std::vector<std::string> ders(11, c.cert.ToDer());
  EXPECT_EQ(Certificate::ParseDerChain(ders).status(),
            ResourceExhaustedError("more than 10 certificates in a chain"));
  ders = {c.cert.ToDer(), "bad"};
  EXPECT_EQ(
      Certificate::ParseDerChain(ders).status(),
      DataLossError("not a DER certificate").WithContext("certificate 1"));
}

TEST(CertificateTest, ReadsGeneratedSansAndIssuers) {
  auto c = MakeCert(
      "leaf", nullptr, kT0, kT0 + kDay,
      {{"subjectAltName",
        "email:a@example.com,URI:https://example.com/x,DNS:example.com,"
        "otherName:1.3.6.1.4.1.57264.1.7;UTF8:bob,"
        "otherName:1.2.3.4;UTF8:ignored"},
       {"1.3.6.1.4.1.57264.1.1", "ASN1:UTF8String:https://v1.example"}});
  auto sans = c.cert.SubjectAltNames();
  ASSERT_TRUE(sans.ok()) << sans.status().ToString();
  EXPECT_EQ(*sans, (std::vector<SubjectAltName>{
                       {SanType::kEmail, "a@example.com"},
                       {SanType::kUri, "https://example.com/x"},
                       {SanType::kUsername, "bob"}}));
  // v1 is the extension's raw bytes: here a DER UTF8String (0x0c, length).
  auto issuer = c.cert.FulcioIssuer();
  ASSERT_TRUE(issuer.ok());
  EXPECT_EQ(*issuer, std::string("\x0c\x12https://v1.example"));
  EXPECT_FALSE(c.cert.HasCodeSigningEku());

  auto v2 = MakeCert("leaf", nullptr, kT0, kT0 + kDay,
                     {{"1.3.6.1.4.1.57264.1.1", "DER:76:31"},
                      {"1.3.6.1.4.1.57264.1.8", "ASN1:UTF8String:v2"}});
  issuer = v2.cert.FulcioIssuer();
  ASSERT_TRUE(issuer.ok());
  EXPECT_EQ(*issuer, "v2");
  auto v1 = MakeCert("leaf", nullptr, kT0, kT0 + kDay,
                     {{"1.3.6.1.4.1.57264.1.1", "DER:76:31"}});
  issuer = v1.cert.FulcioIssuer();
  ASSERT_TRUE(issuer.ok());
  EXPECT_EQ(*issuer, "v1");
  auto none = MakeCert("leaf", nullptr, kT0, kT0 + kDay, {});
  issuer = none.cert.FulcioIssuer();
  ASSERT_TRUE(issuer.ok());
  EXPECT_EQ(*issuer, std::nullopt);
  sans = none.cert.SubjectAltNames();
  ASSERT_TRUE(sans.ok());
  EXPECT_TRUE(sans->empty());
}

TEST(CertificateTest, ReadsRawExtensionText) {
  auto c = MakeCert("leaf", nullptr, kT0, kT0 + kDay,
                    {{kFulcioGithubWorkflowTriggerOid, "DER:70:75:73:68"},
                     {kFulcioGithubWorkflowRefOid, "DER:61:00:62"}});
  auto trigger = c.cert.RawExtensionText(kFulcioGithubWorkflowTriggerOid);
  ASSERT_TRUE(trigger.ok()) << trigger.status().ToString();
  EXPECT_EQ(*trigger, "push");
  auto absent = c.cert.RawExtensionText(kFulcioGithubWorkflowShaOid);
  ASSERT_TRUE(absent.ok());
  EXPECT_EQ(*absent, std::nullopt);
  EXPECT_EQ(c.cert.RawExtensionText(kFulcioGithubWorkflowRefOid).status(),
            DataLossError("extension 1.3.6.1.4.1.57264.1.6 contains a NUL "
                          "byte"));
}

TEST(CertificateTest, RefusesMalformedSansAndIssuers) {
  auto bad_v2 = MakeCert("leaf", nullptr, kT0, kT0 + kDay,
                         {{"1.3.6.1.4.1.57264.1.8", "ASN1:IA5STRING:x"}});
  EXPECT_EQ(bad_v2.cert.FulcioIssuer().status(),
            DataLossError("issuer extension 1.3.6.1.4.1.57264.1.8 is not one "
                          "DER UTF8String"));
  auto trailing = MakeCert("leaf", nullptr, kT0, kT0 + kDay,
                           {{"1.3.6.1.4.1.57264.1.8", "DER:0c:01:61:00"}});
  EXPECT_EQ(trailing.cert.FulcioIssuer().status(),
            DataLossError("issuer extension 1.3.6.1.4.1.57264.1.8 is not one "
                          "DER UTF8String"));
  auto nul = MakeCert("leaf", nullptr, kT0, kT0 + kDay,
                      {{"1.3.6.1.4.1.57264.1.8", "DER:0c:03:61:00:62"}});
  EXPECT_EQ(nul.cert.FulcioIssuer().status(),
            DataLossError("issuer contains a NUL byte"));
  auto twice = MakeCert("leaf", nullptr, kT0, kT0 + kDay,
                        {{"1.3.6.1.4.1.57264.1.1", "DER:61"},
                         {"1.3.6.1.4.1.57264.1.1", "DER:62"}});
  EXPECT_EQ(
      twice.cert.FulcioIssuer().status(),
      DataLossError("certificate repeats extension 1.3.6.1.4.1.57264.1.1"));
  auto bad_username = MakeCert(
      "leaf", nullptr, kT0, kT0 + kDay,
      {{"subjectAltName", "otherName:1.3.6.1.4.1.57264.1.7;IA5STRING:bob"}});
  EXPECT_EQ(bad_username.cert.SubjectAltNames().status(),
            DataLossError("username SAN is not a UTF8String"));
  std::string many;
  for (int i = 0; i < 65; ++i) {
    many += (i ? "," : "") + std::string("email:a") + std::to_string(i) + "@b";
  }
  auto too_many =
      MakeCert("leaf", nullptr, kT0, kT0 + kDay, {{"subjectAltName", many}});
  EXPECT_EQ(too_many.cert.SubjectAltNames().status(),
            ResourceExhaustedError("more than 64 subject alternative names"));
}

TEST(CertificateTest, ReportsCaAndEku) {
  auto root = MakeCert("root", nullptr, kT0, kT0 + kDay, CaExts());
  EXPECT_TRUE(root.cert.IsCa());
  EXPECT_TRUE(root.cert.IsSelfIssued());
  auto leaf = MakeCert("leaf", &root, kT0, kT0 + kDay, LeafExts());
  EXPECT_FALSE(leaf.cert.IsCa());
  EXPECT_FALSE(leaf.cert.IsSelfIssued());
  EXPECT_TRUE(leaf.cert.HasCodeSigningEku());
  auto server = MakeCert("srv", &root, kT0, kT0 + kDay,
                         {{"extendedKeyUsage", "serverAuth"}});
  EXPECT_FALSE(server.cert.HasCodeSigningEku());
  EXPECT_EQ(leaf.cert.SubjectString(), "CN=leaf");
}

TEST(CertificateTest, ClampsFarFutureNotAfter) {
  auto c = MakeCert("forever", nullptr, kT0, 253402300799 /* 9999-12-31 */, {});
  EXPECT_EQ(c.cert.not_after(),
            TimePoint(std::chrono::duration_cast<std::chrono::seconds>(
                TimePoint::max().time_since_epoch())));
  EXPECT_EQ(FormatTime(c.cert.not_before()), "2024-01-01T00:00:00Z");
}

}  // namespace
}  // namespace strata::pki
