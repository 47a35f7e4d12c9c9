// Test-only writer of whole images in the three on-disk forms strata reads.
// Produces valid digests unless told to lie; hostile variations are made by
// editing the returned structures or the written files.
#ifndef STRATA_TESTING_IMAGE_WRITER_H_
#define STRATA_TESTING_IMAGE_WRITER_H_

#include <map>
#include <string>
#include <vector>

#include "base/status.h"

namespace strata::testing {

enum class LayerCompression { kNone, kGzip, kZstd };

struct TestLayer {
  std::string tar;  // uncompressed tar bytes (TarWriter::Finish)
  LayerCompression compression = LayerCompression::kGzip;
  // Media type to record; empty = the honest one for `compression`.
  std::string media_type;
};

struct TestImage {
  std::vector<TestLayer> layers;
  std::string os = "linux";
  std::string architecture = "amd64";
  std::string variant;
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd = {"/bin/sh"};
  std::vector<std::string> env = {"PATH=/usr/bin:/bin"};
  std::string user;
  std::string working_dir;
  std::map<std::string, std::string> labels;
  std::string created = "2024-01-01T00:00:00Z";
  bool docker_media_types = false;  // Docker v2 schema 2 instead of OCI
};

// A written image: digests of what was written, for assertions.
struct WrittenImage {
  std::string manifest_digest;  // "sha256:..."
  std::string config_digest;
  std::vector<std::string> layer_digests;  // compressed blobs
  std::vector<std::string> diff_ids;
  std::string manifest_json;
  std::string config_json;
};

// Writes `images` as an OCI image layout at dir (created). With one image the
// index.json lists its manifest directly (annotated with `tag` as
// org.opencontainers.image.ref.name if non-empty); with several, index.json
// points to a nested image index listing them with their platforms.
Result<std::vector<WrittenImage>> WriteOciLayout(
    const std::string& dir, const std::vector<TestImage>& images,
    const std::string& tag = "latest");

// Same, as a tar (oci-archive).
Result<std::vector<WrittenImage>> WriteOciArchive(
    const std::string& file, const std::vector<TestImage>& images,
    const std::string& tag = "latest");

// `docker save` layout: manifest.json, <config>.json, <layer>/layer.tar or
// blobs/sha256/..., one entry per image, RepoTags from repo_tags.
Result<std::vector<WrittenImage>> WriteDockerArchive(
    const std::string& file, const std::vector<TestImage>& images,
    const std::vector<std::string>& repo_tags = {"example.com/test:latest"});

// Writes a blob file into an OCI layout (blobs/<alg>/<hex>) and returns its
// digest; used by tests that craft manifests and indexes by hand.
Result<std::string> WriteBlob(const std::string& layout_dir,
                              const std::string& bytes);

// A fresh temporary directory under $TEST_TMPDIR or /tmp, removed by the
// caller (or left for inspection).
std::string MakeTempDir(const std::string& prefix);

}  // namespace strata::testing

#endif  // STRATA_TESTING_IMAGE_WRITER_H_
