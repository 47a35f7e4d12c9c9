// package.json, the manifest of an npm package (installed under
// node_modules/, in Debian's usr/share/nodejs/, or a project's own).
//
// Read fields: name, version, license (a string, {"type": ...}, or the
// legacy "licenses" array of either), description (made one line), author
// (a string or {"name", "email"}), homepage, repository (a string or
// {"url"}), and the keys of "dependencies". Optional fields of an
// unexpected type are ignored; a name or version that is not a string is an
// error.
// Thread-safety: pure functions.
#ifndef STRATA_CATALOG_JAVASCRIPT_PACKAGE_JSON_H_
#define STRATA_CATALOG_JAVASCRIPT_PACKAGE_JSON_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace strata::catalog::javascript {

struct PackageJson {
  std::string name;                   // "" when absent
  std::string version;                // "" when absent
  std::vector<std::string> licenses;  // NormalizeLicense of each
  std::string description;            // one line
  std::string author;                 // "Name <email>"
  std::string homepage;
  std::string repository;            // URL
  std::vector<std::string> depends;  // keys of "dependencies", sorted
};

// Errors (kDataLoss unless a cap, kResourceExhausted): invalid JSON, over
// the size cap (constant in package_json.cc), not an object, name or version
// not a string.
Result<PackageJson> ParsePackageJson(std::string_view text);

// A licence as an npm manifest or lock states it: an SPDX expression
// ("MIT", "(MIT OR Apache-2.0)", "GPL-2.0+ WITH Classpath-exception-2.0")
// is kept as written; anything else ("Apache 2.0", "MIT/X11", "SEE LICENSE
// IN LICENSE.md") becomes sbom::LicenseRefFor(text). Only the expression
// syntax is checked here, not the SPDX list: the SBOM writers map an id
// that is not on the list. Surrounding blanks are trimmed; "" stays "".
std::string NormalizeLicense(std::string_view text);

// The licences of a package.json or package-lock entry object: "license"
// (string or {"type"}), else each of the legacy "licenses" array (strings
// or {"type"}); normalised, empty ones dropped.
std::vector<std::string> LicensesOf(const json::Json& object);

// The keys of object member `key` when it is an object, sorted; else {}.
std::vector<std::string> KeysOf(const json::Json& object, std::string_view key);

}  // namespace strata::catalog::javascript

#endif  // STRATA_CATALOG_JAVASCRIPT_PACKAGE_JSON_H_
