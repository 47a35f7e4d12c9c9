#include "cvss/cvss.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

namespace strata::cvss {
namespace {

// Bytes of the input quoted in error messages.
constexpr size_t kMaxQuoted = 80;

struct MetricDef {
  std::string_view key;
  std::vector<std::string_view> values;
  bool base;  // mandatory, scored
};

using MetricTable = std::vector<MetricDef>;

const MetricTable& V2Metrics() {
  static const MetricTable t = {
      {"AV", {"L", "A", "N"}, true},
      {"AC", {"H", "M", "L"}, true},
      {"Au", {"M", "S", "N"}, true},
      {"C", {"N", "P", "C"}, true},
      {"I", {"N", "P", "C"}, true},
      {"A", {"N", "P", "C"}, true},
      {"E", {"U", "POC", "F", "H", "ND"}, false},
      {"RL", {"OF", "TF", "W", "U", "ND"}, false},
      {"RC", {"UC", "UR", "C", "ND"}, false},
      {"CDP", {"N", "L", "LM", "MH", "H", "ND"}, false},
      {"TD", {"N", "L", "M", "H", "ND"}, false},
      {"CR", {"L", "M", "H", "ND"}, false},
      {"IR", {"L", "M", "H", "ND"}, false},
      {"AR", {"L", "M", "H", "ND"}, false},
  };
  return t;
}

const MetricTable& V3Metrics() {
  static const MetricTable t = {
      {"AV", {"N", "A", "L", "P"}, true},
      {"AC", {"L", "H"}, true},
      {"PR", {"N", "L", "H"}, true},
      {"UI", {"N", "R"}, true},
      {"S", {"U", "C"}, true},
      {"C", {"H", "L", "N"}, true},
      {"I", {"H", "L", "N"}, true},
      {"A", {"H", "L", "N"}, true},
      {"E", {"X", "H", "F", "P", "U"}, false},
      {"RL", {"X", "U", "W", "T", "O"}, false},
      {"RC", {"X", "C", "R", "U"}, false},
      {"CR", {"X", "H", "M", "L"}, false},
      {"IR", {"X", "H", "M", "L"}, false},
      {"AR", {"X", "H", "M", "L"}, false},
      {"MAV", {"X", "N", "A", "L", "P"}, false},
      {"MAC", {"X", "L", "H"}, false},
      {"MPR", {"X", "N", "L", "H"}, false},
      {"MUI", {"X", "N", "R"}, false},
      {"MS", {"X", "U", "C"}, false},
      {"MC", {"X", "H", "L", "N"}, false},
      {"MI", {"X", "H", "L", "N"}, false},
      {"MA", {"X", "H", "L", "N"}, false},
  };
  return t;
}

const MetricTable& V4Metrics() {
  static const MetricTable t = {
      {"AV", {"N", "A", "L", "P"}, true},
      {"AC", {"L", "H"}, true},
      {"AT", {"N", "P"}, true},
      {"PR", {"N", "L", "H"}, true},
      {"UI", {"N", "P", "A"}, true},
      {"VC", {"H", "L", "N"}, true},
      {"VI", {"H", "L", "N"}, true},
      {"VA", {"H", "L", "N"}, true},
      {"SC", {"H", "L", "N"}, true},
      {"SI", {"H", "L", "N"}, true},
      {"SA", {"H", "L", "N"}, true},
      {"E", {"X", "A", "P", "U"}, false},
      {"CR", {"X", "H", "M", "L"}, false},
      {"IR", {"X", "H", "M", "L"}, false},
      {"AR", {"X", "H", "M", "L"}, false},
      {"MAV", {"X", "N", "A", "L", "P"}, false},
      {"MAC", {"X", "L", "H"}, false},
      {"MAT", {"X", "N", "P"}, false},
      {"MPR", {"X", "N", "L", "H"}, false},
      {"MUI", {"X", "N", "P", "A"}, false},
      {"MVC", {"X", "H", "L", "N"}, false},
      {"MVI", {"X", "H", "L", "N"}, false},
      {"MVA", {"X", "H", "L", "N"}, false},
      {"MSC", {"X", "H", "L", "N"}, false},
      {"MSI", {"X", "S", "H", "L", "N"}, false},
      {"MSA", {"X", "S", "H", "L", "N"}, false},
      {"S", {"X", "N", "P"}, false},
      {"AU", {"X", "N", "Y"}, false},
      {"R", {"X", "A", "U", "I"}, false},
      {"V", {"X", "D", "C"}, false},
      {"RE", {"X", "L", "M", "H"}, false},
      {"U", {"X", "Clear", "Green", "Amber", "Red"}, false},
  };
  return t;
}

std::string Quote(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size() && i < kMaxQuoted; ++i) {
    unsigned char c = static_cast<unsigned char>(v[i]);
    out += (c >= 0x20 && c < 0x7f && c != '"') ? static_cast<char>(c) : '?';
  }
  if (v.size() > kMaxQuoted) out += "...";
  return out;
}

// The parsed metrics of one vector: values[i] is the value of table[i], or
// empty when the metric was not given.
struct Metrics {
  const MetricTable* table;
  std::vector<std::string_view> values;

  std::string_view Get(std::string_view key) const {
    for (size_t i = 0; i < table->size(); ++i) {
      if ((*table)[i].key == key) return values[i];
    }
    return {};
  }
};

Result<Metrics> ParseMetrics(std::string_view body, const MetricTable& table) {
  Metrics m{&table, std::vector<std::string_view>(table.size())};
  size_t pos = 0;
  while (true) {
    size_t slash = body.find('/', pos);
    std::string_view part = body.substr(pos, slash == std::string_view::npos
                                                 ? std::string_view::npos
                                                 : slash - pos);
    if (part.empty()) return InvalidArgumentError("empty metric");
    size_t colon = part.find(':');
    if (colon == std::string_view::npos) {
      return InvalidArgumentError("metric \"" + Quote(part) +
                                  "\" has no value");
    }
    std::string_view key = part.substr(0, colon);
    std::string_view value = part.substr(colon + 1);
    auto it = std::find_if(table.begin(), table.end(),
                           [&](const MetricDef& d) { return d.key == key; });
    if (it == table.end()) {
      return InvalidArgumentError("unknown metric \"" + Quote(key) + "\"");
    }
    size_t index = static_cast<size_t>(it - table.begin());
    if (!m.values[index].empty()) {
      return InvalidArgumentError("metric \"" + std::string(key) +
                                  "\" repeated");
    }
    if (std::find(it->values.begin(), it->values.end(), value) ==
        it->values.end()) {
      return InvalidArgumentError("metric \"" + std::string(key) +
                                  "\" has invalid value \"" + Quote(value) +
                                  "\"");
    }
    m.values[index] = value;
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  for (size_t i = 0; i < table.size(); ++i) {
    if (table[i].base && m.values[i].empty()) {
      return InvalidArgumentError("missing base metric \"" +
                                  std::string(table[i].key) + "\"");
    }
  }
  return m;
}

std::string Canonical(std::string_view prefix, const Metrics& m) {
  std::string out(prefix);
  for (size_t i = 0; i < m.table->size(); ++i) {
    if (m.values[i].empty()) continue;
    if (out.size() > prefix.size()) out += '/';
    out += (*m.table)[i].key;
    out += ':';
    out += m.values[i];
  }
  return out;
}

// --- v2 ----------------------------------------------------------------------

double RoundHalfUp1(double x) { return std::round(x * 10.0) / 10.0; }

double V2Base(const Metrics& m) {
  auto impact_of = [](std::string_view v) {
    return v == "C" ? 0.660 : v == "P" ? 0.275 : 0.0;
  };
  std::string_view av = m.Get("AV"), ac = m.Get("AC"), au = m.Get("Au");
  double access_vector = av == "N" ? 1.0 : av == "A" ? 0.646 : 0.395;
  double access_complexity = ac == "L" ? 0.71 : ac == "M" ? 0.61 : 0.35;
  double authentication = au == "N" ? 0.704 : au == "S" ? 0.56 : 0.45;
  double impact =
      10.41 * (1 - (1 - impact_of(m.Get("C"))) * (1 - impact_of(m.Get("I"))) *
                       (1 - impact_of(m.Get("A"))));
  double exploitability =
      20 * access_vector * access_complexity * authentication;
  double f_impact = impact == 0 ? 0 : 1.176;
  double base = ((0.6 * impact) + (0.4 * exploitability) - 1.5) * f_impact;
  return std::max(0.0, RoundHalfUp1(base));
}

Rating V2Rating(double base) {
  if (base < 4.0) return Rating::kLow;
  if (base < 7.0) return Rating::kMedium;
  return Rating::kHigh;
}

// --- v3 ----------------------------------------------------------------------

double Roundup30(double x) { return std::ceil(x * 10.0) / 10.0; }

// CVSS v3.1 specification, Appendix A.
double Roundup31(double x) {
  int64_t int_input = static_cast<int64_t>(std::llround(x * 100000));
  if (int_input % 10000 == 0) return static_cast<double>(int_input) / 100000.0;
  return static_cast<double>(int_input / 10000 + 1) / 10.0;
}

double V3Base(const Metrics& m, Version version) {
  auto cia = [](std::string_view v) {
    return v == "H" ? 0.56 : v == "L" ? 0.22 : 0.0;
  };
  bool changed = m.Get("S") == "C";
  std::string_view av = m.Get("AV"), pr = m.Get("PR");
  double attack_vector = av == "N"   ? 0.85
                         : av == "A" ? 0.62
                         : av == "L" ? 0.55
                                     : 0.2;
  double attack_complexity = m.Get("AC") == "L" ? 0.77 : 0.44;
  double privileges = pr == "N"   ? 0.85
                      : pr == "L" ? (changed ? 0.68 : 0.62)
                                  : (changed ? 0.5 : 0.27);
  double user_interaction = m.Get("UI") == "N" ? 0.85 : 0.62;
  double iss = 1 - ((1 - cia(m.Get("C"))) * (1 - cia(m.Get("I"))) *
                    (1 - cia(m.Get("A"))));
  double impact = changed
                      ? 7.52 * (iss - 0.029) - 3.25 * std::pow(iss - 0.02, 15)
                      : 6.42 * iss;
  double exploitability =
      8.22 * attack_vector * attack_complexity * privileges * user_interaction;
  if (impact <= 0) return 0;
  double sum = changed ? std::min(1.08 * (impact + exploitability), 10.0)
                       : std::min(impact + exploitability, 10.0);
  return version == Version::kV30 ? Roundup30(sum) : Roundup31(sum);
}

// --- v4 ----------------------------------------------------------------------

struct MacroScore {
  std::string_view key;
  double score;
};

constexpr MacroScore kMacroScores[] = {
#include "cvss/v4_macrovectors.inc"
};

using Eq = std::array<int, 6>;

std::optional<double> LookupMacro(const Eq& eq) {
  for (int d : eq) {
    if (d < 0 || d > 9) return std::nullopt;
  }
  char key[6];
  for (int i = 0; i < 6; ++i) key[i] = static_cast<char>('0' + eq[i]);
  std::string_view k(key, 6);
  auto it = std::lower_bound(
      std::begin(kMacroScores), std::end(kMacroScores), k,
      [](const MacroScore& a, std::string_view b) { return a.key < b; });
  if (it == std::end(kMacroScores) || it->key != k) return std::nullopt;
  return it->score;
}

// Severity levels of the calculator (smaller is more severe).
double Level(std::string_view metric, std::string_view v) {
  if (metric == "AV") {
    return v == "N" ? 0.0 : v == "A" ? 0.1 : v == "L" ? 0.2 : 0.3;
  }
  if (metric == "PR") return v == "N" ? 0.0 : v == "L" ? 0.1 : 0.2;
  if (metric == "UI") return v == "N" ? 0.0 : v == "P" ? 0.1 : 0.2;
  if (metric == "AC") return v == "L" ? 0.0 : 0.1;
  if (metric == "AT") return v == "N" ? 0.0 : 0.1;
  if (metric == "VC" || metric == "VI" || metric == "VA") {
    return v == "H" ? 0.0 : v == "L" ? 0.1 : 0.2;
  }
  if (metric == "SC") return v == "H" ? 0.1 : v == "L" ? 0.2 : 0.3;
  if (metric == "SI" || metric == "SA") {
    return v == "S" ? 0.0 : v == "H" ? 0.1 : v == "L" ? 0.2 : 0.3;
  }
  // CR, IR, AR
  return v == "H" ? 0.0 : v == "M" ? 0.1 : 0.2;
}

// The highest-severity vectors of each macrovector class (max_composed.js).
using Parts = std::vector<std::string_view>;
const Parts& MaxEq1(int eq1) {
  static const std::array<Parts, 3> t = {
      Parts{"AV:N/PR:N/UI:N/"},
      Parts{"AV:A/PR:N/UI:N/", "AV:N/PR:L/UI:N/", "AV:N/PR:N/UI:P/"},
      Parts{"AV:P/PR:N/UI:N/", "AV:A/PR:L/UI:P/"}};
  return t[eq1];
}
const Parts& MaxEq2(int eq2) {
  static const std::array<Parts, 2> t = {Parts{"AC:L/AT:N/"},
                                         Parts{"AC:H/AT:N/", "AC:L/AT:P/"}};
  return t[eq2];
}
const Parts& MaxEq3Eq6(int eq3, int eq6) {
  static const Parts k00 = {"VC:H/VI:H/VA:H/CR:H/IR:H/AR:H/"};
  static const Parts k01 = {"VC:H/VI:H/VA:L/CR:M/IR:M/AR:H/",
                            "VC:H/VI:H/VA:H/CR:M/IR:M/AR:M/"};
  static const Parts k10 = {"VC:L/VI:H/VA:H/CR:H/IR:H/AR:H/",
                            "VC:H/VI:L/VA:H/CR:H/IR:H/AR:H/"};
  static const Parts k11 = {
      "VC:L/VI:H/VA:L/CR:H/IR:M/AR:H/", "VC:L/VI:H/VA:H/CR:H/IR:M/AR:M/",
      "VC:H/VI:L/VA:H/CR:M/IR:H/AR:M/", "VC:H/VI:L/VA:L/CR:M/IR:H/AR:H/",
      "VC:L/VI:L/VA:H/CR:H/IR:H/AR:M/"};
  static const Parts k21 = {"VC:L/VI:L/VA:L/CR:H/IR:H/AR:H/"};
  if (eq3 == 0) return eq6 == 0 ? k00 : k01;
  if (eq3 == 1) return eq6 == 0 ? k10 : k11;
  return k21;  // eq3 == 2 implies eq6 == 1
}
const Parts& MaxEq4(int eq4) {
  static const std::array<Parts, 3> t = {Parts{"SC:H/SI:S/SA:S/"},
                                         Parts{"SC:H/SI:H/SA:H/"},
                                         Parts{"SC:L/SI:L/SA:L/"}};
  return t[eq4];
}

// Value of `metric` in a "K:V/K:V/" string of the tables above.
std::string_view ValueIn(std::string_view parts, std::string_view metric) {
  size_t pos = 0;
  while (pos < parts.size()) {
    size_t colon = parts.find(':', pos);
    size_t slash = parts.find('/', colon);
    if (parts.substr(pos, colon - pos) == metric) {
      return parts.substr(colon + 1, slash - colon - 1);
    }
    pos = slash + 1;
  }
  return {};
}

// CVSS-B: the base score of the FIRST calculator with E, CR, IR, AR and all
// modified metrics not defined (E as A, the requirements as H).
double V4Base(const Metrics& m) {
  auto get = [&](std::string_view k) -> std::string_view {
    if (k == "CR" || k == "IR" || k == "AR") return "H";
    return m.Get(k);
  };
  if (get("VC") == "N" && get("VI") == "N" && get("VA") == "N" &&
      get("SC") == "N" && get("SI") == "N" && get("SA") == "N") {
    return 0.0;
  }
  std::string_view av = get("AV"), pr = get("PR"), ui = get("UI");
  std::string_view vc = get("VC"), vi = get("VI"), va = get("VA");
  int eq1 = (av == "N" && pr == "N" && ui == "N")                  ? 0
            : ((av == "N" || pr == "N" || ui == "N") && av != "P") ? 1
                                                                   : 2;
  int eq2 = (get("AC") == "L" && get("AT") == "N") ? 0 : 1;
  int eq3 = (vc == "H" && vi == "H")                ? 0
            : (vc == "H" || vi == "H" || va == "H") ? 1
                                                    : 2;
  // MSI/MSA are never S in a base score, so EQ4 is never 0 here.
  int eq4 = (get("SC") == "H" || get("SI") == "H" || get("SA") == "H") ? 1 : 2;
  int eq5 = 0;                                              // E:A
  int eq6 = (vc == "H" || vi == "H" || va == "H") ? 0 : 1;  // CR=IR=AR=H
  Eq eq = {eq1, eq2, eq3, eq4, eq5, eq6};
  double value = *LookupMacro(eq);

  auto lower = [&](int index, int delta) {
    Eq e = eq;
    e[index] += delta;
    return LookupMacro(e);
  };
  std::optional<double> next_eq1 = lower(0, 1);
  std::optional<double> next_eq2 = lower(1, 1);
  std::optional<double> next_eq3eq6;
  if (eq3 == 0 && eq6 == 0) {
    std::optional<double> left = lower(5, 1), right = lower(2, 1);
    if (left && right) next_eq3eq6 = std::max(*left, *right);
  } else if (eq3 == 1 && eq6 == 0) {
    next_eq3eq6 = lower(5, 1);
  } else if (eq6 == 1 && eq3 < 2) {
    next_eq3eq6 = lower(2, 1);
  } else {
    Eq e = eq;
    e[2] += 1;
    e[5] += 1;
    next_eq3eq6 = LookupMacro(e);
  }
  std::optional<double> next_eq4 = lower(3, 1);
  std::optional<double> next_eq5 = lower(4, 1);

  // Find the first highest-severity vector of the macrovector that this
  // vector does not exceed; the distances to it (the last one tried when
  // none fits, as the calculator does).
  static constexpr std::string_view kScored[] = {"AV", "PR", "UI", "AC", "AT",
                                                 "VC", "VI", "VA", "SC", "SI",
                                                 "SA", "CR", "IR", "AR"};
  std::array<double, std::size(kScored)> dist{};
  bool found = false;
  for (std::string_view p1 : MaxEq1(eq1)) {
    for (std::string_view p2 : MaxEq2(eq2)) {
      for (std::string_view p3 : MaxEq3Eq6(eq3, eq6)) {
        for (std::string_view p4 : MaxEq4(eq4)) {
          bool fits = true;
          for (size_t i = 0; i < std::size(kScored); ++i) {
            std::string_view k = kScored[i];
            std::string_view max_value = ValueIn(p1, k);
            if (max_value.empty()) max_value = ValueIn(p2, k);
            if (max_value.empty()) max_value = ValueIn(p3, k);
            if (max_value.empty()) max_value = ValueIn(p4, k);
            dist[i] = Level(k, get(k)) - Level(k, max_value);
            if (dist[i] < 0) fits = false;
          }
          if (fits) {
            found = true;
            break;
          }
        }
        if (found) break;
      }
      if (found) break;
    }
    if (found) break;
  }
  double d_eq1 = dist[0] + dist[1] + dist[2];
  double d_eq2 = dist[3] + dist[4];
  double d_eq3eq6 =
      dist[5] + dist[6] + dist[7] + dist[11] + dist[12] + dist[13];
  double d_eq4 = dist[8] + dist[9] + dist[10];

  constexpr double kStep = 0.1;
  static constexpr int kMaxSeverityEq1[] = {1, 4, 5};
  static constexpr int kMaxSeverityEq2[] = {1, 2};
  static constexpr int kMaxSeverityEq3Eq6[3][2] = {{7, 6}, {8, 8}, {0, 10}};
  static constexpr int kMaxSeverityEq4[] = {6, 5, 4};

  int n_existing_lower = 0;
  double sum = 0;
  if (next_eq1) {
    ++n_existing_lower;
    sum += (value - *next_eq1) * (d_eq1 / (kMaxSeverityEq1[eq1] * kStep));
  }
  double n_eq2 = 0, n_eq3eq6 = 0, n_eq4 = 0;
  if (next_eq2) {
    ++n_existing_lower;
    n_eq2 = (value - *next_eq2) * (d_eq2 / (kMaxSeverityEq2[eq2] * kStep));
  }
  if (next_eq3eq6) {
    ++n_existing_lower;
    n_eq3eq6 = (value - *next_eq3eq6) *
               (d_eq3eq6 / (kMaxSeverityEq3Eq6[eq3][eq6] * kStep));
  }
  if (next_eq4) {
    ++n_existing_lower;
    n_eq4 = (value - *next_eq4) * (d_eq4 / (kMaxSeverityEq4[eq4] * kStep));
  }
  double n_eq5 = 0;
  if (next_eq5) {
    ++n_existing_lower;
    n_eq5 = (value - *next_eq5) * 0;  // EQ5's proportion is always 0
  }
  // Summed left to right like the calculator, for identical rounding.
  double mean =
      n_existing_lower == 0
          ? 0
          : (sum + n_eq2 + n_eq3eq6 + n_eq4 + n_eq5) / n_existing_lower;
  double score = std::max(0.0, std::min(10.0, value - mean));
  return std::round((score + 1e-6) * 10) / 10;
}

}  // namespace

Result<Score> Parse(std::string_view vector) {
  auto fail = [&](const Status& why) {
    return InvalidArgumentError("invalid CVSS vector \"" + Quote(vector) +
                                "\": " + why.message());
  };
  if (vector.size() > kMaxVectorLength) {
    return fail(InvalidArgumentError(
        "longer than " + std::to_string(kMaxVectorLength) + " bytes"));
  }
  if (vector.empty()) return fail(InvalidArgumentError("empty"));
  Score score;
  std::string_view prefix;
  std::string_view body = vector;
  const MetricTable* table = &V2Metrics();
  if (body.starts_with("CVSS:")) {
    if (body.starts_with("CVSS:3.1/")) {
      score.version = Version::kV31;
      table = &V3Metrics();
    } else if (body.starts_with("CVSS:3.0/")) {
      score.version = Version::kV30;
      table = &V3Metrics();
    } else if (body.starts_with("CVSS:4.0/")) {
      score.version = Version::kV40;
      table = &V4Metrics();
    } else {
      size_t slash = body.find('/');
      if (slash == std::string_view::npos) {
        return fail(InvalidArgumentError("no metrics"));
      }
      return fail(InvalidArgumentError(
          "unsupported version \"" + Quote(body.substr(5, slash - 5)) + "\""));
    }
    prefix = body.substr(0, 9);
    body.remove_prefix(9);
  } else {
    score.version = Version::kV2;
    if (body.starts_with('(') != body.ends_with(')') || body.size() == 1) {
      return fail(InvalidArgumentError("unbalanced parentheses"));
    }
    if (body.starts_with('(')) body = body.substr(1, body.size() - 2);
  }
  auto metrics = ParseMetrics(body, *table);
  if (!metrics.ok()) return fail(metrics.status());
  score.vector = Canonical(prefix, *metrics);
  switch (score.version) {
    case Version::kV2:
      score.base = V2Base(*metrics);
      score.rating = V2Rating(score.base);
      break;
    case Version::kV30:
    case Version::kV31:
      score.base = V3Base(*metrics, score.version);
      score.rating = RatingFor(score.base);
      break;
    case Version::kV40:
      score.base = V4Base(*metrics);
      score.rating = RatingFor(score.base);
      break;
  }
  return score;
}

std::string_view RatingName(Rating r) {
  switch (r) {
    case Rating::kNone:
      return "none";
    case Rating::kLow:
      return "low";
    case Rating::kMedium:
      return "medium";
    case Rating::kHigh:
      return "high";
    case Rating::kCritical:
      return "critical";
  }
  return "none";
}

Rating RatingFor(double base) {
  // Scores carry one decimal; compare against the midpoints so that binary
  // noise (3.9000000000000004) cannot move a score across a boundary.
  if (base < 0.05) return Rating::kNone;
  if (base < 3.95) return Rating::kLow;
  if (base < 6.95) return Rating::kMedium;
  if (base < 8.95) return Rating::kHigh;
  return Rating::kCritical;
}

std::string_view VersionName(Version v) {
  switch (v) {
    case Version::kV2:
      return "2.0";
    case Version::kV30:
      return "3.0";
    case Version::kV31:
      return "3.1";
    case Version::kV40:
      return "4.0";
  }
  return "";
}

}  // namespace strata::cvss
