// The three storage formats of the rpm database, each reduced to a walk over
// its records. Internal to strata_rpmdb; see rpmdb.h for the contract.
#ifndef STRATA_RPMDB_BACKENDS_H_
#define STRATA_RPMDB_BACKENDS_H_

#include <cstdint>
#include <functional>
#include <string_view>

#include "base/status.h"

namespace strata::rpmdb::internal {

// Called once per record with its id (BDB key, NDB pkgidx, SQLite hnum) and
// its header blob, or the error that kept that one record from being read.
// The blob view lives until the visitor returns. A non-OK return stops the
// walk and is returned by the walker.
using RecordVisitor =
    std::function<Status(int64_t id, Result<std::string_view> blob)>;

// Each returns kDataLoss when the database structure as a whole is broken.
Status WalkBerkeleyDb(std::string_view bytes, const RecordVisitor& visit);
Status WalkNdb(std::string_view bytes, const RecordVisitor& visit);
Status WalkSqlite(std::string_view bytes, const RecordVisitor& visit);

}  // namespace strata::rpmdb::internal

#endif  // STRATA_RPMDB_BACKENDS_H_
