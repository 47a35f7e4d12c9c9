// The OCI layout sink (see sink.h), the helpers the archive sinks share with
// it, and OpenLocalSink.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <random>
#include <vector>

#include "base/caps.h"
#include "base/json.h"
#include "base/unique_fd.h"
#include "io/file_source.h"
#include "io/verify.h"
#include "oci/sink.h"

namespace strata::oci {
namespace {

constexpr std::string_view kRefNameAnnotation =
    "org.opencontainers.image.ref.name";
// Directories RemoveTree descends; our trees are three deep.
constexpr int kMaxRemoveDepth = 16;

using DirCloser = CHandleDeleter<DIR, closedir>;

std::string RandomSuffix() {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device rd;
  std::string out;
  for (int i = 0; i < 8; ++i) out += kChars[rd() % (sizeof(kChars) - 1)];
  return out;
}

// "a/b/c" -> {"a/b", "c"}; "c" -> {".", "c"}. Trailing slashes are dropped.
std::pair<std::string, std::string> SplitHostPath(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {".", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

Status WriteAll(int fd, const uint8_t* data, size_t n,
                const std::string& what) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("write " + what, errno);
    }
    data += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

// Opens (creating it first if asked) the directory `name` under dir_fd,
// refusing symlinks.
Result<UniqueFd> OpenDirAt(int dir_fd, const std::string& name, bool create,
                           const std::string& display) {
  if (create && ::mkdirat(dir_fd, name.c_str(), 0755) != 0 && errno != EEXIST) {
    return ErrnoError("mkdir " + display, errno);
  }
  UniqueFd fd(::openat(dir_fd, name.c_str(),
                       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("open " + display, errno);
  return fd;
}

Status SyncFd(int fd, const std::string& what) {
  if (::fsync(fd) != 0) return ErrnoError("fsync " + what, errno);
  return Status::Ok();
}

// A file being written under a temporary name in dir_fd; unlinked unless
// Publish() renamed it into place.
class TempFileAt {
 public:
  static Result<TempFileAt> Create(int dir_fd, const std::string& prefix,
                                   const std::string& display) {
    for (int attempt = 0; attempt < 100; ++attempt) {
      std::string name = "." + prefix + ".strata-" + RandomSuffix();
      int fd =
          ::openat(dir_fd, name.c_str(),
                   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (fd >= 0) return TempFileAt(dir_fd, std::move(name), UniqueFd(fd));
      if (errno != EEXIST) return ErrnoError("create " + display, errno);
    }
    return UnavailableError("create " + display + ": no free temporary name");
  }
  TempFileAt(TempFileAt&& o) noexcept
      : dir_fd_(o.dir_fd_), name_(std::move(o.name_)), fd_(std::move(o.fd_)) {
    o.name_.clear();
  }
  TempFileAt& operator=(TempFileAt&&) = delete;
  ~TempFileAt() {
    if (!name_.empty()) ::unlinkat(dir_fd_, name_.c_str(), 0);
  }

  int fd() const { return fd_.get(); }

  // Syncs (if asked), closes and renames the file to `final_name`.
  Status Publish(const std::string& final_name, bool sync,
                 const std::string& display) {
    if (sync) RETURN_IF_ERROR(SyncFd(fd_.get(), display));
    if (::close(fd_.release()) != 0)
      return ErrnoError("close " + display, errno);
    if (::renameat(dir_fd_, name_.c_str(), dir_fd_, final_name.c_str()) != 0) {
      return ErrnoError("rename " + display, errno);
    }
    name_.clear();
    return Status::Ok();
  }

 private:
  TempFileAt(int dir_fd, std::string name, UniqueFd fd)
      : dir_fd_(dir_fd), name_(std::move(name)), fd_(std::move(fd)) {}
  int dir_fd_;
  std::string name_;
  UniqueFd fd_;
};

// Writes `bytes` to dir_fd/name atomically (temp file + rename).
Status WriteFileAtomically(int dir_fd, const std::string& name,
                           std::string_view bytes, bool sync,
                           const std::string& display) {
  ASSIGN_OR_RETURN(TempFileAt tmp, TempFileAt::Create(dir_fd, name, display));
  RETURN_IF_ERROR(WriteAll(tmp.fd(),
                           reinterpret_cast<const uint8_t*>(bytes.data()),
                           bytes.size(), display));
  return tmp.Publish(name, sync, display);
}

// Reads a layout file (oci-layout, index.json) within its cap; a missing
// file is kNotFound.
Result<std::string> ReadLayoutFile(int dir_fd, const std::string& name,
                                   const std::string& display) {
  ASSIGN_OR_RETURN(std::shared_ptr<io::SharedFile> file,
                   io::SharedFile::OpenBeneath(dir_fd, name, display));
  if (file->size() > caps::kMaxLayoutFileBytes) {
    return ResourceExhaustedError(
        display + " is " + std::to_string(file->size()) +
        " bytes, over the cap of " + std::to_string(caps::kMaxLayoutFileBytes));
  }
  io::RangeSource src(file, 0, file->size());
  return ReadAll(src, caps::kMaxLayoutFileBytes, display);
}

json::Json PlatformJson(const Platform& p) {
  json::Json j{{"architecture", p.architecture}, {"os", p.os}};
  if (!p.os_version.empty()) j["os.version"] = p.os_version;
  if (!p.variant.empty()) j["variant"] = p.variant;
  return j;
}

// The index.json entry for the top document.
json::Json EntryJson(const Descriptor& d, const std::string& tag) {
  json::Json j{{"mediaType", d.media_type},
               {"digest", d.digest.ToString()},
               {"size", d.size}};
  if (d.platform) j["platform"] = PlatformJson(*d.platform);
  if (!tag.empty()) {
    j["annotations"] = json::Json{{std::string(kRefNameAnnotation), tag}};
  }
  return j;
}

// The ref.name of an index.json entry (already validated by ParseIndex).
std::string EntryTag(const json::Json& entry) {
  auto annotations = entry.find("annotations");
  if (annotations == entry.end() || !annotations->is_object()) return "";
  auto name = annotations->find(std::string(kRefNameAnnotation));
  if (name == annotations->end() || !name->is_string()) return "";
  return name->get<std::string>();
}

// `existing` (an index.json, or empty for none) with `top` added: the entry
// tagged `tag` replaced in place, or the entry appended. Other entries and
// fields are kept as they are.
Result<std::string> MergeIndex(const std::string& existing,
                               const Descriptor& top, const std::string& tag,
                               const std::string& display) {
  json::Json index{{"schemaVersion", 2},
                   {"mediaType", media::kOciIndex},
                   {"manifests", json::Json::array()}};
  if (!existing.empty()) {
    RETURN_IF_ERROR(ParseIndex(existing, display));
    ASSIGN_OR_RETURN(index,
                     json::Parse(existing, display, caps::kMaxLayoutFileBytes));
  }
  json::Json entry = EntryJson(top, tag);
  json::Json manifests = json::Json::array();
  bool placed = false;
  auto it = index.find("manifests");
  if (it != index.end()) {
    for (const json::Json& e : *it) {
      std::string e_tag = EntryTag(e);
      if (!tag.empty() && e_tag == tag) {
        if (!placed) manifests.push_back(entry);
        placed = true;
        continue;
      }
      auto digest = e.find("digest");
      if (tag.empty() && e_tag.empty() && digest != e.end() &&
          digest->is_string() &&
          digest->get<std::string>() == top.digest.ToString()) {
        placed = true;  // the same untagged entry is there already
      }
      manifests.push_back(e);
    }
  }
  if (!placed) manifests.push_back(std::move(entry));
  if (manifests.size() > static_cast<size_t>(caps::kMaxIndexManifests)) {
    return ResourceExhaustedError(display + " would list more than " +
                                  std::to_string(caps::kMaxIndexManifests) +
                                  " manifests");
  }
  index["manifests"] = std::move(manifests);
  std::string out = json::Dump(index);
  if (static_cast<int64_t>(out.size()) > caps::kMaxLayoutFileBytes) {
    return ResourceExhaustedError(display + " would be over the cap of " +
                                  std::to_string(caps::kMaxLayoutFileBytes) +
                                  " bytes");
  }
  return out;
}

Status CheckLayoutVersion(int dir_fd, const std::string& where) {
  std::string display = where + "/oci-layout";
  ASSIGN_OR_RETURN(std::string bytes,
                   ReadLayoutFile(dir_fd, "oci-layout", display));
  ASSIGN_OR_RETURN(json::Json j,
                   json::Parse(bytes, display, caps::kMaxLayoutFileBytes));
  Result<std::optional<std::string>> version =
      json::GetString(j, "imageLayoutVersion");
  if (!version.ok()) return version.status().WithContext(display);
  std::string v = version->value_or("");
  if (v != "1.0.0") {
    return UnimplementedError("unsupported imageLayoutVersion \"" +
                              v.substr(0, 100) + "\"")
        .WithContext(display);
  }
  return Status::Ok();
}

// Writes into one layout directory: blobs as they come, oci-layout (for a
// fresh layout) and index.json at Commit. Leaves cleanup to its owner.
class LayoutSink : public ImageSink {
 public:
  LayoutSink(UniqueFd dir_fd, std::string where, bool existing,
             SinkOptions options)
      : dir_fd_(std::move(dir_fd)),
        where_(std::move(where)),
        existing_(existing),
        options_(options) {}

  bool PreservesManifests() const override { return true; }

  Result<bool> HasBlob(const Descriptor& d) override {
    std::string alg(d.digest.algorithm_name());
    UniqueFd blobs(::openat(dir_fd_.get(), "blobs",
                            O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!blobs.valid()) return false;
    UniqueFd alg_dir(::openat(blobs.get(), alg.c_str(),
                              O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!alg_dir.valid()) return false;
    struct stat st;
    if (::fstatat(alg_dir.get(), d.digest.hex().c_str(), &st,
                  AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return false;
      return ErrnoError("stat " + BlobDisplay(d.digest), errno);
    }
    return S_ISREG(st.st_mode) && st.st_size == d.size;
  }

  Status PutBlob(const Descriptor& d,
                 const std::function<Result<std::unique_ptr<ByteSource>>()>&
                     open) override {
    ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> src, open());
    io::VerifyingSource verified(std::move(src), d.digest, d.size,
                                 "blob " + d.digest.ToString());
    return WriteBlob(d.digest, verified);
  }

  Status PutManifest(const Descriptor& d, std::string_view bytes,
                     const std::string& tag) override {
    std::string what = "manifest " + d.digest.ToString();
    if (d.size > caps::kMaxManifestBytes) {
      return ResourceExhaustedError(what + " is " + std::to_string(d.size) +
                                    " bytes, over the cap of " +
                                    std::to_string(caps::kMaxManifestBytes));
    }
    io::VerifyingSource verified(std::make_unique<MemorySource>(bytes),
                                 d.digest, d.size, what);
    RETURN_IF_ERROR(WriteBlob(d.digest, verified));
    top_ = d;
    tag_ = tag;
    return Status::Ok();
  }

  Status Commit() override {
    if (!top_) {
      return FailedPreconditionError(
          where_ + ": nothing to commit: no manifest written");
    }
    if (options_.sync) RETURN_IF_ERROR(SyncBlobDirs());
    if (existing_) {
      // Serialises read-modify-write of index.json between strata processes.
      if (::flock(dir_fd_.get(), LOCK_EX) != 0) {
        return ErrnoError("lock " + where_, errno);
      }
      Status s = WriteIndex();
      ::flock(dir_fd_.get(), LOCK_UN);
      RETURN_IF_ERROR(s);
    } else {
      RETURN_IF_ERROR(WriteFileAtomically(
          dir_fd_.get(), "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}",
          options_.sync, where_ + "/oci-layout"));
      RETURN_IF_ERROR(WriteIndex());
    }
    if (options_.sync) RETURN_IF_ERROR(SyncFd(dir_fd_.get(), where_));
    return Status::Ok();
  }

  // Checks an existing layout's oci-layout and index.json before anything is
  // copied into it.
  Status CheckExisting() {
    RETURN_IF_ERROR(CheckLayoutVersion(dir_fd_.get(), where_));
    ASSIGN_OR_RETURN(std::string index, ReadIndexJson());
    if (index.empty()) return Status::Ok();
    return ParseIndex(index, where_ + "/index.json").status();
  }

 private:
  // The existing index.json, or "" when there is none.
  Result<std::string> ReadIndexJson() {
    Result<std::string> read =
        ReadLayoutFile(dir_fd_.get(), "index.json", where_ + "/index.json");
    if (!read.ok() && read.status().code() == StatusCode::kNotFound) {
      return std::string();
    }
    return read;
  }

  std::string BlobDisplay(const Digest& d) const {
    return where_ + "/blobs/" + std::string(d.algorithm_name()) + "/" + d.hex();
  }

  // Streams `src` (which verifies) into blobs/<alg>/<hex>.
  Status WriteBlob(const Digest& digest, ByteSource& src) {
    std::string alg(digest.algorithm_name());
    ASSIGN_OR_RETURN(UniqueFd blobs, OpenDirAt(dir_fd_.get(), "blobs", true,
                                               where_ + "/blobs"));
    ASSIGN_OR_RETURN(UniqueFd alg_dir, OpenDirAt(blobs.get(), alg, true,
                                                 where_ + "/blobs/" + alg));
    std::string display = BlobDisplay(digest);
    ASSIGN_OR_RETURN(TempFileAt tmp,
                     TempFileAt::Create(alg_dir.get(), digest.hex(), display));
    std::vector<uint8_t> buf(caps::kStreamBufferBytes);
    while (true) {
      ASSIGN_OR_RETURN(size_t n, src.Read(buf));
      if (n == 0) break;
      RETURN_IF_ERROR(WriteAll(tmp.fd(), buf.data(), n, display));
    }
    return tmp.Publish(digest.hex(), options_.sync, display);
  }

  // Writes index.json: the existing one, if any, with top_ added.
  Status WriteIndex() {
    std::string existing;
    if (existing_) {
      ASSIGN_OR_RETURN(existing, ReadIndexJson());
    }
    std::string display = where_ + "/index.json";
    ASSIGN_OR_RETURN(std::string index,
                     MergeIndex(existing, *top_, tag_, display));
    return WriteFileAtomically(dir_fd_.get(), "index.json", index,
                               options_.sync, display);
  }

  Status SyncBlobDirs() {
    UniqueFd blobs(::openat(dir_fd_.get(), "blobs",
                            O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!blobs.valid()) return ErrnoError("open " + where_ + "/blobs", errno);
    for (const char* alg : {"sha256", "sha512"}) {
      UniqueFd dir(::openat(blobs.get(), alg,
                            O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (dir.valid()) {
        RETURN_IF_ERROR(SyncFd(dir.get(), where_ + "/blobs/" + alg));
      }
    }
    return SyncFd(blobs.get(), where_ + "/blobs");
  }

  const UniqueFd dir_fd_;
  const std::string where_;
  const bool existing_;
  const SinkOptions options_;
  std::optional<Descriptor> top_;  // the last PutManifest
  std::string tag_;
};

// A new layout: staged in a hidden sibling directory, renamed into place at
// Commit, removed otherwise.
class NewLayoutSink : public ImageSink {
 public:
  NewLayoutSink(std::unique_ptr<ImageSink> inner, std::string staging,
                std::string path, SinkOptions options)
      : inner_(std::move(inner)),
        staging_(std::move(staging)),
        path_(std::move(path)),
        options_(options) {}
  ~NewLayoutSink() override {
    inner_.reset();
    if (!committed_) internal::RemoveTree(staging_).IgnoreError();
  }

  bool PreservesManifests() const override { return true; }
  Result<bool> HasBlob(const Descriptor& d) override {
    return inner_->HasBlob(d);
  }
  Status PutBlob(const Descriptor& d,
                 const std::function<Result<std::unique_ptr<ByteSource>>()>&
                     open) override {
    return inner_->PutBlob(d, open);
  }
  Status PutManifest(const Descriptor& d, std::string_view bytes,
                     const std::string& tag) override {
    return inner_->PutManifest(d, bytes, tag);
  }
  Status Commit() override {
    RETURN_IF_ERROR(inner_->Commit());
    // Fails if a non-empty directory appeared at path_ meanwhile; replaces
    // an empty one.
    if (::rename(staging_.c_str(), path_.c_str()) != 0) {
      return ErrnoError("rename " + staging_ + " to " + path_, errno);
    }
    committed_ = true;
    if (options_.sync) {
      RETURN_IF_ERROR(internal::SyncParentDir(path_));
    }
    return Status::Ok();
  }

 private:
  std::unique_ptr<ImageSink> inner_;
  const std::string staging_;
  const std::string path_;
  const SinkOptions options_;
  bool committed_ = false;
};

Status RemoveTreeAt(int parent_fd, const std::string& name,
                    const std::string& display, int depth) {
  if (depth > kMaxRemoveDepth) {
    return FailedPreconditionError(display + ": nested more than " +
                                   std::to_string(kMaxRemoveDepth) +
                                   " directories deep");
  }
  int raw = ::openat(parent_fd, name.c_str(),
                     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (raw < 0) {
    if (errno == ENOENT) return Status::Ok();
    if (errno != ENOTDIR && errno != ELOOP) {
      return ErrnoError("open " + display, errno);
    }
    if (::unlinkat(parent_fd, name.c_str(), 0) != 0 && errno != ENOENT) {
      return ErrnoError("remove " + display, errno);
    }
    return Status::Ok();
  }
  UniqueFd fd(raw);
  std::vector<std::string> names;
  {
    int dup_fd = ::dup(fd.get());
    if (dup_fd < 0) return ErrnoError("dup " + display, errno);
    std::unique_ptr<DIR, DirCloser> dir(::fdopendir(dup_fd));
    if (!dir) {
      ::close(dup_fd);
      return ErrnoError("opendir " + display, errno);
    }
    while (struct dirent* e = ::readdir(dir.get())) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(std::move(n));
    }
  }
  for (const std::string& n : names) {
    RETURN_IF_ERROR(RemoveTreeAt(fd.get(), n, display + "/" + n, depth + 1));
  }
  if (::unlinkat(parent_fd, name.c_str(), AT_REMOVEDIR) != 0 &&
      errno != ENOENT) {
    return ErrnoError("remove " + display, errno);
  }
  return Status::Ok();
}

Result<bool> IsEmptyDir(const std::string& path) {
  std::unique_ptr<DIR, DirCloser> dir(::opendir(path.c_str()));
  if (!dir) return ErrnoError("open " + path, errno);
  while (struct dirent* e = ::readdir(dir.get())) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") return false;
  }
  return true;
}

Result<std::unique_ptr<ImageSink>> OpenLayoutSink(const ImageRef& ref,
                                                  const SinkOptions& options) {
  const std::string& path = ref.path;
  struct stat st;
  bool fresh = false;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return ErrnoError("stat " + path, errno);
    fresh = true;
  } else if (!S_ISDIR(st.st_mode)) {
    return FailedPreconditionError(path + " exists and is not a directory");
  } else if (::access((path + "/oci-layout").c_str(), F_OK) != 0) {
    ASSIGN_OR_RETURN(bool empty, IsEmptyDir(path));
    if (!empty) {
      return FailedPreconditionError(
          path + " exists and is not an OCI layout (no oci-layout file)");
    }
    fresh = true;
  }
  if (fresh) {
    ASSIGN_OR_RETURN(std::string staging, internal::MakeSiblingDir(path));
    Result<std::unique_ptr<ImageSink>> inner =
        internal::OpenStagingLayoutSink(staging, options);
    if (!inner.ok()) {
      internal::RemoveTree(staging).IgnoreError();
      return inner.status();
    }
    return std::unique_ptr<ImageSink>(std::make_unique<NewLayoutSink>(
        *std::move(inner), std::move(staging), path, options));
  }
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("open " + path, errno);
  auto sink = std::make_unique<LayoutSink>(std::move(fd), path, true, options);
  RETURN_IF_ERROR(sink->CheckExisting());
  return std::unique_ptr<ImageSink>(std::move(sink));
}

}  // namespace

namespace internal {

Result<std::unique_ptr<ImageSink>> OpenStagingLayoutSink(
    const std::string& dir, const SinkOptions& options) {
  UniqueFd fd(
      ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("open " + dir, errno);
  return std::unique_ptr<ImageSink>(
      std::make_unique<LayoutSink>(std::move(fd), dir, false, options));
}

Result<std::string> MakeSiblingDir(const std::string& path) {
  auto [parent, base] = SplitHostPath(path);
  struct stat st;
  if (::stat(parent.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return NotFoundError("cannot create " + path + ": " + parent +
                         " is not a directory");
  }
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string dir = parent + "/." + base + ".strata-" + RandomSuffix();
    if (::mkdir(dir.c_str(), 0755) == 0) return dir;
    if (errno != EEXIST) return ErrnoError("mkdir " + dir, errno);
  }
  return UnavailableError("cannot create a temporary directory beside " + path);
}

Status RemoveTree(const std::string& dir) {
  auto [parent, base] = SplitHostPath(dir);
  UniqueFd parent_fd(
      ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!parent_fd.valid()) return ErrnoError("open " + parent, errno);
  return RemoveTreeAt(parent_fd.get(), base, dir, 0);
}

Status SyncParentDir(const std::string& path) {
  std::string dir = SplitHostPath(path).first;
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("open " + dir, errno);
  return SyncFd(fd.get(), dir);
}

}  // namespace internal

Result<std::unique_ptr<ImageSink>> OpenLocalSink(const ImageRef& ref,
                                                 const SinkOptions& options) {
  switch (ref.transport) {
    case Transport::kOciLayout:
      return OpenLayoutSink(ref, options);
    case Transport::kOciArchive:
      return internal::OpenOciArchiveSink(ref, options);
    case Transport::kDockerArchive:
      return internal::OpenDockerArchiveSink(ref, options);
    case Transport::kRootfs:
    case Transport::kRegistry:
      break;
  }
  return InvalidArgumentError(std::string(TransportName(ref.transport)) +
                              ": references are not local destinations");
}

}  // namespace strata::oci
