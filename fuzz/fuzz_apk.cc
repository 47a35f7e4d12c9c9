// Fuzzes the apk installed-database parser (catalog/apk/parse_installed.h)
// and checks that every accepted package has a name and a version.
#include <cstdint>
#include <string_view>

#include "catalog/apk/parse_installed.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto db = catalog::apk::ParseInstalled(bytes); db.ok()) {
    for (const sbom::Package& p : db->packages) {
      if (p.name.empty() || p.version.empty()) __builtin_trap();
    }
  }
  return 0;
}
