#include "catalog/java/summary.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "base/json.h"

namespace strata::catalog::java {
namespace {

// Manifest attributes kept in JavaPackage::extra.
constexpr std::string_view kKeptAttributes[] = {
    "Automatic-Module-Name",    "Bundle-Name",
    "Bundle-SymbolicName",      "Bundle-Version",
    "Implementation-Title",     "Implementation-Vendor",
    "Implementation-Vendor-Id", "Implementation-Version",
    "Specification-Title",      "Specification-Vendor",
    "Specification-Version"};
// Manifest attributes that give a version, in order of preference.
constexpr std::string_view kVersionAttributes[] = {
    "Implementation-Version", "Specification-Version", "Bundle-Version"};

// Reduce outputs are ours, but read back through the capped JSON adapter.
constexpr int64_t kMaxSummaryBytes = caps::kMaxCapturedFileBytes;

bool UsablePom(const PomProperties& p) {
  return IsUsableValue(p.artifact_id) && IsUsableValue(p.version) &&
         (p.group_id.empty() || IsUsableValue(p.group_id));
}

// A Maven groupId: letters, digits, '.', '_' and '-'.
bool IsMavenId(std::string_view s) {
  return IsUsableValue(s) && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '.' ||
                  c == '_' || c == '-';
         });
}

// The pom.properties that names the archive itself (see the header).
const PomFacts* OwnPom(const std::vector<const PomFacts*>& poms,
                       const FileNameId& file) {
  if (file.name.empty()) return nullptr;
  const PomFacts* exact = nullptr;
  for (const PomFacts* p : poms) {
    if (p->properties.artifact_id != file.name) continue;
    if (p->properties.version == file.version) return p;
    if (exact == nullptr) exact = p;
  }
  if (exact != nullptr) return exact;
  for (const PomFacts* p : poms) {
    const std::string& a = p->properties.artifact_id;
    if (a.starts_with(file.name) || file.name.ends_with(a)) return p;
  }
  return nullptr;
}

std::string GroupFromManifest(const Manifest& m) {
  if (auto id = m.Get("Implementation-Vendor-Id"); id && IsMavenId(*id)) {
    return *id;
  }
  if (auto bsn = m.Get("Bundle-SymbolicName")) {
    std::string_view s = *bsn;
    s = s.substr(0, s.find(';'));
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    size_t dot = s.rfind('.');
    if (IsMavenId(s) && dot != std::string_view::npos && dot > 0) {
      return std::string(s.substr(0, dot));
    }
  }
  return "";
}

void AddLicenses(const std::vector<std::string>& names,
                 std::vector<std::string>* out) {
  for (const std::string& n : names) {
    std::string id = LicenseId(n);
    if (std::find(out->begin(), out->end(), id) == out->end()) {
      out->push_back(std::move(id));
    }
  }
}

// The archive's own package, or nullopt when it has no usable identity.
std::optional<JavaPackage> OwnPackage(const ArchiveFacts& a,
                                      const FileNameId& file,
                                      const PomFacts* own) {
  JavaPackage p;
  if (own != nullptr) {
    p.group = own->properties.group_id;
    p.name = own->properties.artifact_id;
    p.version = own->properties.version;
    AddLicenses(own->licenses, &p.licenses);
    p.extra["pomProperties"] = own->path;
  } else {
    if (a.manifest && a.manifest->Get("Weave-Classes")) return std::nullopt;
    p.name = file.name;
    p.version = file.version;
    if (a.manifest) {
      for (std::string_view attr : kVersionAttributes) {
        if (!p.version.empty()) break;
        if (auto v = a.manifest->Get(attr); v && IsUsableValue(*v)) {
          p.version = *v;
        }
      }
      p.group = GroupFromManifest(*a.manifest);
    }
    if (!IsUsableValue(p.name) || !IsUsableValue(p.version)) {
      return std::nullopt;
    }
  }
  if (a.manifest) {
    if (p.licenses.empty()) {
      if (auto bl = a.manifest->Get("Bundle-License")) {
        AddLicenses(BundleLicenses(*bl), &p.licenses);
      }
    }
    for (std::string_view attr : kKeptAttributes) {
      if (auto v = a.manifest->Get(attr); v && IsUsableValue(*v)) {
        p.extra["manifest:" + std::string(attr)] = *v;
      }
    }
  }
  p.path = a.path;
  p.sha1 = a.sha1;
  return p;
}

std::string JoinPath(std::string_view archive, std::string_view entry) {
  if (archive.empty()) return std::string(entry);
  return std::string(archive) + "!/" + std::string(entry);
}

Status Malformed(std::string_view what) {
  return DataLossError("malformed java archive summary: " + std::string(what));
}

}  // namespace

Summary Summarize(std::string_view file_name, const ScanResult& scan) {
  Summary out;
  out.problems = scan.problems;
  // Index of the package that stands for archive i (its own, else its
  // nearest enclosing archive's), -1 for none.
  std::vector<int> nearest(scan.archives.size(), -1);
  for (size_t i = 0; i < scan.archives.size(); ++i) {
    const ArchiveFacts& a = scan.archives[i];
    const int up = a.parent >= 0 && static_cast<size_t>(a.parent) < i
                       ? nearest[a.parent]
                       : -1;
    const FileNameId file = ParseArchiveFileName(
        i == 0 ? file_name
               : std::string_view(a.path).substr(a.path.rfind('/') + 1));
    std::vector<const PomFacts*> poms;
    for (const PomFacts& p : a.poms) {
      if (UsablePom(p.properties)) poms.push_back(&p);
    }
    const PomFacts* own = OwnPom(poms, file);
    std::optional<JavaPackage> self = OwnPackage(a, file, own);
    nearest[i] = up;
    if (self) {
      self->parent = up;
      nearest[i] = static_cast<int>(out.packages.size());
      out.packages.push_back(*self);
    }
    for (const PomFacts* p : poms) {
      const PomProperties& props = p->properties;
      if (p == own ||
          (self && self->group == props.group_id &&
           self->name == props.artifact_id && self->version == props.version)) {
        continue;
      }
      JavaPackage embedded;
      embedded.path = JoinPath(a.path, p->path);
      embedded.parent = nearest[i];
      embedded.group = props.group_id;
      embedded.name = props.artifact_id;
      embedded.version = props.version;
      AddLicenses(p->licenses, &embedded.licenses);
      out.packages.push_back(std::move(embedded));
    }
  }
  return out;
}

std::string EncodeSummary(const Summary& summary) {
  json::Json packages = json::Json::array();
  for (const JavaPackage& p : summary.packages) {
    json::Json j = {{"path", p.path},
                    {"parent", p.parent},
                    {"name", p.name},
                    {"version", p.version}};
    if (!p.group.empty()) j["group"] = p.group;
    if (!p.sha1.empty()) j["sha1"] = p.sha1;
    if (!p.licenses.empty()) j["licenses"] = p.licenses;
    if (!p.extra.empty()) j["extra"] = p.extra;
    packages.push_back(std::move(j));
  }
  json::Json problems = json::Json::array();
  for (const Problem& p : summary.problems) {
    problems.push_back({{"path", p.path}, {"reason", p.reason}});
  }
  return json::Dump(
      {{"packages", std::move(packages)}, {"problems", std::move(problems)}});
}

Result<Summary> DecodeSummary(std::string_view text) {
  ASSIGN_OR_RETURN(json::Json doc,
                   json::Parse(text, "java archive summary", kMaxSummaryBytes));
  if (!doc.is_object()) return Malformed("not an object");
  Summary out;
  ASSIGN_OR_RETURN(const json::Json* packages, json::GetArray(doc, "packages"));
  ASSIGN_OR_RETURN(const json::Json* problems, json::GetArray(doc, "problems"));
  if (packages == nullptr || problems == nullptr) {
    return Malformed("missing packages or problems");
  }
  for (const json::Json& j : *packages) {
    if (!j.is_object()) return Malformed("package is not an object");
    JavaPackage p;
    ASSIGN_OR_RETURN(auto path, json::GetString(j, "path"));
    ASSIGN_OR_RETURN(auto parent, json::GetInt(j, "parent"));
    ASSIGN_OR_RETURN(auto name, json::GetString(j, "name"));
    ASSIGN_OR_RETURN(auto version, json::GetString(j, "version"));
    ASSIGN_OR_RETURN(auto group, json::GetString(j, "group"));
    ASSIGN_OR_RETURN(auto sha1, json::GetString(j, "sha1"));
    ASSIGN_OR_RETURN(auto licenses, json::GetStringArray(j, "licenses"));
    ASSIGN_OR_RETURN(auto extra, json::GetStringMap(j, "extra"));
    if (!path || !parent || !name || !version) {
      return Malformed("package without path, parent, name or version");
    }
    if (*parent < -1 || *parent >= static_cast<int64_t>(out.packages.size())) {
      return Malformed("parent index out of range");
    }
    p.path = std::move(*path);
    p.parent = static_cast<int>(*parent);
    p.name = std::move(*name);
    p.version = std::move(*version);
    p.group = group.value_or("");
    p.sha1 = sha1.value_or("");
    p.licenses = licenses.value_or(std::vector<std::string>{});
    p.extra = extra.value_or(std::map<std::string, std::string>{});
    out.packages.push_back(std::move(p));
  }
  for (const json::Json& j : *problems) {
    if (!j.is_object()) return Malformed("problem is not an object");
    ASSIGN_OR_RETURN(auto path, json::GetString(j, "path"));
    ASSIGN_OR_RETURN(auto reason, json::GetString(j, "reason"));
    if (!path || !reason) return Malformed("problem without path or reason");
    out.problems.push_back({std::move(*path), std::move(*reason)});
  }
  return out;
}

}  // namespace strata::catalog::java
