// Parser of Composer's vendor/composer/installed.json, a pure function over
// bytes.
//
// Composer 1 writes a JSON array of packages; Composer 2 an object
//   {"packages": [...], "dev": true, "dev-package-names": ["a/b", ...]}.
// Each package object is read for "name", "version" (both required
// strings), "version_normalized", "type", "description", "license" (an
// array of strings, or one string), "require" (an object whose keys are
// package names or platform requirements such as "php", "ext-json") and
// "dist": {"shasum": ...}. Everything else is skipped.
// See https://getcomposer.org/doc/04-schema.md.
//
// All input is hostile: the document size is capped (the capture cap) and
// so is the number of packages (constant at the top of
// parse_installed_json.cc); JSON nesting is capped by base/json.h.
// Thread-safety: pure functions.
#ifndef STRATA_CATALOG_PHP_PARSE_INSTALLED_JSON_H_
#define STRATA_CATALOG_PHP_PARSE_INSTALLED_JSON_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "sbom/model.h"

namespace strata::catalog::php {

struct InstalledJson {
  // type kPhpComposer with name ("vendor/package"), version (as written,
  // "v1.2.3" included), description, licenses (an SPDX expression when the
  // entry is one, else "LicenseRef-<entry>"; "proprietary" included),
  // depends (the "require" keys that name packages: those with a '/'),
  // digests ("SHA-1" from dist.shasum when it is 40 hex digits) and extra
  // ("composer.version_normalized", "composer.type", and "composer.dev" =
  // "true" for the packages Composer 2 lists in dev-package-names) filled.
  // Locations and cataloger are left to the caller. In file order.
  std::vector<sbom::Package> packages;
  // "package 3: no name", one per package that could not be read (a
  // missing or non-string name or version, a field of the wrong type).
  std::vector<std::string> problems;
};

// Errors: invalid JSON, a document that is neither an array nor an object
// with a "packages" array (kDataLoss), more packages than the cap
// (kResourceExhausted).
Result<InstalledJson> ParseInstalledJson(std::string_view bytes);

}  // namespace strata::catalog::php

#endif  // STRATA_CATALOG_PHP_PARSE_INSTALLED_JSON_H_
