// strata's own SBOM JSON (docs/formats/sbom-json.md): every model field.
#include "sbom/format_internal.h"

namespace strata::sbom::internal {
namespace {

constexpr std::string_view kSchema = "strata.sbom/v1";

json::Json Strings(const std::vector<std::string>& v) {
  json::Json a = json::Json::array();
  for (const std::string& s : v) a.push_back(s);
  return a;
}

json::Json LocationJson(const Location& l) {
  json::Json j = json::Json::object();
  j["path"] = l.path;
  j["layer"] = l.layer;
  j["layerDigest"] = l.layer_digest;
  return j;
}

json::Json PackageJson(const Package& p) {
  json::Json j = json::Json::object();
  j["id"] = p.id;
  j["type"] = PackageTypeName(p.type);
  j["name"] = p.name;
  j["group"] = p.group;
  j["version"] = p.version;
  j["epoch"] = p.epoch;
  j["architecture"] = p.architecture;
  j["sourceName"] = p.source_name;
  j["sourceVersion"] = p.source_version;
  j["licenses"] = Strings(p.licenses);
  j["maintainer"] = p.maintainer;
  j["description"] = p.description;
  j["files"] = Strings(p.files);
  j["depends"] = Strings(p.depends);
  j["provides"] = Strings(p.provides);
  json::Json locations = json::Json::array();
  for (const Location& l : p.locations) locations.push_back(LocationJson(l));
  j["locations"] = std::move(locations);
  j["introducedLayer"] = p.introduced_layer;
  j["purl"] = p.purl;
  j["cpes"] = Strings(p.cpes);
  j["cataloger"] = p.cataloger;
  json::Json digests = json::Json::object();
  for (const auto& [k, v] : p.digests) digests[k] = v;
  j["digests"] = std::move(digests);
  json::Json extra = json::Json::object();
  for (const auto& [k, v] : p.extra) extra[k] = v;
  j["extra"] = std::move(extra);
  return j;
}

}  // namespace

std::string WriteStrataJson(const Sbom& sbom, const WriteOptions& options) {
  json::Json doc = json::Json::object();
  doc["schemaVersion"] = kSchema;
  json::Json descriptor = json::Json::object();
  descriptor["name"] = "strata";
  descriptor["version"] = options.tool_version;
  descriptor["timestamp"] = Rfc3339(options.timestamp);
  doc["descriptor"] = std::move(descriptor);

  const Source& s = sbom.source;
  json::Json source = json::Json::object();
  source["reference"] = s.reference;
  source["transport"] = s.transport;
  source["manifestDigest"] = s.manifest_digest;
  source["configDigest"] = s.config_digest;
  source["mediaType"] = s.media_type;
  source["platform"] = s.platform;
  source["layerDiffIDs"] = Strings(s.layer_diff_ids);
  source["repoTags"] = Strings(s.repo_tags);
  source["name"] = s.name;
  doc["source"] = std::move(source);

  const Distro& d = sbom.distro;
  json::Json distro = json::Json::object();
  distro["id"] = d.id;
  distro["versionID"] = d.version_id;
  distro["codename"] = d.codename;
  distro["name"] = d.name;
  distro["prettyName"] = d.pretty_name;
  distro["idLike"] = Strings(d.id_like);
  doc["distro"] = std::move(distro);

  json::Json packages = json::Json::array();
  for (const Package& p : sbom.packages) packages.push_back(PackageJson(p));
  doc["packages"] = std::move(packages);

  json::Json relationships = json::Json::array();
  for (const Relationship& r : sbom.relationships) {
    json::Json j = json::Json::object();
    j["from"] = r.from;
    j["to"] = r.to;
    j["type"] = r.type;
    relationships.push_back(std::move(j));
  }
  doc["relationships"] = std::move(relationships);

  json::Json unknowns = json::Json::array();
  for (const Unknown& u : sbom.unknowns) {
    json::Json j = json::Json::object();
    j["location"] = LocationJson(u.location);
    j["cataloger"] = u.cataloger;
    j["reason"] = u.reason;
    unknowns.push_back(std::move(j));
  }
  doc["unknowns"] = std::move(unknowns);
  return json::Dump(doc, 2) + "\n";
}

namespace {

// Reads `key` of `obj` into `out` when present; wrong types are errors.
Status Get(const json::Json& obj, std::string_view key, std::string& out) {
  ASSIGN_OR_RETURN(auto v, json::GetString(obj, key));
  if (v) out = std::move(*v);
  return Status::Ok();
}

Status Get(const json::Json& obj, std::string_view key, int& out) {
  ASSIGN_OR_RETURN(auto v, json::GetInt(obj, key));
  if (!v) return Status::Ok();
  if (*v < -1 || *v > 1'000'000'000) {
    return DataLossError("field \"" + std::string(key) + "\" is out of range");
  }
  out = static_cast<int>(*v);
  return Status::Ok();
}

Status Get(const json::Json& obj, std::string_view key,
           std::vector<std::string>& out) {
  ASSIGN_OR_RETURN(const json::Json* a, json::GetArray(obj, key));
  if (a) RETURN_IF_ERROR(CheckArraySize(*a, key));
  ASSIGN_OR_RETURN(auto v, json::GetStringArray(obj, key));
  if (v) out = std::move(*v);
  return Status::Ok();
}

Status ReadLocation(const json::Json& j, Location& l) {
  if (!j.is_object()) return DataLossError("location is not an object");
  RETURN_IF_ERROR(Get(j, "path", l.path));
  RETURN_IF_ERROR(Get(j, "layer", l.layer));
  return Get(j, "layerDigest", l.layer_digest);
}

Status ReadPackage(const json::Json& j, Package& p) {
  if (!j.is_object()) return DataLossError("not an object");
  std::string type;
  RETURN_IF_ERROR(Get(j, "type", type));
  std::optional<PackageType> t = PackageTypeFromName(type);
  if (!t) return DataLossError("unknown package type \"" + type + "\"");
  p.type = *t;
  RETURN_IF_ERROR(Get(j, "id", p.id));
  RETURN_IF_ERROR(Get(j, "name", p.name));
  RETURN_IF_ERROR(Get(j, "group", p.group));
  RETURN_IF_ERROR(Get(j, "version", p.version));
  RETURN_IF_ERROR(Get(j, "epoch", p.epoch));
  RETURN_IF_ERROR(Get(j, "architecture", p.architecture));
  RETURN_IF_ERROR(Get(j, "sourceName", p.source_name));
  RETURN_IF_ERROR(Get(j, "sourceVersion", p.source_version));
  RETURN_IF_ERROR(Get(j, "licenses", p.licenses));
  RETURN_IF_ERROR(Get(j, "maintainer", p.maintainer));
  RETURN_IF_ERROR(Get(j, "description", p.description));
  RETURN_IF_ERROR(Get(j, "files", p.files));
  RETURN_IF_ERROR(Get(j, "depends", p.depends));
  RETURN_IF_ERROR(Get(j, "provides", p.provides));
  RETURN_IF_ERROR(Get(j, "introducedLayer", p.introduced_layer));
  RETURN_IF_ERROR(Get(j, "purl", p.purl));
  RETURN_IF_ERROR(Get(j, "cpes", p.cpes));
  RETURN_IF_ERROR(Get(j, "cataloger", p.cataloger));
  ASSIGN_OR_RETURN(const json::Json* locations, json::GetArray(j, "locations"));
  if (locations) {
    RETURN_IF_ERROR(CheckArraySize(*locations, "locations"));
    for (const json::Json& l : *locations) {
      RETURN_IF_ERROR(ReadLocation(l, p.locations.emplace_back()));
    }
  }
  ASSIGN_OR_RETURN(auto digests, json::GetStringMap(j, "digests"));
  if (digests) p.digests = std::move(*digests);
  ASSIGN_OR_RETURN(auto extra, json::GetStringMap(j, "extra"));
  if (extra) p.extra = std::move(*extra);
  return Status::Ok();
}

// Reads each element of array `key` with `read`, adding "key[i]" context.
template <typename T, typename F>
Status ReadArray(const json::Json& doc, std::string_view key,
                 std::vector<T>& out, F read) {
  ASSIGN_OR_RETURN(const json::Json* a, json::GetArray(doc, key));
  if (!a) return Status::Ok();
  RETURN_IF_ERROR(CheckArraySize(*a, key));
  for (size_t i = 0; i < a->size(); ++i) {
    RETURN_IF_ERROR(
        read((*a)[i], out.emplace_back())
            .WithContext(std::string(key) + "[" + std::to_string(i) + "]"));
  }
  return Status::Ok();
}

}  // namespace

Result<Sbom> ReadStrataJson(const json::Json& doc) {
  Sbom sbom;
  auto read = [&]() -> Status {
    ASSIGN_OR_RETURN(const json::Json* source, json::GetObject(doc, "source"));
    if (source) {
      Source& s = sbom.source;
      RETURN_IF_ERROR(Get(*source, "reference", s.reference));
      RETURN_IF_ERROR(Get(*source, "transport", s.transport));
      RETURN_IF_ERROR(Get(*source, "manifestDigest", s.manifest_digest));
      RETURN_IF_ERROR(Get(*source, "configDigest", s.config_digest));
      RETURN_IF_ERROR(Get(*source, "mediaType", s.media_type));
      RETURN_IF_ERROR(Get(*source, "platform", s.platform));
      RETURN_IF_ERROR(Get(*source, "layerDiffIDs", s.layer_diff_ids));
      RETURN_IF_ERROR(Get(*source, "repoTags", s.repo_tags));
      RETURN_IF_ERROR(Get(*source, "name", s.name));
    }
    ASSIGN_OR_RETURN(const json::Json* distro, json::GetObject(doc, "distro"));
    if (distro) {
      Distro& d = sbom.distro;
      RETURN_IF_ERROR(Get(*distro, "id", d.id));
      RETURN_IF_ERROR(Get(*distro, "versionID", d.version_id));
      RETURN_IF_ERROR(Get(*distro, "codename", d.codename));
      RETURN_IF_ERROR(Get(*distro, "name", d.name));
      RETURN_IF_ERROR(Get(*distro, "prettyName", d.pretty_name));
      RETURN_IF_ERROR(Get(*distro, "idLike", d.id_like));
    }
    RETURN_IF_ERROR(ReadArray(doc, "packages", sbom.packages, ReadPackage));
    RETURN_IF_ERROR(
        ReadArray(doc, "relationships", sbom.relationships,
                  [](const json::Json& j, Relationship& r) -> Status {
                    if (!j.is_object()) return DataLossError("not an object");
                    RETURN_IF_ERROR(Get(j, "from", r.from));
                    RETURN_IF_ERROR(Get(j, "to", r.to));
                    return Get(j, "type", r.type);
                  }));
    return ReadArray(doc, "unknowns", sbom.unknowns,
                     [](const json::Json& j, Unknown& u) -> Status {
                       if (!j.is_object())
                         return DataLossError("not an object");
                       ASSIGN_OR_RETURN(const json::Json* l,
                                        json::GetObject(j, "location"));
                       if (l) RETURN_IF_ERROR(ReadLocation(*l, u.location));
                       RETURN_IF_ERROR(Get(j, "cataloger", u.cataloger));
                       return Get(j, "reason", u.reason);
                     });
  };
  RETURN_IF_ERROR(read().WithContext("strata sbom document"));
  return sbom;
}

}  // namespace strata::sbom::internal
