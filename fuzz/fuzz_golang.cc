// Fuzzes Go build info extraction from ELF bytes
// (catalog/golang/buildinfo.h) and the build info text parser
// (catalog/golang/modinfo.h), on the input both as a binary and as text;
// every package made must have a name.
#include <cstdint>
#include <string_view>

#include "catalog/golang/buildinfo.h"
#include "catalog/golang/modinfo.h"

namespace {

void Packages(std::string_view text) {
  using namespace strata::catalog::golang;
  auto info = ParseBuildInfo(text);
  if (!info.ok()) return;
  if (info->go_version.empty()) __builtin_trap();
  for (const strata::sbom::Package& p : BuildInfoPackages(*info, {}, "fuzz")) {
    if (p.name.empty()) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto text = strata::catalog::golang::ReadBuildInfo(bytes);
      text.ok() && text->has_value()) {
    if (!(*text)->starts_with("go\t")) __builtin_trap();
    Packages(**text);
  }
  Packages(bytes);
  return 0;
}
