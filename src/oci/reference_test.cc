#include "oci/reference.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "base/caps.h"
#include "testing/compress.h"
#include "testing/image_writer.h"
#include "testing/tar_writer.h"

namespace strata::oci {
namespace {

constexpr char kDigest[] =
    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

struct GoodCase {
  std::string ref;
  Transport transport;
  std::string path;
  std::string tag;
  std::string digest;
  std::optional<int> index;
  std::string canonical;  // ToString()
};

TEST(ParseReferenceSyntaxTest, ParsesGoodReferences) {
  const std::vector<GoodCase> cases = {
      {"oci:/img", Transport::kOciLayout, "/img", "", "", {}, "oci:/img"},
      {"oci:/img:v1",
       Transport::kOciLayout,
       "/img",
       "v1",
       "",
       {},
       "oci:/img:v1"},
      {"oci:rel/dir:1.0-rc_1",
       Transport::kOciLayout,
       "rel/dir",
       "1.0-rc_1",
       "",
       {},
       "oci:rel/dir:1.0-rc_1"},
      {std::string("oci:/img@") + kDigest,
       Transport::kOciLayout,
       "/img",
       "",
       kDigest,
       {},
       std::string("oci:/img@") + kDigest},
      {"oci-archive:/a.tar",
       Transport::kOciArchive,
       "/a.tar",
       "",
       "",
       {},
       "oci-archive:/a.tar"},
      {"oci-archive:/a.tar:latest",
       Transport::kOciArchive,
       "/a.tar",
       "latest",
       "",
       {},
       "oci-archive:/a.tar:latest"},
      {"docker-archive:/d.tar",
       Transport::kDockerArchive,
       "/d.tar",
       "",
       "",
       {},
       "docker-archive:/d.tar"},
      {"docker-archive:/d.tar:example.com/x:tag",
       Transport::kDockerArchive,
       "/d.tar",
       "example.com/x:tag",
       "",
       {},
       "docker-archive:/d.tar:example.com/x:tag"},
      {"docker-archive:/d.tar:localhost:5000/a/b:1",
       Transport::kDockerArchive,
       "/d.tar",
       "localhost:5000/a/b:1",
       "",
       {},
       "docker-archive:/d.tar:localhost:5000/a/b:1"},
      {"docker-archive:/d.tar:2", Transport::kDockerArchive, "/d.tar", "", "",
       2, "docker-archive:/d.tar:@2"},
      {"docker-archive:/d.tar:@0", Transport::kDockerArchive, "/d.tar", "", "",
       0, "docker-archive:/d.tar:@0"},
      {"dir:/rootfs", Transport::kRootfs, "/rootfs", "", "", {}, "dir:/rootfs"},
      {"dir:/root:fs",
       Transport::kRootfs,
       "/root:fs",
       "",
       "",
       {},
       "dir:/root:fs"},
  };
  for (const GoodCase& c : cases) {
    SCOPED_TRACE(c.ref);
    bool detect = true;
    Result<ImageRef> r = ParseReferenceSyntax(c.ref, &detect);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_FALSE(detect);
    EXPECT_EQ(r->transport, c.transport);
    EXPECT_EQ(r->path, c.path);
    EXPECT_EQ(r->tag, c.tag);
    EXPECT_EQ(r->digest ? r->digest->ToString() : "", c.digest);
    EXPECT_EQ(r->index, c.index);
    EXPECT_EQ(r->ToString(), c.canonical);
    // The canonical form parses to the same reference.
    Result<ImageRef> again = ParseReferenceSyntax(r->ToString(), &detect);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->ToString(), c.canonical);
    EXPECT_EQ(again->path, c.path);
    EXPECT_EQ(again->index, c.index);
  }
}

TEST(ParseReferenceSyntaxTest, PlainPathNeedsDetection) {
  bool detect = false;
  Result<ImageRef> r = ParseReferenceSyntax("images/alpine.tar", &detect);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(detect);
  EXPECT_EQ(r->path, "images/alpine.tar");
  // A '/' or '.' before the colon makes it a path, not a transport.
  r = ParseReferenceSyntax("./x:y", &detect);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(detect);
  EXPECT_EQ(r->path, "./x:y");
}

struct BadCase {
  std::string ref;
  StatusCode code;
  std::string message;
};

TEST(ParseReferenceSyntaxTest, RejectsBadReferences) {
  const std::vector<BadCase> cases = {
      {"", StatusCode::kInvalidArgument, "empty image reference"},
      {"oci:", StatusCode::kInvalidArgument,
       "invalid image reference \"oci:\": empty path"},
      {"oci::tag", StatusCode::kInvalidArgument,
       "invalid image reference \"oci::tag\": empty path"},
      {"oci:/img:", StatusCode::kInvalidArgument,
       "invalid image reference \"oci:/img:\": invalid tag \"\""},
      {"oci:/img:bad tag", StatusCode::kInvalidArgument,
       "invalid image reference \"oci:/img:bad tag\": invalid tag \"bad "
       "tag\""},
      {"oci:/img@sha256:abc", StatusCode::kInvalidArgument,
       "invalid image reference \"oci:/img@sha256:abc\": invalid digest "
       "\"sha256:abc\": want 64 lowercase hex digits"},
      {"docker-archive:/d.tar:", StatusCode::kInvalidArgument,
       "invalid image reference \"docker-archive:/d.tar:\": invalid image "
       "name \"\""},
      {"docker-archive:/d.tar:@x", StatusCode::kInvalidArgument,
       "invalid image reference \"docker-archive:/d.tar:@x\": \"@\" must be "
       "followed by an image index"},
      {"docker-archive:/d.tar:12345678901", StatusCode::kInvalidArgument,
       "invalid image reference \"docker-archive:/d.tar:12345678901\": image "
       "index too large"},
      {"dir:", StatusCode::kInvalidArgument,
       "invalid image reference \"dir:\": empty path"},
      {"docker://Alpine:3.20", StatusCode::kInvalidArgument,
       "invalid image name \"Alpine:3.20\": invalid repository component "
       "\"Alpine\" (lowercase letters, digits and . _ __ -)"},
      {"docker://alpine:", StatusCode::kInvalidArgument,
       "invalid image name \"alpine:\": invalid tag \"\""},
      {"docker://alpine:-x", StatusCode::kInvalidArgument,
       "invalid image name \"alpine:-x\": invalid tag \"-x\""},
      {"docker://a@sha256:12", StatusCode::kInvalidArgument,
       "invalid image name \"a@sha256:12\": invalid digest \"sha256:12\": "
       "want 64 lowercase hex digits"},
      {"docker://", StatusCode::kInvalidArgument, "empty image name"},
      {"registry:a//b", StatusCode::kInvalidArgument,
       "invalid image name \"a//b\": invalid repository component \"\" "
       "(lowercase letters, digits and . _ __ -)"},
      {"docker://a..b", StatusCode::kInvalidArgument,
       "invalid image name \"a..b\": invalid repository component "
       "\"a..b\" (lowercase letters, digits and . _ __ -)"},
      {"docker://exa_mple.com:5000/x", StatusCode::kInvalidArgument,
       "invalid image name \"exa_mple.com:5000/x\": invalid registry host "
       "\"exa_mple.com:5000\""},
      {"docker://host:99999999/x", StatusCode::kInvalidArgument,
       "invalid image name \"host:99999999/x\": invalid registry host "
       "\"host:99999999\""},
      {"docker://" + std::string(250, 'a') + "/" + std::string(10, 'b'),
       StatusCode::kInvalidArgument,
       "invalid image name \"" + std::string(200, 'a') +
           "\": longer than 255 bytes"},
      {"ftp:/x y", StatusCode::kUnimplemented,
       "unknown transport in \"ftp:/x y\" (want oci:, oci-archive:, "
       "docker-archive:, dir:, docker:// or registry:)"},
      {std::string("oci:/a\0b", 8), StatusCode::kInvalidArgument,
       "image reference contains a NUL byte"},
      {"oci:/" + std::string(caps::kMaxReferenceLength, 'a'),
       StatusCode::kResourceExhausted,
       "image reference longer than 4096 bytes"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.ref.substr(0, 100));
    bool detect = false;
    Result<ImageRef> r = ParseReferenceSyntax(c.ref, &detect);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), c.code);
    EXPECT_EQ(r.status().ToString(), c.message);
  }
}

struct NameCase {
  std::string ref;
  std::string registry, repository, tag, digest;
  std::string canonical;
};

TEST(ParseReferenceSyntaxTest, ParsesRegistryNames) {
  const std::string d = kDigest;
  const std::vector<NameCase> cases = {
      {"docker://alpine", "docker.io", "library/alpine", "latest", "",
       "docker://docker.io/library/alpine:latest"},
      {"registry:alpine:3.20", "docker.io", "library/alpine", "3.20", "",
       "docker://docker.io/library/alpine:3.20"},
      {"docker://index.docker.io/user/app:v1", "docker.io", "user/app", "v1",
       "", "docker://docker.io/user/app:v1"},
      {"docker://localhost/a", "localhost", "a", "latest", "",
       "docker://localhost/a:latest"},
      {"docker://127.0.0.1:5000/a/b-c__d.e:V_1.0-x", "127.0.0.1:5000",
       "a/b-c__d.e", "V_1.0-x", "",
       "docker://127.0.0.1:5000/a/b-c__d.e:V_1.0-x"},
      {"docker://[::1]:5000/x@" + d, "[::1]:5000", "x", "", d,
       "docker://[::1]:5000/x@" + d},
      {"docker://ghcr.io/o/r:t@" + d, "ghcr.io", "o/r", "t", d,
       "docker://ghcr.io/o/r:t@" + d},
      {"docker://a---b", "docker.io", "library/a---b", "latest", "",
       "docker://docker.io/library/a---b:latest"},
  };
  for (const NameCase& c : cases) {
    SCOPED_TRACE(c.ref);
    bool detect = true;
    Result<ImageRef> r = ParseReferenceSyntax(c.ref, &detect);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_FALSE(detect);
    EXPECT_EQ(r->transport, Transport::kRegistry);
    EXPECT_EQ(r->registry, c.registry);
    EXPECT_EQ(r->repository, c.repository);
    EXPECT_EQ(r->tag, c.tag);
    EXPECT_EQ(r->digest ? r->digest->ToString() : "", c.digest);
    EXPECT_EQ(r->ToString(), c.canonical);
    Result<ImageRef> again = ParseReferenceSyntax(r->ToString(), &detect);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->ToString(), c.canonical);
  }
  EXPECT_EQ(RegistryApiHost("docker.io"), "registry-1.docker.io");
  EXPECT_EQ(RegistryApiHost("127.0.0.1:5000"), "127.0.0.1:5000");
}

TEST(ParseReferenceTest, UnprefixedNameWithoutSuchPathIsARegistryImage) {
  Result<ImageRef> r = ParseReference("no-such-dir-strata/app:1.0");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->transport, Transport::kRegistry);
  EXPECT_EQ(r->Name(), "docker.io/no-such-dir-strata/app:1.0");
  EXPECT_TRUE(r->path.empty());
  // Not a valid name: a missing path.
  Result<ImageRef> p = ParseReference("/no/such/strata/path");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kNotFound);
}

TEST(ParseRepositoryTest, ParsesAndRejects) {
  Result<ImageRef> r = ParseRepository("docker://127.0.0.1:5000/a/b");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->registry, "127.0.0.1:5000");
  EXPECT_EQ(r->repository, "a/b");
  r = ParseRepository("busybox");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->repository, "library/busybox");
  r = ParseRepository("busybox:1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().ToString(),
            "invalid image name \"busybox:1\": invalid repository component "
            "\"busybox:1\" (lowercase letters, digits and . _ __ -)");
}

TEST(TransportNameTest, NamesEveryTransport) {
  EXPECT_EQ(TransportName(Transport::kOciLayout), "oci");
  EXPECT_EQ(TransportName(Transport::kOciArchive), "oci-archive");
  EXPECT_EQ(TransportName(Transport::kDockerArchive), "docker-archive");
  EXPECT_EQ(TransportName(Transport::kRootfs), "dir");
  EXPECT_EQ(TransportName(Transport::kRegistry), "docker");
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

testing::TestImage SmallImage() {
  testing::TestImage image;
  testing::TestLayer layer;
  layer.tar = testing::TarWriter().File("etc/hostname", "box\n").Finish();
  image.layers.push_back(layer);
  return image;
}

TEST(DetectTransportTest, DetectsEachKind) {
  std::string dir = testing::MakeTempDir("strata-detect-");
  ASSERT_TRUE(testing::WriteOciLayout(dir + "/layout", {SmallImage()}).ok());
  ASSERT_TRUE(testing::WriteOciArchive(dir + "/oci.tar", {SmallImage()}).ok());
  ASSERT_TRUE(
      testing::WriteDockerArchive(dir + "/docker.tar", {SmallImage()}).ok());
  ASSERT_EQ(::mkdir((dir + "/rootfs").c_str(), 0755), 0);

  EXPECT_EQ(*DetectTransport(dir + "/layout"), Transport::kOciLayout);
  EXPECT_EQ(*DetectTransport(dir + "/oci.tar"), Transport::kOciArchive);
  EXPECT_EQ(*DetectTransport(dir + "/docker.tar"), Transport::kDockerArchive);
  EXPECT_EQ(*DetectTransport(dir + "/rootfs"), Transport::kRootfs);
}

TEST(DetectTransportTest, RejectsWhatIsNoImage) {
  std::string dir = testing::MakeTempDir("strata-detect-");
  WriteFile(dir + "/text", "hello, this is not a tar archive at all\n");
  WriteFile(dir + "/empty", "");
  WriteFile(dir + "/plain.tar",
            testing::TarWriter().File("etc/passwd", "root\n").Finish());
  WriteFile(
      dir + "/img.tar.gz",
      testing::Gzip(testing::TarWriter().File("oci-layout", "{}").Finish()));
  WriteFile(
      dir + "/img.tar.zst",
      testing::Zstd(testing::TarWriter().File("manifest.json", "[]").Finish()));

  for (std::string name : {"text", "empty", "plain.tar"}) {
    Result<Transport> r = DetectTransport(dir + "/" + name);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().ToString(),
              dir + "/" + name +
                  " is not an image (expected an OCI layout, an OCI or "
                  "docker archive, or a directory)");
  }
  for (std::string name : {"img.tar.gz", "img.tar.zst"}) {
    Result<Transport> r = DetectTransport(dir + "/" + name);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
    EXPECT_EQ(r.status().ToString(),
              "compressed image archives are not supported; decompress " + dir +
                  "/" + name + " first");
  }
  Result<Transport> missing = DetectTransport(dir + "/nope");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().ToString(),
            dir + "/nope: no such file or directory");
}

TEST(DetectTransportTest, OciLayoutMarkerMustBeAFile) {
  std::string dir = testing::MakeTempDir("strata-detect-");
  ASSERT_EQ(::mkdir((dir + "/oci-layout").c_str(), 0755), 0);
  EXPECT_EQ(*DetectTransport(dir), Transport::kRootfs);
}

TEST(ParseReferenceTest, DetectsPlainPaths) {
  std::string dir = testing::MakeTempDir("strata-ref-");
  ASSERT_TRUE(
      testing::WriteDockerArchive(dir + "/img.tar", {SmallImage()}).ok());
  Result<ImageRef> r = ParseReference(dir + "/img.tar");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->transport, Transport::kDockerArchive);
  EXPECT_EQ(r->path, dir + "/img.tar");
  EXPECT_EQ(r->ToString(), "docker-archive:" + dir + "/img.tar");

  Result<ImageRef> missing = ParseReference(dir + "/missing");
  EXPECT_EQ(missing.status().ToString(),
            dir + "/missing: no such file or directory");
}

TEST(ParseReferenceTest, ExistingPathWithColonsWins) {
  std::string dir = testing::MakeTempDir("strata-ref-");
  std::string odd = dir + "/img:v1";
  ASSERT_TRUE(testing::WriteOciLayout(odd, {SmallImage()}).ok());
  // The whole remainder exists: no tag.
  Result<ImageRef> r = ParseReference("oci:" + odd);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->path, odd);
  EXPECT_EQ(r->tag, "");
  // Otherwise the path ends at the first ':'.
  r = ParseReference("oci:" + dir + "/other:v2");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->path, dir + "/other");
  EXPECT_EQ(r->tag, "v2");
  // A plain path with a colon is detected.
  r = ParseReference(odd);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->transport, Transport::kOciLayout);
  EXPECT_EQ(r->path, odd);
}

}  // namespace
}  // namespace strata::oci
