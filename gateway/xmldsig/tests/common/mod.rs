//! Test helpers from the project's test kit.
#![allow(dead_code, unused_imports)]

use std::path::Path;

pub use gateway_testkit::{in_ci, read_shared, shared, shared_dir, tool_available};

/// A fresh empty directory, removed on drop.
pub struct TempDir(tempfile::TempDir);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let dir = tempfile::Builder::new()
            .prefix(&format!("gateway-test-{tag}-"))
            .tempdir()
            .expect("create temp dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }
}
