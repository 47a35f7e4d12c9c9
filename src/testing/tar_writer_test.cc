#include "testing/tar_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "base/byte_source.h"
#include "tar/tar_reader.h"

namespace strata::testing {
namespace {

std::string LongName() { return std::string(150, 'n'); }
std::string LongTarget() { return "../" + std::string(150, 't'); }

std::string Sample(bool gnu) {
  return TarWriter()
      .UseGnuLongNames(gnu)
      .SetOwner(1000, 1001)
      .Dir("d/")
      .File("d/f", "hello", 0640)
      .Symlink("d/s", "f")
      .Hardlink("d/h", "d/f")
      .CharDevice("dev/null", 1, 3)
      .BlockDevice("dev/sda", 8, 0)
      .Fifo("p")
      .Whiteout("d/gone")
      .OpaqueWhiteout("d")
      .File(LongName(), std::string(1000, 'x'))
      .Symlink("ls", LongTarget())
      .Finish();
}

// Writes `tar` to a temp file and runs `tar <args> <file>`; returns stdout
// and stderr together.
std::string RunGnuTar(const std::string& tar, const std::string& args) {
  std::string path = ::testing::TempDir() + "tar_writer_test_" +
                     std::to_string(getpid()) + ".tar";
  std::ofstream(path, std::ios::binary) << tar;
  std::string cmd = "TZ=UTC tar " + args + " " + path + " 2>&1";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return "popen failed";
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int rc = pclose(p);
  std::remove(path.c_str());
  if (rc != 0) out += "exit status " + std::to_string(rc);
  return out;
}

bool HaveGnuTar() {
  return std::system("tar --version 2>/dev/null | grep -q 'GNU tar'") == 0;
}

TEST(TarWriterTest, ListsWithGnuTar) {
  if (!HaveGnuTar()) GTEST_SKIP() << "GNU tar not installed";
  std::string want =
      "drwxr-xr-x 1000/1001         0 2023-11-14 22:13 d/\n"
      "-rw-r----- 1000/1001         5 2023-11-14 22:13 d/f\n"
      "lrwxrwxrwx 1000/1001         0 2023-11-14 22:13 d/s -> f\n"
      "hrw-r--r-- 1000/1001         0 2023-11-14 22:13 d/h link to d/f\n"
      "crw-rw-rw- 1000/1001       1,3 2023-11-14 22:13 dev/null\n"
      "brw-rw---- 1000/1001       8,0 2023-11-14 22:13 dev/sda\n"
      "prw-r--r-- 1000/1001         0 2023-11-14 22:13 p\n"
      "-rw-r--r-- 1000/1001         0 2023-11-14 22:13 d/.wh.gone\n"
      "-rw-r--r-- 1000/1001         0 2023-11-14 22:13 d/.wh..wh..opq\n"
      "-rw-r--r-- 1000/1001      1000 2023-11-14 22:13 " +
      LongName() +
      "\n"
      "lrwxrwxrwx 1000/1001         0 2023-11-14 22:13 ls -> " +
      LongTarget() + "\n";
  for (bool gnu : {false, true}) {
    EXPECT_EQ(RunGnuTar(Sample(gnu), "--numeric-owner -tvf"), want) << gnu;
  }
}

TEST(TarWriterTest, ExtractsWithGnuTar) {
  if (!HaveGnuTar()) GTEST_SKIP() << "GNU tar not installed";
  for (bool gnu : {false, true}) {
    EXPECT_EQ(RunGnuTar(Sample(gnu), "-xO d/f -f"), "hello");
    EXPECT_EQ(RunGnuTar(Sample(gnu), "-xO " + LongName() + " -f"),
              std::string(1000, 'x'));
  }
}

TEST(TarWriterTest, RoundTripsThroughTheReader) {
  for (bool gnu : {false, true}) {
    std::string tar = Sample(gnu);
    StringSource src(tar);
    tar::Reader r(src);
    std::vector<tar::Entry> entries;
    tar::Entry e;
    while (true) {
      Result<bool> more = r.Next(&e);
      ASSERT_TRUE(more.ok()) << more.status().ToString();
      if (!*more) break;
      entries.push_back(e);
    }
    ASSERT_EQ(entries.size(), 11u);
    using tar::EntryType;
    EXPECT_EQ(entries[0].type, EntryType::kDirectory);
    EXPECT_EQ(entries[1].name, "d/f");
    EXPECT_EQ(entries[1].mode, 0640u);
    EXPECT_EQ(entries[1].uid, 1000);
    EXPECT_EQ(entries[1].gid, 1001);
    EXPECT_EQ(entries[1].mtime, 1700000000);
    EXPECT_EQ(tar.substr(entries[1].data_offset, 5), "hello");
    EXPECT_EQ(entries[2].type, EntryType::kSymlink);
    EXPECT_EQ(entries[3].type, EntryType::kHardlink);
    EXPECT_EQ(entries[3].link_target, "d/f");
    EXPECT_EQ(entries[4].type, EntryType::kCharDevice);
    EXPECT_EQ(entries[5].type, EntryType::kBlockDevice);
    EXPECT_EQ(entries[5].dev_major, 8u);
    EXPECT_EQ(entries[6].type, EntryType::kFifo);
    EXPECT_EQ(entries[7].name, "d/.wh.gone");
    EXPECT_EQ(entries[8].name, "d/.wh..wh..opq");
    EXPECT_EQ(entries[9].name, LongName());
    EXPECT_EQ(entries[9].size, 1000);
    EXPECT_EQ(entries[10].link_target, LongTarget());
  }
}

TEST(TarWriterTest, UsesGnuLongNameEntriesOnlyWhenAsked) {
  std::string pax = TarWriter().File(LongName(), "").bytes();
  std::string gnu =
      TarWriter().UseGnuLongNames(true).File(LongName(), "").bytes();
  ASSERT_EQ(pax.size(), 3 * 512u);  // 'x' header, its records, the entry
  EXPECT_EQ(pax[156], 'x');
  EXPECT_EQ(pax.substr(512, 10), "160 path=n");
  EXPECT_EQ(pax.substr(257, 8), std::string("ustar\0"
                                            "00",
                                            8));
  ASSERT_EQ(gnu.size(), 3 * 512u);  // 'L' header, the name, the entry
  EXPECT_EQ(gnu[156], 'L');
  EXPECT_EQ(gnu.substr(0, 13), "././@LongLink");
  EXPECT_EQ(gnu.substr(512, 151), LongName() + '\0');
  EXPECT_EQ(gnu.substr(257, 8), std::string("ustar  \0", 8));
  // The entry's own field holds the first 100 bytes.
  EXPECT_EQ(pax.substr(1024, 100), std::string(100, 'n'));
}

TEST(TarWriterTest, FormatsPaxRecords) {
  EXPECT_EQ(TarWriter::PaxRecord("path", "x"), "9 path=x\n");
  EXPECT_EQ(TarWriter::PaxRecord("path", std::string(90, 'v')).size(), 99u);
  // 98 bytes without the length: 2 digits would make 100, so 3 make 101.
  std::string v(91, 'v');
  EXPECT_EQ(TarWriter::PaxRecord("path", v), "101 path=" + v + "\n");
  EXPECT_EQ(TarWriter::PaxRecord("path", v).size(), 101u);
}

TEST(TarWriterTest, WritesRawEntriesVerbatim) {
  TarWriter w;
  w.Raw("weird", 'Z', "payload", "target");
  const std::string& b = w.bytes();
  ASSERT_EQ(b.size(), 1024u);
  EXPECT_EQ(b[156], 'Z');
  EXPECT_EQ(b.substr(124, 12), std::string("00000000007\0", 12));
  EXPECT_EQ(b.substr(157, 7), std::string("target\0", 7));
  EXPECT_EQ(b.substr(512, 8), std::string("payload\0", 8));
  EXPECT_EQ(w.Finish(), b + std::string(1024, '\0'));
}

TEST(TarWriterTest, NamesWhiteouts) {
  std::string tar =
      TarWriter().Whiteout("top").Whiteout("a/b/c").OpaqueWhiteout("").bytes();
  EXPECT_EQ(tar.substr(0, 9), std::string(".wh.top\0\0", 9));
  EXPECT_EQ(tar.substr(512, 12), std::string("a/b/.wh.c\0\0\0", 12));
  EXPECT_EQ(tar.substr(1024, 13), std::string(".wh..wh..opq\0", 13));
}

}  // namespace
}  // namespace strata::testing
