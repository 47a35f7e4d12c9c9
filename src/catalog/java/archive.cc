#include "catalog/java/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <optional>

#include "base/unique_fd.h"

namespace strata::catalog::java {
namespace {

using ArchivePtr =
    std::unique_ptr<archive, CHandleDeleter<archive, archive_read_free>>;

constexpr size_t kReadChunk = 64 * 1024;
constexpr std::string_view kManifestPath = "META-INF/MANIFEST.MF";
constexpr std::string_view kMavenDir = "META-INF/maven/";
constexpr std::string_view kZipMagic("PK\x03\x04", 4);

// End of central directory record: signature, then the total entry count
// at offset 10 (16 bits); 0xFFFF defers to the zip64 record, found through
// the zip64 locator just before it (signature, disk, offset at 8).
constexpr size_t kEocdBytes = 22;
constexpr size_t kMaxEocdComment = 0xFFFF;
constexpr size_t kZip64LocatorBytes = 20;
constexpr size_t kZip64EocdBytes = 56;

uint64_t Le(std::string_view b, size_t at, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) {
    v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  }
  return v;
}

// The largest entry count any end-of-central-directory candidate in the
// tail of `zip` declares (libarchive allocates per declared entry, and may
// settle on any candidate); kDataLoss when there is none.
Result<uint64_t> DeclaredEntries(std::string_view zip) {
  if (zip.size() < kEocdBytes) {
    return DataLossError("no end of central directory record");
  }
  const size_t last = zip.size() - kEocdBytes;
  const size_t first = last > kMaxEocdComment ? last - kMaxEocdComment : 0;
  std::optional<uint64_t> most;
  for (size_t i = last + 1; i-- > first;) {
    if (zip.compare(i, 4, "PK\x05\x06") != 0) continue;
    uint64_t n = Le(zip, i + 10, 2);
    if (n == 0xFFFF && i >= kZip64LocatorBytes) {
      size_t loc = i - kZip64LocatorBytes;
      if (zip.compare(loc, 4, "PK\x06\x07") == 0) {
        uint64_t off = Le(zip, loc + 8, 8);
        if (zip.size() >= kZip64EocdBytes &&
            off <= zip.size() - kZip64EocdBytes &&
            zip.compare(off, 4, "PK\x06\x06") == 0) {
          n = std::max(n, Le(zip, off + 32, 8));
        }
      }
    }
    most = std::max(most.value_or(0), n);
  }
  if (!most) return DataLossError("no end of central directory record");
  return *most;
}

std::string Sha1Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha1(), nullptr) !=
      1) {
    return "";
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[md[i] >> 4];
    hex += kHex[md[i] & 0xF];
  }
  return hex;
}

// "256 MiB", "4 KiB", "100 bytes".
std::string SizeText(int64_t n) {
  if (n > 0 && n % caps::kMiB == 0)
    return std::to_string(n / caps::kMiB) + " MiB";
  if (n > 0 && n % caps::kKiB == 0)
    return std::to_string(n / caps::kKiB) + " KiB";
  return std::to_string(n) + " bytes";
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// An entry name we can report: within the path cap, no control bytes.
bool UsableName(std::string_view name) {
  return !name.empty() &&
         static_cast<int64_t>(name.size()) <= caps::kMaxPathLength &&
         std::none_of(name.begin(), name.end(), [](char c) {
           return static_cast<unsigned char>(c) < 0x20;
         });
}

std::string Join(std::string_view archive, std::string_view entry) {
  if (archive.empty()) return std::string(entry);
  return std::string(archive) + "!/" + std::string(entry);
}

Status Corrupt(archive* a) {
  const char* msg = archive_error_string(a);
  return DataLossError("corrupt zip archive: " +
                       std::string(msg ? msg : "unknown error"));
}

// The metadata files read from an archive.
enum class Kind { kOther, kManifest, kPomProperties, kPomXml };

Kind Classify(std::string_view name, std::string_view base) {
  if (EqualsIgnoreCase(name, kManifestPath)) return Kind::kManifest;
  if (base == "pom.properties") return Kind::kPomProperties;
  if (base == "pom.xml" && name.starts_with(kMavenDir)) return Kind::kPomXml;
  return Kind::kOther;
}

// Metadata texts of one archive, by entry name.
struct Collected {
  bool manifest_seen = false;
  std::optional<std::string> manifest;
  std::map<std::string, std::string> pom_properties;
  std::map<std::string, std::string> pom_xmls;
};

class Scanner {
 public:
  explicit Scanner(const ScanLimits& limits)
      : limits_(limits), buf_(kReadChunk) {}

  // Scans one archive (`path` as in ArchiveFacts) and, recursively, the
  // archives in it. On error nothing of it is kept.
  Status Scan(std::string_view bytes, const std::string& path, int parent,
              int depth) {
    ASSIGN_OR_RETURN(uint64_t declared, DeclaredEntries(bytes));
    if (declared > static_cast<uint64_t>(limits_.max_entries - entries_)) {
      return TooManyEntries();
    }
    if (declared == 0) {  // libarchive does not read an empty zip
      result_.archives.push_back({path, parent, Sha1Hex(bytes), {}, {}});
      return Status::Ok();
    }
    ArchivePtr a(archive_read_new());
    if (!a) return InternalError("archive_read_new failed");
    if (archive_read_support_format_zip_seekable(a.get()) != ARCHIVE_OK ||
        archive_read_open_memory(a.get(), bytes.data(), bytes.size()) !=
            ARCHIVE_OK) {
      return Corrupt(a.get());
    }
    const size_t archives_before = result_.archives.size();
    const size_t problems_before = result_.problems.size();
    const int self = static_cast<int>(archives_before);
    result_.archives.push_back({path, parent, Sha1Hex(bytes), {}, {}});
    Collected c;
    if (Status st = Entries(a.get(), path, self, depth, &c); !st.ok()) {
      result_.archives.resize(archives_before);
      result_.problems.resize(problems_before);
      return st;
    }
    ArchiveFacts& facts = result_.archives[self];
    if (c.manifest) {
      auto m = ParseManifest(*c.manifest);
      if (m.ok()) {
        facts.manifest = std::move(m).value();
      } else {
        AddProblem(Join(path, kManifestPath),
                   "invalid manifest: " + m.status().message());
      }
    }
    for (const auto& [name, text] : c.pom_properties) {
      PomFacts pom{name, ParsePomProperties(text), {}};
      std::string dir = name.substr(0, name.rfind('/') + 1);
      if (auto xml = c.pom_xmls.find(dir + "pom.xml");
          xml != c.pom_xmls.end()) {
        pom.licenses = PomLicenseNames(xml->second);
      }
      facts.poms.push_back(std::move(pom));
    }
    return Status::Ok();
  }

  ScanResult TakeResult() { return std::move(result_); }

 private:
  Status TooManyEntries() const {
    return ResourceExhaustedError(
        "more than " + std::to_string(limits_.max_entries) +
        " entries in one java archive, nested ones included");
  }

  void AddProblem(std::string path, std::string reason) {
    result_.problems.push_back({std::move(path), std::move(reason)});
  }

  // Walks the entries of `a`, reading metadata into `c` and scanning
  // nested archives. Stops early (OK) once the byte budget is spent.
  Status Entries(archive* a, const std::string& path, int self, int depth,
                 Collected* c) {
    while (true) {
      archive_entry* e = nullptr;
      int r = archive_read_next_header(a, &e);
      if (r == ARCHIVE_EOF) return Status::Ok();
      if (r < ARCHIVE_WARN) return Corrupt(a);
      if (++entries_ > limits_.max_entries) return TooManyEntries();
      if (archive_entry_filetype(e) != AE_IFREG) continue;
      const char* raw = archive_entry_pathname_utf8(e);
      if (raw == nullptr) raw = archive_entry_pathname(e);
      if (raw == nullptr || !UsableName(raw)) continue;
      const std::string name = raw;
      const std::string_view base =
          std::string_view(name).substr(name.rfind('/') + 1);
      const Kind kind = Classify(name, base);
      if (kind == Kind::kManifest) {
        if (c->manifest_seen) continue;  // a duplicate entry: the first counts
        c->manifest_seen = true;
      }
      if (kind != Kind::kOther) {
        std::string text;
        Status st = ReadEntry(a, e, limits_.max_metadata_bytes,
                              "archive metadata files", &text);
        if (!st.ok()) {
          AddProblem(Join(path, name), st.message());
        } else if (kind == Kind::kManifest) {
          c->manifest = std::move(text);
        } else if (kind == Kind::kPomProperties) {
          c->pom_properties[name] = std::move(text);
        } else {
          c->pom_xmls[name] = std::move(text);
        }
      } else if (IsArchiveName(base)) {
        Nested(a, e, Join(path, name), self, depth + 1);
      }
      if (spent_) return Status::Ok();
    }
  }

  void Nested(archive* a, archive_entry* e, const std::string& path, int parent,
              int depth) {
    if (depth > limits_.max_depth) {
      AddProblem(path, "archive nested deeper than " +
                           std::to_string(limits_.max_depth) + " levels");
      return;
    }
    std::string bytes;
    if (Status st =
            ReadEntry(a, e, limits_.max_archive_bytes, "java archives", &bytes);
        !st.ok()) {
      AddProblem(path, st.message());
      return;
    }
    if (!bytes.starts_with(kZipMagic)) return;  // not a zip, or empty
    if (Status st = Scan(bytes, path, parent, depth); !st.ok()) {
      AddProblem(path, st.message());
    }
  }

  // Reads the current entry's data into `out`, at most `cap` bytes, all
  // counted against the shared budget.
  Status ReadEntry(archive* a, archive_entry* e, int64_t cap,
                   std::string_view what, std::string* out) {
    auto too_large = [&] {
      return ResourceExhaustedError("larger than the " + SizeText(cap) +
                                    " cap on " + std::string(what));
    };
    auto spent = [&] {
      spent_ = true;
      return ResourceExhaustedError("more than " +
                                    SizeText(limits_.max_expanded_bytes) +
                                    " decompressed from one archive");
    };
    const int64_t left = limits_.max_expanded_bytes - expanded_;
    if (archive_entry_size_is_set(e)) {
      const int64_t declared = archive_entry_size(e);
      if (declared > cap) return too_large();
      if (declared > left) return spent();
      out->reserve(static_cast<size_t>(std::max<int64_t>(declared, 0)));
    }
    while (true) {
      la_ssize_t n = archive_read_data(a, buf_.data(), buf_.size());
      if (n < 0) {
        const char* msg = archive_error_string(a);
        return DataLossError("corrupt entry data: " +
                             std::string(msg ? msg : "unknown error"));
      }
      if (n == 0) return Status::Ok();
      if (static_cast<int64_t>(out->size()) + n > cap) return too_large();
      if (expanded_ + n > limits_.max_expanded_bytes) return spent();
      expanded_ += n;
      out->append(buf_.data(), static_cast<size_t>(n));
    }
  }

  const ScanLimits& limits_;
  std::vector<char> buf_;
  ScanResult result_;
  int64_t expanded_ = 0;  // bytes decompressed so far
  int64_t entries_ = 0;   // entries seen so far
  bool spent_ = false;    // the budget is spent: decompress nothing more
};

}  // namespace

bool IsArchiveName(std::string_view file_name) {
  for (std::string_view ext : kArchiveExtensions) {
    if (file_name.size() > ext.size() &&
        EqualsIgnoreCase(file_name.substr(file_name.size() - ext.size()),
                         ext)) {
      return true;
    }
  }
  return false;
}

Result<ScanResult> ScanArchive(std::string_view bytes,
                               const ScanLimits& limits) {
  Scanner scanner(limits);
  RETURN_IF_ERROR(scanner.Scan(bytes, "", -1, 0));
  return scanner.TakeResult();
}

}  // namespace strata::catalog::java
