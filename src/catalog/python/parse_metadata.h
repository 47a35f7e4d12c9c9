// Parsers for the metadata of installed Python distributions, pure
// functions over bytes (no image):
//   <name>-<version>.dist-info/METADATA, <name>.egg-info/PKG-INFO and the
//     single-file <name>-<version>.egg-info: core metadata, an RFC 822-style
//     header block (continuation lines start with a space or a tab) ended by
//     a blank line, then a free-form body (the description), which is
//     ignored;
//   <name>.egg-info/requires.txt: setuptools' requirements, one per line,
//     grouped in "[extra]", "[extra:marker]" or "[:marker]" sections.
// See https://packaging.python.org/en/latest/specifications/core-metadata/.
//
// All input is hostile: header fields per document and bytes per field are
// capped (constants at the top of parse_metadata.cc).
// Thread-safety: pure functions.
#ifndef STRATA_CATALOG_PYTHON_PARSE_METADATA_H_
#define STRATA_CATALOG_PYTHON_PARSE_METADATA_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace strata::catalog::python {

// The fields of one metadata document the cataloger keeps. Values are
// trimmed; a folded value keeps its line breaks ("\n" between lines).
struct Metadata {
  std::string name;                      // Name:, as written ("PyYAML")
  std::string version;                   // Version:, as written
  std::string summary;                   // Summary:, first line
  std::string license;                   // License:
  std::string license_expression;        // License-Expression: (PEP 639)
  std::vector<std::string> classifiers;  // every Classifier:
  // Requires-Dist: names (NormalizeName), without the requirements whose
  // environment marker names an extra; first occurrence order, no
  // duplicates.
  std::vector<std::string> depends;
  friend bool operator==(const Metadata&, const Metadata&) = default;
};

// Parses a METADATA / PKG-INFO document. Field names are case-insensitive
// and the first occurrence of a single-valued field wins; CRLF line ends
// are accepted. As Python's email parser does, a line that is neither a
// header nor a continuation ends the headers (it starts the body).
// Errors: no (or an empty) Name or Version field (kDataLoss), more header
// fields or a longer field than the caps (kResourceExhausted).
Result<Metadata> ParseMetadata(std::string_view bytes);

// The PEP 503 normalised form of a distribution name: lowercase, every run
// of '-', '_' and '.' replaced by one '-' ("Foo.Bar__baz" -> "foo-bar-baz").
std::string NormalizeName(std::string_view name);

// The normalised name a PEP 508 requirement depends on ("requests
// [security] (>=2.0) ; python_version < '3'" -> "requests"), or nullopt
// when it does not start with a valid name or its marker names an extra.
std::optional<std::string> RequirementName(std::string_view requirement);

// Names (normalised) a requires.txt requires unconditionally or under an
// environment marker only ("[:sys_platform == 'win32']"); requirements of
// extras ("[socks]", "[secure:python_version < '3']") are skipped. First
// occurrence order, no duplicates, at most the requirement cap.
std::vector<std::string> ParseRequiresTxt(std::string_view bytes);

}  // namespace strata::catalog::python

#endif  // STRATA_CATALOG_PYTHON_PARSE_METADATA_H_
