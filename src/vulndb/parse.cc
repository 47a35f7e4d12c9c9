#include "vulndb/parse.h"

#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <utility>

namespace strata::vulndb::internal {
namespace {

constexpr size_t kMaxEpssLineBytes = 1024;
constexpr size_t kMaxTrackerReleases = 64;  // per CVE entry

using json::Json;

// Whether `s` is well-formed UTF-8 (no overlong forms, surrogates or code
// points past U+10FFFF), which json::Dump copies unchanged.
bool IsUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (end - p <= n) return false;
    if (p[1] < lo || p[1] > hi) return false;
    for (int i = 2; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
    }
    p += n + 1;
  }
  return true;
}

// Appends `s` as a JSON string exactly as json::Dump writes it.
void AppendJsonString(std::string& out, std::string_view s) {
  if (!IsUtf8(s)) {
    out += json::Dump(Json(std::string(s)));  // replaces bad sequences
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

Result<std::string> RequiredString(const Json& obj, std::string_view key) {
  ASSIGN_OR_RETURN(std::optional<std::string> v, json::GetString(obj, key));
  if (!v) return DataLossError("field \"" + std::string(key) + "\" is missing");
  return std::move(*v);
}

Result<std::string> OptionalString(const Json& obj, std::string_view key) {
  ASSIGN_OR_RETURN(std::optional<std::string> v, json::GetString(obj, key));
  return v ? std::move(*v) : std::string();
}

Result<Event> ParseEvent(const Json& e) {
  static constexpr std::pair<const char*, Event::Kind> kKinds[] = {
      {"introduced", Event::kIntroduced},
      {"fixed", Event::kFixed},
      {"last_affected", Event::kLastAffected},
      {"limit", Event::kLimit},
  };
  if (!e.is_object() || e.size() != 1) {
    return DataLossError("a range event must be an object with one key");
  }
  for (const auto& [key, kind] : kKinds) {
    auto it = e.find(key);
    if (it == e.end()) continue;
    if (!it->is_string()) {
      return DataLossError("range event \"" + std::string(key) +
                           "\" must be a string");
    }
    const std::string& v = it->get_ref<const std::string&>();
    RETURN_IF_ERROR(CheckToken("version", v));
    return Event{kind, v};
  }
  return DataLossError("unknown range event \"" + e.begin().key() + "\"");
}

Result<Range> ParseRange(const Json& r) {
  if (!r.is_object()) return DataLossError("a range must be an object");
  Range out;
  ASSIGN_OR_RETURN(out.type, RequiredString(r, "type"));
  if (out.type != "ECOSYSTEM" && out.type != "SEMVER" && out.type != "GIT") {
    return DataLossError("unknown range type \"" +
                         Truncate(out.type, kMaxIdBytes) + "\"");
  }
  ASSIGN_OR_RETURN(const Json* events, json::GetArray(r, "events"));
  if (events == nullptr || events->empty()) {
    return DataLossError("a range has no events");
  }
  if (events->size() > kMaxEvents) return TooMany("range events", kMaxEvents);
  out.events.reserve(events->size());
  for (const Json& e : *events) {
    ASSIGN_OR_RETURN(Event ev, ParseEvent(e));
    out.events.push_back(std::move(ev));
  }
  return out;
}

Result<std::optional<Affected>> ParseAffected(const Json& a,
                                              const std::string& id) {
  if (!a.is_object())
    return DataLossError("an affected entry must be an object");
  ASSIGN_OR_RETURN(const Json* pkg, json::GetObject(a, "package"));
  if (pkg == nullptr) return std::optional<Affected>();
  Affected out;
  out.id = id;
  out.source = "osv";
  ASSIGN_OR_RETURN(out.ecosystem, RequiredString(*pkg, "ecosystem"));
  RETURN_IF_ERROR(CheckToken("ecosystem", out.ecosystem));
  ASSIGN_OR_RETURN(std::string name, RequiredString(*pkg, "name"));
  RETURN_IF_ERROR(CheckToken("package name", name));
  out.name = NormalizeName(out.ecosystem, name);
  ASSIGN_OR_RETURN(const Json* ranges, json::GetArray(a, "ranges"));
  if (ranges != nullptr) {
    if (ranges->size() > kMaxRanges) return TooMany("ranges", kMaxRanges);
    for (const Json& r : *ranges) {
      ASSIGN_OR_RETURN(Range range, ParseRange(r));
      out.ranges.push_back(std::move(range));
    }
  }
  ASSIGN_OR_RETURN(const Json* versions, json::GetArray(a, "versions"));
  if (versions != nullptr) {
    if (versions->size() > kMaxVersions) {
      return TooMany("affected versions", kMaxVersions);
    }
    out.versions.reserve(versions->size());
    for (const Json& v : *versions) {
      if (!v.is_string()) {
        return DataLossError("field \"versions\" must be an array of strings");
      }
      RETURN_IF_ERROR(CheckToken("version", v.get_ref<const std::string&>()));
      out.versions.push_back(v.get_ref<const std::string&>());
    }
  }
  return std::optional<Affected>(std::move(out));
}

Result<bool> MaliciousFlag(const Json& doc) {
  ASSIGN_OR_RETURN(const Json* ds, json::GetObject(doc, "database_specific"));
  if (ds == nullptr) return false;
  auto it = ds->find("malicious");
  if (it == ds->end()) return false;
  return it->is_boolean() && it->get<bool>();
}

Result<Record> ParseOsvFields(const Json& doc) {
  if (!doc.is_object()) return DataLossError("an OSV record must be an object");
  Record rec;
  Advisory& adv = rec.advisory;
  ASSIGN_OR_RETURN(adv.id, RequiredString(doc, "id"));
  RETURN_IF_ERROR(CheckToken("id", adv.id));
  if (adv.id.size() > kMaxIdBytes) {
    return ResourceExhaustedError("id is longer than " +
                                  std::to_string(kMaxIdBytes) + " bytes");
  }
  adv.source = "osv";
  ASSIGN_OR_RETURN(adv.published, OptionalString(doc, "published"));
  ASSIGN_OR_RETURN(adv.modified, OptionalString(doc, "modified"));
  ASSIGN_OR_RETURN(adv.withdrawn, OptionalString(doc, "withdrawn"));
  ASSIGN_OR_RETURN(std::string summary, OptionalString(doc, "summary"));
  adv.summary = Truncate(std::move(summary), kMaxSummaryBytes);
  ASSIGN_OR_RETURN(std::string details, OptionalString(doc, "details"));
  adv.details = Truncate(std::move(details), kMaxDetailsBytes);
  ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> aliases,
                   json::GetStringArray(doc, "aliases"));
  if (aliases) {
    if (aliases->size() > kMaxAliases) return TooMany("aliases", kMaxAliases);
    for (const std::string& a : *aliases) {
      RETURN_IF_ERROR(CheckToken("alias", a));
      if (a.size() > kMaxIdBytes) {
        return ResourceExhaustedError("alias is longer than " +
                                      std::to_string(kMaxIdBytes) + " bytes");
      }
    }
    adv.aliases = std::move(*aliases);
  }
  ASSIGN_OR_RETURN(const Json* severity, json::GetArray(doc, "severity"));
  if (severity != nullptr) {
    if (severity->size() > kMaxSeverities) {
      return TooMany("severities", kMaxSeverities);
    }
    for (const Json& s : *severity) {
      if (!s.is_object()) return DataLossError("a severity must be an object");
      ASSIGN_OR_RETURN(std::string type, RequiredString(s, "type"));
      ASSIGN_OR_RETURN(std::string score, RequiredString(s, "score"));
      adv.severity.emplace_back(Truncate(std::move(type), kMaxIdBytes),
                                Truncate(std::move(score), kMaxVersionBytes));
    }
  }
  ASSIGN_OR_RETURN(const Json* refs, json::GetArray(doc, "references"));
  if (refs != nullptr) {
    for (const Json& r : *refs) {
      if (adv.references.size() == kMaxReferences) break;
      if (!r.is_object()) continue;
      auto url = r.find("url");
      if (url == r.end() || !url->is_string()) continue;
      const std::string& u = url->get_ref<const std::string&>();
      if (u.empty() || u.size() > 4 * kMaxVersionBytes) continue;
      adv.references.push_back(u);
    }
  }
  ASSIGN_OR_RETURN(bool malicious_flag, MaliciousFlag(doc));
  adv.malicious = malicious_flag || adv.id.starts_with("MAL-");
  ASSIGN_OR_RETURN(const Json* affected, json::GetArray(doc, "affected"));
  if (affected != nullptr) {
    if (affected->size() > kMaxAffected) {
      return TooMany("affected entries", kMaxAffected);
    }
    for (const Json& a : *affected) {
      ASSIGN_OR_RETURN(std::optional<Affected> row, ParseAffected(a, adv.id));
      if (row) rec.affected.push_back(std::move(*row));
    }
  }
  return rec;
}

// --- Debian security tracker ---------------------------------------------

// Codename -> OSV ecosystem; others (ancient or future) are skipped.
const char* DebianEcosystem(std::string_view codename) {
  static constexpr std::pair<std::string_view, const char*> kReleases[] = {
      {"jessie", "Debian:8"},    {"stretch", "Debian:9"},
      {"buster", "Debian:10"},   {"bullseye", "Debian:11"},
      {"bookworm", "Debian:12"}, {"trixie", "Debian:13"},
      {"forky", "Debian:14"},    {"sid", "Debian:unstable"},
  };
  for (const auto& [name, eco] : kReleases) {
    if (name == codename) return eco;
  }
  return nullptr;
}

// "low**" -> "low"; "not yet assigned" kept.
std::string Urgency(std::string u) {
  while (!u.empty() && u.back() == '*') u.pop_back();
  return u;
}

// One release of one (package, CVE) entry; nullopt: the release is skipped.
Result<std::optional<Affected>> DebianRelease(const std::string& cve,
                                              const std::string& package,
                                              const std::string& codename,
                                              const Json& rel) {
  const char* eco = DebianEcosystem(codename);
  if (eco == nullptr) return std::optional<Affected>();
  if (!rel.is_object()) {
    return DataLossError("release \"" + Truncate(codename, kMaxIdBytes) +
                         "\" must be an object");
  }
  Affected a;
  a.id = cve;
  a.source = "debian";
  a.ecosystem = eco;
  a.name = package;
  ASSIGN_OR_RETURN(std::string status, RequiredString(rel, "status"));
  ASSIGN_OR_RETURN(std::string fixed, OptionalString(rel, "fixed_version"));
  ASSIGN_OR_RETURN(std::string urgency, OptionalString(rel, "urgency"));
  ASSIGN_OR_RETURN(std::string nodsa_reason,
                   OptionalString(rel, "nodsa_reason"));
  a.distro_severity = Truncate(Urgency(std::move(urgency)), kMaxIdBytes);
  if (status == "resolved") {
    if (fixed.empty()) {
      return DataLossError("resolved release \"" + codename +
                           "\" has no fixed_version");
    }
    RETURN_IF_ERROR(CheckToken("version", fixed));
    if (fixed == "0") {
      a.fix_state = "not-affected";
    } else {
      a.fix_state = "fixed";
      a.ranges.push_back(Range{
          "ECOSYSTEM", {{Event::kIntroduced, "0"}, {Event::kFixed, fixed}}});
    }
  } else if (status == "open" || status == "undetermined") {
    const bool wont_fix = nodsa_reason == "ignored" ||
                          nodsa_reason == "postponed" ||
                          a.distro_severity == "end-of-life";
    a.fix_state = wont_fix ? "wont-fix" : "not-fixed";
    a.ranges.push_back(Range{"ECOSYSTEM", {{Event::kIntroduced, "0"}}});
  } else {
    return DataLossError("release \"" + Truncate(codename, kMaxIdBytes) +
                         "\" has unknown status \"" +
                         Truncate(status, kMaxIdBytes) + "\"");
  }
  return std::optional<Affected>(std::move(a));
}

Status DebianEntry(const std::string& package, const std::string& cve,
                   const Json& entry, Record& rec) {
  if (!entry.is_object()) return DataLossError("entry must be an object");
  ASSIGN_OR_RETURN(std::string description,
                   OptionalString(entry, "description"));
  if (rec.advisory.summary.empty()) {
    rec.advisory.summary = Truncate(std::move(description), kMaxSummaryBytes);
  }
  ASSIGN_OR_RETURN(const Json* releases, json::GetObject(entry, "releases"));
  if (releases == nullptr) {
    return DataLossError("field \"releases\" is missing");
  }
  if (releases->size() > kMaxTrackerReleases) {
    return TooMany("releases", kMaxTrackerReleases);
  }
  for (auto it = releases->begin(); it != releases->end(); ++it) {
    ASSIGN_OR_RETURN(std::optional<Affected> row,
                     DebianRelease(cve, package, it.key(), it.value()));
    if (row) rec.affected.push_back(std::move(*row));
  }
  return Status::Ok();
}

Status EmitAll(std::map<std::string, Record>& by_id, const RecordSink& sink) {
  for (auto& [id, rec] : by_id) RETURN_IF_ERROR(sink.record(std::move(rec)));
  return Status::Ok();
}

}  // namespace

std::string Truncate(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
  return s;
}

Status TooMany(std::string_view what, size_t cap) {
  return ResourceExhaustedError("more than " + std::to_string(cap) + " " +
                                std::string(what));
}

Status CheckToken(std::string_view what, std::string_view v) {
  if (v.empty()) return DataLossError(std::string(what) + " is empty");
  if (v.size() > kMaxVersionBytes) {
    return ResourceExhaustedError(std::string(what) + " is longer than " +
                                  std::to_string(kMaxVersionBytes) + " bytes");
  }
  for (char c : v) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return DataLossError(std::string(what) + " holds a control character");
    }
  }
  return Status::Ok();
}

Status CheckId(std::string_view id) {
  RETURN_IF_ERROR(CheckToken("id", id));
  if (id.size() > kMaxIdBytes) {
    return ResourceExhaustedError("id is longer than " +
                                  std::to_string(kMaxIdBytes) + " bytes");
  }
  for (char c : id) {
    if (c == ' ') return DataLossError("id holds a space");
  }
  return Status::Ok();
}

Result<Record> ParseOsv(const Json& doc) {
  Result<Record> rec = ParseOsvFields(doc);
  if (rec.ok() || !doc.is_object()) return rec;
  // Name the record when it has a usable id.
  auto id = doc.find("id");
  if (id != doc.end() && id->is_string() &&
      CheckId(id->get_ref<const std::string&>()).ok()) {
    return rec.status().WithContext(id->get_ref<const std::string&>());
  }
  return rec;
}

Status ParseDebianTracker(const Json& doc, const RecordSink& sink) {
  if (!doc.is_object()) {
    return DataLossError("debian tracker document must be an object");
  }
  std::map<std::string, Record> by_cve;
  for (auto p = doc.begin(); p != doc.end(); ++p) {
    const std::string& package = p.key();
    if (!CheckToken("package name", package).ok() || !p.value().is_object()) {
      sink.error("debian package \"" + Truncate(package, kMaxIdBytes) +
                 "\": not a package object");
      continue;
    }
    for (auto c = p.value().begin(); c != p.value().end(); ++c) {
      const std::string& cve = c.key();
      if (Status st = CheckId(cve); !st.ok()) {
        sink.error(package + ": " + st.message());
        continue;
      }
      Record entry;
      Status st = DebianEntry(package, cve, c.value(), entry);
      if (!st.ok()) {
        sink.error(package + " " + cve + ": " + st.message());
        continue;
      }
      auto [it, fresh] = by_cve.try_emplace(cve);
      Record& rec = it->second;
      if (fresh) {
        rec.advisory.id = cve;
        rec.advisory.source = "debian";
      }
      if (rec.advisory.summary.empty()) {
        rec.advisory.summary = std::move(entry.advisory.summary);
      }
      for (Affected& a : entry.affected) rec.affected.push_back(std::move(a));
    }
  }
  return EmitAll(by_cve, sink);
}

Status ParseAlpineSecdb(const Json& doc, const RecordSink& sink) {
  ASSIGN_OR_RETURN(std::string distroversion,
                   RequiredString(doc, "distroversion"));
  RETURN_IF_ERROR(CheckToken("distroversion", distroversion));
  const std::string eco = "Alpine:" + distroversion;
  ASSIGN_OR_RETURN(const Json* packages, json::GetArray(doc, "packages"));
  if (packages == nullptr)
    return DataLossError("field \"packages\" is missing");
  std::map<std::string, Record> by_id;
  size_t index = 0;
  for (const Json& entry : *packages) {
    const std::string where = "packages[" + std::to_string(index++) + "]";
    const Json* pkg = nullptr;
    if (entry.is_object()) {
      auto it = entry.find("pkg");
      if (it != entry.end() && it->is_object()) pkg = &*it;
    }
    if (pkg == nullptr) {
      sink.error(where + ": no \"pkg\" object");
      continue;
    }
    Result<std::string> name = RequiredString(*pkg, "name");
    if (name.ok()) {
      if (Status st = CheckToken("package name", *name); !st.ok()) name = st;
    }
    if (!name.ok()) {
      sink.error(where + ": " + name.status().message());
      continue;
    }
    Result<const Json*> secfixes = json::GetObject(*pkg, "secfixes");
    if (!secfixes.ok()) {
      sink.error(*name + ": " + secfixes.status().message());
      continue;
    }
    if (*secfixes == nullptr) continue;  // a package with no fixes
    for (auto f = (*secfixes)->begin(); f != (*secfixes)->end(); ++f) {
      const std::string& version = f.key();
      if (Status st = CheckToken("version", version); !st.ok()) {
        sink.error(*name + ": " + st.message());
        continue;
      }
      if (!f.value().is_array()) {
        sink.error(*name + " " + version + ": ids must be an array");
        continue;
      }
      for (const Json& idj : f.value()) {
        if (!idj.is_string()) {
          sink.error(*name + " " + version + ": an id must be a string");
          continue;
        }
        // Entries are "CVE-2019-1234", sometimes followed by a remark.
        std::string_view text = idj.get_ref<const std::string&>();
        std::string id(text.substr(0, text.find(' ')));
        if (Status st = CheckId(id); !st.ok()) {
          sink.error(*name + " " + version + ": " + st.message());
          continue;
        }
        auto [it, fresh] = by_id.try_emplace(id);
        Record& rec = it->second;
        if (fresh) {
          rec.advisory.id = id;
          rec.advisory.source = "alpine";
        }
        Affected a;
        a.id = id;
        a.source = "alpine";
        a.ecosystem = eco;
        a.name = *name;
        if (version == "0") {
          a.fix_state = "not-affected";
        } else {
          a.fix_state = "fixed";
          a.ranges.push_back(
              Range{"ECOSYSTEM",
                    {{Event::kIntroduced, "0"}, {Event::kFixed, version}}});
        }
        rec.affected.push_back(std::move(a));
      }
    }
  }
  return EmitAll(by_id, sink);
}

Status ParseKev(const Json& doc, const std::function<Status(KevEntry&&)>& entry,
                const std::function<void(std::string)>& error) {
  ASSIGN_OR_RETURN(const Json* vulns, json::GetArray(doc, "vulnerabilities"));
  if (vulns == nullptr) {
    return DataLossError("field \"vulnerabilities\" is missing");
  }
  size_t index = 0;
  for (const Json& v : *vulns) {
    const std::string where =
        "vulnerabilities[" + std::to_string(index++) + "]";
    if (!v.is_object()) {
      error(where + ": not an object");
      continue;
    }
    auto parse = [&]() -> Result<KevEntry> {
      KevEntry e;
      ASSIGN_OR_RETURN(e.cve, RequiredString(v, "cveID"));
      RETURN_IF_ERROR(CheckId(e.cve));
      ASSIGN_OR_RETURN(e.vendor, OptionalString(v, "vendorProject"));
      ASSIGN_OR_RETURN(e.product, OptionalString(v, "product"));
      ASSIGN_OR_RETURN(e.name, OptionalString(v, "vulnerabilityName"));
      ASSIGN_OR_RETURN(e.date_added, OptionalString(v, "dateAdded"));
      ASSIGN_OR_RETURN(e.due_date, OptionalString(v, "dueDate"));
      ASSIGN_OR_RETURN(std::string ransomware,
                       OptionalString(v, "knownRansomwareCampaignUse"));
      e.ransomware = ransomware == "Known";
      e.vendor = Truncate(std::move(e.vendor), kMaxSummaryBytes);
      e.product = Truncate(std::move(e.product), kMaxSummaryBytes);
      e.name = Truncate(std::move(e.name), kMaxSummaryBytes);
      e.date_added = Truncate(std::move(e.date_added), kMaxIdBytes);
      e.due_date = Truncate(std::move(e.due_date), kMaxIdBytes);
      return e;
    };
    Result<KevEntry> e = parse();
    if (!e.ok()) {
      error(where + ": " + e.status().message());
      continue;
    }
    RETURN_IF_ERROR(entry(std::move(*e)));
  }
  return Status::Ok();
}

Status ParseEpss(std::string_view csv,
                 const std::function<Status(EpssRow&&)>& row,
                 const std::function<void(std::string)>& error) {
  std::string date;
  bool header_seen = false;
  int64_t line_no = 0;
  while (!csv.empty()) {
    size_t nl = csv.find('\n');
    std::string_view line = csv.substr(0, nl);
    csv =
        nl == std::string_view::npos ? std::string_view() : csv.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    const std::string where = "line " + std::to_string(line_no);
    if (line.size() > kMaxEpssLineBytes) {
      error(where + ": longer than " + std::to_string(kMaxEpssLineBytes) +
            " bytes");
      continue;
    }
    if (line.front() == '#') {
      // "#model_version:v2023.03.01,score_date:2024-01-01T00:00:00+0000"
      if (size_t p = line.find("score_date:"); p != std::string_view::npos) {
        std::string_view d = line.substr(p + 11);
        d = d.substr(0, d.find(','));
        date = std::string(d.substr(0, 10));
      }
      continue;
    }
    if (!header_seen) {
      if (line != "cve,epss,percentile") {
        return DataLossError("EPSS CSV header is not \"cve,epss,percentile\"");
      }
      header_seen = true;
      continue;
    }
    size_t c1 = line.find(',');
    size_t c2 = c1 == std::string_view::npos ? c1 : line.find(',', c1 + 1);
    if (c2 == std::string_view::npos ||
        line.find(',', c2 + 1) != std::string_view::npos) {
      error(where + ": want 3 fields");
      continue;
    }
    EpssRow r;
    r.cve = std::string(line.substr(0, c1));
    if (Status st = CheckId(r.cve); !st.ok()) {
      error(where + ": " + st.message());
      continue;
    }
    auto number = [](std::string_view s, double& out) {
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
      return ec == std::errc() && end == s.data() + s.size() &&
             std::isfinite(out) && out >= 0 && out <= 1;
    };
    if (!number(line.substr(c1 + 1, c2 - c1 - 1), r.entry.score) ||
        !number(line.substr(c2 + 1), r.entry.percentile)) {
      error(where + ": scores must be numbers in [0, 1]");
      continue;
    }
    r.entry.date = date;
    RETURN_IF_ERROR(row(std::move(r)));
  }
  if (!header_seen) {
    return DataLossError("EPSS CSV header is not \"cve,epss,percentile\"");
  }
  return Status::Ok();
}

std::string DetectJsonKind(const Json& doc) {
  if (!doc.is_object()) return "";
  if (doc.contains("vulnerabilities") && doc.contains("catalogVersion")) {
    return "kev";
  }
  if (doc.contains("distroversion") && doc.contains("packages")) {
    return "alpine";
  }
  if (doc.contains("id") && doc["id"].is_string()) return "osv";
  // Debian: {package: {CVE: {... "releases": {...}}}}; look at the first.
  if (doc.empty()) return "";
  const Json& first = doc.begin().value();
  if (!first.is_object()) return "";
  if (first.empty()) return "debian";
  const Json& entry = first.begin().value();
  if (entry.is_object() && entry.contains("releases")) return "debian";
  return "";
}

std::string RangesToJson(const std::vector<Range>& ranges) {
  static constexpr std::string_view kKeys[] = {"introduced", "fixed",
                                               "last_affected", "limit"};
  std::string out = "[";
  for (const Range& r : ranges) {
    if (out.size() > 1) out += ',';
    out += "{\"events\":[";
    for (size_t i = 0; i < r.events.size(); ++i) {
      if (i) out += ',';
      out += "{\"";
      out += kKeys[r.events[i].kind];
      out += "\":";
      AppendJsonString(out, r.events[i].version);
      out += '}';
    }
    out += "],\"type\":";
    AppendJsonString(out, r.type);
    out += '}';
  }
  out += ']';
  return out;
}

Result<std::vector<Range>> RangesFromJson(std::string_view text) {
  ASSIGN_OR_RETURN(Json doc, json::Parse(text, "ranges", kMaxRecordBytes));
  if (!doc.is_array()) return DataLossError("ranges must be an array");
  std::vector<Range> out;
  for (const Json& r : doc) {
    ASSIGN_OR_RETURN(Range range, ParseRange(r));
    out.push_back(std::move(range));
  }
  return out;
}

std::string StringsToJson(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    AppendJsonString(out, v[i]);
  }
  out += ']';
  return out;
}

std::string SeverityToJson(
    const std::vector<std::pair<std::string, std::string>>& severity) {
  std::string out = "[";
  for (const auto& [type, score] : severity) {
    if (out.size() > 1) out += ',';
    out += "{\"score\":";
    AppendJsonString(out, score);
    out += ",\"type\":";
    AppendJsonString(out, type);
    out += '}';
  }
  out += ']';
  return out;
}

Result<std::vector<std::string>> StringsFromJson(std::string_view text) {
  ASSIGN_OR_RETURN(Json doc, json::Parse(text, "string list", kMaxRecordBytes));
  if (!doc.is_array()) return DataLossError("string list must be an array");
  std::vector<std::string> out;
  out.reserve(doc.size());
  for (const Json& s : doc) {
    if (!s.is_string()) return DataLossError("string list holds a non-string");
    out.push_back(s.get_ref<const std::string&>());
  }
  return out;
}

}  // namespace strata::vulndb::internal
