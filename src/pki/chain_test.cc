#include "pki/chain.h"

#include <gtest/gtest.h>

#include "pki/test_util.h"

namespace strata::pki {
namespace {

using testing::CaExts;
using testing::FromUnix;
using testing::kDay;
using testing::kT0;
using testing::LeafExts;
using testing::LoadBundle;
using testing::LoadTrustedRoot;
using testing::MakeCert;
using testing::MustParse;
using testing::TestCert;

TrustedAuthority Authority(std::vector<const TestCert*> chain,
                           int64_t from = kT0 - kDay,
                           std::optional<int64_t> until = std::nullopt) {
  TrustedAuthority a;
  for (const TestCert* c : chain) a.chain_der.push_back(c->cert.ToDer());
  a.valid_from = FromUnix(from);
  if (until) a.valid_until = FromUnix(*until);
  return a;
}

TEST(VerifyChainTest, AcceptsConformanceHappyPaths) {
  SKIP_WITHOUT_CONFORMANCE_DATA();
  for (const char* name :
       {"happy-path-v0.1", "happy-path-v0.2", "happy-path-v0.3",
        "happy-path-intoto-in-dsse-v3", "happy-path-v0.3-new-mediaType"}) {
    SCOPED_TRACE(name);
    auto bundle = LoadBundle(name);
    auto trust = LoadTrustedRoot(name);
    ASSERT_FALSE(bundle.certs_der.empty());
    ASSERT_TRUE(bundle.integrated_time.has_value());
    Certificate leaf = MustParse(bundle.certs_der[0]);
    auto chain =
        VerifyChain(leaf, {}, trust.cas, FromUnix(*bundle.integrated_time));
    ASSERT_TRUE(chain.ok()) << chain.status().ToString();
    ASSERT_EQ(chain->size(), 3u);  // leaf, intermediate, root
    EXPECT_EQ((*chain)[0], leaf);
    EXPECT_TRUE((*chain)[2].IsSelfIssued());
  }
}

TEST(VerifyChainTest, RefusesRootCarriedInTheBundle) {
  SKIP_WITHOUT_CONFORMANCE_DATA();
  // bundle-with-root-cert_fail: "bundle certificate chain contains a root
  // certificate: client should reject this".
  auto bundle = LoadBundle("bundle-with-root-cert_fail");
  auto trust = LoadTrustedRoot("bundle-with-root-cert_fail");
  ASSERT_EQ(bundle.certs_der.size(), 3u);
  Certificate leaf = MustParse(bundle.certs_der[0]);
  // Leaf, root, intermediate.
  std::vector<Certificate> rest = {MustParse(bundle.certs_der[2]),
                                   MustParse(bundle.certs_der[1])};
  const TimePoint at = FromUnix(*bundle.integrated_time);
  EXPECT_EQ(VerifyChain(leaf, rest, trust.cas, at).status(),
            PermissionDeniedError("untrusted chain contains a root "
                                  "certificate (CN=sigstore,O=sigstore.dev)"));
  // Without the root the chain is judged on the trusted root alone.
  auto chain = VerifyChain(leaf, std::span(rest).first(1), trust.cas, at);
  EXPECT_EQ(chain.status(), Status::Ok());
}

TEST(VerifyChainTest, RefusesCertificateOutsideItsValidity) {
  SKIP_WITHOUT_CONFORMANCE_DATA();
  // intoto-expired-certificate_fail: the leaf's notBefore is in 2030, the
  // log entry in 2023.
  auto bundle = LoadBundle("intoto-expired-certificate_fail");
  auto trust = LoadTrustedRoot("intoto-expired-certificate_fail");
  Certificate leaf = MustParse(bundle.certs_der[0]);
  EXPECT_EQ(VerifyChain(leaf, {}, trust.cas, FromUnix(*bundle.integrated_time))
                .status(),
            PermissionDeniedError(
                "certificate does not chain to a trusted certificate "
                "authority at 2023-02-01T00:00:00Z (authority 0: certificate "
                "is not yet valid)"));

  auto happy = LoadBundle("happy-path-v0.3");
  auto prod = LoadTrustedRoot("happy-path-v0.3");
  Certificate happy_leaf = MustParse(happy.certs_der[0]);
  EXPECT_EQ(VerifyChain(happy_leaf, {}, prod.cas,
                        happy_leaf.not_after() + std::chrono::seconds(1))
                .status(),
            PermissionDeniedError(
                "certificate does not chain to a trusted certificate "
                "authority at 2024-03-19T17:36:27Z (authority 1: certificate "
                "has expired)"));
}

TEST(VerifyChainTest, NeedsAnAuthorityValidAtTheTime) {
  SKIP_WITHOUT_CONFORMANCE_DATA();
  auto bundle = LoadBundle("happy-path-v0.3");
  auto trust = LoadTrustedRoot("happy-path-v0.3");
  Certificate leaf = MustParse(bundle.certs_der[0]);
  const TimePoint at = FromUnix(*bundle.integrated_time);
  EXPECT_EQ(VerifyChain(leaf, {}, {}, at).status(),
            PermissionDeniedError("no trusted certificate authority is valid "
                                  "at 2024-03-19T17:26:26Z"));
  for (TrustedAuthority& a : trust.cas)
    a.valid_until = at - std::chrono::seconds(1);
  EXPECT_EQ(VerifyChain(leaf, {}, trust.cas, at).status(),
            PermissionDeniedError("no trusted certificate authority is valid "
                                  "at 2024-03-19T17:26:26Z"));
  // The end of the window is inclusive.
  for (TrustedAuthority& a : trust.cas) a.valid_until = at;
  EXPECT_TRUE(VerifyChain(leaf, {}, trust.cas, at).ok());
  // The other case's root (only the old 2021 Fulcio root) does not issue it.
  auto other = LoadTrustedRoot("intoto-expired-certificate_fail");
  other.cas[0].valid_until.reset();
  EXPECT_EQ(VerifyChain(leaf, {}, other.cas, at).status(),
            PermissionDeniedError(
                "certificate does not chain to a trusted certificate "
                "authority at 2024-03-19T17:26:26Z (authority 0: unable to "
                "get local issuer certificate)"));
}

TEST(VerifyChainTest, VerifiesPemFixtureChain) {
  SKIP_WITHOUT_CONFORMANCE_DATA();
  const auto dir =
      testing::ConformanceDir() / "containers-image/signature/fixtures";
  auto leaf = Certificate::FromPem(testing::ReadFile(dir / "fulcio-cert"));
  auto chain =
      Certificate::ParsePemChain(testing::ReadFile(dir / "fulcio-chain"));
  ASSERT_TRUE(leaf.ok() && chain.ok());
  TrustedAuthority a;
  for (const Certificate& c : *chain) a.chain_der.push_back(c.ToDer());
  a.valid_from = FromUnix(0);
  auto verified = VerifyChain(*leaf, {}, std::span(&a, 1),
                              leaf->not_before() + std::chrono::minutes(1));
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->size(), 1 + chain->size());
}

TEST(VerifyChainTest, BuildsThroughIntermediates) {
  auto root = MakeCert("root", nullptr, kT0 - kDay, kT0 + 10 * kDay, CaExts());
  auto inter = MakeCert("inter", &root, kT0 - kDay, kT0 + 10 * kDay, CaExts());
  auto leaf = MakeCert("leaf", &inter, kT0, kT0 + kDay, LeafExts());
  const TimePoint at = FromUnix(kT0 + 60);
  // Intermediate from the trusted root.
  std::vector<TrustedAuthority> full = {Authority({&inter, &root})};
  auto chain = VerifyChain(leaf.cert, {}, full, at);
  ASSERT_TRUE(chain.ok()) << chain.status().ToString();
  EXPECT_EQ(chain->size(), 3u);
  // Intermediate only from the bundle.
  std::vector<TrustedAuthority> root_only = {Authority({&root})};
  std::vector<Certificate> untrusted = {inter.cert};
  chain = VerifyChain(leaf.cert, untrusted, root_only, at);
  ASSERT_TRUE(chain.ok()) << chain.status().ToString();
  EXPECT_EQ((*chain)[1], inter.cert);
  // Missing.
  EXPECT_EQ(VerifyChain(leaf.cert, {}, root_only, at).status(),
            PermissionDeniedError(
                "certificate does not chain to a trusted certificate "
                "authority at 2024-01-01T00:01:00Z (authority 0: unable to "
                "get local issuer certificate)"));
}

TEST(VerifyChainTest, PinnedIntermediateIsAnAnchor) {
  auto root = MakeCert("root", nullptr, kT0 - kDay, kT0 + 10 * kDay, CaExts());
  auto inter = MakeCert("inter", &root, kT0 - kDay, kT0 + 10 * kDay, CaExts());
  auto leaf = MakeCert("leaf", &inter, kT0, kT0 + kDay, LeafExts());
  std::vector<TrustedAuthority> pinned = {Authority({&inter})};
  auto chain = VerifyChain(leaf.cert, {}, pinned, FromUnix(kT0 + 60));
  ASSERT_TRUE(chain.ok()) << chain.status().ToString();
  ASSERT_EQ(chain->size(), 2u);
  EXPECT_EQ((*chain)[1], inter.cert);
}

TEST(VerifyChainTest, RefusesForeignRootAndBadSignature) {
  auto root = MakeCert("root", nullptr, kT0 - kDay, kT0 + 10 * kDay, CaExts());
  auto evil = MakeCert("root", nullptr, kT0 - kDay, kT0 + 10 * kDay, CaExts());
  // Same issuer name, other key: the signature cannot verify.
  auto leaf = MakeCert("leaf", &evil, kT0, kT0 + kDay, LeafExts());
  std::vector<TrustedAuthority> trusted = {Authority({&root})};
  auto status =
      VerifyChain(leaf.cert, {}, trusted, FromUnix(kT0 + 60)).status();
  EXPECT_EQ(status.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(status.message().find("authority 0: "), std::string::npos)
      << status.ToString();
}

// A foreign root and its intermediate, both carried as the untrusted chain:
// the carried root is refused outright, and without it the leaf does not
// reach the trusted root.
TEST(VerifyChainTest, RefusesForeignRootAndIntermediateInTheChain) {
  auto root = MakeCert("root", nullptr, kT0 - kDay, kT0 + 10 * kDay, CaExts());
  auto evil_root =
      MakeCert("evil root", nullptr, kT0 - kDay, kT0 + 10 * kDay, CaExts());
  auto evil_inter = MakeCert("evil intermediate", &evil_root, kT0 - kDay,
                             kT0 + 10 * kDay, CaExts());
  auto leaf = MakeCert("leaf", &evil_inter, kT0, kT0 + kDay, LeafExts());
  std::vector<TrustedAuthority> trusted = {Authority({&root})};
  const TimePoint at = FromUnix(kT0 + 60);
  std::vector<Certificate> carried = {evil_inter.cert, evil_root.cert};
  auto status = VerifyChain(leaf.cert, carried, trusted, at).status();
  EXPECT_EQ(status.code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(status.message().starts_with(
      "untrusted chain contains a root certificate"))
      << status.ToString();
  EXPECT_EQ(status, PermissionDeniedError("untrusted chain contains a root "
                                          "certificate (CN=evil root)"));
  // The intermediate alone: its issuer is nowhere among the trusted.
  EXPECT_EQ(
      VerifyChain(leaf.cert, std::span(carried).first(1), trusted, at).status(),
      PermissionDeniedError(
          "certificate does not chain to a trusted certificate "
          "authority at 2024-01-01T00:01:00Z (authority 0: unable to "
          "get local issuer certificate)"));
  // The same chain does verify against its own root: the refusals above
  // are about trust, not a malformed chain.
  std::vector<TrustedAuthority> evil_trusted = {Authority({&evil_root})};
  EXPECT_TRUE(
      VerifyChain(leaf.cert, std::span(carried).first(1), evil_trusted, at)
          .ok());
}

TEST(VerifyChainTest, RefusesLeavesThatAreNotCodeSigning) {
  auto root = MakeCert("root", nullptr, kT0 - kDay, kT0 + 10 * kDay, CaExts());
  std::vector<TrustedAuthority> trusted = {Authority({&root})};
  const TimePoint at = FromUnix(kT0 + 60);
  auto ca_leaf = MakeCert("leaf", &root, kT0, kT0 + kDay,
                          {{"basicConstraints", "critical,CA:TRUE"},
                           {"extendedKeyUsage", "codeSigning"}});
  EXPECT_EQ(VerifyChain(ca_leaf.cert, {}, trusted, at).status(),
            PermissionDeniedError("leaf certificate is a CA"));
  auto server = MakeCert("leaf", &root, kT0, kT0 + kDay,
                         {{"basicConstraints", "critical,CA:FALSE"},
                          {"extendedKeyUsage", "serverAuth"}});
  EXPECT_EQ(VerifyChain(server.cert, {}, trusted, at).status(),
            PermissionDeniedError(
                "leaf certificate lacks the code-signing extended key usage"));
  auto no_eku = MakeCert("leaf", &root, kT0, kT0 + kDay,
                         {{"basicConstraints", "critical,CA:FALSE"}});
  EXPECT_EQ(VerifyChain(no_eku.cert, {}, trusted, at).status(),
            PermissionDeniedError(
                "leaf certificate lacks the code-signing extended key usage"));
}

TEST(VerifyChainTest, CapsAndChecksInputs) {
  auto root = MakeCert("root", nullptr, kT0 - kDay, kT0 + 10 * kDay, CaExts());
  auto inter = MakeCert("inter", &root, kT0 - kDay, kT0 + 10 * kDay, CaExts());
  auto leaf = MakeCert("leaf", &inter, kT0, kT0 + kDay, LeafExts());
  std::vector<TrustedAuthority> trusted = {Authority({&root})};
  std::vector<Certificate> many(10, inter.cert);
  EXPECT_EQ(VerifyChain(leaf.cert, many, trusted, FromUnix(kT0)).status(),
            ResourceExhaustedError(
                "more than 9 untrusted intermediate certificates"));
  std::vector<TrustedAuthority> broken = {Authority({&root})};
  broken[0].chain_der[0].resize(10);
  EXPECT_EQ(VerifyChain(leaf.cert, {}, broken, FromUnix(kT0)).status(),
            DataLossError("not a DER certificate")
                .WithContext("certificate 0")
                .WithContext("certificate authority 0"));
  broken[0].chain_der.clear();
  EXPECT_EQ(VerifyChain(leaf.cert, {}, broken, FromUnix(kT0)).status(),
            DataLossError("authority has no certificates")
                .WithContext("certificate authority 0"));
}

}  // namespace
}  // namespace strata::pki
