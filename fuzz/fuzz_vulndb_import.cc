// Fuzzes the vulnerability-database importers: the input is imported as one
// source into a private in-memory database (kind detected from content: an
// OSV zip or JSON record, a Debian tracker, Alpine secdb or KEV document, an
// EPSS CSV, any of them gzipped), then read back through the read API.
// Errors and skipped records are expected; crashes, hangs and leaks are bugs.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "vulndb/vulndb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto db = strata::vulndb::Db::OpenForImport(":memory:");
  if (!db.ok()) return 0;
  auto stats = (*db)->ImportBytes("fuzz", input);
  if (!stats.ok()) return 0;
  // Read back through Status and one lookup per ecosystem.
  auto status = (*db)->Status();
  if (!status.ok()) return 0;
  for (const auto& [ecosystem, count] : status->advisories_per_ecosystem) {
    (void)count;
    (*db)->Lookup(ecosystem, "x").status().IgnoreError();
  }
  return 0;
}
