#include <algorithm>
#include <array>

#include "sbom/format_internal.h"

namespace strata::sbom::internal {

std::string WriteTable(const Sbom& sbom) {
  if (sbom.packages.empty() && sbom.unknowns.empty()) {
    return "No packages discovered\n";
  }
  using Row = std::array<std::string, 3>;
  std::vector<Row> rows;
  rows.reserve(sbom.packages.size());
  for (const Package& p : sbom.packages) {
    rows.push_back(
        {p.name, FullVersion(p), std::string(PackageTypeName(p.type))});
  }
  std::sort(rows.begin(), rows.end());
  rows.insert(rows.begin(), Row{"NAME", "VERSION", "TYPE"});
  std::array<size_t, 2> width{};
  for (const Row& r : rows) {
    width[0] = std::max(width[0], r[0].size());
    width[1] = std::max(width[1], r[1].size());
  }
  std::string out;
  for (const Row& r : rows) {
    out += r[0] + std::string(width[0] - r[0].size() + 2, ' ');
    out += r[1] + std::string(width[1] - r[1].size() + 2, ' ');
    out += r[2] + "\n";
  }
  if (!sbom.unknowns.empty()) {
    out += "\n" + std::to_string(sbom.unknowns.size()) +
           (sbom.unknowns.size() == 1 ? " record" : " records") +
           " could not be read (see -o json, \"unknowns\")\n";
  }
  return out;
}

}  // namespace strata::sbom::internal
