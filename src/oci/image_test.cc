#include "oci/image.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

#include "base/caps.h"
#include "base/json.h"
#include "testing/compress.h"
#include "testing/image_writer.h"
#include "testing/tar_writer.h"

namespace strata::oci {
namespace {

using json::Json;

// Serves blobs by digest WITHOUT verifying them, so that tests can build
// what content addressing forbids (an index that lists itself).
class FakeStore : public BlobStore {
 public:
  Descriptor Add(std::string_view media_type, const std::string& bytes,
                 Json extra = Json::object()) {
    Digest d = Sha256Of(bytes);
    blobs_[d] = bytes;
    return Describe(media_type, d, bytes.size(), std::move(extra));
  }
  void Put(const Digest& d, const std::string& bytes) { blobs_[d] = bytes; }
  static Descriptor Describe(std::string_view media_type, const Digest& d,
                             size_t size, Json extra = Json::object()) {
    Json j = extra;
    j["mediaType"] = media_type;
    j["digest"] = d.ToString();
    j["size"] = size;
    return *ParseDescriptor(j, "test");
  }
  Result<std::unique_ptr<ByteSource>> Open(const Descriptor& d) override {
    auto it = blobs_.find(d.digest);
    if (it == blobs_.end()) {
      return NotFoundError("blob " + d.digest.ToString() +
                           " not found in fake");
    }
    return std::unique_ptr<ByteSource>(
        std::make_unique<StringSource>(it->second));
  }

 private:
  std::map<Digest, std::string> blobs_;
};

Json ToJson(const Descriptor& d) {
  Json j{{"mediaType", d.media_type},
         {"digest", d.digest.ToString()},
         {"size", d.size}};
  if (d.platform) {
    j["platform"] = {{"os", d.platform->os},
                     {"architecture", d.platform->architecture}};
    if (!d.platform->variant.empty()) {
      j["platform"]["variant"] = d.platform->variant;
    }
  }
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  return j;
}

std::string IndexJson(const std::vector<Descriptor>& entries) {
  Json m = Json::array();
  for (const Descriptor& d : entries) m.push_back(ToJson(d));
  return json::Dump(Json{
      {"schemaVersion", 2}, {"mediaType", media::kOciIndex}, {"manifests", m}});
}

std::string ConfigJson(const std::vector<std::string>& diff_ids,
                       const std::string& arch = "amd64") {
  return json::Dump(
      Json{{"architecture", arch},
           {"os", "linux"},
           {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}});
}

const std::string kDiffA = Sha256Of("layer a").ToString();

// A one-layer manifest (and its config) in `store`.
Descriptor AddManifest(FakeStore& store, const std::string& arch,
                       std::string_view layer_type = media::kOciLayerGzip,
                       size_t diff_ids = 1,
                       std::string_view config_type = media::kOciConfig) {
  Descriptor config =
      store.Add(config_type,
                ConfigJson(std::vector<std::string>(diff_ids, kDiffA), arch));
  Descriptor layer = store.Add(layer_type, "compressed " + arch);
  std::string manifest =
      json::Dump(Json{{"schemaVersion", 2},
                      {"mediaType", media::kOciManifest},
                      {"config", ToJson(config)},
                      {"layers", Json::array({ToJson(layer)})}});
  return store.Add(media::kOciManifest, manifest);
}

Descriptor WithPlatform(Descriptor d, const std::string& os,
                        const std::string& arch,
                        const std::string& variant = "") {
  d.platform = Platform{os, arch, variant, ""};
  return d;
}

OpenOptions For(const std::string& platform) {
  OpenOptions o;
  o.platform = *ParsePlatform(platform);
  return o;
}

Result<std::unique_ptr<Image>> Resolve(std::shared_ptr<FakeStore> store,
                                       const Descriptor& top,
                                       const OpenOptions& options) {
  return ResolveImage(store, top, options, ImageMetadata{});
}

struct TwoPlatforms {
  std::shared_ptr<FakeStore> store = std::make_shared<FakeStore>();
  Descriptor amd64, arm64, index;
  TwoPlatforms() {
    amd64 = WithPlatform(AddManifest(*store, "amd64"), "linux", "amd64");
    arm64 = WithPlatform(AddManifest(*store, "arm64"), "linux", "arm64", "v8");
    Descriptor attestation = AddManifest(*store, "unknown");
    attestation.platform = Platform{"unknown", "unknown", "", ""};
    attestation.annotations["vnd.docker.reference.type"] =
        "attestation-manifest";
    index =
        store->Add(media::kOciIndex, IndexJson({amd64, arm64, attestation}));
  }
};

TEST(ResolveImageTest, SelectsPlatformFromIndex) {
  TwoPlatforms t;
  for (auto [want, chosen] :
       {std::pair{"linux/amd64", t.amd64}, std::pair{"linux/x86_64", t.amd64},
        std::pair{"linux/arm64", t.arm64},
        std::pair{"linux/aarch64/v8", t.arm64}}) {
    Result<std::unique_ptr<Image>> image = Resolve(t.store, t.index, For(want));
    ASSERT_TRUE(image.ok()) << image.status().ToString();
    const ImageMetadata& md = (*image)->metadata();
    EXPECT_EQ(md.manifest.digest, chosen.digest) << want;
    ASSERT_TRUE(md.index.has_value());
    EXPECT_EQ(md.index->digest, t.index.digest);
    ASSERT_EQ(md.available_platforms.size(), 2u);
    EXPECT_EQ(md.available_platforms[0].ToString(), "linux/amd64");
    EXPECT_EQ(md.available_platforms[1].ToString(), "linux/arm64/v8");
    EXPECT_EQ(md.layers.size(), 1u);
    EXPECT_EQ(md.layers[0].diff_id->ToString(), kDiffA);
  }
}

TEST(ResolveImageTest, NoMatchingPlatformListsTheAvailableOnes) {
  TwoPlatforms t;
  Result<std::unique_ptr<Image>> image =
      Resolve(t.store, t.index, For("linux/s390x"));
  EXPECT_EQ(image.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(image.status().ToString(),
            "index " + t.index.digest.ToString() +
                ": no image for platform linux/s390x; available: "
                "linux/amd64, linux/arm64/v8");
  image = Resolve(t.store, t.index, For("linux/arm64/v9"));
  EXPECT_EQ(image.status().code(), StatusCode::kNotFound);
}

TEST(ResolveImageTest, NeverChoosesAttestations) {
  auto store = std::make_shared<FakeStore>();
  Descriptor unknown =
      WithPlatform(AddManifest(*store, "unknown"), "unknown", "unknown");
  Descriptor annotated = AddManifest(*store, "x");
  annotated.annotations["vnd.docker.reference.type"] = "attestation-manifest";
  Descriptor index =
      store->Add(media::kOciIndex, IndexJson({unknown, annotated}));
  Result<std::unique_ptr<Image>> image =
      Resolve(store, index, For("linux/amd64"));
  EXPECT_EQ(image.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(image.status().ToString(), "index " + index.digest.ToString() +
                                           ": index lists no image manifests");
}

TEST(ResolveImageTest, TakesTheOnlyEntryWithoutPlatform) {
  auto store = std::make_shared<FakeStore>();
  Descriptor m = AddManifest(*store, "riscv64");
  Descriptor index = store->Add(media::kOciIndex, IndexJson({m}));
  Result<std::unique_ptr<Image>> image =
      Resolve(store, index, For("linux/amd64"));
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ((*image)->metadata().manifest.digest, m.digest);
  EXPECT_TRUE((*image)->metadata().available_platforms.empty());
}

TEST(ResolveImageTest, SeveralEntriesWithoutPlatformAreAmbiguous) {
  auto store = std::make_shared<FakeStore>();
  Descriptor a = AddManifest(*store, "a");
  Descriptor b = AddManifest(*store, "b");
  Descriptor index = store->Add(media::kOciIndex, IndexJson({a, b}));
  Result<std::unique_ptr<Image>> image =
      Resolve(store, index, For("linux/amd64"));
  EXPECT_EQ(image.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(image.status().ToString(),
            "index " + index.digest.ToString() +
                ": index lists 2 manifests without platform information (" +
                a.digest.ToString() + ", " + b.digest.ToString() +
                "); choose one by digest");
}

TEST(ResolveImageTest, FollowsNestedIndexes) {
  TwoPlatforms t;
  Descriptor outer = t.store->Add(media::kOciIndex, IndexJson({t.index}));
  Result<std::unique_ptr<Image>> image =
      Resolve(t.store, outer, For("linux/arm64"));
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ((*image)->metadata().manifest.digest, t.arm64.digest);
  EXPECT_EQ((*image)->metadata().index->digest, t.index.digest);
}

TEST(ResolveImageTest, DetectsIndexLoops) {
  auto store = std::make_shared<FakeStore>();
  Digest self = Sha256Of("pretend");
  Descriptor entry = FakeStore::Describe(media::kOciIndex, self, 1);
  std::string doc = IndexJson({entry});
  store->Put(self, doc);
  Descriptor top = FakeStore::Describe(media::kOciIndex, self, doc.size());
  Result<std::unique_ptr<Image>> image =
      Resolve(store, top, For("linux/amd64"));
  EXPECT_EQ(image.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(image.status().ToString(),
            "index " + self.ToString() + ": index loop");
}

TEST(ResolveImageTest, CapsIndexDepth) {
  auto store = std::make_shared<FakeStore>();
  Descriptor d = AddManifest(*store, "amd64");
  for (int i = 0; i <= caps::kMaxIndexDepth; ++i) {
    d = store->Add(media::kOciIndex, IndexJson({d}));
  }
  Result<std::unique_ptr<Image>> image = Resolve(store, d, For("linux/amd64"));
  EXPECT_EQ(image.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(image.status().message(), "indexes nest deeper than 8 levels");
}

TEST(ResolveImageTest, ChecksDiffIdCount) {
  auto store = std::make_shared<FakeStore>();
  Descriptor m = AddManifest(*store, "amd64", media::kOciLayerGzip, 2);
  Result<std::unique_ptr<Image>> image = Resolve(store, m, For("linux/amd64"));
  EXPECT_EQ(image.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(image.status().ToString(),
            "manifest " + m.digest.ToString() +
                ": config lists 2 diff_ids but the manifest has 1 layers");
}

TEST(ResolveImageTest, RejectsUnsupportedLayerAndConfigTypes) {
  auto store = std::make_shared<FakeStore>();
  Descriptor m = AddManifest(*store, "amd64", "application/x-tar");
  Result<std::unique_ptr<Image>> image = Resolve(store, m, For("linux/amd64"));
  EXPECT_EQ(image.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(image.status().ToString(),
            "manifest " + m.digest.ToString() +
                ": layer 0 has unsupported media type \"application/x-tar\"");

  m = AddManifest(*store, "amd64", media::kDockerLayerForeignGzip);
  image = Resolve(store, m, For("linux/amd64"));
  EXPECT_EQ(image.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(image.status().ToString(),
            "manifest " + m.digest.ToString() +
                ": layer 0 is a foreign (non-distributable) layer "
                "\"application/vnd.docker.image.rootfs.foreign.diff.tar."
                "gzip\", which is not supported");

  m = AddManifest(*store, "amd64", media::kOciLayerGzip, 1,
                  "application/vnd.cncf.helm.config.v1+json");
  image = Resolve(store, m, For("linux/amd64"));
  EXPECT_EQ(image.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(image.status().ToString(),
            "manifest " + m.digest.ToString() +
                ": config media type \"application/vnd.cncf.helm.config.v1+"
                "json\" is not a container image config");
}

TEST(ResolveImageTest, ReportsMissingBlobsWithContext) {
  auto store = std::make_shared<FakeStore>();
  Descriptor config =
      FakeStore::Describe(media::kOciConfig, Sha256Of("absent"), 10);
  Descriptor m = store->Add(media::kOciManifest,
                            json::Dump(Json{{"schemaVersion", 2},
                                            {"config", ToJson(config)},
                                            {"layers", Json::array()}}));
  Result<std::unique_ptr<Image>> image = Resolve(store, m, For("linux/amd64"));
  EXPECT_EQ(image.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(image.status().ToString(),
            "manifest " + m.digest.ToString() + ": blob " +
                config.digest.ToString() + " not found in fake");
}

TEST(ResolveImageTest, ReadSmallChecksTheDescriptorSizeFirst) {
  auto store = std::make_shared<FakeStore>();
  Descriptor big = FakeStore::Describe(media::kOciManifest, Sha256Of("x"),
                                       caps::kMaxManifestBytes + 1);
  Result<std::unique_ptr<Image>> image =
      Resolve(store, big, For("linux/amd64"));
  EXPECT_EQ(image.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(image.status().ToString(),
            "blob " + big.digest.ToString() +
                " is 4194305 bytes, over the cap of 4194304");
}

// --- On-disk images ----------------------------------------------------------

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

std::string BlobFile(const std::string& dir, const std::string& digest) {
  return dir + "/blobs/sha256/" + digest.substr(strlen("sha256:"));
}

Result<std::string> ReadLayer(Image& image, size_t i) {
  ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> src, image.OpenLayer(i));
  return ReadAll(*src, 1 << 30, "layer");
}

testing::TestImage MakeImage(
    const std::string& marker, const std::string& arch = "amd64",
    testing::LayerCompression compression = testing::LayerCompression::kGzip) {
  testing::TestImage image;
  image.architecture = arch;
  for (std::string tar :
       {testing::TarWriter().File("etc/os-release", "ID=" + marker).Finish(),
        testing::TarWriter().Dir("app").File("app/run", marker).Finish()}) {
    testing::TestLayer layer;
    layer.tar = std::move(tar);
    layer.compression = compression;
    image.layers.push_back(std::move(layer));
  }
  image.labels["marker"] = marker;
  return image;
}

Result<std::unique_ptr<Image>> Open(const std::string& ref,
                                    const OpenOptions& options = {}) {
  bool detect = false;
  ASSIGN_OR_RETURN(ImageRef r, ParseReferenceSyntax(ref, &detect));
  return OpenImage(r, options);
}

TEST(OciLayoutTest, OpensAWrittenImage) {
  std::string dir = testing::MakeTempDir("strata-layout-");
  testing::TestImage image = MakeImage("one");
  auto written = testing::WriteOciLayout(dir, {image}, "v1");
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  const testing::WrittenImage& w = (*written)[0];

  Result<std::unique_ptr<Image>> opened = Open("oci:" + dir);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  const ImageMetadata& md = (*opened)->metadata();
  EXPECT_EQ(md.transport, Transport::kOciLayout);
  EXPECT_EQ(md.reference, "oci:" + dir);
  EXPECT_EQ(md.manifest.digest.ToString(), w.manifest_digest);
  EXPECT_EQ(md.manifest.media_type, media::kOciManifest);
  EXPECT_EQ(md.manifest_bytes, w.manifest_json);
  EXPECT_FALSE(md.index.has_value());
  EXPECT_EQ(md.config_descriptor.digest.ToString(), w.config_digest);
  EXPECT_EQ(md.config_bytes, w.config_json);
  EXPECT_EQ(md.config.labels.at("marker"), "one");
  EXPECT_EQ(md.repo_tags, std::vector<std::string>{"v1"});
  ASSERT_EQ(md.layers.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(md.layers[i].descriptor.digest.ToString(), w.layer_digests[i]);
    EXPECT_EQ(md.layers[i].diff_id->ToString(), w.diff_ids[i]);
    Result<std::string> blob = ReadLayer(**opened, i);
    ASSERT_TRUE(blob.ok()) << blob.status().ToString();
    EXPECT_EQ(*blob, testing::Gzip(image.layers[i].tar));
  }
  EXPECT_EQ((*opened)->OpenLayer(2).status().ToString(),
            "layer 2 out of range: the image has 2 layers");
  // By tag and by digest.
  ASSERT_TRUE(Open("oci:" + dir + ":v1").ok());
  Result<std::unique_ptr<Image>> by_digest =
      Open("oci:" + dir + "@" + w.manifest_digest);
  ASSERT_TRUE(by_digest.ok()) << by_digest.status().ToString();
  EXPECT_EQ((*by_digest)->metadata().manifest.digest.ToString(),
            w.manifest_digest);
}

TEST(OciLayoutTest, SelectsPlatformFromAMultiPlatformLayout) {
  std::string dir = testing::MakeTempDir("strata-layout-");
  auto written = testing::WriteOciLayout(
      dir, {MakeImage("x86", "amd64"), MakeImage("arm", "arm64")});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  Result<std::unique_ptr<Image>> image =
      Open("oci:" + dir + ":latest", For("linux/arm64"));
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ((*image)->metadata().manifest.digest.ToString(),
            (*written)[1].manifest_digest);
  EXPECT_EQ((*image)->metadata().config.labels.at("marker"), "arm");
  EXPECT_EQ((*image)->metadata().available_platforms.size(), 2u);
  image = Open("oci:" + dir, For("linux/amd64"));
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ((*image)->metadata().config.labels.at("marker"), "x86");
  // A platform manifest by digest, though index.json does not list it.
  image = Open("oci:" + dir + "@" + (*written)[1].manifest_digest);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ((*image)->metadata().config.labels.at("marker"), "arm");
}

// A layout holding images "one" and "two" with hand-written index.json.
struct TaggedLayout {
  std::string dir = testing::MakeTempDir("strata-tags-");
  std::vector<testing::WrittenImage> images;
  TaggedLayout() {
    for (std::string marker : {"one", "two"}) {
      auto w = testing::WriteOciLayout(dir, {MakeImage(marker)}, marker);
      images.push_back((*w)[0]);
    }
  }
  Json Entry(size_t i, Json annotations) const {
    const testing::WrittenImage& w = images[i];
    Json d{{"mediaType", media::kOciManifest},
           {"digest", w.manifest_digest},
           {"size", w.manifest_json.size()}};
    if (!annotations.is_null()) d["annotations"] = annotations;
    return d;
  }
  void WriteIndex(const Json& entries) const {
    WriteFile(dir + "/index.json",
              json::Dump(Json{{"schemaVersion", 2}, {"manifests", entries}}));
  }
  std::string MarkerOf(const std::string& ref) const {
    Result<std::unique_ptr<Image>> image = Open(ref);
    if (!image.ok()) return image.status().ToString();
    return (*image)->metadata().config.labels.at("marker");
  }
};

TEST(OciLayoutTest, SelectsByTag) {
  TaggedLayout t;
  t.WriteIndex(Json::array(
      {t.Entry(0, {{"org.opencontainers.image.ref.name", "v1"}}),
       t.Entry(1, {{"org.opencontainers.image.ref.name", "v2"},
                   {"io.containerd.image.name", "docker.io/library/x:v3"}})}));
  EXPECT_EQ(t.MarkerOf("oci:" + t.dir + ":v1"), "one");
  EXPECT_EQ(t.MarkerOf("oci:" + t.dir + ":v2"), "two");
  EXPECT_EQ(t.MarkerOf("oci:" + t.dir + ":v3"), "two");
  EXPECT_EQ(t.MarkerOf("oci:" + t.dir + ":docker.io/library/x:v3"), "two");
  EXPECT_EQ(t.MarkerOf("oci:" + t.dir + "@" + t.images[0].manifest_digest),
            "one");
  EXPECT_EQ(
      t.MarkerOf("oci:" + t.dir + ":v9"),
      "no manifest tagged \"v9\" in " + t.dir + "; available tags: v1, v2");
  EXPECT_EQ(t.MarkerOf("oci:" + t.dir),
            t.dir + " holds 2 images; choose one with :TAG (tags: v1, v2)");
  Result<std::unique_ptr<Image>> image = Open("oci:" + t.dir);
  EXPECT_EQ(image.status().code(), StatusCode::kInvalidArgument);
  std::string absent = "sha256:" + std::string(64, '0');
  EXPECT_EQ(t.MarkerOf("oci:" + t.dir + "@" + absent),
            "blob " + absent + " not found in " + t.dir);
}

TEST(OciLayoutTest, PrefersLatestWithoutATag) {
  TaggedLayout t;
  t.WriteIndex(Json::array(
      {t.Entry(0, {{"org.opencontainers.image.ref.name", "v1"}}),
       t.Entry(1, {{"org.opencontainers.image.ref.name", "latest"}})}));
  EXPECT_EQ(t.MarkerOf("oci:" + t.dir), "two");
  // Untagged entries: index.json itself is resolved as an index.
  t.WriteIndex(Json::array({t.Entry(0, nullptr), t.Entry(1, nullptr)}));
  std::string result = t.MarkerOf("oci:" + t.dir);
  EXPECT_NE(result.find(": index lists 2 manifests without platform "
                        "information"),
            std::string::npos)
      << result;
}

TEST(OciLayoutTest, DetectsCorruptBlobsWhileReading) {
  std::string dir = testing::MakeTempDir("strata-corrupt-");
  auto written = testing::WriteOciLayout(dir, {MakeImage("one")});
  ASSERT_TRUE(written.ok());
  const std::string layer = (*written)[0].layer_digests[1];
  std::string path = BlobFile(dir, layer);
  std::string bytes = ReadFile(path);
  bytes[bytes.size() / 2] ^= 0x20;
  WriteFile(path, bytes);

  Result<std::unique_ptr<Image>> image = Open("oci:" + dir);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_TRUE(ReadLayer(**image, 0).ok());
  Result<std::string> read = ReadLayer(**image, 1);
  EXPECT_EQ(read.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(read.status().ToString(),
            "blob " + layer + ": digest mismatch: got " +
                Sha256Of(bytes).ToString() + ", want " + layer);

  // A blob larger than its descriptor.
  bytes[bytes.size() / 2] ^= 0x20;
  WriteFile(path, bytes + "trailing");
  read = ReadLayer(**image, 1);
  EXPECT_EQ(read.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(read.status().ToString(), "blob " + layer +
                                          ": larger than its descriptor size " +
                                          std::to_string(bytes.size()));
}

TEST(OciLayoutTest, RefusesBlobSymlinksOutOfTheLayout) {
  std::string dir = testing::MakeTempDir("strata-symlink-");
  auto written = testing::WriteOciLayout(dir, {MakeImage("one")});
  ASSERT_TRUE(written.ok());
  const std::string layer = (*written)[0].layer_digests[0];
  std::string path = BlobFile(dir, layer);
  std::string outside = dir + ".outside";
  WriteFile(outside, ReadFile(path));
  ASSERT_EQ(::unlink(path.c_str()), 0);
  ASSERT_EQ(::symlink(outside.c_str(), path.c_str()), 0);

  Result<std::unique_ptr<Image>> image = Open("oci:" + dir);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  Result<std::string> read = ReadLayer(**image, 0);
  EXPECT_EQ(read.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(read.status().ToString(), path + ": refusing to follow a symlink");
  ::unlink(outside.c_str());
}

TEST(OciLayoutTest, ReportsMissingBlobsAndBadLayoutFiles) {
  std::string dir = testing::MakeTempDir("strata-bad-");
  auto written = testing::WriteOciLayout(dir, {MakeImage("one")});
  ASSERT_TRUE(written.ok());
  const testing::WrittenImage& w = (*written)[0];

  std::string config = BlobFile(dir, w.config_digest);
  std::string config_bytes = ReadFile(config);
  ASSERT_EQ(::unlink(config.c_str()), 0);
  Result<std::unique_ptr<Image>> image = Open("oci:" + dir);
  EXPECT_EQ(image.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(image.status().ToString(), "manifest " + w.manifest_digest +
                                           ": blob " + w.config_digest +
                                           " not found in " + dir);
  WriteFile(config, config_bytes);
  ASSERT_TRUE(Open("oci:" + dir).ok());

  WriteFile(dir + "/oci-layout", R"({"imageLayoutVersion":"2.0.0"})");
  image = Open("oci:" + dir);
  EXPECT_EQ(image.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(image.status().ToString(),
            dir + "/oci-layout: unsupported imageLayoutVersion \"2.0.0\"");

  ASSERT_EQ(::unlink((dir + "/oci-layout").c_str()), 0);
  image = Open("oci:" + dir);
  EXPECT_EQ(image.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(image.status().ToString(),
            dir + " is not an OCI layout: no oci-layout file");

  WriteFile(dir + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  WriteFile(dir + "/index.json",
            std::string(caps::kMaxLayoutFileBytes + 1, ' '));
  image = Open("oci:" + dir);
  EXPECT_EQ(image.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(image.status().ToString(),
            dir + "/index.json is 4194305 bytes, over the cap of 4194304");

  WriteFile(dir + "/index.json", R"({"schemaVersion":2,"manifests":[]})");
  image = Open("oci:" + dir);
  EXPECT_EQ(image.status().ToString(), dir + "/index.json lists no manifests");
}

TEST(OpenImageTest, ReportsMissingPathsAndRootfs) {
  std::string dir = testing::MakeTempDir("strata-open-");
  for (std::string prefix : {"oci:", "oci-archive:", "docker-archive:"}) {
    Result<std::unique_ptr<Image>> image = Open(prefix + dir + "/missing");
    EXPECT_EQ(image.status().code(), StatusCode::kNotFound);
    EXPECT_EQ(image.status().ToString(),
              dir + "/missing: no such file or directory");
  }
  Result<std::unique_ptr<Image>> image = Open("dir:" + dir);
  EXPECT_EQ(image.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(image.status().ToString(), "dir: references are not OCI images");
  image = Open("oci-archive:" + dir);
  EXPECT_EQ(image.status().ToString(), dir + " is not a regular file");
  WriteFile(dir + "/file", "x");
  image = Open("oci:" + dir + "/file");
  EXPECT_EQ(image.status().ToString(), dir + "/file is not a directory");
}

TEST(OciArchiveTest, MatchesTheLayout) {
  std::string dir = testing::MakeTempDir("strata-ociarchive-");
  testing::TestImage image = MakeImage("one");
  auto written = testing::WriteOciArchive(dir + "/img.tar", {image}, "v1");
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  Result<std::unique_ptr<Image>> opened =
      Open("oci-archive:" + dir + "/img.tar:v1");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  const ImageMetadata& md = (*opened)->metadata();
  EXPECT_EQ(md.transport, Transport::kOciArchive);
  EXPECT_EQ(md.manifest.digest.ToString(), (*written)[0].manifest_digest);
  EXPECT_EQ(md.config_bytes, (*written)[0].config_json);
  for (size_t i = 0; i < 2; ++i) {
    Result<std::string> blob = ReadLayer(**opened, i);
    ASSERT_TRUE(blob.ok()) << blob.status().ToString();
    EXPECT_EQ(*blob, testing::Gzip(image.layers[i].tar));
  }
}

// An OCI archive written by hand: duplicate members (last wins), a
// hardlinked index.json and a corrupt layer.
TEST(OciArchiveTest, IndexesMembersLastWinsAndHardlinks) {
  std::string dir = testing::MakeTempDir("strata-ociarchive-");
  auto written = testing::WriteOciLayout(dir + "/layout", {MakeImage("one")});
  ASSERT_TRUE(written.ok());
  const testing::WrittenImage& w = (*written)[0];
  std::string layout = dir + "/layout";
  std::string layer0 = ReadFile(BlobFile(layout, w.layer_digests[0]));
  std::string bad_layer0 = layer0;
  bad_layer0[10] ^= 1;
  auto blob = [&](const std::string& d) {
    return "blobs/sha256/" + d.substr(7);
  };
  testing::TarWriter tw;
  tw.File("oci-layout", "garbage")
      .File("./oci-layout", ReadFile(layout + "/oci-layout"))
      .File("index.json.orig", ReadFile(layout + "/index.json"))
      .Hardlink("index.json", "index.json.orig")
      .File(blob(w.manifest_digest), w.manifest_json)
      .File("/" + blob(w.config_digest), w.config_json)
      .File(blob(w.layer_digests[0]), bad_layer0)
      .File(blob(w.layer_digests[1]),
            ReadFile(BlobFile(layout, w.layer_digests[1])));
  WriteFile(dir + "/img.tar", tw.Finish());

  Result<std::unique_ptr<Image>> image =
      Open("oci-archive:" + dir + "/img.tar");
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_TRUE(ReadLayer(**image, 1).ok());
  Result<std::string> read = ReadLayer(**image, 0);
  EXPECT_EQ(read.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(read.status().ToString(), "blob " + w.layer_digests[0] +
                                          ": digest mismatch: got " +
                                          Sha256Of(bad_layer0).ToString() +
                                          ", want " + w.layer_digests[0]);
}

TEST(OciArchiveTest, RejectsCompressedAndTruncatedArchives) {
  std::string dir = testing::MakeTempDir("strata-ociarchive-");
  auto written = testing::WriteOciArchive(dir + "/img.tar", {MakeImage("a")});
  ASSERT_TRUE(written.ok());
  std::string tar = ReadFile(dir + "/img.tar");
  WriteFile(dir + "/img.tar.gz", testing::Gzip(tar));
  Result<std::unique_ptr<Image>> image =
      Open("oci-archive:" + dir + "/img.tar.gz");
  EXPECT_EQ(image.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(image.status().ToString(),
            "compressed image archives are not supported; decompress " + dir +
                "/img.tar.gz first");
  WriteFile(dir + "/cut.tar", tar.substr(0, tar.size() / 2 + 100));
  image = Open("oci-archive:" + dir + "/cut.tar");
  EXPECT_FALSE(image.ok());
  EXPECT_EQ(image.status().code(), StatusCode::kDataLoss)
      << image.status().ToString();
}

TEST(DockerArchiveTest, AgreesWithTheOciArchive) {
  std::string dir = testing::MakeTempDir("strata-docker-");
  testing::TestImage image = MakeImage("same");
  ASSERT_TRUE(testing::WriteOciArchive(dir + "/oci.tar", {image}).ok());
  auto written = testing::WriteDockerArchive(dir + "/docker.tar", {image});
  ASSERT_TRUE(written.ok()) << written.status().ToString();

  Result<std::unique_ptr<Image>> oci = Open("oci-archive:" + dir + "/oci.tar");
  Result<std::unique_ptr<Image>> docker =
      Open("docker-archive:" + dir + "/docker.tar");
  ASSERT_TRUE(oci.ok()) << oci.status().ToString();
  ASSERT_TRUE(docker.ok()) << docker.status().ToString();
  const ImageMetadata& o = (*oci)->metadata();
  const ImageMetadata& d = (*docker)->metadata();
  EXPECT_EQ(d.transport, Transport::kDockerArchive);
  EXPECT_EQ(d.config_bytes, o.config_bytes);
  EXPECT_EQ(d.config_descriptor.digest, o.config_descriptor.digest);
  EXPECT_EQ(d.config.diff_ids, o.config.diff_ids);
  EXPECT_EQ(d.repo_tags, std::vector<std::string>{"example.com/test:latest"});
  // The synthesised manifest is a docker one and its digest is its own.
  EXPECT_EQ(d.manifest.media_type, media::kDockerManifest);
  EXPECT_EQ(d.manifest.digest, Sha256Of(d.manifest_bytes));
  ASSERT_EQ(d.layers.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(d.layers[i].diff_id, o.layers[i].diff_id);
    EXPECT_EQ(d.layers[i].descriptor.media_type,
              "application/vnd.docker.image.rootfs.diff.tar");
    EXPECT_EQ(d.layers[i].descriptor.digest, *d.layers[i].diff_id);
    EXPECT_EQ(d.layers[i].descriptor.size,
              static_cast<int64_t>(image.layers[i].tar.size()));
    Result<std::string> blob = ReadLayer(**docker, i);
    ASSERT_TRUE(blob.ok()) << blob.status().ToString();
    EXPECT_EQ(*blob, image.layers[i].tar);
  }
}

TEST(DockerArchiveTest, SelectsByRepoTagAndIndex) {
  std::string dir = testing::MakeTempDir("strata-docker-");
  std::string file = dir + "/two.tar";
  ASSERT_TRUE(testing::WriteDockerArchive(
                  file, {MakeImage("first"), MakeImage("second")},
                  {"example.com/a:1", "b"})
                  .ok());
  auto marker = [&](const std::string& ref) -> std::string {
    Result<std::unique_ptr<Image>> image = Open(ref);
    if (!image.ok()) return image.status().ToString();
    return (*image)->metadata().config.labels.at("marker");
  };
  std::string prefix = "docker-archive:" + file;
  EXPECT_EQ(marker(prefix + ":example.com/a:1"), "first");
  EXPECT_EQ(marker(prefix + ":b"), "second");
  EXPECT_EQ(marker(prefix + ":b:latest"), "second");
  EXPECT_EQ(marker(prefix + ":docker.io/library/b:latest"), "second");
  EXPECT_EQ(marker(prefix + ":0"), "first");
  EXPECT_EQ(marker(prefix + ":@1"), "second");
  EXPECT_EQ(marker(prefix + ":@2"),
            "no image @2 in " + file + ": it holds 2 images");
  EXPECT_EQ(marker(prefix + ":example.com/a:2"),
            "no image tagged \"example.com/a:2\" in " + file +
                "; available: example.com/a:1, b");
  EXPECT_EQ(marker(prefix), file +
                                " holds 2 images; choose one with :REF or :@N "
                                "(tags: example.com/a:1, b)");
  Result<std::unique_ptr<Image>> image = Open(prefix + ":@1");
  ASSERT_TRUE(image.ok());
  EXPECT_EQ((*image)->metadata().repo_tags, std::vector<std::string>{"b"});
}

// `docker save` variants written by hand: symlinked layers (skopeo), gzip
// members, digest-named blobs, corrupt content.
struct HandDocker {
  std::string layer_tar =
      testing::TarWriter().File("etc/hostname", "hand\n").Finish();
  std::string diff_id = Sha256Of(layer_tar).ToString();
  std::string config = ConfigJson({diff_id});
  std::string config_hex = Sha256Of(config).hex();

  std::string Write(const std::string& file, testing::TarWriter& tw,
                    const std::string& config_name,
                    const std::string& layer_name) {
    Json manifest = Json::array({Json{{"Config", config_name},
                                      {"RepoTags", {"hand:latest"}},
                                      {"Layers", {layer_name}}}});
    tw.File("manifest.json", json::Dump(manifest));
    WriteFile(file, tw.Finish());
    return "docker-archive:" + file;
  }
};

TEST(DockerArchiveTest, FollowsSymlinkedLayersAndVerifiesThem) {
  std::string dir = testing::MakeTempDir("strata-docker-");
  HandDocker h;
  std::string hex = h.diff_id.substr(7);
  testing::TarWriter tw;
  tw.File(hex + ".tar", h.layer_tar)
      .Symlink("layerid/layer.tar", "../" + hex + ".tar")
      .File(h.config_hex + ".json", h.config);
  std::string ref =
      h.Write(dir + "/a.tar", tw, h.config_hex + ".json", "layerid/layer.tar");
  Result<std::unique_ptr<Image>> image = Open(ref);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(*ReadLayer(**image, 0), h.layer_tar);

  // The same archive with a corrupt layer: opens, fails while read.
  std::string bad = h.layer_tar;
  bad[600] ^= 1;
  testing::TarWriter tw2;
  tw2.File("layerid/layer.tar", bad).File(h.config_hex + ".json", h.config);
  ref =
      h.Write(dir + "/b.tar", tw2, h.config_hex + ".json", "layerid/layer.tar");
  image = Open(ref);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  Result<std::string> read = ReadLayer(**image, 0);
  EXPECT_EQ(read.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(read.status().ToString(),
            "blob " + h.diff_id + ": digest mismatch: got " +
                Sha256Of(bad).ToString() + ", want " + h.diff_id);
}

TEST(DockerArchiveTest, DescribesCompressedLayers) {
  std::string dir = testing::MakeTempDir("strata-docker-");
  HandDocker h;
  std::string gz = testing::Gzip(h.layer_tar);
  std::string gz_digest = Sha256Of(gz).ToString();
  // Digest-named: verified against the name.
  testing::TarWriter tw;
  tw.File("blobs/sha256/" + gz_digest.substr(7), gz)
      .File("blobs/sha256/" + h.config_hex, h.config);
  Result<std::unique_ptr<Image>> image =
      Open(h.Write(dir + "/named.tar", tw, "blobs/sha256/" + h.config_hex,
                   "blobs/sha256/" + gz_digest.substr(7)));
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  const LayerInfo& layer = (*image)->metadata().layers[0];
  EXPECT_EQ(layer.descriptor.media_type, media::kDockerLayerGzip);
  EXPECT_EQ(layer.descriptor.digest.ToString(), gz_digest);
  EXPECT_EQ(layer.diff_id->ToString(), h.diff_id);
  EXPECT_EQ(*ReadLayer(**image, 0), gz);

  // Not digest-named: described by its diff_id, passed through as is.
  testing::TarWriter tw2;
  tw2.File("layer.tar.gz", gz).File("config.json", h.config);
  image =
      Open(h.Write(dir + "/plain.tar", tw2, "config.json", "./layer.tar.gz"));
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  const LayerInfo& plain = (*image)->metadata().layers[0];
  EXPECT_EQ(plain.descriptor.media_type, media::kDockerLayerGzip);
  EXPECT_EQ(plain.descriptor.digest.ToString(), h.diff_id);
  EXPECT_EQ(plain.descriptor.size, static_cast<int64_t>(gz.size()));
  EXPECT_EQ(*ReadLayer(**image, 0), gz);
}

TEST(DockerArchiveTest, RejectsBadArchives) {
  std::string dir = testing::MakeTempDir("strata-docker-");
  HandDocker h;
  std::string wrong_hex(64, 'a');
  {
    testing::TarWriter tw;
    tw.File("l.tar", h.layer_tar).File(wrong_hex + ".json", h.config);
    Result<std::unique_ptr<Image>> image =
        Open(h.Write(dir + "/a.tar", tw, wrong_hex + ".json", "l.tar"));
    EXPECT_EQ(image.status().code(), StatusCode::kDataLoss);
    EXPECT_EQ(image.status().ToString(),
              "config " + wrong_hex + ".json: digest mismatch: got sha256:" +
                  h.config_hex + ", want sha256:" + wrong_hex);
  }
  {
    testing::TarWriter tw;
    tw.File("c.json", h.config);
    Result<std::unique_ptr<Image>> image =
        Open(h.Write(dir + "/b.tar", tw, "c.json", "../../etc/passwd"));
    EXPECT_EQ(image.status().code(), StatusCode::kPermissionDenied);
    EXPECT_EQ(image.status().ToString(),
              dir +
                  "/b.tar: member \"../../etc/passwd\": path "
                  "\"../../etc/passwd\" climbs above the image root");
  }
  {
    testing::TarWriter tw;
    tw.File("c.json", h.config);
    Result<std::unique_ptr<Image>> image =
        Open(h.Write(dir + "/c.tar", tw, "c.json", "missing/layer.tar"));
    EXPECT_EQ(image.status().code(), StatusCode::kNotFound);
    EXPECT_EQ(image.status().ToString(),
              dir + "/c.tar: no member missing/layer.tar");
  }
  {
    testing::TarWriter tw;
    tw.File("c.json", h.config).File("l1", "x").File("l2", "y");
    Result<std::unique_ptr<Image>> image =
        Open(h.Write(dir + "/d.tar", tw, "c.json", "l1"));
    ASSERT_TRUE(image.ok());  // one layer, one diff_id
    Json manifest =
        Json::array({Json{{"Config", "c.json"}, {"Layers", {"l1", "l2"}}}});
    testing::TarWriter tw2;
    tw2.File("c.json", h.config)
        .File("l1", "x")
        .File("l2", "y")
        .File("manifest.json", json::Dump(manifest));
    WriteFile(dir + "/e.tar", tw2.Finish());
    image = Open("docker-archive:" + dir + "/e.tar");
    EXPECT_EQ(image.status().code(), StatusCode::kDataLoss);
    EXPECT_EQ(image.status().ToString(),
              dir +
                  "/e.tar: manifest.json: config lists 1 diff_ids but the "
                  "manifest has 2 layers");
  }
  {
    testing::TarWriter tw;
    tw.File("manifest.json", R"({"Config":"c.json"})");
    WriteFile(dir + "/f.tar", tw.Finish());
    Result<std::unique_ptr<Image>> image =
        Open("docker-archive:" + dir + "/f.tar");
    EXPECT_EQ(image.status().code(), StatusCode::kDataLoss);
    EXPECT_EQ(image.status().ToString(),
              dir + "/f.tar: manifest.json is not a JSON array");
  }
  {
    testing::TarWriter tw;
    tw.File("manifest.json", R"([{"Config":"c.json","Layers":"l"}])");
    WriteFile(dir + "/g.tar", tw.Finish());
    Result<std::unique_ptr<Image>> image =
        Open("docker-archive:" + dir + "/g.tar");
    EXPECT_EQ(image.status().ToString(),
              dir +
                  "/g.tar: manifest.json[0]: field \"Layers\" must be an "
                  "array of strings");
  }
}

}  // namespace
}  // namespace strata::oci
