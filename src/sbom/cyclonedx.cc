#include <set>

#include "sbom/format_internal.h"

namespace strata::sbom::internal {
namespace {

json::Json Property(std::string_view name, std::string_view value) {
  json::Json p = json::Json::object();
  p["name"] = name;
  p["value"] = value;
  return p;
}

// [{license:{id}}] for listed ids, [{expression}] when every license is an
// SPDX expression and one is compound, else [{license:{id|name}}].
json::Json Licenses(const std::vector<std::string>& licenses) {
  std::vector<std::optional<std::string>> exprs;
  bool all_valid = true, any_compound = false;
  for (const std::string& l : licenses) {
    exprs.push_back(NormalizeSpdxExpression(l));
    all_valid = all_valid && exprs.back().has_value();
    any_compound = any_compound || (exprs.back() && exprs.back()->find(' ') !=
                                                        std::string::npos);
  }
  json::Json out = json::Json::array();
  if (all_valid && any_compound) {
    std::string joined;
    for (const auto& e : exprs) {
      bool compound = e->find(' ') != std::string::npos && exprs.size() > 1;
      joined +=
          (joined.empty() ? "" : " AND ") + (compound ? "(" + *e + ")" : *e);
    }
    json::Json expression = json::Json::object();
    expression["expression"] = joined;
    out.push_back(std::move(expression));
    return out;
  }
  for (size_t i = 0; i < licenses.size(); ++i) {
    json::Json license = json::Json::object();
    std::string canonical;
    if (IsSpdxLicenseId(licenses[i], &canonical)) {
      license["id"] = canonical;
    } else {
      license["name"] = licenses[i];
    }
    json::Json choice = json::Json::object();
    choice["license"] = std::move(license);
    out.push_back(std::move(choice));
  }
  return out;
}

std::string SourceRef(const Sbom& sbom) {
  return "strata-source-" +
         DeterministicUuid(sbom.source.manifest_digest.empty()
                               ? sbom.source.reference
                               : sbom.source.manifest_digest);
}

std::string DistroRef(const Distro& d) {
  return "os:" + d.id + (d.version_id.empty() ? "" : "@" + d.version_id);
}

}  // namespace

std::string WriteCycloneDxJson(const Sbom& sbom, const WriteOptions& options) {
  const std::string& spec = options.cyclonedx_version;
  json::Json doc = json::Json::object();
  doc["$schema"] = "http://cyclonedx.org/schema/bom-" + spec + ".schema.json";
  doc["bomFormat"] = "CycloneDX";
  doc["specVersion"] = spec;
  doc["serialNumber"] =
      "urn:uuid:" +
      DeterministicUuid(DocumentSeed(sbom, "cyclonedx-json-" + spec, options));
  doc["version"] = 1;

  json::Json tool = json::Json::object();
  tool["type"] = "application";
  tool["name"] = "strata";
  if (!options.tool_version.empty()) tool["version"] = options.tool_version;
  json::Json tools = json::Json::object();
  tools["components"] = json::Json::array({tool});
  json::Json subject = json::Json::object();
  subject["bom-ref"] = SourceRef(sbom);
  subject["type"] = sbom.source.manifest_digest.empty() ? "file" : "container";
  subject["name"] =
      sbom.source.name.empty() ? sbom.source.reference : sbom.source.name;
  if (!sbom.source.manifest_digest.empty()) {
    subject["version"] = sbom.source.manifest_digest;
  }
  json::Json metadata = json::Json::object();
  metadata["timestamp"] = Rfc3339(options.timestamp);
  metadata["tools"] = std::move(tools);
  metadata["component"] = std::move(subject);
  doc["metadata"] = std::move(metadata);

  // CycloneDX has no "contains" outside nesting: the contained component
  // names its owner in a property instead.
  std::map<std::string, std::vector<std::string>> owners;
  for (const Relationship& r : sbom.relationships) {
    if (r.type == "contains") owners[r.to].push_back(r.from);
  }
  json::Json components = json::Json::array();
  std::set<std::string> refs;
  for (const Package& p : sbom.packages) {
    if (!refs.insert(p.id).second) continue;  // bom-refs must be unique
    json::Json c = json::Json::object();
    c["bom-ref"] = p.id;
    c["type"] = p.type == PackageType::kBinary ? "application" : "library";
    if (!p.group.empty()) c["group"] = p.group;
    c["name"] = p.name;
    if (std::string v = FullVersion(p); !v.empty()) c["version"] = v;
    if (!p.maintainer.empty()) c["publisher"] = p.maintainer;
    if (!p.description.empty()) c["description"] = p.description;
    if (!p.digests.empty()) {
      json::Json hashes = json::Json::array();
      for (const auto& [alg, hex] : p.digests) {
        json::Json h = json::Json::object();
        h["alg"] = alg;
        h["content"] = hex;
        hashes.push_back(std::move(h));
      }
      c["hashes"] = std::move(hashes);
    }
    if (!p.licenses.empty()) c["licenses"] = Licenses(p.licenses);
    if (!p.purl.empty()) c["purl"] = p.purl;
    if (!p.cpes.empty()) c["cpe"] = p.cpes[0];
    json::Json props = json::Json::array();
    props.push_back(Property("strata:package:type", PackageTypeName(p.type)));
    if (!p.cataloger.empty()) {
      props.push_back(Property("strata:package:cataloger", p.cataloger));
    }
    if (!p.source_name.empty()) {
      props.push_back(Property("strata:package:sourceName", p.source_name));
    }
    if (!p.source_version.empty()) {
      props.push_back(
          Property("strata:package:sourceVersion", p.source_version));
    }
    if (p.introduced_layer >= 0) {
      props.push_back(Property("strata:package:introducedLayer",
                               std::to_string(p.introduced_layer)));
    }
    if (auto it = owners.find(p.id); it != owners.end()) {
      for (const std::string& owner : it->second) {
        props.push_back(Property("strata:package:containedBy", owner));
      }
    }
    for (size_t i = 1; i < p.cpes.size(); ++i) {
      props.push_back(Property("strata:cpe23", p.cpes[i]));
    }
    for (size_t i = 0; i < p.locations.size(); ++i) {
      std::string key = "strata:location:" + std::to_string(i) + ":";
      props.push_back(Property(key + "path", "/" + p.locations[i].path));
      if (!p.locations[i].layer_digest.empty()) {
        props.push_back(Property(key + "layerID", p.locations[i].layer_digest));
      }
    }
    c["properties"] = std::move(props);
    components.push_back(std::move(c));
  }
  if (!sbom.distro.empty()) {
    const Distro& d = sbom.distro;
    json::Json os = json::Json::object();
    os["bom-ref"] = DistroRef(d);
    os["type"] = "operating-system";
    os["name"] = d.id;
    if (!d.version_id.empty()) os["version"] = d.version_id;
    if (!d.pretty_name.empty()) os["description"] = d.pretty_name;
    json::Json props = json::Json::array();
    if (!d.codename.empty()) {
      props.push_back(Property("strata:distro:codename", d.codename));
    }
    if (!d.name.empty())
      props.push_back(Property("strata:distro:name", d.name));
    for (const std::string& like : d.id_like) {
      props.push_back(Property("strata:distro:idLike", like));
    }
    if (!props.empty()) os["properties"] = std::move(props);
    components.push_back(std::move(os));
  }
  doc["components"] = std::move(components);

  std::map<std::string, std::set<std::string>> deps;
  for (const Relationship& r : sbom.relationships) {
    if (r.type == "depends-on" && refs.count(r.from) && refs.count(r.to)) {
      deps[r.from].insert(r.to);
    }
  }
  json::Json dependencies = json::Json::array();
  for (const auto& [from, tos] : deps) {
    json::Json d = json::Json::object();
    d["ref"] = from;
    json::Json on = json::Json::array();
    for (const std::string& to : tos) on.push_back(to);
    d["dependsOn"] = std::move(on);
    dependencies.push_back(std::move(d));
  }
  if (!dependencies.empty()) doc["dependencies"] = std::move(dependencies);
  return json::Dump(doc, 2) + "\n";
}

namespace {

Status ReadLicenses(const json::Json& c, Package& p) {
  ASSIGN_OR_RETURN(const json::Json* licenses, json::GetArray(c, "licenses"));
  if (!licenses) return Status::Ok();
  RETURN_IF_ERROR(CheckArraySize(*licenses, "licenses"));
  for (const json::Json& choice : *licenses) {
    ASSIGN_OR_RETURN(auto expression, json::GetString(choice, "expression"));
    if (expression) {
      for (std::string& part : SplitTopLevelAnd(*expression)) {
        p.licenses.push_back(std::move(part));
      }
      continue;
    }
    ASSIGN_OR_RETURN(const json::Json* license,
                     json::GetObject(choice, "license"));
    if (!license) continue;
    ASSIGN_OR_RETURN(auto id, json::GetString(*license, "id"));
    ASSIGN_OR_RETURN(auto name, json::GetString(*license, "name"));
    if (id || name) p.licenses.push_back(id ? *id : *name);
  }
  return Status::Ok();
}

// strata:/syft: properties; "<prefix>location:<n>:path|layerID".
Status ReadProperties(const json::Json& c, Package& p) {
  ASSIGN_OR_RETURN(const json::Json* props, json::GetArray(c, "properties"));
  if (!props) return Status::Ok();
  RETURN_IF_ERROR(CheckArraySize(*props, "properties"));
  std::map<int, Location> locations;
  for (const json::Json& prop : *props) {
    ASSIGN_OR_RETURN(auto name_opt, json::GetString(prop, "name"));
    ASSIGN_OR_RETURN(auto value_opt, json::GetString(prop, "value"));
    if (!name_opt || !value_opt) continue;
    std::string_view name = *name_opt;
    const std::string& value = *value_opt;
    if (name.rfind("strata:", 0) == 0) {
      name.remove_prefix(7);
    } else if (name.rfind("syft:", 0) == 0) {
      name.remove_prefix(5);
    } else if (name == "aquasecurity:trivy:SrcName") {
      name = "package:sourceName";
    } else if (name == "aquasecurity:trivy:SrcVersion") {
      name = "package:sourceVersion";
    } else {
      continue;
    }
    if (name == "package:cataloger" || name == "package:foundBy") {
      p.cataloger = value;
    } else if (name == "package:sourceName") {
      p.source_name = value;
    } else if (name == "package:sourceVersion") {
      p.source_version = value;
    } else if (name == "package:introducedLayer") {
      int layer = 0;
      for (char ch : value) {
        if (ch < '0' || ch > '9' || layer > 1'000'000) {
          return DataLossError("bad introducedLayer \"" + value + "\"");
        }
        layer = layer * 10 + (ch - '0');
      }
      p.introduced_layer = value.empty() ? -1 : layer;
    } else if (name == "cpe23") {
      p.cpes.push_back(value);
    } else if (name.rfind("location:", 0) == 0) {
      name.remove_prefix(9);
      size_t colon = name.find(':');
      if (colon == std::string_view::npos || colon == 0 || colon > 6 ||
          name.substr(0, colon).find_first_not_of("0123456789") !=
              std::string_view::npos) {
        continue;
      }
      int index = std::stoi(std::string(name.substr(0, colon)));
      std::string_view field = name.substr(colon + 1);
      Location& loc = locations[index];
      if (field == "path") {
        loc.path =
            value.substr(value.find_first_not_of('/') == std::string::npos
                             ? value.size()
                             : value.find_first_not_of('/'));
      } else if (field == "layerID") {
        loc.layer_digest = value;
      }
    }
  }
  for (auto& [index, loc] : locations) p.locations.push_back(std::move(loc));
  return Status::Ok();
}

Status ReadComponent(const json::Json& c, Sbom& sbom,
                     std::map<std::string, std::string>& ids) {
  if (!c.is_object()) return DataLossError("not an object");
  ASSIGN_OR_RETURN(auto type, json::GetString(c, "type"));
  ASSIGN_OR_RETURN(auto name, json::GetString(c, "name"));
  ASSIGN_OR_RETURN(auto version, json::GetString(c, "version"));
  ASSIGN_OR_RETURN(auto description, json::GetString(c, "description"));
  ASSIGN_OR_RETURN(auto ref, json::GetString(c, "bom-ref"));
  if (type == "operating-system") {
    if (!sbom.distro.empty()) return Status::Ok();
    Distro& d = sbom.distro;
    d.id = name.value_or("");
    d.version_id = version.value_or("");
    d.pretty_name = description.value_or("");
    ASSIGN_OR_RETURN(const json::Json* props, json::GetArray(c, "properties"));
    if (!props) return Status::Ok();
    RETURN_IF_ERROR(CheckArraySize(*props, "properties"));
    for (const json::Json& prop : *props) {
      ASSIGN_OR_RETURN(auto key, json::GetString(prop, "name"));
      ASSIGN_OR_RETURN(auto value, json::GetString(prop, "value"));
      if (!key || !value) continue;
      if (*key == "strata:distro:codename") d.codename = *value;
      if (*key == "strata:distro:name") d.name = *value;
      if (*key == "strata:distro:idLike") d.id_like.push_back(*value);
    }
    return Status::Ok();
  }
  Package p;
  p.name = name.value_or("");
  p.version = version.value_or("");
  p.description = description.value_or("");
  ASSIGN_OR_RETURN(auto publisher, json::GetString(c, "publisher"));
  ASSIGN_OR_RETURN(auto author, json::GetString(c, "author"));
  p.maintainer = publisher ? *publisher : author.value_or("");
  ASSIGN_OR_RETURN(auto purl, json::GetString(c, "purl"));
  p.purl = purl.value_or("");
  ASSIGN_OR_RETURN(auto cpe, json::GetString(c, "cpe"));
  if (cpe) p.cpes.push_back(*cpe);
  RETURN_IF_ERROR(ReadLicenses(c, p));
  RETURN_IF_ERROR(ReadProperties(c, p));
  p.id = ref ? *ref : p.purl;
  if (!ApplyPurlOrRecordUnknown(p, sbom)) return Status::Ok();
  if (ref) ids[*ref] = p.id;
  sbom.packages.push_back(std::move(p));
  return Status::Ok();
}

}  // namespace

Result<Sbom> ReadCycloneDxJson(const json::Json& doc) {
  Sbom sbom;
  auto read = [&]() -> Status {
    ASSIGN_OR_RETURN(const json::Json* metadata,
                     json::GetObject(doc, "metadata"));
    if (metadata) {
      ASSIGN_OR_RETURN(const json::Json* subject,
                       json::GetObject(*metadata, "component"));
      if (subject) {
        ASSIGN_OR_RETURN(auto name, json::GetString(*subject, "name"));
        ASSIGN_OR_RETURN(auto version, json::GetString(*subject, "version"));
        sbom.source.name = name.value_or("");
        if (version && version->rfind("sha256:", 0) == 0) {
          sbom.source.manifest_digest = *version;
        }
      }
    }
    std::map<std::string, std::string> ids;  // bom-ref -> package id
    ASSIGN_OR_RETURN(const json::Json* components,
                     json::GetArray(doc, "components"));
    if (components) {
      RETURN_IF_ERROR(CheckArraySize(*components, "components"));
      // The operating system first, so that it wins over distro= qualifiers.
      for (int pass = 0; pass < 2; ++pass) {
        for (size_t i = 0; i < components->size(); ++i) {
          const json::Json& c = (*components)[i];
          auto type = json::GetString(c, "type");
          bool is_os = type.ok() && *type == "operating-system";
          if (is_os != (pass == 0)) continue;
          RETURN_IF_ERROR(
              ReadComponent(c, sbom, ids)
                  .WithContext("components[" + std::to_string(i) + "]"));
        }
      }
    }
    ASSIGN_OR_RETURN(const json::Json* deps,
                     json::GetArray(doc, "dependencies"));
    if (!deps) return Status::Ok();
    RETURN_IF_ERROR(CheckArraySize(*deps, "dependencies"));
    for (size_t i = 0; i < deps->size(); ++i) {
      std::string ctx = "dependencies[" + std::to_string(i) + "]";
      auto ref = json::GetString((*deps)[i], "ref");
      if (!ref.ok()) return ref.status().WithContext(ctx);
      auto on = json::GetStringArray((*deps)[i], "dependsOn");
      if (!on.ok()) return on.status().WithContext(ctx);
      if (!*ref || !*on) continue;
      auto from = ids.find(**ref);
      if (from == ids.end()) continue;
      if ((*on)->size() > kMaxSbomArrayItems) {
        return ResourceExhaustedError("dependsOn is over the cap of " +
                                      std::to_string(kMaxSbomArrayItems) +
                                      " items")
            .WithContext(ctx);
      }
      for (const std::string& target : **on) {
        auto to = ids.find(target);
        if (to == ids.end()) continue;
        sbom.relationships.push_back({from->second, to->second, "depends-on"});
      }
    }
    return Status::Ok();
  };
  RETURN_IF_ERROR(read().WithContext("cyclonedx document"));
  return sbom;
}

}  // namespace strata::sbom::internal
