#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rpmdb/rpmdb.h"
#include "rpmdb/test_builders.h"

namespace strata::rpmdb {
namespace {

using ::testing::ElementsAre;
using namespace std::string_literals;
using testing::HeaderBuilder;
using testing::PutBe32;

Status ParseError(const std::string& blob) {
  Result<Package> r = ParseHeaderBlob(blob);
  EXPECT_FALSE(r.ok());
  return r.status();
}

TEST(ParseHeaderBlobTest, ExtractsEveryField) {
  std::string blob = HeaderBuilder::Package("bash")
                         .Int32(1003, {2})
                         .String(1004, "The GNU Bourne Again shell", 9)
                         .Int32(1009, {12345})
                         .String(1011, "Fedora Project")
                         .String(1014, "GPLv3+")
                         .String(1044, "bash-5.1-1.src.rpm")
                         .StringArray(1047, {"bash", "/bin/sh"})
                         .StringArray(1049, {"libc.so.6", "rtld(GNU_HASH)"})
                         .Int32(1116, {0, 1, 0})
                         .StringArray(1117, {"bash", "bashbug", "sh"})
                         .StringArray(1118, {"/usr/bin/", "/usr/share/"})
                         .Bin(261, std::string("\x01\xab\xff", 3))
                         .String(5096, "perl:5.30:8030020200102133000:466e6b64")
                         .Build();
  Result<Package> p = ParseHeaderBlob(blob);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->name, "bash");
  EXPECT_EQ(p->version, "1.0");
  EXPECT_EQ(p->release, "1");
  EXPECT_EQ(p->arch, "x86_64");
  EXPECT_EQ(p->epoch, 2);
  EXPECT_EQ(p->summary, "The GNU Bourne Again shell");
  EXPECT_EQ(p->size, 12345);
  EXPECT_EQ(p->vendor, "Fedora Project");
  EXPECT_EQ(p->license, "GPLv3+");
  EXPECT_EQ(p->source_rpm, "bash-5.1-1.src.rpm");
  EXPECT_EQ(p->sigmd5, "01abff");
  EXPECT_EQ(p->modularity_label, "perl:5.30:8030020200102133000:466e6b64");
  EXPECT_THAT(p->files, ElementsAre("/usr/bin/bash", "/usr/share/bashbug",
                                    "/usr/bin/sh"));
  EXPECT_THAT(p->provides_names, ElementsAre("bash", "/bin/sh"));
  EXPECT_THAT(p->requires_names, ElementsAre("libc.so.6", "rtld(GNU_HASH)"));
}

TEST(ParseHeaderBlobTest, TellsAbsentEpochFromZero) {
  Result<Package> absent = ParseHeaderBlob(HeaderBuilder::Package("a").Build());
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->epoch.has_value());
  Result<Package> zero =
      ParseHeaderBlob(HeaderBuilder::Package("a").Int32(1003, {0}).Build());
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->epoch, 0);
}

TEST(ParseHeaderBlobTest, ReadsLegacyOldFilenames) {
  Result<Package> p =
      ParseHeaderBlob(HeaderBuilder::Package("a")
                          .StringArray(1027, {"/etc/a", "/bin/a"})
                          .Build());
  ASSERT_TRUE(p.ok());
  EXPECT_THAT(p->files, ElementsAre("/etc/a", "/bin/a"));
}

TEST(ParseHeaderBlobTest, PrefersLongSize) {
  Result<Package> p = ParseHeaderBlob(HeaderBuilder::Package("a")
                                          .Int32(1009, {1})
                                          .Int64(5009, 5'000'000'000)
                                          .Build());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->size, 5'000'000'000);
}

TEST(ParseHeaderBlobTest, AcceptsHeaderWithoutRegion) {
  Result<Package> p =
      ParseHeaderBlob(HeaderBuilder::Package("a").NoRegion().Build());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->name, "a");
}

TEST(ParseHeaderBlobTest, RejectsDirIndexOutOfRange) {
  std::string blob = HeaderBuilder::Package("a")
                         .Int32(1116, {0, 2})
                         .StringArray(1117, {"x", "y"})
                         .StringArray(1118, {"/", "/usr/"})
                         .Build();
  EXPECT_EQ(ParseError(blob),
            DataLossError("tag 1116: index 2 out of range (2 dirnames)"));
}

TEST(ParseHeaderBlobTest, RejectsDirIndexCountMismatch) {
  std::string blob = HeaderBuilder::Package("a")
                         .Int32(1116, {0})
                         .StringArray(1117, {"x", "y"})
                         .StringArray(1118, {"/"})
                         .Build();
  EXPECT_EQ(ParseError(blob),
            DataLossError("tag 1116: 1 entries for 2 basenames"));
}

TEST(ParseHeaderBlobTest, RejectsTooManyTags) {
  std::string blob = HeaderBuilder::Package("a").Build();
  PutBe32(blob, 0, 0x10000);
  EXPECT_EQ(
      ParseError(blob),
      ResourceExhaustedError("header index count 65536 exceeds cap 65535"));
}

TEST(ParseHeaderBlobTest, RejectsTooMuchData) {
  std::string blob = HeaderBuilder::Package("a").Build();
  PutBe32(blob, 4, 0x7fffffff);
  EXPECT_EQ(ParseError(blob),
            ResourceExhaustedError(
                "header data length 2147483647 exceeds cap 67108864"));
}

TEST(ParseHeaderBlobTest, RejectsSizeMismatch) {
  std::string blob = HeaderBuilder::Package("a").NoRegion().Build();
  EXPECT_EQ(
      ParseError(blob + "x"),
      DataLossError("header blob is 88 bytes, want 8 + 16 * 4 + 15 = 87"));
  EXPECT_EQ(ParseError(blob.substr(0, 5)),
            DataLossError(
                "header blob of 5 bytes is shorter than its 8-byte preamble"));
  EXPECT_EQ(ParseError(std::string(8, '\0')),
            DataLossError("header has no tags"));
}

TEST(ParseHeaderBlobTest, RejectsOffsetOutOfRange) {
  std::string blob =
      HeaderBuilder().NoRegion().Raw(1000, 6, 100, 1).RawData("a").Build();
  EXPECT_EQ(
      ParseError(blob),
      DataLossError("tag 1000: offset 100 out of range (data is 1 bytes)"));
  blob = HeaderBuilder()
             .NoRegion()
             .Raw(1000, 6, 0xffffffff, 1)
             .RawData("a")
             .Build();
  EXPECT_EQ(
      ParseError(blob),
      DataLossError("tag 1000: offset -1 out of range (data is 1 bytes)"));
}

TEST(ParseHeaderBlobTest, RejectsUnterminatedString) {
  std::string blob =
      HeaderBuilder().NoRegion().Raw(1000, 6, 0, 1).RawData("bash").Build();
  EXPECT_EQ(
      ParseError(blob),
      DataLossError("tag 1000: string at offset 0 is not NUL-terminated"));
  blob =
      HeaderBuilder().NoRegion().Raw(1117, 8, 0, 3).RawData("a\0b\0c"s).Build();
  EXPECT_EQ(
      ParseError(blob),
      DataLossError("tag 1117: string at offset 4 is not NUL-terminated"));
}

TEST(ParseHeaderBlobTest, RejectsHugeCounts) {
  std::string blob = HeaderBuilder()
                         .NoRegion()
                         .Raw(1117, 8, 0, 0x7fffffff)
                         .RawData("a\0"s)
                         .Build();
  EXPECT_EQ(
      ParseError(blob),
      DataLossError("tag 1117: 2147483647 strings do not fit in the data"));
  blob = HeaderBuilder()
             .NoRegion()
             .Raw(1116, 4, 0, 0x40000001)
             .RawData("abcd")
             .Build();
  EXPECT_EQ(ParseError(blob),
            DataLossError("tag 1116: value of 4294967300 bytes at offset 0 "
                          "overruns the data (4 bytes)"));
  blob =
      HeaderBuilder().NoRegion().Raw(1000, 6, 0, 2).RawData("a\0b\0"s).Build();
  EXPECT_EQ(ParseError(blob),
            DataLossError("tag 1000: string with count 2, want 1"));
  blob = HeaderBuilder().NoRegion().Raw(1116, 4, 0, 0).RawData("abcd").Build();
  EXPECT_EQ(ParseError(blob), DataLossError("tag 1116: count 0"));
}

TEST(ParseHeaderBlobTest, RejectsBadTypesAndAlignment) {
  std::string blob =
      HeaderBuilder().NoRegion().Raw(1000, 10, 0, 1).RawData("a\0"s).Build();
  EXPECT_EQ(ParseError(blob), DataLossError("tag 1000: bad type 10"));
  blob = HeaderBuilder().NoRegion().Raw(1000, 0, 0, 1).RawData("a\0"s).Build();
  EXPECT_EQ(ParseError(blob), DataLossError("tag 1000: bad type 0"));
  blob =
      HeaderBuilder().NoRegion().Raw(1003, 4, 2, 1).RawData("abcdefgh").Build();
  EXPECT_EQ(ParseError(blob),
            DataLossError("tag 1003: offset 2 is not aligned to 4"));
  // A NAME stored as an INT32 array: well-formed, but not a name.
  blob = HeaderBuilder().NoRegion().Int32(1000, {7}).Build();
  EXPECT_EQ(ParseError(blob), DataLossError("tag 1000: unexpected type 4"));
}

TEST(ParseHeaderBlobTest, RejectsOverlappingData) {
  std::string blob = HeaderBuilder()
                         .NoRegion()
                         .Raw(1000, 6, 0, 1)
                         .Raw(1001, 6, 1, 1)
                         .RawData("ab\0"s)
                         .Build();
  EXPECT_EQ(ParseError(blob),
            DataLossError("tag 1001: data overlaps the previous tag's"));
}

TEST(ParseHeaderBlobTest, ValidatesRegion) {
  std::string good = HeaderBuilder::Package("a").Build();
  // The region tag's type, then the trailer's offset (-il * 16).
  std::string blob = good;
  PutBe32(blob, 8 + 4, 4);
  EXPECT_EQ(ParseError(blob),
            DataLossError("tag 63: region tag with type 4 count 16"));
  blob = good;
  PutBe32(blob, 8 + 8, 1000);
  EXPECT_EQ(ParseError(blob),
            DataLossError("tag 63: region trailer offset 1000 out of range"));
  blob = good;
  PutBe32(blob, blob.size() - 8, static_cast<uint32_t>(-16 * 6));
  EXPECT_EQ(ParseError(blob), DataLossError("tag 63: bad region trailer"));
}

TEST(ParseHeaderBlobTest, RequiresNameVersionRelease) {
  EXPECT_EQ(ParseError(HeaderBuilder().String(1001, "1").Build()),
            DataLossError("header has no name"));
  EXPECT_EQ(ParseError(HeaderBuilder().String(1000, "a").Build()),
            DataLossError("header has no version"));
}

TEST(ParseHeaderBlobTest, CapsPathLength) {
  std::string blob = HeaderBuilder::Package("a")
                         .Int32(1116, {0})
                         .StringArray(1117, {std::string(4000, 'b')})
                         .StringArray(1118, {std::string(200, 'd')})
                         .Build();
  EXPECT_EQ(ParseError(blob),
            DataLossError("file path of 4200 bytes exceeds cap 4096"));
}

}  // namespace
}  // namespace strata::rpmdb
