// `strata attest` and `strata verify-attestation` through the real binary
// against the real docker-registry (skips without it).
#include "cli/attest.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>

#include "base/base64.h"
#include "base/byte_source.h"
#include "base/json.h"
#include "registry/testing/harness.h"
#include "sigstore/dsse.h"

namespace strata::cli {
namespace {

using registry::testing::RegistryMode;
using registry::testing::RegistryServer;
using registry::testing::TempDir;

constexpr char kRepo[] = "att/cli";

struct Outcome {
  int code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `command` under sh; stdout and stderr apart (at most 1 MiB each).
Outcome Sh(const std::string& command, const TempDir& dir) {
  Outcome r;
  const std::string err_path = dir.Join("stderr");
  FILE* p = ::popen((command + " 2>" + err_path).c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) {
    if (r.out.size() < (1 << 20)) r.out.append(buf, n);
  }
  int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err_path, std::ios::binary);
  r.err.assign(std::istreambuf_iterator<char>(in), {});
  return r;
}

std::string Strata() { return std::string(STRATA_BINARY_DIR) + "/strata"; }

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

Status PushBlob(registry::Client& client, const std::string& media_type,
                const std::string& bytes, oci::Descriptor* out) {
  out->media_type = media_type;
  out->digest = Sha256Of(bytes);
  out->size = static_cast<int64_t>(bytes.size());
  return client.PushBlob(kRepo, *out,
                         [&]() -> Result<std::unique_ptr<ByteSource>> {
                           return std::unique_ptr<ByteSource>(
                               std::make_unique<MemorySource>(bytes));
                         });
}

Result<Digest> PushImage(registry::Client& client, const std::string& tag) {
  oci::Descriptor config, layer;
  RETURN_IF_ERROR(PushBlob(client, std::string(oci::media::kOciConfig),
                           "{\"architecture\":\"amd64\",\"os\":\"linux\","
                           "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}",
                           &config));
  RETURN_IF_ERROR(PushBlob(client, std::string(oci::media::kOciLayer),
                           "layer of " + tag, &layer));
  std::string manifest = "{\"schemaVersion\":2,\"mediaType\":\"" +
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
  RETURN_IF_ERROR(client.PutManifest(kRepo, tag, d, manifest).status());
  return d.digest;
}

TEST(Rfc3339UtcTest, FormatsUtcSeconds) {
  EXPECT_EQ(Rfc3339Utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(Rfc3339Utc(1740770291), "2025-02-28T19:18:11Z");
}

class AttestCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (Status probe = RegistryServer::Probe(RegistryMode::kPlain);
        !probe.ok()) {
      GTEST_SKIP() << "registry tests need docker-registry: "
                   << probe.ToString();
    }
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
    Result<TempDir> dir = TempDir::Create("strata-attesttest");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    dir_.emplace(*std::move(dir));
    for (const char* prefix : {"s", "t"}) {
      Outcome r = Sh("STRATA_PASSWORD=pw " + Strata() +
                         " generate-key-pair --output-key-prefix " +
                         dir_->Join(prefix) + " </dev/null",
                     *dir_);
      ASSERT_EQ(r.code, 0) << r.err;
    }
  }

  Outcome Attest(const std::string& args) {
    return Sh("SOURCE_DATE_EPOCH=1740770291 STRATA_PASSWORD=pw " + Strata() +
                  " attest --key " + dir_->Join("s.key") + " " + args +
                  " </dev/null",
              *dir_);
  }
  Outcome VerifyAttestation(const std::string& key, const std::string& args) {
    return Sh(
        Strata() + " verify-attestation --key " + dir_->Join(key) + " " + args,
        *dir_);
  }

  std::unique_ptr<RegistryServer> server_;
  std::unique_ptr<registry::Client> client_;
  std::optional<TempDir> dir_;
};

TEST_F(AttestCliTest, AttestsAndVerifiesByType) {
  Result<Digest> image = PushImage(*client_, "v1");
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  const std::string ref = server_->host() + "/" + kRepo + ":v1";
  const std::string by_digest =
      server_->host() + "/" + kRepo + "@" + image->ToString();

  Outcome none = VerifyAttestation("s.pub", ref);
  EXPECT_EQ(none.code, 2);
  EXPECT_EQ(none.out, "");
  EXPECT_EQ(none.err,
            "strata: no attestations\nstrata: error: no valid attestation of "
            "type https://cosign.sigstore.dev/attestation/v1 for " +
                ref + "\n");

  WriteFile(dir_->Join("note.txt"), "{\"foo\": \"bar\"}\n");
  Outcome a = Attest("--predicate " + dir_->Join("note.txt") + " " + ref);
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_EQ(a.err, "Pushing attestation to: " + server_->host() + "/" + kRepo +
                       ":sha256-" + image->hex() + ".att\n");
  WriteFile(dir_->Join("bom.json"), "{\"bomFormat\":\"CycloneDX\"}");
  Outcome b = Attest("--type cyclonedx --predicate " + dir_->Join("bom.json") +
                     " " + by_digest);
  ASSERT_EQ(b.code, 0) << b.err;

  // Custom (the default type): one JSON line, the envelope as cosign's.
  Outcome custom = VerifyAttestation("s.pub", ref);
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

  Outcome cdx = VerifyAttestation("s.pub", "--type cyclonedx " + ref);
  ASSERT_EQ(cdx.code, 0) << cdx.err;
  Result<json::Json> cdx_env = json::Parse(cdx.out, "out", 1 << 20);
  ASSERT_TRUE(cdx_env.ok());
  Result<sigstore::InTotoStatement> st = sigstore::ParseInTotoStatement(
      sigstore::ParseDsseEnvelope(*cdx_env)->payload);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->predicate_type, "https://cyclonedx.org/bom");
  EXPECT_EQ(st->predicate["bomFormat"], "CycloneDX");

  // The wrong key; a type nobody attested.
  Outcome wrong_key = VerifyAttestation("t.pub", ref);
  EXPECT_EQ(wrong_key.code, 2);
  EXPECT_EQ(wrong_key.out, "");
  EXPECT_EQ(wrong_key.err,
            "strata: attestation 1: no signature verifies with the key\n"
            "strata: attestation 2: no signature verifies with the key\n"
            "strata: error: no valid attestation of type "
            "https://cosign.sigstore.dev/attestation/v1 for " +
                ref + "\n");
  Outcome wrong_type = VerifyAttestation("s.pub", "--type vuln " + ref);
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

TEST_F(AttestCliTest, RefusesBadInput) {
  ASSERT_TRUE(PushImage(*client_, "v1").ok());
  const std::string ref = server_->host() + "/" + kRepo + ":v1";
  WriteFile(dir_->Join("text.txt"), "not json");

  Outcome not_json = Attest("--type spdxjson --predicate " +
                            dir_->Join("text.txt") + " " + ref);
  EXPECT_EQ(not_json.code, 1);
  EXPECT_TRUE(not_json.err.starts_with(
      "strata: error: invalid JSON payload for predicate type "
      "https://spdx.dev/Document: "))
      << not_json.err;
  Outcome bad_type = Attest("--type nonsense --predicate " +
                            dir_->Join("text.txt") + " " + ref);
  EXPECT_EQ(bad_type.code, 1);
  EXPECT_EQ(bad_type.err,
            "strata: error: invalid predicate type \"nonsense\"\n");
  Outcome missing = Attest("--predicate " + dir_->Join("nope") + " " + ref);
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.err, "strata: error: open " + dir_->Join("nope") +
                             ": No such file or directory\n");
  Outcome local = Attest("--predicate " + dir_->Join("text.txt") +
                         " oci:" + dir_->Join("layout"));
  EXPECT_EQ(local.code, 1);
  EXPECT_EQ(local.err,
            "strata: error: attest needs a registry image (docker://NAME or "
            "NAME), not oci:" +
                dir_->Join("layout") + "\n");
  Outcome no_image =
      VerifyAttestation("s.pub", server_->host() + "/" + kRepo + ":absent");
  EXPECT_EQ(no_image.code, 1) << no_image.err;
}

}  // namespace
}  // namespace strata::cli
