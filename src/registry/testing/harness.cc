// TempDir, PickFreePort and RegistryServer. TokenServer and FaultProxy live
// in token_server.cc and fault_proxy.cc.
#include "registry/testing/harness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "registry/testing/raw_http.h"

extern char** environ;

namespace strata::registry::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kStartAttempts = 3;
constexpr auto kStartTimeout = std::chrono::seconds(10);
constexpr auto kStopTimeout = std::chrono::seconds(5);
constexpr size_t kMaxCapturedOutput = 64 * 1024;
constexpr char kAddressInUse[] = "address in use";

std::string FindInPath(std::string_view name) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!rest.empty()) {
    size_t colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    rest = colon == std::string_view::npos ? "" : rest.substr(colon + 1);
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + std::string(name);
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::string RegistryBinary() {
  if (const char* e = std::getenv("STRATA_DOCKER_REGISTRY"); e && *e) return e;
  return FindInPath("docker-registry");
}

struct RunResult {
  int exit_code = -1;
  std::string out;
};

using SpawnActionsPtr =
    std::unique_ptr<posix_spawn_file_actions_t,
                    CHandleDeleter<posix_spawn_file_actions_t,
                                   posix_spawn_file_actions_destroy>>;
using SpawnAttrPtr =
    std::unique_ptr<posix_spawnattr_t,
                    CHandleDeleter<posix_spawnattr_t, posix_spawnattr_destroy>>;

// Runs argv (argv[0] a path) with stdin and stderr on /dev/null and returns
// its exit code and stdout (capped). Kills it if it takes longer than 10 s.
Result<RunResult> RunCapture(const std::vector<std::string>& argv) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return ErrnoError("pipe", errno);
  UniqueFd read_end(pipe_fds[0]);
  UniqueFd write_end(pipe_fds[1]);

  posix_spawn_file_actions_t actions_storage;
  posix_spawn_file_actions_init(&actions_storage);
  SpawnActionsPtr actions(&actions_storage);
  posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(actions.get(), write_end.get(), 1);
  posix_spawn_file_actions_addopen(actions.get(), 2, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr_storage;
  posix_spawnattr_init(&attr_storage);
  SpawnAttrPtr attr(&attr_storage);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(attr.get(), &defaults);
  posix_spawnattr_setflags(attr.get(), POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> args;
  for (const std::string& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  if (int rc = ::posix_spawn(&pid, argv[0].c_str(), actions.get(), attr.get(),
                             args.data(), environ);
      rc != 0) {
    return ErrnoError("spawn " + argv[0], rc);
  }
  write_end.Reset();

  RunResult result;
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  bool timed_out = false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd pfd{read_end.get(), POLLIN, 0};
    int rc = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) {
      timed_out = rc == 0;
      break;
    }
    char buf[4096];
    ssize_t n = ::read(read_end.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (result.out.size() < kMaxCapturedOutput) {
      result.out.append(buf, static_cast<size_t>(n));
    }
  }
  if (timed_out) ::kill(pid, SIGKILL);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) return UnavailableError(argv[0] + " did not finish in 10 s");
  result.exit_code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
  return result;
}

// Probes the registry binary once per process.
Status ProbeRegistryBinary() {
  static const Status status = []() -> Status {
    std::string bin = RegistryBinary();
    if (bin.empty()) {
      return FailedPreconditionError("docker-registry not found in PATH");
    }
    auto run = RunCapture({bin, "--version"});
    if (!run.ok()) return FailedPreconditionError(run.status().ToString());
    if (run->exit_code != 0) {
      return FailedPreconditionError(bin + " --version exited with status " +
                                     std::to_string(run->exit_code));
    }
    return Status::Ok();
  }();
  return status;
}

// A YAML double-quoted scalar.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

Status WriteTextFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return UnavailableError("write " + path);
  return Status::Ok();
}

// The last non-empty line of the file (bounded read of its tail).
std::string LastLogLine(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  in.seekg(std::max<std::streamoff>(0, size - 4096));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.pop_back();
  }
  size_t nl = text.rfind('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

bool LogMentions(const std::string& path, std::string_view needle) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  for (int i = 0; i < 1000 && std::getline(in, line); ++i) {
    if (line.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

Result<int> PickFreePort() {
  int port = 0;
  ASSIGN_OR_RETURN(UniqueFd fd, ListenLoopback(&port));
  return port;
}

// --- TempDir ----------------------------------------------------------------

Result<TempDir> TempDir::Create(std::string_view prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/" +
                        std::string(prefix) + "-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return ErrnoError("create temporary directory " + pattern, errno);
  }
  return TempDir(std::move(pattern));
}

TempDir::TempDir(TempDir&& other) noexcept
    : path_(std::exchange(other.path_, "")) {}

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    Remove();
    path_ = std::exchange(other.path_, "");
  }
  return *this;
}

TempDir::~TempDir() { Remove(); }

void TempDir::Remove() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
  path_.clear();
}

std::string TempDir::Join(std::string_view name) const {
  return path_ + "/" + std::string(name);
}

// --- RegistryServer
// -----------------------------------------------------------

std::string_view RegistryModeName(RegistryMode mode) {
  switch (mode) {
    case RegistryMode::kPlain:
      return "plain";
    case RegistryMode::kTls:
      return "tls";
    case RegistryMode::kTlsBasicAuth:
      return "tls-basic-auth";
    case RegistryMode::kTlsToken:
      return "tls-token";
  }
  return "unknown";
}

Status RegistryServer::Probe(RegistryMode mode) {
  RETURN_IF_ERROR(ProbeRegistryBinary());
  if (mode == RegistryMode::kTlsBasicAuth && FindInPath("htpasswd").empty()) {
    return FailedPreconditionError("htpasswd not found in PATH");
  }
  return Status::Ok();
}

Result<std::unique_ptr<RegistryServer>> RegistryServer::Start(
    RegistryMode mode, const RegistryOptions& options) {
  RETURN_IF_ERROR(Probe(mode));
  if (mode == RegistryMode::kTlsToken && options.token_server == nullptr) {
    return InvalidArgumentError("tls-token registry needs a token server");
  }
  if (mode == RegistryMode::kPlain && options.require_client_certs) {
    return InvalidArgumentError("client certificates need a tls registry");
  }
  ASSIGN_OR_RETURN(TempDir dir, TempDir::Create("strata-registry"));
  std::unique_ptr<RegistryServer> server(
      new RegistryServer(mode, std::move(dir)));
  if (mkdir(server->data_dir().c_str(), 0755) != 0) {
    return ErrnoError("mkdir " + server->data_dir(), errno);
  }
  Status status;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    ASSIGN_OR_RETURN(server->port_, PickFreePort());
    server->host_ = "127.0.0.1:" + std::to_string(server->port_);
    RETURN_IF_ERROR(server->WriteConfig(options));
    status = server->Launch();
    if (status.ok()) return server;
    server->Stop();
    if (status.message() != kAddressInUse) break;
  }
  return status.WithContext("start docker-registry (" +
                            std::string(RegistryModeName(mode)) + ")");
}

Status RegistryServer::WriteConfig(const RegistryOptions& options) {
  // TLS material and credentials are made once; a retry only changes port.
  if (tls() && !ca_) {
    ASSIGN_OR_RETURN(TestCa ca, TestCa::Create("strata test registry ca"));
    ASSIGN_OR_RETURN(CertKey server_cert,
                     ca.Issue({.common_name = "127.0.0.1",
                               .dns_names = {"localhost"},
                               .ip_addresses = {"127.0.0.1"},
                               .usage = CertUsage::kServer}));
    ca_cert_path_ = dir_->Join("ca.crt");
    RETURN_IF_ERROR(WriteTextFile(ca_cert_path_, ca.root().CertPem()));
    RETURN_IF_ERROR(server_cert.WritePem(dir_->Join("server.crt"),
                                         dir_->Join("server.key")));
    ca_.emplace(std::move(ca));
    if (options.require_client_certs) {
      ASSIGN_OR_RETURN(CertKey probe,
                       ca_->Issue({.common_name = "strata readiness probe",
                                   .usage = CertUsage::kClient}));
      RETURN_IF_ERROR(
          probe.WritePem(dir_->Join("probe.crt"), dir_->Join("probe.key")));
    }
  }
  if (mode_ == RegistryMode::kTlsBasicAuth && username_.empty()) {
    ASSIGN_OR_RETURN(password_, RandomHex(12));
    username_ = "strata";
    ASSIGN_OR_RETURN(RunResult run,
                     RunCapture({FindInPath("htpasswd"), "-n", "-b", "-B", "-C",
                                 "4", username_, password_}));
    std::string line = run.out.substr(0, run.out.find('\n'));
    if (run.exit_code != 0 || line.rfind(username_ + ":$2", 0) != 0) {
      return InternalError("htpasswd did not print a bcrypt entry");
    }
    RETURN_IF_ERROR(WriteTextFile(dir_->Join("htpasswd"), line + "\n"));
  }
  if (mode_ == RegistryMode::kTlsToken) {
    username_ = options.token_server->username();
    password_ = options.token_server->password();
  }

  ASSIGN_OR_RETURN(std::string secret, RandomHex(16));
  std::string y;
  y += "version: 0.1\n";
  y += "log:\n  level: info\n";
  y += "storage:\n";
  y += "  filesystem:\n    rootdirectory: " + Quote(data_dir()) + "\n";
  y += "  delete:\n    enabled: true\n";
  y += "  maintenance:\n    uploadpurging:\n      enabled: false\n";
  y += "http:\n";
  y += "  addr: " + Quote(host_) + "\n";
  y += "  secret: " + Quote(secret) + "\n";
  y += "  headers:\n    X-Content-Type-Options: [nosniff]\n";
  if (tls()) {
    y += "  tls:\n";
    y += "    certificate: " + Quote(dir_->Join("server.crt")) + "\n";
    y += "    key: " + Quote(dir_->Join("server.key")) + "\n";
    if (options.require_client_certs) {
      y += "    clientcas:\n      - " + Quote(ca_cert_path_) + "\n";
    }
  }
  if (mode_ == RegistryMode::kTlsBasicAuth) {
    y += "auth:\n  htpasswd:\n    realm: \"strata-test-registry\"\n";
    y += "    path: " + Quote(dir_->Join("htpasswd")) + "\n";
  }
  if (mode_ == RegistryMode::kTlsToken) {
    const TokenServer& ts = *options.token_server;
    y += "auth:\n  token:\n";
    y += "    realm: " + Quote(ts.realm()) + "\n";
    y += "    service: " + Quote(ts.service()) + "\n";
    y += "    issuer: " + Quote(ts.issuer()) + "\n";
    y += "    rootcertbundle: " + Quote(ts.root_cert_bundle_path()) + "\n";
  }
  return WriteTextFile(config_path(), y);
}

Status RegistryServer::Launch() {
  const std::string bin = RegistryBinary();
  const std::string config = config_path();
  const std::string log = log_path();
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string_view(*e).rfind("REGISTRY_", 0) != 0) {
      env_strings.emplace_back(*e);
    }
  }
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string arg0 = "docker-registry";
  std::string arg1 = "serve";
  std::string arg2 = config;
  char* argv[] = {arg0.data(), arg1.data(), arg2.data(), nullptr};
  const pid_t parent = ::getpid();

  pid_t pid = ::fork();
  if (pid < 0) return ErrnoError("fork", errno);
  if (pid == 0) {
    // Child: async-signal-safe calls only.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    int null_fd = ::open("/dev/null", O_RDONLY);
    int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (null_fd < 0 || log_fd < 0) ::_exit(127);
    ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    if (::close_range(3, ~0U, 0) != 0) {
      for (int fd = 3; fd < 4096; ++fd) ::close(fd);
    }
    ::signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(bin.c_str(), argv, envp.data());
    ::_exit(127);
  }
  pid_ = pid;

  RawRequest probe{.host = host_, .tls = tls(), .ca_cert_path = ca_cert_path_};
  if (ca_ && std::filesystem::exists(dir_->Join("probe.crt"))) {
    probe.client_cert_path = dir_->Join("probe.crt");
    probe.client_key_path = dir_->Join("probe.key");
  }
  probe.timeout_ms = 2000;
  const auto deadline = Clock::now() + kStartTimeout;
  Status last;
  while (Clock::now() < deadline) {
    int wstatus = 0;
    pid_t done = ::waitpid(pid_, &wstatus, WNOHANG);
    if (done == pid_) {
      pid_ = -1;
      if (LogMentions(log, "address already in use")) {
        return UnavailableError(kAddressInUse);
      }
      return UnavailableError(
          "docker-registry exited with status " +
          std::to_string(WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1) +
          ": " + LastLogLine(log));
    }
    auto response = SendRawRequest(probe);
    if (response.ok()) return Status::Ok();
    last = response.status();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return UnavailableError("docker-registry did not answer /v2/ within 10 s: " +
                          last.ToString() + "; log: " + LastLogLine(log));
}

void RegistryServer::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + kStopTimeout;
  int wstatus = 0;
  while (Clock::now() < deadline) {
    pid_t done = ::waitpid(pid_, &wstatus, WNOHANG);
    if (done == pid_ || (done < 0 && errno != EINTR)) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, &wstatus, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

RegistryServer::~RegistryServer() { Stop(); }

Result<std::string> RegistryServer::MakeOtherCa() {
  ASSIGN_OR_RETURN(TestCa other, TestCa::Create("strata unrelated ca"));
  std::string path =
      dir_->Join("other-ca-" + std::to_string(++files_made_) + ".crt");
  RETURN_IF_ERROR(WriteTextFile(path, other.root().CertPem()));
  return path;
}

Result<ClientCertFiles> RegistryServer::IssueClientCert(
    std::string_view common_name) {
  if (!ca_) return FailedPreconditionError("client certificates need tls");
  ASSIGN_OR_RETURN(CertKey cert,
                   ca_->Issue({.common_name = std::string(common_name),
                               .usage = CertUsage::kClient}));
  std::string base = dir_->Join("client-" + std::to_string(++files_made_));
  ClientCertFiles files{base + ".crt", base + ".key"};
  RETURN_IF_ERROR(cert.WritePem(files.cert_path, files.key_path));
  return files;
}

}  // namespace strata::registry::testing
