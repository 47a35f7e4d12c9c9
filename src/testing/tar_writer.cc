#include "testing/tar_writer.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace strata::testing {
namespace {

constexpr size_t kBlock = 512;
constexpr size_t kNameField = 100;

struct HeaderFields {
  std::string_view name;
  char typeflag;
  int64_t size;
  uint32_t mode;
  std::string_view linkname;
  uint32_t devmajor, devminor;
  int64_t uid, gid, mtime;
  bool gnu_magic;
};

// Writes `value` as zero-padded octal digits plus a NUL into a field of
// `width` bytes.
void PutOctal(char* field, size_t width, int64_t value) {
  int64_t limit = int64_t{1} << (3 * (width - 1));
  if (value < 0 || value >= limit) {
    std::fprintf(stderr, "TarWriter: %lld does not fit a %zu-byte field\n",
                 static_cast<long long>(value), width);
    std::abort();
  }
  for (size_t i = width - 1; i-- > 0;) {
    field[i] = static_cast<char>('0' + (value & 7));
    value >>= 3;
  }
  field[width - 1] = '\0';
}

void PutString(char* field, size_t width, std::string_view s) {
  std::memcpy(field, s.data(), std::min(width, s.size()));
}

void AppendHeader(std::string& out, const HeaderFields& f) {
  char h[kBlock] = {};
  PutString(h, kNameField, f.name);
  PutOctal(h + 100, 8, f.mode);
  PutOctal(h + 108, 8, f.uid);
  PutOctal(h + 116, 8, f.gid);
  PutOctal(h + 124, 12, f.size);
  PutOctal(h + 136, 12, f.mtime);
  h[156] = f.typeflag;
  PutString(h + 157, kNameField, f.linkname);
  if (f.gnu_magic) {
    std::memcpy(h + 257, "ustar  ", 8);  // with its NUL
  } else {
    std::memcpy(h + 257, "ustar", 6);
    std::memcpy(h + 263, "00", 2);
  }
  PutOctal(h + 329, 8, f.devmajor);
  PutOctal(h + 337, 8, f.devminor);
  // The checksum counts its own field as eight spaces.
  std::memset(h + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  PutOctal(h + 148, 7, sum);  // six digits and a NUL, then the space
  out.append(h, kBlock);
}

void AppendData(std::string& out, std::string_view data) {
  out.append(data);
  out.append((kBlock - data.size() % kBlock) % kBlock, '\0');
}

}  // namespace

std::string TarWriter::PaxRecord(std::string_view key, std::string_view value) {
  // The length counts itself: find the digit count that is self-consistent.
  size_t body = key.size() + value.size() + 3;  // ' ', '=', '\n'
  size_t len = body + 1;
  while (std::to_string(len).size() + body != len) ++len;
  std::string r = std::to_string(len);
  r += ' ';
  r += key;
  r += '=';
  r += value;
  r += '\n';
  return r;
}

void TarWriter::Header(std::string_view name, char typeflag, int64_t size,
                       uint32_t mode, std::string_view linkname,
                       uint32_t devmajor, uint32_t devminor) {
  HeaderFields f{name,     typeflag, size, mode,   linkname,     devmajor,
                 devminor, uid_,     gid_, mtime_, gnu_longname_};
  bool long_name = name.size() > kNameField;
  bool long_link = linkname.size() > kNameField;
  if (gnu_longname_) {
    // GNU tar stores the long value NUL-terminated in the entry's data.
    auto gnu_long = [&](char type, std::string_view value) {
      std::string body(value);
      body += '\0';
      HeaderFields g = f;
      g.name = "././@LongLink";
      g.typeflag = type;
      g.size = static_cast<int64_t>(body.size());
      g.mode = 0644;
      g.linkname = "";
      g.devmajor = g.devminor = 0;
      AppendHeader(out_, g);
      AppendData(out_, body);
    };
    if (long_link) gnu_long('K', linkname);
    if (long_name) gnu_long('L', name);
  } else if (long_name || long_link) {
    std::string pax;
    if (long_name) pax += PaxRecord("path", name);
    if (long_link) pax += PaxRecord("linkpath", linkname);
    std::string_view base = name.substr(name.find_last_of('/') + 1);
    std::string pax_name = "PaxHeaders.0/" + std::string(base);
    HeaderFields x = f;
    x.name = pax_name;
    x.typeflag = 'x';
    x.size = static_cast<int64_t>(pax.size());
    x.mode = 0644;
    x.linkname = "";
    x.devmajor = x.devminor = 0;
    AppendHeader(out_, x);
    AppendData(out_, pax);
  }
  AppendHeader(out_, f);
}

void TarWriter::Data(std::string_view data) { AppendData(out_, data); }

TarWriter& TarWriter::File(std::string_view name, std::string_view data,
                           uint32_t mode) {
  Header(name, '0', static_cast<int64_t>(data.size()), mode, "");
  Data(data);
  return *this;
}

TarWriter& TarWriter::Dir(std::string_view name, uint32_t mode) {
  Header(name, '5', 0, mode, "");
  return *this;
}

TarWriter& TarWriter::Symlink(std::string_view name, std::string_view target) {
  Header(name, '2', 0, 0777, target);
  return *this;
}

TarWriter& TarWriter::Hardlink(std::string_view name, std::string_view target) {
  Header(name, '1', 0, 0644, target);
  return *this;
}

TarWriter& TarWriter::CharDevice(std::string_view name, uint32_t major,
                                 uint32_t minor) {
  Header(name, '3', 0, 0666, "", major, minor);
  return *this;
}

TarWriter& TarWriter::BlockDevice(std::string_view name, uint32_t major,
                                  uint32_t minor) {
  Header(name, '4', 0, 0660, "", major, minor);
  return *this;
}

TarWriter& TarWriter::Fifo(std::string_view name) {
  Header(name, '6', 0, 0644, "");
  return *this;
}

TarWriter& TarWriter::Whiteout(std::string_view path) {
  size_t slash = path.find_last_of('/');
  std::string name = slash == std::string_view::npos
                         ? ""
                         : std::string(path.substr(0, slash + 1));
  name += ".wh.";
  name += path.substr(slash == std::string_view::npos ? 0 : slash + 1);
  return File(name, "");
}

TarWriter& TarWriter::OpaqueWhiteout(std::string_view dir) {
  std::string name(dir);
  if (!name.empty() && name.back() != '/') name += '/';
  name += ".wh..wh..opq";
  return File(name, "");
}

TarWriter& TarWriter::Raw(std::string_view name, char typeflag,
                          std::string_view data, std::string_view linkname) {
  Header(name, typeflag, static_cast<int64_t>(data.size()), 0644, linkname);
  Data(data);
  return *this;
}

std::string TarWriter::Finish() const {
  std::string out = out_;
  out.append(2 * kBlock, '\0');
  return out;
}

}  // namespace strata::testing
