// Fuzzes one layer end to end: content-sniffed decompression, the tar
// reader, tar -> changes (normalisation, whiteouts) and the squashed view
// (hardlink checks, symlink resolution, glob), with small caps so that
// bombs are cut short.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "base/byte_source.h"
#include "fs/file_tree.h"
#include "image/loader.h"
#include "io/decompress.h"
#include "io/verify.h"
#include "tar/tar_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace strata;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto src = std::make_unique<MemorySource>(bytes);
  io::Compression c;
  auto stream = io::OpenDecompressed(std::move(src), &c);
  if (!stream.ok()) return 0;
  io::ByteBudget budget(64 << 20, "fuzz budget");
  io::BudgetedSource capped(**stream, budget);
  tar::Reader reader(capped);
  std::atomic<int64_t> entries{0};
  auto changes = image::TarToChanges(0, reader, entries, 10000);
  if (!changes.ok()) return 0;
  fs::FileTree tree;
  if (!tree.ApplyLayer(*changes).ok()) return 0;
  // Apply the same changes again as layer 1: exercises replacement and
  // whiteouts against a lower layer.
  changes->layer = 1;
  if (!tree.ApplyLayer(*changes).ok()) return 0;
  tree.Walk([&tree](std::string_view p, const fs::FileInfo&) {
    (void)tree.Resolve(p, true);
    return true;
  });
  (void)tree.Glob("**/*");
  return 0;
}
