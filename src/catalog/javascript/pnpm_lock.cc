// pnpm-lock.yaml (see lock.h).
#include <charconv>
#include <map>
#include <string>
#include <vector>

#include "catalog/javascript/lock.h"
#include "catalog/javascript/yaml.h"

namespace strata::catalog::javascript {
namespace {

// The major of lockfileVersion (5.4, '6.0', '9.0'); 0 when unreadable.
int Major(std::string_view v) {
  int major = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), major);
  if (ec != std::errc() || (end != v.data() + v.size() && *end != '.')) {
    return 0;
  }
  return major;
}

// A packages (or snapshots) key without its leading '/' and peer suffix.
std::string_view BaseKey(std::string_view key) {
  if (key.starts_with('/')) key.remove_prefix(1);
  return key.substr(0, key.find('('));
}

// Name and version from a key: "name@1.2.3" (6.x, 9.x) or "name/1.2.3" with
// an optional "_peer@1" suffix (5.x). {"", ""} when the key has neither.
std::pair<std::string_view, std::string_view> SplitKey(std::string_view key,
                                                       int major) {
  key = BaseKey(key);
  if (major >= 6) return SplitSpec(key);
  size_t from = 0;
  if (key.starts_with('@')) {
    from = key.find('/');
    if (from == std::string_view::npos) return {};
    ++from;
  }
  size_t slash = key.find('/', from);
  if (slash == std::string_view::npos) return {};
  std::string_view version = key.substr(slash + 1);
  version = version.substr(0, version.find('_'));
  if (version.find('/') != std::string_view::npos) return {};
  return {key.substr(0, slash), version};
}

// Names in the "dependencies" and "optionalDependencies" maps of `entry`.
void AddDepends(const YamlNode& entry, std::vector<std::string>& out) {
  for (std::string_view field : {"dependencies", "optionalDependencies"}) {
    if (const YamlNode* deps = entry.Find(field)) {
      out.insert(out.end(), deps->keys.begin(), deps->keys.end());
    }
  }
}

}  // namespace

Result<ParsedLock> ParsePnpmLock(std::string_view text) {
  ASSIGN_OR_RETURN(std::vector<YamlNode> docs,
                   ParseYaml(text, "pnpm-lock.yaml"));
  if (docs.empty() || docs.back().kind != YamlNode::Kind::kMap) {
    return DataLossError("pnpm-lock.yaml is not a YAML mapping");
  }
  const YamlNode& doc = docs.back();
  const int major = Major(doc.ScalarAt("lockfileVersion"));
  if (major == 0) {
    return DataLossError("pnpm-lock.yaml has no readable lockfileVersion");
  }
  LockCollector out;
  const YamlNode* packages = doc.Find("packages");
  if (!packages || packages->kind == YamlNode::Kind::kNull) {
    return std::move(out).Take();
  }
  if (packages->kind != YamlNode::Kind::kMap) {
    return DataLossError("pnpm-lock.yaml: packages is not a mapping");
  }
  // 9.x keeps dependencies apart, per peer variant of a package.
  std::map<std::string_view, std::vector<std::string>> snapshot_depends;
  if (const YamlNode* snapshots = doc.Find("snapshots")) {
    for (size_t i = 0; i < snapshots->keys.size(); ++i) {
      AddDepends(snapshots->items[i],
                 snapshot_depends[BaseKey(snapshots->keys[i])]);
    }
  }
  for (size_t i = 0; i < packages->keys.size(); ++i) {
    const std::string& key = packages->keys[i];
    const YamlNode& e = packages->items[i];
    if (e.kind != YamlNode::Kind::kMap) {
      out.problems().push_back("pnpm-lock.yaml package \"" + key +
                               "\" is not a mapping");
      continue;
    }
    auto [key_name, key_version] = SplitKey(key, major);
    LockPackage p;
    p.name =
        std::string(e.ScalarAt("name").empty() ? key_name : e.ScalarAt("name"));
    p.version = std::string(
        e.ScalarAt("version").empty() ? key_version : e.ScalarAt("version"));
    if (p.name.empty() || p.version.empty()) {
      out.problems().push_back("pnpm-lock.yaml package \"" + key +
                               "\" has no name or version");
      continue;
    }
    p.dev = e.ScalarAt("dev") == "true";
    p.optional = e.ScalarAt("optional") == "true";
    if (const YamlNode* resolution = e.Find("resolution")) {
      p.integrity = std::string(resolution->ScalarAt("integrity"));
      p.resolved = std::string(resolution->ScalarAt("tarball"));
    }
    AddDepends(e, p.depends);
    if (auto it = snapshot_depends.find(BaseKey(key));
        it != snapshot_depends.end()) {
      p.depends.insert(p.depends.end(), it->second.begin(), it->second.end());
    }
    out.Add(std::move(p));
  }
  return std::move(out).Take();
}

}  // namespace strata::catalog::javascript
