#include "pki/timestamp.h"

#include <gtest/gtest.h>

#include "pki/test_util.h"

namespace strata::pki {
namespace {

using testing::LoadBundle;
using testing::LoadTrustedRoot;
using testing::MustParse;

struct Case {
  std::string token;
  std::string signature;
  std::vector<TrustedAuthority> tsas;
  std::vector<TrustedAuthority> cas;
  Certificate leaf;
};

Case Load(const std::string& name) {
  auto bundle = LoadBundle(name);
  auto trust = LoadTrustedRoot(name);
  EXPECT_EQ(bundle.timestamps_der.size(), 1u);
  return Case{bundle.timestamps_der.at(0), bundle.signature, trust.tsas,
              trust.cas, MustParse(bundle.certs_der.at(0))};
}

bool WithinLeaf(const Case& c, TimePoint t) {
  return t >= c.leaf.not_before() && t <= c.leaf.not_after();
}

TEST(VerifyTimestampTest, AcceptsConformanceTimestamps) {
  SKIP_WITHOUT_CONFORMANCE_DATA();
  for (const char* name :
       {"rekor2-timestamp-with-embedded-cert",
        "rekor2-timestamp-without-embedded-cert",
        "rekor2-timestamp-with-expired-cert-chain", "rekor2-happy-path"}) {
    SCOPED_TRACE(name);
    Case c = Load(name);
    auto t = VerifyTimestamp(c.token, c.signature, c.tsas);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_TRUE(WithinLeaf(c, *t)) << FormatTime(*t);
  }
  Case c = Load("rekor2-timestamp-with-embedded-cert");
  auto t = VerifyTimestamp(c.token, c.signature, c.tsas);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatTime(*t), "2025-08-06T18:51:36Z");
}

TEST(VerifyTimestampTest, TimestampOutsideSigningCertificate) {
  SKIP_WITHOUT_CONFORMANCE_DATA();
  // rekor2-timestamp-with-incorrect-time_fail: the timestamp itself is
  // valid; its time is after the leaf expired, so the leaf's chain does
  // not verify at that time.
  Case c = Load("rekor2-timestamp-with-incorrect-time_fail");
  auto t = VerifyTimestamp(c.token, c.signature, c.tsas);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_FALSE(WithinLeaf(c, *t)) << FormatTime(*t);
  auto chain = VerifyChain(c.leaf, {}, c.cas, *t);
  EXPECT_EQ(chain.status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(chain.status().message().ends_with(
      "(authority 0: certificate has expired)"))
      << chain.status().ToString();
  // The good case's leaf verifies at its timestamp's time.
  Case good = Load("rekor2-timestamp-with-embedded-cert");
  t = VerifyTimestamp(good.token, good.signature, good.tsas);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(VerifyChain(good.leaf, {}, good.cas, *t).status(), Status::Ok());
}

TEST(VerifyTimestampTest, RefusesConformanceFailures) {
  SKIP_WITHOUT_CONFORMANCE_DATA();
  struct Expect {
    const char* name;
    std::string message;
  };
  for (const Expect& e : std::vector<Expect>{
           {"rekor2-timestamp-outside-trust-root-tsa-validity_fail",
            "no trusted timestamp authority is valid at 2025-06-12T12:02:20Z"},
           {"rekor2-timestamp-outside-tsa-cert-validity_fail",
            "timestamp does not verify (authority 0: certificate verify error "
            "(Verify error:certificate has expired))"},
           {"rekor2-timestamp-payload-mismatch_fail",
            "timestamp does not verify (authority 0: timestamp is not over "
            "the given bytes)"},
           {"rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail",
            "timestamp does not verify (authority 0: certificate verify error "
            "(Verify error:self-signed certificate in certificate chain))"},
           {"rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail",
            "timestamp does not verify (authority 0: signer certificate not "
            "found)"},
       }) {
    SCOPED_TRACE(e.name);
    Case c = Load(e.name);
    EXPECT_EQ(VerifyTimestamp(c.token, c.signature, c.tsas).status(),
              PermissionDeniedError(e.message));
  }
}

TEST(VerifyTimestampTest, RefusesWithoutAuthorities) {
  SKIP_WITHOUT_CONFORMANCE_DATA();
  Case c = Load("rekor2-timestamp-with-embedded-cert");
  EXPECT_EQ(VerifyTimestamp(c.token, c.signature, {}).status(),
            PermissionDeniedError("no trusted timestamp authority is valid at "
                                  "2025-08-06T18:51:36Z"));
  // The window end is inclusive (genTime fractions are dropped).
  c.tsas[0].valid_until = testing::ParseRfc3339("2025-08-06T18:51:36Z");
  EXPECT_TRUE(VerifyTimestamp(c.token, c.signature, c.tsas).ok());
}

TEST(VerifyTimestampTest, RefusesCorruptTokens) {
  SKIP_WITHOUT_CONFORMANCE_DATA();
  Case c = Load("rekor2-timestamp-with-embedded-cert");
  EXPECT_EQ(VerifyTimestamp("", c.signature, c.tsas).status(),
            DataLossError("not an RFC 3161 timestamp response or token"));
  EXPECT_EQ(VerifyTimestamp(c.token.substr(0, c.token.size() - 1), c.signature,
                            c.tsas)
                .status(),
            DataLossError("not an RFC 3161 timestamp response or token"));
  EXPECT_EQ(VerifyTimestamp(c.token + "x", c.signature, c.tsas).status(),
            DataLossError("not an RFC 3161 timestamp response or token"));
  EXPECT_EQ(VerifyTimestamp(std::string(kMaxTimestampBytes + 1, '\x30'),
                            c.signature, c.tsas)
                .status(),
            ResourceExhaustedError("timestamp is over 65536 bytes"));
  // A rejected response: status 2 (rejection).
  EXPECT_EQ(VerifyTimestamp(std::string("\x30\x05\x30\x03\x02\x01\x02", 7),
                            c.signature, c.tsas)
                .status(),
            DataLossError("timestamp response status is 2, not granted"));
  // The last bytes are the CMS signature value: flipping one breaks it.
  std::string flipped = c.token;
  flipped[flipped.size() - 3] ^= 0x01;
  auto s = VerifyTimestamp(flipped, c.signature, c.tsas).status();
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << s.ToString();
  // Every single-byte flip is refused or fails to verify, never accepted
  // with another time. (A sample of positions keeps the test quick.)
  for (size_t i = 0; i < c.token.size(); i += 7) {
    std::string t = c.token;
    t[i] ^= 0x20;
    auto r = VerifyTimestamp(t, c.signature, c.tsas);
    if (r.ok()) {
      // Only bytes outside what is signed (e.g. unsigned attributes or the
      // response status text) may change without effect.
      EXPECT_EQ(FormatTime(*r), "2025-08-06T18:51:36Z") << i;
    }
  }
}

TEST(VerifyTimestampTest, AcceptsTheBareToken) {
  SKIP_WITHOUT_CONFORMANCE_DATA();
  Case c = Load("rekor2-timestamp-with-embedded-cert");
  // TimeStampResp = SEQUENCE { status, token }: take the token.
  const auto* p = reinterpret_cast<const unsigned char*>(c.token.data());
  long len = 0;
  int tag = 0, cls = 0;
  ASSERT_EQ(
      ASN1_get_object(&p, &len, &tag, &cls, static_cast<long>(c.token.size())),
      V_ASN1_CONSTRUCTED);
  ASSERT_EQ(ASN1_get_object(&p, &len, &tag, &cls, 16), V_ASN1_CONSTRUCTED);
  p += len;  // skip PKIStatusInfo
  std::string token(
      reinterpret_cast<const char*>(p),
      c.token.data() + c.token.size() - reinterpret_cast<const char*>(p));
  auto t = VerifyTimestamp(token, c.signature, c.tsas);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(FormatTime(*t), "2025-08-06T18:51:36Z");
}

}  // namespace
}  // namespace strata::pki
