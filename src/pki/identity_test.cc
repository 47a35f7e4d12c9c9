#include "pki/identity.h"

#include <gtest/gtest.h>

#include "pki/test_util.h"

namespace strata::pki {
namespace {

using testing::kDay;
using testing::kT0;
using testing::MakeCert;

constexpr char kIssuer[] = "https://token.actions.githubusercontent.com";
constexpr char kIdentity[] =
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-"
    "beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/"
    "main";

Matcher Re(std::string_view p) {
  auto m = Matcher::Regexp(p);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(m).value();
}

bool Match(const Matcher& m, std::string_view v) {
  auto r = m.Matches(v);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() && *r;
}

TEST(MatcherTest, ExactIsExact) {
  Matcher m = Matcher::Exact("alice@example.com");
  EXPECT_TRUE(Match(m, "alice@example.com"));
  EXPECT_FALSE(Match(m, "alice@example.com.evil.com"));
  EXPECT_FALSE(Match(m, "xalice@example.com"));
  EXPECT_FALSE(Match(m, "alice@example.co"));
  EXPECT_FALSE(Match(m, "ALICE@example.com"));
  EXPECT_EQ(m.Describe(), "\"alice@example.com\"");
}

TEST(MatcherTest, RegexpMustMatchTheWholeIdentity) {
  Matcher m = Re(R"(https://github\.com/org/[^/]+/\.github/workflows/.*)");
  EXPECT_TRUE(Match(m, "https://github.com/org/repo/.github/workflows/a.yml"));
  // Prefix and substring attempts.
  EXPECT_FALSE(Match(m,
                     "https://evil.com/?https://github.com/org/repo/"
                     ".github/workflows/a.yml"));
  EXPECT_FALSE(Match(m, "https://github.com/org/repo"));
  Matcher domain = Re(R"(.*@example\.com)");
  EXPECT_TRUE(Match(domain, "bob@example.com"));
  EXPECT_FALSE(Match(domain, "bob@example.com.evil.org"));
  EXPECT_FALSE(Match(domain, "bob@example.com\n"));
  Matcher literal = Re("alice@example.com");
  EXPECT_FALSE(Match(literal, "alice@example.com.evil"));
  EXPECT_FALSE(Match(literal, "mallory+alice@example.com"));
  EXPECT_EQ(literal.Describe(), "regexp \"alice@example.com\"");
}

TEST(MatcherTest, RefusesBadAndOversizedInput) {
  auto bad = Matcher::Regexp("(unclosed");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(bad.status().message().starts_with(
      "identity regexp \"(unclosed\" does not compile: "))
      << bad.status().ToString();
  EXPECT_EQ(Matcher::Regexp(std::string(kMaxPatternBytes + 1, 'a')).status(),
            ResourceExhaustedError("identity regexp is over 1024 bytes"));
  EXPECT_EQ(Re(".*").Matches(std::string(kMaxIdentityBytes + 1, 'a')).status(),
            ResourceExhaustedError("identity is over 4096 bytes"));
  // The longest identity a regexp sees runs to completion.
  EXPECT_TRUE(Match(Re("(a|b)*"), std::string(kMaxIdentityBytes, 'a')));
  EXPECT_FALSE(
      Match(Matcher::Exact("a"), std::string(kMaxIdentityBytes + 1, 'a')));
}

TEST(CheckIdentityTest, ConformanceLeaf) {
  SKIP_WITHOUT_CONFORMANCE_DATA();
  auto bundle = testing::LoadBundle("happy-path-v0.3");
  Certificate leaf = testing::MustParse(bundle.certs_der.at(0));
  EXPECT_EQ(
      CheckIdentity(leaf, {Matcher::Exact(kIdentity), Matcher::Exact(kIssuer)}),
      Status::Ok());
  EXPECT_EQ(
      CheckIdentity(leaf,
                    {Re(R"(https://github\.com/sigstore-conformance/.*)"),
                     Re(R"(https://token\.actions\.githubusercontent\.com)")}),
      Status::Ok());
  EXPECT_EQ(
      CheckIdentity(leaf,
                    {Matcher::Exact("https://github.com/sigstore-conformance/"),
                     Matcher::Exact(kIssuer)}),
      PermissionDeniedError(
          "no certificate identity matches \"https://github.com/"
          "sigstore-conformance/\" (have \"" +
          std::string(kIdentity) + "\")"));
  EXPECT_EQ(CheckIdentity(leaf, {Matcher::Exact(kIdentity),
                                 Matcher::Exact("https://token.actions")}),
            PermissionDeniedError(
                "certificate issuer \"https://token.actions."
                "githubusercontent.com\" does not match \"https://token."
                "actions\""));
  EXPECT_EQ(
      CheckIdentity(leaf,
                    {Matcher::Exact(kIdentity), Re("https://token\\.actions")}),
      PermissionDeniedError("certificate issuer \"https://token.actions."
                            "githubusercontent.com\" does not match regexp "
                            "\"https://token\\.actions\""));
}

TEST(CheckIdentityTest, GeneratedLeaves) {
  auto leaf = MakeCert(
      "leaf", nullptr, kT0, kT0 + kDay,
      {{"subjectAltName",
        "email:a@example.com,otherName:1.3.6.1.4.1.57264.1.7;UTF8:bob"},
       {"1.3.6.1.4.1.57264.1.8", "ASN1:UTF8String:https://idp.example"}});
  EXPECT_EQ(CheckIdentity(leaf.cert, {Matcher::Exact("bob"),
                                      Matcher::Exact("https://idp.example")}),
            Status::Ok());
  EXPECT_EQ(CheckIdentity(leaf.cert, {Matcher::Exact("b"),
                                      Matcher::Exact("https://idp.example")}),
            PermissionDeniedError("no certificate identity matches \"b\" "
                                  "(have \"a@example.com\", \"bob\")"));
  auto no_issuer = MakeCert("leaf", nullptr, kT0, kT0 + kDay,
                            {{"subjectAltName", "email:a@example.com"}});
  EXPECT_EQ(CheckIdentity(no_issuer.cert,
                          {Matcher::Exact("a@example.com"), Re(".*")}),
            PermissionDeniedError("certificate has no OIDC issuer extension"));
  auto no_san = MakeCert(
      "leaf", nullptr, kT0, kT0 + kDay,
      {{"1.3.6.1.4.1.57264.1.8", "ASN1:UTF8String:https://idp.example"}});
  EXPECT_EQ(CheckIdentity(no_san.cert, {Re(".*"), Re(".*")}),
            PermissionDeniedError(
                "no certificate identity matches regexp \".*\" (have none)"));
}

}  // namespace
}  // namespace strata::pki
