#include "elf/elf.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <set>
#include <sstream>
#include <string>

#include "elf/builder.h"
#include "testing/test_util.h"

namespace strata::elf {
namespace {

using ::testing::ElementsAre;

std::vector<BuildSection> TwoSections() {
  return {
      {.name = ".text",
       .data = "code bytes",
       .addr = 0x401000,
       .segment_flags = kPfR | kPfX},
      {.name = ".note", .data = "unmapped"},
      {.name = ".data", .data = "0123456789abcdef", .addr = 0x602000},
  };
}

std::vector<std::string_view> Names(const File& f) {
  std::vector<std::string_view> out;
  for (const Section& s : f.sections()) out.push_back(s.name);
  return out;
}

// Little-endian stores into a built ELF64 (tests patch header fields).
void Put16(std::string& b, size_t at, uint16_t v) {
  b[at] = static_cast<char>(v);
  b[at + 1] = static_cast<char>(v >> 8);
}
void Put32(std::string& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<char>(v >> (8 * i));
}
void Put64(std::string& b, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) b[at + i] = static_cast<char>(v >> (8 * i));
}
uint64_t Get64(const std::string& b, size_t at) {
  return Load64(b.data() + at, false);
}

Status ParseError(const std::string& bytes) {
  auto f = File::Parse(bytes);
  return f.ok() ? Status::Ok() : f.status();
}

TEST(ElfFileTest, ReadsElf64LittleEndian) {
  const std::string bytes = BuildElf({}, TwoSections());
  auto f = File::Parse(bytes);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_TRUE(f->is_64());
  EXPECT_FALSE(f->big_endian());
  EXPECT_EQ(f->type(), 2);
  EXPECT_EQ(f->machine(), 62);
  EXPECT_THAT(Names(*f),
              ElementsAre("", ".text", ".note", ".data", ".shstrtab"));
  ASSERT_EQ(f->segments().size(), 2u);
  EXPECT_EQ(f->segments()[0].type, kPtLoad);
  EXPECT_EQ(f->segments()[0].flags, kPfR | kPfX);
  EXPECT_EQ(f->segments()[1].vaddr, 0x602000u);
  EXPECT_EQ(f->segments()[1].filesz, 16u);

  auto note = f->FindSection(".note");
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  ASSERT_TRUE(note->has_value());
  EXPECT_EQ(**note, "unmapped");
  auto missing = f->FindSection(".go.buildinfo");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  auto v = f->ReadVirtual(0x602004, 6);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, "456789");
  EXPECT_EQ(*f->ReadVirtual(0x401000, 4), "code");
}

TEST(ElfFileTest, ReadsElf32BigEndian) {
  const std::string bytes = BuildElf(
      {.is_64 = false, .big_endian = true, .machine = 8}, TwoSections());
  auto f = File::Parse(bytes);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_FALSE(f->is_64());
  EXPECT_TRUE(f->big_endian());
  EXPECT_EQ(f->machine(), 8);
  EXPECT_THAT(Names(*f),
              ElementsAre("", ".text", ".note", ".data", ".shstrtab"));
  ASSERT_EQ(f->segments().size(), 2u);
  EXPECT_EQ(f->segments()[0].flags, kPfR | kPfX);
  EXPECT_EQ(**f->FindSection(".text"), "code bytes");
  EXPECT_EQ(*f->ReadVirtual(0x60200e, 2), "ef");
}

TEST(ElfFileTest, WithoutSectionHeadersHasSegmentsOnly) {
  const std::string bytes = BuildElf({.section_headers = false}, TwoSections());
  auto f = File::Parse(bytes);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_TRUE(f->sections().empty());
  EXPECT_FALSE(f->FindSection(".data")->has_value());
  ASSERT_EQ(f->segments().size(), 2u);
  EXPECT_EQ(*f->SegmentData(f->segments()[1]), "0123456789abcdef");
}

TEST(ElfFileTest, NobitsSectionHasNoBytes) {
  auto bytes =
      BuildElf({}, {{.name = ".bss", .data = "xxxx", .type = kShtNobits}});
  auto f = File::Parse(bytes);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(**f->FindSection(".bss"), "");
}

TEST(ElfFileTest, ReadVirtualErrors) {
  const std::string bytes = BuildElf({}, TwoSections());
  auto f = File::Parse(bytes);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->ReadVirtual(0x500000, 1).status(),
            DataLossError("elf: address 0x500000 not mapped"));
  // The last byte of .data is mapped, the one after it is not.
  EXPECT_TRUE(f->ReadVirtual(0x60200f, 1).ok());
  EXPECT_EQ(f->ReadVirtual(0x602010, 1).status(),
            DataLossError("elf: address 0x602010 not mapped"));
  EXPECT_EQ(f->ReadVirtual(0x60200f, 2).status(),
            DataLossError("elf: 2 bytes at 0x60200f out of bounds"));
  EXPECT_EQ(f->ReadVirtual(0x602001, UINT64_MAX).status(),
            DataLossError(
                "elf: 18446744073709551615 bytes at 0x602001 out of bounds"));
}

TEST(ElfFileTest, SegmentBeyondTheFileIsOutOfBounds) {
  std::string bytes = BuildElf({}, TwoSections());
  // Second program header's p_offset (phoff 64 + 56 + 8).
  Put64(bytes, 64 + 56 + 8, bytes.size() - 4);
  auto f = File::Parse(bytes);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->ReadVirtual(0x602000, 1).status(),
            DataLossError("elf: 1 bytes at 0x602000 out of bounds"));
  EXPECT_EQ(f->SegmentData(f->segments()[1]).status(),
            DataLossError("elf: segment out of bounds"));
}

TEST(ElfFileTest, HeaderErrors) {
  EXPECT_EQ(ParseError(""), DataLossError("elf: not an ELF file"));
  EXPECT_EQ(ParseError("MZ\x90\x00"), DataLossError("elf: not an ELF file"));
  const std::string good = BuildElf({}, TwoSections());
  EXPECT_EQ(ParseError(good.substr(0, 10)),
            DataLossError("elf: truncated header"));
  EXPECT_EQ(ParseError(good.substr(0, 63)),
            DataLossError("elf: truncated header"));
  std::string bad = good;
  bad[4] = 3;
  EXPECT_EQ(ParseError(bad), DataLossError("elf: bad class 3"));
  bad = good;
  bad[5] = 0;
  EXPECT_EQ(ParseError(bad), DataLossError("elf: bad byte order 0"));
}

TEST(ElfFileTest, TableErrors) {
  const std::string good = BuildElf({}, TwoSections());
  const uint64_t shoff = Get64(good, 40);

  std::string bad = good;
  Put64(bad, 32, good.size() - 56);  // e_phoff: the second header leaves
  EXPECT_EQ(ParseError(bad),
            DataLossError("elf: program header table out of bounds"));
  bad = good;
  Put64(bad, 32, UINT64_MAX - 8);
  EXPECT_EQ(ParseError(bad),
            DataLossError("elf: program header table out of bounds"));
  bad = good;
  Put16(bad, 54, 20);
  EXPECT_EQ(ParseError(bad),
            DataLossError("elf: program header entry size 20 too small"));

  bad = good;
  Put16(bad, 60, 6);  // e_shnum: one more than there is
  EXPECT_EQ(ParseError(bad),
            DataLossError("elf: section header table out of bounds"));
  bad = good;
  Put64(bad, 40, UINT64_MAX);
  EXPECT_EQ(ParseError(bad),
            DataLossError("elf: section header table out of bounds"));
  bad = good;
  Put16(bad, 58, 12);
  EXPECT_EQ(ParseError(bad),
            DataLossError("elf: section header entry size 12 too small"));
  bad = good;
  Put16(bad, 62, 5);  // e_shstrndx
  EXPECT_EQ(ParseError(bad),
            DataLossError("elf: section name table index 5 out of range"));
  bad = good;
  Put64(bad, shoff + 4 * 64 + 32, 1 << 20);  // .shstrtab sh_size
  EXPECT_EQ(ParseError(bad),
            DataLossError("elf: section name table out of bounds"));
  bad = good;
  Put32(bad, shoff + 2 * 64, 4000);  // .note sh_name
  EXPECT_EQ(ParseError(bad),
            DataLossError("elf: section 2 name out of bounds"));

  // A section whose bytes leave the file fails when it is read, not before.
  bad = good;
  Put64(bad, shoff + 2 * 64 + 24, UINT64_MAX - 2);  // .note sh_offset
  auto f = File::Parse(bad);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->FindSection(".note").status(),
            DataLossError("elf: section .note out of bounds"));
  EXPECT_EQ(**f->FindSection(".data"), "0123456789abcdef");
}

TEST(ElfFileTest, ExtendedNumberingIsReadAndCapped) {
  std::string bytes = BuildElf({}, TwoSections());
  const uint64_t shoff = Get64(bytes, 40);
  // e_shnum = 0 and e_shstrndx = SHN_XINDEX: both live in section 0.
  Put16(bytes, 60, 0);
  Put16(bytes, 62, 0xffff);
  Put64(bytes, shoff + 32, 5);  // sh_size
  Put32(bytes, shoff + 40, 4);  // sh_link
  auto f = File::Parse(bytes);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_THAT(Names(*f),
              ElementsAre("", ".text", ".note", ".data", ".shstrtab"));

  Put64(bytes, shoff + 32, 70000);
  EXPECT_EQ(ParseError(bytes),
            ResourceExhaustedError(
                "elf: 70000 section headers exceed the cap of 65536"));
  Put64(bytes, shoff + 32, 5);
  Put16(bytes, 56, 0xffff);  // e_phnum = PN_XNUM: count in sh_info
  Put32(bytes, shoff + 44, 1 << 20);
  EXPECT_EQ(ParseError(bytes),
            ResourceExhaustedError(
                "elf: 1048576 program headers exceed the cap of 65536"));
}

// Parses `bytes` and reads everything it names; every view returned must
// lie inside `bytes`. Returns whether Parse accepted it.
bool ParseAndReadAll(const std::string& bytes) {
  auto f = File::Parse(bytes);
  if (!f.ok()) return false;
  auto inside = [&](std::string_view v) {
    EXPECT_TRUE(v.empty() ||
                (v.data() >= bytes.data() &&
                 v.data() + v.size() <= bytes.data() + bytes.size()));
  };
  for (const Section& s : f->sections()) {
    inside(s.name);
    if (auto d = f->SectionData(s); d.ok()) inside(*d);
  }
  for (const Segment& s : f->segments()) {
    if (auto d = f->SegmentData(s); d.ok()) inside(*d);
  }
  if (auto v = f->ReadVirtual(0x602000, 16); v.ok()) inside(*v);
  return true;
}

TEST(ElfFileTest, EveryTruncationAndByteFlipIsHandled) {
  for (const BuildOptions& o :
       {BuildOptions{}, BuildOptions{.is_64 = false, .big_endian = true}}) {
    const std::string good = BuildElf(o, TwoSections());
    int rejected = 0;
    for (size_t n = 0; n < good.size(); ++n) {
      rejected += ParseAndReadAll(good.substr(0, n)) ? 0 : 1;
    }
    // Up to the end of the header tables every prefix is refused.
    EXPECT_GT(rejected, 52);
    for (size_t i = 0; i < good.size(); ++i) {
      for (unsigned char x : {0x01, 0x80, 0xff}) {
        std::string bad = good;
        bad[i] = static_cast<char>(bad[i] ^ x);
        ParseAndReadAll(bad);
      }
    }
  }
}

// The fuzz seeds are the builder's output (STRATA_UPDATE_GOLDEN=1 rewrites
// them).
TEST(ElfFuzzSeedsTest, AreCurrent) {
  const std::string dir =
      std::string(STRATA_SOURCE_DIR) + "/fuzz/corpus/fuzz_elf/";
  testing::ExpectGolden(dir + "elf64le.elf", BuildElf({}, TwoSections()));
  testing::ExpectGolden(
      dir + "elf32be.elf",
      BuildElf({.is_64 = false, .big_endian = true}, TwoSections()));
  testing::ExpectGolden(dir + "no_section_headers.elf",
                        BuildElf({.section_headers = false}, TwoSections()));
}

// --- Real files: readelf is the oracle ---------------------------------------

std::string Shell(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) {
    out.append(buf.data(), n);
  }
  ::pclose(p);
  return out;
}

// Section names as `readelf -SW` prints them ("[ 1] .interp  PROGBITS ...").
std::vector<std::string> ReadelfSections(const std::string& path) {
  std::vector<std::string> out;
  std::istringstream in(Shell("readelf -SW '" + path + "' 2>/dev/null"));
  for (std::string line; std::getline(in, line);) {
    size_t close = line.find("] ");
    if (line.find("  [") != 0 || close == std::string::npos ||
        line.find("[Nr]") != std::string::npos) {
      continue;
    }
    std::istringstream fields(line.substr(close + 2));
    std::string name;
    fields >> name;
    if (name == "NULL") name.clear();  // section 0 has no name
    out.push_back(name);
  }
  return out;
}

void ExpectMatchesReadelf(const std::string& path) {
  if (Shell("command -v readelf").empty()) GTEST_SKIP() << "no readelf";
  const std::string bytes = testing::ReadTestFile(path);
  auto f = File::Parse(bytes);
  ASSERT_TRUE(f.ok()) << path << ": " << f.status().ToString();
  std::vector<std::string> names;
  for (const Section& s : f->sections()) {
    names.emplace_back(s.name);
    EXPECT_TRUE(f->SectionData(s).ok()) << s.name;
  }
  EXPECT_EQ(names, ReadelfSections(path));
  for (const Segment& s : f->segments()) {
    if (s.type == kPtLoad) {
      EXPECT_TRUE(f->SegmentData(s).ok());
    }
  }
}

TEST(ElfFileTest, TheTestBinaryItselfMatchesReadelf) {
  std::array<char, 4096> self{};
  ssize_t n = ::readlink("/proc/self/exe", self.data(), self.size() - 1);
  ASSERT_GT(n, 0);
  ExpectMatchesReadelf(std::string(self.data(), n));
}

TEST(ElfFileTest, SkopeoMatchesReadelf) {
  if (::access("/usr/bin/skopeo", R_OK) != 0) {
    GTEST_SKIP() << "/usr/bin/skopeo absent";
  }
  ExpectMatchesReadelf("/usr/bin/skopeo");
  const std::string bytes = testing::ReadTestFile("/usr/bin/skopeo");
  auto f = File::Parse(bytes);
  ASSERT_TRUE(f.ok());
  auto bi = f->FindSection(".go.buildinfo");
  ASSERT_TRUE(bi.ok() && bi->has_value());
  EXPECT_TRUE((*bi)->starts_with("\xff Go buildinf:"));
}

}  // namespace
}  // namespace strata::elf
