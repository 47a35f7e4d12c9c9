// Builds small, valid ELF files for tests and fuzz seeds (library
// strata_elf_builder; never linked into strata).
//
// Layout: the ELF header, one PT_LOAD program header per mapped section, the
// sections' bytes (each at a 16-byte aligned offset), the section name
// table, then the section header table (a null section, the sections in
// order, .shstrtab last). Deterministic: the same input gives the same bytes.
#ifndef STRATA_ELF_BUILDER_H_
#define STRATA_ELF_BUILDER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "elf/elf.h"

namespace strata::elf {

struct BuildSection {
  std::string name;
  std::string data;
  uint32_t type = kShtProgbits;
  // Non-zero: the section is also mapped by a PT_LOAD segment at this
  // virtual address (filesz = memsz = data size) with `segment_flags`.
  uint64_t addr = 0;
  uint32_t segment_flags = kPfR | kPfW;
};

struct BuildOptions {
  bool is_64 = true;
  bool big_endian = false;
  // false: no section header table (e_shoff = 0), as after `sstrip`.
  bool section_headers = true;
  uint16_t machine = 62;  // EM_X86_64
};

std::string BuildElf(const BuildOptions& options,
                     const std::vector<BuildSection>& sections);

}  // namespace strata::elf

#endif  // STRATA_ELF_BUILDER_H_
