#include "cli/db.h"

#include <malloc.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/db_dist.h"
#include "cli/exit_codes.h"
#include "cli/remote.h"
#include "registry/store.h"

namespace strata::cli {
namespace {

constexpr auto kMaxAge = std::chrono::hours(24 * 7);

// Per-source lines on stderr; `names` (if given) replaces each source's
// path. Returns the records written.
int64_t PrintImportStats(const std::vector<vulndb::ImportStats>& all,
                         const std::vector<std::string>& names) {
  int64_t total = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    const vulndb::ImportStats& s = all[i];
    total += s.records;
    const std::string& name = i < names.size() ? names[i] : s.source;
    std::fprintf(stderr, "%s: %s, %lld records, %lld skipped\n", name.c_str(),
                 s.kind.c_str(), static_cast<long long>(s.records),
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
  return total;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

// main() gives the process one malloc arena, which keeps the streaming
// commands' resident set small. The importer's parser threads and its
// SQLite writer allocate many small strings at once, and one arena
// serialises them on its lock: two arenas import about 10% faster for a
// few MiB more.
void UseImportArenas() { mallopt(M_ARENA_MAX, 2); }

int RunImport(const std::string& path, const std::vector<std::string>& srcs) {
  UseImportArenas();
  Result<std::unique_ptr<vulndb::Db>> db = vulndb::Db::OpenForImport(path);
  if (!db.ok()) return ReportError(db.status());
  const auto start = std::chrono::steady_clock::now();
  Result<std::vector<vulndb::ImportStats>> all = (*db)->Import(srcs);
  if (!all.ok()) return ReportError(all.status());
  const int64_t total = PrintImportStats(*all, {});
  std::fprintf(stderr, "imported %lld records into %s in %.2f s\n",
               static_cast<long long>(total), path.c_str(),
               SecondsSince(start));
  return kExitOk;
}

int RunUpdate(const std::string& path,
              const std::vector<std::string>& overrides,
              const std::vector<std::string>& only) {
  UseImportArenas();
  UpdateOptions opts;
  Result<std::vector<DbSource>> selected = SelectDbSources(overrides, only);
  if (!selected.ok()) return ReportError(selected.status());
  opts.sources = *std::move(selected);
  opts.user_agent = std::string("strata/") + STRATA_VERSION;
  opts.on_fetched = [](const DbSource& s, int64_t bytes) {
    std::fprintf(stderr, "fetched %s (%s, %lld bytes)\n", s.name.c_str(),
                 s.url.c_str(), static_cast<long long>(bytes));
  };
  const auto start = std::chrono::steady_clock::now();
  Result<std::vector<UpdatedSource>> done = UpdateDb(path, opts);
  if (!done.ok()) return ReportError(done.status());
  std::vector<vulndb::ImportStats> stats;
  std::vector<std::string> names;
  for (UpdatedSource& u : *done) {
    stats.push_back(std::move(u.stats));
    names.push_back(u.source.name);
  }
  const int64_t total = PrintImportStats(stats, names);
  std::fprintf(stderr, "updated %s: %lld records from %zu sources in %.2f s\n",
               path.c_str(), static_cast<long long>(total), names.size(),
               SecondsSince(start));
  return kExitOk;
}

Result<std::shared_ptr<registry::Client>> DbClient(const oci::ImageRef& ref,
                                                   const RegistryFlags& flags) {
  registry::RegistryOptions ro;
  ASSIGN_OR_RETURN(ro.client, MakeClientOptions(flags));
  return registry::ClientFor(ref, ro);
}

int RunPush(const std::string& path, const std::string& reference,
            const RegistryFlags& flags) {
  Result<oci::ImageRef> ref = ParseDbReference(reference);
  if (!ref.ok()) return ReportError(ref.status());
  Result<std::shared_ptr<registry::Client>> client = DbClient(*ref, flags);
  if (!client.ok()) return ReportError(client.status());
  Result<PushedDb> pushed = PushDb(path, *ref, **client);
  if (!pushed.ok()) return ReportError(pushed.status());
  std::fprintf(stderr, "pushed %s (%lld bytes, %lld compressed) to %s\n",
               path.c_str(), static_cast<long long>(pushed->db_size),
               static_cast<long long>(pushed->layer_size), ref->Name().c_str());
  std::printf("%s\n", pushed->manifest.ToString().c_str());
  return kExitOk;
}

int RunPull(const std::string& path, const std::string& reference,
            const RegistryFlags& flags) {
  Result<oci::ImageRef> ref = ParseDbReference(reference);
  if (!ref.ok()) return ReportError(ref.status());
  Result<std::shared_ptr<registry::Client>> client = DbClient(*ref, flags);
  if (!client.ok()) return ReportError(client.status());
  Result<PulledDb> pulled = PullDb(*ref, **client, path);
  if (!pulled.ok()) return ReportError(pulled.status());
  std::fprintf(stderr,
               "pulled %s (%s) into %s: %lld bytes, %lld advisories, built at "
               "%s\n",
               ref->Name().c_str(), pulled->manifest.ToString().c_str(),
               path.c_str(), static_cast<long long>(pulled->db_size),
               static_cast<long long>(pulled->status.advisories),
               pulled->status.built_at.empty()
                   ? "an unknown time"
                   : pulled->status.built_at.c_str());
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
    std::vector<std::string> overrides;  // update --source
    std::vector<std::string> only;
    std::string ref;
    RegistryFlags registry;
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

  std::string defaults = "default sources (NAME URL):";
  for (const DbSource& s : DefaultDbSources()) {
    defaults += "\n  " + s.name + " " + s.url;
  }
  CLI::App* update = cmd->add_subcommand(
      "update",
      "download the public sources (HTTPS, TLS verified; file:// for local "
      "files) and build a new database in their place; a failed download or "
      "import leaves the old database untouched");
  update->footer(defaults);
  update->add_option("--db", args->db, "database file")->capture_default_str();
  update->add_option("--source", args->overrides,
                     "NAME=URL: replace the URL of a default source or add "
                     "one (https:// or file:///PATH; repeatable)");
  update->add_option("--only", args->only,
                     "NAME,...: use only these sources (repeatable)");

  CLI::App* push = cmd->add_subcommand(
      "push",
      "push the database to a registry as an OCI artifact "
      "(application/vnd.strata.vulndb.v1); prints the manifest digest");
  push->add_option("REF", args->ref, "registry reference, HOST/REPO:TAG")
      ->required();
  push->add_option("--db", args->db, "database file")->capture_default_str();
  AddRegistryFlags(push, &args->registry, /*with_cache=*/false);

  CLI::App* pull = cmd->add_subcommand(
      "pull",
      "pull a database pushed with strata db push and replace the local one "
      "atomically (verified, decompressed, checked to open)");
  pull->add_option("REF", args->ref,
                   "registry reference, HOST/REPO[:TAG|@DIGEST]")
      ->required();
  pull->add_option("--db", args->db, "database file")->capture_default_str();
  AddRegistryFlags(pull, &args->registry, /*with_cache=*/false);

  return [args, import, status, update, push, pull]() -> int {
    if (import->parsed()) return RunImport(args->db, args->sources);
    if (status->parsed()) return RunStatus(args->db);
    if (update->parsed())
      return RunUpdate(args->db, args->overrides, args->only);
    if (push->parsed()) return RunPush(args->db, args->ref, args->registry);
    if (pull->parsed()) return RunPull(args->db, args->ref, args->registry);
    return kExitError;
  };
}

}  // namespace strata::cli
