//! Pure core: property tests of parsers and signing.
//!
//! One test binary per group (see tests/README.md): linking egui, axum and reqwest once
//! per group instead of once per file keeps a cold test build short.

mod hostile_documents;
mod properties;
