// Reads a Java archive (a zip: jar, war, ear, ...) from memory with
// libarchive and collects, for it and every archive nested in it at any
// depth, the facts the cataloger names packages from: its SHA-1, the main
// section of META-INF/MANIFEST.MF, every pom.properties (with the licences
// of the pom.xml beside it). Nothing else is decompressed: other entries
// are skipped through the central directory.
//
// Hostile input: every archive must have an end-of-central-directory record
// whose entry count fits the remaining entry allowance; each decompressed
// file is capped (metadata and nested archives separately, checked against
// the declared size first and against the bytes actually inflated, so a zip
// bomb stops at the cap); all bytes decompressed from one outer archive
// share one budget; nesting deeper than max_depth is not opened.
//
// Errors: the outer archive itself unreadable (no end-of-central-directory
// record, corrupt central directory or headers, too many entries) is an
// error Status. Anything wrong below it (a nested archive that is corrupt,
// too deep or too large, a metadata file over its cap or with corrupt data,
// an invalid manifest, the spent budget) becomes a Problem and the scan goes
// on, except that once the budget is spent nothing more is decompressed.
// Deterministic; thread-safe (no shared state).
#ifndef STRATA_CATALOG_JAVA_ARCHIVE_H_
#define STRATA_CATALOG_JAVA_ARCHIVE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/caps.h"
#include "base/status.h"
#include "catalog/java/metadata.h"

namespace strata::catalog::java {

// File name extensions of Java archives (syft's list), also used to find
// nested archives (compared case-insensitively).
inline constexpr std::string_view kArchiveExtensions[] = {
    ".jar", ".war", ".ear", ".par", ".sar",
    ".nar", ".jpi", ".hpi", ".kar", ".lpkg"};
bool IsArchiveName(std::string_view file_name);

struct ScanLimits {
  // One archive: the outer file (the capture rule's max_file_bytes) and
  // each nested one.
  int64_t max_archive_bytes = 256 * caps::kMiB;
  // Everything decompressed from one outer archive (nested archives and
  // metadata files together).
  int64_t max_expanded_bytes = 256 * caps::kMiB;
  // One manifest, pom.properties or pom.xml.
  int64_t max_metadata_bytes = 1 * caps::kMiB;
  // Entries of the outer archive and all nested ones together (libarchive
  // keeps the whole central directory of an archive in memory).
  int64_t max_entries = 1'000'000;
  // Levels of archives inside the outer one.
  int max_depth = 8;
};

struct PomFacts {
  std::string path;  // in its archive: "META-INF/maven/g/a/pom.properties"
  PomProperties properties;
  std::vector<std::string> licenses;  // names from the pom.xml beside it
};

struct ArchiveFacts {
  // "" for the outer archive; nested: the entry names from the outer
  // archive down, joined by "!/" ("BOOT-INF/lib/a.jar!/lib/b.jar").
  std::string path;
  int parent = -1;   // index of the enclosing archive in ScanResult
  std::string sha1;  // lowercase hex of the archive's bytes
  std::optional<Manifest> manifest;
  std::vector<PomFacts> poms;  // sorted by path
};

// Something below the outer archive that could not be read.
struct Problem {
  std::string path;  // like ArchiveFacts::path, down to the entry
                     // ("BOOT-INF/lib/bad.jar", "META-INF/MANIFEST.MF")
  std::string reason;
  friend bool operator==(const Problem&, const Problem&) = default;
};

struct ScanResult {
  // The outer archive first; every archive before the ones nested in it.
  std::vector<ArchiveFacts> archives;
  std::vector<Problem> problems;
};

// Scans `bytes` (a whole zip file). kDataLoss for an unreadable outer
// archive ("no end of central directory record", "corrupt zip archive:
// <libarchive's reason>"), kResourceExhausted over max_entries ("more than
// N entries in one java archive, nested ones included"). Problems read
// "corrupt entry data: <reason>", "larger than the 1 MiB cap on archive
// metadata files", "larger than the 256 MiB cap on java archives", "more
// than 256 MiB decompressed from one archive", "archive nested deeper than
// 8 levels", "invalid manifest: line N: invalid header", or an error of the
// nested archive itself as above.
Result<ScanResult> ScanArchive(std::string_view bytes,
                               const ScanLimits& limits = {});

}  // namespace strata::catalog::java

#endif  // STRATA_CATALOG_JAVA_ARCHIVE_H_
