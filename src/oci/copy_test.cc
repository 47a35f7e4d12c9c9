#include "oci/copy.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "base/caps.h"
#include "base/json.h"
#include "io/file_source.h"
#include "tar/tar_reader.h"
#include "testing/compress.h"
#include "testing/image_writer.h"
#include "testing/tar_writer.h"
#include "testing/test_util.h"

namespace strata::oci {
namespace {

using json::Json;

// A temporary directory, removed with everything in it at scope exit.
struct TempDir {
  std::string path = testing::MakeTempDir("strata-copy-");
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

ImageRef Ref(Transport t, const std::string& path,
             const std::string& tag = "") {
  ImageRef r;
  r.transport = t;
  r.path = path;
  r.tag = tag;
  return r;
}

testing::TestImage MakeImage(const std::string& marker,
                             const std::string& arch = "amd64") {
  testing::TestImage image;
  image.architecture = arch;
  for (std::string tar :
       {testing::TarWriter().File("etc/os-release", "ID=" + marker).Finish(),
        testing::TarWriter().Dir("app").File("app/run", marker).Finish()}) {
    testing::TestLayer layer;
    layer.tar = std::move(tar);
    image.layers.push_back(std::move(layer));
  }
  image.labels["marker"] = marker;
  return image;
}

// Opens `src`, copies it to a local sink for `dst`, destroys the sink.
Result<CopyReport> CopyTo(const ImageRef& src, const ImageRef& dst,
                          CopyOptions options = {}) {
  ASSIGN_OR_RETURN(ImageSource source, OpenSource(src));
  ASSIGN_OR_RETURN(std::unique_ptr<ImageSink> sink, OpenLocalSink(dst, {}));
  if (options.tag.empty()) options.tag = dst.tag;
  return Copy(source, *sink, options);
}

Result<std::unique_ptr<Image>> OpenRef(const ImageRef& ref,
                                       const std::string& platform = "") {
  OpenOptions options;
  if (!platform.empty()) options.platform = *ParsePlatform(platform);
  return OpenImage(ref, options);
}

std::vector<std::string> DiffIds(const Image& image) {
  std::vector<std::string> out;
  for (const LayerInfo& l : image.metadata().layers) {
    out.push_back(l.diff_id ? l.diff_id->ToString() : "");
  }
  return out;
}

std::vector<std::string> LayerDigests(const Image& image) {
  std::vector<std::string> out;
  for (const LayerInfo& l : image.metadata().layers) {
    out.push_back(l.descriptor.digest.ToString() + " " +
                  std::to_string(l.descriptor.size));
  }
  return out;
}

// What must survive every copy: the config, the layer blobs, the diffIDs.
void ExpectSameImage(const Image& a, const Image& b) {
  EXPECT_EQ(a.metadata().config_bytes, b.metadata().config_bytes);
  EXPECT_EQ(a.metadata().config_descriptor.digest.ToString(),
            b.metadata().config_descriptor.digest.ToString());
  EXPECT_EQ(LayerDigests(a), LayerDigests(b));
  EXPECT_EQ(DiffIds(a), DiffIds(b));
}

std::string FileDigest(const std::string& path) {
  return Sha256Of(testing::ReadTestFile(path)).ToString();
}

void FlipLastByte(const std::string& path) {
  std::string data = testing::ReadTestFile(path);
  data.back() ^= 0x01;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

std::string BlobFile(const std::string& layout, const std::string& digest) {
  return layout + "/blobs/sha256/" + digest.substr(7);
}

TEST(CopyTest, CopiesALayoutToANewLayout) {
  TempDir src_tmp;
  std::string src = src_tmp.path;
  auto written = testing::WriteOciLayout(src, {MakeImage("one")}, "latest");
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  TempDir dst_tmp;
  std::string dst = dst_tmp.path + "/out";

  int64_t max_done = 0, total = -1;
  std::mutex mu;
  CopyOptions options;
  options.on_progress = [&](int64_t done, int64_t all) {
    std::lock_guard<std::mutex> lock(mu);
    max_done = std::max(max_done, done);
    total = all;
  };
  Result<CopyReport> report =
      CopyTo(Ref(Transport::kOciLayout, src),
             Ref(Transport::kOciLayout, dst, "v1"), options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->top.digest.ToString(), (*written)[0].manifest_digest);
  EXPECT_EQ(report->top.media_type, media::kOciManifest);
  EXPECT_TRUE(report->top.annotations.empty());
  EXPECT_EQ(report->blobs_copied, 3);
  EXPECT_EQ(report->blobs_skipped, 0);
  EXPECT_TRUE(report->digests_preserved);
  EXPECT_TRUE(report->notes.empty());
  int64_t blob_bytes = 0;
  for (const std::string& d : (*written)[0].layer_digests) {
    blob_bytes +=
        static_cast<int64_t>(testing::ReadTestFile(BlobFile(src, d)).size());
  }
  blob_bytes += static_cast<int64_t>((*written)[0].config_json.size());
  EXPECT_EQ(report->bytes_copied, blob_bytes);
  EXPECT_EQ(total, blob_bytes);
  EXPECT_EQ(max_done, blob_bytes);

  auto a = OpenRef(Ref(Transport::kOciLayout, src));
  auto b = OpenRef(Ref(Transport::kOciLayout, dst, "v1"));
  ASSERT_TRUE(a.ok() && b.ok()) << b.status().ToString();
  ExpectSameImage(**a, **b);
  EXPECT_EQ((*b)->metadata().manifest_bytes, (*a)->metadata().manifest_bytes);
}

TEST(CopyTest, SkipsBlobsTheLayoutHasAndAddsTheTag) {
  TempDir src_tmp;
  std::string src = src_tmp.path;
  ASSERT_TRUE(testing::WriteOciLayout(src, {MakeImage("one")}, "").ok());
  TempDir dst_tmp;
  std::string dst = dst_tmp.path + "/out";
  ASSERT_TRUE(CopyTo(Ref(Transport::kOciLayout, src),
                     Ref(Transport::kOciLayout, dst, "v1"))
                  .ok());
  Result<CopyReport> again = CopyTo(Ref(Transport::kOciLayout, src),
                                    Ref(Transport::kOciLayout, dst, "v2"));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->blobs_copied, 0);
  EXPECT_EQ(again->blobs_skipped, 3);
  EXPECT_EQ(again->bytes_copied, 0);
  for (const std::string tag : {"v1", "v2"}) {
    EXPECT_TRUE(OpenRef(Ref(Transport::kOciLayout, dst, tag)).ok()) << tag;
  }
}

TEST(CopyTest, RoundTripsThroughBothArchives) {
  TempDir tmp;
  std::string dir = tmp.path;
  ASSERT_TRUE(
      testing::WriteOciLayout(dir + "/src", {MakeImage("one")}, "").ok());
  ImageRef src = Ref(Transport::kOciLayout, dir + "/src");
  ImageRef oci_archive = Ref(Transport::kOciArchive, dir + "/oci.tar", "t");
  ImageRef docker =
      Ref(Transport::kDockerArchive, dir + "/docker.tar", "example.com/one:1");
  ImageRef back = Ref(Transport::kOciLayout, dir + "/back", "final");

  Result<CopyReport> r = CopyTo(src, oci_archive);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->digests_preserved);
  r = CopyTo(oci_archive, docker);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->digests_preserved);
  EXPECT_EQ(r->notes,
            std::vector<std::string>{
                "the destination (docker-archive) stores no manifest: the "
                "manifest digest changes when it is read back; config and "
                "layer digests are kept"});
  r = CopyTo(docker, back);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->notes.size(), 1u);
  EXPECT_EQ(r->notes[0],
            "docker-archive stores no manifest: wrote the one synthesised "
            "from its manifest.json (" +
                r->top.digest.ToString() + ")");

  auto original = OpenRef(src);
  ASSERT_TRUE(original.ok());
  for (const ImageRef& ref : {oci_archive, docker, back}) {
    auto copy = OpenRef(ref);
    ASSERT_TRUE(copy.ok()) << copy.status().ToString();
    ExpectSameImage(**original, **copy);
    bool preserved = ref.transport == Transport::kOciArchive;
    EXPECT_EQ((*copy)->metadata().manifest.digest.ToString() ==
                  (*original)->metadata().manifest.digest.ToString(),
              preserved)
        << ref.ToString();
  }
  auto docker_source = OpenSource(docker);
  ASSERT_TRUE(docker_source.ok());
  EXPECT_EQ(docker_source->base.repo_tags,
            std::vector<std::string>{"example.com/one:1"});
}

TEST(CopyTest, ArchivesAreDeterministic) {
  TempDir tmp;
  std::string dir = tmp.path;
  ASSERT_TRUE(testing::WriteOciLayout(
                  dir + "/src",
                  {MakeImage("x86", "amd64"), MakeImage("arm", "arm64")}, "")
                  .ok());
  ImageRef src = Ref(Transport::kOciLayout, dir + "/src");
  CopyOptions all;
  all.all_platforms = true;
  for (std::string name : {"a", "b"}) {
    ASSERT_TRUE(
        CopyTo(src, Ref(Transport::kOciArchive, dir + "/" + name + ".oci"), all)
            .ok());
    CopyOptions one;
    one.platform = *ParsePlatform("linux/arm64");
    one.parallel = name == "a" ? 1 : 8;
    ASSERT_TRUE(CopyTo(src,
                       Ref(Transport::kDockerArchive,
                           dir + "/" + name + ".docker", "arm:1"),
                       one)
                    .ok());
  }
  EXPECT_EQ(FileDigest(dir + "/a.oci"), FileDigest(dir + "/b.oci"));
  EXPECT_EQ(FileDigest(dir + "/a.docker"), FileDigest(dir + "/b.docker"));

  // Sorted members (directories included), owner 0:0, mtime 0.
  for (auto [file, want_files] :
       {std::pair{dir + "/a.oci", 11}, std::pair{dir + "/a.docker", 4}}) {
    auto src = io::OpenFileSource(file);
    ASSERT_TRUE(src.ok());
    tar::Reader reader(**src);
    tar::Entry e;
    std::vector<std::string> names;
    int files = 0;
    while (true) {
      Result<bool> more = reader.Next(&e);
      ASSERT_TRUE(more.ok()) << more.status().ToString();
      if (!*more) break;
      names.push_back(e.name);
      EXPECT_EQ(e.mtime, 0) << e.name;
      EXPECT_EQ(e.uid, 0) << e.name;
      EXPECT_EQ(e.gid, 0) << e.name;
      bool is_dir = e.type == tar::EntryType::kDirectory;
      EXPECT_EQ(e.mode, is_dir ? 0755u : 0644u) << e.name;
      if (!is_dir) ++files;
    }
    EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
    EXPECT_EQ(names[0], "blobs/");
    EXPECT_EQ(names[1], "blobs/sha256/");
    // oci: oci-layout, index.json, 2 manifests, an index, 2 configs and 4
    // layers; docker: manifest.json, a config and 2 layers.
    EXPECT_EQ(files, want_files) << file;
  }
}

TEST(CopyTest, CopiesEveryPlatformOrOne) {
  TempDir tmp;
  std::string dir = tmp.path;
  auto written = testing::WriteOciLayout(
      dir + "/src", {MakeImage("x86", "amd64"), MakeImage("arm", "arm64")},
      "latest");
  ASSERT_TRUE(written.ok());
  ImageRef src = Ref(Transport::kOciLayout, dir + "/src");
  auto source = OpenSource(src);
  ASSERT_TRUE(source.ok());

  CopyOptions all;
  all.all_platforms = true;
  ImageRef everything = Ref(Transport::kOciLayout, dir + "/all", "multi");
  Result<CopyReport> r = CopyTo(src, everything, all);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->top.digest.ToString(), source->top.digest.ToString());
  EXPECT_EQ(r->top.media_type, media::kOciIndex);
  EXPECT_EQ(r->blobs_copied, 6);
  for (auto [platform, marker] :
       {std::pair{"linux/amd64", "x86"}, std::pair{"linux/arm64", "arm"}}) {
    auto image = OpenRef(everything, platform);
    ASSERT_TRUE(image.ok()) << image.status().ToString();
    EXPECT_EQ((*image)->metadata().config.labels.at("marker"), marker);
  }

  CopyOptions arm;
  arm.platform = *ParsePlatform("linux/arm64");
  ImageRef one = Ref(Transport::kOciLayout, dir + "/one", "arm");
  r = CopyTo(src, one, arm);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->top.digest.ToString(), (*written)[1].manifest_digest);
  EXPECT_EQ(r->blobs_copied, 3);
  EXPECT_EQ(r->notes, std::vector<std::string>{
                          "copied only linux/arm64 (manifest " +
                          (*written)[1].manifest_digest + ") of index " +
                          source->top.digest.ToString() +
                          " (it lists linux/amd64, linux/arm64)"});
  auto image = OpenRef(one);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ((*image)->metadata().config.labels.at("marker"), "arm");
  // index.json records the platform of the manifest it lists.
  auto index = json::Parse(testing::ReadTestFile(one.path + "/index.json"),
                           "index", 1 << 20);
  ASSERT_TRUE(index.ok());
  EXPECT_EQ((*index)["manifests"][0]["platform"],
            (Json{{"architecture", "arm64"}, {"os", "linux"}}));
  EXPECT_EQ(List(one.path + "/blobs/sha256").size(), 4u);

  // A docker archive takes one platform, never the index.
  std::string docker = dir + "/d.tar";
  r = CopyTo(src, Ref(Transport::kDockerArchive, docker), all);
  EXPECT_EQ(r.status().ToString(),
            "docker-archive holds one image; choose a platform or use an OCI "
            "destination");
  EXPECT_FALSE(Exists(docker));
  EXPECT_EQ(List(dir), (std::set<std::string>{"all", "one", "src"}));
}

TEST(CopyTest, CorruptSourceBlobChangesNothing) {
  TempDir tmp;
  std::string dir = tmp.path;
  auto written = testing::WriteOciLayout(dir + "/src", {MakeImage("one")}, "");
  ASSERT_TRUE(written.ok());
  const std::string& layer = (*written)[0].layer_digests[1];
  std::string layer_file = BlobFile(dir + "/src", layer);
  FlipLastByte(layer_file);
  std::string want_error = "blob " + layer + ": digest mismatch: got " +
                           FileDigest(layer_file) + ", want " + layer;
  ImageRef src = Ref(Transport::kOciLayout, dir + "/src");

  // New destinations: nothing appears.
  for (const ImageRef& dst :
       {Ref(Transport::kOciLayout, dir + "/new"),
        Ref(Transport::kOciArchive, dir + "/new.tar"),
        Ref(Transport::kDockerArchive, dir + "/new-docker.tar")}) {
    for (int parallel : {1, 4}) {
      CopyOptions options;
      options.parallel = parallel;
      Result<CopyReport> r = CopyTo(src, dst, options);
      EXPECT_EQ(r.status().ToString(), want_error) << dst.ToString();
    }
  }
  EXPECT_EQ(List(dir), std::set<std::string>{"src"});

  // An existing layout: index.json untouched.
  std::string existing = dir + "/existing";
  ASSERT_TRUE(testing::WriteOciLayout(existing, {MakeImage("two")}, "").ok());
  std::string before = testing::ReadTestFile(existing + "/index.json");
  Result<CopyReport> r =
      CopyTo(src, Ref(Transport::kOciLayout, existing, "one"));
  EXPECT_EQ(r.status().ToString(), want_error);
  EXPECT_EQ(testing::ReadTestFile(existing + "/index.json"), before);
  EXPECT_FALSE(Exists(BlobFile(existing, layer)));
}

// Serves blobs by digest without verifying them, so that tests can build
// what content addressing forbids (an index that lists itself).
class MemoryStore : public BlobStore {
 public:
  Descriptor Add(std::string_view media_type, const std::string& bytes) {
    Descriptor d;
    d.media_type = std::string(media_type);
    d.digest = Sha256Of(bytes);
    d.size = static_cast<int64_t>(bytes.size());
    blobs_[d.digest] = bytes;
    return d;
  }
  void Put(const Digest& d, const std::string& bytes) { blobs_[d] = bytes; }
  Result<std::unique_ptr<ByteSource>> Open(const Descriptor& d) override {
    auto it = blobs_.find(d.digest);
    if (it == blobs_.end()) {
      return NotFoundError("blob " + d.digest.ToString() + " not found");
    }
    return std::unique_ptr<ByteSource>(
        std::make_unique<StringSource>(it->second));
  }

 private:
  std::map<Digest, std::string> blobs_;
};

Json ToJson(const Descriptor& d) {
  return Json{{"mediaType", d.media_type},
              {"digest", d.digest.ToString()},
              {"size", d.size}};
}

std::string IndexJson(const std::vector<Descriptor>& entries) {
  Json m = Json::array();
  for (const Descriptor& d : entries) m.push_back(ToJson(d));
  return json::Dump(Json{
      {"schemaVersion", 2}, {"mediaType", media::kOciIndex}, {"manifests", m}});
}

Result<CopyReport> CopyFromStore(std::shared_ptr<BlobStore> store,
                                 const Descriptor& top, const std::string& dst,
                                 bool all_platforms) {
  ImageSource source{std::move(store), top, ImageMetadata{}};
  ASSIGN_OR_RETURN(std::unique_ptr<ImageSink> sink,
                   OpenLocalSink(Ref(Transport::kOciLayout, dst), {}));
  CopyOptions options;
  options.all_platforms = all_platforms;
  return Copy(source, *sink, options);
}

TEST(CopyTest, RefusesIndexLoopsAndDeepNesting) {
  TempDir tmp;
  std::string dir = tmp.path;
  auto store = std::make_shared<MemoryStore>();
  Digest self = Sha256Of("pretend");
  Descriptor entry;
  entry.media_type = std::string(media::kOciIndex);
  entry.digest = self;
  entry.size = 1;
  std::string doc = IndexJson({entry});
  store->Put(self, doc);
  Descriptor loop = entry;
  loop.size = static_cast<int64_t>(doc.size());
  for (bool all : {true, false}) {
    Result<CopyReport> r = CopyFromStore(store, loop, dir + "/out", all);
    EXPECT_EQ(r.status().ToString(),
              "index " + self.ToString() + ": index loop");
  }

  // kMaxIndexDepth + 1 nested indexes over one manifest.
  std::string config = json::Dump(
      Json{{"architecture", "amd64"},
           {"os", "linux"},
           {"rootfs", {{"type", "layers"}, {"diff_ids", Json::array()}}}});
  Descriptor top = store->Add(
      media::kOciManifest,
      json::Dump(Json{{"schemaVersion", 2},
                      {"mediaType", media::kOciManifest},
                      {"config", ToJson(store->Add(media::kOciConfig, config))},
                      {"layers", Json::array()}}));
  std::string deepest;
  for (int i = 0; i <= caps::kMaxIndexDepth; ++i) {
    top = store->Add(media::kOciIndex, IndexJson({top}));
    if (i == 0) deepest = top.digest.ToString();
  }
  Result<CopyReport> r = CopyFromStore(store, top, dir + "/out", true);
  EXPECT_EQ(r.status().ToString(),
            "index " + deepest + ": indexes nest deeper than 8 levels");
  EXPECT_TRUE(List(dir).empty());
}

TEST(CopyTest, RefusesHugeDeclaredSizes) {
  TempDir tmp;
  std::string dir = tmp.path;
  auto store = std::make_shared<MemoryStore>();
  // A manifest declared larger than the cap is not read.
  Descriptor big = store->Add(media::kOciManifest, "{}");
  big.size = caps::kMaxManifestBytes + 1;
  Result<CopyReport> r = CopyFromStore(store, big, dir + "/out", false);
  EXPECT_EQ(r.status().ToString(), "blob " + big.digest.ToString() +
                                       " is 4194305 bytes, over the cap of "
                                       "4194304");
  // A layer declared at 2^62 bytes: streamed, and found short.
  std::string config = json::Dump(
      Json{{"architecture", "amd64"},
           {"os", "linux"},
           {"rootfs",
            {{"type", "layers"}, {"diff_ids", {Sha256Of("x").ToString()}}}}});
  Descriptor layer = store->Add(media::kOciLayer, "x");
  layer.size = int64_t{1} << 62;
  Descriptor manifest = store->Add(
      media::kOciManifest,
      json::Dump(Json{{"schemaVersion", 2},
                      {"mediaType", media::kOciManifest},
                      {"config", ToJson(store->Add(media::kOciConfig, config))},
                      {"layers", Json::array({ToJson(layer)})}}));
  r = CopyFromStore(store, manifest, dir + "/out", false);
  EXPECT_EQ(r.status().ToString(), "blob " + layer.digest.ToString() +
                                       ": truncated: got 1 of " +
                                       std::to_string(layer.size) + " bytes");
  EXPECT_TRUE(List(dir).empty());
}

TEST(CopyTest, RefusesAnOutOfRangeParallelism) {
  TempDir tmp;
  std::string dir = tmp.path;
  ASSERT_TRUE(
      testing::WriteOciLayout(dir + "/src", {MakeImage("one")}, "").ok());
  CopyOptions options;
  options.parallel = 0;
  Result<CopyReport> r =
      CopyTo(Ref(Transport::kOciLayout, dir + "/src"),
             Ref(Transport::kOciLayout, dir + "/out"), options);
  EXPECT_EQ(r.status().ToString(), "parallel must be between 1 and 64, not 0");
}

// A docker archive whose gzip layer is not named by its digest.
std::string WriteHandMadeDockerArchive(const std::string& path,
                                       const std::string& tar,
                                       const std::string& diff_id) {
  std::string config = json::Dump(
      Json{{"architecture", "amd64"},
           {"os", "linux"},
           {"rootfs", {{"type", "layers"}, {"diff_ids", {diff_id}}}}});
  std::string manifest =
      json::Dump(Json::array({Json{{"Config", "config.json"},
                                   {"RepoTags", {"hand:made"}},
                                   {"Layers", {"layer0/layer.tar"}}}}));
  std::string gz = testing::Gzip(tar);
  std::ofstream(path, std::ios::binary) << testing::TarWriter()
                                               .File("manifest.json", manifest)
                                               .File("config.json", config)
                                               .File("layer0/layer.tar", gz)
                                               .Finish();
  return gz;
}

TEST(CopyTest, HashesDockerLayersNoDigestNames) {
  TempDir tmp;
  std::string dir = tmp.path;
  std::string tar = testing::TarWriter().File("etc/hello", "hi").Finish();
  std::string gz = WriteHandMadeDockerArchive(dir + "/in.tar", tar,
                                              Sha256Of(tar).ToString());
  ImageRef back = Ref(Transport::kOciLayout, dir + "/out");
  Result<CopyReport> r =
      CopyTo(Ref(Transport::kDockerArchive, dir + "/in.tar"), back);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->notes.size(), 1u);
  EXPECT_EQ(r->notes[0],
            "docker-archive stores no manifest: wrote the one synthesised from "
            "its manifest.json (" +
                r->top.digest.ToString() +
                "); 1 compressed layer(s) not named by digest were hashed and "
                "checked against their diffIDs");
  auto image = OpenRef(back);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  const LayerInfo& layer = (*image)->metadata().layers[0];
  EXPECT_EQ(layer.descriptor.digest.ToString(), Sha256Of(gz).ToString());
  EXPECT_EQ(layer.descriptor.size, static_cast<int64_t>(gz.size()));
  EXPECT_EQ(layer.descriptor.media_type, media::kDockerLayerGzip);
  EXPECT_TRUE(layer.blob_verified);

  // A layer whose content does not match its diffID is refused.
  std::string wrong = Sha256Of("other").ToString();
  WriteHandMadeDockerArchive(dir + "/bad.tar", tar, wrong);
  auto source = OpenSource(Ref(Transport::kDockerArchive, dir + "/bad.tar"));
  ASSERT_TRUE(source.ok());
  r = CopyTo(Ref(Transport::kDockerArchive, dir + "/bad.tar"),
             Ref(Transport::kOciLayout, dir + "/bad"));
  EXPECT_EQ(r.status().ToString(), "manifest " + source->top.digest.ToString() +
                                       ": layer 0: diffID mismatch: got " +
                                       Sha256Of(tar).ToString() + ", want " +
                                       wrong);
  EXPECT_FALSE(Exists(dir + "/bad"));
}

TEST(CopyTest, CopiesADockerArchiveWithUncompressedLayers) {
  TempDir tmp;
  std::string dir = tmp.path;
  auto written = testing::WriteDockerArchive(dir + "/in.tar", {MakeImage("d")});
  ASSERT_TRUE(written.ok());
  ImageRef in = Ref(Transport::kDockerArchive, dir + "/in.tar");
  ImageRef out = Ref(Transport::kOciArchive, dir + "/out.tar");
  Result<CopyReport> r = CopyTo(in, out);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto a = OpenRef(in);
  auto b = OpenRef(out);
  ASSERT_TRUE(a.ok() && b.ok()) << b.status().ToString();
  ExpectSameImage(**a, **b);
  EXPECT_EQ((*b)->metadata().manifest.digest.ToString(),
            r->top.digest.ToString());
  EXPECT_EQ((*b)->metadata().layers[0].descriptor.digest.ToString(),
            (*written)[0].diff_ids[0]);
}

// skopeo, when installed, must accept what each sink writes.
TEST(CopyInteropTest, SkopeoReadsEveryFormat) {
  if (std::system("skopeo --version >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "skopeo is not installed";
  }
  TempDir tmp;
  std::string dir = tmp.path;
  ASSERT_TRUE(
      testing::WriteOciLayout(dir + "/src", {MakeImage("one")}, "").ok());
  ImageRef src = Ref(Transport::kOciLayout, dir + "/src");
  ASSERT_TRUE(CopyTo(src, Ref(Transport::kOciLayout, dir + "/l", "v1")).ok());
  ASSERT_TRUE(
      CopyTo(src, Ref(Transport::kOciArchive, dir + "/o.tar", "v1")).ok());
  ASSERT_TRUE(CopyTo(src, Ref(Transport::kDockerArchive, dir + "/d.tar",
                              "example.com/one:v1"))
                  .ok());
  for (std::string ref :
       {"oci:" + dir + "/l:v1", "oci-archive:" + dir + "/o.tar:v1",
        "docker-archive:" + dir + "/d.tar"}) {
    std::string cmd = "skopeo inspect --raw " + ref + " >/dev/null 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    // A full copy reads every blob (docker-archive layers decompressed).
    cmd =
        "skopeo copy " + ref + " oci:" + dir + "/skopeo-out:x >/dev/null 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  // What skopeo read back from the docker archive is the same image (it
  // re-serialises the config and may recompress the layers).
  auto a = OpenRef(src);
  auto b = OpenRef(Ref(Transport::kOciLayout, dir + "/skopeo-out", "x"));
  ASSERT_TRUE(a.ok() && b.ok()) << b.status().ToString();
  EXPECT_EQ(DiffIds(**a), DiffIds(**b));
  EXPECT_EQ((*b)->metadata().config.labels.at("marker"), "one");
}

// The lab's real alpine image through every sink.
TEST(CopyLabTest, AlpineThroughEverySink) {
  std::string alpine = testing::LabImagesDir() + "/alpine-3.20.oci";
  if (!Exists(alpine + "/index.json")) {
    GTEST_SKIP() << alpine << " is absent (scripts/lab-images.sh)";
  }
  TempDir tmp;
  std::string dir = tmp.path;
  ImageRef src = Ref(Transport::kOciLayout, alpine);
  auto original = OpenRef(src, "linux/amd64");
  ASSERT_TRUE(original.ok()) << original.status().ToString();
  CopyOptions options;
  options.platform = *ParsePlatform("linux/amd64");
  for (const ImageRef& dst :
       {Ref(Transport::kOciLayout, dir + "/l", "3.20"),
        Ref(Transport::kOciArchive, dir + "/o.tar", "3.20"),
        Ref(Transport::kDockerArchive, dir + "/d.tar", "alpine:3.20")}) {
    Result<CopyReport> r = CopyTo(src, dst, options);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    auto copy = OpenRef(dst);
    ASSERT_TRUE(copy.ok()) << copy.status().ToString();
    ExpectSameImage(**original, **copy);
    if (r->digests_preserved) {
      EXPECT_EQ((*copy)->metadata().manifest.digest.ToString(),
                (*original)->metadata().manifest.digest.ToString());
    }
  }
}

}  // namespace
}  // namespace strata::oci
