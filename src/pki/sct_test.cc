#include "pki/sct.h"

#include <gtest/gtest.h>

#include "pki/chain.h"
#include "pki/test_util.h"

namespace strata::pki {
namespace {

using testing::FromUnix;
using testing::LoadBundle;
using testing::LoadTrustedRoot;
using testing::MustParse;

// The leaf of `name` and its issuer from the verified chain.
struct LeafAndIssuer {
  Certificate leaf;
  Certificate issuer;
  TimePoint at;
  testing::TrustMaterial trust;
};

std::optional<LeafAndIssuer> Load(const std::string& name) {
  auto bundle = LoadBundle(name);
  auto trust = LoadTrustedRoot(name);
  Certificate leaf = MustParse(bundle.certs_der.at(0));
  const TimePoint signed_at = bundle.integrated_time
                                  ? FromUnix(*bundle.integrated_time)
                                  : leaf.not_before() + std::chrono::seconds(1);
  auto chain = VerifyChain(leaf, {}, trust.cas, signed_at);
  EXPECT_TRUE(chain.ok()) << chain.status().ToString();
  if (!chain.ok()) return std::nullopt;
  return LeafAndIssuer{leaf, (*chain)[1], std::chrono::system_clock::now(),
                       std::move(trust)};
}

TEST(VerifyEmbeddedSctsTest, AcceptsConformanceLeaves) {
  SKIP_WITHOUT_CONFORMANCE_DATA();
  for (const char* name :
       {"happy-path-v0.1", "happy-path-v0.3", "happy-path-intoto-in-dsse-v3",
        "bundle-with-sct-with-extensions", "rekor2-happy-path"}) {
    SCOPED_TRACE(name);
    auto c = Load(name);
    ASSERT_TRUE(c);
    EXPECT_EQ(VerifyEmbeddedScts(c->leaf, c->issuer, c->trust.ctlogs, c->at),
              Status::Ok());
  }
}

TEST(VerifyEmbeddedSctsTest, RefusesWhenNoTrustedLogMatches) {
  SKIP_WITHOUT_CONFORMANCE_DATA();
  // invalid-ct-key_fail: the happy-path-v0.1 bundle with a trusted root
  // whose CT logs are staging ones.
  auto happy = Load("happy-path-v0.1");
  ASSERT_TRUE(happy);
  auto bad_root = LoadTrustedRoot("invalid-ct-key_fail");
  EXPECT_EQ(VerifyEmbeddedScts(happy->leaf, happy->issuer, bad_root.ctlogs,
                               happy->at),
            PermissionDeniedError("no valid SCT from a trusted CT log (SCT 0 "
                                  "(log dd3d306ac6c71132): unknown log)"));
  EXPECT_EQ(VerifyEmbeddedScts(happy->leaf, happy->issuer, {}, happy->at),
            PermissionDeniedError("no valid SCT from a trusted CT log (SCT 0 "
                                  "(log dd3d306ac6c71132): unknown log)"));
}

TEST(VerifyEmbeddedSctsTest, ChecksSignatureTimeAndWindow) {
  SKIP_WITHOUT_CONFORMANCE_DATA();
  auto c = Load("happy-path-v0.3");
  ASSERT_TRUE(c);
  // Wrong issuer: the precertificate's issuer key hash differs.
  EXPECT_EQ(VerifyEmbeddedScts(c->leaf, c->leaf, c->trust.ctlogs, c->at),
            PermissionDeniedError("no valid SCT from a trusted CT log (SCT 0 "
                                  "(log dd3d306ac6c71132): signature does not "
                                  "verify)"));
  // Stamped after the time of verification.
  EXPECT_EQ(VerifyEmbeddedScts(c->leaf, c->issuer, c->trust.ctlogs,
                               c->leaf.not_before() - std::chrono::seconds(1)),
            PermissionDeniedError(
                "no valid SCT from a trusted CT log (SCT 0 (log "
                "dd3d306ac6c71132): timestamp 2024-03-19T17:26:26Z is after "
                "2024-03-19T17:26:25Z)"));
  // Outside the log's window.
  for (CtLog& log : c->trust.ctlogs) {
    log.valid_until = c->leaf.not_before() - std::chrono::hours(1);
  }
  EXPECT_EQ(VerifyEmbeddedScts(c->leaf, c->issuer, c->trust.ctlogs, c->at),
            PermissionDeniedError(
                "no valid SCT from a trusted CT log (SCT 0 (log "
                "dd3d306ac6c71132): timestamp 2024-03-19T17:26:26Z is outside "
                "the log's validity)"));
}

TEST(VerifyEmbeddedSctsTest, RefusesBadInputs) {
  SKIP_WITHOUT_CONFORMANCE_DATA();
  auto c = Load("happy-path-v0.3");
  ASSERT_TRUE(c);
  // A certificate without SCTs.
  EXPECT_EQ(VerifyEmbeddedScts(c->issuer, c->issuer, c->trust.ctlogs, c->at),
            PermissionDeniedError("certificate has no embedded SCTs"));
  std::vector<CtLog> bad = c->trust.ctlogs;
  bad[0].public_key_der = "nope";
  // (crypto's message for the first form tried.)
  EXPECT_EQ(VerifyEmbeddedScts(c->leaf, c->issuer, bad, c->at),
            DataLossError("CT log 0 key: not a DER SubjectPublicKeyInfo"));
  std::vector<CtLog> many(kMaxCtLogs + 1, c->trust.ctlogs[0]);
  EXPECT_EQ(VerifyEmbeddedScts(c->leaf, c->issuer, many, c->at),
            ResourceExhaustedError("more than 64 CT logs"));
}

TEST(VerifyEmbeddedSctsTest, RefusesMalformedSctList) {
  auto root =
      testing::MakeCert("root", nullptr, testing::kT0,
                        testing::kT0 + testing::kDay, testing::CaExts());
  auto leaf = testing::MakeCert(
      "leaf", &root, testing::kT0, testing::kT0 + testing::kDay,
      {{"1.3.6.1.4.1.11129.2.4.2", "DER:04:03:00:01:00"}});
  EXPECT_EQ(
      VerifyEmbeddedScts(leaf.cert, root.cert, {}, FromUnix(testing::kT0)),
      DataLossError("malformed SCT list extension"));
}

}  // namespace
}  // namespace strata::pki
