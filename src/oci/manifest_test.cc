#include "oci/manifest.h"

#include <gtest/gtest.h>

#include "base/caps.h"

namespace strata::oci {
namespace {

const std::string kA =
    "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kB =
    "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const std::string kC =
    "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

std::string Desc(std::string_view media_type, const std::string& digest,
                 int64_t size, std::string extra = "") {
  return R"({"mediaType":")" + std::string(media_type) + R"(","digest":")" +
         digest + R"(","size":)" + std::to_string(size) + extra + "}";
}

std::string OciManifest(const std::string& layers) {
  return R"({"schemaVersion":2,"mediaType":")" +
         std::string(media::kOciManifest) + R"(","config":)" +
         Desc(media::kOciConfig, kA, 10) + R"(,"layers":[)" + layers + "]}";
}

const std::string kGoodManifest =
    OciManifest(Desc(media::kOciLayerGzip, kB, 100) + "," +
                Desc(media::kOciLayerZstd, kC, 200,
                     R"(,"annotations":{"k":"v"},"urls":["http://x"])"));

TEST(ParseManifestTest, ParsesOciManifest) {
  Result<Manifest> m = ParseManifest(kGoodManifest, "manifest x");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->schema_version, 2);
  EXPECT_EQ(m->media_type, media::kOciManifest);
  EXPECT_EQ(m->config.media_type, media::kOciConfig);
  EXPECT_EQ(m->config.digest.ToString(), kA);
  EXPECT_EQ(m->config.size, 10);
  ASSERT_EQ(m->layers.size(), 2u);
  EXPECT_EQ(m->layers[0].media_type, media::kOciLayerGzip);
  EXPECT_EQ(m->layers[1].digest.ToString(), kC);
  EXPECT_EQ(m->layers[1].size, 200);
  EXPECT_EQ(m->layers[1].annotations.at("k"), "v");
  EXPECT_FALSE(m->subject.has_value());
}

TEST(ParseManifestTest, ParsesDockerManifestWithoutOptionalFields) {
  std::string doc = R"({"schemaVersion":2,"mediaType":")" +
                    std::string(media::kDockerManifest) + R"(","config":)" +
                    Desc(media::kDockerConfig, kA, 1) + R"(,"layers":[)" +
                    Desc(media::kDockerLayerGzip, kB, 2) +
                    R"(],"unknownField":{"nested":[1,2,3]}})";
  Result<Manifest> m = ParseManifest(doc, "manifest x");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->layers.size(), 1u);
  // OCI manifests may omit mediaType.
  std::string no_type = R"({"schemaVersion":2,"config":)" +
                        Desc(media::kOciConfig, kA, 1) + R"(,"layers":[],)" +
                        R"("subject":)" + Desc(media::kOciManifest, kC, 5) +
                        "}";
  m = ParseManifest(no_type, "manifest x");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->media_type, "");
  ASSERT_TRUE(m->subject.has_value());
  EXPECT_EQ(m->subject->digest.ToString(), kC);
}

struct ErrorCase {
  std::string doc;
  StatusCode code;
  std::string message;  // Status::ToString()
};

void ExpectManifestErrors(const std::vector<ErrorCase>& cases) {
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.doc.substr(0, 200));
    Result<Manifest> m = ParseManifest(c.doc, "manifest x");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.status().code(), c.code);
    EXPECT_EQ(m.status().ToString(), c.message);
  }
}

TEST(ParseManifestTest, RejectsWrongTypesAndMissingFields) {
  std::string config = Desc(media::kOciConfig, kA, 1);
  ExpectManifestErrors({
      {"[]", StatusCode::kDataLoss, "manifest x is not a JSON object"},
      {R"({"config":)" + config + R"(,"layers":[]})", StatusCode::kDataLoss,
       "manifest x: missing field \"schemaVersion\""},
      {R"({"schemaVersion":"2"})", StatusCode::kDataLoss,
       "manifest x: field \"schemaVersion\" must be an integer"},
      {R"({"schemaVersion":3})", StatusCode::kDataLoss,
       "manifest x: unsupported schemaVersion 3"},
      {R"({"schemaVersion":2,"layers":[]})", StatusCode::kDataLoss,
       "manifest x: missing field \"config\""},
      {R"({"schemaVersion":2,"config":[],"layers":[]})", StatusCode::kDataLoss,
       "manifest x: field \"config\" must be an object"},
      {R"({"schemaVersion":2,"config":)" + config + "}", StatusCode::kDataLoss,
       "manifest x: missing field \"layers\""},
      {R"({"schemaVersion":2,"config":)" + config + R"(,"layers":{}})",
       StatusCode::kDataLoss, "manifest x: field \"layers\" must be an array"},
      {R"({"schemaVersion":2,"config":)" + config + R"(,"layers":[1]})",
       StatusCode::kDataLoss,
       "manifest x: layers[0]: descriptor must be an object"},
      {R"({"schemaVersion":2,"mediaType":")" + std::string(media::kOciIndex) +
           R"(","config":)" + config + R"(,"layers":[]})",
       StatusCode::kDataLoss,
       "manifest x: unexpected mediaType "
       "\"application/vnd.oci.image.index.v1+json\" for a manifest"},
      {R"({"schemaVersion":2,"config":{"digest":")" + kA +
           R"(","size":1},"layers":[]})",
       StatusCode::kDataLoss,
       "manifest x: config: missing field \"mediaType\""},
      {R"({"schemaVersion":2,"config":{"mediaType":"x","size":1},)"
       R"("layers":[]})",
       StatusCode::kDataLoss, "manifest x: config: missing field \"digest\""},
      {R"({"schemaVersion":2,"config":{"mediaType":"x","digest":")" + kA +
           R"("},"layers":[]})",
       StatusCode::kDataLoss, "manifest x: config: missing field \"size\""},
      {OciManifest(Desc(media::kOciLayer, kB, -1)), StatusCode::kDataLoss,
       "manifest x: layers[0]: field \"size\" must not be negative"},
      {OciManifest(R"({"mediaType":"x","digest":")" + kB + R"(","size":1.5})"),
       StatusCode::kDataLoss,
       "manifest x: layers[0]: field \"size\" must be an integer"},
      {OciManifest(R"({"mediaType":"x","digest":")" + kB + R"(","size":"1"})"),
       StatusCode::kDataLoss,
       "manifest x: layers[0]: field \"size\" must be an integer"},
      {OciManifest(Desc(media::kOciLayer, "sha256:ABC", 1)),
       StatusCode::kDataLoss,
       "manifest x: layers[0]: invalid digest \"sha256:ABC\": want 64 "
       "lowercase hex digits"},
      {OciManifest(Desc(media::kOciLayer, "md5:abc", 1)), StatusCode::kDataLoss,
       "manifest x: layers[0]: unsupported digest algorithm \"md5\""},
      {OciManifest(Desc(media::kOciLayer, kB, 1, R"(,"annotations":{"a":1})")),
       StatusCode::kDataLoss,
       "manifest x: layers[0]: field \"annotations\" must be an object of "
       "strings"},
      {OciManifest(Desc(media::kOciLayer, kB, 1, R"(,"platform":{"os":"l"})")),
       StatusCode::kDataLoss,
       "manifest x: layers[0]: platform: missing field \"architecture\""},
  });
}

TEST(ParseManifestTest, RejectsSchema1) {
  std::string doc =
      R"({"schemaVersion":1,"name":"x","tag":"latest","fsLayers":[]})";
  Result<Manifest> m = ParseManifest(doc, "manifest x");
  EXPECT_EQ(m.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(m.status().ToString(),
            "manifest x: docker schema 1 manifests are not supported");
}

std::string Layers(int n) {
  std::string layers;
  for (int i = 0; i < n; ++i) {
    if (i) layers += ",";
    layers += Desc(media::kOciLayer, kB, 1);
  }
  return layers;
}

TEST(ParseManifestTest, CapsLayers) {
  Result<Manifest> m =
      ParseManifest(OciManifest(Layers(caps::kMaxLayers + 1)), "manifest x");
  EXPECT_EQ(m.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(m.status().ToString(),
            "manifest x: manifest has more than 1024 layers");
  // Exactly the cap is fine.
  m = ParseManifest(OciManifest(Layers(caps::kMaxLayers)), "manifest x");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->layers.size(), 1024u);
}

TEST(ParseManifestTest, CapsDocumentSizeAndDepth) {
  std::string big = OciManifest("") + std::string(caps::kMaxManifestBytes, ' ');
  Result<Manifest> m = ParseManifest(big, "manifest x");
  EXPECT_EQ(m.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(m.status().ToString(), "manifest x is " +
                                       std::to_string(big.size()) +
                                       " bytes, over the cap of 4194304");

  std::string deep = R"({"schemaVersion":2,"x":)" + std::string(100, '[') +
                     std::string(100, ']') + "}";
  m = ParseManifest(deep, "manifest x");
  EXPECT_EQ(m.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(m.status().ToString(), "manifest x nests deeper than 64 levels");
}

TEST(ParseManifestTest, TruncationAndByteFlipsNeverCrash) {
  for (size_t n = 0; n < kGoodManifest.size(); ++n) {
    Result<Manifest> m = ParseManifest(kGoodManifest.substr(0, n), "m");
    EXPECT_FALSE(m.ok()) << n;
    EXPECT_EQ(m.status().code(), StatusCode::kDataLoss) << n;
  }
  int failures = 0;
  for (size_t i = 0; i < kGoodManifest.size(); ++i) {
    std::string doc = kGoodManifest;
    doc[i] ^= 0x01;
    if (!ParseManifest(doc, "m").ok()) ++failures;
  }
  // Most flips break the JSON or a digest; some only change a string.
  EXPECT_GT(failures, static_cast<int>(kGoodManifest.size() / 2));
}

TEST(ParseIndexTest, ParsesPlatformsAndAnnotations) {
  std::string doc =
      R"({"schemaVersion":2,"mediaType":")" + std::string(media::kOciIndex) +
      R"(","manifests":[)" +
      Desc(media::kOciManifest, kA, 1,
           R"(,"platform":{"os":"linux","architecture":"arm64",)"
           R"("variant":"v8","os.version":"x","os.features":["f"]})") +
      "," +
      Desc(media::kOciManifest, kB, 2,
           R"(,"platform":{"os":"unknown","architecture":"unknown"},)"
           R"("annotations":{"vnd.docker.reference.type":)"
           R"("attestation-manifest"})") +
      R"(],"annotations":{"a":"b"}})";
  Result<Index> index = ParseIndex(doc, "index x");
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  ASSERT_EQ(index->manifests.size(), 2u);
  ASSERT_TRUE(index->manifests[0].platform.has_value());
  EXPECT_EQ(index->manifests[0].platform->ToString(), "linux/arm64/v8");
  EXPECT_EQ(index->manifests[0].platform->os_version, "x");
  EXPECT_EQ(index->manifests[1].annotations.at("vnd.docker.reference.type"),
            "attestation-manifest");
  EXPECT_EQ(index->annotations.at("a"), "b");
}

TEST(ParseIndexTest, RejectsBadIndexes) {
  struct Case {
    std::string doc;
    StatusCode code;
    std::string message;
  };
  std::string too_many;
  for (int i = 0; i <= caps::kMaxIndexManifests; ++i) {
    too_many += (i ? "," : "") + Desc(media::kOciManifest, kA, 1);
  }
  const std::vector<Case> cases = {
      {R"({"schemaVersion":2})", StatusCode::kDataLoss,
       "index x: missing field \"manifests\""},
      {R"({"schemaVersion":2,"manifests":"x"})", StatusCode::kDataLoss,
       "index x: field \"manifests\" must be an array"},
      {R"({"schemaVersion":2,"mediaType":")" +
           std::string(media::kOciManifest) + R"(","manifests":[]})",
       StatusCode::kDataLoss,
       "index x: unexpected mediaType "
       "\"application/vnd.oci.image.manifest.v1+json\" for an index"},
      {R"({"schemaVersion":2,"manifests":[)" +
           Desc(media::kOciManifest, kA, 1, R"(,"platform":"linux")") + "]}",
       StatusCode::kDataLoss,
       "index x: manifests[0]: field \"platform\" must be an object"},
      {R"({"schemaVersion":2,"manifests":[)" + too_many + "]}",
       StatusCode::kResourceExhausted,
       "index x: index has more than 4096 manifests"},
  };
  for (const Case& c : cases) {
    Result<Index> index = ParseIndex(c.doc, "index x");
    ASSERT_FALSE(index.ok()) << c.message;
    EXPECT_EQ(index.status().code(), c.code);
    EXPECT_EQ(index.status().ToString(), c.message);
  }
}

const std::string kGoodConfig = R"({
  "created": "2024-01-01T00:00:00Z",
  "author": "someone",
  "architecture": "arm64",
  "variant": "v8",
  "os": "linux",
  "config": {
    "User": "1000:1000",
    "ExposedPorts": {"80/tcp": {}, "443/tcp": {}},
    "Env": ["PATH=/usr/bin", "LANG=C"],
    "Entrypoint": ["/entry"],
    "Cmd": null,
    "Volumes": {"/data": {}},
    "WorkingDir": "/app",
    "Labels": {"org.example": "yes"},
    "StopSignal": "SIGTERM",
    "Healthcheck": {"Test": ["CMD", "true"]}
  },
  "rootfs": {"type": "layers", "diff_ids": [")" +
                                kA + R"(", ")" + kB + R"("]},
  "history": [
    {"created": "2024-01-01T00:00:00Z", "created_by": "ADD x /"},
    {"created_by": "ENV LANG=C", "empty_layer": true, "comment": "c"}
  ]
})";

TEST(ParseImageConfigTest, ParsesEveryField) {
  Result<ImageConfig> c = ParseImageConfig(kGoodConfig, "config x");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->created, "2024-01-01T00:00:00Z");
  EXPECT_EQ(c->author, "someone");
  EXPECT_EQ(c->platform.ToString(), "linux/arm64/v8");
  EXPECT_EQ(c->user, "1000:1000");
  EXPECT_EQ(c->exposed_ports, (std::vector<std::string>{"443/tcp", "80/tcp"}));
  EXPECT_EQ(c->env, (std::vector<std::string>{"PATH=/usr/bin", "LANG=C"}));
  EXPECT_EQ(c->entrypoint, (std::vector<std::string>{"/entry"}));
  EXPECT_TRUE(c->cmd.empty());
  EXPECT_EQ(c->volumes, (std::vector<std::string>{"/data"}));
  EXPECT_EQ(c->working_dir, "/app");
  EXPECT_EQ(c->labels.at("org.example"), "yes");
  EXPECT_EQ(c->stop_signal, "SIGTERM");
  ASSERT_EQ(c->diff_ids.size(), 2u);
  EXPECT_EQ(c->diff_ids[1].ToString(), kB);
  ASSERT_EQ(c->history.size(), 2u);
  EXPECT_EQ(c->history[0].created_by, "ADD x /");
  EXPECT_FALSE(c->history[0].empty_layer);
  EXPECT_TRUE(c->history[1].empty_layer);
  EXPECT_EQ(c->history[1].comment, "c");
}

TEST(ParseImageConfigTest, RejectsBadConfigs) {
  struct Case {
    std::string doc;
    StatusCode code;
    std::string message;
  };
  std::string many_ids;
  for (int i = 0; i <= caps::kMaxLayers; ++i) {
    many_ids += std::string(i ? "," : "") + "\"" + kA + "\"";
  }
  const std::vector<Case> cases = {
      {R"({"os":"linux"})", StatusCode::kDataLoss,
       "config x: missing field \"rootfs\""},
      {R"({"rootfs":{"type":"layers"}})", StatusCode::kDataLoss,
       "config x: missing field \"rootfs.diff_ids\""},
      {R"({"rootfs":{"type":"tarball","diff_ids":[]}})", StatusCode::kDataLoss,
       "config x: rootfs.type must be \"layers\", not \"tarball\""},
      {R"({"rootfs":{"type":"layers","diff_ids":["sha256:x"]}})",
       StatusCode::kDataLoss,
       "config x: rootfs.diff_ids[0]: invalid digest \"sha256:x\": want 64 "
       "lowercase hex digits"},
      {R"({"rootfs":{"type":"layers","diff_ids":[)" + many_ids + "]}}",
       StatusCode::kResourceExhausted,
       "config x: config lists more than 1024 diff_ids"},
      {R"({"config":{"Env":"PATH=/bin"},"rootfs":{"type":"layers",)"
       R"("diff_ids":[]}})",
       StatusCode::kDataLoss,
       "config x: config: field \"Env\" must be an array of strings"},
      {R"({"config":{"ExposedPorts":["80/tcp"]},"rootfs":{"type":"layers",)"
       R"("diff_ids":[]}})",
       StatusCode::kDataLoss,
       "config x: config: field \"ExposedPorts\" must be an object"},
      {R"({"architecture":5,"rootfs":{"type":"layers","diff_ids":[]}})",
       StatusCode::kDataLoss,
       "config x: field \"architecture\" must be a string"},
      {R"({"rootfs":{"type":"layers","diff_ids":[]},)"
       R"("history":[{"empty_layer":"yes"}]})",
       StatusCode::kDataLoss,
       "config x: history[0]: field \"empty_layer\" must be a boolean"},
      {R"({"rootfs":{"type":"layers","diff_ids":[]},"history":[7]})",
       StatusCode::kDataLoss, "config x: history[0] must be an object"},
      {"\"config\"", StatusCode::kDataLoss, "config x is not a JSON object"},
  };
  for (const Case& c : cases) {
    Result<ImageConfig> r = ParseImageConfig(c.doc, "config x");
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.status().code(), c.code);
    EXPECT_EQ(r.status().ToString(), c.message);
  }
}

TEST(ParseImageConfigTest, TruncationNeverCrashes) {
  for (size_t n = 0; n < kGoodConfig.size(); ++n) {
    EXPECT_FALSE(ParseImageConfig(kGoodConfig.substr(0, n), "c").ok()) << n;
  }
}

TEST(ClassifyDocumentTest, UsesDescriptorTypeThenDocumentThenShape) {
  const std::string index_doc = R"({"schemaVersion":2,"manifests":[]})";
  // The descriptor's media type decides, even against the document.
  EXPECT_EQ(*ClassifyDocument(index_doc, media::kOciManifest),
            DocumentKind::kManifest);
  EXPECT_EQ(*ClassifyDocument("", media::kDockerManifestList),
            DocumentKind::kIndex);
  // Then the document's own mediaType.
  EXPECT_EQ(*ClassifyDocument(R"({"mediaType":")" +
                                  std::string(media::kDockerManifest) + "\"}",
                              ""),
            DocumentKind::kManifest);
  // Then its shape.
  EXPECT_EQ(*ClassifyDocument(index_doc, ""), DocumentKind::kIndex);
  EXPECT_EQ(*ClassifyDocument(OciManifest(""), ""), DocumentKind::kManifest);
  EXPECT_EQ(*ClassifyDocument(R"({"config":{},"layers":[]})", ""),
            DocumentKind::kManifest);
}

TEST(ClassifyDocumentTest, RejectsUnknownDocuments) {
  Result<DocumentKind> r = ClassifyDocument(R"({"config":{}})", "");
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.status().ToString(),
            "document is neither an image index nor a manifest");
  r = ClassifyDocument("{}", "application/vnd.in-toto+json");
  EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(r.status().ToString(),
            "unsupported media type \"application/vnd.in-toto+json\"");
  r = ClassifyDocument(
      "{}", "application/vnd.docker.distribution.manifest.v1+prettyjws");
  EXPECT_EQ(r.status().ToString(),
            "docker schema 1 manifests are not supported");
  r = ClassifyDocument(R"({"schemaVersion":1,"fsLayers":[]})", "");
  EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
  r = ClassifyDocument("not json", "");
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  r = ClassifyDocument(R"({"manifests":{}})", "");
  EXPECT_EQ(r.status().ToString(), "field \"manifests\" must be an array");
}

}  // namespace
}  // namespace strata::oci
