#include "pki/timestamp.h"

#include <openssl/pkcs7.h>
#include <openssl/ts.h>

#include "pki/internal.h"

namespace strata::pki {
namespace {

using internal::TakeOpenSslError;

using TsRespPtr =
    std::unique_ptr<TS_RESP, CHandleDeleter<TS_RESP, TS_RESP_free>>;
using Pkcs7Ptr = std::unique_ptr<PKCS7, CHandleDeleter<PKCS7, PKCS7_free>>;
using TstInfoPtr =
    std::unique_ptr<TS_TST_INFO, CHandleDeleter<TS_TST_INFO, TS_TST_INFO_free>>;
using TsVerifyCtxPtr =
    std::unique_ptr<TS_VERIFY_CTX,
                    CHandleDeleter<TS_VERIFY_CTX, TS_VERIFY_CTX_free>>;

// The token (CMS SignedData) of a granted TimeStampResp, or the token
// itself.
Result<Pkcs7Ptr> ParseToken(std::string_view der) {
  const auto* begin = reinterpret_cast<const unsigned char*>(der.data());
  const auto* end = begin + der.size();
  const unsigned char* p = begin;
  TsRespPtr resp(d2i_TS_RESP(nullptr, &p, static_cast<long>(der.size())));
  if (resp && p == end) {
    const long status = ASN1_INTEGER_get(
        TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(resp.get())));
    if (status != 0 && status != 1) {  // granted, grantedWithMods
      return DataLossError("timestamp response status is " +
                           std::to_string(status) + ", not granted");
    }
    if (TS_RESP_get_token(resp.get()) == nullptr) {
      return DataLossError("timestamp response has no token");
    }
    return Pkcs7Ptr(PKCS7_dup(TS_RESP_get_token(resp.get())));
  }
  TakeOpenSslError();
  p = begin;
  Pkcs7Ptr token(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
  if (!token || p != end) {
    TakeOpenSslError();
    return DataLossError("not an RFC 3161 timestamp response or token");
  }
  return token;
}

// "imprint mismatch" reads better than OpenSSL's reason for the case that
// matters most: a timestamp over other bytes.
std::string VerifyFailure() {
  unsigned long e = 0;
  const char* data = nullptr;
  int flags = 0;
  std::string first;
  while ((e = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) !=
         0) {
    if (ERR_GET_LIB(e) == ERR_LIB_TS &&
        ERR_GET_REASON(e) == TS_R_MESSAGE_IMPRINT_MISMATCH) {
      ERR_clear_error();
      return "timestamp is not over the given bytes";
    }
    if (first.empty()) {
      const char* reason = ERR_reason_error_string(e);
      first = reason ? reason : "verification failed";
      if (data && (flags & ERR_TXT_STRING) && *data) {
        first += std::string(" (") + data + ")";
      }
    }
  }
  return first.empty() ? "verification failed" : first;
}

Status VerifyWithAuthority(const PKCS7* token, std::string_view signed_bytes,
                           const TrustedAuthority& authority,
                           TimePoint gen_time) {
  ASSIGN_OR_RETURN(internal::AuthorityStore trust,
                   internal::BuildAuthorityStore(authority, gen_time));
  internal::X509StackPtr certs = internal::ToStack(trust.intermediates);
  internal::BioPtr data = internal::MemBio(signed_bytes);
  TsVerifyCtxPtr ctx(TS_VERIFY_CTX_new());
  if (!certs || !data || !ctx) {
    return InternalError("timestamp verify setup: " + TakeOpenSslError());
  }
  TS_VERIFY_CTX_set_flags(ctx.get(),
                          TS_VFY_SIGNATURE | TS_VFY_VERSION | TS_VFY_DATA);
  // The context owns what it is given from here on.
  TS_VERIFY_CTX_set_store(ctx.get(), trust.store.release());
  TS_VERIFY_CTX_set_certs(ctx.get(), certs.release());
  TS_VERIFY_CTX_set_data(ctx.get(), data.release());
  if (TS_RESP_verify_token(ctx.get(), const_cast<PKCS7*>(token)) != 1) {
    return PermissionDeniedError(VerifyFailure());
  }
  TakeOpenSslError();
  return Status::Ok();
}

}  // namespace

Result<TimePoint> VerifyTimestamp(
    std::string_view timestamp_der, std::string_view signed_bytes,
    std::span<const TrustedAuthority> authorities) {
  if (timestamp_der.size() > kMaxTimestampBytes) {
    return ResourceExhaustedError(
        "timestamp is over " + std::to_string(kMaxTimestampBytes) + " bytes");
  }
  ASSIGN_OR_RETURN(Pkcs7Ptr token, ParseToken(timestamp_der));
  TstInfoPtr info(PKCS7_to_TS_TST_INFO(token.get()));
  if (!info) {
    TakeOpenSslError();
    return DataLossError("timestamp token has no readable TSTInfo");
  }
  const X509_ALGOR* algo =
      TS_MSG_IMPRINT_get_algo(TS_TST_INFO_get_msg_imprint(info.get()));
  const int nid = OBJ_obj2nid(algo->algorithm);
  if (nid != NID_sha256 && nid != NID_sha384 && nid != NID_sha512) {
    return PermissionDeniedError(
        "timestamp message imprint is not SHA-256, SHA-384 or SHA-512");
  }
  auto gen_time = FromAsn1Time(TS_TST_INFO_get_time(info.get()));
  if (!gen_time.ok()) return DataLossError("timestamp has a malformed genTime");

  std::string reasons;
  for (size_t i = 0; i < authorities.size(); ++i) {
    if (!authorities[i].ValidAt(*gen_time)) continue;
    Status s = VerifyWithAuthority(token.get(), signed_bytes, authorities[i],
                                   *gen_time);
    if (s.ok()) return *gen_time;
    if (s.code() != StatusCode::kPermissionDenied) {
      return std::move(s).WithContext("timestamp authority " +
                                      std::to_string(i));
    }
    if (!reasons.empty()) reasons += "; ";
    reasons += "authority " + std::to_string(i) + ": " + s.message();
  }
  if (reasons.empty()) {
    return PermissionDeniedError("no trusted timestamp authority is valid at " +
                                 FormatTime(*gen_time));
  }
  return PermissionDeniedError("timestamp does not verify (" + reasons + ")");
}

}  // namespace strata::pki
