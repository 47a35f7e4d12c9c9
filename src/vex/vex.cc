#include "vex/vex.h"

#include <algorithm>
#include <array>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "base/json.h"
#include "sbom/purl.h"

namespace strata::vex {
namespace {

using json::Json;
using strata::Status;
using VexStatus = vex::Status;

constexpr std::array<std::string_view, 5> kOpenVexJustifications = {
    "component_not_present", "vulnerable_code_not_present",
    "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "inline_mitigations_already_exist"};

constexpr std::array<std::string_view, 9> kCycloneDxJustifications = {
    "code_not_present",
    "code_not_reachable",
    "requires_configuration",
    "requires_dependency",
    "requires_environment",
    "protected_by_compiler",
    "protected_at_runtime",
    "protected_at_perimeter",
    "protected_by_mitigating_control"};

template <size_t N>
bool OneOf(const std::array<std::string_view, N>& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

std::string Ctx(std::string_view field, size_t i) {
  return std::string(field) + "[" + std::to_string(i) + "]";
}

// Adds product ids to one statement without duplicates, charging every byte
// to the document-wide budget.
class Products {
 public:
  explicit Products(int64_t* budget) : budget_(budget) {}

  Status Add(std::string id) {
    if (id.empty()) return DataLossError("empty product id");
    if (!seen_.insert(id).second) return Status::Ok();
    *budget_ -= static_cast<int64_t>(id.size());
    if (*budget_ < 0) {
      return ResourceExhaustedError(
          "product ids exceed " + std::to_string(kMaxProductBytes) + " bytes");
    }
    ids_.push_back(std::move(id));
    return Status::Ok();
  }
  std::vector<std::string> Take() { return std::move(ids_); }

 private:
  int64_t* budget_;
  std::unordered_set<std::string> seen_;
  std::vector<std::string> ids_;
};

// --- OpenVEX -----------------------------------------------------------------

// The ids of an OpenVEX component: a plain string (0.0.x) or an object with
// "@id" and/or "identifiers" {purl, cpe23, cpe22}.
Result<std::vector<std::string>> ComponentIds(const Json& c) {
  if (c.is_string()) return std::vector<std::string>{c.get<std::string>()};
  if (!c.is_object()) return DataLossError("must be an object or a string");
  std::vector<std::string> ids;
  ASSIGN_OR_RETURN(auto id, json::GetString(c, "@id"));
  if (id) ids.push_back(*id);
  ASSIGN_OR_RETURN(const Json* identifiers, json::GetObject(c, "identifiers"));
  if (identifiers) {
    for (std::string_view key : {"purl", "cpe23", "cpe22"}) {
      ASSIGN_OR_RETURN(auto v, json::GetString(*identifiers, key));
      if (v) ids.push_back(*v);
    }
  }
  if (ids.empty()) return DataLossError("no \"@id\" or \"identifiers\"");
  return ids;
}

Status AddComponents(const Json& array, std::string_view field, Products& out) {
  for (size_t i = 0; i < array.size(); ++i) {
    auto ids = ComponentIds(array[i]);
    if (!ids.ok()) return ids.status().WithContext(Ctx(field, i));
    for (std::string& id : *ids) {
      RETURN_IF_ERROR(out.Add(std::move(id)).WithContext(Ctx(field, i)));
    }
  }
  return Status::Ok();
}

Result<VexStatus> OpenVexStatus(std::string_view s) {
  if (s == "not_affected") return VexStatus::kNotAffected;
  if (s == "affected") return VexStatus::kAffected;
  if (s == "fixed") return VexStatus::kFixed;
  if (s == "under_investigation") return VexStatus::kUnderInvestigation;
  return DataLossError("unknown status \"" + std::string(s) + "\"");
}

Result<Statement> OpenVexStatement(const Json& s, int64_t* budget) {
  if (!s.is_object()) return DataLossError("must be an object");
  Statement st;
  auto vuln = s.find("vulnerability");
  if (vuln == s.end()) return DataLossError("missing \"vulnerability\"");
  if (vuln->is_string()) {
    st.vulnerability = vuln->get<std::string>();
  } else if (vuln->is_object()) {
    ASSIGN_OR_RETURN(auto name, json::GetString(*vuln, "name"));
    if (!name) return DataLossError("missing \"vulnerability.name\"");
    st.vulnerability = *name;
    ASSIGN_OR_RETURN(auto aliases, json::GetStringArray(*vuln, "aliases"));
    if (aliases) st.aliases = std::move(*aliases);
  } else {
    return DataLossError(
        "field \"vulnerability\" must be an object or a string");
  }
  if (st.vulnerability.empty()) return DataLossError("empty vulnerability");

  Products products(budget);
  ASSIGN_OR_RETURN(const Json* subcomponents,
                   json::GetArray(s, "subcomponents"));  // 0.0.x
  ASSIGN_OR_RETURN(const Json* list, json::GetArray(s, "products"));
  if (subcomponents && !subcomponents->empty()) {
    RETURN_IF_ERROR(AddComponents(*subcomponents, "subcomponents", products));
  } else if (list) {
    for (size_t i = 0; i < list->size(); ++i) {
      const Json& p = (*list)[i];
      const Json* subs = nullptr;
      if (p.is_object()) {
        auto got = json::GetArray(p, "subcomponents");
        if (!got.ok()) return got.status().WithContext(Ctx("products", i));
        subs = *got;
      }
      if (subs && !subs->empty()) {
        RETURN_IF_ERROR(AddComponents(*subs, "subcomponents", products)
                            .WithContext(Ctx("products", i)));
        continue;
      }
      auto ids = ComponentIds(p);
      if (!ids.ok()) return ids.status().WithContext(Ctx("products", i));
      for (std::string& id : *ids) {
        RETURN_IF_ERROR(
            products.Add(std::move(id)).WithContext(Ctx("products", i)));
      }
    }
  }
  st.products = products.Take();

  ASSIGN_OR_RETURN(auto status, json::GetString(s, "status"));
  if (!status) return DataLossError("missing \"status\"");
  ASSIGN_OR_RETURN(st.status, OpenVexStatus(*status));
  ASSIGN_OR_RETURN(auto justification, json::GetString(s, "justification"));
  if (justification) {
    if (!OneOf(kOpenVexJustifications, *justification)) {
      return DataLossError("unknown justification \"" + *justification + "\"");
    }
    st.justification = *justification;
  }
  ASSIGN_OR_RETURN(auto impact, json::GetString(s, "impact_statement"));
  if (impact) st.impact_statement = *impact;
  ASSIGN_OR_RETURN(auto action, json::GetString(s, "action_statement"));
  if (action) st.action_statement = *action;
  if (st.status == VexStatus::kNotAffected && st.justification.empty() &&
      st.impact_statement.empty()) {
    return DataLossError(
        "not_affected needs a justification or an impact_statement");
  }
  return st;
}

Result<Document> ParseOpenVex(const Json& doc, std::string_view what) {
  Document out;
  out.format = "openvex";
  ASSIGN_OR_RETURN(auto id, json::GetString(doc, "@id"));
  if (id) out.id = *id;
  ASSIGN_OR_RETURN(const Json* statements, json::GetArray(doc, "statements"));
  if (!statements) return DataLossError("missing \"statements\"");
  if (statements->size() > kMaxStatements) {
    return ResourceExhaustedError(
        "more than " + std::to_string(kMaxStatements) + " statements");
  }
  int64_t budget = kMaxProductBytes;
  for (size_t i = 0; i < statements->size(); ++i) {
    auto st = OpenVexStatement((*statements)[i], &budget);
    if (!st.ok()) return st.status().WithContext(Ctx("statements", i));
    st->source = std::string(what) + "#statement " + std::to_string(i + 1);
    out.statements.push_back(std::move(*st));
  }
  return out;
}

// --- CycloneDX ---------------------------------------------------------------

using RefMap = std::unordered_map<std::string, std::string>;

// Records bom-ref -> purl for `c` and its nested components (depth is
// bounded by the JSON depth cap).
Status CollectRefs(const Json& c, RefMap& refs) {
  if (!c.is_object()) return DataLossError("must be an object");
  ASSIGN_OR_RETURN(auto ref, json::GetString(c, "bom-ref"));
  ASSIGN_OR_RETURN(auto purl, json::GetString(c, "purl"));
  if (ref && !ref->empty()) refs.emplace(*ref, purl ? *purl : "");
  ASSIGN_OR_RETURN(const Json* children, json::GetArray(c, "components"));
  if (children) {
    for (size_t i = 0; i < children->size(); ++i) {
      RETURN_IF_ERROR(
          CollectRefs((*children)[i], refs).WithContext(Ctx("components", i)));
    }
  }
  return Status::Ok();
}

Result<std::optional<VexStatus>> CycloneDxState(std::string_view s) {
  if (s == "not_affected" || s == "false_positive") {
    return std::optional(VexStatus::kNotAffected);
  }
  if (s == "exploitable") return std::optional(VexStatus::kAffected);
  if (s == "resolved" || s == "resolved_with_pedigree") {
    return std::optional(VexStatus::kFixed);
  }
  if (s == "in_triage") return std::optional(VexStatus::kUnderInvestigation);
  return DataLossError("unknown analysis.state \"" + std::string(s) + "\"");
}

// A statement, or nullopt for a vulnerability without analysis.state.
Result<std::optional<Statement>> CycloneDxStatement(const Json& v,
                                                    const RefMap& refs,
                                                    int64_t* budget) {
  if (!v.is_object()) return DataLossError("must be an object");
  Statement st;
  ASSIGN_OR_RETURN(auto id, json::GetString(v, "id"));
  if (!id) return DataLossError("missing \"id\"");
  if (id->empty()) return DataLossError("empty vulnerability");
  st.vulnerability = *id;
  ASSIGN_OR_RETURN(const Json* references, json::GetArray(v, "references"));
  if (references) {
    for (size_t i = 0; i < references->size(); ++i) {
      const Json& r = (*references)[i];
      if (!r.is_object()) {
        return DataLossError("must be an object")
            .WithContext(Ctx("references", i));
      }
      auto alias = json::GetString(r, "id");
      if (!alias.ok()) return alias.status().WithContext(Ctx("references", i));
      if (*alias && !(*alias)->empty()) st.aliases.push_back(**alias);
    }
  }

  ASSIGN_OR_RETURN(const Json* analysis, json::GetObject(v, "analysis"));
  if (!analysis) return std::optional<Statement>();
  ASSIGN_OR_RETURN(auto state, json::GetString(*analysis, "state"));
  if (!state) return std::optional<Statement>();
  ASSIGN_OR_RETURN(auto status, CycloneDxState(*state));
  st.status = *status;
  ASSIGN_OR_RETURN(auto justification,
                   json::GetString(*analysis, "justification"));
  if (justification) {
    if (!OneOf(kCycloneDxJustifications, *justification)) {
      return DataLossError("unknown analysis.justification \"" +
                           *justification + "\"");
    }
    st.justification = *justification;
  }
  ASSIGN_OR_RETURN(auto detail, json::GetString(*analysis, "detail"));
  if (detail) st.impact_statement = *detail;
  ASSIGN_OR_RETURN(auto recommendation, json::GetString(v, "recommendation"));
  ASSIGN_OR_RETURN(auto response, json::GetStringArray(*analysis, "response"));
  if (recommendation) {
    st.action_statement = *recommendation;
  } else if (response) {
    for (const std::string& r : *response) {
      if (!st.action_statement.empty()) st.action_statement += ", ";
      st.action_statement += r;
    }
  }

  Products products(budget);
  ASSIGN_OR_RETURN(const Json* affects, json::GetArray(v, "affects"));
  if (affects) {
    for (size_t i = 0; i < affects->size(); ++i) {
      const Json& a = (*affects)[i];
      if (!a.is_object()) {
        return DataLossError("must be an object")
            .WithContext(Ctx("affects", i));
      }
      auto ref = json::GetString(a, "ref");
      if (!ref.ok()) return ref.status().WithContext(Ctx("affects", i));
      if (!*ref) {
        return DataLossError("missing \"ref\"").WithContext(Ctx("affects", i));
      }
      std::string product = std::move(**ref);
      auto it = refs.find(product);
      if (it != refs.end() && !it->second.empty()) product = it->second;
      RETURN_IF_ERROR(
          products.Add(std::move(product)).WithContext(Ctx("affects", i)));
    }
  }
  st.products = products.Take();
  return std::optional<Statement>(std::move(st));
}

Result<Document> ParseCycloneDx(const Json& doc, std::string_view what) {
  Document out;
  out.format = "cyclonedx";
  ASSIGN_OR_RETURN(auto spec, json::GetString(doc, "specVersion"));
  if (!spec) return DataLossError("missing \"specVersion\"");
  if (*spec != "1.4" && *spec != "1.5" && *spec != "1.6") {
    return DataLossError("unsupported specVersion \"" + *spec + "\"");
  }
  ASSIGN_OR_RETURN(auto serial, json::GetString(doc, "serialNumber"));
  if (serial) out.id = *serial;

  RefMap refs;
  ASSIGN_OR_RETURN(const Json* metadata, json::GetObject(doc, "metadata"));
  if (metadata) {
    ASSIGN_OR_RETURN(const Json* main, json::GetObject(*metadata, "component"));
    if (main) {
      RETURN_IF_ERROR(
          CollectRefs(*main, refs).WithContext("metadata.component"));
    }
  }
  ASSIGN_OR_RETURN(const Json* components, json::GetArray(doc, "components"));
  if (components) {
    for (size_t i = 0; i < components->size(); ++i) {
      RETURN_IF_ERROR(CollectRefs((*components)[i], refs)
                          .WithContext(Ctx("components", i)));
    }
  }

  ASSIGN_OR_RETURN(const Json* vulns, json::GetArray(doc, "vulnerabilities"));
  if (!vulns) return DataLossError("missing \"vulnerabilities\"");
  if (vulns->size() > kMaxStatements) {
    return ResourceExhaustedError(
        "more than " + std::to_string(kMaxStatements) + " vulnerabilities");
  }
  int64_t budget = kMaxProductBytes;
  for (size_t i = 0; i < vulns->size(); ++i) {
    auto st = CycloneDxStatement((*vulns)[i], refs, &budget);
    if (!st.ok()) return st.status().WithContext(Ctx("vulnerabilities", i));
    if (!*st) continue;
    (*st)->source =
        std::string(what) + "#vulnerability " + std::to_string(i + 1);
    out.statements.push_back(std::move(**st));
  }
  return out;
}

}  // namespace

std::string_view StatusName(VexStatus s) {
  switch (s) {
    case VexStatus::kNotAffected:
      return "not_affected";
    case VexStatus::kAffected:
      return "affected";
    case VexStatus::kFixed:
      return "fixed";
    case VexStatus::kUnderInvestigation:
      return "under_investigation";
  }
  return "";
}

Result<Document> Parse(std::string_view bytes, std::string_view what) {
  ASSIGN_OR_RETURN(Json doc, json::Parse(bytes, what, kMaxDocumentBytes));
  Result<Document> out = DataLossError("not an OpenVEX or CycloneDX document");
  if (!doc.is_object()) {
    out = DataLossError("not a JSON object");
  } else if (auto ctx = doc.find("@context");
             ctx != doc.end() && ctx->is_string() &&
             ctx->get<std::string>().starts_with("https://openvex.dev/ns")) {
    out = ParseOpenVex(doc, what);
  } else if (auto format = doc.find("bomFormat");
             format != doc.end() && *format == "CycloneDX") {
    out = ParseCycloneDx(doc, what);
  }
  if (!out.ok()) return out.status().WithContext(what);
  return out;
}

bool ProductMatches(std::string_view product, std::string_view purl) {
  if (product == purl) return true;
  std::optional<sbom::Purl> p = sbom::ParsePurl(product);
  std::optional<sbom::Purl> q = sbom::ParsePurl(purl);
  if (!p || !q) return false;
  if (p->type != q->type || p->namespace_ != q->namespace_ ||
      p->name != q->name) {
    return false;
  }
  if (!p->version.empty() && p->version != q->version) return false;
  if (!p->subpath.empty() && p->subpath != q->subpath) return false;
  for (const auto& [key, value] : p->qualifiers) {
    auto it = q->qualifiers.find(key);
    if (it == q->qualifiers.end() || it->second != value) return false;
  }
  return true;
}

}  // namespace strata::vex
