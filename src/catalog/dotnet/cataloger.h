// The .NET dependency cataloger (see catalog/cataloger.h for the contract).
//
// Reads every <app>.deps.json in the image (parse_deps_json.h): one package
// per NuGet package library, located at the deps.json. A file that cannot
// be read becomes an unknown; so does each library that cannot be read, and
// the file's other packages are kept. purl and cpes are left for
// sbom::Finalize.
#ifndef STRATA_CATALOG_DOTNET_CATALOGER_H_
#define STRATA_CATALOG_DOTNET_CATALOGER_H_

#include "catalog/cataloger.h"

namespace strata::catalog::dotnet {

// "dotnet-deps-cataloger"
Cataloger MakeDotnetCataloger();

}  // namespace strata::catalog::dotnet

#endif  // STRATA_CATALOG_DOTNET_CATALOGER_H_
