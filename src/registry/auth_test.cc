#include "registry/auth.h"

#include <gtest/gtest.h>

#include "registry/test_fake_http.h"

namespace strata::registry {
namespace {

using testing::FakeHttp;
using testing::Reply;

using Params = std::map<std::string, std::string>;

TEST(ParseWwwAuthenticateTest, ParsesDockerBearerChallenge) {
  auto c = ParseWwwAuthenticate(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull")");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].scheme, "bearer");
  EXPECT_EQ((*c)[0].params,
            (Params{{"realm", "https://auth.docker.io/token"},
                    {"service", "registry.docker.io"},
                    {"scope", "repository:library/alpine:pull"}}));
}

TEST(ParseWwwAuthenticateTest, ParsesSeveralChallengesAndTokens) {
  auto c = ParseWwwAuthenticate(
      "Newauth realm=\"apps\", type=1,\t title=\"Login to \\\"apps\\\"\", "
      "Basic realm=simple, Negotiate abc+/==, Empty");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->size(), 4u);
  EXPECT_EQ((*c)[0].scheme, "newauth");
  EXPECT_EQ((*c)[0].params, (Params{{"realm", "apps"},
                                    {"type", "1"},
                                    {"title", "Login to \"apps\""}}));
  EXPECT_EQ((*c)[1].scheme, "basic");
  EXPECT_EQ((*c)[1].params, (Params{{"realm", "simple"}}));
  EXPECT_EQ((*c)[2].scheme, "negotiate");
  EXPECT_EQ((*c)[2].params, (Params{{"", "abc+/=="}}));
  EXPECT_EQ((*c)[3].scheme, "empty");
  EXPECT_TRUE((*c)[3].params.empty());
}

TEST(ParseWwwAuthenticateTest, ToleratesSpacingAndCase) {
  auto c = ParseWwwAuthenticate("  BASIC  REALM = \"r\" ,, ");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].scheme, "basic");
  EXPECT_EQ((*c)[0].params, (Params{{"realm", "r"}}));
}

TEST(ParseWwwAuthenticateTest, ReportsSyntaxErrors) {
  EXPECT_EQ(ParseWwwAuthenticate("").status(),
            DataLossError("WWW-Authenticate: no challenge at offset 0"));
  EXPECT_EQ(ParseWwwAuthenticate("Bearer realm=\"x").status(),
            DataLossError(
                "WWW-Authenticate: unterminated quoted string at offset 15"));
  EXPECT_EQ(ParseWwwAuthenticate("Bearer realm=\"x\\").status(),
            DataLossError(
                "WWW-Authenticate: unterminated quoted string at offset 16"));
  EXPECT_EQ(ParseWwwAuthenticate("Bearer realm=x, realm=y").status(),
            DataLossError("WWW-Authenticate: duplicate parameter \"realm\" "
                          "at offset 23"));
  EXPECT_EQ(ParseWwwAuthenticate("Bearer realm=\"a\"b").status(),
            DataLossError("WWW-Authenticate: expected ',' at offset 16"));
  EXPECT_EQ(ParseWwwAuthenticate("Bearer=x").status(),
            DataLossError("WWW-Authenticate: expected a space at offset 6"));
  EXPECT_EQ(ParseWwwAuthenticate("\"Bearer\"").status(),
            DataLossError("WWW-Authenticate: expected a token at offset 0"));
  EXPECT_EQ(ParseWwwAuthenticate("Bearer a=b, realm=").status(),
            DataLossError("WWW-Authenticate: expected a value for \"realm\" "
                          "at offset 18"));
  EXPECT_EQ(ParseWwwAuthenticate("Basic realm=\"a\x01\"").status(),
            DataLossError("WWW-Authenticate: control character in a quoted "
                          "string at offset 15"));
}

TEST(ParseWwwAuthenticateTest, EnforcesCaps) {
  std::string long_value(kMaxWwwAuthenticateBytes, 'a');
  EXPECT_EQ(ParseWwwAuthenticate("Basic realm=" + long_value).status(),
            ResourceExhaustedError("WWW-Authenticate: longer than 16384 "
                                   "bytes"));
  std::string many = "Bearer a0=x";
  for (int i = 1; i < kMaxChallengeParams; ++i) {
    many += ", a" + std::to_string(i) + "=x";
  }
  EXPECT_EQ(ParseWwwAuthenticate(many).status(),
            ResourceExhaustedError("WWW-Authenticate: more than 64 "
                                   "challenges and parameters"));
  many.erase(many.rfind(','));
  EXPECT_TRUE(ParseWwwAuthenticate(many).ok());
  // A token68 counts as the parameter it is stored as.
  std::string token68s = "A a";
  for (int i = 1; i < kMaxChallengeParams / 2; ++i) token68s += ", A a";
  EXPECT_TRUE(ParseWwwAuthenticate(token68s).ok());
  EXPECT_EQ(ParseWwwAuthenticate(token68s + ", A").status().code(),
            StatusCode::kResourceExhausted);
}

TEST(ParseWwwAuthenticateTest, SurvivesCorruption) {
  const std::string good =
      R"(Bearer realm="https://auth.example/token",service="reg",scope="repository:a:pull")";
  for (size_t i = 0; i < good.size(); ++i) {
    for (char c : {'\0', '"', ',', '=', ' ', '\\', '\xff'}) {
      std::string bad = good;
      bad[i] = c;
      ParseWwwAuthenticate(bad).status().IgnoreError();  // must not crash
    }
    ParseWwwAuthenticate(good.substr(0, i)).status().IgnoreError();
  }
}

// An Authenticator over a fake token server, with a fake clock.
struct AuthFixture {
  explicit AuthFixture(std::optional<Credential> cred,
                       std::string host = "reg.example") {
    Authenticator::Options o;
    o.registry_host = host;
    o.insecure_hosts = {"insecure.example:5000"};
    o.credential = [this, cred]() -> Result<std::optional<Credential>> {
      ++lookups;
      return cred;
    };
    o.fetch = [this](const HttpRequest& r) { return http.Do(r, nullptr); };
    o.now_ms = [this] { return now_ms; };
    auth = std::make_unique<Authenticator>(std::move(o));
  }
  HttpResponse Challenge(std::string value) {
    return Reply(401, "", {{"www-authenticate", std::move(value)}});
  }
  // Authorization header Authorize adds to a request for `url`.
  Result<std::string> AuthorizationFor(
      const std::vector<std::string>& scopes,
      std::string url = "https://reg.example/v2/a/manifests/t") {
    HttpRequest req;
    req.url = std::move(url);
    RETURN_IF_ERROR(auth->Authorize(scopes, req));
    for (const auto& [k, v] : req.headers) {
      if (k == "Authorization") return v;
    }
    return std::string();
  }

  FakeHttp http;
  int64_t now_ms = 1000;
  int lookups = 0;
  std::unique_ptr<Authenticator> auth;
};

constexpr const char* kBearer =
    R"(Bearer realm="https://auth.example/token",service="reg.example",scope="repository:a:pull")";
const std::vector<std::string> kPull = {"repository:a:pull"};

TEST(AuthenticatorTest, NothingBeforeAChallenge) {
  AuthFixture f(Credential{"u", "p", ""});
  EXPECT_EQ(*f.AuthorizationFor(kPull), "");
  EXPECT_EQ(f.lookups, 0);
}

TEST(AuthenticatorTest, BearerTokenWithBasicCredentials) {
  AuthFixture f(Credential{"user", "pass", ""});
  f.http.Expect("GET",
                "https://auth.example/token?service=reg.example&scope="
                "repository%3Aa%3Apull",
                Reply(200, R"({"token":"T1","expires_in":300})"));
  ASSERT_TRUE(f.auth->HandleChallenge(f.Challenge(kBearer), kPull).ok());
  EXPECT_EQ(f.http.seen()[0].Header("Authorization"), "Basic dXNlcjpwYXNz");
  EXPECT_EQ(*f.AuthorizationFor(kPull), "Bearer T1");
  // Cached: no new token request until it expires.
  f.now_ms += 299'000;
  EXPECT_EQ(*f.AuthorizationFor(kPull), "Bearer T1");
  EXPECT_EQ(f.http.seen().size(), 1u);
  // Expired: a new one is fetched from the same realm before sending.
  f.now_ms += 1000;
  f.http.Expect("GET",
                "https://auth.example/token?service=reg.example&scope="
                "repository%3Aa%3Apull",
                Reply(200, R"({"access_token":"T2"})"));
  EXPECT_EQ(*f.AuthorizationFor(kPull), "Bearer T2");
  // expires_in absent: kDefaultTokenLifetimeS.
  f.now_ms += kDefaultTokenLifetimeS * 1000 - 1;
  EXPECT_EQ(*f.AuthorizationFor(kPull), "Bearer T2");
  EXPECT_EQ(f.http.pending(), 0u);
  EXPECT_EQ(f.lookups, 1);  // the credential is resolved once
}

TEST(AuthenticatorTest, TokensAreCachedPerScopeSet) {
  AuthFixture f(std::nullopt);
  f.http.Expect("GET",
                "https://auth.example/token?service=reg.example&scope="
                "repository%3Aa%3Apull",
                Reply(200, R"({"token":"PULL"})"));
  ASSERT_TRUE(f.auth->HandleChallenge(f.Challenge(kBearer), kPull).ok());
  EXPECT_EQ(f.http.seen()[0].Header("Authorization"), "");  // anonymous
  std::vector<std::string> push = {"repository:a:pull,push"};
  f.http.Expect("GET",
                "https://auth.example/token?service=reg.example&scope="
                "repository%3Aa%3Apull%2Cpush",
                Reply(200, R"({"token":"PUSH"})"));
  EXPECT_EQ(*f.AuthorizationFor(push), "Bearer PUSH");
  EXPECT_EQ(*f.AuthorizationFor(kPull), "Bearer PULL");
  EXPECT_EQ(*f.AuthorizationFor(push), "Bearer PUSH");
  EXPECT_EQ(f.http.pending(), 0u);
}

TEST(AuthenticatorTest, ChallengeScopeIsAddedToTheRequest) {
  AuthFixture f(std::nullopt);
  f.http.Expect("GET",
                "https://auth.example/token?service=s&scope=registry%3Acatalog"
                "%3A%2A&scope=repository%3Aa%3Apull",
                Reply(200, R"({"token":"T"})"));
  ASSERT_TRUE(
      f.auth
          ->HandleChallenge(
              f.Challenge(R"(Bearer realm="https://auth.example/token",)"
                          R"(service="s",scope="registry:catalog:*")"),
              kPull)
          .ok());
  EXPECT_EQ(*f.AuthorizationFor(kPull), "Bearer T");
}

TEST(AuthenticatorTest, IdentityTokenUsesTheOAuthPostFlow) {
  AuthFixture f(Credential{"", "", "refresh/me"});
  f.http.Expect("POST", "https://auth.example/token",
                Reply(200, R"({"access_token":"A","expires_in":60})"));
  ASSERT_TRUE(f.auth->HandleChallenge(f.Challenge(kBearer), kPull).ok());
  const auto seen = f.http.seen();
  EXPECT_EQ(seen[0].body,
            "grant_type=refresh_token&client_id=strata&refresh_token="
            "refresh%2Fme&service=reg.example&scope=repository%3Aa%3Apull");
  EXPECT_EQ(seen[0].Header("Content-Type"),
            "application/x-www-form-urlencoded");
  EXPECT_EQ(seen[0].Header("Authorization"), "");
  EXPECT_EQ(*f.AuthorizationFor(kPull), "Bearer A");
}

TEST(AuthenticatorTest, TokenServerErrorsAreNamed) {
  AuthFixture f(Credential{"user", "wrong", ""});
  f.http.Expect("GET",
                "https://auth.example/"
                "token?service=reg.example&scope=repository%3Aa%3Apull",
                Reply(401, R"({"details":"incorrect username or password"})"));
  EXPECT_EQ(f.auth->HandleChallenge(f.Challenge(kBearer), kPull),
            PermissionDeniedError("token server auth.example: HTTP 401: "
                                  "incorrect username or password"));
}

TEST(AuthenticatorTest, TokenAnswersAreChecked) {
  for (auto [body, want] : std::vector<std::pair<std::string, std::string>>{
           {"{}", "token from auth.example: no token in the answer"},
           {"[1]", "token from auth.example: not a JSON object"},
           {"{",
            "token from auth.example is not valid JSON: parse error at "
            "line 1, column 2: syntax error while parsing object key - "
            "unexpected end of input; expected string literal"},
           {R"({"token":"a b"})",
            "token from auth.example: token contains a space or control "
            "character"},
           {R"({"token":7})",
            "token from auth.example: field \"token\" must be a string"},
           {R"({"token":"t","expires_in":"soon"})",
            "token from auth.example: field \"expires_in\" must be an "
            "integer"}}) {
    AuthFixture f(std::nullopt);
    f.http.Expect("GET",
                  "https://auth.example/token?service=reg.example&scope="
                  "repository%3Aa%3Apull",
                  Reply(200, body));
    Status s = f.auth->HandleChallenge(f.Challenge(kBearer), kPull);
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << body;
    EXPECT_EQ(s.ToString(), want) << body;
  }
}

TEST(AuthenticatorTest, RefusesToSendPasswordsInClearToRemoteHosts) {
  AuthFixture f(Credential{"user", "pass", ""});
  const std::string plain_realm =
      R"(Bearer realm="http://auth.example/token",service="reg.example")";
  EXPECT_EQ(f.auth->HandleChallenge(f.Challenge(plain_realm), kPull),
            PermissionDeniedError("refusing to send credentials over plain "
                                  "http to token server auth.example"));
  EXPECT_EQ(f.http.seen().size(), 0u);
}

TEST(AuthenticatorTest, PlainHttpIsFineForLoopbackAndInsecureHosts) {
  for (std::string realm :
       {"http://127.0.0.1:5001/token", "http://insecure.example:5000/token"}) {
    AuthFixture f(Credential{"user", "pass", ""});
    f.http.Expect("GET", realm + "?service=s", Reply(200, R"({"token":"T"})"));
    EXPECT_TRUE(
        f.auth
            ->HandleChallenge(
                f.Challenge("Bearer realm=\"" + realm + "\",service=s"), {})
            .ok());
  }
}

TEST(AuthenticatorTest, AnonymousTokenOverPlainHttpIsAllowed) {
  AuthFixture f(std::nullopt);
  f.http.Expect("GET", "http://auth.example/token?service=reg.example",
                Reply(200, R"({"token":"T"})"));
  EXPECT_TRUE(f.auth
                  ->HandleChallenge(
                      f.Challenge(R"(Bearer realm="http://auth.example/token",)"
                                  R"(service="reg.example")"),
                      {})
                  .ok());
}

TEST(AuthenticatorTest, BasicFlow) {
  AuthFixture f(Credential{"lab", "labpass", ""});
  ASSERT_TRUE(
      f.auth->HandleChallenge(f.Challenge("Basic realm=\"r\""), kPull).ok());
  EXPECT_EQ(*f.AuthorizationFor(kPull), "Basic bGFiOmxhYnBhc3M=");
  // Never to another host (a redirect or an upload location elsewhere).
  EXPECT_EQ(*f.AuthorizationFor(kPull, "https://s3.example/blob"), "");
}

TEST(AuthenticatorTest, BasicWithoutCredentialIsAuthenticationRequired) {
  AuthFixture f(std::nullopt);
  EXPECT_EQ(f.auth->HandleChallenge(f.Challenge("Basic realm=\"r\""), kPull),
            PermissionDeniedError("authentication required"));
}

TEST(AuthenticatorTest, BasicOverPlainHttpToARemoteHostIsRefused) {
  AuthFixture f(Credential{"u", "p", ""}, "reg.example:80");
  ASSERT_TRUE(
      f.auth->HandleChallenge(f.Challenge("Basic realm=\"r\""), kPull).ok());
  EXPECT_EQ(f.AuthorizationFor(kPull, "http://reg.example:80/v2/").status(),
            PermissionDeniedError("refusing to send credentials over plain "
                                  "http to reg.example:80"));
}

TEST(AuthenticatorTest, BearerIsPreferredOverBasic) {
  AuthFixture f(std::nullopt);
  f.http.Expect("GET", "https://auth.example/token?scope=repository%3Aa%3Apull",
                Reply(200, R"({"token":"T"})"));
  ASSERT_TRUE(
      f.auth
          ->HandleChallenge(
              f.Challenge(
                  R"(Basic realm="r", Bearer realm="https://auth.example/token")"),
              kPull)
          .ok());
  EXPECT_EQ(*f.AuthorizationFor(kPull), "Bearer T");
}

TEST(AuthenticatorTest, UnusableChallenges) {
  AuthFixture f(std::nullopt);
  EXPECT_EQ(f.auth->HandleChallenge(Reply(401), kPull),
            PermissionDeniedError("authentication required (no challenge)"));
  EXPECT_EQ(f.auth->HandleChallenge(f.Challenge("Negotiate abc=="), kPull),
            UnimplementedError("unsupported authentication scheme "
                               "\"negotiate\""));
  EXPECT_EQ(f.auth->HandleChallenge(f.Challenge("Bearer service=x"), kPull),
            DataLossError("bearer challenge without a realm"));
  EXPECT_EQ(
      f.auth->HandleChallenge(f.Challenge("Bearer realm=\"file:///x\""), kPull),
      InvalidArgumentError("URL scheme \"file\" is not http or https"));
}

TEST(AuthenticatorTest, CredentialLookupErrorsSurface) {
  Authenticator::Options o;
  o.registry_host = "reg.example";
  o.credential = []() -> Result<std::optional<Credential>> {
    return FailedPreconditionError(
        "credential helper docker-credential-x: "
        "not found in PATH");
  };
  o.fetch = [](const HttpRequest&) -> Result<HttpResponse> {
    return InternalError("no fetch expected");
  };
  Authenticator auth(std::move(o));
  EXPECT_EQ(auth.HandleChallenge(
                Reply(401, "", {{"www-authenticate", "Basic realm=r"}}), {}),
            FailedPreconditionError("credential helper docker-credential-x: "
                                    "not found in PATH"));
}

}  // namespace
}  // namespace strata::registry
