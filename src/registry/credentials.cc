// Credentials: docker config files and docker-credential-* helpers.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "base/base64.h"
#include "base/byte_source.h"
#include "base/json.h"
#include "base/unique_fd.h"
#include "io/file_source.h"
#include "registry/auth.h"

extern char** environ;

namespace strata::registry {
namespace {

constexpr std::string_view kDockerHubServerUrl = "https://index.docker.io/v1/";

bool ValidHelperName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' &&
        c != '-') {
      return false;
    }
  }
  return true;
}

Result<Credential> ParseAuthEntry(const json::Json& entry) {
  Credential cred;
  ASSIGN_OR_RETURN(std::optional<std::string> auth,
                   json::GetString(entry, "auth"));
  if (auth.has_value() && !auth->empty()) {
    Result<std::string> decoded = Base64Decode(*auth);
    if (!decoded.ok()) return DataLossError("auth is not base64");
    size_t colon = decoded->find(':');
    if (colon == std::string::npos) {
      return DataLossError("auth is not base64 of user:password");
    }
    cred.username = decoded->substr(0, colon);
    cred.password = decoded->substr(colon + 1);
  } else {
    ASSIGN_OR_RETURN(std::optional<std::string> user,
                     json::GetString(entry, "username"));
    ASSIGN_OR_RETURN(std::optional<std::string> pass,
                     json::GetString(entry, "password"));
    cred.username = user.value_or("");
    cred.password = pass.value_or("");
  }
  ASSIGN_OR_RETURN(std::optional<std::string> identity,
                   json::GetString(entry, "identitytoken"));
  cred.identity_token = identity.value_or("");
  return cred;
}

// The helper's stdout, read until EOF within the deadline and cap.
Result<std::string> ReadOutput(int fd, const std::string& what) {
  std::string out;
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(kHelperTimeoutMs);
  char buf[4096];
  while (true) {
    int left =
        static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                             deadline - std::chrono::steady_clock::now())
                             .count());
    if (left <= 0) {
      return UnavailableError(what + ": timed out after " +
                              std::to_string(kHelperTimeoutMs / 1000) + " s");
    }
    pollfd p = {fd, POLLIN, 0};
    int r = poll(&p, 1, left);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return ErrnoError(what + ": poll", errno);
    if (r == 0) continue;
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError(what + ": read", errno);
    if (n == 0) return out;
    if (static_cast<int64_t>(out.size()) + n > kMaxHelperOutputBytes) {
      return ResourceExhaustedError(what + ": output larger than " +
                                    std::to_string(kMaxHelperOutputBytes) +
                                    " bytes");
    }
    out.append(buf, static_cast<size_t>(n));
  }
}

// Writes all of `data` to a pipe without dying of SIGPIPE when the reader
// has gone (the helper exited early).
Status WriteInput(int fd, std::string_view data, const std::string& what) {
  sigset_t pipe_set, old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigset_t pending;
  sigpending(&pending);
  bool was_pending = sigismember(&pending, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  Status status;
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      if (errno == EPIPE && !was_pending) {
        timespec zero = {0, 0};
        sigtimedwait(&pipe_set, nullptr, &zero);
      }
      // A helper that exits without reading still has its say in its output.
      if (errno != EPIPE) status = ErrnoError(what + ": write", errno);
      break;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  return status;
}

// Kills and reaps the child unless it was already reaped.
class Child {
 public:
  explicit Child(pid_t pid) : pid_(pid) {}
  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      Wait();
    }
  }
  int Wait() {
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_;
};

std::string FirstLine(std::string_view s) {
  s = s.substr(0, s.find('\n'));
  while (!s.empty() && (s.back() == '\r' || s.back() == ' '))
    s.remove_suffix(1);
  return std::string(s.substr(0, 200));
}

}  // namespace

std::string NormalizeRegistryHost(std::string_view key) {
  if (size_t scheme = key.find("://"); scheme != std::string_view::npos) {
    key.remove_prefix(scheme + 3);
  }
  key = key.substr(0, key.find('/'));
  std::string host;
  for (char c : key) {
    host += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (host == "index.docker.io" || host == "registry-1.docker.io" ||
      host == "registry.hub.docker.com") {
    return "docker.io";
  }
  return host;
}

Result<DockerConfig> ParseDockerConfig(std::string_view bytes,
                                       std::string_view what) {
  std::string name(what);
  ASSIGN_OR_RETURN(json::Json doc,
                   json::Parse(bytes, name, kMaxDockerConfigBytes));
  if (!doc.is_object()) return DataLossError(name + ": not a JSON object");
  DockerConfig config;
  Result<const json::Json*> found = json::GetObject(doc, "auths");
  if (!found.ok()) return found.status().WithContext(name);
  const json::Json* auths = *found;
  if (auths != nullptr) {
    for (const auto& [key, entry] : auths->items()) {
      std::string where = name + ": auths \"" + key + "\"";
      if (!entry.is_object()) return DataLossError(where + ": not an object");
      Result<Credential> cred = ParseAuthEntry(entry);
      if (!cred.ok()) return cred.status().WithContext(where);
      if (cred->username.empty() && cred->password.empty() &&
          cred->identity_token.empty()) {
        continue;  // an empty entry (docker writes them for credsStore)
      }
      config.auths.emplace(NormalizeRegistryHost(key), std::move(*cred));
    }
  }
  Result<std::optional<std::map<std::string, std::string>>> helpers =
      json::GetStringMap(doc, "credHelpers");
  if (!helpers.ok()) return helpers.status().WithContext(name);
  for (const auto& [key, helper] :
       helpers->value_or(std::map<std::string, std::string>())) {
    if (!ValidHelperName(helper)) {
      return DataLossError(name + ": credHelpers \"" + key +
                           "\": invalid helper name");
    }
    config.cred_helpers.emplace(NormalizeRegistryHost(key), helper);
  }
  Result<std::optional<std::string>> store = json::GetString(doc, "credsStore");
  if (!store.ok()) return store.status().WithContext(name);
  if (store->has_value() && !(*store)->empty()) {
    if (!ValidHelperName(**store)) {
      return DataLossError(name + ": credsStore: invalid helper name");
    }
    config.creds_store = **store;
  }
  return config;
}

CredentialSources CredentialSourcesFromEnvironment(
    std::optional<Credential> explicit_credential) {
  CredentialSources s;
  s.explicit_credential = std::move(explicit_credential);
  auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v != nullptr ? v : "";
  };
  if (std::string f = env("REGISTRY_AUTH_FILE"); !f.empty()) {
    s.config_files.push_back(f);
  }
  if (std::string d = env("DOCKER_CONFIG"); !d.empty()) {
    s.config_files.push_back(d + "/config.json");
  } else if (std::string h = env("HOME"); !h.empty()) {
    s.config_files.push_back(h + "/.docker/config.json");
  }
  s.helper_path = env("PATH");
  if (s.helper_path.empty()) s.helper_path = "/usr/local/bin:/usr/bin:/bin";
  return s;
}

Result<std::optional<Credential>> RunCredentialHelper(
    const std::string& helper, const std::string& server_url,
    const std::string& helper_path) {
  std::string what = "credential helper docker-credential-" + helper;
  if (!ValidHelperName(helper))
    return InvalidArgumentError(what + ": bad name");
  std::string exe;
  std::string_view dirs = helper_path;
  while (exe.empty()) {
    std::string_view dir = dirs.substr(0, dirs.find(':'));
    std::string candidate =
        std::string(dir.empty() ? "." : dir) + "/docker-credential-" + helper;
    if (access(candidate.c_str(), X_OK) == 0) exe = candidate;
    if (dir.size() == dirs.size()) break;
    dirs.remove_prefix(dir.size() + 1);
  }
  if (exe.empty()) return FailedPreconditionError(what + ": not found in PATH");

  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0) return ErrnoError(what + ": pipe", errno);
  UniqueFd in_read(in[0]), in_write(in[1]);
  if (pipe2(out, O_CLOEXEC) != 0) return ErrnoError(what + ": pipe", errno);
  UniqueFd out_read(out[0]), out_write(out[1]);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in_read.get(), 0);
  posix_spawn_file_actions_adddup2(&fa, out_write.get(), 1);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  std::string arg_get = "get";
  char* argv[] = {exe.data(), arg_get.data(), nullptr};
  pid_t pid = -1;
  int rc = posix_spawn(&pid, exe.c_str(), &fa, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return ErrnoError(what + ": spawn", rc);
  Child child(pid);
  in_read.Reset();
  out_write.Reset();

  RETURN_IF_ERROR(WriteInput(in_write.get(), server_url, what));
  in_write.Reset();
  ASSIGN_OR_RETURN(std::string output, ReadOutput(out_read.get(), what));
  int status = child.Wait();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    if (output.find("credentials not found") != std::string::npos) {
      return std::optional<Credential>();
    }
    std::string how =
        WIFEXITED(status)
            ? "exit status " + std::to_string(WEXITSTATUS(status))
            : "killed by signal " + std::to_string(WTERMSIG(status));
    std::string line = FirstLine(output);
    return FailedPreconditionError(what + ": " + how +
                                   (line.empty() ? "" : ": " + line));
  }
  ASSIGN_OR_RETURN(json::Json doc,
                   json::Parse(output, what, kMaxHelperOutputBytes));
  if (!doc.is_object()) return DataLossError(what + ": not a JSON object");
  Result<std::optional<std::string>> user = json::GetString(doc, "Username");
  if (!user.ok()) return user.status().WithContext(what);
  Result<std::optional<std::string>> secret = json::GetString(doc, "Secret");
  if (!secret.ok()) return secret.status().WithContext(what);
  Credential cred;
  if (user->value_or("") == "<token>") {
    cred.identity_token = secret->value_or("");
  } else {
    cred.username = user->value_or("");
    cred.password = secret->value_or("");
  }
  if (cred.username.empty() && cred.password.empty() &&
      cred.identity_token.empty()) {
    return std::optional<Credential>();
  }
  return std::optional<Credential>(std::move(cred));
}

Result<std::optional<Credential>> CredentialStore::Lookup(
    std::string_view host) const {
  if (sources_.explicit_credential.has_value()) {
    return sources_.explicit_credential;
  }
  std::string norm = NormalizeRegistryHost(host);
  std::string server_url =
      norm == "docker.io" ? std::string(kDockerHubServerUrl) : norm;
  for (const std::string& file : sources_.config_files) {
    Result<std::unique_ptr<ByteSource>> src = io::OpenFileSource(file);
    if (!src.ok() && src.status().code() == StatusCode::kNotFound) continue;
    if (!src.ok()) return src.status();
    ASSIGN_OR_RETURN(std::string bytes,
                     ReadAll(**src, kMaxDockerConfigBytes, file));
    ASSIGN_OR_RETURN(DockerConfig config, ParseDockerConfig(bytes, file));
    if (auto it = config.cred_helpers.find(norm);
        it != config.cred_helpers.end()) {
      ASSIGN_OR_RETURN(
          std::optional<Credential> cred,
          RunCredentialHelper(it->second, server_url, sources_.helper_path));
      if (cred.has_value()) return cred;
    }
    if (!config.creds_store.empty()) {
      ASSIGN_OR_RETURN(std::optional<Credential> cred,
                       RunCredentialHelper(config.creds_store, server_url,
                                           sources_.helper_path));
      if (cred.has_value()) return cred;
    }
    if (auto it = config.auths.find(norm); it != config.auths.end()) {
      return std::optional<Credential>(it->second);
    }
  }
  return std::optional<Credential>();
}

}  // namespace strata::registry
