// A capped YAML reader for lock files (pnpm-lock.yaml, yarn berry's
// yarn.lock): the one place in this cataloger where yaml-cpp's exceptions are
// caught.
//
// The document is read through yaml-cpp's event parser into a small tree of
// our own, so memory is bounded by the caps below rather than by yaml-cpp's
// node representation: the text is capped before parsing, the number of
// nodes while building (past the cap nothing more is kept and the parse is
// an error), and nesting by yaml-cpp's own depth guard. Aliases are never
// expanded (an alias reads as null), so anchors cannot multiply the tree.
// Thread-safety: pure functions.
#ifndef STRATA_CATALOG_JAVASCRIPT_YAML_H_
#define STRATA_CATALOG_JAVASCRIPT_YAML_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace strata::catalog::javascript {

struct YamlNode {
  enum class Kind { kNull, kScalar, kSequence, kMap };
  Kind kind = Kind::kNull;
  std::string scalar;             // kScalar
  std::vector<std::string> keys;  // kMap: keys[i] names items[i]; a key
                                  // that is not a scalar reads as ""
  std::vector<YamlNode> items;    // kSequence and kMap values, in order

  // The value of the first map entry named `key`, or nullptr (also when
  // this is not a map).
  const YamlNode* Find(std::string_view key) const;
  // The scalar value of entry `key`, "" when absent or not a scalar.
  std::string_view ScalarAt(std::string_view key) const;
};

// Every document of `text`, in order. Errors: kResourceExhausted over the
// byte, node or document caps (constants in yaml.cc), kDataLoss for
// invalid YAML ("<what> is not valid YAML: line 3, column 1: ..."), both
// naming `what`.
Result<std::vector<YamlNode>> ParseYaml(std::string_view text,
                                        std::string_view what);

}  // namespace strata::catalog::javascript

#endif  // STRATA_CATALOG_JAVASCRIPT_YAML_H_
