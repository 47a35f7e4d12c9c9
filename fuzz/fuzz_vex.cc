// Fuzzes VEX documents (vex/vex.h): OpenVEX and CycloneDX detection and
// mapping, and PURL product matching. Accepted documents respect the caps,
// every statement names its vulnerability and source, and every product
// matches itself.
#include <cstdint>
#include <string_view>

#include "vex/vex.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // The first line against the rest: PURL parsing on hostile strings.
  size_t nl = input.find('\n');
  if (nl != std::string_view::npos) {
    vex::ProductMatches(input.substr(0, nl), input.substr(nl + 1));
  }
  auto doc = vex::Parse(input, "fuzz.json");
  if (!doc.ok()) return 0;
  if (doc->statements.size() > vex::kMaxStatements) __builtin_trap();
  int64_t product_bytes = 0;
  for (const vex::Statement& s : doc->statements) {
    if (s.vulnerability.empty() || s.source.empty()) __builtin_trap();
    for (const std::string& p : s.products) {
      product_bytes += static_cast<int64_t>(p.size());
      if (!vex::ProductMatches(p, p)) __builtin_trap();
    }
  }
  if (product_bytes > vex::kMaxProductBytes) __builtin_trap();
  return 0;
}
