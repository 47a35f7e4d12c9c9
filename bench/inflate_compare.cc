// Compares gzip decompression speeds on one .gz file: ISA-L streaming (what
// strata::io uses), zlib streaming, libdeflate whole-buffer, and ISA-L plus
// SHA-256 of the output (the diffID pass). Best of 3 runs each, file read
// included (it is in the page cache after the first run).
//
// Build standalone:
// clang-format off
//   g++ -std=c++20 -O2 -o inflate_compare bench/inflate_compare.cc -lisal -lz -ldeflate -lcrypto
// clang-format on
// Run:
//   ./inflate_compare layer.tar.gz
//
// libdeflate needs the uncompressed size up front; it is taken from the gzip
// ISIZE trailer, so that mode only works for single-member files < 4 GiB.
#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace {

constexpr size_t kBufferBytes = 256 * 1024;

[[noreturn]] void Die(const std::string& msg) {
  std::fprintf(stderr, "inflate_compare: %s\n", msg.c_str());
  std::exit(1);
}

class File {
 public:
  explicit File(const char* path) : fd_(::open(path, O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) Die(std::string("open ") + path + ": " + std::strerror(errno));
  }
  ~File() { ::close(fd_); }
  size_t Read(uint8_t* buf, size_t n) {
    while (true) {
      ssize_t got = ::read(fd_, buf, n);
      if (got >= 0) return static_cast<size_t>(got);
      if (errno != EINTR) Die(std::string("read: ") + std::strerror(errno));
    }
  }
  std::vector<uint8_t> ReadAll() {
    struct stat st;
    if (::fstat(fd_, &st) != 0) Die("stat failed");
    std::vector<uint8_t> data(static_cast<size_t>(st.st_size));
    size_t done = 0;
    while (done < data.size()) {
      size_t got = Read(data.data() + done, data.size() - done);
      if (got == 0) Die("file shrank");
      done += got;
    }
    return data;
  }

 private:
  int fd_;
};

// Output sink: counts bytes and optionally hashes them.
struct Sink {
  EVP_MD_CTX* sha = nullptr;
  uint64_t bytes = 0;
  void Write(const uint8_t* p, size_t n) {
    bytes += n;
    if (sha != nullptr) EVP_DigestUpdate(sha, p, n);
  }
};

// ISA-L streaming inflate, multi-member, 256 KiB input and output buffers.
uint64_t IsalInflate(const char* path, EVP_MD_CTX* sha) {
  File file(path);
  std::vector<uint8_t> in(kBufferBytes), out(kBufferBytes);
  auto state = std::make_unique<inflate_state>();
  isal_inflate_init(state.get());
  state->crc_flag = ISAL_GZIP;
  Sink sink{sha};
  state->avail_in = 0;
  bool eof = false;
  while (true) {
    if (state->avail_in == 0 && !eof) {
      state->next_in = in.data();
      state->avail_in = static_cast<uint32_t>(file.Read(in.data(), in.size()));
      eof = state->avail_in == 0;
    }
    state->next_out = out.data();
    state->avail_out = static_cast<uint32_t>(out.size());
    int ret = isal_inflate(state.get());
    if (ret != ISAL_DECOMP_OK) Die("isal_inflate error " + std::to_string(ret));
    sink.Write(out.data(), out.size() - state->avail_out);
    if (state->block_state == ISAL_BLOCK_FINISH) {
      if (state->avail_in == 0 && !eof) {
        state->next_in = in.data();
        state->avail_in =
            static_cast<uint32_t>(file.Read(in.data(), in.size()));
        eof = state->avail_in == 0;
      }
      if (state->avail_in == 0) break;
      isal_inflate_reset(state.get());  // next member
      state->crc_flag = ISAL_GZIP;
    } else if (eof && state->avail_out != 0) {
      Die("truncated gzip stream");
    }
  }
  return sink.bytes;
}

// zlib streaming inflate, multi-member, 256 KiB buffers.
uint64_t ZlibInflate(const char* path) {
  File file(path);
  std::vector<uint8_t> in(kBufferBytes), out(kBufferBytes);
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) Die("inflateInit2 failed");
  Sink sink;
  bool eof = false;
  while (true) {
    if (zs.avail_in == 0 && !eof) {
      zs.next_in = in.data();
      zs.avail_in = static_cast<uInt>(file.Read(in.data(), in.size()));
      eof = zs.avail_in == 0;
    }
    zs.next_out = out.data();
    zs.avail_out = static_cast<uInt>(out.size());
    int ret = inflate(&zs, Z_NO_FLUSH);
    sink.Write(out.data(), out.size() - zs.avail_out);
    if (ret == Z_STREAM_END) {
      if (zs.avail_in == 0 && !eof) {
        zs.next_in = in.data();
        zs.avail_in = static_cast<uInt>(file.Read(in.data(), in.size()));
        eof = zs.avail_in == 0;
      }
      if (zs.avail_in == 0) break;
      inflateReset(&zs);
    } else if (ret != Z_OK && !(ret == Z_BUF_ERROR && !eof)) {
      Die("inflate error " + std::to_string(ret));
    }
  }
  inflateEnd(&zs);
  return sink.bytes;
}

// libdeflate, whole buffer in and out; single member < 4 GiB only.
uint64_t LibdeflateInflate(const char* path) {
  std::vector<uint8_t> in = File(path).ReadAll();
  if (in.size() < 18) Die("too short for gzip");
  const uint8_t* t = in.data() + in.size() - 4;
  size_t isize = t[0] | t[1] << 8 | t[2] << 16 | size_t{t[3]} << 24;
  std::unique_ptr<uint8_t[]> out(new uint8_t[isize]);
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  size_t got = 0;
  libdeflate_result r = libdeflate_gzip_decompress(d, in.data(), in.size(),
                                                   out.get(), isize, &got);
  libdeflate_free_decompressor(d);
  if (r != LIBDEFLATE_SUCCESS) {
    Die("libdeflate error " + std::to_string(r) +
        " (multi-member or >= 4 GiB input?)");
  }
  return got;
}

uint64_t IsalInflateSha256(const char* path, std::string* hex) {
  EVP_MD_CTX* sha = EVP_MD_CTX_new();
  EVP_DigestInit_ex(sha, EVP_sha256(), nullptr);
  uint64_t n = IsalInflate(path, sha);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(sha, md, &len);
  EVP_MD_CTX_free(sha);
  hex->clear();
  for (unsigned i = 0; i < len; ++i) {
    char b[3];
    std::snprintf(b, sizeof(b), "%02x", md[i]);
    *hex += b;
  }
  return n;
}

// Wall and CPU time are both best of 3: on a shared machine the CPU time is
// the steadier number.
void Time(const char* name, uint64_t in_bytes,
          const std::function<uint64_t()>& run) {
  double best_wall = 1e300;
  double best_cpu = 1e300;
  uint64_t out_bytes = 0;
  for (int i = 0; i < 3; ++i) {
    auto start = std::chrono::steady_clock::now();
    std::clock_t cpu_start = std::clock();
    out_bytes = run();
    double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    std::chrono::duration<double> wall =
        std::chrono::steady_clock::now() - start;
    best_wall = std::min(best_wall, wall.count());
    best_cpu = std::min(best_cpu, cpu);
  }
  std::printf(
      "%-22s %7.3f s wall %7.3f s cpu  %7.1f MB/s out  %7.1f MB/s in  "
      "(%llu bytes)\n",
      name, best_wall, best_cpu, out_bytes / best_wall / 1e6,
      in_bytes / best_wall / 1e6, static_cast<unsigned long long>(out_bytes));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE.gz\n", argv[0]);
    return 2;
  }
  const char* path = argv[1];
  struct stat st;
  if (::stat(path, &st) != 0) Die(std::string("stat ") + path);
  uint64_t in_bytes = static_cast<uint64_t>(st.st_size);
  std::string hex;
  Time("isa-l stream", in_bytes, [&] { return IsalInflate(path, nullptr); });
  Time("zlib stream", in_bytes, [&] { return ZlibInflate(path); });
  Time("libdeflate buffer", in_bytes, [&] { return LibdeflateInflate(path); });
  Time("isa-l stream + sha256", in_bytes,
       [&] { return IsalInflateSha256(path, &hex); });
  std::printf("sha256 of output: %s\n", hex.c_str());
  return 0;
}
