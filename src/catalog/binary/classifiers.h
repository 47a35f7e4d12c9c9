// The binary classifier table: well-known programs that are often installed
// outside any package manager (or statically linked into other programs),
// recognised by the version string they embed. The rows are data, modelled
// on syft's binary classifiers (where syft has a row: its class, package
// name, PURL and CPEs, so results compare one to one); the byte patterns
// use the syntax of pattern.h.
//
// Thread-safety: the table is immutable; every function here is safe to call
// concurrently.
#ifndef STRATA_CATALOG_BINARY_CLASSIFIERS_H_
#define STRATA_CATALOG_BINARY_CLASSIFIERS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace strata::catalog::binary {

struct Classifier {
  std::string_view klass;    // "python-binary" (the "binary.class" extra)
  std::string_view package;  // "python"
  std::string_view purl;     // "pkg:generic/python"; "@<version>" appended
  std::vector<std::string_view> cpes;  // "vendor:product" pairs
  // fs::GlobMatch patterns by file name ("**/python[0-9].[0-9]*"): only
  // these files are read.
  std::vector<std::string_view> globs;
  // Tried in order; the first that matches gives the version.
  std::vector<std::string_view> patterns;
  // A text file captured as it is (a JDK's `release` file), not an ELF
  // binary looked into while loading.
  bool text = false;
  // Java versions: the CPE carries the version without its build
  // ("17.0.13+11" -> "17.0.13") and an 8u update as the CPE update
  // ("1.8.0_352-b08" -> "1.8.0" + "update352"), as syft's JVM CPEs do.
  bool jvm_cpe = false;
};

// The table, in a fixed order; `klass` is unique.
const std::vector<Classifier>& Classifiers();

// The row whose class is `klass`, or nullptr.
const Classifier* FindClassifier(std::string_view klass);

// The globs of every row with `text` equal to the argument, deduplicated,
// in table order.
std::vector<std::string> ClassifierGlobs(bool text);

struct Hit {
  const Classifier* classifier;
  size_t pattern;        // index in classifier->patterns: 0 comes first
  std::string version;   // as matched: a dotted number plus optional suffix
  std::string evidence;  // the matched bytes, printable (others as '.'),
                         // at most kMaxEvidenceBytes
};
inline constexpr size_t kMaxEvidenceBytes = 100;

// Runs every row with `text` equal to the argument whose globs match `path`
// over `bytes`: at most one hit per row (its first matching pattern), in
// table order. Each pattern is searched once over the bytes (BytePattern::
// Find: the bytes may be a window of the file).
std::vector<Hit> Classify(std::string_view path, std::string_view bytes,
                          bool text);

// "pkg:generic/python@3.11.2" (the version percent-encoded).
std::string PurlFor(const Classifier& c, std::string_view version);
// "cpe:2.3:a:python:python:3.11.2:*:*:*:*:*:*:*" for each vendor:product;
// none when the version cannot be bound in a CPE.
std::vector<std::string> CpesFor(const Classifier& c, std::string_view version);

}  // namespace strata::catalog::binary

#endif  // STRATA_CATALOG_BINARY_CLASSIFIERS_H_
