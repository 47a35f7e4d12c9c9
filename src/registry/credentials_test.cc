#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "registry/auth.h"

namespace strata::registry {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = ::testing::TempDir() + "strata-cred-XXXXXX";
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& content,
                    mode_t mode = 0600) {
    std::string p = path_ + "/" + name;
    std::filesystem::create_directories(std::filesystem::path(p).parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
    chmod(p.c_str(), mode);
    return p;
  }

 private:
  std::string path_;
};

// A docker-credential helper: answers per server URL, logs its calls.
constexpr const char* kFakeHelper = R"(#!/bin/sh
read server
echo "$1 $server" >> "$(dirname "$0")/calls.log"
case "$server" in
  reg.example) echo '{"ServerURL":"reg.example","Username":"hu","Secret":"hs"}' ;;
  https://index.docker.io/v1/) echo '{"Username":"<token>","Secret":"idtok"}' ;;
  broken.example) echo 'the keychain is locked'; exit 3 ;;
  garbage.example) echo 'not json' ;;
  *) echo 'credentials not found in native keychain'; exit 1 ;;
esac
)";

std::string Calls(const TempDir& bin) {
  std::ifstream in(bin.path() + "/calls.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(NormalizeRegistryHostTest, StripsSchemePathAndCase) {
  EXPECT_EQ(NormalizeRegistryHost("https://index.docker.io/v1/"), "docker.io");
  EXPECT_EQ(NormalizeRegistryHost("index.docker.io"), "docker.io");
  EXPECT_EQ(NormalizeRegistryHost("registry-1.docker.io"), "docker.io");
  EXPECT_EQ(NormalizeRegistryHost("docker.io"), "docker.io");
  EXPECT_EQ(NormalizeRegistryHost("HTTPS://Reg.Example:5000/v2/"),
            "reg.example:5000");
  EXPECT_EQ(NormalizeRegistryHost("127.0.0.1:5000"), "127.0.0.1:5000");
  EXPECT_EQ(NormalizeRegistryHost("quay.io/org"), "quay.io");
}

TEST(ParseDockerConfigTest, ReadsAuthsHelpersAndStore) {
  Result<DockerConfig> c = ParseDockerConfig(R"({
    "auths": {
      "https://index.docker.io/v1/": {"auth": "dXNlcjpwYTpzcw=="},
      "reg.example:5000": {"username": "u2", "password": "p2"},
      "https://id.example/v2/": {"identitytoken": "refresh"},
      "empty.example": {},
      "docker.io": {"auth": "b3RoZXI6eA=="}
    },
    "credHelpers": {"GCR.io": "gcloud", "ecr.example": "ecr-login"},
    "credsStore": "desktop",
    "psFormat": "ignored"
  })",
                                             "config.json");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->auths.size(), 3u);
  // docker.io sorts before https://index.docker.io/v1/ and wins.
  EXPECT_EQ(c->auths["docker.io"].username, "other");
  EXPECT_EQ(c->auths["docker.io"].password, "x");
  EXPECT_EQ(c->auths["reg.example:5000"].username, "u2");
  EXPECT_EQ(c->auths["reg.example:5000"].password, "p2");
  EXPECT_EQ(c->auths["id.example"].identity_token, "refresh");
  EXPECT_EQ(c->cred_helpers,
            (std::map<std::string, std::string>{{"gcr.io", "gcloud"},
                                                {"ecr.example", "ecr-login"}}));
  EXPECT_EQ(c->creds_store, "desktop");
}

TEST(ParseDockerConfigTest, PasswordMayContainColons) {
  Result<DockerConfig> c = ParseDockerConfig(
      R"({"auths":{"h":{"auth":"dXNlcjpwYTpzcw=="}}})", "cfg");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->auths["h"].username, "user");
  EXPECT_EQ(c->auths["h"].password, "pa:ss");
}

TEST(ParseDockerConfigTest, ReportsCorruptFilesByName) {
  auto error = [](std::string_view json) {
    return ParseDockerConfig(json, "/home/u/.docker/config.json")
        .status()
        .ToString();
  };
  EXPECT_EQ(error("[]"), "/home/u/.docker/config.json: not a JSON object");
  EXPECT_EQ(error(R"({"auths":{"h":{"auth":"!!!!"}}})"),
            "/home/u/.docker/config.json: auths \"h\": auth is not base64");
  EXPECT_EQ(error(R"({"auths":{"h":{"auth":"dXNlcg=="}}})"),
            "/home/u/.docker/config.json: auths \"h\": auth is not base64 of "
            "user:password");
  EXPECT_EQ(error(R"({"auths":{"h":"x"}})"),
            "/home/u/.docker/config.json: auths \"h\": not an object");
  EXPECT_EQ(error(R"({"auths":{"h":{"username":5}}})"),
            "/home/u/.docker/config.json: auths \"h\": field \"username\" "
            "must be a string");
  EXPECT_EQ(error(R"({"auths":[]})"),
            "/home/u/.docker/config.json: field \"auths\" must be an object");
  EXPECT_EQ(error(R"({"credHelpers":{"h":1}})"),
            "/home/u/.docker/config.json: field \"credHelpers\" must be an "
            "object of strings");
  EXPECT_EQ(error(R"({"credHelpers":{"h":"../../bin/sh"}})"),
            "/home/u/.docker/config.json: credHelpers \"h\": invalid helper "
            "name");
  EXPECT_EQ(error(R"({"credsStore":"a b"})"),
            "/home/u/.docker/config.json: credsStore: invalid helper name");
  EXPECT_EQ(error(R"({"credsStore":1})"),
            "/home/u/.docker/config.json: field \"credsStore\" must be a "
            "string");
  EXPECT_EQ(ParseDockerConfig("{", "cfg").status().code(),
            StatusCode::kDataLoss);
}

TEST(ParseDockerConfigTest, EnforcesTheSizeCap) {
  std::string big =
      R"({"x":")" + std::string(kMaxDockerConfigBytes, 'a') + R"("})";
  EXPECT_EQ(ParseDockerConfig(big, "cfg").status(),
            ResourceExhaustedError("cfg is 4194312 bytes, over the cap of "
                                   "4194304"));
}

TEST(ParseDockerConfigTest, SurvivesCorruption) {
  const std::string good =
      R"({"auths":{"https://h/v1/":{"auth":"dTpw","identitytoken":"t"}},)"
      R"("credHelpers":{"g":"gc"},"credsStore":"s"})";
  ASSERT_TRUE(ParseDockerConfig(good, "cfg").ok());
  for (size_t i = 0; i < good.size(); ++i) {
    for (char c : {'\0', '"', '{', ']', '\xff', ':'}) {
      std::string bad = good;
      bad[i] = c;
      ParseDockerConfig(bad, "cfg").status().IgnoreError();
    }
    EXPECT_FALSE(ParseDockerConfig(good.substr(0, i), "cfg").ok()) << i;
  }
}

TEST(CredentialStoreTest, ExplicitCredentialWins) {
  TempDir dir;
  CredentialSources s;
  s.explicit_credential = Credential{"cli", "secret", ""};
  s.config_files = {dir.Write("config.json", "not json")};
  auto c = CredentialStore(s).Lookup("reg.example");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(c->has_value());
  EXPECT_EQ((*c)->username, "cli");
}

TEST(CredentialStoreTest, FilesInOrderAndMissingFilesSkipped) {
  TempDir dir;
  CredentialSources s;
  s.config_files = {
      dir.path() + "/missing.json",
      dir.Write("auth.json", R"({"auths":{"a.example":{"auth":"YTph"}}})"),
      dir.Write("config.json", R"({"auths":{"a.example":{"auth":"Yjpi"},
                                            "b.example":{"auth":"Yjpi"}}})")};
  CredentialStore store(s);
  EXPECT_EQ((*store.Lookup("a.example"))->username, "a");
  EXPECT_EQ((*store.Lookup("B.example"))->username, "b");
  EXPECT_FALSE(store.Lookup("c.example")->has_value());
}

TEST(CredentialStoreTest, DockerHubAliasesMatch) {
  TempDir dir;
  CredentialSources s;
  s.config_files = {dir.Write(
      "config.json",
      R"({"auths":{"https://index.docker.io/v1/":{"auth":"aHViOnB3"}}})")};
  CredentialStore store(s);
  for (const char* host :
       {"docker.io", "registry-1.docker.io", "index.docker.io"}) {
    auto c = store.Lookup(host);
    ASSERT_TRUE(c.ok() && c->has_value()) << host;
    EXPECT_EQ((*c)->username, "hub");
    EXPECT_EQ((*c)->password, "pw");
  }
}

TEST(CredentialStoreTest, CorruptFileIsAnErrorNamingIt) {
  TempDir dir;
  CredentialSources s;
  s.config_files = {
      dir.Write("config.json", R"({"auths":{"h":{"auth":"@"}}})")};
  EXPECT_EQ(CredentialStore(s).Lookup("h").status().ToString(),
            dir.path() + "/config.json: auths \"h\": auth is not base64");
}

TEST(CredentialStoreTest, HelpersStoreAndAuthsInOrder) {
  TempDir bin;
  bin.Write("docker-credential-fake", kFakeHelper, 0755);
  TempDir dir;
  CredentialSources s;
  s.helper_path = "/nonexistent:" + bin.path();
  s.config_files = {dir.Write("config.json", R"({
      "credHelpers": {"reg.example": "fake", "other.example": "fake"},
      "credsStore": "fake",
      "auths": {"other.example": {"auth": "ZmlsZTpwdw=="}}})")};
  CredentialStore store(s);
  // credHelpers answers.
  auto c = store.Lookup("reg.example");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ((*c)->username, "hu");
  EXPECT_EQ((*c)->password, "hs");
  // The helper and the store do not know it: auths answers.
  c = store.Lookup("other.example");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ((*c)->username, "file");
  // Docker Hub through credsStore, with the server URL docker uses; a
  // "<token>" user is an identity token.
  c = store.Lookup("registry-1.docker.io");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ((*c)->identity_token, "idtok");
  EXPECT_EQ((*c)->username, "");
  EXPECT_EQ(Calls(bin),
            "get reg.example\n"
            "get other.example\n"
            "get other.example\n"
            "get https://index.docker.io/v1/\n");
}

TEST(CredentialStoreTest, HelperFailuresAreErrors) {
  TempDir bin;
  bin.Write("docker-credential-fake", kFakeHelper, 0755);
  TempDir dir;
  CredentialSources s;
  s.helper_path = bin.path();
  s.config_files = {dir.Write("config.json", R"({"credsStore": "fake"})")};
  CredentialStore store(s);
  EXPECT_EQ(store.Lookup("broken.example").status(),
            FailedPreconditionError("credential helper docker-credential-fake: "
                                    "exit status 3: the keychain is locked"));
  EXPECT_EQ(store.Lookup("garbage.example").status().ToString(),
            "credential helper docker-credential-fake is not valid JSON: "
            "parse error at line 1, column 2: syntax error while parsing "
            "value - invalid literal; last read: 'no'");
  EXPECT_FALSE(store.Lookup("unknown.example")->has_value());
  s.helper_path = dir.path();
  EXPECT_EQ(CredentialStore(s).Lookup("reg.example").status(),
            FailedPreconditionError("credential helper docker-credential-fake: "
                                    "not found in PATH"));
}

TEST(RunCredentialHelperTest, CapsOutput) {
  TempDir bin;
  bin.Write("docker-credential-loud",
            "#!/bin/sh\nhead -c 2000000 /dev/zero | tr '\\0' a\n", 0755);
  EXPECT_EQ(RunCredentialHelper("loud", "h", bin.path()).status(),
            ResourceExhaustedError("credential helper docker-credential-loud: "
                                   "output larger than 1048576 bytes"));
}

TEST(RunCredentialHelperTest, HelperThatIgnoresStdinStillAnswers) {
  TempDir bin;
  bin.Write("docker-credential-quick",
            "#!/bin/sh\nexec 0<&-\n"
            "echo '{\"Username\":\"q\",\"Secret\":\"s\"}'\n",
            0755);
  auto c = RunCredentialHelper("quick", std::string(100000, 'h'), bin.path());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ((*c)->username, "q");
}

class EnvGuard {
 public:
  explicit EnvGuard(std::vector<std::string> names) {
    for (const std::string& n : names) {
      const char* v = std::getenv(n.c_str());
      saved_.emplace_back(n, v ? std::optional<std::string>(v) : std::nullopt);
    }
  }
  ~EnvGuard() {
    for (const auto& [n, v] : saved_) {
      if (v) {
        setenv(n.c_str(), v->c_str(), 1);
      } else {
        unsetenv(n.c_str());
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST(CredentialSourcesFromEnvironmentTest, ReadsTheUsualVariables) {
  EnvGuard guard({"REGISTRY_AUTH_FILE", "DOCKER_CONFIG", "HOME", "PATH"});
  setenv("REGISTRY_AUTH_FILE", "/run/auth.json", 1);
  setenv("DOCKER_CONFIG", "/etc/dc", 1);
  setenv("HOME", "/home/u", 1);
  setenv("PATH", "/a:/b", 1);
  CredentialSources s = CredentialSourcesFromEnvironment(std::nullopt);
  EXPECT_EQ(s.config_files, (std::vector<std::string>{"/run/auth.json",
                                                      "/etc/dc/config.json"}));
  EXPECT_EQ(s.helper_path, "/a:/b");
  unsetenv("REGISTRY_AUTH_FILE");
  unsetenv("DOCKER_CONFIG");
  s = CredentialSourcesFromEnvironment(Credential{"u", "p", ""});
  EXPECT_EQ(s.config_files,
            (std::vector<std::string>{"/home/u/.docker/config.json"}));
  EXPECT_EQ(s.explicit_credential->username, "u");
}

TEST(CredentialSourcesFromEnvironmentTest, TempHomeEndToEnd) {
  EnvGuard guard({"REGISTRY_AUTH_FILE", "DOCKER_CONFIG", "HOME"});
  TempDir home;
  home.Write(".docker/config.json",
             R"({"auths":{"127.0.0.1:5000":{"auth":"bGFiOmxhYnBhc3M="}}})");
  unsetenv("REGISTRY_AUTH_FILE");
  unsetenv("DOCKER_CONFIG");
  setenv("HOME", home.path().c_str(), 1);
  auto c = CredentialStore(CredentialSourcesFromEnvironment(std::nullopt))
               .Lookup("127.0.0.1:5000");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ((*c)->username, "lab");
  EXPECT_EQ((*c)->password, "labpass");
}

}  // namespace
}  // namespace strata::registry
