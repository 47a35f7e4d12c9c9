// The Fulcio, Rekor and TSA clients against a scripted transport: the
// requests they send, and malformed, oversized and hostile answers.
#include "sigstore/services.h"

#include <gtest/gtest.h>
#include <openssl/ts.h>

#include "base/base64.h"
#include "pki/test_util.h"
#include "registry/test_fake_http.h"

namespace strata::sigstore {
namespace {

using json::Json;
using registry::testing::FakeHttp;
using registry::testing::Reply;

std::string Jwt(const Json& claims) {
  return Base64UrlEncode(R"({"alg":"none"})") + "." +
         Base64UrlEncode(json::Dump(claims)) + ".";
}

TEST(TokenSubjectTest, PrefersEmailThenSub) {
  EXPECT_EQ(*TokenSubject(Jwt({{"sub", "s"}, {"email", "e@x"}})), "e@x");
  EXPECT_EQ(*TokenSubject(Jwt({{"sub", "s"}})), "s");
}

TEST(TokenSubjectTest, RefusesMalformedTokens) {
  EXPECT_EQ(TokenSubject("abc").status().message(),
            "identity token is not a JWT (header.payload.signature)");
  EXPECT_EQ(TokenSubject("a.!!.b").status().message(),
            "identity token payload is not base64url");
  EXPECT_EQ(
      TokenSubject("a." + Base64UrlEncode("[1]") + ".").status().message(),
      "identity token payload is not a JSON object");
  EXPECT_EQ(TokenSubject(Jwt({{"email", 7}})).status().message(),
            "identity token claim \"email\" must be a string");
  EXPECT_EQ(TokenSubject(Jwt({{"sub", 7}, {"email", ""}})).status().message(),
            "identity token claim \"sub\" must be a string");
  EXPECT_EQ(TokenSubject(Jwt({{"iss", "x"}})).status().message(),
            "identity token has neither an \"email\" nor a \"sub\" claim");
  EXPECT_EQ(TokenSubject(std::string(kMaxIdentityTokenBytes + 1, 'a'))
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

std::string FulcioReply(const std::vector<std::string>& pems,
                        const char* kind = "signedCertificateEmbeddedSct") {
  return json::Dump({{kind, {{"chain", {{"certificates", pems}}}}}});
}

TEST(FulcioTest, SendsProofOfPossessionAndReturnsTheChain) {
  using pki::testing::MakeCert;
  auto ca = MakeCert("ca", nullptr, 0, 4102444800, pki::testing::CaExts());
  auto leaf = MakeCert("leaf", &ca, 0, 4102444800, pki::testing::LeafExts());
  FakeHttp http;
  http.Expect("POST", "http://127.0.0.1:1/api/v2/signingCert",
              Reply(201, FulcioReply({leaf.cert.ToPem(), ca.cert.ToPem()})));
  const std::string token = Jwt({{"sub", "who"}, {"email", "me@x"}});
  auto chain =
      RequestSigningCertificate(http, "http://127.0.0.1:1/", token, leaf.key);
  ASSERT_TRUE(chain.ok()) << chain.status().ToString();
  ASSERT_EQ(chain->size(), 2u);
  EXPECT_EQ((*chain)[0], leaf.cert.ToDer());
  auto req = json::Parse(http.seen()[0].body, "req", 1 << 20);
  ASSERT_TRUE(req.ok());
  EXPECT_EQ((*req)["credentials"]["oidcIdentityToken"], token);
  const Json& pk = (*req)["publicKeyRequest"];
  EXPECT_EQ(pk["publicKey"]["algorithm"], "ECDSA");
  auto pub =
      crypto::PublicKey::FromPem(pk["publicKey"]["content"].get<std::string>());
  ASSERT_TRUE(pub.ok());
  auto proof = Base64Decode(pk["proofOfPossession"].get<std::string>());
  ASSERT_TRUE(proof.ok());
  EXPECT_TRUE(pub->Verify("me@x", *proof, crypto::Hash::kSha256).ok());
  EXPECT_FALSE(pub->Verify("who", *proof, crypto::Hash::kSha256).ok());
  EXPECT_EQ(http.seen()[0].Header("Content-Type"), "application/json");
}

TEST(FulcioTest, RefusesACertificateForAnotherKey) {
  using pki::testing::MakeCert;
  auto leaf =
      MakeCert("leaf", nullptr, 0, 4102444800, pki::testing::LeafExts());
  auto other = crypto::PrivateKey::GenerateEcdsaP256();
  ASSERT_TRUE(other.ok());
  FakeHttp http;
  http.Expect("POST", "http://f/api/v2/signingCert",
              Reply(201, FulcioReply({leaf.cert.ToPem()},
                                     "signedCertificateDetachedSct")));
  EXPECT_EQ(
      RequestSigningCertificate(http, "http://f", Jwt({{"sub", "s"}}), *other)
          .status()
          .message(),
      "fulcio issued a certificate for a different public key");
}

TEST(FulcioTest, ErrorsNameTheServiceAndStatus) {
  auto key = crypto::PrivateKey::GenerateEcdsaP256();
  ASSERT_TRUE(key.ok());
  FakeHttp http;
  http.Expect("POST", "http://f/api/v2/signingCert",
              Reply(400, "bad token\x01\nsecond line"));
  http.Expect("POST", "http://f/api/v2/signingCert", Reply(503, ""));
  Status s =
      RequestSigningCertificate(http, "http://f", Jwt({{"sub", "s"}}), *key)
          .status();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "fulcio: HTTP 400: bad token?");
  s = RequestSigningCertificate(http, "http://f", Jwt({{"sub", "s"}}), *key)
          .status();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "fulcio: HTTP 503");
}

TEST(FulcioTest, OversizedAnswerIsRefused) {
  auto key = crypto::PrivateKey::GenerateEcdsaP256();
  ASSERT_TRUE(key.ok());
  FakeHttp http;
  http.Expect("POST", "http://f/api/v2/signingCert",
              Reply(201, std::string(kMaxFulcioResponseBytes + 1, ' ')));
  Status s =
      RequestSigningCertificate(http, "http://f", Jwt({{"sub", "s"}}), *key)
          .status();
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(s.context(), "fulcio");
}

TEST(FulcioTest, ParsesResponsesStrictly) {
  EXPECT_EQ(ParseSigningCertResponse("[]").status().message(),
            "fulcio response is not a JSON object");
  EXPECT_EQ(ParseSigningCertResponse("{}").status().message(),
            "fulcio response has no signedCertificateEmbeddedSct or "
            "signedCertificateDetachedSct");
  EXPECT_EQ(ParseSigningCertResponse(
                R"({"signedCertificateEmbeddedSct":{"chain":{}}})")
                .status()
                .message(),
            "fulcio response chain has no certificates");
  EXPECT_EQ(
      ParseSigningCertResponse(
          R"({"signedCertificateEmbeddedSct":{"chain":{"certificates":[1]}}})")
          .status()
          .code(),
      StatusCode::kDataLoss);
  Status s = ParseSigningCertResponse(FulcioReply({"not pem"})).status();
  EXPECT_EQ(s.context(), "fulcio response certificate 0");
  EXPECT_EQ(
      ParseSigningCertResponse(FulcioReply(std::vector<std::string>(11, "x")))
          .status()
          .message(),
      "fulcio response chain has more than 10 certificates");
  EXPECT_EQ(ParseSigningCertResponse("{").status().code(),
            StatusCode::kDataLoss);
}

// A well-formed Rekor v1 answer for `body`.
Json RekorEntry(const std::string& body) {
  const std::string leaf = LeafHash(body);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string root_hex;
  for (unsigned char c : leaf) {
    root_hex += kHex[c >> 4];
    root_hex += kHex[c & 15];
  }
  return {{"body", Base64Encode(body)},
          {"integratedTime", 1700000000},
          {"logID", std::string(64, 'a')},
          {"logIndex", 42},
          {"verification",
           {{"inclusionProof",
             {{"checkpoint", "cp\n"},
              {"hashes", Json::array()},
              {"logIndex", 0},
              {"rootHash", root_hex},
              {"treeSize", 1}}},
            {"signedEntryTimestamp", Base64Encode("set")}}}};
}

std::string Wrap(const Json& entry) {
  return json::Dump(Json{{"24296fb24b8ad77a", entry}});
}

const std::string kBody =
    R"({"apiVersion":"0.0.1","kind":"hashedrekord","spec":{}})";

TEST(RekorTest, ParsesAnEntry) {
  auto e = ParseRekorResponse(Wrap(RekorEntry(kBody)));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->kind, "hashedrekord");
  EXPECT_EQ(e->version, "0.0.1");
  EXPECT_EQ(e->log_index, 42);
  EXPECT_EQ(e->integrated_time, 1700000000);
  EXPECT_EQ(e->log_id, std::string(32, '\xaa'));
  EXPECT_EQ(e->canonicalized_body, kBody);
  EXPECT_EQ(*e->signed_entry_timestamp, "set");
  ASSERT_TRUE(e->inclusion_proof);
  EXPECT_EQ(e->inclusion_proof->tree_size, 1);
  EXPECT_EQ(e->inclusion_proof->checkpoint, "cp\n");
  EXPECT_TRUE(VerifyInclusionProof(*e).ok());
}

TEST(RekorTest, RefusesMalformedEntries) {
  struct Case {
    std::function<void(Json&)> corrupt;
    std::string message;
  };
  const Case cases[] = {
      {[](Json& e) { e.erase("body"); }, "body is missing"},
      {[](Json& e) { e["body"] = Base64Encode("[]"); },
       "rekor entry body is not a JSON object"},
      {[](Json& e) { e["body"] = Base64Encode(R"({"kind":"x"})"); },
       "body.apiVersion is missing"},
      {[](Json& e) { e["logIndex"] = -1; },
       "logIndex must be a non-negative integer"},
      {[](Json& e) { e["integratedTime"] = "1"; },
       "integratedTime must be a non-negative integer"},
      {[](Json& e) { e["logID"] = "zz"; }, "logID is not hex"},
      {[](Json& e) { e["logID"] = "abcd"; }, "logID must be 32 bytes"},
      {[](Json& e) { e["verification"] = 1; },
       "verification must be an object"},
      {[](Json& e) { e["verification"].erase("inclusionProof"); },
       "verification.inclusionProof is missing"},
      {[](Json& e) { e["verification"]["inclusionProof"]["hashes"] = {1}; },
       "inclusionProof.hashes must hold strings"},
      {[](Json& e) {
         e["verification"]["inclusionProof"]["hashes"] =
             std::vector<std::string>(65, std::string(64, '0'));
       },
       "inclusionProof.hashes has more than 64 hashes"},
      {[](Json& e) {
         e["verification"]["inclusionProof"]["checkpoint"] =
             std::string(kMaxCheckpointBytes + 1, 'c');
       },
       "inclusionProof.checkpoint is over 16384 bytes"},
  };
  for (const Case& c : cases) {
    Json e = RekorEntry(kBody);
    c.corrupt(e);
    EXPECT_EQ(ParseRekorResponse(Wrap(e)).status().message(), c.message);
  }
  EXPECT_EQ(ParseRekorResponse("{}").status().message(),
            "rekor response is not an object with exactly one entry");
  Json two = {{"a", RekorEntry(kBody)}, {"b", RekorEntry(kBody)}};
  EXPECT_EQ(ParseRekorResponse(json::Dump(two)).status().message(),
            "rekor response is not an object with exactly one entry");
  Json e = RekorEntry(kBody);
  e["verification"]["signedEntryTimestamp"] = "***";
  EXPECT_EQ(ParseRekorResponse(Wrap(e)).status().context(),
            "verification.signedEntryTimestamp");
}

TEST(RekorTest, PostsTheProposedEntry) {
  FakeHttp http;
  http.Expect("POST", "http://r/api/v1/log/entries",
              Reply(201, Wrap(RekorEntry(kBody))));
  http.Expect("POST", "http://r/api/v1/log/entries",
              Reply(409, "{\"code\":409,\"message\":\"exists\"}"));
  const Json entry = HashedRekordEntry(
      {crypto::Hash::kSha256, std::string(32, '\x01'), "sig", "PEM"});
  auto e = UploadEntry(http, "http://r", entry);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  auto sent = json::Parse(http.seen()[0].body, "sent", 1 << 20);
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ((*sent)["spec"]["data"]["hash"]["value"],
            "0101010101010101010101010101010101010101010101010101010101010101");
  EXPECT_EQ((*sent)["spec"]["signature"]["content"], Base64Encode("sig"));
  EXPECT_EQ((*sent)["spec"]["signature"]["publicKey"]["content"],
            Base64Encode("PEM"));
  EXPECT_EQ(UploadEntry(http, "http://r", entry).status().message(),
            "rekor: HTTP 409: {\"code\":409,\"message\":\"exists\"}");
  EXPECT_EQ(UploadEntry(http, "not a url", entry).status().context(),
            "rekor URL");
}

TEST(RekorTest, DsseEntryCarriesTheEnvelopeText) {
  Json e = DsseEntry("{\"payload\":\"\"}", "PEM");
  EXPECT_EQ(e["kind"], "dsse");
  EXPECT_EQ(e["spec"]["proposedContent"]["envelope"], "{\"payload\":\"\"}");
  EXPECT_EQ(e["spec"]["proposedContent"]["verifiers"][0], Base64Encode("PEM"));
}

TEST(TsaTest, ChoosesTheRequestFormatByUrl) {
  EXPECT_EQ(TsaFormatForUrl("http://127.0.0.1:5/api/v1/timestamp"),
            TsaRequestFormat::kSigstoreJson);
  EXPECT_EQ(TsaFormatForUrl("https://timestamp.sigstore.dev/api/v1/timestamp/"),
            TsaRequestFormat::kSigstoreJson);
  EXPECT_EQ(TsaFormatForUrl("https://freetsa.org/tsr"),
            TsaRequestFormat::kRfc3161);
}

TEST(TsaTest, QueryIsADerTimeStampReqOverTheSignature) {
  auto q = MakeTimestampQuery("signature", 12345);
  ASSERT_TRUE(q.ok());
  const unsigned char* p = reinterpret_cast<const unsigned char*>(q->data());
  TS_REQ* req = d2i_TS_REQ(nullptr, &p, static_cast<long>(q->size()));
  ASSERT_NE(req, nullptr);
  EXPECT_EQ(TS_REQ_get_cert_req(req), 1);
  EXPECT_EQ(ASN1_INTEGER_get(TS_REQ_get_nonce(req)), 12345);
  ASN1_OCTET_STRING* msg = TS_MSG_IMPRINT_get_msg(TS_REQ_get_msg_imprint(req));
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(msg->data), msg->length),
            crypto::HashBytes(crypto::Hash::kSha256, "signature"));
  TS_REQ_free(req);
}

TEST(TsaTest, RefusesAnswersThatAreNotTimestampResponses) {
  FakeHttp http;
  http.Expect("POST", "http://t/tsr", Reply(200, "garbage"));
  http.Expect("POST", "http://t/tsr",
              Reply(200, std::string(kMaxTsaResponseBytes + 1, '\x30')));
  http.Expect("POST", "http://t/tsr", Reply(500, "down"));
  EXPECT_EQ(
      RequestTimestamp(http, "http://t/tsr", "sig", TsaRequestFormat::kRfc3161)
          .status()
          .message(),
      "tsa response is not a DER TimeStampResp");
  EXPECT_EQ(
      RequestTimestamp(http, "http://t/tsr", "sig", TsaRequestFormat::kRfc3161)
          .status()
          .code(),
      StatusCode::kResourceExhausted);
  EXPECT_EQ(
      RequestTimestamp(http, "http://t/tsr", "sig", TsaRequestFormat::kRfc3161)
          .status()
          .message(),
      "tsa: HTTP 500: down");
  EXPECT_EQ(http.seen()[0].Header("Content-Type"),
            "application/timestamp-query");
}

TEST(TsaTest, RefusesARejectedResponse) {
  // TimeStampResp { status PKIStatusInfo { status rejection(2) } }.
  const std::string rejected("\x30\x05\x30\x03\x02\x01\x02", 7);
  auto q = MakeTimestampQuery("sig", 1);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(CheckTimestampResponse(rejected, *q).message(),
            "tsa response does not answer the request (status, version, nonce "
            "or imprint)");
}

}  // namespace
}  // namespace strata::sigstore
