// Sigstore bundles stored as OCI referrers: the statement, the artifact
// manifest, and pushing/reading against the real CNCF distribution 2.8
// registry (no referrers API: its tag-schema fallback runs; skips with a
// message when docker-registry is absent).
#include "cosign/bundle_store.h"

#include <gtest/gtest.h>

#include "base/json.h"
#include "registry/http.h"
#include "registry/test_fake_http.h"
#include "registry/testing/plain_registry.h"
#include "sigstore/bundle.h"
#include "sigstore/dsse.h"
#include "sigstore/sign.h"

namespace strata::cosign {
namespace {

using registry::testing::PlainRegistryTest;
using registry::testing::PushBlobBytes;
using registry::testing::PushTinyImage;

constexpr char kRepo[] = "bundles/app";

Digest ImageDigest(char c) { return Sha256Of(std::string(1, c)); }

oci::Descriptor ImageDescriptor(const Digest& d, int64_t size) {
  oci::Descriptor out;
  out.media_type = std::string(oci::media::kOciManifest);
  out.digest = d;
  out.size = size;
  return out;
}

// A key-signed bundle (no log entry) of cosign's statement about `subject`.
std::string SignedBundle(const Digest& subject) {
  Result<crypto::PrivateKey> key = crypto::PrivateKey::GenerateEcdsaP256();
  EXPECT_TRUE(key.ok());
  std::unique_ptr<registry::HttpTransport> http =
      registry::NewCurlTransport({});
  sigstore::SignOptions o;
  o.key = &*key;
  o.tlog_upload = false;
  o.http = http.get();
  Result<std::string> statement = MakeSignStatement(subject, {});
  EXPECT_TRUE(statement.ok());
  Result<sigstore::Bundle> b =
      sigstore::SignDsse(sigstore::kInTotoPayloadType, *statement, o);
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return json::Dump(sigstore::BundleToJson(*b));
}

TEST(MakeSignStatement, WritesCosignStatement) {
  const Digest d = ImageDigest('a');
  Result<std::string> s = MakeSignStatement(d, {});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s,
            "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{"
            "\"annotations\":{},\"digest\":{\"sha256\":\"" +
                d.hex() +
                "\"}}],\"predicateType\":\"https://sigstore.dev/cosign/sign/"
                "v1\",\"predicate\":{}}");
  Result<std::string> annotated = MakeSignStatement(d, {{"team", "a\"b"}});
  ASSERT_TRUE(annotated.ok());
  EXPECT_NE(annotated->find("\"annotations\":{\"team\":\"a\\\"b\"}"),
            std::string::npos);
  Digest sha512 = *Digest::Parse("sha512:" + std::string(128, 'a'));
  EXPECT_EQ(MakeSignStatement(sha512, {}).status(),
            InvalidArgumentError("image digest " + sha512.Short() +
                                 " is not sha256"));
}

TEST(CheckSignStatement, AcceptsOnlyThisImageAndPredicate) {
  const Digest d = ImageDigest('a');
  const std::string statement = *MakeSignStatement(d, {});
  EXPECT_TRUE(
      CheckSignStatement(sigstore::kInTotoPayloadType, statement, d).ok());
  const Digest other = ImageDigest('b');
  EXPECT_EQ(CheckSignStatement(sigstore::kInTotoPayloadType, statement, other),
            PermissionDeniedError("the statement's subjects do not include the "
                                  "image " +
                                  other.ToString()));
  EXPECT_EQ(CheckSignStatement("text/plain", statement, d),
            PermissionDeniedError(
                "the signed payload type is \"text/plain\", not in-toto"));
  std::string slsa = statement;
  slsa.replace(slsa.find("sigstore.dev/cosign/sign/v1"), 27,
               "slsa.dev/provenance/v1");
  EXPECT_EQ(CheckSignStatement(sigstore::kInTotoPayloadType, slsa, d),
            PermissionDeniedError("the statement's predicateType is "
                                  "\"https://slsa.dev/provenance/v1\", not "
                                  "https://sigstore.dev/cosign/sign/v1"));
  EXPECT_EQ(CheckSignStatement(sigstore::kInTotoPayloadType, "{", d).code(),
            StatusCode::kPermissionDenied);
}

TEST(BuildBundleArtifact, WritesOciArtifactManifest) {
  const Digest image = ImageDigest('a');
  const std::string bundle = SignedBundle(image);
  Result<BundleArtifact> a = BuildBundleArtifact(
      ImageDescriptor(image, 123), bundle, "2026-01-02T03:04:05Z");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->descriptor.digest, Sha256Of(a->manifest));
  EXPECT_EQ(a->descriptor.artifact_type, kBundleArtifactType);
  EXPECT_EQ(a->layer.digest, Sha256Of(bundle));
  Result<json::Json> j = json::Parse(a->manifest, "m", 1 << 20);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["artifactType"], kBundleArtifactType);
  EXPECT_EQ((*j)["mediaType"], oci::media::kOciManifest);
  EXPECT_EQ((*j)["config"]["mediaType"], kEmptyMediaType);
  EXPECT_EQ((*j)["config"]["digest"],
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61c"
            "aaff8a");
  EXPECT_EQ((*j)["config"]["size"], 2);
  EXPECT_EQ((*j)["layers"][0]["mediaType"], kBundleArtifactType);
  EXPECT_EQ((*j)["layers"][0]["annotations"]["org.opencontainers.image.title"],
            "sha256-" + Sha256Of(bundle).hex() + ".sigstore.json");
  EXPECT_EQ((*j)["subject"]["digest"], image.ToString());
  EXPECT_EQ((*j)["subject"]["size"], 123);
  EXPECT_EQ((*j)["annotations"]["dev.sigstore.bundle.content"],
            "dsse-envelope");
  EXPECT_EQ((*j)["annotations"]["dev.sigstore.bundle.predicateType"],
            kCosignSignPredicateType);
  EXPECT_EQ((*j)["annotations"]["org.opencontainers.image.created"],
            "2026-01-02T03:04:05Z");
  Result<oci::Manifest> m = oci::ParseManifest(a->manifest, "m");
  ASSERT_TRUE(m.ok()) << m.status().ToString();

  EXPECT_EQ(
      BuildBundleArtifact(ImageDescriptor(image, 1), "{}", "").status().code(),
      StatusCode::kDataLoss);
  const std::string huge(kMaxStoredBundleBytes + 1, ' ');
  EXPECT_EQ(BuildBundleArtifact(ImageDescriptor(image, 1), huge, "").status(),
            ResourceExhaustedError("bundle is 1048577 bytes, over the cap of "
                                   "1048576"));
}

// The referrers API path, which distribution 2.8 does not have: a scripted
// registry that answers the manifest PUT with OCI-Subject (no fallback
// index is written: any further request would fail the fake) and lists the
// artifact through GET /referrers.
TEST(BundleStoreReferrersApi, PushesWithoutFallbackAndReads) {
  auto http = std::make_shared<registry::testing::FakeHttp>();
  registry::ClientOptions o;
  o.http = http;
  o.credential_store = std::make_shared<registry::CredentialStore>(
      registry::CredentialSources{});
  Result<std::unique_ptr<registry::Client>> client =
      registry::Client::Create("reg.example", o);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  const std::string base = "https://reg.example/v2/a/";
  const oci::Descriptor image = ImageDescriptor(ImageDigest('a'), 321);
  const std::string bundle = SignedBundle(image.digest);
  Result<BundleArtifact> a = BuildBundleArtifact(image, bundle, "");
  ASSERT_TRUE(a.ok()) << a.status().ToString();

  http->Expect("HEAD", base + "blobs/" + Sha256Of("{}").ToString(),
               registry::testing::Reply(200, "", {{"content-length", "2"}}));
  http->Expect("HEAD", base + "blobs/" + a->layer.digest.ToString(),
               registry::testing::Reply(200));
  http->Expect("PUT", base + "manifests/" + a->descriptor.digest.ToString(),
               registry::testing::Reply(
                   201, "", {{"oci-subject", image.digest.ToString()}}));
  Result<PushedBundle> pushed = PushBundle(**client, "a", image, bundle, "");
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  EXPECT_TRUE(pushed->referrers_api);
  EXPECT_EQ(pushed->manifest.digest, a->descriptor.digest);

  const std::string index =
      json::Dump({{"schemaVersion", 2},
                  {"mediaType", oci::media::kOciIndex},
                  {"manifests",
                   {{{"mediaType", oci::media::kOciManifest},
                     {"digest", a->descriptor.digest.ToString()},
                     {"size", a->descriptor.size},
                     {"artifactType", kBundleArtifactType}}}}});
  http->Expect("GET",
               base + "referrers/" + image.digest.ToString() +
                   "?artifactType=application%2Fvnd.dev.sigstore.bundle.v0.3%"
                   "2Bjson",
               registry::testing::Reply(200, index));
  http->Expect("GET", base + "manifests/" + a->descriptor.digest.ToString(),
               registry::testing::Reply(200, a->manifest));
  http->Expect("GET", base + "blobs/" + a->layer.digest.ToString(),
               registry::testing::Reply(200, bundle));
  Result<std::vector<StoredBundle>> got =
      ReadBundles(**client, "a", image.digest);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_TRUE((*got)[0].status.ok()) << (*got)[0].status.ToString();
  EXPECT_EQ((*got)[0].bundle, bundle);
}

class BundleRegistryTest : public PlainRegistryTest {};

TEST_F(BundleRegistryTest, PushThenReadThroughFallbackIndex) {
  Result<oci::Descriptor> image_pushed =
      PushTinyImage(*client_, kRepo, "v1", "a");
  ASSERT_TRUE(image_pushed.ok()) << image_pushed.status().ToString();
  const oci::Descriptor image = *image_pushed;
  Result<std::vector<StoredBundle>> none =
      ReadBundles(*client_, kRepo, image.digest);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->empty());

  const std::string bundle = SignedBundle(image.digest);
  Result<PushedBundle> pushed = PushBundle(*client_, kRepo, image, bundle, "");
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  // distribution 2.8 has no referrers API: the fallback index was written.
  EXPECT_FALSE(pushed->referrers_api);
  Result<registry::FetchedManifest> index =
      client_->GetManifest(kRepo, registry::ReferrersTag(image.digest));
  ASSERT_TRUE(index.ok()) << index.status().ToString();

  // Pushing the same bundle again does not add a second entry.
  ASSERT_TRUE(PushBundle(*client_, kRepo, image, bundle, "").ok());
  Result<std::vector<StoredBundle>> got =
      ReadBundles(*client_, kRepo, image.digest);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_TRUE((*got)[0].status.ok()) << (*got)[0].status.ToString();
  EXPECT_EQ((*got)[0].bundle, bundle);
  EXPECT_EQ((*got)[0].manifest, pushed->manifest.digest);
}

TEST_F(BundleRegistryTest, ReferrerOfAnotherImageIsReported) {
  Result<oci::Descriptor> image_pushed =
      PushTinyImage(*client_, kRepo, "v1", "a");
  ASSERT_TRUE(image_pushed.ok()) << image_pushed.status().ToString();
  const oci::Descriptor image = *image_pushed;
  Result<oci::Descriptor> other_pushed =
      PushTinyImage(*client_, kRepo, "v2", "b");
  ASSERT_TRUE(other_pushed.ok()) << other_pushed.status().ToString();
  const oci::Descriptor other = *other_pushed;
  // A bundle artifact about `other`, listed in `image`'s fallback index.
  Result<PushedBundle> pushed =
      PushBundle(*client_, kRepo, other, SignedBundle(other.digest), "");
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  ASSERT_TRUE(
      client_->AddReferrerFallback(kRepo, image.digest, pushed->manifest).ok());
  Result<std::vector<StoredBundle>> got =
      ReadBundles(*client_, kRepo, image.digest);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(
      (*got)[0].status,
      DataLossError("bundle manifest " + pushed->manifest.digest.Short() +
                    " does not have the subject " + image.digest.ToString()));
  EXPECT_TRUE((*got)[0].bundle.empty());
}

// Puts an OCI artifact manifest about `image` (bundle artifactType, empty
// config) with `layers` and a padding annotation of `pad` bytes; returns
// its descriptor as a referrers index lists it.
oci::Descriptor PutArtifact(registry::Client& client,
                            const oci::Descriptor& image,
                            const json::Json& layers, size_t pad) {
  json::Json m = {{"schemaVersion", 2},
                  {"mediaType", oci::media::kOciManifest},
                  {"artifactType", kBundleArtifactType},
                  {"config",
                   {{"mediaType", kEmptyMediaType},
                    {"digest", Sha256Of("{}").ToString()},
                    {"size", 2}}},
                  {"layers", layers},
                  {"annotations", {{"pad", std::string(pad, 'p')}}},
                  {"subject",
                   {{"mediaType", image.media_type},
                    {"digest", image.digest.ToString()},
                    {"size", image.size}}}};
  const std::string manifest = json::Dump(m);
  oci::Descriptor d = ImageDescriptor(Sha256Of(manifest),
                                      static_cast<int64_t>(manifest.size()));
  d.artifact_type = std::string(kBundleArtifactType);
  Result<bool> put =
      client.PutManifest(kRepo, d.digest.ToString(), d, manifest);
  EXPECT_TRUE(put.ok()) << put.status().ToString();
  return d;
}

TEST_F(BundleRegistryTest, CapsAndBadEntries) {
  Result<oci::Descriptor> image_pushed =
      PushTinyImage(*client_, kRepo, "v1", "a");
  ASSERT_TRUE(image_pushed.ok()) << image_pushed.status().ToString();
  const oci::Descriptor image = *image_pushed;
  ASSERT_TRUE(PushBlobBytes(*client_, kRepo, kEmptyMediaType, "{}").ok());
  // A manifest over the cap: refused before fetching.
  const oci::Descriptor big = PutArtifact(*client_, image, json::Json::array(),
                                          kMaxBundleManifestBytes);
  ASSERT_TRUE(client_->AddReferrerFallback(kRepo, image.digest, big).ok());
  // An artifact without layers.
  const oci::Descriptor bare =
      PutArtifact(*client_, image, json::Json::array(), 1);
  ASSERT_TRUE(client_->AddReferrerFallback(kRepo, image.digest, bare).ok());
  // An artifact whose bundle layer is over the cap.
  Result<oci::Descriptor> layer =
      PushBlobBytes(*client_, kRepo, kBundleArtifactType,
                    std::string(kMaxStoredBundleBytes + 1, ' '));
  ASSERT_TRUE(layer.ok()) << layer.status().ToString();
  const oci::Descriptor huge =
      PutArtifact(*client_, image,
                  json::Json::array({{{"mediaType", layer->media_type},
                                      {"digest", layer->digest.ToString()},
                                      {"size", layer->size}}}),
                  1);
  ASSERT_TRUE(client_->AddReferrerFallback(kRepo, image.digest, huge).ok());

  Result<std::vector<StoredBundle>> got =
      ReadBundles(*client_, kRepo, image.digest);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 3u);
  EXPECT_EQ((*got)[0].status,
            ResourceExhaustedError("bundle manifest " + big.digest.Short() +
                                   " is " + std::to_string(big.size) +
                                   " bytes, over the cap of 65536"));
  EXPECT_EQ((*got)[1].status,
            DataLossError("bundle manifest " + bare.digest.Short() +
                          " has no first layer of media type " +
                          std::string(kBundleArtifactType)));
  EXPECT_EQ((*got)[2].status,
            ResourceExhaustedError("bundle manifest " + huge.digest.Short() +
                                   ": bundle is 1048577 bytes, over the cap "
                                   "of 1048576"));

  // More than kMaxBundleReferrers referrers: refused as a whole.
  json::Json entries = json::Json::array();
  for (int i = 0; i <= kMaxBundleReferrers; ++i) {
    const oci::Descriptor d =
        PutArtifact(*client_, image, json::Json::array(), 2 + i);
    entries.push_back({{"mediaType", d.media_type},
                       {"digest", d.digest.ToString()},
                       {"size", d.size},
                       {"artifactType", kBundleArtifactType}});
  }
  const std::string index = json::Dump({{"schemaVersion", 2},
                                        {"mediaType", oci::media::kOciIndex},
                                        {"manifests", entries}});
  oci::Descriptor id;
  id.media_type = std::string(oci::media::kOciIndex);
  id.digest = Sha256Of(index);
  id.size = static_cast<int64_t>(index.size());
  ASSERT_TRUE(
      client_
          ->PutManifest(kRepo, registry::ReferrersTag(image.digest), id, index)
          .ok());
  EXPECT_EQ(ReadBundles(*client_, kRepo, image.digest).status(),
            ResourceExhaustedError("image " + image.digest.Short() +
                                   " has 101 bundle referrers, over the cap "
                                   "of 100"));
}

}  // namespace
}  // namespace strata::cosign
