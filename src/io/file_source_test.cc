#include "io/file_source.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

namespace strata::io {
namespace {

class FileSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "file_source_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    dir_fd_.Reset(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(dir_fd_.valid());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& rel, const std::string& content) {
    std::string path = dir_ + "/" + rel;
    std::filesystem::create_directories(
        std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  std::string dir_;
  UniqueFd dir_fd_;
};

Result<std::string> ReadThrough(ByteSource& src, size_t read_size) {
  std::string out;
  std::vector<uint8_t> buf(read_size);
  while (true) {
    ASSIGN_OR_RETURN(size_t n, src.Read(buf));
    if (n == 0) return out;
    out.append(reinterpret_cast<const char*>(buf.data()), n);
  }
}

TEST_F(FileSourceTest, OpensAndPreadsRegularFile) {
  std::string path = Write("f", "0123456789");
  Result<std::shared_ptr<SharedFile>> f = SharedFile::Open(path);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ((*f)->size(), 10);
  EXPECT_EQ((*f)->path(), path);
  uint8_t buf[4];
  ASSERT_TRUE((*f)->PreadFull(3, buf).ok());
  EXPECT_EQ(std::string(buf, buf + 4), "3456");
  EXPECT_EQ((*f)->PreadFull(8, buf),
            DataLossError(path + ": unexpected end of file"));
}

TEST_F(FileSourceTest, OpenReportsMissingFile) {
  Result<std::shared_ptr<SharedFile>> f = SharedFile::Open(dir_ + "/nope");
  EXPECT_EQ(f.status(),
            NotFoundError("open " + dir_ + "/nope: No such file or directory"));
}

TEST_F(FileSourceTest, OpenRefusesDirectoriesAndFifos) {
  EXPECT_EQ(SharedFile::Open(dir_).status(),
            InvalidArgumentError(dir_ + " is not a regular file"));
  std::string fifo = dir_ + "/fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Must not block waiting for a writer.
  EXPECT_EQ(SharedFile::Open(fifo).status(),
            InvalidArgumentError(fifo + " is not a regular file"));
}

TEST_F(FileSourceTest, RangeSourceReadsItsRange) {
  std::string path = Write("f", "abcdefghijklmnopqrstuvwxyz");
  std::shared_ptr<SharedFile> f = *SharedFile::Open(path);
  for (size_t read_size : {size_t{1}, size_t{3}, size_t{100}}) {
    RangeSource src(f, 5, 10);
    Result<std::string> r = ReadThrough(src, read_size);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, "fghijklmno");
  }
  RangeSource empty(f, 26, 0);
  EXPECT_EQ(*ReadThrough(empty, 10), "");
}

TEST_F(FileSourceTest, RangeSourceSkipsWithoutReading) {
  std::string path = Write("f", "abcdefghijklmnopqrstuvwxyz");
  std::shared_ptr<SharedFile> f = *SharedFile::Open(path);
  RangeSource src(f, 2, 20);
  uint8_t buf[3];
  EXPECT_EQ(*src.Read(buf), 3u);  // cde
  EXPECT_EQ(*src.Skip(10), 10);
  EXPECT_EQ(*src.Read(buf), 3u);
  EXPECT_EQ(std::string(buf, buf + 3), "pqr");
  EXPECT_EQ(*src.Skip(100), 4);  // only stuvwx... up to the range end
  EXPECT_EQ(*src.Read(buf), 0u);
  EXPECT_EQ(*src.Skip(1), 0);

  // Skipping over bytes the file no longer has succeeds: nothing is read.
  RangeSource shrunk(f, 0, 26);
  ASSERT_EQ(::truncate(path.c_str(), 5), 0);
  EXPECT_EQ(*shrunk.Skip(20), 20);
  Result<size_t> r = shrunk.Read(buf);
  EXPECT_EQ(r.status(), DataLossError(path + ": unexpected end of file"));
}

TEST_F(FileSourceTest, RangeSourceRejectsRangeOutsideTheFile) {
  std::string path = Write("f", "0123456789");
  std::shared_ptr<SharedFile> f = *SharedFile::Open(path);
  uint8_t buf[4];
  RangeSource past(f, 8, 5);
  EXPECT_EQ(
      past.Read(buf).status(),
      DataLossError(path + ": range of 5 bytes at offset 8 is outside the file "
                           "(10 bytes)"));
  RangeSource overflow(f, 4, INT64_MAX);
  EXPECT_FALSE(overflow.Read(buf).ok());
  RangeSource negative(f, -1, 2);
  EXPECT_FALSE(negative.Skip(1).ok());
}

TEST_F(FileSourceTest, OpenFileSourceReadsWholeFile) {
  std::string content(300'000, 'x');
  content[123'456] = 'y';
  Result<std::unique_ptr<ByteSource>> src =
      OpenFileSource(Write("big", content));
  ASSERT_TRUE(src.ok());
  EXPECT_EQ(*ReadThrough(**src, 65536), content);
}

using OpenBeneathFn = Result<std::shared_ptr<SharedFile>> (*)(
    int, const std::string&, const std::string&);

// Both the openat2 path and the per-component fallback must behave alike.
Result<std::shared_ptr<SharedFile>> ViaFallback(int dir_fd,
                                                const std::string& name,
                                                const std::string& display) {
  ASSIGN_OR_RETURN(UniqueFd fd,
                   internal::OpenBeneathByComponents(dir_fd, name, display));
  // Re-open through /proc to get a SharedFile for the same inode.
  return SharedFile::Open("/proc/self/fd/" + std::to_string(fd.get()));
}

class OpenBeneathTest : public FileSourceTest,
                        public ::testing::WithParamInterface<OpenBeneathFn> {};

TEST_P(OpenBeneathTest, OpensNestedFile) {
  Write("blobs/sha256/abc", "blob");
  Result<std::shared_ptr<SharedFile>> f =
      GetParam()(dir_fd_.get(), "blobs/sha256/abc", "layout/abc");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ((*f)->size(), 4);
}

TEST_P(OpenBeneathTest, RefusesSymlinkAsLastComponent) {
  Write("real", "blob");
  ASSERT_EQ(::symlink("real", (dir_ + "/link").c_str()), 0);
  EXPECT_EQ(GetParam()(dir_fd_.get(), "link", "layout/link").status(),
            PermissionDeniedError("layout/link: refusing to follow a symlink"));
}

TEST_P(OpenBeneathTest, RefusesSymlinkedDirectory) {
  Write("real/abc", "blob");
  ASSERT_EQ(::symlink("real", (dir_ + "/blobs").c_str()), 0);
  EXPECT_EQ(
      GetParam()(dir_fd_.get(), "blobs/abc", "layout/blobs/abc").status(),
      PermissionDeniedError("layout/blobs/abc: refusing to follow a symlink"));
}

TEST_P(OpenBeneathTest, RefusesEscapes) {
  Write("sub/f", "x");
  for (std::string name : {"../f", "sub/../../f", "sub/../f", "/etc/passwd"}) {
    EXPECT_EQ(GetParam()(dir_fd_.get(), name, "layout/x").status(),
              PermissionDeniedError("layout/x: path escapes its directory"))
        << name;
  }
}

TEST_P(OpenBeneathTest, ReportsMissingFile) {
  Write("sub/f", "x");
  EXPECT_EQ(GetParam()(dir_fd_.get(), "sub/g", "layout/sub/g").status(),
            NotFoundError("open layout/sub/g: No such file or directory"));
}

TEST_F(FileSourceTest, OpenBeneathRefusesDirectoriesAndFifos) {
  Write("sub/f", "x");
  ASSERT_EQ(::mkfifo((dir_ + "/fifo").c_str(), 0600), 0);
  EXPECT_EQ(
      SharedFile::OpenBeneath(dir_fd_.get(), "sub", "layout/sub").status(),
      InvalidArgumentError("layout/sub is not a regular file"));
  EXPECT_EQ(
      SharedFile::OpenBeneath(dir_fd_.get(), "fifo", "layout/fifo").status(),
      InvalidArgumentError("layout/fifo is not a regular file"));
}

INSTANTIATE_TEST_SUITE_P(Openat2, OpenBeneathTest,
                         ::testing::Values(&SharedFile::OpenBeneath));
INSTANTIATE_TEST_SUITE_P(Fallback, OpenBeneathTest,
                         ::testing::Values(&ViaFallback));

}  // namespace
}  // namespace strata::io
