#include "sbom/format.h"

#include <ctime>

#include "base/digest.h"
#include "sbom/format_internal.h"

namespace strata::sbom {

namespace internal {

std::string Rfc3339(int64_t seconds_since_epoch) {
  std::time_t t = static_cast<std::time_t>(seconds_since_epoch);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return "1970-01-01T00:00:00Z";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string DeterministicUuid(std::string_view seed) {
  std::string hex = Sha256Of(seed).hex().substr(0, 32);
  hex[12] = '5';
  static constexpr char kVariant[] = "89ab";
  int nibble = hex[16] <= '9' ? hex[16] - '0' : hex[16] - 'a' + 10;
  hex[16] = kVariant[nibble & 3];
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) +
         "-" + hex.substr(16, 4) + "-" + hex.substr(20);
}

std::string DocumentSeed(const Sbom& sbom, std::string_view format,
                         const WriteOptions& options) {
  const Source& s = sbom.source;
  std::string subject = s.manifest_digest.empty() ? "reference:" + s.reference
                                                  : s.manifest_digest;
  return std::string(format) + "\n" + subject + "\n" + options.tool_version;
}

std::string FullVersion(const Package& p) {
  if (p.type == PackageType::kRpm && !p.epoch.empty()) {
    return p.epoch + ":" + p.version;
  }
  return p.version;
}

std::string SanitizeId(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '-';
    if (!ok) c = '-';
  }
  return out;
}

Status CheckArraySize(const json::Json& array, std::string_view what) {
  if (array.size() > kMaxSbomArrayItems) {
    return ResourceExhaustedError(
        std::string(what) + " has " + std::to_string(array.size()) +
        " items, over the cap of " + std::to_string(kMaxSbomArrayItems));
  }
  return Status::Ok();
}

bool ApplyPurlOrRecordUnknown(Package& p, Sbom& sbom) {
  std::string reason;
  if (ApplyPurl(p, sbom, &reason)) return true;
  if (!reason.empty()) {
    Unknown u;
    if (!p.locations.empty()) u.location = p.locations[0];
    u.cataloger = p.cataloger;
    u.reason = std::move(reason);
    sbom.unknowns.push_back(std::move(u));
  }
  return false;
}

bool ApplyPurl(Package& p, Sbom& sbom, std::string* reason) {
  std::string what = p.name.empty() ? p.purl : p.name;
  if (!p.version.empty()) what += "@" + p.version;
  if (p.purl.empty()) {
    // Without a version it is a grouping node (Trivy's lock files), not a
    // package that went missing.
    *reason = p.version.empty() ? "" : "no package url: " + what;
    return false;
  }
  std::optional<Purl> purl = ParsePurl(p.purl);
  if (!purl) {
    *reason = "invalid package url \"" + p.purl + "\"";
    return false;
  }
  std::optional<PackageType> type = PackageTypeFromPurlType(purl->type);
  if (!type) {
    *reason = "unsupported package type " + purl->type + ": " + what;
    return false;
  }
  p.type = *type;
  auto q = [&purl](const char* key) -> std::string {
    auto it = purl->qualifiers.find(key);
    return it == purl->qualifiers.end() ? "" : it->second;
  };
  if (p.name.empty() || !IsOsPackage(p.type)) {
    // The ecosystem's own spelling of the name (see Package::name).
    p.name = purl->name;
    if (!purl->namespace_.empty()) {
      if (p.type == PackageType::kJavaArchive) {
        p.group = purl->namespace_;
      } else if (p.type == PackageType::kNpm ||
                 p.type == PackageType::kGoModule ||
                 p.type == PackageType::kPhpComposer) {
        p.name = purl->namespace_ + "/" + purl->name;
      }
    }
  }
  if (p.version.empty()) p.version = purl->version;
  std::string epoch = q("epoch");
  if (!IsOsPackage(p.type)) {
    // Language packages carry no epoch, arch or distro.
  } else if (p.type == PackageType::kRpm) {
    // "1:5.1.8-1.el9" as syft writes it; else the epoch= qualifier.
    size_t colon = p.version.find(':');
    if (colon != std::string::npos &&
        p.version.find_first_not_of("0123456789") == colon && colon > 0) {
      p.epoch = p.version.substr(0, colon);
      p.version = p.version.substr(colon + 1);
    } else {
      p.epoch = epoch == "0" ? "" : epoch;
    }
  } else if (!epoch.empty() && epoch != "0" &&
             p.version.find(':') == std::string::npos) {
    p.version = epoch + ":" + p.version;  // Trivy keeps dpkg epochs apart
  }
  if (p.architecture.empty()) p.architecture = q("arch");
  if (std::string upstream = q("upstream"); !upstream.empty()) {
    size_t at = upstream.find('@');
    p.source_name = upstream.substr(0, at);
    if (at != std::string::npos) p.source_version = upstream.substr(at + 1);
  }
  if (std::string distro = q("distro");
      !distro.empty() && sbom.distro.empty()) {
    size_t dash = distro.rfind('-');
    sbom.distro.id = distro.substr(0, dash);
    if (dash != std::string::npos) {
      sbom.distro.version_id = distro.substr(dash + 1);
    }
  }
  return true;
}

}  // namespace internal

Result<Format> ParseFormat(std::string_view name) {
  if (name == "table") return Format::kTable;
  if (name == "json") return Format::kJson;
  if (name == "spdx-json" || name == "spdx") return Format::kSpdxJson;
  if (name == "cyclonedx-json" || name == "cyclonedx" || name == "cdx-json") {
    return Format::kCycloneDxJson;
  }
  return InvalidArgumentError(
      "unknown sbom format \"" + std::string(name) +
      "\" (valid: table, json, spdx-json, cyclonedx-json)");
}

std::string_view FormatName(Format f) {
  switch (f) {
    case Format::kTable:
      return "table";
    case Format::kJson:
      return "json";
    case Format::kSpdxJson:
      return "spdx-json";
    case Format::kCycloneDxJson:
      return "cyclonedx-json";
  }
  return "table";
}

Result<std::string> Write(const Sbom& sbom, Format format,
                          const WriteOptions& options) {
  switch (format) {
    case Format::kTable:
      return internal::WriteTable(sbom);
    case Format::kJson:
      return internal::WriteStrataJson(sbom, options);
    case Format::kSpdxJson:
      return internal::WriteSpdxJson(sbom, options);
    case Format::kCycloneDxJson:
      if (options.cyclonedx_version != "1.6" &&
          options.cyclonedx_version != "1.5") {
        return InvalidArgumentError("unsupported CycloneDX version \"" +
                                    options.cyclonedx_version +
                                    "\" (valid: 1.5, 1.6)");
      }
      return internal::WriteCycloneDxJson(sbom, options);
  }
  return InvalidArgumentError("unknown sbom format");
}

Result<Sbom> Read(std::string_view bytes) {
  ASSIGN_OR_RETURN(
      json::Json doc,
      json::Parse(bytes, "sbom document", internal::kMaxSbomDocumentBytes));
  if (!doc.is_object()) return DataLossError("sbom document is not an object");
  ASSIGN_OR_RETURN(auto spdx_version, json::GetString(doc, "spdxVersion"));
  if (spdx_version) {
    if (spdx_version->rfind("SPDX-2.", 0) != 0) {
      return UnimplementedError("unsupported SPDX version \"" + *spdx_version +
                                "\" (supported: SPDX-2.x)");
    }
    return internal::ReadSpdxJson(doc);
  }
  ASSIGN_OR_RETURN(auto bom_format, json::GetString(doc, "bomFormat"));
  if (bom_format == "CycloneDX") return internal::ReadCycloneDxJson(doc);
  ASSIGN_OR_RETURN(auto schema, json::GetString(doc, "schemaVersion"));
  if (schema == "strata.sbom/v1") return internal::ReadStrataJson(doc);
  if (schema && schema->rfind("strata.sbom/", 0) == 0) {
    return UnimplementedError("unsupported strata sbom schema \"" + *schema +
                              "\" (supported: strata.sbom/v1)");
  }
  return DataLossError(
      "sbom document is not SPDX 2.x, CycloneDX or strata JSON");
}

}  // namespace strata::sbom
