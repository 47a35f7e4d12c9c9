#include "cli/output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "base/unique_fd.h"

namespace strata::cli {

Result<std::vector<OutputSpec>> ParseOutputSpecs(
    const std::vector<std::string>& specs, std::string_view default_format) {
  std::vector<OutputSpec> out;
  int to_stdout = 0;
  for (const std::string& s : specs) {
    OutputSpec spec;
    size_t eq = s.find('=');
    spec.format = s.substr(0, eq);
    if (eq != std::string::npos) {
      spec.file = s.substr(eq + 1);
      if (spec.file.empty()) {
        return InvalidArgumentError("-o " + s + ": empty file name");
      }
    }
    if (spec.file.empty()) ++to_stdout;
    out.push_back(std::move(spec));
  }
  if (out.empty()) {
    out.push_back({std::string(default_format), ""});
  }
  if (to_stdout > 1) {
    return InvalidArgumentError(
        "only one -o may write to standard output; give the others a "
        "file (-o FORMAT=FILE)");
  }
  return out;
}

Status WriteFileAtomically(const std::string& path, std::string_view data) {
  std::string tmp = path + ".strata-tmp-XXXXXX";
  UniqueFd fd(::mkstemp(tmp.data()));
  if (!fd.valid()) return ErrnoError("create " + tmp, errno);
  auto fail = [&tmp](Status s) {
    ::unlink(tmp.c_str());
    return s;
  };
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(ErrnoError("write " + path, errno));
    done += static_cast<size_t>(n);
  }
  if (::fchmod(fd.get(), 0644) != 0 || ::fsync(fd.get()) != 0) {
    return fail(ErrnoError("write " + path, errno));
  }
  if (::close(fd.release()) != 0)
    return fail(ErrnoError("write " + path, errno));
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return fail(ErrnoError("rename to " + path, errno));
  }
  return Status::Ok();
}

Status WriteStdout(std::string_view data) {
  if (std::fwrite(data.data(), 1, data.size(), stdout) != data.size() ||
      std::fflush(stdout) != 0) {
    return ErrnoError("write standard output", errno);
  }
  return Status::Ok();
}

Result<int64_t> OutputTimestamp() {
  const char* e = std::getenv("SOURCE_DATE_EPOCH");
  if (e == nullptr || *e == '\0')
    return static_cast<int64_t>(std::time(nullptr));
  int64_t v = 0;
  std::string_view s(e);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0) {
    return InvalidArgumentError("SOURCE_DATE_EPOCH=\"" + std::string(s) +
                                "\" is not a number of seconds");
  }
  return v;
}

}  // namespace strata::cli
