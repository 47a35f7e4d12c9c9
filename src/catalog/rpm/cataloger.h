// The rpm cataloger (see catalog/cataloger.h for the contract).
#ifndef STRATA_CATALOG_RPM_CATALOGER_H_
#define STRATA_CATALOG_RPM_CATALOGER_H_

#include "catalog/cataloger.h"

namespace strata::catalog::rpm {

// "rpm-db-cataloger"
Cataloger MakeRpmCataloger();

}  // namespace strata::catalog::rpm

#endif
