// The squashed filesystem view of an image: final paths -> metadata and where
// each file's content lives. Built layer by layer with OCI whiteout rules;
// never backed by files on the host.
//
// Ownership: the tree owns all nodes. Pointers and views it returns stay
// valid until the next ApplyLayer call.
// Thread-safety: const methods may be called concurrently; ApplyLayer may
// not run concurrently with anything.
#ifndef STRATA_FS_FILE_TREE_H_
#define STRATA_FS_FILE_TREE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace strata::fs {

enum class FileType {
  kRegular,
  kDirectory,
  kSymlink,
  kCharDevice,
  kBlockDevice,
  kFifo,
  kOther,
};
std::string_view FileTypeName(FileType t);

// Where a regular file's bytes are: in layer `layer`, `size` bytes starting
// at byte `offset` of that layer's uncompressed tar stream. For a root
// filesystem source, offset is -1 and the bytes are read from the host file
// at the node's path under the source root.
struct ContentLocation {
  int32_t layer = -1;
  int64_t offset = -1;
  int64_t size = 0;
};

struct FileInfo {
  FileType type = FileType::kRegular;
  uint32_t mode = 0;  // permission bits
  int64_t uid = 0, gid = 0;
  int64_t size = 0;
  int64_t mtime = 0;
  std::string link_target;  // symlinks: raw target as stored
  uint32_t dev_major = 0, dev_minor = 0;
  int32_t layer = -1;  // layer that last wrote this path
  ContentLocation content;
};

// One layer's changes, in archive order, with normalised paths.
struct Change {
  enum class Kind {
    kAdd,       // create or replace `path` with `info`
    kHardlink,  // create `path` as a hard link to `target` (normalised)
    kWhiteout,  // .wh.NAME: delete `path` (from lower layers)
    kOpaque,    // .wh..wh..opq: hide all lower-layer children of `path`
  };
  Kind kind = Kind::kAdd;
  std::string path;
  std::string target;  // kHardlink only
  FileInfo info;       // kAdd and kHardlink (mode/uid/gid/mtime)
};

struct LayerChanges {
  int32_t layer = 0;
  std::vector<Change> changes;
};

// Classifies a normalised tar entry name (base/path.h):
//   "a/.wh.b"        -> kWhiteout, *target_path = "a/b"
//   "a/.wh..wh..opq" -> kOpaque,   *target_path = "a"
//   other "a/.wh..wh.*" (aufs metadata such as .wh..wh.plnk) -> kIgnore
//   anything else    -> kNone
enum class WhiteoutKind { kNone, kWhiteout, kOpaque, kIgnore };
WhiteoutKind ClassifyWhiteout(std::string_view normalized,
                              std::string* target_path);

struct ResolveResult {
  std::string path;      // final path after following symlinks
  const FileInfo* info;  // never null on success
};

class FileTree {
 public:
  FileTree();
  ~FileTree();
  FileTree(FileTree&&) noexcept;
  FileTree& operator=(FileTree&&) noexcept;

  // Applies one layer on top of the current view, as container runtimes do:
  //  1. whiteouts and opaque markers hide lower-layer paths (never paths of
  //     this same layer);
  //  2. additions in archive order; the last entry for a path wins; a
  //     non-directory replaces a directory with its subtree; a directory
  //     over a directory merges (metadata from the new one); missing parents
  //     are created implicitly; a parent that is a symlink is resolved inside
  //     the root (containerd's behaviour);
  //  3. a hardlink must name a target that exists at that point (earlier in
  //     this layer or in a lower layer) and is not a directory, else
  //     kDataLoss "hardlink a -> b: target does not exist"; the link shares
  //     the target's content location.
  // Layers must be applied in order 0, 1, 2, ... On error the tree may be
  // partly updated and should be discarded.
  Status ApplyLayer(const LayerChanges& layer);

  // Looks a path up without following symlinks. nullptr if absent. "" is the
  // root directory.
  const FileInfo* Lookup(std::string_view normalized) const;

  // Resolves a path inside the root, following symlinks in every component
  // (and in the last one when follow_final). Absolute targets restart at the
  // image root, ".." never climbs above it. More than caps::kMaxSymlinkHops
  // symlinks is kFailedPrecondition "symlink loop"; a missing component is
  // kNotFound.
  Result<ResolveResult> Resolve(std::string_view path,
                                bool follow_final = true) const;

  // Calls fn for every path in lexicographic order (root excluded). Stops
  // early when fn returns false.
  void Walk(const std::function<bool(std::string_view path,
                                     const FileInfo& info)>& fn) const;

  // Paths matching a glob: '*' and '?' and [..] within one component, '**'
  // for any number of components ("**/*.dist-info/METADATA"). Symlinks are
  // not followed. Sorted.
  std::vector<std::string> Glob(std::string_view pattern) const;

  // Number of paths in the view (root excluded), and by type.
  int64_t size() const;
  int64_t CountType(FileType t) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Glob matching of one normalised path against a pattern (exposed for
// catalogers that filter tar entries before the tree exists).
bool GlobMatch(std::string_view pattern, std::string_view path);
// True when `path` matches any of `patterns`.
bool GlobMatchAny(const std::vector<std::string>& patterns,
                  std::string_view path);

// A set of patterns compiled for matching many paths (every tar entry):
// each pattern's literal tail (what follows its last wildcard) is indexed
// by its last byte, or, for a pattern ending in a wildcard, the literal
// head of its last component ("python3" of "**/python3*") by its first
// byte; a path is only glob-matched against patterns whose tail it ends
// with or whose head its base name starts with. Same answers as
// GlobMatchAny. Immutable after
// construction: safe to share between threads.
class GlobSet {
 public:
  GlobSet() = default;
  explicit GlobSet(std::vector<std::string> patterns);
  bool Match(std::string_view path) const;
  bool empty() const { return patterns_.empty(); }

 private:
  struct Compiled {
    std::string pattern;
    std::string tail;  // literal suffix every match ends with
    std::string head;  // literal prefix of every match's base name
  };
  std::vector<Compiled> patterns_;
  std::vector<int> by_last_byte_[256];   // indexes into patterns_
  std::vector<int> by_first_byte_[256];  // tail-less, by head
  std::vector<int> no_tail_;  // neither tail nor head: always matched
};

}  // namespace strata::fs

#endif  // STRATA_FS_FILE_TREE_H_
