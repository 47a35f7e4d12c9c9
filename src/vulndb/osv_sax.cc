#include "vulndb/osv_sax.h"

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "base/caps.h"
#include "base/json.h"

namespace strata::vulndb::internal {
namespace {

using json::Json;

constexpr size_t kMaxUrlBytes = 4 * kMaxVersionBytes;  // longer: dropped

Status MustBe(std::string_view key, std::string_view want) {
  return DataLossError("field \"" + std::string(key) + "\" must be " +
                       std::string(want));
}

// A member that should be a string: absent (or null), a string, or not.
struct StrField {
  enum State { kAbsent, kString, kWrong } state = kAbsent;
  std::string value;
};

Result<std::string> Required(StrField& f, std::string_view key) {
  if (f.state == StrField::kWrong) return MustBe(key, "a string");
  if (f.state == StrField::kAbsent) {
    return DataLossError("field \"" + std::string(key) + "\" is missing");
  }
  return std::move(f.value);
}

Result<std::string> Optional(StrField& f, std::string_view key) {
  if (f.state == StrField::kWrong) return MustBe(key, "a string");
  return f.state == StrField::kString ? std::move(f.value) : std::string();
}

// A member that should be an array or object: its state, how many elements
// it had and the first element's error.
struct Container {
  enum State { kAbsent, kPresent, kWrong } state = kAbsent;
  size_t count = 0;
  Status first_error;
  void Reset(State s) {
    state = s;
    count = 0;
    first_error = Status::Ok();
  }
  void Fail(Status st) {
    if (first_error.ok()) first_error = std::move(st);
  }
};

// Where the parser is: the innermost open container.
enum class Frame {
  kTop,
  kAliases,
  kSeverity,
  kSeverityItem,
  kReferences,
  kReferenceItem,
  kDatabaseSpecific,
  kAffected,
  kAffectedItem,
  kPackage,
  kRanges,
  kRange,
  kEvents,
  kEvent,
  kVersions,
  kSkip,  // a container whose content is not kept
};

// The member the next value belongs to.
enum class Key {
  kOther,
  kId,
  kPublished,
  kModified,
  kWithdrawn,
  kSummary,
  kDetails,
  kAliases,
  kSeverity,
  kReferences,
  kDatabaseSpecific,
  kAffected,
  kMalicious,
  kType,
  kScore,
  kUrl,
  kPackage,
  kRanges,
  kVersions,
  kEcosystem,
  kName,
  kEvents,
};

Key TopKey(std::string_view k) {
  static constexpr std::pair<std::string_view, Key> kKeys[] = {
      {"id", Key::kId},
      {"published", Key::kPublished},
      {"modified", Key::kModified},
      {"withdrawn", Key::kWithdrawn},
      {"summary", Key::kSummary},
      {"details", Key::kDetails},
      {"aliases", Key::kAliases},
      {"severity", Key::kSeverity},
      {"references", Key::kReferences},
      {"database_specific", Key::kDatabaseSpecific},
      {"affected", Key::kAffected},
  };
  for (const auto& [name, key] : kKeys) {
    if (name == k) return key;
  }
  return Key::kOther;
}

// The kind of a JSON value as the SAX events deliver it.
enum class Kind { kNull, kBool, kNumber, kString, kObject, kArray };

bool IsContainer(Kind k) { return k == Kind::kObject || k == Kind::kArray; }

void Assign(StrField& f, Kind kind, std::string_view s) {
  if (kind == Kind::kString) {
    f.state = StrField::kString;
    f.value.assign(s);
  } else {
    f.state = kind == Kind::kNull ? StrField::kAbsent : StrField::kWrong;
    f.value.clear();
  }
}

Status InvalidJson(std::string_view what, std::string msg) {
  // "[json.exception.parse_error.101] parse error at line 1, column 2: ..."
  if (auto p = msg.find("] "); p != std::string::npos) msg = msg.substr(p + 2);
  return DataLossError(std::string(what) + " is not valid JSON: " + msg);
}

// Builds the Record from parser events. The parsers below only forward to
// it, so both see one set of rules.
class OsvHandler {
 public:
  OsvHandler() { frames_.reserve(caps::kMaxJsonDepth + 1); }

  bool too_deep() const { return too_deep_; }
  // Whether the record names itself with an id fit for messages.
  bool usable_id() const {
    return root_is_object_ && id_.state == StrField::kString &&
           CheckId(id_.value).ok();
  }
  const std::string& id() const { return id_.value; }
  // The record after a successful parse.
  Result<Record> Finish();

  bool Null() { return Value(Kind::kNull, {}, false); }
  bool Bool(bool v) { return Value(Kind::kBool, {}, v); }
  bool Number() { return Value(Kind::kNumber, {}, false); }
  bool String(std::string_view v) { return Value(Kind::kString, v, false); }
  bool StartObject() { return Value(Kind::kObject, {}, false); }
  bool StartArray() { return Value(Kind::kArray, {}, false); }
  bool ObjectKey(std::string_view k);
  bool End();

 private:
  // Same rule as json::Parse: a value, key or container start is too deep
  // when more than kMaxJsonDepth containers enclose it.
  bool Fits() {
    if (frames_.size() > static_cast<size_t>(caps::kMaxJsonDepth)) {
      too_deep_ = true;
    }
    return !too_deep_;
  }
  bool Value(Kind kind, std::string_view s, bool b);
  // The frame a value opens in the innermost container (kSkip when its
  // content is not kept); for scalars, stores what is kept.
  Frame Dispatch(Kind kind, std::string_view s, bool b);
  Frame TopMember(Kind kind, std::string_view s);
  // A member that must be an array: opens `frame` or records its state.
  Frame ArrayMember(Container& c, Kind kind, Frame frame);
  void EndSeverityItem();
  void EndEvent();
  void EndRange();
  void EndAffectedItem();

  std::vector<Frame> frames_;
  Key key_ = Key::kOther;
  bool too_deep_ = false;
  bool root_is_object_ = false;

  // The record's members (last value of a repeated key wins).
  StrField id_, published_, modified_, withdrawn_, summary_, details_;
  Container aliases_, severity_, references_, database_specific_, affected_;
  std::vector<std::string> alias_values_;
  Advisory adv_;  // severity and references as they are read
  bool malicious_ = false;
  std::vector<Affected> rows_;

  // The open severity item, reference, affected entry, range and event.
  StrField sev_type_, sev_score_, url_;
  Container package_, ranges_, versions_;
  StrField ecosystem_, name_;
  Affected row_;
  StrField range_type_;
  Container events_;
  Range range_;
  int event_keys_ = 0;  // distinct keys, counted up to 2
  std::string event_key_;
  StrField event_value_;
};

bool OsvHandler::ObjectKey(std::string_view k) {
  if (!Fits()) return false;
  switch (frames_.back()) {
    case Frame::kTop:
      key_ = TopKey(k);
      break;
    case Frame::kSeverityItem:
      key_ = k == "type"    ? Key::kType
             : k == "score" ? Key::kScore
                            : Key::kOther;
      break;
    case Frame::kReferenceItem:
      key_ = k == "url" ? Key::kUrl : Key::kOther;
      break;
    case Frame::kDatabaseSpecific:
      key_ = k == "malicious" ? Key::kMalicious : Key::kOther;
      break;
    case Frame::kAffectedItem:
      key_ = k == "package"    ? Key::kPackage
             : k == "ranges"   ? Key::kRanges
             : k == "versions" ? Key::kVersions
                               : Key::kOther;
      break;
    case Frame::kPackage:
      key_ = k == "ecosystem" ? Key::kEcosystem
             : k == "name"    ? Key::kName
                              : Key::kOther;
      break;
    case Frame::kRange:
      key_ = k == "type"     ? Key::kType
             : k == "events" ? Key::kEvents
                             : Key::kOther;
      break;
    case Frame::kEvent:
      if (event_keys_ == 0) {
        event_key_.assign(k);
        event_keys_ = 1;
      } else if (event_keys_ == 1 && k != event_key_) {
        event_keys_ = 2;
      }
      event_value_ = StrField();
      break;
    default:
      key_ = Key::kOther;
  }
  return true;
}

bool OsvHandler::Value(Kind kind, std::string_view s, bool b) {
  if (!Fits()) return false;
  Frame next = Frame::kSkip;
  if (frames_.empty()) {
    root_is_object_ = kind == Kind::kObject;
    if (root_is_object_) next = Frame::kTop;
  } else if (frames_.back() != Frame::kSkip) {
    next = Dispatch(kind, s, b);
  }
  if (IsContainer(kind)) frames_.push_back(next);
  return true;
}

Frame OsvHandler::ArrayMember(Container& c, Kind kind, Frame frame) {
  if (kind == Kind::kArray) {
    c.Reset(Container::kPresent);
    return frame;
  }
  c.Reset(kind == Kind::kNull ? Container::kAbsent : Container::kWrong);
  return Frame::kSkip;
}

Frame OsvHandler::TopMember(Kind kind, std::string_view s) {
  switch (key_) {
    case Key::kId:
      Assign(id_, kind, s);
      break;
    case Key::kPublished:
      Assign(published_, kind, s);
      break;
    case Key::kModified:
      Assign(modified_, kind, s);
      break;
    case Key::kWithdrawn:
      Assign(withdrawn_, kind, s);
      break;
    case Key::kSummary:
      Assign(summary_, kind, s);
      break;
    case Key::kDetails:
      Assign(details_, kind, s);
      break;
    case Key::kAliases:
      alias_values_.clear();
      return ArrayMember(aliases_, kind, Frame::kAliases);
    case Key::kSeverity:
      adv_.severity.clear();
      return ArrayMember(severity_, kind, Frame::kSeverity);
    case Key::kReferences:
      adv_.references.clear();
      return ArrayMember(references_, kind, Frame::kReferences);
    case Key::kAffected:
      rows_.clear();
      return ArrayMember(affected_, kind, Frame::kAffected);
    case Key::kDatabaseSpecific:
      malicious_ = false;
      if (kind == Kind::kObject) {
        database_specific_.Reset(Container::kPresent);
        return Frame::kDatabaseSpecific;
      }
      database_specific_.Reset(kind == Kind::kNull ? Container::kAbsent
                                                   : Container::kWrong);
      break;
    default:
      break;
  }
  return Frame::kSkip;
}

Frame OsvHandler::Dispatch(Kind kind, std::string_view s, bool b) {
  switch (frames_.back()) {
    case Frame::kTop:
      return TopMember(kind, s);
    case Frame::kAliases:
      ++aliases_.count;
      if (kind != Kind::kString) {
        aliases_.Fail(MustBe("aliases", "an array of strings"));
      } else if (alias_values_.size() < kMaxAliases) {
        alias_values_.emplace_back(s);
      }
      return Frame::kSkip;
    case Frame::kSeverity:
      if (++severity_.count > kMaxSeverities) return Frame::kSkip;
      if (kind != Kind::kObject) {
        severity_.Fail(DataLossError("a severity must be an object"));
        return Frame::kSkip;
      }
      sev_type_ = StrField();
      sev_score_ = StrField();
      return Frame::kSeverityItem;
    case Frame::kSeverityItem:
      if (key_ == Key::kType) Assign(sev_type_, kind, s);
      if (key_ == Key::kScore) Assign(sev_score_, kind, s);
      return Frame::kSkip;
    case Frame::kReferences:
      if (kind != Kind::kObject || adv_.references.size() == kMaxReferences) {
        return Frame::kSkip;
      }
      url_ = StrField();
      return Frame::kReferenceItem;
    case Frame::kReferenceItem:
      if (key_ == Key::kUrl) Assign(url_, kind, s);
      return Frame::kSkip;
    case Frame::kDatabaseSpecific:
      if (key_ == Key::kMalicious) malicious_ = kind == Kind::kBool && b;
      return Frame::kSkip;
    case Frame::kAffected:
      if (++affected_.count > kMaxAffected) return Frame::kSkip;
      if (kind != Kind::kObject) {
        affected_.Fail(DataLossError("an affected entry must be an object"));
        return Frame::kSkip;
      }
      package_.Reset(Container::kAbsent);
      ecosystem_ = StrField();
      name_ = StrField();
      ranges_.Reset(Container::kAbsent);
      versions_.Reset(Container::kAbsent);
      row_ = Affected();
      return Frame::kAffectedItem;
    case Frame::kAffectedItem:
      if (key_ == Key::kPackage) {
        ecosystem_ = StrField();
        name_ = StrField();
        if (kind == Kind::kObject) {
          package_.Reset(Container::kPresent);
          return Frame::kPackage;
        }
        package_.Reset(kind == Kind::kNull ? Container::kAbsent
                                           : Container::kWrong);
      } else if (key_ == Key::kRanges) {
        row_.ranges.clear();
        return ArrayMember(ranges_, kind, Frame::kRanges);
      } else if (key_ == Key::kVersions) {
        row_.versions.clear();
        return ArrayMember(versions_, kind, Frame::kVersions);
      }
      return Frame::kSkip;
    case Frame::kPackage:
      if (key_ == Key::kEcosystem) Assign(ecosystem_, kind, s);
      if (key_ == Key::kName) Assign(name_, kind, s);
      return Frame::kSkip;
    case Frame::kRanges:
      if (++ranges_.count > kMaxRanges) return Frame::kSkip;
      if (kind != Kind::kObject) {
        ranges_.Fail(DataLossError("a range must be an object"));
        return Frame::kSkip;
      }
      range_type_ = StrField();
      events_.Reset(Container::kAbsent);
      range_ = Range();
      return Frame::kRange;
    case Frame::kRange:
      if (key_ == Key::kType) Assign(range_type_, kind, s);
      if (key_ == Key::kEvents) {
        range_.events.clear();
        return ArrayMember(events_, kind, Frame::kEvents);
      }
      return Frame::kSkip;
    case Frame::kEvents:
      if (++events_.count > kMaxEvents) return Frame::kSkip;
      if (kind != Kind::kObject) {
        events_.Fail(
            DataLossError("a range event must be an object with one key"));
        return Frame::kSkip;
      }
      event_keys_ = 0;
      event_key_.clear();
      event_value_ = StrField();
      return Frame::kEvent;
    case Frame::kEvent:
      Assign(event_value_, kind, s);
      return Frame::kSkip;
    case Frame::kVersions:
      if (++versions_.count > kMaxVersions) return Frame::kSkip;
      if (kind != Kind::kString) {
        versions_.Fail(
            DataLossError("field \"versions\" must be an array of strings"));
        return Frame::kSkip;
      }
      if (Status st = CheckToken("version", s); !st.ok()) {
        versions_.Fail(std::move(st));
      } else {
        row_.versions.emplace_back(s);
      }
      return Frame::kSkip;
    case Frame::kSkip:
      break;
  }
  return Frame::kSkip;
}

bool OsvHandler::End() {
  const Frame frame = frames_.back();
  frames_.pop_back();
  switch (frame) {
    case Frame::kSeverityItem:
      EndSeverityItem();
      break;
    case Frame::kReferenceItem:
      if (url_.state == StrField::kString && !url_.value.empty() &&
          url_.value.size() <= kMaxUrlBytes) {
        adv_.references.push_back(std::move(url_.value));
      }
      break;
    case Frame::kEvent:
      EndEvent();
      break;
    case Frame::kRange:
      EndRange();
      break;
    case Frame::kAffectedItem:
      EndAffectedItem();
      break;
    default:
      break;
  }
  return true;
}

void OsvHandler::EndSeverityItem() {
  Result<std::string> type = Required(sev_type_, "type");
  if (!type.ok()) return severity_.Fail(type.status());
  Result<std::string> score = Required(sev_score_, "score");
  if (!score.ok()) return severity_.Fail(score.status());
  adv_.severity.emplace_back(Truncate(std::move(*type), kMaxIdBytes),
                             Truncate(std::move(*score), kMaxVersionBytes));
}

void OsvHandler::EndEvent() {
  static constexpr std::pair<std::string_view, Event::Kind> kKinds[] = {
      {"introduced", Event::kIntroduced},
      {"fixed", Event::kFixed},
      {"last_affected", Event::kLastAffected},
      {"limit", Event::kLimit},
  };
  if (event_keys_ != 1) {
    return events_.Fail(
        DataLossError("a range event must be an object with one key"));
  }
  for (const auto& [name, kind] : kKinds) {
    if (name != event_key_) continue;
    if (event_value_.state != StrField::kString) {
      return events_.Fail(
          DataLossError("range event \"" + event_key_ + "\" must be a string"));
    }
    if (Status st = CheckToken("version", event_value_.value); !st.ok()) {
      return events_.Fail(std::move(st));
    }
    range_.events.push_back(Event{kind, std::move(event_value_.value)});
    return;
  }
  events_.Fail(DataLossError("unknown range event \"" + event_key_ + "\""));
}

void OsvHandler::EndRange() {
  Result<std::string> type = Required(range_type_, "type");
  if (!type.ok()) return ranges_.Fail(type.status());
  if (*type != "ECOSYSTEM" && *type != "SEMVER" && *type != "GIT") {
    return ranges_.Fail(DataLossError("unknown range type \"" +
                                      Truncate(*type, kMaxIdBytes) + "\""));
  }
  if (events_.state == Container::kWrong) {
    return ranges_.Fail(MustBe("events", "an array"));
  }
  if (events_.count == 0) {
    return ranges_.Fail(DataLossError("a range has no events"));
  }
  if (events_.count > kMaxEvents) {
    return ranges_.Fail(TooMany("range events", kMaxEvents));
  }
  if (!events_.first_error.ok()) return ranges_.Fail(events_.first_error);
  range_.type = std::move(*type);
  row_.ranges.push_back(std::move(range_));
}

void OsvHandler::EndAffectedItem() {
  if (package_.state == Container::kAbsent) return;  // GIT-only: dropped
  auto check = [&]() -> Status {
    if (package_.state == Container::kWrong) {
      return MustBe("package", "an object");
    }
    ASSIGN_OR_RETURN(row_.ecosystem, Required(ecosystem_, "ecosystem"));
    RETURN_IF_ERROR(CheckToken("ecosystem", row_.ecosystem));
    ASSIGN_OR_RETURN(std::string name, Required(name_, "name"));
    RETURN_IF_ERROR(CheckToken("package name", name));
    row_.name = NormalizeName(row_.ecosystem, name);
    if (ranges_.state == Container::kWrong) return MustBe("ranges", "an array");
    if (ranges_.count > kMaxRanges) return TooMany("ranges", kMaxRanges);
    RETURN_IF_ERROR(ranges_.first_error);
    if (versions_.state == Container::kWrong) {
      return MustBe("versions", "an array");
    }
    if (versions_.count > kMaxVersions) {
      return TooMany("affected versions", kMaxVersions);
    }
    return versions_.first_error;
  };
  if (Status st = check(); !st.ok()) return affected_.Fail(std::move(st));
  row_.source = "osv";
  rows_.push_back(std::move(row_));
}

Result<Record> OsvHandler::Finish() {
  if (!root_is_object_) {
    return DataLossError("an OSV record must be an object");
  }
  Record rec;
  Advisory& adv = rec.advisory;
  if (id_.state != StrField::kString) return Required(id_, "id").status();
  adv.id = id_.value;
  RETURN_IF_ERROR(CheckToken("id", adv.id));
  if (adv.id.size() > kMaxIdBytes) {
    return ResourceExhaustedError("id is longer than " +
                                  std::to_string(kMaxIdBytes) + " bytes");
  }
  adv.source = "osv";
  ASSIGN_OR_RETURN(adv.published, Optional(published_, "published"));
  ASSIGN_OR_RETURN(adv.modified, Optional(modified_, "modified"));
  ASSIGN_OR_RETURN(adv.withdrawn, Optional(withdrawn_, "withdrawn"));
  ASSIGN_OR_RETURN(std::string summary, Optional(summary_, "summary"));
  adv.summary = Truncate(std::move(summary), kMaxSummaryBytes);
  ASSIGN_OR_RETURN(std::string details, Optional(details_, "details"));
  adv.details = Truncate(std::move(details), kMaxDetailsBytes);
  if (aliases_.state == Container::kWrong) {
    return MustBe("aliases", "an array of strings");
  }
  RETURN_IF_ERROR(aliases_.first_error);
  if (aliases_.count > kMaxAliases) return TooMany("aliases", kMaxAliases);
  for (const std::string& a : alias_values_) {
    RETURN_IF_ERROR(CheckToken("alias", a));
    if (a.size() > kMaxIdBytes) {
      return ResourceExhaustedError("alias is longer than " +
                                    std::to_string(kMaxIdBytes) + " bytes");
    }
  }
  adv.aliases = std::move(alias_values_);
  if (severity_.state == Container::kWrong)
    return MustBe("severity", "an array");
  if (severity_.count > kMaxSeverities) {
    return TooMany("severities", kMaxSeverities);
  }
  RETURN_IF_ERROR(severity_.first_error);
  adv.severity = std::move(adv_.severity);
  if (references_.state == Container::kWrong) {
    return MustBe("references", "an array");
  }
  adv.references = std::move(adv_.references);
  if (database_specific_.state == Container::kWrong) {
    return MustBe("database_specific", "an object");
  }
  adv.malicious = malicious_ || adv.id.starts_with("MAL-");
  if (affected_.state == Container::kWrong)
    return MustBe("affected", "an array");
  if (affected_.count > kMaxAffected) {
    return TooMany("affected entries", kMaxAffected);
  }
  RETURN_IF_ERROR(affected_.first_error);
  for (Affected& row : rows_) row.id = adv.id;
  rec.affected = std::move(rows_);
  return rec;
}

// nlohmann's SAX events: the reference parser, whose syntax errors are
// the ones json::Parse reports.
class NlohmannEvents final : public nlohmann::json_sax<Json> {
 public:
  explicit NlohmannEvents(OsvHandler& h) : h_(h) {}
  const std::string& error() const { return error_; }

  bool null() override { return h_.Null(); }
  bool boolean(bool v) override { return h_.Bool(v); }
  bool number_integer(number_integer_t) override { return h_.Number(); }
  bool number_unsigned(number_unsigned_t) override { return h_.Number(); }
  bool number_float(number_float_t, const string_t&) override {
    return h_.Number();
  }
  bool string(string_t& v) override { return h_.String(v); }
  bool binary(binary_t&) override { return h_.Number(); }
  bool start_object(std::size_t) override { return h_.StartObject(); }
  bool start_array(std::size_t) override { return h_.StartArray(); }
  bool key(string_t& k) override { return h_.ObjectKey(k); }
  bool end_object() override { return h_.End(); }
  bool end_array() override { return h_.End(); }
  bool parse_error(std::size_t, const std::string&,
                   const Json::exception& e) override {
    error_ = e.what();
    return false;
  }

 private:
  OsvHandler& h_;
  std::string error_;
};

// RapidJSON's events: the fast path. RapidJSON 1.1 decodes an escaped lone
// low surrogate (\uDC00) into UTF-8 that is not valid, where nlohmann
// rejects the document; a decoded string holding such a sequence (ED A0..BF)
// ends the fast path so that the reference parser decides.
class RapidEvents {
 public:
  explicit RapidEvents(OsvHandler& h) : h_(h) {}
  bool Null() { return h_.Null(); }
  bool Bool(bool v) { return h_.Bool(v); }
  bool Int(int) { return h_.Number(); }
  bool Uint(unsigned) { return h_.Number(); }
  bool Int64(int64_t) { return h_.Number(); }
  bool Uint64(uint64_t) { return h_.Number(); }
  bool Double(double) { return h_.Number(); }
  bool RawNumber(const char*, rapidjson::SizeType, bool) { return h_.Number(); }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    return Valid(s, n) && h_.String(std::string_view(s, n));
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    return Valid(s, n) && h_.ObjectKey(std::string_view(s, n));
  }
  bool StartObject() { return h_.StartObject(); }
  bool StartArray() { return h_.StartArray(); }
  bool EndObject(rapidjson::SizeType) { return h_.End(); }
  bool EndArray(rapidjson::SizeType) { return h_.End(); }

 private:
  static bool Valid(const char* s, size_t n) {
    const char* end = s + n;
    for (const char* p = s;
         (p = static_cast<const char*>(std::memchr(p, 0xED, end - p)));) {
      if (++p < end && static_cast<unsigned char>(*p) >= 0xA0) return false;
    }
    return true;
  }
  OsvHandler& h_;
};

// Whether RapidJSON accepts all of `bytes` as one JSON document and the
// handler all of its events.
bool FastParse(std::string_view bytes, OsvHandler& handler) {
  constexpr unsigned kFlags =
      rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag;
  rapidjson::MemoryStream stream(bytes.data(), bytes.size());
  RapidEvents events(handler);
  rapidjson::Reader reader;
  if (reader.Parse<kFlags>(stream, events).IsError()) return false;
  // The stream reads NUL as its end: the document must end at the last byte.
  return stream.Tell() == bytes.size();
}

Result<Record> Finish(OsvHandler& handler, std::string_view name) {
  Result<Record> rec = handler.Finish();
  if (rec.ok()) return rec;
  Status st = std::move(rec).status();
  // Name the record when it has a usable id, as ParseOsv does.
  if (handler.usable_id()) st = std::move(st).WithContext(handler.id());
  return std::move(st).WithContext(name);
}

}  // namespace

Result<Record> ParseOsvBytes(std::string_view bytes, std::string_view name) {
  if (static_cast<int64_t>(bytes.size()) > kMaxRecordBytes) {
    return ResourceExhaustedError(
        std::string(name) + " is " + std::to_string(bytes.size()) +
        " bytes, over the cap of " + std::to_string(kMaxRecordBytes));
  }
  {
    // Every document RapidJSON (with these flags) and the checks above
    // accept, nlohmann accepts with the same events. Anything else goes to
    // nlohmann, whose verdict and wording are the contract.
    OsvHandler handler;
    if (FastParse(bytes, handler)) return Finish(handler, name);
  }
  OsvHandler handler;
  NlohmannEvents events(handler);
  bool ok = false;
  try {
    ok = Json::sax_parse(bytes.begin(), bytes.end(), &events,
                         Json::input_format_t::json, /*strict=*/true,
                         /*ignore_comments=*/false);
  } catch (const Json::exception& e) {
    return InvalidJson(name, e.what());
  }
  if (!ok) {
    if (handler.too_deep()) {
      return ResourceExhaustedError(std::string(name) + " nests deeper than " +
                                    std::to_string(caps::kMaxJsonDepth) +
                                    " levels");
    }
    return InvalidJson(name, events.error());
  }
  return Finish(handler, name);
}

}  // namespace strata::vulndb::internal
