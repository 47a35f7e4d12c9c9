#include "cli/inspect.h"

#include <unistd.h>

#include <cstdio>
#include <sstream>

#include "cli/common.h"
#include "cli/exit_codes.h"
#include "cli/output.h"

namespace strata::cli {
namespace {

using json::Json;

Json DescriptorJson(const oci::Descriptor& d) {
  Json j = Json::object();
  j["digest"] = d.digest.ToString();
  j["mediaType"] = d.media_type;
  j["size"] = d.size;
  return j;
}

Json StringList(const std::vector<std::string>& v) {
  Json j = Json::array();
  for (const auto& s : v) j.push_back(s);
  return j;
}

std::string Str(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string ShortDigest(const std::string& d) {
  size_t colon = d.find(':');
  if (colon == std::string::npos) return d;
  return d.substr(0, std::min(d.size(), colon + 1 + 12));
}

}  // namespace

Json InspectJson(const image::LoadedImage& img) {
  Json r = Json::object();
  r["schemaVersion"] = "strata.inspect/v1";
  r["reference"] = img.ref.ToString();
  r["transport"] = std::string(oci::TransportName(img.ref.transport));
  if (img.metadata) {
    const oci::ImageMetadata& md = *img.metadata;
    r["manifest"] = DescriptorJson(md.manifest);
    if (md.index) r["index"] = DescriptorJson(*md.index);
    Json plats = Json::array();
    for (const auto& p : md.available_platforms) plats.push_back(p.ToString());
    r["availablePlatforms"] = plats;
    r["platform"] = md.config.platform.ToString();
    r["repoTags"] = StringList(md.repo_tags);
    const oci::ImageConfig& c = md.config;
    Json cfg = Json::object();
    cfg["digest"] = md.config_descriptor.digest.ToString();
    cfg["mediaType"] = md.config_descriptor.media_type;
    cfg["created"] = c.created;
    cfg["author"] = c.author;
    cfg["entrypoint"] = StringList(c.entrypoint);
    cfg["cmd"] = StringList(c.cmd);
    cfg["env"] = StringList(c.env);
    cfg["user"] = c.user;
    cfg["workingDir"] = c.working_dir;
    Json labels = Json::object();
    for (const auto& [k, v] : c.labels) labels[k] = v;
    cfg["labels"] = labels;
    cfg["exposedPorts"] = StringList(c.exposed_ports);
    cfg["volumes"] = StringList(c.volumes);
    cfg["stopSignal"] = c.stop_signal;
    r["config"] = cfg;
  } else {
    r["manifest"] = nullptr;
    r["platform"] = nullptr;
    r["config"] = nullptr;
  }
  Json layers = Json::array();
  for (const image::LayerStats& l : img.layers) {
    Json j = Json::object();
    j["index"] = l.index;
    if (img.metadata) {
      j["digest"] = l.descriptor.digest.ToString();
      j["mediaType"] = l.descriptor.media_type;
      j["diffID"] = l.diff_id.ToString();
      j["diffIDComputed"] = l.diff_id_computed;
      j["compression"] = std::string(io::CompressionName(l.compression));
      j["compressedSize"] = l.compressed_bytes;
    }
    j["uncompressedSize"] = l.uncompressed_bytes;
    j["entries"] = l.entries;
    layers.push_back(j);
  }
  r["layers"] = layers;
  Json files = Json::object();
  files["total"] = img.tree.size();
  files["regular"] = img.tree.CountType(fs::FileType::kRegular);
  files["directories"] = img.tree.CountType(fs::FileType::kDirectory);
  files["symlinks"] = img.tree.CountType(fs::FileType::kSymlink);
  files["other"] = img.tree.size() -
                   img.tree.CountType(fs::FileType::kRegular) -
                   img.tree.CountType(fs::FileType::kDirectory) -
                   img.tree.CountType(fs::FileType::kSymlink);
  r["files"] = files;
  return r;
}

std::string InspectTable(const Json& r) {
  std::ostringstream out;
  auto row = [&out](const std::string& k, const std::string& v) {
    out << k << std::string(k.size() < 14 ? 14 - k.size() : 1, ' ') << v
        << "\n";
  };
  auto rows = [&](const std::string& k, const Json& arr) {
    if (!arr.is_array() || arr.empty()) return;
    bool first = true;
    for (const auto& v : arr) {
      row(first ? k : "", v.get<std::string>());
      first = false;
    }
  };
  row("Reference", Str(r, "reference"));
  if (r["manifest"].is_object()) {
    const Json& m = r["manifest"];
    row("Manifest", Str(m, "digest"));
    row("Media type", Str(m, "mediaType"));
    if (r.contains("index")) row("Index", Str(r["index"], "digest"));
    row("Platform", Str(r, "platform"));
    if (r["availablePlatforms"].size() > 1) {
      std::string all;
      for (const auto& p : r["availablePlatforms"]) {
        all += (all.empty() ? "" : ", ") + p.get<std::string>();
      }
      row("Platforms", all);
    }
    rows("Tags", r["repoTags"]);
    const Json& c = r["config"];
    row("Config", Str(c, "digest"));
    row("Created", Str(c, "created"));
    if (!c["entrypoint"].empty())
      row("Entrypoint", json::Dump(c["entrypoint"]));
    if (!c["cmd"].empty()) row("Cmd", json::Dump(c["cmd"]));
    if (!Str(c, "user").empty()) row("User", Str(c, "user"));
    if (!Str(c, "workingDir").empty()) row("Workdir", Str(c, "workingDir"));
    rows("Env", c["env"]);
    bool first = true;
    for (auto it = c["labels"].begin(); it != c["labels"].end(); ++it) {
      row(first ? "Labels" : "",
          it.key() + "=" + it.value().get<std::string>());
      first = false;
    }
  }
  const Json& layers = r["layers"];
  row("Layers", std::to_string(layers.size()));
  if (r["manifest"].is_object()) {
    char buf[256];
    std::snprintf(buf, sizeof(buf), "  %-3s %-19s %-19s %-6s %11s %13s %8s\n",
                  "#", "DIGEST", "DIFF ID", "COMPR", "COMPRESSED",
                  "UNCOMPRESSED", "ENTRIES");
    out << buf;
    for (const auto& l : layers) {
      std::snprintf(
          buf, sizeof(buf), "  %-3d %-19s %-19s %-6s %11s %13s %8lld\n",
          l["index"].get<int>(), ShortDigest(Str(l, "digest")).c_str(),
          ShortDigest(Str(l, "diffID")).c_str(), Str(l, "compression").c_str(),
          HumanBytes(l["compressedSize"].get<int64_t>()).c_str(),
          HumanBytes(l["uncompressedSize"].get<int64_t>()).c_str(),
          static_cast<long long>(l["entries"].get<int64_t>()));
      out << buf;
    }
  }
  const Json& f = r["files"];
  row("Files",
      std::to_string(f["total"].get<int64_t>()) + " (" +
          std::to_string(f["regular"].get<int64_t>()) + " regular, " +
          std::to_string(f["directories"].get<int64_t>()) + " directories, " +
          std::to_string(f["symlinks"].get<int64_t>()) + " symlinks, " +
          std::to_string(f["other"].get<int64_t>()) + " other)");
  return out.str();
}

std::function<int()> SetupInspect(CLI::App* cmd) {
  struct Args {
    std::string reference;
    std::string output = "table";
    SourceOptions source;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option(
         "IMAGE", args->reference,
         "image reference: oci:DIR[:TAG|@DIGEST], oci-archive:FILE[:TAG], "
         "docker-archive:FILE[:REF|:N], dir:ROOTFS, or a path")
      ->required();
  cmd->add_option("-o,--output", args->output, "output format: table or json")
      ->check(CLI::IsMember({"table", "json"}));
  AddSourceOptions(cmd, &args->source);
  return [args]() -> int {
    Result<image::LoadedImage> img = LoadFromCli(args->reference, args->source);
    if (!img.ok()) return ReportError(img.status());
    Json report = InspectJson(*img);
    std::string text = args->output == "json" ? json::Dump(report, 2) + "\n"
                                              : InspectTable(report);
    Status st = WriteStdout(text);
    return st.ok() ? kExitOk : ReportError(st);
  };
}

}  // namespace strata::cli
