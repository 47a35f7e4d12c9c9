#include "testing/mock_sigstore.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

extern char** environ;

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::string MockSigstoreModules() {
  if (const char* m = std::getenv("MOCK_SIGSTORE_MODULES"); m && *m) return m;
  std::string cache;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) {
    cache = x;
  } else if (const char* h = std::getenv("HOME")) {
    cache = std::string(h) + "/.cache";
  }
  return cache + "/strata-lab/mock-sigstore";
}

std::string MockSigstore::Start(const std::string& dir,
                                const std::string& issuer) {
  const fs::path script = fs::path(STRATA_SOURCE_DIR) /
                          "../shared/lab/mock-sigstore/mock-sigstore-server.js";
  if (!fs::exists(script)) return "no " + script.string();
  if (std::system("node --version > /dev/null 2>&1") != 0) return "no node";
  const std::string modules = MockSigstoreModules();
  if (!fs::exists(fs::path(modules) / "node_modules/@sigstore/mock")) {
    return "no @sigstore/mock under " + modules;
  }
  fs::create_directories(dir);
  std::vector<std::string> argv_s = {"node", script.string(), "--out",
                                     dir,    "--issuer",      issuer};
  std::vector<char*> argv;
  for (std::string& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  const std::string log = dir + "/mock.log";
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  const int rc =
      posix_spawnp(&pid_, "node", &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    pid_ = -1;
    return "cannot start node";
  }
  for (int i = 0; i < 300 && !fs::exists(dir + "/urls.env"); ++i) {
    int st;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return "the mock exited: " + ReadAll(log);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::ifstream in(dir + "/urls.env");
  std::string line;
  while (std::getline(in, line)) {
    const size_t eq = line.find('=');
    if (eq != std::string::npos) env_[line.substr(0, eq)] = line.substr(eq + 1);
  }
  if (env_.size() < 6) return "the mock did not write urls.env in 30 s";
  return "";
}

MockSigstore::~MockSigstore() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int st;
  for (int i = 0; i < 50; ++i) {
    if (::waitpid(pid_, &st, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &st, 0);
}

std::string MockSigstore::operator[](const std::string& key) const {
  auto it = env_.find(key);
  return it == env_.end() ? "" : it->second;
}

}  // namespace strata::testing
