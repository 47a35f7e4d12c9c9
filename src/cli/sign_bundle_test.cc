// strata sign --new-bundle-format / strata verify on Sigstore bundles stored
// as OCI referrers, against the real docker-registry (distribution 2.8: no
// referrers API, so the tag-schema fallback is what runs; skips with a
// message when docker-registry is absent).
#include "cli/sign_bundle.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/byte_source.h"
#include "base/json.h"
#include "cli/verify.h"
#include "cosign/bundle_store.h"
#include "registry/client.h"
#include "registry/http.h"
#include "registry/testing/harness.h"
#include "sigstore/bundle.h"
#include "sigstore/dsse.h"
#include "sigstore/sign.h"
#include "sigstore/trusted_root.h"

namespace strata::cli {
namespace {

namespace fs = std::filesystem;
using registry::testing::RegistryMode;
using registry::testing::RegistryServer;
using registry::testing::TempDir;

struct ShResult {
  int code = -1;
  std::string output;
};

ShResult Sh(const std::string& command, const std::string& redirect = " 2>&1") {
  ShResult r;
  FILE* p = popen((command + redirect).c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) {
    if (r.output.size() < (1 << 20)) r.output.append(buf, n);
  }
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string Strata() { return std::string(STRATA_BINARY_DIR) + "/strata"; }

// A key-signed bundle (no log entry) of cosign's statement about `subject`.
std::string KeyBundle(const crypto::PrivateKey& key, const Digest& subject) {
  std::unique_ptr<registry::HttpTransport> http =
      registry::NewCurlTransport({});
  sigstore::SignOptions o;
  o.key = &key;
  o.tlog_upload = false;
  o.http = http.get();
  Result<std::string> statement = cosign::MakeSignStatement(subject, {});
  EXPECT_TRUE(statement.ok());
  Result<sigstore::Bundle> b =
      sigstore::SignDsse(sigstore::kInTotoPayloadType, *statement, o);
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return json::Dump(sigstore::BundleToJson(*b));
}

TEST(VerifyImageBundles, PolicyAndStatementChecks) {
  Result<crypto::PrivateKey> key = crypto::PrivateKey::GenerateEcdsaP256();
  Result<crypto::PrivateKey> other_key =
      crypto::PrivateKey::GenerateEcdsaP256();
  ASSERT_TRUE(key.ok() && other_key.ok());
  const std::vector<crypto::PublicKey> keys = {*other_key->Public(),
                                               *key->Public()};
  const Digest image = Sha256Of("image");
  const Digest other = Sha256Of("other");
  std::vector<cosign::StoredBundle> stored(4);
  stored[0].bundle = KeyBundle(*key, image);
  stored[1].bundle = KeyBundle(*key, other);  // names another image
  stored[2].status = DataLossError("bundle manifest x: broken");
  stored[3].bundle = "{}";

  BundlePolicy p;
  p.keys = keys;
  p.ignore_tlog = true;
  BundleVerifyResult r = VerifyImageBundles(image, stored, p);
  ASSERT_EQ(r.verified.size(), 1u);
  EXPECT_EQ(r.verified[0].index, 0u);
  EXPECT_EQ(r.verified[0].key_index, 1u);
  EXPECT_EQ(r.verified[0].payload, *cosign::MakeSignStatement(image, {}));
  ASSERT_EQ(r.rejections.size(), 3u);
  EXPECT_EQ(r.rejections[0],
            "bundle 2: the statement's subjects do not "
            "include the image " +
                image.ToString());
  EXPECT_EQ(r.rejections[1], "bundle 3: bundle manifest x: broken");
  EXPECT_EQ(r.rejections[2].rfind("bundle 4: ", 0), 0u) << r.rejections[2];

  // The wrong key alone.
  p.keys = std::span<const crypto::PublicKey>(keys).first(1);
  r = VerifyImageBundles(image, {stored.data(), 1}, p);
  EXPECT_TRUE(r.verified.empty());
  ASSERT_EQ(r.rejections.size(), 1u);
  EXPECT_EQ(r.rejections[0].rfind("bundle 1: the "
                                  "envelope's signature does not verify",
                                  0),
            0u)
      << r.rejections[0];

  // The log is required unless ignored: without a trusted root ...
  p.keys = keys;
  p.ignore_tlog = false;
  r = VerifyImageBundles(image, {stored.data(), 1}, p);
  EXPECT_TRUE(r.verified.empty());
  EXPECT_EQ(r.rejections,
            std::vector<std::string>{
                "bundle 1: a transparency log entry must "
                "be verified: give --trusted-root, or --insecure-ignore-tlog "
                "to skip it"});
  // ... and with one, a bundle without an entry is refused.
  const fs::path root_file =
      fs::path(STRATA_SOURCE_DIR) /
      "../shared/conformance/sigstore/cosign/pkg/cosign/testdata/"
      "trusted_root_pgi.json";
  if (!fs::exists(root_file)) {
    GTEST_SKIP() << "no trusted root fixture at " << root_file.string();
  }
  std::ifstream in(root_file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  Result<sigstore::TrustedRoot> root = sigstore::ParseTrustedRoot(ss.str());
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  p.root = &*root;
  r = VerifyImageBundles(image, {stored.data(), 1}, p);
  EXPECT_TRUE(r.verified.empty());
  EXPECT_EQ(r.rejections,
            std::vector<std::string>{"bundle 1: the bundle "
                                     "has no transparency log entry"});
}

TEST(BundleVerifiedJson, PrintsCosignShape) {
  const Digest image = Sha256Of("image");
  VerifiedImageBundle key_signed;
  VerifiedImageBundle keyless;
  keyless.signer = "a@b.c";
  keyless.issuer = "https://issuer.example";
  const std::vector<VerifiedImageBundle> v = {key_signed, keyless};
  EXPECT_EQ(BundleVerifiedJson("reg/app:v1", image, v),
            "{\"critical\":{\"identity\":{\"docker-reference\":\"reg/app:v1\"},"
            "\"image\":{\"docker-manifest-digest\":\"" +
                image.ToString() +
                "\"},\"type\":\"https://sigstore.dev/cosign/sign/v1\"},"
                "\"optional\":{}},{\"critical\":{\"identity\":{\"docker-"
                "reference\":\"reg/app:v1\"},\"image\":{\"docker-manifest-"
                "digest\":\"" +
                image.ToString() +
                "\"},\"type\":\"https://sigstore.dev/cosign/sign/v1\"},"
                "\"optional\":{\"Issuer\":\"https://issuer.example\","
                "\"Subject\":\"a@b.c\"}}");
}

class SignBundleRegistryTest : public ::testing::Test {
 protected:
  void Start() {
    Result<std::unique_ptr<RegistryServer>> server =
        RegistryServer::Start(RegistryMode::kPlain);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = *std::move(server);
    registry::ClientOptions options;
    options.insecure_registries = {server_->host()};
    options.credential_store = std::make_shared<registry::CredentialStore>(
        registry::CredentialSources{});
    Result<std::unique_ptr<registry::Client>> client =
        registry::Client::Create(server_->host(), options);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = *std::move(client);
    Result<TempDir> dir = TempDir::Create("strata-bundletest");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    dir_.emplace(*std::move(dir));
    ShResult r = Sh("STRATA_PASSWORD=pw " + Strata() +
                    " generate-key-pair --output-key-prefix " +
                    dir_->Join("s") + " </dev/null");
    ASSERT_EQ(r.code, 0) << r.output;
    r = Sh("STRATA_PASSWORD=pw " + Strata() +
           " generate-key-pair --output-key-prefix " + dir_->Join("t") +
           " </dev/null");
    ASSERT_EQ(r.code, 0) << r.output;
  }

  oci::Descriptor PushBlob(const std::string& repo,
                           const std::string& media_type,
                           const std::string& bytes) {
    oci::Descriptor d;
    d.media_type = media_type;
    d.digest = Sha256Of(bytes);
    d.size = static_cast<int64_t>(bytes.size());
    Status st = client_->PushBlob(repo, d,
                                  [&]() -> Result<std::unique_ptr<ByteSource>> {
                                    return std::unique_ptr<ByteSource>(
                                        std::make_unique<MemorySource>(bytes));
                                  });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return d;
  }

  oci::Descriptor PushImage(const std::string& repo, const std::string& tag,
                            char fill) {
    const oci::Descriptor config =
        PushBlob(repo, std::string(oci::media::kOciConfig),
                 "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{"
                 "\"type\":\"layers\",\"diff_ids\":[]}}");
    const oci::Descriptor layer = PushBlob(
        repo, std::string(oci::media::kOciLayer), std::string(256, fill));
    const std::string manifest =
        "{\"schemaVersion\":2,\"mediaType\":\"" +
        std::string(oci::media::kOciManifest) +
        "\",\"config\":{\"mediaType\":\"" + config.media_type +
        "\",\"digest\":\"" + config.digest.ToString() +
        "\",\"size\":" + std::to_string(config.size) +
        "},\"layers\":[{\"mediaType\":\"" + layer.media_type +
        "\",\"digest\":\"" + layer.digest.ToString() +
        "\",\"size\":" + std::to_string(layer.size) + "}]}";
    oci::Descriptor d;
    d.media_type = std::string(oci::media::kOciManifest);
    d.digest = Sha256Of(manifest);
    d.size = static_cast<int64_t>(manifest.size());
    Result<bool> put = client_->PutManifest(repo, tag, d, manifest);
    EXPECT_TRUE(put.ok()) << put.status().ToString();
    return d;
  }

  std::string Entry(const std::string& ref, const Digest& image) {
    return BundleVerifiedJson(ref, image, std::vector<VerifiedImageBundle>(1));
  }

  std::unique_ptr<RegistryServer> server_;
  std::unique_ptr<registry::Client> client_;
  std::optional<TempDir> dir_;
};

#define REQUIRE_REGISTRY()                                        \
  if (Status probe = RegistryServer::Probe(RegistryMode::kPlain); \
      !probe.ok()) {                                              \
    GTEST_SKIP() << "registry tests need docker-registry: "       \
                 << probe.ToString();                             \
  }                                                               \
  ASSERT_NO_FATAL_FAILURE(Start())

TEST_F(SignBundleRegistryTest, CommandLineSignAndVerifyBothModes) {
  REQUIRE_REGISTRY();
  const oci::Descriptor image = PushImage("app/b", "v1", 'b');
  const std::string ref = server_->host() + "/app/b:v1";
  const std::string verify = Strata() + " verify --key " + dir_->Join("s.pub");

  ShResult sign =
      Sh("STRATA_PASSWORD=pw " + Strata() + " sign --key " +
         dir_->Join("s.key") + " --new-bundle-format " + ref + " </dev/null");
  ASSERT_EQ(sign.code, 0) << sign.output;
  Result<oci::Index> referrers = client_->Referrers(
      "app/b", image.digest, std::string(cosign::kBundleArtifactType));
  ASSERT_TRUE(referrers.ok()) << referrers.status().ToString();
  ASSERT_EQ(referrers->manifests.size(), 1u);
  EXPECT_EQ(sign.output, "Pushing signature to: " + server_->host() +
                             "/app/b@" +
                             referrers->manifests[0].digest.ToString() + "\n");

  // The log is required unless ignored.
  ShResult strict = Sh(verify + " " + ref);
  EXPECT_EQ(strict.code, 2) << strict.output;
  EXPECT_EQ(strict.output,
            "strata: bundle 1: a transparency log entry "
            "must be verified: give --trusted-root, or --insecure-ignore-tlog "
            "to skip it\nstrata: error: no valid signature for " +
                ref + "\n");

  ShResult ok = Sh(verify + " --insecure-ignore-tlog " + ref, " 2>/dev/null");
  EXPECT_EQ(ok.code, 0) << ok.output;
  EXPECT_EQ(ok.output, "[" + Entry(ref, image.digest) + "]\n");

  ShResult text =
      Sh(verify + " --insecure-ignore-tlog -o text " + ref, " 2>/dev/null");
  EXPECT_EQ(text.code, 0);
  EXPECT_EQ(text.output, *cosign::MakeSignStatement(image.digest, {}) + "\n");

  ShResult wrong = Sh(Strata() + " verify --key " + dir_->Join("t.pub") +
                      " --insecure-ignore-tlog " + ref);
  EXPECT_EQ(wrong.code, 2) << wrong.output;

  ShResult keyless_ignore =
      Sh(Strata() +
         " verify --certificate-identity a@b.c --certificate-oidc-issuer "
         "https://x --trusted-root /dev/null --insecure-ignore-tlog " +
         ref);
  EXPECT_EQ(keyless_ignore.code, 1);
  EXPECT_EQ(keyless_ignore.output,
            "strata: error: --insecure-ignore-tlog applies to --key "
            "verification only\n");

  // A legacy .sig signature too: both are listed, .sig first.
  ShResult legacy = Sh("STRATA_PASSWORD=pw " + Strata() + " sign --key " +
                       dir_->Join("s.key") + " " + ref + " </dev/null");
  ASSERT_EQ(legacy.code, 0) << legacy.output;
  ShResult both = Sh(verify + " --insecure-ignore-tlog " + ref, " 2>/dev/null");
  EXPECT_EQ(both.code, 0) << both.output;
  EXPECT_NE(both.output.find("\"type\":\"cosign container image signature\""),
            std::string::npos)
      << both.output;
  EXPECT_NE(both.output.find("," + Entry(ref, image.digest) + "]\n"),
            std::string::npos)
      << both.output;
  // The t key verifies neither: --require-all-keys fails on it.
  ShResult all = Sh(verify + " --key " + dir_->Join("t.pub") +
                    " --require-all-keys --insecure-ignore-tlog " + ref);
  EXPECT_EQ(all.code, 2) << all.output;
  EXPECT_NE(all.output.find("key 2: no signature verifies with it"),
            std::string::npos)
      << all.output;
}

TEST_F(SignBundleRegistryTest, BundleAboutAnotherImageIsRejected) {
  REQUIRE_REGISTRY();
  const oci::Descriptor image = PushImage("app/c", "v1", 'c');
  const oci::Descriptor other = PushImage("app/c", "v2", 'd');
  const std::string ref = server_->host() + "/app/c:v1";
  // Signed with the right key, about `other`, stored as a referrer of
  // `image` (the artifact's subject is `image`).
  Result<crypto::PrivateKey> key = crypto::PrivateKey::GenerateEcdsaP256();
  ASSERT_TRUE(key.ok());
  const std::string pub_file = dir_->Join("k.pub");
  {
    std::ofstream out(pub_file);
    out << key->Public()->ToPem();
  }
  Result<cosign::PushedBundle> pushed = cosign::PushBundle(
      *client_, "app/c", image, KeyBundle(*key, other.digest), "");
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  ShResult r = Sh(Strata() + " verify --insecure-ignore-tlog --key " +
                  pub_file + " " + ref);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_EQ(r.output,
            "strata: bundle 1: the statement's subjects do "
            "not include the image " +
                image.digest.ToString() +
                "\nstrata: error: no valid signature for " + ref + "\n");
  // The same bundle stored for `other` verifies there.
  ASSERT_TRUE(cosign::PushBundle(*client_, "app/c", other,
                                 KeyBundle(*key, other.digest), "")
                  .ok());
  ShResult there = Sh(Strata() + " verify --insecure-ignore-tlog --key " +
                      pub_file + " " + server_->host() + "/app/c:v2");
  EXPECT_EQ(there.code, 0) << there.output;
}

}  // namespace
}  // namespace strata::cli
