// `strata sign-blob` and `strata verify-blob` through the real binary: the
// sigstore-conformance bundle-verify cases (via the conformance wrapper
// script, with the artifact and with its digest), and signing against the
// mock Sigstore services (keyless and with a key), cross-checked with the
// npm @sigstore/verify package. Each part skips with a message when what it
// needs (../shared, node and the mock's modules) is absent.
#include "cli/blob.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <thread>

#include "base/base64.h"
#include "base/digest.h"
#include "base/json.h"
#include "cli/exit_codes.h"
#include "crypto/keys.h"
#include "registry/http.h"
#include "sigstore/dsse.h"
#include "sigstore/sign.h"
#include "sigstore/trusted_root.h"
#include "sigstore/verify.h"
#include "testing/image_writer.h"
#include "testing/mock_sigstore.h"
#include "testing/test_util.h"

extern char** environ;

namespace strata::cli {
namespace {

namespace fs = std::filesystem;

const fs::path kShared = fs::path(STRATA_SOURCE_DIR) / "../shared";
const std::string kStrata = std::string(STRATA_BINARY_DIR) + "/strata";

std::string Q(const std::string& s) { return "'" + s + "'"; }

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// --- The conformance suite through the CLI ----------------------------------

constexpr char kDefaultIdentity[] =
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-"
    "beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/"
    "main";
constexpr char kDefaultIssuer[] = "https://token.actions.githubusercontent.com";

TEST(VerifyBlobCliTest, ConformanceBundleVerifyCasesThroughTheEntrypoint) {
  const fs::path conf = kShared / "conformance/sigstore";
  const fs::path cases =
      conf / "sigstore-conformance/test/assets/bundle-verify";
  if (!fs::exists(cases)) GTEST_SKIP() << "no " << cases.string();
  const std::string entry =
      std::string(STRATA_SOURCE_DIR) + "/tools/sigstore-conformance-entrypoint";
  int run = 0, passed = 0;
  for (const auto& e : fs::directory_iterator(cases)) {
    if (!e.is_directory()) continue;
    const fs::path dir = e.path();
    const std::string name = dir.filename().string();
    const bool must_fail = name.ends_with("_fail");
    const fs::path root =
        fs::exists(dir / "trusted_root.json")
            ? dir / "trusted_root.json"
            : conf /
                  "trusted-roots/"
                  "prod_trusted_root_from_sigstore_tuf_seeds.json";
    const fs::path artifact =
        fs::exists(dir / "artifact") ? dir / "artifact" : cases / "a.txt";
    std::string policy;
    if (fs::exists(dir / "key.pub")) {
      policy = "--key " + Q((dir / "key.pub").string());
    } else {
      const std::string id =
          fs::exists(dir / "identity")
              ? Trim(testing::ReadTestFile((dir / "identity").string()))
              : kDefaultIdentity;
      const std::string iss =
          fs::exists(dir / "issuer")
              ? Trim(testing::ReadTestFile((dir / "issuer").string()))
              : kDefaultIssuer;
      policy = "--certificate-identity " + Q(id) +
               " --certificate-oidc-issuer " + Q(iss);
    }
    const std::string digest =
        "sha256:" + Sha256Of(testing::ReadTestFile(artifact.string())).hex();
    for (const std::string& target : {artifact.string(), digest}) {
      ++run;
      int status = 0;
      const std::string out = testing::RunCommand(
          "STRATA=" + kStrata + " " + entry + " verify-bundle --bundle " +
              Q((dir / "bundle.sigstore.json").string()) + " " + policy +
              " --trusted-root " + Q(root.string()) + " " + Q(target) + " 2>&1",
          &status);
      // A bundle that does not verify exits 2; an unusable trusted root or
      // key file (two _fail cases) is an input error, exit 1.
      const bool ok = must_fail
                          ? (status == kExitCheckFailed || status == kExitError)
                          : status == 0;
      if (ok) ++passed;
      EXPECT_TRUE(ok) << name << " " << target << ": exit " << status << ": "
                      << out;
      if (!must_fail && status == 0) EXPECT_EQ(out, "Verified OK\n");
    }
  }
  EXPECT_EQ(run, 140);
  std::printf("conformance via the CLI: %d of %d cases as expected\n", passed,
              run);
}

TEST(VerifyBlobCliTest, UsageErrors) {
  std::string out;
  EXPECT_EQ(testing::RunStrata("verify-blob --bundle b --key k x", &out),
            kExitError);
  EXPECT_EQ(out,
            "strata: error: --trusted-root is required (no network trust root "
            "fetching)\n");
  EXPECT_EQ(
      testing::RunStrata("verify-blob --bundle b --trusted-root r x", &out),
      kExitError);
  EXPECT_NE(out.find("verify with --key, or with --certificate-identity"),
            std::string::npos)
      << out;
  EXPECT_EQ(
      testing::RunStrata("verify-blob --bundle b --certificate-identity i "
                         "--trusted-root r x",
                         &out),
      kExitError);
  EXPECT_EQ(out,
            "strata: error: --certificate-oidc-issuer or "
            "--certificate-oidc-issuer-regexp is required for keyless "
            "verification\n");
  EXPECT_EQ(testing::RunStrata("sign-blob /dev/null", &out), kExitError);
  EXPECT_EQ(out,
            "strata: error: sign with --key, or keyless with --identity-token "
            "(or SIGSTORE_ID_TOKEN)\n");
}

// --- Against the mock Sigstore services -------------------------------------

// Verifies a bundle with npm's @sigstore/verify; prints "ok" or the error.
constexpr char kNodeVerify[] = R"JS(
const fs = require('fs');
const { bundleFromJSON } = require('@sigstore/bundle');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');
const { TrustedRoot } = require('@sigstore/protobuf-specs');
const crypto = require('crypto');
const [root, bundle, artifact, mode, a, b] = process.argv.slice(2);
try {
  let keys;
  if (mode === 'key') {
    const k = crypto.createPublicKey(fs.readFileSync(a));
    keys = () => ({ publicKey: k, validFor: () => true });
  }
  const tm = toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(root))), keys);
  const v = new Verifier(tm, { tlogThreshold: 1, ctlogThreshold: mode === 'key' ? 0 : 1, tsaThreshold: 0 });
  const entity = toSignedEntity(bundleFromJSON(JSON.parse(fs.readFileSync(bundle))), fs.readFileSync(artifact));
  v.verify(entity, mode === 'key' ? undefined : { subjectAlternativeName: a, extensions: { issuer: b } });
  console.log('ok');
} catch (e) { console.log('error: ' + e.message); }
)JS";

class SignBlobMockTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::MakeTempDir("blob_cli"));
    mock_ = new testing::MockSigstore();
    skip_ = new std::string(
        mock_->Start(*dir_ + "/mock", "https://issuer.example.test"));
  }
  static void TearDownTestSuite() {
    delete mock_;
    fs::remove_all(*dir_);
    delete dir_;
    delete skip_;
  }
  void SetUp() override {
    if (!skip_->empty()) GTEST_SKIP() << *skip_;
    artifact_ = *dir_ + "/artifact.txt";
    std::ofstream(artifact_) << "hello, strata\n";
  }
  std::string Root() { return (*mock_)["TRUSTED_ROOT"]; }
  std::string Urls() {
    return " --fulcio-url " + (*mock_)["FULCIO_URL"] + " --rekor-url " +
           (*mock_)["REKOR_URL"] + " --timestamp-server-url " +
           (*mock_)["TSA_URL"] + " --trusted-root " + Root();
  }
  std::string Token() {
    return Trim(testing::ReadTestFile((*mock_)["IDENTITY_TOKEN"]));
  }
  std::string NodeVerify(const std::string& bundle, const std::string& artifact,
                         const std::string& mode, const std::string& a,
                         const std::string& b = "") {
    const std::string script = *dir_ + "/verify.js";
    std::ofstream(script) << kNodeVerify;
    int st = 0;
    return Trim(testing::RunCommand(
        "NODE_PATH=" + testing::MockSigstoreModules() + "/node_modules node " +
            script + " " + Root() + " " + bundle + " " + artifact + " " + mode +
            " " + Q(a) + " " + Q(b) + " 2>&1",
        &st));
  }
  int Verify(const std::string& bundle, const std::string& policy,
             const std::string& target, std::string* out) {
    return testing::RunStrata("verify-blob --bundle " + bundle + " " + policy +
                                  " --trusted-root " + Root() + " " + target,
                              out);
  }

  static std::string* dir_;
  static testing::MockSigstore* mock_;
  static std::string* skip_;
  std::string artifact_;
};
std::string* SignBlobMockTest::dir_;
testing::MockSigstore* SignBlobMockTest::mock_;
std::string* SignBlobMockTest::skip_;

constexpr char kId[] = "dev@example.test";
constexpr char kIssuer[] = "https://issuer.example.test";

// npm @sigstore/core reads a GeneralizedTime fraction only as exactly
// three digits, but DER drops trailing zeros: a mock TSA time whose
// milliseconds end in 0 (".5Z", ".12Z") makes the npm verifier say
// "invalid time" (about one bundle in ten). That is the peer's reader, not
// the bundle: `resign` makes a new one (a new timestamp), up to 5 times.
std::string NodeVerifyTolerant(const std::function<void()>& resign,
                               const std::function<std::string()>& verify) {
  std::string result = verify();
  for (int i = 0; i < 5 && result == "error: invalid time"; ++i) {
    resign();
    result = verify();
  }
  return result;
}

TEST_F(SignBlobMockTest, KeylessSignThenVerify) {
  const std::string bundle = *dir_ + "/keyless.sigstore.json";
  std::string out;
  ASSERT_EQ(testing::RunStrata(
                "sign-blob " + artifact_ + Urls() + " --bundle " + bundle, &out,
                "SIGSTORE_ID_TOKEN=" + Token()),
            0)
      << out;
  EXPECT_EQ(out, "Wrote bundle to file " + bundle + "\n");
  const std::string text = testing::ReadTestFile(bundle);
  EXPECT_NE(text.find("\"certificate\""), std::string::npos);
  EXPECT_NE(text.find("rfc3161Timestamps"), std::string::npos);
  EXPECT_NE(text.find("application/vnd.dev.sigstore.bundle.v0.3+json"),
            std::string::npos);

  const std::string ok_policy = std::string("--certificate-identity ") + kId +
                                " --certificate-oidc-issuer " + kIssuer;
  EXPECT_EQ(Verify(bundle, ok_policy, artifact_, &out), 0) << out;
  EXPECT_EQ(out, "Verified OK\n");
  EXPECT_EQ(Verify(bundle, ok_policy,
                   "sha256:" + Sha256Of("hello, strata\n").hex(), &out),
            0)
      << out;
  EXPECT_EQ(Verify(bundle,
                   "--certificate-identity-regexp '.*@example[.]test' "
                   "--certificate-oidc-issuer-regexp 'https://issuer[.].*'",
                   artifact_, &out),
            0)
      << out;
  EXPECT_EQ(
      NodeVerifyTolerant(
          [&] {
            EXPECT_EQ(testing::RunStrata("sign-blob " + artifact_ + Urls() +
                                             " --bundle " + bundle,
                                         &out, "SIGSTORE_ID_TOKEN=" + Token()),
                      0)
                << out;
          },
          [&] {
            return NodeVerify(bundle, artifact_, "identity", kId, kIssuer);
          }),
      "ok");

  // Failures: each a check, exit 2.
  EXPECT_EQ(Verify(bundle,
                   std::string("--certificate-identity eve@example.test "
                               "--certificate-oidc-issuer ") +
                       kIssuer,
                   artifact_, &out),
            kExitCheckFailed);
  EXPECT_NE(out.find("no certificate identity matches \"eve@example.test\""),
            std::string::npos)
      << out;
  EXPECT_EQ(Verify(bundle,
                   std::string("--certificate-identity ") + kId +
                       " --certificate-oidc-issuer https://evil.example.test",
                   artifact_, &out),
            kExitCheckFailed);
  EXPECT_NE(out.find("certificate issuer \"https://issuer.example.test\" does "
                     "not match \"https://evil.example.test\""),
            std::string::npos)
      << out;
  EXPECT_EQ(Verify(bundle,
                   std::string("--certificate-identity dev@example "
                               "--certificate-oidc-issuer ") +
                       kIssuer,
                   artifact_, &out),
            kExitCheckFailed);
  EXPECT_EQ(Verify(bundle,
                   std::string("--certificate-identity-regexp dev "
                               "--certificate-oidc-issuer ") +
                       kIssuer,
                   artifact_, &out),
            kExitCheckFailed);
  const std::string tampered = *dir_ + "/tampered.txt";
  std::ofstream(tampered) << "hello, strata!\n";
  EXPECT_EQ(Verify(bundle, ok_policy, tampered, &out), kExitCheckFailed);
  EXPECT_NE(out.find("message digest does not match"), std::string::npos)
      << out;
  EXPECT_NE(NodeVerify(bundle, tampered, "identity", kId, kIssuer), "ok");
  EXPECT_NE(
      NodeVerify(bundle, artifact_, "identity", "eve@example.test", kIssuer),
      "ok");
}

TEST_F(SignBlobMockTest, KeySignThenVerify) {
  std::string out;
  const std::string env = "STRATA_PASSWORD=pw";
  ASSERT_EQ(
      testing::RunStrata(
          "generate-key-pair --output-key-prefix " + *dir_ + "/k", &out, env),
      0)
      << out;
  const std::string bundle = *dir_ + "/key.sigstore.json";
  ASSERT_EQ(testing::RunStrata("sign-blob " + artifact_ + " --key " + *dir_ +
                                   "/k.key" + Urls() + " --bundle " + bundle +
                                   " --output-signature " + *dir_ + "/sig.b64",
                               &out, env),
            0)
      << out;
  EXPECT_NE(testing::ReadTestFile(bundle).find("\"hint\""), std::string::npos);
  EXPECT_FALSE(testing::ReadTestFile(*dir_ + "/sig.b64").empty());
  EXPECT_EQ(Verify(bundle, "--key " + *dir_ + "/k.pub", artifact_, &out), 0)
      << out;
  EXPECT_EQ(NodeVerifyTolerant(
                [&] {
                  EXPECT_EQ(testing::RunStrata(
                                "sign-blob " + artifact_ + " --key " + *dir_ +
                                    "/k.key" + Urls() + " --bundle " + bundle,
                                &out, env),
                            0)
                      << out;
                },
                [&] {
                  return NodeVerify(bundle, artifact_, "key", *dir_ + "/k.pub");
                }),
            "ok");
  const std::string tampered = *dir_ + "/tampered2.txt";
  std::ofstream(tampered) << "other\n";
  EXPECT_EQ(Verify(bundle, "--key " + *dir_ + "/k.pub", tampered, &out),
            kExitCheckFailed);
  // A key bundle is not a keyless one.
  EXPECT_EQ(Verify(bundle,
                   std::string("--certificate-identity ") + kId +
                       " --certificate-oidc-issuer " + kIssuer,
                   artifact_, &out),
            kExitCheckFailed);

  // Without a bundle, the base64 signature goes to stdout.
  ASSERT_EQ(testing::RunStrata("sign-blob " + artifact_ + " --key " + *dir_ +
                                   "/k.key --tlog-upload=false",
                               &out, env),
            0)
      << out;
  EXPECT_EQ(out.find("Wrote"), std::string::npos) << out;
  auto sig = Base64Decode(Trim(out));
  ASSERT_TRUE(sig.ok()) << out;
  auto pub =
      crypto::PublicKey::FromPem(testing::ReadTestFile(*dir_ + "/k.pub"));
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE(pub->Verify("hello, strata\n", *sig, crypto::Hash::kSha256).ok());
}

TEST_F(SignBlobMockTest, DsseThroughTheLibrary) {
  std::unique_ptr<registry::HttpTransport> http =
      registry::NewCurlTransport(registry::TransportOptions{});
  auto root = sigstore::ParseTrustedRoot(testing::ReadTestFile(Root()));
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  sigstore::SignOptions o;
  o.http = http.get();
  o.identity_token = Token();
  o.fulcio_url = (*mock_)["FULCIO_URL"];
  o.rekor_url = (*mock_)["REKOR_URL"];
  o.trusted_root = &*root;
  const std::string statement =
      R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a",)"
      R"("digest":{"sha256":")" +
      Sha256Of("hello, strata\n").hex() +
      R"("}}],"predicateType":"https://example.test/p","predicate":{}})";
  auto bundle = sigstore::SignDsse(sigstore::kInTotoPayloadType, statement, o);
  ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
  ASSERT_EQ(bundle->tlog_entries.size(), 1u);
  EXPECT_EQ(bundle->tlog_entries[0].kind, "dsse");
  const std::string path = *dir_ + "/dsse.sigstore.json";
  std::ofstream(path) << json::Dump(sigstore::BundleToJson(*bundle));
  std::string out;
  EXPECT_EQ(Verify(path,
                   std::string("--certificate-identity ") + kId +
                       " --certificate-oidc-issuer " + kIssuer,
                   artifact_, &out),
            0)
      << out;
  EXPECT_EQ(NodeVerifyTolerant(
                [&] {
                  auto again = sigstore::SignDsse(sigstore::kInTotoPayloadType,
                                                  statement, o);
                  ASSERT_TRUE(again.ok()) << again.status().ToString();
                  std::ofstream(path)
                      << json::Dump(sigstore::BundleToJson(*again));
                },
                [&] {
                  return NodeVerify(path, artifact_, "identity", kId, kIssuer);
                }),
            "ok");
}

}  // namespace
}  // namespace strata::cli
