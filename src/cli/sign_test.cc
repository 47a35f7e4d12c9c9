// strata sign / verify: keyless verification on containers/image's real
// cosign fixtures (read in place from ../shared), signing and verifying
// against the real docker-registry, and interop with sigstore-enabled
// skopeo 1.18 (each part skips with a message when its tool is absent).
#include "cli/sign.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/base64.h"
#include "base/digest.h"
#include "cli/keys.h"
#include "cli/verify.h"
#include "cosign/payload.h"
#include "cosign/storage.h"
#include "crypto/keys.h"
#include "pki/certificate.h"
#include "pki/test_util.h"
#include "registry/client.h"
#include "registry/testing/plain_registry.h"
#include "sigstore/trusted_root.h"
#include "testing/mock_sigstore.h"
#include "testing/test_util.h"

namespace strata::cli {
namespace {

namespace fs = std::filesystem;
using registry::testing::PlainRegistryTest;
using registry::testing::PushTinyImage;
using strata::testing::RunShell;
using strata::testing::ShellOutcome;

fs::path SharedDir() { return fs::path(STRATA_SOURCE_DIR) / "../shared"; }
fs::path Fixtures() {
  return SharedDir() /
         "conformance/sigstore/containers-image/signature/fixtures";
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const fs::path& p, const std::string& data) {
  std::ofstream out(p, std::ios::binary);
  out << data;
}

#define SKIP_WITHOUT_FIXTURES() \
  if (!fs::exists(Fixtures()))  \
  GTEST_SKIP() << "no containers/image fixtures at " << Fixtures().string()

// One fixture image: its "dir:" signatures and its identity by digest.
struct DirImage {
  std::vector<cosign::SignatureLayer> layers;
  cosign::ImageIdentity image;
};

DirImage LoadDirImage(const std::string& name, const std::string& repo) {
  DirImage out;
  const fs::path dir = Fixtures() / name;
  Result<std::vector<cosign::SignatureLayer>> layers =
      cosign::ReadDirSignatures(dir.string());
  EXPECT_TRUE(layers.ok()) << layers.status().ToString();
  if (layers.ok()) out.layers = *layers;
  out.image.manifest_digest = Sha256Of(ReadFile(dir / "manifest.json"));
  Result<oci::ImageRef> ref =
      oci::ParseRegistryName(repo + "@" + out.image.manifest_digest.ToString());
  EXPECT_TRUE(ref.ok()) << ref.status().ToString();
  if (ref.ok()) out.image.reference = *ref;
  return out;
}

constexpr char kFulcioRepo[] = "192.168.64.2:5000/cosign-signed/fulcio-rekor-1";
constexpr char kFulcioImage[] = "dir-img-cosign-fulcio-rekor-valid";

// The trusted root of containers/image's keyless test: fulcio_v1.crt.pem as
// the only CA, rekor.pub as the only tlog, and the production CT logs (the
// fixture's certificate carries an SCT of ctfe.sigstore.dev/2022).
sigstore::TrustedRoot FixtureRoot() {
  sigstore::TrustedRoot root;
  Result<pki::Certificate> ca =
      pki::Certificate::FromPem(ReadFile(Fixtures() / "fulcio_v1.crt.pem"));
  EXPECT_TRUE(ca.ok()) << ca.status().ToString();
  if (!ca.ok()) return root;
  sigstore::CertificateAuthority authority;
  authority.cert_chain = {ca->ToDer()};
  authority.valid_for.start = sigstore::Timestamp::FromUnix(0);
  root.certificate_authorities.push_back(authority);

  Result<crypto::PublicKey> rekor =
      crypto::PublicKey::FromPem(ReadFile(Fixtures() / "rekor.pub"));
  EXPECT_TRUE(rekor.ok()) << rekor.status().ToString();
  if (!rekor.ok()) return root;
  sigstore::TransparencyLog tlog;
  tlog.base_url = "https://rekor.sigstore.dev";
  tlog.hash_algorithm = "SHA2_256";
  tlog.public_key.details = "PKIX_ECDSA_P256_SHA_256";
  tlog.public_key.raw_bytes = rekor->ToDer();
  tlog.public_key.key = *rekor;
  tlog.log_id = crypto::HashBytes(crypto::Hash::kSha256, rekor->ToDer());
  root.tlogs.push_back(tlog);

  Result<sigstore::TrustedRoot> prod = sigstore::ParseTrustedRoot(
      ReadFile(SharedDir() / "conformance/sigstore/trusted-roots/"
                             "prod_trusted_root_from_sigstore_tuf_seeds.json"));
  EXPECT_TRUE(prod.ok()) << prod.status().ToString();
  if (prod.ok()) root.ctlogs = std::move(prod->ctlogs);
  return root;
}

KeylessPolicy Policy(const sigstore::TrustedRoot& root,
                     std::string identity = "mitr@redhat.com",
                     std::string issuer = "https://github.com/login/oauth") {
  return KeylessPolicy{
      pki::IdentityPolicy{pki::Matcher::Exact(std::move(identity)),
                          pki::Matcher::Exact(std::move(issuer))},
      &root, static_cast<int64_t>(std::time(nullptr))};
}

std::string OneRejection(const VerifyResult& r) {
  EXPECT_FALSE(r.accepted);
  EXPECT_TRUE(r.verified.empty());
  return r.rejections.size() == 1 ? r.rejections[0] : "not one rejection";
}

TEST(VerifyKeyless, AcceptsContainersImageFulcioRekorFixture) {
  SKIP_WITHOUT_FIXTURES();
  DirImage img = LoadDirImage(kFulcioImage, kFulcioRepo);
  ASSERT_EQ(img.layers.size(), 1u);
  sigstore::TrustedRoot root = FixtureRoot();
  VerifyResult r = VerifyKeyless(img.image, img.layers, Policy(root));
  ASSERT_TRUE(r.accepted) << (r.rejections.empty() ? "" : r.rejections[0]);
  ASSERT_EQ(r.verified.size(), 1u);
  EXPECT_EQ(r.verified[0].index, 0u);
  EXPECT_EQ(r.verified[0].payload.docker_reference, kFulcioRepo);
  EXPECT_EQ(r.verified[0].payload.manifest_digest.ToString(),
            "sha256:0489474da8ea22426ece86ace6c1c0026ab2fd3cdfbbd62b7e94650266"
            "c37d9a");

  // A regexp identity and issuer that match the whole values.
  KeylessPolicy re = Policy(root);
  re.identity.subject = *pki::Matcher::Regexp("[a-z]+@redhat\\.com");
  re.identity.issuer = *pki::Matcher::Regexp("https://github\\.com/.*");
  EXPECT_TRUE(VerifyKeyless(img.image, img.layers, re).accepted);

  // cosign's output: the payload with the certificate's identity and the
  // Rekor bundle in "optional", Go's key order.
  Result<std::string> j = VerifiedJson(img.layers, r.verified);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  const std::string bundle = *img.layers[0].bundle;
  EXPECT_EQ(*j,
            "[{\"critical\":{\"identity\":{\"docker-reference\":\"" +
                std::string(kFulcioRepo) +
                "\"},\"image\":{\"docker-manifest-digest\":\"sha256:"
                "0489474da8ea22426ece86ace6c1c0026ab2fd3cdfbbd62b7e94650266c37"
                "d9a\"},\"type\":\"cosign container image signature\"},"
                "\"optional\":{\"1.3.6.1.4.1.57264.1.1\":\"https://github.com/"
                "login/oauth\",\"Bundle\":" +
                bundle +
                ",\"Issuer\":\"https://github.com/login/oauth\",\"Subject\":"
                "\"mitr@redhat.com\"}}]");
}

TEST(VerifyKeyless, RejectsWrongOrPartialIdentityAndIssuer) {
  SKIP_WITHOUT_FIXTURES();
  DirImage img = LoadDirImage(kFulcioImage, kFulcioRepo);
  sigstore::TrustedRoot root = FixtureRoot();
  EXPECT_EQ(OneRejection(VerifyKeyless(img.image, img.layers,
                                       Policy(root, "other@redhat.com"))),
            "signature 1: no certificate identity matches \"other@redhat.com\" "
            "(have \"mitr@redhat.com\")");
  // A substring of the identity is not the identity.
  EXPECT_EQ(OneRejection(VerifyKeyless(img.image, img.layers,
                                       Policy(root, "mitr@redhat"))),
            "signature 1: no certificate identity matches \"mitr@redhat\" "
            "(have \"mitr@redhat.com\")");
  KeylessPolicy sub = Policy(root);
  sub.identity.subject = *pki::Matcher::Regexp("mitr");
  EXPECT_EQ(OneRejection(VerifyKeyless(img.image, img.layers, sub)),
            "signature 1: no certificate identity matches regexp \"mitr\" "
            "(have \"mitr@redhat.com\")");
  EXPECT_EQ(
      OneRejection(VerifyKeyless(
          img.image, img.layers,
          Policy(root, "mitr@redhat.com", "https://accounts.google.com"))),
      "signature 1: certificate issuer \"https://github.com/login/oauth\" does "
      "not match \"https://accounts.google.com\"");
}

TEST(VerifyKeyless, RejectsSetByUnknownKeyAndUnknownLog) {
  SKIP_WITHOUT_FIXTURES();
  DirImage img = LoadDirImage(kFulcioImage, kFulcioRepo);
  // The log id of the bundle, but another key: the SET does not verify.
  sigstore::TrustedRoot other_key = FixtureRoot();
  Result<crypto::PrivateKey> k = crypto::PrivateKey::GenerateEcdsaP256();
  ASSERT_TRUE(k.ok());
  other_key.tlogs[0].public_key.key = *k->Public();
  other_key.tlogs[0].public_key.raw_bytes = k->Public()->ToDer();
  const std::string why =
      OneRejection(VerifyKeyless(img.image, img.layers, Policy(other_key)));
  EXPECT_TRUE(why.starts_with("signature 1: log entry 11605770: ")) << why;
  EXPECT_NE(why.find("signed entry timestamp"), std::string::npos) << why;
  // A log the trusted root does not know.
  sigstore::TrustedRoot other_log = FixtureRoot();
  other_log.tlogs[0].log_id = std::string(32, 'x');
  EXPECT_EQ(
      OneRejection(VerifyKeyless(img.image, img.layers, Policy(other_log))),
      "signature 1: log entry 11605770: the entry's log is not in the "
      "trusted root");
  // A CA the certificate does not chain to.
  sigstore::TrustedRoot other_ca = FixtureRoot();
  other_ca.certificate_authorities.clear();
  EXPECT_TRUE(
      OneRejection(VerifyKeyless(img.image, img.layers, Policy(other_ca)))
          .starts_with("signature 1: signing certificate at "
                       "2023-01-20T20:51:33Z: "));
}

// Trust comes from the trusted root alone: the chain annotation carries
// Fulcio's real intermediate and root, but a trusted root whose only CA is
// an unrelated self-signed one does not accept the certificate.
TEST(VerifyKeyless, ChainsOnlyToTheTrustedRootsAuthorities) {
  SKIP_WITHOUT_FIXTURES();
  DirImage img = LoadDirImage(kFulcioImage, kFulcioRepo);
  ASSERT_EQ(img.layers.size(), 1u);
  ASSERT_TRUE(img.layers[0].chain.has_value());
  Result<std::vector<pki::Certificate>> annotated =
      pki::Certificate::ParsePemChain(*img.layers[0].chain);
  ASSERT_TRUE(annotated.ok()) << annotated.status().ToString();
  ASSERT_EQ(annotated->size(), 2u);  // intermediate, root
  EXPECT_FALSE((*annotated)[0].IsSelfIssued());
  EXPECT_TRUE((*annotated)[1].IsSelfIssued());

  // The root in the annotation is dropped: leaf and intermediate remain.
  Result<sigstore::Bundle> legacy = LegacyKeylessBundle(
      *img.layers[0].certificate, img.layers[0].chain, *img.layers[0].bundle);
  ASSERT_TRUE(legacy.ok()) << legacy.status().ToString();
  ASSERT_EQ(legacy->certificates.size(), 2u);
  EXPECT_EQ(legacy->certificates[1], (*annotated)[0].ToDer());

  pki::testing::TestCert unrelated = pki::testing::MakeCert(
      "unrelated CA", nullptr, 1600000000, 2000000000, pki::testing::CaExts());
  sigstore::TrustedRoot root = FixtureRoot();
  ASSERT_EQ(root.certificate_authorities.size(), 1u);
  root.certificate_authorities[0].cert_chain = {unrelated.cert.ToDer()};
  EXPECT_EQ(OneRejection(VerifyKeyless(img.image, img.layers, Policy(root))),
            "signature 1: signing certificate at 2023-01-20T20:51:33Z: "
            "certificate does not chain to a trusted certificate authority at "
            "2023-01-20T20:51:33Z (authority 0: unable to get local issuer "
            "certificate)");
}

// The fixture's layer with its bundle's body changed by `edit`.
std::vector<cosign::SignatureLayer> WithBody(
    const std::vector<cosign::SignatureLayer>& layers,
    const std::function<void(std::string&)>& edit) {
  std::vector<cosign::SignatureLayer> out = layers;
  Result<json::Json> b = json::Parse(*out[0].bundle, "bundle", 1 << 20);
  EXPECT_TRUE(b.ok());
  std::string body = *Base64Decode((*b)["Payload"]["body"].get<std::string>());
  edit(body);
  (*b)["Payload"]["body"] = Base64Encode(body);
  out[0].bundle = json::Dump(*b);
  return out;
}

void Replace(std::string& s, std::string_view from, std::string_view to) {
  size_t at = s.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  s.replace(at, from.size(), to);
}

TEST(VerifyKeyless, RejectsBodyThatDoesNotMatch) {
  SKIP_WITHOUT_FIXTURES();
  DirImage img = LoadDirImage(kFulcioImage, kFulcioRepo);
  sigstore::TrustedRoot root = FixtureRoot();
  // Another payload hash.
  auto hash = WithBody(img.layers, [](std::string& body) {
    Replace(body, "2dcf9e65b95efb54", "2dcf9e65b95efb55");
  });
  EXPECT_EQ(OneRejection(VerifyKeyless(img.image, hash, Policy(root))),
            "signature 1: log entry 11605770: the log entry's artifact hash "
            "does not match the bundle");
  // Another signature.
  auto sig = WithBody(img.layers, [](std::string& body) {
    Replace(body, "MEQCIBszrlQdfkiSZnZt", "MEQCIBszrlQdfkiSZnZu");
  });
  EXPECT_EQ(OneRejection(VerifyKeyless(img.image, sig, Policy(root))),
            "signature 1: log entry 11605770: the log entry's signature does "
            "not match the bundle");
  // The body matches (re-serialised with spaces) but the SET no longer
  // covers it.
  auto spaced = WithBody(img.layers, [](std::string& body) {
    Replace(body, "{\"apiVersion\"", "{ \"apiVersion\"");
  });
  const std::string why =
      OneRejection(VerifyKeyless(img.image, spaced, Policy(root)));
  EXPECT_NE(why.find("signed entry timestamp"), std::string::npos) << why;
}

TEST(VerifyKeyless, RejectsKeySignaturesAndMissingBundles) {
  SKIP_WITHOUT_FIXTURES();
  sigstore::TrustedRoot root = FixtureRoot();
  DirImage keyed = LoadDirImage(
      "dir-img-cosign-valid", "192.168.64.2:5000/cosign-signed-single-sample");
  EXPECT_EQ(
      OneRejection(VerifyKeyless(keyed.image, keyed.layers, Policy(root))),
      "signature 1: no certificate (not a keyless signature)");
  DirImage img = LoadDirImage(kFulcioImage, kFulcioRepo);
  img.layers[0].bundle.reset();
  EXPECT_EQ(OneRejection(VerifyKeyless(img.image, img.layers, Policy(root))),
            "signature 1: no rekor bundle (dev.sigstore.cosign/bundle)");
  // The claims are checked: another image's digest.
  DirImage other = LoadDirImage(kFulcioImage, kFulcioRepo);
  other.image.manifest_digest = Sha256Of("other");
  other.image.reference.digest = other.image.manifest_digest;
  EXPECT_EQ(
      OneRejection(VerifyKeyless(other.image, other.layers, Policy(root))),
      "signature 1: signed manifest digest sha256:"
      "0489474da8ea22426ece86ace6c1c0026ab2fd3cdfbbd62b7e94650266c37d9a is not "
      "the image's " +
          Sha256Of("other").ToString());
  EXPECT_TRUE(VerifyKeyless(img.image, {}, Policy(root)).rejections ==
              std::vector<std::string>{"no signatures"});
}

TEST(ParseRekorBundle, ReadsCosignLegacyBundle) {
  SKIP_WITHOUT_FIXTURES();
  DirImage img = LoadDirImage(kFulcioImage, kFulcioRepo);
  Result<sigstore::TransparencyLogEntry> e =
      ParseRekorBundle(*img.layers[0].bundle);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->log_index, 11605770);
  EXPECT_EQ(e->integrated_time, 1674247893);
  EXPECT_EQ(e->kind, "hashedrekord");
  EXPECT_EQ(e->version, "0.0.1");
  EXPECT_EQ(e->log_id.size(), 32u);
  EXPECT_EQ(e->signed_entry_timestamp->size(), 71u);
}

TEST(ParseRekorBundle, RefusesMalformedBundles) {
  const std::string body = Base64Encode(
      "{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\",\"spec\":{}}");
  const std::string id(64, 'a');
  auto bundle = [&](std::string set, std::string b, std::string t,
                    std::string i, std::string log_id) {
    return "{\"SignedEntryTimestamp\":" + set + ",\"Payload\":{\"body\":" + b +
           ",\"integratedTime\":" + t + ",\"logIndex\":" + i +
           ",\"logID\":" + log_id + "}}";
  };
  EXPECT_TRUE(ParseRekorBundle(bundle("\"AAAA\"", "\"" + body + "\"", "1", "2",
                                      "\"" + id + "\""))
                  .ok());
  struct Case {
    std::string text;
    std::string error;
  } cases[] = {
      {"[]", "rekor bundle: not a JSON object"},
      {bundle("1", "\"" + body + "\"", "1", "2", "\"" + id + "\""),
       "rekor bundle: SignedEntryTimestamp must be a string"},
      {bundle("\"A!\"", "\"" + body + "\"", "1", "2", "\"" + id + "\""),
       "rekor bundle: SignedEntryTimestamp is not base64"},
      {bundle("\"AAAA\"", "\"%\"", "1", "2", "\"" + id + "\""),
       "rekor bundle: Payload.body is not base64"},
      {bundle("\"AAAA\"", "\"" + body + "\"", "-1", "2", "\"" + id + "\""),
       "rekor bundle: Payload.integratedTime must be a non-negative integer"},
      {bundle("\"AAAA\"", "\"" + body + "\"", "1", "\"2\"", "\"" + id + "\""),
       "rekor bundle: Payload.logIndex must be a non-negative integer"},
      {bundle("\"AAAA\"", "\"" + body + "\"", "1", "2", "\"zz\""),
       "rekor bundle: Payload.logID is not 32 bytes of hex"},
      {bundle("\"AAAA\"", "\"" + Base64Encode("{}") + "\"", "1", "2",
              "\"" + id + "\""),
       "rekor bundle: Payload.body has no string kind and apiVersion"},
  };
  for (const Case& c : cases) {
    Result<sigstore::TransparencyLogEntry> e = ParseRekorBundle(c.text);
    ASSERT_FALSE(e.ok()) << c.text;
    EXPECT_EQ(e.status().message(), c.error) << c.text;
    EXPECT_EQ(e.status().code(), StatusCode::kDataLoss);
  }
  Result<sigstore::TransparencyLogEntry> big =
      ParseRekorBundle(std::string(kMaxRekorBundleBytes + 1, ' '));
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted);
}

// cosign verify's "optional" for a certificate with Fulcio's GitHub
// workflow extensions: each under its OID and its readable name.
TEST(VerifiedJson, WritesGithubWorkflowExtensionsAsCosign) {
  pki::testing::TestCert c = pki::testing::MakeCert(
      "leaf", nullptr, 1700000000, 1700000600,
      {{"subjectAltName", "URI:https://github.com/o/r/.github/w.yml"},
       {"1.3.6.1.4.1.57264.1.1", "DER:68:74:74:70:73:3a:2f:2f:69"},
       {"1.3.6.1.4.1.57264.1.2", "DER:70:75:73:68"},
       {"1.3.6.1.4.1.57264.1.6", "DER:72:65:66:73:2f:68:65:61:64:73:2f:6d"}});
  cosign::SignatureLayer layer;
  layer.payload = cosign::MakePayload("reg/app", Sha256Of("m"), std::nullopt);
  layer.certificate = c.cert.ToPem();
  Result<cosign::Payload> p = cosign::ParsePayload(layer.payload);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const std::vector<VerifiedSignature> verified = {{0, *p}};
  Result<std::string> j = VerifiedJson({&layer, 1}, verified);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ(*j,
            "[{\"critical\":{\"identity\":{\"docker-reference\":\"reg/app\"},"
            "\"image\":{\"docker-manifest-digest\":\"" +
                Sha256Of("m").ToString() +
                "\"},\"type\":\"cosign container image signature\"},"
                "\"optional\":{\"1.3.6.1.4.1.57264.1.1\":\"https://i\","
                "\"1.3.6.1.4.1.57264.1.2\":\"push\","
                "\"1.3.6.1.4.1.57264.1.6\":\"refs/heads/m\","
                "\"Issuer\":\"https://i\","
                "\"Subject\":\"https://github.com/o/r/.github/w.yml\","
                "\"githubWorkflowRef\":\"refs/heads/m\","
                "\"githubWorkflowTrigger\":\"push\"}}]");
}

TEST(VerifyWithKeys, AnyKeyOrAllKeys) {
  SKIP_WITHOUT_FIXTURES();
  DirImage img = LoadDirImage("dir-img-cosign-valid",
                              "192.168.64.2:5000/cosign-signed-single-sample");
  crypto::PublicKey good =
      *crypto::PublicKey::FromPem(ReadFile(Fixtures() / "cosign.pub"));
  crypto::PublicKey other =
      *crypto::PublicKey::FromPem(ReadFile(Fixtures() / "cosign2.pub"));
  std::vector<crypto::PublicKey> both = {other, good};
  VerifyResult r = VerifyWithKeys(img.image, img.layers, both, false);
  EXPECT_TRUE(r.accepted);
  EXPECT_EQ(r.verified.size(), 1u);
  r = VerifyWithKeys(img.image, img.layers, both, true);
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.rejections,
            std::vector<std::string>{"key 1: no signature verifies with it"});
  EXPECT_EQ(
      OneRejection(VerifyWithKeys(img.image, img.layers, {&other, 1}, false)),
      "signature 1: signature does not verify with the key");
  Result<std::string> j = VerifiedJson(
      img.layers,
      VerifyWithKeys(img.image, img.layers, {&good, 1}, false).verified);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(*j, "[" + img.layers[0].payload + "]");

  // Every key required, and the one key given verifies.
  r = VerifyWithKeys(img.image, img.layers, {&good, 1}, true);
  EXPECT_TRUE(r.accepted);
  EXPECT_EQ(r.verified.size(), 1u);
  EXPECT_TRUE(r.rejections.empty());
  // The same key twice: each entry is a key that verifies.
  const std::vector<crypto::PublicKey> same = {good, good};
  r = VerifyWithKeys(img.image, img.layers, same, true);
  EXPECT_TRUE(r.accepted);
  EXPECT_TRUE(r.rejections.empty());

  // Two keys, each signing a layer of its own: both required, both used.
  Result<crypto::PrivateKey> k1 = crypto::PrivateKey::GenerateEcdsaP256();
  Result<crypto::PrivateKey> k2 = crypto::PrivateKey::GenerateEcdsaP256();
  ASSERT_TRUE(k1.ok() && k2.ok());
  std::vector<cosign::SignatureLayer> two;
  for (const crypto::PrivateKey* k : {&*k1, &*k2}) {
    cosign::SignatureLayer layer;
    layer.payload = img.layers[0].payload;
    Result<std::string> sig = k->Sign(layer.payload, crypto::Hash::kSha256);
    ASSERT_TRUE(sig.ok());
    layer.signature = Base64Encode(*sig);
    two.push_back(layer);
  }
  const std::vector<crypto::PublicKey> k12 = {*k1->Public(), *k2->Public()};
  r = VerifyWithKeys(img.image, two, k12, true);
  EXPECT_TRUE(r.accepted);
  EXPECT_EQ(r.verified.size(), 2u);
  EXPECT_TRUE(r.rejections.empty());
  // Without k2's layer, k2 verifies nothing: refused when all are required,
  // accepted when any suffices.
  r = VerifyWithKeys(img.image, {two.data(), 1}, k12, true);
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.verified.size(), 1u);
  EXPECT_EQ(r.rejections,
            std::vector<std::string>{"key 2: no signature verifies with it"});
  EXPECT_TRUE(VerifyWithKeys(img.image, {two.data(), 1}, k12, false).accepted);
}

TEST(ParseRegistryImage, RefusesLocalReferences) {
  Result<oci::ImageRef> r = ParseRegistryImage("sign", "oci:/tmp/layout:v1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "sign needs a registry image (docker://NAME or NAME), not "
            "oci:/tmp/layout:v1");
  EXPECT_TRUE(
      ParseRegistryImage("sign", "docker://127.0.0.1:5000/a/b:v1").ok());
  EXPECT_EQ(CosignDockerReference(*oci::ParseRegistryName("alpine:3.20")),
            "index.docker.io/library/alpine");
}

// --- Against the real registry ---------------------------------------------

std::string Strata() { return std::string(STRATA_BINARY_DIR) + "/strata"; }

class SignRegistryTest : public PlainRegistryTest {
 protected:
  oci::ImageRef Ref(const std::string& repo_tag) {
    return *oci::ParseRegistryName(server_->host() + "/" + repo_tag);
  }

  // `strata generate-key-pair` into DIR/prefix.{key,pub}.
  void GenerateStrataKey(const std::string& prefix) {
    ShellOutcome r = RunShell("STRATA_PASSWORD=pw " + Strata() +
                              " generate-key-pair --output-key-prefix " +
                              dir_->Join(prefix) + " </dev/null 2>&1");
    ASSERT_EQ(r.code, 0) << r.out;
  }
};

TEST_F(SignRegistryTest, SignImageThenVerifyByTagAndDigest) {
  Result<oci::Descriptor> tiny = PushTinyImage(*client_, "app/one", "v1", "a");
  ASSERT_TRUE(tiny.ok()) << tiny.status().ToString();
  const Digest image = tiny->digest;
  Result<crypto::PrivateKey> key = crypto::PrivateKey::GenerateEcdsaP256();
  ASSERT_TRUE(key.ok());
  crypto::PublicKey pub = *key->Public();

  // Nothing signed yet.
  Result<RemoteSignatures> none = FetchSignatures(*client_, Ref("app/one:v1"));
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(
      OneRejection(VerifyWithKeys(none->image, none->layers, {&pub, 1}, false)),
      "no signatures");

  Result<std::string> pushed =
      SignImage(*client_, Ref("app/one:v1"), *key,
                std::map<std::string, std::string>{{"team", "a<b"}});
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  EXPECT_EQ(*pushed, server_->host() + "/app/one:sha256-" +
                         std::string(image.ToString().substr(7)) + ".sig");

  for (const std::string& name :
       {std::string("app/one:v1"), "app/one@" + image.ToString()}) {
    Result<RemoteSignatures> sigs = FetchSignatures(*client_, Ref(name));
    ASSERT_TRUE(sigs.ok()) << sigs.status().ToString();
    ASSERT_EQ(sigs->layers.size(), 1u);
    EXPECT_EQ(sigs->layers[0].payload,
              cosign::MakePayload(
                  server_->host() + "/app/one", image,
                  std::map<std::string, std::string>{{"team", "a<b"}}));
    VerifyResult r =
        VerifyWithKeys(sigs->image, sigs->layers, {&pub, 1}, false);
    ASSERT_TRUE(r.accepted) << name;
    Result<std::string> j = VerifiedJson(sigs->layers, r.verified);
    ASSERT_TRUE(j.ok());
    EXPECT_EQ(*j, "[" + sigs->layers[0].payload + "]");
  }

  // A digest the registry does not have.
  Result<std::string> missing =
      SignImage(*client_, Ref("app/one@" + Sha256Of("nothing").ToString()),
                *key, std::nullopt);
  EXPECT_FALSE(missing.ok());
}

TEST_F(SignRegistryTest, CommandLineSignAndVerify) {
  Result<oci::Descriptor> tiny = PushTinyImage(*client_, "app/cli", "v1", "c");
  ASSERT_TRUE(tiny.ok()) << tiny.status().ToString();
  const Digest image = tiny->digest;
  ASSERT_NO_FATAL_FAILURE(GenerateStrataKey("s"));
  ASSERT_NO_FATAL_FAILURE(GenerateStrataKey("t"));
  const std::string ref = server_->host() + "/app/cli:v1";

  ShellOutcome verify_none = RunShell(
      Strata() + " verify --key " + dir_->Join("s.pub") + " " + ref + " 2>&1");
  EXPECT_EQ(verify_none.code, 2) << verify_none.out;
  EXPECT_EQ(verify_none.out,
            "strata: no signatures\nstrata: error: no valid signature for " +
                ref + "\n");

  ShellOutcome sign = RunShell(
      "STRATA_PASSWORD=pw " + Strata() + " sign --tlog-upload=false --key " +
      dir_->Join("s.key") + " -a k=v " + ref + " </dev/null 2>&1");
  ASSERT_EQ(sign.code, 0) << sign.out;
  EXPECT_EQ(sign.out, "Pushing signature to: " + server_->host() +
                          "/app/cli:sha256-" + image.ToString().substr(7) +
                          ".sig\n");

  ShellOutcome ok =
      RunShell(Strata() + " verify --key " + dir_->Join("s.pub") + " " + ref);
  EXPECT_EQ(ok.code, 0) << ok.out;
  EXPECT_EQ(ok.out, "[" +
                        cosign::MakePayload(
                            server_->host() + "/app/cli", image,
                            std::map<std::string, std::string>{{"k", "v"}}) +
                        "]\n");
  ShellOutcome checks =
      RunShell(Strata() + " verify --key " + dir_->Join("s.pub") + " " + ref +
               " -o text 2>&1 >/dev/null");
  EXPECT_EQ(checks.out,
            "\nVerification for " + ref +
                " --\nThe following checks were performed on each of these "
                "signatures:\n  - The cosign claims were validated\n  - The "
                "signatures were verified against the specified public key\n");
  ShellOutcome text = RunShell(Strata() + " verify --key " +
                               dir_->Join("s.pub") + " " + ref + " -o text");
  EXPECT_EQ(text.out, cosign::MakePayload(
                          server_->host() + "/app/cli", image,
                          std::map<std::string, std::string>{{"k", "v"}}) +
                          "\n");

  ShellOutcome other = RunShell(Strata() + " verify --key " +
                                dir_->Join("t.pub") + " " + ref + " 2>&1");
  EXPECT_EQ(other.code, 2) << other.out;
  EXPECT_EQ(other.out,
            "strata: signature 1: signature does not verify with the key\n"
            "strata: error: no valid signature for " +
                ref + "\n");

  ShellOutcome local =
      RunShell(Strata() + " sign --tlog-upload=false --key " +
               dir_->Join("s.key") + " oci:" + dir_->Join("layout") + " 2>&1");
  EXPECT_EQ(local.code, 1);
  EXPECT_EQ(local.out,
            "strata: error: sign needs a registry image (docker://NAME or "
            "NAME), not oci:" +
                dir_->Join("layout") + "\n");
  ShellOutcome neither = RunShell(Strata() + " verify " + ref + " 2>&1");
  EXPECT_EQ(neither.code, 1) << neither.out;
  ShellOutcome both =
      RunShell(Strata() + " verify --key " + dir_->Join("s.pub") +
               " --certificate-identity a@b.c " + ref + " 2>&1");
  EXPECT_EQ(both.code, 1);
  EXPECT_EQ(both.out,
            "strata: error: verify with --key, or keyless with "
            "--certificate-identity[-regexp], "
            "--certificate-oidc-issuer[-regexp] and --trusted-root (not "
            "both)\n");
  const std::string keyless =
      Strata() +
      " verify --certificate-identity a@b.c "
      "--certificate-oidc-issuer https://issuer.example ";
  ShellOutcome no_root = RunShell(keyless + ref + " 2>&1");
  EXPECT_EQ(no_root.code, 1);
  EXPECT_EQ(no_root.out,
            "strata: error: keyless verification needs --trusted-root (no "
            "trust material is fetched)\n");
  // Keyless over a key-signed image: a check failure, not an error.
  const fs::path prod = SharedDir() /
                        "conformance/sigstore/trusted-roots/"
                        "prod_trusted_root_from_sigstore_tuf_"
                        "seeds.json";
  if (fs::exists(prod)) {
    ShellOutcome no_cert = RunShell(keyless + "--trusted-root " +
                                    prod.string() + " " + ref + " 2>&1");
    EXPECT_EQ(no_cert.code, 2);
    EXPECT_EQ(no_cert.out,
              "strata: signature 1: no certificate (not a keyless "
              "signature)\nstrata: error: no valid signature for " +
                  ref + "\n");
  }
}

// --- skopeo interop ----------------------------------------------------------

std::string Skopeo() {
  if (const char* s = std::getenv("STRATA_SKOPEO"); s && *s) return s;
  const char* cache = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  fs::path base = cache && *cache ? fs::path(cache)
                                  : fs::path(home ? home : "/") / ".cache";
  return (base / "strata-lab/skopeo-trixie/bin/skopeo-sigstore").string();
}

class SkopeoInteropTest : public SignRegistryTest {
 protected:
  void SetUp() override {
    if (!fs::exists(Skopeo())) {
      GTEST_SKIP() << "no sigstore-enabled skopeo at " << Skopeo()
                   << " (bash ../shared/lab/setup-skopeo.sh installs it)";
    }
    SignRegistryTest::SetUp();
  }

  // registries.d with use-sigstore-attachments for the test registry, and
  // an accept-anything policy.
  std::string SkopeoArgs(const std::string& policy) {
    fs::create_directories(dir_->Join("registries.d"));
    WriteFile(dir_->Join("registries.d/strata.yaml"),
              "docker:\n  " + server_->host() +
                  ":\n    use-sigstore-attachments: true\n");
    return Skopeo() + " --registries.d " + dir_->Join("registries.d") +
           " --policy " + policy;
  }
  std::string InsecurePolicy() {
    WriteFile(dir_->Join("insecure.json"),
              "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}");
    return dir_->Join("insecure.json");
  }
  std::string SigstorePolicy(const std::string& repo, const std::string& pub) {
    const std::string path =
        dir_->Join("policy-" + repo.substr(repo.rfind('/') + 1) + ".json");
    WriteFile(path,
              "{\"default\":[{\"type\":\"reject\"}],\"transports\":{"
              "\"docker\":{\"" +
                  server_->host() + "/" + repo +
                  "\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\"" + pub +
                  "\",\"signedIdentity\":{\"type\":"
                  "\"matchRepository\"}}]}}}");
    return path;
  }
};

TEST_F(SkopeoInteropTest, StrataVerifiesWhatSkopeoSigned) {
  ASSERT_TRUE(PushTinyImage(*client_, "src/app", "v1", "s").ok());
  WriteFile(dir_->Join("pass"), "skopeo-pass");
  ShellOutcome gen = RunShell(
      Skopeo() + " generate-sigstore-key --output-prefix " + dir_->Join("k") +
      " --passphrase-file " + dir_->Join("pass") + " 2>&1");
  ASSERT_EQ(gen.code, 0) << gen.out;
  const std::string host = server_->host();
  ShellOutcome copy =
      RunShell(SkopeoArgs(InsecurePolicy()) +
               " copy -q --src-tls-verify=false --dest-tls-verify=false "
               "--sign-by-sigstore-private-key " +
               dir_->Join("k.private") + " --sign-passphrase-file " +
               dir_->Join("pass") + " docker://" + host +
               "/src/app:v1 docker://" + host + "/signed/app:v1 2>&1");
  ASSERT_EQ(copy.code, 0) << copy.out;

  Result<RemoteSignatures> sigs =
      FetchSignatures(*client_, Ref("signed/app:v1"));
  ASSERT_TRUE(sigs.ok()) << sigs.status().ToString();
  ASSERT_EQ(sigs->layers.size(), 1u);
  Result<crypto::PublicKey> pub =
      crypto::PublicKey::FromPem(ReadFile(dir_->Join("k.pub")));
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  EXPECT_TRUE(
      VerifyWithKeys(sigs->image, sigs->layers, {&*pub, 1}, false).accepted);

  ShellOutcome ok = RunShell(Strata() + " verify --key " + dir_->Join("k.pub") +
                             " " + host + "/signed/app:v1");
  EXPECT_EQ(ok.code, 0) << ok.out;
  EXPECT_EQ(ok.out, "[" + sigs->layers[0].payload + "]\n");
  ASSERT_NO_FATAL_FAILURE(GenerateStrataKey("other"));
  ShellOutcome bad =
      RunShell(Strata() + " verify --key " + dir_->Join("other.pub") + " " +
               host + "/signed/app:v1 2>&1");
  EXPECT_EQ(bad.code, 2) << bad.out;
  EXPECT_EQ(bad.out,
            "strata: signature 1: signature does not verify with the key\n"
            "strata: error: no valid signature for " +
                host + "/signed/app:v1\n");
}

TEST_F(SkopeoInteropTest, SkopeoPolicyAcceptsWhatStrataSigned) {
  ASSERT_TRUE(PushTinyImage(*client_, "team/app", "v1", "p").ok());
  Result<oci::Descriptor> forged =
      PushTinyImage(*client_, "team/forged", "v1", "f");
  ASSERT_TRUE(forged.ok());
  ASSERT_NO_FATAL_FAILURE(GenerateStrataKey("s"));
  const std::string host = server_->host();
  ShellOutcome sign = RunShell(
      "STRATA_PASSWORD=pw " + Strata() + " sign --tlog-upload=false --key " +
      dir_->Join("s.key") + " " + host + "/team/app:v1 </dev/null 2>&1");
  ASSERT_EQ(sign.code, 0) << sign.out;

  const std::string pub = dir_->Join("s.pub");
  ShellOutcome pull =
      RunShell(SkopeoArgs(SigstorePolicy("team/app", pub)) +
               " copy -q --src-tls-verify=false docker://" + host +
               "/team/app:v1 dir:" + dir_->Join("out-app") + " 2>&1");
  EXPECT_EQ(pull.code, 0) << pull.out;

  // team/forged carries a valid signature by the same key, made for
  // team/app: the policy's matchRepository refuses it.
  Result<crypto::PrivateKey> key =
      LoadPrivateKeyFile(dir_->Join("s.key"), "pw");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  cosign::SignatureLayer layer;
  layer.payload = cosign::MakePayload(host + "/team/app", forged->digest);
  layer.signature =
      Base64Encode(*key->Sign(layer.payload, crypto::Hash::kSha256));
  ASSERT_TRUE(
      cosign::PushSignature(*client_, "team/forged", forged->digest, layer)
          .ok());
  ShellOutcome refused =
      RunShell(SkopeoArgs(SigstorePolicy("team/forged", pub)) +
               " copy -q --src-tls-verify=false docker://" + host +
               "/team/forged:v1 dir:" + dir_->Join("out-forged") + " 2>&1");
  EXPECT_NE(refused.code, 0) << refused.out;
  EXPECT_NE(refused.out.find("team/app"), std::string::npos) << refused.out;
  // strata agrees: the signed identity is another repository.
  ShellOutcome strata = RunShell(Strata() + " verify --key " + pub + " " +
                                 host + "/team/forged:v1 2>&1");
  EXPECT_EQ(strata.code, 2) << strata.out;
  EXPECT_EQ(strata.out,
            "strata: signature 1: signed identity \"" + host +
                "/team/app\" is not repository " + host +
                "/team/forged\nstrata: error: no valid signature for " + host +
                "/team/forged:v1\n");
}

// Rekor entries across tools: skopeo signs with a key and logs in the mock
// Rekor (its sigstore params file), strata verifies the entry offline; strata
// signs and logs, skopeo's policy checks the entry with rekorPublicKeyPath.
TEST_F(SkopeoInteropTest, RekorEntriesVerifyAcrossTools) {
  testing::MockSigstore mock;
  if (std::string why = mock.Start(dir_->Join("mock"), "https://i.example");
      !why.empty()) {
    GTEST_SKIP() << why;
  }
  Result<sigstore::TrustedRoot> root =
      sigstore::ParseTrustedRoot(ReadFile(mock["TRUSTED_ROOT"]));
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  ASSERT_EQ(root->tlogs.size(), 1u);
  ASSERT_TRUE(root->tlogs[0].public_key.key.has_value());
  WriteFile(dir_->Join("rekor.pub"), root->tlogs[0].public_key.key->ToPem());
  const std::string host = server_->host();
  for (const char* repo : {"src/app", "logged/app", "quiet/app"}) {
    ASSERT_TRUE(PushTinyImage(*client_, repo, "v1", repo).ok());
  }

  // skopeo signs and logs; strata checks the entry against the root.
  WriteFile(dir_->Join("pass"), "skopeo-pass");
  ShellOutcome gen = RunShell(
      Skopeo() + " generate-sigstore-key --output-prefix " + dir_->Join("k") +
      " --passphrase-file " + dir_->Join("pass") + " 2>&1");
  ASSERT_EQ(gen.code, 0) << gen.out;
  WriteFile(dir_->Join("params.yaml"),
            "privateKeyFile: " + dir_->Join("k.private") +
                "\nprivateKeyPassphraseFile: " + dir_->Join("pass") +
                "\nrekorURL: " + mock["REKOR_URL"] + "\n");
  ShellOutcome copy =
      RunShell(SkopeoArgs(InsecurePolicy()) +
               " copy -q --src-tls-verify=false --dest-tls-verify=false "
               "--sign-by-sigstore " +
               dir_->Join("params.yaml") + " docker://" + host +
               "/src/app:v1 docker://" + host + "/signed/app:v1 2>&1");
  ASSERT_EQ(copy.code, 0) << copy.out;
  const std::string trusted = " --trusted-root " + mock["TRUSTED_ROOT"] + " ";
  ShellOutcome ok = RunShell(Strata() + " verify --key " + dir_->Join("k.pub") +
                             trusted + host + "/signed/app:v1 2>&1");
  EXPECT_EQ(ok.code, 0) << ok.out;
  EXPECT_NE(ok.out.find("Existence of the claims in the transparency log was "
                        "verified offline"),
            std::string::npos)
      << ok.out;

  // strata signs and logs; skopeo's policy requires the entry.
  ASSERT_NO_FATAL_FAILURE(GenerateStrataKey("s"));
  ShellOutcome sign =
      RunShell("STRATA_PASSWORD=pw " + Strata() + " sign --key " +
               dir_->Join("s.key") + " --rekor-url " + mock["REKOR_URL"] +
               trusted + host + "/logged/app:v1 </dev/null 2>&1");
  ASSERT_EQ(sign.code, 0) << sign.out;
  sign = RunShell("STRATA_PASSWORD=pw " + Strata() +
                  " sign --tlog-upload=false --key " + dir_->Join("s.key") +
                  " " + host + "/quiet/app:v1 </dev/null 2>&1");
  ASSERT_EQ(sign.code, 0) << sign.out;
  for (const std::string repo : {"logged/app", "quiet/app"}) {
    const std::string policy =
        dir_->Join("rekor-" + repo.substr(0, 5) + ".json");
    WriteFile(policy,
              "{\"default\":[{\"type\":\"reject\"}],\"transports\":{"
              "\"docker\":{\"" +
                  host + "/" + repo +
                  "\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\"" +
                  dir_->Join("s.pub") + "\",\"rekorPublicKeyPath\":\"" +
                  dir_->Join("rekor.pub") +
                  "\",\"signedIdentity\":{\"type\":\"matchRepository\"}}]}}}");
    ShellOutcome pull = RunShell(
        SkopeoArgs(policy) + " copy -q --src-tls-verify=false docker://" +
        host + "/" + repo +
        ":v1 dir:" + dir_->Join("out-" + repo.substr(0, 5)) + " 2>&1");
    if (repo == "logged/app") {
      EXPECT_EQ(pull.code, 0) << pull.out;
    } else {
      EXPECT_NE(pull.code, 0) << pull.out;
      EXPECT_NE(pull.out.find("missing dev.sigstore.cosign/bundle annotation"),
                std::string::npos)
          << pull.out;
    }
  }
  // skopeo does check the entry: with another key as Rekor's, it refuses.
  const std::string wrong = dir_->Join("wrong-rekor.json");
  WriteFile(wrong,
            "{\"default\":[{\"type\":\"reject\"}],\"transports\":{"
            "\"docker\":{\"" +
                host +
                "/logged/app\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\"" +
                dir_->Join("s.pub") + "\",\"rekorPublicKeyPath\":\"" +
                dir_->Join("s.pub") +
                "\",\"signedIdentity\":{\"type\":\"matchRepository\"}}]}}}");
  ShellOutcome refused = RunShell(
      SkopeoArgs(wrong) + " copy -q --src-tls-verify=false docker://" + host +
      "/logged/app:v1 dir:" + dir_->Join("out-wrong") + " 2>&1");
  EXPECT_NE(refused.code, 0) << refused.out;
}

}  // namespace
}  // namespace strata::cli
