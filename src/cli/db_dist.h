// Distributing the vulnerability database (docs/formats/vulndb.md,
// "Updating" and "The OCI artifact"):
//
//  - UpdateDb: downloads the public sources (HTTPS through the registry
//    layer's libcurl transport, TLS always verified; file:// names a local
//    file or directory), each capped at kMaxSourceBytes, imports them all
//    into a NEW database file beside the target in one Db::Import call, then
//    fsyncs it and renames it over the target. Any failure (a download, an
//    import, a cap) leaves the previous database untouched and removes every
//    temporary file.
//  - PushDb / PullDb: the database as an OCI 1.1 artifact (artifact type
//    kDbArtifactType, the empty config, one zstd layer of the SQLite file).
//    A pull streams the layer through zstd into a temporary file beside the
//    target while its digest is verified, checks the result opens as a
//    database of our schema, and renames it into place; any failure leaves
//    the previous database untouched.
//
// Thread-compatible: no shared state; concurrent calls must name different
// targets.
#ifndef STRATA_CLI_DB_DIST_H_
#define STRATA_CLI_DB_DIST_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/caps.h"
#include "base/digest.h"
#include "base/status.h"
#include "oci/reference.h"
#include "registry/client.h"
#include "vulndb/vulndb.h"

namespace strata::cli {

// --- update ------------------------------------------------------------------

// One source of `strata db update`. `name` is what the database's sources
// table shows ([A-Za-z0-9._-], at most 64 characters, not "." or "..");
// `url` is https://... or file:///absolute/path.
struct DbSource {
  std::string name;
  std::string url;
  friend bool operator==(const DbSource&, const DbSource&) = default;
};

// A download (or a file:// file) larger than this fails the update.
inline constexpr int64_t kMaxSourceBytes = 4 * caps::kGiB;

// The default public sources, in order: OSV all.zip per ecosystem strata
// matches (osv-Debian, osv-Ubuntu, osv-Alpine, osv-AlmaLinux,
// osv-Rocky-Linux, osv-PyPI, osv-npm, osv-Go, osv-Maven, osv-crates.io,
// osv-RubyGems, osv-NuGet, osv-Packagist), debian-tracker, kev, epss.
std::vector<DbSource> DefaultDbSources();

// The default sources with `overrides` ("NAME=URL": replaces the URL of a
// source of that name, else adds one at the end) applied, then restricted to
// the names in `only` (each entry a comma-separated list; empty: all).
// Errors (kInvalidArgument): "--source \"x\": want NAME=URL",
// "--source \"x\": bad name ...", "--source NAME: URL must be https:// or
// file:///absolute/path", "--only: unknown source \"x\"".
Result<std::vector<DbSource>> SelectDbSources(
    const std::vector<std::string>& overrides,
    const std::vector<std::string>& only);

struct UpdateOptions {
  std::vector<DbSource> sources;  // at least one
  int64_t max_source_bytes = kMaxSourceBytes;
  std::string user_agent;  // empty: "strata"
  // Called after each source is fetched, before the import (progress).
  std::function<void(const DbSource& source, int64_t bytes)> on_fetched;
};

struct UpdatedSource {
  DbSource source;
  int64_t bytes = 0;  // downloaded (file://: the file's size, 0 for a dir)
  vulndb::ImportStats stats;
};

// Builds a new database at `db_path` from options.sources (see the top of
// this file). Errors name the source: "source kev: GET https://...: HTTP
// 404", "source epss: 5000000000 bytes, over the cap of 4294967296".
Result<std::vector<UpdatedSource>> UpdateDb(const std::string& db_path,
                                            const UpdateOptions& options);

// --- the OCI artifact --------------------------------------------------------

inline constexpr std::string_view kDbArtifactType =
    "application/vnd.strata.vulndb.v1";
inline constexpr std::string_view kDbLayerMediaType =
    "application/vnd.strata.vulndb.layer.v1.sqlite+zstd";
inline constexpr std::string_view kEmptyConfigMediaType =
    "application/vnd.oci.empty.v1+json";
inline constexpr std::string_view kEmptyConfigDigest =
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
// Manifest annotations besides org.opencontainers.image.created (built_at).
inline constexpr std::string_view kSchemaVersionAnnotation =
    "dev.strata.vulndb.schema-version";
// The layer as downloaded and as decompressed: a pull over either fails.
inline constexpr int64_t kMaxPulledDbBytes = 8 * caps::kGiB;
inline constexpr int kDbZstdLevel = 9;

struct PushedDb {
  Digest manifest;
  int64_t manifest_size = 0;
  Digest layer;
  int64_t layer_size = 0;  // compressed
  int64_t db_size = 0;     // the SQLite file
};

// Pushes the database at `db_path` (it must open with Db::OpenReadOnly) to
// ref's repository, tagged ref.tag (a reference without a tag is
// kInvalidArgument "push needs a tag: REF"). The layer is skipped when the
// registry already has it.
Result<PushedDb> PushDb(const std::string& db_path, const oci::ImageRef& ref,
                        registry::Client& client);

struct PulledDb {
  Digest manifest;
  int64_t db_size = 0;
  vulndb::DbStatus status;  // of the database now at db_path
};

// Pulls ref (by digest when it has one, else by tag) into `db_path`.
// Refused with kFailedPrecondition, old database kept:
//   "REF is not a strata vulnerability database (artifact type \"X\")"
//   "REF: want one layer of type application/vnd.strata.vulndb.layer.v1.
//    sqlite+zstd, got ..."
// A layer that is not zstd, is truncated or does not hold a database of
// our schema is kDataLoss / kFailedPrecondition naming the layer.
Result<PulledDb> PullDb(const oci::ImageRef& ref, registry::Client& client,
                        const std::string& db_path);

// Parses REF of `strata db push|pull` ("[docker://]host/repo[:tag][@digest]").
Result<oci::ImageRef> ParseDbReference(std::string_view ref);

}  // namespace strata::cli

#endif  // STRATA_CLI_DB_DIST_H_
