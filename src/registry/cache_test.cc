#include "registry/cache.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace strata::registry {
namespace {

namespace fs = std::filesystem;

class CacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/strata-cache-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { fs::remove_all(root_); }

  static oci::Descriptor Desc(std::string_view bytes) {
    oci::Descriptor d;
    d.media_type = "application/octet-stream";
    d.digest = Sha256Of(bytes);
    d.size = static_cast<int64_t>(bytes.size());
    return d;
  }
  size_t TempFiles() const {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(root_ + "/c/tmp")) {
      (void)e;
      ++n;
    }
    return n;
  }
  std::string root_;
};

TEST_F(CacheTest, StoresVerifiedEntriesAndReadsThemBack) {
  auto cache = BlobCache::Open(root_ + "/c");
  ASSERT_TRUE(cache.ok()) << cache.status().ToString();
  oci::Descriptor d = Desc("hello blob");
  EXPECT_FALSE((*cache)->Has(d));
  ASSERT_TRUE((*cache)->Put(d, "hello blob").ok());
  EXPECT_TRUE((*cache)->Has(d));
  auto bytes = (*cache)->ReadSmall(d, 1024);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, "hello blob");
  // By digest alone (size unknown).
  oci::Descriptor any = d;
  any.size = -1;
  EXPECT_TRUE((*cache)->Has(any));
  EXPECT_EQ(*(*cache)->ReadSmall(any, 1024), "hello blob");
  // The wrong size is a miss.
  oci::Descriptor wrong = d;
  wrong.size = 3;
  EXPECT_FALSE((*cache)->Has(wrong));
  EXPECT_EQ(TempFiles(), 0u);
  struct stat st;
  ASSERT_EQ(::stat((root_ + "/c/tmp").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(CacheTest, AWrongDigestOrSizeNeverBecomesAnEntry) {
  auto cache = BlobCache::Open(root_ + "/c");
  ASSERT_TRUE(cache.ok());
  oci::Descriptor d = Desc("expected");
  Status st = (*cache)->Put(d, "tampered");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  EXPECT_EQ(st.ToString(), "blob " + d.digest.ToString() +
                               ": digest mismatch: got " +
                               Sha256Of("tampered").ToString());
  EXPECT_FALSE((*cache)->Has(d));
  st = (*cache)->Put(d, "expected but longer");
  EXPECT_EQ(st.ToString(), "blob " + d.digest.ToString() +
                               ": larger than its descriptor size 8");
  auto w = (*cache)->StartWrite(d);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append(std::span<const uint8_t>(
                               reinterpret_cast<const uint8_t*>("exp"), 3))
                  .ok());
  EXPECT_EQ((*w)->Commit().ToString(),
            "blob " + d.digest.ToString() + ": got 3 bytes, want 8");
  EXPECT_EQ(TempFiles(), 1u);  // the writer still exists
  w->reset();
  EXPECT_EQ(TempFiles(), 0u);  // destroyed uncommitted: removed
  EXPECT_FALSE((*cache)->Has(d));
}

TEST_F(CacheTest, ACorruptedEntryIsDetectedAndRemoved) {
  auto cache = BlobCache::Open(root_ + "/c");
  ASSERT_TRUE(cache.ok());
  oci::Descriptor d = Desc("original");
  ASSERT_TRUE((*cache)->Put(d, "original").ok());
  std::string path = root_ + "/c/blobs/sha256/" + d.digest.hex();
  std::ofstream(path, std::ios::binary | std::ios::trunc) << "origina!";
  auto src = (*cache)->Open(d);
  ASSERT_TRUE(src.ok());
  EXPECT_EQ(ReadAll(**src, 100, "x").status().code(), StatusCode::kDataLoss);
  auto bytes = (*cache)->ReadSmall(d, 100);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(fs::exists(path));
}

TEST_F(CacheTest, MissesAndCapsAreErrors) {
  auto cache = BlobCache::Open(root_ + "/c");
  ASSERT_TRUE(cache.ok());
  oci::Descriptor d = Desc("absent");
  auto src = (*cache)->Open(d);
  ASSERT_FALSE(src.ok());
  EXPECT_EQ(src.status().ToString(),
            "blob " + d.digest.ToString() + " not in the cache");
  auto big = (*cache)->ReadSmall(d, 2);
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted);
  // A file where the cache directory should be.
  std::ofstream(root_ + "/file") << "x";
  auto bad = BlobCache::Open(root_ + "/file");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().ToString(),
            "cache: " + root_ + "/file is not a directory");
}

TEST_F(CacheTest, DefaultDirFollowsXdgThenHome) {
  const char* old_xdg = std::getenv("XDG_CACHE_HOME");
  std::string saved = old_xdg ? old_xdg : "";
  const char* old_home = std::getenv("HOME");
  std::string saved_home = old_home ? old_home : "";
  ::setenv("XDG_CACHE_HOME", "/x/cache", 1);
  EXPECT_EQ(*BlobCache::DefaultDir(), "/x/cache/strata");
  ::setenv("XDG_CACHE_HOME", "relative", 1);  // ignored, as in the spec
  ::setenv("HOME", "/home/u", 1);
  EXPECT_EQ(*BlobCache::DefaultDir(), "/home/u/.cache/strata");
  if (old_home) {
    ::setenv("HOME", saved_home.c_str(), 1);
  } else {
    ::unsetenv("HOME");
  }
  if (old_xdg) {
    ::setenv("XDG_CACHE_HOME", saved.c_str(), 1);
  } else {
    ::unsetenv("XDG_CACHE_HOME");
  }
}

}  // namespace
}  // namespace strata::registry
