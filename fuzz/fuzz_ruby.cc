// Fuzzes the gemspec parser (catalog/ruby/parse_gemspec.h) and checks that
// every accepted gemspec has a name and a version.
#include <cstdint>
#include <string_view>

#include "catalog/ruby/parse_gemspec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto g = catalog::ruby::ParseGemspec(bytes); g.ok()) {
    if (g->name.empty() || g->version.empty()) __builtin_trap();
  }
  return 0;
}
