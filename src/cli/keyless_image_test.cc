// Keyless signing of registry images through the real binary: `strata sign
// --identity-token` and `strata attest --identity-token` against the mock
// Sigstore services (../shared/lab/mock-sigstore) and the real
// docker-registry, then `strata verify` of what was pushed. Each part skips
// with a message when what it needs (docker-registry, node and the mock's
// modules) is absent.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <thread>
#include <tuple>

#include "base/base64.h"
#include "base/digest.h"
#include "cli/attest.h"
#include "cli/exit_codes.h"
#include "cli/sign.h"
#include "cli/verify.h"
#include "cosign/attest.h"
#include "cosign/bundle_store.h"
#include "cosign/payload.h"
#include "cosign/storage.h"
#include "pki/certificate.h"
#include "registry/client.h"
#include "registry/testing/plain_registry.h"
#include "sigstore/bundle.h"
#include "sigstore/trusted_root.h"
#include "testing/image_writer.h"
#include "testing/mock_sigstore.h"
#include "testing/test_util.h"

extern char** environ;

namespace strata::cli {
namespace {

namespace fs = std::filesystem;
using registry::testing::PlainRegistryTest;
using registry::testing::PushTinyImage;

const fs::path kShared = fs::path(STRATA_SOURCE_DIR) / "../shared";
// The mock Fulcio's identity for its default token (its email claim, as a
// URI SAN) and the issuer it is started with.
constexpr char kId[] = "dev@example.test";
constexpr char kIssuer[] = "https://issuer.example.test";

class KeylessImageTest : public PlainRegistryTest {
 protected:
  static void SetUpTestSuite() {
    suite_dir_ = new std::string(testing::MakeTempDir("keyless_image"));
    mock_ = new testing::MockSigstore();
    skip_ = new std::string(mock_->Start(*suite_dir_ + "/mock", kIssuer));
  }
  static void TearDownTestSuite() {
    delete mock_;
    fs::remove_all(*suite_dir_);
    delete suite_dir_;
    delete skip_;
  }
  void SetUp() override {
    if (!skip_->empty()) GTEST_SKIP() << *skip_;
    PlainRegistryTest::SetUp();
  }

  std::string Rekor() const { return " --rekor-url " + (*mock_)["REKOR_URL"]; }
  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = dir_->Join(name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  std::string Root() const { return (*mock_)["TRUSTED_ROOT"]; }
  std::string TokenFile() const { return (*mock_)["IDENTITY_TOKEN"]; }
  std::string Services() const {
    return " --fulcio-url " + (*mock_)["FULCIO_URL"] + " --rekor-url " +
           (*mock_)["REKOR_URL"];
  }
  std::string Policy(const std::string& identity,
                     const std::string& issuer) const {
    return " --certificate-identity " + identity +
           " --certificate-oidc-issuer " + issuer + " --trusted-root " + Root();
  }
  oci::ImageRef Ref(const std::string& repo_tag) const {
    return *oci::ParseRegistryName(server_->host() + "/" + repo_tag);
  }

  static std::string* suite_dir_;  // the mock's files
  static testing::MockSigstore* mock_;
  static std::string* skip_;
};
std::string* KeylessImageTest::suite_dir_;
testing::MockSigstore* KeylessImageTest::mock_;
std::string* KeylessImageTest::skip_;

TEST_F(KeylessImageTest, SignThenVerifyThroughTheBinary) {
  Result<oci::Descriptor> image = PushTinyImage(*client_, "app/kl", "v1", "k");
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  const std::string ref = server_->host() + "/app/kl:v1";
  std::string out;
  ASSERT_EQ(
      testing::RunStrata("sign --identity-token " + TokenFile() + Services() +
                             " --trusted-root " + Root() + " -a team=k " + ref,
                         &out),
      kExitOk)
      << out;
  EXPECT_EQ(out, "Pushing signature to: " + server_->host() +
                     "/app/kl:sha256-" + image->digest.hex() + ".sig\n");

  // The layer carries cosign's keyless annotations.
  Result<RemoteSignatures> sigs = FetchSignatures(*client_, Ref("app/kl:v1"));
  ASSERT_TRUE(sigs.ok()) << sigs.status().ToString();
  ASSERT_EQ(sigs->layers.size(), 1u);
  const cosign::SignatureLayer& layer = sigs->layers[0];
  EXPECT_EQ(
      layer.payload,
      cosign::MakePayload(server_->host() + "/app/kl", image->digest,
                          std::map<std::string, std::string>{{"team", "k"}}));
  ASSERT_TRUE(layer.certificate && layer.chain && layer.bundle);
  Result<std::vector<pki::Certificate>> leaf =
      pki::Certificate::ParsePemChain(*layer.certificate);
  ASSERT_TRUE(leaf.ok()) << leaf.status().ToString();
  ASSERT_EQ(leaf->size(), 1u);
  Result<crypto::PublicKey> leaf_key = (*leaf)[0].PublicKey();
  ASSERT_TRUE(leaf_key.ok());
  Result<std::string> sig = Base64Decode(layer.signature);
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(
      leaf_key->Verify(layer.payload, *sig, crypto::Hash::kSha256).ok());
  Result<std::vector<pki::Certificate>> chain =
      pki::Certificate::ParsePemChain(*layer.chain);
  ASSERT_TRUE(chain.ok()) << chain.status().ToString();
  EXPECT_GE(chain->size(), 1u);
  EXPECT_EQ(layer.bundle->rfind("{\"SignedEntryTimestamp\":\"", 0), 0u)
      << *layer.bundle;
  Result<sigstore::TransparencyLogEntry> entry =
      ParseRekorBundle(*layer.bundle);
  ASSERT_TRUE(entry.ok()) << entry.status().ToString();
  EXPECT_EQ(entry->kind, "hashedrekord");

  // Verified with the mock's identity, by tag and by digest.
  for (const std::string& name :
       {ref, server_->host() + "/app/kl@" + image->digest.ToString()}) {
    EXPECT_EQ(
        testing::RunStrata("verify" + Policy(kId, kIssuer) + " " + name, &out),
        kExitOk)
        << out;
  }
  EXPECT_EQ(testing::RunStrata(
                "verify" + Policy(kId, kIssuer) + " " + ref + " -o text", &out),
            kExitOk);
  EXPECT_NE(out.find("\"team\":\"k\""), std::string::npos) << out;

  // A wrong identity, a substring of it and a wrong issuer: exit 2.
  const std::string have = " (have \"dev@example.test\")";
  const std::string no_valid = "strata: error: no valid signature for " + ref;
  for (const auto& [identity, issuer, why] :
       {std::tuple<std::string, std::string, std::string>{
            "eve@example.test", kIssuer,
            "no certificate identity matches \"eve@example.test\"" + have},
        {"dev@example", kIssuer,
         "no certificate identity matches \"dev@example\"" + have},
        {"example.test", kIssuer,
         "no certificate identity matches \"example.test\"" + have},
        {kId, "https://issuer.example",
         "certificate issuer \"https://issuer.example.test\" does not match "
         "\"https://issuer.example\""},
        {kId, "https://evil.example.test",
         "certificate issuer \"https://issuer.example.test\" does not match "
         "\"https://evil.example.test\""}}) {
    EXPECT_EQ(testing::RunStrata(
                  "verify" + Policy(identity, issuer) + " " + ref, &out),
              kExitCheckFailed)
        << identity << " " << issuer;
    EXPECT_EQ(out, "strata: signature 1: " + why + "\n" + no_valid + "\n");
  }
  // Another run's trusted root (the keys differ): exit 2.
  testing::MockSigstore other;
  if (std::string why = other.Start(dir_->Join("other-mock"), kIssuer);
      why.empty()) {
    EXPECT_EQ(testing::RunStrata(
                  "verify --certificate-identity " + std::string(kId) +
                      " --certificate-oidc-issuer " + kIssuer +
                      " --trusted-root " + other["TRUSTED_ROOT"] + " " + ref,
                  &out),
              kExitCheckFailed)
        << out;
  }
}

TEST_F(KeylessImageTest, SignatureCopiedToAnotherImageIsRejected) {
  Result<oci::Descriptor> signed_image =
      PushTinyImage(*client_, "team/app", "v1", "a");
  Result<oci::Descriptor> forged =
      PushTinyImage(*client_, "team/app", "v2", "b");
  ASSERT_TRUE(signed_image.ok() && forged.ok());
  std::string out;
  ASSERT_EQ(testing::RunStrata(
                "sign" + Services() + " " + server_->host() + "/team/app:v1",
                &out, "SIGSTORE_ID_TOKEN=" + TokenFile()),
            kExitOk)
      << out;
  Result<RemoteSignatures> sigs = FetchSignatures(*client_, Ref("team/app:v1"));
  ASSERT_TRUE(sigs.ok()) << sigs.status().ToString();
  ASSERT_EQ(sigs->layers.size(), 1u);
  ASSERT_TRUE(cosign::PushSignature(*client_, "team/app", forged->digest,
                                    sigs->layers[0])
                  .ok());
  const std::string v2 = server_->host() + "/team/app:v2";
  EXPECT_EQ(
      testing::RunStrata("verify" + Policy(kId, kIssuer) + " " + v2, &out),
      kExitCheckFailed)
      << out;
  EXPECT_EQ(out, "strata: signature 1: signed manifest digest " +
                     signed_image->digest.ToString() + " is not the image's " +
                     forged->digest.ToString() +
                     "\nstrata: error: no valid signature for " + v2 + "\n");
  // The original still verifies.
  EXPECT_EQ(testing::RunStrata("verify" + Policy(kId, kIssuer) + " " +
                                   server_->host() + "/team/app:v1",
                               &out),
            kExitOk)
      << out;
}

TEST_F(KeylessImageTest, TamperedAnnotationsAreRejected) {
  Result<oci::Descriptor> image =
      PushTinyImage(*client_, "app/tamper", "v1", "t");
  ASSERT_TRUE(image.ok());
  std::string out;
  ASSERT_EQ(
      testing::RunStrata("sign --identity-token " + TokenFile() + Services() +
                             " " + server_->host() + "/app/tamper:v1",
                         &out),
      kExitOk)
      << out;
  Result<RemoteSignatures> sigs =
      FetchSignatures(*client_, Ref("app/tamper:v1"));
  ASSERT_TRUE(sigs.ok() && sigs->layers.size() == 1u);
  const cosign::SignatureLayer good = sigs->layers[0];
  const KeylessPolicy policy{pki::IdentityPolicy{pki::Matcher::Exact(kId),
                                                 pki::Matcher::Exact(kIssuer)},
                             nullptr, SigningNow()};
  Result<sigstore::TrustedRoot> root = LoadTrustedRootFile(Root());
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  KeylessPolicy p = policy;
  p.root = &*root;
  EXPECT_TRUE(VerifyKeyless(sigs->image, {&good, 1}, p).accepted);

  // Another log index in the bundle: the SET no longer verifies.
  cosign::SignatureLayer bad = good;
  Result<sigstore::TransparencyLogEntry> e = ParseRekorBundle(*good.bundle);
  ASSERT_TRUE(e.ok());
  e->log_index += 1;
  Result<std::string> moved = LegacyRekorBundle(*e);
  ASSERT_TRUE(moved.ok());
  bad.bundle = *moved;
  EXPECT_FALSE(VerifyKeyless(sigs->image, {&bad, 1}, p).accepted);
  // No bundle, or no certificate.
  bad = good;
  bad.bundle.reset();
  VerifyResult r = VerifyKeyless(sigs->image, {&bad, 1}, p);
  ASSERT_EQ(r.rejections.size(), 1u);
  EXPECT_EQ(r.rejections[0],
            "signature 1: no rekor bundle (dev.sigstore.cosign/bundle)");
  bad = good;
  bad.certificate.reset();
  r = VerifyKeyless(sigs->image, {&bad, 1}, p);
  ASSERT_EQ(r.rejections.size(), 1u);
  EXPECT_EQ(r.rejections[0],
            "signature 1: no certificate (not a keyless signature)");
  // Another signature (of other bytes, by the same certificate's key it is
  // not): rejected.
  bad = good;
  bad.signature = Base64Encode(std::string(70, 'x'));
  EXPECT_FALSE(VerifyKeyless(sigs->image, {&bad, 1}, p).accepted);
}

TEST_F(KeylessImageTest, FlagsAreExclusiveAndRequired) {
  std::string out;
  const std::string ref = server_->host() + "/app/none:v1";
  EXPECT_EQ(testing::RunStrata("sign " + ref, &out), kExitError);
  EXPECT_EQ(out,
            "strata: error: sign with --key, or keyless with --identity-token "
            "(or SIGSTORE_ID_TOKEN)\n");
  EXPECT_EQ(testing::RunStrata("sign --key /nonexistent.key " + ref, &out,
                               "SIGSTORE_ID_TOKEN=t"),
            kExitError);
  EXPECT_EQ(out,
            "strata: error: give either --key or an identity token, not "
            "both\n");
  EXPECT_EQ(testing::RunStrata("attest --predicate /dev/null " + ref, &out),
            kExitError);
  EXPECT_EQ(out,
            "strata: error: sign with --key, or keyless with --identity-token "
            "(or SIGSTORE_ID_TOKEN)\n");
  // A token Fulcio refuses: an error, nothing pushed.
  Result<oci::Descriptor> image =
      PushTinyImage(*client_, "app/none", "v1", "n");
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(
      testing::RunStrata(
          "sign --identity-token not-a-jwt" + Services() + " " + ref, &out),
      kExitError)
      << out;
  Result<RemoteSignatures> sigs = FetchSignatures(*client_, Ref("app/none:v1"));
  ASSERT_TRUE(sigs.ok());
  EXPECT_TRUE(sigs->layers.empty());
}

TEST_F(KeylessImageTest, AttestKeyless) {
  Result<oci::Descriptor> image = PushTinyImage(*client_, "app/att", "v1", "p");
  ASSERT_TRUE(image.ok());
  const std::string predicate = dir_->Join("predicate.json");
  std::ofstream(predicate) << "{\"builder\":{\"id\":\"strata-test\"}}";
  const std::string ref = server_->host() + "/app/att:v1";
  std::string out;
  ASSERT_EQ(testing::RunStrata("attest --identity-token " + TokenFile() +
                                   Services() + " --trusted-root " + Root() +
                                   " --type slsaprovenance" + " --predicate " +
                                   predicate + " " + ref,
                               &out),
            kExitOk)
      << out;
  EXPECT_EQ(out, "Pushing attestation to: " + server_->host() +
                     "/app/att:sha256-" + image->digest.hex() + ".att\n");
  Result<std::vector<cosign::AttachmentLayer>> layers =
      cosign::ReadAttestations(*client_, "app/att", image->digest);
  ASSERT_TRUE(layers.ok()) << layers.status().ToString();
  ASSERT_EQ(layers->size(), 1u);
  const auto& ann = (*layers)[0].descriptor.annotations;
  ASSERT_TRUE(ann.contains(std::string(cosign::kCertificateAnnotation)));
  ASSERT_TRUE(ann.contains(std::string(cosign::kChainAnnotation)));
  ASSERT_TRUE(ann.contains(std::string(cosign::kBundleAnnotation)));
  EXPECT_EQ(ann.at("predicateType"), "https://slsa.dev/provenance/v0.2");
  Result<sigstore::TransparencyLogEntry> entry =
      ParseRekorBundle(ann.at(std::string(cosign::kBundleAnnotation)));
  ASSERT_TRUE(entry.ok()) << entry.status().ToString();
  EXPECT_EQ(entry->kind, "dsse");
  // The envelope verifies with the certificate's key, names the image and
  // has the predicate type.
  Result<std::vector<pki::Certificate>> leaf = pki::Certificate::ParsePemChain(
      ann.at(std::string(cosign::kCertificateAnnotation)));
  ASSERT_TRUE(leaf.ok() && leaf->size() == 1u);
  Result<crypto::PublicKey> key = (*leaf)[0].PublicKey();
  ASSERT_TRUE(key.ok());
  cosign::AttestationVerdict v = cosign::VerifyAttestations(
      image->digest, *layers, {&*key, 1}, "https://slsa.dev/provenance/v0.2");
  EXPECT_TRUE(v.accepted()) << v.ToStatus().ToString();

  // verify-attestation, keyless, through the binary.
  EXPECT_EQ(testing::RunStrata("verify-attestation --type slsaprovenance" +
                                   Policy(kId, kIssuer) + " " + ref,
                               &out),
            kExitOk)
      << out;
  EXPECT_NE(out.find("\"payloadType\":\"application/vnd.in-toto+json\""),
            std::string::npos)
      << out;
  for (const auto& [id, issuer] :
       {std::pair<std::string, std::string>{"other@example.test", kIssuer},
        {"dev@example", kIssuer},
        {kId, "https://issuer.example"}}) {
    EXPECT_EQ(testing::RunStrata("verify-attestation --type slsaprovenance" +
                                     Policy(id, issuer) + " " + ref,
                                 &out),
              kExitCheckFailed)
        << id << " " << issuer << ": " << out;
  }
  // Another predicate type does not count.
  EXPECT_EQ(testing::RunStrata("verify-attestation --type cyclonedx" +
                                   Policy(kId, kIssuer) + " " + ref,
                               &out),
            kExitCheckFailed)
      << out;
  // Neither --key nor an identity: a usage error.
  EXPECT_EQ(testing::RunStrata("verify-attestation " + ref, &out), kExitError)
      << out;
}

TEST_F(KeylessImageTest, AttestKeylessInNewBundleFormat) {
  Result<oci::Descriptor> image =
      PushTinyImage(*client_, "app/attb", "v1", "b");
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  const std::string predicate =
      WriteFile("prov.json", "{\"buildDefinition\":{\"buildType\":\"x\"}}");
  const std::string ref = server_->host() + "/app/attb:v1";
  std::string out;
  ASSERT_EQ(
      testing::RunStrata("attest --new-bundle-format --identity-token " +
                             TokenFile() + Services() + " --trusted-root " +
                             Root() + " --type slsaprovenance1 --predicate " +
                             predicate + " " + ref,
                         &out),
      kExitOk)
      << out;
  EXPECT_TRUE(out.starts_with("Pushing attestation to: " + server_->host() +
                              "/app/attb@sha256:"))
      << out;
  // The referrer holds a keyless bundle: certificate, log entry, envelope.
  Result<std::vector<cosign::StoredBundle>> stored =
      cosign::ReadBundles(*client_, "app/attb", image->digest);
  ASSERT_TRUE(stored.ok() && stored->size() == 1u);
  EXPECT_EQ((*stored)[0].predicate_type, "https://slsa.dev/provenance/v1");
  Result<sigstore::Bundle> bundle = sigstore::ParseBundle((*stored)[0].bundle);
  ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
  EXPECT_EQ(bundle->certificates.size(), 1u);
  ASSERT_EQ(bundle->tlog_entries.size(), 1u);
  EXPECT_EQ(bundle->tlog_entries[0].kind, "dsse");

  EXPECT_EQ(testing::RunStrata("verify-attestation --type slsaprovenance1" +
                                   Policy(kId, kIssuer) + " " + ref,
                               &out),
            kExitOk)
      << out;
  EXPECT_NE(out.find("Existence of the claims in the transparency log was "
                     "verified offline"),
            std::string::npos)
      << out;
  EXPECT_EQ(
      testing::RunStrata("verify-attestation --type slsaprovenance1" +
                             Policy("other@example.test", kIssuer) + " " + ref,
                         &out),
      kExitCheckFailed)
      << out;
  EXPECT_NE(out.find("strata: bundle 1: "), std::string::npos) << out;
  // Not a signature of the image.
  EXPECT_EQ(
      testing::RunStrata("verify" + Policy(kId, kIssuer) + " " + ref, &out),
      kExitCheckFailed)
      << out;
}

// Key signatures and attestations are logged in Rekor unless
// --tlog-upload=false, as cosign does; with --trusted-root, verification
// checks the log entry offline.
TEST_F(KeylessImageTest, KeySignaturesWithLogEntries) {
  Result<oci::Descriptor> logged =
      PushTinyImage(*client_, "app/keyed", "v1", "l");
  Result<oci::Descriptor> quiet =
      PushTinyImage(*client_, "app/keyed", "v2", "q");
  ASSERT_TRUE(logged.ok() && quiet.ok());
  const std::string v1 = server_->host() + "/app/keyed:v1";
  const std::string v2 = server_->host() + "/app/keyed:v2";
  const std::string prefix = dir_->Join("k");
  const std::string pw = "STRATA_PASSWORD=pw";
  std::string out;
  ASSERT_EQ(testing::RunStrata(
                "generate-key-pair --output-key-prefix " + prefix, &out, pw),
            kExitOk)
      << out;
  const std::string key = " --key " + prefix + ".key";
  const std::string pub = " --key " + prefix + ".pub";
  const std::string root = " --trusted-root " + Root();

  // Logged, and checked against the trusted root before the push.
  ASSERT_EQ(
      testing::RunStrata("sign" + key + Rekor() + root + " " + v1, &out, pw),
      kExitOk)
      << out;
  ASSERT_EQ(
      testing::RunStrata("sign --tlog-upload=false" + key + " " + v2, &out, pw),
      kExitOk)
      << out;
  Result<RemoteSignatures> sigs =
      FetchSignatures(*client_, Ref("app/keyed:v1"));
  ASSERT_TRUE(sigs.ok()) << sigs.status().ToString();
  ASSERT_EQ(sigs->layers.size(), 1u);
  EXPECT_FALSE(sigs->layers[0].certificate.has_value());
  ASSERT_TRUE(sigs->layers[0].bundle.has_value());
  Result<sigstore::TransparencyLogEntry> entry =
      ParseRekorBundle(*sigs->layers[0].bundle);
  ASSERT_TRUE(entry.ok()) << entry.status().ToString();
  EXPECT_EQ(entry->kind, "hashedrekord");

  // With the root the entry is checked; without it, the signature alone.
  EXPECT_EQ(testing::RunStrata("verify" + pub + root + " " + v1, &out), kExitOk)
      << out;
  EXPECT_NE(out.find("Existence of the claims in the transparency log was "
                     "verified offline"),
            std::string::npos)
      << out;
  EXPECT_EQ(testing::RunStrata("verify" + pub + " " + v2, &out), kExitOk)
      << out;
  EXPECT_EQ(out.find("transparency log"), std::string::npos) << out;
  // An unlogged signature fails a check with the root, unless told.
  EXPECT_EQ(testing::RunStrata("verify" + pub + root + " " + v2, &out),
            kExitCheckFailed)
      << out;
  EXPECT_NE(out.find("strata: signature 1: no rekor bundle "
                     "(dev.sigstore.cosign/bundle) to verify the log entry "
                     "with --trusted-root (--insecure-ignore-tlog skips it)\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(testing::RunStrata(
                "verify --insecure-ignore-tlog" + pub + root + " " + v2, &out),
            kExitOk)
      << out;
  // A root that does not know the mock's log.
  const fs::path other_root = kShared /
                              "conformance/sigstore/cosign/pkg/cosign/testdata/"
                              "trusted_root_pgi.json";
  if (fs::exists(other_root)) {
    EXPECT_EQ(testing::RunStrata("verify" + pub + " --trusted-root " +
                                     other_root.string() + " " + v1,
                                 &out),
              kExitCheckFailed)
        << out;
    EXPECT_NE(out.find("strata: signature 1: "), std::string::npos) << out;
  }

  // Attestations in both storage modes, logged.
  const std::string bom =
      WriteFile("bom.json", "{\"bomFormat\":\"CycloneDX\"}");
  const std::string vex = WriteFile("vex.json", "{\"statements\":[]}");
  ASSERT_EQ(
      testing::RunStrata("attest" + key + Rekor() + root +
                             " --type cyclonedx --predicate " + bom + " " + v1,
                         &out, pw),
      kExitOk)
      << out;
  ASSERT_EQ(
      testing::RunStrata("attest --new-bundle-format" + key + Rekor() + root +
                             " --type openvex --predicate " + vex + " " + v1,
                         &out, pw),
      kExitOk)
      << out;
  ASSERT_EQ(
      testing::RunStrata("attest --tlog-upload=false" + key +
                             " --type cyclonedx --predicate " + bom + " " + v2,
                         &out, pw),
      kExitOk)
      << out;
  for (const char* type : {"cyclonedx", "openvex"}) {
    EXPECT_EQ(testing::RunStrata("verify-attestation --type " +
                                     std::string(type) + pub + root + " " + v1,
                                 &out),
              kExitOk)
        << type << ": " << out;
  }
  EXPECT_EQ(
      testing::RunStrata(
          "verify-attestation --type cyclonedx" + pub + root + " " + v2, &out),
      kExitCheckFailed)
      << out;
  EXPECT_NE(out.find("strata: attestation 1: no rekor bundle "
                     "(dev.sigstore.cosign/bundle) to verify the log entry "
                     "with --trusted-root (--insecure-ignore-tlog skips it)\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(testing::RunStrata(
                "verify-attestation --type cyclonedx" + pub + " " + v2, &out),
            kExitOk)
      << out;
  // Keyless signing cannot skip the log.
  EXPECT_EQ(testing::RunStrata("sign --tlog-upload=false --identity-token " +
                                   TokenFile() + Services() + " " + v1,
                               &out),
            kExitError)
      << out;
  EXPECT_EQ(out,
            "strata: error: keyless signing always logs in Rekor: "
            "--tlog-upload=false needs --key\n");
}

// An RFC 3161 timestamp over the signature, in cosign's annotation:
// verified against the trusted root's timestamp authorities, printed as
// cosign prints it, and a timestamp over other bytes is refused.
TEST_F(KeylessImageTest, SignatureTimestampsAreVerified) {
  Result<oci::Descriptor> image = PushTinyImage(*client_, "app/ts", "v1", "t");
  Result<oci::Descriptor> other = PushTinyImage(*client_, "app/ts", "v2", "u");
  ASSERT_TRUE(image.ok() && other.ok());
  const std::string tsa = " --timestamp-server-url " + (*mock_)["TSA_URL"];
  std::string out;
  for (const char* tag : {"v1", "v2"}) {
    ASSERT_EQ(
        testing::RunStrata("sign --identity-token " + TokenFile() + Services() +
                               tsa + " --trusted-root " + Root() + " " +
                               server_->host() + "/app/ts:" + tag,
                           &out),
        kExitOk)
        << out;
  }
  Result<RemoteSignatures> sigs = FetchSignatures(*client_, Ref("app/ts:v1"));
  ASSERT_TRUE(sigs.ok()) << sigs.status().ToString();
  ASSERT_EQ(sigs->layers.size(), 1u);
  ASSERT_TRUE(sigs->layers[0].rfc3161_timestamp.has_value());
  Result<std::string> der =
      ParseRfc3161TimestampAnnotation(*sigs->layers[0].rfc3161_timestamp);
  ASSERT_TRUE(der.ok()) << der.status().ToString();
  EXPECT_EQ(*sigs->layers[0].rfc3161_timestamp,
            Rfc3161TimestampAnnotation(*der));

  const std::string ref = server_->host() + "/app/ts:v1";
  EXPECT_EQ(
      testing::RunStrata("verify" + Policy(kId, kIssuer) + " " + ref, &out),
      kExitOk)
      << out;
  EXPECT_NE(out.find("\"RFC3161Timestamp\":{\"SignedRFC3161Timestamp\":\"" +
                     Base64Encode(*der) + "\"}"),
            std::string::npos)
      << out;

  // v2's timestamp (over v2's signature) on v1's layer.
  Result<RemoteSignatures> v2 = FetchSignatures(*client_, Ref("app/ts:v2"));
  ASSERT_TRUE(v2.ok() && v2->layers.size() == 1u);
  cosign::SignatureLayer swapped = sigs->layers[0];
  swapped.rfc3161_timestamp = v2->layers[0].rfc3161_timestamp;
  const KeylessPolicy p{pki::IdentityPolicy{pki::Matcher::Exact(kId),
                                            pki::Matcher::Exact(kIssuer)},
                        nullptr, static_cast<int64_t>(std::time(nullptr)) + 60};
  Result<sigstore::TrustedRoot> root =
      sigstore::ParseTrustedRoot(testing::ReadTestFile(Root()));
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  KeylessPolicy with_root = p;
  with_root.root = &*root;
  EXPECT_TRUE(VerifyKeyless(sigs->image, sigs->layers, with_root).accepted);
  VerifyResult r = VerifyKeyless(sigs->image, {&swapped, 1}, with_root);
  EXPECT_FALSE(r.accepted);
  ASSERT_EQ(r.rejections.size(), 1u);
  EXPECT_NE(r.rejections[0].find("timestamp"), std::string::npos)
      << r.rejections[0];
  swapped.rfc3161_timestamp = "{\"SignedRFC3161Timestamp\":7}";
  r = VerifyKeyless(sigs->image, {&swapped, 1}, with_root);
  EXPECT_EQ(r.rejections, std::vector<std::string>{
                              "signature 1: rfc3161 timestamp annotation: "
                              "SignedRFC3161Timestamp must be a string"});

  // Not with --tlog-upload=false; not on .att layers.
  EXPECT_EQ(testing::RunStrata(
                "sign --tlog-upload=false --key /nonexistent" + tsa + " " + ref,
                &out),
            kExitError);
  EXPECT_EQ(out,
            "strata: error: --timestamp-server-url goes with a rekor entry: "
            "drop --tlog-upload=false\n");
}

TEST(Rfc3161TimestampAnnotation, ReadsCosignsShapeStrictly) {
  Result<std::string> der =
      ParseRfc3161TimestampAnnotation("{\"SignedRFC3161Timestamp\":\"AAEC\"}");
  ASSERT_TRUE(der.ok()) << der.status().ToString();
  EXPECT_EQ(*der, std::string("\x00\x01\x02", 3));
  EXPECT_EQ(Rfc3161TimestampAnnotation(*der),
            "{\"SignedRFC3161Timestamp\":\"AAEC\"}");
  for (const char* bad : {"[]", "{}", "{\"SignedRFC3161Timestamp\":null}",
                          "{\"SignedRFC3161Timestamp\":\"\"}",
                          "{\"SignedRFC3161Timestamp\":\"@@\"}"}) {
    Result<std::string> r = ParseRfc3161TimestampAnnotation(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << bad;
    EXPECT_TRUE(r.status().message().starts_with(
        "rfc3161 timestamp annotation: SignedRFC3161Timestamp "))
        << r.status().ToString();
  }
  EXPECT_EQ(ParseRfc3161TimestampAnnotation("{").status().code(),
            StatusCode::kDataLoss);
  EXPECT_EQ(ParseRfc3161TimestampAnnotation(
                std::string(kMaxRekorBundleBytes + 1, ' '))
                .status()
                .code(),
            StatusCode::kResourceExhausted);
}

TEST(LegacyRekorBundle, RoundTripsThroughParseRekorBundle) {
  sigstore::TransparencyLogEntry e;
  e.log_index = 42;
  e.integrated_time = 1700000000;
  e.log_id = std::string(32, '\xab');
  e.canonicalized_body =
      "{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\",\"spec\":{}}";
  Result<std::string> no_set = LegacyRekorBundle(e);
  EXPECT_EQ(no_set.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(no_set.status().ToString(),
            "the rekor entry has no signed entry timestamp or no body");
  e.signed_entry_timestamp = "set-bytes";
  Result<std::string> text = LegacyRekorBundle(e);
  ASSERT_TRUE(text.ok());
  std::string hex;
  for (int i = 0; i < 32; ++i) hex += "ab";
  EXPECT_EQ(*text, "{\"SignedEntryTimestamp\":\"" + Base64Encode("set-bytes") +
                       "\",\"Payload\":{\"body\":\"" +
                       Base64Encode(e.canonicalized_body) +
                       "\",\"integratedTime\":1700000000,\"logIndex\":42,"
                       "\"logID\":\"" +
                       hex + "\"}}");
  Result<sigstore::TransparencyLogEntry> back = ParseRekorBundle(*text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->log_index, 42);
  EXPECT_EQ(back->integrated_time, 1700000000);
  EXPECT_EQ(back->log_id, e.log_id);
  EXPECT_EQ(back->canonicalized_body, e.canonicalized_body);
  EXPECT_EQ(back->signed_entry_timestamp, e.signed_entry_timestamp);
  EXPECT_EQ(back->kind, "hashedrekord");
}

}  // namespace
}  // namespace strata::cli
