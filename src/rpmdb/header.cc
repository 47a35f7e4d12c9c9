// RPM header blob parser (rpm lib/header.c: hdrblobInit, hdrblobVerifyRegion,
// hdrblobVerifyInfo, dataLength), then field extraction.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/caps.h"
#include "rpmdb/rpmdb.h"

namespace strata::rpmdb {
namespace {

// rpm's own limits are 0xffff tags and 256 MiB of data (HEADER_TAGS_MAX,
// HEADER_DATA_MAX); the largest real headers (texlive) are a few MiB.
constexpr uint32_t kMaxHeaderTags = 0xffff;
constexpr uint32_t kMaxHeaderDataBytes = 64 * caps::kMiB;
// Files of one package (texlive-* tops out near 100k).
constexpr size_t kMaxFilesPerPackage = 1'000'000;
// Bytes of strings extracted from one header: assembled paths repeat their
// directory, so they can outgrow the blob.
constexpr int64_t kMaxPackageBytes = 256 * caps::kMiB;

enum TagType : uint32_t {
  kNull = 0,
  kChar = 1,
  kInt8 = 2,
  kInt16 = 3,
  kInt32 = 4,
  kInt64 = 5,
  kString = 6,
  kBin = 7,
  kStringArray = 8,
  kI18nString = 9,
};

enum Tag : uint32_t {
  kTagHeaderImage = 61,
  kTagHeaderSignatures = 62,
  kTagHeaderImmutable = 63,
  kTagSigMd5 = 261,
  kTagName = 1000,
  kTagVersion = 1001,
  kTagRelease = 1002,
  kTagEpoch = 1003,
  kTagSummary = 1004,
  kTagSize = 1009,
  kTagVendor = 1011,
  kTagLicense = 1014,
  kTagArch = 1022,
  kTagOldFilenames = 1027,
  kTagSourceRpm = 1044,
  kTagProvideName = 1047,
  kTagRequireName = 1049,
  kTagDirIndexes = 1116,
  kTagBasenames = 1117,
  kTagDirnames = 1118,
  kTagLongSize = 5009,
  kTagModularityLabel = 5096,
};

constexpr int kRegionTagCount = 16;  // a region tag's value is one entry

struct Entry {
  uint32_t tag;
  uint32_t type;
  uint32_t count;
  std::string_view data;  // exactly the value's bytes
};

uint32_t Be32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return uint32_t{u[0]} << 24 | uint32_t{u[1]} << 16 | uint32_t{u[2]} << 8 |
         uint32_t{u[3]};
}

std::string TagError(uint32_t tag, std::string_view what) {
  return "tag " + std::to_string(tag) + ": " + std::string(what);
}

// Length of a value of `type` x `count` at data[offset..], or an error.
Result<uint32_t> DataLength(uint32_t tag, uint32_t type, uint32_t count,
                            std::string_view data, uint32_t offset) {
  const uint64_t avail = data.size() - offset;
  if (count == 0) return DataLossError(TagError(tag, "count 0"));
  switch (type) {
    case kString:
    case kStringArray:
    case kI18nString: {
      if (type == kString && count != 1) {
        return DataLossError(TagError(
            tag, "string with count " + std::to_string(count) + ", want 1"));
      }
      if (count > avail) {
        return DataLossError(TagError(
            tag, std::to_string(count) + " strings do not fit in the data"));
      }
      size_t pos = offset;
      for (uint32_t i = 0; i < count; ++i) {
        size_t nul = data.find('\0', pos);
        if (nul == std::string_view::npos) {
          return DataLossError(TagError(tag, "string at offset " +
                                                 std::to_string(pos) +
                                                 " is not NUL-terminated"));
        }
        pos = nul + 1;
      }
      return static_cast<uint32_t>(pos - offset);
    }
    default: {
      static constexpr uint32_t kSizes[] = {0, 1, 1, 2, 4, 8, 0, 1};
      if (type >= sizeof(kSizes) / sizeof(kSizes[0]) || kSizes[type] == 0) {
        return DataLossError(TagError(tag, "bad type " + std::to_string(type)));
      }
      const uint64_t len = uint64_t{kSizes[type]} * count;
      if (len > avail) {
        return DataLossError(TagError(
            tag, "value of " + std::to_string(len) + " bytes at offset " +
                     std::to_string(offset) + " overruns the data (" +
                     std::to_string(data.size()) + " bytes)"));
      }
      return static_cast<uint32_t>(len);
    }
  }
}

// Validates the index and data (rpm hdrblobInit) and returns the entries,
// region tag excluded.
Result<std::vector<Entry>> ParseIndex(std::string_view blob) {
  if (blob.size() < 8) {
    return DataLossError("header blob of " + std::to_string(blob.size()) +
                         " bytes is shorter than its 8-byte preamble");
  }
  const uint32_t il = Be32(blob.data());
  const uint32_t dl = Be32(blob.data() + 4);
  if (il > kMaxHeaderTags) {
    return ResourceExhaustedError("header index count " + std::to_string(il) +
                                  " exceeds cap " +
                                  std::to_string(kMaxHeaderTags));
  }
  if (dl > kMaxHeaderDataBytes) {
    return ResourceExhaustedError("header data length " + std::to_string(dl) +
                                  " exceeds cap " +
                                  std::to_string(kMaxHeaderDataBytes));
  }
  const uint64_t want = 8 + uint64_t{16} * il + dl;
  if (blob.size() != want) {
    return DataLossError("header blob is " + std::to_string(blob.size()) +
                         " bytes, want 8 + 16 * " + std::to_string(il) + " + " +
                         std::to_string(dl) + " = " + std::to_string(want));
  }
  if (il == 0) return DataLossError("header has no tags");
  const char* index = blob.data() + 8;
  const std::string_view data = blob.substr(8 + size_t{16} * il);

  uint32_t first = 0;
  const uint32_t tag0 = Be32(index);
  if (tag0 == kTagHeaderImage || tag0 == kTagHeaderSignatures ||
      tag0 == kTagHeaderImmutable) {
    const uint32_t type = Be32(index + 4);
    const int64_t offset = static_cast<int32_t>(Be32(index + 8));
    const uint32_t count = Be32(index + 12);
    if (type != kBin || count != kRegionTagCount) {
      return DataLossError(TagError(tag0, "region tag with type " +
                                              std::to_string(type) + " count " +
                                              std::to_string(count)));
    }
    if (offset < 0 || offset + kRegionTagCount > dl) {
      return DataLossError(TagError(
          tag0,
          "region trailer offset " + std::to_string(offset) + " out of range"));
    }
    const char* trailer = data.data() + offset;
    const uint32_t ttag = Be32(trailer);
    const uint32_t ttype = Be32(trailer + 4);
    const int64_t region_bytes =
        -int64_t{static_cast<int32_t>(Be32(trailer + 8))};
    const uint32_t tcount = Be32(trailer + 12);
    if (ttag != tag0 || ttype != kBin || tcount != kRegionTagCount ||
        region_bytes <= 0 || region_bytes % 16 != 0 || region_bytes / 16 > il) {
      return DataLossError(TagError(tag0, "bad region trailer"));
    }
    first = 1;
  }

  std::vector<Entry> entries;
  entries.reserve(il - first);
  uint64_t end = 0;
  for (uint32_t i = first; i < il; ++i) {
    const char* e = index + size_t{16} * i;
    const uint32_t tag = Be32(e);
    const uint32_t type = Be32(e + 4);
    const int64_t offset = static_cast<int32_t>(Be32(e + 8));
    const uint32_t count = Be32(e + 12);
    if (type > kI18nString) {
      return DataLossError(TagError(tag, "bad type " + std::to_string(type)));
    }
    if (offset < 0 || offset > dl) {
      return DataLossError(TagError(tag, "offset " + std::to_string(offset) +
                                             " out of range (data is " +
                                             std::to_string(dl) + " bytes)"));
    }
    if (static_cast<uint64_t>(offset) < end) {
      return DataLossError(TagError(tag, "data overlaps the previous tag's"));
    }
    const int64_t align = type == kInt16   ? 2
                          : type == kInt32 ? 4
                          : type == kInt64 ? 8
                                           : 1;
    if (offset % align != 0) {
      return DataLossError(TagError(tag, "offset " + std::to_string(offset) +
                                             " is not aligned to " +
                                             std::to_string(align)));
    }
    ASSIGN_OR_RETURN(uint32_t len, DataLength(tag, type, count, data,
                                              static_cast<uint32_t>(offset)));
    end = static_cast<uint64_t>(offset) + len;
    entries.push_back(
        Entry{tag, type, count, data.substr(static_cast<size_t>(offset), len)});
  }
  return entries;
}

// Typed access to the validated entries (first entry of a tag wins).
class Header {
 public:
  explicit Header(std::vector<Entry> entries) : entries_(std::move(entries)) {}

  const Entry* Find(uint32_t tag) const {
    for (const Entry& e : entries_) {
      if (e.tag == tag) return &e;
    }
    return nullptr;
  }

  // STRING, or the first translation of an I18NSTRING.
  Result<std::string> String(uint32_t tag) const {
    const Entry* e = Find(tag);
    if (e == nullptr) return std::string();
    if (e->type != kString && e->type != kI18nString) return TypeError(*e);
    return std::string(e->data.substr(0, e->data.find('\0')));
  }

  // STRING_ARRAY (views into the blob); empty when absent.
  Result<std::vector<std::string_view>> StringArray(uint32_t tag) const {
    std::vector<std::string_view> out;
    const Entry* e = Find(tag);
    if (e == nullptr) return out;
    if (e->type != kStringArray) return TypeError(*e);
    out.reserve(e->count);
    std::string_view rest = e->data;
    for (uint32_t i = 0; i < e->count; ++i) {
      size_t nul = rest.find('\0');  // present: checked by DataLength
      out.push_back(rest.substr(0, nul));
      rest.remove_prefix(nul + 1);
    }
    return out;
  }

  Result<std::vector<uint32_t>> Int32Array(uint32_t tag) const {
    std::vector<uint32_t> out;
    const Entry* e = Find(tag);
    if (e == nullptr) return out;
    if (e->type != kInt32) return TypeError(*e);
    out.reserve(e->count);
    for (uint32_t i = 0; i < e->count; ++i) {
      out.push_back(Be32(e->data.data() + size_t{4} * i));
    }
    return out;
  }

  Result<std::optional<uint64_t>> Int64(uint32_t tag) const {
    const Entry* e = Find(tag);
    if (e == nullptr) return std::optional<uint64_t>();
    if (e->type != kInt64) return TypeError(*e);
    return std::optional<uint64_t>(uint64_t{Be32(e->data.data())} << 32 |
                                   Be32(e->data.data() + 4));
  }

  Result<std::string_view> Bin(uint32_t tag) const {
    const Entry* e = Find(tag);
    if (e == nullptr) return std::string_view();
    if (e->type != kBin) return TypeError(*e);
    return e->data;
  }

 private:
  static Status TypeError(const Entry& e) {
    return DataLossError(
        TagError(e.tag, "unexpected type " + std::to_string(e.type)));
  }

  std::vector<Entry> entries_;
};

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// Appends `path` to `files`, charging it to `budget`.
Status AddFile(std::string path, std::vector<std::string>& files,
               int64_t& budget) {
  if (static_cast<int64_t>(path.size()) > caps::kMaxPathLength) {
    return DataLossError("file path of " + std::to_string(path.size()) +
                         " bytes exceeds cap " +
                         std::to_string(caps::kMaxPathLength));
  }
  if (files.size() >= kMaxFilesPerPackage) {
    return ResourceExhaustedError("more than " +
                                  std::to_string(kMaxFilesPerPackage) +
                                  " files in one package");
  }
  budget -= static_cast<int64_t>(path.size());
  if (budget < 0) {
    return ResourceExhaustedError("package strings exceed cap " +
                                  std::to_string(kMaxPackageBytes) + " bytes");
  }
  files.push_back(std::move(path));
  return Status::Ok();
}

Status ReadFiles(const Header& h, Package& pkg, int64_t& budget) {
  ASSIGN_OR_RETURN(std::vector<std::string_view> basenames,
                   h.StringArray(kTagBasenames));
  if (basenames.empty()) {
    ASSIGN_OR_RETURN(std::vector<std::string_view> old,
                     h.StringArray(kTagOldFilenames));
    for (std::string_view f : old) {
      RETURN_IF_ERROR(AddFile(std::string(f), pkg.files, budget));
    }
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(std::vector<std::string_view> dirnames,
                   h.StringArray(kTagDirnames));
  ASSIGN_OR_RETURN(std::vector<uint32_t> dirindexes,
                   h.Int32Array(kTagDirIndexes));
  if (dirindexes.size() != basenames.size()) {
    return DataLossError(TagError(
        kTagDirIndexes, std::to_string(dirindexes.size()) + " entries for " +
                            std::to_string(basenames.size()) + " basenames"));
  }
  pkg.files.reserve(std::min(basenames.size(), kMaxFilesPerPackage));
  for (size_t i = 0; i < basenames.size(); ++i) {
    if (dirindexes[i] >= dirnames.size()) {
      return DataLossError(TagError(
          kTagDirIndexes, "index " + std::to_string(dirindexes[i]) +
                              " out of range (" +
                              std::to_string(dirnames.size()) + " dirnames)"));
    }
    std::string_view dir = dirnames[dirindexes[i]];
    if (dir.size() + basenames[i].size() >
        static_cast<size_t>(caps::kMaxPathLength)) {
      return DataLossError(
          "file path of " + std::to_string(dir.size() + basenames[i].size()) +
          " bytes exceeds cap " + std::to_string(caps::kMaxPathLength));
    }
    std::string path;
    path.reserve(dir.size() + basenames[i].size());
    path.append(dir).append(basenames[i]);
    RETURN_IF_ERROR(AddFile(std::move(path), pkg.files, budget));
  }
  return Status::Ok();
}

// Dependency names are at most the blob's size: no budget needed.
Status ReadNames(const Header& h, uint32_t tag, std::vector<std::string>& out) {
  ASSIGN_OR_RETURN(std::vector<std::string_view> names, h.StringArray(tag));
  out.assign(names.begin(), names.end());
  return Status::Ok();
}

}  // namespace

Result<Package> ParseHeaderBlob(std::string_view blob) {
  ASSIGN_OR_RETURN(std::vector<Entry> entries, ParseIndex(blob));
  const Header h(std::move(entries));
  Package pkg;
  struct Field {
    uint32_t tag;
    std::string Package::*field;
  };
  static constexpr Field kStrings[] = {
      {kTagName, &Package::name},
      {kTagVersion, &Package::version},
      {kTagRelease, &Package::release},
      {kTagArch, &Package::arch},
      {kTagSourceRpm, &Package::source_rpm},
      {kTagLicense, &Package::license},
      {kTagVendor, &Package::vendor},
      {kTagModularityLabel, &Package::modularity_label},
      {kTagSummary, &Package::summary},
  };
  for (const Field& f : kStrings) {
    ASSIGN_OR_RETURN(pkg.*f.field, h.String(f.tag));
  }
  if (pkg.name.empty()) return DataLossError("header has no name");
  if (pkg.version.empty()) return DataLossError("header has no version");
  if (pkg.release.empty()) return DataLossError("header has no release");

  ASSIGN_OR_RETURN(std::vector<uint32_t> epoch, h.Int32Array(kTagEpoch));
  if (!epoch.empty()) pkg.epoch = static_cast<int32_t>(epoch[0]);
  ASSIGN_OR_RETURN(std::optional<uint64_t> long_size, h.Int64(kTagLongSize));
  ASSIGN_OR_RETURN(std::vector<uint32_t> size, h.Int32Array(kTagSize));
  if (long_size.has_value()) {
    pkg.size = static_cast<int64_t>(*long_size & INT64_MAX);
  } else if (!size.empty()) {
    pkg.size = size[0];
  }
  ASSIGN_OR_RETURN(std::string_view md5, h.Bin(kTagSigMd5));
  pkg.sigmd5 = Hex(md5);

  int64_t budget = kMaxPackageBytes;
  RETURN_IF_ERROR(ReadFiles(h, pkg, budget));
  RETURN_IF_ERROR(ReadNames(h, kTagRequireName, pkg.requires_names));
  RETURN_IF_ERROR(ReadNames(h, kTagProvideName, pkg.provides_names));
  return pkg;
}

}  // namespace strata::rpmdb
