#include "testing/image_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>

#include "base/digest.h"
#include "base/json.h"
#include "base/unique_fd.h"
#include "testing/compress.h"

namespace strata::testing {
namespace {

using Json = json::Json;
// Relative path -> contents, in the (sorted) order archives list them.
using FileMap = std::map<std::string, std::string>;

constexpr char kOciIndex[] = "application/vnd.oci.image.index.v1+json";
constexpr char kOciManifest[] = "application/vnd.oci.image.manifest.v1+json";
constexpr char kOciConfig[] = "application/vnd.oci.image.config.v1+json";
constexpr char kDockerManifest[] =
    "application/vnd.docker.distribution.manifest.v2+json";
constexpr char kDockerConfig[] =
    "application/vnd.docker.container.image.v1+json";
constexpr char kRefNameAnnotation[] = "org.opencontainers.image.ref.name";

std::string LayerMediaType(const TestLayer& layer, bool docker) {
  if (!layer.media_type.empty()) return layer.media_type;
  std::string base = docker ? "application/vnd.docker.image.rootfs.diff.tar"
                            : "application/vnd.oci.image.layer.v1.tar";
  switch (layer.compression) {
    case LayerCompression::kNone:
      return base;
    case LayerCompression::kGzip:
      return base + (docker ? ".gzip" : "+gzip");
    case LayerCompression::kZstd:
      return base + (docker ? ".zstd" : "+zstd");
  }
  return base;
}

std::string Compress(const TestLayer& layer) {
  switch (layer.compression) {
    case LayerCompression::kGzip:
      return Gzip(layer.tar);
    case LayerCompression::kZstd:
      return Zstd(layer.tar);
    case LayerCompression::kNone:
      break;
  }
  return layer.tar;
}

Json DescriptorOf(const std::string& media_type, const std::string& bytes) {
  return Json{{"mediaType", media_type},
              {"digest", Sha256Of(bytes).ToString()},
              {"size", bytes.size()}};
}

Json PlatformOf(const TestImage& image) {
  Json p{{"architecture", image.architecture}, {"os", image.os}};
  if (!image.variant.empty()) p["variant"] = image.variant;
  return p;
}

// The image configuration; empty optional fields are omitted.
std::string ConfigJson(const TestImage& image,
                       const std::vector<std::string>& diff_ids) {
  Json run = Json::object();
  if (!image.entrypoint.empty()) run["Entrypoint"] = image.entrypoint;
  if (!image.cmd.empty()) run["Cmd"] = image.cmd;
  if (!image.env.empty()) run["Env"] = image.env;
  if (!image.user.empty()) run["User"] = image.user;
  if (!image.working_dir.empty()) run["WorkingDir"] = image.working_dir;
  if (!image.labels.empty()) run["Labels"] = image.labels;
  Json history = Json::array();
  for (size_t i = 0; i < diff_ids.size(); ++i) {
    Json h{{"created_by", "test layer " + std::to_string(i)}};
    if (!image.created.empty()) h["created"] = image.created;
    history.push_back(std::move(h));
  }
  Json config = PlatformOf(image);
  if (!image.created.empty()) config["created"] = image.created;
  config["config"] = std::move(run);
  config["rootfs"] = Json{{"type", "layers"}, {"diff_ids", diff_ids}};
  config["history"] = std::move(history);
  return json::Dump(config);
}

std::string BlobPath(const std::string& bytes) {
  return "blobs/sha256/" + Sha256Of(bytes).hex();
}

// Adds one image's layers, config and manifest to `files` as OCI blobs.
WrittenImage AddOciImage(const TestImage& image, FileMap& files) {
  const bool docker = image.docker_media_types;
  WrittenImage w;
  Json layers = Json::array();
  for (const TestLayer& layer : image.layers) {
    std::string blob = Compress(layer);
    w.layer_digests.push_back(Sha256Of(blob).ToString());
    w.diff_ids.push_back(Sha256Of(layer.tar).ToString());
    layers.push_back(DescriptorOf(LayerMediaType(layer, docker), blob));
    files[BlobPath(blob)] = std::move(blob);
  }
  w.config_json = ConfigJson(image, w.diff_ids);
  w.config_digest = Sha256Of(w.config_json).ToString();
  const char* manifest_type = docker ? kDockerManifest : kOciManifest;
  Json manifest{{"schemaVersion", 2},
                {"mediaType", manifest_type},
                {"config", DescriptorOf(docker ? kDockerConfig : kOciConfig,
                                        w.config_json)},
                {"layers", std::move(layers)}};
  w.manifest_json = json::Dump(manifest);
  w.manifest_digest = Sha256Of(w.manifest_json).ToString();
  files[BlobPath(w.config_json)] = w.config_json;
  files[BlobPath(w.manifest_json)] = w.manifest_json;
  return w;
}

// Builds the whole layout in memory: oci-layout, index.json and blobs.
FileMap BuildOciLayout(const std::vector<TestImage>& images,
                       const std::string& tag,
                       std::vector<WrittenImage>& written) {
  FileMap files;
  Json top = Json::array();
  for (const TestImage& image : images) {
    WrittenImage w = AddOciImage(image, files);
    Json d =
        DescriptorOf(image.docker_media_types ? kDockerManifest : kOciManifest,
                     w.manifest_json);
    d["platform"] = PlatformOf(image);
    top.push_back(std::move(d));
    written.push_back(std::move(w));
  }
  if (images.size() > 1) {
    std::string index = json::Dump(Json{{"schemaVersion", 2},
                                        {"mediaType", kOciIndex},
                                        {"manifests", std::move(top)}});
    top = Json::array({DescriptorOf(kOciIndex, index)});
    files[BlobPath(index)] = std::move(index);
  }
  if (!tag.empty() && !top.empty()) {
    top[0]["annotations"] = Json{{kRefNameAnnotation, tag}};
  }
  files["index.json"] = json::Dump(Json{{"schemaVersion", 2},
                                        {"mediaType", kOciIndex},
                                        {"manifests", std::move(top)}});
  files["oci-layout"] = json::Dump(Json{{"imageLayoutVersion", "1.0.0"}});
  return files;
}

// "repo:tag" -> {repo, tag}; a missing tag is "latest".
std::pair<std::string, std::string> SplitRepoTag(const std::string& ref) {
  size_t slash = ref.rfind('/');
  size_t colon = ref.rfind(':');
  if (colon == std::string::npos ||
      (slash != std::string::npos && colon < slash)) {
    return {ref, "latest"};
  }
  return {ref.substr(0, colon), ref.substr(colon + 1)};
}

Status MakeDirs(const std::string& path) {
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    std::string prefix = path.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoError("mkdir " + prefix, errno);
    }
  }
  return Status::Ok();
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("write " + path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Result<UniqueFd> Create(const std::string& path) {
  UniqueFd fd(
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) return ErrnoError("open " + path, errno);
  return fd;
}

Status Close(UniqueFd fd, const std::string& path) {
  if (::close(fd.release()) != 0) return ErrnoError("close " + path, errno);
  return Status::Ok();
}

Status WriteFile(const std::string& path, std::string_view data) {
  ASSIGN_OR_RETURN(UniqueFd fd, Create(path));
  RETURN_IF_ERROR(WriteAll(fd.get(), data, path));
  return Close(std::move(fd), path);
}

Status WriteTree(const std::string& dir, const FileMap& files) {
  RETURN_IF_ERROR(MakeDirs(dir));
  for (const auto& [name, data] : files) {
    std::string path = dir + "/" + name;
    size_t slash = path.rfind('/');
    RETURN_IF_ERROR(MakeDirs(path.substr(0, slash)));
    RETURN_IF_ERROR(WriteFile(path, data));
  }
  return Status::Ok();
}

using ArchiveWriter =
    std::unique_ptr<archive, CHandleDeleter<archive, archive_write_free>>;
using EntryPtr =
    std::unique_ptr<archive_entry,
                    CHandleDeleter<archive_entry, archive_entry_free>>;

Status ArchiveError(archive* a, const std::string& file) {
  const char* msg = archive_error_string(a);
  return UnavailableError("write " + file + ": " +
                          (msg ? msg : "libarchive error"));
}

// Writes `files` as a pax tar with their parent directories, sorted by name,
// owner 0:0 and mtime 0.
Status WriteTar(const std::string& file, const FileMap& files) {
  std::map<std::string, const std::string*> members;  // nullptr = directory
  for (const auto& [name, data] : files) {
    members[name] = &data;
    for (size_t p = name.find('/'); p != std::string::npos;
         p = name.find('/', p + 1)) {
      members[name.substr(0, p + 1)] = nullptr;
    }
  }
  ASSIGN_OR_RETURN(UniqueFd fd, Create(file));
  ArchiveWriter a(archive_write_new());
  if (!a) return InternalError("archive_write_new failed");
  if (archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK ||
      archive_write_open_fd(a.get(), fd.get()) != ARCHIVE_OK) {
    return ArchiveError(a.get(), file);
  }
  for (const auto& [name, data] : members) {
    EntryPtr e(archive_entry_new());
    if (!e) return InternalError("archive_entry_new failed");
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_filetype(e.get(), data ? AE_IFREG : AE_IFDIR);
    archive_entry_set_perm(e.get(), data ? 0644 : 0755);
    archive_entry_set_size(e.get(),
                           data ? static_cast<la_int64_t>(data->size()) : 0);
    archive_entry_set_mtime(e.get(), 0, 0);
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK) {
      return ArchiveError(a.get(), file);
    }
    if (data && !data->empty() &&
        archive_write_data(a.get(), data->data(), data->size()) !=
            static_cast<la_ssize_t>(data->size())) {
      return ArchiveError(a.get(), file);
    }
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    return ArchiveError(a.get(), file);
  }
  return Close(std::move(fd), file);
}

}  // namespace

Result<std::vector<WrittenImage>> WriteOciLayout(
    const std::string& dir, const std::vector<TestImage>& images,
    const std::string& tag) {
  std::vector<WrittenImage> written;
  RETURN_IF_ERROR(WriteTree(dir, BuildOciLayout(images, tag, written)));
  return written;
}

Result<std::vector<WrittenImage>> WriteOciArchive(
    const std::string& file, const std::vector<TestImage>& images,
    const std::string& tag) {
  std::vector<WrittenImage> written;
  RETURN_IF_ERROR(WriteTar(file, BuildOciLayout(images, tag, written)));
  return written;
}

Result<std::vector<WrittenImage>> WriteDockerArchive(
    const std::string& file, const std::vector<TestImage>& images,
    const std::vector<std::string>& repo_tags) {
  FileMap files;
  std::vector<WrittenImage> written;
  Json manifest = Json::array();
  Json repositories = Json::object();
  for (size_t i = 0; i < images.size(); ++i) {
    const TestImage& image = images[i];
    WrittenImage w;
    Json layers = Json::array();
    for (const TestLayer& layer : image.layers) {
      std::string hex = Sha256Of(layer.tar).hex();
      w.diff_ids.push_back("sha256:" + hex);
      w.layer_digests.push_back("sha256:" + hex);
      layers.push_back(hex + "/layer.tar");
      files[hex + "/layer.tar"] = layer.tar;
    }
    w.config_json = ConfigJson(image, w.diff_ids);
    Digest config_digest = Sha256Of(w.config_json);
    w.config_digest = config_digest.ToString();
    files[config_digest.hex() + ".json"] = w.config_json;
    // One image takes every tag; several take one tag each, in order.
    std::vector<std::string> tags;
    if (images.size() == 1) {
      tags = repo_tags;
    } else if (i < repo_tags.size()) {
      tags.push_back(repo_tags[i]);
    }
    if (!image.layers.empty()) {
      std::string top = Sha256Of(image.layers.back().tar).hex();
      for (const std::string& t : tags) {
        auto [repo, tag] = SplitRepoTag(t);
        repositories[repo][tag] = top;
      }
    }
    manifest.push_back(Json{{"Config", config_digest.hex() + ".json"},
                            {"RepoTags", tags},
                            {"Layers", std::move(layers)}});
    written.push_back(std::move(w));
  }
  std::string manifest_json = json::Dump(manifest);
  for (WrittenImage& w : written) {
    w.manifest_json = manifest_json;
    w.manifest_digest = Sha256Of(manifest_json).ToString();
  }
  files["manifest.json"] = std::move(manifest_json);
  files["repositories"] = json::Dump(repositories);
  RETURN_IF_ERROR(WriteTar(file, files));
  return written;
}

Result<std::string> WriteBlob(const std::string& layout_dir,
                              const std::string& bytes) {
  Digest digest = Sha256Of(bytes);
  std::string dir = layout_dir + "/blobs/sha256";
  RETURN_IF_ERROR(MakeDirs(dir));
  RETURN_IF_ERROR(WriteFile(dir + "/" + digest.hex(), bytes));
  return digest.ToString();
}

std::string MakeTempDir(const std::string& prefix) {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string tmpl =
      std::string(base && *base ? base : "/tmp") + "/" + prefix + "XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    std::perror(("mkdtemp " + tmpl).c_str());
    std::abort();
  }
  return tmpl;
}

}  // namespace strata::testing
