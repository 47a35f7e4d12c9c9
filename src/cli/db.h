// `strata db import SOURCE... [--db PATH]` and `strata db status [--db PATH]`:
// build and describe the offline vulnerability database (vulndb/vulndb.h,
// docs/formats/vulndb.md). An import is one transaction over all its
// sources; a source that cannot be read at all fails the whole import and
// leaves the database as it was. Skipped records are summarised on stderr.
//
// `strata db update [--db PATH] [--source NAME=URL]... [--only NAME,...]`,
// `strata db push REF [--db PATH]` and `strata db pull REF [--db PATH]`
// (with the registry flags): download the public sources into a new
// database, and distribute a database as an OCI artifact; the logic lives
// in cli/db_dist.h.
#ifndef STRATA_CLI_DB_H_
#define STRATA_CLI_DB_H_

#include <CLI/CLI.hpp>
#include <chrono>
#include <functional>
#include <string>

#include "vulndb/vulndb.h"

namespace strata::cli {

std::function<int()> SetupDb(CLI::App* cmd);

// The text `strata db status` prints, given the time now (a warning line
// when the database was built more than 7 days before `now`).
std::string FormatDbStatus(const vulndb::DbStatus& status,
                           std::chrono::system_clock::time_point now);

}  // namespace strata::cli

#endif  // STRATA_CLI_DB_H_
