// The archive sinks (see sink.h): blobs are staged in a layout inside a
// hidden directory beside the destination (STAGING/layout); Commit writes the
// tar to STAGING/archive and renames it over the destination.
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <map>
#include <vector>

#include "base/caps.h"
#include "base/json.h"
#include "base/unique_fd.h"
#include "io/verify.h"
#include "oci/sink.h"

namespace strata::oci {
namespace {

// Directories listed below the staged layout; it is two deep.
constexpr int kMaxListDepth = 4;

using ArchivePtr =
    std::unique_ptr<archive, CHandleDeleter<archive, archive_write_free>>;
using EntryPtr =
    std::unique_ptr<archive_entry,
                    CHandleDeleter<archive_entry, archive_entry_free>>;
using DirCloser = CHandleDeleter<DIR, closedir>;

// One member of the archive: a directory, bytes in memory or a staged file.
struct Member {
  enum class Kind { kDirectory, kBytes, kFile };
  Kind kind = Kind::kDirectory;
  std::string data;  // kBytes: the content; kFile: the host path
};
// By member name, so the archive lists them sorted.
using Members = std::map<std::string, Member>;

// Adds `name` and its parent directories ("blobs/", "blobs/sha256/").
void AddMember(Members& members, const std::string& name, Member m) {
  for (size_t p = name.find('/'); p != std::string::npos;
       p = name.find('/', p + 1)) {
    members[name.substr(0, p + 1)] = Member{};
  }
  members[name] = std::move(m);
}

Status ArchiveError(archive* a, const std::string& display) {
  const char* msg = archive_error_string(a);
  return UnavailableError("write " + display + ": " +
                          (msg ? msg : "libarchive error"));
}

// Streams exactly `size` bytes of the staged file `fd` into the entry.
Status CopyFileData(archive* a, int fd, int64_t size, const std::string& path,
                    const std::string& display) {
  std::vector<uint8_t> buf(caps::kStreamBufferBytes);
  while (size > 0) {
    size_t want = static_cast<size_t>(
        std::min<int64_t>(size, static_cast<int64_t>(buf.size())));
    ssize_t n = ::read(fd, buf.data(), want);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("read " + path, errno);
    }
    if (n == 0) return DataLossError(path + ": shrank while being archived");
    if (archive_write_data(a, buf.data(), static_cast<size_t>(n)) != n) {
      return ArchiveError(a, display);
    }
    size -= n;
  }
  return Status::Ok();
}

// Writes `members` as a pax (ustar where it suffices) tar to fd: sorted,
// owner 0:0, mtime 0, mode 0644 for files and 0755 for directories.
Status WriteTar(int fd, const Members& members, const std::string& display) {
  ArchivePtr a(archive_write_new());
  if (!a) return InternalError("archive_write_new failed");
  if (archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK ||
      archive_write_open_fd(a.get(), fd) != ARCHIVE_OK) {
    return ArchiveError(a.get(), display);
  }
  for (const auto& [name, m] : members) {
    EntryPtr e(archive_entry_new());
    if (!e) return InternalError("archive_entry_new failed");
    UniqueFd file;
    int64_t size = 0;
    if (m.kind == Member::Kind::kFile) {
      file.Reset(::open(m.data.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
      if (!file.valid()) return ErrnoError("open " + m.data, errno);
      struct stat st;
      if (::fstat(file.get(), &st) != 0) {
        return ErrnoError("stat " + m.data, errno);
      }
      if (!S_ISREG(st.st_mode)) {
        return InternalError(m.data + " is not a regular file");
      }
      size = st.st_size;
    } else if (m.kind == Member::Kind::kBytes) {
      size = static_cast<int64_t>(m.data.size());
    }
    bool dir = m.kind == Member::Kind::kDirectory;
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_filetype(e.get(), dir ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(e.get(), dir ? 0755 : 0644);
    archive_entry_set_size(e.get(), size);
    archive_entry_set_mtime(e.get(), 0, 0);
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK) {
      return ArchiveError(a.get(), display);
    }
    if (m.kind == Member::Kind::kFile) {
      RETURN_IF_ERROR(CopyFileData(a.get(), file.get(), size, m.data, display));
    } else if (size > 0 && archive_write_data(a.get(), m.data.data(),
                                              m.data.size()) != size) {
      return ArchiveError(a.get(), display);
    }
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    return ArchiveError(a.get(), display);
  }
  return Status::Ok();
}

// Adds the regular files below host directory `dir` as members under
// `prefix`.
Status AddTree(Members& members, const std::string& dir,
               const std::string& prefix, int depth) {
  if (depth > kMaxListDepth) {
    return InternalError(dir + ": nested more than " +
                         std::to_string(kMaxListDepth) + " directories deep");
  }
  std::unique_ptr<DIR, DirCloser> d(::opendir(dir.c_str()));
  if (!d) return ErrnoError("open " + dir, errno);
  while (struct dirent* e = ::readdir(d.get())) {
    std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    struct stat st;
    if (::fstatat(::dirfd(d.get()), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      return ErrnoError("stat " + dir + "/" + n, errno);
    }
    if (S_ISDIR(st.st_mode)) {
      members[prefix + n + "/"] = Member{};
      RETURN_IF_ERROR(
          AddTree(members, dir + "/" + n, prefix + n + "/", depth + 1));
    } else if (S_ISREG(st.st_mode)) {
      members[prefix + n] = Member{Member::Kind::kFile, dir + "/" + n};
    } else {
      return InternalError(dir + "/" + n + " is not a regular file");
    }
  }
  return Status::Ok();
}

std::string BlobName(const Digest& d) {
  return "blobs/" + std::string(d.algorithm_name()) + "/" + d.hex();
}

// Checks `bytes` against its descriptor.
Status VerifyDocument(const Descriptor& d, std::string_view bytes) {
  std::string what = "manifest " + d.digest.ToString();
  if (d.size > caps::kMaxManifestBytes) {
    return ResourceExhaustedError(what + " is " + std::to_string(d.size) +
                                  " bytes, over the cap of " +
                                  std::to_string(caps::kMaxManifestBytes));
  }
  io::VerifyingSource src(std::make_unique<MemorySource>(bytes), d.digest,
                          d.size, what);
  return Drain(src);
}

// The RepoTags entry for `tag` when it is a full name with an explicit tag
// ("alpine:3.20" -> "docker.io/library/alpine:3.20"), else none.
std::vector<std::string> RepoTagsFor(const std::string& tag) {
  size_t slash = tag.rfind('/');
  size_t colon = tag.rfind(':');
  bool explicit_tag = colon != std::string::npos &&
                      (slash == std::string::npos || colon > slash) &&
                      tag.find('@') == std::string::npos;
  if (!explicit_tag) return {};
  Result<ImageRef> ref = ParseRegistryName(tag);
  if (!ref.ok()) return {};
  return {ref->Name()};
}

// What both archive sinks share: the staging directory (removed on
// destruction, committed or not), the staged layout's blobs, and writing
// the archive over the destination.
class ArchiveSink : public ImageSink {
 public:
  ArchiveSink(std::string path, std::string staging, SinkOptions options)
      : path_(std::move(path)),
        staging_(std::move(staging)),
        options_(options) {}
  ~ArchiveSink() override {
    layout_.reset();
    internal::RemoveTree(staging_).IgnoreError();
  }

  Status Init() {
    std::string dir = LayoutDir();
    if (::mkdir(dir.c_str(), 0755) != 0)
      return ErrnoError("mkdir " + dir, errno);
    // Only the archive needs to be durable: the staging files are not synced.
    ASSIGN_OR_RETURN(layout_, internal::OpenStagingLayoutSink(
                                  dir, SinkOptions{.sync = false}));
    return Status::Ok();
  }

  Result<bool> HasBlob(const Descriptor& d) override {
    return layout_->HasBlob(d);
  }
  Status PutBlob(const Descriptor& d,
                 const std::function<Result<std::unique_ptr<ByteSource>>()>&
                     open) override {
    return layout_->PutBlob(d, open);
  }

 protected:
  std::string LayoutDir() const { return staging_ + "/layout"; }

  // Writes the tar next to the staged layout, then renames it over path_.
  Status WriteArchive(const Members& members) {
    std::string tmp = staging_ + "/archive";
    UniqueFd fd(::open(tmp.c_str(),
                       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                       0644));
    if (!fd.valid()) return ErrnoError("create " + tmp, errno);
    RETURN_IF_ERROR(WriteTar(fd.get(), members, path_));
    if (options_.sync && ::fsync(fd.get()) != 0) {
      return ErrnoError("fsync " + tmp, errno);
    }
    if (::close(fd.release()) != 0) return ErrnoError("close " + tmp, errno);
    if (::rename(tmp.c_str(), path_.c_str()) != 0) {
      return ErrnoError("rename " + tmp + " to " + path_, errno);
    }
    if (options_.sync) RETURN_IF_ERROR(internal::SyncParentDir(path_));
    return Status::Ok();
  }

  const std::string path_;
  const std::string staging_;
  const SinkOptions options_;
  std::unique_ptr<ImageSink> layout_;
};

class OciArchiveSink : public ArchiveSink {
 public:
  using ArchiveSink::ArchiveSink;

  bool PreservesManifests() const override { return true; }
  Status PutManifest(const Descriptor& d, std::string_view bytes,
                     const std::string& tag) override {
    return layout_->PutManifest(d, bytes, tag);
  }
  Status Commit() override {
    RETURN_IF_ERROR(layout_->Commit());
    Members members;
    RETURN_IF_ERROR(AddTree(members, LayoutDir(), "", 0));
    return WriteArchive(members);
  }
};

class DockerArchiveSink : public ArchiveSink {
 public:
  using ArchiveSink::ArchiveSink;

  bool PreservesManifests() const override { return false; }

  // Records the image; called before its blobs are copied.
  Status PutManifest(const Descriptor& d, std::string_view bytes,
                     const std::string& tag) override {
    RETURN_IF_ERROR(VerifyDocument(d, bytes));
    std::string what = "manifest " + d.digest.ToString();
    Result<DocumentKind> kind = ClassifyDocument(bytes, d.media_type);
    if (!kind.ok()) return kind.status().WithContext(what);
    if (*kind == DocumentKind::kIndex || manifest_) {
      return InvalidArgumentError(
          "docker-archive holds one image; choose a platform or use an OCI "
          "destination");
    }
    ASSIGN_OR_RETURN(Manifest m, ParseManifest(bytes, what));
    const std::string& config_type = m.config.media_type;
    if (config_type != media::kOciConfig &&
        config_type != media::kDockerConfig) {
      return InvalidArgumentError(
          "docker-archive holds container images only; " + what +
          " has config media type \"" + config_type.substr(0, 100) + "\"");
    }
    for (size_t i = 0; i < m.layers.size(); ++i) {
      const std::string& mt = m.layers[i].media_type;
      if (!IsLayerMediaType(mt)) {
        return InvalidArgumentError(
            "docker-archive holds container images only; layer " +
            std::to_string(i) + " of " + what + " has media type \"" +
            mt.substr(0, 100) + "\"");
      }
    }
    manifest_ = std::move(m);
    repo_tags_ = RepoTagsFor(tag);
    return Status::Ok();
  }

  Status Commit() override {
    if (!manifest_) {
      return FailedPreconditionError(
          path_ + ": nothing to commit: no manifest written");
    }
    Members members;
    json::Json layers = json::Json::array();
    RETURN_IF_ERROR(AddBlob(members, manifest_->config));
    for (const Descriptor& layer : manifest_->layers) {
      RETURN_IF_ERROR(AddBlob(members, layer));
      layers.push_back(BlobName(layer.digest));
    }
    json::Json entry{{"Config", BlobName(manifest_->config.digest)},
                     {"RepoTags", repo_tags_},
                     {"Layers", std::move(layers)}};
    AddMember(members, "manifest.json",
              Member{Member::Kind::kBytes,
                     json::Dump(json::Json::array({std::move(entry)}))});
    return WriteArchive(members);
  }

 private:
  Status AddBlob(Members& members, const Descriptor& d) {
    ASSIGN_OR_RETURN(bool present, layout_->HasBlob(d));
    if (!present) {
      return FailedPreconditionError(path_ + ": blob " + d.digest.ToString() +
                                     " was not written");
    }
    std::string name = BlobName(d.digest);
    AddMember(members, name,
              Member{Member::Kind::kFile, LayoutDir() + "/" + name});
    return Status::Ok();
  }

  std::optional<Manifest> manifest_;
  std::vector<std::string> repo_tags_;
};

template <typename Sink>
Result<std::unique_ptr<ImageSink>> OpenArchiveSink(const ImageRef& ref,
                                                   const SinkOptions& options) {
  struct stat st;
  if (::stat(ref.path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) {
      return FailedPreconditionError(ref.path +
                                     " exists and is not a regular file");
    }
  } else if (errno != ENOENT) {
    return ErrnoError("stat " + ref.path, errno);
  }
  ASSIGN_OR_RETURN(std::string staging, internal::MakeSiblingDir(ref.path));
  auto sink = std::make_unique<Sink>(ref.path, std::move(staging), options);
  RETURN_IF_ERROR(sink->Init());
  return std::unique_ptr<ImageSink>(std::move(sink));
}

}  // namespace

namespace internal {

Result<std::unique_ptr<ImageSink>> OpenOciArchiveSink(
    const ImageRef& ref, const SinkOptions& options) {
  return OpenArchiveSink<OciArchiveSink>(ref, options);
}

Result<std::unique_ptr<ImageSink>> OpenDockerArchiveSink(
    const ImageRef& ref, const SinkOptions& options) {
  return OpenArchiveSink<DockerArchiveSink>(ref, options);
}

}  // namespace internal
}  // namespace strata::oci
