#include "cli/db.h"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/exit_codes.h"

namespace strata::cli {
namespace {

constexpr auto kMaxAge = std::chrono::hours(24 * 7);

int RunImport(const std::string& path, const std::vector<std::string>& srcs) {
  Result<std::unique_ptr<vulndb::Db>> db = vulndb::Db::OpenForImport(path);
  if (!db.ok()) return ReportError(db.status());
  const auto start = std::chrono::steady_clock::now();
  Result<std::vector<vulndb::ImportStats>> all = (*db)->Import(srcs);
  if (!all.ok()) return ReportError(all.status());
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  int64_t total = 0;
  for (const vulndb::ImportStats& s : *all) {
    total += s.records;
    std::fprintf(stderr, "%s: %s, %lld records, %lld skipped\n",
                 s.source.c_str(), s.kind.c_str(),
                 static_cast<long long>(s.records),
                 static_cast<long long>(s.skipped));
    for (const std::string& m : s.messages) {
      std::fprintf(stderr, "  skipped: %s\n", m.c_str());
    }
    if (s.skipped > static_cast<int64_t>(s.messages.size())) {
      std::fprintf(stderr, "  ... and %lld more\n",
                   static_cast<long long>(
                       s.skipped - static_cast<int64_t>(s.messages.size())));
    }
  }
  std::fprintf(stderr, "imported %lld records into %s in %.2f s\n",
               static_cast<long long>(total), path.c_str(), secs);
  return kExitOk;
}

int RunStatus(const std::string& path) {
  Result<std::unique_ptr<vulndb::Db>> db = vulndb::Db::OpenReadOnly(path);
  if (!db.ok()) return ReportError(db.status());
  Result<vulndb::DbStatus> st = (*db)->Status();
  if (!st.ok()) return ReportError(st.status());
  std::string text = "database:       " + path + "\n" +
                     FormatDbStatus(*st, std::chrono::system_clock::now());
  std::fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
}

}  // namespace

std::string FormatDbStatus(const vulndb::DbStatus& s,
                           std::chrono::system_clock::time_point now) {
  std::string out;
  auto line = [&out](const std::string& key, const std::string& value) {
    out += key;
    out.append(key.size() < 16 ? 16 - key.size() : 1, ' ');
    out += value + "\n";
  };
  line("schema version:", std::to_string(s.schema_version));
  line("built at:", s.built_at.empty() ? "never" : s.built_at);
  if (!s.strata_version.empty())
    line("built by:", "strata " + s.strata_version);
  line("advisories:", std::to_string(s.advisories));
  line("KEV entries:", std::to_string(s.kev));
  line("EPSS scores:", std::to_string(s.epss));
  out += "sources:\n";
  for (const vulndb::SourceInfo& src : s.sources) {
    out += "  " + src.name + " (" + src.kind +
           "): " + std::to_string(src.records) + " records, " +
           std::to_string(src.skipped) + " skipped, imported " +
           src.imported_at + "\n";
  }
  out += "advisories per ecosystem:\n";
  for (const auto& [eco, n] : s.advisories_per_ecosystem) {
    out += "  " + eco + ": " + std::to_string(n) + "\n";
  }
  Result<std::chrono::system_clock::time_point> built =
      vulndb::ParseRfc3339(s.built_at);
  if (!built.ok()) {
    out += "warning: the build time is unknown; run strata db import\n";
  } else if (now - *built > kMaxAge) {
    const auto days =
        std::chrono::duration_cast<std::chrono::hours>(now - *built).count() /
        24;
    out += "warning: the database is " + std::to_string(days) +
           " days old; run strata db import with fresh sources\n";
  }
  return out;
}

std::function<int()> SetupDb(CLI::App* cmd) {
  struct Args {
    std::string db = vulndb::Db::DefaultPath();
    std::vector<std::string> sources;
  };
  auto args = std::make_shared<Args>();
  cmd->require_subcommand(1);
  CLI::App* import = cmd->add_subcommand(
      "import",
      "import OSV zips, directories or JSON files, the Debian security "
      "tracker, Alpine secdb, CISA KEV and EPSS CSV (gzip accepted), in one "
      "transaction");
  import->add_option("SOURCE", args->sources, "files or directories to import")
      ->required();
  import->add_option("--db", args->db, "database file")->capture_default_str();
  CLI::App* status = cmd->add_subcommand(
      "status", "show the database's build time, sources and counts");
  status->add_option("--db", args->db, "database file")->capture_default_str();
  return [args, import, status]() -> int {
    if (import->parsed()) return RunImport(args->db, args->sources);
    if (status->parsed()) return RunStatus(args->db);
    return kExitError;
  };
}

}  // namespace strata::cli
