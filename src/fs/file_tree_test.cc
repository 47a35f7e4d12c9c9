#include "fs/file_tree.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "base/caps.h"
#include "base/path.h"

namespace strata::fs {
namespace {

Change File(std::string path, int64_t offset = 0) {
  Change c;
  c.path = std::move(path);
  c.info.type = FileType::kRegular;
  c.info.mode = 0644;
  c.info.size = 10;
  c.info.content = {0, offset, 10};
  return c;
}

Change Dir(std::string path, uint32_t mode = 0700) {
  Change c;
  c.path = std::move(path);
  c.info.type = FileType::kDirectory;
  c.info.mode = mode;
  return c;
}

Change Sym(std::string path, std::string target) {
  Change c;
  c.path = std::move(path);
  c.info.type = FileType::kSymlink;
  c.info.mode = 0777;
  c.info.link_target = std::move(target);
  return c;
}

Change Link(std::string path, std::string target) {
  Change c;
  c.kind = Change::Kind::kHardlink;
  c.path = std::move(path);
  c.target = std::move(target);
  c.info.type = FileType::kRegular;
  c.info.mode = 0600;
  c.info.uid = 7;
  c.info.gid = 8;
  c.info.mtime = 99;
  return c;
}

Change Whiteout(std::string path) {
  Change c;
  c.kind = Change::Kind::kWhiteout;
  c.path = std::move(path);
  return c;
}

Change Opaque(std::string path) {
  Change c;
  c.kind = Change::Kind::kOpaque;
  c.path = std::move(path);
  return c;
}

LayerChanges Layer(int32_t n, std::vector<Change> changes) {
  LayerChanges l;
  l.layer = n;
  l.changes = std::move(changes);
  return l;
}

std::vector<std::string> Paths(const FileTree& t) {
  std::vector<std::string> out;
  t.Walk([&out](std::string_view p, const FileInfo&) {
    out.emplace_back(p);
    return true;
  });
  return out;
}

using Strings = std::vector<std::string>;

TEST(ClassifyWhiteoutTest, Kinds) {
  std::string t = "unchanged";
  EXPECT_EQ(ClassifyWhiteout("a/.wh.b", &t), WhiteoutKind::kWhiteout);
  EXPECT_EQ(t, "a/b");
  EXPECT_EQ(ClassifyWhiteout(".wh.b", &t), WhiteoutKind::kWhiteout);
  EXPECT_EQ(t, "b");
  EXPECT_EQ(ClassifyWhiteout("a/.wh..wh..opq", &t), WhiteoutKind::kOpaque);
  EXPECT_EQ(t, "a");
  EXPECT_EQ(ClassifyWhiteout(".wh..wh..opq", &t), WhiteoutKind::kOpaque);
  EXPECT_EQ(t, "");
  EXPECT_EQ(ClassifyWhiteout("a/.wh..wh.plnk", &t), WhiteoutKind::kIgnore);
  EXPECT_EQ(ClassifyWhiteout("a/.wh..wh.aufs", &t), WhiteoutKind::kIgnore);
  EXPECT_EQ(ClassifyWhiteout("a/.wh.", &t), WhiteoutKind::kIgnore);
  EXPECT_EQ(ClassifyWhiteout("a/b", &t), WhiteoutKind::kNone);
  EXPECT_EQ(ClassifyWhiteout("a/x.wh.b", &t), WhiteoutKind::kNone);
  EXPECT_EQ(ClassifyWhiteout(".wh.a/b", &t), WhiteoutKind::kNone);
  EXPECT_EQ(ClassifyWhiteout("", &t), WhiteoutKind::kNone);
  EXPECT_EQ(t, "");
}

TEST(FileTypeNameTest, Names) {
  EXPECT_EQ(FileTypeName(FileType::kRegular), "regular");
  EXPECT_EQ(FileTypeName(FileType::kDirectory), "directory");
  EXPECT_EQ(FileTypeName(FileType::kSymlink), "symlink");
  EXPECT_EQ(FileTypeName(FileType::kFifo), "fifo");
}

TEST(FileTreeTest, EmptyTreeHasOnlyTheRoot) {
  FileTree t;
  EXPECT_EQ(t.size(), 0);
  const FileInfo* root = t.Lookup("");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->type, FileType::kDirectory);
  EXPECT_TRUE(Paths(t).empty());
  EXPECT_EQ(t.Lookup("a"), nullptr);
}

TEST(FileTreeTest, ImplicitParentsAreDirectoriesOfTheLayer) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {File("a/b/c")})).ok());
  ASSERT_TRUE(t.ApplyLayer(Layer(1, {File("a/x/y")})).ok());
  EXPECT_EQ(Paths(t), (Strings{"a", "a/b", "a/b/c", "a/x", "a/x/y"}));
  EXPECT_EQ(t.size(), 5);
  EXPECT_EQ(t.CountType(FileType::kDirectory), 3);
  EXPECT_EQ(t.CountType(FileType::kRegular), 2);
  const FileInfo* x = t.Lookup("a/x");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->type, FileType::kDirectory);
  EXPECT_EQ(x->mode, 0755u);
  EXPECT_EQ(x->layer, 1);
  EXPECT_EQ(t.Lookup("a")->layer, 0);
  EXPECT_EQ(t.Lookup("a/b/c")->layer, 0);
  EXPECT_EQ(t.Lookup("a/x/y")->layer, 1);
}

TEST(FileTreeTest, LayerIsStampedByTheTree) {
  FileTree t;
  Change c = File("f");
  c.info.layer = 42;
  ASSERT_TRUE(t.ApplyLayer(Layer(3, {c})).ok());
  EXPECT_EQ(t.Lookup("f")->layer, 3);
  EXPECT_EQ(t.Lookup("f")->content.offset, 0);
}

TEST(FileTreeTest, NegativeLayerIsRejected) {
  FileTree t;
  Status s = t.ApplyLayer(Layer(-1, {File("f")}));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "layer index -1 is negative");
}

TEST(FileTreeTest, DuplicateEntriesLastWins) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {File("f", 100), File("f", 200)})).ok());
  EXPECT_EQ(t.Lookup("f")->content.offset, 200);
  ASSERT_TRUE(t.ApplyLayer(Layer(1, {Sym("f", "target")})).ok());
  EXPECT_EQ(t.Lookup("f")->type, FileType::kSymlink);
  EXPECT_EQ(t.Lookup("f")->link_target, "target");
  EXPECT_EQ(t.size(), 1);
  EXPECT_EQ(t.CountType(FileType::kRegular), 0);
  EXPECT_EQ(t.CountType(FileType::kSymlink), 1);
}

TEST(FileTreeTest, WhiteoutRemovesLowerFile) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {File("a/f"), File("a/g")})).ok());
  ASSERT_TRUE(t.ApplyLayer(Layer(1, {Whiteout("a/f")})).ok());
  EXPECT_EQ(Paths(t), (Strings{"a", "a/g"}));
  EXPECT_EQ(t.size(), 2);
}

TEST(FileTreeTest, WhiteoutRemovesLowerDirectoryWithSubtree) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {File("d/x/1"), File("d/x/2"), File("d/y"),
                                     File("e")}))
                  .ok());
  EXPECT_EQ(t.size(), 6);
  ASSERT_TRUE(t.ApplyLayer(Layer(1, {Whiteout("d")})).ok());
  EXPECT_EQ(Paths(t), (Strings{"e"}));
  EXPECT_EQ(t.size(), 1);
  EXPECT_EQ(t.CountType(FileType::kDirectory), 0);
  EXPECT_EQ(t.Lookup("d/x/1"), nullptr);
  // The name can be reused afterwards.
  ASSERT_TRUE(t.ApplyLayer(Layer(2, {File("d/x/1")})).ok());
  EXPECT_EQ(Paths(t), (Strings{"d", "d/x", "d/x/1", "e"}));
}

TEST(FileTreeTest, WhiteoutOfMissingPathIsNoOp) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {File("a/f")})).ok());
  ASSERT_TRUE(
      t.ApplyLayer(Layer(1, {Whiteout("nope"), Whiteout("a/f/under-file"),
                             Whiteout("x/y/z"), Opaque("missing")}))
          .ok());
  EXPECT_EQ(Paths(t), (Strings{"a", "a/f"}));
}

TEST(FileTreeTest, WhiteoutNeverHidesItsOwnLayer) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {File("a", 1), File("b", 1)})).ok());
  // Whiteout before and after the same-layer entry: both lower copies go,
  // both new entries stay.
  ASSERT_TRUE(t.ApplyLayer(Layer(1, {Whiteout("a"), File("a", 2), File("b", 2),
                                     Whiteout("b"), File("c"), Whiteout("c")}))
                  .ok());
  EXPECT_EQ(Paths(t), (Strings{"a", "b", "c"}));
  EXPECT_EQ(t.Lookup("a")->content.offset, 2);
  EXPECT_EQ(t.Lookup("b")->content.offset, 2);
  EXPECT_EQ(t.Lookup("b")->layer, 1);
}

TEST(FileTreeTest, OpaqueHidesLowerChildrenOnly) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {Dir("d", 0700), File("d/old"),
                                     File("d/sub/deep"), File("other")}))
                  .ok());
  ASSERT_TRUE(
      t.ApplyLayer(Layer(1, {File("d/before"), Opaque("d"), File("d/after")}))
          .ok());
  EXPECT_EQ(Paths(t), (Strings{"d", "d/after", "d/before", "other"}));
  // The directory itself stays, with its metadata.
  EXPECT_EQ(t.Lookup("d")->mode, 0700u);
  EXPECT_EQ(t.Lookup("d")->layer, 0);
}

TEST(FileTreeTest, OpaqueAtRootHidesEverythingBelow) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {File("a/b"), File("c")})).ok());
  ASSERT_TRUE(t.ApplyLayer(Layer(1, {Opaque(""), File("n")})).ok());
  EXPECT_EQ(Paths(t), (Strings{"n"}));
  EXPECT_EQ(t.size(), 1);
}

TEST(FileTreeTest, OpaqueFollowsSymlinkedDirectory) {
  FileTree t;
  ASSERT_TRUE(
      t.ApplyLayer(Layer(0, {File("real/x"), Sym("link", "real")})).ok());
  ASSERT_TRUE(t.ApplyLayer(Layer(1, {Opaque("link")})).ok());
  EXPECT_EQ(Paths(t), (Strings{"link", "real"}));
}

TEST(FileTreeTest, WhiteoutResolvesSymlinkedParent) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {File("usr/lib/x.so"), File("usr/lib/y"),
                                     Sym("lib", "usr/lib")}))
                  .ok());
  ASSERT_TRUE(t.ApplyLayer(Layer(1, {Whiteout("lib/x.so")})).ok());
  EXPECT_EQ(Paths(t), (Strings{"lib", "usr", "usr/lib", "usr/lib/y"}));
}

TEST(FileTreeTest, FileReplacesDirectorySubtree) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {File("d/a"), File("d/b/c")})).ok());
  ASSERT_TRUE(t.ApplyLayer(Layer(1, {File("d", 5)})).ok());
  EXPECT_EQ(Paths(t), (Strings{"d"}));
  EXPECT_EQ(t.Lookup("d")->type, FileType::kRegular);
  EXPECT_EQ(t.size(), 1);
  EXPECT_EQ(t.CountType(FileType::kDirectory), 0);
  // Within one layer too: the later entry wins, subtree included.
  ASSERT_TRUE(t.ApplyLayer(Layer(2, {File("e/x"), Sym("e", "d")})).ok());
  EXPECT_EQ(Paths(t), (Strings{"d", "e"}));
  EXPECT_EQ(t.Lookup("e")->type, FileType::kSymlink);
}

TEST(FileTreeTest, DirectoryReplacesFile) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {File("d")})).ok());
  ASSERT_TRUE(t.ApplyLayer(Layer(1, {Dir("d", 0711), File("d/x")})).ok());
  EXPECT_EQ(Paths(t), (Strings{"d", "d/x"}));
  EXPECT_EQ(t.Lookup("d")->type, FileType::kDirectory);
  EXPECT_EQ(t.Lookup("d")->mode, 0711u);
  EXPECT_EQ(t.CountType(FileType::kRegular), 1);
}

TEST(FileTreeTest, DirectoryOverDirectoryMerges) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {Dir("d", 0700), File("d/a")})).ok());
  ASSERT_TRUE(t.ApplyLayer(Layer(1, {Dir("d", 0750), File("d/b")})).ok());
  EXPECT_EQ(Paths(t), (Strings{"d", "d/a", "d/b"}));
  EXPECT_EQ(t.Lookup("d")->mode, 0750u);
  EXPECT_EQ(t.Lookup("d")->layer, 1);
  EXPECT_EQ(t.Lookup("d/a")->layer, 0);
}

TEST(FileTreeTest, RegularFileParentIsReplacedByDirectory) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {File("a")})).ok());
  ASSERT_TRUE(t.ApplyLayer(Layer(1, {File("a/b")})).ok());
  EXPECT_EQ(Paths(t), (Strings{"a", "a/b"}));
  EXPECT_EQ(t.Lookup("a")->type, FileType::kDirectory);
  EXPECT_EQ(t.Lookup("a")->mode, 0755u);
  EXPECT_EQ(t.Lookup("a")->layer, 1);
  EXPECT_EQ(t.CountType(FileType::kRegular), 1);
}

TEST(FileTreeTest, ParentThroughAbsoluteSymlink) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {Dir("usr"), Dir("usr/lib"),
                                     Sym("lib", "/usr/lib")}))
                  .ok());
  ASSERT_TRUE(t.ApplyLayer(Layer(1, {File("lib/x.so")})).ok());
  EXPECT_EQ(Paths(t), (Strings{"lib", "usr", "usr/lib", "usr/lib/x.so"}));
  EXPECT_EQ(t.Lookup("lib")->type, FileType::kSymlink);
  EXPECT_EQ(t.Lookup("usr/lib/x.so")->layer, 1);
}

TEST(FileTreeTest, ParentThroughRelativeSymlinkCreatesMissingTarget) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {Sym("a/lib", "../usr/lib")})).ok());
  ASSERT_TRUE(t.ApplyLayer(Layer(1, {File("a/lib/x/y.so")})).ok());
  EXPECT_EQ(Paths(t), (Strings{"a", "a/lib", "usr", "usr/lib", "usr/lib/x",
                               "usr/lib/x/y.so"}));
  EXPECT_EQ(t.Lookup("usr/lib")->layer, 1);
}

TEST(FileTreeTest, ParentThroughSymlinkInSameLayerAndChains) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {Dir("real"), Sym("l1", "l2"),
                                     Sym("l2", "./real/."), File("l1/f")}))
                  .ok());
  EXPECT_EQ(Paths(t), (Strings{"l1", "l2", "real", "real/f"}));
}

TEST(FileTreeTest, ParentSymlinkClimbingAboveRootIsClamped) {
  FileTree t;
  ASSERT_TRUE(
      t.ApplyLayer(Layer(0, {Sym("a/b/evil", "../../../../../../etc")})).ok());
  ASSERT_TRUE(t.ApplyLayer(Layer(1, {File("a/b/evil/shadow")})).ok());
  EXPECT_EQ(Paths(t), (Strings{"a", "a/b", "a/b/evil", "etc", "etc/shadow"}));
}

TEST(FileTreeTest, ParentSymlinkToFileReplacesTheFile) {
  FileTree t;
  ASSERT_TRUE(
      t.ApplyLayer(Layer(0, {File("etc/passwd"), Sym("p", "/etc/passwd")}))
          .ok());
  ASSERT_TRUE(t.ApplyLayer(Layer(1, {File("p/x")})).ok());
  EXPECT_EQ(Paths(t), (Strings{"etc", "etc/passwd", "etc/passwd/x", "p"}));
  EXPECT_EQ(t.Lookup("etc/passwd")->type, FileType::kDirectory);
}

TEST(FileTreeTest, LaterEntriesSeeEarlierChangesToTheirParent) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {Sym("l", "d1")})).ok());
  ASSERT_TRUE(
      t.ApplyLayer(Layer(1, {File("a/b/x"), Sym("a/b", "/c"), File("a/b/y"),
                             File("l/x"), Sym("l", "d2"), File("l/y"),
                             File("f/x"), File("f"), File("f/y")}))
          .ok());
  EXPECT_EQ(Paths(t), (Strings{"a", "a/b", "c", "c/y", "d1", "d1/x", "d2",
                               "d2/y", "f", "f/y", "l"}));
  EXPECT_EQ(t.Lookup("f")->type, FileType::kDirectory);
}

TEST(FileTreeTest, ReplacingAChildCanMoveItsParentsResolution) {
  // "p/s" resolves through "p/n" and back up; once "p/n" is a symlink,
  // "p/s" means somewhere else.
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {Dir("p/n"), Sym("p/s", "n/..")})).ok());
  ASSERT_TRUE(t.ApplyLayer(Layer(1, {File("p/s/x"), Sym("p/s/n", "/q/r"),
                                     File("p/s/y")}))
                  .ok());
  EXPECT_EQ(Paths(t), (Strings{"p", "p/n", "p/s", "p/x", "q", "q/r", "q/y"}));
}

TEST(FileTreeTest, ParentSymlinkLoopIsDataLoss) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {Sym("a", "b"), Sym("b", "/a")})).ok());
  Status s = t.ApplyLayer(Layer(1, {File("a/x")}));
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), "symlink loop resolving the parent of \"a/x\"");

  FileTree self;
  ASSERT_TRUE(self.ApplyLayer(Layer(0, {Sym("s", "s/t")})).ok());
  s = self.ApplyLayer(Layer(1, {File("s/f")}));
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), "symlink loop resolving the parent of \"s/f\"");
}

TEST(FileTreeTest, WhiteoutParentSymlinkLoopIsDataLoss) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {Sym("a", "a")})).ok());
  Status s = t.ApplyLayer(Layer(1, {Whiteout("a/x")}));
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), "symlink loop resolving whiteout \"a/x\"");
}

TEST(FileTreeTest, RootEntry) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {Dir("", 0700), File("f")})).ok());
  EXPECT_EQ(t.Lookup("")->mode, 0700u);
  EXPECT_EQ(t.size(), 1);
  EXPECT_EQ(t.CountType(FileType::kDirectory), 0);
  Status s = t.ApplyLayer(Layer(1, {File("")}));
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), "cannot replace the image root with a non-directory");
}

TEST(FileTreeTest, HardlinkCopiesTargetWithOwnMetadata) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {File("bin/busybox", 512)})).ok());
  ASSERT_TRUE(t.ApplyLayer(Layer(1, {Link("bin/sh", "bin/busybox")})).ok());
  const FileInfo* sh = t.Lookup("bin/sh");
  ASSERT_NE(sh, nullptr);
  EXPECT_EQ(sh->type, FileType::kRegular);
  EXPECT_EQ(sh->size, 10);
  EXPECT_EQ(sh->content.layer, 0);
  EXPECT_EQ(sh->content.offset, 512);
  EXPECT_EQ(sh->mode, 0600u);
  EXPECT_EQ(sh->uid, 7);
  EXPECT_EQ(sh->gid, 8);
  EXPECT_EQ(sh->mtime, 99);
  EXPECT_EQ(sh->layer, 1);
  EXPECT_EQ(t.Lookup("bin/busybox")->mode, 0644u);
  EXPECT_EQ(t.CountType(FileType::kRegular), 2);
}

TEST(FileTreeTest, HardlinkToEarlierEntryOfSameLayer) {
  FileTree t;
  ASSERT_TRUE(
      t.ApplyLayer(Layer(0, {File("a", 64), Link("b", "a"), Link("c", "b")}))
          .ok());
  EXPECT_EQ(t.Lookup("b")->content.offset, 64);
  EXPECT_EQ(t.Lookup("c")->content.offset, 64);
}

TEST(FileTreeTest, HardlinkToSymlinkCopiesTheSymlink) {
  FileTree t;
  ASSERT_TRUE(
      t.ApplyLayer(Layer(0, {Sym("s", "dir"), Dir("dir"), Link("h", "s")}))
          .ok());
  EXPECT_EQ(t.Lookup("h")->type, FileType::kSymlink);
  EXPECT_EQ(t.Lookup("h")->link_target, "dir");
}

TEST(FileTreeTest, HardlinkTargetParentFollowsSymlinks) {
  FileTree t;
  ASSERT_TRUE(
      t.ApplyLayer(Layer(0, {File("usr/lib/x", 3), Sym("lib", "usr/lib"),
                             Link("y", "lib/x")}))
          .ok());
  EXPECT_EQ(t.Lookup("y")->content.offset, 3);
}

TEST(FileTreeTest, HardlinkToMissingTargetIsDataLoss) {
  FileTree t;
  Status s = t.ApplyLayer(Layer(0, {Link("a/b", "nope")}));
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), "hardlink \"a/b\" -> \"nope\": target does not exist");
  // A later entry of the same layer does not count.
  FileTree u;
  s = u.ApplyLayer(Layer(0, {Link("b", "a"), File("a")}));
  EXPECT_EQ(s.message(), "hardlink \"b\" -> \"a\": target does not exist");
}

TEST(FileTreeTest, HardlinkToDirectoryIsDataLoss) {
  FileTree t;
  Status s = t.ApplyLayer(Layer(0, {Dir("d"), Link("h", "d")}));
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), "hardlink \"h\" -> \"d\": target is a directory");
  s = t.ApplyLayer(Layer(1, {Link("r", "")}));
  EXPECT_EQ(s.message(), "hardlink \"r\" -> \"\": target is a directory");
}

TEST(FileTreeTest, HardlinkToTargetWhitedOutInSameLayerIsDataLoss) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {File("a")})).ok());
  Status s = t.ApplyLayer(Layer(1, {Link("b", "a"), Whiteout("a")}));
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), "hardlink \"b\" -> \"a\": target does not exist");
}

TEST(FileTreeTest, ResolveFollowsSymlinks) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {File("usr/lib/libc.so.6"),
                                     Sym("usr/lib/libc.so", "libc.so.6"),
                                     Sym("lib", "/usr/lib"),
                                     Sym("usr/bin/up", "../lib"),
                                     Sym("usr/bin/top", "../../../../usr"),
                                     Sym("dangling", "nowhere")}))
                  .ok());
  auto r = t.Resolve("lib/libc.so");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->path, "usr/lib/libc.so.6");
  EXPECT_EQ(r->info->type, FileType::kRegular);

  r = t.Resolve("lib/libc.so", /*follow_final=*/false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->path, "usr/lib/libc.so");
  EXPECT_EQ(r->info->type, FileType::kSymlink);

  r = t.Resolve("usr/bin/up/libc.so.6");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->path, "usr/lib/libc.so.6");

  r = t.Resolve("usr/bin/top/lib");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->path, "usr/lib");
  EXPECT_EQ(r->info->type, FileType::kDirectory);

  r = t.Resolve("/../../usr/./lib/../lib//libc.so.6");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->path, "usr/lib/libc.so.6");

  r = t.Resolve("");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->path, "");
  EXPECT_EQ(r->info->type, FileType::kDirectory);

  r = t.Resolve("dangling", false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->path, "dangling");
}

TEST(FileTreeTest, ResolveDotDotAfterSymlinkUsesTheRealParent) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {File("x/y/z/f"), File("x/y/g"),
                                     Sym("s", "x/y/z")}))
                  .ok());
  auto r = t.Resolve("s/../g");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->path, "x/y/g");
}

TEST(FileTreeTest, ResolveMissingIsNotFound) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {File("etc/passwd"), Sym("d", "nowhere"),
                                     Sym("e", "")}))
                  .ok());
  auto r = t.Resolve("etc/shadow");
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "\"etc/shadow\" not found");
  r = t.Resolve("etc/passwd/x");  // through a file
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "\"etc/passwd/x\" not found");
  r = t.Resolve("d");
  EXPECT_EQ(r.status().message(), "\"d\" not found");
  r = t.Resolve("e");
  EXPECT_EQ(r.status().message(), "\"e\" not found");
}

TEST(FileTreeTest, ResolveLoopsAreFailedPrecondition) {
  FileTree t;
  ASSERT_TRUE(
      t.ApplyLayer(Layer(0, {Sym("a", "b"), Sym("b", "a"), Sym("self", "self"),
                             Sym("dir/up", "../dir/up/x")}))
          .ok());
  for (std::string p : {"a", "b/c", "self", "dir/up"}) {
    auto r = t.Resolve(p);
    EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition) << p;
    EXPECT_EQ(r.status().message(), "symlink loop resolving \"" + p + "\"");
  }
  // Not following the final link, there is no loop.
  EXPECT_TRUE(t.Resolve("a", false).ok());
}

TEST(FileTreeTest, ResolveAllowsExactlyMaxSymlinkHops) {
  auto chain = [](int n) {
    std::vector<Change> cs{File("f")};
    for (int i = 0; i < n; ++i) {
      cs.push_back(Sym("s" + std::to_string(i),
                       i + 1 < n ? "s" + std::to_string(i + 1) : "f"));
    }
    return Layer(0, std::move(cs));
  };
  FileTree ok;
  ASSERT_TRUE(ok.ApplyLayer(chain(caps::kMaxSymlinkHops)).ok());
  auto r = ok.Resolve("s0");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->path, "f");
  FileTree too_long;
  ASSERT_TRUE(too_long.ApplyLayer(chain(caps::kMaxSymlinkHops + 1)).ok());
  EXPECT_EQ(too_long.Resolve("s0").status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(FileTreeTest, ResolveCapsComponentsWalked) {
  std::string dots;
  for (int i = 0; i < 1500; ++i) dots += "./";
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {File("f"), Sym("s2", dots + "f"),
                                     Sym("s1", dots + "s2")}))
                  .ok());
  EXPECT_TRUE(t.Resolve("s2").ok());
  auto r = t.Resolve("s1");
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message(), "symlink loop resolving \"s1\"");
}

TEST(FileTreeTest, DeepTreesNeedNoRecursion) {
  // A symlink lets an entry land deeper than any one path could reach.
  std::string deep;
  for (int i = 0; i < 1000; ++i) deep += "d/";
  FileTree t;
  ASSERT_TRUE(
      t.ApplyLayer(Layer(0, {File(deep + "f"), Sym("s", "/" + deep + "f"),
                             Sym("t", deep.substr(0, deep.size() - 1))}))
          .ok());
  ASSERT_TRUE(t.ApplyLayer(Layer(1, {File("t/" + deep.substr(2) + "f")})).ok());
  EXPECT_EQ(t.size(), 1001 + 2 + 1000);
  EXPECT_EQ(static_cast<int64_t>(Paths(t).size()), t.size());
  EXPECT_EQ(t.Glob("**/f").size(), 2u);
  auto r = t.Resolve("s");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->path, deep + "f");
  ASSERT_TRUE(t.ApplyLayer(Layer(2, {Whiteout("d")})).ok());
  EXPECT_EQ(Paths(t), (Strings{"s", "t"}));
  EXPECT_EQ(t.size(), 2);
}

TEST(FileTreeTest, LookupDoesNotFollowSymlinks) {
  FileTree t;
  ASSERT_TRUE(
      t.ApplyLayer(Layer(0, {File("usr/lib/x"), Sym("lib", "usr/lib")})).ok());
  EXPECT_NE(t.Lookup("usr/lib/x"), nullptr);
  EXPECT_EQ(t.Lookup("lib/x"), nullptr);
  EXPECT_EQ(t.Lookup("lib")->type, FileType::kSymlink);
}

TEST(FileTreeTest, WalkIsByteWiseOrderOfFullPaths) {
  FileTree t;
  std::vector<Change> cs;
  for (std::string p :
       {"a/b", "a-b", "a.c/d", "a0", "a/b/c", "b", "a-b/x", "A", "a b", "a!",
        "\xc3\xa9", "a/.hidden", "a+", "lib", "lib.so", "lib/x", "lib-2/y"}) {
    cs.push_back(File(p));
  }
  // "a/b" is a file replaced by the directory of "a/b/c": fine.
  ASSERT_TRUE(t.ApplyLayer(Layer(0, cs)).ok());
  Strings got = Paths(t);
  Strings want = got;
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
  EXPECT_EQ(got, (Strings{"A",     "a",       "a b",    "a!",    "a+",
                          "a-b",   "a-b/x",   "a.c",    "a.c/d", "a/.hidden",
                          "a/b",   "a/b/c",   "a0",     "b",     "lib",
                          "lib-2", "lib-2/y", "lib.so", "lib/x", "\xc3\xa9"}));
}

TEST(FileTreeTest, WalkMatchesSortOnRandomTrees) {
  std::mt19937 rng(1234);
  const std::string alphabet = "a-./0!b";
  for (int round = 0; round < 20; ++round) {
    FileTree t;
    std::vector<Change> cs;
    for (int i = 0; i < 200; ++i) {
      std::string p;
      int len = 1 + rng() % 8;
      for (int k = 0; k < len; ++k) p += alphabet[rng() % alphabet.size()];
      Result<std::string> norm = path::NormalizeEntryPath(p);
      if (!norm.ok() || norm->empty()) continue;
      cs.push_back(rng() % 4 == 0 ? Dir(*norm) : File(*norm));
    }
    ASSERT_TRUE(t.ApplyLayer(Layer(0, cs)).ok());
    Strings got = Paths(t);
    Strings want = got;
    std::sort(want.begin(), want.end());
    ASSERT_EQ(got, want) << "round " << round;
    EXPECT_EQ(static_cast<int64_t>(got.size()), t.size());
    for (const std::string& p : got) EXPECT_NE(t.Lookup(p), nullptr) << p;
  }
}

TEST(FileTreeTest, WalkStopsEarly) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {File("a/x"), File("b"), File("c")})).ok());
  Strings seen;
  t.Walk([&seen](std::string_view p, const FileInfo&) {
    seen.emplace_back(p);
    return seen.size() < 2;
  });
  EXPECT_EQ(seen, (Strings{"a", "a/x"}));
}

TEST(FileTreeTest, GlobReturnsSortedMatches) {
  FileTree t;
  ASSERT_TRUE(
      t.ApplyLayer(Layer(0, {File("usr/lib/python3/site-packages/b-1.dist-info/"
                                  "METADATA"),
                             File("usr/lib/python3/site-packages/a-2.dist-info/"
                                  "METADATA"),
                             File("METADATA"), File("usr/local/METADATA.txt"),
                             File("etc/os-release"), File("etc/passwd"),
                             Sym("link", "usr"), File("var/lib/dpkg/status"),
                             File("var/lib/dpkg/status-old")}))
          .ok());
  EXPECT_EQ(t.Glob("**/METADATA"),
            (Strings{"METADATA",
                     "usr/lib/python3/site-packages/a-2.dist-info/METADATA",
                     "usr/lib/python3/site-packages/b-1.dist-info/METADATA"}));
  EXPECT_EQ(t.Glob("**/*.dist-info/METADATA").size(), 2u);
  EXPECT_EQ(t.Glob("etc/*"), (Strings{"etc/os-release", "etc/passwd"}));
  EXPECT_EQ(t.Glob("etc/passwd"), (Strings{"etc/passwd"}));
  EXPECT_EQ(t.Glob("etc/shadow"), Strings{});
  EXPECT_EQ(t.Glob("var/lib/dpkg/status"), (Strings{"var/lib/dpkg/status"}));
  EXPECT_EQ(t.Glob("var/**"),
            (Strings{"var", "var/lib", "var/lib/dpkg", "var/lib/dpkg/status",
                     "var/lib/dpkg/status-old"}));
  EXPECT_EQ(t.Glob("*"), (Strings{"METADATA", "etc", "link", "usr", "var"}));
  EXPECT_EQ(t.Glob("*/l?b"), (Strings{"usr/lib", "var/lib"}));
  // Symlinks are not followed.
  EXPECT_EQ(t.Glob("link/**"), (Strings{"link"}));
  EXPECT_EQ(t.Glob("link/lib"), Strings{});
  EXPECT_EQ(t.Glob(""), Strings{});
}

TEST(FileTreeTest, MoveKeepsContents) {
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(Layer(0, {File("a/b")})).ok());
  const FileInfo* before = t.Lookup("a/b");
  FileTree u = std::move(t);
  EXPECT_EQ(u.Lookup("a/b"), before);
  FileTree v;
  v = std::move(u);
  EXPECT_EQ(Paths(v), (Strings{"a", "a/b"}));
}

TEST(FileTreeTest, ScalesToAMillionPaths) {
  LayerChanges l;
  l.layer = 0;
  l.changes.reserve(1'000'000);
  for (int d = 0; d < 1000; ++d) {
    std::string dir = "usr/share/d" + std::to_string(d) + "/";
    for (int f = 0; f < 1000; ++f) {
      l.changes.push_back(File(dir + "file-" + std::to_string(f)));
    }
  }
  FileTree t;
  ASSERT_TRUE(t.ApplyLayer(l).ok());
  l = LayerChanges();
  EXPECT_EQ(t.size(), 1'000'000 + 1000 + 2);
  EXPECT_EQ(t.CountType(FileType::kRegular), 1'000'000);
  EXPECT_NE(t.Lookup("usr/share/d999/file-999"), nullptr);
  ASSERT_TRUE(t.ApplyLayer(Layer(1, {Whiteout("usr/share")})).ok());
  EXPECT_EQ(t.size(), 1);
}

}  // namespace
}  // namespace strata::fs
