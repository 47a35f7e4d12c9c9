#include "registry/testing/http_wire.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>

namespace strata::registry::testing {
namespace {

constexpr int kMaxTrailerLines = 64;
// Bytes a graceful close reads from the peer before giving up on its FIN.
constexpr size_t kMaxDrainBytes = 16 * 1024 * 1024;
constexpr int kDrainTimeoutMs = 2000;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' ||
                        s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

Result<uint64_t> ParseUnsigned(std::string_view s, int base,
                               std::string_view what) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
    return DataLossError("invalid " + std::string(what) + " \"" +
                         std::string(s.substr(0, 40)) + "\"");
  }
  return v;
}

Status CopyExact(BufferedReader& in, uint64_t n, const Sink& raw,
                 const Sink& data) {
  char buf[16384];
  while (n > 0) {
    ASSIGN_OR_RETURN(size_t got,
                     in.ReadSome(buf, static_cast<size_t>(
                                          std::min<uint64_t>(n, sizeof(buf)))));
    if (got == 0) return DataLossError("truncated body");
    std::string_view chunk(buf, got);
    if (raw) RETURN_IF_ERROR(raw(chunk));
    if (data) RETURN_IF_ERROR(data(chunk));
    n -= got;
  }
  return Status::Ok();
}

Status ReadChunked(BufferedReader& in, const Sink& raw, const Sink& data) {
  for (;;) {
    ASSIGN_OR_RETURN(std::string line, in.ReadLine());
    if (raw) RETURN_IF_ERROR(raw(line));
    std::string_view size_text = Trim(line);
    size_text = size_text.substr(0, size_text.find(';'));
    ASSIGN_OR_RETURN(uint64_t size,
                     ParseUnsigned(Trim(size_text), 16, "chunk size"));
    if (size > (uint64_t{1} << 40)) return DataLossError("chunk too large");
    if (size == 0) break;
    RETURN_IF_ERROR(CopyExact(in, size, raw, data));
    ASSIGN_OR_RETURN(std::string crlf, in.ReadLine());
    if (raw) RETURN_IF_ERROR(raw(crlf));
    if (!Trim(crlf).empty()) return DataLossError("missing chunk terminator");
  }
  for (int i = 0;; ++i) {
    if (i == kMaxTrailerLines) return DataLossError("too many trailer lines");
    ASSIGN_OR_RETURN(std::string line, in.ReadLine());
    if (raw) RETURN_IF_ERROR(raw(line));
    if (Trim(line).empty()) return Status::Ok();
  }
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

Result<HttpHead> ParseHead(std::string_view head) {
  HttpHead out;
  bool first = true;
  while (!head.empty()) {
    size_t eol = head.find('\n');
    std::string_view line = head.substr(0, eol);
    head = eol == std::string_view::npos ? std::string_view()
                                         : head.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (first) {
      first = false;
      size_t a = line.find(' ');
      size_t b = a == std::string_view::npos ? a : line.find(' ', a + 1);
      if (a == std::string_view::npos || a == 0) {
        return DataLossError("malformed http start line");
      }
      out.start[0] = std::string(line.substr(0, a));
      if (b == std::string_view::npos) {
        out.start[1] = std::string(line.substr(a + 1));
      } else {
        out.start[1] = std::string(line.substr(a + 1, b - a - 1));
        out.start[2] = std::string(line.substr(b + 1));
      }
      continue;
    }
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') {
      return DataLossError("obsolete header line folding");
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return DataLossError("malformed header field");
    }
    if (out.headers.size() == kMaxHeaderCount) {
      return ResourceExhaustedError("too many header fields");
    }
    out.headers.emplace_back(std::string(line.substr(0, colon)),
                             std::string(Trim(line.substr(colon + 1))));
  }
  if (first) return DataLossError("empty http head");
  return out;
}

std::optional<std::string> FindHeader(const HeaderList& headers,
                                      std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return std::nullopt;
}

bool HeaderHasToken(const HeaderList& headers, std::string_view name,
                    std::string_view token) {
  for (const auto& [k, v] : headers) {
    if (!EqualsIgnoreCase(k, name)) continue;
    std::string_view rest = v;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      if (EqualsIgnoreCase(Trim(rest.substr(0, comma)), token)) return true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return false;
}

void RemoveHeader(HeaderList& headers, std::string_view name) {
  std::erase_if(headers,
                [&](const auto& h) { return EqualsIgnoreCase(h.first, name); });
}

std::string SerializeHead(std::string_view start_line,
                          const HeaderList& headers) {
  std::string out(start_line);
  out += "\r\n";
  for (const auto& [k, v] : headers) {
    out += k;
    out += ": ";
    out += v;
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

Result<size_t> SocketStream::ReadSome(char* buf, size_t n) {
  for (;;) {
    ssize_t got = ::recv(fd_, buf, n, 0);
    if (got >= 0) return static_cast<size_t>(got);
    if (errno == EINTR) continue;
    return ErrnoError("read from " + peer_, errno);
  }
}

Status SocketStream::WriteAll(std::string_view data) {
  while (!data.empty()) {
    ssize_t put = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (put < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("write to " + peer_, errno);
    }
    data.remove_prefix(static_cast<size_t>(put));
  }
  return Status::Ok();
}

Result<std::optional<std::string>> BufferedReader::ReadHead() {
  size_t scanned = pos_;
  for (;;) {
    size_t from = std::max(pos_, scanned >= 3 ? scanned - 3 : 0);
    size_t end = buf_.find("\r\n\r\n", from);
    size_t term = 4;
    size_t lf = buf_.find("\n\n", from);
    if (lf != std::string::npos && (end == std::string::npos || lf < end)) {
      end = lf;
      term = 2;
    }
    if (end != std::string::npos) {
      std::string head = buf_.substr(pos_, end + term - pos_);
      pos_ = end + term;
      return std::optional<std::string>(std::move(head));
    }
    if (buf_.size() - pos_ > kMaxHeadBytes) {
      return ResourceExhaustedError("http head larger than 64 KiB");
    }
    scanned = buf_.size();
    char tmp[8192];
    ASSIGN_OR_RETURN(size_t got, stream_.ReadSome(tmp, sizeof(tmp)));
    if (got == 0) {
      if (buf_.size() == pos_) return std::optional<std::string>();
      return DataLossError("connection closed inside http head");
    }
    buf_.append(tmp, got);
  }
}

Result<std::string> BufferedReader::ReadLine() {
  for (;;) {
    size_t eol = buf_.find('\n', pos_);
    if (eol != std::string::npos) {
      std::string line = buf_.substr(pos_, eol + 1 - pos_);
      pos_ = eol + 1;
      return line;
    }
    if (buf_.size() - pos_ > kMaxLineBytes) {
      return ResourceExhaustedError("http line longer than 4 KiB");
    }
    char tmp[1024];
    ASSIGN_OR_RETURN(size_t got, stream_.ReadSome(tmp, sizeof(tmp)));
    if (got == 0) return DataLossError("truncated body");
    buf_.append(tmp, got);
  }
}

Result<size_t> BufferedReader::ReadSome(char* buf, size_t n) {
  if (pos_ < buf_.size()) {
    size_t take = std::min(n, buf_.size() - pos_);
    std::memcpy(buf, buf_.data() + pos_, take);
    pos_ += take;
    if (pos_ == buf_.size()) {
      buf_.clear();
      pos_ = 0;
    }
    return take;
  }
  return stream_.ReadSome(buf, n);
}

Result<Framing> RequestFraming(const HeaderList& headers) {
  if (FindHeader(headers, "Transfer-Encoding")) {
    if (!HeaderHasToken(headers, "Transfer-Encoding", "chunked")) {
      return UnimplementedError("transfer coding other than chunked");
    }
    return Framing{Framing::Kind::kChunked, 0};
  }
  if (auto cl = FindHeader(headers, "Content-Length")) {
    ASSIGN_OR_RETURN(uint64_t n, ParseUnsigned(*cl, 10, "content-length"));
    return Framing{Framing::Kind::kLength, n};
  }
  return Framing{};
}

Result<Framing> ResponseFraming(const HeaderList& headers,
                                std::string_view request_method, int status) {
  if (request_method == "HEAD" || (status >= 100 && status < 200) ||
      status == 204 || status == 304) {
    return Framing{};
  }
  if (FindHeader(headers, "Transfer-Encoding") ||
      FindHeader(headers, "Content-Length")) {
    return RequestFraming(headers);
  }
  return Framing{Framing::Kind::kUntilClose, 0};
}

Status ReadBody(BufferedReader& in, const Framing& framing, const Sink& raw,
                const Sink& data) {
  switch (framing.kind) {
    case Framing::Kind::kNone:
      return Status::Ok();
    case Framing::Kind::kLength:
      return CopyExact(in, framing.length, raw, data);
    case Framing::Kind::kChunked:
      return ReadChunked(in, raw, data);
    case Framing::Kind::kUntilClose: {
      char buf[16384];
      for (;;) {
        ASSIGN_OR_RETURN(size_t got, in.ReadSome(buf, sizeof(buf)));
        if (got == 0) return Status::Ok();
        std::string_view chunk(buf, got);
        if (raw) RETURN_IF_ERROR(raw(chunk));
        if (data) RETURN_IF_ERROR(data(chunk));
      }
    }
  }
  return InternalError("unknown body framing");
}

Status SetSocketTimeouts(int fd, int timeout_ms) {
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0) {
    return ErrnoError("set socket timeouts", errno);
  }
  return Status::Ok();
}

Result<std::pair<std::string, int>> SplitHostPort(std::string_view host_port) {
  size_t colon = host_port.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return InvalidArgumentError("host \"" + std::string(host_port) +
                                "\" has no port");
  }
  std::string_view host = host_port.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  auto port = ParseUnsigned(host_port.substr(colon + 1), 10, "port");
  if (!port.ok() || *port == 0 || *port > 65535) {
    return InvalidArgumentError("host \"" + std::string(host_port) +
                                "\" has an invalid port");
  }
  return std::make_pair(std::string(host), static_cast<int>(*port));
}

Result<UniqueFd> ConnectTcp(std::string_view host, int port, int timeout_ms) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string host_str(host);
  std::string port_str = std::to_string(port);
  std::string name = host_str + ":" + port_str;
  if (int rc =
          ::getaddrinfo(host_str.c_str(), port_str.c_str(), &hints, &found);
      rc != 0) {
    return UnavailableError("resolve " + name + ": " + ::gai_strerror(rc));
  }
  std::unique_ptr<addrinfo, CHandleDeleter<addrinfo, ::freeaddrinfo>> list(
      found);
  int last_errno = ECONNREFUSED;
  for (addrinfo* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
    UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                         ai->ai_protocol));
    if (!fd.valid()) {
      last_errno = errno;
      continue;
    }
    RETURN_IF_ERROR(SetSocketTimeouts(fd.get(), timeout_ms));
    if (::connect(fd.get(), ai->ai_addr, ai->ai_addrlen) == 0) return fd;
    last_errno = errno;
  }
  return ErrnoError("connect to " + name, last_errno);
}

Result<UniqueFd> ListenLoopback(int* port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return ErrnoError("socket", errno);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return ErrnoError("bind 127.0.0.1:0", errno);
  }
  if (::listen(fd.get(), 64) != 0) return ErrnoError("listen", errno);
  socklen_t len = sizeof(addr);
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return ErrnoError("getsockname", errno);
  }
  *port = ntohs(addr.sin_port);
  return fd;
}

Result<std::unique_ptr<LoopbackServer>> LoopbackServer::Start(Handler handler) {
  int port = 0;
  ASSIGN_OR_RETURN(UniqueFd listener, ListenLoopback(&port));
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return ErrnoError("pipe", errno);
  UniqueFd wake_read(pipe_fds[0]);
  UniqueFd wake_write(pipe_fds[1]);
  return std::unique_ptr<LoopbackServer>(
      new LoopbackServer(std::move(handler), std::move(listener),
                         std::move(wake_read), std::move(wake_write), port));
}

LoopbackServer::LoopbackServer(Handler handler, UniqueFd listener,
                               UniqueFd wake_read, UniqueFd wake_write,
                               int port)
    : handler_(std::move(handler)),
      listener_(std::move(listener)),
      wake_read_(std::move(wake_read)),
      wake_write_(std::move(wake_write)),
      port_(port) {
  accept_thread_ = std::thread([this] { AcceptLoop(); });
}

LoopbackServer::~LoopbackServer() {
  std::list<Connection> connections;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    for (const Connection& c : connections_) {
      if (!c.done) ::shutdown(c.fd, SHUT_RDWR);
    }
    for (int fd : tracked_) ::shutdown(fd, SHUT_RDWR);
  }
  stop_cv_.notify_all();
  char byte = 0;
  while (::write(wake_write_.get(), &byte, 1) < 0 && errno == EINTR) {
  }
  accept_thread_.join();
  // No new connections now; handlers finish promptly on their dead sockets.
  {
    std::lock_guard<std::mutex> lock(mu_);
    connections.splice(connections.end(), connections_);
  }
  for (Connection& c : connections) c.thread.join();
}

void LoopbackServer::AcceptLoop() {
  for (;;) {
    pollfd fds[2] = {{listener_.get(), POLLIN, 0},
                     {wake_read_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    UniqueFd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!fd.valid()) continue;
    ReapDone();
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    if (connections_.size() >= kMaxConnections ||
        !SetSocketTimeouts(fd.get(), kSocketTimeoutMs).ok()) {
      continue;  // closes fd
    }
    Connection& c = connections_.emplace_back();
    c.fd = fd.release();
    c.thread = std::thread([this, conn = &c] { Serve(conn); });
  }
}

void LoopbackServer::ReapDone() {
  std::list<Connection> done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = connections_.begin(); it != connections_.end();) {
      auto next = std::next(it);
      if (it->done) done.splice(done.end(), connections_, it);
      it = next;
    }
  }
  for (Connection& c : done) c.thread.join();
}

void LoopbackServer::Serve(Connection* conn) {
  const int fd = conn->fd;
  Close how = handler_(fd, *this);
  if (how == Close::kReset) {
    linger lg{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
  } else {
    // Lingering close: the peer sees our FIN after all data, and unread
    // input on our side does not turn the close into a reset.
    ::shutdown(fd, SHUT_WR);
    SetSocketTimeouts(fd, kDrainTimeoutMs).IgnoreError();
    char buf[16384];
    size_t drained = 0;
    while (drained < kMaxDrainBytes) {
      ssize_t got = ::recv(fd, buf, sizeof(buf), 0);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      drained += static_cast<size_t>(got);
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  ::close(fd);
  conn->done = true;
}

void LoopbackServer::Track(int fd) {
  std::lock_guard<std::mutex> lock(mu_);
  tracked_.insert(fd);
  if (stopping_) ::shutdown(fd, SHUT_RDWR);
}

void LoopbackServer::Untrack(int fd) {
  std::lock_guard<std::mutex> lock(mu_);
  tracked_.erase(fd);
}

bool LoopbackServer::SleepUnlessStopping(int ms) {
  std::unique_lock<std::mutex> lock(mu_);
  return !stop_cv_.wait_for(lock, std::chrono::milliseconds(ms),
                            [this] { return stopping_; });
}

}  // namespace strata::registry::testing
