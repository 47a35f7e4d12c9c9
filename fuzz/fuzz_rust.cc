// Fuzzes cargo-auditable audit data extraction from ELF bytes and its JSON
// parser (catalog/rust/audit_data.h), on the input both as a binary and as
// JSON; every dependency index accepted must name a crate.
#include <cstdint>
#include <string_view>

#include "catalog/rust/audit_data.h"

namespace {

void Crates(std::string_view json) {
  using namespace strata::catalog::rust;
  auto crates = ParseAuditData(json);
  if (!crates.ok()) return;
  for (const Crate& c : *crates) {
    for (size_t d : c.dependencies) {
      if (d >= crates->size()) __builtin_trap();
    }
  }
  CratePackages(*crates, {}, "fuzz");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto json = strata::catalog::rust::ReadAuditData(bytes);
      json.ok() && json->has_value()) {
    Crates(**json);
  }
  Crates(bytes);
  return 0;
}
