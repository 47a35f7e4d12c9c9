// Fuzzes the installed Python package parsers (catalog/python/
// parse_metadata.h, parse_files.h, licenses.h) and checks their promises:
// accepted metadata has a name and a version, file lists are normalised
// image paths below the root.
#include <cstdint>
#include <string>
#include <string_view>

#include "catalog/python/licenses.h"
#include "catalog/python/parse_files.h"
#include "catalog/python/parse_metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata::catalog::python;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto m = ParseMetadata(bytes); m.ok()) {
    if (m->name.empty() || m->version.empty()) __builtin_trap();
    Licenses(m->license_expression, m->license, m->classifiers);
  }
  for (const std::string& d : ParseRequiresTxt(bytes)) {
    if (d.empty()) __builtin_trap();
  }
  auto check = [](const auto& files) {
    if (!files.ok()) return;
    for (const std::string& f : *files) {
      if (f.empty() || f.front() == '/' || f == ".." || f.starts_with("../")) {
        __builtin_trap();
      }
    }
  };
  check(ParseRecord(bytes, "usr/lib/python3/dist-packages"));
  check(ParseInstalledFiles(bytes, "usr/lib/python3/dist-packages/x.egg-info"));
  return 0;
}
