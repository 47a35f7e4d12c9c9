// `strata attest` and `strata verify-attestation` through the real binary
// against the real docker-registry (skips without it).
#include "cli/attest.h"

#include <gtest/gtest.h>

#include <fstream>

#include "base/base64.h"
#include "base/json.h"
#include "cli/verify.h"
#include "cosign/attest.h"
#include "cosign/bundle_store.h"
#include "registry/http.h"
#include "registry/testing/plain_registry.h"
#include "sigstore/bundle.h"
#include "sigstore/dsse.h"
#include "sigstore/sign.h"
#include "testing/test_util.h"

namespace strata::cli {
namespace {

constexpr char kRepo[] = "att/cli";

using registry::testing::PlainRegistryTest;
using registry::testing::PushTinyImage;
using strata::testing::RunShell;
using strata::testing::ShellOutcome;

std::string Strata() { return std::string(STRATA_BINARY_DIR) + "/strata"; }

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

// A tiny image whose layer names it: repo kRepo, tag `tag`.
Result<Digest> PushImage(registry::Client& client, const std::string& tag) {
  ASSIGN_OR_RETURN(oci::Descriptor d,
                   PushTinyImage(client, kRepo, tag, "layer of " + tag));
  return d.digest;
}

// A key-signed bundle (no log entry) of `statement`.
std::string KeyBundle(const crypto::PrivateKey& key,
                      const std::string& statement) {
  std::unique_ptr<registry::HttpTransport> http =
      registry::NewCurlTransport({});
  sigstore::SignOptions o;
  o.key = &key;
  o.tlog_upload = false;
  o.http = http.get();
  Result<sigstore::Bundle> b =
      sigstore::SignDsse(sigstore::kInTotoPayloadType, statement, o);
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return b.ok() ? json::Dump(sigstore::BundleToJson(*b)) : std::string();
}

std::string Statement(const std::string& type, const Digest& image) {
  Result<std::string> st = cosign::MakeStatement(
      type, "{\"k\":1}", "example.com/app", image, "2025-02-28T19:18:11Z");
  EXPECT_TRUE(st.ok()) << st.status().ToString();
  return st.ok() ? *st : std::string();
}

TEST(VerifyImageBundles, AttestationsByPredicateType) {
  Result<crypto::PrivateKey> key = crypto::PrivateKey::GenerateEcdsaP256();
  ASSERT_TRUE(key.ok());
  const std::vector<crypto::PublicKey> keys = {*key->Public()};
  const Digest image = Sha256Of("image");
  const std::string cdx = "https://cyclonedx.org/bom";
  std::vector<cosign::StoredBundle> stored(5);
  stored[0].bundle = KeyBundle(*key, Statement("cyclonedx", image));
  stored[0].predicate_type = cdx;
  // A signature, not an attestation; its listing does not say.
  stored[1].bundle = KeyBundle(*key, *cosign::MakeSignStatement(image, {}));
  // Listed as another type: passed over, whatever it holds.
  stored[2].bundle = KeyBundle(*key, Statement("cyclonedx", image));
  stored[2].predicate_type = "https://cosign.sigstore.dev/attestation/vuln/v1";
  // About another image.
  stored[3].bundle = KeyBundle(*key, Statement("cyclonedx", Sha256Of("x")));
  // The listing lies: the statement is of another type.
  stored[4].bundle = KeyBundle(*key, Statement("vuln", image));
  stored[4].predicate_type = cdx;

  BundlePolicy p;
  p.keys = keys;
  p.ignore_tlog = true;
  p.predicate_type = cdx;
  BundleVerifyResult r = VerifyImageBundles(image, stored, p);
  ASSERT_EQ(r.verified.size(), 1u);
  EXPECT_EQ(r.verified[0].index, 0u);
  EXPECT_EQ(r.verified[0].payload, Statement("cyclonedx", image));
  EXPECT_EQ(r.verified[0].envelope.payload, r.verified[0].payload);
  EXPECT_EQ(r.passed_over, 1u);
  EXPECT_EQ(r.rejections,
            (std::vector<std::string>{
                "bundle 2: predicate type "
                "\"https://sigstore.dev/cosign/sign/v1\" is not the wanted "
                "\"https://cyclonedx.org/bom\"",
                "bundle 4: no subject is the image " + image.ToString(),
                "bundle 5: predicate type "
                "\"https://cosign.sigstore.dev/attestation/vuln/v1\" is not "
                "the wanted \"https://cyclonedx.org/bom\""}));

  // Looking for signatures, the listed attestations are passed over and the
  // unlisted ones fail the signature statement check.
  p.predicate_type.clear();
  r = VerifyImageBundles(image, stored, p);
  ASSERT_EQ(r.verified.size(), 1u);
  EXPECT_EQ(r.verified[0].index, 1u);
  EXPECT_EQ(r.passed_over, 3u);
  ASSERT_EQ(r.rejections.size(), 1u);
  EXPECT_EQ(r.rejections[0],
            "bundle 4: the statement's predicateType is "
            "\"https://cyclonedx.org/bom\", not "
            "https://sigstore.dev/cosign/sign/v1")
      << r.rejections[0];
}

TEST(Rfc3339UtcTest, FormatsUtcSeconds) {
  EXPECT_EQ(Rfc3339Utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(Rfc3339Utc(1740770291), "2025-02-28T19:18:11Z");
}

class AttestCliTest : public PlainRegistryTest {
 protected:
  void SetUp() override {
    PlainRegistryTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    for (const char* prefix : {"s", "t"}) {
      ShellOutcome r = RunShell("STRATA_PASSWORD=pw " + Strata() +
                                " generate-key-pair --output-key-prefix " +
                                dir_->Join(prefix) + " </dev/null");
      ASSERT_EQ(r.code, 0) << r.err;
    }
  }

  ShellOutcome Attest(const std::string& args) {
    return RunShell("SOURCE_DATE_EPOCH=1740770291 STRATA_PASSWORD=pw " +
                    Strata() + " attest --tlog-upload=false --key " +
                    dir_->Join("s.key") + " " + args + " </dev/null");
  }
  ShellOutcome VerifyAttestation(const std::string& key,
                                 const std::string& args) {
    return RunShell(Strata() + " verify-attestation --key " + dir_->Join(key) +
                    " " + args);
  }
};

TEST_F(AttestCliTest, AttestsAndVerifiesByType) {
  Result<Digest> image = PushImage(*client_, "v1");
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  const std::string ref = server_->host() + "/" + kRepo + ":v1";
  const std::string by_digest =
      server_->host() + "/" + kRepo + "@" + image->ToString();

  ShellOutcome none = VerifyAttestation("s.pub", ref);
  EXPECT_EQ(none.code, 2);
  EXPECT_EQ(none.out, "");
  EXPECT_EQ(none.err,
            "strata: no attestations\nstrata: error: no valid attestation of "
            "type https://cosign.sigstore.dev/attestation/v1 for " +
                ref + "\n");

  WriteFile(dir_->Join("note.txt"), "{\"foo\": \"bar\"}\n");
  ShellOutcome a = Attest("--predicate " + dir_->Join("note.txt") + " " + ref);
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_EQ(a.err, "Pushing attestation to: " + server_->host() + "/" + kRepo +
                       ":sha256-" + image->hex() + ".att\n");
  WriteFile(dir_->Join("bom.json"), "{\"bomFormat\":\"CycloneDX\"}");
  ShellOutcome b = Attest("--type cyclonedx --predicate " +
                          dir_->Join("bom.json") + " " + by_digest);
  ASSERT_EQ(b.code, 0) << b.err;

  // Custom (the default type): one JSON line, the envelope as cosign's.
  ShellOutcome custom = VerifyAttestation("s.pub", ref);
  ASSERT_EQ(custom.code, 0) << custom.err;
  EXPECT_EQ(custom.err,
            "Verification for " + by_digest +
                " --\nThe following checks were performed on each of these "
                "attestations:\n  - The DSSE signature was verified against "
                "the specified public key\n  - The payload is an in-toto "
                "statement whose subject is the image's manifest digest\n  - "
                "The predicate type is "
                "https://cosign.sigstore.dev/attestation/v1\n");
  ASSERT_TRUE(custom.out.ends_with("\n"));
  ASSERT_EQ(custom.out.find('\n'), custom.out.size() - 1) << custom.out;
  Result<json::Json> env = json::Parse(custom.out, "out", 1 << 20);
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  Result<sigstore::DsseEnvelope> parsed = sigstore::ParseDsseEnvelope(*env);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  // The statement cosign would write at that time.
  EXPECT_EQ(parsed->payload,
            "{\"_type\":\"https://in-toto.io/Statement/v1\","
            "\"predicateType\":\"https://cosign.sigstore.dev/attestation/v1\","
            "\"subject\":[{\"name\":\"" +
                server_->host() + "/" + kRepo + "\",\"digest\":{\"sha256\":\"" +
                image->hex() +
                "\"}}],\"predicate\":{\"Data\":\"{\\\"foo\\\": "
                "\\\"bar\\\"}\\n\",\"Timestamp\":\"2025-02-28T19:18:11Z\"}}");

  ShellOutcome cdx = VerifyAttestation("s.pub", "--type cyclonedx " + ref);
  ASSERT_EQ(cdx.code, 0) << cdx.err;
  Result<json::Json> cdx_env = json::Parse(cdx.out, "out", 1 << 20);
  ASSERT_TRUE(cdx_env.ok());
  Result<sigstore::InTotoStatement> st = sigstore::ParseInTotoStatement(
      sigstore::ParseDsseEnvelope(*cdx_env)->payload);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->predicate_type, "https://cyclonedx.org/bom");
  EXPECT_EQ(st->predicate["bomFormat"], "CycloneDX");

  // The wrong key; a type nobody attested.
  ShellOutcome wrong_key = VerifyAttestation("t.pub", ref);
  EXPECT_EQ(wrong_key.code, 2);
  EXPECT_EQ(wrong_key.out, "");
  EXPECT_EQ(wrong_key.err,
            "strata: attestation 1: no signature verifies with the key\n"
            "strata: attestation 2: no signature verifies with the key\n"
            "strata: error: no valid attestation of type "
            "https://cosign.sigstore.dev/attestation/v1 for " +
                ref + "\n");
  ShellOutcome wrong_type = VerifyAttestation("s.pub", "--type vuln " + ref);
  EXPECT_EQ(wrong_type.code, 2);
  EXPECT_EQ(wrong_type.err,
            "strata: attestation 1: predicate type "
            "\"https://cosign.sigstore.dev/attestation/v1\" is not the wanted "
            "\"https://cosign.sigstore.dev/attestation/vuln/v1\"\n"
            "strata: attestation 2: predicate type "
            "\"https://cyclonedx.org/bom\" is not the wanted "
            "\"https://cosign.sigstore.dev/attestation/vuln/v1\"\n"
            "strata: error: no valid attestation of type "
            "https://cosign.sigstore.dev/attestation/vuln/v1 for " +
                ref + "\n");
}

TEST_F(AttestCliTest, NewBundleFormatBesideTheAttTag) {
  Result<Digest> image = PushImage(*client_, "v1");
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  const std::string ref = server_->host() + "/" + kRepo + ":v1";
  const std::string no_att_for = "strata: error: no valid attestation of type ";
  WriteFile(dir_->Join("bom.json"), "{\"bomFormat\":\"CycloneDX\"}");
  ShellOutcome a = Attest("--new-bundle-format --type cyclonedx --predicate " +
                          dir_->Join("bom.json") + " " + ref);
  ASSERT_EQ(a.code, 0) << a.err;
  ASSERT_TRUE(a.err.starts_with("Pushing attestation to: " + server_->host() +
                                "/" + kRepo + "@sha256:"))
      << a.err;

  // The bundle is a referrer of the image (the tag-schema fallback here),
  // listed with its predicate type.
  Result<std::vector<cosign::StoredBundle>> stored =
      cosign::ReadBundles(*client_, kRepo, *image);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].predicate_type, "https://cyclonedx.org/bom");
  Result<sigstore::Bundle> bundle = sigstore::ParseBundle((*stored)[0].bundle);
  ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
  ASSERT_TRUE(bundle->dsse_envelope.has_value());
  EXPECT_TRUE(bundle->tlog_entries.empty());  // a key: no log entry

  // A key-signed bundle has no log entry to verify: refused unless told.
  ShellOutcome strict = VerifyAttestation("s.pub", "--type cyclonedx " + ref);
  EXPECT_EQ(strict.code, 2);
  EXPECT_EQ(strict.out, "");
  EXPECT_EQ(strict.err,
            "strata: bundle 1: a transparency log entry must be verified: "
            "give --trusted-root, or --insecure-ignore-tlog to skip it\n" +
                no_att_for + "https://cyclonedx.org/bom for " + ref + "\n");
  ShellOutcome ok = VerifyAttestation(
      "s.pub", "--insecure-ignore-tlog --type cyclonedx " + ref);
  ASSERT_EQ(ok.code, 0) << ok.err;
  ASSERT_EQ(ok.out.find('\n'), ok.out.size() - 1) << ok.out;
  Result<json::Json> env = json::Parse(ok.out, "out", 1 << 20);
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  Result<sigstore::DsseEnvelope> parsed = sigstore::ParseDsseEnvelope(*env);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->payload, bundle->dsse_envelope->payload);
  Result<sigstore::InTotoStatement> st =
      sigstore::ParseInTotoStatement(parsed->payload);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->predicate_type, "https://cyclonedx.org/bom");
  EXPECT_TRUE(sigstore::HasSubjectDigest(*st, "sha256", image->hex()));

  // Another key; another type (the bundle is passed over by its listing).
  ShellOutcome wrong_key = VerifyAttestation(
      "t.pub", "--insecure-ignore-tlog --type cyclonedx " + ref);
  EXPECT_EQ(wrong_key.code, 2);
  EXPECT_TRUE(wrong_key.err.starts_with(
      "strata: bundle 1: the envelope's signature does not verify"))
      << wrong_key.err;
  ShellOutcome wrong_type =
      VerifyAttestation("s.pub", "--insecure-ignore-tlog --type vuln " + ref);
  EXPECT_EQ(wrong_type.code, 2);
  EXPECT_EQ(wrong_type.err,
            "strata: no attestations\n" + no_att_for +
                "https://cosign.sigstore.dev/attestation/vuln/v1 for " + ref +
                "\n");
  // An attestation is not a signature.
  ShellOutcome verify =
      RunShell(Strata() + " verify --insecure-ignore-tlog --key " +
               dir_->Join("s.pub") + " " + ref);
  EXPECT_EQ(verify.code, 2);
  EXPECT_EQ(verify.err,
            "strata: no signatures\nstrata: error: no valid "
            "signature for " +
                ref + "\n");

  // Both storage modes at once: one line each, .att first.
  ShellOutcome legacy = Attest("--type cyclonedx --predicate " +
                               dir_->Join("bom.json") + " " + ref);
  ASSERT_EQ(legacy.code, 0) << legacy.err;
  ShellOutcome both = VerifyAttestation(
      "s.pub", "--insecure-ignore-tlog --type cyclonedx " + ref);
  ASSERT_EQ(both.code, 0) << both.err;
  const size_t nl = both.out.find('\n');
  ASSERT_NE(nl, std::string::npos);
  EXPECT_EQ(both.out.substr(nl + 1), ok.out);
  Result<std::vector<cosign::AttachmentLayer>> att =
      cosign::ReadAttestations(*client_, kRepo, *image);
  ASSERT_TRUE(att.ok() && att->size() == 1u);
  EXPECT_EQ(both.out.substr(0, nl), (*att)[0].blob);
}

TEST_F(AttestCliTest, RefusesBadInput) {
  ASSERT_TRUE(PushImage(*client_, "v1").ok());
  const std::string ref = server_->host() + "/" + kRepo + ":v1";
  WriteFile(dir_->Join("text.txt"), "not json");

  ShellOutcome not_json = Attest("--type spdxjson --predicate " +
                                 dir_->Join("text.txt") + " " + ref);
  EXPECT_EQ(not_json.code, 1);
  EXPECT_TRUE(not_json.err.starts_with(
      "strata: error: invalid JSON payload for predicate type "
      "https://spdx.dev/Document: "))
      << not_json.err;
  ShellOutcome bad_type = Attest("--type nonsense --predicate " +
                                 dir_->Join("text.txt") + " " + ref);
  EXPECT_EQ(bad_type.code, 1);
  EXPECT_EQ(bad_type.err,
            "strata: error: invalid predicate type \"nonsense\"\n");
  ShellOutcome missing =
      Attest("--predicate " + dir_->Join("nope") + " " + ref);
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.err, "strata: error: open " + dir_->Join("nope") +
                             ": No such file or directory\n");
  ShellOutcome local = Attest("--predicate " + dir_->Join("text.txt") +
                              " oci:" + dir_->Join("layout"));
  EXPECT_EQ(local.code, 1);
  EXPECT_EQ(local.err,
            "strata: error: attest needs a registry image (docker://NAME or "
            "NAME), not oci:" +
                dir_->Join("layout") + "\n");
  ShellOutcome no_image =
      VerifyAttestation("s.pub", server_->host() + "/" + kRepo + ":absent");
  EXPECT_EQ(no_image.code, 1) << no_image.err;
}

}  // namespace
}  // namespace strata::cli
