#include "pki/sct.h"

#include <openssl/ct.h>
#include <openssl/x509v3.h>
#include <sys/mman.h>

#include <algorithm>
#include <cerrno>

#include "base/base64.h"
#include "base/unique_fd.h"
#include "crypto/keys.h"
#include "pki/internal.h"

namespace strata::pki {
namespace {

using internal::TakeOpenSslError;

void FreeSctList(STACK_OF(SCT) * list) { SCT_LIST_free(list); }
using SctListPtr =
    std::unique_ptr<STACK_OF(SCT), CHandleDeleter<STACK_OF(SCT), FreeSctList>>;
using CtLogStorePtr =
    std::unique_ptr<CTLOG_STORE, CHandleDeleter<CTLOG_STORE, CTLOG_STORE_free>>;
using PolicyCtxPtr = std::unique_ptr<
    CT_POLICY_EVAL_CTX,
    CHandleDeleter<CT_POLICY_EVAL_CTX, CT_POLICY_EVAL_CTX_free>>;

struct KnownLog {
  std::string spki;  // the key as SubjectPublicKeyInfo DER
  std::string id;    // raw SHA-256 of spki
  const CtLog* log;
};

std::string HexPrefix(std::string_view raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < raw.size() && i < 8; ++i) {
    out += kHex[static_cast<unsigned char>(raw[i]) >> 4];
    out += kHex[static_cast<unsigned char>(raw[i]) & 0xf];
  }
  return out;
}

// SubjectPublicKeyInfo, or a PKCS#1 RSAPublicKey as trusted roots give
// some RSA logs.
Result<crypto::PublicKey> ReadLogKey(std::string_view der) {
  auto spki = crypto::PublicKey::FromDer(der);
  if (spki.ok() || der.size() > crypto::kMaxKeyBytes) return spki;
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  crypto::EvpPkeyPtr rsa(
      d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(der.size())));
  if (!rsa ||
      p != reinterpret_cast<const unsigned char*>(der.data() + der.size())) {
    TakeOpenSslError();
    return spki;
  }
  return crypto::PublicKey::FromEvp(rsa.get());
}

// OpenSSL 3.0 fills a CTLOG_STORE only from a configuration file, so the
// keys are written as one into an anonymous memory file and read back
// through /proc/self/fd.
Result<CtLogStorePtr> LoadStore(std::span<const KnownLog> known) {
  std::string conf = "enabled_logs = ";
  std::string sections;
  for (size_t i = 0; i < known.size(); ++i) {
    const std::string name = "log" + std::to_string(i);
    conf += (i ? "," : "") + name;
    sections += "[" + name + "]\ndescription = " + name +
                "\nkey = " + Base64Encode(known[i].spki) + "\n";
  }
  conf += "\n" + sections;
  UniqueFd fd(memfd_create("strata-ctlogs", MFD_CLOEXEC));
  if (!fd.valid()) return ErrnoError("memfd_create", errno);
  size_t done = 0;
  while (done < conf.size()) {
    const ssize_t n = write(fd.get(), conf.data() + done, conf.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ErrnoError("write CT log keys", errno);
    done += static_cast<size_t>(n);
  }
  CtLogStorePtr store(CTLOG_STORE_new());
  const std::string path = "/proc/self/fd/" + std::to_string(fd.get());
  if (!store || CTLOG_STORE_load_file(store.get(), path.c_str()) != 1) {
    return InternalError("CT log store: " + TakeOpenSslError());
  }
  return store;
}

}  // namespace

Status VerifyEmbeddedScts(const Certificate& leaf, const Certificate& issuer,
                          std::span<const CtLog> logs, TimePoint at_time) {
  if (logs.size() > kMaxCtLogs) {
    return ResourceExhaustedError("more than " + std::to_string(kMaxCtLogs) +
                                  " CT logs");
  }
  int crit = 0;
  SctListPtr scts(static_cast<STACK_OF(SCT)*>(
      X509_get_ext_d2i(leaf.get(), NID_ct_precert_scts, &crit, nullptr)));
  if (!scts) {
    TakeOpenSslError();
    if (crit == -1) {
      return PermissionDeniedError("certificate has no embedded SCTs");
    }
    return DataLossError("malformed SCT list extension");
  }
  const int count = sk_SCT_num(scts.get());
  if (count > static_cast<int>(kMaxScts)) {
    return ResourceExhaustedError("more than " + std::to_string(kMaxScts) +
                                  " SCTs in the certificate");
  }

  std::vector<KnownLog> known;
  for (size_t i = 0; i < logs.size(); ++i) {
    auto key = ReadLogKey(logs[i].public_key_der);
    if (!key.ok()) {
      return DataLossError("CT log " + std::to_string(i) +
                           " key: " + key.status().message());
    }
    std::string spki = key->ToDer();
    std::string id = crypto::HashBytes(crypto::Hash::kSha256, spki);
    known.push_back({std::move(spki), std::move(id), &logs[i]});
  }
  // No known log: every SCT is from an unknown one, nothing to load.
  CtLogStorePtr store;
  if (!known.empty()) {
    ASSIGN_OR_RETURN(store, LoadStore(known));
  }
  PolicyCtxPtr ctx(CT_POLICY_EVAL_CTX_new());
  if (!ctx || CT_POLICY_EVAL_CTX_set1_cert(ctx.get(), leaf.get()) != 1 ||
      CT_POLICY_EVAL_CTX_set1_issuer(ctx.get(), issuer.get()) != 1) {
    return InternalError("CT policy setup: " + TakeOpenSslError());
  }
  CT_POLICY_EVAL_CTX_set_shared_CTLOG_STORE(ctx.get(), store.get());
  const auto at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      at_time.time_since_epoch());
  CT_POLICY_EVAL_CTX_set_time(
      ctx.get(), static_cast<uint64_t>(std::max<int64_t>(0, at_ms.count())));

  std::string reasons;
  for (int i = 0; i < count; ++i) {
    SCT* sct = sk_SCT_value(scts.get(), i);
    unsigned char* id_data = nullptr;
    const size_t id_len = SCT_get0_log_id(sct, &id_data);
    const std::string id(reinterpret_cast<char*>(id_data), id_len);
    const auto stamp =
        TimePoint(std::chrono::duration_cast<TimePoint::duration>(
            std::chrono::milliseconds(std::min<uint64_t>(
                SCT_get_timestamp(sct), INT64_MAX / 1'000'000))));
    const KnownLog* log = nullptr;
    for (const KnownLog& k : known) {
      if (k.id == id) log = &k;
    }
    std::string why;
    if (log == nullptr) {
      why = "unknown log";
    } else if (stamp > at_time) {
      why =
          "timestamp " + FormatTime(stamp) + " is after " + FormatTime(at_time);
    } else if (stamp < log->log->valid_from ||
               (log->log->valid_until && stamp > *log->log->valid_until)) {
      why = "timestamp " + FormatTime(stamp) + " is outside the log's validity";
    } else if (SCT_validate(sct, ctx.get()) == 1) {
      TakeOpenSslError();
      return Status::Ok();
    } else {
      TakeOpenSslError();
      switch (SCT_get_validation_status(sct)) {
        case SCT_VALIDATION_STATUS_UNKNOWN_VERSION:
          why = "unsupported SCT version";
          break;
        case SCT_VALIDATION_STATUS_UNVERIFIED:
          why = "cannot be checked (no precertificate to rebuild)";
          break;
        default:
          why = "signature does not verify";
      }
    }
    if (!reasons.empty()) reasons += "; ";
    reasons +=
        "SCT " + std::to_string(i) + " (log " + HexPrefix(id) + "): " + why;
  }
  return PermissionDeniedError("no valid SCT from a trusted CT log (" +
                               (reasons.empty() ? "no SCTs" : reasons) + ")");
}

}  // namespace strata::pki
