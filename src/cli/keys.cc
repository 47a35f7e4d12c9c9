#include "cli/keys.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "base/unique_fd.h"
#include "cli/exit_codes.h"
#include "io/file_source.h"

namespace strata::cli {
namespace {

// Turns echo off on a terminal for its lifetime.
class EchoOff {
 public:
  explicit EchoOff(int fd) : fd_(fd) {
    if (::tcgetattr(fd_, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    active_ = ::tcsetattr(fd_, TCSANOW, &quiet) == 0;
  }
  ~EchoOff() {
    if (active_) ::tcsetattr(fd_, TCSANOW, &saved_);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

Status WriteAll(int fd, std::string_view data, const std::string& what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("write " + what, errno);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// Asks `question` on the terminal `tty` and reads one line without echo.
Result<std::string> Prompt(int tty, std::string_view question) {
  RETURN_IF_ERROR(WriteAll(tty, question, "/dev/tty"));
  EchoOff echo_off(tty);
  std::string line;
  while (true) {
    char c;
    ssize_t n = ::read(tty, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("read /dev/tty", errno);
    if (n == 0 || c == '\n') break;
    if (line.size() == kMaxPassphraseBytes) {
      OPENSSL_cleanse(line.data(), line.size());
      return InvalidArgumentError("passphrase is longer than " +
                                  std::to_string(kMaxPassphraseBytes) +
                                  " bytes");
    }
    line.push_back(c);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Removes a file on destruction unless released.
class RemoveOnError {
 public:
  explicit RemoveOnError(std::string path) : path_(std::move(path)) {}
  ~RemoveOnError() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  void Release() { path_.clear(); }

 private:
  std::string path_;
};

// Writes `data` to the new file `path` with `mode`: a temporary file in the
// same directory, fsync, then a rename that never replaces an existing file.
Status WriteNewFile(const std::string& path, std::string_view data,
                    mode_t mode) {
  std::string tmp = path + ".tmp-XXXXXX";
  UniqueFd fd(::mkostemp(tmp.data(), O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("create " + tmp, errno);
  RemoveOnError cleanup(tmp);
  if (::fchmod(fd.get(), mode) != 0) return ErrnoError("chmod " + tmp, errno);
  RETURN_IF_ERROR(WriteAll(fd.get(), data, tmp));
  if (::fsync(fd.get()) != 0) return ErrnoError("fsync " + tmp, errno);
  if (::close(fd.release()) != 0) return ErrnoError("close " + tmp, errno);
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(),
                  RENAME_NOREPLACE) != 0) {
    if (errno == EEXIST) {
      return FailedPreconditionError(path +
                                     " already exists; refusing to overwrite "
                                     "it");
    }
    return ErrnoError("rename " + tmp + " to " + path, errno);
  }
  cleanup.Release();
  std::string dir = std::filesystem::path(path).parent_path().string();
  UniqueFd dfd(::open(dir.empty() ? "." : dir.c_str(),
                      O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.valid()) ::fsync(dfd.get());
  return Status::Ok();
}

Status RefuseExisting(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    return FailedPreconditionError(path +
                                   " already exists; refusing to overwrite it");
  }
  if (errno != ENOENT) return ErrnoError("stat " + path, errno);
  return Status::Ok();
}

Result<crypto::PrivateKey> LoadPrivateKeyWith(
    const std::string& path,
    const std::function<Result<std::string>()>& passphrase) {
  ASSIGN_OR_RETURN(
      std::string pem,
      io::ReadFileCapped(path, crypto::kMaxCosignKeyFileBytes, "key file"));
  Result<crypto::EncryptedCosignKey> parsed =
      crypto::ParseCosignPrivateKey(pem);
  if (!parsed.ok()) return std::move(parsed).status().WithContext(path);
  ASSIGN_OR_RETURN(std::string pass, passphrase());
  Result<crypto::PrivateKey> key = crypto::DecryptCosignPrivateKey(pem, pass);
  OPENSSL_cleanse(pass.data(), pass.size());
  if (!key.ok()) return std::move(key).status().WithContext(path);
  return key;
}

}  // namespace

Result<std::string> ReadPassphrase(bool confirm) {
  for (const char* var : {"STRATA_PASSWORD", "COSIGN_PASSWORD"}) {
    if (const char* v = std::getenv(var)) return std::string(v);
  }
  if (!::isatty(STDIN_FILENO)) {
    return FailedPreconditionError(
        "no passphrase: set STRATA_PASSWORD (or COSIGN_PASSWORD), or run on a "
        "terminal");
  }
  UniqueFd tty(::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY));
  if (!tty.valid()) return ErrnoError("open /dev/tty", errno);
  ASSIGN_OR_RETURN(std::string pass,
                   Prompt(tty.get(), "Enter password for private key: "));
  if (pass.empty()) {
    return InvalidArgumentError(
        "empty passphrase (set STRATA_PASSWORD to the empty string to use "
        "one)");
  }
  if (confirm) {
    ASSIGN_OR_RETURN(
        std::string again,
        Prompt(tty.get(), "Enter password for private key again: "));
    const bool same = again == pass;
    OPENSSL_cleanse(again.data(), again.size());
    if (!same) {
      OPENSSL_cleanse(pass.data(), pass.size());
      return InvalidArgumentError("passphrases do not match");
    }
  }
  return pass;
}

Result<KeyPairFiles> GenerateKeyPair(
    const std::string& prefix, crypto::CosignPemType pem_type,
    const std::function<Result<std::string>()>& passphrase) {
  if (prefix.empty()) {
    return InvalidArgumentError("--output-key-prefix must not be empty");
  }
  KeyPairFiles files{prefix + ".key", prefix + ".pub"};
  RETURN_IF_ERROR(RefuseExisting(files.private_key));
  RETURN_IF_ERROR(RefuseExisting(files.public_key));
  ASSIGN_OR_RETURN(std::string pass, passphrase());
  ASSIGN_OR_RETURN(crypto::PrivateKey key,
                   crypto::PrivateKey::GenerateEcdsaP256());
  Result<std::string> encrypted =
      crypto::EncryptCosignPrivateKey(key, pass, pem_type);
  OPENSSL_cleanse(pass.data(), pass.size());
  if (!encrypted.ok()) return encrypted.status();
  ASSIGN_OR_RETURN(crypto::PublicKey pub, key.Public());
  RETURN_IF_ERROR(WriteNewFile(files.private_key, *encrypted, 0600));
  RemoveOnError remove_key(files.private_key);
  RETURN_IF_ERROR(WriteNewFile(files.public_key, pub.ToPem(), 0644));
  remove_key.Release();
  return files;
}

Result<crypto::PrivateKey> LoadPrivateKeyFile(const std::string& path) {
  return LoadPrivateKeyWith(path, [] { return ReadPassphrase(false); });
}

Result<crypto::PrivateKey> LoadPrivateKeyFile(const std::string& path,
                                              std::string_view passphrase) {
  return LoadPrivateKeyWith(
      path, [&]() -> Result<std::string> { return std::string(passphrase); });
}

Result<crypto::PublicKey> LoadPublicKeyFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string pem,
                   io::ReadFileCapped(path, crypto::kMaxKeyBytes, "key file"));
  Result<crypto::PublicKey> key = crypto::PublicKey::FromPem(pem);
  if (!key.ok()) return std::move(key).status().WithContext(path);
  return key;
}

std::function<int()> SetupGenerateKeyPair(CLI::App* cmd) {
  struct Args {
    std::string prefix = "cosign";
    bool legacy = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--output-key-prefix", a->prefix,
                  "write the keys to PREFIX.key and PREFIX.pub")
      ->capture_default_str();
  cmd->add_flag("--legacy-cosign-format", a->legacy,
                "write the private key as \"ENCRYPTED COSIGN PRIVATE KEY\" "
                "(cosign before 2.0, skopeo) instead of \"ENCRYPTED SIGSTORE "
                "PRIVATE KEY\"");
  cmd->footer(
      "The passphrase is read from STRATA_PASSWORD, else COSIGN_PASSWORD "
      "(an empty value means no passphrase), else asked twice on the "
      "terminal.");
  return [a]() -> int {
    Result<KeyPairFiles> files =
        GenerateKeyPair(a->prefix,
                        a->legacy ? crypto::CosignPemType::kCosign
                                  : crypto::CosignPemType::kSigstore,
                        [] { return ReadPassphrase(/*confirm=*/true); });
    if (!files.ok()) return ReportError(files.status());
    std::fprintf(stderr,
                 "Private key written to %s\nPublic key written to %s\n",
                 files->private_key.c_str(), files->public_key.c_str());
    return kExitOk;
  };
}

}  // namespace strata::cli
