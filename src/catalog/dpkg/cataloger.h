// The dpkg cataloger (see catalog/cataloger.h for the contract).
//
// Reads var/lib/dpkg/status and the distroless var/lib/dpkg/status.d/<pkg>
// files (parse_status.h); for each installed package:
//   files      info/<pkg>:<arch>.list or info/<pkg>.list, else the md5sums
//              (status.d/<file>.md5sums, info/<pkg>[:<arch>].md5sums);
//              paths that are directories in the image are left out;
//   licenses   usr/share/doc/<pkg>/copyright (licenses.h), only <pkg>'s own
//              doc dir, never the source package's;
//   introduced_layer  the first layer whose copy of the same database file
//              lists the same (name, version, architecture): every captured
//              copy parsed once;
//   locations  the database file in the final view.
// Bad stanzas and unreadable files (over the capture cap) become unknowns.
// purl and cpes are left for sbom::Finalize.
#ifndef STRATA_CATALOG_DPKG_CATALOGER_H_
#define STRATA_CATALOG_DPKG_CATALOGER_H_

#include "catalog/cataloger.h"

namespace strata::catalog::dpkg {

// "dpkg-db-cataloger"
Cataloger MakeDpkgCataloger();

}  // namespace strata::catalog::dpkg

#endif  // STRATA_CATALOG_DPKG_CATALOGER_H_
