// Path normalisation for paths inside an image (never host paths).
//
// Image paths are relative to the image root, use '/' separators, have no
// leading or trailing slash, no empty, "." or ".." components. The root
// itself is "".
#ifndef STRATA_BASE_PATH_H_
#define STRATA_BASE_PATH_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace strata::path {

// Normalises a tar entry name: leading '/' and "./" are dropped (absolute
// names are made relative, as container runtimes do), "//" and "." collapse,
// "a/../b" becomes "b". A name whose ".." climbs above the root, that
// contains a NUL byte, or that exceeds caps::kMaxPathLength is an error
// (kPermissionDenied for climbing, kResourceExhausted for length).
Result<std::string> NormalizeEntryPath(std::string_view name);

// Lexically joins an image directory and a relative link target, clamping
// ".." at the root (used for symlink resolution, where climbing above the
// root stays at the root, as in chroot).
std::string JoinClamped(std::string_view dir, std::string_view rel);

// Splits "a/b/c" into {"a","b","c"}; "" gives {}.
std::vector<std::string_view> Split(std::string_view normalized);

// "a/b/c" -> "a/b"; "a" -> "".
std::string_view Dirname(std::string_view normalized);
// "a/b/c" -> "c".
std::string_view Basename(std::string_view normalized);

// Joins two normalised paths ("" is the root).
std::string Join(std::string_view a, std::string_view b);

}  // namespace strata::path

#endif  // STRATA_BASE_PATH_H_
