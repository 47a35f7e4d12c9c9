#include "vulndb/parse.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace strata::vulndb::internal {
namespace {

json::Json J(std::string_view text) {
  auto j = json::Parse(text, "test", 1 << 20);
  EXPECT_TRUE(j.ok()) << j.status().ToString();
  return j.ok() ? *j : json::Json();
}

struct Collected {
  std::vector<Record> records;
  std::vector<std::string> errors;
  RecordSink Sink() {
    return RecordSink{[this](Record&& r) {
                        records.push_back(std::move(r));
                        return Status::Ok();
                      },
                      [this](std::string e) { errors.push_back(e); }};
  }
};

TEST(ParseOsvTest, ReadsEveryField) {
  Result<Record> rec = ParseOsv(J(R"({
    "id": "GHSA-xxxx-yyyy-zzzz", "modified": "2024-01-02T00:00:00Z",
    "published": "2023-12-01T00:00:00Z", "withdrawn": "2024-02-01T00:00:00Z",
    "summary": "bad thing", "details": "long story",
    "aliases": ["CVE-2023-1234"],
    "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N"}],
    "references": [{"type": "WEB", "url": "https://example.com/a"}],
    "affected": [{
      "package": {"ecosystem": "PyPI", "name": "Foo_Bar.baz"},
      "ranges": [{"type": "ECOSYSTEM", "events": [
        {"introduced": "0"}, {"fixed": "1.2"}, {"introduced": "2.0"},
        {"last_affected": "2.3"}]},
        {"type": "GIT", "repo": "https://x", "events": [
        {"introduced": "abc"}, {"limit": "def"}]}],
      "versions": ["1.0", "1.1"]}]})"));
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  const Advisory& a = rec->advisory;
  EXPECT_EQ(a.id, "GHSA-xxxx-yyyy-zzzz");
  EXPECT_EQ(a.source, "osv");
  EXPECT_EQ(a.withdrawn, "2024-02-01T00:00:00Z");
  EXPECT_EQ(a.aliases, std::vector<std::string>{"CVE-2023-1234"});
  ASSERT_EQ(a.severity.size(), 1u);
  EXPECT_EQ(a.severity[0].second, "CVSS:3.1/AV:N");
  EXPECT_EQ(a.references, std::vector<std::string>{"https://example.com/a"});
  EXPECT_FALSE(a.malicious);
  ASSERT_EQ(rec->affected.size(), 1u);
  const Affected& af = rec->affected[0];
  EXPECT_EQ(af.name, "foo-bar-baz");
  EXPECT_EQ(af.ecosystem, "PyPI");
  ASSERT_EQ(af.ranges.size(), 2u);
  ASSERT_EQ(af.ranges[0].events.size(), 4u);
  EXPECT_EQ(af.ranges[0].events[3].kind, Event::kLastAffected);
  EXPECT_EQ(af.ranges[0].events[3].version, "2.3");
  EXPECT_EQ(af.ranges[1].events[1].kind, Event::kLimit);
  EXPECT_EQ(af.versions, (std::vector<std::string>{"1.0", "1.1"}));
  EXPECT_EQ(RangesToJson(af.ranges),
            R"([{"events":[{"introduced":"0"},{"fixed":"1.2"},)"
            R"({"introduced":"2.0"},{"last_affected":"2.3"}],)"
            R"("type":"ECOSYSTEM"},{"events":[{"introduced":"abc"},)"
            R"({"limit":"def"}],"type":"GIT"}])");
}

TEST(ParseOsvTest, MarksMaliciousPackages) {
  EXPECT_TRUE(ParseOsv(J(R"({"id": "MAL-2024-1"})"))->advisory.malicious);
  EXPECT_TRUE(ParseOsv(J(R"({"id": "GHSA-1",
      "database_specific": {"malicious": true}})"))
                  ->advisory.malicious);
}

TEST(ParseOsvTest, RefusesBadRecords) {
  auto msg = [](std::string_view text) {
    return ParseOsv(J(text)).status().ToString();
  };
  EXPECT_EQ(msg(R"({"summary": "x"})"), "field \"id\" is missing");
  EXPECT_EQ(msg(R"({"id": ""})"), "id is empty");
  EXPECT_EQ(msg(R"({"id": 5})"), "field \"id\" must be a string");
  EXPECT_EQ(msg(R"({"id": "A", "affected": [{"package": {"ecosystem": "Go",
      "name": "x"}, "ranges": [{"type": "WEIRD", "events": [
      {"introduced": "0"}]}]}]})"),
            "A: unknown range type \"WEIRD\"");
  EXPECT_EQ(msg(R"({"id": "A", "affected": [{"package": {"ecosystem": "Go",
      "name": "x"}, "ranges": [{"type": "SEMVER", "events": []}]}]})"),
            "A: a range has no events");
  EXPECT_EQ(msg(R"({"id": "A", "affected": [{"package": {"ecosystem": "Go",
      "name": "x"}, "ranges": [{"type": "SEMVER", "events": [
      {"introduced": "0", "fixed": "1"}]}]}]})"),
            "A: a range event must be an object with one key");
  EXPECT_EQ(msg(R"({"id": "A", "affected": [{"package": {"ecosystem": "Go",
      "name": "x"}, "ranges": [{"type": "SEMVER", "events": [
      {"patched": "1"}]}]}]})"),
            "A: unknown range event \"patched\"");
  EXPECT_EQ(msg(R"({"id": "A", "affected": [{"package": {"ecosystem": "Go",
      "name": "x"}, "versions": [1]}]})"),
            "A: field \"versions\" must be an array of strings");
  EXPECT_EQ(msg(R"({"id": "A", "affected": [{"package": {"name": "x"}}]})"),
            "A: field \"ecosystem\" is missing");
  EXPECT_EQ(msg("[]"), "an OSV record must be an object");
}

TEST(ParseOsvTest, CapsSizes) {
  json::Json doc = {{"id", "A"}, {"details", std::string(20000, 'd')}};
  json::Json refs = json::Json::array();
  for (int i = 0; i < 100; ++i) {
    refs.push_back(
        {{"type", "WEB"}, {"url", "https://e/" + std::to_string(i)}});
  }
  doc["references"] = refs;
  Result<Record> rec = ParseOsv(doc);
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->advisory.details.size(), kMaxDetailsBytes);
  EXPECT_EQ(rec->advisory.references.size(), kMaxReferences);

  json::Json many = {
      {"id", "A"}, {"aliases", std::vector<std::string>(kMaxAliases + 1, "x")}};
  EXPECT_EQ(ParseOsv(many).status(),
            ResourceExhaustedError("more than 1024 aliases").WithContext("A"));
  // Truncation never splits a UTF-8 sequence.
  json::Json utf = {{"id", "A"},
                    {"summary", std::string(1023, 'a') + "\xc3\xa9"}};
  EXPECT_EQ(ParseOsv(utf)->advisory.summary, std::string(1023, 'a'));
}

TEST(ParseOsvTest, DropsAffectedWithoutPackage) {
  Result<Record> rec = ParseOsv(J(R"({"id": "A", "affected": [{"ranges": [
      {"type": "GIT", "repo": "r", "events": [{"introduced": "0"}]}]}]})"));
  ASSERT_TRUE(rec.ok());
  EXPECT_TRUE(rec->affected.empty());
}

TEST(ParseDebianTrackerTest, MapsStatuses) {
  Collected c;
  ASSERT_TRUE(ParseDebianTracker(J(R"({
    "openssl": {
      "CVE-2024-1": {"description": "one", "releases": {
        "bookworm": {"status": "resolved", "fixed_version": "3.0.1-1",
                     "urgency": "medium"},
        "bullseye": {"status": "resolved", "fixed_version": "0",
                     "urgency": "unimportant"},
        "trixie": {"status": "open", "urgency": "low**"},
        "buster": {"status": "open", "urgency": "low",
                   "nodsa": "Minor issue", "nodsa_reason": "ignored"},
        "sid": {"status": "open", "urgency": "low",
                "nodsa_reason": "postponed"},
        "hamm": {"status": "open"}}}},
    "curl": {
      "CVE-2024-1": {"releases": {"bookworm": {"status": "resolved",
          "fixed_version": "8.0-1"}}},
      "CVE-2024-2": {"releases": {"bookworm": {"status": "weird"}}}}})"),
                                 c.Sink())
                  .ok());
  ASSERT_EQ(c.records.size(), 1u);
  EXPECT_EQ(c.errors, std::vector<std::string>{
                          "curl CVE-2024-2: release \"bookworm\" has unknown "
                          "status \"weird\""});
  const Record& r = c.records[0];
  EXPECT_EQ(r.advisory.id, "CVE-2024-1");
  EXPECT_EQ(r.advisory.source, "debian");
  EXPECT_EQ(r.advisory.summary, "one");
  std::map<std::string, const Affected*> by;
  for (const Affected& a : r.affected) by[a.name + "/" + a.ecosystem] = &a;
  ASSERT_EQ(by.size(), 6u);  // hamm is not a known release
  const Affected& fixed = *by["openssl/Debian:12"];
  EXPECT_EQ(fixed.fix_state, "fixed");
  EXPECT_EQ(fixed.distro_severity, "medium");
  EXPECT_EQ(RangesToJson(fixed.ranges),
            R"([{"events":[{"introduced":"0"},{"fixed":"3.0.1-1"}],)"
            R"("type":"ECOSYSTEM"}])");
  EXPECT_EQ(by["openssl/Debian:11"]->fix_state, "not-affected");
  EXPECT_TRUE(by["openssl/Debian:11"]->ranges.empty());
  EXPECT_EQ(by["openssl/Debian:13"]->fix_state, "not-fixed");
  EXPECT_EQ(by["openssl/Debian:13"]->distro_severity, "low");
  EXPECT_EQ(RangesToJson(by["openssl/Debian:13"]->ranges),
            R"([{"events":[{"introduced":"0"}],"type":"ECOSYSTEM"}])");
  EXPECT_EQ(by["openssl/Debian:10"]->fix_state, "wont-fix");
  EXPECT_EQ(by["openssl/Debian:unstable"]->fix_state, "wont-fix");
  EXPECT_EQ(by["curl/Debian:12"]->fix_state, "fixed");
}

TEST(ParseAlpineSecdbTest, ReadsSecfixes) {
  Collected c;
  ASSERT_TRUE(ParseAlpineSecdb(J(R"j({"distroversion": "v3.20",
    "reponame": "main", "packages": [
      {"pkg": {"name": "musl", "secfixes": {
        "1.2.3-r1": ["CVE-2024-1", "CVE-2024-2 (upstream)"],
        "0": ["CVE-2020-9"]}}},
      {"pkg": {"name": "zlib", "secfixes": {"1.3-r0": ["CVE-2024-1"]}}},
      {"pkg": {"name": "quiet"}},
      {"nopkg": 1},
      {"pkg": {"name": "bad", "secfixes": {"1": "CVE-1"}}}]})j"),
                               c.Sink())
                  .ok());
  EXPECT_EQ(c.errors,
            (std::vector<std::string>{"packages[3]: no \"pkg\" object",
                                      "bad 1: ids must be an array"}));
  ASSERT_EQ(c.records.size(), 3u);  // by id: CVE-2020-9, CVE-2024-1, -2
  EXPECT_EQ(c.records[0].advisory.id, "CVE-2020-9");
  EXPECT_EQ(c.records[0].affected[0].fix_state, "not-affected");
  EXPECT_TRUE(c.records[0].affected[0].ranges.empty());
  EXPECT_EQ(c.records[1].advisory.id, "CVE-2024-1");
  EXPECT_EQ(c.records[1].advisory.source, "alpine");
  ASSERT_EQ(c.records[1].affected.size(), 2u);
  EXPECT_EQ(c.records[1].affected[0].ecosystem, "Alpine:v3.20");
  EXPECT_EQ(c.records[1].affected[0].fix_state, "fixed");
  EXPECT_EQ(RangesToJson(c.records[1].affected[1].ranges),
            R"([{"events":[{"introduced":"0"},{"fixed":"1.3-r0"}],)"
            R"("type":"ECOSYSTEM"}])");
  EXPECT_EQ(c.records[2].advisory.id, "CVE-2024-2");
}

TEST(ParseKevTest, ReadsEntries) {
  std::vector<KevEntry> got;
  std::vector<std::string> errors;
  ASSERT_TRUE(ParseKev(
                  J(R"({"catalogVersion": "1", "vulnerabilities": [
      {"cveID": "CVE-2021-44228", "vendorProject": "Apache",
       "product": "Log4j2", "vulnerabilityName": "Log4Shell",
       "dateAdded": "2021-12-10", "dueDate": "2021-12-24",
       "knownRansomwareCampaignUse": "Known"},
      {"cveID": "CVE-2020-1", "knownRansomwareCampaignUse": "Unknown"},
      {"vendorProject": "x"}, 7]})"),
                  [&](KevEntry&& e) {
                    got.push_back(e);
                    return Status::Ok();
                  },
                  [&](std::string e) { errors.push_back(e); })
                  .ok());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].cve, "CVE-2021-44228");
  EXPECT_EQ(got[0].due_date, "2021-12-24");
  EXPECT_TRUE(got[0].ransomware);
  EXPECT_FALSE(got[1].ransomware);
  EXPECT_EQ(errors, (std::vector<std::string>{
                        "vulnerabilities[2]: field \"cveID\" is missing",
                        "vulnerabilities[3]: not an object"}));
}

TEST(ParseEpssTest, ReadsRowsAndDate) {
  std::vector<EpssRow> rows;
  std::vector<std::string> errors;
  ASSERT_TRUE(ParseEpss(
                  "#model_version:v2023.03.01,score_date:2024-05-06T00:"
                  "00:00+0000\r\ncve,epss,percentile\r\n"
                  "CVE-2024-1,0.5,0.9\nCVE-2024-2,2.0,0.1\n"
                  "CVE-2024-3,x,0.1\nCVE-2024-4,0.1\n\n"
                  "CVE-2024-5,0.00043,0.0814",
                  [&](EpssRow&& r) {
                    rows.push_back(r);
                    return Status::Ok();
                  },
                  [&](std::string e) { errors.push_back(e); })
                  .ok());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].cve, "CVE-2024-1");
  EXPECT_DOUBLE_EQ(rows[0].entry.score, 0.5);
  EXPECT_EQ(rows[0].entry.date, "2024-05-06");
  EXPECT_DOUBLE_EQ(rows[1].entry.percentile, 0.0814);
  EXPECT_EQ(errors, (std::vector<std::string>{
                        "line 4: scores must be numbers in [0, 1]",
                        "line 5: scores must be numbers in [0, 1]",
                        "line 6: want 3 fields"}));
  EXPECT_EQ(ParseEpss(
                "a,b,c\n", [](EpssRow&&) { return Status::Ok(); },
                [](std::string) {}),
            DataLossError("EPSS CSV header is not \"cve,epss,percentile\""));
}

TEST(DetectJsonKindTest, TellsSourcesApart) {
  EXPECT_EQ(DetectJsonKind(J(R"({"id": "GO-1"})")), "osv");
  EXPECT_EQ(DetectJsonKind(J(R"({"catalogVersion": "1",
                                 "vulnerabilities": []})")),
            "kev");
  EXPECT_EQ(DetectJsonKind(J(R"({"distroversion": "v3.1", "packages": []})")),
            "alpine");
  EXPECT_EQ(DetectJsonKind(J(R"({"pkg": {"CVE-1": {"releases": {}}}})")),
            "debian");
  EXPECT_EQ(DetectJsonKind(J(R"({"pkg": 1})")), "");
  EXPECT_EQ(DetectJsonKind(J(R"({})")), "");
}

TEST(RangesFromJsonTest, RoundTripsAndRefusesGarbage) {
  std::vector<Range> r = {
      Range{"SEMVER", {{Event::kIntroduced, "0"}, {Event::kFixed, "1"}}}};
  Result<std::vector<Range>> back = RangesFromJson(RangesToJson(r));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->at(0).events[1].version, "1");
  EXPECT_EQ(RangesFromJson("{}").status(),
            DataLossError("ranges must be an array"));
}

TEST(StringsToJsonTest, WritesExactlyWhatJsonDumpWrites) {
  const std::vector<std::string> tricky = {
      "",
      "plain",
      "q\"b\\s/",
      "\b\f\n\r\t",
      std::string("\0\x01\x1f\x7f", 4),
      "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",  // valid UTF-8 kept
      "\xc3",
      "\xc0\xaf",
      "\xed\xa0\x80",
      "\xf4\x90\x80\x80",
      "a\xff"
      "b",
      "\xe0\x80\x80",
      "\xf0\x80\x80\x80"};
  EXPECT_EQ(StringsToJson(tricky), json::Dump(json::Json(tricky)));
  for (const std::string& t : tricky) {
    std::vector<Range> r = {Range{t, {{Event::kFixed, t}}}};
    json::Json want = json::Json::array(
        {{{"events", json::Json::array({{{"fixed", t}}})}, {"type", t}}});
    EXPECT_EQ(RangesToJson(r), json::Dump(want));
    json::Json sev = json::Json::array({{{"type", t}, {"score", t + "s"}}});
    EXPECT_EQ(SeverityToJson({{t, t + "s"}}), json::Dump(sev));
  }
  EXPECT_EQ(StringsToJson({}), "[]");
  EXPECT_EQ(SeverityToJson({}), "[]");
}

}  // namespace
}  // namespace strata::vulndb::internal
