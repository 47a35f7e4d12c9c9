#include "cosign/payload.h"

#include <cmath>
#include <set>
#include <vector>

#include "cosign/go_json.h"

namespace strata::cosign {

namespace {

using json::Json;

constexpr std::string_view kWhat = "signature payload";

Status Bad(std::string msg) {
  return DataLossError(std::string(kWhat) + ": " + msg);
}

// A SAX pass that fails at the first object that repeats a key (the DOM
// keeps only the last one). Runs on text json::Parse accepted, so its depth
// is capped and parse_error is not reached.
class DuplicateKeyFinder final : public nlohmann::json_sax<Json> {
 public:
  const std::string& duplicate() const { return duplicate_; }

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    keys_.emplace_back();
    return true;
  }
  bool start_array(std::size_t) override { return true; }
  bool key(string_t& k) override {
    if (keys_.back().insert(k).second) return true;
    duplicate_ = k;
    return false;
  }
  bool end_object() override {
    keys_.pop_back();
    return true;
  }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&,
                   const Json::exception&) override {
    return false;
  }

 private:
  std::vector<std::set<std::string>> keys_;  // one per open object
  std::string duplicate_;
};

// `obj` (at `path`) must have exactly the members `fields`.
Status ExactFields(const Json& obj, std::string_view path,
                   std::initializer_list<std::string_view> fields) {
  if (!obj.is_object()) {
    return Bad("field \"" + std::string(path) + "\" must be an object");
  }
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool known = false;
    for (std::string_view f : fields) known = known || it.key() == f;
    if (!known) {
      return Bad("unknown field \"" + std::string(path) + "." + it.key() +
                 "\"");
    }
  }
  for (std::string_view f : fields) {
    if (!obj.contains(f)) {
      return Bad("missing field \"" + std::string(path) + "." + std::string(f) +
                 "\"");
    }
  }
  return Status::Ok();
}

Result<std::string> StringField(const Json& obj, std::string_view path,
                                std::string_view key) {
  const Json& v = obj.find(key).value();
  if (!v.is_string()) {
    return Bad("field \"" + std::string(path) + "." + std::string(key) +
               "\" must be a string");
  }
  return v.get<std::string>();
}

Status ParseOptional(const Json& optional, Payload& out) {
  if (optional.is_null()) return Status::Ok();
  if (!optional.is_object()) {
    return Bad("field \"optional\" must be an object or null");
  }
  out.optional = optional;
  if (auto it = optional.find("creator"); it != optional.end()) {
    if (!it->is_string()) {
      return Bad("field \"optional.creator\" must be a string");
    }
    out.creator = it->get<std::string>();
  }
  if (auto it = optional.find("timestamp"); it != optional.end()) {
    if (it->is_number_integer()) {  // signed or unsigned within int64
      if (it->is_number_unsigned() &&
          it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
        return Bad("field \"optional.timestamp\" must be an integer");
      }
      out.timestamp = it->get<int64_t>();
    } else if (it->is_number_float() &&
               std::trunc(it->get<double>()) == it->get<double>() &&
               std::fabs(it->get<double>()) < 9.2e18) {
      out.timestamp = static_cast<int64_t>(it->get<double>());
    } else {
      return Bad("field \"optional.timestamp\" must be an integer");
    }
  }
  return Status::Ok();
}

}  // namespace

std::string MakePayload(
    std::string_view docker_reference, const Digest& manifest_digest,
    const std::optional<std::map<std::string, std::string>>& annotations) {
  std::string out = "{\"critical\":{\"identity\":{\"docker-reference\":";
  AppendGoJsonString(docker_reference, out);
  out += "},\"image\":{\"docker-manifest-digest\":";
  AppendGoJsonString(manifest_digest.ToString(), out);
  out += "},\"type\":";
  AppendGoJsonString(kPayloadType, out);
  out += "},\"optional\":";
  if (!annotations) {
    out += "null";
  } else {
    out.push_back('{');
    bool first = true;
    for (const auto& [k, v] : *annotations) {  // sorted, as Go sorts maps
      if (!first) out.push_back(',');
      first = false;
      AppendGoJsonString(k, out);
      out.push_back(':');
      AppendGoJsonString(v, out);
    }
    out.push_back('}');
  }
  out.push_back('}');
  return out;
}

Result<Payload> ParsePayload(std::string_view bytes) {
  ASSIGN_OR_RETURN(Json doc, json::Parse(bytes, kWhat, kMaxPayloadBytes));
  DuplicateKeyFinder dupes;
  if (!Json::sax_parse(bytes.begin(), bytes.end(), &dupes,
                       Json::input_format_t::json, /*strict=*/true,
                       /*ignore_comments=*/false)) {
    return Bad("duplicate key \"" + dupes.duplicate() + "\"");
  }
  if (!doc.is_object()) return Bad("must be a JSON object");
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (it.key() != "critical" && it.key() != "optional") {
      return Bad("unknown field \"" + it.key() + "\"");
    }
  }
  auto critical_it = doc.find("critical");
  if (critical_it == doc.end()) return Bad("missing field \"critical\"");
  const Json& critical = *critical_it;
  RETURN_IF_ERROR(
      ExactFields(critical, "critical", {"type", "image", "identity"}));
  ASSIGN_OR_RETURN(std::string type, StringField(critical, "critical", "type"));
  if (type != kPayloadType) {
    return Bad("critical.type is \"" + type.substr(0, 100) + "\", not \"" +
               std::string(kPayloadType) + "\"");
  }
  const Json& image = critical["image"];
  RETURN_IF_ERROR(
      ExactFields(image, "critical.image", {"docker-manifest-digest"}));
  ASSIGN_OR_RETURN(std::string digest, StringField(image, "critical.image",
                                                   "docker-manifest-digest"));
  Payload out;
  Result<Digest> parsed = Digest::Parse(digest);
  if (!parsed.ok()) {
    return Bad("critical.image.docker-manifest-digest: " +
               parsed.status().message());
  }
  out.manifest_digest = *parsed;
  const Json& identity = critical["identity"];
  RETURN_IF_ERROR(
      ExactFields(identity, "critical.identity", {"docker-reference"}));
  ASSIGN_OR_RETURN(
      out.docker_reference,
      StringField(identity, "critical.identity", "docker-reference"));
  if (auto it = doc.find("optional"); it != doc.end()) {
    RETURN_IF_ERROR(ParseOptional(*it, out));
  }
  return out;
}

}  // namespace strata::cosign
