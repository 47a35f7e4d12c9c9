// What an SBOM package is called in vulnerability data: the OSV ecosystem
// ("Debian:12", "Alpine:v3.20", "AlmaLinux:9", "PyPI", "Go", ...), the
// names advisories use for it and the version to compare, one rule per
// package type in one table (target.cc).
//
// OS packages are looked up in their distro's ecosystem by SOURCE package
// (Debian and Alpine advisories name source packages; a binary package is
// affected when its source is) and, for rpm, by binary name too. Their
// version is the source version where the package database records one
// (a binNMU "+b1" or a binary-only epoch is not what advisories name).
#ifndef STRATA_SCAN_TARGET_H_
#define STRATA_SCAN_TARGET_H_

#include <optional>
#include <string>
#include <vector>

#include "sbom/model.h"
#include "version/version.h"

namespace strata::scan {

struct Target {
  std::string ecosystem;           // OSV ecosystem, with release if any
  std::vector<std::string> names;  // to look up, most specific first
  std::string version;             // as the ecosystem's advisories write it
  version::Scheme scheme;          // for ECOSYSTEM ranges
  // Other spellings of the same ecosystem in OSV data, looked up too
  // (Ubuntu LTS releases: "Ubuntu:22.04:LTS" beside "Ubuntu:22.04").
  std::vector<std::string> also;
};

// The OSV ecosystem of an image's distro ("Debian:12", "Ubuntu:22.04",
// "Alpine:v3.20", "AlmaLinux:9", "Rocky Linux:9", ...), or "" when unknown.
std::string DistroEcosystem(const sbom::Distro& distro);

// nullopt: packages that no vulnerability data names (binaries without a
// known ecosystem, OS packages of an unknown distro).
std::optional<Target> TargetFor(const sbom::Package& p,
                                const sbom::Distro& distro);

}  // namespace strata::scan

#endif  // STRATA_SCAN_TARGET_H_
