//! Shared test data and tools, found through the one helper of `gateway-testkit`.
#![allow(dead_code, unused_imports)]

pub use gateway_testkit::{python3, read_shared, shared, shared_dir};
