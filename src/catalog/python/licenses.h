// Licences of an installed Python distribution, from its core metadata
// (https://packaging.python.org/en/latest/specifications/core-metadata/).
//
// In order of precedence:
//   1. License-Expression (PEP 639): the SPDX expression, normalised;
//   2. License, when it is an SPDX expression ("MIT", "BSD-3-Clause OR
//      Apache-2.0");
//   3. every "License :: ..." trove classifier, mapped to its SPDX id
//      ("License :: OSI Approved :: MIT License" -> "MIT"); a classifier
//      without an unambiguous SPDX id becomes "LicenseRef-<its last
//      part>"; the bare categories "License :: OSI Approved" and
//      "License :: DFSG approved" say nothing and are skipped;
//   4. License as free text, when it is one short line and not "UNKNOWN":
//      "LicenseRef-<text>" (a multi-line License field is the licence text
//      itself, not a name).
// A License-Expression that is not a valid expression is kept as
// "LicenseRef-<text>" under the same short-line rule.
// Thread-safety: pure functions.
#ifndef STRATA_CATALOG_PYTHON_LICENSES_H_
#define STRATA_CATALOG_PYTHON_LICENSES_H_

#include <string>
#include <string_view>
#include <vector>

namespace strata::catalog::python {

// The SPDX id of a "License :: ..." classifier, "LicenseRef-..." for one
// without an SPDX equivalent, "" for a bare category or a classifier that is
// not a licence classifier.
std::string ClassifierLicense(std::string_view classifier);

// The licences of a distribution (see above), without duplicates, in the
// order found.
std::vector<std::string> Licenses(std::string_view license_expression,
                                  std::string_view license,
                                  const std::vector<std::string>& classifiers);

}  // namespace strata::catalog::python

#endif  // STRATA_CATALOG_PYTHON_LICENSES_H_
