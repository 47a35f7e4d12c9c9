// The installed Composer package cataloger (see catalog/cataloger.h for the
// contract).
//
// Reads <project>/vendor/composer/installed.json anywhere in the image
// (Composer 1 and 2 formats, parse_installed_json.h): one package per
// entry, located at the installed.json. A file that cannot be read becomes
// an unknown; so does each entry that cannot be read, and the file's other
// packages are kept. purl and cpes are left for sbom::Finalize.
#ifndef STRATA_CATALOG_PHP_CATALOGER_H_
#define STRATA_CATALOG_PHP_CATALOGER_H_

#include "catalog/cataloger.h"

namespace strata::catalog::php {

// "php-composer-installed-cataloger"
Cataloger MakePhpCataloger();

}  // namespace strata::catalog::php

#endif  // STRATA_CATALOG_PHP_CATALOGER_H_
