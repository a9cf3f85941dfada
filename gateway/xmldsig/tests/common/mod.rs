//! Test helpers from the project's test kit.
#![allow(dead_code, unused_imports)]

pub use gateway_testkit::{
    in_ci, peer, peers_python, read_shared, shared, shared_dir, tool_available, TempDir,
};
