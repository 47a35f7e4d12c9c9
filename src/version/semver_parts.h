// Internal to strata_version: the SemVer 2.0.0 grammar and precedence that
// semver.cc (strict, for npm, Cargo and OSV SEMVER ranges) and golang.cc
// (Go modules: the same rules plus the vMAJOR and vMAJOR.MINOR shorthands)
// share.
#ifndef STRATA_VERSION_SEMVER_PARTS_H_
#define STRATA_VERSION_SEMVER_PARTS_H_

#include <string_view>

namespace strata::version::internal {

struct SemverParts {
  std::string_view major;
  std::string_view minor;       // "0" for Go's vMAJOR shorthand
  std::string_view patch;       // "0" for Go's shorthands
  std::string_view prerelease;  // without the '-'; empty when absent
};

// Parses [v]MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD] (numbers without leading
// zeros, dot-separated identifiers of [0-9A-Za-z-], numeric prerelease
// identifiers without leading zeros; build metadata is validated and
// dropped). With `go_shorthands`, [v]MAJOR and [v]MAJOR.MINOR (nothing
// after them) are accepted too. False when `v` is not such a version or is
// longer than kMaxVersionLength.
bool ParseSemverParts(std::string_view v, bool go_shorthands, SemverParts* out);

// Dot-separated non-empty identifiers of [0-9A-Za-z-]; without
// `allow_leading_zeros`, an all-digit identifier longer than one digit must
// not start with '0' (SemVer prerelease identifiers; NuGet labels follow the
// same rule).
bool ValidIdentifiers(std::string_view s, bool allow_leading_zeros);

// SemVer precedence (section 11): numbers by value, a version without a
// prerelease above one with, prerelease identifiers pairwise. <0, 0, >0.
int CompareSemverParts(const SemverParts& a, const SemverParts& b);

}  // namespace strata::version::internal

#endif  // STRATA_VERSION_SEMVER_PARTS_H_
