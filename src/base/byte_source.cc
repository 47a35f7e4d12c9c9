#include "base/byte_source.h"

#include <vector>

#include "base/caps.h"

namespace strata {

Result<std::string> ReadAll(ByteSource& src, int64_t max_bytes,
                            std::string_view what) {
  std::string out;
  uint8_t buf[64 * 1024];
  while (true) {
    ASSIGN_OR_RETURN(size_t n, src.Read(buf));
    if (n == 0) break;
    if (static_cast<int64_t>(out.size() + n) > max_bytes) {
      return ResourceExhaustedError(std::string(what) + " exceeds the cap of " +
                                    std::to_string(max_bytes) + " bytes");
    }
    out.append(reinterpret_cast<const char*>(buf), n);
  }
  return out;
}

Result<int64_t> ByteSource::Skip(int64_t n) {
  uint8_t buf[64 * 1024];
  int64_t done = 0;
  while (done < n) {
    size_t want = static_cast<size_t>(
        std::min<int64_t>(n - done, static_cast<int64_t>(sizeof(buf))));
    ASSIGN_OR_RETURN(size_t got, Read(std::span<uint8_t>(buf, want)));
    if (got == 0) break;
    done += static_cast<int64_t>(got);
  }
  return done;
}

Status Drain(ByteSource& src) {
  std::vector<uint8_t> buf(caps::kStreamBufferBytes);
  while (true) {
    ASSIGN_OR_RETURN(size_t n, src.Read(buf));
    if (n == 0) return Status::Ok();
  }
}

}  // namespace strata
