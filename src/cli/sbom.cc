#include "cli/sbom.h"

#include <sys/stat.h>
#include <unistd.h>

#include <memory>

#include "base/byte_source.h"
#include "catalog/registry.h"
#include "cli/common.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "io/file_source.h"
#include "sbom/format.h"

namespace strata::cli {
namespace {

// True when `arg` names a regular file whose first non-blank byte is '{':
// an SBOM document rather than an image archive (a tar never starts so).
bool LooksLikeJsonFile(const std::string& arg) {
  struct stat st;
  if (::stat(arg.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  auto src = io::OpenFileSource(arg);
  if (!src.ok()) return false;
  uint8_t buf[512];
  auto n = (*src)->Read(buf);
  if (!n.ok()) return false;
  for (size_t i = 0; i < *n; ++i) {
    if (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t') {
      continue;
    }
    return buf[i] == '{';
  }
  return false;
}

Result<sbom::Sbom> SbomFromFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> src, io::OpenFileSource(path));
  ASSIGN_OR_RETURN(std::string bytes,
                   ReadAll(*src, caps::kMaxSbomDocumentBytes, "SBOM " + path));
  Result<sbom::Sbom> doc = sbom::Read(bytes);
  if (!doc.ok()) return doc.status().WithContext(path);
  sbom::Finalize(*doc);
  return doc;
}

Result<sbom::Sbom> SbomFromImage(const std::string& reference,
                                 SourceOptions opts) {
  opts.capture_globs = catalog::CaptureGlobs();
  opts.capture_rules = catalog::CaptureRules();
  ASSIGN_OR_RETURN(image::LoadedImage img, LoadFromCli(reference, opts));
  return catalog::Catalog(img);
}

}  // namespace

Result<sbom::Sbom> SbomFromInput(const std::string& input,
                                 const SourceOptions& opts) {
  return LooksLikeJsonFile(input) ? SbomFromFile(input)
                                  : SbomFromImage(input, opts);
}

std::function<int()> SetupSbom(CLI::App* cmd) {
  struct Args {
    std::string input;
    std::vector<std::string> outputs;
    std::string cyclonedx_version = "1.6";
    SourceOptions source;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("IMAGE", args->input,
                  "image reference (as for inspect), or an SPDX / CycloneDX "
                  "JSON file to convert")
      ->required();
  cmd->add_option("-o,--output", args->outputs,
                  "FORMAT[=FILE], repeatable: table, json, spdx-json, "
                  "cyclonedx-json (default: table on a terminal, else json)")
      ->allow_extra_args(false);  // one value per -o (syft style)
  cmd->add_option("--cyclonedx-version", args->cyclonedx_version,
                  "CycloneDX spec version to write")
      ->check(CLI::IsMember({"1.6", "1.5"}));
  AddSourceOptions(cmd, &args->source);
  return [args]() -> int {
    const char* def = ::isatty(STDOUT_FILENO) ? "table" : "json";
    Result<std::vector<OutputSpec>> specs =
        ParseOutputSpecs(args->outputs, def);
    if (!specs.ok()) return ReportError(specs.status());
    std::vector<sbom::Format> formats;
    for (const OutputSpec& s : *specs) {
      Result<sbom::Format> f = sbom::ParseFormat(s.format);
      if (!f.ok()) return ReportError(f.status());
      formats.push_back(*f);
    }
    Result<int64_t> ts = OutputTimestamp();
    if (!ts.ok()) return ReportError(ts.status());

    Result<sbom::Sbom> doc = SbomFromInput(args->input, args->source);
    if (!doc.ok()) return ReportError(doc.status());

    sbom::WriteOptions wo;
    wo.cyclonedx_version = args->cyclonedx_version;
    wo.timestamp = *ts;
    wo.tool_version = STRATA_VERSION;
    // Render everything first: a rendering error writes nothing.
    std::vector<std::string> rendered;
    for (sbom::Format f : formats) {
      Result<std::string> text = sbom::Write(*doc, f, wo);
      if (!text.ok()) return ReportError(text.status());
      rendered.push_back(std::move(*text));
    }
    for (size_t i = 0; i < specs->size(); ++i) {
      const OutputSpec& s = (*specs)[i];
      Status st = s.file.empty() ? WriteStdout(rendered[i])
                                 : WriteFileAtomically(s.file, rendered[i]);
      if (!st.ok()) return ReportError(st);
    }
    return kExitOk;
  };
}

}  // namespace strata::cli
