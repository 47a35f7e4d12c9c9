// Parser of apk's installed database (lib/apk/db/installed), a pure
// function over bytes.
//
// The format: one record per package, records separated by blank lines,
// each line "X:value" with a one-letter key. Kept: P name, V version,
// A arch, o origin (source package), L license, m maintainer, T description,
// D depends, p provides, F directory and the R files inside it. Other keys
// (C, S, I, U, t, c, k, i, r, q, M, a, Z, ...) are skipped. CRLF line ends
// and a missing final newline are accepted.
//
// A record that cannot be read (no P or V, a conflicting repeated P/V/A,
// a line that is not "X:value", a line longer than the line cap) becomes a
// RecordIssue and parsing goes on with the next record. Database-wide caps
// (packages, list entries, file path bytes) are kResourceExhausted errors.
#ifndef STRATA_CATALOG_APK_PARSE_INSTALLED_H_
#define STRATA_CATALOG_APK_PARSE_INSTALLED_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "sbom/model.h"

namespace strata::catalog::apk {

struct RecordIssue {
  int line = 0;        // 1-based line where the record starts
  std::string reason;  // "record at line 3: no package name (P:)"
};

struct InstalledDb {
  // type kApk with name, version, architecture, source_name (origin),
  // licenses, maintainer, description, depends, provides and files filled;
  // locations, cataloger and ids are left to the caller. In file order.
  std::vector<sbom::Package> packages;
  std::vector<RecordIssue> issues;
};

// Dependencies keep their name only: "musl>=1.2" -> "musl",
// "so:libc.musl-x86_64.so.1" as is, conflicts keep their "!" ("!foo").
// Provides drop "=version". Licenses: the L value as one expression when it
// reads as an SPDX expression (ids joined by AND/OR/WITH, parentheses),
// else each space-separated word, as is when it looks like an SPDX id and as
// "LicenseRef-<word>" (characters outside [A-Za-z0-9.-] replaced by '-')
// otherwise.
Result<InstalledDb> ParseInstalled(std::string_view bytes);

}  // namespace strata::catalog::apk

#endif  // STRATA_CATALOG_APK_PARSE_INSTALLED_H_
