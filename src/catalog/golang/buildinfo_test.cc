#include "catalog/golang/buildinfo.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>

#include "catalog/golang/test_binaries.h"
#include "elf/builder.h"
#include "testing/test_util.h"

namespace strata::catalog::golang {
namespace {

using namespace testbin;  // NOLINT(build/namespaces): test helpers

std::string Read(const std::string& bytes) {
  auto r = ReadBuildInfo(bytes);
  if (!r.ok()) return "error: " + r.status().ToString();
  return r->has_value() ? **r : "nullopt";
}

TEST(ReadBuildInfoTest, InlineFormat) {
  EXPECT_EQ(Read(GoElf(InlineBlob("go1.23.1", Framed(kModinfo)))),
            "go\tgo1.23.1\n" + kModinfo);
  // The same in a big-endian ELF32 file (the blob format does not change).
  EXPECT_EQ(Read(GoElf(InlineBlob("go1.23.1", Framed(kModinfo)),
                       {.is_64 = false, .big_endian = true})),
            "go\tgo1.23.1\n" + kModinfo);
}

TEST(ReadBuildInfoTest, PointerFormat) {
  EXPECT_EQ(Read(PointerElf({}, "go1.16.15", Framed(kModinfo))),
            "go\tgo1.16.15\n" + kModinfo);
  EXPECT_EQ(Read(PointerElf({.is_64 = false, .big_endian = true}, "go1.13",
                            Framed(kModinfo))),
            "go\tgo1.13\n" + kModinfo);
}

TEST(ReadBuildInfoTest, OutsideModuleModeHasNoModinfo) {
  // Sentinels missing: no module information, only the version.
  EXPECT_EQ(Read(GoElf(InlineBlob("go1.19.8", "path\tx\n"))), "go\tgo1.19.8\n");
  // A GOPATH build (Debian's skopeo): path and settings, no modules.
  const std::string gopath =
      "path\tgithub.com/containers/skopeo/cmd/skopeo\nbuild\t-compiler=gc\n";
  EXPECT_EQ(Read(GoElf(InlineBlob("go1.19.8", Framed(gopath)))),
            "go\tgo1.19.8\n" + gopath);
}

TEST(ReadBuildInfoTest, WithoutSectionHeadersScansTheDataSegment) {
  // The header is found at the first 16-byte aligned offset; a misaligned
  // copy of the magic before it is skipped.
  const std::string segment = std::string(8, 'x') + kMagic +
                              std::string(10, 'y') +
                              InlineBlob("go1.22.5", Framed(kModinfo));
  ASSERT_EQ((8 + kMagic.size() + 10) % 16, 0u);
  const std::string bytes =
      BuildElf({.section_headers = false},
               {{.name = ".text",
                 .data = "\x90\xc3",
                 .addr = 0x401000,
                 .segment_flags = elf::kPfR | elf::kPfX},
                {.name = ".data", .data = segment, .addr = 0x600000}});
  EXPECT_EQ(Read(bytes), "go\tgo1.22.5\n" + kModinfo);
}

TEST(ReadBuildInfoTest, NonGoFilesAreNotGo) {
  EXPECT_EQ(Read(BuildElf({}, {{.name = ".data", .data = "abc"}})), "nullopt");
  // The magic outside .go.buildinfo does not count when sections exist.
  EXPECT_EQ(Read(BuildElf({}, {{.name = ".data",
                                .data = InlineBlob("go1.22.5", ""),
                                .addr = 0x600000}})),
            "nullopt");
  EXPECT_EQ(
      Read(BuildElf({.section_headers = false},
                    {{.name = ".data", .data = "abc", .addr = 0x600000}})),
      "nullopt");
  EXPECT_EQ(Read("not an elf file"), "nullopt");
  EXPECT_EQ(Read(GoElf(InlineBlob("go1.23.1", "")).substr(0, 40)), "nullopt");
}

TEST(ReadBuildInfoTest, CorruptBlobs) {
  EXPECT_EQ(Read(GoElf("\xff Go buildinf?" + std::string(40, '\0'))),
            "error: go build info: no build info header in .go.buildinfo");
  const std::string header = kMagic + "\x08\x02" + std::string(16, '\0');
  EXPECT_EQ(Read(GoElf(header + std::string(11, '\xff'))),
            "error: go build info: bad varint");
  EXPECT_EQ(Read(GoElf(header + std::string(9, '\xff') + '\x02')),
            "error: go build info: bad varint");
  EXPECT_EQ(Read(GoElf(header + "\x80")), "error: go build info: bad varint");
  EXPECT_EQ(Read(GoElf(header + Uvarint(1000) + "go1.2")),
            "error: go build info: string of 1000 bytes out of bounds");
  EXPECT_EQ(Read(GoElf(header + Uvarint(5000))),
            "error: go build info: go version of 5000 bytes exceeds the cap "
            "of 1024");
  EXPECT_EQ(Read(GoElf(header + Uvarint(5) + "go1.2" + "\xff\xff\xff\xff\x0f")),
            "error: go build info: modinfo of 4294967295 bytes exceeds the "
            "cap of 1048576");
  EXPECT_EQ(Read(GoElf(InlineBlob("", Framed(kModinfo)))),
            "error: go build info: empty go version");
  EXPECT_EQ(Read(GoElf(InlineBlob("go1\npath\tx", Framed(kModinfo)))),
            "error: go build info: bad go version");

  std::string bad_size = kMagic + "\x03" + std::string(17, '\0');
  EXPECT_EQ(Read(GoElf(bad_size)), "error: go build info: bad pointer size 3");
}

TEST(ReadBuildInfoTest, BadPointers) {
  // A pointer to nowhere.
  std::string blob =
      kMagic + "\x08" + '\0' + Int(0x50000, 8, false) + Int(0x50010, 8, false);
  EXPECT_EQ(Read(GoElf(blob)),
            "error: go build info: elf: address 0x50000 not mapped");
  // A string header that points at itself with a huge length.
  blob =
      kMagic + "\x08" + '\0' + Int(0x10010, 8, false) + Int(0x10010, 8, false);
  std::string loop = blob.substr(0, 16) + Int(0x10010, 8, false) +
                     Int(0xffffffffffffffff, 8, false);
  EXPECT_EQ(Read(GoElf(loop)),
            "error: go build info: go version of 18446744073709551615 bytes "
            "exceeds the cap of 1024");
  // ... or with a length that leaves the segment.
  loop = blob.substr(0, 16) + Int(0x10010, 8, false) + Int(100, 8, false);
  EXPECT_EQ(Read(GoElf(loop)),
            "error: go build info: elf: 100 bytes at 0x10010 out of bounds");
}

TEST(ReadBuildInfoTest, SectionOutOfBounds) {
  std::string bytes = GoElf(InlineBlob("go1.23.1", Framed(kModinfo)));
  // .go.buildinfo is section 2; its sh_offset in the ELF64 table.
  const uint64_t shoff = elf::Load64(bytes.data() + 40, false);
  for (int i = 0; i < 8; ++i) bytes[shoff + 2 * 64 + 24 + i] = '\x7f';
  EXPECT_EQ(Read(bytes),
            "error: go build info: elf: section .go.buildinfo out of bounds");
}

TEST(ReadBuildInfoTest, EveryTruncationAndByteFlipIsHandled) {
  for (const std::string& good :
       {GoElf(InlineBlob("go1.23.1", Framed(kModinfo))),
        PointerElf({.is_64 = false, .big_endian = true}, "go1.13",
                   Framed(kModinfo))}) {
    ASSERT_NE(Read(good).find("go\tgo1."), std::string::npos);
    for (size_t n = 0; n < good.size(); ++n) {
      ReadBuildInfo(good.substr(0, n)).status().IgnoreError();
    }
    for (size_t i = 0; i < good.size(); ++i) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ 0xff);
      auto r = ReadBuildInfo(bad);
      if (r.ok() && r->has_value()) {
        EXPECT_TRUE((*r)->starts_with("go\t")) << i;
      }
    }
  }
}

TEST(ReadBuildInfoTest, ItsOwnTestBinaryIsNotGo) {
  std::array<char, 4096> self{};
  ssize_t n = ::readlink("/proc/self/exe", self.data(), self.size() - 1);
  ASSERT_GT(n, 0);
  EXPECT_EQ(Read(testing::ReadTestFile(std::string(self.data(), n))),
            "nullopt");
}

TEST(ReadBuildInfoTest, Skopeo) {
  if (::access("/usr/bin/skopeo", R_OK) != 0) {
    GTEST_SKIP() << "/usr/bin/skopeo absent";
  }
  const std::string info = Read(testing::ReadTestFile("/usr/bin/skopeo"));
  EXPECT_TRUE(info.starts_with("go\tgo1.")) << info;
  EXPECT_THAT(info, ::testing::HasSubstr(
                        "path\tgithub.com/containers/skopeo/cmd/skopeo\n"));
}

}  // namespace
}  // namespace strata::catalog::golang
