#include "testing/image_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <utility>

#include "base/digest.h"
#include "base/json.h"
#include "base/unique_fd.h"

namespace strata::testing {
namespace {

using Json = json::Json;
using ArchiveReader =
    std::unique_ptr<archive, CHandleDeleter<archive, archive_read_free>>;
using ArchiveWriter =
    std::unique_ptr<archive, CHandleDeleter<archive, archive_write_free>>;
using EntryPtr =
    std::unique_ptr<archive_entry,
                    CHandleDeleter<archive_entry, archive_entry_free>>;
using Members = std::vector<std::pair<std::string, std::string>>;

constexpr char kSkopeo[] = "/usr/bin/skopeo";

// A ustar layer built with libarchive (independent of TarWriter).
std::string MakeTar(const Members& files) {
  ArchiveWriter a(archive_write_new());
  archive_write_set_format_pax_restricted(a.get());
  archive_write_set_bytes_per_block(a.get(), 512);
  std::string out(1 << 20, '\0');
  size_t used = 0;
  EXPECT_EQ(archive_write_open_memory(a.get(), out.data(), out.size(), &used),
            ARCHIVE_OK);
  for (const auto& [name, data] : files) {
    EntryPtr e(archive_entry_new());
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0644);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(data.size()));
    EXPECT_EQ(archive_write_header(a.get(), e.get()), ARCHIVE_OK);
    EXPECT_EQ(archive_write_data(a.get(), data.data(), data.size()),
              static_cast<la_ssize_t>(data.size()));
  }
  EXPECT_EQ(archive_write_close(a.get()), ARCHIVE_OK);
  out.resize(used);
  return out;
}

TestLayer Layer(std::string tar, LayerCompression compression) {
  TestLayer layer;
  layer.tar = std::move(tar);
  layer.compression = compression;
  return layer;
}

// Decompresses any blob (gzip, zstd or plain) with libarchive's filters.
std::string Decompress(const std::string& blob) {
  ArchiveReader a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_raw(a.get());
  EXPECT_EQ(archive_read_open_memory(a.get(), blob.data(), blob.size()),
            ARCHIVE_OK);
  archive_entry* e = nullptr;
  EXPECT_EQ(archive_read_next_header(a.get(), &e), ARCHIVE_OK);
  std::string out;
  char buf[4096];
  la_ssize_t n;
  while ((n = archive_read_data(a.get(), buf, sizeof buf)) > 0) {
    out.append(buf, static_cast<size_t>(n));
  }
  EXPECT_EQ(n, 0) << archive_error_string(a.get());
  return out;
}

// Members of a tar file in archive order ("" contents for directories).
Members ReadTarFile(const std::string& path) {
  ArchiveReader a(archive_read_new());
  archive_read_support_format_tar(a.get());
  EXPECT_EQ(archive_read_open_filename(a.get(), path.c_str(), 10240),
            ARCHIVE_OK);
  Members out;
  archive_entry* e = nullptr;
  while (archive_read_next_header(a.get(), &e) == ARCHIVE_OK) {
    EXPECT_EQ(archive_entry_mtime(e), 0);
    EXPECT_EQ(archive_entry_uid(e), 0);
    std::string data(static_cast<size_t>(archive_entry_size(e)), '\0');
    if (!data.empty()) {
      EXPECT_EQ(archive_read_data(a.get(), data.data(), data.size()),
                static_cast<la_ssize_t>(data.size()));
    }
    out.emplace_back(archive_entry_pathname(e), std::move(data));
  }
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Json ParseJson(const std::string& text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << text;
  return j;
}

std::string Hex(const std::string& digest) {
  return digest.substr(std::string("sha256:").size());
}

struct Run {
  int exit_code = -1;
  std::string out;  // stdout only; stderr goes to the test log
};

Run RunCommand(const std::string& cmd) {
  Run r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Runs skopeo with `args`; fails the test on a non-zero exit.
std::string Skopeo(const std::string& args) {
  Run r = RunCommand(std::string(kSkopeo) + " --insecure-policy " + args);
  EXPECT_EQ(r.exit_code, 0) << "skopeo " << args;
  return r.out;
}

#define SKIP_WITHOUT_SKOPEO()                                            \
  if (::access(kSkopeo, X_OK) != 0) {                                    \
    GTEST_SKIP() << kSkopeo << " not installed; skipping skopeo oracle"; \
  }

class ImageWriterTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir("image_writer_test."); }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Three layers, one per compression, and a non-default config.
  static TestImage ThreeLayerImage() {
    TestImage image;
    image.layers.push_back(Layer(MakeTar({{"etc/os-release", "ID=test\n"}}),
                                 LayerCompression::kGzip));
    image.layers.push_back(
        Layer(MakeTar({{"usr/bin/app", std::string(5000, 'x')}}),
              LayerCompression::kZstd));
    image.layers.push_back(
        Layer(MakeTar({{"app/README", "hello\n"}}), LayerCompression::kNone));
    image.entrypoint = {"/usr/bin/app"};
    image.user = "1000:1000";
    image.working_dir = "/app";
    image.labels = {{"org.example.team", "sec"}};
    return image;
  }

  std::string dir_;
};

TEST_F(ImageWriterTest, LayoutBlobsAreNamedByTheirSha256) {
  auto written = WriteOciLayout(dir_, {ThreeLayerImage()});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  ASSERT_EQ(written->size(), 1u);
  const WrittenImage& w = (*written)[0];

  std::set<std::string> names;
  for (const auto& f :
       std::filesystem::directory_iterator(dir_ + "/blobs/sha256")) {
    std::string name = f.path().filename();
    EXPECT_EQ(Sha256Of(ReadFile(f.path())).hex(), name);
    names.insert("sha256:" + name);
  }
  std::set<std::string> expected = {w.manifest_digest, w.config_digest};
  expected.insert(w.layer_digests.begin(), w.layer_digests.end());
  EXPECT_EQ(names, expected);
  EXPECT_EQ(ReadFile(dir_ + "/oci-layout"),
            R"({"imageLayoutVersion":"1.0.0"})");
  EXPECT_EQ(ReadFile(dir_ + "/blobs/sha256/" + Hex(w.manifest_digest)),
            w.manifest_json);
  EXPECT_EQ(ReadFile(dir_ + "/blobs/sha256/" + Hex(w.config_digest)),
            w.config_json);
}

TEST_F(ImageWriterTest, ManifestDescribesConfigAndLayers) {
  TestImage image = ThreeLayerImage();
  auto written = WriteOciLayout(dir_, {image});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  const WrittenImage& w = (*written)[0];

  Json m = ParseJson(w.manifest_json);
  EXPECT_EQ(m["schemaVersion"], 2);
  EXPECT_EQ(m["mediaType"], "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(m["config"]["mediaType"],
            "application/vnd.oci.image.config.v1+json");
  EXPECT_EQ(m["config"]["digest"], w.config_digest);
  EXPECT_EQ(m["config"]["size"], w.config_json.size());

  const char* types[] = {"application/vnd.oci.image.layer.v1.tar+gzip",
                         "application/vnd.oci.image.layer.v1.tar+zstd",
                         "application/vnd.oci.image.layer.v1.tar"};
  ASSERT_EQ(m["layers"].size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const Json& l = m["layers"][i];
    EXPECT_EQ(l["mediaType"], types[i]);
    EXPECT_EQ(l["digest"], w.layer_digests[i]);
    std::string blob =
        ReadFile(dir_ + "/blobs/sha256/" + Hex(w.layer_digests[i]));
    EXPECT_EQ(l["size"], blob.size());
    EXPECT_EQ(Decompress(blob), image.layers[i].tar) << "layer " << i;
  }
  EXPECT_NE(w.layer_digests[0], w.diff_ids[0]);  // gzip
  EXPECT_NE(w.layer_digests[1], w.diff_ids[1]);  // zstd
  EXPECT_EQ(w.layer_digests[2], w.diff_ids[2]);  // stored as is
}

TEST_F(ImageWriterTest, ConfigListsDiffIdsHistoryAndRunSettings) {
  TestImage image = ThreeLayerImage();
  image.variant = "v8";
  image.architecture = "arm64";
  auto written = WriteOciLayout(dir_, {image});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  const WrittenImage& w = (*written)[0];

  ASSERT_EQ(w.diff_ids.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(w.diff_ids[i], Sha256Of(image.layers[i].tar).ToString());
  }
  Json c = ParseJson(w.config_json);
  EXPECT_EQ(c["architecture"], "arm64");
  EXPECT_EQ(c["os"], "linux");
  EXPECT_EQ(c["variant"], "v8");
  EXPECT_EQ(c["created"], "2024-01-01T00:00:00Z");
  EXPECT_EQ(c["rootfs"]["type"], "layers");
  EXPECT_EQ(c["rootfs"]["diff_ids"].get<std::vector<std::string>>(),
            w.diff_ids);
  ASSERT_EQ(c["history"].size(), 3u);
  EXPECT_EQ(c["history"][2]["created_by"], "test layer 2");
  Json expected_run = ParseJson(R"({
    "Entrypoint": ["/usr/bin/app"], "Cmd": ["/bin/sh"],
    "Env": ["PATH=/usr/bin:/bin"], "User": "1000:1000",
    "WorkingDir": "/app", "Labels": {"org.example.team": "sec"}})");
  EXPECT_EQ(c["config"], expected_run);
}

TEST_F(ImageWriterTest, ConfigOmitsEmptyFields) {
  TestImage image;
  image.cmd.clear();
  image.env.clear();
  auto written = WriteOciLayout(dir_, {image});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  Json c = ParseJson((*written)[0].config_json);
  EXPECT_EQ(c["config"], Json::object());
  EXPECT_FALSE(c.contains("variant"));
  EXPECT_EQ(c["rootfs"]["diff_ids"], Json::array());
}

TEST_F(ImageWriterTest, DockerMediaTypesAndOverride) {
  TestImage image = ThreeLayerImage();
  image.docker_media_types = true;
  image.layers[2].media_type = "application/vnd.oci.image.layer.v1.tar+gzip";
  auto written = WriteOciLayout(dir_, {image});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  Json m = ParseJson((*written)[0].manifest_json);
  EXPECT_EQ(m["mediaType"],
            "application/vnd.docker.distribution.manifest.v2+json");
  EXPECT_EQ(m["config"]["mediaType"],
            "application/vnd.docker.container.image.v1+json");
  EXPECT_EQ(m["layers"][0]["mediaType"],
            "application/vnd.docker.image.rootfs.diff.tar.gzip");
  EXPECT_EQ(m["layers"][1]["mediaType"],
            "application/vnd.docker.image.rootfs.diff.tar.zstd");
  // The lie: an uncompressed blob recorded as gzip.
  EXPECT_EQ(m["layers"][2]["mediaType"],
            "application/vnd.oci.image.layer.v1.tar+gzip");
  EXPECT_EQ((*written)[0].layer_digests[2], (*written)[0].diff_ids[2]);
  Json index = ParseJson(ReadFile(dir_ + "/index.json"));
  EXPECT_EQ(index["manifests"][0]["mediaType"],
            "application/vnd.docker.distribution.manifest.v2+json");
}

TEST_F(ImageWriterTest, IndexListsSingleManifestWithPlatformAndTag) {
  auto written = WriteOciLayout(dir_, {ThreeLayerImage()}, "v1.2");
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  const WrittenImage& w = (*written)[0];
  Json index = ParseJson(ReadFile(dir_ + "/index.json"));
  Json expected = {
      {"schemaVersion", 2},
      {"mediaType", "application/vnd.oci.image.index.v1+json"},
      {"manifests",
       {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
         {"digest", w.manifest_digest},
         {"size", w.manifest_json.size()},
         {"platform", {{"architecture", "amd64"}, {"os", "linux"}}},
         {"annotations", {{"org.opencontainers.image.ref.name", "v1.2"}}}}}}};
  EXPECT_EQ(index, expected);
}

TEST_F(ImageWriterTest, EmptyTagLeavesManifestUnannotated) {
  ASSERT_TRUE(WriteOciLayout(dir_, {TestImage{}}, "").ok());
  Json index = ParseJson(ReadFile(dir_ + "/index.json"));
  EXPECT_FALSE(index["manifests"][0].contains("annotations"));
}

TEST_F(ImageWriterTest, SeveralImagesGoThroughNestedIndex) {
  TestImage amd64 = ThreeLayerImage();
  TestImage arm64 = ThreeLayerImage();
  arm64.architecture = "arm64";
  arm64.variant = "v8";
  auto written = WriteOciLayout(dir_, {amd64, arm64});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  ASSERT_EQ(written->size(), 2u);
  EXPECT_NE((*written)[0].manifest_digest, (*written)[1].manifest_digest);

  Json top = ParseJson(ReadFile(dir_ + "/index.json"));
  ASSERT_EQ(top["manifests"].size(), 1u);
  const Json& d = top["manifests"][0];
  EXPECT_EQ(d["mediaType"], "application/vnd.oci.image.index.v1+json");
  EXPECT_EQ(d["annotations"]["org.opencontainers.image.ref.name"], "latest");
  std::string nested_bytes =
      ReadFile(dir_ + "/blobs/sha256/" + Hex(d["digest"].get<std::string>()));
  EXPECT_EQ(d["size"], nested_bytes.size());
  Json nested = ParseJson(nested_bytes);
  EXPECT_EQ(nested["mediaType"], "application/vnd.oci.image.index.v1+json");
  ASSERT_EQ(nested["manifests"].size(), 2u);
  EXPECT_EQ(nested["manifests"][0]["digest"], (*written)[0].manifest_digest);
  EXPECT_EQ(nested["manifests"][0]["platform"],
            Json({{"architecture", "amd64"}, {"os", "linux"}}));
  EXPECT_EQ(nested["manifests"][1]["digest"], (*written)[1].manifest_digest);
  EXPECT_EQ(
      nested["manifests"][1]["platform"],
      Json({{"architecture", "arm64"}, {"os", "linux"}, {"variant", "v8"}}));
}

TEST_F(ImageWriterTest, OutputIsDeterministic) {
  std::vector<TestImage> images = {ThreeLayerImage(), ThreeLayerImage()};
  images[1].architecture = "arm64";
  auto a = WriteOciArchive(dir_ + "/a.tar", images);
  auto b = WriteOciArchive(dir_ + "/b.tar", images);
  ASSERT_TRUE(a.ok() && b.ok());
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ((*a)[i].manifest_digest, (*b)[i].manifest_digest);
  }
  EXPECT_EQ(ReadFile(dir_ + "/a.tar"), ReadFile(dir_ + "/b.tar"));
  ASSERT_TRUE(WriteDockerArchive(dir_ + "/a.docker", images).ok());
  ASSERT_TRUE(WriteDockerArchive(dir_ + "/b.docker", images).ok());
  EXPECT_EQ(ReadFile(dir_ + "/a.docker"), ReadFile(dir_ + "/b.docker"));
}

TEST_F(ImageWriterTest, OciArchiveHoldsTheLayoutFiles) {
  TestImage image = ThreeLayerImage();
  ASSERT_TRUE(WriteOciLayout(dir_ + "/layout", {image}).ok());
  auto written = WriteOciArchive(dir_ + "/image.tar", {image});
  ASSERT_TRUE(written.ok()) << written.status().ToString();

  Members members = ReadTarFile(dir_ + "/image.tar");
  std::vector<std::string> names;
  for (const auto& [name, data] : members) {
    names.push_back(name);
    if (name.back() != '/') {
      EXPECT_EQ(data, ReadFile(dir_ + "/layout/" + name)) << name;
    }
  }
  const WrittenImage& w = (*written)[0];
  std::vector<std::string> blobs = {"blobs/sha256/" + Hex(w.manifest_digest),
                                    "blobs/sha256/" + Hex(w.config_digest)};
  for (const std::string& d : w.layer_digests) {
    blobs.push_back("blobs/sha256/" + Hex(d));
  }
  std::sort(blobs.begin(), blobs.end());
  std::vector<std::string> expected = {"blobs/", "blobs/sha256/"};
  expected.insert(expected.end(), blobs.begin(), blobs.end());
  expected.push_back("index.json");
  expected.push_back("oci-layout");
  EXPECT_EQ(names, expected);
}

TEST_F(ImageWriterTest, DockerArchiveHasLegacyLayout) {
  TestImage first = ThreeLayerImage();
  TestImage second;
  second.layers.push_back(
      Layer(MakeTar({{"b", "2"}}), LayerCompression::kZstd));
  auto written = WriteDockerArchive(dir_ + "/image.tar", {first, second},
                                    {"example.com/a:1", "registry:5000/b"});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  ASSERT_EQ(written->size(), 2u);

  std::map<std::string, std::string> files;
  for (auto& [name, data] : ReadTarFile(dir_ + "/image.tar")) {
    files[name] = std::move(data);
  }
  Json manifest = ParseJson(files["manifest.json"]);
  EXPECT_EQ(files["manifest.json"], (*written)[0].manifest_json);
  ASSERT_EQ(manifest.size(), 2u);
  std::vector<TestImage> images = {first, second};
  for (size_t i = 0; i < 2; ++i) {
    const WrittenImage& w = (*written)[i];
    const Json& entry = manifest[i];
    EXPECT_EQ(entry["Config"], Hex(w.config_digest) + ".json");
    EXPECT_EQ(files[Hex(w.config_digest) + ".json"], w.config_json);
    ASSERT_EQ(entry["Layers"].size(), images[i].layers.size());
    for (size_t l = 0; l < images[i].layers.size(); ++l) {
      std::string hex = Sha256Of(images[i].layers[l].tar).hex();
      EXPECT_EQ(entry["Layers"][l], hex + "/layer.tar");
      // Stored uncompressed whatever TestLayer.compression says.
      EXPECT_EQ(files[hex + "/layer.tar"], images[i].layers[l].tar);
      EXPECT_EQ(w.layer_digests[l], "sha256:" + hex);
      EXPECT_EQ(w.diff_ids[l], "sha256:" + hex);
    }
  }
  EXPECT_EQ(manifest[0]["RepoTags"], Json({"example.com/a:1"}));
  EXPECT_EQ(manifest[1]["RepoTags"], Json({"registry:5000/b"}));
  Json repositories = ParseJson(files["repositories"]);
  Json expected = {
      {"example.com/a", {{"1", Sha256Of(first.layers[2].tar).hex()}}},
      {"registry:5000/b", {{"latest", Sha256Of(second.layers[0].tar).hex()}}}};
  EXPECT_EQ(repositories, expected);
}

TEST_F(ImageWriterTest, DockerArchiveSingleImageTakesEveryTag) {
  auto written = WriteDockerArchive(dir_ + "/image.tar", {ThreeLayerImage()},
                                    {"a:1", "a:2"});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  Json manifest = ParseJson((*written)[0].manifest_json);
  EXPECT_EQ(manifest[0]["RepoTags"], Json({"a:1", "a:2"}));
}

TEST_F(ImageWriterTest, WriteBlobStoresBytesUnderTheirDigest) {
  auto digest = WriteBlob(dir_ + "/layout", "{}");
  ASSERT_TRUE(digest.ok()) << digest.status().ToString();
  EXPECT_EQ(*digest,
            "sha256:"
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  EXPECT_EQ(ReadFile(dir_ + "/layout/blobs/sha256/" + Hex(*digest)), "{}");
}

TEST_F(ImageWriterTest, MakeTempDirUsesTestTmpdir) {
  const char* old = std::getenv("TEST_TMPDIR");
  std::string saved = old ? old : "";
  ::setenv("TEST_TMPDIR", dir_.c_str(), 1);
  std::string a = MakeTempDir("p.");
  std::string b = MakeTempDir("p.");
  if (old) {
    ::setenv("TEST_TMPDIR", saved.c_str(), 1);
  } else {
    ::unsetenv("TEST_TMPDIR");
  }
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind(dir_ + "/p.", 0), 0u) << a;
  EXPECT_TRUE(std::filesystem::is_directory(a));
  EXPECT_TRUE(std::filesystem::is_empty(a));
}

TEST_F(ImageWriterTest, ReportsIoErrors) {
  std::string file = dir_ + "/file";
  std::ofstream(file) << "x";

  auto layout = WriteOciLayout(file + "/layout", {TestImage{}});
  EXPECT_EQ(layout.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(layout.status().message(),
            "mkdir " + file + "/layout: Not a directory");

  auto archive = WriteOciArchive(dir_ + "/missing/image.tar", {TestImage{}});
  EXPECT_EQ(archive.status().message(),
            "open " + dir_ + "/missing/image.tar: No such file or directory");

  auto docker = WriteDockerArchive(dir_, {TestImage{}});
  EXPECT_EQ(docker.status().message(), "open " + dir_ + ": Is a directory");

  auto blob = WriteBlob(file, "{}");
  EXPECT_EQ(blob.status().message(),
            "mkdir " + file + "/blobs: Not a directory");
}

// --- skopeo as an external oracle -------------------------------------------

TEST_F(ImageWriterTest, SkopeoReadsOciLayout) {
  SKIP_WITHOUT_SKOPEO();
  auto written = WriteOciLayout(dir_, {ThreeLayerImage()});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  const WrittenImage& w = (*written)[0];
  std::string ref = "oci:" + dir_ + ":latest";

  EXPECT_EQ(Skopeo("inspect --raw " + ref), w.manifest_json);
  EXPECT_EQ(Skopeo("inspect --config --raw " + ref), w.config_json);
  Json config = ParseJson(Skopeo("inspect --config " + ref));
  EXPECT_EQ(config["rootfs"]["diff_ids"].get<std::vector<std::string>>(),
            w.diff_ids);
  EXPECT_EQ(config["config"]["User"], "1000:1000");
  Json info = ParseJson(Skopeo("inspect " + ref));
  EXPECT_EQ(info["Digest"], w.manifest_digest);
  EXPECT_EQ(info["Layers"].get<std::vector<std::string>>(), w.layer_digests);
  EXPECT_EQ(info["Labels"]["org.example.team"], "sec");
}

TEST_F(ImageWriterTest, SkopeoReadsDockerMediaTypesInLayout) {
  SKIP_WITHOUT_SKOPEO();
  TestImage image = ThreeLayerImage();
  image.docker_media_types = true;
  // containers/image knows no Docker zstd type (containerd's ...tar.zstd).
  image.layers.erase(image.layers.begin() + 1);
  auto written = WriteOciLayout(dir_, {image});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  // skopeo's lookup by ref name only considers OCI media types; without a
  // name it takes the layout's only manifest, whatever its type.
  std::string ref = "oci:" + dir_;
  EXPECT_EQ(Skopeo("inspect --raw " + ref), (*written)[0].manifest_json);
  Json info = ParseJson(Skopeo("inspect " + ref));
  EXPECT_EQ(info["Digest"], (*written)[0].manifest_digest);
  EXPECT_EQ(info["Layers"].get<std::vector<std::string>>(),
            (*written)[0].layer_digests);
}

TEST_F(ImageWriterTest, SkopeoResolvesNestedIndexByPlatform) {
  SKIP_WITHOUT_SKOPEO();
  TestImage amd64 = ThreeLayerImage();
  TestImage arm64 = ThreeLayerImage();
  arm64.architecture = "arm64";
  arm64.variant = "v8";
  auto written = WriteOciLayout(dir_, {amd64, arm64});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  std::string ref = "oci:" + dir_ + ":latest";

  Json top = ParseJson(ReadFile(dir_ + "/index.json"));
  std::string nested =
      ReadFile(dir_ + "/blobs/sha256/" +
               Hex(top["manifests"][0]["digest"].get<std::string>()));
  EXPECT_EQ(Skopeo("inspect --raw " + ref), nested);
  // skopeo reports the index digest and the chosen instance's config.
  Json info = ParseJson(
      Skopeo("--override-os linux --override-arch arm64 --override-variant v8 "
             "inspect " +
             ref));
  EXPECT_EQ(info["Digest"], top["manifests"][0]["digest"]);
  EXPECT_EQ(info["Architecture"], "arm64");
  EXPECT_EQ(Skopeo("--override-os linux --override-arch arm64 "
                   "--override-variant v8 inspect --config --raw " +
                   ref),
            (*written)[1].config_json);
  EXPECT_EQ(Skopeo("--override-os linux --override-arch amd64 "
                   "inspect --config --raw " +
                   ref),
            (*written)[0].config_json);
}

TEST_F(ImageWriterTest, SkopeoReadsDockerArchive) {
  SKIP_WITHOUT_SKOPEO();
  auto written = WriteDockerArchive(dir_ + "/image.tar", {ThreeLayerImage()});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  const WrittenImage& w = (*written)[0];
  std::string ref = "docker-archive:" + dir_ + "/image.tar";

  Json info = ParseJson(Skopeo("inspect " + ref));
  EXPECT_EQ(info["Layers"].get<std::vector<std::string>>(), w.diff_ids);
  EXPECT_EQ(Skopeo("inspect --config --raw " + ref), w.config_json);
  Json manifest = ParseJson(Skopeo("inspect --raw " + ref));
  EXPECT_EQ(manifest["config"]["digest"], w.config_digest);
  info = ParseJson(Skopeo("inspect " + ref + ":example.com/test:latest"));
  EXPECT_EQ(info["Layers"].get<std::vector<std::string>>(), w.diff_ids);
}

TEST_F(ImageWriterTest, SkopeoCopiesOciArchive) {
  SKIP_WITHOUT_SKOPEO();
  auto written = WriteOciArchive(dir_ + "/image.tar", {ThreeLayerImage()});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  const WrittenImage& w = (*written)[0];
  std::string out = dir_ + "/copy";
  Skopeo("copy -q oci-archive:" + dir_ + "/image.tar dir:" + out);
  EXPECT_EQ(ReadFile(out + "/manifest.json"), w.manifest_json);
  EXPECT_EQ(ReadFile(out + "/" + Hex(w.config_digest)), w.config_json);
  for (const std::string& d : w.layer_digests) {
    EXPECT_TRUE(std::filesystem::exists(out + "/" + Hex(d))) << d;
  }
}

}  // namespace
}  // namespace strata::testing
