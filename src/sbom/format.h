// SBOM output and input formats.
//
//   table           human summary (NAME VERSION TYPE), default on a TTY
//   json            strata's own (docs/formats/sbom-json.md), lossless
//   spdx-json       SPDX 2.3 JSON
//   cyclonedx-json  CycloneDX 1.6 JSON (1.5 on request)
//
// Output is deterministic: the same Sbom gives the same bytes. Timestamps
// come from WriteOptions (the CLI takes SOURCE_DATE_EPOCH when set), and
// document ids/namespaces are derived from the image digest, never random.
#ifndef STRATA_SBOM_FORMAT_H_
#define STRATA_SBOM_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "sbom/model.h"

namespace strata::sbom {

enum class Format { kTable, kJson, kSpdxJson, kCycloneDxJson };

// "table", "json", "spdx-json", "cyclonedx-json" (also accepted:
// "spdx", "cyclonedx", "cdx-json" as aliases). Unknown -> kInvalidArgument
// listing the valid names.
Result<Format> ParseFormat(std::string_view name);
std::string_view FormatName(Format f);

struct WriteOptions {
  std::string cyclonedx_version = "1.6";  // "1.6" or "1.5"
  int64_t timestamp = 0;                  // seconds since the epoch
  std::string tool_version;               // strata's version
};

// Renders the SBOM. The Sbom must have been Finalize()d.
Result<std::string> Write(const Sbom& sbom, Format format,
                          const WriteOptions& options);

// Reads an SPDX 2.x JSON, CycloneDX 1.x JSON or strata JSON document
// (detected from its content) back into the model, for conversion between
// formats. Hostile input: size-capped, depth-capped, every field type
// checked; unknown fields ignored.
Result<Sbom> Read(std::string_view bytes);

}  // namespace strata::sbom

#endif  // STRATA_SBOM_FORMAT_H_
