#include "base/status.h"

#include <cstring>
#include <ostream>

namespace strata {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case StatusCode::kNotFound:
      return "NOT_FOUND";
    case StatusCode::kDataLoss:
      return "DATA_LOSS";
    case StatusCode::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case StatusCode::kPermissionDenied:
      return "PERMISSION_DENIED";
    case StatusCode::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case StatusCode::kUnimplemented:
      return "UNIMPLEMENTED";
    case StatusCode::kUnavailable:
      return "UNAVAILABLE";
    case StatusCode::kInternal:
      return "INTERNAL";
  }
  return "UNKNOWN";
}

Status Status::WithContext(std::string_view ctx) const& {
  Status s = *this;
  return std::move(s).WithContext(ctx);
}

Status Status::WithContext(std::string_view ctx) && {
  if (ok() || ctx.empty()) return std::move(*this);
  if (context_.empty()) {
    context_ = std::string(ctx);
  } else {
    context_ = std::string(ctx) + ": " + context_;
  }
  return std::move(*this);
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out = context_.empty() ? message_ : context_ + ": " + message_;
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

void PrintTo(const Status& status, std::ostream* os) {
  if (status.ok()) {
    *os << "OK";
  } else {
    *os << StatusCodeName(status.code()) << ": " << status.ToString();
  }
}

Status ErrnoError(std::string_view what, int err) {
  std::string msg = std::string(what) + ": " + std::strerror(err);
  StatusCode code = StatusCode::kUnavailable;
  if (err == ENOENT || err == ENOTDIR) code = StatusCode::kNotFound;
  if (err == EACCES || err == EPERM) code = StatusCode::kPermissionDenied;
  return Status(code, std::move(msg));
}

}  // namespace strata
