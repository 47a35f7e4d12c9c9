#include "sigstore/tlog.h"

#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "base/base64.h"
#include "crypto/keys.h"

namespace strata::sigstore {
namespace {

namespace fs = std::filesystem;

fs::path Shared() {
  return fs::path(STRATA_SOURCE_DIR) / "../shared/conformance/sigstore";
}
fs::path Cases() {
  return Shared() / "sigstore-conformance/test/assets/bundle-verify";
}

#define SKIP_WITHOUT_SHARED()                                             \
  if (!fs::exists(Shared())) {                                            \
    GTEST_SKIP() << "no " << Shared() << " (conformance data is absent)"; \
  }

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Sha256(std::string_view s) {
  return crypto::HashBytes(crypto::Hash::kSha256, s);
}

// The case's trusted_root.json, or the production root.
TrustedRoot RootFor(const fs::path& dir) {
  fs::path p = dir / "trusted_root.json";
  if (!fs::exists(p)) {
    p = Shared() /
        "trusted-roots/prod_trusted_root_from_sigstore_tuf_seeds.json";
  }
  Result<TrustedRoot> root = ParseTrustedRoot(ReadFile(p));
  EXPECT_TRUE(root.ok()) << p << ": " << root.status().ToString();
  return root.ok() ? std::move(*root) : TrustedRoot{};
}

// tlogEntries[0] of the case's bundle, as JSON.
json::Json EntryJson(const fs::path& dir) {
  Result<json::Json> bundle =
      json::Parse(ReadFile(dir / "bundle.sigstore.json"), "bundle", 1 << 22);
  if (!bundle.ok()) return nullptr;
  return (*bundle)["verificationMaterial"]["tlogEntries"][0];
}

TransparencyLogEntry EntryFor(const fs::path& dir) {
  Result<TransparencyLogEntry> e = ParseTlogEntry(EntryJson(dir));
  EXPECT_TRUE(e.ok()) << dir << ": " << e.status().ToString();
  return e.ok() ? std::move(*e) : TransparencyLogEntry{};
}

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

// Cases that fail for a transparency-log reason, and how.
struct TlogFailure {
  const char* dir;
  const char* parse = nullptr;  // expected ParseTlogEntry error
  const char* set = nullptr;    // expected errors ("" = must pass)
  const char* proof = nullptr;
  const char* checkpoint = nullptr;
};
constexpr const char* kBadSet =
    "signed entry timestamp does not verify: signature does not verify with "
    "the ecdsa-p256 key";
const TlogFailure kFailures[] = {
    {.dir = "bundle-negative-log-index_fail",
     .parse = "field \"logIndex\" must not be negative"},
    {.dir = "set-invalid-signature_fail",
     .set = kBadSet,
     .proof = "",
     .checkpoint = ""},
    {.dir = "inclusion-proof-corrupted-hash_fail",
     .set = "",
     .proof = "inclusion proof does not lead to its root hash",
     .checkpoint = ""},
    {.dir = "invalid-inclusion-proof_fail",
     .set = "",
     .proof = "inclusion proof does not lead to its root hash",
     .checkpoint = "inclusion proof has no checkpoint"},
    {.dir = "checkpoint-bad-keyhint_fail",
     .set = "",
     .proof = "",
     .checkpoint = "checkpoint has no signature by the log's key"},
    {.dir = "checkpoint-wrong-roothash_fail",
     .set = "",
     .proof = "",
     .checkpoint = "checkpoint tree size 75610772 is not the inclusion "
                   "proof's 23083062"},
    {.dir = "invalid-checkpoint-signature_fail",
     .set = "",
     .proof = "",
     .checkpoint = "checkpoint signature by \"rekor.sigstore.dev\" does not "
                   "verify: signature does not verify with the ecdsa-p256 "
                   "key"},
    {.dir = "rekor2-checkpoint-missing-log-signature_fail",
     .proof = "",
     .checkpoint = "checkpoint: no signatures"},
    {.dir = "rekor2-checkpoint-missing-origin_fail",
     .proof = "",
     .checkpoint = "checkpoint: needs an origin, a tree size and a root hash"},
    {.dir = "rekor2-checkpoint-missing-root-hash_fail",
     .proof = "",
     .checkpoint = "checkpoint: needs an origin, a tree size and a root hash"},
    {.dir = "rekor2-checkpoint-missing-size_fail",
     .proof = "",
     .checkpoint = "checkpoint: needs an origin, a tree size and a root hash"},
    {.dir = "rekor2-checkpoint-no-matching-signature_fail",
     .proof = "",
     .checkpoint = "checkpoint has no signature by the log's key"},
    {.dir = "rekor2-no-inclusion-proof_fail",
     .set = "entry has no signed entry timestamp",
     .proof = "entry has no inclusion proof",
     .checkpoint = "entry has no inclusion proof"},
    {.dir = "intoto-missing-inclusion-proof_fail",
     .set = "",
     .proof = "entry has no inclusion proof"},
    // These edit the logged body, which the log's proofs then reject.
    {.dir = "bundle-unknown-version_fail", .set = kBadSet},
    {.dir = "incorrect-public-key_fail",
     .set = kBadSet,
     .proof = "inclusion proof does not lead to its root hash",
     .checkpoint = ""},
    {.dir = "bundle-invalid-base64-signature_fail",
     .set = kBadSet,
     .proof = "inclusion proof does not lead to its root hash",
     .checkpoint = ""},
    {.dir = "bundle-empty-certificate-chain_fail",  // a stub entry
     .set = kBadSet,
     .proof = "inclusion proof has fewer hashes than its tree needs"},
    {.dir = "bundle-from-wrong-instance_fail",  // staging entry, prod root
     .set = "no transparency log with id "
            "d32f30a3c32d639c2b762205a21c7bb07788e68283a4ae6f42118723a1bea496"
            " in the trusted root",
     .proof = "",
     .checkpoint = "no transparency log with id "
                   "d32f30a3c32d639c2b762205a21c7bb07788e68283a4ae6f42118723a"
                   "1bea496 in the trusted root"},
};

void ExpectOutcome(const char* want, const Status& got,
                   const std::string& what) {
  if (want == nullptr) return;
  if (*want == '\0') {
    EXPECT_TRUE(got.ok()) << what << ": " << got.ToString();
  } else {
    EXPECT_EQ(got.ToString(), want) << what;
  }
}

TEST(TlogConformanceTest, FailingCasesFailForTheirReason) {
  SKIP_WITHOUT_SHARED();
  for (const TlogFailure& f : kFailures) {
    const fs::path dir = Cases() / f.dir;
    ASSERT_TRUE(fs::exists(dir)) << dir;
    Result<TransparencyLogEntry> entry = ParseTlogEntry(EntryJson(dir));
    if (f.parse != nullptr) {
      EXPECT_EQ(entry.status().ToString(), f.parse) << f.dir;
      continue;
    }
    ASSERT_TRUE(entry.ok()) << f.dir << ": " << entry.status().ToString();
    const TrustedRoot root = RootFor(dir);
    ExpectOutcome(f.set, VerifySet(*entry, root), std::string(f.dir) + " SET");
    ExpectOutcome(f.proof, VerifyInclusionProof(*entry),
                  std::string(f.dir) + " proof");
    ExpectOutcome(f.checkpoint, VerifyCheckpoint(*entry, root),
                  std::string(f.dir) + " checkpoint");
  }
}

// Every other case (passing ones, and those failing for reasons outside the
// log: certificates, signatures, TSA) has sound log proofs.
TEST(TlogConformanceTest, OtherCasesHaveValidLogProofs) {
  SKIP_WITHOUT_SHARED();
  std::set<std::string> skip = {"bundle-malformed-json_fail",
                                "trust-root-tlog-missing-validity-start_fail"};
  for (const TlogFailure& f : kFailures) skip.insert(f.dir);
  int sets = 0, proofs = 0, checkpoints = 0;
  for (const auto& e : fs::directory_iterator(Cases())) {
    const std::string name = e.path().filename().string();
    if (!e.is_directory() || skip.count(name) != 0) continue;
    const TransparencyLogEntry entry = EntryFor(e.path());
    const TrustedRoot root = RootFor(e.path());
    if (entry.signed_entry_timestamp) {
      Status s = VerifySet(entry, root);
      EXPECT_TRUE(s.ok()) << name << " SET: " << s.ToString();
      Status t = VerifyIntegratedTime(entry, Now());
      EXPECT_TRUE(t.ok()) << name << ": " << t.ToString();
      ++sets;
    }
    if (entry.inclusion_proof) {
      Status s = VerifyInclusionProof(entry);
      EXPECT_TRUE(s.ok()) << name << " proof: " << s.ToString();
      ++proofs;
      if (!entry.inclusion_proof->checkpoint.empty()) {
        Status c = VerifyCheckpoint(entry, root);
        EXPECT_TRUE(c.ok()) << name << " checkpoint: " << c.ToString();
        ++checkpoints;
      }
    }
  }
  EXPECT_GE(sets, 20);
  EXPECT_GE(proofs, 40);
  EXPECT_GE(checkpoints, 40);
}

TEST(TlogConformanceTest, CosignedCheckpointsNeedOnlyTheLogSignature) {
  SKIP_WITHOUT_SHARED();
  for (const char* name :
       {"rekor2-checkpoint-cosigned", "rekor2-checkpoint-multiple-cosigs",
        "rekor2-checkpoint-origin-not-first",
        "rekor2-checkpoint-two-sigs-cosigned",
        "rekor2-checkpoint-two-sigs-from-origin"}) {
    const fs::path dir = Cases() / name;
    const TransparencyLogEntry entry = EntryFor(dir);
    Result<Checkpoint> cp = ParseCheckpoint(entry.inclusion_proof->checkpoint);
    ASSERT_TRUE(cp.ok()) << name << ": " << cp.status().ToString();
    EXPECT_GE(cp->signatures.size(), 2u) << name;
    EXPECT_TRUE(VerifyCheckpoint(entry, RootFor(dir)).ok()) << name;
  }
}

TEST(TlogConformanceTest, SetKeyValidityEndIsInclusive) {
  SKIP_WITHOUT_SHARED();
  const fs::path dir = Cases() / "trust-root-tlog-validity-end-inclusive";
  const TrustedRoot root = RootFor(dir);
  TransparencyLogEntry entry = EntryFor(dir);
  EXPECT_TRUE(VerifySet(entry, root).ok());
  entry.integrated_time += 1;
  EXPECT_EQ(VerifySet(entry, root).ToString(),
            "key of log https://rekor.sigstore.dev is not valid at integrated "
            "time 1689177397");
}

// A real SET from containers/image's fixtures, checked against rekor.pub
// through the production root (its log id is the production Rekor's).
TEST(VerifySetTest, VerifiesARealSignedEntryTimestamp) {
  SKIP_WITHOUT_SHARED();
  const fs::path fixtures = Shared() / "containers-image/signature/fixtures";
  Result<json::Json> set =
      json::Parse(ReadFile(fixtures / "rekor-set"), "rekor-set", 1 << 20);
  ASSERT_TRUE(set.ok());
  const json::Json& p = (*set)["Payload"];
  TransparencyLogEntry entry;
  entry.log_index = p["logIndex"].get<int64_t>();
  entry.integrated_time = p["integratedTime"].get<int64_t>();
  entry.log_id = Sha256(
      crypto::PublicKey::FromPem(ReadFile(fixtures / "rekor.pub"))->ToDer());
  entry.canonicalized_body = *Base64Decode(p["body"].get<std::string>());
  entry.signed_entry_timestamp =
      *Base64Decode((*set)["SignedEntryTimestamp"].get<std::string>());
  const TrustedRoot root = RootFor(Cases() / "none");

  Result<std::string> payload = SetPayload(entry);
  ASSERT_TRUE(payload.ok());
  EXPECT_EQ(payload->substr(0, 8), "{\"body\":");
  EXPECT_NE(
      payload->find(",\"integratedTime\":1670870899,\"logID\":\"c0d23d6a"),
      std::string::npos);
  EXPECT_EQ(payload->substr(payload->size() - 20), ",\"logIndex\":8949589}");
  EXPECT_TRUE(VerifySet(entry, root).ok()) << VerifySet(entry, root).ToString();

  const std::string kBad =
      "signed entry timestamp does not verify: signature does not verify "
      "with the ecdsa-p256 key";
  TransparencyLogEntry e = entry;
  e.log_index += 1;
  EXPECT_EQ(VerifySet(e, root).ToString(), kBad);
  e = entry;
  e.integrated_time += 1;
  EXPECT_EQ(VerifySet(e, root).ToString(), kBad);
  e = entry;
  e.canonicalized_body[10] ^= 1;
  EXPECT_EQ(VerifySet(e, root).ToString(), kBad);
  e = entry;
  (*e.signed_entry_timestamp)[20] ^= 1;
  EXPECT_EQ(VerifySet(e, root).ToString(), kBad);
  e = entry;
  e.log_id[0] ^= 1;
  EXPECT_EQ(VerifySet(e, root).code(), StatusCode::kNotFound);
  e = entry;
  e.integrated_time = 1600000000;  // before the key's validity
  EXPECT_EQ(VerifySet(e, root).ToString(),
            "key of log https://rekor.sigstore.dev is not valid at integrated "
            "time 1600000000");
  e = entry;
  e.signed_entry_timestamp.reset();
  EXPECT_EQ(VerifySet(e, root).ToString(),
            "entry has no signed entry timestamp");
  e = entry;
  e.canonicalized_body.clear();
  EXPECT_EQ(VerifySet(e, root).ToString(), "entry has no canonicalized body");
}

// RFC 9162 2.1.1 and 2.1.3.1, written from the definitions, to build trees
// and audit paths for the verifier.
std::string Mth(const std::vector<std::string>& leaves, size_t lo, size_t hi) {
  if (hi - lo == 1) return LeafHash(leaves[lo]);
  size_t k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return Sha256("\x01" + Mth(leaves, lo, lo + k) + Mth(leaves, lo + k, hi));
}
void Path(const std::vector<std::string>& leaves, size_t m, size_t lo,
          size_t hi, std::vector<std::string>* out) {
  if (hi - lo == 1) return;
  size_t k = 1;
  while (k * 2 < hi - lo) k *= 2;
  if (m < k) {
    Path(leaves, m, lo, lo + k, out);
    out->push_back(Mth(leaves, lo + k, hi));
  } else {
    Path(leaves, m - k, lo + k, hi, out);
    out->push_back(Mth(leaves, lo, lo + k));
  }
}

TransparencyLogEntry SyntheticEntry(const std::vector<std::string>& leaves,
                                    size_t m) {
  TransparencyLogEntry e;
  e.log_index = static_cast<int64_t>(m);
  e.canonicalized_body = leaves[m];
  InclusionProof proof;
  proof.log_index = static_cast<int64_t>(m);
  proof.tree_size = static_cast<int64_t>(leaves.size());
  proof.root_hash = Mth(leaves, 0, leaves.size());
  Path(leaves, m, 0, leaves.size(), &proof.hashes);
  e.inclusion_proof = proof;
  return e;
}

TEST(VerifyInclusionProofTest, AcceptsEveryLeafOfTreesUpTo33) {
  std::vector<std::string> leaves;
  for (size_t n = 1; n <= 33; ++n) {
    leaves.push_back("leaf " + std::to_string(n - 1));
    for (size_t m = 0; m < n; ++m) {
      TransparencyLogEntry e = SyntheticEntry(leaves, m);
      EXPECT_TRUE(VerifyInclusionProof(e).ok()) << n << " " << m;
      // The same path for a neighbour's index or body must fail.
      if (m + 1 < n) {
        e.inclusion_proof->log_index = static_cast<int64_t>(m + 1);
        EXPECT_FALSE(VerifyInclusionProof(e).ok()) << n << " " << m;
        e.inclusion_proof->log_index = static_cast<int64_t>(m);
        e.canonicalized_body = leaves[m + 1];
        EXPECT_FALSE(VerifyInclusionProof(e).ok()) << n << " " << m;
      }
    }
  }
}

TEST(VerifyInclusionProofTest, ReportsEachCorruption) {
  std::vector<std::string> leaves;
  for (int i = 0; i < 11; ++i) leaves.push_back("leaf " + std::to_string(i));
  const TransparencyLogEntry good = SyntheticEntry(leaves, 6);
  ASSERT_TRUE(VerifyInclusionProof(good).ok());
  const auto check = [](const TransparencyLogEntry& e) {
    return VerifyInclusionProof(e).ToString();
  };
  const std::string kWrongRoot =
      "inclusion proof does not lead to its root hash";
  TransparencyLogEntry e = good;
  e.canonicalized_body[0] ^= 1;
  EXPECT_EQ(check(e), kWrongRoot);
  for (size_t i = 0; i < good.inclusion_proof->hashes.size(); ++i) {
    e = good;
    e.inclusion_proof->hashes[i][31] ^= 0x80;
    EXPECT_EQ(check(e), kWrongRoot) << i;
  }
  e = good;
  e.inclusion_proof->root_hash[0] ^= 1;
  EXPECT_EQ(check(e), kWrongRoot);
  e = good;
  // 12 leaves give leaf 6 the same path shape as 11 (the checkpoint binds
  // the size); 7 leaves do not.
  e.inclusion_proof->tree_size = 7;
  EXPECT_EQ(check(e), "inclusion proof has more hashes than its tree needs");
  e = good;
  e.inclusion_proof->tree_size = 6;
  EXPECT_EQ(check(e), "inclusion proof index 6 is not below its tree size 6");
  e = good;
  e.inclusion_proof->hashes.pop_back();
  EXPECT_EQ(check(e), "inclusion proof has fewer hashes than its tree needs");
  e = good;
  e.inclusion_proof->hashes.push_back(std::string(32, 'x'));
  EXPECT_EQ(check(e), "inclusion proof has more hashes than its tree needs");
  e = good;
  e.inclusion_proof->hashes[1].pop_back();
  EXPECT_EQ(check(e), "inclusion proof hash 1 is 31 bytes, want 32");
  e = good;
  e.inclusion_proof->root_hash += "x";
  EXPECT_EQ(check(e), "inclusion proof root hash is 33 bytes, want 32");
  e = good;
  e.canonicalized_body.clear();
  EXPECT_EQ(check(e), "entry has no canonicalized body");
  e = good;
  e.inclusion_proof.reset();
  EXPECT_EQ(check(e), "entry has no inclusion proof");
  // A one-leaf tree needs no hashes.
  const TransparencyLogEntry single = SyntheticEntry({"only"}, 0);
  EXPECT_TRUE(single.inclusion_proof->hashes.empty());
  EXPECT_TRUE(VerifyInclusionProof(single).ok());
}

// A log with a fresh P-256 key, a checkpoint it signs, and a root naming it.
struct TestLog {
  crypto::PrivateKey key = *crypto::PrivateKey::GenerateEcdsaP256();
  std::string spki = key.Public()->ToDer();
  std::string log_id = Sha256(spki);

  TrustedRoot Root() const {
    json::Json j = {
        {"mediaType",
         "application/vnd.dev.sigstore.trustedroot+json;version=0.1"},
        {"tlogs",
         {{{"baseUrl", "https://log.example"},
           {"hashAlgorithm", "SHA2_256"},
           {"publicKey",
            {{"rawBytes", Base64Encode(spki)},
             {"keyDetails", "PKIX_ECDSA_P256_SHA_256"},
             {"validFor", {{"start", "2020-01-01T00:00:00Z"}}}}},
           {"logId", {{"keyId", Base64Encode(log_id)}}}}}}};
    return *ParseTrustedRoot(json::Dump(j));
  }
  std::string SignatureLine(std::string_view name,
                            std::string_view text) const {
    return "\xE2\x80\x94 " + std::string(name) + " " +
           Base64Encode(Sha256(spki).substr(0, 4) +
                        *key.Sign(text, crypto::Hash::kSha256)) +
           "\n";
  }
};

TEST(VerifyCheckpointTest, VerifiesASignedNoteWithExtensionsAndWitnesses) {
  std::vector<std::string> leaves = {"a", "b", "c", "d", "e"};
  TransparencyLogEntry entry = SyntheticEntry(leaves, 3);
  TestLog log;
  entry.log_id = log.log_id;
  const TrustedRoot root = log.Root();
  const std::string text = "log.example\n5\n" +
                           Base64Encode(entry.inclusion_proof->root_hash) +
                           "\nTimestamp: 1\n";
  const std::string witness = "\xE2\x80\x94 witness.example " +
                              Base64Encode("hint" + std::string(64, 's')) +
                              "\n";
  entry.inclusion_proof->checkpoint =
      text + "\n" + witness + log.SignatureLine("log.example", text);
  ASSERT_TRUE(VerifyCheckpoint(entry, root).ok())
      << VerifyCheckpoint(entry, root).ToString();

  Result<Checkpoint> cp = ParseCheckpoint(entry.inclusion_proof->checkpoint);
  ASSERT_TRUE(cp.ok());
  EXPECT_EQ(cp->origin, "log.example");
  EXPECT_EQ(cp->tree_size, 5);
  EXPECT_EQ(cp->extensions, std::vector<std::string>{"Timestamp: 1"});
  EXPECT_EQ(cp->signed_text, text);
  ASSERT_EQ(cp->signatures.size(), 2u);
  EXPECT_EQ(cp->signatures[0].name, "witness.example");
  EXPECT_EQ(cp->signatures[0].key_hint, "hint");
  EXPECT_EQ(cp->signatures[1].key_hint, Sha256(log.spki).substr(0, 4));
  EXPECT_EQ(CheckpointKeyHint(root.tlogs[0].public_key, "any"),
            Sha256(log.spki).substr(0, 4));

  // Any change to the signed text breaks the signature.
  TransparencyLogEntry e = entry;
  e.inclusion_proof->checkpoint =
      "log.example\n5\n" + Base64Encode(entry.inclusion_proof->root_hash) +
      "\nTimestamp: 2\n\n" + log.SignatureLine("log.example", text);
  EXPECT_EQ(VerifyCheckpoint(e, root).ToString(),
            "checkpoint signature by \"log.example\" does not verify: "
            "signature does not verify with the ecdsa-p256 key");
  // Only a witness: no log signature.
  e = entry;
  e.inclusion_proof->checkpoint = text + "\n" + witness;
  EXPECT_EQ(VerifyCheckpoint(e, root).ToString(),
            "checkpoint has no signature by the log's key");
  // Another key.
  TestLog other;
  e = entry;
  e.inclusion_proof->checkpoint =
      text + "\n" + other.SignatureLine("log.example", text);
  EXPECT_EQ(VerifyCheckpoint(e, root).ToString(),
            "checkpoint has no signature by the log's key");
  // The proof must match the checkpoint.
  e = entry;
  e.inclusion_proof->root_hash[0] ^= 1;
  EXPECT_EQ(VerifyCheckpoint(e, root).ToString(),
            "checkpoint root hash is not the inclusion proof's");
  e = entry;
  e.inclusion_proof->tree_size = 6;
  EXPECT_EQ(VerifyCheckpoint(e, root).ToString(),
            "checkpoint tree size 5 is not the inclusion proof's 6");
  e = entry;
  e.log_id = other.log_id;
  EXPECT_EQ(VerifyCheckpoint(e, root).code(), StatusCode::kNotFound);
  e = entry;
  e.inclusion_proof->checkpoint.clear();
  EXPECT_EQ(VerifyCheckpoint(e, root).ToString(),
            "inclusion proof has no checkpoint");
}

TEST(ParseCheckpointTest, RefusesMalformedNotes) {
  const std::string sig =
      "\xE2\x80\x94 log " + Base64Encode("hint" + std::string(8, 's')) + "\n";
  const std::string body = "log\n5\nAAAA\n";
  ASSERT_TRUE(ParseCheckpoint(body + "\n" + sig).ok());
  const struct {
    std::string note;
    const char* want;
  } kCases[] = {
      {body + sig, "checkpoint: no blank line before the signatures"},
      {body + "\n", "checkpoint: no signatures"},
      {body + "\n" + sig.substr(0, sig.size() - 1),
       "checkpoint: does not end with a newline"},
      {"log\r\n5\nAAAA\n\n" + sig, "checkpoint: control character in note"},
      {"\n5\nAAAA\n\n" + sig, "checkpoint: empty origin"},
      {"log\n5\n\n" + sig,
       "checkpoint: needs an origin, a tree size and a root hash"},
      {"log\n05\nAAAA\n\n" + sig, "checkpoint: bad tree size line"},
      {"log\n-5\nAAAA\n\n" + sig, "checkpoint: bad tree size line"},
      {"log\n99999999999999999999\nAAAA\n\n" + sig,
       "checkpoint: bad tree size line"},
      {"log\n5\nA*AA\n\n" + sig, "checkpoint: bad root hash line"},
      {body + "\n" + sig + "\n",
       "checkpoint: signature line does not start "
       "with \"\xE2\x80\x94 \""},
      {body + "\n-- log AAAAAAAA\n",
       "checkpoint: signature line does not start with \"\xE2\x80\x94 \""},
      {body + "\n\xE2\x80\x94 log\n",
       "checkpoint: signature line has no key name"},
      {body + "\n\xE2\x80\x94  AAAAAAAA\n",
       "checkpoint: signature line has no key name"},
      {body + "\n\xE2\x80\x94 a+b AAAAAAAA\n",
       "checkpoint: key name contains '+'"},
      {body + "\n\xE2\x80\x94 log AAAA\n",
       "checkpoint: signature of \"log\" is not base64 of a key hint and a "
       "signature"},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(ParseCheckpoint(c.note).status().ToString(), c.want) << c.note;
  }
  std::string many = body + "\n";
  for (size_t i = 0; i <= kMaxCheckpointSignatures; ++i) many += sig;
  EXPECT_EQ(ParseCheckpoint(many).status().ToString(),
            "checkpoint: over 64 signatures");
  EXPECT_EQ(ParseCheckpoint(std::string(kMaxCheckpointBytes + 1, 'a'))
                .status()
                .code(),
            StatusCode::kResourceExhausted);
}

json::Json GoodEntryJson() {
  return json::Json::parse(R"({
    "logIndex": "27246492",
    "logId": {"keyId": "wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0="},
    "kindVersion": {"kind": "hashedrekord", "version": "0.0.1"},
    "integratedTime": 1689177396,
    "inclusionPromise": {"signedEntryTimestamp": "MEUCIQ=="},
    "inclusionProof": {
      "logIndex": "1", "treeSize": "2",
      "rootHash": "dauhleYK4YyAdxwwDtR0l0KnSOWZdG2bwqHftlanvcI=",
      "hashes": ["_vK4Da3g7ZhRgme8FxCi8QIBL7DSlwpSwyERyIV-uS8"],
      "checkpoint": {"envelope": "x"}
    },
    "canonicalizedBody": "e30="
  })");
}

TEST(ParseTlogEntryTest, ReadsEveryField) {
  Result<TransparencyLogEntry> e = ParseTlogEntry(GoodEntryJson());
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->log_index, 27246492);
  EXPECT_EQ(e->log_id.size(), 32u);
  EXPECT_EQ(e->kind, "hashedrekord");
  EXPECT_EQ(e->version, "0.0.1");
  EXPECT_EQ(e->integrated_time, 1689177396);
  EXPECT_EQ(e->signed_entry_timestamp, std::string("\x30\x45\x02\x21", 4));
  ASSERT_TRUE(e->inclusion_proof.has_value());
  EXPECT_EQ(e->inclusion_proof->log_index, 1);
  EXPECT_EQ(e->inclusion_proof->tree_size, 2);
  EXPECT_EQ(e->inclusion_proof->root_hash.size(), 32u);
  ASSERT_EQ(e->inclusion_proof->hashes.size(), 1u);
  EXPECT_EQ(e->inclusion_proof->hashes[0].size(), 32u);  // URL alphabet
  EXPECT_EQ(e->inclusion_proof->checkpoint, "x");
  EXPECT_EQ(e->canonicalized_body, "{}");

  // Optional members; zero values may be omitted by protobuf JSON.
  json::Json j = GoodEntryJson();
  for (const char* k : {"logIndex", "integratedTime", "inclusionPromise",
                        "inclusionProof", "canonicalizedBody"}) {
    j.erase(k);
  }
  e = ParseTlogEntry(j);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->log_index, 0);
  EXPECT_FALSE(e->signed_entry_timestamp.has_value());
  EXPECT_FALSE(e->inclusion_proof.has_value());
  EXPECT_EQ(VerifyIntegratedTime(*e, Now()).ToString(),
            "entry has no integrated time");
}

TEST(ParseTlogEntryTest, RefusesWrongTypesAndValues) {
  const auto edited = [](auto edit) {
    json::Json j = GoodEntryJson();
    edit(j);
    return ParseTlogEntry(j).status().ToString();
  };
  EXPECT_EQ(ParseTlogEntry(json::Json::array()).status().ToString(),
            "tlog entry is not an object");
  EXPECT_EQ(edited([](json::Json& j) { j["logIndex"] = "-1"; }),
            "field \"logIndex\" must not be negative");
  EXPECT_EQ(edited([](json::Json& j) { j["logIndex"] = 1.5; }),
            "field \"logIndex\" must be an int64");
  EXPECT_EQ(edited([](json::Json& j) { j["integratedTime"] = -5; }),
            "field \"integratedTime\" must not be negative");
  EXPECT_EQ(edited([](json::Json& j) { j.erase("logId"); }),
            "tlog entry has no logId");
  EXPECT_EQ(edited([](json::Json& j) { j["logId"] = "abc"; }),
            "field \"logId\" must be an object");
  EXPECT_EQ(edited([](json::Json& j) { j["logId"]["keyId"] = "a!"; }),
            "logId: field \"keyId\" is not base64: bad base64 character");
  EXPECT_EQ(edited([](json::Json& j) { j.erase("kindVersion"); }),
            "tlog entry has no kindVersion");
  EXPECT_EQ(edited([](json::Json& j) { j["kindVersion"]["kind"] = 1; }),
            "kindVersion: field \"kind\" must be a string");
  EXPECT_EQ(edited([](json::Json& j) { j["kindVersion"].erase("version"); }),
            "kindVersion needs a kind and a version");
  EXPECT_EQ(edited([](json::Json& j) {
              j["inclusionPromise"] = json::Json::object();
            }),
            "inclusionPromise has no signedEntryTimestamp");
  EXPECT_EQ(
      edited([](json::Json& j) { j["inclusionProof"]["treeSize"] = true; }),
      "inclusionProof: field \"treeSize\" must be an int64");
  EXPECT_EQ(
      edited([](json::Json& j) { j["inclusionProof"]["logIndex"] = "-2"; }),
      "inclusionProof: field \"logIndex\" must not be negative");
  EXPECT_EQ(edited([](json::Json& j) { j["inclusionProof"]["hashes"] = "x"; }),
            "inclusionProof: field \"hashes\" must be an array");
  EXPECT_EQ(edited([](json::Json& j) { j["inclusionProof"]["hashes"][0] = 7; }),
            "inclusionProof: field \"hashes\" must hold base64 hashes");
  EXPECT_EQ(edited([](json::Json& j) {
              j["inclusionProof"]["checkpoint"]["envelope"] = 7;
            }),
            "inclusionProof: field \"envelope\" must be a string");
  EXPECT_EQ(edited([](json::Json& j) { j["canonicalizedBody"] = "e30*"; }),
            "field \"canonicalizedBody\" is not base64: bad base64 character");
}

TEST(ParseTlogEntryTest, EnforcesCaps) {
  json::Json j = GoodEntryJson();
  for (size_t i = 0; i < kMaxProofHashes; ++i) {
    j["inclusionProof"]["hashes"].push_back(j["inclusionProof"]["hashes"][0]);
  }
  Status s = ParseTlogEntry(j).status();
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(s.ToString(),
            "inclusionProof: field \"hashes\" has over 64 entries");

  j = GoodEntryJson();
  j["canonicalizedBody"] =
      Base64Encode(std::string(kMaxCanonicalBodyBytes + 3, 'x'));
  EXPECT_EQ(ParseTlogEntry(j).status().ToString(),
            "field \"canonicalizedBody\" is over 1048576 bytes");
  j["canonicalizedBody"] =
      Base64Encode(std::string(kMaxCanonicalBodyBytes, 'x'));
  EXPECT_TRUE(ParseTlogEntry(j).ok());

  j = GoodEntryJson();
  j["inclusionProof"]["checkpoint"]["envelope"] =
      std::string(kMaxCheckpointBytes + 1, 'x');
  EXPECT_EQ(ParseTlogEntry(j).status().ToString(),
            "inclusionProof: checkpoint is over 16384 bytes");
}

TEST(ParseTlogEntryTest, SurvivesByteFlipsOfARealEntry) {
  SKIP_WITHOUT_SHARED();
  const fs::path dir = Cases() / "happy-path-v0.3";
  const TrustedRoot root = RootFor(dir);
  const std::string text = json::Dump(EntryJson(dir));
  for (size_t i = 0; i < text.size(); i += 7) {
    std::string flipped = text;
    flipped[i] ^= 0x04;
    Result<json::Json> j = json::Parse(flipped, "entry", 1 << 20);
    if (!j.ok()) continue;
    Result<TransparencyLogEntry> e = ParseTlogEntry(*j);
    if (!e.ok()) continue;
    // Whatever parses must not crash the verifiers.
    VerifySet(*e, root).IgnoreError();
    VerifyInclusionProof(*e).IgnoreError();
    VerifyCheckpoint(*e, root).IgnoreError();
  }
}

TEST(VerifyIntegratedTimeTest, AllowsSmallSkewOnly) {
  TransparencyLogEntry e;
  e.integrated_time = 1000;
  EXPECT_TRUE(VerifyIntegratedTime(e, 1000).ok());
  EXPECT_TRUE(VerifyIntegratedTime(e, 1000 - kDefaultClockSkewSeconds).ok());
  EXPECT_EQ(
      VerifyIntegratedTime(e, 1000 - kDefaultClockSkewSeconds - 1).ToString(),
      "integrated time 1000 is in the future (now 939)");
  EXPECT_TRUE(VerifyIntegratedTime(e, 990, 10).ok());
  EXPECT_FALSE(VerifyIntegratedTime(e, 989, 10).ok());
}

}  // namespace
}  // namespace strata::sigstore
