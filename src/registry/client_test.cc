#include "registry/client.h"

#include <gtest/gtest.h>

#include "base/caps.h"
#include "base/json.h"
#include "registry/test_fake_http.h"

namespace strata::registry {
namespace {

using testing::FakeHttp;
using testing::Ok;
using testing::Reply;

constexpr std::string_view kRegistry = "https://reg.example/v2/";

const std::string kManifest =
    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
    R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:)" +
    std::string(64, 'c') + R"(","size":2},"layers":[]})";

std::string Url(std::string_view path) {
  return std::string(kRegistry) + std::string(path);
}

oci::Descriptor BlobDescriptor(std::string_view content) {
  oci::Descriptor d;
  d.media_type = std::string(oci::media::kOciLayerGzip);
  d.digest = Sha256Of(content);
  d.size = static_cast<int64_t>(content.size());
  return d;
}

HttpResponse Challenge(std::string value) {
  return Reply(401, "", {{"www-authenticate", std::move(value)}});
}

struct Fixture {
  explicit Fixture(std::string host = "reg.example",
                   std::optional<Credential> cred = std::nullopt,
                   RetryPolicy retry = {}) {
    ClientOptions o;
    o.http = http;
    o.sleep = [this](int ms) { sleeps.push_back(ms); };
    o.now_ms = [this] { return now_ms; };
    o.credential = std::move(cred);
    o.credential_store = std::make_shared<CredentialStore>(CredentialSources{});
    o.insecure_registries = {"insecure.example:5000"};
    o.retry = retry;
    Result<std::unique_ptr<Client>> c = Client::Create(std::move(host), o);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    client = std::move(*c);
  }
  // The whole blob through FetchBlob, or its error.
  Result<std::string> Fetch(const std::string& repo, const oci::Descriptor& d) {
    std::string got;
    RETURN_IF_ERROR(client->FetchBlob(repo, d, [&](std::span<const uint8_t> b) {
      got.append(reinterpret_cast<const char*>(b.data()), b.size());
      return Status::Ok();
    }));
    return got;
  }
  int64_t Slept() const {
    int64_t total = 0;
    for (int ms : sleeps) total += ms;
    return total;
  }

  std::shared_ptr<FakeHttp> http = std::make_shared<FakeHttp>();
  std::vector<int> sleeps;
  int64_t now_ms = 0;
  std::unique_ptr<Client> client;
};

// --- Names
// --------------------------------------------------------------------

TEST(ValidateRepositoryTest, FollowsTheDistributionGrammar) {
  for (const char* ok : {"alpine", "library/alpine", "a/b/c", "a.b", "a_b",
                         "a__b", "a-b", "a---b", "0x/9z", "a.b-c_d__e"}) {
    EXPECT_TRUE(ValidateRepository(ok).ok()) << ok;
  }
  for (const char* bad :
       {"", "Alpine", "a//b", "/a", "a/", "a..b", "a___b", "-a", "a-", "a.",
        "_a", "a b", "a:b", "a@b", "a/../b", "a/.", "a%2fb", "a?x", "a\nb"}) {
    EXPECT_FALSE(ValidateRepository(bad).ok()) << bad;
  }
  EXPECT_EQ(ValidateRepository("A/b"),
            InvalidArgumentError("invalid repository name \"A/b\""));
  EXPECT_EQ(ValidateRepository(std::string(256, 'a')),
            InvalidArgumentError("repository name longer than 255 "
                                 "characters"));
  EXPECT_TRUE(ValidateRepository(std::string(255, 'a')).ok());
}

TEST(ValidateTagTest, FollowsTheDistributionGrammar) {
  for (const char* ok : {"latest", "3.20", "_x", "A-b.C_d", "v1.0.0-rc.1"}) {
    EXPECT_TRUE(ValidateTag(ok).ok()) << ok;
  }
  for (const char* bad : {"", ".x", "-x", "a/b", "a:b", "a b", "a\x01"}) {
    EXPECT_FALSE(ValidateTag(bad).ok()) << bad;
  }
  EXPECT_TRUE(ValidateTag(std::string(128, 'a')).ok());
  EXPECT_EQ(ValidateTag(std::string(129, 'a')).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateTag("a\nb"), InvalidArgumentError("invalid tag \"a?b\""));
}

TEST(ReferrersTagTest, IsAlgorithmDashHex) {
  Digest d = Sha256Of("x");
  EXPECT_EQ(ReferrersTag(d), "sha256-" + d.hex());
  Digest long_digest = *Digest::Parse("sha512:" + std::string(128, 'a'));
  EXPECT_EQ(ReferrersTag(long_digest), "sha512-" + std::string(121, 'a'));
}

TEST(ClientTest, RefusesBadNamesBeforeAnyRequest) {
  Fixture f;
  EXPECT_EQ(f.client->GetManifest("Library/alpine", "3.20").status().ToString(),
            "registry reg.example: invalid repository name "
            "\"Library/alpine\"");
  EXPECT_EQ(f.client->GetManifest("alpine", "../x").status().ToString(),
            "registry reg.example: invalid tag \"../x\"");
  EXPECT_EQ(f.client->GetManifest("alpine", "sha256:zz").status().ToString(),
            "registry reg.example: invalid digest \"sha256:zz\"");
  EXPECT_EQ(f.http->seen().size(), 0u);
  EXPECT_EQ(Client::Create("evil/host", {}).status(),
            InvalidArgumentError("invalid registry host \"evil/host\""));
  EXPECT_EQ(Client::Create("a\nb:5000", {}).status(),
            InvalidArgumentError("invalid registry host \"a?b:5000\""));
  EXPECT_EQ(Client::Create("", {}).status(),
            InvalidArgumentError("invalid registry host \"\""));
}

// --- Manifests
// ------------------------------------------------------------------

TEST(ClientTest, GetManifestByTag) {
  Fixture f;
  f.http->Expect("GET", Url("library/alpine/manifests/3.20"),
                 Reply(200, kManifest,
                       {{"content-type",
                         "application/vnd.docker.distribution."
                         "manifest.v2+json"}}));
  Result<FetchedManifest> m = f.client->GetManifest("library/alpine", "3.20");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->bytes, kManifest);
  // The document's own mediaType (covered by the digest) wins.
  EXPECT_EQ(m->descriptor.media_type, oci::media::kOciManifest);
  EXPECT_EQ(m->descriptor.digest, Sha256Of(kManifest));
  EXPECT_EQ(m->descriptor.size, static_cast<int64_t>(kManifest.size()));
  EXPECT_EQ(f.http->seen()[0].Header("Accept"), kManifestAccept);
}

TEST(ClientTest, GetManifestMediaTypeFromContentTypeOrShape) {
  Fixture f;
  const std::string plain = R"({"schemaVersion":2,"manifests":[]})";
  f.http->Expect("GET", Url("a/manifests/t"),
                 Reply(200, plain,
                       {{"content-type",
                         "application/vnd.docker.distribution.manifest.list."
                         "v2+json; charset=utf-8"}}));
  f.http->Expect("GET", Url("a/manifests/u"),
                 Reply(200, plain, {{"content-type", "application/json"}}));
  EXPECT_EQ(f.client->GetManifest("a", "t")->descriptor.media_type,
            oci::media::kDockerManifestList);
  EXPECT_EQ(f.client->GetManifest("a", "u")->descriptor.media_type,
            oci::media::kOciIndex);
}

TEST(ClientTest, GetManifestByDigestVerifiesTheBytes) {
  Fixture f;
  Digest want = Sha256Of(kManifest);
  f.http->Expect("GET", Url("a/manifests/" + want.ToString()),
                 Reply(200, kManifest));
  ASSERT_TRUE(f.client->GetManifest("a", want.ToString()).ok());
  std::string other = kManifest + " ";
  f.http->Expect("GET", Url("a/manifests/" + want.ToString()),
                 Reply(200, other));
  Result<FetchedManifest> m = f.client->GetManifest("a", want.ToString());
  EXPECT_EQ(m.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(m.status().ToString(),
            "registry reg.example: manifest a@" + want.ToString() +
                ": digest mismatch: got " + Sha256Of(other).ToString() +
                ", want " + want.ToString());
}

TEST(ClientTest, GetManifestChecksTheRegistryDigestHeader) {
  Fixture f;
  Digest lie = Sha256Of("something else");
  f.http->Expect(
      "GET", Url("a/manifests/t"),
      Reply(200, kManifest, {{"docker-content-digest", lie.ToString()}}));
  EXPECT_EQ(f.client->GetManifest("a", "t").status(),
            DataLossError("manifest a:t: Docker-Content-Digest " +
                          lie.ToString() + " does not match the content " +
                          Sha256Of(kManifest).ToString())
                .WithContext("registry reg.example"));
}

TEST(ClientTest, GetManifestRefusesCorruptAndOversizedDocuments) {
  Fixture f;
  f.http->Expect("GET", Url("a/manifests/t"), Reply(200, "[1]"));
  EXPECT_EQ(f.client->GetManifest("a", "t").status().ToString(),
            "registry reg.example: manifest a:t: not a JSON object");
  f.http->Expect("GET", Url("a/manifests/t"),
                 Reply(200, std::string(caps::kMaxManifestBytes + 1, ' ')));
  EXPECT_EQ(f.client->GetManifest("a", "t").status().ToString(),
            "registry reg.example: manifest a:t: response body larger than "
            "4194304 bytes");
}

TEST(ClientTest, NotFoundNamesRegistryManifestAndCode) {
  // Loopback: https first; the server answers the handshake in plain HTTP.
  Fixture f("127.0.0.1:5000");
  f.http->ExpectError("GET", "https://127.0.0.1:5000/v2/",
                      UnavailableError(std::string(kNotTlsMessage)));
  f.http->Expect(
      "GET", "http://127.0.0.1:5000/v2/library/alpine/manifests/3.20",
      Reply(
          404,
          R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"3.20"}}]})"));
  Result<FetchedManifest> m = f.client->GetManifest("library/alpine", "3.20");
  EXPECT_EQ(m.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(m.status().ToString(),
            "registry 127.0.0.1:5000: manifest library/alpine:3.20: not found "
            "(MANIFEST_UNKNOWN)");
  // The scheme is decided once.
  f.http->Expect("GET", "http://127.0.0.1:5000/v2/a/manifests/t",
                 Reply(200, kManifest));
  EXPECT_TRUE(f.client->GetManifest("a", "t").ok());
}

TEST(ClientTest, LoopbackSpeakingTlsStaysOnHttps) {
  Fixture f("localhost:5000");
  f.http->Expect("GET", "https://localhost:5000/v2/", Reply(401));
  f.http->Expect("GET", "https://localhost:5000/v2/a/manifests/t",
                 Reply(200, kManifest));
  EXPECT_TRUE(f.client->GetManifest("a", "t").ok());
}

TEST(ClientTest, NeverFallsBackToHttpAfterACertificateFailure) {
  Fixture f("127.0.0.1:5000");
  f.http->ExpectError(
      "GET", "https://127.0.0.1:5000/v2/",
      FailedPreconditionError("TLS: certificate verify failed: self-signed"));
  EXPECT_EQ(f.client->GetManifest("a", "t").status().ToString(),
            "registry 127.0.0.1:5000: TLS: certificate verify failed: "
            "self-signed");
  EXPECT_EQ(f.http->seen().size(), 1u);
}

TEST(ClientTest, InsecureRegistriesUsePlainHttpWithoutPing) {
  Fixture f("insecure.example:5000");
  f.http->Expect("GET", "http://insecure.example:5000/v2/a/manifests/t",
                 Reply(200, kManifest));
  EXPECT_TRUE(f.client->GetManifest("a", "t").ok());
}

TEST(ClientTest, MapsRegistryErrors) {
  struct Case {
    int status;
    std::string body;
    StatusCode code;
    std::string message;
  };
  const std::string denied =
      R"({"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]})";
  for (const Case& c : std::vector<Case>{
           {403, denied, StatusCode::kPermissionDenied,
            "denied: requested access to the resource is denied (DENIED)"},
           {400,
            R"({"errors":[{"code":"NAME_INVALID","message":"invalid\nname"}]})",
            StatusCode::kInvalidArgument,
            "rejected: invalid name (NAME_INVALID)"},
           {405, "", StatusCode::kFailedPrecondition, "HTTP 405"},
           {404, "<html>not json</html>", StatusCode::kNotFound, "not found"},
           {501, R"({"errors":"weird"})", StatusCode::kFailedPrecondition,
            "HTTP 501"}}) {
    Fixture f;
    f.http->Expect("GET", Url("a/manifests/t"), Reply(c.status, c.body));
    Status s = f.client->GetManifest("a", "t").status();
    EXPECT_EQ(s.code(), c.code) << c.status;
    EXPECT_EQ(s.ToString(), "registry reg.example: manifest a:t: " + c.message);
  }
}

TEST(ClientTest, HeadManifestReadsHeaders) {
  Fixture f;
  Digest d = Sha256Of(kManifest);
  f.http->Expect("HEAD", Url("a/manifests/t"),
                 Reply(200, "",
                       {{"docker-content-digest", d.ToString()},
                        {"content-type", std::string(oci::media::kOciIndex)},
                        {"content-length", "1234"}}));
  Result<oci::Descriptor> got = f.client->HeadManifest("a", "t");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->digest, d);
  EXPECT_EQ(got->size, 1234);
  EXPECT_EQ(got->media_type, oci::media::kOciIndex);
}

TEST(ClientTest, HeadManifestFallsBackToGet) {
  Fixture f;
  f.http->Expect("HEAD", Url("a/manifests/t"),
                 Reply(200, "", {{"content-length", "10"}}));
  f.http->Expect("GET", Url("a/manifests/t"), Reply(200, kManifest));
  Result<oci::Descriptor> got = f.client->HeadManifest("a", "t");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->digest, Sha256Of(kManifest));
  EXPECT_EQ(got->media_type, oci::media::kOciManifest);
}

TEST(ClientTest, HeadManifestChecksTheAnswer) {
  Fixture f;
  Digest want = Sha256Of("want"), other = Sha256Of("other");
  f.http->Expect("HEAD", Url("a/manifests/" + want.ToString()),
                 Reply(200, "",
                       {{"docker-content-digest", other.ToString()},
                        {"content-type", "x"},
                        {"content-length", "10"}}));
  EXPECT_EQ(f.client->HeadManifest("a", want.ToString()).status().code(),
            StatusCode::kDataLoss);
  f.http->Expect("HEAD", Url("a/manifests/t"),
                 Reply(200, "",
                       {{"docker-content-digest", other.ToString()},
                        {"content-type", "x"},
                        {"content-length", "99999999"}}));
  EXPECT_EQ(f.client->HeadManifest("a", "t").status().ToString(),
            "registry reg.example: manifest a:t: larger than 4194304 bytes");
  f.http->Expect("HEAD", Url("a/manifests/gone"), Reply(404));
  EXPECT_EQ(f.client->HeadManifest("a", "gone").status().code(),
            StatusCode::kNotFound);
}

TEST(ClientTest, PutManifestSendsTheBytesAndReportsSubjectSupport) {
  Fixture f;
  oci::Descriptor d;
  d.media_type = std::string(oci::media::kOciManifest);
  d.digest = Sha256Of(kManifest);
  d.size = static_cast<int64_t>(kManifest.size());
  f.http->Expect(
      "PUT", Url("a/manifests/v1"),
      Reply(201, "", {{"docker-content-digest", d.digest.ToString()}}));
  f.http->Expect("PUT", Url("a/manifests/" + d.digest.ToString()),
                 Reply(201, "", {{"oci-subject", Sha256Of("s").ToString()}}));
  EXPECT_EQ(Ok(f.client->PutManifest("a", "v1", d, kManifest)), false);
  EXPECT_EQ(Ok(f.client->PutManifest("a", d.digest.ToString(), d, kManifest)),
            true);
  EXPECT_EQ(f.http->seen()[0].body, kManifest);
  EXPECT_EQ(f.http->seen()[0].Header("Content-Type"), oci::media::kOciManifest);
  EXPECT_EQ(f.client->PutManifest("a", "v1", d, kManifest + " ").status(),
            InvalidArgumentError("manifest a:v1: bytes do not match the "
                                 "descriptor")
                .WithContext("registry reg.example"));
  EXPECT_EQ(f.http->seen().size(), 2u);
}

// --- Auth
// -------------------------------------------------------------------------

constexpr const char* kBearer =
    R"(Bearer realm="https://auth.example/token",service="reg.example",scope="repository:a:pull")";
const std::string kTokenUrl =
    "https://auth.example/"
    "token?service=reg.example&scope=repository%3Aa%3Apull";

TEST(ClientTest, BearerTokenFlowAndCache) {
  Fixture f("reg.example", Credential{"user", "pass", ""});
  f.http->Expect("GET", Url("a/manifests/t"), Challenge(kBearer));
  f.http->Expect("GET", kTokenUrl,
                 Reply(200, R"({"token":"T","expires_in":120})"));
  f.http->Expect("GET", Url("a/manifests/t"), Reply(200, kManifest));
  f.http->Expect("GET", Url("a/manifests/u"), Reply(200, kManifest));
  ASSERT_TRUE(f.client->GetManifest("a", "t").ok());
  ASSERT_TRUE(f.client->GetManifest("a", "u").ok());  // cached token
  auto seen = f.http->seen();
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0].Header("Authorization"), "");
  EXPECT_EQ(seen[1].Header("Authorization"), "Basic dXNlcjpwYXNz");
  EXPECT_EQ(seen[2].Header("Authorization"), "Bearer T");
  EXPECT_EQ(seen[3].Header("Authorization"), "Bearer T");
  // After expiry a new token is fetched before the request is sent.
  f.now_ms += 120'000;
  f.http->Expect("GET", kTokenUrl, Reply(200, R"({"token":"T2"})"));
  f.http->Expect("GET", Url("a/manifests/v"), Reply(200, kManifest));
  ASSERT_TRUE(f.client->GetManifest("a", "v").ok());
  EXPECT_EQ(f.http->seen().back().Header("Authorization"), "Bearer T2");
}

TEST(ClientTest, BasicFlow) {
  Fixture f("reg.example", Credential{"lab", "labpass", ""});
  f.http->Expect("GET", Url("a/manifests/t"),
                 Challenge(R"(Basic realm="Registry Realm")"));
  f.http->Expect("GET", Url("a/manifests/t"), Reply(200, kManifest));
  ASSERT_TRUE(f.client->GetManifest("a", "t").ok());
  EXPECT_EQ(f.http->seen()[1].Header("Authorization"),
            "Basic bGFiOmxhYnBhc3M=");
}

TEST(ClientTest, UnauthorizedAfterAuthIsPermissionDenied) {
  Fixture f("reg.example", Credential{"lab", "wrong", ""});
  f.http->Expect("GET", Url("a/manifests/t"), Challenge("Basic realm=r"));
  f.http->Expect(
      "GET", Url("a/manifests/t"),
      Reply(
          401,
          R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})",
          {{"www-authenticate", "Basic realm=r"}}));
  Status s = f.client->GetManifest("a", "t").status();
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(s.ToString(),
            "registry reg.example: manifest a:t: unauthorized: authentication "
            "required (UNAUTHORIZED)");
}

TEST(ClientTest, BasicWithoutCredentialsIsAuthenticationRequired) {
  Fixture f;
  f.http->Expect("GET", Url("a/manifests/t"), Challenge("Basic realm=r"));
  EXPECT_EQ(f.client->GetManifest("a", "t").status().ToString(),
            "registry reg.example: manifest a:t: authentication required");
}

TEST(ClientTest, NeverSendsAPasswordInClearToARemoteTokenServer) {
  Fixture f("reg.example", Credential{"user", "pass", ""});
  f.http->Expect("GET", Url("a/manifests/t"),
                 Challenge(R"(Bearer realm="http://auth.example/token")"));
  Status s = f.client->GetManifest("a", "t").status();
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(s.ToString(),
            "registry reg.example: manifest a:t: refusing to send credentials "
            "over plain http to token server auth.example");
  EXPECT_EQ(f.http->seen().size(), 1u);
}

TEST(ClientTest, CredentialsComeFromTheStoreWhenNoneIsExplicit) {
  ClientOptions o;
  auto http = std::make_shared<FakeHttp>();
  o.http = http;
  CredentialSources sources;
  sources.explicit_credential = Credential{"stored", "pw", ""};
  o.credential_store = std::make_shared<CredentialStore>(sources);
  auto client = *Client::Create("reg.example", o);
  http->Expect("GET", Url("a/manifests/t"), Challenge("Basic realm=r"));
  http->Expect("GET", Url("a/manifests/t"), Reply(200, kManifest));
  ASSERT_TRUE(client->GetManifest("a", "t").ok());
  EXPECT_EQ(http->seen()[1].Header("Authorization"), "Basic c3RvcmVkOnB3");
}

// --- Retries
// ----------------------------------------------------------------------

TEST(ClientTest, RetriesServerErrorsThenSucceeds) {
  Fixture f;
  f.http->Expect("GET", Url("a/manifests/t"), Reply(500));
  f.http->ExpectError("GET", Url("a/manifests/t"),
                      UnavailableError("connection reset: recv failure"));
  f.http->Expect("GET", Url("a/manifests/t"), Reply(200, kManifest));
  EXPECT_TRUE(f.client->GetManifest("a", "t").ok());
  EXPECT_EQ(f.sleeps.size(), 2u);
}

TEST(ClientTest, HonoursRetryAfterOn429) {
  Fixture f;
  f.http->Expect("GET", Url("a/manifests/t"),
                 Reply(429, "", {{"retry-after", "7"}}));
  f.http->Expect("GET", Url("a/manifests/t"), Reply(200, kManifest));
  EXPECT_TRUE(f.client->GetManifest("a", "t").ok());
  EXPECT_EQ(f.sleeps, (std::vector<int>{7000}));
}

TEST(ClientTest, EndlessServerErrorsGiveUpWithinTheBudget) {
  RetryPolicy p;
  p.max_attempts = 1000;
  p.max_total_ms = 20000;
  Fixture f("reg.example", std::nullopt, p);
  for (int i = 0; i < 1000; ++i) {
    f.http->Expect("GET", Url("a/manifests/t"), Reply(503));
  }
  Status s = f.client->GetManifest("a", "t").status();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  std::string attempts = std::to_string(f.sleeps.size() + 1);
  EXPECT_EQ(s.ToString(), "registry reg.example: manifest a:t: gave up after " +
                              attempts + " attempts: HTTP 503");
  EXPECT_LE(f.Slept(), 20000);
  EXPECT_GT(f.sleeps.size(), 5u);
}

TEST(ClientTest, DoesNotRetryPermanentFailures) {
  Fixture f;
  f.http->ExpectError(
      "GET", Url("a/manifests/t"),
      FailedPreconditionError("TLS: certificate verify failed"));
  EXPECT_EQ(f.client->GetManifest("a", "t").status().ToString(),
            "registry reg.example: manifest a:t: TLS: certificate verify "
            "failed");
  EXPECT_TRUE(f.sleeps.empty());
}

// --- Blobs
// --------------------------------------------------------------------------

const std::string kBlob = "0123456789abcdefghijklmnopqrstuvwxyz";

TEST(ClientTest, FetchBlobStreamsAndVerifies) {
  Fixture f;
  oci::Descriptor d = BlobDescriptor(kBlob);
  f.http->Expect("GET", Url("a/blobs/" + d.digest.ToString()),
                 Reply(200, kBlob));
  EXPECT_EQ(Ok(f.Fetch("a", d)), kBlob);
}

TEST(ClientTest, FetchBlobResumesWithRangeAfterAReset) {
  Fixture f;
  oci::Descriptor d = BlobDescriptor(kBlob);
  std::string url = Url("a/blobs/" + d.digest.ToString());
  f.http->ExpectCut("GET", url, Reply(200, kBlob), 10,
                    UnavailableError("connection reset: recv failure"));
  f.http->Expect(
      "GET", url,
      Reply(206, kBlob.substr(10), {{"content-range", "bytes 10-35/36"}}));
  EXPECT_EQ(Ok(f.Fetch("a", d)), kBlob);
  auto seen = f.http->seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].Header("Range"), "");
  EXPECT_EQ(seen[1].Header("Range"), "bytes=10-");
  EXPECT_EQ(f.sleeps.size(), 1u);
}

TEST(ClientTest, FetchBlobSkipsDeliveredBytesWhenRangeIsIgnored) {
  Fixture f;
  oci::Descriptor d = BlobDescriptor(kBlob);
  std::string url = Url("a/blobs/" + d.digest.ToString());
  f.http->ExpectCut("GET", url, Reply(200, kBlob), 25,
                    UnavailableError("connection closed early: x"));
  f.http->ExpectCut("GET", url, Reply(200, kBlob), 30,
                    UnavailableError("connection closed early: y"));
  f.http->Expect("GET", url, Reply(200, kBlob));
  EXPECT_EQ(Ok(f.Fetch("a", d)), kBlob);
  auto seen = f.http->seen();
  EXPECT_EQ(seen[1].Header("Range"), "bytes=25-");
  EXPECT_EQ(seen[2].Header("Range"), "bytes=30-");
}

TEST(ClientTest, FetchBlobRefusesBadContent) {
  oci::Descriptor d = BlobDescriptor(kBlob);
  std::string url = Url("a/blobs/" + d.digest.ToString());
  std::string prefix = "registry reg.example: blob " + d.digest.ToString();
  std::string flipped = kBlob;
  flipped[5] ^= 1;
  struct Case {
    HttpResponse reply;
    std::string error;
  };
  for (const Case& c : std::vector<Case>{
           {Reply(200, flipped), prefix + ": digest mismatch: got " +
                                     Sha256Of(flipped).ToString() + ", want " +
                                     d.digest.ToString()},
           {Reply(200, kBlob + "!"),
            prefix + ": larger than its descriptor size 36"},
           {Reply(200, kBlob.substr(0, 20)),
            prefix + ": truncated: got 20 of 36 bytes"},
           {Reply(404, R"({"errors":[{"code":"BLOB_UNKNOWN"}]})"),
            prefix + ": not found (BLOB_UNKNOWN)"}}) {
    Fixture f;
    f.http->Expect("GET", url, c.reply);
    EXPECT_EQ(f.Fetch("a", d).status().ToString(), c.error);
  }
}

TEST(ClientTest, FetchBlobRefusesAWrongRange) {
  Fixture f;
  oci::Descriptor d = BlobDescriptor(kBlob);
  std::string url = Url("a/blobs/" + d.digest.ToString());
  f.http->ExpectCut("GET", url, Reply(200, kBlob), 10,
                    UnavailableError("connection reset: x"));
  f.http->Expect("GET", url,
                 Reply(206, kBlob, {{"content-range", "bytes 0-35/36"}}));
  EXPECT_EQ(f.Fetch("a", d).status().ToString(),
            "registry reg.example: blob " + d.digest.ToString() +
                ": asked for bytes from 10, got range \"bytes 0-35/36\"");
}

TEST(ClientTest, FetchBlobReturnsSinkErrorsUnchanged) {
  Fixture f;
  oci::Descriptor d = BlobDescriptor(kBlob);
  f.http->Expect("GET", Url("a/blobs/" + d.digest.ToString()),
                 Reply(200, kBlob));
  Status s = f.client->FetchBlob("a", d, [](std::span<const uint8_t>) {
    return UnavailableError("write /tmp/x: No space left on device");
  });
  EXPECT_EQ(s, UnavailableError("write /tmp/x: No space left on device")
                   .WithContext("registry reg.example"));
  EXPECT_TRUE(f.sleeps.empty());
}

TEST(ClientTest, FetchBlobGivesUpAfterRepeatedResets) {
  RetryPolicy p;
  p.max_attempts = 3;
  Fixture f("reg.example", std::nullopt, p);
  oci::Descriptor d = BlobDescriptor(kBlob);
  std::string url = Url("a/blobs/" + d.digest.ToString());
  for (int i = 0; i < 3; ++i) {
    f.http->ExpectCut("GET", url, Reply(200, kBlob), 0,
                      UnavailableError("connection reset: x"));
  }
  EXPECT_EQ(f.Fetch("a", d).status().ToString(),
            "registry reg.example: blob " + d.digest.ToString() +
                ": gave up after 3 attempts: connection reset: x");
}

TEST(ClientTest, BlobExists) {
  Fixture f;
  oci::Descriptor d = BlobDescriptor(kBlob);
  f.http->Expect("HEAD", Url("a/blobs/" + d.digest.ToString()), Reply(200));
  f.http->Expect("HEAD", Url("a/blobs/" + d.digest.ToString()), Reply(404));
  f.http->Expect("HEAD", Url("a/blobs/" + d.digest.ToString()), Reply(403));
  EXPECT_EQ(Ok(f.client->BlobExists("a", d)), true);
  EXPECT_EQ(Ok(f.client->BlobExists("a", d)), false);
  EXPECT_EQ(f.client->BlobExists("a", d).status().code(),
            StatusCode::kPermissionDenied);
}

// --- Uploads
// ------------------------------------------------------------------------

std::function<Result<std::unique_ptr<ByteSource>>()> Opener(
    const std::string& content, int* opens) {
  return [content, opens]() -> Result<std::unique_ptr<ByteSource>> {
    ++*opens;
    return std::unique_ptr<ByteSource>(new StringSource(content));
  };
}

TEST(ClientTest, PushBlobMonolithic) {
  Fixture f;
  oci::Descriptor d = BlobDescriptor(kBlob);
  f.http->Expect(
      "POST", Url("a/blobs/uploads/"),
      Reply(202, "", {{"location", "/v2/a/blobs/uploads/u1?_state=s"}}));
  f.http->Expect(
      "PUT",
      Url("a/blobs/uploads/u1?_state=s&digest=sha256%3A" + d.digest.hex()),
      Reply(201, "", {{"docker-content-digest", d.digest.ToString()}}));
  int opens = 0;
  ASSERT_TRUE(f.client->PushBlob("a", d, Opener(kBlob, &opens)).ok());
  EXPECT_EQ(opens, 1);
  auto seen = f.http->seen();
  EXPECT_EQ(seen[1].body, kBlob);
  EXPECT_EQ(seen[1].Header("Content-Type"), "application/octet-stream");
}

TEST(ClientTest, PushBlobChunked) {
  Fixture f;
  oci::Descriptor d = BlobDescriptor(kBlob);  // 36 bytes in chunks of 16
  f.http->Expect(
      "POST", Url("a/blobs/uploads/"),
      Reply(202, "",
            {{"location", "https://reg.example/v2/a/blobs/uploads/u1"}}));
  f.http->Expect("PATCH", Url("a/blobs/uploads/u1"),
                 Reply(202, "", {{"location", "u2"}, {"range", "0-15"}}));
  f.http->Expect("PATCH", Url("a/blobs/uploads/u2"),
                 Reply(202, "", {{"location", "u3"}, {"range", "0-31"}}));
  f.http->Expect("PATCH", Url("a/blobs/uploads/u3"),
                 Reply(202, "", {{"location", "u4?x=1"}, {"range", "0-35"}}));
  f.http->Expect(
      "PUT", Url("a/blobs/uploads/u4?x=1&digest=sha256%3A" + d.digest.hex()),
      Reply(201));
  int opens = 0;
  Status s = f.client->PushBlob("a", d, Opener(kBlob, &opens), 16);
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto seen = f.http->seen();
  EXPECT_EQ(seen[1].body, kBlob.substr(0, 16));
  EXPECT_EQ(seen[1].Header("Content-Range"), "0-15");
  EXPECT_EQ(seen[2].body, kBlob.substr(16, 16));
  EXPECT_EQ(seen[2].Header("Content-Range"), "16-31");
  EXPECT_EQ(seen[3].body, kBlob.substr(32));
  EXPECT_EQ(seen[3].Header("Content-Range"), "32-35");
  EXPECT_EQ(seen[4].body, "");
}

TEST(ClientTest, PushBlobRestartsAFailedUpload) {
  Fixture f;
  oci::Descriptor d = BlobDescriptor(kBlob);
  std::string put = Url("a/blobs/uploads/u?digest=sha256%3A" + d.digest.hex());
  f.http->Expect("POST", Url("a/blobs/uploads/"),
                 Reply(202, "", {{"location", "/v2/a/blobs/uploads/u"}}));
  f.http->Expect("PUT", put, Reply(502));
  f.http->Expect("POST", Url("a/blobs/uploads/"),
                 Reply(202, "", {{"location", "/v2/a/blobs/uploads/u"}}));
  f.http->Expect("PUT", put, Reply(201));
  int opens = 0;
  ASSERT_TRUE(f.client->PushBlob("a", d, Opener(kBlob, &opens)).ok());
  EXPECT_EQ(opens, 2);
  EXPECT_EQ(f.sleeps.size(), 1u);
}

TEST(ClientTest, PushBlobRestartsWhenTheTokenExpiredMidUpload) {
  Fixture f;
  oci::Descriptor d = BlobDescriptor(kBlob);
  std::string push_token =
      "https://auth.example/token?service=reg.example&scope=repository%3Aa%3A"
      "pull%2Cpush";
  std::string put = Url("a/blobs/uploads/u?digest=sha256%3A" + d.digest.hex());
  const char* challenge =
      R"(Bearer realm="https://auth.example/token",service="reg.example")";
  f.http->Expect("POST", Url("a/blobs/uploads/"), Challenge(challenge));
  f.http->Expect("GET", push_token, Reply(200, R"({"token":"P1"})"));
  f.http->Expect("POST", Url("a/blobs/uploads/"),
                 Reply(202, "", {{"location", "/v2/a/blobs/uploads/u"}}));
  f.http->Expect("PUT", put, Challenge(challenge));
  f.http->Expect("GET", push_token, Reply(200, R"({"token":"P2"})"));
  f.http->Expect("POST", Url("a/blobs/uploads/"),
                 Reply(202, "", {{"location", "/v2/a/blobs/uploads/u"}}));
  f.http->Expect("PUT", put, Reply(201));
  int opens = 0;
  Status s = f.client->PushBlob("a", d, Opener(kBlob, &opens));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(opens, 2);
  EXPECT_EQ(f.http->seen().back().Header("Authorization"), "Bearer P2");
  EXPECT_EQ(f.http->seen().back().body, kBlob);
}

TEST(ClientTest, PushBlobReportsRejections) {
  Fixture f;
  oci::Descriptor d = BlobDescriptor(kBlob);
  f.http->Expect("POST", Url("a/blobs/uploads/"),
                 Reply(202, "", {{"location", "/v2/a/blobs/uploads/u"}}));
  f.http->Expect(
      "PUT", Url("a/blobs/uploads/u?digest=sha256%3A" + d.digest.hex()),
      Reply(
          400,
          R"({"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match uploaded content"}]})"));
  int opens = 0;
  EXPECT_EQ(f.client->PushBlob("a", d, Opener(kBlob, &opens)).ToString(),
            "registry reg.example: blob " + d.digest.ToString() +
                ": rejected: provided digest did not match uploaded content "
                "(DIGEST_INVALID)");
  f.http->Expect("POST", Url("a/blobs/uploads/"), Reply(202));
  EXPECT_EQ(f.client->PushBlob("a", d, Opener(kBlob, &opens)).ToString(),
            "registry reg.example: blob " + d.digest.ToString() +
                ": upload answer without a Location header");
}

TEST(ClientTest, MountBlob) {
  Fixture f;
  oci::Descriptor d = BlobDescriptor(kBlob);
  std::string mount = Url("a/blobs/uploads/?mount=sha256%3A" + d.digest.hex() +
                          "&from=lib%2Fsrc");
  f.http->Expect("POST", mount, Reply(201));
  f.http->Expect("POST", mount,
                 Reply(202, "", {{"location", "/v2/a/blobs/uploads/abandon"}}));
  f.http->Expect("DELETE", Url("a/blobs/uploads/abandon"), Reply(204));
  EXPECT_EQ(Ok(f.client->MountBlob("a", d, "lib/src")), true);
  EXPECT_EQ(Ok(f.client->MountBlob("a", d, "lib/src")), false);
  EXPECT_EQ(f.http->pending(), 0u);
}

// --- Tags
// -----------------------------------------------------------------------------

TEST(ClientTest, ListTagsFollowsLinks) {
  Fixture f;
  f.http->Expect(
      "GET", Url("a/tags/list"),
      Reply(200, R"({"name":"a","tags":["1","2"]})",
            {{"link", R"(</v2/a/tags/list?last=2&n=2>; rel="next")"}}));
  f.http->Expect("GET", Url("a/tags/list?last=2&n=2"),
                 Reply(200, R"({"name":"a","tags":["3","4"]})",
                       {{"link",
                         "<https://reg.example/v2/a/tags/list?last=4&n=2>; "
                         "rel=next"}}));
  f.http->Expect("GET", Url("a/tags/list?last=4&n=2"),
                 Reply(200, R"({"name":"a","tags":null})"));
  Result<std::vector<std::string>> tags = f.client->ListTags("a");
  ASSERT_TRUE(tags.ok()) << tags.status().ToString();
  EXPECT_EQ(*tags, (std::vector<std::string>{"1", "2", "3", "4"}));
}

TEST(ClientTest, ListTagsRefusesForeignLinksAndLoops) {
  Fixture f;
  f.http->Expect(
      "GET", Url("a/tags/list"),
      Reply(
          200, R"({"tags":["1"]})",
          {{"link", R"(<https://evil.example/v2/a/tags/list>; rel="next")"}}));
  EXPECT_EQ(f.client->ListTags("a").status().ToString(),
            "registry reg.example: tags of a: Link to another host refused: "
            "https://evil.example/v2/a/tags/list");
  f.http->Expect("GET", Url("a/tags/list"),
                 Reply(200, R"({"tags":["1"]})",
                       {{"link", R"(</v2/a/tags/list?n=1>; rel="next")"}}));
  f.http->Expect("GET", Url("a/tags/list?n=1"),
                 Reply(200, R"({"tags":["1"]})",
                       {{"link", R"(</v2/a/tags/list?n=1>; rel="next")"}}));
  EXPECT_EQ(f.client->ListTags("a").status().ToString(),
            "registry reg.example: tags of a: pagination loop at "
            "https://reg.example/v2/a/tags/list?n=1");
  f.http->Expect("GET", Url("a/tags/list"), Reply(200, R"({"tags":[1]})"));
  EXPECT_EQ(f.client->ListTags("a").status().ToString(),
            "registry reg.example: tags of a: field \"tags\" must be an array "
            "of strings");
}

// --- Referrers
// ------------------------------------------------------------------------

std::string IndexWith(const std::vector<std::pair<std::string, std::string>>&
                          entries /* digest seed, artifactType */) {
  json::Json doc = {{"schemaVersion", 2},
                    {"mediaType", std::string(oci::media::kOciIndex)},
                    {"manifests", json::Json::array()}};
  for (const auto& [seed, type] : entries) {
    doc["manifests"].push_back(
        {{"mediaType", std::string(oci::media::kOciManifest)},
         {"digest", Sha256Of(seed).ToString()},
         {"size", 10},
         {"artifactType", type}});
  }
  return json::Dump(doc);
}

TEST(ClientTest, ReferrersApiWithPagesAndFilter) {
  Fixture f;
  Digest subject = Sha256Of("subject");
  std::string url = Url("a/referrers/" + subject.ToString() +
                        "?artifactType=application%2Fsig");
  f.http->Expect(
      "GET", url,
      Reply(200,
            IndexWith({{"s1", "application/sig"}, {"x", "application/sbom"}}),
            {{"link", "<" + url + "&last=1>; rel=\"next\""}}));
  f.http->Expect("GET", url + "&last=1",
                 Reply(200, IndexWith({{"s2", "application/sig"}})));
  Result<oci::Index> index =
      f.client->Referrers("a", subject, "application/sig");
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  ASSERT_EQ(index->manifests.size(), 2u);
  EXPECT_EQ(index->manifests[0].digest, Sha256Of("s1"));
  EXPECT_EQ(index->manifests[1].digest, Sha256Of("s2"));
}

TEST(ClientTest, ReferrersFallsBackToTheTagSchema) {
  Fixture f;
  Digest subject = Sha256Of("subject");
  std::string tag = "sha256-" + subject.hex();
  f.http->Expect("GET", Url("a/referrers/" + subject.ToString()), Reply(404));
  f.http->Expect("GET", Url("a/manifests/" + tag),
                 Reply(200, IndexWith({{"s1", "application/sig"},
                                       {"x", "application/sbom"}})));
  Result<oci::Index> index = f.client->Referrers("a", subject);
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_EQ(index->manifests.size(), 2u);

  f.http->Expect("GET",
                 Url("a/referrers/" + subject.ToString() +
                     "?artifactType=application%2Fsbom"),
                 Reply(404));
  f.http->Expect("GET", Url("a/manifests/" + tag),
                 Reply(200, IndexWith({{"s1", "application/sig"},
                                       {"x", "application/sbom"}})));
  index = f.client->Referrers("a", subject, "application/sbom");
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  ASSERT_EQ(index->manifests.size(), 1u);
  EXPECT_EQ(index->manifests[0].digest, Sha256Of("x"));

  f.http->Expect("GET", Url("a/referrers/" + subject.ToString()), Reply(404));
  f.http->Expect("GET", Url("a/manifests/" + tag), Reply(404));
  index = f.client->Referrers("a", subject);
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_TRUE(index->manifests.empty());
  EXPECT_EQ(index->media_type, oci::media::kOciIndex);
}

TEST(ClientTest, AddReferrerFallbackCreatesTheIndex) {
  Fixture f;
  Digest subject = Sha256Of("subject");
  std::string tag = "sha256-" + subject.hex();
  oci::Descriptor sig = BlobDescriptor("sig manifest");
  sig.media_type = std::string(oci::media::kOciManifest);
  sig.artifact_type = "application/sig";
  sig.annotations = {{"k", "v"}};
  f.http->Expect("GET", Url("a/manifests/" + tag), Reply(404));
  f.http->Expect("PUT", Url("a/manifests/" + tag), Reply(201));
  ASSERT_TRUE(f.client->AddReferrerFallback("a", subject, sig).ok());
  const auto put = f.http->seen()[1];
  EXPECT_EQ(put.Header("Content-Type"), oci::media::kOciIndex);
  EXPECT_EQ(
      put.body,
      R"({"manifests":[{"annotations":{"k":"v"},"artifactType":"application/sig",)"
      R"("digest":")" +
          sig.digest.ToString() +
          R"(","mediaType":"application/vnd.oci.image.manifest.v1+json",)"
          R"("size":12}],"mediaType":"application/vnd.oci.image.index.v1+json",)"
          R"("schemaVersion":2})");
}

TEST(ClientTest, AddReferrerFallbackAppendsAndReplaces) {
  Fixture f;
  Digest subject = Sha256Of("subject");
  std::string tag = "sha256-" + subject.hex();
  json::Json existing = json::Json::parse(
      IndexWith({{"old", "application/sig"}, {"same", "application/x"}}));
  existing["annotations"] = {{"keep", "me"}};
  oci::Descriptor same = BlobDescriptor("same");
  same.media_type = std::string(oci::media::kOciManifest);
  same.artifact_type = "application/new";
  f.http->Expect("GET", Url("a/manifests/" + tag),
                 Reply(200, json::Dump(existing)));
  f.http->Expect("PUT", Url("a/manifests/" + tag), Reply(201));
  ASSERT_TRUE(f.client->AddReferrerFallback("a", subject, same).ok());
  Result<oci::Index> written = oci::ParseIndex(f.http->seen()[1].body, "put");
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  ASSERT_EQ(written->manifests.size(), 2u);
  EXPECT_EQ(written->manifests[0].digest, Sha256Of("old"));
  EXPECT_EQ(written->manifests[1].digest, Sha256Of("same"));
  EXPECT_EQ(written->manifests[1].artifact_type, "application/new");
  EXPECT_EQ(written->annotations.at("keep"), "me");
}

TEST(ClientTest, AddReferrerFallbackRefusesANonIndexTag) {
  Fixture f;
  Digest subject = Sha256Of("subject");
  f.http->Expect("GET", Url("a/manifests/sha256-" + subject.hex()),
                 Reply(200, kManifest));
  Status s = f.client->AddReferrerFallback("a", subject, BlobDescriptor("x"));
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
  EXPECT_EQ(f.http->pending(), 0u);
  EXPECT_EQ(f.http->seen().size(), 1u);
}

}  // namespace
}  // namespace strata::registry
