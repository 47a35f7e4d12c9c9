// Internal to strata_vulndb: one OSV record parsed from its bytes by a SAX
// parser straight into a Record, no JSON DOM. RapidJSON reads the documents
// it accepts as nlohmann would (about twice as fast); everything else is
// read again by nlohmann, whose verdict and messages are the contract.
//
// Same contract as json::Parse(bytes, name, kMaxRecordBytes) followed by
// ParseOsv: the same caps (parse.h), nesting depth (caps::kMaxJsonDepth),
// validation order and error messages, and a repeated key keeps its last
// value. Time is linear in bytes.size(); memory is bounded by the caps, not
// by counts in the input (entries past a count cap are counted, not kept).
#ifndef STRATA_VULNDB_OSV_SAX_H_
#define STRATA_VULNDB_OSV_SAX_H_

#include <string_view>

#include "base/status.h"
#include "vulndb/parse.h"

namespace strata::vulndb::internal {

// Errors name the record: JSON syntax, size and depth errors in their
// message as json::Parse words them ("x.json is not valid JSON: ..."),
// validation errors in their context, followed by the record's id when it
// is usable as ParseOsv has it ("x.json: GHSA-1: a range has no events").
Result<Record> ParseOsvBytes(std::string_view bytes, std::string_view name);

}  // namespace strata::vulndb::internal

#endif  // STRATA_VULNDB_OSV_SAX_H_
