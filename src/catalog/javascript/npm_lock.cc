// package-lock.json and npm-shrinkwrap.json (see lock.h).
#include <string>
#include <vector>

#include "base/caps.h"
#include "base/json.h"
#include "catalog/javascript/lock.h"
#include "catalog/javascript/package_json.h"

namespace strata::catalog::javascript {
namespace {

// Largest package-lock.json read (big monorepos reach ~20 MiB).
constexpr int64_t kMaxNpmLockBytes = 32 * caps::kMiB;

constexpr std::string_view kNodeModules = "node_modules/";

bool IsTrue(const json::Json& object, std::string_view key) {
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

std::string StringField(const json::Json& object, std::string_view key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

// An npm alias version "npm:bar@1.0.0" names the real package.
void Unalias(LockPackage& p) {
  if (!p.version.starts_with("npm:")) return;
  auto [name, version] = SplitSpec(std::string_view(p.version).substr(4));
  if (name.empty() || version.empty()) return;
  std::string real_name(name), real_version(version);
  p.name = std::move(real_name);
  p.version = std::move(real_version);
}

// Fills the fields every lock version shares. False (with a problem noted)
// when `entry` is unusable.
bool ReadEntry(const json::Json& entry, const std::string& where,
               LockCollector& out, LockPackage& p) {
  if (!entry.is_object()) {
    out.problems().push_back(where + " is not an object");
    return false;
  }
  Result<std::optional<std::string>> version =
      json::GetString(entry, "version");
  if (!version.ok()) {
    out.problems().push_back(where + ": " + version.status().message());
    return false;
  }
  p.version = version->value_or("");
  p.resolved = StringField(entry, "resolved");
  p.integrity = StringField(entry, "integrity");
  p.dev = IsTrue(entry, "dev");
  p.optional = IsTrue(entry, "optional");
  return true;
}

// v2/v3: "packages", keyed by install path.
void ReadPackages(const json::Json& packages, LockCollector& out) {
  for (auto it = packages.begin(); it != packages.end(); ++it) {
    const std::string& key = it.key();
    LockPackage p;
    if (!ReadEntry(it.value(), "packages[\"" + key + "\"]", out, p)) continue;
    if (IsTrue(it.value(), "link") || p.version.empty()) continue;
    p.name = StringField(it.value(), "name");
    if (p.name.empty()) {
      size_t nm = key.rfind(kNodeModules);
      if (nm == std::string::npos) continue;  // a workspace folder, unnamed
      p.name = key.substr(nm + kNodeModules.size());
    }
    Unalias(p);
    if (p.name.empty()) {
      out.problems().push_back("packages[\"" + key + "\"] names no package");
      continue;
    }
    p.licenses = LicensesOf(it.value());
    p.depends = KeysOf(it.value(), "dependencies");
    for (std::string& d : KeysOf(it.value(), "optionalDependencies")) {
      p.depends.push_back(std::move(d));
    }
    out.Add(std::move(p));
  }
}

// v1: the nested "dependencies" tree, walked without recursion.
void ReadDependencyTree(const json::Json& top, LockCollector& out) {
  struct Frame {
    const json::Json* dependencies;
    std::string where;
  };
  std::vector<Frame> stack = {{&top, "dependencies"}};
  while (!stack.empty()) {
    Frame frame = std::move(stack.back());
    stack.pop_back();
    for (auto it = frame.dependencies->begin(); it != frame.dependencies->end();
         ++it) {
      const std::string where = frame.where + "[\"" + it.key() + "\"]";
      LockPackage p;
      if (!ReadEntry(it.value(), where, out, p)) continue;
      if (auto nested = it.value().find("dependencies");
          nested != it.value().end() && nested->is_object()) {
        stack.push_back({&*nested, where + ".dependencies"});
      }
      if (p.version.empty() || p.version.starts_with("file:")) continue;
      if (it.key().empty()) {
        out.problems().push_back(where + " names no package");
        continue;
      }
      p.name = it.key();
      Unalias(p);
      p.depends = KeysOf(it.value(), "requires");
      out.Add(std::move(p));
    }
  }
}

}  // namespace

Result<ParsedLock> ParseNpmLock(std::string_view text) {
  ASSIGN_OR_RETURN(json::Json doc,
                   json::Parse(text, "package-lock.json", kMaxNpmLockBytes));
  if (!doc.is_object()) {
    return DataLossError("package-lock.json is not an object");
  }
  LockCollector out;
  Result<const json::Json*> packages = json::GetObject(doc, "packages");
  if (!packages.ok()) return packages.status().WithContext("package-lock.json");
  if (*packages) {
    ReadPackages(**packages, out);
    return std::move(out).Take();
  }
  Result<const json::Json*> deps = json::GetObject(doc, "dependencies");
  if (!deps.ok()) return deps.status().WithContext("package-lock.json");
  LockPackage root;
  root.name = StringField(doc, "name");
  root.version = StringField(doc, "version");
  // v1 does not say which entries the project itself requires.
  if (!root.name.empty() && !root.version.empty()) out.Add(std::move(root));
  if (*deps) ReadDependencyTree(**deps, out);
  return std::move(out).Take();
}

}  // namespace strata::catalog::javascript
