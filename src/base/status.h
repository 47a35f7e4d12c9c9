// Errors as values: Status and Result<T>.
//
// strata's own code never throws. A function that can fail returns Status (no
// value) or Result<T> (a value or a Status). Libraries that throw are wrapped
// in one adapter file each (see json.h).
//
// A Status carries a code, a one-line message and an optional context (a path,
// a layer digest, a reference) that is prefixed when the status is printed:
//   "layer sha256:ab12...: truncated gzip stream"
//
// Thread-safety: Status and Result are values; copies are independent.
#ifndef STRATA_BASE_STATUS_H_
#define STRATA_BASE_STATUS_H_

#include <cassert>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace strata {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // bad user input (flags, references)
  kNotFound,           // a named thing does not exist
  kDataLoss,           // input is corrupt: bad digest, truncated, malformed
  kResourceExhausted,  // a cap on untrusted input was hit
  kPermissionDenied,   // input tried to escape its root or similar
  kFailedPrecondition,
  kUnimplemented,
  kUnavailable,  // I/O or network failure that may succeed later
  kInternal,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& context() const { return context_; }

  // Returns a copy whose context is `ctx` prepended to the existing context
  // ("outer: inner"). No-op on OK.
  Status WithContext(std::string_view ctx) const&;
  Status WithContext(std::string_view ctx) &&;

  // "context: message", one line (newlines in parts are replaced by spaces).
  std::string ToString() const;

  // Marks the status as deliberately ignored.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_ &&
           a.context_ == b.context_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string context_;
};

// Factories, leveldb style.
inline Status InvalidArgumentError(std::string msg) {
  return Status(StatusCode::kInvalidArgument, std::move(msg));
}
inline Status NotFoundError(std::string msg) {
  return Status(StatusCode::kNotFound, std::move(msg));
}
inline Status DataLossError(std::string msg) {
  return Status(StatusCode::kDataLoss, std::move(msg));
}
inline Status ResourceExhaustedError(std::string msg) {
  return Status(StatusCode::kResourceExhausted, std::move(msg));
}
inline Status PermissionDeniedError(std::string msg) {
  return Status(StatusCode::kPermissionDenied, std::move(msg));
}
inline Status FailedPreconditionError(std::string msg) {
  return Status(StatusCode::kFailedPrecondition, std::move(msg));
}
inline Status UnimplementedError(std::string msg) {
  return Status(StatusCode::kUnimplemented, std::move(msg));
}
inline Status UnavailableError(std::string msg) {
  return Status(StatusCode::kUnavailable, std::move(msg));
}
inline Status InternalError(std::string msg) {
  return Status(StatusCode::kInternal, std::move(msg));
}
// An errno-based I/O failure: "open foo: No such file or directory".
Status ErrnoError(std::string_view what, int err);

// Readable output in test failures (GoogleTest finds it by ADL):
// "DATA_LOSS: layer ...: truncated gzip stream".
void PrintTo(const Status& status, std::ostream* os);

// Result<T>: a T or a non-OK Status, shaped like absl::StatusOr.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(const T& value) : v_(value) {}        // NOLINT
  Result(T&& value) : v_(std::move(value)) {}  // NOLINT
  Result(const Status& status) : v_(status) {  // NOLINT
    assert(!status.ok() && "Result constructed from OK status");
  }
  Result(Status&& status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok() && "Result constructed from OK status");
  }
  template <typename U>
  requires(std::is_convertible_v<U&&, T> &&
           !std::is_same_v<std::decay_t<U>, T> &&
           !std::is_same_v<std::decay_t<U>, Status>) Result(U&& value)
      : v_(T(std::forward<U>(value))) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const& { return ok() ? Status() : std::get<Status>(v_); }
  Status status() && {
    return ok() ? Status() : std::move(std::get<Status>(v_));
  }

  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }

  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, Status> v_;
};

namespace internal {
inline Status AsStatus(const Status& s) { return s; }
inline Status AsStatus(Status&& s) { return std::move(s); }
template <typename T>
Status AsStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace strata

#define STRATA_CONCAT_INNER_(a, b) a##b
#define STRATA_CONCAT_(a, b) STRATA_CONCAT_INNER_(a, b)

// RETURN_IF_ERROR(expr): returns expr's Status from the enclosing function
// when it is not OK. expr may be a Status or a Result<T>.
#define RETURN_IF_ERROR(expr)                                             \
  do {                                                                    \
    ::strata::Status strata_status_ = ::strata::internal::AsStatus(expr); \
    if (!strata_status_.ok()) return strata_status_;                      \
  } while (0)

// ASSIGN_OR_RETURN(lhs, expr): evaluates the Result<T> expr; on error returns
// its Status, otherwise moves the value into lhs (which may be a declaration).
#define ASSIGN_OR_RETURN(lhs, expr)                                            \
  STRATA_ASSIGN_OR_RETURN_IMPL_(STRATA_CONCAT_(strata_result_, __LINE__), lhs, \
                                expr)
#define STRATA_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return std::move(tmp).status();      \
  lhs = std::move(tmp).value()

#endif  // STRATA_BASE_STATUS_H_
