// Helpers shared by GoogleTest tests (header-only: it needs gtest, which the
// strata_testing library does not link).
#ifndef STRATA_TESTING_TEST_UTIL_H_
#define STRATA_TESTING_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace strata::testing {

// The lab's real images: $STRATA_LAB_IMAGES, else
// ${XDG_CACHE_HOME:-$HOME/.cache}/strata-lab/images (scripts/lab-images.sh).
inline std::string LabImagesDir() {
  if (const char* e = std::getenv("STRATA_LAB_IMAGES"); e && *e) return e;
  std::string cache;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) {
    cache = x;
  } else if (const char* h = std::getenv("HOME")) {
    cache = std::string(h) + "/.cache";
  }
  return cache + "/strata-lab/images";
}

inline std::string ReadTestFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Compares `actual` with the golden file at `path`; with
// STRATA_UPDATE_GOLDEN=1 in the environment it rewrites the file instead.
inline void ExpectGolden(const std::string& path, const std::string& actual) {
  if (const char* u = std::getenv("STRATA_UPDATE_GOLDEN"); u && *u == '1') {
    std::ofstream(path, std::ios::trunc | std::ios::binary) << actual;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "missing golden file " << path
                  << " (run with STRATA_UPDATE_GOLDEN=1)";
  EXPECT_EQ(actual, ReadTestFile(path))
      << "golden " << path << " differs (STRATA_UPDATE_GOLDEN=1 rewrites it)";
}

// Runs `command` with /bin/sh and returns what it wrote on stdout; stores
// its exit status in *exit_status (-1 when it could not run or did not exit
// normally). Add "2>&1" to the command to capture stderr too.
inline std::string RunCommand(const std::string& command, int* exit_status) {
  std::string out;
  *exit_status = -1;
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) {
    out.append(buf.data(), n);
  }
  int st = ::pclose(p);
  if (st != -1 && WIFEXITED(st)) *exit_status = WEXITSTATUS(st);
  return out;
}

#ifdef STRATA_BINARY_DIR
// Runs this build's strata binary with `args` after the `env` assignments
// (SIGSTORE_ID_TOKEN unset unless `env` sets it; stdin /dev/null); stdout
// and stderr together in *out. Returns the exit status as RunCommand does.
inline int RunStrata(const std::string& args, std::string* out,
                     const std::string& env = "") {
  int status = 0;
  *out = RunCommand("env -u SIGSTORE_ID_TOKEN " + env + " " +
                        std::string(STRATA_BINARY_DIR) + "/strata " + args +
                        " < /dev/null 2>&1",
                    &status);
  return status;
}
#endif

// What a shell command did (RunShell).
struct ShellOutcome {
  int code = -1;    // exit status; -1 when it could not run or was killed
  std::string out;  // standard output
  std::string err;  // standard error
};

// The most of each stream RunShell keeps; the rest is read and dropped.
inline constexpr size_t kMaxShellOutputBytes = 1 << 20;

// Runs `command` with /bin/sh and captures its standard output and standard
// error apart (stderr through a temporary file, removed afterwards).
// Redirections inside `command` apply first: "CMD 2>&1" puts both streams,
// interleaved as written, in `out`; "CMD 2>&1 >/dev/null" only stderr.
inline ShellOutcome RunShell(const std::string& command) {
  ShellOutcome r;
  std::string err_path = ::testing::TempDir() + "strata_stderr_XXXXXX";
  int fd = ::mkstemp(err_path.data());
  if (fd < 0) return r;
  ::close(fd);
  FILE* p = ::popen(("exec 2>'" + err_path + "'\n" + command).c_str(), "r");
  if (p != nullptr) {
    std::array<char, 4096> buf;
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) {
      r.out.append(buf.data(),
                   std::min(n, kMaxShellOutputBytes - r.out.size()));
    }
    int st = ::pclose(p);
    if (st != -1 && WIFEXITED(st)) r.code = WEXITSTATUS(st);
    std::ifstream in(err_path, std::ios::binary);
    r.err.resize(kMaxShellOutputBytes);
    in.read(r.err.data(), static_cast<std::streamsize>(r.err.size()));
    r.err.resize(static_cast<size_t>(in.gcount()));
  }
  ::unlink(err_path.c_str());
  return r;
}

// Writes `content` to a new file under the test temporary directory and
// returns its path ("" when it cannot be created). The caller removes it.
inline std::string WriteTempFile(const std::string& content,
                                 const std::string& prefix = "strata") {
  std::string path = ::testing::TempDir() + prefix + "_XXXXXX";
  int fd = ::mkstemp(path.data());
  if (fd < 0) return "";
  ::close(fd);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  return path;
}

}  // namespace strata::testing

#endif  // STRATA_TESTING_TEST_UTIL_H_
