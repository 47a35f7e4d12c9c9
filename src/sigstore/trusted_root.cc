#include "sigstore/trusted_root.h"

#include <array>
#include <charconv>
#include <utility>

#include "base/base64.h"

namespace strata::sigstore {

namespace {

constexpr std::string_view kMediaTypes[] = {
    "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
    "application/vnd.dev.sigstore.trustedroot.v0.1+json",
    "application/vnd.dev.sigstore.trustedroot.v0.2+json",
};

// The PublicKeyDetails strata verifies with.
struct KeySpec {
  std::string_view name;
  crypto::KeyType type;
  int rsa_bits;  // 0: not RSA
  crypto::Hash hash;
  crypto::RsaPadding padding;
};
constexpr KeySpec kKeySpecs[] = {
    {"PKIX_ECDSA_P256_SHA_256", crypto::KeyType::kEcdsaP256, 0,
     crypto::Hash::kSha256, crypto::RsaPadding::kPkcs1v15},
    {"PKIX_ECDSA_P384_SHA_384", crypto::KeyType::kEcdsaP384, 0,
     crypto::Hash::kSha384, crypto::RsaPadding::kPkcs1v15},
    {"PKIX_ECDSA_P521_SHA_512", crypto::KeyType::kEcdsaP521, 0,
     crypto::Hash::kSha512, crypto::RsaPadding::kPkcs1v15},
    {"PKIX_ECDSA_P384_SHA_256", crypto::KeyType::kEcdsaP384, 0,
     crypto::Hash::kSha256, crypto::RsaPadding::kPkcs1v15},
    {"PKIX_ECDSA_P521_SHA_256", crypto::KeyType::kEcdsaP521, 0,
     crypto::Hash::kSha256, crypto::RsaPadding::kPkcs1v15},
    {"PKIX_ED25519", crypto::KeyType::kEd25519, 0, crypto::Hash::kSha256,
     crypto::RsaPadding::kPkcs1v15},
    {"PKIX_RSA_PKCS1V15_2048_SHA256", crypto::KeyType::kRsa, 2048,
     crypto::Hash::kSha256, crypto::RsaPadding::kPkcs1v15},
    {"PKIX_RSA_PKCS1V15_3072_SHA256", crypto::KeyType::kRsa, 3072,
     crypto::Hash::kSha256, crypto::RsaPadding::kPkcs1v15},
    {"PKIX_RSA_PKCS1V15_4096_SHA256", crypto::KeyType::kRsa, 4096,
     crypto::Hash::kSha256, crypto::RsaPadding::kPkcs1v15},
    {"PKIX_RSA_PSS_2048_SHA256", crypto::KeyType::kRsa, 2048,
     crypto::Hash::kSha256, crypto::RsaPadding::kPss},
    {"PKIX_RSA_PSS_3072_SHA256", crypto::KeyType::kRsa, 3072,
     crypto::Hash::kSha256, crypto::RsaPadding::kPss},
    {"PKIX_RSA_PSS_4096_SHA256", crypto::KeyType::kRsa, 4096,
     crypto::Hash::kSha256, crypto::RsaPadding::kPss},
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at text[*pos].
bool Digits(std::string_view text, size_t* pos, size_t n, int* out) {
  if (text.size() - *pos < n) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = text[*pos + i];
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool Expect(std::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// days_from_civil).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

Result<std::optional<std::string>> GetOptionalString(const json::Json& obj,
                                                     std::string_view key) {
  auto it = obj.find(key);
  if (it != obj.end() && it->is_null()) return std::optional<std::string>();
  return json::GetString(obj, key);
}

// An object member that must be an object when present (null = absent).
Result<const json::Json*> GetOptionalObject(const json::Json& obj,
                                            std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  if (!it->is_object()) {
    return DataLossError("field \"" + std::string(key) +
                         "\" must be an object");
  }
  return &*it;
}

Result<const json::Json*> GetOptionalArray(const json::Json& obj,
                                           std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  if (!it->is_array()) {
    return DataLossError("field \"" + std::string(key) + "\" must be an array");
  }
  return &*it;
}

// TimeRange; `what` prefixes the member names in errors ("publicKey.").
Result<TimeRange> ParseTimeRange(const json::Json& obj, std::string what) {
  ASSIGN_OR_RETURN(std::optional<Timestamp> start,
                   GetProtoTimestamp(obj, "start"));
  if (!start) return DataLossError(what + "validFor.start is missing");
  ASSIGN_OR_RETURN(std::optional<Timestamp> end, GetProtoTimestamp(obj, "end"));
  if (end && *end < *start) {
    return DataLossError(what + "validFor ends before it starts");
  }
  return TimeRange{*start, end};
}

Result<LogKey> ParseLogKey(const json::Json& obj) {
  LogKey out;
  ASSIGN_OR_RETURN(std::optional<std::string> details,
                   GetOptionalString(obj, "keyDetails"));
  out.details = details.value_or("PUBLIC_KEY_DETAILS_UNSPECIFIED");
  ASSIGN_OR_RETURN(std::optional<std::string> raw,
                   GetProtoBytes(obj, "rawBytes"));
  out.raw_bytes = raw.value_or("");
  ASSIGN_OR_RETURN(const json::Json* valid_for,
                   GetOptionalObject(obj, "validFor"));
  if (valid_for != nullptr) {
    ASSIGN_OR_RETURN(out.valid_for, ParseTimeRange(*valid_for, "publicKey."));
  }
  if (!raw) return out;
  for (const KeySpec& spec : kKeySpecs) {
    if (spec.name != out.details) continue;
    Result<crypto::PublicKey> key = crypto::PublicKey::FromDer(out.raw_bytes);
    if (!key.ok()) {
      return DataLossError("publicKey.rawBytes: " + key.status().message());
    }
    if (key->type() != spec.type ||
        (spec.rsa_bits != 0 && key->bits() != spec.rsa_bits)) {
      return DataLossError("publicKey.rawBytes is a " + key->TypeName() +
                           " key, not " + out.details);
    }
    out.hash = spec.hash;
    out.padding = spec.padding;
    out.key = std::move(*key);
    break;
  }
  return out;
}

Result<TransparencyLog> ParseLog(const json::Json& obj) {
  if (!obj.is_object()) return DataLossError("must be an object");
  TransparencyLog out;
  ASSIGN_OR_RETURN(std::optional<std::string> base_url,
                   GetOptionalString(obj, "baseUrl"));
  out.base_url = base_url.value_or("");
  ASSIGN_OR_RETURN(std::optional<std::string> hash,
                   GetOptionalString(obj, "hashAlgorithm"));
  out.hash_algorithm = hash.value_or("HASH_ALGORITHM_UNSPECIFIED");
  ASSIGN_OR_RETURN(std::optional<std::string> op,
                   GetOptionalString(obj, "operator"));
  out.operator_name = op.value_or("");
  ASSIGN_OR_RETURN(const json::Json* key, GetOptionalObject(obj, "publicKey"));
  if (key == nullptr) return DataLossError("publicKey is missing");
  ASSIGN_OR_RETURN(out.public_key, ParseLogKey(*key));
  ASSIGN_OR_RETURN(const json::Json* log_id, GetOptionalObject(obj, "logId"));
  std::optional<std::string> id;
  if (log_id != nullptr) {
    ASSIGN_OR_RETURN(id, GetProtoBytes(*log_id, "keyId"));
  }
  if (!id || id->empty()) return DataLossError("logId.keyId is missing");
  out.log_id = std::move(*id);
  ASSIGN_OR_RETURN(const json::Json* ck,
                   GetOptionalObject(obj, "checkpointKeyId"));
  if (ck != nullptr) {
    ASSIGN_OR_RETURN(std::optional<std::string> ck_id,
                     GetProtoBytes(*ck, "keyId"));
    out.checkpoint_key_id = ck_id.value_or("");
  }
  return out;
}

Result<CertificateAuthority> ParseAuthority(const json::Json& obj) {
  if (!obj.is_object()) return DataLossError("must be an object");
  CertificateAuthority out;
  ASSIGN_OR_RETURN(const json::Json* subject,
                   GetOptionalObject(obj, "subject"));
  if (subject != nullptr) {
    ASSIGN_OR_RETURN(std::optional<std::string> org,
                     GetOptionalString(*subject, "organization"));
    ASSIGN_OR_RETURN(std::optional<std::string> cn,
                     GetOptionalString(*subject, "commonName"));
    out.subject_organization = org.value_or("");
    out.subject_common_name = cn.value_or("");
  }
  ASSIGN_OR_RETURN(std::optional<std::string> uri,
                   GetOptionalString(obj, "uri"));
  out.uri = uri.value_or("");
  ASSIGN_OR_RETURN(std::optional<std::string> op,
                   GetOptionalString(obj, "operator"));
  out.operator_name = op.value_or("");
  ASSIGN_OR_RETURN(const json::Json* chain,
                   GetOptionalObject(obj, "certChain"));
  const json::Json* certs = nullptr;
  if (chain != nullptr) {
    ASSIGN_OR_RETURN(certs, GetOptionalArray(*chain, "certificates"));
  }
  if (certs == nullptr || certs->empty()) {
    return DataLossError("certChain has no certificates");
  }
  if (certs->size() > kMaxCertificatesPerChain) {
    return ResourceExhaustedError("certChain has over " +
                                  std::to_string(kMaxCertificatesPerChain) +
                                  " certificates");
  }
  for (size_t i = 0; i < certs->size(); ++i) {
    const json::Json& cert = (*certs)[i];
    const std::string where =
        "certChain.certificates[" + std::to_string(i) + "]";
    if (!cert.is_object()) return DataLossError(where + " must be an object");
    Result<std::optional<std::string>> der = GetProtoBytes(cert, "rawBytes");
    if (!der.ok()) return std::move(der).status().WithContext(where);
    if (!*der || (*der)->empty()) {
      return DataLossError(where + ".rawBytes is missing");
    }
    out.cert_chain.push_back(std::move(**der));
  }
  ASSIGN_OR_RETURN(const json::Json* valid_for,
                   GetOptionalObject(obj, "validFor"));
  if (valid_for == nullptr) return DataLossError("validFor is missing");
  ASSIGN_OR_RETURN(out.valid_for, ParseTimeRange(*valid_for, ""));
  return out;
}

template <typename T, typename F>
Status ParseList(const json::Json& root, std::string_view key, size_t cap,
                 F parse, std::vector<T>* out) {
  ASSIGN_OR_RETURN(const json::Json* list, GetOptionalArray(root, key));
  if (list == nullptr) return Status::Ok();
  if (list->size() > cap) {
    return ResourceExhaustedError(std::string(key) + " has over " +
                                  std::to_string(cap) + " entries");
  }
  out->reserve(list->size());
  for (size_t i = 0; i < list->size(); ++i) {
    Result<T> item = parse((*list)[i]);
    if (!item.ok()) {
      return std::move(item).status().WithContext(std::string(key) + "[" +
                                                  std::to_string(i) + "]");
    }
    out->push_back(std::move(*item));
  }
  return Status::Ok();
}

const TransparencyLog* FindLog(const std::vector<TransparencyLog>& logs,
                               std::string_view log_id) {
  for (const TransparencyLog& log : logs) {
    if (log.log_id == log_id) return &log;
  }
  return nullptr;
}

}  // namespace

Result<Timestamp> ParseTimestamp(std::string_view text) {
  const auto bad = [&] {
    return DataLossError("bad timestamp \"" + std::string(text.substr(0, 64)) +
                         "\"");
  };
  size_t pos = 0;
  int year, month, day, hour, minute, second;
  if (!Digits(text, &pos, 4, &year) || !Expect(text, &pos, '-') ||
      !Digits(text, &pos, 2, &month) || !Expect(text, &pos, '-') ||
      !Digits(text, &pos, 2, &day) ||
      !(Expect(text, &pos, 'T') || Expect(text, &pos, 't')) ||
      !Digits(text, &pos, 2, &hour) || !Expect(text, &pos, ':') ||
      !Digits(text, &pos, 2, &minute) || !Expect(text, &pos, ':') ||
      !Digits(text, &pos, 2, &second)) {
    return bad();
  }
  if (year < 1 || month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, month) || hour > 23 || minute > 59 ||
      second > 59) {
    return bad();
  }
  int32_t nanos = 0;
  if (Expect(text, &pos, '.')) {
    int digits = 0;
    while (pos < text.size() && IsDigit(text[pos])) {
      if (++digits > 9) return bad();
      nanos = nanos * 10 + (text[pos++] - '0');
    }
    if (digits == 0) return bad();
    for (int i = digits; i < 9; ++i) nanos *= 10;
  }
  int64_t offset = 0;
  if (Expect(text, &pos, 'Z') || Expect(text, &pos, 'z')) {
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos++] == '+' ? 1 : -1;
    int oh, om;
    if (!Digits(text, &pos, 2, &oh) || !Expect(text, &pos, ':') ||
        !Digits(text, &pos, 2, &om) || oh > 23 || om > 59) {
      return bad();
    }
    offset = sign * (oh * 3600 + om * 60);
  } else {
    return bad();
  }
  if (pos != text.size()) return bad();
  const int64_t seconds = DaysFromCivil(year, month, day) * 86400 +
                          hour * 3600 + minute * 60 + second - offset;
  return Timestamp{seconds, nanos};
}

Result<std::optional<int64_t>> GetProtoInt64(const json::Json& obj,
                                             std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<int64_t>();
  const auto bad = [&] {
    return DataLossError("field \"" + std::string(key) + "\" must be an int64");
  };
  if (it->is_number_integer() && !it->is_number_unsigned()) {
    return std::optional<int64_t>(it->get<int64_t>());
  }
  if (it->is_number_unsigned()) {
    const uint64_t v = it->get<uint64_t>();
    if (v > static_cast<uint64_t>(INT64_MAX)) return bad();
    return std::optional<int64_t>(static_cast<int64_t>(v));
  }
  if (!it->is_string()) return bad();
  const std::string& s = it->get_ref<const std::string&>();
  const size_t first_digit = !s.empty() && s[0] == '-' ? 1 : 0;
  if (s.size() == first_digit || s.size() > 20) return bad();
  for (size_t i = first_digit; i < s.size(); ++i) {
    if (!IsDigit(s[i])) return bad();
  }
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return bad();
  return std::optional<int64_t>(v);
}

Result<std::optional<std::string>> GetProtoBytes(const json::Json& obj,
                                                 std::string_view key) {
  ASSIGN_OR_RETURN(std::optional<std::string> text,
                   GetOptionalString(obj, key));
  if (!text) return std::optional<std::string>();
  // As Go's decoder (protojson) reads it: line breaks are skipped.
  std::erase_if(*text, [](char c) { return c == '\r' || c == '\n'; });
  Result<std::string> raw = Base64Decode(*text, Base64Alphabet::kEither);
  if (!raw.ok()) {
    return DataLossError("field \"" + std::string(key) +
                         "\" is not base64: " + raw.status().message());
  }
  return std::optional<std::string>(std::move(*raw));
}

Result<std::optional<Timestamp>> GetProtoTimestamp(const json::Json& obj,
                                                   std::string_view key) {
  ASSIGN_OR_RETURN(std::optional<std::string> text,
                   GetOptionalString(obj, key));
  if (!text) return std::optional<Timestamp>();
  ASSIGN_OR_RETURN(Timestamp t, ParseTimestamp(*text));
  return std::optional<Timestamp>(t);
}

Status LogKey::Verify(std::string_view message,
                      std::string_view signature) const {
  if (!key) {
    return FailedPreconditionError("log key of type " + details +
                                   " is not supported");
  }
  return key->Verify(message, signature, hash, padding);
}

const TransparencyLog* TrustedRoot::FindTlog(std::string_view log_id) const {
  return FindLog(tlogs, log_id);
}

const TransparencyLog* TrustedRoot::FindCtlog(std::string_view log_id) const {
  return FindLog(ctlogs, log_id);
}

Result<TrustedRoot> ParseTrustedRoot(std::string_view bytes) {
  if (static_cast<int64_t>(bytes.size()) > kMaxTrustedRootBytes) {
    return ResourceExhaustedError("trusted root is over " +
                                  std::to_string(kMaxTrustedRootBytes) +
                                  " bytes");
  }
  ASSIGN_OR_RETURN(json::Json doc,
                   json::Parse(bytes, "trusted root", kMaxTrustedRootBytes));
  if (!doc.is_object()) return DataLossError("trusted root is not an object");
  TrustedRoot root;
  ASSIGN_OR_RETURN(std::optional<std::string> media_type,
                   GetOptionalString(doc, "mediaType"));
  if (!media_type) return DataLossError("trusted root has no mediaType");
  bool known = false;
  for (std::string_view m : kMediaTypes) known = known || m == *media_type;
  if (!known) {
    return DataLossError("unsupported trusted root media type \"" +
                         media_type->substr(0, 128) + "\"");
  }
  root.media_type = std::move(*media_type);
  RETURN_IF_ERROR(
      ParseList(doc, "tlogs", kMaxTrustedRootLogs, ParseLog, &root.tlogs));
  RETURN_IF_ERROR(ParseList(doc, "certificateAuthorities",
                            kMaxTrustedRootAuthorities, ParseAuthority,
                            &root.certificate_authorities));
  RETURN_IF_ERROR(
      ParseList(doc, "ctlogs", kMaxTrustedRootLogs, ParseLog, &root.ctlogs));
  RETURN_IF_ERROR(ParseList(doc, "timestampAuthorities",
                            kMaxTrustedRootAuthorities, ParseAuthority,
                            &root.timestamp_authorities));
  return root;
}

}  // namespace strata::sigstore
