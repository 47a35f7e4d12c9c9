// Root filesystem sources (dir:ROOTFS): the directory is walked once with
// directory file descriptors, never following a symlink on the host, and
// becomes a single pseudo-layer in the same FileTree as an image.
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <tuple>

#include "base/path.h"
#include "base/unique_fd.h"
#include "fs/file_tree.h"
#include "image/capture.h"
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

// Kernel pseudo filesystems (as mounted at /proc, /sys, /dev, cgroups) hold
// no image content and never end; a root filesystem scan of a live system
// skips them, as syft does.
bool IsPseudoFilesystem(int dir_fd) {
  struct statfs sfs;
  if (::fstatfs(dir_fd, &sfs) != 0) return false;
  switch (static_cast<unsigned long>(sfs.f_type)) {
    case PROC_SUPER_MAGIC:
    case SYSFS_MAGIC:
    case DEVPTS_SUPER_MAGIC:
    case CGROUP_SUPER_MAGIC:
    case CGROUP2_SUPER_MAGIC:
    case DEBUGFS_MAGIC:
    case TRACEFS_MAGIC:
    case SECURITYFS_MAGIC:
    case BPF_FS_MAGIC:
      return true;
    default:
      return false;
  }
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

// Captures a regular host file (opened never through a symlink: O_NOFOLLOW
// on the last component, the directory fd pins the rest).
Status CaptureHostFile(int dir_fd, const std::string& name,
                       const std::string& rel, uint32_t mode,
                       const Capturer& capturer, std::string* scratch,
                       std::vector<CapturedFile>* out) {
  UniqueFd fd(::openat(dir_fd, name.c_str(),
                       O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("open " + rel, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoError("stat " + rel, errno);
  if (!S_ISREG(st.st_mode)) {
    return FailedPreconditionError(rel + " changed while reading");
  }
  auto read = [&](std::span<uint8_t> buf) -> Result<size_t> {
    while (true) {
      ssize_t n = ::read(fd.get(), buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoError("read " + rel, errno);
      return static_cast<size_t>(n);
    }
  };
  return capturer.Capture(0, -1, rel, mode, st.st_size, read, scratch, out);
}

}  // namespace

Result<LoadedImage> LoadRootfs(const oci::ImageRef& ref,
                               const LoadOptions& options) {
  UniqueFd root(::open(ref.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return ErrnoError(ref.path, errno);

  fs::LayerChanges changes;
  changes.layer = 0;
  LayerStats stats;
  std::vector<CapturedFile> captured;
  io::ByteBudget capture_left(options.max_captured_total_bytes,
                              std::string(kCapturedBytesWhat));
  CaptureSpec spec;
  spec.globs = &options.capture_globs;
  spec.rules = &options.capture_rules;
  spec.max_file_bytes = options.max_captured_file_bytes;
  spec.total_budget = &capture_left;
  const Capturer capturer(spec);
  std::string scratch;
  std::deque<std::string> pending = {""};
  while (!pending.empty()) {
    std::string dir = std::move(pending.front());
    pending.pop_front();
    Result<UniqueFd> dfd = OpenDirBeneath(root.get(), dir);
    if (!dfd.ok()) return dfd.status().WithContext(ref.path);
    if (!dir.empty() && IsPseudoFilesystem(dfd->get())) continue;
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
        if (capturer.Wants(rel, c.info.mode)) {
          RETURN_IF_ERROR(CaptureHostFile(::dirfd(d), name, rel, c.info.mode,
                                          capturer, &scratch, &captured));
        }
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
  std::sort(captured.begin(), captured.end(),
            [](const CapturedFile& a, const CapturedFile& b) {
              // layer 0, offset -1 for all
              return std::tie(a.path, a.rule) < std::tie(b.path, b.rule);
            });
  out.captured = std::move(captured);
  return out;
}

}  // namespace strata::image
