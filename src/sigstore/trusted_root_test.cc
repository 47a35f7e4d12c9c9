#include "sigstore/trusted_root.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "base/base64.h"
#include "base/digest.h"

namespace strata::sigstore {
namespace {

namespace fs = std::filesystem;

fs::path Shared() {
  return fs::path(STRATA_SOURCE_DIR) / "../shared/conformance/sigstore";
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

#define SKIP_WITHOUT_SHARED()                                             \
  if (!fs::exists(Shared())) {                                            \
    GTEST_SKIP() << "no " << Shared() << " (conformance data is absent)"; \
  }

std::string ProdRootText() {
  return ReadFile(
      Shared() /
      "trusted-roots/prod_trusted_root_from_sigstore_tuf_seeds.json");
}

// A small root in memory, edited by the corruption tests.
json::Json MinimalRoot() {
  return json::Json::parse(R"({
    "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
    "tlogs": [{
      "baseUrl": "https://log2025-alpha1.rekor.sigstage.dev",
      "hashAlgorithm": "SHA2_256",
      "publicKey": {
        "rawBytes": "MCowBQYDK2VwAyEAPn+AREHoBaZ7wgS1zBqpxmLSGnyhxXj4lFxSdWVB8o8=",
        "keyDetails": "PKIX_ED25519",
        "validFor": {"start": "2025-04-16T00:00:00Z"}
      },
      "logId": {"keyId": "8w1amZ2S5mJIQkQmPxdMuOrL/oJkvFg9MnQXmeOCXck="}
    }],
    "certificateAuthorities": [{
      "subject": {"organization": "o", "commonName": "cn"},
      "uri": "https://ca",
      "certChain": {"certificates": [{"rawBytes": "AQID"}]},
      "validFor": {"start": "2022-04-13T20:06:15Z"}
    }]
  })");
}

Status ParseJson(const json::Json& j) {
  return ParseTrustedRoot(json::Dump(j)).status();
}

TEST(ParseTimestampTest, ReadsRfc3339) {
  EXPECT_EQ(*ParseTimestamp("2021-01-12T11:53:27Z"),
            (Timestamp{1610452407, 0}));
  EXPECT_EQ(*ParseTimestamp("2022-12-31T23:59:59.999Z"),
            (Timestamp{1672531199, 999000000}));
  EXPECT_EQ(*ParseTimestamp("2022-12-31T23:59:59.000000001Z"),
            (Timestamp{1672531199, 1}));
  EXPECT_EQ(*ParseTimestamp("2021-01-12T12:53:27+01:00"),
            (Timestamp{1610452407, 0}));
  EXPECT_EQ(*ParseTimestamp("2021-01-12T10:23:27-01:30"),
            (Timestamp{1610452407, 0}));
  EXPECT_EQ(*ParseTimestamp("2000-02-29T12:00:00Z"), (Timestamp{951825600, 0}));
  EXPECT_EQ(*ParseTimestamp("0001-01-01T00:00:00Z"),
            (Timestamp{-62135596800, 0}));
  EXPECT_EQ(*ParseTimestamp("9999-12-31T23:59:59Z"),
            (Timestamp{253402300799, 0}));
  for (const char* bad :
       {"", "2021-01-12", "2021-01-12T11:53:27", "2021-1-12T11:53:27Z",
        "2021-13-12T11:53:27Z", "2021-02-29T11:53:27Z", "2021-01-12T24:00:00Z",
        "2021-01-12T11:60:00Z", "2021-01-12T11:53:60Z", "0000-01-01T00:00:00Z",
        "2021-01-12T11:53:27.Z", "2021-01-12T11:53:27.1234567891Z",
        "2021-01-12T11:53:27Z ", "2021-01-12 11:53:27Z",
        "2021-01-12T11:53:27+0100", "+2021-01-12T11:53:27Z"}) {
    Result<Timestamp> t = ParseTimestamp(bad);
    EXPECT_FALSE(t.ok()) << bad;
    if (!t.ok()) {
      EXPECT_EQ(t.status().message(),
                "bad timestamp \"" + std::string(bad) + "\"");
    }
  }
}

TEST(ProtoJsonTest, ReadsInt64AsNumberOrString) {
  json::Json j = json::Json::parse(
      R"({"a": 5, "b": "-7", "c": "9223372036854775807", "d": 1.5,
          "e": "9223372036854775808", "f": "1e3", "g": "", "h": true,
          "i": 18446744073709551615, "j": null, "k": "+1", "l": " 1"})");
  EXPECT_EQ(GetProtoInt64(j, "a")->value(), 5);
  EXPECT_EQ(GetProtoInt64(j, "b")->value(), -7);
  EXPECT_EQ(GetProtoInt64(j, "c")->value(), INT64_MAX);
  EXPECT_FALSE(GetProtoInt64(j, "missing")->has_value());
  EXPECT_FALSE(GetProtoInt64(j, "j")->has_value());
  for (const char* k : {"d", "e", "f", "g", "h", "i", "k", "l"}) {
    Result<std::optional<int64_t>> r = GetProtoInt64(j, k);
    ASSERT_FALSE(r.ok()) << k;
    EXPECT_EQ(r.status().message(),
              "field \"" + std::string(k) + "\" must be an int64");
  }
}

TEST(ProtoJsonTest, ReadsBytesInEitherBase64Alphabet) {
  json::Json j = json::Json::parse(
      R"({"std": "+/8=", "url": "-_8", "bad": "+_8=", "num": 3,
          "wrapped": "AAEC\r\nAwQF\nBg==\n", "space": "AAEC AwQF"})");
  EXPECT_EQ(GetProtoBytes(j, "std")->value(), "\xfb\xff");
  // Line breaks are skipped (base64 wrapped at 76 columns), other
  // whitespace is not.
  EXPECT_EQ(GetProtoBytes(j, "wrapped")->value(),
            std::string("\x00\x01\x02\x03\x04\x05\x06", 7));
  EXPECT_EQ(GetProtoBytes(j, "space").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(GetProtoBytes(j, "url")->value(), "\xfb\xff");
  EXPECT_EQ(GetProtoBytes(j, "bad").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(GetProtoBytes(j, "num").status().message(),
            "field \"num\" must be a string");
}

TEST(TrustedRootTest, ParsesTheProductionRoot) {
  SKIP_WITHOUT_SHARED();
  Result<TrustedRoot> root = ParseTrustedRoot(ProdRootText());
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  EXPECT_EQ(root->media_type,
            "application/vnd.dev.sigstore.trustedroot+json;version=0.1");
  ASSERT_EQ(root->tlogs.size(), 2u);
  ASSERT_EQ(root->ctlogs.size(), 2u);
  ASSERT_EQ(root->certificate_authorities.size(), 2u);
  ASSERT_EQ(root->timestamp_authorities.size(), 1u);

  const TransparencyLog& rekor = root->tlogs[0];
  EXPECT_EQ(rekor.base_url, "https://rekor.sigstore.dev");
  EXPECT_EQ(rekor.hash_algorithm, "SHA2_256");
  EXPECT_EQ(rekor.public_key.details, "PKIX_ECDSA_P256_SHA_256");
  ASSERT_TRUE(rekor.public_key.usable());
  EXPECT_EQ(rekor.public_key.key->type(), crypto::KeyType::kEcdsaP256);
  // The log id is SHA-256 of the key's SubjectPublicKeyInfo.
  EXPECT_EQ(Sha256Of(rekor.public_key.raw_bytes).hex(),
            "c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d");
  EXPECT_EQ(rekor.log_id, crypto::HashBytes(crypto::Hash::kSha256,
                                            rekor.public_key.raw_bytes));
  ASSERT_TRUE(rekor.public_key.valid_for.has_value());
  EXPECT_EQ(rekor.public_key.valid_for->start, (Timestamp{1610452407, 0}));
  EXPECT_FALSE(rekor.public_key.valid_for->end.has_value());

  EXPECT_EQ(root->tlogs[1].public_key.key->type(), crypto::KeyType::kEd25519);

  const CertificateAuthority& fulcio = root->certificate_authorities[0];
  EXPECT_EQ(fulcio.subject_organization, "sigstore.dev");
  EXPECT_EQ(fulcio.subject_common_name, "sigstore");
  EXPECT_EQ(fulcio.uri, "https://fulcio.sigstore.dev");
  ASSERT_EQ(fulcio.cert_chain.size(), 1u);
  EXPECT_EQ(fulcio.cert_chain[0][0], '\x30');  // DER SEQUENCE
  ASSERT_TRUE(fulcio.valid_for.end.has_value());
  EXPECT_EQ(*fulcio.valid_for.end, (Timestamp{1672531199, 999000000}));
  EXPECT_EQ(root->certificate_authorities[1].cert_chain.size(), 2u);
  EXPECT_EQ(root->timestamp_authorities[0].cert_chain.size(), 2u);

  EXPECT_EQ(root->FindTlog(rekor.log_id), &root->tlogs[0]);
  EXPECT_EQ(root->FindTlog(root->ctlogs[0].log_id), nullptr);
  EXPECT_EQ(root->FindCtlog(root->ctlogs[1].log_id), &root->ctlogs[1]);
  EXPECT_EQ(root->FindCtlog(rekor.log_id), nullptr);
}

TEST(TrustedRootTest, ParsesEverySampleRoot) {
  SKIP_WITHOUT_SHARED();
  int parsed = 0;
  for (const auto& e : fs::recursive_directory_iterator(Shared())) {
    const std::string name = e.path().filename().string();
    if (!e.is_regular_file() || name.find(".json") == std::string::npos ||
        (name.find("trusted_root") == std::string::npos &&
         e.path().parent_path().filename() != "trusted-roots")) {
      continue;
    }
    if (e.path().string().find("missing-validity-start") != std::string::npos)
      continue;
    Result<TrustedRoot> root = ParseTrustedRoot(ReadFile(e.path()));
    EXPECT_TRUE(root.ok()) << e.path() << ": " << root.status().ToString();
    ++parsed;
  }
  EXPECT_GE(parsed, 40);
}

TEST(TrustedRootTest, RefusesATlogKeyWithoutValidityStart) {
  SKIP_WITHOUT_SHARED();
  Result<TrustedRoot> root = ParseTrustedRoot(
      ReadFile(Shared() / "sigstore-conformance/test/assets/bundle-verify/"
                          "trust-root-tlog-missing-validity-start_fail/"
                          "trusted_root.json"));
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.status().ToString(),
            "tlogs[1]: publicKey.validFor.start is missing");
  EXPECT_EQ(root.status().code(), StatusCode::kDataLoss);
}

TEST(TrustedRootTest, KeyValidityEndIsInclusive) {
  SKIP_WITHOUT_SHARED();
  Result<TrustedRoot> root = ParseTrustedRoot(
      ReadFile(Shared() / "sigstore-conformance/test/assets/bundle-verify/"
                          "trust-root-tlog-validity-end-inclusive/"
                          "trusted_root.json"));
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  Result<std::string> id =
      Base64Decode("wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=");
  const TransparencyLog* log = root->FindTlog(*id);
  ASSERT_NE(log, nullptr);
  const LogKey& key = log->public_key;
  EXPECT_TRUE(key.ValidAt(Timestamp::FromUnix(1689177396)));  // == end
  EXPECT_FALSE(key.ValidAt(Timestamp{1689177396, 1}));
  EXPECT_FALSE(key.ValidAt(Timestamp::FromUnix(1689177397)));
  EXPECT_TRUE(key.ValidAt(key.valid_for->start));
  EXPECT_FALSE(key.ValidAt(Timestamp{key.valid_for->start.seconds - 1, 0}));
}

TEST(TrustedRootTest, KeepsUnsupportedKeyTypesUnusable) {
  SKIP_WITHOUT_SHARED();
  Result<TrustedRoot> root = ParseTrustedRoot(
      ReadFile(Shared() / "sigstore-conformance/test/assets/bundle-verify/"
                          "invalid-ct-key_fail/trusted_root.json"));
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  const LogKey& legacy = root->ctlogs[0].public_key;
  EXPECT_EQ(legacy.details, "PKCS1_RSA_PKCS1V5");
  EXPECT_FALSE(legacy.usable());
  EXPECT_FALSE(legacy.raw_bytes.empty());
  EXPECT_FALSE(legacy.ValidAt(legacy.valid_for->start));
  Status s = legacy.Verify("m", "s");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "log key of type PKCS1_RSA_PKCS1V5 is not supported");
  EXPECT_TRUE(root->ctlogs[1].public_key.usable());

  json::Json j = MinimalRoot();
  j["tlogs"][0]["publicKey"]["keyDetails"] = "ML_DSA_65";
  Result<TrustedRoot> ml = ParseTrustedRoot(json::Dump(j));
  ASSERT_TRUE(ml.ok());
  EXPECT_FALSE(ml->tlogs[0].public_key.usable());
  j["tlogs"][0]["publicKey"].erase("keyDetails");
  ml = ParseTrustedRoot(json::Dump(j));
  ASSERT_TRUE(ml.ok());
  EXPECT_EQ(ml->tlogs[0].public_key.details, "PUBLIC_KEY_DETAILS_UNSPECIFIED");
  EXPECT_FALSE(ml->tlogs[0].public_key.usable());
}

TEST(TrustedRootTest, ReportsMalformedRoots) {
  EXPECT_TRUE(ParseJson(MinimalRoot()).ok())
      << ParseJson(MinimalRoot()).ToString();
  const auto edited = [](auto edit) {
    json::Json j = MinimalRoot();
    edit(j);
    return ParseJson(j).ToString();
  };
  EXPECT_EQ(edited([](json::Json& j) { j.erase("mediaType"); }),
            "trusted root has no mediaType");
  EXPECT_EQ(edited([](json::Json& j) { j["mediaType"] = "text/plain"; }),
            "unsupported trusted root media type \"text/plain\"");
  EXPECT_EQ(edited([](json::Json& j) { j["tlogs"] = json::Json::object(); }),
            "field \"tlogs\" must be an array");
  EXPECT_EQ(edited([](json::Json& j) { j["tlogs"][0] = 1; }),
            "tlogs[0]: must be an object");
  EXPECT_EQ(edited([](json::Json& j) { j["tlogs"][0].erase("publicKey"); }),
            "tlogs[0]: publicKey is missing");
  EXPECT_EQ(edited([](json::Json& j) { j["tlogs"][0].erase("logId"); }),
            "tlogs[0]: logId.keyId is missing");
  EXPECT_EQ(edited([](json::Json& j) { j["tlogs"][0]["baseUrl"] = 5; }),
            "tlogs[0]: field \"baseUrl\" must be a string");
  EXPECT_EQ(edited([](json::Json& j) {
              j["tlogs"][0]["publicKey"]["rawBytes"] = "AQIDB";
            }),
            "tlogs[0]: field \"rawBytes\" is not base64: bad base64 length");
  EXPECT_EQ(edited([](json::Json& j) {
              j["tlogs"][0]["publicKey"]["rawBytes"] = "AQID";
            }),
            "tlogs[0]: publicKey.rawBytes: not a DER SubjectPublicKeyInfo");
  EXPECT_EQ(edited([](json::Json& j) {
              j["tlogs"][0]["publicKey"]["keyDetails"] =
                  "PKIX_ECDSA_P256_SHA_256";
            }),
            "tlogs[0]: publicKey.rawBytes is a ed25519 key, not "
            "PKIX_ECDSA_P256_SHA_256");
  EXPECT_EQ(edited([](json::Json& j) {
              j["tlogs"][0]["publicKey"]["validFor"]["start"] = "yesterday";
            }),
            "tlogs[0]: bad timestamp \"yesterday\"");
  EXPECT_EQ(edited([](json::Json& j) {
              j["tlogs"][0]["publicKey"]["validFor"]["end"] =
                  "2025-04-15T23:59:59Z";
            }),
            "tlogs[0]: publicKey.validFor ends before it starts");
  EXPECT_EQ(edited([](json::Json& j) {
              j["certificateAuthorities"][0]["certChain"]["certificates"] =
                  json::Json::array();
            }),
            "certificateAuthorities[0]: certChain has no certificates");
  EXPECT_EQ(edited([](json::Json& j) {
              j["certificateAuthorities"][0]["certChain"]["certificates"][0]
               ["rawBytes"] = "";
            }),
            "certificateAuthorities[0]: "
            "certChain.certificates[0].rawBytes is missing");
  EXPECT_EQ(edited([](json::Json& j) {
              j["certificateAuthorities"][0].erase("validFor");
            }),
            "certificateAuthorities[0]: validFor is missing");
  EXPECT_EQ(edited([](json::Json& j) {
              j["timestampAuthorities"] = j["certificateAuthorities"];
              j["timestampAuthorities"][0]["validFor"].erase("start");
            }),
            "timestampAuthorities[0]: validFor.start is missing");
  // A key without validFor has no time bound.
  json::Json unbounded = MinimalRoot();
  unbounded["tlogs"][0]["publicKey"].erase("validFor");
  Result<TrustedRoot> r = ParseTrustedRoot(json::Dump(unbounded));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->tlogs[0].public_key.ValidAt(Timestamp::FromUnix(0)));
}

TEST(TrustedRootTest, EnforcesCaps) {
  json::Json j = MinimalRoot();
  for (int i = 0; i < 64; ++i) j["tlogs"].push_back(j["tlogs"][0]);
  Status s = ParseJson(j);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(), "tlogs has over 64 entries");

  json::Json chain = MinimalRoot();
  json::Json& certs =
      chain["certificateAuthorities"][0]["certChain"]["certificates"];
  for (int i = 0; i < 16; ++i) certs.push_back(certs[0]);
  EXPECT_EQ(ParseJson(chain).ToString(),
            "certificateAuthorities[0]: certChain has over 16 certificates");

  std::string big = json::Dump(MinimalRoot());
  big.insert(1, std::string(kMaxTrustedRootBytes, ' '));
  EXPECT_EQ(ParseTrustedRoot(big).status().message(),
            "trusted root is over 1048576 bytes");
}

TEST(TrustedRootTest, SurvivesTruncationAndByteFlips) {
  SKIP_WITHOUT_SHARED();
  const std::string text = ProdRootText();
  for (size_t n = 0; n < text.size(); n += 97) {
    EXPECT_FALSE(ParseTrustedRoot(text.substr(0, n)).ok()) << n;
  }
  for (size_t i = 0; i < text.size(); i += 13) {
    std::string flipped = text;
    flipped[i] ^= 0x01;
    ParseTrustedRoot(flipped).status().IgnoreError();  // must not crash
  }
}

}  // namespace
}  // namespace strata::sigstore
