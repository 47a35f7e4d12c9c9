// Version ordering per ecosystem: one file per scheme (dpkg.cc, apk.cc,
// rpm.cc, semver.cc, pep440.cc, maven.cc, golang.cc, rubygems.cc, nuget.cc,
// composer.cc), registered in one table (version.cc). Each comparator is
// checked in its tests against the ecosystem's own implementation where
// Debian ships one (dpkg --compare-versions, rpm.labelCompare from
// python3-rpm, python3-packaging, Maven's ComparableVersion, node-semver,
// Ruby's Gem::Version), on many generated cases.
//
// Versions come from hostile input (SBOMs, package databases, advisories):
// every comparator is total over valid versions, rejects invalid ones with
// kInvalidArgument "invalid <scheme> version \"<first 100 bytes>\"" and
// never crashes, loops or allocates without bound (versions longer than
// kMaxVersionLength are invalid).
#ifndef STRATA_VERSION_VERSION_H_
#define STRATA_VERSION_VERSION_H_

#include <string_view>

#include "base/status.h"

namespace strata::version {

inline constexpr size_t kMaxVersionLength = 256;

enum class Scheme {
  kDpkg,      // Debian, Ubuntu: epoch:upstream-revision, '~' sorts first
  kApk,       // Alpine: apk-tools version rules (suffixes _alpha.._p, -rN)
  kRpm,       // RHEL family, SUSE: rpmvercmp with epoch, '~' and '^'
  kSemver,    // SemVer 2.0.0 (npm, Cargo, OSV "SEMVER" ranges); a leading
              // 'v' and build metadata are accepted and ignored in order
  kPep440,    // PyPI
  kMaven,     // Maven ComparableVersion
  kGo,        // Go modules: semver with 'v', +incompatible, pseudo-versions
  kRubyGems,  // Gem::Version
  kNuGet,     // NuGet: 4-part versions, SemVer 2 prerelease, case-insensitive
  kComposer,  // Packagist: Composer's version normalisation and ordering
};

std::string_view SchemeName(Scheme s);  // "dpkg", "apk", ..., "composer"

// The scheme of an OSV ecosystem name; the part after ':' (a release,
// "Debian:12", "Alpine:v3.20") is ignored. kNotFound for ecosystems
// without ordered versions (GIT, ...).
//   Debian Ubuntu -> dpkg; Alpine Wolfi Chainguard -> apk; AlmaLinux
//   Rocky Red Hat SUSE openSUSE Mageia Photon... -> rpm; npm crates.io
//   Hex Pub SwiftURL -> semver; PyPI -> pep440; Maven -> maven; Go -> go;
//   RubyGems -> rubygems; NuGet -> nuget; Packagist -> composer.
Result<Scheme> SchemeForEcosystem(std::string_view ecosystem);

// Orders a and b under `s`: negative, zero or positive. Errors as above.
Result<int> Compare(Scheme s, std::string_view a, std::string_view b);

// Validates a version under `s` (Compare of a with itself, cheaper).
Status Validate(Scheme s, std::string_view v);

// The per-scheme comparators the table in version.cc dispatches to.
Result<int> CompareDpkg(std::string_view a, std::string_view b);
Result<int> CompareApk(std::string_view a, std::string_view b);
Result<int> CompareRpm(std::string_view a, std::string_view b);
Result<int> CompareSemver(std::string_view a, std::string_view b);
Result<int> ComparePep440(std::string_view a, std::string_view b);
Result<int> CompareMaven(std::string_view a, std::string_view b);
Result<int> CompareGo(std::string_view a, std::string_view b);
Result<int> CompareRubyGems(std::string_view a, std::string_view b);
Result<int> CompareNuGet(std::string_view a, std::string_view b);
Result<int> CompareComposer(std::string_view a, std::string_view b);

}  // namespace strata::version

#endif  // STRATA_VERSION_VERSION_H_
