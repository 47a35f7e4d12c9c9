// The lab's mock Sigstore (../shared/lab/mock-sigstore: Fulcio, Rekor and
// an RFC 3161 TSA on loopback ports, from npm @sigstore/mock) as a child
// process for tests. Stopped by the destructor: SIGTERM, then SIGKILL when
// it has not exited within a few seconds, so a mock stuck in its startup
// can never hang a test.
#ifndef STRATA_TESTING_MOCK_SIGSTORE_H_
#define STRATA_TESTING_MOCK_SIGSTORE_H_

#include <sys/types.h>

#include <map>
#include <string>

namespace strata::testing {

class MockSigstore {
 public:
  MockSigstore() = default;
  MockSigstore(const MockSigstore&) = delete;
  MockSigstore& operator=(const MockSigstore&) = delete;
  ~MockSigstore();

  // Starts the mock writing into `dir` (trusted_root.json, urls.env, ...)
  // with identities from `issuer`. Empty on success, else why it could not
  // start (node, the script or the npm modules missing, or no urls.env
  // within 30 s): the caller skips with it.
  std::string Start(const std::string& dir, const std::string& issuer);

  // A value of urls.env: FULCIO_URL, REKOR_URL, TSA_URL, TRUSTED_ROOT,
  // SIGNING_CONFIG, IDENTITY_TOKEN. Empty when absent.
  std::string operator[](const std::string& key) const;

 private:
  pid_t pid_ = -1;
  std::map<std::string, std::string> env_;
};

// Where the mock's npm modules are: $MOCK_SIGSTORE_MODULES, else
// ${XDG_CACHE_HOME:-~/.cache}/strata-lab/mock-sigstore.
std::string MockSigstoreModules();

}  // namespace strata::testing

#endif  // STRATA_TESTING_MOCK_SIGSTORE_H_
