#include "cli/remote.h"

#include <cstdio>
#include <mutex>

namespace strata::cli {

void AddRegistryFlags(CLI::App* cmd, RegistryFlags* flags, bool with_cache) {
  auto* g = cmd->add_option_group("Registry");
  g->add_option("--username", flags->username,
                "registry user name (with --password-stdin)");
  g->add_flag("--password-stdin", flags->password_stdin,
              "read the registry password from standard input");
  g->add_option("--tls-verify", flags->tls_verify,
                "verify registry TLS certificates (--tls-verify=false turns "
                "it off)")
      ->default_str("true");
  g->add_option("--ca-cert", flags->ca_cert,
                "PEM file of CA certificates to trust besides the system's")
      ->check(CLI::ExistingFile);
  g->add_option("--cert", flags->cert, "client certificate (PEM) for mTLS")
      ->check(CLI::ExistingFile);
  g->add_option("--key", flags->key, "client key (PEM) for mTLS")
      ->check(CLI::ExistingFile);
  g->add_option("--insecure-registry", flags->insecure_registries,
                "HOST[:PORT] to speak plain HTTP to (repeatable)");
  g->add_flag("--verbose", flags->verbose,
              "log each registry request on stderr (never credentials)");
  if (with_cache) {
    g->add_option("--cache-dir", flags->cache_dir,
                  "blob cache directory (default: "
                  "${XDG_CACHE_HOME:-~/.cache}/strata)");
    g->add_flag("--no-cache", flags->no_cache,
                "neither read nor write the blob cache");
  }
}

namespace {

// Passwords and tokens are short; more on stdin is a mistake.
constexpr size_t kMaxPasswordBytes = 64 * 1024;

// The password is read from stdin at most once per process.
Result<std::string> StdinPassword() {
  static std::mutex mu;
  static std::optional<Result<std::string>> cached;
  std::lock_guard<std::mutex> lock(mu);
  if (!cached) {
    // The first line, read byte by byte up to a cap (stdin may be anything).
    std::string line;
    int c;
    while ((c = std::getchar()) != EOF && c != '\n') {
      if (line.size() == kMaxPasswordBytes) {
        cached =
            InvalidArgumentError("--password-stdin: password longer than " +
                                 std::to_string(kMaxPasswordBytes) + " bytes");
        return *cached;
      }
      line.push_back(static_cast<char>(c));
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() && c == EOF) {
      cached = InvalidArgumentError(
          "--password-stdin: no password on standard input");
    } else {
      cached = line;
    }
  }
  return *cached;
}

}  // namespace

Result<registry::ClientOptions> MakeClientOptions(const RegistryFlags& flags) {
  registry::ClientOptions o;
  o.transport.tls.verify = flags.tls_verify;
  o.transport.tls.ca_cert_file = flags.ca_cert;
  o.transport.tls.client_cert_file = flags.cert;
  o.transport.tls.client_key_file = flags.key;
  o.transport.verbose = flags.verbose;
  o.transport.user_agent = std::string("strata/") + STRATA_VERSION;
  o.insecure_registries = flags.insecure_registries;
  if (flags.cert.empty() != flags.key.empty()) {
    return InvalidArgumentError("--cert and --key go together");
  }
  if (flags.password_stdin && flags.username.empty()) {
    return InvalidArgumentError("--password-stdin needs --username");
  }
  if (!flags.username.empty()) {
    if (!flags.password_stdin) {
      return InvalidArgumentError(
          "--username needs --password-stdin (a password is never taken "
          "from the command line)");
    }
    ASSIGN_OR_RETURN(std::string password, StdinPassword());
    o.credential = registry::Credential{flags.username, password, ""};
  }
  return o;
}

Result<std::shared_ptr<registry::BlobCache>> OpenCache(
    const RegistryFlags& flags) {
  if (flags.no_cache) return std::shared_ptr<registry::BlobCache>();
  std::string dir = flags.cache_dir;
  if (dir.empty()) {
    ASSIGN_OR_RETURN(dir, registry::BlobCache::DefaultDir());
  }
  return registry::BlobCache::Open(dir);
}

Result<std::shared_ptr<registry::Client>> MakeRegistryClient(
    const oci::ImageRef& ref, const RegistryFlags& flags) {
  registry::RegistryOptions ro;
  ASSIGN_OR_RETURN(ro.client, MakeClientOptions(flags));
  return registry::ClientFor(ref, ro);
}

Result<oci::ImageSource> OpenAnySource(
    const oci::ImageRef& ref, const RegistryFlags& flags,
    std::shared_ptr<registry::BlobCache> cache) {
  if (ref.transport != oci::Transport::kRegistry) return oci::OpenSource(ref);
  registry::RegistryOptions ro;
  ASSIGN_OR_RETURN(ro.client, MakeClientOptions(flags));
  ro.cache = std::move(cache);
  return registry::OpenRegistrySource(ref, ro);
}

}  // namespace strata::cli
