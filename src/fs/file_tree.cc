#include "fs/file_tree.h"

#include <sys/random.h>

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cstring>
#include <forward_list>
#include <utility>

#include "base/caps.h"
#include "base/path.h"

namespace strata::fs {

std::string_view FileTypeName(FileType t) {
  switch (t) {
    case FileType::kRegular:
      return "regular";
    case FileType::kDirectory:
      return "directory";
    case FileType::kSymlink:
      return "symlink";
    case FileType::kCharDevice:
      return "char-device";
    case FileType::kBlockDevice:
      return "block-device";
    case FileType::kFifo:
      return "fifo";
    case FileType::kOther:
      return "other";
  }
  return "other";
}

WhiteoutKind ClassifyWhiteout(std::string_view normalized,
                              std::string* target_path) {
  constexpr std::string_view kPrefix = ".wh.";
  constexpr std::string_view kMeta = ".wh..wh.";
  constexpr std::string_view kOpaqueName = ".wh..wh..opq";
  std::string_view base = path::Basename(normalized);
  if (!base.starts_with(kPrefix)) return WhiteoutKind::kNone;
  std::string_view dir = path::Dirname(normalized);
  if (base == kOpaqueName) {
    if (target_path) *target_path = std::string(dir);
    return WhiteoutKind::kOpaque;
  }
  // aufs metadata, and ".wh." that names nothing.
  if (base.starts_with(kMeta) || base == kPrefix) return WhiteoutKind::kIgnore;
  if (target_path) *target_path = path::Join(dir, base.substr(kPrefix.size()));
  return WhiteoutKind::kWhiteout;
}

namespace {

constexpr uint32_t kNone = UINT32_MAX;
constexpr uint32_t kRoot = 0;
constexpr size_t kArenaBlockBytes = 64 * 1024;
constexpr int kTypeCount = static_cast<int>(FileType::kOther) + 1;

FileInfo ImplicitDir(int32_t layer) {
  FileInfo d;
  d.type = FileType::kDirectory;
  d.mode = 0755;
  d.layer = layer;
  return d;
}

// Names come from hostile archives: children are indexed with SipHash-1-3
// under a per-process random key, so collisions cannot be precomputed.
struct HashKey {
  uint64_t k0, k1;
};

HashKey MakeHashKey() {
  HashKey k{};
  if (getrandom(&k, sizeof(k), GRND_NONBLOCK) != sizeof(k)) {
    uint64_t t = std::chrono::steady_clock::now().time_since_epoch().count();
    k = {t ^ reinterpret_cast<uintptr_t>(&k), ~t * 0x9e3779b97f4a7c15ULL};
  }
  return k;
}

uint64_t SipHash13(uint64_t k0, uint64_t k1, std::string_view s) {
  uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
  uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
  auto round = [&] {
    v0 += v1;
    v1 = std::rotl(v1, 13);
    v1 ^= v0;
    v0 = std::rotl(v0, 32);
    v2 += v3;
    v3 = std::rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = std::rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = std::rotl(v1, 17);
    v1 ^= v2;
    v2 = std::rotl(v2, 32);
  };
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t m;
    std::memcpy(&m, s.data() + i, 8);
    v3 ^= m;
    round();
    v0 ^= m;
  }
  uint64_t m = uint64_t{s.size()} << 56;
  for (size_t j = 0; i + j < s.size(); ++j) {
    m |= uint64_t{static_cast<unsigned char>(s[i + j])} << (8 * j);
  }
  v3 ^= m;
  round();
  v0 ^= m;
  v2 ^= 0xff;
  round();
  round();
  round();
  return v0 ^ v1 ^ v2 ^ v3;
}

uint32_t HashChild(uint32_t parent, std::string_view name) {
  static const HashKey key = MakeHashKey();
  return static_cast<uint32_t>(SipHash13(key.k0 ^ parent, key.k1, name));
}

std::string_view TrimSlashes(std::string_view s) {
  size_t k = s.find_first_not_of('/');
  return k == std::string_view::npos ? std::string_view() : s.substr(k);
}

// One directory listing entry during Walk: a node itself (key "name") or
// its descendants (key "name/"). Sorting these keys byte-wise yields the
// byte-wise order of full paths ("a", "a-b", "a/x", "a0").
struct WalkItem {
  uint32_t node;
  bool subtree;
};

}  // namespace

// Layout: every path is a Node in one pool (index 0 is the root), linked
// to its parent and to its siblings (an unordered doubly linked list per
// directory). Children are found through one open-addressing hash index
// keyed by (parent index, name), so a directory costs nothing beyond its
// node. Names live in an append-only arena. Freed nodes are recycled.
// Walk sorts each directory's children when it visits it.
struct FileTree::Impl {
  struct Node {
    FileInfo info;
    std::string_view name;  // into arena
    uint32_t hash = 0;      // HashChild(parent, name)
    uint32_t parent = kNone;
    uint32_t first_child = kNone;
    uint32_t next = kNone;
    uint32_t prev = kNone;
  };

  // Nodes in fixed-size blocks, so growing never copies them.
  class NodePool {
   public:
    static constexpr uint32_t kShift = 12;
    static constexpr uint32_t kMask = (1u << kShift) - 1;
    Node& operator[](uint32_t i) { return blocks_[i >> kShift][i & kMask]; }
    const Node& operator[](uint32_t i) const {
      return blocks_[i >> kShift][i & kMask];
    }
    uint32_t size() const { return size_; }
    void emplace_back() {
      if ((size_ & kMask) == 0) {
        blocks_.push_back(std::make_unique<Node[]>(kMask + 1));
      }
      ++size_;
    }

   private:
    std::vector<std::unique_ptr<Node[]>> blocks_;
    uint32_t size_ = 0;
  };

  NodePool nodes;
  std::vector<uint32_t> free_nodes;
  std::vector<uint64_t> slots;  // hash index of (parent, name), see Slot
  size_t slot_count = 0;
  std::vector<std::unique_ptr<char[]>> arena;
  size_t arena_left = 0;
  char* arena_pos = nullptr;
  // The directory of the previous Add, resolved: archives list siblings
  // together. Dropped whenever a node is removed or changes to or from a
  // non-directory, the only changes that can alter a resolution.
  std::string parent_cache_path;
  uint32_t parent_cache_node = kNone;
  int64_t size = 0;
  std::array<int64_t, kTypeCount> type_counts{};

  Impl() {
    nodes.emplace_back();
    nodes[kRoot].info = ImplicitDir(-1);
    slots.assign(1024, 0);
  }

  std::string_view Intern(std::string_view s) {
    if (s.size() > arena_left) {
      size_t n = std::max(kArenaBlockBytes, s.size());
      arena.push_back(std::make_unique<char[]>(n));
      arena_pos = arena.back().get();
      arena_left = n;
    }
    std::memcpy(arena_pos, s.data(), s.size());
    std::string_view out(arena_pos, s.size());
    arena_pos += s.size();
    arena_left -= s.size();
    return out;
  }

  // Index slots pack (hash << 32 | node); 0 is empty (the root, node 0, is
  // never indexed). Probing compares hashes without touching the nodes.
  static uint64_t Slot(uint32_t hash, uint32_t n) {
    return uint64_t{hash} << 32 | n;
  }
  static uint32_t SlotNode(uint64_t slot) {
    return static_cast<uint32_t>(slot);
  }
  static uint32_t SlotHash(uint64_t slot) { return slot >> 32; }

  uint32_t Find(uint32_t parent, std::string_view name) const {
    uint32_t h = HashChild(parent, name);
    size_t mask = slots.size() - 1;
    for (size_t i = h & mask; slots[i] != 0; i = (i + 1) & mask) {
      if (SlotHash(slots[i]) != h) continue;
      uint32_t n = SlotNode(slots[i]);
      if (nodes[n].parent == parent && nodes[n].name == name) return n;
    }
    return kNone;
  }

  void IndexInsert(uint32_t n) {
    if ((slot_count + 1) * 2 > slots.size()) {
      std::vector<uint64_t> old(slots.size() * 2, 0);
      old.swap(slots);
      size_t mask = slots.size() - 1;
      for (uint64_t slot : old) {
        if (slot == 0) continue;
        size_t i = SlotHash(slot) & mask;
        while (slots[i] != 0) i = (i + 1) & mask;
        slots[i] = slot;
      }
    }
    size_t mask = slots.size() - 1;
    size_t i = nodes[n].hash & mask;
    while (slots[i] != 0) i = (i + 1) & mask;
    slots[i] = Slot(nodes[n].hash, n);
    ++slot_count;
  }

  // Linear probing with backward-shift deletion (no tombstones).
  void IndexErase(uint32_t n) {
    size_t mask = slots.size() - 1;
    size_t i = nodes[n].hash & mask;
    while (SlotNode(slots[i]) != n) i = (i + 1) & mask;
    for (size_t j = (i + 1) & mask; slots[j] != 0; j = (j + 1) & mask) {
      size_t home = SlotHash(slots[j]) & mask;
      bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (stays) continue;
      slots[i] = slots[j];
      i = j;
    }
    slots[i] = 0;
    --slot_count;
  }

  void SetInfo(uint32_t n, FileInfo info) {
    if (nodes[n].info.type != FileType::kDirectory ||
        info.type != FileType::kDirectory) {
      parent_cache_node = kNone;
    }
    --type_counts[static_cast<int>(nodes[n].info.type)];
    ++type_counts[static_cast<int>(info.type)];
    nodes[n].info = std::move(info);
  }

  uint32_t Create(uint32_t parent, std::string_view name, FileInfo info) {
    uint32_t n;
    if (!free_nodes.empty()) {
      n = free_nodes.back();
      free_nodes.pop_back();
    } else {
      n = nodes.size();
      nodes.emplace_back();
    }
    Node& node = nodes[n];
    ++type_counts[static_cast<int>(info.type)];
    ++size;
    node.info = std::move(info);
    node.name = Intern(name);
    node.hash = HashChild(parent, name);
    node.parent = parent;
    node.first_child = kNone;
    node.prev = kNone;
    node.next = nodes[parent].first_child;
    if (node.next != kNone) nodes[node.next].prev = n;
    nodes[parent].first_child = n;
    IndexInsert(n);
    return n;
  }

  // Removes n and everything under it (iteratively: trees may be deep).
  void Remove(uint32_t n) {
    parent_cache_node = kNone;
    Node& top = nodes[n];
    if (top.prev != kNone) {
      nodes[top.prev].next = top.next;
    } else {
      nodes[top.parent].first_child = top.next;
    }
    if (top.next != kNone) nodes[top.next].prev = top.prev;
    std::vector<uint32_t> stack{n};
    while (!stack.empty()) {
      uint32_t m = stack.back();
      stack.pop_back();
      for (uint32_t c = nodes[m].first_child; c != kNone; c = nodes[c].next) {
        stack.push_back(c);
      }
      IndexErase(m);
      --type_counts[static_cast<int>(nodes[m].info.type)];
      --size;
      nodes[m] = Node();
      free_nodes.push_back(m);
    }
  }

  void RemoveChildren(uint32_t n) {
    while (nodes[n].first_child != kNone) Remove(nodes[n].first_child);
  }

  std::string PathOf(uint32_t n) const {
    std::vector<std::string_view> parts;
    for (; n != kRoot; n = nodes[n].parent) parts.push_back(nodes[n].name);
    std::string out;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
      if (!out.empty()) out.push_back('/');
      out.append(*it);
    }
    return out;
  }

  enum class WalkResult { kOk, kMissing, kLoop };

  // Follows `path` from the root, component by component, expanding
  // symlinks inside the root. In lookup mode (create_layer < 0) a missing
  // component or a non-directory in the middle is kMissing. In create mode
  // every component ends up a directory: missing ones are created and
  // non-directories replaced by implicit directories of create_layer.
  WalkResult Follow(std::string_view path, bool follow_final,
                    int32_t create_layer, uint32_t* out) {
    const bool create = create_layer >= 0;
    // Text still to walk, innermost symlink target last; never empty and
    // never starting with '/'.
    std::vector<std::string_view> pending;
    std::forward_list<std::string> targets;  // stable copies behind pending
    if (std::string_view p = TrimSlashes(path); !p.empty()) {
      pending.push_back(p);
    }
    uint32_t cur = kRoot;
    int hops = 0, steps = 0;
    while (!pending.empty()) {
      std::string_view& top = pending.back();
      size_t end = std::min(top.find('/'), top.size());
      std::string_view comp = top.substr(0, end);
      top = TrimSlashes(top.substr(end));
      if (top.empty()) pending.pop_back();
      const bool last = pending.empty();
      if (++steps > caps::kMaxResolveComponents) return WalkResult::kLoop;
      if (comp == ".") continue;
      if (comp == "..") {
        if (cur != kRoot) cur = nodes[cur].parent;
        continue;
      }
      uint32_t child = Find(cur, comp);
      if (child == kNone) {
        if (!create) return WalkResult::kMissing;
        cur = Create(cur, comp, ImplicitDir(create_layer));
        continue;
      }
      const FileInfo& fi = nodes[child].info;
      bool follow = fi.type == FileType::kSymlink && (!last || follow_final);
      if (follow && !fi.link_target.empty()) {
        if (++hops > caps::kMaxSymlinkHops) return WalkResult::kLoop;
        // Absolute targets restart at the root, relative ones in the
        // link's directory, which is cur.
        if (fi.link_target.front() == '/') cur = kRoot;
        targets.push_front(fi.link_target);
        if (std::string_view t = TrimSlashes(targets.front()); !t.empty()) {
          pending.push_back(t);
        }
        continue;
      }
      if (fi.type != FileType::kDirectory && (!last || create || follow)) {
        if (!create) return WalkResult::kMissing;
        SetInfo(child, ImplicitDir(create_layer));
      }
      cur = child;
    }
    *out = cur;
    return WalkResult::kOk;
  }

  uint32_t Lookup(std::string_view path) const {
    uint32_t cur = kRoot;
    for (std::string_view c : path::Split(path)) {
      cur = Find(cur, c);
      if (cur == kNone) break;
    }
    return cur;
  }

  // Creates or replaces `p` with `info` (already stamped with its layer).
  Status Add(std::string_view p, FileInfo info, int32_t layer) {
    if (p.empty()) {
      if (info.type != FileType::kDirectory) {
        return DataLossError(
            "cannot replace the image root with a non-directory");
      }
      SetInfo(kRoot, std::move(info));
      return Status::Ok();
    }
    std::string_view dir = path::Dirname(p);
    uint32_t parent = parent_cache_node;
    if (parent == kNone || dir != parent_cache_path) {
      if (Follow(dir, true, layer, &parent) != WalkResult::kOk) {
        return DataLossError("symlink loop resolving the parent of \"" +
                             std::string(p) + "\"");
      }
      parent_cache_path.assign(dir);
      parent_cache_node = parent;
    }
    std::string_view base = path::Basename(p);
    uint32_t n = Find(parent, base);
    if (n == kNone) {
      Create(parent, base, std::move(info));
      return Status::Ok();
    }
    if (info.type != FileType::kDirectory) RemoveChildren(n);
    SetInfo(n, std::move(info));
    return Status::Ok();
  }

  Status Hardlink(const Change& c, int32_t layer) {
    uint32_t target;
    if (Follow(c.target, false, -1, &target) != WalkResult::kOk) {
      return DataLossError("hardlink \"" + c.path + "\" -> \"" + c.target +
                           "\": target does not exist");
    }
    if (nodes[target].info.type == FileType::kDirectory) {
      return DataLossError("hardlink \"" + c.path + "\" -> \"" + c.target +
                           "\": target is a directory");
    }
    FileInfo info = nodes[target].info;
    info.mode = c.info.mode;
    info.uid = c.info.uid;
    info.gid = c.info.gid;
    info.mtime = c.info.mtime;
    info.layer = layer;
    return Add(c.path, std::move(info), layer);
  }

  Status Hide(const Change& c) {
    uint32_t n;
    std::string_view where =
        c.kind == Change::Kind::kOpaque ? c.path : path::Dirname(c.path);
    switch (Follow(where, true, -1, &n)) {
      case WalkResult::kMissing:
        return Status::Ok();
      case WalkResult::kLoop:
        return DataLossError("symlink loop resolving whiteout \"" + c.path +
                             "\"");
      case WalkResult::kOk:
        break;
    }
    if (nodes[n].info.type != FileType::kDirectory) return Status::Ok();
    if (c.kind == Change::Kind::kOpaque) {
      RemoveChildren(n);
    } else if (uint32_t victim = Find(n, path::Basename(c.path));
               victim != kNone) {
      Remove(victim);
    }
    return Status::Ok();
  }

  // Calls fn(path, node) for every node below `start` (whose path is
  // `start_path`, at depth `start_depth`), in byte-wise order of full
  // paths, not descending below max_depth components. fn returns false to
  // stop.
  template <typename Fn>
  void WalkBelow(uint32_t start, std::string start_path, int start_depth,
                 int max_depth, const Fn& fn) const {
    struct Frame {
      std::vector<WalkItem> items;
      size_t next = 0;
      size_t prefix_len = 0;  // the directory's path length in `path`
      int depth = 0;          // depth of the items' nodes
    };
    auto key_less = [this](const WalkItem& a, const WalkItem& b) {
      std::string_view x = nodes[a.node].name, y = nodes[b.node].name;
      size_t n = std::min(x.size(), y.size());
      if (int c = std::memcmp(x.data(), y.data(), n); c != 0) return c < 0;
      auto at = [](std::string_view s, bool sub, size_t i) -> int {
        if (i < s.size()) return static_cast<unsigned char>(s[i]);
        return i == s.size() && sub ? '/' : -1;
      };
      for (size_t i = n;; ++i) {
        int ca = at(x, a.subtree, i), cb = at(y, b.subtree, i);
        if (ca != cb) return ca < cb;
        if (ca == -1) return false;
      }
    };
    auto open = [&](uint32_t dir, size_t prefix_len, int depth) {
      Frame f;
      f.prefix_len = prefix_len;
      f.depth = depth;
      for (uint32_t c = nodes[dir].first_child; c != kNone; c = nodes[c].next) {
        f.items.push_back({c, false});
        if (nodes[c].first_child != kNone && depth < max_depth) {
          f.items.push_back({c, true});
        }
      }
      std::sort(f.items.begin(), f.items.end(), key_less);
      return f;
    };
    std::string path = std::move(start_path);
    std::vector<Frame> stack;
    if (start_depth < max_depth) {
      stack.push_back(open(start, path.size(), start_depth + 1));
    }
    while (!stack.empty()) {
      Frame& f = stack.back();
      if (f.next == f.items.size()) {
        stack.pop_back();
        continue;
      }
      WalkItem item = f.items[f.next++];
      int depth = f.depth;
      path.resize(f.prefix_len);
      if (!path.empty()) path.push_back('/');
      path.append(nodes[item.node].name);
      if (item.subtree) {
        stack.push_back(open(item.node, path.size(), depth + 1));
      } else if (!fn(std::string_view(path), nodes[item.node])) {
        return;
      }
    }
  }
};

FileTree::FileTree() : impl_(std::make_unique<Impl>()) {}
FileTree::~FileTree() = default;
FileTree::FileTree(FileTree&&) noexcept = default;
FileTree& FileTree::operator=(FileTree&&) noexcept = default;

Status FileTree::ApplyLayer(const LayerChanges& layer) {
  Impl& t = *impl_;
  if (layer.layer < 0) {
    return InvalidArgumentError("layer index " + std::to_string(layer.layer) +
                                " is negative");
  }
  // Whiteouts first: they hide lower layers only, wherever they appear.
  for (const Change& c : layer.changes) {
    if (c.kind == Change::Kind::kWhiteout || c.kind == Change::Kind::kOpaque) {
      RETURN_IF_ERROR(t.Hide(c));
    }
  }
  for (const Change& c : layer.changes) {
    if (c.kind == Change::Kind::kAdd) {
      FileInfo info = c.info;
      info.layer = layer.layer;
      RETURN_IF_ERROR(t.Add(c.path, std::move(info), layer.layer));
    } else if (c.kind == Change::Kind::kHardlink) {
      RETURN_IF_ERROR(t.Hardlink(c, layer.layer));
    }
    if (t.size > caps::kMaxPaths) {
      return ResourceExhaustedError("filesystem view has more than " +
                                    std::to_string(caps::kMaxPaths) + " paths");
    }
  }
  return Status::Ok();
}

const FileInfo* FileTree::Lookup(std::string_view normalized) const {
  uint32_t n = impl_->Lookup(normalized);
  return n == kNone ? nullptr : &impl_->nodes[n].info;
}

Result<ResolveResult> FileTree::Resolve(std::string_view path,
                                        bool follow_final) const {
  uint32_t n;
  // Lookup mode (create_layer -1) does not modify the tree.
  switch (const_cast<Impl&>(*impl_).Follow(path, follow_final, -1, &n)) {
    case Impl::WalkResult::kMissing:
      return NotFoundError("\"" + std::string(path) + "\" not found");
    case Impl::WalkResult::kLoop:
      return FailedPreconditionError("symlink loop resolving \"" +
                                     std::string(path) + "\"");
    case Impl::WalkResult::kOk:
      break;
  }
  return ResolveResult{impl_->PathOf(n), &impl_->nodes[n].info};
}

void FileTree::Walk(const std::function<bool(std::string_view path,
                                             const FileInfo& info)>& fn) const {
  impl_->WalkBelow(
      kRoot, std::string(), 0, INT32_MAX,
      [&fn](std::string_view p, const Impl::Node& n) { return fn(p, n.info); });
}

std::vector<std::string> FileTree::Glob(std::string_view pattern) const {
  // Descend directly through the pattern's literal leading components.
  uint32_t start = kRoot;
  std::string start_path;
  int start_depth = 0;
  bool has_globstar = false;
  int pattern_depth = 0;
  bool literal = true;
  for (std::string_view c : path::Split(pattern)) {
    ++pattern_depth;
    if (c == "**") has_globstar = true;
    literal = literal && c.find_first_of("*?[\\") == std::string_view::npos;
    if (!literal) continue;
    start = impl_->Find(start, c);
    if (start == kNone) return {};
    if (!start_path.empty()) start_path.push_back('/');
    start_path.append(c);
    ++start_depth;
  }
  std::vector<std::string> out;
  if (start != kRoot && GlobMatch(pattern, start_path)) {
    out.push_back(start_path);
  }
  int max_depth = has_globstar ? INT32_MAX : pattern_depth;
  impl_->WalkBelow(start, start_path, start_depth, max_depth,
                   [&](std::string_view p, const Impl::Node&) {
                     if (GlobMatch(pattern, p)) out.emplace_back(p);
                     return true;
                   });
  return out;
}

int64_t FileTree::size() const { return impl_->size; }

int64_t FileTree::CountType(FileType t) const {
  return impl_->type_counts[static_cast<int>(t)];
}

}  // namespace strata::fs
