#include "registry/testing/harness.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "base/digest.h"
#include "base/json.h"
#include "registry/testing/raw_http.h"

namespace strata::registry::testing {
namespace {

#define SKIP_UNLESS_AVAILABLE(mode)                                  \
  do {                                                               \
    if (Status probe_ = RegistryServer::Probe(mode); !probe_.ok())   \
      GTEST_SKIP() << "registry unavailable: " << probe_.ToString(); \
  } while (0)

#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(STRATA_CONCAT_(result_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr)  \
  auto tmp = (expr);                                \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString(); \
  lhs = std::move(tmp).value()

bool ProcessGone(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

RawRequest Get(const RegistryServer& registry, std::string target = "/v2/") {
  RawRequest r;
  r.host = registry.host();
  r.tls = registry.tls();
  r.ca_cert_path = registry.ca_cert_path();
  r.target = std::move(target);
  return r;
}

std::string BasicAuth(const std::string& user, const std::string& pass) {
  return "Basic " + Base64(user + ":" + pass);
}

// Decodes one base64url JWT segment.
json::Json JwtPart(const std::string& jwt, int index) {
  size_t begin = 0;
  for (int i = 0; i < index; ++i) begin = jwt.find('.', begin) + 1;
  std::string part = jwt.substr(begin, jwt.find('.', begin) - begin);
  for (char& c : part) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (part.size() % 4 != 0) part += '=';
  auto decoded = DecodeBase64(part);
  if (!decoded.ok()) return nullptr;
  auto parsed = json::Parse(*decoded, "jwt part", 1 << 20);
  return parsed.ok() ? *parsed : json::Json();
}

std::string ErrorCodeOf(const std::string& body) {
  auto j = json::Parse(body, "error body", 1 << 20);
  if (!j.ok() || !j->contains("errors") || (*j)["errors"].empty()) return "";
  return (*j)["errors"][0].value("code", "");
}

// ---------------------------------------------------------------------------

TEST(TempDirTest, RemovesDirectoryWithContents) {
  std::string path;
  {
    ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create("strata-tempdir-test"));
    path = dir.path();
    ASSERT_TRUE(std::filesystem::is_directory(path));
    std::filesystem::create_directories(dir.Join("a/b"));
    std::ofstream(dir.Join("a/b/file")) << "x";
    TempDir moved = std::move(dir);
    EXPECT_TRUE(dir.path().empty());
    EXPECT_EQ(moved.path(), path);
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(PickFreePortTest, ReturnsBindableLoopbackPort) {
  ASSERT_OK_AND_ASSIGN(int port, PickFreePort());
  ASSERT_GT(port, 0);
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)),
            0)
      << std::strerror(errno);
}

TEST(PkiTest, IssuedServerCertVerifiesAgainstItsCaOnly) {
  ASSERT_OK_AND_ASSIGN(TestCa ca, TestCa::Create("ca"));
  ASSERT_OK_AND_ASSIGN(TestCa other, TestCa::Create("other"));
  ASSERT_OK_AND_ASSIGN(CertKey leaf, ca.Issue({.common_name = "leaf",
                                               .ip_addresses = {"127.0.0.1"}}));
  auto verifies = [&](const TestCa& root) {
    std::unique_ptr<X509_STORE, CHandleDeleter<X509_STORE, X509_STORE_free>>
        store(X509_STORE_new());
    X509_STORE_add_cert(store.get(), root.root().cert.get());
    std::unique_ptr<X509_STORE_CTX,
                    CHandleDeleter<X509_STORE_CTX, X509_STORE_CTX_free>>
        ctx(X509_STORE_CTX_new());
    X509_STORE_CTX_init(ctx.get(), store.get(), leaf.cert.get(), nullptr);
    return X509_verify_cert(ctx.get()) == 1;
  };
  EXPECT_TRUE(verifies(ca));
  EXPECT_FALSE(verifies(other));
  EXPECT_NE(leaf.KeyPem().find("BEGIN PRIVATE KEY"), std::string::npos);
}

TEST(PkiTest, Base64RoundTripsAndUrlFormHasNoPadding) {
  EXPECT_EQ(Base64("a?>"), "YT8+");
  EXPECT_EQ(Base64Url("a?>"), "YT8-");
  EXPECT_EQ(Base64Url("ab"), "YWI");
  ASSERT_OK_AND_ASSIGN(std::string decoded, DecodeBase64("YWI="));
  EXPECT_EQ(decoded, "ab");
  EXPECT_FALSE(DecodeBase64("YWI").ok());
}

// ---------------------------------------------------------------------------

TEST(RegistryServerTest, PlainAnswersV2AndCleansUp) {
  SKIP_UNLESS_AVAILABLE(RegistryMode::kPlain);
  pid_t pid = -1;
  std::string dir;
  {
    ASSERT_OK_AND_ASSIGN(auto registry,
                         RegistryServer::Start(RegistryMode::kPlain));
    pid = registry->pid();
    dir = registry->data_dir();
    EXPECT_EQ(registry->url(), "http://" + registry->host());
    EXPECT_TRUE(registry->ca_cert_path().empty());
    ASSERT_OK_AND_ASSIGN(RawResponse r, SendRawRequest(Get(*registry)));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.Header("Docker-Distribution-Api-Version"), "registry/2.0");
    EXPECT_TRUE(r.body_status.ok()) << r.body_status.ToString();
  }
  EXPECT_TRUE(ProcessGone(pid));
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(RegistryServerTest, TlsVerifiesAgainstItsCaAndNotAnother) {
  SKIP_UNLESS_AVAILABLE(RegistryMode::kTls);
  ASSERT_OK_AND_ASSIGN(auto registry,
                       RegistryServer::Start(RegistryMode::kTls));
  EXPECT_EQ(registry->url(), "https://" + registry->host());
  ASSERT_OK_AND_ASSIGN(RawResponse ok, SendRawRequest(Get(*registry)));
  EXPECT_EQ(ok.status, 200);

  ASSERT_OK_AND_ASSIGN(std::string other_ca, registry->MakeOtherCa());
  RawRequest bad = Get(*registry);
  bad.ca_cert_path = other_ca;
  auto failed = SendRawRequest(bad);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("certificate verify failed"),
            std::string::npos)
      << failed.status().ToString();

  // The certificate names localhost too.
  RawRequest by_name = Get(*registry);
  by_name.host = "localhost:" + std::to_string(registry->port());
  auto named = SendRawRequest(by_name);
  if (named.ok()) {  // localhost may resolve to ::1 only
    EXPECT_EQ(named->status, 200);
  }
}

TEST(RegistryServerTest, MutualTlsNeedsAClientCertificateFromTheCa) {
  SKIP_UNLESS_AVAILABLE(RegistryMode::kTls);
  ASSERT_OK_AND_ASSIGN(auto registry,
                       RegistryServer::Start(RegistryMode::kTls,
                                             {.require_client_certs = true}));
  EXPECT_FALSE(SendRawRequest(Get(*registry)).ok());

  ASSERT_OK_AND_ASSIGN(ClientCertFiles client,
                       registry->IssueClientCert("strata test client"));
  RawRequest with_cert = Get(*registry);
  with_cert.client_cert_path = client.cert_path;
  with_cert.client_key_path = client.key_path;
  ASSERT_OK_AND_ASSIGN(RawResponse r, SendRawRequest(with_cert));
  EXPECT_EQ(r.status, 200);
}

TEST(RegistryServerTest, BasicAuthRejectsMissingAndWrongCredentials) {
  SKIP_UNLESS_AVAILABLE(RegistryMode::kTlsBasicAuth);
  ASSERT_OK_AND_ASSIGN(auto registry,
                       RegistryServer::Start(RegistryMode::kTlsBasicAuth));
  ASSERT_FALSE(registry->username().empty());
  ASSERT_FALSE(registry->password().empty());

  ASSERT_OK_AND_ASSIGN(RawResponse anonymous, SendRawRequest(Get(*registry)));
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.Header("WWW-Authenticate"),
            "Basic realm=\"strata-test-registry\"");

  RawRequest wrong = Get(*registry);
  wrong.headers = {{"Authorization", BasicAuth(registry->username(), "nope")}};
  ASSERT_OK_AND_ASSIGN(RawResponse denied, SendRawRequest(wrong));
  EXPECT_EQ(denied.status, 401);

  RawRequest right = Get(*registry);
  right.headers = {
      {"Authorization", BasicAuth(registry->username(), registry->password())}};
  ASSERT_OK_AND_ASSIGN(RawResponse allowed, SendRawRequest(right));
  EXPECT_EQ(allowed.status, 200);
}

TEST(RegistryServerTest, TokenModeNeedsATokenServer) {
  SKIP_UNLESS_AVAILABLE(RegistryMode::kTlsToken);
  auto r = RegistryServer::Start(RegistryMode::kTlsToken);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "tls-token registry needs a token server");
}

// ---------------------------------------------------------------------------

class TokenFlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_UNLESS_AVAILABLE(RegistryMode::kTlsToken);
    ASSERT_OK_AND_ASSIGN(tokens_, TokenServer::Start(Options()));
    ASSERT_OK_AND_ASSIGN(
        registry_, RegistryServer::Start(RegistryMode::kTlsToken,
                                         {.token_server = tokens_.get()}));
  }
  virtual TokenServerOptions Options() { return {}; }

  // GET /token with the given query and credentials; returns the JSON.
  Result<json::Json> FetchToken(const std::string& query,
                                const std::string& password) {
    RawRequest r;
    r.host = tokens_->host();
    r.target = "/token?" + query;
    r.headers = {{"Authorization", BasicAuth(tokens_->username(), password)}};
    ASSIGN_OR_RETURN(RawResponse resp, SendRawRequest(r));
    if (resp.status != 200) {
      return UnavailableError("token status " + std::to_string(resp.status));
    }
    return json::Parse(resp.body, "token response", 1 << 20);
  }

  RawRequest WithBearer(const std::string& target, const std::string& token) {
    RawRequest r = Get(*registry_, target);
    r.headers = {{"Authorization", "Bearer " + token}};
    return r;
  }

  std::unique_ptr<TokenServer> tokens_;
  std::unique_ptr<RegistryServer> registry_;
};

TEST_F(TokenFlowTest, ChallengeThenTokenOpensV2AndPullScope) {
  ASSERT_OK_AND_ASSIGN(RawResponse challenge, SendRawRequest(Get(*registry_)));
  EXPECT_EQ(challenge.status, 401);
  EXPECT_EQ(challenge.Header("WWW-Authenticate"),
            "Bearer realm=\"" + tokens_->realm() + "\",service=\"" +
                tokens_->service() + "\"");
  EXPECT_EQ(registry_->username(), tokens_->username());

  ASSERT_OK_AND_ASSIGN(json::Json reply,
                       FetchToken("service=" + tokens_->service() +
                                      "&scope=repository:library/foo:pull",
                                  tokens_->password()));
  ASSERT_TRUE(reply.contains("token"));
  std::string token = reply["token"];
  EXPECT_EQ(reply["access_token"], token);
  EXPECT_EQ(reply["expires_in"], 300);
  EXPECT_EQ(tokens_->request_count(), 1);
  EXPECT_EQ(tokens_->tokens_issued(), 1);

  ASSERT_OK_AND_ASSIGN(RawResponse v2,
                       SendRawRequest(WithBearer("/v2/", token)));
  EXPECT_EQ(v2.status, 200);

  ASSERT_OK_AND_ASSIGN(
      RawResponse manifest,
      SendRawRequest(WithBearer("/v2/library/foo/manifests/latest", token)));
  EXPECT_EQ(manifest.status, 404);
  EXPECT_EQ(ErrorCodeOf(manifest.body), "MANIFEST_UNKNOWN") << manifest.body;

  // Without the scope the registry asks for it.
  ASSERT_OK_AND_ASSIGN(
      RawResponse other,
      SendRawRequest(WithBearer("/v2/library/bar/manifests/latest", token)));
  EXPECT_EQ(other.status, 401);
  EXPECT_NE(other.Header("WWW-Authenticate")
                .value_or("")
                .find("scope=\"repository:library/bar:pull\""),
            std::string::npos);
}

TEST_F(TokenFlowTest, TokenIsAnEs256JwtWithX5cAndRequestedAccess) {
  ASSERT_OK_AND_ASSIGN(
      json::Json reply,
      FetchToken("service=" + tokens_->service() +
                     "&scope=repository:a/b:pull,push&scope=repository:c:pull",
                 tokens_->password()));
  std::string token = reply["token"];
  json::Json header = JwtPart(token, 0);
  json::Json claims = JwtPart(token, 1);
  EXPECT_EQ(header["alg"], "ES256");
  EXPECT_EQ(header["typ"], "JWT");
  ASSERT_EQ(header["x5c"].size(), 1u);
  EXPECT_EQ(claims["iss"], tokens_->issuer());
  EXPECT_EQ(claims["aud"], tokens_->service());
  EXPECT_EQ(claims["sub"], tokens_->username());
  EXPECT_GT(claims["exp"].get<int64_t>(), claims["iat"].get<int64_t>());
  ASSERT_EQ(claims["access"].size(), 2u);
  EXPECT_EQ(claims["access"][0]["name"], "a/b");
  EXPECT_EQ(claims["access"][0]["actions"],
            json::Json::array({"pull", "push"}));
  EXPECT_EQ(claims["access"][1]["name"], "c");

  std::vector<TokenRequestRecord> seen = tokens_->requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].scopes,
            (std::vector<std::string>{"repository:a/b:pull,push",
                                      "repository:c:pull"}));
  EXPECT_TRUE(seen[0].had_basic_auth);
  EXPECT_EQ(seen[0].status, 200);
}

TEST_F(TokenFlowTest, WrongPasswordIsRefused) {
  RawRequest r;
  r.host = tokens_->host();
  r.target = "/token?service=" + tokens_->service();
  r.headers = {{"Authorization", BasicAuth(tokens_->username(), "wrong")}};
  ASSERT_OK_AND_ASSIGN(RawResponse resp, SendRawRequest(r));
  EXPECT_EQ(resp.status, 401);
  r.headers.clear();
  ASSERT_OK_AND_ASSIGN(RawResponse anonymous, SendRawRequest(r));
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(tokens_->request_count(), 2);
  EXPECT_EQ(tokens_->tokens_issued(), 0);
}

TEST_F(TokenFlowTest, RegistryRejectsForeignExpiredAndWrongAudienceTokens) {
  std::vector<TokenAccess> pull = {{"repository", "library/foo", {"pull"}}};
  const std::string target = "/v2/library/foo/manifests/latest";

  ASSERT_OK_AND_ASSIGN(std::string good,
                       tokens_->MintToken("u", tokens_->service(), pull, 60));
  ASSERT_OK_AND_ASSIGN(RawResponse accepted,
                       SendRawRequest(WithBearer(target, good)));
  EXPECT_EQ(accepted.status, 404);

  ASSERT_OK_AND_ASSIGN(auto stranger, TokenServer::Start());
  ASSERT_OK_AND_ASSIGN(std::string foreign,
                       stranger->MintToken("u", tokens_->service(), pull, 60));
  ASSERT_OK_AND_ASSIGN(RawResponse r1,
                       SendRawRequest(WithBearer(target, foreign)));
  EXPECT_EQ(r1.status, 401);

  // Expired beyond the registry's 60 s leeway.
  ASSERT_OK_AND_ASSIGN(std::string expired,
                       tokens_->MintToken("u", tokens_->service(), pull, -600));
  ASSERT_OK_AND_ASSIGN(RawResponse r2,
                       SendRawRequest(WithBearer(target, expired)));
  EXPECT_EQ(r2.status, 401);

  ASSERT_OK_AND_ASSIGN(std::string wrong_aud,
                       tokens_->MintToken("u", "other-service", pull, 60));
  ASSERT_OK_AND_ASSIGN(RawResponse r3,
                       SendRawRequest(WithBearer(target, wrong_aud)));
  EXPECT_EQ(r3.status, 401);
}

TEST_F(TokenFlowTest, PostPasswordGrantAndRefreshTokenWork) {
  RawRequest post;
  post.host = tokens_->host();
  post.method = "POST";
  post.target = "/token";
  post.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  post.body = "grant_type=password&username=" + tokens_->username() +
              "&password=" + tokens_->password() +
              "&service=" + tokens_->service() +
              "&scope=repository%3Alibrary%2Ffoo%3Apull+repository%3Ax%3Apull"
              "&access_type=offline&client_id=strata";
  ASSERT_OK_AND_ASSIGN(RawResponse first, SendRawRequest(post));
  ASSERT_EQ(first.status, 200) << first.body;
  auto reply = json::Parse(first.body, "reply", 1 << 20);
  ASSERT_TRUE(reply.ok());
  ASSERT_TRUE(reply->contains("refresh_token"));
  EXPECT_FALSE(reply->contains("token"));
  EXPECT_EQ(JwtPart((*reply)["access_token"], 1)["access"].size(), 2u);

  post.body = "grant_type=refresh_token&refresh_token=" +
              (*reply)["refresh_token"].get<std::string>() +
              "&service=" + tokens_->service() +
              "&scope=repository:library/foo:pull";
  post.chunked = true;
  post.expect_continue = true;
  ASSERT_OK_AND_ASSIGN(RawResponse second, SendRawRequest(post));
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_TRUE(second.got_continue);
  auto refreshed = json::Parse(second.body, "reply", 1 << 20);
  ASSERT_TRUE(refreshed.ok());
  ASSERT_OK_AND_ASSIGN(
      RawResponse manifest,
      SendRawRequest(WithBearer("/v2/library/foo/manifests/latest",
                                (*refreshed)["access_token"])));
  EXPECT_EQ(manifest.status, 404);

  post.body = "grant_type=refresh_token&refresh_token=bogus";
  ASSERT_OK_AND_ASSIGN(RawResponse bogus, SendRawRequest(post));
  EXPECT_EQ(bogus.status, 401);
  ASSERT_EQ(tokens_->requests().size(), 3u);
  EXPECT_EQ(tokens_->requests()[1].grant_type, "refresh_token");
}

class PullOnlyTokenFlowTest : public TokenFlowTest {
 protected:
  TokenServerOptions Options() override {
    TokenServerOptions o;
    o.allowed_actions = {"pull"};
    return o;
  }
};

TEST_F(PullOnlyTokenFlowTest, PushIsNotGrantedAndRegistryRefusesUpload) {
  ASSERT_OK_AND_ASSIGN(json::Json reply,
                       FetchToken("service=" + tokens_->service() +
                                      "&scope=repository:library/foo:pull,push",
                                  tokens_->password()));
  std::string token = reply["token"];
  EXPECT_EQ(JwtPart(token, 1)["access"][0]["actions"],
            json::Json::array({"pull"}));
  RawRequest upload = WithBearer("/v2/library/foo/blobs/uploads/", token);
  upload.method = "POST";
  ASSERT_OK_AND_ASSIGN(RawResponse r, SendRawRequest(upload));
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(
      r.Header("WWW-Authenticate").value_or("").find("insufficient_scope"),
      std::string::npos);
}

TEST(TokenServerTest, AnonymousTokensAndDisabledPost) {
  TokenServerOptions options;
  options.allow_anonymous = true;
  options.accept_post = false;
  options.password = "secret";
  ASSERT_OK_AND_ASSIGN(auto tokens, TokenServer::Start(options));
  EXPECT_EQ(tokens->password(), "secret");
  RawRequest get;
  get.host = tokens->host();
  get.target = "/token?scope=repository:x:pull";
  ASSERT_OK_AND_ASSIGN(RawResponse anonymous, SendRawRequest(get));
  ASSERT_EQ(anonymous.status, 200);
  auto reply = json::Parse(anonymous.body, "reply", 1 << 20);
  ASSERT_TRUE(reply.ok());
  json::Json claims = JwtPart((*reply)["token"], 1);
  EXPECT_EQ(claims["sub"], "");
  EXPECT_EQ(claims["aud"], tokens->service());  // no service parameter
  EXPECT_FALSE(reply->contains("refresh_token"));

  get.headers = {{"Authorization", BasicAuth("strata", "wrong")}};
  ASSERT_OK_AND_ASSIGN(RawResponse wrong, SendRawRequest(get));
  EXPECT_EQ(wrong.status, 401);

  RawRequest post = get;
  post.method = "POST";
  post.target = "/token";
  post.body = "grant_type=password&username=strata&password=secret";
  ASSERT_OK_AND_ASSIGN(RawResponse refused, SendRawRequest(post));
  EXPECT_EQ(refused.status, 404);
  EXPECT_EQ(tokens->request_count(), 3);
  EXPECT_EQ(tokens->tokens_issued(), 1);
}

// ---------------------------------------------------------------------------

// 64 KiB of varied bytes.
std::string TestBlob() {
  std::string blob(64 * 1024, '\0');
  uint32_t x = 12345;
  for (char& c : blob) {
    x = x * 1103515245 + 12345;
    c = static_cast<char>(x >> 16);
  }
  return blob;
}

class FaultProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_UNLESS_AVAILABLE(RegistryMode::kPlain);
    ASSERT_OK_AND_ASSIGN(registry_,
                         RegistryServer::Start(RegistryMode::kPlain));
    ASSERT_OK_AND_ASSIGN(proxy_, FaultProxy::Start(registry_->host()));
    blob_ = TestBlob();
    digest_ = Sha256Of(blob_).ToString();
  }

  RawRequest Req(std::string method, std::string target) {
    RawRequest r;
    r.host = proxy_->host();
    r.method = std::move(method);
    r.target = std::move(target);
    return r;
  }

  // Monolithic upload of blob_ through the proxy; the PUT as configured.
  void PushBlob(bool chunked, bool expect_continue) {
    ASSERT_OK_AND_ASSIGN(RawResponse start,
                         SendRawRequest(Req("POST", "/v2/t/r/blobs/uploads/")));
    ASSERT_EQ(start.status, 202) << start.body;
    std::string location = start.Header("Location").value_or("");
    ASSERT_EQ(location.rfind(proxy_->url() + "/v2/", 0), 0u) << location;
    std::string target = location.substr(proxy_->url().size());
    target += (target.find('?') == std::string::npos ? "?" : "&");
    RawRequest put = Req("PUT", target + "digest=" + digest_);
    put.body = blob_;
    put.chunked = chunked;
    put.expect_continue = expect_continue;
    ASSERT_OK_AND_ASSIGN(RawResponse done, SendRawRequest(put));
    ASSERT_EQ(done.status, 201) << done.body;
    EXPECT_EQ(done.got_continue, expect_continue);
  }

  std::string BlobPath() const { return "/v2/t/r/blobs/" + digest_; }

  std::unique_ptr<RegistryServer> registry_;
  std::unique_ptr<FaultProxy> proxy_;
  std::string blob_;
  std::string digest_;
};

TEST_F(FaultProxyTest, ForwardsContentLengthChunkedAndExpectContinueUploads) {
  ASSERT_NO_FATAL_FAILURE(PushBlob(/*chunked=*/false, /*expect=*/false));
  ASSERT_NO_FATAL_FAILURE(PushBlob(/*chunked=*/true, /*expect=*/true));
  ASSERT_NO_FATAL_FAILURE(PushBlob(/*chunked=*/false, /*expect=*/true));
  ASSERT_OK_AND_ASSIGN(RawResponse r, SendRawRequest(Req("GET", BlobPath())));
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body_status.ok()) << r.body_status.ToString();
  EXPECT_EQ(r.body, blob_);

  std::vector<ProxiedRequest> seen = proxy_->requests();
  ASSERT_EQ(seen.size(), 7u);
  EXPECT_EQ(seen[1].method, "PUT");
  EXPECT_FALSE(seen[1].chunked_body);
  EXPECT_EQ(seen[1].body_bytes, blob_.size());
  EXPECT_TRUE(seen[3].chunked_body);
  EXPECT_GT(seen[3].body_bytes, blob_.size());  // chunk framing included
  EXPECT_EQ(seen[3].status, 201);
  EXPECT_EQ(seen[6].status, 200);
  EXPECT_FALSE(seen[6].fault.has_value());
}

TEST_F(FaultProxyTest, RespondFaultAnswersWithoutForwardingForNTimes) {
  ASSERT_NO_FATAL_FAILURE(PushBlob(false, false));
  proxy_->ClearRequests();
  proxy_->AddFault(Fault::Respond("GET", "/blobs/", 503, /*times=*/2));
  for (int i = 0; i < 2; ++i) {
    ASSERT_OK_AND_ASSIGN(RawResponse r, SendRawRequest(Req("GET", BlobPath())));
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(ErrorCodeOf(r.body), "UNAVAILABLE");
  }
  ASSERT_OK_AND_ASSIGN(RawResponse head,
                       SendRawRequest(Req("HEAD", BlobPath())));
  EXPECT_EQ(head.status, 200);  // another method: not matched
  ASSERT_OK_AND_ASSIGN(RawResponse third,
                       SendRawRequest(Req("GET", BlobPath())));
  EXPECT_EQ(third.status, 200);
  EXPECT_EQ(third.body, blob_);

  std::vector<ProxiedRequest> seen = proxy_->requests();
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0].fault, FaultKind::kRespond);
  EXPECT_EQ(seen[1].status, 503);
  EXPECT_FALSE(seen[2].fault.has_value());
  EXPECT_FALSE(seen[3].fault.has_value());
}

TEST_F(FaultProxyTest, RespondFaultToExpectContinueSkipsTheBody) {
  proxy_->AddFault(Fault::Respond("PUT", "/uploads/", 500));
  ASSERT_OK_AND_ASSIGN(RawResponse start,
                       SendRawRequest(Req("POST", "/v2/t/r/blobs/uploads/")));
  ASSERT_EQ(start.status, 202);
  std::string target =
      start.Header("Location").value_or("").substr(proxy_->url().size());
  RawRequest put = Req("PUT", target + "&digest=" + digest_);
  put.body = blob_;
  put.expect_continue = true;
  ASSERT_OK_AND_ASSIGN(RawResponse r, SendRawRequest(put));
  EXPECT_EQ(r.status, 500);
  EXPECT_FALSE(r.got_continue);
  EXPECT_EQ(proxy_->requests().back().body_bytes, 0u);
}

TEST_F(FaultProxyTest, TooManyRequestsCarriesRetryAfterForever) {
  proxy_->AddFault(Fault::TooManyRequests("", "/v2/", 7, kForever));
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(RawResponse r, SendRawRequest(Req("GET", "/v2/")));
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(r.Header("Retry-After"), "7");
    EXPECT_EQ(ErrorCodeOf(r.body), "TOOMANYREQUESTS");
  }
  proxy_->ClearFaults();
  ASSERT_OK_AND_ASSIGN(RawResponse r, SendRawRequest(Req("GET", "/v2/")));
  EXPECT_EQ(r.status, 200);
}

TEST_F(FaultProxyTest, ResetAfterCutsTheBodyWithAReset) {
  ASSERT_NO_FATAL_FAILURE(PushBlob(false, false));
  proxy_->AddFault(Fault::ResetAfter("GET", "/blobs/sha256:", 1000));
  ASSERT_OK_AND_ASSIGN(RawResponse r, SendRawRequest(Req("GET", BlobPath())));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Length"), std::to_string(blob_.size()));
  EXPECT_EQ(r.body_status.code(), StatusCode::kUnavailable)
      << r.body_status.ToString();
  EXPECT_NE(r.body_status.message().find("Connection reset by peer"),
            std::string::npos)
      << r.body_status.ToString();
  EXPECT_LE(r.body.size(), 1000u);
  EXPECT_EQ(r.body, blob_.substr(0, r.body.size()));
  EXPECT_EQ(proxy_->requests().back().fault, FaultKind::kResetAfter);
}

TEST_F(FaultProxyTest, TruncateAfterClosesCleanlyShort) {
  ASSERT_NO_FATAL_FAILURE(PushBlob(false, false));
  proxy_->AddFault(Fault::TruncateAfter("GET", "/blobs/", 1000));
  ASSERT_OK_AND_ASSIGN(RawResponse r, SendRawRequest(Req("GET", BlobPath())));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Length"), std::to_string(blob_.size()));
  EXPECT_EQ(r.body_status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.body_status.message(), "truncated body");
  EXPECT_EQ(r.body, blob_.substr(0, 1000));
}

TEST_F(FaultProxyTest, CorruptByteFlipsExactlyOneByte) {
  ASSERT_NO_FATAL_FAILURE(PushBlob(false, false));
  proxy_->AddFault(Fault::CorruptByte("GET", "/blobs/", 40000));
  ASSERT_OK_AND_ASSIGN(RawResponse r, SendRawRequest(Req("GET", BlobPath())));
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body_status.ok());
  ASSERT_EQ(r.body.size(), blob_.size());
  int differing = 0;
  for (size_t i = 0; i < blob_.size(); ++i) differing += r.body[i] != blob_[i];
  EXPECT_EQ(differing, 1);
  EXPECT_EQ(static_cast<char>(~r.body[40000]), blob_[40000]);
  EXPECT_NE(Sha256Of(r.body).ToString(), digest_);
}

TEST_F(FaultProxyTest, DelayStillDeliversTheResponse) {
  ASSERT_NO_FATAL_FAILURE(PushBlob(false, false));
  proxy_->AddFault(Fault::Delay("GET", "/blobs/", 200));
  ASSERT_OK_AND_ASSIGN(RawResponse r, SendRawRequest(Req("GET", BlobPath())));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, blob_);
  EXPECT_EQ(proxy_->requests().back().fault, FaultKind::kDelay);
}

TEST_F(FaultProxyTest, RecordsRangeAndAuthorizationHeaders) {
  ASSERT_NO_FATAL_FAILURE(PushBlob(false, false));
  proxy_->ClearRequests();
  RawRequest ranged = Req("GET", BlobPath());
  ranged.headers = {{"Range", "bytes=10-19"}, {"Authorization", "Bearer abc"}};
  ASSERT_OK_AND_ASSIGN(RawResponse r, SendRawRequest(ranged));
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, blob_.substr(10, 10));
  ASSERT_OK_AND_ASSIGN(RawResponse plain,
                       SendRawRequest(Req("HEAD", BlobPath())));
  EXPECT_EQ(plain.status, 200);

  std::vector<ProxiedRequest> seen = proxy_->requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_TRUE(seen[0].has_range);
  EXPECT_EQ(seen[0].range, "bytes=10-19");
  EXPECT_TRUE(seen[0].has_authorization);
  EXPECT_EQ(seen[0].target, BlobPath());
  EXPECT_FALSE(seen[1].has_range);
  EXPECT_FALSE(seen[1].has_authorization);
  EXPECT_EQ(seen[1].method, "HEAD");
}

TEST_F(FaultProxyTest, UnreachableUpstreamIsBadGateway) {
  ASSERT_OK_AND_ASSIGN(int port, PickFreePort());
  ASSERT_OK_AND_ASSIGN(auto orphan,
                       FaultProxy::Start("127.0.0.1:" + std::to_string(port)));
  RawRequest r = Req("GET", "/v2/");
  r.host = orphan->host();
  ASSERT_OK_AND_ASSIGN(RawResponse resp, SendRawRequest(r));
  EXPECT_EQ(resp.status, 502);
}

}  // namespace
}  // namespace strata::registry::testing
