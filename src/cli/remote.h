// Registry flags shared by every command that may talk to a registry, and
// the one place that opens any reference (local or registry) as an image
// source or a copy destination.
#ifndef STRATA_CLI_REMOTE_H_
#define STRATA_CLI_REMOTE_H_

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "oci/image.h"
#include "oci/reference.h"
#include "oci/sink.h"
#include "registry/store.h"

namespace strata::cli {

struct RegistryFlags {
  std::string username;
  bool password_stdin = false;
  bool tls_verify = true;
  std::string ca_cert;
  std::string cert;
  std::string key;
  std::vector<std::string> insecure_registries;
  std::string cache_dir;  // empty: BlobCache::DefaultDir()
  bool no_cache = false;
  bool verbose = false;
};

// Registers --username, --password-stdin, --tls-verify, --ca-cert, --cert,
// --key, --insecure-registry, --verbose and, when `with_cache`,
// --cache-dir / --no-cache.
void AddRegistryFlags(CLI::App* cmd, RegistryFlags* flags, bool with_cache);

// Client options from the flags. The password is read from standard input
// once per process (the first line, without its newline).
Result<registry::ClientOptions> MakeClientOptions(const RegistryFlags& flags);

// A client for `ref`'s registry with the flags' options.
Result<std::shared_ptr<registry::Client>> MakeRegistryClient(
    const oci::ImageRef& ref, const RegistryFlags& flags);

// The blob cache the flags ask for (null with --no-cache).
Result<std::shared_ptr<registry::BlobCache>> OpenCache(
    const RegistryFlags& flags);

// Opens a local or registry reference as a source. `cache` is used for
// registry sources only (may be null).
Result<oci::ImageSource> OpenAnySource(
    const oci::ImageRef& ref, const RegistryFlags& flags,
    std::shared_ptr<registry::BlobCache> cache);

}  // namespace strata::cli

#endif  // STRATA_CLI_REMOTE_H_
