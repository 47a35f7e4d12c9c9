// The binary classifier cataloger (see catalog/cataloger.h for the contract).
//
// Finds well-known programs that no package manager recorded (or that an OS
// package ships and that are then reported twice: the lead links such a
// binary to its owning OS package with a "contains" relationship) by the
// version strings in their bytes, using the table in classifiers.h:
//   ELF files   a capture rule "binary-classifier" (magic "\x7fELF", globs
//               = every binary row's file-name globs, at most 128 MiB
//               each: official node and JDK binaries approach 100 MiB) whose
//               reduce runs the rows matching the path over the bytes on a
//               loader thread and keeps only the hits, one line each:
//               "<class>\t<pattern index>\t<version>\t<evidence>\n". The
//               rule reads 4 MiB windows overlapping by kMaxDecidingBytes
//               (pattern.h), so a large library is never held whole; per
//               file and row, `run` keeps the hit of the lowest pattern
//               index, the earliest line among equals, which is the hit
//               Classify gives over the whole file;
//   text files  a JDK/JRE `release` file, captured as it is by the
//               cataloger's globs and classified in `run`.
// Each hit is a kBinary package: the row's package name, the matched
// version, the row's PURL and CPEs (set here: syft's choices, e.g.
// pkg:generic/oracle/openjdk, which Finalize cannot know), extra
// "binary.class" and "binary.evidence" (the matched bytes, printable, at
// most 100 characters), located at the file. Hits with the same name,
// version and PURL become one package with every file as a location (the
// first file's class and evidence), as syft merges them. A file over the
// cap becomes an unknown.
#ifndef STRATA_CATALOG_BINARY_CATALOGER_H_
#define STRATA_CATALOG_BINARY_CATALOGER_H_

#include <optional>
#include <string>
#include <string_view>

#include "base/caps.h"
#include "base/status.h"
#include "catalog/binary/pattern.h"
#include "catalog/cataloger.h"

namespace strata::catalog::binary {

// The capture rule's reduce (exposed for tests and the fuzzer): the hits
// of `bytes` (a file or a window of it) as lines, nullopt when none.
// Thread-safe; never fails.
Result<std::optional<std::string>> ReduceBinary(std::string_view path,
                                                std::string_view bytes);

// The rule's windows: a match and the bytes that decide it lie within one
// window (pattern.h, Windows).
inline constexpr int64_t kWindowBytes = 4 * caps::kMiB;
inline constexpr int64_t kWindowOverlap = kMaxDecidingBytes;
static_assert(kWindowOverlap >= static_cast<int64_t>(kMaxMatchBytes) &&
              kWindowBytes >= 2 * kWindowOverlap);

// "binary-classifier-cataloger"
Cataloger MakeBinaryCataloger();

}  // namespace strata::catalog::binary

#endif  // STRATA_CATALOG_BINARY_CATALOGER_H_
