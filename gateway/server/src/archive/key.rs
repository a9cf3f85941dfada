//! The Ed25519 archive key: signs checkpoints of the chain head and tombstones. Kept as a base64
//! seed in a file made on first start (mode 0600), the public key next to it (`.pub`).
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rand_core::{OsRng, RngCore};

use crate::Error;

pub struct ArchiveKey {
    key: SigningKey,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The public key file that belongs to a key file.
pub fn public_path(key_file: &Path) -> PathBuf {
    key_file.with_extension("pub")
}

impl ArchiveKey {
    /// Loads the key, or makes one when the file does not exist yet.
    pub fn load_or_create(path: &Path) -> Result<Self, Error> {
        if path.exists() {
            let text = std::fs::read_to_string(path).map_err(io(path))?;
            let seed: [u8; 32] = STANDARD
                .decode(text.trim())
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| {
                    Error::Config(format!(
                        "{} does not hold a base64 Ed25519 seed of 32 bytes",
                        path.display()
                    ))
                })?;
            return Ok(Self {
                key: SigningKey::from_bytes(&seed),
            });
        }
        let mut seed = [0u8; 32];
        OsRng.fill_bytes(&mut seed);
        let key = Self {
            key: SigningKey::from_bytes(&seed),
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
        write_private(path, &STANDARD.encode(seed))?;
        let public = public_path(path);
        std::fs::write(&public, format!("{}\n", key.public_b64())).map_err(io(&public))?;
        tracing::info!(key = %path.display(), public = %key.public_b64(), "made the archive key");
        Ok(key)
    }

    pub fn public_b64(&self) -> String {
        STANDARD.encode(self.key.verifying_key().as_bytes())
    }

    /// Base64 signature of `message`.
    pub fn sign(&self, message: &str) -> String {
        STANDARD.encode(self.key.sign(message.as_bytes()).to_bytes())
    }
}

fn write_private(path: &Path, text: &str) -> Result<(), Error> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io(path))?;
    f.write_all(format!("{text}\n").as_bytes())
        .map_err(io(path))
}

/// The message a tombstone signature covers.
pub fn tombstone_message(hash: &str) -> String {
    format!("gateway-archive-tombstone:v1:{hash}")
}

/// A public key as given to `gateway archive verify`.
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    pub fn parse(text: &str) -> Result<Self, String> {
        let bytes: [u8; 32] = STANDARD
            .decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or("not a base64 Ed25519 public key of 32 bytes")?;
        VerifyingKey::from_bytes(&bytes)
            .map(Self)
            .map_err(|e| e.to_string())
    }

    pub fn b64(&self) -> String {
        STANDARD.encode(self.0.as_bytes())
    }

    pub fn verifies(&self, message: &str, signature_b64: &str) -> bool {
        let Some(sig) = STANDARD
            .decode(signature_b64)
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b).ok())
        else {
            return false;
        };
        self.0
            .verify(message.as_bytes(), &Signature::from_bytes(&sig))
            .is_ok()
    }
}
