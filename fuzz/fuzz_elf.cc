// Fuzzes the ELF reader (elf/elf.h) and checks that every view it returns
// (section names and data, segment data, virtual address reads) lies inside
// the input.
#include <algorithm>
#include <cstdint>
#include <string_view>

#include "elf/elf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto inside = [&](std::string_view v) {
    if (!v.empty() && (v.data() < bytes.data() ||
                       v.data() + v.size() > bytes.data() + bytes.size())) {
      __builtin_trap();
    }
  };
  auto f = elf::File::Parse(bytes);
  if (!f.ok()) return 0;
  for (const elf::Section& s : f->sections()) {
    inside(s.name);
    if (auto d = f->SectionData(s); d.ok()) inside(*d);
  }
  for (const elf::Segment& s : f->segments()) {
    if (auto d = f->SegmentData(s); d.ok()) inside(*d);
    if (auto v = f->ReadVirtual(s.vaddr, std::min<uint64_t>(s.filesz, 64));
        v.ok()) {
      inside(*v);
    }
  }
  if (auto s = f->FindSection(".go.buildinfo"); s.ok() && *s) inside(**s);
  return 0;
}
