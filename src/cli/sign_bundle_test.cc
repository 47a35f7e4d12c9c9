// strata sign --new-bundle-format / strata verify on Sigstore bundles stored
// as OCI referrers, against the real docker-registry (distribution 2.8: no
// referrers API, so the tag-schema fallback is what runs; skips with a
// message when docker-registry is absent).
#include "cli/sign_bundle.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/json.h"
#include "cli/verify.h"
#include "cosign/bundle_store.h"
#include "registry/client.h"
#include "registry/http.h"
#include "registry/testing/plain_registry.h"
#include "sigstore/bundle.h"
#include "sigstore/dsse.h"
#include "sigstore/sign.h"
#include "sigstore/trusted_root.h"
#include "testing/test_util.h"

namespace strata::cli {
namespace {

namespace fs = std::filesystem;
using registry::testing::PlainRegistryTest;
using registry::testing::PushTinyImage;
using strata::testing::RunShell;
using strata::testing::ShellOutcome;

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

// With --insecure-ignore-tlog only the envelope's signature is checked, so
// it must be the only one: a second (here a copy of the first, which the key
// would verify) is refused rather than ignored.
TEST(VerifyImageBundles, IgnoreTlogRefusesTwoSignatureEnvelopes) {
  Result<crypto::PrivateKey> key = crypto::PrivateKey::GenerateEcdsaP256();
  ASSERT_TRUE(key.ok());
  const std::vector<crypto::PublicKey> keys = {*key->Public()};
  const Digest image = Sha256Of("image");
  Result<json::Json> doc =
      json::Parse(KeyBundle(*key, image), "bundle", 1 << 20);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  json::Json& signatures = (*doc)["dsseEnvelope"]["signatures"];
  ASSERT_EQ(signatures.size(), 1u);
  std::vector<cosign::StoredBundle> stored(1);
  stored[0].bundle = json::Dump(*doc);
  BundlePolicy p;
  p.keys = keys;
  p.ignore_tlog = true;
  // The bundle as signed verifies ...
  BundleVerifyResult r = VerifyImageBundles(image, stored, p);
  ASSERT_EQ(r.verified.size(), 1u);
  EXPECT_TRUE(r.rejections.empty());
  // ... and with its one signature twice it does not.
  signatures.push_back(json::Json(signatures[0]));
  stored[0].bundle = json::Dump(*doc);
  r = VerifyImageBundles(image, stored, p);
  EXPECT_TRUE(r.verified.empty());
  EXPECT_EQ(r.rejections,
            std::vector<std::string>{
                "bundle 1: the envelope has 2 signatures, not exactly one"});
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

class SignBundleRegistryTest : public PlainRegistryTest {
 protected:
  void SetUp() override {
    PlainRegistryTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ShellOutcome r = RunShell("STRATA_PASSWORD=pw " + Strata() +
                              " generate-key-pair --output-key-prefix " +
                              dir_->Join("s") + " </dev/null 2>&1");
    ASSERT_EQ(r.code, 0) << r.out;
    r = RunShell("STRATA_PASSWORD=pw " + Strata() +
                 " generate-key-pair --output-key-prefix " + dir_->Join("t") +
                 " </dev/null 2>&1");
    ASSERT_EQ(r.code, 0) << r.out;
  }

  std::string Entry(const std::string& ref, const Digest& image) {
    return BundleVerifiedJson(ref, image, std::vector<VerifiedImageBundle>(1));
  }
};

TEST_F(SignBundleRegistryTest, CommandLineSignAndVerifyBothModes) {
  Result<oci::Descriptor> image = PushTinyImage(*client_, "app/b", "v1", "b");
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  const std::string ref = server_->host() + "/app/b:v1";
  const std::string verify = Strata() + " verify --key " + dir_->Join("s.pub");

  ShellOutcome sign = RunShell(
      "STRATA_PASSWORD=pw " + Strata() + " sign --tlog-upload=false --key " +
      dir_->Join("s.key") + " --new-bundle-format " + ref + " </dev/null 2>&1");
  ASSERT_EQ(sign.code, 0) << sign.out;
  Result<oci::Index> referrers = client_->Referrers(
      "app/b", image->digest, std::string(cosign::kBundleArtifactType));
  ASSERT_TRUE(referrers.ok()) << referrers.status().ToString();
  ASSERT_EQ(referrers->manifests.size(), 1u);
  EXPECT_EQ(sign.out, "Pushing signature to: " + server_->host() + "/app/b@" +
                          referrers->manifests[0].digest.ToString() + "\n");

  // The log is required unless ignored.
  ShellOutcome strict = RunShell(verify + " " + ref + " 2>&1");
  EXPECT_EQ(strict.code, 2) << strict.out;
  EXPECT_EQ(strict.out,
            "strata: bundle 1: a transparency log entry "
            "must be verified: give --trusted-root, or --insecure-ignore-tlog "
            "to skip it\nstrata: error: no valid signature for " +
                ref + "\n");

  ShellOutcome ok = RunShell(verify + " --insecure-ignore-tlog " + ref);
  EXPECT_EQ(ok.code, 0) << ok.out;
  EXPECT_EQ(ok.out, "[" + Entry(ref, image->digest) + "]\n");

  ShellOutcome text =
      RunShell(verify + " --insecure-ignore-tlog -o text " + ref);
  EXPECT_EQ(text.code, 0);
  EXPECT_EQ(text.out, *cosign::MakeSignStatement(image->digest, {}) + "\n");

  ShellOutcome wrong =
      RunShell(Strata() + " verify --key " + dir_->Join("t.pub") +
               " --insecure-ignore-tlog " + ref + " 2>&1");
  EXPECT_EQ(wrong.code, 2) << wrong.out;

  ShellOutcome keyless_ignore =
      RunShell(Strata() +
               " verify --certificate-identity a@b.c --certificate-oidc-issuer "
               "https://x --trusted-root /dev/null --insecure-ignore-tlog " +
               ref + " 2>&1");
  EXPECT_EQ(keyless_ignore.code, 1);
  EXPECT_EQ(keyless_ignore.out,
            "strata: error: --insecure-ignore-tlog applies to --key "
            "verification only\n");

  // A legacy .sig signature too: both are listed, .sig first.
  ShellOutcome legacy = RunShell(
      "STRATA_PASSWORD=pw " + Strata() + " sign --tlog-upload=false --key " +
      dir_->Join("s.key") + " " + ref + " </dev/null 2>&1");
  ASSERT_EQ(legacy.code, 0) << legacy.out;
  ShellOutcome both = RunShell(verify + " --insecure-ignore-tlog " + ref);
  EXPECT_EQ(both.code, 0) << both.out;
  EXPECT_NE(both.out.find("\"type\":\"cosign container image signature\""),
            std::string::npos)
      << both.out;
  EXPECT_NE(both.out.find("," + Entry(ref, image->digest) + "]\n"),
            std::string::npos)
      << both.out;
  // The t key verifies neither: --require-all-keys fails on it.
  ShellOutcome all =
      RunShell(verify + " --key " + dir_->Join("t.pub") +
               " --require-all-keys --insecure-ignore-tlog " + ref + " 2>&1");
  EXPECT_EQ(all.code, 2) << all.out;
  EXPECT_NE(all.out.find("key 2: no signature verifies with it"),
            std::string::npos)
      << all.out;
}

// --require-all-keys both ways: every key must verify some signature, and
// without it any one key suffices.
TEST_F(SignBundleRegistryTest, RequireAllKeysBothDirections) {
  Result<oci::Descriptor> image = PushTinyImage(*client_, "app/all", "v1", "k");
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  const std::string ref = server_->host() + "/app/all:v1";
  for (const char* k : {"s", "t"}) {
    ShellOutcome sign = RunShell(
        "STRATA_PASSWORD=pw " + Strata() + " sign --tlog-upload=false --key " +
        dir_->Join(std::string(k) + ".key") + " " + ref + " </dev/null 2>&1");
    ASSERT_EQ(sign.code, 0) << sign.out;
  }
  ShellOutcome u = RunShell("STRATA_PASSWORD=pw " + Strata() +
                            " generate-key-pair --output-key-prefix " +
                            dir_->Join("u") + " </dev/null 2>&1");
  ASSERT_EQ(u.code, 0) << u.out;
  const std::string s_pub = " --key " + dir_->Join("s.pub");
  const std::string t_pub = " --key " + dir_->Join("t.pub");
  const std::string u_pub = " --key " + dir_->Join("u.pub");

  // Both keys signed: all of them verify.
  ShellOutcome all = RunShell(Strata() + " verify" + s_pub + t_pub +
                              " --require-all-keys --insecure-ignore-tlog " +
                              ref + " 2>&1 >/dev/null");
  EXPECT_EQ(all.code, 0) << all.out;
  // u signed nothing: one key suffices ...
  ShellOutcome any =
      RunShell(Strata() + " verify" + s_pub + u_pub +
               " --insecure-ignore-tlog " + ref + " 2>/dev/null");
  EXPECT_EQ(any.code, 0) << any.out;
  // ... unless all are required.
  ShellOutcome missing =
      RunShell(Strata() + " verify" + s_pub + u_pub +
               " --require-all-keys --insecure-ignore-tlog " + ref + " 2>&1");
  EXPECT_EQ(missing.code, 2) << missing.out;
  EXPECT_EQ(missing.out,
            "strata: signature 2: signature does not verify with any of 2 "
            "keys\nstrata: key 2: no signature verifies with it\nstrata: "
            "error: no valid signature for " +
                ref + "\n");

  // A bundle-only image: the same key twice counts for both.
  Result<oci::Descriptor> bundled =
      PushTinyImage(*client_, "app/all", "v2", "l");
  ASSERT_TRUE(bundled.ok()) << bundled.status().ToString();
  const std::string bundled_ref = server_->host() + "/app/all:v2";
  ShellOutcome sign =
      RunShell("STRATA_PASSWORD=pw " + Strata() +
               " sign --tlog-upload=false --key " + dir_->Join("s.key") +
               " --new-bundle-format " + bundled_ref + " </dev/null 2>&1");
  ASSERT_EQ(sign.code, 0) << sign.out;
  ShellOutcome twice = RunShell(Strata() + " verify" + s_pub + s_pub +
                                " --require-all-keys --insecure-ignore-tlog " +
                                bundled_ref + " 2>/dev/null");
  EXPECT_EQ(twice.code, 0) << twice.out;
  EXPECT_EQ(twice.out, "[" + Entry(bundled_ref, bundled->digest) + "]\n");
  // And a key that signed no bundle is still named.
  ShellOutcome bundle_missing = RunShell(
      Strata() + " verify" + s_pub + u_pub +
      " --require-all-keys --insecure-ignore-tlog " + bundled_ref + " 2>&1");
  EXPECT_EQ(bundle_missing.code, 2) << bundle_missing.out;
  EXPECT_EQ(bundle_missing.out,
            "strata: key 2: no signature verifies with it\nstrata: error: "
            "no valid signature for " +
                bundled_ref + "\n");
}

TEST_F(SignBundleRegistryTest, BundleAboutAnotherImageIsRejected) {
  Result<oci::Descriptor> image = PushTinyImage(*client_, "app/c", "v1", "c");
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  Result<oci::Descriptor> other = PushTinyImage(*client_, "app/c", "v2", "d");
  ASSERT_TRUE(other.ok()) << other.status().ToString();
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
      *client_, "app/c", *image, KeyBundle(*key, other->digest), "");
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  ShellOutcome r = RunShell(Strata() + " verify --insecure-ignore-tlog --key " +
                            pub_file + " " + ref + " 2>&1");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_EQ(r.out,
            "strata: bundle 1: the statement's subjects do "
            "not include the image " +
                image->digest.ToString() +
                "\nstrata: error: no valid signature for " + ref + "\n");
  // The same bundle stored for `other` verifies there.
  ASSERT_TRUE(cosign::PushBundle(*client_, "app/c", *other,
                                 KeyBundle(*key, other->digest), "")
                  .ok());
  ShellOutcome there =
      RunShell(Strata() + " verify --insecure-ignore-tlog --key " + pub_file +
               " " + server_->host() + "/app/c:v2 2>&1");
  EXPECT_EQ(there.code, 0) << there.out;
}

}  // namespace
}  // namespace strata::cli
