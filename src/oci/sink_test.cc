#include "oci/sink.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "base/json.h"
#include "oci/image.h"
#include "testing/compress.h"
#include "testing/image_writer.h"
#include "testing/tar_writer.h"
#include "testing/test_util.h"

namespace strata::oci {
namespace {

using json::Json;

// A temporary directory, removed with everything in it at scope exit.
struct TempDir {
  std::string path = testing::MakeTempDir("strata-sink-");
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

std::set<std::string> List(const std::string& dir) {
  std::set<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.insert(n);
  }
  ::closedir(d);
  return out;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

ImageRef Ref(Transport t, const std::string& path) {
  ImageRef r;
  r.transport = t;
  r.path = path;
  return r;
}

Descriptor Describe(std::string_view media_type, const std::string& bytes) {
  Descriptor d;
  d.media_type = std::string(media_type);
  d.digest = Sha256Of(bytes);
  d.size = static_cast<int64_t>(bytes.size());
  return d;
}

std::function<Result<std::unique_ptr<ByteSource>>()> Bytes(
    const std::string& data) {
  return [data]() -> Result<std::unique_ptr<ByteSource>> {
    return std::unique_ptr<ByteSource>(std::make_unique<StringSource>(data));
  };
}

Json DescriptorJson(const Descriptor& d) {
  return Json{{"mediaType", d.media_type},
              {"digest", d.digest.ToString()},
              {"size", d.size}};
}

// A tiny but valid image: one layer, its config, its manifest.
struct TinyImage {
  std::string tar;
  std::string layer;
  std::string config;
  std::string manifest;
  Descriptor layer_d, config_d, manifest_d;
  explicit TinyImage(bool gzip = false, const std::string& id = "tiny") {
    tar = testing::TarWriter().File("etc/os-release", "ID=" + id).Finish();
    layer = gzip ? testing::Gzip(tar) : tar;
    layer_d = Describe(gzip ? media::kOciLayerGzip : media::kOciLayer, layer);
    config = json::Dump(
        Json{{"architecture", "amd64"},
             {"os", "linux"},
             {"rootfs",
              {{"type", "layers"}, {"diff_ids", {Sha256Of(tar).ToString()}}}}});
    config_d = Describe(media::kOciConfig, config);
    manifest =
        json::Dump(Json{{"schemaVersion", 2},
                        {"mediaType", media::kOciManifest},
                        {"config", DescriptorJson(config_d)},
                        {"layers", Json::array({DescriptorJson(layer_d)})}});
    manifest_d = Describe(media::kOciManifest, manifest);
  }
  // Writes it all into `sink`, in the order Copy uses.
  Status PutAll(ImageSink& sink, const std::string& tag) const {
    if (!sink.PreservesManifests()) {
      RETURN_IF_ERROR(sink.PutManifest(manifest_d, manifest, tag));
    }
    RETURN_IF_ERROR(sink.PutBlob(config_d, Bytes(config)));
    RETURN_IF_ERROR(sink.PutBlob(layer_d, Bytes(layer)));
    if (sink.PreservesManifests()) {
      RETURN_IF_ERROR(sink.PutManifest(manifest_d, manifest, tag));
    }
    return Status::Ok();
  }
};

Result<std::unique_ptr<Image>> OpenRef(const ImageRef& ref) {
  return OpenImage(ref, OpenOptions{});
}

TEST(LayoutSinkTest, NewLayoutAppearsOnlyAtCommit) {
  TempDir tmp;
  std::string parent = tmp.path;
  std::string dir = parent + "/out";
  TinyImage image;
  auto sink = OpenLocalSink(Ref(Transport::kOciLayout, dir), {});
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  ASSERT_TRUE(image.PutAll(**sink, "v1").ok());
  EXPECT_FALSE(Exists(dir));
  ASSERT_TRUE((*sink)->Commit().ok());
  sink->reset();
  EXPECT_EQ(List(parent), std::set<std::string>{"out"});
  EXPECT_EQ(List(dir),
            (std::set<std::string>{"blobs", "index.json", "oci-layout"}));
  EXPECT_EQ(List(dir + "/blobs/sha256"),
            (std::set<std::string>{image.layer_d.digest.hex(),
                                   image.config_d.digest.hex(),
                                   image.manifest_d.digest.hex()}));
  EXPECT_EQ(testing::ReadTestFile(dir + "/index.json"),
            "{\"manifests\":[{\"annotations\":{\"org.opencontainers.image."
            "ref.name\":\"v1\"},\"digest\":\"" +
                image.manifest_d.digest.ToString() +
                "\",\"mediaType\":\"application/vnd.oci.image.manifest.v1+"
                "json\",\"size\":" +
                std::to_string(image.manifest.size()) +
                "}],\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
                "\"schemaVersion\":2}");

  Result<std::unique_ptr<Image>> back =
      OpenRef(Ref(Transport::kOciLayout, dir));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ((*back)->metadata().manifest.digest.ToString(),
            image.manifest_d.digest.ToString());
  EXPECT_EQ((*back)->metadata().repo_tags, std::vector<std::string>{"v1"});
}

TEST(LayoutSinkTest, AbandonedNewLayoutLeavesNothing) {
  TempDir tmp;
  std::string parent = tmp.path;
  TinyImage image;
  {
    auto sink = OpenLocalSink(Ref(Transport::kOciLayout, parent + "/out"), {});
    ASSERT_TRUE(sink.ok()) << sink.status().ToString();
    ASSERT_TRUE(image.PutAll(**sink, "v1").ok());
  }
  EXPECT_TRUE(List(parent).empty());
}

TEST(LayoutSinkTest, EmptyDirectoryBecomesALayout) {
  TempDir tmp;
  std::string dir = tmp.path;
  TinyImage image;
  auto sink = OpenLocalSink(Ref(Transport::kOciLayout, dir), {});
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  ASSERT_TRUE(image.PutAll(**sink, "").ok());
  ASSERT_TRUE((*sink)->Commit().ok());
  Result<std::unique_ptr<Image>> back =
      OpenRef(Ref(Transport::kOciLayout, dir));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE((*back)->metadata().repo_tags.empty());
}

TEST(LayoutSinkTest, RefusesWhatIsNotALayout) {
  TempDir tmp;
  std::string dir = tmp.path;
  WriteFile(dir + "/file", "x");
  auto sink = OpenLocalSink(Ref(Transport::kOciLayout, dir), {});
  EXPECT_EQ(sink.status().ToString(),
            dir + " exists and is not an OCI layout (no oci-layout file)");
  sink = OpenLocalSink(Ref(Transport::kOciLayout, dir + "/file"), {});
  EXPECT_EQ(sink.status().ToString(),
            dir + "/file exists and is not a directory");
  sink = OpenLocalSink(Ref(Transport::kOciLayout, dir + "/no/such"), {});
  EXPECT_EQ(sink.status().ToString(), "cannot create " + dir + "/no/such: " +
                                          dir + "/no is not a directory");
  WriteFile(dir + "/oci-layout", "{\"imageLayoutVersion\":\"2.0.0\"}");
  sink = OpenLocalSink(Ref(Transport::kOciLayout, dir), {});
  EXPECT_EQ(sink.status().ToString(),
            dir + "/oci-layout: unsupported imageLayoutVersion \"2.0.0\"");
  sink = OpenLocalSink(Ref(Transport::kRegistry, ""), {});
  EXPECT_EQ(sink.status().ToString(),
            "docker: references are not local destinations");
}

TEST(LayoutSinkTest, MismatchedBlobLeavesNothing) {
  TempDir tmp;
  std::string dir = tmp.path;
  ASSERT_TRUE(testing::WriteOciLayout(dir, {}, "").ok());
  auto sink = OpenLocalSink(Ref(Transport::kOciLayout, dir), {});
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  Descriptor d = Describe(media::kOciLayer, "the real bytes");
  Status s = (*sink)->PutBlob(d, Bytes("other bytes!!!"));
  EXPECT_EQ(s.ToString(), "blob " + d.digest.ToString() +
                              ": digest mismatch: got " +
                              Sha256Of("other bytes!!!").ToString() +
                              ", want " + d.digest.ToString());
  s = (*sink)->PutBlob(d, Bytes("the real bytes and more"));
  EXPECT_EQ(s.ToString(), "blob " + d.digest.ToString() +
                              ": larger than its descriptor size 14");
  s = (*sink)->PutBlob(d, Bytes("the real"));
  EXPECT_EQ(s.ToString(),
            "blob " + d.digest.ToString() + ": truncated: got 8 of 14 bytes");
  EXPECT_TRUE(List(dir + "/blobs/sha256").empty());
  Result<bool> has = (*sink)->HasBlob(d);
  ASSERT_TRUE(has.ok());
  EXPECT_FALSE(*has);
  ASSERT_TRUE((*sink)->PutBlob(d, Bytes("the real bytes")).ok());
  has = (*sink)->HasBlob(d);
  ASSERT_TRUE(has.ok());
  EXPECT_TRUE(*has);
  // A manifest is verified too.
  TinyImage image;
  s = (*sink)->PutManifest(image.manifest_d, image.manifest + " ", "x");
  EXPECT_EQ(s.ToString(), "manifest " + image.manifest_d.digest.ToString() +
                              ": larger than its descriptor size " +
                              std::to_string(image.manifest.size()));
}

TEST(LayoutSinkTest, ExistingLayoutKeepsOtherEntriesAndReplacesTheTag) {
  TempDir tmp;
  std::string dir = tmp.path;
  testing::TestImage one;
  one.layers.push_back({testing::TarWriter().File("a", "1").Finish(),
                        testing::LayerCompression::kGzip, ""});
  auto written = testing::WriteOciLayout(dir, {one}, "keep");
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  // Extra fields survive the rewrite.
  auto j =
      json::Parse(testing::ReadTestFile(dir + "/index.json"), "index", 1 << 20);
  ASSERT_TRUE(j.ok());
  (*j)["annotations"] = Json{{"owner", "me"}};
  WriteFile(dir + "/index.json", json::Dump(*j));

  TinyImage image, replaced(false, "replaced");
  for (auto [put, tag] : {std::pair{&replaced, "new"}, std::pair{&image, "new"},
                          std::pair{&image, ""}, std::pair{&image, ""}}) {
    auto sink = OpenLocalSink(Ref(Transport::kOciLayout, dir), {});
    ASSERT_TRUE(sink.ok()) << sink.status().ToString();
    ASSERT_TRUE(put->PutAll(**sink, tag).ok());
    ASSERT_TRUE((*sink)->Commit().ok());
  }
  auto index =
      json::Parse(testing::ReadTestFile(dir + "/index.json"), "index", 1 << 20);
  ASSERT_TRUE(index.ok());
  EXPECT_EQ((*index)["annotations"]["owner"], "me");
  const Json& m = (*index)["manifests"];
  ASSERT_EQ(m.size(), 3u) << index->dump();
  EXPECT_EQ(m[0]["annotations"]["org.opencontainers.image.ref.name"], "keep");
  EXPECT_EQ(m[0]["digest"], (*written)[0].manifest_digest);
  EXPECT_EQ(m[1]["annotations"]["org.opencontainers.image.ref.name"], "new");
  EXPECT_EQ(m[1]["digest"], image.manifest_d.digest.ToString());
  EXPECT_FALSE(m[2].contains("annotations"));
  EXPECT_EQ(m[2]["digest"], image.manifest_d.digest.ToString());

  // Both tags open.
  for (const std::string tag : {"keep", "new"}) {
    ImageRef r = Ref(Transport::kOciLayout, dir);
    r.tag = tag;
    EXPECT_TRUE(OpenRef(r).ok()) << tag;
  }
}

TEST(LayoutSinkTest, AbandonedCopyLeavesIndexJsonUntouched) {
  TempDir tmp;
  std::string dir = tmp.path;
  ASSERT_TRUE(testing::WriteOciLayout(dir, {}, "").ok());
  std::string before = testing::ReadTestFile(dir + "/index.json");
  {
    auto sink = OpenLocalSink(Ref(Transport::kOciLayout, dir), {});
    ASSERT_TRUE(sink.ok()) << sink.status().ToString();
    ASSERT_TRUE(TinyImage().PutAll(**sink, "v1").ok());
  }
  EXPECT_EQ(testing::ReadTestFile(dir + "/index.json"), before);
}

TEST(LayoutSinkTest, CommitNeedsAManifest) {
  TempDir tmp;
  std::string parent = tmp.path;
  auto sink = OpenLocalSink(Ref(Transport::kOciLayout, parent + "/out"), {});
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  Status s = (*sink)->Commit();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(s.message().ends_with(": nothing to commit: no manifest written"))
      << s.ToString();
}

TEST(ArchiveSinkTest, ExistingFileIsReplacedOnlyAtCommit) {
  for (Transport t : {Transport::kOciArchive, Transport::kDockerArchive}) {
    TempDir tmp;
    std::string parent = tmp.path;
    std::string file = parent + "/image.tar";
    WriteFile(file, "old");
    TinyImage image;
    {
      auto sink = OpenLocalSink(Ref(t, file), {});
      ASSERT_TRUE(sink.ok()) << sink.status().ToString();
      ASSERT_TRUE(image.PutAll(**sink, "example.com/tiny:1").ok());
    }
    EXPECT_EQ(testing::ReadTestFile(file), "old");
    EXPECT_EQ(List(parent), std::set<std::string>{"image.tar"});

    auto sink = OpenLocalSink(Ref(t, file), {});
    ASSERT_TRUE(sink.ok()) << sink.status().ToString();
    ASSERT_TRUE(image.PutAll(**sink, "example.com/tiny:1").ok());
    ASSERT_TRUE((*sink)->Commit().ok());
    sink->reset();
    EXPECT_EQ(List(parent), std::set<std::string>{"image.tar"});
    Result<std::unique_ptr<Image>> back = OpenRef(Ref(t, file));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ((*back)->metadata().config_descriptor.digest.ToString(),
              image.config_d.digest.ToString());
    EXPECT_EQ((*back)->metadata().layers[0].descriptor.digest.ToString(),
              image.layer_d.digest.ToString());
  }
}

TEST(ArchiveSinkTest, RefusesADirectory) {
  TempDir tmp;
  std::string dir = tmp.path;
  auto sink = OpenLocalSink(Ref(Transport::kOciArchive, dir), {});
  EXPECT_EQ(sink.status().ToString(),
            dir + " exists and is not a regular file");
}

TEST(DockerArchiveSinkTest, WritesManifestJsonWithCanonicalRepoTags) {
  struct Case {
    std::string tag;
    std::vector<std::string> repo_tags;
  };
  for (const Case& c : std::vector<Case>{
           {"alpine:3.20", {"docker.io/library/alpine:3.20"}},
           {"example.com:5000/team/app:v1", {"example.com:5000/team/app:v1"}},
           {"latest", {}},
           {"example.com/app", {}},
           {"", {}}}) {
    TempDir tmp;
    std::string file = tmp.path + "/d.tar";
    TinyImage image(/*gzip=*/true);
    auto sink = OpenLocalSink(Ref(Transport::kDockerArchive, file), {});
    ASSERT_TRUE(sink.ok()) << sink.status().ToString();
    EXPECT_FALSE((*sink)->PreservesManifests());
    ASSERT_TRUE(image.PutAll(**sink, c.tag).ok());
    ASSERT_TRUE((*sink)->Commit().ok());
    sink->reset();

    auto src = OpenSource(Ref(Transport::kDockerArchive, file));
    ASSERT_TRUE(src.ok()) << src.status().ToString();
    EXPECT_EQ(src->base.repo_tags, c.repo_tags) << c.tag;
    auto back = OpenRef(Ref(Transport::kDockerArchive, file));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    const LayerInfo& layer = (*back)->metadata().layers[0];
    EXPECT_EQ(layer.descriptor.digest.ToString(),
              image.layer_d.digest.ToString());
    EXPECT_TRUE(layer.blob_verified);
  }
}

TEST(DockerArchiveSinkTest, RefusesIndexesAndNonImages) {
  TempDir tmp;
  std::string file = tmp.path + "/d.tar";
  auto sink = OpenLocalSink(Ref(Transport::kDockerArchive, file), {});
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  TinyImage image;
  std::string index = json::Dump(
      Json{{"schemaVersion", 2},
           {"mediaType", media::kOciIndex},
           {"manifests", Json::array({DescriptorJson(image.manifest_d)})}});
  const std::string kOneImage =
      "docker-archive holds one image; choose a platform or use an OCI "
      "destination";
  EXPECT_EQ((*sink)
                ->PutManifest(Describe(media::kOciIndex, index), index, "")
                .ToString(),
            kOneImage);
  ASSERT_TRUE((*sink)->PutManifest(image.manifest_d, image.manifest, "").ok());
  EXPECT_EQ(
      (*sink)->PutManifest(image.manifest_d, image.manifest, "").ToString(),
      kOneImage);
  EXPECT_EQ(
      (*sink)->Commit().ToString(),
      file + ": blob " + image.config_d.digest.ToString() + " was not written");

  auto other = OpenLocalSink(Ref(Transport::kDockerArchive, file), {});
  ASSERT_TRUE(other.ok());
  std::string artifact = json::Dump(
      Json{{"schemaVersion", 2},
           {"mediaType", media::kOciManifest},
           {"config",
            DescriptorJson(Describe("application/vnd.example+json", "{}"))},
           {"layers", Json::array()}});
  Descriptor ad = Describe(media::kOciManifest, artifact);
  EXPECT_EQ((*other)->PutManifest(ad, artifact, "").ToString(),
            "docker-archive holds container images only; manifest " +
                ad.digest.ToString() +
                " has config media type \"application/vnd.example+json\"");
  other->reset();
  sink->reset();
  EXPECT_FALSE(Exists(file));
}

}  // namespace
}  // namespace strata::oci
