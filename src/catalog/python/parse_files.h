// Parsers for the file lists of installed Python distributions, pure
// functions over bytes (no image):
//   <name>-<version>.dist-info/RECORD (PEP 376 / the wheel spec): CSV rows
//     "path,hash,size", paths relative to the site directory (the parent of
//     the .dist-info), or absolute;
//   <name>.egg-info/installed-files.txt (pip for setuptools installs): one
//     path per line, relative to the .egg-info directory.
// Paths come back as normalised image paths (no leading '/'), in file
// order; a path that climbs above the image root, or that cannot be
// normalised (too long, a NUL byte), is dropped. Rows without a path are
// skipped.
//
// All input is hostile: paths per list are capped (constant at the top of
// parse_files.cc).
// Thread-safety: pure functions.
#ifndef STRATA_CATALOG_PYTHON_PARSE_FILES_H_
#define STRATA_CATALOG_PYTHON_PARSE_FILES_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace strata::catalog::python {

// Paths of a RECORD file. `site_dir` is the normalised image path of the
// site directory. CSV as Python's csv module writes it: fields may be
// quoted with '"' (a doubled '"' inside is one quote, a quoted field may
// span lines), CRLF accepted.
// Errors: an unterminated quoted field (kDataLoss), more paths than the cap
// (kResourceExhausted).
Result<std::vector<std::string>> ParseRecord(std::string_view bytes,
                                             std::string_view site_dir);

// Paths of an installed-files.txt; `egg_info_dir` is the normalised image
// path of the .egg-info directory. The directory's own entry ("./") is
// dropped.
// Errors: more paths than the cap (kResourceExhausted).
Result<std::vector<std::string>> ParseInstalledFiles(
    std::string_view bytes, std::string_view egg_info_dir);

}  // namespace strata::catalog::python

#endif  // STRATA_CATALOG_PYTHON_PARSE_FILES_H_
