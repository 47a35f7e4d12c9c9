#include <algorithm>
#include <set>

#include "base/digest.h"
#include "sbom/format_internal.h"
#include "sbom/purl.h"

namespace strata::sbom::internal {
namespace {

// SPDX license and exception ids, space separated, generated at build time
// from Debian's node-spdx-license-ids and node-spdx-exceptions packages
// (gen_spdx_ids.cmake).
constexpr std::string_view kSpdxLicenseIds =
#include "spdx_license_ids.inc"
    ;

// Parentheses nest at most this deep in a license expression we accept.
constexpr int kMaxLicenseExpressionDepth = 32;

// Lowercased id -> canonical spelling, built once.
const std::map<std::string, std::string_view>& LicenseIndex() {
  static const auto* index = [] {
    auto* m = new std::map<std::string, std::string_view>;
    std::string_view rest = kSpdxLicenseIds;
    while (!rest.empty()) {
      size_t sp = rest.find(' ');
      std::string_view id = rest.substr(0, sp);
      std::string lower(id);
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      if (!id.empty()) m->emplace(lower, id);
      rest = sp == std::string_view::npos ? "" : rest.substr(sp + 1);
    }
    return m;
  }();
  return *index;
}

bool IsRefChars(std::string_view s) { return !s.empty() && SanitizeId(s) == s; }

// Recursive descent over the tokens of an SPDX license expression.
class ExpressionParser {
 public:
  explicit ExpressionParser(std::string_view s) {
    std::string cur;
    for (char c : s) {
      if (c == '(' || c == ')' || c == ' ' || c == '\t') {
        if (!cur.empty()) tokens_.push_back(std::move(cur));
        cur.clear();
        if (c == '(' || c == ')') tokens_.push_back(std::string(1, c));
      } else {
        cur.push_back(c);
      }
    }
    if (!cur.empty()) tokens_.push_back(std::move(cur));
  }

  std::optional<std::string> Parse() {
    if (tokens_.empty() || !Expr(0) || pos_ != tokens_.size()) {
      return std::nullopt;
    }
    return out_;
  }

 private:
  static std::string Operator(std::string_view t) {
    if (t == "AND" || t == "and") return "AND";
    if (t == "OR" || t == "or") return "OR";
    if (t == "WITH" || t == "with") return "WITH";
    return "";
  }
  bool Expr(int depth) {
    if (!Term(depth)) return false;
    while (pos_ < tokens_.size()) {
      std::string op = Operator(tokens_[pos_]);
      if (op != "AND" && op != "OR") return true;
      ++pos_;
      out_ += " " + op + " ";
      if (!Term(depth)) return false;
    }
    return true;
  }
  bool Term(int depth) {
    if (pos_ >= tokens_.size()) return false;
    if (tokens_[pos_] == "(") {
      if (depth >= kMaxLicenseExpressionDepth) return false;
      ++pos_;
      out_ += "(";
      if (!Expr(depth + 1)) return false;
      if (pos_ >= tokens_.size() || tokens_[pos_] != ")") return false;
      ++pos_;
      out_ += ")";
      return true;
    }
    if (!Simple(tokens_[pos_++], /*exception=*/false)) return false;
    if (pos_ < tokens_.size() && Operator(tokens_[pos_]) == "WITH") {
      ++pos_;
      out_ += " WITH ";
      return pos_ < tokens_.size() && Simple(tokens_[pos_++], true);
    }
    return true;
  }
  bool Simple(std::string_view t, bool exception) {
    if (!exception) {
      if (t.rfind("LicenseRef-", 0) == 0 && IsRefChars(t.substr(11))) {
        out_ += t;
        return true;
      }
      if (t.rfind("DocumentRef-", 0) == 0) {
        size_t colon = t.find(':');
        if (colon != std::string_view::npos &&
            IsRefChars(t.substr(12, colon - 12)) &&
            t.substr(colon + 1).rfind("LicenseRef-", 0) == 0 &&
            IsRefChars(t.substr(colon + 12))) {
          out_ += t;
          return true;
        }
        return false;
      }
    }
    bool plus = !exception && t.size() > 1 && t.back() == '+';
    if (plus) t.remove_suffix(1);
    std::string canonical;
    if (!IsSpdxLicenseId(t, &canonical)) return false;
    out_ += canonical + (plus ? "+" : "");
    return true;
  }

  std::vector<std::string> tokens_;
  size_t pos_ = 0;
  std::string out_;
};

}  // namespace

bool IsSpdxLicenseId(std::string_view id, std::string* canonical) {
  std::string lower(id);
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  const auto& index = LicenseIndex();
  auto it = index.find(lower);
  if (it == index.end()) return false;
  if (canonical) *canonical = std::string(it->second);
  return true;
}

std::optional<std::string> NormalizeSpdxExpression(std::string_view s) {
  return ExpressionParser(s).Parse();
}

std::vector<std::string> SplitTopLevelAnd(std::string_view expression) {
  std::vector<std::string> parts;
  auto add = [&parts](std::string_view part) {
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    // Unwrap "(...)" when the first parenthesis closes at the very end.
    while (part.size() >= 2 && part.front() == '(' && part.back() == ')') {
      int depth = 0;
      size_t close = 0;
      for (size_t i = 0; i < part.size(); ++i) {
        if (part[i] == '(') ++depth;
        if (part[i] == ')' && --depth == 0) {
          close = i;
          break;
        }
      }
      if (close != part.size() - 1) break;
      part = part.substr(1, part.size() - 2);
    }
    if (!part.empty()) parts.emplace_back(part);
  };
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < expression.size(); ++i) {
    char c = expression[i];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth == 0 && expression.substr(i, 5) == " AND ") {
      add(expression.substr(start, i - start));
      start = i + 5;
      i += 4;
    }
  }
  add(expression.substr(start));
  return parts;
}

namespace {

constexpr std::string_view kNoAssertion = "NOASSERTION";

// licenseDeclared for a package; non-SPDX texts become LicenseRef-s whose
// text goes into `extracted` (licenseId -> text).
std::string DeclaredLicense(const std::vector<std::string>& licenses,
                            std::map<std::string, std::string>& extracted) {
  std::vector<std::string> parts;
  for (const std::string& text : licenses) {
    if (auto expr = NormalizeSpdxExpression(text)) {
      bool compound = expr->find(' ') != std::string::npos;
      parts.push_back(compound ? "(" + *expr + ")" : *expr);
      continue;
    }
    std::string ref = "LicenseRef-" + SanitizeId(text);
    if (auto it = extracted.find(ref);
        it != extracted.end() && it->second != text) {
      ref += "-" + Sha256Of(text).hex().substr(0, 12);
    }
    extracted[ref] = text;
    parts.push_back(ref);
  }
  if (parts.empty()) return std::string(kNoAssertion);
  if (parts.size() == 1 && parts[0].front() == '(') {
    return parts[0].substr(1, parts[0].size() - 2);
  }
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : " AND ") + p;
  return out;
}

std::string Supplier(const Package& p) {
  if (p.maintainer.empty()) return std::string(kNoAssertion);
  if (p.type == PackageType::kRpm) return "Organization: " + p.maintainer;
  // "Name <mail>" -> "Name (mail)", the SPDX agent syntax.
  std::string m = p.maintainer;
  std::replace(m.begin(), m.end(), '<', '(');
  std::replace(m.begin(), m.end(), '>', ')');
  return "Person: " + m;
}

json::Json ExternalRef(std::string_view category, std::string_view type,
                       std::string_view locator) {
  json::Json ref = json::Json::object();
  ref["referenceCategory"] = category;
  ref["referenceType"] = type;
  ref["referenceLocator"] = locator;
  return ref;
}

json::Json Relationship(std::string_view from, std::string_view type,
                        std::string_view to) {
  json::Json r = json::Json::object();
  r["spdxElementId"] = from;
  r["relationshipType"] = type;
  r["relatedSpdxElement"] = to;
  return r;
}

// The fields every SPDX package carries, with nothing asserted.
json::Json BarePackage(std::string_view spdx_id, std::string_view name) {
  json::Json pkg = json::Json::object();
  pkg["SPDXID"] = spdx_id;
  pkg["name"] = name;
  pkg["downloadLocation"] = kNoAssertion;
  pkg["filesAnalyzed"] = false;
  pkg["licenseConcluded"] = kNoAssertion;
  pkg["licenseDeclared"] = kNoAssertion;
  pkg["copyrightText"] = kNoAssertion;
  pkg["supplier"] = kNoAssertion;
  return pkg;
}

// pkg:oci/<repository basename>@<digest>?arch=..&tag=.. (syft style).
std::string ImagePurl(const Source& s) {
  std::string repo = s.repo_tags.empty() ? s.name : s.repo_tags[0];
  std::string tag;
  size_t colon = repo.rfind(':');
  if (colon != std::string::npos &&
      repo.find('/', colon) == std::string::npos) {
    tag = repo.substr(colon + 1);
    repo = repo.substr(0, colon);
  }
  std::string name = repo.substr(repo.rfind('/') + 1);
  std::transform(name.begin(), name.end(), name.begin(), ::tolower);
  if (name.empty()) name = "image";
  std::string purl =
      "pkg:oci/" + PurlEncode(name) + "@" + PurlEncode(s.manifest_digest);
  std::string sep = "?";
  if (size_t slash = s.platform.find('/'); slash != std::string::npos) {
    std::string arch = s.platform.substr(slash + 1);
    arch = arch.substr(0, arch.find('/'));
    purl += sep + "arch=" + PurlEncode(arch);
    sep = "&";
  }
  if (!tag.empty()) purl += sep + "tag=" + PurlEncode(tag);
  return purl;
}

}  // namespace

std::string WriteSpdxJson(const Sbom& sbom, const WriteOptions& options) {
  const Source& src = sbom.source;
  std::string doc_name = src.name.empty() ? src.reference : src.name;
  if (doc_name.empty()) doc_name = "unknown";
  json::Json doc = json::Json::object();
  doc["spdxVersion"] = "SPDX-2.3";
  doc["dataLicense"] = "CC0-1.0";
  doc["SPDXID"] = "SPDXRef-DOCUMENT";
  doc["name"] = doc_name;
  doc["documentNamespace"] =
      "https://strata.dev/spdx/" + SanitizeId(doc_name) + "-" +
      DeterministicUuid(DocumentSeed(sbom, "spdx-json", options));
  json::Json creation = json::Json::object();
  creation["created"] = Rfc3339(options.timestamp);
  json::Json creators = json::Json::array();
  creators.push_back("Organization: strata");
  creators.push_back("Tool: strata-" + (options.tool_version.empty()
                                            ? std::string("unknown")
                                            : options.tool_version));
  creation["creators"] = std::move(creators);
  doc["creationInfo"] = std::move(creation);

  json::Json packages = json::Json::array();
  json::Json relationships = json::Json::array();

  bool is_dir = src.manifest_digest.empty();
  std::string root_id = (is_dir ? "SPDXRef-DocumentRoot-Directory-"
                                : "SPDXRef-DocumentRoot-Image-") +
                        SanitizeId(doc_name);
  json::Json root = BarePackage(root_id, doc_name);
  root["primaryPackagePurpose"] = is_dir ? "FILE" : "CONTAINER";
  if (!is_dir) {
    root["versionInfo"] = src.manifest_digest;
    if (src.manifest_digest.rfind("sha256:", 0) == 0) {
      json::Json checksum = json::Json::object();
      checksum["algorithm"] = "SHA256";
      checksum["checksumValue"] = src.manifest_digest.substr(7);
      root["checksums"] = json::Json::array({checksum});
    }
    root["externalRefs"] = json::Json::array(
        {ExternalRef("PACKAGE-MANAGER", "purl", ImagePurl(src))});
  }
  packages.push_back(std::move(root));
  relationships.push_back(
      Relationship("SPDXRef-DOCUMENT", "DESCRIBES", root_id));

  if (!sbom.distro.empty()) {
    const Distro& d = sbom.distro;
    std::string os_id =
        "SPDXRef-OperatingSystem-" + SanitizeId(d.id + "-" + d.version_id);
    json::Json os = BarePackage(os_id, d.id);
    if (!d.version_id.empty()) os["versionInfo"] = d.version_id;
    if (!d.pretty_name.empty()) os["description"] = d.pretty_name;
    os["primaryPackagePurpose"] = "OPERATING_SYSTEM";  // the schema's spelling
    packages.push_back(std::move(os));
    relationships.push_back(Relationship(root_id, "CONTAINS", os_id));
  }

  std::map<std::string, std::string> spdx_ids;  // package id -> SPDXID
  std::set<std::string> used;
  std::map<std::string, std::string> extracted;
  for (const Package& p : sbom.packages) {
    std::string spdx_id = "SPDXRef-Package-" + SanitizeId(p.id);
    for (int n = 2; !used.insert(spdx_id).second; ++n) {
      spdx_id = "SPDXRef-Package-" + SanitizeId(p.id) + "-" + std::to_string(n);
    }
    spdx_ids.emplace(p.id, spdx_id);
    json::Json pkg = BarePackage(spdx_id, p.name);
    if (std::string v = FullVersion(p); !v.empty()) pkg["versionInfo"] = v;
    pkg["supplier"] = Supplier(p);
    pkg["licenseDeclared"] = DeclaredLicense(p.licenses, extracted);
    if (!p.description.empty()) pkg["summary"] = p.description;
    std::string info =
        "acquired package info from " +
        (p.cataloger.empty() ? std::string("unknown cataloger") : p.cataloger);
    for (size_t i = 0; i < p.locations.size(); ++i) {
      info += (i == 0 ? ": /" : ", /") + p.locations[i].path;
    }
    pkg["sourceInfo"] = info;
    if (!p.digests.empty()) {
      json::Json sums = json::Json::array();
      for (const auto& [alg, hex] : p.digests) {
        json::Json c = json::Json::object();
        std::string a = alg;  // "SHA-1" -> "SHA1" (the SPDX spelling)
        std::erase(a, '-');
        c["algorithm"] = a;
        c["checksumValue"] = hex;
        sums.push_back(std::move(c));
      }
      pkg["checksums"] = std::move(sums);
    }
    if (!p.files.empty()) {
      pkg["comment"] = "owns " + std::to_string(p.files.size()) + " files";
    }
    json::Json refs = json::Json::array();
    if (!p.purl.empty()) {
      refs.push_back(ExternalRef("PACKAGE-MANAGER", "purl", p.purl));
    }
    for (const std::string& cpe : p.cpes) {
      refs.push_back(ExternalRef("SECURITY", "cpe23Type", cpe));
    }
    if (!refs.empty()) pkg["externalRefs"] = std::move(refs);
    packages.push_back(std::move(pkg));
    relationships.push_back(Relationship(root_id, "CONTAINS", spdx_id));
  }
  for (const sbom::Relationship& r : sbom.relationships) {
    auto from = spdx_ids.find(r.from), to = spdx_ids.find(r.to);
    if (from == spdx_ids.end() || to == spdx_ids.end()) continue;
    if (r.type == "depends-on") {
      relationships.push_back(
          Relationship(from->second, "DEPENDS_ON", to->second));
    } else if (r.type == "contains") {
      relationships.push_back(
          Relationship(from->second, "CONTAINS", to->second));
    }
  }
  doc["packages"] = std::move(packages);
  doc["relationships"] = std::move(relationships);
  if (!extracted.empty()) {
    json::Json infos = json::Json::array();
    for (const auto& [id, text] : extracted) {
      json::Json info = json::Json::object();
      info["licenseId"] = id;
      info["extractedText"] = text;
      info["name"] = text;
      infos.push_back(std::move(info));
    }
    doc["hasExtractedLicensingInfos"] = std::move(infos);
  }
  return json::Dump(doc, 2) + "\n";
}

namespace {

constexpr std::string_view kAcquiredPrefix = "acquired package info from ";

// "Person: Name (mail)" -> "Name <mail>".
std::string MaintainerFromSupplier(std::string s) {
  if (s == kNoAssertion || s == "NONE") return "";
  for (std::string_view prefix : {"Person: ", "Organization: "}) {
    if (s.rfind(prefix, 0) == 0) s = s.substr(prefix.size());
  }
  size_t open = s.rfind(" (");
  if (!s.empty() && s.back() == ')' && open != std::string::npos &&
      s.find('@', open) != std::string::npos) {
    s[open + 1] = '<';
    s.back() = '>';
  }
  return s;
}

Status ReadSpdxPackage(const json::Json& j,
                       const std::map<std::string, std::string>& extracted,
                       Sbom& sbom, std::map<std::string, std::string>& ids) {
  if (!j.is_object()) return DataLossError("not an object");
  ASSIGN_OR_RETURN(auto spdx_id, json::GetString(j, "SPDXID"));
  ASSIGN_OR_RETURN(auto name, json::GetString(j, "name"));
  ASSIGN_OR_RETURN(auto version, json::GetString(j, "versionInfo"));
  ASSIGN_OR_RETURN(auto purpose, json::GetString(j, "primaryPackagePurpose"));
  ASSIGN_OR_RETURN(auto description, json::GetString(j, "description"));
  if (!spdx_id) return DataLossError("missing SPDXID");
  if (purpose == "CONTAINER" ||
      spdx_id->rfind("SPDXRef-DocumentRoot-", 0) == 0) {
    if (version && version->rfind("sha256:", 0) == 0) {
      sbom.source.manifest_digest = *version;
    }
    return Status::Ok();
  }
  if (purpose == "OPERATING_SYSTEM" || purpose == "OPERATING-SYSTEM") {
    if (sbom.distro.empty()) {
      sbom.distro.id = name.value_or("");
      sbom.distro.version_id = version.value_or("");
      sbom.distro.pretty_name = description.value_or("");
    }
    return Status::Ok();
  }
  Package p;
  constexpr std::string_view kPackagePrefix = "SPDXRef-Package-";
  p.id = spdx_id->rfind(kPackagePrefix, 0) == 0
             ? spdx_id->substr(kPackagePrefix.size())
             : *spdx_id;
  p.name = name.value_or("");
  p.version = version.value_or("");
  ASSIGN_OR_RETURN(auto supplier, json::GetString(j, "supplier"));
  p.maintainer = MaintainerFromSupplier(supplier.value_or(""));
  ASSIGN_OR_RETURN(auto summary, json::GetString(j, "summary"));
  p.description = summary.value_or("");
  ASSIGN_OR_RETURN(auto declared, json::GetString(j, "licenseDeclared"));
  if (declared && *declared != kNoAssertion && *declared != "NONE") {
    for (std::string& part : SplitTopLevelAnd(*declared)) {
      auto it = extracted.find(part);
      p.licenses.push_back(it == extracted.end() ? part : it->second);
    }
  }
  ASSIGN_OR_RETURN(auto source_info, json::GetString(j, "sourceInfo"));
  if (source_info && source_info->rfind(kAcquiredPrefix, 0) == 0) {
    std::string_view rest = *source_info;
    rest.remove_prefix(kAcquiredPrefix.size());
    size_t colon = rest.find(": ");
    p.cataloger = std::string(rest.substr(0, colon));
    rest = colon == std::string_view::npos ? "" : rest.substr(colon + 2);
    while (!rest.empty()) {
      size_t comma = rest.find(", ");
      std::string_view path = rest.substr(0, comma);
      while (!path.empty() && path.front() == '/') path.remove_prefix(1);
      if (p.locations.size() < kMaxSbomArrayItems) {
        p.locations.push_back(Location{std::string(path), -1, ""});
      }
      rest = comma == std::string_view::npos ? "" : rest.substr(comma + 2);
    }
  }
  ASSIGN_OR_RETURN(const json::Json* refs, json::GetArray(j, "externalRefs"));
  if (refs) {
    RETURN_IF_ERROR(CheckArraySize(*refs, "externalRefs"));
    for (const json::Json& ref : *refs) {
      ASSIGN_OR_RETURN(auto type, json::GetString(ref, "referenceType"));
      ASSIGN_OR_RETURN(auto locator, json::GetString(ref, "referenceLocator"));
      if (!locator) continue;
      if (type == "purl" && p.purl.empty()) p.purl = *locator;
      if (type == "cpe23Type") p.cpes.push_back(*locator);
    }
  }
  if (!ApplyPurlOrRecordUnknown(p, sbom)) return Status::Ok();
  ids[*spdx_id] = p.id;
  sbom.packages.push_back(std::move(p));
  return Status::Ok();
}

}  // namespace

Result<Sbom> ReadSpdxJson(const json::Json& doc) {
  Sbom sbom;
  auto read = [&]() -> Status {
    ASSIGN_OR_RETURN(auto name, json::GetString(doc, "name"));
    sbom.source.name = name.value_or("");
    std::map<std::string, std::string> extracted;
    ASSIGN_OR_RETURN(const json::Json* infos,
                     json::GetArray(doc, "hasExtractedLicensingInfos"));
    if (infos) {
      RETURN_IF_ERROR(CheckArraySize(*infos, "hasExtractedLicensingInfos"));
      for (const json::Json& info : *infos) {
        ASSIGN_OR_RETURN(auto id, json::GetString(info, "licenseId"));
        ASSIGN_OR_RETURN(auto text, json::GetString(info, "extractedText"));
        if (id && text) extracted[*id] = *text;
      }
    }
    std::map<std::string, std::string> ids;  // SPDXID -> package id
    ASSIGN_OR_RETURN(const json::Json* packages,
                     json::GetArray(doc, "packages"));
    if (packages) {
      RETURN_IF_ERROR(CheckArraySize(*packages, "packages"));
      for (size_t i = 0; i < packages->size(); ++i) {
        RETURN_IF_ERROR(
            ReadSpdxPackage((*packages)[i], extracted, sbom, ids)
                .WithContext("packages[" + std::to_string(i) + "]"));
      }
    }
    ASSIGN_OR_RETURN(const json::Json* rels,
                     json::GetArray(doc, "relationships"));
    if (!rels) return Status::Ok();
    RETURN_IF_ERROR(CheckArraySize(*rels, "relationships"));
    auto read_relationship = [&](const json::Json& r) -> Status {
      ASSIGN_OR_RETURN(auto from, json::GetString(r, "spdxElementId"));
      ASSIGN_OR_RETURN(auto type, json::GetString(r, "relationshipType"));
      ASSIGN_OR_RETURN(auto to, json::GetString(r, "relatedSpdxElement"));
      if (!from || !type || !to) {
        return DataLossError(
            "missing spdxElementId, relationshipType or relatedSpdxElement");
      }
      if (*type == "DEPENDENCY_OF") std::swap(from, to);
      if (*type != "DEPENDS_ON" && *type != "DEPENDENCY_OF") {
        return Status::Ok();
      }
      auto f = ids.find(*from), t = ids.find(*to);
      if (f != ids.end() && t != ids.end()) {
        sbom.relationships.push_back({f->second, t->second, "depends-on"});
      }
      return Status::Ok();
    };
    for (size_t i = 0; i < rels->size(); ++i) {
      RETURN_IF_ERROR(
          read_relationship((*rels)[i])
              .WithContext("relationships[" + std::to_string(i) + "]"));
    }
    return Status::Ok();
  };
  RETURN_IF_ERROR(read().WithContext("spdx document"));
  return sbom;
}

}  // namespace strata::sbom::internal
