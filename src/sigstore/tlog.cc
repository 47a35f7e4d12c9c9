#include "sigstore/tlog.h"

#include <openssl/evp.h>

#include <charconv>
#include <utility>

#include "base/base64.h"
#include "base/hex.h"
#include "sigstore/canonical_json.h"

namespace strata::sigstore {

namespace {

constexpr size_t kHashBytes = 32;                         // SHA-256
constexpr std::string_view kSigPrefix = "\xE2\x80\x94 ";  // U+2014, space

std::string Sha256(std::string_view data) {
  return crypto::HashBytes(crypto::Hash::kSha256, data);
}

std::string NodeHash(std::string_view left, std::string_view right) {
  std::string buf;
  buf.reserve(1 + left.size() + right.size());
  buf.push_back('\x01');
  buf.append(left);
  buf.append(right);
  return Sha256(buf);
}

Result<int64_t> NonNegative(const json::Json& obj, std::string_view key) {
  ASSIGN_OR_RETURN(std::optional<int64_t> v, GetProtoInt64(obj, key));
  if (v.value_or(0) < 0) {
    return DataLossError("field \"" + std::string(key) +
                         "\" must not be negative");
  }
  return v.value_or(0);
}

// Bytes whose decoded size is capped; the base64 text is checked first.
Result<std::optional<std::string>> CappedBytes(const json::Json& obj,
                                               std::string_view key,
                                               size_t max_bytes) {
  auto it = obj.find(key);
  if (it != obj.end() && it->is_string() &&
      it->get_ref<const std::string&>().size() > (max_bytes + 2) / 3 * 4) {
    return ResourceExhaustedError("field \"" + std::string(key) +
                                  "\" is over " + std::to_string(max_bytes) +
                                  " bytes");
  }
  return GetProtoBytes(obj, key);
}

Result<const json::Json*> Member(const json::Json& obj, std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  if (!it->is_object()) {
    return DataLossError("field \"" + std::string(key) +
                         "\" must be an object");
  }
  return &*it;
}

Result<InclusionProof> ParseProof(const json::Json& obj) {
  InclusionProof out;
  ASSIGN_OR_RETURN(out.log_index, NonNegative(obj, "logIndex"));
  ASSIGN_OR_RETURN(out.tree_size, NonNegative(obj, "treeSize"));
  ASSIGN_OR_RETURN(std::optional<std::string> root,
                   CappedBytes(obj, "rootHash", kHashBytes));
  out.root_hash = root.value_or("");
  auto hashes = obj.find("hashes");
  if (hashes != obj.end() && !hashes->is_null()) {
    if (!hashes->is_array()) {
      return DataLossError("field \"hashes\" must be an array");
    }
    if (hashes->size() > kMaxProofHashes) {
      return ResourceExhaustedError("field \"hashes\" has over " +
                                    std::to_string(kMaxProofHashes) +
                                    " entries");
    }
    for (const json::Json& h : *hashes) {
      if (!h.is_string() ||
          h.get_ref<const std::string&>().size() > 4 * kHashBytes) {
        return DataLossError("field \"hashes\" must hold base64 hashes");
      }
      Result<std::string> raw = Base64Decode(h.get_ref<const std::string&>(),
                                             Base64Alphabet::kEither);
      if (!raw.ok()) {
        return DataLossError("field \"hashes\" is not base64: " +
                             raw.status().message());
      }
      out.hashes.push_back(std::move(*raw));
    }
  }
  ASSIGN_OR_RETURN(const json::Json* checkpoint, Member(obj, "checkpoint"));
  if (checkpoint != nullptr) {
    ASSIGN_OR_RETURN(std::optional<std::string> envelope,
                     json::GetString(*checkpoint, "envelope"));
    if (envelope && envelope->size() > kMaxCheckpointBytes) {
      return ResourceExhaustedError("checkpoint is over " +
                                    std::to_string(kMaxCheckpointBytes) +
                                    " bytes");
    }
    out.checkpoint = envelope.value_or("");
  }
  return out;
}

// Parses a decimal tree size: no sign, no leading zero, fits int64.
bool ParseTreeSize(std::string_view s, int64_t* out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

Result<Checkpoint::Signature> ParseSignatureLine(std::string_view line) {
  if (line.substr(0, kSigPrefix.size()) != kSigPrefix) {
    return DataLossError(
        "checkpoint: signature line does not start with \"\u2014 \"");
  }
  line.remove_prefix(kSigPrefix.size());
  const size_t space = line.find(' ');
  if (space == std::string_view::npos || space == 0) {
    return DataLossError("checkpoint: signature line has no key name");
  }
  Checkpoint::Signature sig;
  sig.name = std::string(line.substr(0, space));
  if (sig.name.find('+') != std::string::npos) {
    return DataLossError("checkpoint: key name contains '+'");
  }
  std::string_view encoded = line.substr(space + 1);
  if (encoded.size() > 2 * crypto::kMaxKeyBytes) {
    return DataLossError("checkpoint: signature is too large");
  }
  Result<std::string> raw = Base64Decode(encoded);
  if (!raw.ok() || raw->size() < 5) {
    return DataLossError("checkpoint: signature of \"" + sig.name +
                         "\" is not base64 of a key hint and a signature");
  }
  sig.key_hint = raw->substr(0, 4);
  sig.signature = raw->substr(4);
  return sig;
}

// The raw 32-byte public key of an Ed25519 key.
std::string RawEd25519(const crypto::PublicKey& key) {
  unsigned char buf[32];
  size_t len = sizeof(buf);
  if (EVP_PKEY_get_raw_public_key(key.get(), buf, &len) != 1 || len != 32) {
    return "";
  }
  return std::string(reinterpret_cast<char*>(buf), len);
}

std::string NoLogMessage(std::string_view log_id) {
  return "no transparency log with id " + HexEncode(log_id) +
         " in the trusted root";
}

}  // namespace

Result<TransparencyLogEntry> ParseTlogEntry(const json::Json& entry) {
  if (!entry.is_object()) return DataLossError("tlog entry is not an object");
  TransparencyLogEntry out;
  ASSIGN_OR_RETURN(out.log_index, NonNegative(entry, "logIndex"));
  ASSIGN_OR_RETURN(out.integrated_time, NonNegative(entry, "integratedTime"));
  ASSIGN_OR_RETURN(const json::Json* log_id, Member(entry, "logId"));
  std::optional<std::string> id;
  if (log_id != nullptr) {
    Result<std::optional<std::string>> r = CappedBytes(*log_id, "keyId", 64);
    if (!r.ok()) return std::move(r).status().WithContext("logId");
    id = std::move(*r);
  }
  if (!id || id->empty()) return DataLossError("tlog entry has no logId");
  out.log_id = std::move(*id);

  ASSIGN_OR_RETURN(const json::Json* kv, Member(entry, "kindVersion"));
  if (kv == nullptr) return DataLossError("tlog entry has no kindVersion");
  Result<std::optional<std::string>> kind = json::GetString(*kv, "kind");
  if (!kind.ok()) return std::move(kind).status().WithContext("kindVersion");
  Result<std::optional<std::string>> version = json::GetString(*kv, "version");
  if (!version.ok()) {
    return std::move(version).status().WithContext("kindVersion");
  }
  if (!*kind || (*kind)->empty() || !*version || (*version)->empty()) {
    return DataLossError("kindVersion needs a kind and a version");
  }
  out.kind = std::move(**kind);
  out.version = std::move(**version);

  ASSIGN_OR_RETURN(const json::Json* promise,
                   Member(entry, "inclusionPromise"));
  if (promise != nullptr) {
    Result<std::optional<std::string>> set =
        CappedBytes(*promise, "signedEntryTimestamp", crypto::kMaxKeyBytes);
    if (!set.ok())
      return std::move(set).status().WithContext("inclusionPromise");
    if (!*set || (*set)->empty()) {
      return DataLossError("inclusionPromise has no signedEntryTimestamp");
    }
    out.signed_entry_timestamp = std::move(**set);
  }
  ASSIGN_OR_RETURN(const json::Json* proof, Member(entry, "inclusionProof"));
  if (proof != nullptr) {
    Result<InclusionProof> p = ParseProof(*proof);
    if (!p.ok()) return std::move(p).status().WithContext("inclusionProof");
    out.inclusion_proof = std::move(*p);
  }
  ASSIGN_OR_RETURN(
      std::optional<std::string> body,
      CappedBytes(entry, "canonicalizedBody", kMaxCanonicalBodyBytes));
  out.canonicalized_body = body.value_or("");
  return out;
}

Result<std::string> SetPayload(const TransparencyLogEntry& entry) {
  json::Json payload = json::Json::object();
  payload["body"] = Base64Encode(entry.canonicalized_body);
  payload["integratedTime"] = entry.integrated_time;
  payload["logID"] = HexEncode(entry.log_id);
  payload["logIndex"] = entry.log_index;
  return CanonicalJson(payload);
}

Status VerifySet(const TransparencyLogEntry& entry, const TrustedRoot& root) {
  if (!entry.signed_entry_timestamp) {
    return FailedPreconditionError("entry has no signed entry timestamp");
  }
  if (entry.canonicalized_body.empty()) {
    return FailedPreconditionError("entry has no canonicalized body");
  }
  ASSIGN_OR_RETURN(std::string payload, SetPayload(entry));
  const Timestamp at = Timestamp::FromUnix(entry.integrated_time);
  const TransparencyLog* candidate = nullptr;
  for (const TransparencyLog& log : root.tlogs) {
    if (log.log_id != entry.log_id) continue;
    candidate = &log;
    if (!log.public_key.ValidAt(at)) continue;
    Status s = log.public_key.Verify(payload, *entry.signed_entry_timestamp);
    if (!s.ok()) {
      return PermissionDeniedError("signed entry timestamp does not verify: " +
                                   s.message());
    }
    return Status::Ok();
  }
  if (candidate == nullptr) return NotFoundError(NoLogMessage(entry.log_id));
  if (!candidate->public_key.usable()) {
    return FailedPreconditionError("log key of type " +
                                   candidate->public_key.details +
                                   " is not supported");
  }
  return PermissionDeniedError("key of log " + candidate->base_url +
                               " is not valid at integrated time " +
                               std::to_string(entry.integrated_time));
}

std::string LeafHash(std::string_view body) {
  std::string buf;
  buf.reserve(1 + body.size());
  buf.push_back('\x00');
  buf.append(body);
  return Sha256(buf);
}

Status VerifyInclusionProof(const TransparencyLogEntry& entry) {
  if (!entry.inclusion_proof) {
    return FailedPreconditionError("entry has no inclusion proof");
  }
  if (entry.canonicalized_body.empty()) {
    return FailedPreconditionError("entry has no canonicalized body");
  }
  const InclusionProof& proof = *entry.inclusion_proof;
  if (proof.root_hash.size() != kHashBytes) {
    return DataLossError("inclusion proof root hash is " +
                         std::to_string(proof.root_hash.size()) +
                         " bytes, want 32");
  }
  for (size_t i = 0; i < proof.hashes.size(); ++i) {
    if (proof.hashes[i].size() != kHashBytes) {
      return DataLossError("inclusion proof hash " + std::to_string(i) +
                           " is " + std::to_string(proof.hashes[i].size()) +
                           " bytes, want 32");
    }
  }
  if (proof.log_index < 0 || proof.log_index >= proof.tree_size) {
    return DataLossError(
        "inclusion proof index " + std::to_string(proof.log_index) +
        " is not below its tree size " + std::to_string(proof.tree_size));
  }
  // RFC 9162 section 2.1.3.2.
  uint64_t fn = static_cast<uint64_t>(proof.log_index);
  uint64_t sn = static_cast<uint64_t>(proof.tree_size) - 1;
  std::string r = LeafHash(entry.canonicalized_body);
  for (const std::string& p : proof.hashes) {
    if (sn == 0) {
      return DataLossError(
          "inclusion proof has more hashes than its tree "
          "needs");
    }
    if ((fn & 1) == 1 || fn == sn) {
      r = NodeHash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return DataLossError(
        "inclusion proof has fewer hashes than its tree "
        "needs");
  }
  if (r != proof.root_hash) {
    return PermissionDeniedError(
        "inclusion proof does not lead to its root hash");
  }
  return Status::Ok();
}

Result<Checkpoint> ParseCheckpoint(std::string_view note) {
  if (note.size() > kMaxCheckpointBytes) {
    return ResourceExhaustedError(
        "checkpoint is over " + std::to_string(kMaxCheckpointBytes) + " bytes");
  }
  for (char c : note) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n') {
      return DataLossError("checkpoint: control character in note");
    }
  }
  const size_t split = note.find("\n\n");
  if (split == std::string_view::npos) {
    return DataLossError("checkpoint: no blank line before the signatures");
  }
  Checkpoint cp;
  cp.signed_text = std::string(note.substr(0, split + 1));
  // Text lines.
  std::vector<std::string_view> lines;
  std::string_view text = std::string_view(cp.signed_text);
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  if (lines.size() < 3) {
    return DataLossError(
        "checkpoint: needs an origin, a tree size and a root "
        "hash");
  }
  if (lines[0].empty()) return DataLossError("checkpoint: empty origin");
  cp.origin = std::string(lines[0]);
  if (!ParseTreeSize(lines[1], &cp.tree_size)) {
    return DataLossError("checkpoint: bad tree size line");
  }
  Result<std::string> root = Base64Decode(lines[2]);
  if (!root.ok() || root->empty()) {
    return DataLossError("checkpoint: bad root hash line");
  }
  cp.root_hash = std::move(*root);
  for (size_t i = 3; i < lines.size(); ++i) {
    cp.extensions.emplace_back(lines[i]);
  }
  // Signature lines.
  std::string_view sigs = note.substr(split + 2);
  if (sigs.empty()) return DataLossError("checkpoint: no signatures");
  if (sigs.back() != '\n') {
    return DataLossError("checkpoint: does not end with a newline");
  }
  while (!sigs.empty()) {
    const size_t nl = sigs.find('\n');
    if (cp.signatures.size() == kMaxCheckpointSignatures) {
      return ResourceExhaustedError("checkpoint: over " +
                                    std::to_string(kMaxCheckpointSignatures) +
                                    " signatures");
    }
    ASSIGN_OR_RETURN(Checkpoint::Signature sig,
                     ParseSignatureLine(sigs.substr(0, nl)));
    cp.signatures.push_back(std::move(sig));
    sigs.remove_prefix(nl + 1);
  }
  return cp;
}

std::string CheckpointKeyHint(const LogKey& key, std::string_view key_name) {
  if (!key.key) return "";
  std::string material;
  switch (key.key->type()) {
    case crypto::KeyType::kEd25519: {
      const std::string raw = RawEd25519(*key.key);
      if (raw.empty()) return "";
      material.append(key_name);
      material.push_back('\n');
      material.push_back('\x01');
      material.append(raw);
      break;
    }
    case crypto::KeyType::kRsa:
      material.append(key_name);
      material.push_back('\n');
      material.push_back('\xff');
      material.append("PKIX-RSA-PKCS#1v1.5");
      material.append(key.key->ToDer());
      break;
    case crypto::KeyType::kEcdsaP256:
    case crypto::KeyType::kEcdsaP384:
    case crypto::KeyType::kEcdsaP521:
      material = key.key->ToDer();
      break;
  }
  return Sha256(material).substr(0, 4);
}

Status VerifyCheckpoint(const TransparencyLogEntry& entry,
                        const TrustedRoot& root) {
  if (!entry.inclusion_proof) {
    return FailedPreconditionError("entry has no inclusion proof");
  }
  const InclusionProof& proof = *entry.inclusion_proof;
  if (proof.checkpoint.empty()) {
    return FailedPreconditionError("inclusion proof has no checkpoint");
  }
  ASSIGN_OR_RETURN(Checkpoint cp, ParseCheckpoint(proof.checkpoint));
  if (cp.tree_size != proof.tree_size) {
    return PermissionDeniedError(
        "checkpoint tree size " + std::to_string(cp.tree_size) +
        " is not the inclusion proof's " + std::to_string(proof.tree_size));
  }
  if (cp.root_hash != proof.root_hash) {
    return PermissionDeniedError(
        "checkpoint root hash is not the inclusion proof's");
  }
  bool known_log = false;
  Status failure;
  for (const TransparencyLog& log : root.tlogs) {
    if (log.log_id != entry.log_id) continue;
    known_log = true;
    for (const Checkpoint::Signature& sig : cp.signatures) {
      const std::string hint = CheckpointKeyHint(log.public_key, sig.name);
      if (hint.empty() || hint != sig.key_hint) continue;
      Status s = log.public_key.Verify(cp.signed_text, sig.signature);
      if (s.ok()) return Status::Ok();
      failure = PermissionDeniedError("checkpoint signature by \"" + sig.name +
                                      "\" does not verify: " + s.message());
    }
  }
  if (!known_log) return NotFoundError(NoLogMessage(entry.log_id));
  if (!failure.ok()) return failure;
  return PermissionDeniedError("checkpoint has no signature by the log's key");
}

Status VerifyIntegratedTime(const TransparencyLogEntry& entry, int64_t now_unix,
                            int64_t max_skew) {
  if (entry.integrated_time <= 0) {
    return FailedPreconditionError("entry has no integrated time");
  }
  if (entry.integrated_time - max_skew > now_unix) {
    return PermissionDeniedError(
        "integrated time " + std::to_string(entry.integrated_time) +
        " is in the future (now " + std::to_string(now_unix) + ")");
  }
  return Status::Ok();
}

std::string_view RekorHashName(crypto::Hash h) {
  switch (h) {
    case crypto::Hash::kSha384:
      return "sha384";
    case crypto::Hash::kSha512:
      return "sha512";
    default:
      return "sha256";
  }
}

}  // namespace strata::sigstore
