// Reads the installed-package list from an RPM database held in memory.
//
// rpm has stored its database in three formats; all three are read here
// without any rpm or Berkeley DB library, from the bytes of one file:
//   - Berkeley DB hash `Packages` (RHEL/CentOS <= 8, Amazon Linux 2): the
//     metadata page gives the page size and byte order; every hash page is
//     walked and each value (inline or an overflow-page chain) is a header.
//   - NDB `Packages.db` (SUSE): "RpmP" header, slot pages of
//     (pkgidx, blkoff, blkcnt), each slot naming a "BlbS" ... "BlbE" blob
//     whose Adler-32 trailer is verified.
//   - SQLite `rpmdb.sqlite` (Fedora >= 33, RHEL 9, Mariner): rows of
//     `Packages(hnum, blob)`, opened read-only from a private copy of the
//     bytes with sqlite3_deserialize (never a temporary file), with defensive
//     settings, length limits and a step budget against hostile databases.
// Each record is an RPM header blob (big-endian il, dl, il 16-byte index
// entries, dl data bytes), parsed and validated here as rpm's own
// hdrblobInit does (lengths, region tag and trailer, types, alignment,
// ordering, string termination) before the package fields are extracted.
//
// All input bytes are hostile. Sizes are capped (caps at the top of each
// .cc); a corrupt record becomes a `problems` line and the others are still
// returned; a database whose structure is broken as a whole is an error.
//
// Thread-safety: the functions are pure; they may be called concurrently.
// Results own all their data (no views into the input).
#ifndef STRATA_RPMDB_RPMDB_H_
#define STRATA_RPMDB_RPMDB_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace strata::rpmdb {

enum class DbFormat { kBerkeleyDb, kNdb, kSqlite };

// Detects the format from the file's magic bytes: "SQLite format 3\0",
// "RpmP" (NDB) or the Berkeley DB hash magic 0x061561 at byte 12 in either
// byte order. Anything else is kDataLoss "not an rpm database ...".
Result<DbFormat> DetectFormat(std::string_view bytes);

// One installed package, from one header. Text fields are empty when the
// tag is absent; a package always has a name, version and release.
struct Package {
  std::string name, version, release, arch, source_rpm, license, vendor,
      modularity_label;
  // Also kept (the NDB fixture's oracle lists them): SUMMARY (first
  // translation) and SIGMD5 as lowercase hex.
  std::string summary, sigmd5;
  std::optional<int32_t> epoch;  // absent vs 0 matters for version compares
  int64_t size = 0;              // LONGSIZE if present, else SIZE
  // Full paths: DIRNAMES[DIRINDEXES[i]] + BASENAMES[i], or the legacy
  // OLDFILENAMES, in header order.
  std::vector<std::string> files;
  std::vector<std::string> requires_names, provides_names;
};

struct ReadResult {
  // Installed packages in database order, gpg-pubkey pseudo-packages
  // excluded.
  std::vector<Package> packages;
  // The imported signing keys (name "gpg-pubkey") that `rpm -qa` lists
  // too; kept apart so the caller decides whether they are packages.
  std::vector<Package> gpg_pubkeys;
  // One line per record that failed to parse ("header 12: ..."); the other
  // records are still returned.
  std::vector<std::string> problems;
};

// Parses a whole database (any of the three formats, detected from the
// bytes). A database whose structure is broken as a whole is kDataLoss with
// a one-line message; exceeding a cap (records, output bytes, SQLite step
// budget) is kResourceExhausted; a single bad header is a `problems` line.
Result<ReadResult> ReadDatabase(std::string_view bytes);

// Parses one header blob exactly as stored in the database (no 8-byte
// header magic in front; `blob` must be exactly 8 + 16 * il + dl bytes).
// Errors are kDataLoss (kResourceExhausted for caps) naming the tag.
Result<Package> ParseHeaderBlob(std::string_view blob);

}  // namespace strata::rpmdb

#endif  // STRATA_RPMDB_RPMDB_H_
