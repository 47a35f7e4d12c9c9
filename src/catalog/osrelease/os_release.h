// Distro identification: etc/os-release, usr/lib/os-release, with fallbacks
// to etc/alpine-release, etc/debian_version and etc/redhat-release /
// etc/centos-release / etc/SuSE-release style files.
#ifndef STRATA_CATALOG_OSRELEASE_OS_RELEASE_H_
#define STRATA_CATALOG_OSRELEASE_OS_RELEASE_H_

#include <string_view>
#include <vector>

#include "image/loader.h"
#include "sbom/model.h"

namespace strata::catalog::osrelease {

// Files to capture for detection.
std::vector<std::string_view> Globs();

// Parses os-release syntax (KEY=value, "double" quotes with backslash
// escapes, 'single' quotes, comments, blank lines, no expansion); reads ID,
// VERSION_ID, VERSION_CODENAME (else the parenthesised word of VERSION),
// NAME, PRETTY_NAME, ID_LIKE (split on spaces). Unknown keys are ignored;
// lines and value bytes are capped (constants in os_release.cc).
sbom::Distro ParseOsRelease(std::string_view content);

// Detects the distro of a loaded image (files read with image::ReadFile,
// symlinks followed): etc/os-release, usr/lib/os-release, then
// etc/alpine-release, etc/debian_version ("12.5" -> "12", "bookworm/sid" ->
// codename "bookworm"), etc/{redhat,centos,system}-release ("Red Hat
// Enterprise Linux release 9.4 (Plow)"), etc/SuSE-release, etc/lsb-release.
// Empty Distro when nothing is found.
sbom::Distro Detect(const image::LoadedImage& image);

}  // namespace strata::catalog::osrelease

#endif  // STRATA_CATALOG_OSRELEASE_OS_RELEASE_H_
