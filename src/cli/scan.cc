#include "cli/scan.h"

#include <unistd.h>

#include <algorithm>

#include "base/byte_source.h"
#include "cli/common.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/sbom.h"
#include "io/file_source.h"
#include "scan/report.h"

namespace strata::cli {
namespace {

struct Args {
  std::string input;
  std::vector<std::string> outputs;
  std::string db;
  std::vector<std::string> vex;
  bool only_fixed = false;
  std::vector<std::string> ignore_states;
  std::string fail_on;
  std::string sort_by = "severity";
  SourceOptions source;
};

Result<vex::Document> ReadVex(const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> src, io::OpenFileSource(path));
  ASSIGN_OR_RETURN(std::string bytes,
                   ReadAll(*src, vex::kMaxDocumentBytes, "VEX file " + path));
  return vex::Parse(bytes, path);
}

void SortFindings(std::vector<scan::Finding>& f, const std::string& by) {
  if (by == "epss") {
    std::stable_sort(f.begin(), f.end(), [](const auto& a, const auto& b) {
      double x = a.epss ? a.epss->score : -1, y = b.epss ? b.epss->score : -1;
      return x > y;
    });
  } else if (by == "kev") {
    std::stable_sort(f.begin(), f.end(), [](const auto& a, const auto& b) {
      return a.kev && !b.kev;
    });
  }
}

int Run(const Args& a) {
  const char* def = ::isatty(STDOUT_FILENO) ? "table" : "json";
  Result<std::vector<OutputSpec>> specs = ParseOutputSpecs(a.outputs, def);
  if (!specs.ok()) return ReportError(specs.status());
  std::vector<scan::ReportFormat> formats;
  for (const OutputSpec& s : *specs) {
    Result<scan::ReportFormat> f = scan::ParseReportFormat(s.format);
    if (!f.ok()) return ReportError(f.status());
    formats.push_back(*f);
  }
  scan::MatchOptions mo;
  mo.only_fixed = a.only_fixed;
  for (const std::string& s : a.ignore_states) {
    std::optional<scan::FixState> st = scan::FixStateFromName(s);
    if (!st) {
      return ReportError(InvalidArgumentError(
          "--ignore-states: unknown state \"" + s.substr(0, 100) +
          "\" (want fixed, not-fixed, wont-fix or unknown)"));
    }
    mo.ignore_states.insert(*st);
  }
  std::optional<cvss::Rating> fail_on;
  if (!a.fail_on.empty()) {
    Result<cvss::Rating> r = scan::ParseSeverity(a.fail_on);
    if (!r.ok()) return ReportError(r.status());
    fail_on = *r;
  }
  for (const std::string& path : a.vex) {
    Result<vex::Document> doc = ReadVex(path);
    if (!doc.ok()) return ReportError(doc.status());
    mo.vex.push_back(*std::move(doc));
  }
  Result<int64_t> ts = OutputTimestamp();
  if (!ts.ok()) return ReportError(ts.status());
  std::string db_path = a.db.empty() ? vulndb::Db::DefaultPath() : a.db;
  Result<std::unique_ptr<vulndb::Db>> db = vulndb::Db::OpenReadOnly(db_path);
  if (!db.ok()) {
    return ReportError(db.status().WithContext(
        "vulnerability DB (build one with `strata db import`)"));
  }
  Result<std::string> built_at = (*db)->BuiltAt();
  if (!built_at.ok()) return ReportError(built_at.status());

  Result<sbom::Sbom> doc = SbomFromInput(a.input, a.source);
  if (!doc.ok()) return ReportError(doc.status());
  Result<scan::ScanResult> result = scan::Match(*doc, **db, mo);
  if (!result.ok()) return ReportError(result.status());
  SortFindings(result->findings, a.sort_by);

  scan::ReportOptions ro;
  ro.timestamp = *ts;
  ro.tool_version = STRATA_VERSION;
  ro.db_built_at = *built_at;
  ro.db_schema_version = vulndb::kSchemaVersion;
  std::vector<std::string> rendered;
  for (scan::ReportFormat f : formats) {
    Result<std::string> text = scan::WriteReport(*doc, *result, f, ro);
    if (!text.ok()) return ReportError(text.status());
    rendered.push_back(*std::move(text));
  }
  for (size_t i = 0; i < specs->size(); ++i) {
    const OutputSpec& s = (*specs)[i];
    Status st = s.file.empty() ? WriteStdout(rendered[i])
                               : WriteFileAtomically(s.file, rendered[i]);
    if (!st.ok()) return ReportError(st);
  }
  if (fail_on) {
    for (const scan::Finding& f : result->findings) {
      if (f.severity_known && f.severity >= *fail_on) {
        std::fprintf(stderr, "strata: %s severity or higher found (%s in %s)\n",
                     std::string(cvss::RatingName(*fail_on)).c_str(),
                     f.id.c_str(), f.package_name.c_str());
        return kExitCheckFailed;
      }
    }
  }
  return kExitOk;
}

}  // namespace

std::function<int()> SetupScan(CLI::App* cmd) {
  auto a = std::make_shared<Args>();
  cmd->add_option("IMAGE", a->input,
                  "image reference (as for inspect), or an SPDX / CycloneDX "
                  "JSON SBOM (strata, syft, Trivy)")
      ->required();
  cmd->add_option("-o,--output", a->outputs,
                  "FORMAT[=FILE], repeatable: table, json, sarif, openvex, "
                  "cyclonedx-json "
                  "(default: table on a terminal, else json)")
      ->allow_extra_args(false);
  cmd->add_option("--db", a->db,
                  "vulnerability DB (default: "
                  "${XDG_CACHE_HOME:-~/.cache}/strata/vuln.db)");
  cmd->add_option("--vex", a->vex,
                  "OpenVEX or CycloneDX VEX file whose not_affected / fixed "
                  "statements suppress findings (repeatable)")
      ->allow_extra_args(false)
      ->check(CLI::ExistingFile);
  cmd->add_flag("--only-fixed", a->only_fixed,
                "report only vulnerabilities that have a fix");
  cmd->add_option("--ignore-states", a->ignore_states,
                  "fix states to leave out: fixed, not-fixed, wont-fix, "
                  "unknown (comma-separated)")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--fail-on", a->fail_on,
                  "exit 2 when a finding at or above this severity remains: "
                  "negligible, low, medium, high, critical");
  cmd->add_option("--sort-by", a->sort_by, "severity, epss or kev")
      ->check(CLI::IsMember({"severity", "epss", "kev"}));
  AddSourceOptions(cmd, &a->source);
  return [a]() -> int { return Run(*a); };
}

}  // namespace strata::cli
