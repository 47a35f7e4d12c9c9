// Licences of a Debian package from its usr/share/doc/<pkg>/copyright file.
//
// Machine-readable (DEP-5) files: every "License:" field's short name, split
// on " or ", " and " and ",", an exception (" with ... exception") dropped,
// mapped to SPDX. Other files: every reference to
// /usr/share/common-licenses/<NAME>; a versioned GPL-family name becomes
// "-or-later" when the file says "any later version".
// Names without an SPDX equivalent become "LicenseRef-<name>" with every
// character outside [A-Za-z0-9.-] replaced by '-'.
// Thread-safety: pure functions.
#ifndef STRATA_CATALOG_DPKG_LICENSES_H_
#define STRATA_CATALOG_DPKG_LICENSES_H_

#include <string>
#include <string_view>
#include <vector>

namespace strata::catalog::dpkg {

// The SPDX id of a Debian short licence name ("GPL-2+" ->
// "GPL-2.0-or-later", "Expat" -> "MIT", "bsd-3-clause" -> "BSD-3-Clause");
// an SPDX id in any case gives its canonical spelling; anything else gives
// "LicenseRef-<sanitised name>".
std::string DebianLicenseToSpdx(std::string_view name);

// The licences a copyright file declares: sorted, without duplicates, at
// most a capped number (constant in licenses.cc).
std::vector<std::string> ParseCopyrightLicenses(std::string_view content);

}  // namespace strata::catalog::dpkg

#endif  // STRATA_CATALOG_DPKG_LICENSES_H_
