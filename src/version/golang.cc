// Go module version ordering: the rules of golang.org/x/mod/semver Compare,
// which are SemVer's (semver_parts.h) plus two shorthands.
// A version is vMAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]]; the shorthands
// vMAJOR and vMAJOR.MINOR (no prerelease or build) mean vMAJOR.0.0 and
// vMAJOR.MINOR.0. Build metadata, "+incompatible" included, is ignored in
// order. Pseudo-versions (v0.0.0-20191109021931-daa7c04131f5,
// v1.2.4-0.20191109021931-daa7c04131f5, v1.2.3-pre.0.2019...) need no special
// case: they are the SemVer prereleases they spell. OSV's Go ecosystem writes
// versions without the 'v' ("1.2.3"): a missing 'v' is taken as present.
// Unlike x/mod/semver, where an invalid version sorts below every valid one,
// an invalid version is an error here.
#include <string>

#include "version/semver_parts.h"
#include "version/version.h"

namespace strata::version {

Result<int> CompareGo(std::string_view a, std::string_view b) {
  internal::SemverParts va, vb;
  for (auto [v, parts] : {std::pair{a, &va}, std::pair{b, &vb}}) {
    if (!internal::ParseSemverParts(v, /*go_shorthands=*/true, parts)) {
      return InvalidArgumentError("invalid go version \"" +
                                  std::string(v.substr(0, 100)) + "\"");
    }
  }
  return internal::CompareSemverParts(va, vb);
}

}  // namespace strata::version
