#include "vulndb/osv_sax.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "base/caps.h"
#include "base/json.h"

namespace strata::vulndb::internal {
namespace {

constexpr std::string_view kName = "GO-2022-0646.json";

// A real record (Go corpus, trimmed) plus the fields the Go one lacks.
constexpr std::string_view kRealRecord = R"({
  "schema_version": "1.3.1",
  "id": "GO-2022-0646",
  "modified": "0001-01-01T00:00:00Z",
  "published": "2022-02-11T23:26:26Z",
  "aliases": ["CVE-2020-8911", "GHSA-f5pg-7wfw-84q9"],
  "summary": "CBC padding oracle issue in AWS S3 Crypto SDK for golang",
  "details": "A padding oracle vulnerability exists in the AWS S3 Crypto SDK.\n\u00e9\t\"x\"",
  "severity": [{"type": "CVSS_V3",
                "score": "CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:U/C:H/I:N/A:N"}],
  "affected": [
    {
      "package": {"name": "github.com/aws/aws-sdk-go", "ecosystem": "Go"},
      "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"},
                 {"fixed": "1.34.0"}]}],
      "versions": ["1.33.0"],
      "ecosystem_specific": {"imports": [{"path": "s3crypto",
          "symbols": ["NewDecryptionClient", "NewEncryptionClient"]}]}
    },
    {"ranges": [{"type": "GIT", "repo": "https://x", "events": [
        {"introduced": "abc"}]}]},
    {
      "package": {"name": "Foo_Bar", "ecosystem": "PyPI",
                  "purl": "pkg:pypi/foo-bar"},
      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0"},
                 {"last_affected": "1.5"}, {"limit": "2"}]}],
      "database_specific": {"source": "https://x", "n": [1, 2.5, null, true]}
    }
  ],
  "references": [{"type": "REPORT", "url": "https://github.com/x/1"},
                 {"type": "FIX"}, 7, {"url": ""},
                 {"type": "WEB", "url": "https://github.com/x/2"}],
  "credits": [{"name": "someone"}],
  "database_specific": {"review_status": "REVIEWED", "url": "https://x"}
})";

// What the DOM path (json::Parse then ParseOsv) gives, worded as the
// importer worded it.
Result<Record> ViaDom(std::string_view text) {
  Result<json::Json> doc = json::Parse(text, kName, kMaxRecordBytes);
  if (!doc.ok()) return doc.status();
  Result<Record> rec = ParseOsv(*doc);
  if (!rec.ok()) return rec.status().WithContext(kName);
  return rec;
}

// Everything the database stores of a record, as text.
std::string Stored(const Record& r) {
  const Advisory& a = r.advisory;
  std::string out = a.id + "|" + a.source + "|" + a.published + "|" +
                    a.modified + "|" + a.withdrawn + "|" + a.summary + "|" +
                    a.details + "|" + StringsToJson(a.aliases) + "|" +
                    StringsToJson(a.references) + "|" +
                    (a.malicious ? "mal" : "-");
  for (const auto& [type, score] : a.severity) out += "|" + type + "=" + score;
  for (const Affected& x : r.affected) {
    out += "\n" + x.id + "|" + x.source + "|" + x.ecosystem + "|" + x.name +
           "|" + RangesToJson(x.ranges) + "|" + StringsToJson(x.versions) +
           "|" + x.fix_state + "|" + x.distro_severity;
  }
  return out;
}

// The SAX parser agrees with the DOM path on `text`: same record or same
// error (code, message and context).
void ExpectSame(std::string_view text) {
  Result<Record> dom = ViaDom(text);
  Result<Record> sax = ParseOsvBytes(text, kName);
  ASSERT_EQ(sax.ok(), dom.ok()) << text << "\nsax: " << sax.status().ToString()
                                << "\ndom: " << dom.status().ToString();
  if (dom.ok()) {
    EXPECT_EQ(Stored(*sax), Stored(*dom)) << text;
  } else {
    EXPECT_EQ(sax.status(), dom.status()) << text;
  }
}

std::string Message(std::string_view text) {
  return ParseOsvBytes(text, kName).status().ToString();
}

TEST(ParseOsvBytesTest, StoresWhatTheDomPathStored) {
  Result<Record> rec = ParseOsvBytes(kRealRecord, kName);
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  EXPECT_EQ(rec->advisory.id, "GO-2022-0646");
  EXPECT_EQ(rec->advisory.references,
            (std::vector<std::string>{"https://github.com/x/1",
                                      "https://github.com/x/2"}));
  ASSERT_EQ(rec->affected.size(), 2u);  // the GIT-only entry is dropped
  EXPECT_EQ(rec->affected[1].name, "foo-bar");
  EXPECT_EQ(rec->affected[1].id, "GO-2022-0646");
  ExpectSame(kRealRecord);
}

TEST(ParseOsvBytesTest, RepeatedKeysKeepTheLastValue) {
  ExpectSame(R"({"id": "A", "id": "B", "summary": 5, "summary": "s",
      "aliases": [1], "aliases": ["C"], "database_specific":
      {"malicious": true}, "database_specific": {"malicious": false},
      "affected": [{"package": {"ecosystem": "Go", "name": "x"},
        "ranges": [{"type": "WEIRD", "type": "GIT", "events": [],
          "events": [{"fixed": 1, "fixed": "2"}]}],
        "package": {"ecosystem": "Go", "name": "y"}}]})");
  Result<Record> rec = ParseOsvBytes(
      R"({"id": "A", "affected": [{"package": {"ecosystem": "Go",
          "name": "x", "name": "y"}}], "id": "B"})",
      kName);
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  EXPECT_EQ(rec->advisory.id, "B");
  EXPECT_EQ(rec->affected.at(0).id, "B");
  EXPECT_EQ(rec->affected.at(0).name, "y");
}

TEST(ParseOsvBytesTest, RefusesWrongTypesWithTheDomPathMessages) {
  EXPECT_EQ(Message(R"({"id": 5})"),
            "GO-2022-0646.json: field \"id\" must be a string");
  EXPECT_EQ(Message(R"({"id": "A", "affected": [{"package": {"ecosystem":
      "Go", "name": "x"}, "ranges": [{"type": "SEMVER", "events": [
      {"patched": "1"}]}]}]})"),
            "GO-2022-0646.json: A: unknown range event \"patched\"");
  EXPECT_EQ(Message("[]"),
            "GO-2022-0646.json: an OSV record must be an object");
  // Errors come in the DOM path's field order, not document order.
  EXPECT_EQ(Message(R"({"affected": 1, "summary": 2, "id": "A"})"),
            "GO-2022-0646.json: A: field \"summary\" must be a string");
  const char* kCases[] = {
      R"({"summary": "x"})",
      R"({"id": ""})",
      R"({"id": "A B", "details": 1})",
      R"({"id": "A\u0001"})",
      R"({"id": null})",
      R"({"id": "A", "published": {}})",
      R"({"id": "A", "modified": []})",
      R"({"id": "A", "withdrawn": 1.5})",
      R"({"id": "A", "aliases": "x"})",
      R"({"id": "A", "aliases": ["x", null]})",
      R"({"id": "A", "aliases": [""]})",
      R"({"id": "A", "severity": {}})",
      R"({"id": "A", "severity": [1]})",
      R"({"id": "A", "severity": [{"type": "CVSS_V3"}]})",
      R"({"id": "A", "severity": [{"score": 1, "type": 2}]})",
      R"({"id": "A", "references": {}})",
      R"({"id": "A", "references": [{"url": 5}, {"url": null}]})",
      R"({"id": "A", "database_specific": []})",
      R"({"id": "A", "database_specific": {"malicious": "yes"}})",
      R"({"id": "A", "affected": {}})",
      R"({"id": "A", "affected": [1]})",
      R"({"id": "A", "affected": [{"package": 1}]})",
      R"({"id": "A", "affected": [{"package": null, "ranges": 1}]})",
      R"({"id": "A", "affected": [{"package": {"name": "x"}}]})",
      R"({"id": "A", "affected": [{"package": {"ecosystem": "Go"}}]})",
      R"({"id": "A", "affected": [{"package": {"ecosystem": "Go",
          "name": ""}}]})",
      R"({"id": "A", "affected": [{"package": {"ecosystem": "Go",
          "name": "x"}, "ranges": {}}]})",
      R"({"id": "A", "affected": [{"package": {"ecosystem": "Go",
          "name": "x"}, "ranges": [[]]}]})",
      R"({"id": "A", "affected": [{"package": {"ecosystem": "Go",
          "name": "x"}, "ranges": [{"events": [{"fixed": "1"}]}]}]})",
      R"({"id": "A", "affected": [{"package": {"ecosystem": "Go",
          "name": "x"}, "ranges": [{"type": "SEMVER", "events": {}}]}]})",
      R"({"id": "A", "affected": [{"package": {"ecosystem": "Go",
          "name": "x"}, "ranges": [{"type": "SEMVER"}]}]})",
      R"({"id": "A", "affected": [{"package": {"ecosystem": "Go",
          "name": "x"}, "ranges": [{"type": "SEMVER", "events": [
          {"introduced": "0", "fixed": "1"}]}]}]})",
      R"({"id": "A", "affected": [{"package": {"ecosystem": "Go",
          "name": "x"}, "ranges": [{"type": "SEMVER", "events": [{}]}]}]})",
      R"({"id": "A", "affected": [{"package": {"ecosystem": "Go",
          "name": "x"}, "ranges": [{"type": "SEMVER", "events": [
          {"introduced": null}]}]}]})",
      R"({"id": "A", "affected": [{"package": {"ecosystem": "Go",
          "name": "x"}, "ranges": [{"type": "SEMVER", "events": [
          {"introduced": ""}]}]}]})",
      R"({"id": "A", "affected": [{"package": {"ecosystem": "Go",
          "name": "x"}, "versions": {}}]})",
      R"({"id": "A", "affected": [{"package": {"ecosystem": "Go",
          "name": "x"}, "versions": ["1", 2]}]})",
      R"({"id": "A", "affected": [{"package": {"ecosystem": "Go",
          "name": "x"}, "versions": ["1\n"]}]})",
      R"({"id": "A", "affected": [{"package": {"ecosystem": "Go",
          "name": "x"}}, {"package": {"ecosystem": 1, "name": "x"}},
          {"package": {"ecosystem": "Go", "name": 2}}]})",
      R"({"id": "MAL-1", "details": null, "aliases": null, "affected": null})",
      "5",
      "\"x\"",
      "null",
      "{}",
  };
  for (const char* text : kCases) ExpectSame(text);
}

TEST(ParseOsvBytesTest, CapsCountsLikeTheDomPath) {
  auto repeat = [](std::string_view item, size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) {
      if (i) out += ",";
      out += item;
    }
    return out;
  };
  const std::string affected_head =
      R"({"id": "A", "affected": [{"package": {"ecosystem": "Go",
      "name": "x"}, )";
  const std::vector<std::string> cases = {
      R"({"id": "A", "aliases": [)" + repeat(R"("x")", kMaxAliases + 1) + "]}",
      R"({"id": "A", "aliases": [)" + repeat(R"("x")", kMaxAliases + 1) +
          ", 5]}",
      R"({"id": "A", "severity": [)" +
          repeat(R"({"type": "a", "score": "b"})", kMaxSeverities + 1) + "]}",
      R"({"id": "A", "references": [)" +
          repeat(R"({"url": "https://x"})", kMaxReferences + 5) + "]}",
      R"({"id": "A", "affected": [)" + repeat("{}", kMaxAffected + 1) + "]}",
      affected_head + R"("ranges": [)" +
          repeat(R"({"type": "GIT", "events": [{"introduced": "0"}]})",
                 kMaxRanges + 1) +
          "]}]}",
      affected_head + R"("ranges": [{"type": "GIT", "events": [)" +
          repeat(R"({"fixed": "1"})", kMaxEvents + 1) + "]}]}]}",
      affected_head + R"("ranges": [{"type": "GIT", "events": [)" +
          repeat(R"({"fixed": "1"})", kMaxEvents) + "]}]}]}",
      affected_head + R"("versions": [)" + repeat(R"("1")", 3) + "]}]}",
      R"({"id": ")" + std::string(kMaxIdBytes + 1, 'a') + R"("})",
      R"({"id": "A", "aliases": [")" + std::string(kMaxIdBytes + 1, 'a') +
          R"("]})",
      R"({"id": "A", "summary": ")" + std::string(kMaxSummaryBytes, 'a') +
          R"(\u00e9", "details": ")" + std::string(20000, 'd') + R"("})",
      affected_head + R"("versions": [")" +
          std::string(kMaxVersionBytes + 1, '1') + R"("]}]})",
  };
  for (const std::string& text : cases) ExpectSame(text);
  EXPECT_EQ(Message(cases[0]), "GO-2022-0646.json: A: more than 1024 aliases");
  EXPECT_EQ(Message(cases[1]),
            "GO-2022-0646.json: A: field \"aliases\" must be an array of "
            "strings");
  EXPECT_EQ(Message(cases[6]),
            "GO-2022-0646.json: A: more than 4096 range "
            "events");
  EXPECT_EQ(
      ParseOsvBytes(std::string(kMaxRecordBytes + 1, ' '), kName).status(),
      ResourceExhaustedError("GO-2022-0646.json is 16777217 bytes, "
                             "over the cap of 16777216"));
}

TEST(ParseOsvBytesTest, CapsNesting) {
  const int depth = caps::kMaxJsonDepth;
  // A value inside the record object and depth-1 arrays: at the cap.
  std::string ok = R"({"id": "A", "x": )" + std::string(depth - 1, '[') + "1" +
                   std::string(depth - 1, ']') + "}";
  EXPECT_TRUE(ParseOsvBytes(ok, kName).ok());
  std::string deep = R"({"id": "A", "x": )" + std::string(depth, '[') + "1" +
                     std::string(depth, ']') + "}";
  EXPECT_EQ(ParseOsvBytes(deep, kName).status(),
            ResourceExhaustedError("GO-2022-0646.json nests deeper than 64 "
                                   "levels"));
  ExpectSame(ok);
  ExpectSame(deep);
  // Deep inside a kept member, and an unterminated deep document.
  ExpectSame(R"({"id": "A", "affected": [{"package": )" +
             std::string(100, '[') + "}]}");
  ExpectSame(std::string(100000, '['));
}

TEST(ParseOsvBytesTest, TruncationAtEveryByteIsRefusedLikeTheDomPath) {
  const std::string text(kRealRecord);
  for (size_t n = 0; n < text.size(); ++n) {
    Result<Record> sax = ParseOsvBytes(text.substr(0, n), kName);
    ASSERT_FALSE(sax.ok()) << n;
    EXPECT_EQ(sax.status(), ViaDom(text.substr(0, n)).status()) << n;
  }
  EXPECT_EQ(Message("{\"id\": \"A"),
            "GO-2022-0646.json is not valid JSON: parse error at line 1, "
            "column 10: syntax error while parsing "
            "value - invalid string: missing closing quote; last read: "
            "'\"A'");
}

TEST(ParseOsvBytesTest, CorruptedBytesAgreeWithTheDomPath) {
  const std::string text(kRealRecord);
  for (size_t i = 0; i < text.size(); ++i) {
    for (char c : {'"', '{', ']', '1', 'x', '\0', '\xff', ',', ':'}) {
      std::string bad = text;
      bad[i] = c;
      ExpectSame(bad);
    }
  }
}

// The fast parser (RapidJSON) hands anything it does not accept, or that
// nlohmann would judge differently, to the reference parser: the verdict on
// these edge cases is nlohmann's, as in the DOM path.
TEST(ParseOsvBytesTest, EdgeCasesOfTheFastParserAgreeWithTheDomPath) {
  const std::string head = R"({"id": "GO-1", "summary": ")";
  const std::string tail = R"(", "affected": []})";
  for (std::string_view inner :
       {R"(\uDC00)", R"(\uD800)", R"(\uD800\u0041)", R"(\uD83D\uDE00)",
        R"(\uDBFF\uDFFF)", "\xED\xA0\x80", "\xED\x9F\xBF", "\xC0\xAF",
        "\xE0\x80\xAF", "\xF4\x90\x80\x80", "\xF0\x9F\x98\x80", "\x7F", "\x1F",
        R"(\u0000)", "a\tb", R"(\/\b\f)", R"(\x)", "\xFE"}) {
    ExpectSame(head + std::string(inner) + tail);
  }
  const std::string doc = head + "x" + tail;
  for (const std::string& text :
       {"\xEF\xBB\xBF" + doc, doc + std::string("\0", 1),
        doc + std::string("\0", 1) + "{}", doc + " \n\t\r ", doc + "{}",
        " " + doc, std::string(R"({"id": "GO-1", "n": 1e400})"),
        std::string(R"({"id": "GO-1", "n": -0, "m": 1.5E+3, "k": 01})"),
        std::string(R"({"id": "GO-1", "n": 18446744073709551616})"),
        std::string(R"({"id": "GO-1", "n": NaN})"),
        std::string(R"({"id": "GO-1", /* c */ "n": 1})"),
        std::string(R"({"id": "GO-1", "n": [1,]})"),
        std::string(R"({"id": "GO-1",})"), std::string(R"({"\uDC00": 1})"),
        std::string(R"({"id": "GO-1", "aliases": ["\uDFFF"]})")}) {
    ExpectSame(text);
  }
  // Nesting at and just past the cap.
  for (int depth : {caps::kMaxJsonDepth - 1, caps::kMaxJsonDepth,
                    caps::kMaxJsonDepth + 1}) {
    ExpectSame(R"({"id": "GO-1", "x": )" + std::string(depth, '[') +
               std::string(depth, ']') + "}");
  }
}

// Every record of the lab's OSV corpus, when ../shared is there: the SAX
// parser keeps exactly what the DOM path kept.
TEST(ParseOsvBytesTest, AgreesWithTheDomPathOnTheRealCorpus) {
  namespace fs = std::filesystem;
  const fs::path corpus =
      fs::path(STRATA_SOURCE_DIR) / ".." / "shared" / "fixtures" / "osv-corpus";
  if (!fs::exists(corpus)) GTEST_SKIP() << "no " << corpus.string();
  size_t records = 0;
  for (const char* zip : {"AlmaLinux-all.zip", "Go-all.zip", "PyPI-all.zip"}) {
    std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(),
                                                             archive_read_free);
    archive_read_support_format_zip(a.get());
    ASSERT_EQ(
        archive_read_open_filename(a.get(), (corpus / zip).c_str(), 1 << 16),
        ARCHIVE_OK);
    archive_entry* e = nullptr;
    while (archive_read_next_header(a.get(), &e) == ARCHIVE_OK) {
      std::string text, chunk(1 << 16, '\0');
      la_ssize_t n;
      while ((n = archive_read_data(a.get(), chunk.data(), chunk.size())) > 0) {
        text.append(chunk.data(), static_cast<size_t>(n));
      }
      ASSERT_EQ(n, 0) << archive_entry_pathname(e);
      Result<Record> sax = ParseOsvBytes(text, kName);
      ASSERT_TRUE(sax.ok()) << sax.status().ToString();
      EXPECT_EQ(Stored(*sax), Stored(*ViaDom(text)))
          << archive_entry_pathname(e);
      ++records;
    }
  }
  EXPECT_EQ(records, 5637u + 4291u + 2661u);
}

}  // namespace
}  // namespace strata::vulndb::internal
