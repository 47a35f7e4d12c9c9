#include "scan/report.h"

#include <array>
#include <cstdio>
#include <ctime>
#include <map>

#include "base/caps.h"
#include "base/digest.h"
#include "base/json.h"
#include "sbom/format.h"

namespace strata::scan {
namespace {

using json::Json;

std::string Rfc3339(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string SeverityName(const Finding& f) {
  return f.severity_known ? std::string(cvss::RatingName(f.severity))
                          : "unknown";
}

Json FindingJson(const Finding& f) {
  Json v = Json::object();
  v["id"] = f.id;
  v["aliases"] = f.aliases;
  v["advisories"] = f.advisories;
  v["severity"] = SeverityName(f);
  v["severitySource"] = f.severity_source;
  v["cvssScore"] = f.score;
  v["cvssVector"] = f.vector;
  v["kev"] = f.kev;
  if (f.epss) {
    v["epss"] = {{"score", f.epss->score},
                 {"percentile", f.epss->percentile},
                 {"date", f.epss->date}};
  } else {
    v["epss"] = nullptr;
  }
  v["malicious"] = f.malicious;
  v["summary"] = f.summary;
  Json pkg = {{"id", f.package_id},
              {"name", f.package_name},
              {"version", f.package_version},
              {"type", f.package_type},
              {"purl", f.purl},
              {"locations", f.locations}};
  Json m = Json::object();
  m["vulnerability"] = std::move(v);
  m["package"] = std::move(pkg);
  m["ecosystem"] = f.ecosystem;
  m["fix"] = {{"state", std::string(FixStateName(f.state))},
              {"version", f.fixed_version}};
  if (!f.vex_status.empty()) {
    m["vex"] = {{"status", f.vex_status},
                {"justification", f.vex_justification},
                {"statement", f.suppressed_by}};
  }
  return m;
}

std::string JsonReport(const sbom::Sbom& s, const ScanResult& r,
                       const ReportOptions& o) {
  json::Json doc = json::Json::object();
  doc["schemaVersion"] = "strata.scan/v1";
  doc["descriptor"] = {{"name", "strata"},
                       {"version", o.tool_version},
                       {"timestamp", Rfc3339(o.timestamp)}};
  doc["db"] = {{"schemaVersion", o.db_schema_version},
               {"builtAt", o.db_built_at}};
  doc["source"] = {{"reference", s.source.reference},
                   {"manifestDigest", s.source.manifest_digest},
                   {"platform", s.source.platform},
                   {"name", s.source.name}};
  doc["distro"] = {{"id", s.distro.id}, {"versionID", s.distro.version_id}};
  std::map<std::string, int64_t> counts;
  for (const char* k :
       {"critical", "high", "medium", "low", "none", "unknown"}) {
    counts[k] = 0;
  }
  json::Json matches = json::Json::array();
  for (const Finding& f : r.findings) {
    ++counts[SeverityName(f)];
    matches.push_back(FindingJson(f));
  }
  json::Json suppressed = json::Json::array();
  for (const Finding& f : r.suppressed) suppressed.push_back(FindingJson(f));
  json::Json summary = json::Json::object();
  for (const auto& [k, n] : counts) summary[k] = n;
  summary["total"] = static_cast<int64_t>(r.findings.size());
  summary["suppressed"] = static_cast<int64_t>(r.suppressed.size());
  summary["packages"] = r.packages;
  doc["summary"] = std::move(summary);
  doc["matches"] = std::move(matches);
  doc["suppressed"] = std::move(suppressed);
  doc["notes"] = r.notes;
  return json::Dump(doc, 2) + "\n";
}

std::string Table(const ScanResult& r) {
  std::vector<std::array<std::string, 7>> rows;
  rows.push_back({"NAME", "INSTALLED", "FIXED-IN", "TYPE", "VULNERABILITY",
                  "SEVERITY", "EPSS%"});
  for (const Finding& f : r.findings) {
    std::string fixed = f.state == FixState::kFixed     ? f.fixed_version
                        : f.state == FixState::kWontFix ? "(won't fix)"
                                                        : "";
    char epss[16] = "";
    if (f.epss) std::snprintf(epss, sizeof(epss), "%.2f", f.epss->score * 100);
    std::string sev = SeverityName(f);
    if (f.kev) sev += " (KEV)";
    if (f.malicious) sev += " (MALICIOUS)";
    rows.push_back({f.package_name, f.package_version, fixed, f.package_type,
                    f.id, sev, epss});
  }
  std::array<size_t, 7> width{};
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size())
        line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  if (r.findings.empty()) out = "No vulnerabilities found\n";
  if (!r.suppressed.empty()) {
    out += std::to_string(r.suppressed.size()) +
           " finding(s) suppressed by VEX statements\n";
  }
  return out;
}

std::string SarifLevel(const Finding& f) {
  if (!f.severity_known) return "warning";
  switch (f.severity) {
    case cvss::Rating::kCritical:
    case cvss::Rating::kHigh:
      return "error";
    case cvss::Rating::kMedium:
      return "warning";
    default:
      return "note";
  }
}

std::string Sarif(const sbom::Sbom& s, const ScanResult& r,
                  const ReportOptions& o) {
  json::Json rules = json::Json::array();
  json::Json results = json::Json::array();
  std::map<std::string, size_t> rule_index;
  for (const Finding& f : r.findings) {
    auto [it, fresh] = rule_index.emplace(f.id, rule_index.size());
    if (fresh) {
      char score[16];
      std::snprintf(score, sizeof(score), "%.1f", f.score);
      std::string text = f.summary.empty() ? f.id : f.summary;
      rules.push_back(
          {{"id", f.id},
           {"name", f.id},
           {"shortDescription", {{"text", f.id + ": " + text}}},
           {"fullDescription", {{"text", text}}},
           {"help",
            {{"text", "Advisories: " +
                          [&] {
                            std::string a;
                            for (const std::string& x : f.advisories) {
                              a += (a.empty() ? "" : ", ") + x;
                            }
                            return a;
                          }()}}},
           {"properties",
            {{"security-severity", std::string(score)},
             {"tags", json::Json::array({"security", "vulnerability"})}}}});
    }
    std::string msg =
        f.package_name + " " + f.package_version + " is affected by " + f.id;
    if (f.state == FixState::kFixed) msg += "; fixed in " + f.fixed_version;
    std::string uri = f.locations.empty() ? s.source.reference : f.locations[0];
    results.push_back(
        {{"ruleId", f.id},
         {"ruleIndex", it->second},
         {"level", SarifLevel(f)},
         {"message", {{"text", msg}}},
         {"locations",
          json::Json::array({{{"physicalLocation",
                               {{"artifactLocation", {{"uri", uri}}}}}}})},
         {"partialFingerprints",
          {{"packageAndVulnerability", f.package_id + "/" + f.id}}}});
  }
  json::Json doc = {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", json::Json::array(
                   {{{"tool",
                      {{"driver",
                        {{"name", "strata"},
                         {"version", o.tool_version},
                         {"informationUri", "https://github.com/strata/strata"},
                         {"rules", std::move(rules)}}}}},
                     {"results", std::move(results)}}})}};
  return json::Dump(doc, 2) + "\n";
}

std::string OpenVex(const sbom::Sbom& s, const ScanResult& r,
                    const ReportOptions& o) {
  json::Json statements = json::Json::array();
  auto add = [&](const Finding& f, bool suppressed) {
    json::Json st = json::Json::object();
    st["vulnerability"] = {{"name", f.id}};
    if (!f.aliases.empty()) st["vulnerability"]["aliases"] = f.aliases;
    std::string product = f.purl.empty() ? f.package_id : f.purl;
    st["products"] = json::Json::array({{{"@id", product}}});
    if (suppressed) {
      st["status"] = f.vex_status == "fixed" ? "fixed" : "not_affected";
      if (f.vex_status != "fixed") {
        st["justification"] = f.vex_justification.empty()
                                  ? "vulnerable_code_not_in_execute_path"
                                  : f.vex_justification;
      }
    } else {
      st["status"] = "affected";
      st["action_statement"] = f.state == FixState::kFixed
                                   ? "Update " + f.package_name + " to " +
                                         f.fixed_version + " or later"
                                   : "No fix is available yet";
    }
    statements.push_back(std::move(st));
  };
  for (const Finding& f : r.findings) add(f, false);
  for (const Finding& f : r.suppressed) add(f, true);
  std::string subject = s.source.manifest_digest.empty()
                            ? s.source.reference
                            : s.source.manifest_digest;
  json::Json doc = {
      {"@context", "https://openvex.dev/ns/v0.2.0"},
      {"@id", "https://openvex.dev/docs/public/strata-" +
                  Sha256Of(subject + "\n" + json::Dump(statements, -1)).hex()},
      {"author", "strata"},
      {"timestamp", Rfc3339(o.timestamp)},
      {"version", 1},
      {"tooling", "strata " + o.tool_version},
      {"statements", std::move(statements)}};
  return json::Dump(doc, 2) + "\n";
}

std::string CdxMethod(const Finding& f) {
  if (f.vector.starts_with("CVSS:4.0")) return "CVSSv4";
  if (f.vector.starts_with("CVSS:3.1")) return "CVSSv31";
  if (f.vector.starts_with("CVSS:3.0")) return "CVSSv3";
  if (!f.vector.empty()) return "CVSSv2";
  return "other";
}

std::string CdxSource(std::string_view id) {
  if (id.starts_with("CVE-")) return "NVD";
  if (id.starts_with("GHSA-")) return "GitHub";
  return "OSV";
}

std::string CdxSourceUrl(std::string_view id) {
  if (id.starts_with("CVE-")) {
    return "https://nvd.nist.gov/vuln/detail/" + std::string(id);
  }
  if (id.starts_with("GHSA-")) {
    return "https://github.com/advisories/" + std::string(id);
  }
  return "https://osv.dev/vulnerability/" + std::string(id);
}

// CycloneDX analysis.justification for an OpenVEX justification.
std::string CdxJustification(std::string_view openvex) {
  if (openvex == "component_not_present") return "code_not_present";
  if (openvex == "vulnerable_code_not_present") return "code_not_present";
  if (openvex == "vulnerable_code_not_in_execute_path") {
    return "code_not_reachable";
  }
  if (openvex == "vulnerable_code_cannot_be_controlled_by_adversary") {
    return "requires_environment";
  }
  if (openvex == "inline_mitigations_already_exist") {
    return "protected_by_mitigating_control";
  }
  return "";
}

Result<std::string> CycloneDx(const sbom::Sbom& s, const ScanResult& r,
                              const ReportOptions& o) {
  sbom::WriteOptions wo;
  wo.timestamp = o.timestamp;
  wo.tool_version = o.tool_version;
  ASSIGN_OR_RETURN(std::string bom,
                   sbom::Write(s, sbom::Format::kCycloneDxJson, wo));
  ASSIGN_OR_RETURN(json::Json doc, json::Parse(bom, "CycloneDX BOM",
                                               caps::kMaxSbomDocumentBytes));
  json::Json vulns = json::Json::array();
  auto add = [&](const Finding& f, bool suppressed) {
    json::Json v = json::Json::object();
    v["bom-ref"] = "vuln:" + f.id + ":" + f.package_id;
    v["id"] = f.id;
    v["source"] = {{"name", CdxSource(f.id)}, {"url", CdxSourceUrl(f.id)}};
    json::Json ratings = json::Json::array();
    if (f.score > 0) {
      json::Json rating = {
          {"score", f.score}, {"method", CdxMethod(f)}, {"vector", f.vector}};
      if (f.severity_known) {
        rating["severity"] = std::string(cvss::RatingName(f.severity));
      }
      ratings.push_back(std::move(rating));
    } else if (f.severity_known) {
      ratings.push_back(
          {{"severity", std::string(cvss::RatingName(f.severity))},
           {"method", "other"},
           {"source", {{"name", f.severity_source}}}});
    }
    if (!ratings.empty()) v["ratings"] = std::move(ratings);
    if (!f.summary.empty()) v["description"] = f.summary;
    if (!f.aliases.empty()) {
      json::Json refs = json::Json::array();
      for (const std::string& a : f.aliases) {
        refs.push_back(
            {{"id", a},
             {"source", {{"name", CdxSource(a)}, {"url", CdxSourceUrl(a)}}}});
      }
      v["references"] = std::move(refs);
    }
    if (f.state == FixState::kFixed) {
      v["recommendation"] =
          "Upgrade " + f.package_name + " to " + f.fixed_version + " or later";
    }
    v["affects"] = json::Json::array({{{"ref", f.package_id}}});
    json::Json props = json::Json::array();
    props.push_back({{"name", "strata:fix:state"},
                     {"value", std::string(FixStateName(f.state))}});
    if (f.kev) props.push_back({{"name", "strata:kev"}, {"value", "true"}});
    if (f.epss) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%.5f", f.epss->score);
      props.push_back({{"name", "strata:epss"}, {"value", buf}});
    }
    v["properties"] = std::move(props);
    if (suppressed) {
      json::Json analysis = {
          {"state", f.vex_status == "fixed" ? "resolved" : "not_affected"},
          {"detail", "suppressed by " + f.suppressed_by}};
      std::string j = CdxJustification(f.vex_justification);
      if (!j.empty() && f.vex_status != "fixed") analysis["justification"] = j;
      v["analysis"] = std::move(analysis);
    }
    vulns.push_back(std::move(v));
  };
  for (const Finding& f : r.findings) add(f, false);
  for (const Finding& f : r.suppressed) add(f, true);
  doc["vulnerabilities"] = std::move(vulns);
  return json::Dump(doc, 2) + "\n";
}

}  // namespace

Result<ReportFormat> ParseReportFormat(std::string_view name) {
  if (name == "table") return ReportFormat::kTable;
  if (name == "json") return ReportFormat::kJson;
  if (name == "sarif") return ReportFormat::kSarif;
  if (name == "openvex") return ReportFormat::kOpenVex;
  if (name == "cyclonedx-json" || name == "cyclonedx") {
    return ReportFormat::kCycloneDx;
  }
  return InvalidArgumentError("unknown output format \"" +
                              std::string(name.substr(0, 100)) +
                              "\" (want table, json, sarif, openvex or "
                              "cyclonedx-json)");
}

Result<cvss::Rating> ParseSeverity(std::string_view name) {
  for (cvss::Rating r :
       {cvss::Rating::kNone, cvss::Rating::kLow, cvss::Rating::kMedium,
        cvss::Rating::kHigh, cvss::Rating::kCritical}) {
    if (cvss::RatingName(r) == name) return r;
  }
  if (name == "negligible") return cvss::Rating::kNone;
  return InvalidArgumentError("unknown severity \"" +
                              std::string(name.substr(0, 100)) +
                              "\" (want negligible, low, medium, high or "
                              "critical)");
}

Result<std::string> WriteReport(const sbom::Sbom& sbom, const ScanResult& r,
                                ReportFormat format,
                                const ReportOptions& options) {
  switch (format) {
    case ReportFormat::kTable:
      return Table(r);
    case ReportFormat::kJson:
      return JsonReport(sbom, r, options);
    case ReportFormat::kSarif:
      return Sarif(sbom, r, options);
    case ReportFormat::kOpenVex:
      return OpenVex(sbom, r, options);
    case ReportFormat::kCycloneDx:
      return CycloneDx(sbom, r, options);
  }
  return InternalError("unknown report format");
}

}  // namespace strata::scan
