//! Existing objects: what HeadObject says about one ([`facts`]), what to do to bring it to
//! a target encryption ([`plan`]) and what that change loses ([`downgrade`]), the totals of a scan or job ([`counters`]), and the stable
//! key split for `--shard` ([`shard`]).
pub mod counters;
pub mod downgrade;
pub mod facts;
pub mod plan;
pub mod shard;
