//! Pure core: values in, values out. No I/O, no clock, no async runtime.
//!
//! Everything here is deterministic so that it can be tested with fixed vectors: the
//! caller passes the time in, and the transport and the dev server do the I/O.
pub mod kms;
pub mod model;
pub mod objects;
pub mod ops;
pub mod request;
pub mod rpc;
pub mod secret;
pub mod sign;
pub mod sse;
pub mod sts;
pub mod validate;
pub mod xml;
