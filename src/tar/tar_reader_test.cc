#include "tar/tar_reader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "base/caps.h"
#include "testing/tar_writer.h"

namespace strata::tar {
namespace {

using ::strata::testing::TarWriter;

// A source over a string that hands out at most `chunk` bytes per Read and,
// if seekable, skips without reading (like io::RangeSource). Counts bytes.
class TestSource : public ByteSource {
 public:
  explicit TestSource(std::string data, size_t chunk = SIZE_MAX,
                      bool seekable = false)
      : data_(std::move(data)), chunk_(chunk), seekable_(seekable) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    size_t n = std::min({out.size(), data_.size() - pos_, chunk_});
    std::memcpy(out.data(), data_.data() + pos_, n);
    pos_ += n;
    bytes_read_ += static_cast<int64_t>(n);
    return n;
  }
  Result<int64_t> Skip(int64_t n) override {
    if (!seekable_) return ByteSource::Skip(n);
    int64_t k = std::min<int64_t>(n, static_cast<int64_t>(data_.size() - pos_));
    pos_ += static_cast<size_t>(k);
    bytes_skipped_ += k;
    return k;
  }
  int64_t bytes_read() const { return bytes_read_; }
  int64_t bytes_skipped() const { return bytes_skipped_; }

 private:
  std::string data_;
  size_t chunk_;
  bool seekable_;
  size_t pos_ = 0;
  int64_t bytes_read_ = 0;
  int64_t bytes_skipped_ = 0;
};

// Serves `data`, then fails with `error` once `fail_at` bytes were passed
// (by Read or Skip).
class FailingSource : public ByteSource {
 public:
  FailingSource(std::string data, size_t fail_at, Status error)
      : data_(std::move(data)), fail_at_(fail_at), error_(std::move(error)) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    if (pos_ >= fail_at_) return error_;
    size_t n = std::min({out.size(), data_.size() - pos_, fail_at_ - pos_});
    std::memcpy(out.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  Result<int64_t> Skip(int64_t n) override {
    if (pos_ + static_cast<size_t>(n) > fail_at_) return error_;
    pos_ += static_cast<size_t>(n);
    return n;
  }

 private:
  std::string data_;
  size_t fail_at_;
  size_t pos_ = 0;
  Status error_;
};

struct Listing {
  std::vector<Entry> entries;
  std::vector<std::string> data;  // read with ReadData when asked
  Status status;
};

Listing List(ByteSource& src, bool read_data, size_t read_chunk = 100000) {
  Listing l;
  Reader reader(src);
  Entry e;
  while (true) {
    Result<bool> more = reader.Next(&e);
    if (!more.ok()) {
      l.status = more.status();
      return l;
    }
    if (!*more) break;
    std::string content;
    if (read_data) {
      std::vector<uint8_t> buf(read_chunk);
      while (true) {
        Result<size_t> n = reader.ReadData(buf);
        if (!n.ok()) {
          l.status = n.status();
          return l;
        }
        if (*n == 0) break;
        content.append(reinterpret_cast<const char*>(buf.data()), *n);
      }
    }
    l.entries.push_back(e);
    l.data.push_back(content);
  }
  EXPECT_EQ(reader.entry_count(), static_cast<int64_t>(l.entries.size()));
  return l;
}

Listing List(const std::string& tar, bool read_data = true) {
  TestSource src(tar);
  return List(src, read_data);
}

// Every non-sparse entry's data lies at [data_offset, data_offset+size) of
// the raw stream.
void ExpectOffsetsMatch(const std::string& tar, const Listing& l) {
  for (size_t i = 0; i < l.entries.size(); ++i) {
    const Entry& e = l.entries[i];
    ASSERT_GE(e.data_offset, 0) << e.name;
    EXPECT_EQ(e.data_offset % 512, 0) << e.name;
    ASSERT_LE(e.data_offset + e.size, static_cast<int64_t>(tar.size()));
    EXPECT_EQ(tar.substr(e.data_offset, e.size), l.data[i]) << e.name;
  }
}

// Overwrites bytes of the header block at `header` and fixes its checksum.
void Patch(std::string& tar, size_t header, size_t field,
           std::string_view bytes) {
  tar.replace(header + field, bytes.size(), bytes);
  std::memset(tar.data() + header + 148, ' ', 8);
  unsigned sum = 0;
  for (size_t i = 0; i < 512; ++i)
    sum += static_cast<unsigned char>(tar[header + i]);
  char chk[8];
  std::snprintf(chk, sizeof(chk), "%06o", sum);
  tar.replace(header + 148, 7, chk, 7);  // six digits and a NUL
}

std::string Octal12(int64_t v) {
  char f[13];
  std::snprintf(f, sizeof(f), "%011llo", static_cast<unsigned long long>(v));
  return std::string(f, 12);
}

TEST(TarReaderTest, ReadsAllEntryTypes) {
  std::string tar = TarWriter()
                        .SetOwner(1000, 1001)
                        .SetMtime(1234567890)
                        .Dir("etc/", 0755)
                        .File("etc/passwd", "root:x:0:0\n", 04755)
                        .Symlink("etc/link", "passwd")
                        .Hardlink("etc/hard", "etc/passwd")
                        .CharDevice("dev/null", 1, 3)
                        .BlockDevice("dev/sda", 8, 0)
                        .Fifo("run/fifo")
                        .Finish();
  Listing l = List(tar);
  ASSERT_TRUE(l.status.ok()) << l.status.ToString();
  ASSERT_EQ(l.entries.size(), 7u);
  const auto& e = l.entries;
  EXPECT_EQ(e[0].name, "etc/");
  EXPECT_EQ(e[0].type, EntryType::kDirectory);
  EXPECT_EQ(e[0].mode, 0755u);
  EXPECT_EQ(e[1].name, "etc/passwd");
  EXPECT_EQ(e[1].type, EntryType::kRegular);
  EXPECT_EQ(e[1].mode, 04755u);
  EXPECT_EQ(e[1].size, 11);
  EXPECT_EQ(e[1].uid, 1000);
  EXPECT_EQ(e[1].gid, 1001);
  EXPECT_EQ(e[1].mtime, 1234567890);
  EXPECT_EQ(l.data[1], "root:x:0:0\n");
  EXPECT_EQ(e[1].data_offset, 1024);
  EXPECT_EQ(e[2].type, EntryType::kSymlink);
  EXPECT_EQ(e[2].link_target, "passwd");
  EXPECT_EQ(e[2].size, 0);
  EXPECT_EQ(e[3].type, EntryType::kHardlink);
  EXPECT_EQ(e[3].link_target, "etc/passwd");
  EXPECT_EQ(e[3].size, 0);
  EXPECT_EQ(e[4].type, EntryType::kCharDevice);
  EXPECT_EQ(e[4].dev_major, 1u);
  EXPECT_EQ(e[4].dev_minor, 3u);
  EXPECT_EQ(e[5].type, EntryType::kBlockDevice);
  EXPECT_EQ(e[5].dev_major, 8u);
  EXPECT_EQ(e[5].dev_minor, 0u);
  EXPECT_EQ(e[6].type, EntryType::kFifo);
  ExpectOffsetsMatch(tar, l);
  EXPECT_EQ(EntryTypeName(e[4].type), "char device");
}

TEST(TarReaderTest, ReadsPaxLongNames) {
  std::string long_name = std::string(150, 'd') + "/" + std::string(150, 'f');
  std::string long_target = "/" + std::string(200, 't');
  std::string tar = TarWriter()
                        .File("short", "abc")
                        .File(long_name, "long file data")
                        .Symlink(long_name + ".lnk", long_target)
                        .Hardlink("h", long_name)
                        .File("after", std::string(700, 'x'))
                        .Finish();
  Listing l = List(tar);
  ASSERT_TRUE(l.status.ok()) << l.status.ToString();
  ASSERT_EQ(l.entries.size(), 5u);
  EXPECT_EQ(l.entries[1].name, long_name);
  EXPECT_EQ(l.data[1], "long file data");
  EXPECT_EQ(l.entries[2].name, long_name + ".lnk");
  EXPECT_EQ(l.entries[2].type, EntryType::kSymlink);
  EXPECT_EQ(l.entries[2].link_target, long_target);
  EXPECT_EQ(l.entries[3].type, EntryType::kHardlink);
  EXPECT_EQ(l.entries[3].link_target, long_name);
  EXPECT_EQ(l.data[4], std::string(700, 'x'));
  ExpectOffsetsMatch(tar, l);
}

TEST(TarReaderTest, ReadsGnuLongNames) {
  std::string long_name = std::string(120, 'n') + "/file";
  std::string long_target = std::string(300, 'l');
  std::string tar = TarWriter()
                        .UseGnuLongNames(true)
                        .File(long_name, "gnu data")
                        .Symlink("s", long_target)
                        .Hardlink(long_name + "2", long_name)
                        .File("x", "y")
                        .Finish();
  Listing l = List(tar);
  ASSERT_TRUE(l.status.ok()) << l.status.ToString();
  ASSERT_EQ(l.entries.size(), 4u);
  EXPECT_EQ(l.entries[0].name, long_name);
  EXPECT_EQ(l.data[0], "gnu data");
  EXPECT_EQ(l.entries[1].type, EntryType::kSymlink);
  EXPECT_EQ(l.entries[1].link_target, long_target);
  EXPECT_EQ(l.entries[2].name, long_name + "2");
  EXPECT_EQ(l.entries[2].type, EntryType::kHardlink);
  EXPECT_EQ(l.entries[2].link_target, long_name);
  ExpectOffsetsMatch(tar, l);
}

std::string MixedArchive() {
  TarWriter w;
  w.File("empty", "");
  w.File("one", "1");
  w.File(std::string(130, 'p'), std::string(511, 'a'));  // PAX name
  w.File("block", std::string(512, 'b'));
  w.Dir("d/");
  w.File("big", std::string(600 * 1024, 'c'));  // > the stream buffer
  w.UseGnuLongNames(true);
  w.File(std::string(140, 'g'), std::string(513, 'e'));  // GNU name
  w.UseGnuLongNames(false);
  w.Symlink("s", "big");
  w.File("last", "the end");
  return w.Finish();
}

TEST(TarReaderTest, DataOffsetsAreExactWhenReading) {
  std::string tar = MixedArchive();
  for (size_t chunk : {size_t{7}, size_t{512}, size_t{100000}, SIZE_MAX}) {
    TestSource src(tar, chunk);
    Listing l = List(src, /*read_data=*/true, /*read_chunk=*/333);
    ASSERT_TRUE(l.status.ok()) << l.status.ToString();
    ASSERT_EQ(l.entries.size(), 9u);
    ExpectOffsetsMatch(tar, l);
  }
}

TEST(TarReaderTest, SkipsUnreadDataThroughTheSourceSkip) {
  std::string tar = MixedArchive();
  TestSource src(tar, SIZE_MAX, /*seekable=*/true);
  Listing l = List(src, /*read_data=*/false);
  ASSERT_TRUE(l.status.ok()) << l.status.ToString();
  ASSERT_EQ(l.entries.size(), 9u);
  EXPECT_EQ(l.entries[8].name, "last");
  // The 600 KiB file was skipped, not read.
  EXPECT_GE(src.bytes_skipped(), 300 * 1024);
  EXPECT_LT(src.bytes_read(), static_cast<int64_t>(tar.size()) - 300 * 1024);
  // Offsets found while skipping are the same as while reading.
  Listing read = List(tar);
  ASSERT_TRUE(read.status.ok());
  for (size_t i = 0; i < l.entries.size(); ++i) {
    EXPECT_EQ(l.entries[i].data_offset, read.entries[i].data_offset);
  }
  ExpectOffsetsMatch(tar, read);
}

TEST(TarReaderTest, ReturnsDuplicatesInOrder) {
  std::string tar = TarWriter().File("a", "first").File("a", "second").Finish();
  Listing l = List(tar);
  ASSERT_TRUE(l.status.ok());
  ASSERT_EQ(l.entries.size(), 2u);
  EXPECT_EQ(l.entries[0].name, "a");
  EXPECT_EQ(l.entries[1].name, "a");
  EXPECT_EQ(l.data[0], "first");
  EXPECT_EQ(l.data[1], "second");
}

TEST(TarReaderTest, ReturnsNamesRaw) {
  std::string tar = TarWriter()
                        .File("/etc/passwd", "")
                        .File("../x", "")
                        .File("./a//b/../c", "")
                        .Symlink("l", "../../../etc/shadow")
                        .Finish();
  Listing l = List(tar);
  ASSERT_TRUE(l.status.ok());
  ASSERT_EQ(l.entries.size(), 4u);
  EXPECT_EQ(l.entries[0].name, "/etc/passwd");
  EXPECT_EQ(l.entries[1].name, "../x");
  EXPECT_EQ(l.entries[2].name, "./a//b/../c");
  EXPECT_EQ(l.entries[3].link_target, "../../../etc/shadow");
}

TEST(TarReaderTest, ReadsDataInPiecesAndSkipsTheRest) {
  std::string tar = TarWriter()
                        .File("a", "0123456789")
                        .File("b", std::string(2000, 'b'))
                        .File("c", "c")
                        .Finish();
  TestSource src(tar);
  Reader r(src);
  Entry e;
  uint8_t buf[3];
  ASSERT_TRUE(*r.Next(&e));
  std::string got;
  while (true) {
    Result<size_t> n = r.ReadData(buf);
    ASSERT_TRUE(n.ok());
    if (*n == 0) break;
    EXPECT_LE(*n, 3u);
    got.append(reinterpret_cast<char*>(buf), *n);
  }
  EXPECT_EQ(got, "0123456789");
  EXPECT_EQ(*r.ReadData(buf), 0u);  // stays at the end
  ASSERT_TRUE(*r.Next(&e));
  EXPECT_EQ(e.name, "b");
  ASSERT_EQ(*r.ReadData(buf), 3u);  // then leave the rest unread
  ASSERT_TRUE(*r.Next(&e));
  EXPECT_EQ(e.name, "c");
  ASSERT_EQ(*r.ReadData(buf), 1u);
  EXPECT_EQ(buf[0], 'c');
  EXPECT_FALSE(*r.Next(&e));
  EXPECT_FALSE(*r.Next(&e));  // stays at the end
  EXPECT_EQ(*r.ReadData(buf), 0u);
  EXPECT_EQ(r.entry_count(), 3);
}

TEST(TarReaderTest, KeepsNonUtf8NamesByteExact) {
  std::string bad = "caf\xe9/\xff\xfe";
  std::string tar = TarWriter()
                        .File(bad, "ustar")
                        .File(bad + std::string(120, '\xff'), "pax")
                        .Symlink("s\xff", bad)
                        .UseGnuLongNames(true)
                        .File(std::string(120, '\xff') + bad, "gnu")
                        .Finish();
  auto check = [&] {
    Listing l = List(tar);
    ASSERT_TRUE(l.status.ok()) << l.status.ToString();
    ASSERT_EQ(l.entries.size(), 4u);
    EXPECT_EQ(l.entries[0].name, bad);
    EXPECT_EQ(l.entries[1].name, bad + std::string(120, '\xff'));
    EXPECT_EQ(l.entries[2].name, "s\xff");
    EXPECT_EQ(l.entries[2].link_target, bad);
    EXPECT_EQ(l.entries[3].name, std::string(120, '\xff') + bad);
  };
  check();
  // libarchive converts PAX names to the current locale: still raw in UTF-8.
  std::string old = std::setlocale(LC_ALL, nullptr);
  ASSERT_NE(std::setlocale(LC_ALL, "C.UTF-8"), nullptr);
  check();
  std::setlocale(LC_ALL, old.c_str());
}

TEST(TarReaderTest, KeepsValidUtf8PaxNames) {
  std::string name = "\xc3\xa9t\xc3\xa9/" + std::string(110, 'u');  // "été/"
  std::string tar = TarWriter().File(name, "x").Finish();
  std::string old = std::setlocale(LC_ALL, nullptr);
  for (const char* loc : {"C", "C.UTF-8"}) {
    ASSERT_NE(std::setlocale(LC_ALL, loc), nullptr);
    Listing l = List(tar);
    ASSERT_TRUE(l.status.ok()) << loc;
    ASSERT_EQ(l.entries.size(), 1u);
    EXPECT_EQ(l.entries[0].name, name) << loc;
  }
  std::setlocale(LC_ALL, old.c_str());
}

TEST(TarReaderTest, TreatsAnEmptyStreamAsAnEmptyArchive) {
  for (std::string tar : {std::string(), std::string(512, '\0'),
                          std::string(1024, '\0'), TarWriter().Finish()}) {
    Listing l = List(tar);
    EXPECT_TRUE(l.status.ok()) << tar.size() << " " << l.status.ToString();
    EXPECT_TRUE(l.entries.empty());
  }
}

TEST(TarReaderTest, RejectsNonTarInput) {
  for (std::string bad :
       {std::string("hello"), std::string(4096, 'x'), std::string(100, '\0'),
        std::string("\x1f\x8b\x08\x00") + std::string(1000, '\0')}) {
    Listing l = List(bad);
    EXPECT_EQ(l.status, DataLossError("not a tar stream")) << bad.size();
  }
}

TEST(TarReaderTest, ReportsTruncationAtEveryLength) {
  std::string tar = TarWriter()
                        .File("a", std::string(700, 'a'))
                        .File(std::string(120, 'p'), "pax")
                        .UseGnuLongNames(true)
                        .Symlink(std::string(110, 'g'), std::string(110, 't'))
                        .UseGnuLongNames(false)
                        .Dir("d")
                        .File("b", "b")
                        .Finish();
  // Only the second end block may go (libarchive accepts one zero block).
  ASSERT_TRUE(List(tar.substr(0, tar.size() - 512)).status.ok());
  for (size_t len = 1; len < tar.size() - 512; ++len) {
    std::string cut = tar.substr(0, len);
    Status want = len < 512 ? DataLossError("not a tar stream")
                            : DataLossError("truncated tar stream");
    for (bool read_data : {true, false}) {
      TestSource src(cut, len % 3 == 0 ? 61 : SIZE_MAX, /*seekable=*/len % 2);
      EXPECT_EQ(List(src, read_data).status, want)
          << "len " << len << " read_data " << read_data;
    }
  }
}

TEST(TarReaderTest, RejectsAStreamWithoutEndBlocks) {
  std::string tar = TarWriter().File("a", "a").bytes();
  EXPECT_EQ(List(tar).status, DataLossError("truncated tar stream"));
}

TEST(TarReaderTest, RejectsABadChecksum) {
  TarWriter w;
  w.File("a", "aaa").File("b", "bbb");
  std::string tar = w.Finish();
  std::string second = tar;
  second[1024 + 150] ^= 1;  // checksum field of the second header
  Listing l = List(second);
  EXPECT_EQ(l.status, DataLossError("corrupt tar stream: Damaged tar archive"));
  EXPECT_EQ(l.entries.size(), 1u);
  std::string name_flip = tar;
  name_flip[1024] ^= 0x20;  // a byte covered by the checksum
  EXPECT_EQ(List(name_flip).status,
            DataLossError("corrupt tar stream: Damaged tar archive"));
  std::string first = tar;
  first[150] ^= 1;
  EXPECT_EQ(List(first).status, DataLossError("not a tar stream"));
}

TEST(TarReaderTest, RejectsNegativeAndHugeSizes) {
  std::string tar = TarWriter().File("a", "a").File("b", "b").Finish();
  std::string negative = tar;
  // Base-256: 0xff then all ones is -1.
  Patch(negative, 1024, 124, std::string(12, '\xff'));
  EXPECT_EQ(List(negative).status,
            DataLossError("corrupt tar stream: Tar entry has negative size"));

  std::string overflow = tar;
  Patch(overflow, 1024, 124,
        "\x80\x00\x00\x00\x7f\xff\xff\xff\xff\xff\xff\xff");
  EXPECT_EQ(List(overflow).status,
            DataLossError("corrupt tar stream: Tar entry size overflow"));

  for (int64_t huge : {int64_t{077777777777}, int64_t{1} << 30}) {
    std::string big = tar;
    Patch(big, 1024, 124, Octal12(huge));
    for (bool read_data : {true, false}) {
      TestSource src(big, SIZE_MAX, /*seekable=*/true);
      Listing l = List(src, read_data);
      EXPECT_EQ(l.status, DataLossError("truncated tar stream"));
      ASSERT_EQ(l.entries.size(), read_data ? 1u : 2u);
    }
  }

  std::string pax = TarWriter()
                        .Raw("x", 'x', TarWriter::PaxRecord("size", "-5"))
                        .File("a", "a")
                        .Finish();
  EXPECT_EQ(
      List(pax).status,
      DataLossError("corrupt tar stream: Tar size attribute is negative"));
}

TEST(TarReaderTest, CapsNameAndLinkTargetLength) {
  std::string max_name(caps::kMaxPathLength, 'n');
  std::string tar =
      TarWriter()
          .File(max_name, "ok")
          .Symlink("l", std::string(caps::kMaxLinkTargetLength, 't'))
          .Finish();
  EXPECT_TRUE(List(tar).status.ok());
  for (bool gnu : {false, true}) {
    Listing l = List(TarWriter()
                         .UseGnuLongNames(gnu)
                         .File("first", "")
                         .File(max_name + "x", "too long")
                         .Finish());
    EXPECT_EQ(l.status,
              ResourceExhaustedError("tar entry name longer than 4096 bytes"));
    EXPECT_EQ(l.entries.size(), 1u);
    l = List(TarWriter()
                 .UseGnuLongNames(gnu)
                 .Hardlink("h", std::string(4097, 't'))
                 .Finish());
    EXPECT_EQ(l.status, ResourceExhaustedError(
                            "tar entry link target longer than 4096 bytes"));
  }
}

TEST(TarReaderTest, CapsExtendedHeaderSize) {
  std::string ok_pax(caps::kMaxPaxHeaderBytes, 'c');
  std::string ok =
      TarWriter()
          .Raw("x", 'x', TarWriter::PaxRecord("comment", ok_pax.substr(20)))
          .File("a", "a")
          .Finish();
  EXPECT_TRUE(List(ok).status.ok()) << List(ok).status.ToString();
  for (char type : {'x', 'L'}) {
    std::string tar =
        TarWriter()
            .Raw("x", type, std::string(caps::kMaxPaxHeaderBytes + 1, 'x'))
            .File("a", "a")
            .Finish();
    EXPECT_EQ(List(tar).status,
              ResourceExhaustedError(
                  "tar extended header larger than 1048576 bytes"));
  }
}

TEST(TarReaderTest, PassesSourceErrorsThrough) {
  std::string tar = TarWriter()
                        .File("a", std::string(3000, 'a'))
                        .File(std::string(200, 'p'), std::string(300000, 'b'))
                        .File("c", "c")
                        .Finish();
  Status upstream = DataLossError("blob sha256:1234: digest mismatch");
  Status budget = ResourceExhaustedError("image expands to more than 1 byte");
  for (size_t fail_at :
       {size_t{0}, size_t{100}, size_t{600}, size_t{2000}, size_t{4000},
        size_t{4700}, size_t{5000}, size_t{100000}, tar.size() - 10}) {
    for (bool read_data : {true, false}) {
      for (const Status& err : {upstream, budget}) {
        FailingSource src(tar, fail_at, err);
        EXPECT_EQ(List(src, read_data).status, err)
            << fail_at << " " << read_data;
      }
    }
  }
}

TEST(TarReaderTest, StaysFailedAfterAnError) {
  std::string tar = TarWriter().File("a", "a").File("b", "b").bytes();
  tar[1024 + 150] ^= 1;
  TestSource src(tar);
  Reader r(src);
  Entry e;
  ASSERT_TRUE(*r.Next(&e));
  Status want = DataLossError("corrupt tar stream: Damaged tar archive");
  EXPECT_EQ(r.Next(&e).status(), want);
  EXPECT_EQ(r.Next(&e).status(), want);
  uint8_t b[4];
  EXPECT_EQ(r.ReadData(b).status(), want);
  EXPECT_EQ(r.entry_count(), 1);
}

// Old GNU sparse ('S'): the map lives in the header.
TEST(TarReaderTest, ReadsOldGnuSparseFiles) {
  std::string tar = TarWriter()
                        .UseGnuLongNames(true)
                        .Raw("sparse", 'S', "helloworld")
                        .File("after", "after")
                        .Finish();
  Patch(tar, 0, 386, Octal12(0) + Octal12(5) + Octal12(1000) + Octal12(5));
  Patch(tar, 0, 483, Octal12(2000));
  for (bool read_data : {true, false}) {
    Listing l = List(tar, read_data);
    ASSERT_TRUE(l.status.ok()) << l.status.ToString();
    ASSERT_EQ(l.entries.size(), 2u);
    EXPECT_EQ(l.entries[0].name, "sparse");
    EXPECT_EQ(l.entries[0].type, EntryType::kRegular);
    EXPECT_EQ(l.entries[0].size, 2000);
    EXPECT_EQ(l.entries[0].data_offset, -1);
    if (read_data) {
      EXPECT_EQ(l.data[0], "hello" + std::string(995, '\0') + "world" +
                               std::string(995, '\0'));
    }
    EXPECT_EQ(l.entries[1].data_offset, 1536);
  }
}

// PAX sparse 1.0: the map is at the start of the data.
TEST(TarReaderTest, ReadsPaxSparseFiles) {
  std::string records = TarWriter::PaxRecord("GNU.sparse.major", "1") +
                        TarWriter::PaxRecord("GNU.sparse.minor", "0") +
                        TarWriter::PaxRecord("GNU.sparse.name", "sparse") +
                        TarWriter::PaxRecord("GNU.sparse.realsize", "2000");
  std::string map = "2\n0\n5\n1000\n5\n";
  map.resize(512, '\0');
  std::string tar = TarWriter()
                        .Raw("PaxHeaders/sparse", 'x', records)
                        .File("GNUSparseFile.0/sparse", map + "helloworld")
                        .File("after", "after")
                        .Finish();
  Listing l = List(tar);
  ASSERT_TRUE(l.status.ok()) << l.status.ToString();
  ASSERT_EQ(l.entries.size(), 2u);
  EXPECT_EQ(l.entries[0].name, "sparse");
  EXPECT_EQ(l.entries[0].size, 2000);
  EXPECT_EQ(l.entries[0].data_offset, -1);
  EXPECT_EQ(l.data[0], "hello" + std::string(995, '\0') + "world" +
                           std::string(995, '\0'));
  EXPECT_EQ(l.data[1], "after");
  ExpectOffsetsMatch(tar, Listing{{l.entries[1]}, {l.data[1]}, {}});
}

// A realsize key on a non-sparse entry makes libarchive report a size that
// is not the stored size; the reader refuses it rather than hand out a wrong
// data_offset/size pair.
// When skipping, only a difference that changes the block count shows.
TEST(TarReaderTest, RejectsASizeThatDoesNotMatchTheData) {
  for (auto [realsize, read_data] :
       {std::pair{"1000", true}, {"1000", false}, {"2", true}}) {
    std::string tar =
        TarWriter()
            .Raw("x", 'x', TarWriter::PaxRecord("SCHILY.realsize", realsize))
            .File("a", "hello")
            .File("b", "b")
            .Finish();
    Listing l = List(tar, read_data);
    EXPECT_EQ(l.status, DataLossError("corrupt tar stream: entry data does "
                                      "not match its size"))
        << realsize << " " << read_data;
  }
}

TEST(TarReaderTest, RejectsANegativeRealsize) {
  std::string tar =
      TarWriter()
          .Raw("x", 'x', TarWriter::PaxRecord("SCHILY.realsize", "-5"))
          .File("a", "hello")
          .Finish();
  EXPECT_EQ(List(tar).status,
            DataLossError("corrupt tar stream: negative entry size"));
}

// libarchive reads a regular entry named "x/" as a directory and ignores its
// data (which it would then parse as headers): refused when there is data.
TEST(TarReaderTest, ReadsRegularEntriesWithASlashAsDirectories) {
  Listing l = List(TarWriter().Raw("d/", '0', "").File("f", "f").Finish());
  ASSERT_TRUE(l.status.ok()) << l.status.ToString();
  ASSERT_EQ(l.entries.size(), 2u);
  EXPECT_EQ(l.entries[0].type, EntryType::kDirectory);
  for (bool read_data : {true, false}) {
    l = List(TarWriter().Raw("d/", '0', "data").File("f", "f").Finish(),
             read_data);
    EXPECT_EQ(l.status,
              DataLossError("corrupt tar stream: directory entry \"d/\" "
                            "carries 4 data bytes (tar readers disagree on "
                            "such entries)"));
  }
}

// PAX allows hardlinks to carry data; libarchive returns it.
// libarchive reads data after a hardlink header once the archive has used
// PAX; Go's archive/tar (Docker, containerd) never does and parses those
// bytes as further entries. The readers would see different files, so such
// an archive is refused rather than read one way.
TEST(TarReaderTest, RefusesPaxHardlinkData) {
  std::string tar = TarWriter()
                        .Raw("x", 'x', TarWriter::PaxRecord("comment", "pax"))
                        .File("a", "data")
                        .Raw("h", '1', "link data", "a")
                        .Finish();
  Listing l = List(tar);
  EXPECT_EQ(l.status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(l.status.message(),
            "corrupt tar stream: hardlink entry \"h\" carries 9 data bytes "
            "(tar readers disagree on such entries)");
}

// In a plain ustar archive a hardlink's size field is ignored, as tar
// readers traditionally do.
TEST(TarReaderTest, IgnoresUstarHardlinkSize) {
  std::string tar = TarWriter().File("a", "data").Hardlink("h", "a").Finish();
  Patch(tar, 1024, 124, Octal12(5));
  Listing l = List(tar);
  ASSERT_TRUE(l.status.ok()) << l.status.ToString();
  ASSERT_EQ(l.entries.size(), 2u);
  EXPECT_EQ(l.entries[1].type, EntryType::kHardlink);
  EXPECT_EQ(l.entries[1].size, 0);
}

// Archives from the real tool, sparse files included, in GNU tar's formats
// (ustar cannot hold the long names).
TEST(TarReaderTest, ReadsArchivesWrittenByGnuTar) {
  if (std::system("tar --version >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "GNU tar not installed";
  }
  std::string dir =
      ::testing::TempDir() + "tar_reader_test_" + std::to_string(getpid());
  std::string src = dir + "/src";
  ASSERT_EQ(std::system(("rm -rf " + dir + " && mkdir -p " + src).c_str()), 0);
  std::string long_name = std::string(150, 'n');
  std::map<std::string, std::string> files = {
      {"a", "hello"}, {long_name, "long"}, {"sparse", ""}};
  for (const auto& [name, data] : files) {
    std::ofstream(src + "/" + name) << data;
  }
  // 3 MB with two bytes of data: a hole, "X", a hole, "end".
  std::string sparse(3'000'003, '\0');
  sparse[1'500'000] = 'X';
  sparse.replace(3'000'000, 3, "end");
  {
    std::fstream f(src + "/sparse", std::ios::in | std::ios::out);
    f.seekp(1'500'000);
    f << 'X';
    f.seekp(3'000'000);
    f << "end";
  }
  files["sparse"] = sparse;
  struct stat st;
  ASSERT_EQ(stat((src + "/sparse").c_str(), &st), 0);
  bool has_holes = st.st_blocks * 512 < st.st_size;  // not on every fs
  ASSERT_EQ(symlink(long_name.c_str(), (src + "/lnk").c_str()), 0);
  for (std::string format :
       {"gnu", "oldgnu", "posix --sparse-version=0.0",
        "posix --sparse-version=0.1", "posix --sparse-version=1.0"}) {
    std::string out = dir + "/out.tar";
    std::string cmd =
        "tar " + std::string(format == "ustar" ? "" : "--sparse ") +
        "--format=" + format + " -cf " + out + " -C " + src + " a sparse lnk" +
        (format == "ustar" ? "" : " " + long_name);
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::ifstream in(out, std::ios::binary);
    std::string tar((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
    Listing l = List(tar);
    ASSERT_TRUE(l.status.ok()) << format << ": " << l.status.ToString();
    ASSERT_EQ(l.entries.size(), 4u) << format;
    for (size_t i = 0; i < l.entries.size(); ++i) {
      const Entry& e = l.entries[i];
      if (e.name == "lnk") {
        EXPECT_EQ(e.type, EntryType::kSymlink);
        EXPECT_EQ(e.link_target, long_name) << format;
        continue;
      }
      EXPECT_EQ(e.type, EntryType::kRegular) << format << " " << e.name;
      EXPECT_EQ(l.data[i], files[e.name]) << format << " " << e.name;
      EXPECT_EQ(e.size, static_cast<int64_t>(files[e.name].size()));
      if (e.name == "sparse" && has_holes) {
        EXPECT_EQ(e.data_offset, -1) << format;
      } else if (e.data_offset >= 0) {
        EXPECT_EQ(tar.substr(e.data_offset, e.size), l.data[i]) << format;
      } else {
        EXPECT_EQ(e.name, "sparse") << format;
      }
    }
  }
  ASSERT_EQ(std::system(("rm -rf " + dir).c_str()), 0);
}

// libarchive reads unknown typeflags as regular files, as POSIX says.
TEST(TarReaderTest, ReadsUnknownTypeflagsAsRegularFiles) {
  std::string tar = TarWriter()
                        .Raw("contiguous", '7', "seven")
                        .Raw("unknown", 'Z', "zed")
                        .Raw("old", '\0', "nul")
                        .Finish();
  Listing l = List(tar);
  ASSERT_TRUE(l.status.ok()) << l.status.ToString();
  ASSERT_EQ(l.entries.size(), 3u);
  for (const Entry& e : l.entries) {
    EXPECT_EQ(e.type, EntryType::kRegular) << e.name;
  }
  EXPECT_EQ(l.data[1], "zed");
  ExpectOffsetsMatch(tar, l);
}

TEST(TarReaderTest, ReadsHardlinksWithoutTargetAsOther) {
  std::string tar = TarWriter()
                        .Hardlink("h1", "")
                        .Symlink("s", "x")
                        .Hardlink("h2", "")
                        .Finish();
  Listing l = List(tar);
  ASSERT_TRUE(l.status.ok()) << l.status.ToString();
  ASSERT_EQ(l.entries.size(), 3u);
  EXPECT_EQ(l.entries[0].type, EntryType::kOther);
  EXPECT_EQ(l.entries[2].type, EntryType::kOther);
  EXPECT_EQ(l.entries[2].link_target, "");
}

TEST(TarReaderTest, CountsEntries) {
  std::string tar = TarWriter().Dir("a").File("a/b", "b").Finish();
  TestSource src(tar);
  Reader r(src);
  Entry e;
  EXPECT_EQ(r.entry_count(), 0);
  ASSERT_TRUE(*r.Next(&e));
  EXPECT_EQ(r.entry_count(), 1);
  ASSERT_TRUE(*r.Next(&e));
  EXPECT_EQ(r.entry_count(), 2);
  ASSERT_FALSE(*r.Next(&e));
  EXPECT_EQ(r.entry_count(), 2);
}

}  // namespace
}  // namespace strata::tar
