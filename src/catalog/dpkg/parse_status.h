// Parsers for dpkg's database files, pure functions over bytes (no image):
//   var/lib/dpkg/status and distroless var/lib/dpkg/status.d/<pkg>
//     (RFC 822-style control stanzas separated by blank lines),
//   var/lib/dpkg/info/<pkg>.list (one owned path per line),
//   var/lib/dpkg/info/<pkg>.md5sums and status.d/<pkg>.md5sums
//     ("<md5>  <path>" per line).
//
// All input is hostile: stanzas per file, fields per stanza, bytes per field
// and paths per list are capped (constants at the top of parse_status.cc).
// A bad stanza becomes a problem (1-based stanza number and a one-line
// reason) and parsing goes on with the next one.
// Thread-safety: pure functions.
#ifndef STRATA_CATALOG_DPKG_PARSE_STATUS_H_
#define STRATA_CATALOG_DPKG_PARSE_STATUS_H_

#include <string>
#include <string_view>
#include <vector>

namespace strata::catalog::dpkg {

// One installed package as its stanza describes it.
struct StatusRecord {
  int stanza = 0;  // 1-based position in the file
  std::string package;
  std::string version;  // as written, epoch included ("1:1.2.13.dfsg-1")
  std::string architecture;
  std::string source_name;     // Source: name, else the package name
  std::string source_version;  // Source: "(version)", else the version
  std::string maintainer;
  std::string installed_size;  // Installed-Size as written (KiB)
  std::string description;     // first line only
  // Names from Pre-Depends then Depends, every alternative of "a | b",
  // without version constraints or ":any"-style qualifiers, first
  // occurrence order, no duplicates.
  std::vector<std::string> depends;
  std::vector<std::string> provides;  // names only, same rules
  friend bool operator==(const StatusRecord&, const StatusRecord&) = default;
};

struct StanzaProblem {
  int stanza = 0;      // 1-based; 0 for the file as a whole
  std::string reason;  // "stanza 12 has no Version field"
  friend bool operator==(const StanzaProblem&, const StanzaProblem&) = default;
};

struct ParsedStatus {
  std::vector<StatusRecord> records;  // installed packages, file order
  std::vector<StanzaProblem> problems;
};

// Parses a status file (or one status.d file). Field names are
// case-insensitive; continuation lines (leading space or tab) fold into the
// previous field; CRLF line ends are accepted; lines holding only
// whitespace separate stanzas. A stanza is kept when its Status field's
// third word is "installed", or when it has no Status field (status.d);
// others ("deinstall ok config-files") are skipped without a problem.
// Problems (the stanza is dropped): no Package or no Version field, a
// line that is neither "Name: value" nor a continuation, a duplicate field,
// a NUL byte, a field or field count over its cap. Past the stanza cap the
// rest of the file is ignored with one problem (stanza 0).
ParsedStatus ParseStatus(std::string_view content);

// Owned paths of a .list file, normalised (leading '/' dropped, "/." and
// unnormalisable lines skipped), in file order, at most the path cap.
std::vector<std::string> ParseFileList(std::string_view content);

// Owned paths of a .md5sums file ("<hex md5>  <path>" lines, path as in
// the package, usually without a leading '/'), normalised the same way;
// malformed lines are skipped.
std::vector<std::string> ParseMd5sums(std::string_view content);

}  // namespace strata::catalog::dpkg

#endif  // STRATA_CATALOG_DPKG_PARSE_STATUS_H_
