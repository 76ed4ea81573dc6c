//! The dev server as OSS clients see it: signatures, buckets, encryption, objects, STS,
//! hostile input, runtime flags and crash safety.
//!
//! One test binary per group (see tests/README.md): linking egui, axum and reqwest once
//! per group instead of once per file keeps a cold test build short.

#[path = "../common/mod.rs"]
mod common;
#[path = "../common/devserver.rs"]
mod support;

mod auth;
mod buckets;
mod crash;
mod encryption;
mod hostile;
mod kms;
mod limits;
mod object_copy;
mod objects;
mod rpc;
mod runtime;
mod same_key;
mod sts;
mod sts_roles;
