// Fuzzes every version scheme (version/version.h) on two versions split
// from the input at the first '\n' (or in the middle when there is none),
// and checks that each comparator behaves as an order: Compare(a, a) == 0,
// sign(Compare(a, b)) == -sign(Compare(b, a)), a pair is accepted in one
// order exactly when it is in the other, and Validate agrees with Compare.
#include <array>
#include <cstdint>
#include <string_view>

#include "version/version.h"

namespace {

using strata::version::Scheme;

constexpr std::array<Scheme, 10> kSchemes = {
    Scheme::kDpkg,   Scheme::kApk,      Scheme::kRpm, Scheme::kSemver,
    Scheme::kPep440, Scheme::kMaven,    Scheme::kGo,  Scheme::kRubyGems,
    Scheme::kNuGet,  Scheme::kComposer,
};

int Sign(int v) { return (v > 0) - (v < 0); }

void CheckSelf(Scheme s, std::string_view v) {
  auto self = strata::version::Compare(s, v, v);
  if (self.ok() && *self != 0) __builtin_trap();
  if (strata::version::Validate(s, v).ok() != self.ok()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t cut = input.find('\n');
  std::string_view a =
      input.substr(0, cut == std::string_view::npos ? input.size() / 2 : cut);
  std::string_view b =
      input.substr(cut == std::string_view::npos ? input.size() / 2 : cut + 1);
  for (Scheme s : kSchemes) {
    CheckSelf(s, a);
    CheckSelf(s, b);
    auto ab = strata::version::Compare(s, a, b);
    auto ba = strata::version::Compare(s, b, a);
    if (ab.ok() != ba.ok()) __builtin_trap();
    if (ab.ok() && Sign(*ab) != -Sign(*ba)) __builtin_trap();
  }
  return 0;
}
