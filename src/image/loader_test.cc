#include "image/loader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>

#include "base/byte_source.h"
#include "base/json.h"
#include "image/capture.h"
#include "testing/compress.h"
#include "testing/image_writer.h"
#include "testing/tar_writer.h"

namespace strata::image {
namespace {

using testing::LayerCompression;
using testing::TarWriter;
using testing::TestImage;
using testing::TestLayer;

class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("loader_test"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `img` as an OCI layout and loads it.
  Result<LoadedImage> WriteAndLoad(const TestImage& img,
                                   LoadOptions opts = {}) {
    auto w = testing::WriteOciLayout(dir_ + "/img", {img});
    if (!w.ok()) return w.status();
    written_ = (*w)[0];
    return LoadPath("oci:" + dir_ + "/img", opts);
  }
  Result<LoadedImage> LoadPath(const std::string& ref, LoadOptions opts = {}) {
    ASSIGN_OR_RETURN(oci::ImageRef r, oci::ParseReference(ref));
    return Load(r, opts);
  }
  std::string BlobPath(const std::string& digest) {
    return dir_ + "/img/blobs/sha256/" + digest.substr(7);
  }

  // Rewrites config, manifest and index.json of the layout at dir_/img so
  // that the config claims `wrong` as layer 0's diffID.
  void RewriteDiffId(const testing::WrittenImage& w, const std::string& wrong) {
    auto cfg = json::Parse(w.config_json, "config", 1 << 20);
    ASSERT_TRUE(cfg.ok());
    (*cfg)["rootfs"]["diff_ids"][0] = wrong;
    std::string cfg_bytes = json::Dump(*cfg);
    auto cfg_digest = testing::WriteBlob(dir_ + "/img", cfg_bytes);
    ASSERT_TRUE(cfg_digest.ok());
    auto man = json::Parse(w.manifest_json, "manifest", 1 << 20);
    ASSERT_TRUE(man.ok());
    (*man)["config"]["digest"] = *cfg_digest;
    (*man)["config"]["size"] = cfg_bytes.size();
    std::string man_bytes = json::Dump(*man);
    auto man_digest = testing::WriteBlob(dir_ + "/img", man_bytes);
    ASSERT_TRUE(man_digest.ok());
    std::ofstream(dir_ + "/img/index.json", std::ios::trunc)
        << R"({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")"
        << *man_digest << R"(","size":)" << man_bytes.size() << "}]}";
  }

  std::string dir_;
  testing::WrittenImage written_;
};

TestImage OneLayer(std::string tar,
                   LayerCompression c = LayerCompression::kGzip) {
  TestImage img;
  img.layers.push_back(TestLayer{std::move(tar), c, ""});
  return img;
}

TEST_F(LoaderTest, LoadsLayersIntoSquashedView) {
  TestImage img;
  img.layers.push_back({TarWriter()
                            .Dir("etc")
                            .File("etc/motd", "hello\n")
                            .File("etc/keep", "k")
                            .Dir("usr/bin")
                            .File("usr/bin/tool", "bin", 0755)
                            .Symlink("bin", "usr/bin")
                            .Finish(),
                        LayerCompression::kGzip, ""});
  img.layers.push_back({TarWriter()
                            .Whiteout("etc/motd")
                            .File("/etc/new", "abs name")
                            .Hardlink("usr/bin/tool2", "usr/bin/tool")
                            .Finish(),
                        LayerCompression::kZstd, ""});
  auto r = WriteAndLoad(img);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const fs::FileTree& t = r->tree;
  EXPECT_EQ(t.Lookup("etc/motd"), nullptr);
  ASSERT_NE(t.Lookup("etc/new"), nullptr);
  EXPECT_EQ(t.Lookup("etc/new")->layer, 1);
  ASSERT_NE(t.Lookup("usr/bin/tool2"), nullptr);
  EXPECT_EQ(t.Lookup("usr/bin/tool2")->content.layer, 0);
  EXPECT_EQ(t.Lookup("usr/bin/tool2")->size, 3);
  auto res = t.Resolve("bin/tool");
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->path, "usr/bin/tool");

  ASSERT_EQ(r->layers.size(), 2u);
  EXPECT_EQ(r->layers[0].compression, io::Compression::kGzip);
  EXPECT_EQ(r->layers[1].compression, io::Compression::kZstd);
  EXPECT_EQ(r->layers[0].diff_id.ToString(), written_.diff_ids[0]);
  EXPECT_EQ(r->layers[1].diff_id.ToString(), written_.diff_ids[1]);
  EXPECT_EQ(r->layers[0].entries, 6);
  EXPECT_EQ(r->layers[1].entries, 3);
  EXPECT_EQ(r->layers[0].uncompressed_bytes,
            static_cast<int64_t>(img.layers[0].tar.size()));
  ASSERT_TRUE(r->metadata.has_value());
  EXPECT_EQ(r->metadata->manifest.digest.ToString(), written_.manifest_digest);
}

TEST_F(LoaderTest, ContentLocationPointsAtTheFileBytes) {
  std::string tar = TarWriter()
                        .File("a", "first")
                        .File(std::string(150, 'n'), "long name via pax")
                        .File("b", "second file")
                        .Finish();
  auto r = WriteAndLoad(OneLayer(tar, LayerCompression::kNone));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (const auto& [p, want] : std::vector<std::pair<std::string, std::string>>{
           {"a", "first"},
           {std::string(150, 'n'), "long name via pax"},
           {"b", "second file"}}) {
    const fs::FileInfo* f = r->tree.Lookup(p);
    ASSERT_NE(f, nullptr) << p;
    EXPECT_EQ(tar.substr(f->content.offset, f->content.size), want);
  }
}

TEST_F(LoaderTest, SameResultWithOneOrManyThreads) {
  TestImage img;
  for (int l = 0; l < 6; ++l) {
    TarWriter t;
    for (int i = 0; i < 50; ++i) {
      t.File("d" + std::to_string(i % 7) + "/f" + std::to_string(l * 100 + i),
             std::string(l * 10 + i, 'x'));
    }
    if (l > 0)
      t.Whiteout("d" + std::to_string(l) + "/f" + std::to_string(l - 1));
    img.layers.push_back({t.Finish(), LayerCompression::kGzip, ""});
  }
  LoadOptions one;
  one.threads = 1;
  LoadOptions many;
  many.threads = 4;
  auto a = WriteAndLoad(img, one);
  auto b = LoadPath("oci:" + dir_ + "/img", many);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->tree.size(), b->tree.size());
  std::vector<std::string> pa, pb;
  a->tree.Walk([&](std::string_view p, const fs::FileInfo&) {
    pa.emplace_back(p);
    return true;
  });
  b->tree.Walk([&](std::string_view p, const fs::FileInfo&) {
    pb.emplace_back(p);
    return true;
  });
  EXPECT_EQ(pa, pb);
}

TEST_F(LoaderTest, RefusesPathClimbingAboveRoot) {
  auto r = WriteAndLoad(OneLayer(
      TarWriter().File("ok", "x").File("../etc/passwd", "p").Finish()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(r.status().ToString(),
            "layer 0 (" + written_.layer_digests[0] +
                "): tar entry \"../etc/passwd\": path \"../etc/passwd\" "
                "climbs above the image root");
}

TEST_F(LoaderTest, RefusesHardlinkClimbingAboveRoot) {
  auto r = WriteAndLoad(
      OneLayer(TarWriter().Hardlink("x", "../../etc/shadow").Finish()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
}

TEST_F(LoaderTest, RefusesDanglingHardlink) {
  TestImage img;
  img.layers.push_back(
      {TarWriter().File("lower", "l").Finish(), LayerCompression::kGzip, ""});
  img.layers.push_back({TarWriter()
                            .Hardlink("ok", "lower")  // lower layer: fine
                            .Hardlink("bad", "nowhere")
                            .Finish(),
                        LayerCompression::kGzip, ""});
  auto r = WriteAndLoad(img);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.status().ToString(),
            "layer 1 (" + written_.layer_digests[1] +
                "): hardlink \"bad\" -> \"nowhere\": target does not exist");
}

TEST_F(LoaderTest, RefusesHardlinkToLaterEntry) {
  auto r = WriteAndLoad(OneLayer(
      TarWriter().Hardlink("early", "late").File("late", "x").Finish()));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("target does not exist"),
            std::string::npos);
}

TEST_F(LoaderTest, BlobDigestMismatchNamesTheBlob) {
  std::string tar = TarWriter().File("f", std::string(1000, 'a')).Finish();
  auto w = testing::WriteOciLayout(dir_ + "/img",
                                   {OneLayer(tar, LayerCompression::kNone)});
  ASSERT_TRUE(w.ok());
  std::string blob = BlobPath((*w)[0].layer_digests[0]);
  {
    std::fstream f(blob, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(600);  // inside the file data: the tar still parses
    f.put('b');
  }
  auto r = LoadPath("oci:" + dir_ + "/img");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status().ToString().find("digest mismatch"), std::string::npos)
      << r.status().ToString();
  EXPECT_NE(r.status().ToString().find((*w)[0].layer_digests[0]),
            std::string::npos)
      << r.status().ToString();
}

TEST_F(LoaderTest, MissingLayerBlob) {
  auto w = testing::WriteOciLayout(
      dir_ + "/img", {OneLayer(TarWriter().File("f", "x").Finish())});
  ASSERT_TRUE(w.ok());
  std::filesystem::remove(BlobPath((*w)[0].layer_digests[0]));
  auto r = LoadPath("oci:" + dir_ + "/img");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().ToString().find("not found"), std::string::npos);
}

TEST_F(LoaderTest, DiffIdMismatch) {
  auto w = testing::WriteOciLayout(
      dir_ + "/img", {OneLayer(TarWriter().File("f", "x").Finish())});
  ASSERT_TRUE(w.ok());
  std::string wrong =
      "sha256:0000000000000000000000000000000000000000000000000000000000000000";
  RewriteDiffId((*w)[0], wrong);
  // The gzip blob is verified by its digest; the config's claim about the
  // uncompressed bytes is only checked when asked to.
  auto lax = LoadPath("oci:" + dir_ + "/img");
  ASSERT_TRUE(lax.ok()) << lax.status().ToString();
  EXPECT_EQ(lax->layers[0].diff_id.ToString(), wrong);
  EXPECT_FALSE(lax->layers[0].diff_id_computed);
  LoadOptions strict;
  strict.verify_diff_ids = true;
  auto r = LoadPath("oci:" + dir_ + "/img", strict);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.status().message(), "diffID mismatch: the config says " + wrong +
                                      ", the content is " +
                                      (*w)[0].diff_ids[0]);
}

TEST_F(LoaderTest, UncompressedLayerDiffIdMismatchAlwaysCaught) {
  auto w = testing::WriteOciLayout(
      dir_ + "/img",
      {OneLayer(TarWriter().File("f", "x").Finish(), LayerCompression::kNone)});
  ASSERT_TRUE(w.ok());
  std::string wrong =
      "sha256:1111111111111111111111111111111111111111111111111111111111111111";
  RewriteDiffId((*w)[0], wrong);
  auto r = LoadPath("oci:" + dir_ + "/img");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "diffID mismatch: the config says " + wrong +
                                      ", the content is " +
                                      (*w)[0].diff_ids[0]);
}

TEST_F(LoaderTest, UncompressedLayerDiffIdIsItsVerifiedDigest) {
  TestImage img =
      OneLayer(TarWriter().File("f", "x").Finish(), LayerCompression::kNone);
  auto r = WriteAndLoad(img);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->layers[0].diff_id_computed);
  EXPECT_EQ(r->layers[0].diff_id.ToString(), written_.diff_ids[0]);
  EXPECT_EQ(r->layers[0].diff_id.ToString(), written_.layer_digests[0]);
}

TEST_F(LoaderTest, VerifyDiffIdsHashesCompressedLayers) {
  LoadOptions strict;
  strict.verify_diff_ids = true;
  auto r = WriteAndLoad(OneLayer(TarWriter().File("f", "x").Finish()), strict);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->layers[0].diff_id_computed);
  EXPECT_EQ(r->layers[0].diff_id.ToString(), written_.diff_ids[0]);
}

TEST_F(LoaderTest, TruncatedGzipLayer) {
  std::string gz =
      testing::Gzip(TarWriter().File("f", std::string(100000, 'q')).Finish());
  // The manifest honestly describes a truncated blob: the decompressor must
  // catch it.
  TestLayer l{gz.substr(0, gz.size() / 2), LayerCompression::kNone,
              "application/vnd.oci.image.layer.v1.tar+gzip"};
  TestImage img;
  img.layers.push_back(l);
  auto r = WriteAndLoad(img);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.status().message(), "truncated gzip stream");
}

TEST_F(LoaderTest, TruncatedZstdLayer) {
  std::string zs =
      testing::Zstd(TarWriter().File("f", std::string(100000, 'q')).Finish());
  TestImage img;
  img.layers.push_back({zs.substr(0, zs.size() - 5), LayerCompression::kNone,
                        "application/vnd.oci.image.layer.v1.tar+zstd"});
  auto r = WriteAndLoad(img);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "truncated zstd stream");
}

TEST_F(LoaderTest, TruncatedTarLayer) {
  std::string tar = TarWriter().File("f", std::string(5000, 'q')).bytes();
  auto r = WriteAndLoad(OneLayer(tar.substr(0, 2048)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.status().message(), "truncated tar stream");
}

TEST_F(LoaderTest, CompressionDetectedByContentNotMediaType) {
  TestImage img;
  // zstd bytes labelled gzip, gzip bytes labelled uncompressed.
  img.layers.push_back({TarWriter().File("a", "1").Finish(),
                        LayerCompression::kZstd,
                        "application/vnd.oci.image.layer.v1.tar+gzip"});
  img.layers.push_back({TarWriter().File("b", "2").Finish(),
                        LayerCompression::kGzip,
                        "application/vnd.oci.image.layer.v1.tar"});
  auto r = WriteAndLoad(img);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->layers[0].compression, io::Compression::kZstd);
  EXPECT_EQ(r->layers[1].compression, io::Compression::kGzip);
  EXPECT_NE(r->tree.Lookup("a"), nullptr);
  EXPECT_NE(r->tree.Lookup("b"), nullptr);
}

TEST_F(LoaderTest, DecompressionBombHitsExpandedBytesCap) {
  // 64 MiB of zeros compresses to ~64 KiB.
  std::string tar =
      TarWriter().File("zeros", std::string(64 << 20, '\0')).Finish();
  LoadOptions opts;
  opts.max_expanded_bytes = 1 << 20;
  auto r = WriteAndLoad(OneLayer(tar), opts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("--max-expanded-bytes"),
            std::string::npos)
      << r.status().ToString();
}

TEST_F(LoaderTest, EntryCountCap) {
  TarWriter t;
  for (int i = 0; i < 20; ++i) t.File("f" + std::to_string(i), "");
  LoadOptions opts;
  opts.max_entries = 10;
  auto r = WriteAndLoad(OneLayer(t.Finish()), opts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status().message(),
            "image has more than 10 tar entries (--max-entries)");
}

TEST_F(LoaderTest, DuplicateEntriesLastWins) {
  std::string tar = TarWriter().File("f", "old").File("f", "newer!").Finish();
  auto r = WriteAndLoad(OneLayer(tar, LayerCompression::kNone));
  ASSERT_TRUE(r.ok());
  const fs::FileInfo* f = r->tree.Lookup("f");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(tar.substr(f->content.offset, f->content.size), "newer!");
}

TEST_F(LoaderTest, SymlinksStayInsideTheImage) {
  std::string tar = TarWriter()
                        .Dir("etc")
                        .File("etc/passwd", "image passwd")
                        .Symlink("abs", "/etc/passwd")
                        .Symlink("up", "../../../../../etc/passwd")
                        .Symlink("loop1", "loop2")
                        .Symlink("loop2", "loop1")
                        .Finish();
  auto r = WriteAndLoad(OneLayer(tar));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->tree.Resolve("abs")->path, "etc/passwd");
  EXPECT_EQ(r->tree.Resolve("up")->path, "etc/passwd");
  auto loop = r->tree.Resolve("loop1");
  ASSERT_FALSE(loop.ok());
  EXPECT_EQ(loop.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(LoaderTest, RootfsDirectoryWithoutFollowingHostSymlinks) {
  std::string root = dir_ + "/rootfs";
  std::filesystem::create_directories(root + "/etc");
  std::filesystem::create_directories(root + "/usr/bin");
  std::ofstream(root + "/etc/os-release") << "ID=test\n";
  std::ofstream(root + "/usr/bin/tool") << "tool";
  std::filesystem::create_symlink("/etc", root + "/hostetc");
  std::filesystem::create_symlink("usr/bin", root + "/bin");
  auto r = LoadPath("dir:" + root);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->metadata.has_value());
  EXPECT_EQ(r->tree.size(), 7);
  const fs::FileInfo* link = r->tree.Lookup("hostetc");
  ASSERT_NE(link, nullptr);
  EXPECT_EQ(link->type, fs::FileType::kSymlink);
  // /etc inside the image is the rootfs's own etc, never the host's.
  auto via = r->tree.Resolve("hostetc/os-release");
  ASSERT_TRUE(via.ok());
  EXPECT_EQ(via->path, "etc/os-release");
  EXPECT_FALSE(r->tree.Resolve("hostetc/passwd").ok());
  EXPECT_EQ(r->tree.Resolve("bin/tool")->path, "usr/bin/tool");
  EXPECT_EQ(r->layers[0].entries, 7);
}

TEST(TarToChangesTest, ClassifiesWhiteoutsAndSkipsRoot) {
  std::string tar = TarWriter()
                        .Dir("./")
                        .Whiteout("a/b")
                        .OpaqueWhiteout("c")
                        .Raw("d/.wh..wh.plnk", '0', "")
                        .File("e", "x")
                        .Finish();
  MemorySource src(tar);
  tar::Reader reader(src);
  std::atomic<int64_t> budget{0};
  auto ch = TarToChanges(3, reader, budget, 100);
  ASSERT_TRUE(ch.ok()) << ch.status().ToString();
  ASSERT_EQ(ch->changes.size(), 3u);
  EXPECT_EQ(ch->changes[0].kind, fs::Change::Kind::kWhiteout);
  EXPECT_EQ(ch->changes[0].path, "a/b");
  EXPECT_EQ(ch->changes[1].kind, fs::Change::Kind::kOpaque);
  EXPECT_EQ(ch->changes[1].path, "c");
  EXPECT_EQ(ch->changes[2].path, "e");
  EXPECT_EQ(ch->changes[2].info.layer, 3);
  EXPECT_EQ(ch->layer, 3);
  EXPECT_EQ(budget.load(), 5);
}

TEST_F(LoaderTest, CapturesMatchingFilesFromEveryLayer) {
  TestImage img;
  img.layers.push_back({TarWriter()
                            .File("var/lib/db/status", "v1")
                            .File("usr/lib/os-release", "ID=test\n")
                            .Symlink("etc/os-release", "../usr/lib/os-release")
                            .File("other", "not captured")
                            .Finish(),
                        LayerCompression::kGzip, ""});
  img.layers.push_back(
      {TarWriter()
           .File("var/lib/db/status", "v2")
           .Hardlink("var/lib/db/status.bak", "var/lib/db/status")
           .Finish(),
       LayerCompression::kZstd, ""});
  LoadOptions opts;
  opts.capture_globs = {"var/lib/db/*", "usr/lib/os-release"};
  auto r = WriteAndLoad(img, opts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*ReadFile(*r, "var/lib/db/status"), "v2");
  EXPECT_EQ(*ReadFile(*r, "var/lib/db/status.bak"), "v2");  // hardlink
  EXPECT_EQ(*ReadFile(*r, "etc/os-release"), "ID=test\n");  // via symlink
  auto copies = CapturedCopies(*r, "var/lib/db/status");
  ASSERT_EQ(copies.size(), 2u);
  EXPECT_EQ(copies[0]->layer, 0);
  EXPECT_EQ(copies[0]->content, "v1");
  EXPECT_EQ(copies[1]->layer, 1);
  auto other = ReadFile(*r, "other");
  EXPECT_EQ(other.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(other.status().message(),
            "\"other\" was not captured while loading");
  EXPECT_EQ(ReadFile(*r, "missing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ReadFile(*r, "var/lib/db").status().code(), StatusCode::kNotFound);
}

TEST_F(LoaderTest, CaptureCapsPerFileAndInTotal) {
  TestImage img = OneLayer(TarWriter()
                               .File("big", std::string(5000, 'b'))
                               .File("small", "s")
                               .Finish());
  LoadOptions opts;
  opts.capture_globs = {"*"};
  opts.max_captured_file_bytes = 1000;
  auto r = WriteAndLoad(img, opts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(ReadFile(*r, "big").status().code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(CapturedCopies(*r, "big")[0]->content.size(), 1000u);
  EXPECT_TRUE(CapturedCopies(*r, "big")[0]->truncated);
  EXPECT_EQ(*ReadFile(*r, "small"), "s");

  opts.max_captured_file_bytes = 10000;
  opts.max_captured_total_bytes = 3000;
  auto over = LoadPath("oci:" + dir_ + "/img", opts);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted);
}

TEST_F(LoaderTest, RootfsCapturesWithoutFollowingHostSymlinks) {
  std::string root = dir_ + "/rootfs";
  std::filesystem::create_directories(root + "/etc");
  std::ofstream(root + "/etc/status") << "rootfs db";
  std::filesystem::create_symlink("/etc/hostname", root + "/etc/linked");
  LoadOptions opts;
  opts.capture_globs = {"etc/*"};
  auto r = LoadPath("dir:" + root, opts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*ReadFile(*r, "etc/status"), "rootfs db");
  // The symlink points outside the image: it resolves inside the rootfs,
  // where nothing is, and the host file is never read.
  EXPECT_EQ(ReadFile(*r, "etc/linked").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(CapturedCopies(*r, "etc/status").size(), 1u);
}

// A rule that keeps "<size>:<first 4 bytes>" of ELF-looking executables.
CaptureRule HeadRule(int64_t max_bytes = 1 << 20) {
  CaptureRule r;
  r.name = "head";
  r.executables = true;
  r.magic =
      "\x7f"
      "ELF";
  r.max_file_bytes = max_bytes;
  r.reduce = [](std::string_view path,
                std::string_view bytes) -> Result<std::optional<std::string>> {
    if (bytes.find("BROKEN") != std::string_view::npos) {
      return DataLossError("broken file " + std::string(path));
    }
    if (bytes.find("SKIP") != std::string_view::npos) return std::nullopt;
    return std::to_string(bytes.size()) + ":" + std::string(bytes.substr(0, 4));
  };
  return r;
}

TEST_F(LoaderTest, CaptureRulesReduceMatchingFilesOnce) {
  const std::string elf =
      "\x7f"
      "ELF" +
      std::string(100, 'x');
  TestImage img;
  img.layers.push_back(
      {TarWriter()
           .File("bin/tool", elf, 0755)
           .File("bin/old", elf, 0755)
           .File("bin/script", "#!/bin/sh\n", 0755)
           .File("lib/notexec.so", elf, 0644)
           .File("bin/broken", elf + "BROKEN", 0755)
           .File("bin/skipped", elf + "SKIP", 0755)
           .File("bin/huge", elf + std::string(2000, 'h'), 0755)
           .File("etc/conf", "plain", 0755)
           .Finish(),
       LayerCompression::kGzip, ""});
  img.layers.push_back({TarWriter().File("bin/old", elf + "v2", 0755).Finish(),
                        LayerCompression::kGzip, ""});
  LoadOptions opts;
  opts.capture_rules = {HeadRule(1000)};
  CaptureRule by_glob;  // keeps the bytes of .so files as they are
  by_glob.name = "so";
  by_glob.globs = {"**/*.so"};
  opts.capture_rules.push_back(by_glob);
  opts.capture_globs = {"etc/*"};
  auto r = WriteAndLoad(img, opts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();

  auto head = CurrentCaptured(*r, "head");
  ASSERT_EQ(head.size(), 4u);  // broken, huge, old (layer 1), tool
  EXPECT_EQ(head[0]->path, "bin/broken");
  EXPECT_EQ(head[0]->error, "broken file bin/broken");
  EXPECT_EQ(head[1]->path, "bin/huge");
  EXPECT_TRUE(head[1]->truncated);
  EXPECT_EQ(head[1]->content, "");
  EXPECT_EQ(head[2]->path, "bin/old");
  EXPECT_EQ(head[2]->layer, 1);
  EXPECT_EQ(head[2]->content,
            "106:\x7f"
            "ELF");
  EXPECT_EQ(head[3]->path, "bin/tool");
  EXPECT_EQ(head[3]->content,
            "104:\x7f"
            "ELF");
  EXPECT_EQ(head[3]->rule, "head");

  auto so = CurrentCaptured(*r, "so");
  ASSERT_EQ(so.size(), 1u);
  EXPECT_EQ(so[0]->content, elf);
  // Glob captures are unaffected by rules, and rule results are not
  // glob captures.
  EXPECT_EQ(*ReadFile(*r, "etc/conf"), "plain");
  auto plain = CurrentCaptured(*r, "", "etc/*");
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(plain[0]->path, "etc/conf");
  EXPECT_EQ(ReadFile(*r, "bin/tool").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_TRUE(CapturedCopies(*r, "bin/tool").empty());
}

TEST_F(LoaderTest, GlobAndRuleOnTheSameFile) {
  const std::string elf =
      "\x7f"
      "ELF"
      "payload";
  TestImage img = OneLayer(TarWriter().File("bin/x", elf, 0755).Finish());
  LoadOptions opts;
  opts.capture_rules = {HeadRule()};
  opts.capture_globs = {"bin/*"};
  auto r = WriteAndLoad(img, opts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*ReadFile(*r, "bin/x"), elf);
  ASSERT_EQ(CurrentCaptured(*r, "head").size(), 1u);
  EXPECT_EQ(CurrentCaptured(*r, "head")[0]->content,
            "11:\x7f"
            "ELF");
}

TEST_F(LoaderTest, RuleResultsCountAgainstTheTotalBudget) {
  const std::string elf =
      "\x7f"
      "ELF" +
      std::string(100, 'x');
  TestImage img = OneLayer(TarWriter().File("bin/x", elf, 0755).Finish());
  LoadOptions opts;
  CaptureRule keep = HeadRule();
  keep.reduce = nullptr;  // keeps all 104 bytes
  opts.capture_rules = {keep};
  opts.max_captured_total_bytes = 50;
  auto r = WriteAndLoad(img, opts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
}

TEST_F(LoaderTest, RootfsAppliesCaptureRules) {
  std::string root = dir_ + "/rootfs";
  std::filesystem::create_directories(root + "/bin");
  std::ofstream(root + "/bin/tool") << "\x7f"
                                       "ELF"
                                       "rootfs";
  std::filesystem::permissions(root + "/bin/tool",
                               std::filesystem::perms::owner_all);
  std::ofstream(root + "/bin/data") << "\x7f"
                                       "ELF"
                                       "not executable";
  std::filesystem::permissions(root + "/bin/data",
                               std::filesystem::perms::owner_read);
  LoadOptions opts;
  opts.capture_rules = {HeadRule()};
  auto r = LoadPath("dir:" + root, opts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto head = CurrentCaptured(*r, "head");
  ASSERT_EQ(head.size(), 1u);
  EXPECT_EQ(head[0]->path, "bin/tool");
  EXPECT_EQ(head[0]->content,
            "10:\x7f"
            "ELF");
}

// Records every window a rule's reduce sees; keeps "<first 2 bytes>;" of
// each (nullopt for a window holding "NONE", an error for one holding
// "FAIL").
struct WindowLog {
  std::mutex mu;
  std::vector<std::string> windows;

  std::vector<std::string> Take() {
    std::lock_guard lock(mu);
    return std::move(windows);
  }
};

CaptureRule WindowRule(std::shared_ptr<WindowLog> log, int64_t window,
                       int64_t overlap, std::string_view name = "win") {
  CaptureRule r;
  r.name = name;
  r.globs = {"**/*.so*"};
  r.magic =
      "\x7f"
      "ELF";
  r.max_file_bytes = 1000;
  r.window_bytes = window;
  r.window_overlap = overlap;
  r.reduce = [log](
                 std::string_view,
                 std::string_view bytes) -> Result<std::optional<std::string>> {
    {
      std::lock_guard lock(log->mu);
      log->windows.emplace_back(bytes);
    }
    if (bytes.find("FAIL") != std::string_view::npos) {
      return DataLossError("bad window");
    }
    if (bytes.find("NONE") != std::string_view::npos) return std::nullopt;
    return std::string(bytes.substr(0, 2)) + ";";
  };
  return r;
}

// "\x7f" "ELF" then `n - 4` bytes cycling through the alphabet.
std::string ElfOf(size_t n) {
  std::string s =
      "\x7f"
      "ELF";
  for (size_t i = s.size(); i < n; ++i) s += static_cast<char>('a' + i % 26);
  return s;
}

// Runs a Capturer over `bytes` (claimed to be `size` long; -1: their size)
// handed out at most 7 bytes per read.
struct CaptureRun {
  Status status;
  std::vector<CapturedFile> out;
  std::string scratch;
};
CaptureRun RunCapture(const std::vector<std::string>& globs,
                      const std::vector<CaptureRule>& rules,
                      const std::string& bytes, int64_t size = -1,
                      int64_t max_file_bytes = caps::kMaxCapturedFileBytes) {
  CaptureSpec spec;
  spec.globs = &globs;
  spec.rules = &rules;
  spec.max_file_bytes = max_file_bytes;
  Capturer capturer(spec);
  size_t pos = 0;
  auto read = [&](std::span<uint8_t> buf) -> Result<size_t> {
    size_t n = std::min({buf.size(), bytes.size() - pos, size_t{7}});
    std::memcpy(buf.data(), bytes.data() + pos, n);
    pos += n;
    return n;
  };
  CaptureRun run;
  run.status =
      capturer.Capture(0, 0, "usr/lib/libx.so.1", 0644,
                       size < 0 ? static_cast<int64_t>(bytes.size()) : size,
                       read, &run.scratch, &run.out);
  return run;
}

TEST(CapturerTest, WindowedRuleSeesOverlappingWindowsInOrder) {
  auto log = std::make_shared<WindowLog>();
  const std::string file = ElfOf(300);
  CaptureRun run = RunCapture({}, {WindowRule(log, 80, 16)}, file);
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  // [0,80) [64,144) [128,208) [192,272) [256,300)
  std::vector<std::string> want = {file.substr(0, 80), file.substr(64, 80),
                                   file.substr(128, 80), file.substr(192, 80),
                                   file.substr(256)};
  EXPECT_EQ(log->Take(), want);
  ASSERT_EQ(run.out.size(), 1u);
  EXPECT_EQ(run.out[0].rule, "win");
  EXPECT_EQ(run.out[0].content,
            "\x7f"
            "E;mn;yz;kl;wx;");
  EXPECT_FALSE(run.out[0].truncated);
  EXPECT_EQ(run.out[0].error, "");
  // Never more than a window in memory.
  EXPECT_EQ(run.scratch.size(), 80u);
}

TEST(CapturerTest, WindowsEndAtTheFileEnd) {
  auto log = std::make_shared<WindowLog>();
  const std::string file = ElfOf(144);  // the second window ends the file
  CaptureRun run = RunCapture({}, {WindowRule(log, 80, 16)}, file);
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(log->Take(),
            (std::vector<std::string>{file.substr(0, 80), file.substr(64)}));
  // A file within one window is reduced once.
  run = RunCapture({}, {WindowRule(log, 80, 16)}, ElfOf(80));
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(log->Take(), std::vector<std::string>{ElfOf(80)});
  ASSERT_EQ(run.out.size(), 1u);
  EXPECT_EQ(run.out[0].content,
            "\x7f"
            "E;");
}

TEST(CapturerTest, RulesWithDifferentWindowsShareOneRead) {
  auto a = std::make_shared<WindowLog>();
  auto b = std::make_shared<WindowLog>();
  const std::string file = ElfOf(200);
  CaptureRun run = RunCapture(
      {}, {WindowRule(a, 100, 30, "a"), WindowRule(b, 70, 0, "b")}, file);
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(a->Take(),
            (std::vector<std::string>{file.substr(0, 100), file.substr(70, 100),
                                      file.substr(140)}));
  EXPECT_EQ(b->Take(),
            (std::vector<std::string>{file.substr(0, 70), file.substr(70, 70),
                                      file.substr(140)}));
  ASSERT_EQ(run.out.size(), 2u);
  EXPECT_EQ(run.out[0].rule, "a");
  EXPECT_EQ(run.out[1].rule, "b");
  EXPECT_EQ(run.scratch.size(), 100u);
}

TEST(CapturerTest, WindowsWithoutResultsAreLeftOut) {
  auto log = std::make_shared<WindowLog>();
  std::string file = ElfOf(300);
  file.replace(100, 4, "NONE");  // only in the second window
  CaptureRun run = RunCapture({}, {WindowRule(log, 80, 16)}, file);
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(log->Take().size(), 5u);
  ASSERT_EQ(run.out.size(), 1u);
  EXPECT_EQ(run.out[0].content,
            "\x7f"
            "E;yz;kl;wx;");

  // Every window without a result: nothing is kept.
  file = ElfOf(144);
  file.replace(70, 4, "NONE");  // in both windows
  run = RunCapture({}, {WindowRule(log, 80, 16)}, file);
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(log->Take().size(), 2u);
  EXPECT_TRUE(run.out.empty());
}

TEST(CapturerTest, FirstWindowErrorWinsAndStopsTheRule) {
  auto log = std::make_shared<WindowLog>();
  std::string file = ElfOf(300);
  file.replace(150, 4, "FAIL");  // in the third window only
  CaptureRun run = RunCapture({}, {WindowRule(log, 80, 16)}, file);
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(log->Take().size(), 3u);  // the fourth and fifth are not reduced
  ASSERT_EQ(run.out.size(), 1u);
  EXPECT_EQ(run.out[0].error, "bad window");
  EXPECT_EQ(run.out[0].content, "");
}

TEST(CapturerTest, WindowedRuleKeepsCapAndMagic) {
  auto log = std::make_shared<WindowLog>();
  CaptureRule rule = WindowRule(log, 80, 16);
  rule.max_file_bytes = 299;
  CaptureRun run = RunCapture({}, {rule}, ElfOf(300));
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_TRUE(log->Take().empty());
  ASSERT_EQ(run.out.size(), 1u);
  EXPECT_TRUE(run.out[0].truncated);
  EXPECT_EQ(run.out[0].content, "");
  EXPECT_EQ(run.scratch.size(), 64u);  // the magic head only

  run = RunCapture({}, {WindowRule(log, 80, 16)}, "\x7f" + ElfOf(300));
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_TRUE(log->Take().empty());
  EXPECT_TRUE(run.out.empty());
}

TEST(CapturerTest, ShortFileIsWindowedAsItIs) {
  auto log = std::make_shared<WindowLog>();
  const std::string file = ElfOf(100);
  CaptureRun run = RunCapture({}, {WindowRule(log, 80, 16)}, file, 300);
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(log->Take(),
            (std::vector<std::string>{file.substr(0, 80), file.substr(64)}));
}

TEST(CapturerTest, WholeFileInMemoryIsReducedOnce) {
  auto log = std::make_shared<WindowLog>();
  const std::string file = ElfOf(300);
  // A glob keeps the whole file: the rule sees it whole.
  CaptureRun run = RunCapture({"**"}, {WindowRule(log, 80, 16)}, file);
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(log->Take(), std::vector<std::string>{file});
  ASSERT_EQ(run.out.size(), 2u);
  EXPECT_EQ(run.out[0].rule, "");
  EXPECT_EQ(run.out[0].content, file);
  EXPECT_EQ(run.out[1].content,
            "\x7f"
            "E;");

  // So does a rule without windows on the same file.
  CaptureRule whole = WindowRule(std::make_shared<WindowLog>(), 0, 0, "whole");
  run = RunCapture({}, {WindowRule(log, 80, 16), whole}, file);
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(log->Take(), std::vector<std::string>{file});
  ASSERT_EQ(run.out.size(), 2u);
  EXPECT_EQ(run.out[0].rule, "win");
  EXPECT_EQ(run.out[1].rule, "whole");

  // But not one over its own cap, nor a glob capture the cap truncates:
  // that one keeps its head while the rule reads windows.
  whole.max_file_bytes = 100;
  run = RunCapture({"**"}, {WindowRule(log, 80, 16), whole}, file, -1,
                   /*max_file_bytes=*/50);
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(log->Take().size(), 5u);
  ASSERT_EQ(run.out.size(), 3u);
  EXPECT_EQ(run.out[0].content, file.substr(0, 50));
  EXPECT_TRUE(run.out[0].truncated);
  EXPECT_EQ(run.out[1].content,
            "\x7f"
            "E;mn;yz;kl;wx;");
  EXPECT_TRUE(run.out[2].truncated);
  EXPECT_EQ(run.scratch.size(), 80u);
}

TEST(CapturerTest, OverlapNotSmallerThanWindowReadsWhole) {
  auto log = std::make_shared<WindowLog>();
  const std::string file = ElfOf(300);
  CaptureRun run = RunCapture({}, {WindowRule(log, 80, 80)}, file);
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(log->Take(), std::vector<std::string>{file});
}

TEST_F(LoaderTest, WindowedRuleInALayer) {
  auto log = std::make_shared<WindowLog>();
  const std::string file = ElfOf(300);
  TestImage img = OneLayer(TarWriter()
                               .File("usr/lib/liba.so.1", file)
                               .File("usr/lib/libb.so.1", file)
                               .Finish());
  LoadOptions opts;
  opts.capture_rules = {WindowRule(log, 80, 16)};
  opts.capture_globs = {"usr/lib/libb.so.1"};
  auto r = WriteAndLoad(img, opts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // liba in five windows, libb (captured whole by the glob) once.
  std::vector<std::string> seen = log->Take();
  EXPECT_EQ(seen,
            (std::vector<std::string>{
                file.substr(0, 80), file.substr(64, 80), file.substr(128, 80),
                file.substr(192, 80), file.substr(256), file}));
  auto win = CurrentCaptured(*r, "win");
  ASSERT_EQ(win.size(), 2u);
  EXPECT_EQ(win[0]->path, "usr/lib/liba.so.1");
  EXPECT_EQ(win[0]->content,
            "\x7f"
            "E;mn;yz;kl;wx;");
  EXPECT_EQ(win[1]->content,
            "\x7f"
            "E;");
  EXPECT_EQ(*ReadFile(*r, "usr/lib/libb.so.1"), file);
}

}  // namespace
}  // namespace strata::image
