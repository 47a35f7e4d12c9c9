// `strata generate-key-pair` through the real binary, and the key file
// loaders the signing commands use.
#include "cli/keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "base/base64.h"
#include "base/json.h"
#include "testing/image_writer.h"
#include "testing/tar_writer.h"
#include "testing/test_util.h"

namespace strata::cli {
namespace {

namespace fs = std::filesystem;

// Runs the binary with `env` (assignments, "-u NAME" removals) in `dir`,
// stdin from /dev/null unless `input` redirects it; stdout+stderr in *out.
int Strata(const std::string& dir, const std::string& env,
           const std::string& args, std::string* out,
           const std::string& input = "< /dev/null") {
  std::string cmd = "cd '" + dir +
                    "' && env -u STRATA_PASSWORD -u COSIGN_PASSWORD " + env +
                    " " + std::string(STRATA_BINARY_DIR) + "/strata " + args +
                    " " + input + " 2>&1";
  int status = 0;
  *out = testing::RunCommand(cmd, &status);
  return status;
}

mode_t Mode(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

std::vector<std::string> Listing(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class KeysCliTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("keys_cli"); }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(KeysCliTest, GeneratesCosignNamedFilesWithEnvPassphrase) {
  std::string out;
  ASSERT_EQ(Strata(dir_, "STRATA_PASSWORD=s3cret", "generate-key-pair", &out),
            0)
      << out;
  EXPECT_EQ(out,
            "Private key written to cosign.key\n"
            "Public key written to cosign.pub\n");
  EXPECT_EQ(Listing(dir_),
            (std::vector<std::string>{"cosign.key", "cosign.pub"}));
  EXPECT_EQ(Mode(dir_ + "/cosign.key"), 0600u);
  EXPECT_EQ(Mode(dir_ + "/cosign.pub"), 0644u);
  const std::string pem = testing::ReadTestFile(dir_ + "/cosign.key");
  EXPECT_TRUE(
      pem.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
  Result<crypto::PrivateKey> key =
      LoadPrivateKeyFile(dir_ + "/cosign.key", "s3cret");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->type(), crypto::KeyType::kEcdsaP256);
  Result<crypto::PublicKey> pub = LoadPublicKeyFile(dir_ + "/cosign.pub");
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  EXPECT_TRUE(*key->Public() == *pub);
  Result<crypto::EncryptedCosignKey> parsed =
      crypto::ParseCosignPrivateKey(pem);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->scrypt.n, 32768);
  EXPECT_EQ(LoadPrivateKeyFile(dir_ + "/cosign.key", "S3cret").status(),
            InvalidArgumentError("wrong password or corrupted key")
                .WithContext(dir_ + "/cosign.key"));
}

TEST_F(KeysCliTest, PrefixLegacyFormatAndCosignPassword) {
  std::string out;
  ASSERT_EQ(Strata(dir_, "COSIGN_PASSWORD=from-cosign",
                   "generate-key-pair --output-key-prefix sub-k "
                   "--legacy-cosign-format",
                   &out),
            0)
      << out;
  const std::string pem = testing::ReadTestFile(dir_ + "/sub-k.key");
  EXPECT_TRUE(pem.starts_with("-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n"))
      << pem;
  EXPECT_TRUE(LoadPrivateKeyFile(dir_ + "/sub-k.key", "from-cosign").ok());
  // STRATA_PASSWORD wins over COSIGN_PASSWORD.
  ASSERT_EQ(Strata(dir_, "STRATA_PASSWORD=ours COSIGN_PASSWORD=theirs",
                   "generate-key-pair --output-key-prefix both", &out),
            0)
      << out;
  EXPECT_TRUE(LoadPrivateKeyFile(dir_ + "/both.key", "ours").ok());
}

TEST_F(KeysCliTest, EmptyPassphraseOnlyWhenTheVariableIsSetEmpty) {
  std::string out;
  ASSERT_EQ(Strata(dir_, "STRATA_PASSWORD=", "generate-key-pair", &out), 0)
      << out;
  EXPECT_TRUE(LoadPrivateKeyFile(dir_ + "/cosign.key", "").ok());
}

TEST_F(KeysCliTest, NoPassphraseWithoutATerminalIsAnError) {
  std::string out;
  EXPECT_EQ(Strata(dir_, "", "generate-key-pair", &out), 1);
  EXPECT_EQ(out,
            "strata: error: no passphrase: set STRATA_PASSWORD (or "
            "COSIGN_PASSWORD), or run on a terminal\n");
  EXPECT_TRUE(Listing(dir_).empty());
}

TEST_F(KeysCliTest, RefusesToOverwriteEitherFile) {
  std::string out;
  ASSERT_EQ(Strata(dir_, "STRATA_PASSWORD=a", "generate-key-pair", &out), 0);
  const std::string before = testing::ReadTestFile(dir_ + "/cosign.key");
  EXPECT_EQ(Strata(dir_, "STRATA_PASSWORD=b", "generate-key-pair", &out), 1);
  EXPECT_EQ(out,
            "strata: error: cosign.key already exists; refusing to overwrite "
            "it\n");
  EXPECT_EQ(testing::ReadTestFile(dir_ + "/cosign.key"), before);
  // Only the public half exists: nothing is written either.
  std::ofstream(dir_ + "/only.pub") << "mine";
  EXPECT_EQ(Strata(dir_, "STRATA_PASSWORD=b",
                   "generate-key-pair --output-key-prefix only", &out),
            1);
  EXPECT_EQ(out,
            "strata: error: only.pub already exists; refusing to overwrite "
            "it\n");
  EXPECT_EQ(Listing(dir_),
            (std::vector<std::string>{"cosign.key", "cosign.pub", "only.pub"}));
  EXPECT_EQ(testing::ReadTestFile(dir_ + "/only.pub"), "mine");
  // A dangling symlink in the way counts as existing.
  fs::create_symlink(dir_ + "/nowhere", dir_ + "/link.key");
  EXPECT_EQ(Strata(dir_, "STRATA_PASSWORD=b",
                   "generate-key-pair --output-key-prefix link", &out),
            1);
  EXPECT_EQ(out,
            "strata: error: link.key already exists; refusing to overwrite "
            "it\n");
  EXPECT_FALSE(fs::exists(dir_ + "/nowhere"));
}

TEST_F(KeysCliTest, MissingDirectoryIsOneLineError) {
  std::string out;
  EXPECT_EQ(Strata(dir_, "STRATA_PASSWORD=a",
                   "generate-key-pair --output-key-prefix no/such/k", &out),
            1);
  EXPECT_TRUE(out.starts_with("strata: error: create no/such/k.key.tmp-"))
      << out;
  EXPECT_TRUE(Listing(dir_).empty());
}

// The terminal prompt, through a pseudo-terminal made by script(1).
TEST_F(KeysCliTest, PromptsTwiceOnATerminal) {
  if (::access("/usr/bin/script", X_OK) != 0) {
    GTEST_SKIP() << "script(1) not installed (util-linux)";
  }
  auto run = [&](const std::string& typed, const std::string& prefix) {
    std::string cmd = "cd '" + dir_ + "' && printf '" + typed +
                      "' | env -u STRATA_PASSWORD -u COSIGN_PASSWORD script "
                      "-qec '" +
                      std::string(STRATA_BINARY_DIR) +
                      "/strata generate-key-pair --output-key-prefix " +
                      prefix + "' /dev/null 2>&1";
    int status = 0;
    std::string o = testing::RunCommand(cmd, &status);
    return std::pair{status, o};
  };
  auto [st, out] = run("typed pw\\ntyped pw\\n", "tty");
  ASSERT_EQ(st, 0) << out;
  EXPECT_NE(out.find("Enter password for private key: "), std::string::npos);
  EXPECT_NE(out.find("Enter password for private key again: "),
            std::string::npos);
  EXPECT_TRUE(LoadPrivateKeyFile(dir_ + "/tty.key", "typed pw").ok());
  auto [st2, out2] = run("one\\ntwo\\n", "mismatch");
  EXPECT_EQ(st2, 1);
  EXPECT_NE(out2.find("strata: error: passphrases do not match"),
            std::string::npos)
      << out2;
  EXPECT_FALSE(fs::exists(dir_ + "/mismatch.key"));
  auto [st3, out3] = run("\\n", "empty");
  EXPECT_EQ(st3, 1);
  EXPECT_NE(out3.find("strata: error: empty passphrase (set STRATA_PASSWORD "
                      "to the empty string to use one)"),
            std::string::npos)
      << out3;
}

TEST(LoadKeyFiles, ErrorsNameThePath) {
  const std::string dir = testing::MakeTempDir("keys_load");
  const std::string missing = dir + "/missing.key";
  EXPECT_EQ(LoadPrivateKeyFile(missing, "x").status(),
            ErrnoError("open " + missing, ENOENT));
  EXPECT_EQ(LoadPublicKeyFile(missing).status(),
            ErrnoError("open " + missing, ENOENT));
  const std::string big = dir + "/big.key";
  std::ofstream(big) << std::string(crypto::kMaxCosignKeyFileBytes + 1, ' ');
  EXPECT_EQ(LoadPrivateKeyFile(big, "x").status(),
            ResourceExhaustedError(big + ": key file is over 65536 bytes"));
  Result<crypto::PrivateKey> key = crypto::PrivateKey::GenerateEcdsaP256();
  ASSERT_TRUE(key.ok());
  const std::string plain = dir + "/plain.key";
  std::ofstream(plain) << key->ToPkcs8Pem();
  EXPECT_EQ(LoadPrivateKeyFile(plain, "x").status(),
            InvalidArgumentError(
                "PEM block is \"PRIVATE KEY\", want \"ENCRYPTED SIGSTORE "
                "PRIVATE KEY\" or \"ENCRYPTED COSIGN PRIVATE KEY\"")
                .WithContext(plain));
  // A private key where a public one is wanted.
  EXPECT_EQ(LoadPublicKeyFile(plain).status().context(), plain);
  fs::remove_all(dir);
}

TEST(LoadKeyFiles, PassphraseFromTheEnvironment) {
  const std::string dir = testing::MakeTempDir("keys_env");
  Result<KeyPairFiles> files =
      GenerateKeyPair(dir + "/k", crypto::CosignPemType::kSigstore,
                      [] { return Result<std::string>(std::string("envpw")); });
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ::unsetenv("COSIGN_PASSWORD");
  ::setenv("STRATA_PASSWORD", "envpw", 1);
  EXPECT_TRUE(LoadPrivateKeyFile(files->private_key).ok());
  ::unsetenv("STRATA_PASSWORD");
  ::setenv("COSIGN_PASSWORD", "envpw", 1);
  EXPECT_TRUE(LoadPrivateKeyFile(files->private_key).ok());
  ::setenv("COSIGN_PASSWORD", "other", 1);
  EXPECT_EQ(LoadPrivateKeyFile(files->private_key).status().message(),
            "wrong password or corrupted key");
  ::unsetenv("COSIGN_PASSWORD");
  // A corrupt file is reported before any passphrase is asked for.
  const std::string bad = dir + "/bad.key";
  std::ofstream(bad) << "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"
                        "e30=\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n";
  EXPECT_EQ(
      LoadPrivateKeyFile(bad, "x").status(),
      DataLossError("encrypted key: missing field \"kdf\"").WithContext(bad));
  bool asked = false;
  Result<KeyPairFiles> again =
      GenerateKeyPair(dir + "/k", crypto::CosignPemType::kSigstore, [&] {
        asked = true;
        return Result<std::string>(std::string("x"));
      });
  EXPECT_EQ(again.status(),
            FailedPreconditionError(dir + "/k.key already exists; refusing to "
                                          "overwrite it"));
  EXPECT_FALSE(asked);
  fs::remove_all(dir);
}

// skopeo (containers/image, sigstore-enabled) signs an image with a key
// strata generated, and accepts the signature under a policy that requires
// strata's public key.
TEST_F(KeysCliTest, SkopeoSignsWithStrataKeys) {
  std::string skopeo;
  if (const char* e = std::getenv("STRATA_SKOPEO"); e && *e) {
    skopeo = e;
  } else {
    const char* x = std::getenv("XDG_CACHE_HOME");
    const char* h = std::getenv("HOME");
    skopeo = (x && *x ? std::string(x) : std::string(h ? h : "") + "/.cache") +
             "/strata-lab/skopeo-trixie/bin/skopeo-sigstore";
  }
  if (::access(skopeo.c_str(), X_OK) != 0) {
    GTEST_SKIP() << "sigstore-enabled skopeo not found at " << skopeo
                 << " (run ../shared/lab/setup-skopeo.sh or set STRATA_SKOPEO)";
  }
  testing::TestImage img;
  img.layers.push_back({testing::TarWriter().File("hello", "hi").Finish(),
                        testing::LayerCompression::kGzip, ""});
  ASSERT_TRUE(testing::WriteOciLayout(dir_ + "/img", {img}).ok());
  std::ofstream(dir_ + "/pass.txt") << "skopeo pw";
  for (const char* flags : {"", "--legacy-cosign-format"}) {
    SCOPED_TRACE(flags);
    fs::remove_all(dir_ + "/k.key");
    fs::remove_all(dir_ + "/k.pub");
    fs::remove_all(dir_ + "/signed");
    fs::remove_all(dir_ + "/verified");
    std::string out;
    ASSERT_EQ(
        Strata(dir_, "'STRATA_PASSWORD=skopeo pw'",
               std::string("generate-key-pair --output-key-prefix k ") + flags,
               &out),
        0)
        << out;
    int status = 0;
    out = testing::RunCommand(
        "cd '" + dir_ + "' && '" + skopeo +
            "' --insecure-policy copy -q --sign-identity "
            "example.com/strata/test:v1 --sign-by-sigstore-private-key k.key "
            "--sign-passphrase-file pass.txt oci:img:latest dir:signed 2>&1",
        &status);
    ASSERT_EQ(status, 0) << out;
    // skopeo's own verification against strata's public key.
    std::ofstream(dir_ + "/policy.json")
        << R"({"default":[{"type":"reject"}],"transports":{"dir":{"":[)"
        << R"({"type":"sigstoreSigned","keyPath":")" << dir_
        << R"(/k.pub","signedIdentity":{"type":"exactReference",)"
        << R"("dockerReference":"example.com/strata/test:v1"}}]}}})";
    out = testing::RunCommand("cd '" + dir_ + "' && '" + skopeo +
                                  "' --policy policy.json copy -q dir:signed "
                                  "dir:verified 2>&1",
                              &status);
    EXPECT_EQ(status, 0) << out;
    // And ours: the signature file is "\0sigstore-json\n" + JSON.
    std::string sig_file = testing::ReadTestFile(dir_ + "/signed/signature-1");
    const std::string magic = std::string("\0sigstore-json\n", 15);
    ASSERT_TRUE(sig_file.starts_with(magic));
    Result<json::Json> j =
        json::Parse(sig_file.substr(magic.size()), "signature", 1 << 20);
    ASSERT_TRUE(j.ok());
    Result<std::string> payload =
        Base64Decode((*j)["payload"].get<std::string>());
    Result<std::string> sig =
        Base64Decode((*j)["annotations"]["dev.cosignproject.cosign/signature"]
                         .get<std::string>());
    ASSERT_TRUE(payload.ok() && sig.ok());
    Result<crypto::PublicKey> pub = LoadPublicKeyFile(dir_ + "/k.pub");
    ASSERT_TRUE(pub.ok());
    EXPECT_TRUE(pub->Verify(*payload, *sig, crypto::Hash::kSha256).ok());
  }
}

}  // namespace
}  // namespace strata::cli
