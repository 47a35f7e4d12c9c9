// The Rust cargo-auditable cataloger (see catalog/cataloger.h for the
// contract).
//
// Capture rule "rust-binary": every executable regular file that starts
// with the ELF magic, up to 256 MiB; its reduce keeps only the decompressed
// JSON of the `.dep-v0` section (audit_data.h), nothing for other files.
// For each such binary in the final view, one rust-crate package per crate
// listed (build-only crates included, marked extra "rust.kind" = "build"),
// located at the binary. A binary over the cap, a corrupt section or
// invalid JSON becomes an unknown.
#ifndef STRATA_CATALOG_RUST_CATALOGER_H_
#define STRATA_CATALOG_RUST_CATALOGER_H_

#include "catalog/cataloger.h"

namespace strata::catalog::rust {

// "rust-cargo-auditable-cataloger"
Cataloger MakeRustCataloger();

}  // namespace strata::catalog::rust

#endif  // STRATA_CATALOG_RUST_CATALOGER_H_
