// Go build information from ELF executables: the Go toolchain version and
// the module information text that the Go linker embeds (what
// `go version -m` prints), read from bytes in memory.
//
// Where: the `.go.buildinfo` section; in a file without section headers,
// the first writable, non-executable PT_LOAD segment's first 64 KiB, at a
// 16-byte aligned offset. The blob starts with a 32-byte header: the magic
// "\xff Go buildinf:", the pointer size, and a flags byte. With flag 0x2 (Go
// >= 1.18) the version and modinfo strings follow as uvarint-length-prefixed
// bytes; otherwise (Go 1.13-1.17) the header holds two pointers (of the
// given size and byte order, bit 0x1 = big endian) to Go string headers
// {data pointer, length}, resolved through the PT_LOAD segments. The modinfo
// is framed by 16-byte sentinels, which are stripped.
//
// Thread-safety: pure function.
#ifndef STRATA_CATALOG_GOLANG_BUILDINFO_H_
#define STRATA_CATALOG_GOLANG_BUILDINFO_H_

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace strata::catalog::golang {

// The build information of the ELF file `bytes` as text:
//   "go\t<go version>\n" followed by the modinfo text (empty for a binary
//   built outside module mode), e.g.
//   "go\tgo1.22.5\npath\texample.com/cmd\nmod\texample.com\t(devel)\t\n..."
// nullopt when the file is no readable ELF file or no Go binary (no
// .go.buildinfo section; without section headers, no build info header in
// the data segment). For a file with a section table this is one table
// lookup: the data is never scanned.
// Errors (a Go build info blob that is corrupt), all prefixed
// "go build info: ": "no build info header in .go.buildinfo", "bad varint",
// "string of 99 bytes out of bounds", "bad pointer size 3", "empty go
// version", "bad go version", "elf: address 0x10 not mapped" (a pointer that
// leads nowhere), and kResourceExhausted "modinfo of N bytes exceeds the
// cap of 1048576" (likewise "go version of N bytes exceeds the cap of
// 1024").
Result<std::optional<std::string>> ReadBuildInfo(std::string_view bytes);

}  // namespace strata::catalog::golang

#endif  // STRATA_CATALOG_GOLANG_BUILDINFO_H_
