#include "io/decompress.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "testing/compress.h"

namespace strata::io {
namespace {

using ::strata::testing::Gzip;
using ::strata::testing::Zstd;

// Serves `data` at most `max_read` bytes per call, then fails with `error`
// (if set) instead of ending.
class ChunkedSource : public ByteSource {
 public:
  explicit ChunkedSource(std::string data, size_t max_read = SIZE_MAX,
                         Status error = Status())
      : data_(std::move(data)), max_read_(max_read), error_(std::move(error)) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    if (pos_ == data_.size() && !error_.ok()) return error_;
    size_t n = std::min({out.size(), max_read_, data_.size() - pos_});
    std::copy_n(data_.data() + pos_, n, out.data());
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  size_t pos_ = 0;
  size_t max_read_;
  Status error_;
};

struct Options {
  size_t read_size = 64 * 1024;    // the caller's buffer
  size_t upstream_max = SIZE_MAX;  // largest upstream read
  Compression* detected = nullptr;
};

Result<std::string> Decompress(std::string data, Options opt = {}) {
  ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> src,
                   OpenDecompressed(std::make_unique<ChunkedSource>(
                                        std::move(data), opt.upstream_max),
                                    opt.detected));
  std::string out;
  std::vector<uint8_t> buf(opt.read_size);
  while (true) {
    ASSIGN_OR_RETURN(size_t n, src->Read(buf));
    if (n == 0) return out;
    EXPECT_LE(n, buf.size());
    out.append(reinterpret_cast<const char*>(buf.data()), n);
  }
}

// Deterministic, compressible text.
std::string TextData(size_t size) {
  std::string s;
  s.reserve(size + 64);
  uint32_t x = 12345;
  for (int line = 0; s.size() < size; ++line) {
    x = x * 1103515245 + 12345;
    s += "line " + std::to_string(line) + ": value " + std::to_string(x >> 16) +
         " of the layer\n";
  }
  s.resize(size);
  return s;
}

// A gzip member with FEXTRA, FNAME, FCOMMENT and FHCRC set (zlib never
// writes these), built around zlib's deflate data and trailer.
std::string GzipWithHeaderFields(std::string_view data,
                                 const std::string& name) {
  std::string member = Gzip(data);
  std::string header = {'\x1f', '\x8b', 8, 0x02 | 0x04 | 0x08 | 0x10, 0, 0, 0,
                        0,      0,      3};
  header += std::string(
      "\x06\x00"
      "AB\x02\x00xy",
      8);  // XLEN 6, one subfield
  header += name + '\0';
  header += std::string("a comment") + '\0';
  uint32_t crc =
      crc32(0, reinterpret_cast<const Bytef*>(header.data()), header.size());
  header += static_cast<char>(crc & 0xff);
  header += static_cast<char>((crc >> 8) & 0xff);
  return header + member.substr(10);
}

std::string ZstdWithChecksum(std::string_view data) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n =
      ZSTD_compress2(cctx, out.data(), out.size(), data.data(), data.size());
  ZSTD_freeCCtx(cctx);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

const std::string& LargeText() {
  static const std::string* text = new std::string(TextData(20 << 20));
  return *text;
}

void ExpectError(const Result<std::string>& r, StatusCode code,
                 const std::string& message) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), code);
  EXPECT_EQ(r.status().message(), message);
}

TEST(SniffCompressionTest, RecognisesMagicBytes) {
  auto sniff = [](std::string s) {
    return SniffCompression(std::span<const uint8_t>(
        reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  };
  EXPECT_EQ(*sniff("\x1f\x8b\x08"), Compression::kGzip);
  EXPECT_EQ(*sniff("\x28\xb5\x2f\xfd"), Compression::kZstd);
  EXPECT_EQ(*sniff(std::string("\x28\xb5\x2f", 3)), Compression::kNone);
  EXPECT_EQ(*sniff(""), Compression::kNone);
  EXPECT_EQ(*sniff("\x1f"), Compression::kNone);
  EXPECT_EQ(*sniff("ustar"), Compression::kNone);
}

TEST(SniffCompressionTest, RejectsXzAndBzip2) {
  Result<std::string> xz =
      Decompress(std::string("\xfd"
                             "7zXZ\0rest",
                             9));
  ExpectError(xz, StatusCode::kUnimplemented,
              "unsupported compression: xz (layers must be gzip, zstd or "
              "uncompressed)");
  ExpectError(Decompress("BZh"), StatusCode::kUnimplemented,
              "unsupported compression: bzip2 (layers must be gzip, zstd or "
              "uncompressed)");
}

TEST(OpenDecompressedTest, PassesTinyInputsThrough) {
  for (std::string input : {std::string(), std::string("\x1f"),
                            std::string("ab"), std::string("abc")}) {
    Compression detected = Compression::kGzip;
    Result<std::string> r = Decompress(input, {.detected = &detected});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, input);
    EXPECT_EQ(detected, Compression::kNone);
  }
}

TEST(OpenDecompressedTest, PassesUncompressedThroughWithSniffedBytes) {
  std::string data = TextData(100'000);
  for (size_t upstream_max : {size_t{1}, size_t{4}, SIZE_MAX}) {
    Result<std::string> r =
        Decompress(data, {.read_size = 3, .upstream_max = upstream_max});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, data);
  }
}

TEST(OpenDecompressedTest, UncompressedSkipCoversSniffedBytes) {
  std::string data = "0123456789abcdef";
  Result<std::unique_ptr<ByteSource>> src =
      OpenDecompressed(std::make_unique<ChunkedSource>(data), nullptr);
  ASSERT_TRUE(src.ok());
  EXPECT_EQ(*(*src)->Skip(2), 2);
  uint8_t buf[3];
  EXPECT_EQ(*(*src)->Read(buf), 3u);
  EXPECT_EQ(std::string(buf, buf + 3), "234");
  EXPECT_EQ(*(*src)->Skip(5), 5);  // 1 sniffed byte + 4 upstream
  EXPECT_EQ(*(*src)->Read(buf), 3u);
  EXPECT_EQ(std::string(buf, buf + 3), "abc");
  EXPECT_EQ(*(*src)->Skip(100), 3);
}

TEST(GzipTest, RoundTrips) {
  std::string data = TextData(300'000);
  Compression detected = Compression::kNone;
  Result<std::string> r = Decompress(Gzip(data), {.detected = &detected});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, data);
  EXPECT_EQ(detected, Compression::kGzip);
}

TEST(GzipTest, RoundTripsWithTinyReadsAndTinyUpstreamReads) {
  std::string data = TextData(200'000);
  for (size_t read_size : {size_t{1}, size_t{7}, size_t{40'000}}) {
    for (size_t upstream_max : {size_t{1}, size_t{3}, size_t{1000}}) {
      Result<std::string> r = Decompress(
          Gzip(data), {.read_size = read_size, .upstream_max = upstream_max});
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(*r, data) << read_size << " " << upstream_max;
    }
  }
}

TEST(GzipTest, EmptyMemberYieldsNothing) {
  Result<std::string> r = Decompress(Gzip(""));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "");
}

TEST(GzipTest, ReadsConcatenatedMembers) {
  std::string stream = Gzip("first ") + Gzip("") + Gzip("second ", 0) +
                       Gzip(TextData(70'000), 9);
  std::string want = "first second " + TextData(70'000);
  for (size_t upstream_max : {size_t{1}, size_t{5}, SIZE_MAX}) {
    Result<std::string> r =
        Decompress(stream, {.read_size = 4096, .upstream_max = upstream_max});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, want);
  }
}

TEST(GzipTest, ParsesOptionalHeaderFieldsSplitAcrossReads) {
  std::string data = TextData(5000);
  std::string stream = GzipWithHeaderFields(data, "layer.tar") +
                       GzipWithHeaderFields(data, "again.tar");
  for (size_t upstream_max : {size_t{1}, size_t{2}, size_t{11}, SIZE_MAX}) {
    Result<std::string> r = Decompress(stream, {.upstream_max = upstream_max});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, data + data);
  }
}

TEST(GzipTest, ParsesNameLongerThanTheInputBuffer) {
  std::string stream =
      GzipWithHeaderFields("payload", std::string(700'000, 'n'));
  Result<std::string> r = Decompress(stream);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "payload");
}

TEST(GzipTest, RejectsBadHeaderChecksum) {
  std::string stream = GzipWithHeaderFields("payload", "name");
  size_t hcrc = stream.find("a comment") + 10;
  stream[hcrc] ^= 1;
  ExpectError(Decompress(stream), StatusCode::kDataLoss,
              "corrupt gzip stream: header checksum mismatch");
}

TEST(GzipTest, RejectsUnsupportedMethod) {
  std::string stream = Gzip("payload");
  stream[2] = 7;
  ExpectError(Decompress(stream), StatusCode::kDataLoss,
              "corrupt gzip stream: unsupported compression method");
}

TEST(GzipTest, ReportsEveryTruncationPointAsTruncated) {
  // Covers the header, the deflate data, and the CRC32/ISIZE trailer.
  std::string stream = GzipWithHeaderFields(TextData(3000), "n");
  for (size_t len = 2; len < stream.size(); ++len) {
    for (size_t upstream_max : {size_t{1}, SIZE_MAX}) {
      SCOPED_TRACE(len);
      ExpectError(
          Decompress(stream.substr(0, len), {.upstream_max = upstream_max}),
          StatusCode::kDataLoss, "truncated gzip stream");
    }
  }
}

TEST(GzipTest, ReportsTruncatedSecondMember) {
  std::string first = Gzip("first");
  std::string second = Gzip(TextData(2000));
  for (size_t len : {size_t{1}, size_t{2}, size_t{9}, second.size() / 2,
                     second.size() - 8, second.size() - 1}) {
    ExpectError(Decompress(first + second.substr(0, len)),
                StatusCode::kDataLoss, "truncated gzip stream");
  }
}

TEST(GzipTest, RejectsWrongCrc) {
  std::string stream = Gzip(TextData(1000));
  stream[stream.size() - 8] ^= 0x01;
  ExpectError(Decompress(stream), StatusCode::kDataLoss,
              "corrupt gzip stream: crc32 or size mismatch");
}

TEST(GzipTest, RejectsWrongSize) {
  std::string stream = Gzip(TextData(1000));
  stream[stream.size() - 4] ^= 0x01;
  ExpectError(Decompress(stream), StatusCode::kDataLoss,
              "corrupt gzip stream: crc32 or size mismatch");
}

TEST(GzipTest, RejectsFlippedByteInStoredData) {
  std::string stream = Gzip("some stored payload", /*level=*/0);
  stream[10 + 5 + 3] ^= 0x20;  // header, stored block header, data
  ExpectError(Decompress(stream), StatusCode::kDataLoss,
              "corrupt gzip stream: crc32 or size mismatch");
}

TEST(GzipTest, RejectsFlippedBytesInDeflateData) {
  std::string stream = Gzip(TextData(20'000));
  for (size_t at = 10; at < stream.size() - 8; at += 97) {
    std::string bad = stream;
    bad[at] ^= 0x10;
    Result<std::string> r = Decompress(bad);
    ASSERT_FALSE(r.ok()) << "flip at " << at;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
    EXPECT_TRUE(r.status().message().starts_with("corrupt gzip stream: ") ||
                r.status().message() == "truncated gzip stream")
        << r.status().message();
  }
}

TEST(GzipTest, RejectsTrailingGarbage) {
  std::string member = Gzip("payload");
  for (std::string tail :
       {std::string("x"), std::string("\x1f\x8c"), std::string(512, '\0')}) {
    for (size_t upstream_max : {size_t{1}, SIZE_MAX}) {
      ExpectError(Decompress(member + tail, {.upstream_max = upstream_max}),
                  StatusCode::kDataLoss, "trailing garbage after gzip stream");
    }
  }
}

TEST(GzipTest, ErrorsAreSticky) {
  std::string stream = Gzip("payload") + "junk";
  Result<std::unique_ptr<ByteSource>> src =
      OpenDecompressed(std::make_unique<ChunkedSource>(stream), nullptr);
  ASSERT_TRUE(src.ok());
  uint8_t buf[64];
  Result<size_t> first = (*src)->Read(buf);
  if (first.ok()) first = (*src)->Read(buf);  // "payload" may come first
  ASSERT_FALSE(first.ok());
  Result<size_t> again = (*src)->Read(buf);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status(), first.status());
}

TEST(GzipTest, PassesUpstreamErrorsThrough) {
  std::string stream = Gzip(TextData(10'000));
  Result<std::unique_ptr<ByteSource>> src = OpenDecompressed(
      std::make_unique<ChunkedSource>(stream.substr(0, 100), SIZE_MAX,
                                      UnavailableError("read blob: I/O error")),
      nullptr);
  ASSERT_TRUE(src.ok());
  Status status;
  std::vector<uint8_t> buf(1 << 20);
  while (status.ok()) {
    Result<size_t> n = (*src)->Read(buf);
    ASSERT_TRUE(!n.ok() || *n > 0);
    status = n.status();
  }
  EXPECT_EQ(status, UnavailableError("read blob: I/O error"));
}

TEST(GzipTest, RoundTripsLargeMultiMemberStream) {
  const std::string& text = LargeText();
  std::string stream = Gzip(std::string_view(text).substr(0, 7'777'777)) +
                       Gzip(std::string_view(text).substr(7'777'777), 1);
  for (size_t read_size : {size_t{4096}, size_t{1} << 20}) {
    Result<std::string> r = Decompress(stream, {.read_size = read_size});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(*r == text) << "read size " << read_size;
  }
}

TEST(ZstdTest, RoundTrips) {
  std::string data = TextData(300'000);
  Compression detected = Compression::kNone;
  Result<std::string> r =
      Decompress(Zstd(data), {.read_size = 1000, .detected = &detected});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, data);
  EXPECT_EQ(detected, Compression::kZstd);
}

TEST(ZstdTest, RoundTripsLargeStream) {
  const std::string& text = LargeText();
  std::string stream = Zstd(text);
  for (size_t read_size : {size_t{4096}, size_t{1} << 20}) {
    Result<std::string> r = Decompress(stream, {.read_size = read_size});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(*r == text) << "read size " << read_size;
  }
}

TEST(ZstdTest, ReadsConcatenatedAndSkippableFrames) {
  std::string skippable =
      std::string("\x50\x2a\x4d\x18\x03\x00\x00\x00", 8) + "abc";
  std::string stream =
      Zstd("first ") + skippable + Zstd("") + ZstdWithChecksum("second");
  for (size_t upstream_max : {size_t{1}, size_t{3}, SIZE_MAX}) {
    Result<std::string> r = Decompress(stream, {.upstream_max = upstream_max});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, "first second");
  }
}

TEST(ZstdTest, ReportsEveryTruncationPointAsTruncated) {
  std::string first = Zstd("first ");
  std::string stream = first + ZstdWithChecksum(TextData(3000));
  for (size_t len = 4; len < stream.size(); ++len) {
    if (len == first.size()) continue;  // a complete stream
    SCOPED_TRACE(len);
    ExpectError(Decompress(stream.substr(0, len)), StatusCode::kDataLoss,
                "truncated zstd stream");
  }
}

TEST(ZstdTest, RejectsChecksumMismatch) {
  std::string stream = ZstdWithChecksum(TextData(3000));
  stream.back() ^= 1;
  ExpectError(Decompress(stream), StatusCode::kDataLoss,
              "corrupt zstd stream: Restored data doesn't match checksum");
}

TEST(ZstdTest, RejectsTrailingGarbage) {
  for (std::string tail :
       {std::string("x"), std::string("\x28\xb5\x2f\x00", 4),
        std::string("\x5f\x2a\x4e"), std::string(100, '\0')}) {
    ExpectError(Decompress(Zstd("payload") + tail), StatusCode::kDataLoss,
                "trailing garbage after zstd stream");
  }
}

TEST(ZstdTest, RefusesWindowAboveTheCap) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, 28);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
  std::string data = TextData(1000);
  std::string out(ZSTD_compressBound(data.size()) + 64, '\0');
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  ZSTD_outBuffer o{out.data(), out.size(), 0};
  ZSTD_compressStream2(cctx, &o, &in, ZSTD_e_continue);  // size unknown
  ZSTD_inBuffer none{nullptr, 0, 0};
  ASSERT_EQ(ZSTD_compressStream2(cctx, &o, &none, ZSTD_e_end), 0u);
  ZSTD_freeCCtx(cctx);
  out.resize(o.pos);
  ExpectError(Decompress(out), StatusCode::kResourceExhausted,
              "zstd frame window exceeds the cap of 134217728 bytes");
}

}  // namespace
}  // namespace strata::io
