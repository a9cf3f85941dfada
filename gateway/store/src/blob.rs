//! Content-addressed storage of raw documents: a blob is named by the SHA-256 of its bytes.
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// Where blob bytes live. Their index row is always in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobLocation {
    /// Files under a directory (`ab/cd/abcd…`): the embedded default, next to the SQLite file.
    /// Blobs up to [`INLINE_MAX`] bytes stay in the database all the same.
    Files(PathBuf),
    /// In the `blobs.content` column: what several nodes sharing one PostgreSQL need.
    Database,
}

/// Blobs up to this size are kept in the database even when blobs live in files. A typical
/// invoice is a few KB: SQLite writes it faster than the file system creates a file (two
/// directory levels, a temporary file, rename), and the commit that stores its row makes it
/// durable with one log sync shared by the group (see `group`) instead of two fsyncs of its own.
pub const INLINE_MAX: usize = 64 * 1024;

impl BlobLocation {
    /// Whether `len` bytes are kept in the `blobs.content` column rather than in a file.
    pub fn in_database(&self, len: usize) -> bool {
        match self {
            BlobLocation::Files(_) => len <= INLINE_MAX,
            BlobLocation::Database => true,
        }
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub(crate) fn file_path(dir: &Path, sha256: &str) -> PathBuf {
    dir.join(&sha256[0..2]).join(&sha256[2..4]).join(sha256)
}

/// Writes the file durably (temp file, fsync, rename, fsync of the directory) unless present.
pub(crate) fn write_file(dir: &Path, sha256: &str, bytes: &[u8]) -> Result<()> {
    let path = file_path(dir, sha256);
    if path.exists() {
        return Ok(());
    }
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| Error::BlobIo { path, source }
    };
    let parent = path.parent().unwrap_or(dir);
    std::fs::create_dir_all(parent).map_err(io(parent))?;
    let mut tmp = tempfile_in(parent).map_err(io(parent))?;
    tmp.1.write_all(bytes).map_err(io(&tmp.0))?;
    tmp.1.sync_all().map_err(io(&tmp.0))?;
    std::fs::rename(&tmp.0, &path).map_err(io(&path))?;
    std::fs::File::open(parent)
        .and_then(|d| d.sync_all())
        .map_err(io(parent))?;
    Ok(())
}

/// Reads a blob file and checks that its bytes still hash to its name.
pub(crate) fn read_file(dir: &Path, sha256: &str) -> Result<Vec<u8>> {
    let path = file_path(dir, sha256);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::BlobMissing(sha256.to_string()))
        }
        Err(source) => {
            return Err(Error::BlobIo {
                path: path.display().to_string(),
                source,
            })
        }
    };
    let actual = sha256_hex(&bytes);
    if actual != sha256 {
        return Err(Error::BlobIo {
            path: path.display().to_string(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("content hashes to {actual}, the blob was altered"),
            ),
        });
    }
    Ok(bytes)
}

fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    let name = format!(".tmp-{}", uuid::Uuid::new_v4().simple());
    let path = dir.join(name);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)?;
    Ok((path, file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn altered_file_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let sha = sha256_hex(b"invoice");
        write_file(dir.path(), &sha, b"invoice").unwrap();
        assert_eq!(read_file(dir.path(), &sha).unwrap(), b"invoice");
        std::fs::write(file_path(dir.path(), &sha), b"forged").unwrap();
        let err = read_file(dir.path(), &sha).unwrap_err().to_string();
        assert!(err.contains("the blob was altered"), "{err}");
    }

    #[test]
    fn missing_file_is_reported_by_hash() {
        let dir = tempfile::tempdir().unwrap();
        let sha = sha256_hex(b"x");
        assert!(matches!(read_file(dir.path(), &sha), Err(Error::BlobMissing(h)) if h == sha));
    }
}
