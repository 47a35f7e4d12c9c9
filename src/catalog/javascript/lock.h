// JavaScript lock files: what a project resolved, whether or not it is
// installed.
//
//   package-lock.json / npm-shrinkwrap.json
//       v1: the nested "dependencies" tree ("requires" are the depends);
//       v2, v3: the "packages" map keyed by install path
//       ("node_modules/a/node_modules/@s/b"; "" is the project itself;
//       "link" entries skipped). v2 also carries the v1 tree: "packages"
//       wins.
//   yarn.lock
//       v1: yarn's own text format (ParseYarnLock parses it by hand);
//       berry (v2+, a "__metadata" entry): YAML; workspace, link and portal
//       entries skipped.
//   pnpm-lock.yaml
//       lockfileVersion 5.x ("/name/1.2.3_peer@1"), 6.x ("/name@1.2.3(peer@1)")
//       and 9.x ("name@1.2.3", dependencies under "snapshots"); the last
//       YAML document (pnpm 10 puts its env lockfile first). An entry's own
//       name/version fields win over its key.
// npm aliases ("foo": "npm:bar@1.0.0") give the real package (bar).
// Entries are deduplicated by (name, version): depends merged, dev and
// optional only if every occurrence says so. A bad entry is a problem and
// parsing goes on; an unreadable file is an error. Caps on sizes and nodes
// are constants in the .cc files.
// Thread-safety: pure functions.
#ifndef STRATA_CATALOG_JAVASCRIPT_LOCK_H_
#define STRATA_CATALOG_JAVASCRIPT_LOCK_H_

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace strata::catalog::javascript {

struct LockPackage {
  std::string name;
  std::string version;
  std::vector<std::string> licenses;  // npm v2+ only (NormalizeLicense)
  std::vector<std::string> depends;   // names, sorted, unique
  std::string resolved;               // tarball URL
  std::string integrity;              // "sha512-..."
  bool dev = false;                   // only needed for development
  bool optional = false;
};

struct ParsedLock {
  std::vector<LockPackage> packages;  // in order of first appearance
  std::vector<std::string> problems;  // one line each, naming the entry
};

// `text` is the whole file. Errors: kResourceExhausted over a cap,
// kDataLoss when the file as a whole cannot be read.
Result<ParsedLock> ParseNpmLock(std::string_view text);
Result<ParsedLock> ParseYarnLock(std::string_view text);
Result<ParsedLock> ParsePnpmLock(std::string_view text);

// Collects lock entries, merging duplicates by (name, version).
class LockCollector {
 public:
  void Add(LockPackage p);
  ParsedLock Take() &&;
  std::vector<std::string>& problems() { return lock_.problems; }

 private:
  ParsedLock lock_;
  std::map<std::pair<std::string, std::string>, size_t> index_;
};

// Splits "name@range" at the '@' that ends the name (a scope's leading '@'
// is part of the name): {"@babel/core", "^7.0.0"}. No '@': {spec, ""}.
std::pair<std::string_view, std::string_view> SplitSpec(std::string_view spec);

}  // namespace strata::catalog::javascript

#endif  // STRATA_CATALOG_JAVASCRIPT_LOCK_H_
