// Root filesystem sources (dir:ROOTFS): the directory is walked once with
// directory file descriptors, never following a symlink on the host, and
// becomes a single pseudo-layer in the same FileTree as an image.
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>

#include "base/path.h"
#include "base/unique_fd.h"
#include "image/loader.h"

namespace strata::image {
namespace {

// Opens directory `rel` (normalised, relative to root_fd) without following
// symlinks in any component.
Result<UniqueFd> OpenDirBeneath(int root_fd, const std::string& rel) {
  if (rel.empty()) {
    int fd = ::openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoError("open directory", errno);
    return UniqueFd(fd);
  }
  open_how how{};
  how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  long fd = ::syscall(SYS_openat2, root_fd, rel.c_str(), &how, sizeof(how));
  if (fd >= 0) return UniqueFd(static_cast<int>(fd));
  if (errno != ENOSYS) return ErrnoError("open " + rel, errno);
  // Kernels before 5.6: walk component by component with O_NOFOLLOW.
  UniqueFd cur(::openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  for (std::string_view c : path::Split(rel)) {
    std::string name(c);
    int next = ::openat(cur.get(), name.c_str(),
                        O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (next < 0) return ErrnoError("open " + rel, errno);
    cur.Reset(next);
  }
  return cur;
}

fs::FileType TypeOf(mode_t m) {
  if (S_ISREG(m)) return fs::FileType::kRegular;
  if (S_ISDIR(m)) return fs::FileType::kDirectory;
  if (S_ISLNK(m)) return fs::FileType::kSymlink;
  if (S_ISCHR(m)) return fs::FileType::kCharDevice;
  if (S_ISBLK(m)) return fs::FileType::kBlockDevice;
  if (S_ISFIFO(m)) return fs::FileType::kFifo;
  return fs::FileType::kOther;
}

}  // namespace

Result<LoadedImage> LoadRootfs(const oci::ImageRef& ref,
                               const LoadOptions& options) {
  UniqueFd root(::open(ref.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return ErrnoError(ref.path, errno);

  fs::LayerChanges changes;
  changes.layer = 0;
  LayerStats stats;
  std::deque<std::string> pending = {""};
  while (!pending.empty()) {
    std::string dir = std::move(pending.front());
    pending.pop_front();
    Result<UniqueFd> dfd = OpenDirBeneath(root.get(), dir);
    if (!dfd.ok()) return dfd.status().WithContext(ref.path);
    DIR* d = ::fdopendir(dfd->get());
    if (d == nullptr) return ErrnoError("read " + dir, errno);
    dfd->release();  // now owned by d
    std::unique_ptr<DIR, CHandleDeleter<DIR, ::closedir>> dir_handle(d);
    std::vector<std::string> names;
    while (dirent* de = ::readdir(d)) {
      std::string_view n = de->d_name;
      if (n == "." || n == "..") continue;
      names.emplace_back(n);
    }
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      if (++stats.entries > options.max_entries) {
        return ResourceExhaustedError("root filesystem has more than " +
                                      std::to_string(options.max_entries) +
                                      " entries (--max-entries)");
      }
      std::string rel = path::Join(dir, name);
      if (static_cast<int64_t>(rel.size()) > caps::kMaxPathLength) {
        return ResourceExhaustedError("path longer than " +
                                      std::to_string(caps::kMaxPathLength) +
                                      " bytes under " + ref.path);
      }
      struct stat st;
      if (::fstatat(::dirfd(d), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        return ErrnoError("stat " + rel, errno);
      }
      fs::Change c;
      c.kind = fs::Change::Kind::kAdd;
      c.path = rel;
      c.info.type = TypeOf(st.st_mode);
      c.info.mode = st.st_mode & 07777;
      c.info.uid = st.st_uid;
      c.info.gid = st.st_gid;
      c.info.mtime = st.st_mtime;
      c.info.layer = 0;
      if (c.info.type == fs::FileType::kRegular) {
        c.info.size = st.st_size;
        c.info.content = {0, -1, st.st_size};
        stats.uncompressed_bytes += st.st_size;
      } else if (c.info.type == fs::FileType::kSymlink) {
        char buf[caps::kMaxLinkTargetLength + 1];
        ssize_t n = ::readlinkat(::dirfd(d), name.c_str(), buf, sizeof(buf));
        if (n < 0) return ErrnoError("readlink " + rel, errno);
        if (n > caps::kMaxLinkTargetLength) {
          return ResourceExhaustedError(
              "symlink " + rel + ": target longer than " +
              std::to_string(caps::kMaxLinkTargetLength) + " bytes");
        }
        c.info.link_target.assign(buf, static_cast<size_t>(n));
      } else if (c.info.type == fs::FileType::kCharDevice ||
                 c.info.type == fs::FileType::kBlockDevice) {
        c.info.dev_major = major(st.st_rdev);
        c.info.dev_minor = minor(st.st_rdev);
      } else if (c.info.type == fs::FileType::kDirectory) {
        pending.push_back(rel);
      }
      changes.changes.push_back(std::move(c));
    }
  }
  LoadedImage out;
  out.ref = ref;
  RETURN_IF_ERROR(out.tree.ApplyLayer(changes));
  out.layers.push_back(std::move(stats));
  return out;
}

}  // namespace strata::image
