// The apk cataloger (see catalog/cataloger.h for the contract).
#ifndef STRATA_CATALOG_APK_CATALOGER_H_
#define STRATA_CATALOG_APK_CATALOGER_H_

#include "catalog/cataloger.h"

namespace strata::catalog::apk {

// "apk-db-cataloger"
Cataloger MakeApkCataloger();

}  // namespace strata::catalog::apk

#endif
