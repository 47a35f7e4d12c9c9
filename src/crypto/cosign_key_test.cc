#include "crypto/cosign_key.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "base/base64.h"
#include "base/json.h"
#include "testing/test_util.h"

namespace strata::crypto {
namespace {

// Cheap scrypt for the tests that are not about the cost.
constexpr ScryptParams kFast{1024, 8, 1};
constexpr char kPassword[] = "correct horse";

// A PEM block with `label` around `body`, 64 characters a line.
std::string Pem(std::string_view label, std::string_view body) {
  std::string b64 = Base64Encode(body);
  std::string out = "-----BEGIN " + std::string(label) + "-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
  return out + "-----END " + std::string(label) + "-----\n";
}

// The bytes inside the (single, well-formed) PEM block `pem`.
std::string RawBody(const std::string& pem) {
  std::string b64;
  size_t start = pem.find('\n') + 1;
  size_t end = pem.find("-----END");
  for (char c : pem.substr(start, end - start)) {
    if (c != '\n') b64 += c;
  }
  Result<std::string> text = Base64Decode(b64);
  EXPECT_TRUE(text.ok());
  return text.ok() ? *text : "";
}

json::Json Body(const std::string& pem) {
  Result<json::Json> j = json::Parse(RawBody(pem), "test", 1 << 20);
  EXPECT_TRUE(j.ok());
  return j.ok() ? *j : json::Json();
}

// A fresh directory under the test temporary directory.
std::string MakeTempDir(const std::string& prefix) {
  std::string path = ::testing::TempDir() + prefix + "_XXXXXX";
  return ::mkdtemp(path.data()) ? path : "";
}

struct Fixture {
  PrivateKey key;
  std::string pem;
};

Fixture MakeKey(CosignPemType type = CosignPemType::kSigstore,
                ScryptParams params = kFast) {
  Result<PrivateKey> key = PrivateKey::GenerateEcdsaP256();
  EXPECT_TRUE(key.ok());
  Result<std::string> pem =
      EncryptCosignPrivateKey(*key, kPassword, type, params);
  EXPECT_TRUE(pem.ok()) << pem.status().ToString();
  return {*std::move(key), *pem};
}

bool SameKey(const PrivateKey& a, const PrivateKey& b) {
  return a.ToPkcs8Der() == b.ToPkcs8Der();
}

TEST(CosignKey, RoundTripsWithTheDefaultCost) {
  Fixture f = MakeKey(CosignPemType::kSigstore, ScryptParams());
  EXPECT_TRUE(
      f.pem.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY"
                        "-----\n"));
  EXPECT_TRUE(
      f.pem.ends_with("-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
  Result<PrivateKey> back = DecryptCosignPrivateKey(f.pem, kPassword);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(SameKey(f.key, *back));
  Result<EncryptedCosignKey> parsed = ParseCosignPrivateKey(f.pem);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->scrypt.n, 32768);
  EXPECT_EQ(parsed->scrypt.r, 8);
  EXPECT_EQ(parsed->scrypt.p, 1);
}

TEST(CosignKey, WritesAndReadsTheLegacyPemType) {
  Fixture f = MakeKey(CosignPemType::kCosign);
  EXPECT_TRUE(
      f.pem.starts_with("-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n"));
  Result<EncryptedCosignKey> parsed = ParseCosignPrivateKey(f.pem);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->pem_type, CosignPemType::kCosign);
  Result<PrivateKey> back = DecryptCosignPrivateKey(f.pem, kPassword);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(SameKey(f.key, *back));
}

TEST(CosignKey, RoundTripsOtherKeyTypesAndAnEmptyPassword) {
  Result<PrivateKey> ed = PrivateKey::FromPem(
      "-----BEGIN PRIVATE KEY-----\n"
      "MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n"
      "-----END PRIVATE KEY-----\n");
  ASSERT_TRUE(ed.ok()) << ed.status().ToString();
  Result<std::string> pem =
      EncryptCosignPrivateKey(*ed, "", CosignPemType::kSigstore, kFast);
  ASSERT_TRUE(pem.ok());
  Result<PrivateKey> back = DecryptCosignPrivateKey(*pem, "");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->type(), KeyType::kEd25519);
  EXPECT_TRUE(SameKey(*ed, *back));
  EXPECT_EQ(DecryptCosignPrivateKey(*pem, "x").status(),
            InvalidArgumentError("wrong password or corrupted key"));
}

TEST(CosignKey, FreshSaltAndNonceEachTime) {
  Fixture f = MakeKey();
  Result<std::string> again = EncryptCosignPrivateKey(
      f.key, kPassword, CosignPemType::kSigstore, kFast);
  ASSERT_TRUE(again.ok());
  json::Json a = Body(f.pem), b = Body(*again);
  EXPECT_NE(a["kdf"]["salt"], b["kdf"]["salt"]);
  EXPECT_NE(a["cipher"]["nonce"], b["cipher"]["nonce"]);
}

// The JSON is what go-securesystemslib writes: same members, same order,
// no whitespace.
TEST(CosignKey, JsonHasCosignsShape) {
  Fixture f = MakeKey(CosignPemType::kSigstore, ScryptParams());
  json::Json j = Body(f.pem);
  std::string salt = j["kdf"]["salt"], nonce = j["cipher"]["nonce"],
              ct = j["ciphertext"];
  EXPECT_EQ(json::Dump(j),
            "{\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"" + nonce +
                "\"},\"ciphertext\":\"" + ct +
                "\",\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":32768,"
                "\"p\":1,\"r\":8},\"salt\":\"" +
                salt + "\"}}");
  // Member order as cosign writes it.
  EXPECT_EQ(RawBody(f.pem),
            "{\"kdf\":{\"name\":\"scrypt\",\"params\":{\"N\":32768,\"r\":8,"
            "\"p\":1},\"salt\":\"" +
                salt +
                "\"},\"cipher\":{\"name\":\"nacl/secretbox\",\"nonce\":\"" +
                nonce + "\"},\"ciphertext\":\"" + ct + "\"}");
  EXPECT_EQ(Base64Decode(salt)->size(), 32u);
  EXPECT_EQ(Base64Decode(nonce)->size(), 24u);
  // PKCS#8 of a P-256 key is 138 bytes, plus the 16-byte tag.
  EXPECT_EQ(Base64Decode(ct)->size(), f.key.ToPkcs8Der().size() + 16);
}

TEST(CosignKey, WrongPasswordIsOneClearError) {
  Fixture f = MakeKey();
  EXPECT_EQ(DecryptCosignPrivateKey(f.pem, "Correct horse").status(),
            InvalidArgumentError("wrong password or corrupted key"));
}

TEST(CosignKey, FlippedCiphertextFailsAuthentication) {
  Fixture f = MakeKey();
  json::Json j = Body(f.pem);
  std::string ct = *Base64Decode(j["ciphertext"].get<std::string>());
  for (size_t i : {size_t{0}, size_t{15}, size_t{16}, ct.size() - 1}) {
    std::string bad = ct;
    bad[i] ^= 0x01;
    j["ciphertext"] = Base64Encode(bad);
    EXPECT_EQ(
        DecryptCosignPrivateKey(
            Pem("ENCRYPTED SIGSTORE PRIVATE KEY", json::Dump(j)), kPassword)
            .status(),
        InvalidArgumentError("wrong password or corrupted key"))
        << "byte " << i;
  }
  // Salt and nonce are bound too: another salt is another key.
  j = Body(f.pem);
  std::string salt = *Base64Decode(j["kdf"]["salt"].get<std::string>());
  salt[3] ^= 0x80;
  j["kdf"]["salt"] = Base64Encode(salt);
  EXPECT_EQ(DecryptCosignPrivateKey(
                Pem("ENCRYPTED SIGSTORE PRIVATE KEY", json::Dump(j)), kPassword)
                .status(),
            InvalidArgumentError("wrong password or corrupted key"));
  j = Body(f.pem);
  std::string nonce = *Base64Decode(j["cipher"]["nonce"].get<std::string>());
  nonce[23] ^= 0x80;
  j["cipher"]["nonce"] = Base64Encode(nonce);
  EXPECT_EQ(DecryptCosignPrivateKey(
                Pem("ENCRYPTED SIGSTORE PRIVATE KEY", json::Dump(j)), kPassword)
                .status(),
            InvalidArgumentError("wrong password or corrupted key"));
}

// Each case edits the JSON of a good file and expects this exact error.
struct Corruption {
  const char* name;
  std::function<void(json::Json&)> edit;
  Status want;
};

TEST(CosignKey, EveryCorruptedFieldHasItsError) {
  Fixture f = MakeKey();
  const std::string good_ct = Body(f.pem)["ciphertext"];
  const std::vector<Corruption> cases = {
      {"kdf missing", [](json::Json& j) { j.erase("kdf"); },
       DataLossError("encrypted key: missing field \"kdf\"")},
      {"kdf null", [](json::Json& j) { j["kdf"] = nullptr; },
       DataLossError("encrypted key: missing field \"kdf\"")},
      {"kdf string", [](json::Json& j) { j["kdf"] = "scrypt"; },
       DataLossError("field \"kdf\" must be an object")
           .WithContext("encrypted key")},
      {"kdf.name missing", [](json::Json& j) { j["kdf"].erase("name"); },
       DataLossError("encrypted key: missing field \"kdf.name\"")},
      {"kdf.name number", [](json::Json& j) { j["kdf"]["name"] = 1; },
       DataLossError("field \"name\" must be a string")
           .WithContext("encrypted key")},
      {"kdf.name other", [](json::Json& j) { j["kdf"]["name"] = "pbkdf2"; },
       DataLossError(
           "encrypted key: unsupported kdf \"pbkdf2\" (want \"scrypt\")")},
      {"kdf.name case", [](json::Json& j) { j["kdf"]["name"] = "Scrypt"; },
       DataLossError(
           "encrypted key: unsupported kdf \"Scrypt\" (want \"scrypt\")")},
      {"params missing", [](json::Json& j) { j["kdf"].erase("params"); },
       DataLossError("encrypted key: missing field \"kdf.params\"")},
      {"params array",
       [](json::Json& j) {
         j["kdf"]["params"] = {1, 2};
       },
       DataLossError("field \"params\" must be an object")
           .WithContext("encrypted key")},
      {"N missing", [](json::Json& j) { j["kdf"]["params"].erase("N"); },
       DataLossError("encrypted key: missing field \"kdf.params.N\"")},
      {"N string", [](json::Json& j) { j["kdf"]["params"]["N"] = "1024"; },
       DataLossError("field \"N\" must be an integer")
           .WithContext("encrypted key")},
      {"N float", [](json::Json& j) { j["kdf"]["params"]["N"] = 1024.5; },
       DataLossError("field \"N\" must be an integer")
           .WithContext("encrypted key")},
      {"N huge",
       [](json::Json& j) {
         j["kdf"]["params"]["N"] = uint64_t{18446744073709551615u};
       },
       DataLossError("field \"N\" must be an int64")
           .WithContext("encrypted key")},
      {"r missing", [](json::Json& j) { j["kdf"]["params"].erase("r"); },
       DataLossError("encrypted key: missing field \"kdf.params.r\"")},
      {"p bool", [](json::Json& j) { j["kdf"]["params"]["p"] = true; },
       DataLossError("field \"p\" must be an integer")
           .WithContext("encrypted key")},
      {"salt missing", [](json::Json& j) { j["kdf"].erase("salt"); },
       DataLossError("encrypted key: missing field \"kdf.salt\"")},
      {"salt number", [](json::Json& j) { j["kdf"]["salt"] = 5; },
       DataLossError("field \"salt\" must be a string")
           .WithContext("encrypted key")},
      {"salt bad base64", [](json::Json& j) { j["kdf"]["salt"] = "ab$d"; },
       DataLossError("bad base64 character")
           .WithContext("encrypted key \"kdf.salt\"")},
      {"salt short",
       [](json::Json& j) { j["kdf"]["salt"] = Base64Encode("0123456789"); },
       DataLossError("encrypted key: \"kdf.salt\" is 10 bytes, want 32")},
      {"salt oversized",
       [](json::Json& j) {
         j["kdf"]["salt"] = Base64Encode(std::string(3000, 'x'));
       },
       DataLossError("encrypted key: \"kdf.salt\" is 3000 bytes, want 32")},
      {"cipher missing", [](json::Json& j) { j.erase("cipher"); },
       DataLossError("encrypted key: missing field \"cipher\"")},
      {"cipher.name other",
       [](json::Json& j) { j["cipher"]["name"] = "aes-256-gcm"; },
       DataLossError("encrypted key: unsupported cipher \"aes-256-gcm\" "
                     "(want \"nacl/secretbox\")")},
      {"cipher.name missing", [](json::Json& j) { j["cipher"].erase("name"); },
       DataLossError("encrypted key: missing field \"cipher.name\"")},
      {"nonce missing", [](json::Json& j) { j["cipher"].erase("nonce"); },
       DataLossError("encrypted key: missing field \"cipher.nonce\"")},
      {"nonce array", [](json::Json& j) { j["cipher"]["nonce"] = {1}; },
       DataLossError("field \"nonce\" must be a string")
           .WithContext("encrypted key")},
      {"nonce 25 bytes",
       [](json::Json& j) {
         j["cipher"]["nonce"] = Base64Encode(std::string(25, 'n'));
       },
       DataLossError("encrypted key: \"cipher.nonce\" is 25 bytes, want 24")},
      {"nonce padding",
       [](json::Json& j) {
         std::string n = j["cipher"]["nonce"];
         j["cipher"]["nonce"] = n + "=";
       },
       DataLossError("bad base64 padding")
           .WithContext("encrypted key \"cipher.nonce\"")},
      {"ciphertext missing", [](json::Json& j) { j.erase("ciphertext"); },
       DataLossError("encrypted key: missing field \"ciphertext\"")},
      {"ciphertext object",
       [](json::Json& j) { j["ciphertext"] = json::Json::object(); },
       DataLossError("field \"ciphertext\" must be a string")
           .WithContext("encrypted key")},
      {"ciphertext bad base64",
       [](json::Json& j) {
         std::string c = j["ciphertext"];
         j["ciphertext"] = c.substr(0, c.size() - 3);
       },
       DataLossError("bad base64 length")
           .WithContext("encrypted key \"ciphertext\"")},
      {"ciphertext only a tag",
       [](json::Json& j) {
         j["ciphertext"] = Base64Encode(std::string(16, 't'));
       },
       DataLossError("encrypted key: ciphertext is 16 bytes, shorter than "
                     "its authenticator")},
      {"ciphertext empty", [](json::Json& j) { j["ciphertext"] = ""; },
       DataLossError("encrypted key: ciphertext is 0 bytes, shorter than its "
                     "authenticator")},
      {"ciphertext truncated",
       [&](json::Json& j) {
         j["ciphertext"] = Base64Encode(Base64Decode(good_ct)->substr(0, 100));
       },
       InvalidArgumentError("wrong password or corrupted key")},
      {"not an object", [](json::Json& j) { j = json::Json::array(); },
       DataLossError("encrypted key: JSON is not an object")},
  };
  for (const Corruption& c : cases) {
    json::Json j = Body(f.pem);
    c.edit(j);
    std::string pem = Pem("ENCRYPTED SIGSTORE PRIVATE KEY", json::Dump(j));
    EXPECT_EQ(DecryptCosignPrivateKey(pem, kPassword).status(), c.want)
        << c.name;
  }
}

TEST(CosignKey, ScryptCostIsCapped) {
  Fixture f = MakeKey();
  struct Case {
    ScryptParams p;
    Status want;
  };
  const std::vector<Case> cases = {
      {{1000, 8, 1},
       InvalidArgumentError("scrypt N 1000 is not a power of two above 1")},
      {{1, 8, 1},
       InvalidArgumentError("scrypt N 1 is not a power of two above 1")},
      {{0, 8, 1},
       InvalidArgumentError("scrypt N 0 is not a power of two above 1")},
      {{-1024, 8, 1},
       InvalidArgumentError("scrypt N -1024 is not a power of two above 1")},
      {{1024, 0, 1}, InvalidArgumentError("scrypt r and p must be at least 1")},
      {{1024, 8, -1},
       InvalidArgumentError("scrypt r and p must be at least 1")},
      {{int64_t{1} << 21, 1, 1},
       ResourceExhaustedError("scrypt N 2097152 is over the cap 1048576")},
      {{int64_t{1} << 62, 8, 1},
       ResourceExhaustedError(
           "scrypt N 4611686018427387904 is over the cap 1048576")},
      {{int64_t{1} << 20, 8, 1},
       ResourceExhaustedError("scrypt N=1048576 r=8 needs more than 256 MiB")},
      {{1024, INT64_MAX, 1},
       ResourceExhaustedError(
           "scrypt N=1024 r=9223372036854775807 needs more than 256 MiB")},
      {{int64_t{1} << 17, 8, 5},
       ResourceExhaustedError(
           "scrypt N=131072 r=8 p=5 is over the work cap N*r*p <= 4194304")},
      {{2, 1, INT64_MAX},
       ResourceExhaustedError("scrypt N=2 r=1 p=9223372036854775807 is over "
                              "the work cap N*r*p <= 4194304")},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(CheckScryptParams(c.p), c.want) << c.p.n;
    json::Json j = Body(f.pem);
    j["kdf"]["params"] = {{"N", c.p.n}, {"r", c.p.r}, {"p", c.p.p}};
    EXPECT_EQ(
        DecryptCosignPrivateKey(
            Pem("ENCRYPTED SIGSTORE PRIVATE KEY", json::Dump(j)), kPassword)
            .status(),
        Status(c.want).WithContext("encrypted key"))
        << c.p.n;
  }
  // The presets in use are all inside the caps.
  EXPECT_TRUE(CheckScryptParams({32768, 8, 1}).ok());
  EXPECT_TRUE(CheckScryptParams({65536, 8, 1}).ok());
  EXPECT_TRUE(CheckScryptParams({131072, 8, 1}).ok());
  EXPECT_TRUE(CheckScryptParams({int64_t{1} << 20, 2, 2}).ok());
  Result<PrivateKey> key = PrivateKey::GenerateEcdsaP256();
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(EncryptCosignPrivateKey(*key, "x", CosignPemType::kSigstore,
                                    {1 << 21, 8, 1})
                .status(),
            ResourceExhaustedError("scrypt N 2097152 is over the cap 1048576"));
}

TEST(CosignKey, PemEnvelopeIsStrict) {
  Fixture f = MakeKey();
  const std::string body = json::Dump(Body(f.pem));
  // Whitespace around the block is fine.
  EXPECT_TRUE(DecryptCosignPrivateKey("\n  " + f.pem + "\n\n", kPassword).ok());
  EXPECT_EQ(DecryptCosignPrivateKey("junk\n" + f.pem, kPassword).status(),
            InvalidArgumentError("not a PEM block"));
  EXPECT_EQ(DecryptCosignPrivateKey(f.pem + "junk\n", kPassword).status(),
            InvalidArgumentError("data after the PEM block"));
  EXPECT_EQ(DecryptCosignPrivateKey(f.pem + f.pem, kPassword).status(),
            InvalidArgumentError("data after the PEM block"));
  EXPECT_EQ(DecryptCosignPrivateKey("", kPassword).status(),
            InvalidArgumentError("not a PEM block"));
  EXPECT_EQ(
      DecryptCosignPrivateKey(Pem("PRIVATE KEY", body), kPassword).status(),
      InvalidArgumentError("PEM block is \"PRIVATE KEY\", want \"ENCRYPTED "
                           "SIGSTORE PRIVATE KEY\" or \"ENCRYPTED COSIGN "
                           "PRIVATE KEY\""));
  EXPECT_EQ(
      DecryptCosignPrivateKey(Pem("ENCRYPTED PRIVATE KEY", body), kPassword)
          .status()
          .message(),
      "PEM block is \"ENCRYPTED PRIVATE KEY\", want \"ENCRYPTED "
      "SIGSTORE PRIVATE KEY\" or \"ENCRYPTED COSIGN PRIVATE KEY\"");
  // Truncated: no END line, or cut inside the base64.
  EXPECT_EQ(
      DecryptCosignPrivateKey(f.pem.substr(0, f.pem.size() / 2), kPassword)
          .status(),
      InvalidArgumentError("not a PEM block"));
  EXPECT_EQ(DecryptCosignPrivateKey(f.pem.substr(0, 60), kPassword).status(),
            InvalidArgumentError("not a PEM block"));
  // A body that is not JSON, or JSON with trailing garbage.
  EXPECT_EQ(DecryptCosignPrivateKey(Pem("ENCRYPTED SIGSTORE PRIVATE KEY",
                                        body.substr(0, body.size() - 1)),
                                    kPassword)
                .status()
                .code(),
            StatusCode::kDataLoss);
  EXPECT_EQ(DecryptCosignPrivateKey(
                Pem("ENCRYPTED SIGSTORE PRIVATE KEY", body + "x"), kPassword)
                .status()
                .code(),
            StatusCode::kDataLoss);
  // PEM headers (RFC 1421 Proc-Type) are not part of the format.
  std::string with_header = f.pem;
  with_header.insert(with_header.find('\n') + 1, "Proc-Type: 4,ENCRYPTED\n\n");
  EXPECT_EQ(DecryptCosignPrivateKey(with_header, kPassword).status(),
            InvalidArgumentError("PEM block has headers"));
}

TEST(CosignKey, OversizedFileIsRefusedBeforeParsing) {
  std::string big(kMaxCosignKeyFileBytes + 1, ' ');
  EXPECT_EQ(DecryptCosignPrivateKey(big, kPassword).status(),
            ResourceExhaustedError("encrypted key is over 65536 bytes"));
  // A ciphertext too big for any key makes the file too big.
  json::Json j = Body(MakeKey().pem);
  j["ciphertext"] = Base64Encode(std::string(60000, 'c'));
  EXPECT_EQ(DecryptCosignPrivateKey(
                Pem("ENCRYPTED SIGSTORE PRIVATE KEY", json::Dump(j)), kPassword)
                .status(),
            ResourceExhaustedError("encrypted key is over 65536 bytes"));
}

// A box we seal independently (OpenSSL's scrypt, libsodium's secretbox)
// opens; a plaintext that is not PKCS#8 is reported as such.
TEST(CosignKey, OpensIndependentlySealedBoxesAndChecksThePlaintext) {
  const std::string salt(32, 's'), nonce(24, 'n');
  unsigned char key[32];
  ASSERT_EQ(EVP_PBE_scrypt(kPassword, std::strlen(kPassword),
                           reinterpret_cast<const unsigned char*>(salt.data()),
                           salt.size(), 1024, 8, 1, 0, key, sizeof key),
            1);
  ASSERT_GE(sodium_init(), 0);
  auto seal = [&](const std::string& plain) {
    std::string box(plain.size() + crypto_secretbox_MACBYTES, '\0');
    crypto_secretbox_easy(
        reinterpret_cast<unsigned char*>(box.data()),
        reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
        reinterpret_cast<const unsigned char*>(nonce.data()), key);
    json::Json j = {
        {"kdf",
         {{"name", "scrypt"},
          {"params", {{"N", 1024}, {"r", 8}, {"p", 1}}},
          {"salt", Base64Encode(salt)}}},
        {"cipher",
         {{"name", "nacl/secretbox"}, {"nonce", Base64Encode(nonce)}}},
        {"ciphertext", Base64Encode(box)}};
    return Pem("ENCRYPTED COSIGN PRIVATE KEY", json::Dump(j));
  };
  Result<PrivateKey> k = PrivateKey::GenerateEcdsaP256();
  ASSERT_TRUE(k.ok());
  Result<PrivateKey> back =
      DecryptCosignPrivateKey(seal(k->ToPkcs8Der()), kPassword);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(SameKey(*k, *back));
  EXPECT_EQ(DecryptCosignPrivateKey(seal("not a key"), kPassword).status(),
            InvalidArgumentError("not a DER PKCS#8 private key")
                .WithContext("encrypted key"));
}

// skopeo (containers/image) writes the legacy PEM type with N=65536; we must
// read its keys and get the public key it wrote beside them.
std::string SkopeoPath() {
  if (const char* e = std::getenv("STRATA_SKOPEO"); e && *e) return e;
  std::string cache;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) {
    cache = x;
  } else if (const char* h = std::getenv("HOME")) {
    cache = std::string(h) + "/.cache";
  }
  return cache + "/strata-lab/skopeo-trixie/bin/skopeo-sigstore";
}

TEST(CosignKey, ReadsSkopeoGeneratedKeys) {
  const std::string skopeo = SkopeoPath();
  if (::access(skopeo.c_str(), X_OK) != 0) {
    GTEST_SKIP() << "sigstore-enabled skopeo not found at " << skopeo
                 << " (run ../shared/lab/setup-skopeo.sh or set STRATA_SKOPEO)";
  }
  const std::string dir = MakeTempDir("cosign_key_skopeo");
  const std::string pass = "sk0peo pass";
  std::ofstream(dir + "/pass.txt") << pass;
  int status = 0;
  std::string out = testing::RunCommand(
      "'" + skopeo + "' generate-sigstore-key --output-prefix '" + dir +
          "/k' --passphrase-file '" + dir + "/pass.txt' 2>&1",
      &status);
  ASSERT_EQ(status, 0) << out;
  const std::string priv = testing::ReadTestFile(dir + "/k.private");
  Result<EncryptedCosignKey> parsed = ParseCosignPrivateKey(priv);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  Result<PrivateKey> key = DecryptCosignPrivateKey(priv, pass);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  Result<PublicKey> want =
      PublicKey::FromPem(testing::ReadTestFile(dir + "/k.pub"));
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  Result<PublicKey> got = key->Public();
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(*got == *want);
  EXPECT_EQ(DecryptCosignPrivateKey(priv, "wrong").status(),
            InvalidArgumentError("wrong password or corrupted key"));
  // And a signature made with the decrypted key verifies with skopeo's
  // public key.
  Result<std::string> sig = key->Sign("payload", Hash::kSha256);
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(want->Verify("payload", *sig, Hash::kSha256).ok());
  // Our re-encryption of skopeo's key, in skopeo's own PEM type and cost,
  // reads back the same.
  Result<std::string> ours = EncryptCosignPrivateKey(
      *key, pass, CosignPemType::kCosign, parsed->scrypt);
  ASSERT_TRUE(ours.ok());
  EXPECT_EQ(Body(*ours).size(), Body(priv).size());
  Result<PrivateKey> back = DecryptCosignPrivateKey(*ours, pass);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(SameKey(*key, *back));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace strata::crypto
