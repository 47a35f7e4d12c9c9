// Fuzzes the JavaScript manifest and lock parsers (package_json.h, lock.h:
// package-lock.json, yarn.lock v1 and berry, pnpm-lock.yaml, hence also the
// capped YAML reader) with the same bytes, and checks that every accepted
// package has a name and a version.
#include <cstdint>
#include <string_view>

#include "catalog/javascript/lock.h"
#include "catalog/javascript/package_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata::catalog::javascript;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)ParsePackageJson(bytes);
  for (auto parse : {ParseNpmLock, ParseYarnLock, ParsePnpmLock}) {
    if (auto lock = parse(bytes); lock.ok()) {
      for (const LockPackage& p : lock->packages) {
        if (p.name.empty() || p.version.empty()) __builtin_trap();
      }
    }
  }
  return 0;
}
