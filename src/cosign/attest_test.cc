#include "cosign/attest.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/base64.h"
#include "base/json.h"
#include "pki/certificate.h"
#include "registry/client.h"
#include "registry/testing/plain_registry.h"

namespace strata::cosign {
namespace {

constexpr char kRepo[] = "attest/app";
constexpr char kTime[] = "2025-02-28T19:18:11Z";

Digest D(std::string_view s) { return *Digest::Parse(s); }

const Digest kImage = D(
    "sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4");
const Digest kOther = D(
    "sha256:1111111111111111111111111111111111111111111111111111111111111111");

crypto::PrivateKey NewKey() {
  Result<crypto::PrivateKey> k = crypto::PrivateKey::GenerateEcdsaP256();
  EXPECT_TRUE(k.ok());
  return *std::move(k);
}

std::string Statement(std::string_view type, std::string_view predicate,
                      const Digest& image = kImage) {
  Result<std::string> s =
      MakeStatement(type, predicate, "127.0.0.1:5000/app", image, kTime);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : "";
}

std::string Sign(const crypto::PrivateKey& key, std::string_view statement) {
  Result<std::string> e = SignStatement(key, statement);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return e.ok() ? *e : "";
}

// An envelope over `payload` of `payload_type` with one signature per key.
std::string Envelope(std::string_view payload_type, std::string_view payload,
                     const std::vector<const crypto::PrivateKey*>& keys) {
  sigstore::DsseEnvelope e{std::string(payload_type), std::string(payload), {}};
  for (const crypto::PrivateKey* k : keys) {
    Result<std::string> sig =
        k->Sign(sigstore::Pae(payload_type, payload), crypto::Hash::kSha256);
    EXPECT_TRUE(sig.ok());
    e.signatures.push_back({*sig, ""});
  }
  return json::Dump(sigstore::DsseEnvelopeToJson(e));
}

AttachmentLayer Layer(std::string envelope, std::string_view predicate_type =
                                                kCosignCustomPredicateType) {
  return {AttestationDescriptor(envelope, predicate_type), std::move(envelope)};
}

AttestationVerdict Verify(const std::vector<AttachmentLayer>& layers,
                          const crypto::PrivateKey& key,
                          std::string_view type = kCosignCustomPredicateType,
                          const Digest& image = kImage) {
  crypto::PublicKey pub = *key.Public();
  return VerifyAttestations(image, layers, {&pub, 1}, type);
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// --- Predicate types and statements ----------------------------------------

TEST(PredicateTypeUriTest, MapsCosignNamesAndKeepsUris) {
  EXPECT_EQ(*PredicateTypeUri("custom"),
            "https://cosign.sigstore.dev/attestation/v1");
  EXPECT_EQ(*PredicateTypeUri("slsaprovenance"),
            "https://slsa.dev/provenance/v0.2");
  EXPECT_EQ(*PredicateTypeUri("slsaprovenance02"),
            "https://slsa.dev/provenance/v0.2");
  EXPECT_EQ(*PredicateTypeUri("slsaprovenance1"),
            "https://slsa.dev/provenance/v1");
  EXPECT_EQ(*PredicateTypeUri("spdx"), "https://spdx.dev/Document");
  EXPECT_EQ(*PredicateTypeUri("spdxjson"), "https://spdx.dev/Document");
  EXPECT_EQ(*PredicateTypeUri("cyclonedx"), "https://cyclonedx.org/bom");
  EXPECT_EQ(*PredicateTypeUri("link"), "https://in-toto.io/Link/v1");
  EXPECT_EQ(*PredicateTypeUri("vuln"),
            "https://cosign.sigstore.dev/attestation/vuln/v1");
  EXPECT_EQ(*PredicateTypeUri("openvex"), "https://openvex.dev/ns");
  EXPECT_EQ(*PredicateTypeUri("https://example.com/my/type/v1"),
            "https://example.com/my/type/v1");
  EXPECT_EQ(*PredicateTypeUri("urn:example:x"), "urn:example:x");
}

TEST(PredicateTypeUriTest, RejectsWhatIsNotAUri) {
  for (std::string_view bad :
       {"", "cyclone", "1http://x", "https:", "https://a b", ":x"}) {
    EXPECT_EQ(PredicateTypeUri(bad).status(),
              InvalidArgumentError("invalid predicate type \"" +
                                   std::string(bad) + "\""))
        << bad;
  }
}

TEST(MakeStatementTest, CustomWrapsDataAsCosignDoes) {
  EXPECT_EQ(
      Statement("custom", "foo\n<&>"),
      "{\"_type\":\"https://in-toto.io/Statement/v1\",\"predicateType\":"
      "\"https://cosign.sigstore.dev/attestation/v1\",\"subject\":[{\"name\":"
      "\"127.0.0.1:5000/app\",\"digest\":{\"sha256\":\"" +
          kImage.hex() +
          "\"}}],\"predicate\":{\"Data\":\"foo\\n\\u003c\\u0026\\u003e\","
          "\"Timestamp\":\"2025-02-28T19:18:11Z\"}}");
}

TEST(MakeStatementTest, EmbedsJsonPredicatesAndSpdxText) {
  EXPECT_EQ(Statement("https://example.com/t", "{\"b\": [1, 2], \"a\": \"x\"}"),
            "{\"_type\":\"https://in-toto.io/Statement/v1\",\"predicateType\":"
            "\"https://example.com/t\",\"subject\":[{\"name\":\"127.0.0.1:5000/"
            "app\",\"digest\":{\"sha256\":\"" +
                kImage.hex() +
                "\"}}],\"predicate\":{\"a\":\"x\",\"b\":[1,2]}}");
  std::string spdx = Statement("spdx", "SPDXVersion: SPDX-2.3\n");
  EXPECT_TRUE(spdx.ends_with(",\"predicate\":\"SPDXVersion: SPDX-2.3\\n\"}"))
      << spdx;
  Result<sigstore::InTotoStatement> st =
      sigstore::ParseInTotoStatement(Statement("cyclonedx",
                                               "{\"bomFormat\":"
                                               "\"CycloneDX\"}"));
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->predicate_type, "https://cyclonedx.org/bom");
  EXPECT_EQ(st->predicate["bomFormat"], "CycloneDX");
}

TEST(MakeStatementTest, RejectsBadPredicates) {
  EXPECT_EQ(MakeStatement("spdxjson", "SPDXVersion: x", "r", kImage, kTime)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      MakeStatement("vuln", "[1]", "r", kImage, kTime).status(),
      InvalidArgumentError("invalid JSON payload for predicate type "
                           "https://cosign.sigstore.dev/attestation/vuln/v1: "
                           "predicate must be a JSON object"));
  EXPECT_EQ(MakeStatement("nope", "{}", "r", kImage, kTime).status(),
            InvalidArgumentError("invalid predicate type \"nope\""));
  std::string big(kMaxPredicateBytes + 1, ' ');
  EXPECT_EQ(MakeStatement("custom", big, "r", kImage, kTime).status(),
            ResourceExhaustedError("predicate is 8388609 bytes, over the cap "
                                   "of 8388608"));
  std::string deep(200, '[');
  EXPECT_EQ(MakeStatement("openvex", "{\"a\":" + deep, "r", kImage, kTime)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  Digest sha512 =
      Digest::FromRaw(DigestAlgorithm::kSha512, std::vector<uint8_t>(64, 0xab));
  EXPECT_EQ(MakeStatement("custom", "x", "r", sha512, kTime).status(),
            InvalidArgumentError("attestation subject " + sha512.Short() +
                                 " must be a sha256 digest"));
}

TEST(SignStatementTest, WritesCosignsEnvelopeShape) {
  crypto::PrivateKey key = NewKey();
  std::string statement = Statement("custom", "x");
  std::string env = Sign(key, statement);
  EXPECT_TRUE(env.starts_with(
      "{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"" +
      Base64Encode(statement) +
      "\",\"signatures\":[{\"keyid\":\"\",\"sig\":\""))
      << env;
  oci::Descriptor d = AttestationDescriptor(env, kCosignCustomPredicateType);
  EXPECT_EQ(d.media_type, "application/vnd.dsse.envelope.v1+json");
  EXPECT_EQ(d.digest, Sha256Of(env));
  EXPECT_EQ(d.size, static_cast<int64_t>(env.size()));
  EXPECT_EQ(
      d.annotations,
      (std::map<std::string, std::string>{
          {"dev.cosignproject.cosign/signature", ""},
          {"predicateType", "https://cosign.sigstore.dev/attestation/v1"}}));
}

// --- Verification
// -------------------------------------------------------------

TEST(VerifyAttestationsTest, AcceptsOwnAttestation) {
  crypto::PrivateKey key = NewKey();
  std::string env = Sign(key, Statement("custom", "hello"));
  AttestationVerdict v = Verify({Layer(env)}, key);
  ASSERT_TRUE(v.accepted()) << v.ToStatus().ToString();
  ASSERT_EQ(v.verified.size(), 1u);
  EXPECT_EQ(v.verified[0].envelope, env);
  EXPECT_EQ(v.verified[0].statement.predicate["Data"], "hello");
  EXPECT_TRUE(v.rejections.empty());
  EXPECT_TRUE(v.ToStatus().ok());
}

TEST(VerifyAttestationsTest, RejectsEachWayWithItsReason) {
  crypto::PrivateKey key = NewKey();
  crypto::PrivateKey other_key = NewKey();
  const std::string statement = Statement("custom", "hello");
  std::string tampered = Statement("custom", "hellO");
  // The signature of `statement` over the tampered payload.
  json::Json good = *json::Parse(Sign(key, statement), "e", 1 << 20);
  good["payload"] = Base64Encode(tampered);

  std::vector<AttachmentLayer> layers = {
      Layer(Sign(other_key, statement)),
      Layer(Sign(key, Statement("spdxjson", "{}"))),
      Layer(Sign(key, Statement("custom", "x", kOther))),
      Layer(json::Dump(good)),
      Layer(Envelope("text/plain", statement, {&key})),
      {[] {
         oci::Descriptor d = AttestationDescriptor("x", "t");
         d.media_type = std::string(kSimpleSigningMediaType);
         return d;
       }(),
       Sign(key, statement)},
      Layer("{\"payloadType\":1}"),
      Layer("not json"),
      Layer(Envelope(sigstore::kInTotoPayloadType, "{\"_type\":1}", {&key})),
      Layer(std::string(100, '[') + std::string(100, ']')),
  };
  AttestationVerdict v = Verify(layers, key);
  EXPECT_FALSE(v.accepted());
  const std::string digest = kImage.ToString();
  EXPECT_EQ(
      v.rejections,
      (std::vector<std::string>{
          "attestation 1: no signature verifies with the key",
          "attestation 2: predicate type \"https://spdx.dev/Document\" is not "
          "the wanted \"https://cosign.sigstore.dev/attestation/v1\"",
          "attestation 3: no subject is the image " + digest,
          "attestation 4: no signature verifies with the key",
          "attestation 5: payload type \"text/plain\" is not "
          "application/vnd.in-toto+json",
          "attestation 6: media type "
          "\"application/vnd.dev.cosign.simplesigning.v1+json\" is not "
          "application/vnd.dsse.envelope.v1+json",
          "attestation 7: field \"payloadType\" must be a string",
          "attestation 8: DSSE envelope is not valid JSON: parse error at "
          "line 1, column 2: syntax error while parsing value - invalid "
          "literal; last read: 'no'",
          "attestation 9: field \"_type\" must be a string",
          "attestation 10: DSSE envelope nests deeper than 64 levels",
      }));
  EXPECT_EQ(v.ToStatus().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(v.ToStatus().message().starts_with(
      "no valid attestation: attestation 1: no signature verifies with the "
      "key; attestation 2: "))
      << v.ToStatus().ToString();
}

TEST(VerifyAttestationsTest, OneValidSignatureOfSeveralSuffices) {
  crypto::PrivateKey key = NewKey();
  crypto::PrivateKey other_key = NewKey();
  std::string statement = Statement("custom", "two");
  std::string env =
      Envelope(sigstore::kInTotoPayloadType, statement, {&other_key, &key});
  AttestationVerdict v = Verify({Layer(env)}, key);
  ASSERT_TRUE(v.accepted()) << v.ToStatus().ToString();
  // Any one of several keys verifies.
  crypto::PublicKey keys[] = {*other_key.Public(), *key.Public()};
  EXPECT_TRUE(VerifyAttestations(
                  kImage,
                  std::vector<AttachmentLayer>{Layer(Sign(key, statement))},
                  keys, kCosignCustomPredicateType)
                  .accepted());
  // Neither valid.
  crypto::PrivateKey third = NewKey();
  EXPECT_EQ(Verify({Layer(env)}, third).rejections,
            std::vector<std::string>{
                "attestation 1: no signature verifies with the key"});
}

TEST(VerifyAttestationsTest, CapsAndEmpty) {
  crypto::PrivateKey key = NewKey();
  EXPECT_EQ(Verify({}, key).ToStatus(),
            PermissionDeniedError("no valid attestation: no attestations"));
  std::vector<AttachmentLayer> many(kMaxSignatureLayers + 1,
                                    Layer(Sign(key, Statement("custom", "x"))));
  EXPECT_EQ(Verify(many, key).rejections,
            std::vector<std::string>{"101 attestations, over the cap of 100"});
  AttachmentLayer big = Layer(std::string(kMaxEnvelopeBytes + 1, ' '));
  EXPECT_EQ(Verify({big}, key).rejections,
            std::vector<std::string>{"attestation 1: envelope is 16777217 "
                                     "bytes, over the cap of 16777216"});
}

// --- The real cosign attestation (sigstore bundle v0.3 fixture) -------------

TEST(CosignFixtureTest, ParsesAndVerifiesCosignsAttestation) {
  const std::filesystem::path path =
      std::filesystem::path(STRATA_SOURCE_DIR) /
      "../shared/conformance/sigstore/cosign/pkg/cosign/testdata/"
      "oci-attestation.sigstore.json";
  if (!std::filesystem::exists(path)) {
    GTEST_SKIP() << "cosign fixture absent: " << path;
  }
  Result<json::Json> bundle = json::Parse(ReadFile(path), "bundle", 1 << 20);
  ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
  const json::Json& envelope_json = (*bundle)["dsseEnvelope"];
  Result<sigstore::DsseEnvelope> env =
      sigstore::ParseDsseEnvelope(envelope_json);
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_EQ(env->payload_type, "application/vnd.in-toto+json");
  Result<sigstore::InTotoStatement> st =
      sigstore::ParseInTotoStatement(env->payload);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->type, "https://in-toto.io/Statement/v0.1");
  EXPECT_EQ(st->predicate_type, kCosignCustomPredicateType);
  ASSERT_EQ(st->subjects.size(), 1u);
  EXPECT_EQ(st->subjects[0].name, "127.0.0.1:60943/repo");
  EXPECT_EQ(st->subjects[0].digest.at("sha256"), kImage.hex());
  EXPECT_EQ(st->predicate["Data"], "{\"foo\": \"bar\"}\n");

  // strata writes the same statement bytes for the same input, but for
  // the statement type (v1, where this cosign wrote v0.1).
  Result<std::string> mine = MakeStatement(
      "custom", "{\"foo\": \"bar\"}\n", "127.0.0.1:60943/repo", kImage, kTime);
  ASSERT_TRUE(mine.ok());
  std::string cosigns = env->payload;
  const std::string v01 = "https://in-toto.io/Statement/v0.1";
  ASSERT_EQ(cosigns.find(v01), 10u);
  cosigns.replace(10, v01.size(), kInTotoStatementType);
  EXPECT_EQ(*mine, cosigns);

  // The envelope verifies with the signing certificate's key.
  Result<std::string> der = Base64Decode(std::string(
      (*bundle)["verificationMaterial"]["certificate"]["rawBytes"]));
  ASSERT_TRUE(der.ok());
  Result<pki::Certificate> cert = pki::Certificate::FromDer(*der);
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  Result<crypto::PublicKey> pub = cert->PublicKey();
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  std::vector<AttachmentLayer> layers = {Layer(json::Dump(envelope_json))};
  AttestationVerdict v = VerifyAttestations(kImage, layers, {&*pub, 1},
                                            kCosignCustomPredicateType);
  ASSERT_TRUE(v.accepted()) << v.ToStatus().ToString();
  EXPECT_EQ(
      VerifyAttestations(kOther, layers, {&*pub, 1}, kCosignCustomPredicateType)
          .rejections,
      std::vector<std::string>{"attestation 1: no subject is the image " +
                               kOther.ToString()});
}

// --- Against the real registry ----------------------------------------------

// Pushes a one-layer image tagged `tag` whose layer is `content`.
Result<Digest> PushImage(registry::Client& client, const std::string& tag,
                         const std::string& content) {
  ASSIGN_OR_RETURN(oci::Descriptor d, registry::testing::PushTinyImage(
                                          client, kRepo, tag, content));
  return d.digest;
}

class AttestRegistryTest : public registry::testing::PlainRegistryTest {
 protected:
  std::string Name() const { return server_->host() + "/" + kRepo; }

  // Attests `image` with `key` as `strata attest` does.
  void Attest(const crypto::PrivateKey& key, const Digest& image,
              std::string_view type, std::string_view predicate) {
    Result<std::string> st =
        MakeStatement(type, predicate, Name(), image, kTime);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    std::string env = Sign(key, *st);
    Status pushed =
        PushAttestation(*client_, kRepo, image, env, *PredicateTypeUri(type));
    ASSERT_TRUE(pushed.ok()) << pushed.ToString();
  }

  AttestationVerdict VerifyIn(const Digest& image,
                              const crypto::PrivateKey& key,
                              std::string_view type) {
    Result<std::vector<AttachmentLayer>> layers =
        ReadAttestations(*client_, kRepo, image);
    EXPECT_TRUE(layers.ok()) << layers.status().ToString();
    crypto::PublicKey pub = *key.Public();
    return VerifyAttestations(
        image, layers.ok() ? *layers : std::vector<AttachmentLayer>{},
        {&pub, 1}, *PredicateTypeUri(type));
  }
};

TEST_F(AttestRegistryTest, AttestsTwoTypesAndVerifiesEach) {
  Result<Digest> image = PushImage(*client_, "v1", "layer one");
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  crypto::PrivateKey key = NewKey();

  EXPECT_EQ(VerifyIn(*image, key, "custom").rejections,
            std::vector<std::string>{"no attestations"});

  ASSERT_NO_FATAL_FAILURE(Attest(key, *image, "custom", "built by ci\n"));
  ASSERT_NO_FATAL_FAILURE(
      Attest(key, *image, "slsaprovenance", "{\"builder\":{\"id\":\"ci\"}}"));

  // One .att manifest, two DSSE layers annotated with their types.
  Result<std::vector<AttachmentLayer>> layers =
      ReadAttestations(*client_, kRepo, *image);
  ASSERT_TRUE(layers.ok()) << layers.status().ToString();
  ASSERT_EQ(layers->size(), 2u);
  EXPECT_EQ((*layers)[0].descriptor.annotations.at("predicateType"),
            "https://cosign.sigstore.dev/attestation/v1");
  EXPECT_EQ((*layers)[1].descriptor.annotations.at("predicateType"),
            "https://slsa.dev/provenance/v0.2");
  EXPECT_EQ((*layers)[1].descriptor.media_type, kDsseEnvelopeMediaType);
  Result<registry::FetchedManifest> m = client_->GetManifest(
      kRepo, AttachmentTag(*image, Attachment::kAttestation));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->bytes, BuildSignatureImage(
                          {(*layers)[0].descriptor, (*layers)[1].descriptor})
                          .manifest);
  // Pushing the same envelope again adds nothing.
  ASSERT_TRUE(PushAttestation(*client_, kRepo, *image, (*layers)[0].blob,
                              kCosignCustomPredicateType)
                  .ok());
  EXPECT_EQ(ReadAttestations(*client_, kRepo, *image)->size(), 2u);

  AttestationVerdict custom = VerifyIn(*image, key, "custom");
  ASSERT_EQ(custom.verified.size(), 1u) << custom.ToStatus().ToString();
  EXPECT_EQ(custom.verified[0].statement.predicate["Data"], "built by ci\n");
  EXPECT_EQ(custom.rejections,
            std::vector<std::string>{
                "attestation 2: predicate type "
                "\"https://slsa.dev/provenance/v0.2\" is not the wanted "
                "\"https://cosign.sigstore.dev/attestation/v1\""});
  AttestationVerdict slsa = VerifyIn(*image, key, "slsaprovenance");
  ASSERT_EQ(slsa.verified.size(), 1u) << slsa.ToStatus().ToString();
  EXPECT_EQ(slsa.verified[0].statement.predicate["builder"]["id"], "ci");

  // The wrong key, a type never attested.
  crypto::PrivateKey other_key = NewKey();
  EXPECT_EQ(VerifyIn(*image, other_key, "custom").rejections,
            (std::vector<std::string>{
                "attestation 1: no signature verifies with the key",
                "attestation 2: no signature verifies with the key"}));
  EXPECT_FALSE(VerifyIn(*image, key, "cyclonedx").accepted());
}

TEST_F(AttestRegistryTest, RejectsAttestationsOfOtherImages) {
  Result<Digest> image = PushImage(*client_, "a", "layer a");
  Result<Digest> other = PushImage(*client_, "b", "layer b");
  ASSERT_TRUE(image.ok() && other.ok());
  crypto::PrivateKey key = NewKey();

  // A statement about the other image pushed by hand into this one's .att.
  Result<std::string> st = MakeStatement("custom", "x", Name(), *other, kTime);
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(PushAttestation(*client_, kRepo, *image, Sign(key, *st),
                              kCosignCustomPredicateType)
                  .ok());
  EXPECT_EQ(VerifyIn(*image, key, "custom").rejections,
            std::vector<std::string>{"attestation 1: no subject is the image " +
                                     image->ToString()});

  // The other image's genuine .att layers copied over.
  ASSERT_NO_FATAL_FAILURE(Attest(key, *other, "custom", "for b"));
  ASSERT_TRUE(VerifyIn(*other, key, "custom").accepted());
  Result<std::vector<AttachmentLayer>> copied =
      ReadAttestations(*client_, kRepo, *other);
  ASSERT_TRUE(copied.ok());
  for (const AttachmentLayer& l : *copied) {
    ASSERT_TRUE(PushAttachment(*client_, kRepo, *image,
                               Attachment::kAttestation, l.descriptor, l.blob)
                    .ok());
  }
  AttestationVerdict v = VerifyIn(*image, key, "custom");
  EXPECT_FALSE(v.accepted());
  EXPECT_EQ(v.rejections.size(), 2u);
  EXPECT_EQ(v.rejections[1],
            "attestation 2: no subject is the image " + image->ToString());
}

TEST_F(AttestRegistryTest, TamperedAndDoublySignedEnvelopes) {
  Result<Digest> image = PushImage(*client_, "t", "layer t");
  ASSERT_TRUE(image.ok());
  crypto::PrivateKey key = NewKey();
  crypto::PrivateKey other_key = NewKey();
  Result<std::string> st = MakeStatement("custom", "ok", Name(), *image, kTime);
  ASSERT_TRUE(st.ok());

  // Payload changed after signing.
  json::Json tampered = *json::Parse(Sign(key, *st), "e", 1 << 20);
  std::string changed = *st;
  changed.replace(changed.find("\"ok\""), 4, "\"no\"");
  tampered["payload"] = Base64Encode(changed);
  ASSERT_TRUE(PushAttestation(*client_, kRepo, *image, json::Dump(tampered),
                              kCosignCustomPredicateType)
                  .ok());
  EXPECT_EQ(VerifyIn(*image, key, "custom").rejections,
            std::vector<std::string>{
                "attestation 1: no signature verifies with the key"});

  // Two signatures, the second one valid.
  ASSERT_TRUE(PushAttestation(*client_, kRepo, *image,
                              Envelope(sigstore::kInTotoPayloadType, *st,
                                       {&other_key, &key}),
                              kCosignCustomPredicateType)
                  .ok());
  AttestationVerdict v = VerifyIn(*image, key, "custom");
  ASSERT_EQ(v.verified.size(), 1u) << v.ToStatus().ToString();
  EXPECT_EQ(v.verified[0].statement.predicate["Data"], "ok");
}

}  // namespace
}  // namespace strata::cosign
