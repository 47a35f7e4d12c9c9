// JSON text as Go's encoding/json writes it, so that the documents cosign
// signs or pushes (payloads, signature manifests and configs) come out byte
// for byte the same from strata.
#ifndef STRATA_COSIGN_GO_JSON_H_
#define STRATA_COSIGN_GO_JSON_H_

#include <string>
#include <string_view>

namespace strata::cosign {

// Appends `s` as a quoted JSON string with encoding/json's escaping: '"',
// '\\', \b \f \n \r \t as two-character escapes, other control characters
// and the HTML-sensitive '<', '>', '&' as \u00XX, U+2028 and U+2029 as
// \u2028 / \u2029, and each invalid UTF-8 byte as \ufffd.
void AppendGoJsonString(std::string_view s, std::string& out);

}  // namespace strata::cosign

#endif  // STRATA_COSIGN_GO_JSON_H_
