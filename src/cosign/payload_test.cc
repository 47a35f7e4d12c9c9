#include "cosign/payload.h"

#include <gtest/gtest.h>

#include "cosign/storage.h"
#include "cosign/test_fixtures.h"

namespace strata::cosign {
namespace {

constexpr std::string_view kDigest =
    "sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00";

Digest D() { return *Digest::Parse(kDigest); }

std::string Valid() {
  return MakePayload("192.168.64.2:5000/cosign-signed-single-sample", D());
}

// A payload with `critical` and `optional` spelled out.
std::string Doc(std::string_view critical, std::string_view optional = "null") {
  return "{\"critical\":" + std::string(critical) +
         ",\"optional\":" + std::string(optional) + "}";
}

constexpr std::string_view kCritical =
    "{\"identity\":{\"docker-reference\":\"r.io/a\"},"
    "\"image\":{\"docker-manifest-digest\":\"sha256:"
    "634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00\"},"
    "\"type\":\"cosign container image signature\"}";

std::string ErrorOf(std::string_view bytes) {
  Result<Payload> p = ParsePayload(bytes);
  EXPECT_FALSE(p.ok()) << bytes;
  return p.ok() ? "" : p.status().message();
}

TEST(MakePayloadTest, MatchesCosignBytesOfFixture) {
  REQUIRE_FIXTURES();
  Result<SignatureLayer> layer = ParseSigstoreJson(
      ReadFixture(FixtureDir() / "dir-img-cosign-valid/signature-1"));
  ASSERT_TRUE(layer.ok()) << layer.status().ToString();
  EXPECT_EQ(Valid(), layer->payload);
}

TEST(MakePayloadTest, WritesAnnotationsSortedWithGoEscapes) {
  EXPECT_EQ(MakePayload("r.io/a", D(),
                        std::map<std::string, std::string>{
                            {"z", "<a&b>"}, {"a", "x\"\n\x01\xff\u2028"}}),
            "{\"critical\":{\"identity\":{\"docker-reference\":\"r.io/a\"},"
            "\"image\":{\"docker-manifest-digest\":\"" +
                std::string(kDigest) +
                "\"},\"type\":\"cosign container image signature\"},"
                "\"optional\":{\"a\":\"x\\\"\\n\\u0001\\ufffd\\u2028\","
                "\"z\":\"\\u003ca\\u0026b\\u003e\"}}");
  EXPECT_EQ(MakePayload("r.io/a", D(), std::map<std::string, std::string>{}),
            Doc(kCritical, "{}"));
}

TEST(ParsePayloadTest, RoundTripsMadePayloads) {
  Result<Payload> p = ParsePayload(Valid());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->docker_reference,
            "192.168.64.2:5000/cosign-signed-single-sample");
  EXPECT_EQ(p->manifest_digest, D());
  EXPECT_FALSE(p->optional);

  p = ParsePayload(MakePayload(
      "r.io/a", D(),
      std::map<std::string, std::string>{{"creator", "me"}, {"k", "v"}}));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_TRUE(p->optional);
  EXPECT_EQ((*p->optional)["k"], "v");
  EXPECT_EQ(p->creator, "me");
}

TEST(ParsePayloadTest, AcceptsOptionalAbsentNullOrObject) {
  std::string absent = "{\"critical\":" + std::string(kCritical) + "}";
  ASSERT_TRUE(ParsePayload(absent).ok());
  Result<Payload> p =
      ParsePayload(Doc(kCritical,
                       "{\"creator\":\"c/image\",\"timestamp\":1657296609,"
                       "\"other\":[1]}"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->creator, "c/image");
  EXPECT_EQ(p->timestamp, 1657296609);
}

TEST(ParsePayloadTest, RejectsDuplicateKeysAtAnyLevel) {
  EXPECT_EQ(ErrorOf("{\"critical\":" + std::string(kCritical) +
                    ",\"critical\":" + std::string(kCritical) + "}"),
            "signature payload: duplicate key \"critical\"");
  std::string dup_ref = Doc(
      "{\"identity\":{\"docker-reference\":\"r.io/a\","
      "\"docker-reference\":\"r.io/b\"},\"image\":{\"docker-manifest-digest\":"
      "\"" +
      std::string(kDigest) +
      "\"},\"type\":\"cosign container image signature\"}");
  EXPECT_EQ(ErrorOf(dup_ref),
            "signature payload: duplicate key \"docker-reference\"");
  EXPECT_EQ(ErrorOf(Doc(kCritical, "{\"a\":1,\"a\":2}")),
            "signature payload: duplicate key \"a\"");
  // The same key in two different objects is fine.
  EXPECT_TRUE(ParsePayload(Doc(kCritical, "{\"a\":{\"a\":1}}")).ok());
}

TEST(ParsePayloadTest, RejectsUnknownFieldsInCritical) {
  std::string critical(kCritical);
  critical.insert(1, "\"extra\":true,");
  EXPECT_EQ(ErrorOf(Doc(critical)),
            "signature payload: unknown field \"critical.extra\"");
  std::string identity(kCritical);
  identity.insert(identity.find("\"r.io/a\"") + 8, ",\"x\":\"y\"");
  EXPECT_EQ(ErrorOf(Doc(identity)),
            "signature payload: unknown field \"critical.identity.x\"");
  EXPECT_EQ(ErrorOf("{\"critical\":" + std::string(kCritical) +
                    ",\"optional\":null,\"more\":1}"),
            "signature payload: unknown field \"more\"");
}

TEST(ParsePayloadTest, RejectsWrongCaseOfKeys) {
  std::string s = Valid();
  std::string upper = s;
  upper.replace(upper.find("docker-manifest-digest"), 1, "D");
  EXPECT_EQ(ErrorOf(upper),
            "signature payload: unknown field "
            "\"critical.image.Docker-manifest-digest\"");
  std::string top = s;
  top.replace(top.find("critical"), 1, "C");
  EXPECT_EQ(ErrorOf(top), "signature payload: unknown field \"Critical\"");
}

TEST(ParsePayloadTest, RejectsMissingFields) {
  EXPECT_EQ(ErrorOf("{\"optional\":null}"),
            "signature payload: missing field \"critical\"");
  std::string no_type(kCritical);
  no_type.erase(no_type.find(",\"type\""),
                no_type.size() - 1 - no_type.find(",\"type\""));
  EXPECT_EQ(ErrorOf(Doc(no_type)),
            "signature payload: missing field \"critical.type\"");
  EXPECT_EQ(ErrorOf(Doc("{\"identity\":{},\"image\":{\"docker-manifest-"
                        "digest\":\"" +
                        std::string(kDigest) +
                        "\"},\"type\":\"cosign container image signature\"}")),
            "signature payload: missing field "
            "\"critical.identity.docker-reference\"");
}

TEST(ParsePayloadTest, RejectsWrongTypes) {
  std::string s(kCritical);
  std::string num_ref = s;
  num_ref.replace(num_ref.find("\"r.io/a\""), 8, "7");
  EXPECT_EQ(ErrorOf(Doc(num_ref)),
            "signature payload: field "
            "\"critical.identity.docker-reference\" must be a string");
  std::string type_num = s;
  type_num.replace(type_num.find("\"cosign container image signature\""), 34,
                   "[1]");
  EXPECT_EQ(ErrorOf(Doc(type_num)),
            "signature payload: field \"critical.type\" must be a string");
  EXPECT_EQ(ErrorOf(Doc("[]")),
            "signature payload: field \"critical\" must be an object");
  EXPECT_EQ(ErrorOf(Doc(kCritical, "[]")),
            "signature payload: field \"optional\" must be an object or null");
  EXPECT_EQ(ErrorOf(Doc(kCritical, "{\"creator\":1}")),
            "signature payload: field \"optional.creator\" must be a string");
  EXPECT_EQ(ErrorOf(Doc(kCritical, "{\"timestamp\":1.5}")),
            "signature payload: field \"optional.timestamp\" must be an "
            "integer");
  EXPECT_EQ(ErrorOf("[]"), "signature payload: must be a JSON object");
}

TEST(ParsePayloadTest, RejectsOtherTypesAndBadDigests) {
  std::string atomic(kCritical);
  atomic.replace(atomic.find("cosign container image signature"), 32,
                 "atomic container signature");
  EXPECT_EQ(ErrorOf(Doc(atomic)),
            "signature payload: critical.type is \"atomic container "
            "signature\", not \"cosign container image signature\"");
  std::string upper(kCritical);
  upper.replace(upper.find("634a"), 4, "634A");
  Result<Payload> p = ParsePayload(Doc(upper));
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(p.status().message().starts_with(
      "signature payload: critical.image.docker-manifest-digest: "))
      << p.status().message();
}

TEST(ParsePayloadTest, CapsSizeAndRejectsCorruptJson) {
  std::string big = Doc(
      kCritical, "{\"pad\":\"" + std::string(kMaxPayloadBytes, 'x') + "\"}");
  Result<Payload> p = ParsePayload(big);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(p.status().message(), "signature payload is " +
                                      std::to_string(big.size()) +
                                      " bytes, over the cap of 65536");
  std::string s = Valid();
  for (size_t cut : {size_t{0}, size_t{1}, s.size() / 2, s.size() - 1}) {
    Result<Payload> t = ParsePayload(s.substr(0, cut));
    EXPECT_FALSE(t.ok()) << cut;
  }
  // Every single-byte flip is refused or parses to a different payload.
  for (size_t i = 0; i < s.size(); ++i) {
    std::string flipped = s;
    flipped[i] ^= 0x20;
    Result<Payload> t = ParsePayload(flipped);
    if (t.ok()) {
      EXPECT_TRUE(t->docker_reference !=
                      "192.168.64.2:5000/cosign-signed-single-sample" ||
                  t->manifest_digest != D())
          << i;
    }
  }
}

}  // namespace
}  // namespace strata::cosign
