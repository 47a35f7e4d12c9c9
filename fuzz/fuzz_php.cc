// Fuzzes the Composer installed.json parser (catalog/php/
// parse_installed_json.h) and checks that every accepted package has a name
// and a version.
#include <cstdint>
#include <string_view>

#include "catalog/php/parse_installed_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto j = catalog::php::ParseInstalledJson(bytes); j.ok()) {
    for (const sbom::Package& p : j->packages) {
      if (p.name.empty() || p.version.empty()) __builtin_trap();
    }
  }
  return 0;
}
