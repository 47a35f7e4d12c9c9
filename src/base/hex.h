// Lowercase hexadecimal.
#ifndef STRATA_BASE_HEX_H_
#define STRATA_BASE_HEX_H_

#include <optional>
#include <string>
#include <string_view>

namespace strata {

// Lowercase hex of `raw`.
std::string HexEncode(std::string_view raw);
// The bytes of `hex` (an even number of hex digits; upper case too), or
// nullopt.
std::optional<std::string> HexDecode(std::string_view hex);

}  // namespace strata

#endif  // STRATA_BASE_HEX_H_
