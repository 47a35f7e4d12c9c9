// Fuzzes the docker config.json / auth.json parser (registry/auth.h) and
// checks that accepted helper names cannot leave the helper namespace.
#include <cstdint>
#include <string_view>

#include "registry/auth.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata::registry;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto config = ParseDockerConfig(bytes, "config.json");
  if (config.ok()) {
    auto check = [](std::string_view helper) {
      if (helper.find('/') != std::string_view::npos || helper == "." ||
          helper == "..") {
        __builtin_trap();
      }
    };
    for (const auto& [host, helper] : config->cred_helpers) check(helper);
    check(config->creds_store);
    for (const auto& [host, cred] : config->auths) {
      if (host != NormalizeRegistryHost(host)) __builtin_trap();
    }
  }
  NormalizeRegistryHost(bytes);
  return 0;
}
