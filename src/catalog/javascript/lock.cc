#include "catalog/javascript/lock.h"

#include <algorithm>

namespace strata::catalog::javascript {
namespace {

void SortUnique(std::vector<std::string>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

void LockCollector::Add(LockPackage p) {
  SortUnique(p.depends);
  auto [it, inserted] =
      index_.try_emplace({p.name, p.version}, lock_.packages.size());
  if (inserted) {
    lock_.packages.push_back(std::move(p));
    return;
  }
  LockPackage& have = lock_.packages[it->second];
  have.depends.insert(have.depends.end(), p.depends.begin(), p.depends.end());
  SortUnique(have.depends);
  have.dev = have.dev && p.dev;
  have.optional = have.optional && p.optional;
  if (have.licenses.empty()) have.licenses = std::move(p.licenses);
  if (have.resolved.empty()) have.resolved = std::move(p.resolved);
  if (have.integrity.empty()) have.integrity = std::move(p.integrity);
}

ParsedLock LockCollector::Take() && { return std::move(lock_); }

std::pair<std::string_view, std::string_view> SplitSpec(std::string_view spec) {
  size_t at = spec.empty() ? std::string_view::npos : spec.find('@', 1);
  if (at == std::string_view::npos) return {spec, {}};
  return {spec.substr(0, at), spec.substr(at + 1)};
}

}  // namespace strata::catalog::javascript
