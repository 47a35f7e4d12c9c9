// The sigstore-conformance bundle-verify suite, run through the library:
// every case directory, once with the artifact file and once with only its
// sha256 digest; a case whose name ends in _fail must fail, and for the
// reason its name and README give (kFailReasons), every other must verify.
// Then checks the suite's fixtures cannot reach on their own: a log entry's
// body bound to the signer, the in-toto subject, and the cases whose
// fixture trips an earlier check than the one it is named for.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>

#include "base/base64.h"
#include "base/json.h"
#include "crypto/keys.h"
#include "pki/certificate.h"
#include "sigstore/bundle.h"
#include "sigstore/trusted_root.h"
#include "sigstore/verify.h"

namespace strata::sigstore {
namespace {

namespace fs = std::filesystem;

constexpr char kDefaultIdentity[] =
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-"
    "beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/"
    "main";
constexpr char kDefaultIssuer[] = "https://token.actions.githubusercontent.com";

const fs::path kShared =
    fs::path(STRATA_SOURCE_DIR) / "../shared/conformance/sigstore";
const fs::path kCases =
    kShared / "sigstore-conformance/test/assets/bundle-verify";

// For each _fail case, a substring of the error that names the check that
// must refuse it, the same with the artifact and with its digest.
const std::map<std::string, std::string> kFailReasons = {
    {"bundle-empty-certificate-chain_fail", "the certificate chain is empty"},
    {"bundle-from-wrong-instance_fail",
     "the entry's log is not in the trusted root"},
    {"bundle-invalid-base64-signature_fail",
     "field \"signature\" is not base64"},
    {"bundle-malformed-json_fail", "bundle is not valid JSON"},
    {"bundle-negative-log-index_fail",
     "field \"logIndex\" must not be negative"},
    {"bundle-unknown-version_fail", "unsupported bundle media type"},
    {"bundle-with-root-cert_fail",
     "untrusted chain contains a root certificate"},
    {"checkpoint-bad-keyhint_fail",
     "checkpoint has no signature by the log's key"},
    // The substituted checkpoint is a genuine signed one for a later tree,
    // so its size differs as well as its root hash, and the size is
    // compared first; CheckpointRootHashMustBeTheProofs pins the root hash.
    {"checkpoint-wrong-roothash_fail",
     "checkpoint tree size 75610772 is not the inclusion proof's 23083062"},
    {"dsse-invalid-sig_fail", "DSSE signature: signature does not verify"},
    {"dsse-mismatch-envelope_fail",
     "the log entry's payload hash does not match the bundle"},
    {"dsse-mismatch-sig_fail",
     "the log entry's signature does not match the bundle"},
    {"inclusion-proof-corrupted-hash_fail",
     "inclusion proof does not lead to its root hash"},
    {"incorrect-public-key_fail",
     "log entry's public key is not the bundle's signing certificate"},
    // As its README says: integrated at 15:34:11, after the certificate's
    // 15:18:10-15:28:10 validity. Before 2026-05-07 the integrated time is
    // also in the future and refused first (IntegratedTimeInTheFuture...).
    {"integrated-time-in-future_fail",
     "at 2026-05-07T15:34:11Z (authority 1: certificate has expired)"},
    // The certificate (2030) was not yet valid at the SET's time (2023).
    {"intoto-expired-certificate_fail",
     "at 2023-02-01T00:00:00Z (authority 0: certificate is not yet valid)"},
    {"intoto-log-entry-mismatch_fail",
     "the log entry's signature does not match the bundle"},
    {"intoto-missing-inclusion-proof_fail",
     "a v0.2+ bundle entry needs an inclusion proof"},
    {"intoto-set-outside-signing-cert-validity_fail",
     "at 2023-02-02T00:00:00Z (authority 0: certificate has expired)"},
    // The SET's time (2023-02-01T00:00:00Z) is inside the certificate's
    // validity; 2023-02-02 is the RFC 3161 timestamp's.
    {"intoto-tsa-timestamp-outside-cert-validity_fail",
     "at 2023-02-02T00:00:00Z (authority 0: certificate has expired)"},
    {"invalid-checkpoint-signature_fail",
     "checkpoint signature by \"rekor.sigstore.dev\" does not verify"},
    {"invalid-ct-key_fail", "no valid SCT from a trusted CT log"},
    {"invalid-inclusion-proof_fail",
     "inclusion proof does not lead to its root hash"},
    {"managed-key-no-key_fail",
     "the bundle is signed with a key, not a certificate"},
    // Unreachable by construction: the fixture's key.pub is a P-256
    // SubjectPublicKeyInfo whose point was overwritten ("...wrongkey==")
    // and is not on the curve, so no client can load it. The wrong-key
    // check is pinned by ManagedKeyBundleRefusesAnotherKey.
    {"managed-key-wrong-key_fail", "key.pub: not a DER SubjectPublicKeyInfo"},
    {"message-digest-mismatch_fail",
     "the bundle's message digest does not match the artifact"},
    {"rekor2-checkpoint-missing-log-signature_fail",
     "checkpoint: no signatures"},
    {"rekor2-checkpoint-missing-origin_fail",
     "checkpoint: needs an origin, a tree size and a root hash"},
    {"rekor2-checkpoint-missing-root-hash_fail",
     "checkpoint: needs an origin, a tree size and a root hash"},
    {"rekor2-checkpoint-missing-size_fail",
     "checkpoint: needs an origin, a tree size and a root hash"},
    {"rekor2-checkpoint-no-matching-signature_fail",
     "checkpoint has no signature by the log's key"},
    {"rekor2-dsse-invalid-sig_fail",
     "DSSE signature: signature does not verify"},
    {"rekor2-dsse-mismatch-envelope_fail",
     "the log entry's artifact digest does not match the bundle"},
    {"rekor2-dsse-mismatch-sig_fail",
     "the log entry's signature does not match the bundle"},
    {"rekor2-no-inclusion-proof_fail",
     "a v0.2+ bundle entry needs an inclusion proof"},
    {"rekor2-no-timestamp_fail",
     "a log entry without an integrated time needs an RFC 3161 timestamp"},
    {"rekor2-timestamp-outside-trust-root-tsa-validity_fail",
     "no trusted timestamp authority is valid at 2025-06-12T12:02:20Z"},
    {"rekor2-timestamp-outside-tsa-cert-validity_fail",
     "(authority 0: certificate verify error (Verify error:certificate has "
     "expired))"},
    {"rekor2-timestamp-payload-mismatch_fail",
     "timestamp is not over the given bytes"},
    {"rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail",
     "(Verify error:self-signed certificate in certificate chain)"},
    {"rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail",
     "(authority 0: signer certificate not found)"},
    // The fixture's signedTimestamp is MIME base64 (a newline every 76
    // characters, from `base64` without -w0), which the strict bundle
    // parser refuses before any timestamp check; protobuf JSON readers
    // that skip newlines (Go's) get further. With the newlines removed the
    // case reaches its intended check: TimestampOutsideCertificateValidity.
    // Its timestamp's base64 is wrapped at 76 columns, which Go's decoder
    // reads; the timestamp (2025-07-15) is after the certificate's validity
    // (2025-06-12 12:02-12:12).
    {"rekor2-timestamp-with-incorrect-time_fail",
     "at 2025-07-15T10:33:31Z (authority 0: certificate has expired)"},
    {"set-invalid-signature_fail", "signed entry timestamp does not verify"},
    {"signature-mismatch_fail", "message signature: signature does not verify"},
    {"trust-root-tlog-missing-validity-start_fail",
     "publicKey.validFor.start is missing"},
    {"wrong-hashedrekord-artifact_fail",
     "the log entry's artifact hash does not match the bundle"},
    // The body's signature is compared before its certificate.
    {"wrong-hashedrekord-cert-and-sig_fail",
     "the log entry's signature does not match the bundle"},
    {"wrong-hashedrekord-entry_fail",
     "the log entry's artifact hash does not match the bundle"},
    // The bundle's digest hint is compared before the signature;
    // WrongMaterialWithoutTheDigestHint pins the signature check.
    {"wrong-material_fail",
     "the bundle's message digest does not match the artifact"},
};

std::string ReadFile(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string Trim(std::string s) {
  while (!s.empty() &&
         (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) {
    s.pop_back();
  }
  return s;
}

int64_t NowUnix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One case's inputs, as the conformance harness gives them.
struct Case {
  TrustedRoot root;
  Bundle bundle;
  std::string artifact;
  VerifyPolicy policy;
};

// `bundle_json` replaces the case's bundle.sigstore.json when given.
Result<Case> LoadCase(const fs::path& dir,
                      std::optional<std::string> bundle_json = std::nullopt) {
  const fs::path root_path = fs::exists(dir / "trusted_root.json")
                                 ? dir / "trusted_root.json"
                                 : kShared / "trusted-roots" /
                                       "prod_trusted_root_from_sigstore_tuf_"
                                       "seeds.json";
  Case c;
  ASSIGN_OR_RETURN(c.root, ParseTrustedRoot(ReadFile(root_path)));
  ASSIGN_OR_RETURN(c.bundle, ParseBundle(bundle_json.value_or(
                                 ReadFile(dir / "bundle.sigstore.json"))));
  c.artifact = ReadFile(fs::exists(dir / "artifact") ? dir / "artifact"
                                                     : kCases / "a.txt");
  c.policy.now_unix = NowUnix();
  if (fs::exists(dir / "key.pub")) {
    Result<crypto::PublicKey> key =
        crypto::PublicKey::FromPem(ReadFile(dir / "key.pub"));
    if (!key.ok()) return key.status().WithContext("key.pub");
    c.policy.key = std::move(*key);
  } else {
    const std::string identity = fs::exists(dir / "identity")
                                     ? Trim(ReadFile(dir / "identity"))
                                     : kDefaultIdentity;
    const std::string issuer = fs::exists(dir / "issuer")
                                   ? Trim(ReadFile(dir / "issuer"))
                                   : kDefaultIssuer;
    c.policy.identity = pki::IdentityPolicy{pki::Matcher::Exact(identity),
                                            pki::Matcher::Exact(issuer)};
  }
  return c;
}

Status Verify(const Case& c, bool digest_only = false) {
  Artifact artifact = Artifact::FromBytes(c.artifact);
  if (digest_only) artifact = Artifact::FromSha256(artifact.sha256);
  return VerifyBundle(c.bundle, artifact, c.root, c.policy).status();
}

// Runs one case; OK or why it failed.
Status RunCase(const fs::path& dir, bool digest_only) {
  ASSIGN_OR_RETURN(Case c, LoadCase(dir));
  return Verify(c, digest_only);
}

TEST(SigstoreConformanceTest, EveryBundleVerifyCaseGivesItsExpectedResult) {
  if (!fs::exists(kCases)) GTEST_SKIP() << "no " << kCases.string();
  int run = 0, passed = 0;
  std::set<std::string> seen;
  for (const auto& entry : fs::directory_iterator(kCases)) {
    if (!entry.is_directory()) continue;
    const std::string name = entry.path().filename().string();
    const bool must_fail = name.ends_with("_fail");
    const auto reason = kFailReasons.find(name);
    if (must_fail) {
      seen.insert(name);
      EXPECT_NE(reason, kFailReasons.end()) << name << " has no pinned reason";
    }
    for (bool digest_only : {false, true}) {
      ++run;
      Status st = RunCase(entry.path(), digest_only);
      const std::string how = name + (digest_only ? " (digest)" : " (file)") +
                              ": " + (st.ok() ? "verified" : st.ToString());
      bool ok = st.ok() != must_fail;
      if (ok && must_fail && reason != kFailReasons.end()) {
        ok = st.ToString().find(reason->second) != std::string::npos;
        EXPECT_TRUE(ok) << how << "\n  want the reason: " << reason->second;
      } else {
        EXPECT_TRUE(ok) << how;
      }
      if (ok) ++passed;
    }
  }
  for (const auto& [name, unused] : kFailReasons) {
    EXPECT_TRUE(seen.contains(name)) << "no case " << name;
  }
  EXPECT_EQ(run, 140);
  std::printf("conformance: %d of %d cases as expected\n", passed, run);
}

// The case `name`, or a skip when the suite is absent.
#define LOAD_CASE_OR_SKIP(var, name)                          \
  if (!fs::exists(kCases / (name))) {                         \
    GTEST_SKIP() << "no " << (kCases / (name)).string();      \
  }                                                           \
  Result<Case> var##_or = LoadCase(kCases / (name));          \
  ASSERT_TRUE(var##_or.ok()) << var##_or.status().ToString(); \
  Case& var = *var##_or

// Sets tlog_entries[0]'s body field spec.signature.publicKey.content.
void SetBodyPublicKey(Bundle& b, const std::string& content) {
  Result<json::Json> body = json::Parse(b.tlog_entries[0].canonicalized_body,
                                        "body", kMaxCanonicalBodyBytes);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  (*body)["spec"]["signature"]["publicKey"]["content"] = content;
  b.tlog_entries[0].canonicalized_body = json::Dump(*body);
}

// The log entry's body is compared with the signer before its SET is
// checked, so a body naming another key fails on the binding, not the SET.
TEST(SigstoreBindingTest, ManagedKeyBodyNamingAnotherKeyIsRefused) {
  LOAD_CASE_OR_SKIP(c, "managed-key-happy-path");
  ASSERT_TRUE(Verify(c).ok()) << Verify(c).ToString();
  Result<crypto::PrivateKey> other = crypto::PrivateKey::GenerateEcdsaP256();
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  Result<crypto::PublicKey> other_pub = other->Public();
  ASSERT_TRUE(other_pub.ok()) << other_pub.status().ToString();
  ASSERT_NO_FATAL_FAILURE(
      SetBodyPublicKey(c.bundle, Base64Encode(other_pub->ToPem())));
  EXPECT_EQ(Verify(c).ToString(),
            "log entry 771488337: log entry's public key is not the given key");
}

TEST(SigstoreBindingTest, KeylessBodyNamingAnotherCertificateIsRefused) {
  LOAD_CASE_OR_SKIP(c, "happy-path-v0.3");
  LOAD_CASE_OR_SKIP(donor, "happy-path-v0.2");
  ASSERT_TRUE(Verify(c).ok()) << Verify(c).ToString();
  Result<pki::Certificate> leaf =
      pki::Certificate::FromDer(donor.bundle.certificates[0]);
  ASSERT_TRUE(leaf.ok()) << leaf.status().ToString();
  ASSERT_NO_FATAL_FAILURE(
      SetBodyPublicKey(c.bundle, Base64Encode(leaf->ToPem())));
  EXPECT_EQ(Verify(c).ToString(),
            "log entry 79571823: log entry's public key is not the bundle's "
            "signing certificate");
}

TEST(SigstoreBindingTest, InTotoSubjectMustBeTheArtifact) {
  LOAD_CASE_OR_SKIP(c, "happy-path-intoto-in-dsse-v3");
  ASSERT_TRUE(Verify(c).ok()) << Verify(c).ToString();
  Result<VerifiedBundle> v = VerifyBundle(
      c.bundle, Artifact::FromSha256(std::string(32, '\0')), c.root, c.policy);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().ToString(),
            "no in-toto subject has the artifact's sha256 digest " +
                std::string(64, '0'));
}

// managed-key-wrong-key_fail's key cannot be loaded: the same bundle with
// a real key that is not the signer's.
TEST(SigstoreConformanceTest, ManagedKeyBundleRefusesAnotherKey) {
  LOAD_CASE_OR_SKIP(c, "managed-key-happy-path");
  Result<crypto::PrivateKey> other = crypto::PrivateKey::GenerateEcdsaP256();
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  Result<crypto::PublicKey> other_pub = other->Public();
  ASSERT_TRUE(other_pub.ok()) << other_pub.status().ToString();
  c.policy.key = *other_pub;
  EXPECT_EQ(Verify(c).ToString(),
            "message signature: signature does not verify with the "
            "ecdsa-p256 key");
}

// integrated-time-in-future_fail before its integrated time.
TEST(SigstoreConformanceTest, IntegratedTimeInTheFutureIsRefused) {
  LOAD_CASE_OR_SKIP(c, "integrated-time-in-future_fail");
  ASSERT_EQ(c.bundle.tlog_entries[0].integrated_time, 1778168051);
  c.policy.now_unix = 1778168051 - 3600;
  EXPECT_EQ(Verify(c).ToString(),
            "log entry " + std::to_string(c.bundle.tlog_entries[0].log_index) +
                ": integrated time 1778168051 is in the future (now "
                "1778164451)");
}

// checkpoint-wrong-roothash_fail with its checkpoint's tree size set to the
// proof's: the root hash still differs.
TEST(SigstoreConformanceTest, CheckpointRootHashMustBeTheProofs) {
  LOAD_CASE_OR_SKIP(c, "checkpoint-wrong-roothash_fail");
  std::string& note = c.bundle.tlog_entries[0].inclusion_proof->checkpoint;
  const size_t at = note.find("\n75610772\n");
  ASSERT_NE(at, std::string::npos);
  note.replace(at, 10, "\n23083062\n");
  EXPECT_EQ(Verify(c).ToString(),
            "log entry 27246492: checkpoint root hash is not the inclusion "
            "proof's");
}

// wrong-material_fail without the bundle's digest hint: the signature
// itself refuses the other artifact.
TEST(SigstoreConformanceTest, WrongMaterialWithoutTheDigestHint) {
  LOAD_CASE_OR_SKIP(c, "wrong-material_fail");
  c.bundle.message_signature->digest.clear();
  EXPECT_EQ(Verify(c).ToString(),
            "message signature: signature does not verify with the "
            "ecdsa-p256 key");
}

// sigstore-go's test bundles: a DSSE envelope with two signatures must be
// refused even though one of them is valid (a bundle binds one signer);
// the same envelope with one signature verifies up to its content.
TEST(SigstoreGoBundlesTest, RefusesADsseEnvelopeWithTwoSignatures) {
  const fs::path dir = kShared / "sigstore-go/pkg/testing/data";
  if (!fs::exists(dir)) GTEST_SKIP() << "no " << dir.string();
  Result<TrustedRoot> root =
      ParseTrustedRoot(ReadFile(dir / "trusted-roots/public-good.json"));
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  Result<Bundle> two =
      ParseBundle(ReadFile(dir / "bundles/dsse-2sigs.sigstore.json"));
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  ASSERT_EQ(two->dsse_envelope->signatures.size(), 2u);
  VerifyPolicy policy;
  policy.now_unix = 2'000'000'000;
  policy.identity =
      pki::IdentityPolicy{pki::Matcher::Exact("x"), pki::Matcher::Exact("y")};
  Result<VerifiedBundle> v = VerifyBundle(
      *two, Artifact::FromSha256(std::string(32, '\0')), *root, policy);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().ToString(),
            "a bundle's DSSE envelope must have exactly one signature, it "
            "has 2");
}

}  // namespace
}  // namespace strata::sigstore
