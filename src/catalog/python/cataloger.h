// The installed Python package cataloger (see catalog/cataloger.h for the
// contract).
//
// Finds every installed distribution anywhere in the image (site-packages,
// dist-packages, virtualenvs, --target directories) by its metadata:
//   <site>/<name>-<version>.dist-info/METADATA   (wheels: pip, uv, ...)
//     files from the sibling RECORD;
//   <site>/<name>[-<version>].egg-info/PKG-INFO  (setuptools, Debian's
//     python3-* packages)
//     files from the sibling installed-files.txt, dependencies also from
//     requires.txt;
//   <site>/<name>-<version>.egg-info             (one file: the PKG-INFO of
//     distutils installs);
//   <site>/<name>-<version>.egg/EGG-INFO/PKG-INFO  (unzipped eggs)
//     dependencies also from requires.txt.
// For each one (parse_metadata.h, parse_files.h, licenses.h):
//   name, version  as written in the metadata; provides the PEP 503
//                  normalised name when it differs, so that `depends`
//                  (normalised Requires-Dist names) resolve;
//   description    Summary;
//   files          the listed paths as image paths (SOURCES.txt is not
//                  read: its paths are the source tree's, not installed
//                  files);
//   extra          "python.site": the directory holding the metadata
//                  directory (for an egg, the directory holding the .egg);
//   locations      the metadata file.
// The same distribution (normalised name and version) found twice in one
// site directory (Debian ships both foo-1.0.dist-info and foo.egg-info for
// some packages) is one package with both locations; the first in the order
// above supplies the data.
// Unreadable or malformed metadata becomes an unknown; an unreadable file
// list becomes an unknown and the package is kept without files.
// purl and cpes are left for sbom::Finalize.
#ifndef STRATA_CATALOG_PYTHON_CATALOGER_H_
#define STRATA_CATALOG_PYTHON_CATALOGER_H_

#include "catalog/cataloger.h"

namespace strata::catalog::python {

// "python-installed-package-cataloger"
Cataloger MakePythonCataloger();

}  // namespace strata::catalog::python

#endif  // STRATA_CATALOG_PYTHON_CATALOGER_H_
