// OpenSSL's error queue as one line for our messages.
#ifndef STRATA_CRYPTO_OPENSSL_ERROR_H_
#define STRATA_CRYPTO_OPENSSL_ERROR_H_

#include <openssl/err.h>

#include <string>

namespace strata::crypto {

// The oldest queued error as text ("unknown error" when the queue is
// empty), and clears the queue: it is per thread, and nothing of it may
// leak into the next call's message.
inline std::string TakeOpenSslError() {
  const unsigned long e = ERR_get_error();
  std::string msg = "unknown error";
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    msg = buf;
  }
  ERR_clear_error();
  return msg;
}

}  // namespace strata::crypto

#endif  // STRATA_CRYPTO_OPENSSL_ERROR_H_
