#include "base/json.h"

#include "base/caps.h"

namespace strata::json {

namespace {

// Builds the DOM from nlohmann's SAX events and stops at the first token
// nested deeper than caps::kMaxJsonDepth. Every event is O(1), so parsing is
// linear (nlohmann's callback parser rescans the parent whenever an object
// closes, which is quadratic in the objects of one container).
class CappedDomBuilder final : public nlohmann::json_sax<Json> {
 public:
  explicit CappedDomBuilder(Json& root) : root_(root) {
    open_.reserve(caps::kMaxJsonDepth + 1);
  }

  bool too_deep() const { return too_deep_; }
  // e.what() of the parse error, empty if none.
  const std::string& error() const { return error_; }

  bool null() override { return Add(nullptr); }
  bool boolean(bool v) override { return Add(v); }
  bool number_integer(number_integer_t v) override { return Add(v); }
  bool number_unsigned(number_unsigned_t v) override { return Add(v); }
  bool number_float(number_float_t v, const string_t&) override {
    return Add(v);
  }
  bool string(string_t& v) override { return Add(std::move(v)); }
  bool binary(binary_t& v) override { return Add(Json::binary(std::move(v))); }
  bool start_object(std::size_t) override {
    return Open(Json::value_t::object);
  }
  bool start_array(std::size_t) override { return Open(Json::value_t::array); }
  bool key(string_t& k) override {
    if (!Fits()) return false;
    member_ = &(*open_.back())[std::move(k)];  // a repeated key: last wins
    return true;
  }
  bool end_object() override { return Close(); }
  bool end_array() override { return Close(); }
  bool parse_error(std::size_t, const std::string&,
                   const Json::exception& e) override {
    error_ = e.what();
    return false;
  }

 private:
  // Same rule as the depth callback this replaces: a value, key or container
  // start is too deep when more than kMaxJsonDepth containers enclose it.
  bool Fits() {
    if (open_.size() > static_cast<size_t>(caps::kMaxJsonDepth))
      too_deep_ = true;
    return !too_deep_;
  }
  // Stores `v` where the next value goes and returns it. Pointers into the
  // innermost open container stay valid: nothing is added to a container
  // while one of its children is open.
  template <typename V>
  Json* Place(V&& v) {
    if (open_.empty()) {
      root_ = Json(std::forward<V>(v));
      return &root_;
    }
    if (open_.back()->is_array())
      return &open_.back()->emplace_back(std::forward<V>(v));
    *member_ = Json(std::forward<V>(v));
    return member_;
  }
  template <typename V>
  bool Add(V&& v) {
    if (!Fits()) return false;
    Place(std::forward<V>(v));
    return true;
  }
  bool Open(Json::value_t type) {
    if (!Fits()) return false;
    open_.push_back(Place(type));
    return true;
  }
  bool Close() {
    open_.pop_back();
    return true;
  }

  Json& root_;
  std::vector<Json*> open_;  // open containers, outermost first
  Json* member_ = nullptr;   // slot of the last key in the open object
  bool too_deep_ = false;
  std::string error_;
};

Status InvalidJson(std::string_view what, std::string msg) {
  // "[json.exception.parse_error.101] parse error at line 1, column 2: ..."
  if (auto p = msg.find("] "); p != std::string::npos) msg = msg.substr(p + 2);
  return DataLossError(std::string(what) + " is not valid JSON: " + msg);
}

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

Result<Json> Parse(std::string_view text, std::string_view what,
                   int64_t max_bytes) {
  if (static_cast<int64_t>(text.size()) > max_bytes) {
    return ResourceExhaustedError(
        std::string(what) + " is " + std::to_string(text.size()) +
        " bytes, over the cap of " + std::to_string(max_bytes));
  }
  Json j;
  CappedDomBuilder builder(j);
  try {
    if (Json::sax_parse(text.begin(), text.end(), &builder,
                        Json::input_format_t::json, /*strict=*/true,
                        /*ignore_comments=*/false)) {
      return j;
    }
  } catch (const Json::exception& e) {
    return InvalidJson(what, e.what());
  }
  if (builder.too_deep()) {
    return ResourceExhaustedError(std::string(what) + " nests deeper than " +
                                  std::to_string(caps::kMaxJsonDepth) +
                                  " levels");
  }
  return InvalidJson(what, builder.error());
}

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
