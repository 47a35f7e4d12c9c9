// End-to-end tests of the registry client, store, sink and copy against the
// real CNCF distribution registry (Debian's docker-registry), started by the
// harness on a free 127.0.0.1 port: plain HTTP, TLS with a generated CA,
// TLS + htpasswd basic auth, TLS + bearer tokens, and a fault-injecting
// proxy. Every test skips with a message when docker-registry is absent.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "base/json.h"
#include "oci/copy.h"
#include "oci/image.h"
#include "oci/sink.h"
#include "registry/cache.h"
#include "registry/sink.h"
#include "registry/store.h"
#include "registry/testing/harness.h"
#include "testing/image_writer.h"
#include "testing/tar_writer.h"
#include "testing/test_util.h"

namespace strata::registry {
namespace {

using testing::FaultProxy;
using testing::RegistryMode;
using testing::RegistryServer;
using Fault = testing::Fault;

#define REQUIRE_REGISTRY(mode)                                   \
  if (Status probe = RegistryServer::Probe(mode); !probe.ok()) { \
    GTEST_SKIP() << "registry tests need docker-registry: "      \
                 << probe.ToString();                            \
  }

std::unique_ptr<RegistryServer> MustStart(
    RegistryMode mode, const testing::RegistryOptions& o = {}) {
  auto r = RegistryServer::Start(mode, o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return nullptr;
  return *std::move(r);
}

::strata::testing::TestImage SmallImage(const std::string& arch,
                                        const std::string& marker) {
  ::strata::testing::TarWriter t;
  t.Dir("etc/");
  t.File("etc/os-release", "ID=test\nVERSION_ID=" + marker + "\n");
  // Incompressible bytes, so that blobs are large enough for the faults.
  std::string noise(600000, '\0');
  uint64_t x = 0x9e3779b97f4a7c15ull ^ arch.size() ^ marker[0];
  for (char& c : noise) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }
  t.File("bin/tool", noise + marker);
  t.File("var/lib/dpkg/status",
         "Package: tool\nStatus: install ok installed\nVersion: 1." + marker +
             "\nArchitecture: " + arch + "\n\n");
  ::strata::testing::TestImage img;
  img.architecture = arch;
  img.layers.push_back(
      {t.Finish(), ::strata::testing::LayerCompression::kGzip, ""});
  ::strata::testing::TarWriter t2;
  t2.File("app/data.bin", std::string(2'000'000, 'z') + marker);
  img.layers.push_back(
      {t2.Finish(), ::strata::testing::LayerCompression::kZstd, ""});
  return img;
}

class E2E : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::strata::testing::MakeTempDir("strata-reg-e2e");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A two-platform OCI layout at dir_/src.
  std::string WriteMulti() {
    std::string layout = dir_ + "/src";
    auto w = ::strata::testing::WriteOciLayout(
        layout, {SmallImage("amd64", "1"), SmallImage("arm64", "2")}, "v1");
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return layout;
  }
  std::string WriteSingle(const std::string& name, const std::string& marker) {
    std::string layout = dir_ + "/" + name;
    auto w = ::strata::testing::WriteOciLayout(
        layout, {SmallImage("amd64", marker)}, "v1");
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return layout;
  }

  static oci::ImageRef Ref(const std::string& s) {
    bool detect = false;
    auto r = oci::ParseReferenceSyntax(s, &detect);
    EXPECT_TRUE(r.ok()) << s << ": " << r.status().ToString();
    return *r;
  }

  // Copies a local reference to a registry reference.
  static Result<oci::CopyReport> Push(const std::string& src,
                                      const std::string& dst,
                                      const ClientOptions& co, bool all = true,
                                      PushOptions po = {}) {
    ASSIGN_OR_RETURN(oci::ImageRef sref, oci::ParseReference(src));
    ASSIGN_OR_RETURN(oci::ImageSource source, oci::OpenSource(sref));
    oci::ImageRef dref = Ref(dst);
    RegistryOptions ro;
    ro.client = co;
    ASSIGN_OR_RETURN(std::shared_ptr<Client> client, ClientFor(dref, ro));
    ASSIGN_OR_RETURN(std::unique_ptr<oci::ImageSink> sink,
                     OpenRegistrySink(dref, client, po));
    oci::CopyOptions opts;
    opts.all_platforms = all;
    opts.tag = dref.tag;
    return oci::Copy(source, *sink, opts);
  }

  // Copies a registry reference to a new local OCI layout.
  static Result<oci::CopyReport> Pull(const std::string& src,
                                      const std::string& layout,
                                      const ClientOptions& co,
                                      std::shared_ptr<BlobCache> cache = {},
                                      bool all = true) {
    RegistryOptions ro;
    ro.client = co;
    ro.cache = std::move(cache);
    ASSIGN_OR_RETURN(oci::ImageSource source, OpenRegistrySource(Ref(src), ro));
    bool detect = false;
    ASSIGN_OR_RETURN(oci::ImageRef dref, oci::ParseReferenceSyntax(
                                             "oci:" + layout + ":v1", &detect));
    ASSIGN_OR_RETURN(std::unique_ptr<oci::ImageSink> sink,
                     oci::OpenLocalSink(dref, oci::SinkOptions{}));
    oci::CopyOptions opts;
    opts.all_platforms = all;
    opts.tag = "v1";
    return oci::Copy(source, *sink, opts);
  }

  static std::string TopDigest(const std::string& reference) {
    auto ref = oci::ParseReference(reference);
    EXPECT_TRUE(ref.ok());
    auto s = oci::OpenSource(*ref);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? s->top.digest.ToString() : "";
  }

  std::string dir_;
};

TEST_F(E2E, PlainHttpRoundTripKeepsEveryDigest) {
  REQUIRE_REGISTRY(RegistryMode::kPlain);
  auto reg = MustStart(RegistryMode::kPlain);
  ASSERT_TRUE(reg);
  std::string src = WriteMulti();
  ClientOptions co;  // loopback: falls back to http because it is no TLS
  std::string name = "docker://" + reg->host() + "/team/app:v1";
  auto pushed = Push("oci:" + src + ":v1", name, co);
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  EXPECT_EQ(pushed->top.digest.ToString(), TopDigest("oci:" + src + ":v1"));

  auto client = Client::Create(reg->host(), co);
  ASSERT_TRUE(client.ok());
  auto tags = (*client)->ListTags("team/app");
  ASSERT_TRUE(tags.ok()) << tags.status().ToString();
  EXPECT_EQ(*tags, std::vector<std::string>{"v1"});

  auto pulled = Pull(name, dir_ + "/back", co);
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  EXPECT_EQ(pulled->top.digest, pushed->top.digest);
  EXPECT_EQ(TopDigest("oci:" + dir_ + "/back:v1"),
            pushed->top.digest.ToString());

  // The same image pushed again: every blob is already there.
  auto again = Push("oci:" + src + ":v1", name, co);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->blobs_copied, 0);
  EXPECT_GT(again->blobs_skipped, 0);

  // Resolving one platform reads the image as OpenImage would.
  RegistryOptions ro;
  ro.client = co;
  auto source = OpenRegistrySource(Ref(name), ro);
  ASSERT_TRUE(source.ok());
  oci::OpenOptions oo;
  oo.platform = oci::Platform{"linux", "arm64", "", ""};
  auto image = oci::ResolveImage(source->store, source->top, oo, source->base);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ((*image)->metadata().config.platform.architecture, "arm64");
  EXPECT_EQ((*image)->metadata().layers.size(), 2u);

  // No referrers API in registry 2.8: the tag-schema fallback answers.
  auto refs = (*client)->Referrers("team/app", pushed->top.digest);
  ASSERT_TRUE(refs.ok()) << refs.status().ToString();
  EXPECT_TRUE(refs->manifests.empty());
}

TEST_F(E2E, TlsIsVerifiedAgainstTheGivenCaAndNeverFallsBack) {
  REQUIRE_REGISTRY(RegistryMode::kTls);
  auto reg = MustStart(RegistryMode::kTls);
  ASSERT_TRUE(reg);
  std::string src = WriteSingle("one", "t");
  std::string name = "docker://" + reg->host() + "/tls/app:v1";

  ClientOptions untrusted;
  auto bad = Push("oci:" + src + ":v1", name, untrusted);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kFailedPrecondition)
      << bad.status().ToString();
  EXPECT_NE(bad.status().message().find("certificate"), std::string::npos)
      << bad.status().ToString();

  auto other = reg->MakeOtherCa();
  ASSERT_TRUE(other.ok());
  ClientOptions wrong_ca;
  wrong_ca.transport.tls.ca_cert_file = *other;
  EXPECT_FALSE(Push("oci:" + src + ":v1", name, wrong_ca).ok());

  ClientOptions trusted;
  trusted.transport.tls.ca_cert_file = reg->ca_cert_path();
  auto good = Push("oci:" + src + ":v1", name, trusted);
  ASSERT_TRUE(good.ok()) << good.status().ToString();

  ClientOptions insecure;
  insecure.transport.tls.verify = false;
  auto pulled = Pull(name, dir_ + "/back", insecure);
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  EXPECT_EQ(pulled->top.digest, good->top.digest);
}

TEST_F(E2E, ClientCertificatesForMutualTls) {
  REQUIRE_REGISTRY(RegistryMode::kTls);
  testing::RegistryOptions o;
  o.require_client_certs = true;
  auto reg = MustStart(RegistryMode::kTls, o);
  ASSERT_TRUE(reg);
  std::string src = WriteSingle("one", "m");
  std::string name = "docker://" + reg->host() + "/mtls/app:v1";
  ClientOptions co;
  co.transport.tls.ca_cert_file = reg->ca_cert_path();
  co.retry.max_attempts = 1;
  EXPECT_FALSE(Push("oci:" + src + ":v1", name, co).ok());
  auto cert = reg->IssueClientCert("strata-test-client");
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  co.transport.tls.client_cert_file = cert->cert_path;
  co.transport.tls.client_key_file = cert->key_path;
  auto pushed = Push("oci:" + src + ":v1", name, co);
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  auto pulled = Pull(name, dir_ + "/back", co);
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  EXPECT_EQ(pulled->top.digest, pushed->top.digest);
}

TEST_F(E2E, BasicAuthFromFlagsOrDockerConfig) {
  REQUIRE_REGISTRY(RegistryMode::kTlsBasicAuth);
  auto reg = MustStart(RegistryMode::kTlsBasicAuth);
  ASSERT_TRUE(reg);
  std::string src = WriteSingle("one", "b");
  std::string name = "docker://" + reg->host() + "/auth/app:v1";
  ClientOptions co;
  co.transport.tls.ca_cert_file = reg->ca_cert_path();
  // An empty config so the machine's own credentials play no part.
  std::string cfg = dir_ + "/docker";
  std::filesystem::create_directories(cfg);
  std::ofstream(cfg + "/config.json") << "{}";
  co.credential_store = std::make_shared<CredentialStore>(
      CredentialSources{std::nullopt, {cfg + "/config.json"}, ""});

  auto anonymous = Push("oci:" + src + ":v1", name, co);
  ASSERT_FALSE(anonymous.ok());
  EXPECT_EQ(anonymous.status().code(), StatusCode::kPermissionDenied)
      << anonymous.status().ToString();

  ClientOptions wrong = co;
  wrong.credential = Credential{reg->username(), "not-the-password", ""};
  auto denied = Push("oci:" + src + ":v1", name, wrong);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(denied.status().message().find("not-the-password"),
            std::string::npos);

  ClientOptions flags = co;
  flags.credential = Credential{reg->username(), reg->password(), ""};
  auto pushed = Push("oci:" + src + ":v1", name, flags);
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();

  // The same credentials from a docker config file ("auth": base64).
  std::string b64;
  {
    std::string up = reg->username() + ":" + reg->password();
    static const char* k =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i = 0;
    for (; i + 2 < up.size(); i += 3) {
      uint32_t v = (uint8_t(up[i]) << 16) | (uint8_t(up[i + 1]) << 8) |
                   uint8_t(up[i + 2]);
      for (int s = 18; s >= 0; s -= 6) b64 += k[(v >> s) & 63];
    }
    if (i < up.size()) {
      uint32_t v = uint8_t(up[i]) << 16;
      if (i + 1 < up.size()) v |= uint8_t(up[i + 1]) << 8;
      b64 += k[(v >> 18) & 63];
      b64 += k[(v >> 12) & 63];
      b64 += i + 1 < up.size() ? k[(v >> 6) & 63] : '=';
      b64 += '=';
    }
  }
  std::ofstream(cfg + "/config.json", std::ios::trunc)
      << "{\"auths\":{\"https://" << reg->host() << "/v1/\":{\"auth\":\"" << b64
      << "\"}}}";
  auto pulled = Pull(name, dir_ + "/back", co);
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  EXPECT_EQ(pulled->top.digest, pushed->top.digest);
}

TEST_F(E2E, BearerTokensAreFetchedOnceAndCachedPerScope) {
  REQUIRE_REGISTRY(RegistryMode::kTlsToken);
  auto tokens = testing::TokenServer::Start();
  ASSERT_TRUE(tokens.ok()) << tokens.status().ToString();
  testing::RegistryOptions ro;
  ro.token_server = tokens->get();
  auto reg = MustStart(RegistryMode::kTlsToken, ro);
  ASSERT_TRUE(reg);
  std::string src = WriteMulti();
  std::string name = "docker://" + reg->host() + "/tok/app:v1";
  ClientOptions co;
  co.transport.tls.ca_cert_file = reg->ca_cert_path();
  co.credential = Credential{(*tokens)->username(), (*tokens)->password(), ""};
  auto pushed = Push("oci:" + src + ":v1", name, co);
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  auto pulled = Pull(name, dir_ + "/back", co);
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  EXPECT_EQ(pulled->top.digest, pushed->top.digest);
  // 4 blobs + 3 manifests each way: tokens are reused within a client.
  EXPECT_GE((*tokens)->tokens_issued(), 2);
  EXPECT_LE((*tokens)->tokens_issued(), 6);
  for (const auto& r : (*tokens)->requests()) EXPECT_TRUE(r.had_basic_auth);

  ClientOptions anon = co;
  anon.credential.reset();
  std::string cfg = dir_ + "/empty.json";
  std::ofstream(cfg) << "{}";
  anon.credential_store = std::make_shared<CredentialStore>(
      CredentialSources{std::nullopt, {cfg}, ""});
  auto denied = Pull(name, dir_ + "/back2", anon);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), StatusCode::kPermissionDenied)
      << denied.status().ToString();
}

// A plain registry behind the fault proxy, seeded with one image.
class FaultTest : public E2E {
 protected:
  void SetUp() override {
    E2E::SetUp();
    if (!RegistryServer::Available(RegistryMode::kPlain)) return;
    reg_ = MustStart(RegistryMode::kPlain);
    ASSERT_TRUE(reg_);
    auto proxy = FaultProxy::Start(reg_->host());
    ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
    proxy_ = *std::move(proxy);
    std::string src = dir_ + "/seed";
    auto written = ::strata::testing::WriteOciLayout(
        src, {SmallImage("amd64", "f")}, "v1");
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    big_layer_ = (*written)[0].layer_digests[0];  // the incompressible one
    auto pushed = Push("oci:" + src + ":v1",
                       "docker://" + reg_->host() + "/f/app:v1", Direct());
    ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
    top_ = pushed->top;
    name_ = "docker://" + proxy_->host() + "/f/app:v1";
    auto cache = BlobCache::Open(dir_ + "/cache");
    ASSERT_TRUE(cache.ok());
    cache_ = *cache;
  }
  ClientOptions Direct() {
    ClientOptions co;
    co.insecure_registries = {reg_ ? reg_->host() : ""};
    return co;
  }
  // Through the proxy, with recorded (not slept) backoff delays.
  ClientOptions Proxied() {
    ClientOptions co;
    co.insecure_registries = {proxy_->host()};
    co.retry.max_attempts = 4;
    co.retry.max_total_ms = 60000;
    co.sleep = [this](int ms) { slept_ms_ += ms; };
    return co;
  }
  size_t CountRequests(std::string_view method, std::string_view part) {
    size_t n = 0;
    for (const auto& r : proxy_->requests()) {
      if (r.method == method && r.target.find(part) != std::string::npos) ++n;
    }
    return n;
  }
  // The bad blob has no entry and nothing is left half-written; the good
  // blobs fetched beside it may be cached.
  void ExpectBadBlobNotCached() {
    std::string hex = big_layer_.substr(big_layer_.find(':') + 1);
    EXPECT_FALSE(std::filesystem::exists(dir_ + "/cache/blobs/sha256/" + hex));
    EXPECT_TRUE(std::filesystem::is_empty(dir_ + "/cache/tmp"));
  }
  std::unique_ptr<RegistryServer> reg_;
  std::unique_ptr<FaultProxy> proxy_;
  oci::Descriptor top_;
  std::string name_;
  std::shared_ptr<BlobCache> cache_;
  std::atomic<int64_t> slept_ms_{0};
  std::string big_layer_;  // "sha256:...", about 600 kB
};

TEST_F(FaultTest, A500IsRetried) {
  REQUIRE_REGISTRY(RegistryMode::kPlain);
  proxy_->AddFault(Fault::Respond("GET", "/manifests/", 500, 1));
  auto pulled = Pull(name_, dir_ + "/back", Proxied());
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  EXPECT_EQ(pulled->top.digest, top_.digest);
  EXPECT_GE(CountRequests("GET", "/manifests/"), 2u);
  EXPECT_GT(slept_ms_.load(), 0);
}

TEST_F(FaultTest, A429HonoursRetryAfter) {
  REQUIRE_REGISTRY(RegistryMode::kPlain);
  proxy_->AddFault(Fault::TooManyRequests("GET", "/blobs/", 3, 1));
  auto pulled = Pull(name_, dir_ + "/back", Proxied());
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  EXPECT_GE(slept_ms_.load(), 3000);
}

TEST_F(FaultTest, AResetMidBlobResumesWithARange) {
  REQUIRE_REGISTRY(RegistryMode::kPlain);
  proxy_->AddFault(Fault::ResetAfter("GET", big_layer_, 100000, 1));
  auto pulled = Pull(name_, dir_ + "/back", Proxied(), cache_);
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  EXPECT_EQ(pulled->top.digest, top_.digest);
  bool ranged = false;
  for (const auto& r : proxy_->requests()) ranged |= r.has_range;
  EXPECT_TRUE(ranged);
}

TEST_F(FaultTest, AWrongDigestBlobIsAnErrorAndNeverCached) {
  REQUIRE_REGISTRY(RegistryMode::kPlain);
  proxy_->AddFault(
      Fault::CorruptByte("GET", big_layer_, 1000, testing::kForever));
  auto pulled = Pull(name_, dir_ + "/back", Proxied(), cache_);
  ASSERT_FALSE(pulled.ok());
  EXPECT_EQ(pulled.status().code(), StatusCode::kDataLoss)
      << pulled.status().ToString();
  EXPECT_NE(pulled.status().message().find("digest"), std::string::npos)
      << pulled.status().ToString();
  ExpectBadBlobNotCached();
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/back"));
}

TEST_F(FaultTest, ATruncatedBodyIsAnErrorAndNeverCached) {
  REQUIRE_REGISTRY(RegistryMode::kPlain);
  proxy_->AddFault(
      Fault::TruncateAfter("GET", big_layer_, 1000, testing::kForever));
  auto pulled = Pull(name_, dir_ + "/back", Proxied(), cache_);
  ASSERT_FALSE(pulled.ok());
  ExpectBadBlobNotCached();
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/back"));
}

TEST_F(FaultTest, Endless500GivesUpWithinTheBound) {
  REQUIRE_REGISTRY(RegistryMode::kPlain);
  proxy_->AddFault(Fault::Respond("", "/v2/", 500, testing::kForever));
  ClientOptions co = Proxied();
  auto pulled = Pull(name_, dir_ + "/back", co);
  ASSERT_FALSE(pulled.ok());
  EXPECT_EQ(pulled.status().code(), StatusCode::kUnavailable)
      << pulled.status().ToString();
  EXPECT_NE(pulled.status().message().find("gave up after 4 attempts"),
            std::string::npos)
      << pulled.status().ToString();
  EXPECT_LE(proxy_->requests().size(), 8u);
}

TEST_F(FaultTest, CrossRepositoryMountAndChunkedUpload) {
  REQUIRE_REGISTRY(RegistryMode::kPlain);
  ClientOptions co = Proxied();
  RegistryOptions ro;
  ro.client = co;
  auto source = OpenRegistrySource(Ref(name_), ro);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  oci::ImageRef dst = Ref("docker://" + proxy_->host() + "/g/copy:v2");
  auto client = ClientFor(dst, ro);
  ASSERT_TRUE(client.ok());
  PushOptions po;
  po.mount_from = "f/app";
  auto sink = OpenRegistrySink(dst, *client, po);
  ASSERT_TRUE(sink.ok());
  oci::CopyOptions opts;
  opts.tag = "v2";
  proxy_->ClearRequests();
  auto copied = oci::Copy(*source, **sink, opts);
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  EXPECT_EQ(copied->top.digest, top_.digest);
  EXPECT_GE(CountRequests("POST", "mount="), 3u);  // config + 2 layers
  EXPECT_EQ(CountRequests("PATCH", "/blobs/uploads/"), 0u);
  EXPECT_EQ(CountRequests("PUT", "/blobs/uploads/"), 0u);

  // A fresh repository, chunked: PATCH requests carry the content.
  std::string src = WriteSingle("chunky", "c");
  PushOptions chunked;
  chunked.chunk_size = 256 * 1024;
  proxy_->ClearRequests();
  auto pushed =
      Push("oci:" + src + ":v1", "docker://" + proxy_->host() + "/h/chunked:v1",
           co, true, chunked);
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  EXPECT_GE(CountRequests("PATCH", "/blobs/uploads/"), 3u);
  auto pulled = Pull("docker://" + proxy_->host() + "/h/chunked:v1",
                     dir_ + "/chunked-back", co);
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  EXPECT_EQ(pulled->top.digest, pushed->top.digest);
}

// The strata binary against a real registry: copy, ls, digest, and sbom
// (whose second run, by digest, needs no registry at all: the cache).

TEST_F(E2E, CommandLineCopyLsDigestAndCachedSbom) {
  REQUIRE_REGISTRY(RegistryMode::kTlsBasicAuth);
  const char* bin = std::getenv("STRATA_BIN");
  if (!bin) GTEST_SKIP() << "STRATA_BIN not set (run under ctest)";
  auto reg = MustStart(RegistryMode::kTlsBasicAuth);
  ASSERT_TRUE(reg);
  std::string src = WriteMulti();
  std::string flags = " --ca-cert " + reg->ca_cert_path() + " --username " +
                      reg->username() + " --password-stdin";
  std::string pw = "echo '" + reg->password() + "' | SOURCE_DATE_EPOCH=0 ";
  std::string name = reg->host() + "/cli/app";
  int st = 0;
  std::string digest = ::strata::testing::RunCommand(
      pw + bin + std::string(" copy -q --all-platforms oci:") + src +
          ":v1 docker://" + name + ":v1" + flags,
      &st);
  ASSERT_EQ(st, 0);
  EXPECT_EQ(digest, TopDigest("oci:" + src + ":v1") + "\n");
  EXPECT_EQ(::strata::testing::RunCommand(
                pw + bin + std::string(" ls ") + name + flags, &st),
            "v1\n");
  EXPECT_EQ(st, 0);
  EXPECT_EQ(
      ::strata::testing::RunCommand(
          pw + bin + std::string(" digest docker://") + name + ":v1" + flags,
          &st),
      digest);
  std::string cache = " --cache-dir " + dir_ + "/cache";
  std::string by_digest =
      "docker://" + name + "@" + digest.substr(0, digest.size() - 1);
  std::string sbom1 = ::strata::testing::RunCommand(
      pw + bin + std::string(" sbom -q -o json ") + by_digest + flags + cache,
      &st);
  ASSERT_EQ(st, 0);
  std::string local = ::strata::testing::RunCommand(
      std::string(bin) + " sbom -q -o json oci:" + src + ":v1", &st);
  ASSERT_EQ(st, 0);
  // Same packages; only the source reference differs.
  auto packages = [](const std::string& text) {
    auto doc = json::Parse(text, "sbom", 1 << 26);
    EXPECT_TRUE(doc.ok()) << text.substr(0, 200);
    return doc.ok() ? (*doc)["packages"].dump() : std::string();
  };
  EXPECT_EQ(packages(sbom1), packages(local));
  EXPECT_NE(packages(local).find("\"tool\""), std::string::npos) << local;

  // A wrong password: exit 1, a one-line error, the password never shown.
  std::string err = ::strata::testing::RunCommand(
      "echo wrong-pw-xyz | " + std::string(bin) + " ls " + name +
          " --ca-cert " + reg->ca_cert_path() + " --username " +
          reg->username() + " --password-stdin --verbose 2>&1",
      &st);
  EXPECT_EQ(st, 1);
  EXPECT_EQ(err.find("wrong-pw-xyz"), std::string::npos) << err;
  EXPECT_NE(err.find("strata: error: "), std::string::npos) << err;

  reg.reset();  // the registry is gone: the cache answers
  std::string sbom2 =
      ::strata::testing::RunCommand("SOURCE_DATE_EPOCH=0 " + std::string(bin) +
                                        " sbom -q -o json " + by_digest + cache,
                                    &st);
  EXPECT_EQ(st, 0);
  EXPECT_EQ(sbom2, sbom1);
}

}  // namespace
}  // namespace strata::registry
