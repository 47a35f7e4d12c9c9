#include "base/json.h"

#include "base/caps.h"

namespace strata::json {

Result<Json> Parse(std::string_view text, std::string_view what,
                   int64_t max_bytes) {
  if (static_cast<int64_t>(text.size()) > max_bytes) {
    return ResourceExhaustedError(
        std::string(what) + " is " + std::to_string(text.size()) +
        " bytes, over the cap of " + std::to_string(max_bytes));
  }
  bool too_deep = false;
  Json::parser_callback_t cb = [&too_deep](int depth, Json::parse_event_t,
                                           Json&) {
    if (depth > caps::kMaxJsonDepth) too_deep = true;
    return !too_deep;
  };
  try {
    Json j = Json::parse(text.begin(), text.end(), cb,
                         /*allow_exceptions=*/true, /*ignore_comments=*/false);
    if (too_deep) {
      return ResourceExhaustedError(std::string(what) + " nests deeper than " +
                                    std::to_string(caps::kMaxJsonDepth) +
                                    " levels");
    }
    return j;
  } catch (const Json::exception& e) {
    if (too_deep) {
      return ResourceExhaustedError(std::string(what) + " nests deeper than " +
                                    std::to_string(caps::kMaxJsonDepth) +
                                    " levels");
    }
    std::string msg = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: ..."
    if (auto p = msg.find("] "); p != std::string::npos)
      msg = msg.substr(p + 2);
    return DataLossError(std::string(what) + " is not valid JSON: " + msg);
  }
}

namespace {
Status TypeError(std::string_view key, std::string_view want) {
  return DataLossError("field \"" + std::string(key) + "\" must be " +
                       std::string(want));
}
const Json* Find(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}
}  // namespace

Result<std::optional<std::string>> GetString(const Json& obj,
                                             std::string_view key) {
  const Json* v = Find(obj, key);
  if (!v || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) return TypeError(key, "a string");
  return std::optional<std::string>(v->get_ref<const std::string&>());
}

Result<std::optional<int64_t>> GetInt(const Json& obj, std::string_view key) {
  const Json* v = Find(obj, key);
  if (!v || v->is_null()) return std::optional<int64_t>();
  if (v->is_number_unsigned()) {
    uint64_t u = v->get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) return TypeError(key, "an int64");
    return std::optional<int64_t>(static_cast<int64_t>(u));
  }
  if (!v->is_number_integer()) return TypeError(key, "an integer");
  return std::optional<int64_t>(v->get<int64_t>());
}

Result<std::optional<std::vector<std::string>>> GetStringArray(
    const Json& obj, std::string_view key) {
  const Json* v = Find(obj, key);
  if (!v || v->is_null()) return std::optional<std::vector<std::string>>();
  if (!v->is_array()) return TypeError(key, "an array of strings");
  std::vector<std::string> out;
  out.reserve(v->size());
  for (const Json& e : *v) {
    if (!e.is_string()) return TypeError(key, "an array of strings");
    out.push_back(e.get_ref<const std::string&>());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

Result<std::optional<std::map<std::string, std::string>>> GetStringMap(
    const Json& obj, std::string_view key) {
  using Map = std::map<std::string, std::string>;
  const Json* v = Find(obj, key);
  if (!v || v->is_null()) return std::optional<Map>();
  if (!v->is_object()) return TypeError(key, "an object of strings");
  Map out;
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (!it.value().is_string()) return TypeError(key, "an object of strings");
    out.emplace(it.key(), it.value().get_ref<const std::string&>());
  }
  return std::optional<Map>(std::move(out));
}

Result<const Json*> GetObject(const Json& obj, std::string_view key) {
  const Json* v = Find(obj, key);
  if (!v || v->is_null()) return static_cast<const Json*>(nullptr);
  if (!v->is_object()) return TypeError(key, "an object");
  return v;
}

Result<const Json*> GetArray(const Json& obj, std::string_view key) {
  const Json* v = Find(obj, key);
  if (!v || v->is_null()) return static_cast<const Json*>(nullptr);
  if (!v->is_array()) return TypeError(key, "an array");
  return v;
}

std::string Dump(const Json& j, int indent) {
  return j.dump(indent, ' ', /*ensure_ascii=*/false,
                Json::error_handler_t::replace);
}

}  // namespace strata::json
