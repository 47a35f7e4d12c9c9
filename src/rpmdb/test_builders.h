// Test-only writers of RPM header blobs and of tiny databases in the three
// formats, so tests can build exactly the record they need (and break it).
// Written from the format descriptions, independently of the readers (the
// NDB checksum comes from zlib).
#ifndef STRATA_RPMDB_TEST_BUILDERS_H_
#define STRATA_RPMDB_TEST_BUILDERS_H_

#include <sqlite3.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace strata::rpmdb::testing {

inline void PutBe32(std::string& s, size_t at, uint32_t v) {
  s[at] = static_cast<char>(v >> 24);
  s[at + 1] = static_cast<char>(v >> 16);
  s[at + 2] = static_cast<char>(v >> 8);
  s[at + 3] = static_cast<char>(v);
}
inline void AppendBe32(std::string& s, uint32_t v) {
  s.append(4, '\0');
  PutBe32(s, s.size() - 4, v);
}
inline void PutLe32(std::string& s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) s[at + i] = static_cast<char>(v >> (8 * i));
}
inline void PutLe16(std::string& s, size_t at, uint16_t v) {
  s[at] = static_cast<char>(v);
  s[at + 1] = static_cast<char>(v >> 8);
}

// Serialises index entries and data into a header blob, with an immutable
// region (tag 63) in front unless disabled.
class HeaderBuilder {
 public:
  HeaderBuilder& String(uint32_t tag, const std::string& s, uint32_t type = 6) {
    return Add(tag, type, 1, 1, std::string(s) + '\0');
  }
  HeaderBuilder& StringArray(uint32_t tag, const std::vector<std::string>& v) {
    std::string data;
    for (const std::string& s : v) data.append(s).push_back('\0');
    return Add(tag, 8, static_cast<uint32_t>(v.size()), 1, data);
  }
  HeaderBuilder& Int32(uint32_t tag, const std::vector<uint32_t>& v) {
    std::string data;
    for (uint32_t x : v) AppendBe32(data, x);
    return Add(tag, 4, static_cast<uint32_t>(v.size()), 4, data);
  }
  HeaderBuilder& Int64(uint32_t tag, uint64_t v) {
    std::string data;
    AppendBe32(data, static_cast<uint32_t>(v >> 32));
    AppendBe32(data, static_cast<uint32_t>(v));
    return Add(tag, 5, 1, 8, data);
  }
  HeaderBuilder& Bin(uint32_t tag, const std::string& bytes) {
    return Add(tag, 7, static_cast<uint32_t>(bytes.size()), 1, bytes);
  }
  // An entry with any fields, pointing at data appended with RawData().
  HeaderBuilder& Raw(uint32_t tag, uint32_t type, uint32_t offset,
                     uint32_t count) {
    entries_.push_back({tag, type, offset, count});
    return *this;
  }
  HeaderBuilder& RawData(const std::string& bytes) {
    data_ += bytes;
    return *this;
  }
  HeaderBuilder& NoRegion() {
    region_ = false;
    return *this;
  }

  // A typical package: name, version, release, arch.
  static HeaderBuilder Package(const std::string& name) {
    HeaderBuilder b;
    b.String(1000, name)
        .String(1001, "1.0")
        .String(1002, "1")
        .String(1022, "x86_64");
    return b;
  }

  std::string Build() const {
    std::vector<Entry> entries = entries_;
    std::string data = data_;
    if (region_) {
      const uint32_t il = static_cast<uint32_t>(entries.size() + 1);
      entries.insert(entries.begin(),
                     {63, 7, static_cast<uint32_t>(data.size()), 16});
      AppendBe32(data, 63);
      AppendBe32(data, 7);
      AppendBe32(data, static_cast<uint32_t>(-static_cast<int32_t>(il * 16)));
      AppendBe32(data, 16);
    }
    std::string out;
    AppendBe32(out, static_cast<uint32_t>(entries.size()));
    AppendBe32(out, static_cast<uint32_t>(data.size()));
    for (const Entry& e : entries) {
      AppendBe32(out, e.tag);
      AppendBe32(out, e.type);
      AppendBe32(out, e.offset);
      AppendBe32(out, e.count);
    }
    return out + data;
  }

 private:
  struct Entry {
    uint32_t tag, type, offset, count;
  };
  HeaderBuilder& Add(uint32_t tag, uint32_t type, uint32_t count, size_t align,
                     const std::string& bytes) {
    while (data_.size() % align != 0) data_.push_back('\0');
    entries_.push_back({tag, type, static_cast<uint32_t>(data_.size()), count});
    data_ += bytes;
    return *this;
  }

  std::vector<Entry> entries_;
  std::string data_;
  bool region_ = true;
};

// NDB Packages.db with one slot page; blob i gets pkgidx i + 1.
inline std::string MakeNdb(const std::vector<std::string>& blobs) {
  std::string db(4096, '\0');
  PutLe32(db, 0, 'R' | 'p' << 8 | 'm' << 16 | 'P' << 24);
  PutLe32(db, 8, 1);   // generation
  PutLe32(db, 12, 1);  // slot pages
  PutLe32(db, 16, static_cast<uint32_t>(blobs.size() + 1));
  for (size_t slot = 2; slot < 256; ++slot) {
    PutLe32(db, slot * 16, 'S' | 'l' << 8 | 'o' << 16 | 't' << 24);
  }
  for (size_t i = 0; i < blobs.size(); ++i) {
    const uint32_t pkgidx = static_cast<uint32_t>(i + 1);
    const size_t start = db.size();
    const size_t blocks = (16 + blobs[i].size() + 12 + 15) / 16;
    db.resize(start + blocks * 16);
    PutLe32(db, start, 'B' | 'l' << 8 | 'b' << 16 | 'S' << 24);
    PutLe32(db, start + 4, pkgidx);
    PutLe32(db, start + 12, static_cast<uint32_t>(blobs[i].size()));
    std::memcpy(db.data() + start + 16, blobs[i].data(), blobs[i].size());
    const size_t tail = db.size() - 12;
    const uLong adler = adler32(
        adler32(0, nullptr, 0),
        reinterpret_cast<const Bytef*>(db.data() + start), tail - start);
    PutLe32(db, tail, static_cast<uint32_t>(adler));
    PutLe32(db, tail + 4, static_cast<uint32_t>(blobs[i].size()));
    PutLe32(db, tail + 8, 'B' | 'l' << 8 | 'b' << 16 | 'E' << 24);
    const size_t slot = (2 + i) * 16;
    PutLe32(db, slot + 4, pkgidx);
    PutLe32(db, slot + 8, static_cast<uint32_t>(start / 16));
    PutLe32(db, slot + 12, static_cast<uint32_t>(blocks));
  }
  return db;
}

// Berkeley DB hash Packages: page 0 metadata, page 1 one hash page with the
// counter record (key 0) and keys 1..n, each value an overflow chain.
inline std::string MakeBdb(const std::vector<std::string>& blobs,
                           uint32_t page_size = 512, bool big_endian = false) {
  auto put32 = [&](std::string& s, size_t at, uint32_t v) {
    big_endian ? PutBe32(s, at, v) : PutLe32(s, at, v);
  };
  auto put16 = [&](std::string& s, size_t at, uint16_t v) {
    if (big_endian) {
      s[at] = static_cast<char>(v >> 8);
      s[at + 1] = static_cast<char>(v);
    } else {
      PutLe16(s, at, v);
    }
  };
  std::string db(2 * size_t{page_size}, '\0');
  put32(db, 12, 0x061561);
  put32(db, 16, 9);
  put32(db, 20, page_size);
  db[25] = 8;
  // Hash page 1.
  const size_t hp = page_size;
  put32(db, hp + 8, 1);
  db[hp + 25] = 13;
  std::vector<std::string> items;
  auto key = [&](uint32_t id) {
    std::string k(5, '\0');
    k[0] = 1;
    put32(k, 1, id);
    return k;
  };
  items.push_back(key(0));
  std::string counter = key(static_cast<uint32_t>(blobs.size() + 1));
  items.push_back(counter);
  const size_t chunk = page_size - 26;
  for (size_t i = 0; i < blobs.size(); ++i) {
    items.push_back(key(static_cast<uint32_t>(i + 1)));
    std::string ref(12, '\0');
    ref[0] = 3;
    put32(ref, 4, static_cast<uint32_t>(db.size() / page_size));
    put32(ref, 8, static_cast<uint32_t>(blobs[i].size()));
    items.push_back(ref);
    for (size_t off = 0; off < blobs[i].size(); off += chunk) {
      const size_t pg = db.size() / page_size;
      const size_t len = std::min(chunk, blobs[i].size() - off);
      db.resize(db.size() + page_size);
      const size_t p = pg * page_size;
      put32(db, p + 8, static_cast<uint32_t>(pg));
      const bool last = off + chunk >= blobs[i].size();
      put32(db, p + 16, last ? 0 : static_cast<uint32_t>(pg + 1));
      put16(db, p + 20, 1);
      put16(db, p + 22, static_cast<uint16_t>(len));
      db[p + 25] = 7;
      std::memcpy(db.data() + p + 26, blobs[i].data() + off, len);
    }
  }
  size_t top = page_size;
  put16(db, hp + 20, static_cast<uint16_t>(items.size()));
  for (size_t i = 0; i < items.size(); ++i) {
    top -= items[i].size();
    std::memcpy(db.data() + hp + top, items[i].data(), items[i].size());
    put16(db, hp + 26 + 2 * i, static_cast<uint16_t>(top));
  }
  put16(db, hp + 22, static_cast<uint16_t>(top));
  put32(db, 32, static_cast<uint32_t>(db.size() / page_size - 1));
  return db;
}

// rpmdb.sqlite bytes: `schema`, then `insert` (one blob parameter) run once
// per blob, made with SQLite itself.
inline std::string MakeSqlite(
    const std::vector<std::string>& blobs,
    const std::string& schema =
        "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, "
        "blob BLOB NOT NULL)",
    const std::string& insert = "INSERT INTO Packages (blob) VALUES (?)") {
  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  sqlite3_exec(db, schema.c_str(), nullptr, nullptr, nullptr);
  for (const std::string& b : blobs) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, insert.c_str(), -1, &st, nullptr);
    sqlite3_bind_blob(st, 1, b.data(), static_cast<int>(b.size()),
                      SQLITE_TRANSIENT);
    sqlite3_step(st);
    sqlite3_finalize(st);
  }
  sqlite3_int64 size = 0;
  unsigned char* bytes = sqlite3_serialize(db, "main", &size, 0);
  std::string out(reinterpret_cast<char*>(bytes), static_cast<size_t>(size));
  sqlite3_free(bytes);
  sqlite3_close(db);
  return out;
}

}  // namespace strata::rpmdb::testing

#endif  // STRATA_RPMDB_TEST_BUILDERS_H_
