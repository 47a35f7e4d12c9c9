// JSON adapter: the one place where nlohmann::json exceptions are caught.
//
// Untrusted JSON is parsed with a size cap and a nesting-depth cap
// (caps::kMaxJsonDepth). Accessors below never throw: a wrong type is a
// kDataLoss error naming the field.
#ifndef STRATA_BASE_JSON_H_
#define STRATA_BASE_JSON_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace strata::json {

using Json = nlohmann::json;

// Parses `text` as one JSON document. `what` names the document in errors
// ("manifest sha256:..."). Fails on invalid JSON, trailing garbage, a
// document larger than max_bytes or nested deeper than caps::kMaxJsonDepth
// (a value, key or container start inside more than kMaxJsonDepth arrays or
// objects). Time and memory are linear in text.size(). A repeated object key
// keeps its last value.
Result<Json> Parse(std::string_view text, std::string_view what,
                   int64_t max_bytes);

// Accessors for an object member. Missing -> nullopt; present with the wrong
// type -> kDataLoss "field \"key\" must be a string".
Result<std::optional<std::string>> GetString(const Json& obj,
                                             std::string_view key);
Result<std::optional<int64_t>> GetInt(const Json& obj, std::string_view key);
Result<std::optional<std::vector<std::string>>> GetStringArray(
    const Json& obj, std::string_view key);
Result<std::optional<std::map<std::string, std::string>>> GetStringMap(
    const Json& obj, std::string_view key);
// Returns the member if present and an object/array, else nullptr (missing)
// or kDataLoss (wrong type).
Result<const Json*> GetObject(const Json& obj, std::string_view key);
Result<const Json*> GetArray(const Json& obj, std::string_view key);

// Serialises without throwing (invalid UTF-8 is replaced).
std::string Dump(const Json& j, int indent = -1);

}  // namespace strata::json

#endif  // STRATA_BASE_JSON_H_
