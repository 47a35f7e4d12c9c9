// The Go binary cataloger (see catalog/cataloger.h for the contract).
//
// Capture rule "go-binary": every executable regular file that starts with
// the ELF magic, up to 256 MiB; its reduce keeps only the build information
// text (buildinfo.h), nothing for other files. For each Go binary in the
// final view, modinfo.h's packages: the dependency modules, the main
// module and the standard library ("stdlib"), located at the binary.
// A binary over the cap, a corrupt build info blob or unparsable build
// information becomes an unknown.
#ifndef STRATA_CATALOG_GOLANG_CATALOGER_H_
#define STRATA_CATALOG_GOLANG_CATALOGER_H_

#include "catalog/cataloger.h"

namespace strata::catalog::golang {

// "go-module-binary-cataloger"
Cataloger MakeGolangCataloger();

}  // namespace strata::catalog::golang

#endif  // STRATA_CATALOG_GOLANG_CATALOGER_H_
