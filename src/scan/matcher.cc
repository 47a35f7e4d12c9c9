#include "scan/matcher.h"

#include <algorithm>
#include <map>
#include <numeric>

#include "scan/target.h"

namespace strata::scan {
namespace {

// Versions compared with "0" as the lowest introduced version.
Result<int> CompareEvent(version::Scheme s, std::string_view v,
                         const vulndb::Event& e) {
  if (e.kind == vulndb::Event::kIntroduced && e.version == "0") return 1;
  return version::Compare(s, v, e.version);
}

bool IsCve(std::string_view id) { return id.starts_with("CVE-"); }

// A tiny union-find over advisory indexes.
struct Groups {
  std::vector<size_t> parent;
  explicit Groups(size_t n) : parent(n) {
    std::iota(parent.begin(), parent.end(), 0);
  }
  size_t Find(size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void Join(size_t a, size_t b) { parent[Find(a)] = Find(b); }
};

// Debian tracker urgencies and similar distro ratings.
std::optional<cvss::Rating> DistroRating(std::string_view s) {
  if (s == "unimportant" || s == "negligible") return cvss::Rating::kNone;
  if (s == "low" || s == "low*") return cvss::Rating::kLow;
  if (s == "medium" || s == "medium*" || s == "moderate") {
    return cvss::Rating::kMedium;
  }
  if (s == "high" || s == "high*" || s == "important") {
    return cvss::Rating::kHigh;
  }
  if (s == "critical") return cvss::Rating::kCritical;
  return std::nullopt;  // "not yet assigned", ...
}

struct Candidate {
  vulndb::Affected row;
  std::string fixed;  // fixed version for this package's version, or ""
  vulndb::Advisory advisory;
};

// The language packages an OS package holds (matched through it).
std::set<std::string> ContainedInOsPackages(const sbom::Sbom& s) {
  std::map<std::string, const sbom::Package*> by_id;
  for (const sbom::Package& p : s.packages) by_id[p.id] = &p;
  std::set<std::string> out;
  for (const sbom::Relationship& r : s.relationships) {
    if (r.type != "contains") continue;
    auto from = by_id.find(r.from);
    auto to = by_id.find(r.to);
    if (from == by_id.end() || to == by_id.end()) continue;
    if (sbom::IsOsPackage(from->second->type) &&
        !sbom::IsOsPackage(to->second->type)) {
      out.insert(r.to);
    }
  }
  return out;
}

bool StatementCovers(const vex::Statement& st, const std::set<std::string>& ids,
                     const std::string& purl) {
  bool vuln = ids.count(st.vulnerability) > 0;
  for (const std::string& a : st.aliases) vuln = vuln || ids.count(a) > 0;
  if (!vuln) return false;
  for (const std::string& product : st.products) {
    if (!purl.empty() && vex::ProductMatches(product, purl)) return true;
  }
  return false;
}

}  // namespace

std::string_view FixStateName(FixState s) {
  switch (s) {
    case FixState::kFixed:
      return "fixed";
    case FixState::kNotFixed:
      return "not-fixed";
    case FixState::kWontFix:
      return "wont-fix";
    case FixState::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::optional<FixState> FixStateFromName(std::string_view name) {
  for (FixState s : {FixState::kFixed, FixState::kNotFixed, FixState::kWontFix,
                     FixState::kUnknown}) {
    if (FixStateName(s) == name) return s;
  }
  return std::nullopt;
}

Result<std::optional<std::string>> Affects(const vulndb::Affected& a,
                                           version::Scheme scheme,
                                           std::string_view v) {
  bool listed =
      std::find(a.versions.begin(), a.versions.end(), v) != a.versions.end();
  for (const vulndb::Range& range : a.ranges) {
    version::Scheme s;
    if (range.type == "SEMVER") {
      s = version::Scheme::kSemver;
    } else if (range.type == "ECOSYSTEM") {
      s = scheme;
    } else {
      continue;  // GIT: commits, not versions
    }
    // Events in version order ("introduced: 0" first).
    std::vector<const vulndb::Event*> events;
    for (const vulndb::Event& e : range.events) events.push_back(&e);
    Status sort_error;
    std::stable_sort(
        events.begin(), events.end(),
        [&](const vulndb::Event* x, const vulndb::Event* y) {
          bool x0 = x->kind == vulndb::Event::kIntroduced && x->version == "0";
          bool y0 = y->kind == vulndb::Event::kIntroduced && y->version == "0";
          if (x0 || y0) return x0 && !y0;
          Result<int> c = version::Compare(s, x->version, y->version);
          if (!c.ok()) {
            if (sort_error.ok()) sort_error = c.status();
            return false;
          }
          return *c < 0;
        });
    RETURN_IF_ERROR(sort_error);
    bool affected = false;
    std::string fix;
    for (const vulndb::Event* e : events) {
      ASSIGN_OR_RETURN(int c, CompareEvent(s, v, *e));
      switch (e->kind) {
        case vulndb::Event::kIntroduced:
          if (c >= 0) {
            affected = true;
            fix.clear();
          }
          break;
        case vulndb::Event::kFixed:
          if (c >= 0) {
            affected = false;
          } else if (affected && fix.empty()) {
            fix = e->version;
          }
          break;
        case vulndb::Event::kLastAffected:
          if (c > 0) affected = false;
          break;
        case vulndb::Event::kLimit:
          if (c >= 0) affected = false;
          break;
      }
    }
    if (affected) return std::optional<std::string>(fix);
  }
  if (listed) return std::optional<std::string>("");
  return std::optional<std::string>();
}

Result<ScanResult> Match(const sbom::Sbom& sbom, vulndb::Db& db,
                         const MatchOptions& options) {
  ScanResult out;
  out.packages = static_cast<int64_t>(sbom.packages.size());
  const std::set<std::string> inside = ContainedInOsPackages(sbom);
  bool distro_noted = false;
  std::map<std::string, std::optional<vulndb::Advisory>> advisories;
  auto advisory = [&](const std::string& id)
      -> Result<const std::optional<vulndb::Advisory>*> {
    auto it = advisories.find(id);
    if (it == advisories.end()) {
      ASSIGN_OR_RETURN(std::optional<vulndb::Advisory> a, db.GetAdvisory(id));
      it = advisories.emplace(id, std::move(a)).first;
    }
    return &it->second;
  };

  for (const sbom::Package& p : sbom.packages) {
    if (inside.count(p.id)) continue;
    if (sbom::IsOsPackage(p.type) && DistroEcosystem(sbom.distro).empty()) {
      if (!distro_noted) {
        out.notes.push_back("no vulnerability data for distro \"" +
                            sbom.distro.id + " " + sbom.distro.version_id +
                            "\": its OS packages were not matched");
        distro_noted = true;
      }
      continue;
    }
    std::optional<Target> target = TargetFor(p, sbom.distro);
    if (!target) continue;
    ++out.matched_packages;
    if (!version::Validate(target->scheme, target->version).ok()) {
      out.notes.push_back(
          p.name + " " + p.version + ": version not valid for " +
          std::string(version::SchemeName(target->scheme)) + ", not matched");
      continue;
    }
    std::vector<Candidate> candidates;
    std::set<std::string> seen_rows;
    std::vector<std::string> ecosystems = {target->ecosystem};
    ecosystems.insert(ecosystems.end(), target->also.begin(),
                      target->also.end());
    for (const std::string& ecosystem : ecosystems)
      for (const std::string& name : target->names) {
        ASSIGN_OR_RETURN(std::vector<vulndb::Affected> rows,
                         db.Lookup(ecosystem, name));
        for (vulndb::Affected& row : rows) {
          if (row.fix_state == "not-affected") continue;
          if (!seen_rows.insert(row.id + "\n" + row.name).second) continue;
          Result<std::optional<std::string>> hit =
              Affects(row, target->scheme, target->version);
          if (!hit.ok()) {
            out.notes.push_back(row.id + " for " + p.name + ": " +
                                hit.status().message());
            continue;
          }
          if (!*hit) continue;
          ASSIGN_OR_RETURN(const std::optional<vulndb::Advisory>* adv,
                           advisory(row.id));
          if (!*adv || !(*adv)->withdrawn.empty()) continue;
          candidates.push_back({std::move(row), **hit, **adv});
        }
      }
    if (candidates.empty()) continue;

    // Fold advisories that share an id or alias into one vulnerability.
    Groups groups(candidates.size());
    std::map<std::string, size_t> owner;
    for (size_t i = 0; i < candidates.size(); ++i) {
      std::vector<std::string> ids = candidates[i].advisory.aliases;
      ids.push_back(candidates[i].advisory.id);
      for (const std::string& id : ids) {
        auto [it, fresh] = owner.emplace(id, i);
        if (!fresh) groups.Join(i, it->second);
      }
    }
    std::map<size_t, std::vector<size_t>> members;
    for (size_t i = 0; i < candidates.size(); ++i) {
      members[groups.Find(i)].push_back(i);
    }
    for (const auto& [root, idx] : members) {
      Finding f;
      std::set<std::string> ids;
      for (size_t i : idx) {
        const Candidate& c = candidates[i];
        ids.insert(c.advisory.id);
        ids.insert(c.advisory.aliases.begin(), c.advisory.aliases.end());
        f.advisories.push_back(c.advisory.id);
        f.malicious = f.malicious || c.advisory.malicious;
        if (f.summary.empty()) f.summary = c.advisory.summary;
      }
      f.id = *ids.begin();
      for (const std::string& id : ids) {
        if (IsCve(id)) {
          f.id = id;
          break;
        }
      }
      for (const std::string& id : ids) {
        if (id != f.id) f.aliases.push_back(id);
      }
      std::sort(f.advisories.begin(), f.advisories.end());
      f.package_id = p.id;
      f.package_name = p.name;
      f.package_version = p.version;
      f.package_type = std::string(sbom::PackageTypeName(p.type));
      f.purl = p.purl;
      for (const sbom::Location& l : p.locations) f.locations.push_back(l.path);
      f.ecosystem = candidates[idx.front()].row.ecosystem;

      // Fix state: a fix for this version, else what the distro says.
      bool wont_fix = false, not_fixed = false;
      for (size_t i : idx) {
        const Candidate& c = candidates[i];
        if (!c.fixed.empty()) {
          Result<int> cmp =
              f.fixed_version.empty()
                  ? Result<int>(1)
                  : version::Compare(target->scheme, c.fixed, f.fixed_version);
          if (cmp.ok() && *cmp > 0) f.fixed_version = c.fixed;
        } else if (c.row.fix_state == "wont-fix") {
          wont_fix = true;
        } else {
          not_fixed = true;
        }
      }
      f.state = !f.fixed_version.empty() ? FixState::kFixed
                : wont_fix               ? FixState::kWontFix
                : not_fixed              ? FixState::kNotFixed
                                         : FixState::kUnknown;

      // Severity: the distro's rating, else the highest CVSS base score.
      bool distro_rated = false;
      for (size_t i : idx) {
        std::optional<cvss::Rating> r =
            DistroRating(candidates[i].row.distro_severity);
        if (r && (!f.severity_known || *r > f.severity)) {
          f.severity = *r;
          f.severity_known = distro_rated = true;
          f.severity_source =
              target->ecosystem.substr(0, target->ecosystem.find(':'));
        }
      }
      for (size_t i : idx) {
        for (const auto& [type, vec] : candidates[i].advisory.severity) {
          Result<cvss::Score> s = cvss::Parse(vec);
          if (!s.ok()) continue;
          if (s->base > f.score) {
            f.score = s->base;
            f.vector = s->vector;
            if (!distro_rated) {
              f.severity = s->rating;
              f.severity_known = true;
              f.severity_source = type;
            }
          }
        }
      }
      for (const std::string& id : ids) {
        if (!IsCve(id)) continue;
        ASSIGN_OR_RETURN(std::optional<vulndb::KevEntry> kev, db.Kev(id));
        if (kev) f.kev = true;
        ASSIGN_OR_RETURN(std::optional<vulndb::EpssEntry> epss, db.Epss(id));
        if (epss && (!f.epss || epss->score > f.epss->score)) f.epss = epss;
      }

      // VEX: not_affected and fixed statements suppress, the others annotate.
      bool suppressed = false;
      for (const vex::Document& doc : options.vex) {
        for (const vex::Statement& st : doc.statements) {
          if (!StatementCovers(st, ids, p.purl)) continue;
          f.vex_status = std::string(
              st.status == vex::Status::kNotAffected ? "not_affected"
              : st.status == vex::Status::kFixed     ? "fixed"
              : st.status == vex::Status::kAffected  ? "affected"
                                                     : "under_investigation");
          f.vex_justification = st.justification;
          if (st.status == vex::Status::kNotAffected ||
              st.status == vex::Status::kFixed) {
            f.suppressed_by = st.source;
            suppressed = true;
          }
        }
      }
      if (suppressed) {
        out.suppressed.push_back(std::move(f));
        continue;
      }
      if (options.only_fixed && f.state != FixState::kFixed) continue;
      if (options.ignore_states.count(f.state)) continue;
      out.findings.push_back(std::move(f));
    }
  }
  auto order = [](const Finding& a, const Finding& b) {
    if (a.severity != b.severity) return a.severity > b.severity;
    if (a.id != b.id) return a.id < b.id;
    if (a.package_name != b.package_name) {
      return a.package_name < b.package_name;
    }
    return a.package_id < b.package_id;
  };
  std::sort(out.findings.begin(), out.findings.end(), order);
  std::sort(out.suppressed.begin(), out.suppressed.end(), order);
  return out;
}

}  // namespace strata::scan
