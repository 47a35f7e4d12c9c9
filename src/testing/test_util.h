// Helpers shared by GoogleTest tests (header-only: it needs gtest, which the
// strata_testing library does not link).
#ifndef STRATA_TESTING_TEST_UTIL_H_
#define STRATA_TESTING_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

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
