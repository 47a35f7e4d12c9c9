// A hardened ELF reader over bytes in memory.
//
// Reads what catalogers need from executables and shared objects: the file
// header, the program headers (segments), the section headers with their
// names, a section's bytes by name, and the bytes at a virtual address (via
// the PT_LOAD segments). ELF32 and ELF64, little and big endian.
//
// The bytes are hostile: every offset, size and count is checked against the
// buffer with overflow-free arithmetic before it is used, table sizes are
// capped, and nothing is allocated in proportion to a size field that has
// not been checked. Parse() validates the header and both header tables
// (and every section name); section contents and segment ranges are checked
// when they are read, so one bad section does not hide the others.
//
// Lifetime: a File borrows the bytes given to Parse(); every string_view it
// returns (section names, section data, ReadVirtual) points into them and
// lives as long as they do.
// Thread-safety: a File is immutable after Parse(); concurrent reads are
// safe.
#ifndef STRATA_ELF_ELF_H_
#define STRATA_ELF_ELF_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace strata::elf {

// The first four bytes of every ELF file.
inline constexpr std::string_view kMagic =
    "\x7f"
    "ELF";

// Program header types and flags (the ones strata uses).
inline constexpr uint32_t kPtLoad = 1;
inline constexpr uint32_t kPfX = 1;
inline constexpr uint32_t kPfW = 2;
inline constexpr uint32_t kPfR = 4;
// Section types.
inline constexpr uint32_t kShtProgbits = 1;
inline constexpr uint32_t kShtStrtab = 3;
inline constexpr uint32_t kShtNobits = 8;  // occupies no file bytes (.bss)

// A program header.
struct Segment {
  uint32_t type = 0;   // kPtLoad, ...
  uint32_t flags = 0;  // kPfR | kPfW | kPfX
  uint64_t offset = 0;
  uint64_t vaddr = 0;
  uint64_t filesz = 0;
  uint64_t memsz = 0;
};

// A section header.
struct Section {
  std::string_view name;  // from the section name table; "" without one
  uint32_t type = 0;
  uint64_t flags = 0;
  uint64_t addr = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
};

class File {
 public:
  // Parses the ELF header and both header tables of `bytes`. Errors
  // (kDataLoss unless noted), one line, prefixed "elf: ":
  //   "elf: not an ELF file", "elf: truncated header",
  //   "elf: bad class 3", "elf: bad byte order 0",
  //   "elf: program header entry size 20 too small" (likewise for section
  //   headers),
  //   "elf: program header table out of bounds",
  //   "elf: section header table out of bounds",
  //   "elf: section name table index 40 out of range",
  //   "elf: section name table out of bounds",
  //   "elf: section 3 name out of bounds",
  //   kResourceExhausted "elf: 70000 section headers exceed the cap of 65536"
  //   (likewise for program headers).
  // A file without section headers (stripped of them) parses with no
  // sections.
  static Result<File> Parse(std::string_view bytes);

  bool is_64() const { return is_64_; }
  bool big_endian() const { return big_endian_; }
  uint16_t type() const { return type_; }        // ET_EXEC = 2, ET_DYN = 3
  uint16_t machine() const { return machine_; }  // EM_X86_64 = 62, ...
  const std::vector<Segment>& segments() const { return segments_; }
  const std::vector<Section>& sections() const { return sections_; }

  // The bytes of `section` ("" for kShtNobits). Error:
  //   "elf: section .foo out of bounds".
  Result<std::string_view> SectionData(const Section& section) const;

  // The bytes of the first section named `name`; nullopt when there is no
  // such section. A lookup in the section table, never a scan of the data.
  Result<std::optional<std::string_view>> FindSection(
      std::string_view name) const;

  // The `size` bytes at virtual address `vaddr`, all within the file-backed
  // part (filesz) of one PT_LOAD segment. Errors:
  //   "elf: address 0x1234 not mapped" (no PT_LOAD holds it),
  //   "elf: 16 bytes at 0x1234 out of bounds" (the range leaves the
  //   segment's file bytes or the segment leaves the file).
  Result<std::string_view> ReadVirtual(uint64_t vaddr, uint64_t size) const;

  // The file bytes of `segment` (its filesz bytes from offset). Error:
  //   "elf: segment out of bounds".
  Result<std::string_view> SegmentData(const Segment& segment) const;

 private:
  File() = default;

  std::string_view bytes_;
  bool is_64_ = false;
  bool big_endian_ = false;
  uint16_t type_ = 0;
  uint16_t machine_ = 0;
  std::vector<Segment> segments_;
  std::vector<Section> sections_;
};

// Unsigned integers of 2, 4 or 8 bytes at `p` in the given byte order.
// The caller has checked that the bytes are there.
uint16_t Load16(const char* p, bool big_endian);
uint32_t Load32(const char* p, bool big_endian);
uint64_t Load64(const char* p, bool big_endian);

// True when [offset, offset + length) lies within `size` bytes, without
// overflow.
inline bool InBounds(uint64_t offset, uint64_t length, uint64_t size) {
  return offset <= size && length <= size - offset;
}

}  // namespace strata::elf

#endif  // STRATA_ELF_ELF_H_
