// Fuzzes the dpkg database parsers (catalog/dpkg/parse_status.h) and the
// copyright licence parser (catalog/dpkg/licenses.h) with the same bytes,
// and checks their output respects the parsers' contracts.
#include <cstdint>
#include <string>
#include <string_view>

#include "catalog/dpkg/licenses.h"
#include "catalog/dpkg/parse_status.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata::catalog::dpkg;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  ParsedStatus parsed = ParseStatus(bytes);
  for (const StatusRecord& r : parsed.records) {
    // Records always name a package and a version, never a NUL byte.
    if (r.package.empty() || r.version.empty() ||
        r.package.find('\0') != std::string::npos) {
      __builtin_trap();
    }
  }
  ParseFileList(bytes);
  ParseMd5sums(bytes);
  for (const std::string& l : ParseCopyrightLicenses(bytes)) {
    if (l.empty() || l.find_first_of(" \t\r\n") != std::string::npos) {
      __builtin_trap();
    }
  }
  return 0;
}
