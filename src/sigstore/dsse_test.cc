#include "sigstore/dsse.h"

#include <gtest/gtest.h>

#include "base/base64.h"

namespace strata::sigstore {
namespace {

TEST(DsseTest, PaeMatchesTheSpecExample) {
  // The example from the DSSE protocol document.
  EXPECT_EQ(Pae("http://example.com/HelloWorld", "hello world"),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  EXPECT_EQ(Pae("", ""), "DSSEv1 0  0 ");
}

TEST(DsseTest, ParsesAndWritesEnvelopes) {
  json::Json j = {{"payload", Base64Encode("{}")},
                  {"payloadType", std::string(kInTotoPayloadType)},
                  {"signatures", {{{"sig", Base64Encode("sig")}}}}};
  Result<DsseEnvelope> e = ParseDsseEnvelope(j);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->payload, "{}");
  ASSERT_EQ(e->signatures.size(), 1u);
  EXPECT_EQ(e->signatures[0].sig, "sig");
  EXPECT_EQ(DsseEnvelopeToJson(*e), j);
  // URL-safe base64 is accepted (protobuf JSON).
  j["payload"] = Base64UrlEncode("\xfb\xff");
  EXPECT_EQ(ParseDsseEnvelope(j)->payload, "\xfb\xff");
}

TEST(DsseTest, RefusesMalformedEnvelopes) {
  const json::Json good = {{"payload", Base64Encode("{}")},
                           {"payloadType", "t"},
                           {"signatures", {{{"sig", Base64Encode("s")}}}}};
  auto message = [](json::Json j) {
    return ParseDsseEnvelope(j).status().ToString();
  };
  json::Json j = good;
  j.erase("payloadType");
  EXPECT_EQ(message(j), "field \"payloadType\" is missing");
  j = good;
  j["payload"] = "%%";
  EXPECT_EQ(message(j), "field \"payload\": bad base64 character");
  j = good;
  j["signatures"] = json::Json::array();
  EXPECT_EQ(message(j), "DSSE envelope has no signatures");
  j = good;
  j["signatures"] = {{{"sig", ""}}};
  EXPECT_EQ(message(j), "DSSE signature is empty");
  j = good;
  j["signatures"] = {7};
  EXPECT_EQ(message(j), "a DSSE signature must be an object");
  EXPECT_EQ(message(json::Json::array()), "DSSE envelope must be an object");
}

TEST(DsseTest, ParsesInTotoStatements) {
  Result<InTotoStatement> s = ParseInTotoStatement(R"({
    "_type": "https://in-toto.io/Statement/v1",
    "subject": [{"name": "img", "digest": {"sha256": "ab12"}}],
    "predicateType": "https://slsa.dev/provenance/v1",
    "predicate": {"x": 1}})");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->predicate_type, "https://slsa.dev/provenance/v1");
  EXPECT_TRUE(HasSubjectDigest(*s, "sha256", "ab12"));
  EXPECT_FALSE(HasSubjectDigest(*s, "sha256", "ab13"));
  EXPECT_FALSE(HasSubjectDigest(*s, "sha512", "ab12"));
  EXPECT_EQ(s->predicate["x"], 1);
  for (const char* bad :
       {R"({"_type": "x", "subject": [], "predicateType": "p"})",
        R"({"_type": "https://in-toto.io/Statement/v1", "subject": [],
            "predicateType": "p"})",
        R"({"_type": "https://in-toto.io/Statement/v1",
            "subject": [{"digest": {"sha256": "AB"}}], "predicateType": "p"})",
        R"({"_type": "https://in-toto.io/Statement/v1",
            "subject": [{"digest": {}}], "predicateType": "p"})",
        R"({"_type": "https://in-toto.io/Statement/v1",
            "subject": [{"digest": {"sha256": "ab"}}]})",
        "[]", "{"}) {
    EXPECT_FALSE(ParseInTotoStatement(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace strata::sigstore
