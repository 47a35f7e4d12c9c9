#include "elf/builder.h"

namespace strata::elf {
namespace {

class Writer {
 public:
  Writer(bool is_64, bool big_endian) : is_64_(is_64), big_(big_endian) {}

  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U16(uint64_t v) { Int(v, 2); }
  void U32(uint64_t v) { Int(v, 4); }
  void Word(uint64_t v) { Int(v, is_64_ ? 8 : 4); }
  void Bytes(const std::string& s) { out_ += s; }
  void Align(size_t a) {
    while (out_.size() % a != 0) out_.push_back('\0');
  }
  size_t size() const { return out_.size(); }
  std::string& out() { return out_; }

 private:
  void Int(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) {
      const int shift = 8 * (big_ ? n - 1 - i : i);
      out_.push_back(static_cast<char>(v >> shift & 0xff));
    }
  }

  bool is_64_;
  bool big_;
  std::string out_;
};

}  // namespace

std::string BuildElf(const BuildOptions& options,
                     const std::vector<BuildSection>& sections) {
  const bool is64 = options.is_64;
  const size_t ehsize = is64 ? 64 : 52;
  const size_t phentsize = is64 ? 56 : 32;
  const size_t shentsize = is64 ? 64 : 40;
  size_t mapped = 0;
  for (const BuildSection& s : sections) mapped += s.addr != 0 ? 1 : 0;

  // Section data offsets.
  size_t at = ehsize + mapped * phentsize;
  std::vector<size_t> offsets;
  for (const BuildSection& s : sections) {
    at = (at + 15) / 16 * 16;
    offsets.push_back(at);
    if (s.type != kShtNobits) at += s.data.size();
  }
  std::string names(1, '\0');
  std::vector<size_t> name_offsets;
  for (const BuildSection& s : sections) {
    name_offsets.push_back(names.size());
    names += s.name + '\0';
  }
  const size_t shstrtab_name = names.size();
  names += std::string(".shstrtab") + '\0';
  const size_t names_offset = at;
  const size_t shoff = (names_offset + names.size() + 7) / 8 * 8;
  const size_t shnum = options.section_headers ? sections.size() + 2 : 0;

  Writer w(is64, options.big_endian);
  w.Bytes(
      "\x7f"
      "ELF");
  w.U8(is64 ? 2 : 1);
  w.U8(options.big_endian ? 2 : 1);
  w.U8(1);  // EV_CURRENT
  w.Align(16);
  w.U16(2);  // ET_EXEC
  w.U16(options.machine);
  w.U32(1);
  w.Word(0);  // e_entry
  w.Word(mapped != 0 ? ehsize : 0);
  w.Word(options.section_headers ? shoff : 0);
  w.U32(0);  // e_flags
  w.U16(ehsize);
  w.U16(phentsize);
  w.U16(mapped);
  w.U16(shentsize);
  w.U16(shnum);
  w.U16(options.section_headers ? shnum - 1 : 0);

  for (size_t i = 0; i < sections.size(); ++i) {
    const BuildSection& s = sections[i];
    if (s.addr == 0) continue;
    w.U32(kPtLoad);
    if (is64) w.U32(s.segment_flags);
    w.Word(offsets[i]);
    w.Word(s.addr);
    w.Word(s.addr);
    w.Word(s.data.size());
    w.Word(s.data.size());
    if (!is64) w.U32(s.segment_flags);
    w.Word(16);  // p_align
  }
  for (size_t i = 0; i < sections.size(); ++i) {
    w.Align(16);
    if (sections[i].type != kShtNobits) w.Bytes(sections[i].data);
  }
  w.Bytes(names);
  if (!options.section_headers) return std::move(w.out());
  w.Align(8);

  auto header = [&](size_t name, uint32_t type, uint64_t addr, size_t offset,
                    size_t size) {
    w.U32(name);
    w.U32(type);
    w.Word(addr != 0 ? 2 /* SHF_ALLOC */ : 0);
    w.Word(addr);
    w.Word(offset);
    w.Word(size);
    w.U32(0);  // sh_link
    w.U32(0);  // sh_info
    w.Word(1);
    w.Word(0);
  };
  header(0, 0, 0, 0, 0);
  for (size_t i = 0; i < sections.size(); ++i) {
    const BuildSection& s = sections[i];
    header(name_offsets[i], s.type, s.addr, offsets[i], s.data.size());
  }
  header(shstrtab_name, kShtStrtab, 0, names_offset, names.size());
  return std::move(w.out());
}

}  // namespace strata::elf
