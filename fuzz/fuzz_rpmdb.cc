// Fuzzes the rpm database reader: the whole input as a database (any of the
// three formats), and as one header blob. Errors and problem lines are
// expected; crashes, hangs and leaks are bugs.
//
// Two fix-ups let mutations get past cheap integrity checks that libFuzzer
// cannot learn on its own: the header blob is also parsed with its data
// length set to fit the input, and an NDB input is also read with every
// blob's Adler-32 trailer recomputed.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "rpmdb/rpmdb.h"

namespace {

uint32_t Le32(const std::string& s, size_t at) {
  const auto* u = reinterpret_cast<const unsigned char*>(s.data() + at);
  return uint32_t{u[3]} << 24 | uint32_t{u[2]} << 16 | uint32_t{u[1]} << 8 |
         u[0];
}

void PutLe32(std::string& s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) s[at + i] = static_cast<char>(v >> (8 * i));
}

uint32_t Adler32(std::string_view data) {
  uint64_t a = 1, b = 0;
  for (unsigned char c : data) {
    a = (a + c) % 65521;
    b = (b + a) % 65521;
  }
  return static_cast<uint32_t>(b << 16 | a);
}

// Rewrites the checksum of every in-file blob named by a slot on page 0.
void FixNdbChecksums(std::string& db) {
  for (size_t slot = 32; slot + 16 <= db.size() && slot < 4096; slot += 16) {
    const uint64_t start = uint64_t{Le32(db, slot + 8)} * 16;
    const uint64_t end = start + uint64_t{Le32(db, slot + 12)} * 16;
    if (start == 0 || end > db.size() || end < start + 28) continue;
    PutLe32(db, end - 12,
            Adler32(std::string_view(db).substr(start, end - 12 - start)));
  }
}

void ParseBlob(std::string_view blob) {
  strata::rpmdb::ParseHeaderBlob(blob).status().IgnoreError();
  if (blob.size() < 8) return;
  // Same blob with il capped and dl set so the sizes add up.
  std::string fixed(blob);
  const auto* u = reinterpret_cast<const unsigned char*>(blob.data());
  uint64_t il =
      uint64_t{u[0]} << 24 | uint64_t{u[1]} << 16 | uint64_t{u[2]} << 8 | u[3];
  if (il > (blob.size() - 8) / 16) il = (blob.size() - 8) / 16;
  const uint64_t dl = blob.size() - 8 - 16 * il;
  for (int i = 0; i < 4; ++i) {
    fixed[i] = static_cast<char>(il >> (24 - 8 * i));
    fixed[4 + i] = static_cast<char>(dl >> (24 - 8 * i));
  }
  if (fixed != blob) {
    strata::rpmdb::ParseHeaderBlob(fixed).status().IgnoreError();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  strata::rpmdb::ReadDatabase(input).status().IgnoreError();
  ParseBlob(input);
  if (input.substr(0, 4) == "RpmP") {
    std::string fixed(input);
    FixNdbChecksums(fixed);
    if (fixed != input) {
      strata::rpmdb::ReadDatabase(fixed).status().IgnoreError();
    }
  }
  return 0;
}
