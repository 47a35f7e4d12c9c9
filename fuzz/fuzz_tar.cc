// Fuzzes the tar reader (tar::Reader over libarchive): walks every entry and
// reads its data. Errors are expected; crashes, hangs and leaks are bugs.
//
// Each input is read twice: as is, and with the checksum of every non-zero
// 512-byte block recomputed, so that mutated header fields get past the
// checksum test (libarchive is not instrumented, so libFuzzer cannot learn
// the checksum by itself).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "base/byte_source.h"
#include "tar/tar_reader.h"

namespace {

void ReadAllEntries(std::string_view tar) {
  strata::MemorySource src(tar);
  strata::tar::Reader reader(src);
  strata::tar::Entry entry;
  static uint8_t buf[64 * 1024];
  // Sparse entries expand holes into zeros: bound the bytes read per input
  // so a few-byte header cannot stall the fuzzer. Entries past the budget
  // are skipped, which exercises the skip path too.
  int64_t budget = 16 * 1024 * 1024;
  while (true) {
    strata::Result<bool> more = reader.Next(&entry);
    if (!more.ok() || !*more) break;
    while (budget > 0) {
      strata::Result<size_t> n = reader.ReadData(buf);
      if (!n.ok() || *n == 0) break;
      budget -= static_cast<int64_t>(*n);
    }
  }
}

void FixChecksums(std::string& tar) {
  for (size_t off = 0; off + 512 <= tar.size(); off += 512) {
    char* h = tar.data() + off;
    if (std::string_view(h, 512).find_first_not_of('\0') ==
        std::string_view::npos) {
      continue;
    }
    unsigned sum = 8 * ' ';
    for (size_t i = 0; i < 512; ++i) {
      if (i < 148 || i >= 156) sum += static_cast<unsigned char>(h[i]);
    }
    std::snprintf(h + 148, 8, "%06o", sum & 0777777);  // digits and a NUL
    h[155] = ' ';
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  ReadAllEntries(input);
  std::string fixed(input);
  FixChecksums(fixed);
  if (fixed != input) ReadAllEntries(fixed);
  return 0;
}
