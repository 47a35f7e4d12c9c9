#include "elf/elf.h"

#include <cinttypes>
#include <cstdio>
#include <string>

namespace strata::elf {
namespace {

// Header tables larger than these are refused: a 16-bit count field allows
// 65535 entries, extended numbering (count in section 0) much more.
constexpr uint64_t kMaxSections = 65536;
constexpr uint64_t kMaxSegments = 65536;

constexpr uint16_t kPnXnum = 0xffff;     // e_phnum: count in section 0
constexpr uint16_t kShnXindex = 0xffff;  // e_shstrndx: index in section 0

std::string Hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
  return buf;
}

// Reads fields of the file's class and byte order at fixed offsets.
class Fields {
 public:
  Fields(const char* base, bool is_64, bool big_endian)
      : base_(base), is_64_(is_64), big_(big_endian) {}
  uint16_t U16(size_t at) const { return Load16(base_ + at, big_); }
  uint32_t U32(size_t at) const { return Load32(base_ + at, big_); }
  // A word: 4 bytes at `at32` in ELF32, 8 bytes at `at64` in ELF64.
  uint64_t Word(size_t at32, size_t at64) const {
    return is_64_ ? Load64(base_ + at64, big_) : Load32(base_ + at32, big_);
  }

 private:
  const char* base_;
  bool is_64_;
  bool big_;
};

}  // namespace

uint16_t Load16(const char* p, bool big_endian) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  return big_endian ? static_cast<uint16_t>(b[0] << 8 | b[1])
                    : static_cast<uint16_t>(b[1] << 8 | b[0]);
}

uint32_t Load32(const char* p, bool big_endian) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    v = v << 8 | b[big_endian ? i : 3 - i];
  }
  return v;
}

uint64_t Load64(const char* p, bool big_endian) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) {
    v = v << 8 | b[big_endian ? i : 7 - i];
  }
  return v;
}

Result<File> File::Parse(std::string_view bytes) {
  if (!bytes.starts_with(kMagic)) return DataLossError("elf: not an ELF file");
  if (bytes.size() < 16) return DataLossError("elf: truncated header");
  File f;
  f.bytes_ = bytes;
  const int cls = static_cast<unsigned char>(bytes[4]);
  const int data = static_cast<unsigned char>(bytes[5]);
  if (cls != 1 && cls != 2) {
    return DataLossError("elf: bad class " + std::to_string(cls));
  }
  if (data != 1 && data != 2) {
    return DataLossError("elf: bad byte order " + std::to_string(data));
  }
  f.is_64_ = cls == 2;
  f.big_endian_ = data == 2;
  const size_t header_size = f.is_64_ ? 64 : 52;
  if (bytes.size() < header_size) return DataLossError("elf: truncated header");

  const Fields h(bytes.data(), f.is_64_, f.big_endian_);
  f.type_ = h.U16(16);
  f.machine_ = h.U16(18);
  const uint64_t phoff = h.Word(28, 32);
  const uint64_t shoff = h.Word(32, 40);
  const size_t base = f.is_64_ ? 54 : 42;  // e_phentsize
  const uint16_t phentsize = h.U16(base);
  uint64_t phnum = h.U16(base + 2);
  const uint16_t shentsize = h.U16(base + 4);
  uint64_t shnum = h.U16(base + 6);
  uint64_t shstrndx = h.U16(base + 8);

  // Section headers. Section 0 carries the real counts when they do not
  // fit the header's 16-bit fields (extended numbering).
  const uint64_t sh_min = f.is_64_ ? 64 : 40;
  if (shoff != 0) {
    if (shentsize < sh_min) {
      return DataLossError("elf: section header entry size " +
                           std::to_string(shentsize) + " too small");
    }
    if (!InBounds(shoff, sh_min, bytes.size())) {
      return DataLossError("elf: section header table out of bounds");
    }
    const Fields s0(bytes.data() + shoff, f.is_64_, f.big_endian_);
    if (shnum == 0) shnum = s0.Word(20, 32);  // sh_size
    if (shstrndx == kShnXindex) shstrndx = s0.U32(f.is_64_ ? 40 : 24);
    if (phnum == kPnXnum) phnum = s0.U32(f.is_64_ ? 44 : 28);  // sh_info
  } else {
    shnum = 0;
  }
  if (shnum > kMaxSections) {
    return ResourceExhaustedError("elf: " + std::to_string(shnum) +
                                  " section headers exceed the cap of " +
                                  std::to_string(kMaxSections));
  }
  if (phnum > kMaxSegments) {
    return ResourceExhaustedError("elf: " + std::to_string(phnum) +
                                  " program headers exceed the cap of " +
                                  std::to_string(kMaxSegments));
  }

  // Program headers.
  if (phnum != 0) {
    const uint64_t ph_min = f.is_64_ ? 56 : 32;
    if (phentsize < ph_min) {
      return DataLossError("elf: program header entry size " +
                           std::to_string(phentsize) + " too small");
    }
    // phnum <= 65536 and phentsize < 65536: the product cannot overflow.
    if (!InBounds(phoff, phnum * phentsize, bytes.size())) {
      return DataLossError("elf: program header table out of bounds");
    }
    f.segments_.reserve(phnum);
    for (uint64_t i = 0; i < phnum; ++i) {
      const Fields p(bytes.data() + phoff + i * phentsize, f.is_64_,
                     f.big_endian_);
      Segment s;
      s.type = p.U32(0);
      s.flags = p.U32(f.is_64_ ? 4 : 24);
      s.offset = p.Word(4, 8);
      s.vaddr = p.Word(8, 16);
      s.filesz = p.Word(16, 32);
      s.memsz = p.Word(20, 40);
      f.segments_.push_back(s);
    }
  }

  if (shnum == 0) return f;
  if (!InBounds(shoff, shnum * shentsize, bytes.size())) {
    return DataLossError("elf: section header table out of bounds");
  }
  f.sections_.reserve(shnum);
  std::vector<uint32_t> name_offsets;
  name_offsets.reserve(shnum);
  for (uint64_t i = 0; i < shnum; ++i) {
    const Fields s(bytes.data() + shoff + i * shentsize, f.is_64_,
                   f.big_endian_);
    Section sec;
    name_offsets.push_back(s.U32(0));
    sec.type = s.U32(4);
    sec.flags = s.Word(8, 8);
    sec.addr = s.Word(12, 16);
    sec.offset = s.Word(16, 24);
    sec.size = s.Word(20, 32);
    f.sections_.push_back(sec);
  }
  if (shstrndx == 0) return f;  // SHN_UNDEF: no names
  if (shstrndx >= shnum) {
    return DataLossError("elf: section name table index " +
                         std::to_string(shstrndx) + " out of range");
  }
  const Section& names_section = f.sections_[shstrndx];
  if (names_section.type == kShtNobits ||
      !InBounds(names_section.offset, names_section.size, bytes.size())) {
    return DataLossError("elf: section name table out of bounds");
  }
  const std::string_view names =
      bytes.substr(names_section.offset, names_section.size);
  for (uint64_t i = 0; i < shnum; ++i) {
    const uint32_t at = name_offsets[i];
    const size_t end =
        at < names.size() ? names.find('\0', at) : std::string_view::npos;
    if (end == std::string_view::npos) {
      return DataLossError("elf: section " + std::to_string(i) +
                           " name out of bounds");
    }
    f.sections_[i].name = names.substr(at, end - at);
  }
  return f;
}

Result<std::string_view> File::SectionData(const Section& section) const {
  if (section.type == kShtNobits) return std::string_view();
  if (!InBounds(section.offset, section.size, bytes_.size())) {
    return DataLossError("elf: section " + std::string(section.name) +
                         " out of bounds");
  }
  return bytes_.substr(section.offset, section.size);
}

Result<std::optional<std::string_view>> File::FindSection(
    std::string_view name) const {
  for (const Section& s : sections_) {
    if (s.name != name) continue;
    ASSIGN_OR_RETURN(std::string_view data, SectionData(s));
    return std::optional<std::string_view>(data);
  }
  return std::optional<std::string_view>();
}

Result<std::string_view> File::SegmentData(const Segment& segment) const {
  if (!InBounds(segment.offset, segment.filesz, bytes_.size())) {
    return DataLossError("elf: segment out of bounds");
  }
  return bytes_.substr(segment.offset, segment.filesz);
}

Result<std::string_view> File::ReadVirtual(uint64_t vaddr,
                                           uint64_t size) const {
  for (const Segment& s : segments_) {
    if (s.type != kPtLoad || vaddr < s.vaddr || vaddr - s.vaddr >= s.filesz) {
      continue;
    }
    const uint64_t rel = vaddr - s.vaddr;
    if (!InBounds(rel, size, s.filesz) ||
        !InBounds(s.offset, s.filesz, bytes_.size())) {
      return DataLossError("elf: " + std::to_string(size) + " bytes at " +
                           Hex(vaddr) + " out of bounds");
    }
    return bytes_.substr(s.offset + rel, size);
  }
  return DataLossError("elf: address " + Hex(vaddr) + " not mapped");
}

}  // namespace strata::elf
