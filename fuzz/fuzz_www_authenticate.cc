// Fuzzes the WWW-Authenticate parser (registry/auth.h) and checks that
// every accepted header respects its caps.
#include <cstdint>
#include <string_view>

#include "registry/auth.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata::registry;
  std::string_view header(reinterpret_cast<const char*>(data), size);
  auto challenges = ParseWwwAuthenticate(header);
  if (challenges.ok()) {
    size_t items = 0;
    for (const Challenge& c : *challenges) {
      if (c.scheme.empty()) __builtin_trap();
      items += 1 + c.params.size();
    }
    if (challenges->empty() ||
        items > static_cast<size_t>(kMaxChallengeParams)) {
      __builtin_trap();
    }
  }
  return 0;
}
