// Streaming tar reader (ustar, PAX, GNU long names/links, old GNU) over any
// ByteSource, built on libarchive's tar format reader with no filters (we
// decompress ourselves, see io/decompress.h).
//
// The reader never seeks: entries come in archive order and their data can be
// read (ReadData) or skipped (the next Next() call skips what is left).
// Names and link targets are returned raw, exactly as in the archive; the
// caller normalises them (base/path.h). Corrupt or truncated input is
// kDataLoss; an oversized name or PAX header kResourceExhausted. An error
// from the source (a digest mismatch, a spent budget) is returned as it is.
// Errors are sticky.
//
// A 0-byte stream is an empty archive. Otherwise the archive must end with
// the zero end-of-archive block (one is enough): a stream that stops at an
// entry boundary is "truncated tar stream". Unknown typeflags read as
// regular files (POSIX, and libarchive). For sparse entries ReadData returns
// the logical content, holes as zeros.
//
// Thread-safety: none; one reader per stream.
#ifndef STRATA_TAR_TAR_READER_H_
#define STRATA_TAR_TAR_READER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "base/byte_source.h"

namespace strata::tar {

enum class EntryType {
  kRegular,
  kDirectory,
  kSymlink,
  kHardlink,
  kCharDevice,
  kBlockDevice,
  kFifo,
  kOther,  // anything else (e.g. a hardlink entry without a target)
};
std::string_view EntryTypeName(EntryType t);

struct Entry {
  std::string name;  // raw archive name
  EntryType type = EntryType::kRegular;
  uint32_t mode = 0;  // permission bits (07777)
  int64_t uid = 0, gid = 0;
  int64_t size = 0;         // data bytes (0 for hardlinks without data)
  int64_t mtime = 0;        // seconds since epoch
  std::string link_target;  // symlink target or hardlink target name (raw)
  uint32_t dev_major = 0, dev_minor = 0;
  // Offset of the entry's first data byte in the tar stream (uncompressed
  // bytes from the start of the archive); -1 if unknown (sparse entries).
  int64_t data_offset = -1;
};

class Reader {
 public:
  // `src` must outlive the reader.
  explicit Reader(ByteSource& src);
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Advances to the next entry, skipping any unread data of the current one.
  // Returns false at the end of the archive (after which the underlying
  // source may still hold padding: the caller drains it if it must hash the
  // whole stream).
  Result<bool> Next(Entry* entry);

  // Reads the current entry's data. Returns 0 at the end of the entry.
  Result<size_t> ReadData(std::span<uint8_t> out);

  // Number of entries returned so far.
  int64_t entry_count() const { return count_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int64_t count_ = 0;
};

}  // namespace strata::tar

#endif  // STRATA_TAR_TAR_READER_H_
