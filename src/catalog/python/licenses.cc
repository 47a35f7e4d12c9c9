#include "catalog/python/licenses.h"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "sbom/format_internal.h"
#include "sbom/model.h"

namespace strata::catalog::python {
namespace {

// Longest License / License-Expression value read as a licence name; longer
// values are licence texts.
constexpr size_t kMaxLicenseNameBytes = 128;

constexpr std::string_view kLicensePrefix = "License :: ";

// Trove licence classifiers (after "License :: ") that name exactly one SPDX
// id. Those that only say "BSD", "GPL", "LGPL" or "Artistic" are left out on
// purpose: they become LicenseRef-s.
constexpr std::array<std::pair<std::string_view, std::string_view>, 52>
    kClassifiers = {{
        {"Aladdin Free Public License (AFPL)", "Aladdin"},
        {"CC0 1.0 Universal (CC0 1.0) Public Domain Dedication", "CC0-1.0"},
        {"CeCILL-B Free Software License Agreement (CECILL-B)", "CECILL-B"},
        {"CeCILL-C Free Software License Agreement (CECILL-C)", "CECILL-C"},
        {"Nokia Open Source License (NOKOS)", "Nokia"},
        {"OSI Approved :: Apache Software License", "Apache-2.0"},
        {"OSI Approved :: Attribution Assurance License", "AAL"},
        {"OSI Approved :: Blue Oak Model License (BlueOak-1.0.0)",
         "BlueOak-1.0.0"},
        {"OSI Approved :: Boost Software License 1.0 (BSL-1.0)", "BSL-1.0"},
        {"OSI Approved :: CEA CNRS Inria Logiciel Libre License, version 2.1 "
         "(CeCILL-2.1)",
         "CECILL-2.1"},
        {"OSI Approved :: CMU License (MIT-CMU)", "MIT-CMU"},
        {"OSI Approved :: Common Development and Distribution License 1.0 "
         "(CDDL-1.0)",
         "CDDL-1.0"},
        {"OSI Approved :: Common Public License", "CPL-1.0"},
        {"OSI Approved :: Eclipse Public License 1.0 (EPL-1.0)", "EPL-1.0"},
        {"OSI Approved :: Eclipse Public License 2.0 (EPL-2.0)", "EPL-2.0"},
        {"OSI Approved :: Educational Community License, Version 2.0 "
         "(ECL-2.0)",
         "ECL-2.0"},
        {"OSI Approved :: European Union Public Licence 1.0 (EUPL 1.0)",
         "EUPL-1.0"},
        {"OSI Approved :: European Union Public Licence 1.1 (EUPL 1.1)",
         "EUPL-1.1"},
        {"OSI Approved :: European Union Public Licence 1.2 (EUPL 1.2)",
         "EUPL-1.2"},
        {"OSI Approved :: GNU Affero General Public License v3",
         "AGPL-3.0-only"},
        {"OSI Approved :: GNU Affero General Public License v3 or later "
         "(AGPLv3+)",
         "AGPL-3.0-or-later"},
        {"OSI Approved :: GNU General Public License v2 (GPLv2)",
         "GPL-2.0-only"},
        {"OSI Approved :: GNU General Public License v2 or later (GPLv2+)",
         "GPL-2.0-or-later"},
        {"OSI Approved :: GNU General Public License v3 (GPLv3)",
         "GPL-3.0-only"},
        {"OSI Approved :: GNU General Public License v3 or later (GPLv3+)",
         "GPL-3.0-or-later"},
        {"OSI Approved :: GNU Lesser General Public License v2 (LGPLv2)",
         "LGPL-2.0-only"},
        {"OSI Approved :: GNU Lesser General Public License v2 or later "
         "(LGPLv2+)",
         "LGPL-2.0-or-later"},
        {"OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)",
         "LGPL-3.0-only"},
        {"OSI Approved :: GNU Lesser General Public License v3 or later "
         "(LGPLv3+)",
         "LGPL-3.0-or-later"},
        {"OSI Approved :: Historical Permission Notice and Disclaimer (HPND)",
         "HPND"},
        {"OSI Approved :: IBM Public License", "IPL-1.0"},
        {"OSI Approved :: ISC License (ISCL)", "ISC"},
        {"OSI Approved :: MIT License", "MIT"},
        {"OSI Approved :: MIT No Attribution License (MIT-0)", "MIT-0"},
        {"OSI Approved :: MirOS License (MirOS)", "MirOS"},
        {"OSI Approved :: Mozilla Public License 1.0 (MPL)", "MPL-1.0"},
        {"OSI Approved :: Mozilla Public License 1.1 (MPL 1.1)", "MPL-1.1"},
        {"OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)", "MPL-2.0"},
        {"OSI Approved :: Mulan Permissive Software License v2 "
         "(MulanPSL-2.0)",
         "MulanPSL-2.0"},
        {"OSI Approved :: NASA Open Source Agreement v1.3 (NASA-1.3)",
         "NASA-1.3"},
        {"OSI Approved :: Open Software License 3.0 (OSL-3.0)", "OSL-3.0"},
        {"OSI Approved :: PostgreSQL License", "PostgreSQL"},
        {"OSI Approved :: Python License (CNRI Python License)", "CNRI-Python"},
        {"OSI Approved :: Python Software Foundation License", "PSF-2.0"},
        {"OSI Approved :: Qt Public License (QPL)", "QPL-1.0"},
        {"OSI Approved :: SIL Open Font License 1.1 (OFL-1.1)", "OFL-1.1"},
        {"OSI Approved :: The Unlicense (Unlicense)", "Unlicense"},
        {"OSI Approved :: Universal Permissive License (UPL)", "UPL-1.0"},
        {"OSI Approved :: University of Illinois/NCSA Open Source License",
         "NCSA"},
        {"OSI Approved :: W3C License", "W3C"},
        {"OSI Approved :: Zero-Clause BSD (0BSD)", "0BSD"},
        {"OSI Approved :: zlib/libpng License", "Zlib"},
    }};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// A License / License-Expression value that reads as a name: one short
// line, not the "UNKNOWN" setuptools writes for a missing licence.
bool IsName(std::string_view s) {
  return !s.empty() && s.size() <= kMaxLicenseNameBytes &&
         s.find('\n') == std::string_view::npos && s != "UNKNOWN";
}

void AddUnique(std::string license, std::vector<std::string>& out) {
  if (license.empty()) return;
  if (std::find(out.begin(), out.end(), license) == out.end()) {
    out.push_back(std::move(license));
  }
}

}  // namespace

std::string ClassifierLicense(std::string_view classifier) {
  classifier = Trim(classifier);
  if (!classifier.starts_with(kLicensePrefix)) return "";
  std::string_view rest = classifier.substr(kLicensePrefix.size());
  for (const auto& [key, spdx] : kClassifiers) {
    if (key == rest) return std::string(spdx);
  }
  if (rest == "OSI Approved" || rest == "DFSG approved") return "";
  size_t sep = rest.rfind(" :: ");
  std::string_view last =
      sep == std::string_view::npos ? rest : rest.substr(sep + 4);
  last = Trim(last);
  if (last.empty() || last.size() > kMaxLicenseNameBytes) return "";
  return sbom::LicenseRefFor(last);
}

std::vector<std::string> Licenses(std::string_view license_expression,
                                  std::string_view license,
                                  const std::vector<std::string>& classifiers) {
  std::vector<std::string> out;
  license_expression = Trim(license_expression);
  if (!license_expression.empty()) {
    if (auto expr =
            sbom::internal::NormalizeSpdxExpression(license_expression)) {
      return {*expr};
    }
    if (IsName(license_expression)) {
      return {sbom::LicenseRefFor(license_expression)};
    }
  }
  license = Trim(license);
  if (IsName(license)) {
    if (auto expr = sbom::internal::NormalizeSpdxExpression(license)) {
      return {*expr};
    }
  }
  for (const std::string& c : classifiers) AddUnique(ClassifierLicense(c), out);
  if (out.empty() && IsName(license)) {
    out.push_back(sbom::LicenseRefFor(license));
  }
  return out;
}

}  // namespace strata::catalog::python
