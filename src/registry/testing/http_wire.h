// HTTP/1.1 plumbing shared by the registry test harness: head parsing, body
// framing (Content-Length, chunked, until-close), buffered reads over a plain
// or TLS stream, loopback sockets, and a thread-per-connection loopback
// server. Test support only: small, bounded, byte-exact, not a general HTTP
// implementation (no keep-alive, no pipelining).
//
// Bounds: a message head is at most kMaxHeadBytes with at most
// kMaxHeaderCount fields; a chunk-size or trailer line at most
// kMaxLineBytes. Every socket has send/receive timeouts, so no call blocks
// forever.
#ifndef STRATA_REGISTRY_TESTING_HTTP_WIRE_H_
#define STRATA_REGISTRY_TESTING_HTTP_WIRE_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "base/status.h"
#include "base/unique_fd.h"

namespace strata::registry::testing {

inline constexpr size_t kMaxHeadBytes = 64 * 1024;
inline constexpr int kMaxHeaderCount = 128;
inline constexpr size_t kMaxLineBytes = 4096;
// Idle timeout of every harness socket (a read or write that makes no
// progress for this long fails).
inline constexpr int kSocketTimeoutMs = 15'000;

// Header fields in wire order; names keep the sender's case.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// A parsed request or response head. For a request the start line is
// method, target, version; for a response version, status, reason.
struct HttpHead {
  std::string start[3];
  HeaderList headers;
};

// Parses a head (start line and fields, with or without the final blank
// line). Rejects obsolete line folding, fields without a colon and more than
// kMaxHeaderCount fields.
Result<HttpHead> ParseHead(std::string_view head);

// The value of the first field named `name` (case-insensitive).
std::optional<std::string> FindHeader(const HeaderList& headers,
                                      std::string_view name);
// Whether any field `name` lists `token` in its comma-separated value
// (case-insensitive), e.g. Transfer-Encoding: chunked.
bool HeaderHasToken(const HeaderList& headers, std::string_view name,
                    std::string_view token);
// Removes every field named `name` (case-insensitive).
void RemoveHeader(HeaderList& headers, std::string_view name);
// "start\r\nName: value\r\n...\r\n\r\n".
std::string SerializeHead(std::string_view start_line,
                          const HeaderList& headers);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// A byte stream: a plain socket or a TLS session over one.
class Stream {
 public:
  virtual ~Stream() = default;
  // Reads up to n > 0 bytes; 0 means the peer ended the stream cleanly.
  virtual Result<size_t> ReadSome(char* buf, size_t n) = 0;
  virtual Status WriteAll(std::string_view data) = 0;
};

// A Stream over a connected socket it does not own. Writes never raise
// SIGPIPE. `peer` names the other end in errors.
class SocketStream : public Stream {
 public:
  SocketStream(int fd, std::string peer) : fd_(fd), peer_(std::move(peer)) {}
  Result<size_t> ReadSome(char* buf, size_t n) override;
  Status WriteAll(std::string_view data) override;

 private:
  int fd_;
  std::string peer_;
};

// Buffered reading of heads, lines and raw bytes from a Stream (borrowed;
// it must outlive the reader).
class BufferedReader {
 public:
  explicit BufferedReader(Stream& stream) : stream_(stream) {}
  // Reads through the blank line that ends a head and returns the head
  // (blank line included). nullopt if the stream ended before any byte.
  Result<std::optional<std::string>> ReadHead();
  // One line through "\n" (at most kMaxLineBytes), terminator included.
  Result<std::string> ReadLine();
  // Up to n bytes, buffered ones first; 0 at the end of the stream.
  Result<size_t> ReadSome(char* buf, size_t n);

 private:
  Stream& stream_;
  std::string buf_;
  size_t pos_ = 0;
};

// How a message body ends.
struct Framing {
  enum class Kind { kNone, kLength, kChunked, kUntilClose };
  Kind kind = Kind::kNone;
  uint64_t length = 0;  // kLength only
};

// Framing of a request body: chunked, Content-Length or none.
Result<Framing> RequestFraming(const HeaderList& headers);
// Framing of a response to `request_method`: none for HEAD, 1xx, 204 and
// 304; else chunked, Content-Length, or until the connection closes.
Result<Framing> ResponseFraming(const HeaderList& headers,
                                std::string_view request_method, int status);

using Sink = std::function<Status(std::string_view)>;
// Reads one body. `raw` (may be empty) receives the bytes as they were on the
// wire, chunk framing included; `data` (may be empty) the decoded payload.
// A stream that ends early is kDataLoss "truncated body"; read errors pass
// through.
Status ReadBody(BufferedReader& in, const Framing& framing, const Sink& raw,
                const Sink& data);

// Sets SO_RCVTIMEO and SO_SNDTIMEO.
Status SetSocketTimeouts(int fd, int timeout_ms);
// A blocking TCP connection to host:port (getaddrinfo; loopback in
// practice) with both socket timeouts set to timeout_ms.
Result<UniqueFd> ConnectTcp(std::string_view host, int port, int timeout_ms);
// Splits "host:port" ("[v6]:port" too).
Result<std::pair<std::string, int>> SplitHostPort(std::string_view host_port);
// A listening socket on 127.0.0.1:0; *port receives the port chosen.
Result<UniqueFd> ListenLoopback(int* port);

// Accepts connections on 127.0.0.1 (free port) and runs `handler` on a new
// thread for each, at most kMaxConnections at a time (more are closed at
// once). The handler gets the connected socket (owned by the server, with
// kSocketTimeoutMs timeouts) and says how to close it: kGraceful shuts down
// the write side and drains what the peer still sends (bounded), so the peer
// reads everything that was sent; kReset closes with SO_LINGER 0, which
// sends a TCP RST.
//
// The destructor stops accepting, shuts down every tracked socket (so
// blocked handlers return promptly), and joins all threads. Handlers must
// not outlive what they capture; owners destroy the server first.
// Thread-safe.
class LoopbackServer {
 public:
  enum class Close { kGraceful, kReset };
  // Called with the connection's socket and this server (for Track and
  // SleepUnlessStopping).
  using Handler = std::function<Close(int fd, LoopbackServer& server)>;
  static constexpr int kMaxConnections = 64;

  static Result<std::unique_ptr<LoopbackServer>> Start(Handler handler);
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  int port() const { return port_; }

  // Adds an extra socket (e.g. a connection a handler opened) to those shut
  // down on stop; untrack it before closing it. Tracking while stopping
  // shuts it down at once.
  void Track(int fd);
  void Untrack(int fd);
  // Sleeps up to `ms` milliseconds; returns early with false when stopping.
  bool SleepUnlessStopping(int ms);

 private:
  struct Connection {
    int fd = -1;
    std::thread thread;
    bool done = false;
  };

  LoopbackServer(Handler handler, UniqueFd listener, UniqueFd wake_read,
                 UniqueFd wake_write, int port);
  void AcceptLoop();
  void Serve(Connection* conn);
  void ReapDone();

  Handler handler_;
  UniqueFd listener_;
  UniqueFd wake_read_;
  UniqueFd wake_write_;
  int port_;
  std::thread accept_thread_;

  std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::list<Connection> connections_;
  std::set<int> tracked_;
};

}  // namespace strata::registry::testing

#endif  // STRATA_REGISTRY_TESTING_HTTP_WIRE_H_
