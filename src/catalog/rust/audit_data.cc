#include "catalog/rust/audit_data.h"

#include <zlib.h>

#include <memory>

#include "base/caps.h"
#include "base/json.h"
#include "elf/elf.h"

namespace strata::catalog::rust {
namespace {

// Largest decompressed audit JSON: a few hundred bytes per crate, so this
// holds tens of thousands of crates (cargo-auditable's own reader defaults
// to the same limit).
constexpr int64_t kMaxAuditJsonBytes = 8 * caps::kMiB;

Status Prefixed(const Status& s) {
  return Status(s.code(), "rust audit data: " + s.message());
}

struct InflateEnd {
  void operator()(z_stream* z) const {
    inflateEnd(z);
    delete z;
  }
};

Result<std::string> Inflate(std::string_view in) {
  auto z = std::unique_ptr<z_stream, InflateEnd>(new z_stream{});
  // (inflateEnd after a failed init is a harmless no-op.)
  if (inflateInit(z.get()) != Z_OK) return InternalError("zlib init failed");
  z->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z->avail_in = static_cast<uInt>(in.size());
  std::string out;
  size_t used = 0;
  while (true) {
    if (used == out.size()) {
      if (out.size() >= static_cast<size_t>(kMaxAuditJsonBytes)) {
        return ResourceExhaustedError("decompressed JSON exceeds the cap of " +
                                      std::to_string(kMaxAuditJsonBytes) +
                                      " bytes");
      }
      out.resize(std::min<size_t>(std::max<size_t>(2 * out.size(), 64 * 1024),
                                  kMaxAuditJsonBytes));
    }
    z->next_out = reinterpret_cast<Bytef*>(out.data() + used);
    z->avail_out = static_cast<uInt>(out.size() - used);
    const int rc = inflate(z.get(), Z_NO_FLUSH);
    used = out.size() - z->avail_out;
    if (rc == Z_STREAM_END) break;
    if (rc == Z_BUF_ERROR && z->avail_in == 0) {
      return DataLossError("truncated zlib stream");
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return DataLossError("bad zlib stream");
    }
  }
  out.resize(used);
  return out;
}

Result<std::vector<Crate>> Crates(const json::Json& doc) {
  if (!doc.is_object()) return DataLossError("not a JSON object");
  ASSIGN_OR_RETURN(const json::Json* packages, json::GetArray(doc, "packages"));
  if (packages == nullptr) return DataLossError("no packages array");
  std::vector<Crate> crates;
  crates.reserve(packages->size());
  for (size_t i = 0; i < packages->size(); ++i) {
    const json::Json& p = (*packages)[i];
    const std::string where = "package " + std::to_string(i);
    if (!p.is_object()) return DataLossError(where + ": not an object");
    Crate c;
    for (auto [key, field] :
         {std::pair{"name", &c.name}, std::pair{"version", &c.version},
          std::pair{"source", &c.source}, std::pair{"kind", &c.kind}}) {
      auto v = json::GetString(p, key);
      if (!v.ok()) return std::move(v).status().WithContext(where);
      if (*v) {
        *field = std::move(**v);
      } else if (std::string_view(key) != "kind") {
        return DataLossError(where + ": no " + key);
      }
    }
    if (c.kind.empty()) c.kind = "runtime";
    if (auto root = p.find("root"); root != p.end()) {
      if (!root->is_boolean()) {
        return DataLossError(where + ": field \"root\" must be a boolean");
      }
      c.root = root->get<bool>();
    }
    auto deps = json::GetArray(p, "dependencies");
    if (!deps.ok()) return std::move(deps).status().WithContext(where);
    if (*deps != nullptr) {
      for (const json::Json& d : **deps) {
        if (!d.is_number_unsigned() || d.get<uint64_t>() >= packages->size()) {
          return DataLossError(where + ": dependency " + json::Dump(d) +
                               " out of range");
        }
        c.dependencies.push_back(d.get<uint64_t>());
      }
    }
    crates.push_back(std::move(c));
  }
  return crates;
}

}  // namespace

Result<std::optional<std::string>> ReadAuditData(std::string_view bytes) {
  auto f = elf::File::Parse(bytes);
  if (!f.ok()) return std::optional<std::string>();
  auto section = f->FindSection(".dep-v0");
  if (!section.ok()) return Prefixed(section.status());
  if (!*section) return std::optional<std::string>();
  auto json = Inflate(**section);
  if (!json.ok()) return Prefixed(json.status());
  return std::optional(std::move(json).value());
}

Result<std::vector<Crate>> ParseAuditData(std::string_view text) {
  ASSIGN_OR_RETURN(json::Json doc,
                   json::Parse(text, "rust audit data", kMaxAuditJsonBytes));
  return Crates(doc);
}

std::vector<sbom::Package> CratePackages(const std::vector<Crate>& crates,
                                         const sbom::Location& location,
                                         std::string_view cataloger) {
  std::vector<sbom::Package> out;
  out.reserve(crates.size());
  for (const Crate& c : crates) {
    sbom::Package p;
    p.type = sbom::PackageType::kRustCrate;
    p.name = c.name;
    p.version = c.version;
    for (size_t d : c.dependencies) p.depends.push_back(crates[d].name);
    p.extra["rust.source"] = c.source;
    p.extra["rust.kind"] = c.kind;
    if (c.root) p.extra["rust.root"] = "true";
    p.locations = {location};
    p.introduced_layer = location.layer;
    p.cataloger = std::string(cataloger);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace strata::catalog::rust
