// Test-only tar writer that can produce hostile archives: any name (absolute,
// "..", very long via PAX or GNU longname), any typeflag, hardlinks to
// missing targets, duplicate entries, truncation. Not for production use.
//
// Headers are ustar ("ustar\0" "00") with octal fields, or GNU ("ustar  \0")
// when UseGnuLongNames(true). A name or link name longer than 100 bytes gets
// a PAX 'x' header (path=, linkpath=) or GNU 'L'/'K' entries before the
// entry; the entry's own field then holds the first 100 bytes, as Go's
// archive/tar writes it. A numeric field that does not fit its octal width
// (e.g. a size of 8 GiB) aborts: patch such fields by hand in tests.
#ifndef STRATA_TESTING_TAR_WRITER_H_
#define STRATA_TESTING_TAR_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace strata::testing {

class TarWriter {
 public:
  // Regular file (typeflag '0'). Names longer than 100 bytes use a PAX
  // header unless gnu_longname is set (then a GNU 'L' entry).
  TarWriter& File(std::string_view name, std::string_view data,
                  uint32_t mode = 0644);
  TarWriter& Dir(std::string_view name, uint32_t mode = 0755);
  TarWriter& Symlink(std::string_view name, std::string_view target);
  TarWriter& Hardlink(std::string_view name, std::string_view target);
  TarWriter& CharDevice(std::string_view name, uint32_t major, uint32_t minor);
  TarWriter& BlockDevice(std::string_view name, uint32_t major, uint32_t minor);
  TarWriter& Fifo(std::string_view name);
  // Whiteouts: ".wh.<base>" in dir, and the opaque marker.
  TarWriter& Whiteout(std::string_view path);       // "a/b" -> "a/.wh.b"
  TarWriter& OpaqueWhiteout(std::string_view dir);  // "a" -> "a/.wh..wh..opq"
  // Raw header with explicit typeflag; the size field is data.size() and the
  // data is written as given (padded to 512 bytes). Long names as in File().
  TarWriter& Raw(std::string_view name, char typeflag, std::string_view data,
                 std::string_view linkname = "");
  TarWriter& UseGnuLongNames(bool on) {
    gnu_longname_ = on;
    return *this;
  }
  TarWriter& SetOwner(int64_t uid, int64_t gid) {
    uid_ = uid;
    gid_ = gid;
    return *this;
  }
  TarWriter& SetMtime(int64_t mtime) {
    mtime_ = mtime;
    return *this;
  }

  // One PAX extended-header record, "<len> <key>=<value>\n" (for tests that
  // build 'x' headers by hand with Raw()).
  static std::string PaxRecord(std::string_view key, std::string_view value);

  // The archive with its two zero end blocks.
  std::string Finish() const;
  // The bytes written so far, without end blocks (for truncation tests).
  const std::string& bytes() const { return out_; }

 private:
  void Header(std::string_view name, char typeflag, int64_t size, uint32_t mode,
              std::string_view linkname, uint32_t devmajor = 0,
              uint32_t devminor = 0);
  void Data(std::string_view data);
  std::string out_;
  bool gnu_longname_ = false;
  int64_t uid_ = 0, gid_ = 0;
  int64_t mtime_ = 1700000000;
};

}  // namespace strata::testing

#endif  // STRATA_TESTING_TAR_WRITER_H_
