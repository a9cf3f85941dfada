//! Content encryption (AES-GCM, IV || ciphertext || tag as XML Encryption 1.1 lays it out) and
//! RSA-OAEP key transport through OpenSSL (constant-time, unlike the pure-Rust `rsa` crate).

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes128Gcm, Aes256Gcm, Nonce};
use openssl::md::Md;
use openssl::pkey::{PKey, Private};
use openssl::pkey_ctx::PkeyCtx;
use openssl::rsa::Padding;
use rand::RngCore;

use crate::error::{Error, Result};

const IV_LEN: usize = 12;

/// A fresh random AES-128 key.
pub fn random_key() -> [u8; 16] {
    let mut key = [0u8; 16];
    rand::rng().fill_bytes(&mut key);
    key
}

/// AES-GCM encryption with a random 96-bit IV; key length selects AES-128 or AES-256.
pub fn aes_gcm_encrypt(key: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
    let mut iv = [0u8; IV_LEN];
    rand::rng().fill_bytes(&mut iv);
    let nonce = Nonce::from(iv);
    let nonce = &nonce;
    let ct = match key.len() {
        16 => Aes128Gcm::new_from_slice(key)
            .map_err(|e| Error::Key(e.to_string()))?
            .encrypt(nonce, plaintext),
        32 => Aes256Gcm::new_from_slice(key)
            .map_err(|e| Error::Key(e.to_string()))?
            .encrypt(nonce, plaintext),
        n => return Err(Error::Key(format!("AES key of {n} bytes"))),
    }
    .map_err(|_| Error::Key("AES-GCM encryption failed".into()))?;
    let mut out = Vec::with_capacity(IV_LEN + ct.len());
    out.extend_from_slice(&iv);
    out.extend_from_slice(&ct);
    Ok(out)
}

/// Decrypts IV || ciphertext || tag; a wrong key or a changed bit is [`Error::Decryption`].
pub fn aes_gcm_decrypt(key: &[u8], data: &[u8]) -> Result<Vec<u8>> {
    if data.len() < IV_LEN + 16 {
        return Err(Error::Decryption(
            "AES-GCM data shorter than IV and tag".into(),
        ));
    }
    let (iv, ct) = data.split_at(IV_LEN);
    let mut iv_bytes = [0u8; IV_LEN];
    iv_bytes.copy_from_slice(iv);
    let nonce = Nonce::from(iv_bytes);
    let nonce = &nonce;
    let fail = |_| Error::Decryption("AES-GCM authentication failed".into());
    match key.len() {
        16 => Aes128Gcm::new_from_slice(key)
            .map_err(|e| Error::Decryption(e.to_string()))?
            .decrypt(nonce, ct)
            .map_err(fail),
        32 => Aes256Gcm::new_from_slice(key)
            .map_err(|e| Error::Decryption(e.to_string()))?
            .decrypt(nonce, ct)
            .map_err(fail),
        n => Err(Error::Decryption(format!("content key of {n} bytes"))),
    }
}

/// The OAEP digest and MGF1 digest of a key transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OaepHash {
    Sha1,
    Sha256,
}

impl OaepHash {
    fn md(self) -> &'static openssl::md::MdRef {
        match self {
            OaepHash::Sha1 => Md::sha1(),
            OaepHash::Sha256 => Md::sha256(),
        }
    }
}

/// Wraps `key` for the RSA key of the DER certificate `cert_der` (RSA-OAEP, SHA-256 / MGF1-SHA-256).
pub fn rsa_oaep_wrap(cert_der: &[u8], key: &[u8]) -> Result<Vec<u8>> {
    let cert = openssl::x509::X509::from_der(cert_der)
        .map_err(|e| Error::Key(format!("receiver certificate: {e}")))?;
    let public = cert
        .public_key()
        .map_err(|e| Error::Key(format!("receiver certificate key: {e}")))?;
    let run = || -> std::result::Result<Vec<u8>, openssl::error::ErrorStack> {
        let mut ctx = PkeyCtx::new(&public)?;
        ctx.encrypt_init()?;
        ctx.set_rsa_padding(Padding::PKCS1_OAEP)?;
        ctx.set_rsa_oaep_md(Md::sha256())?;
        ctx.set_rsa_mgf1_md(Md::sha256())?;
        let mut out = Vec::new();
        ctx.encrypt_to_vec(key, &mut out)?;
        Ok(out)
    };
    run().map_err(|e| Error::Key(format!("RSA-OAEP key wrap: {e}")))
}

/// Our RSA private key for key transport.
#[derive(Clone)]
pub struct RsaDecryptionKey(PKey<Private>);

impl std::fmt::Debug for RsaDecryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RsaDecryptionKey(..)")
    }
}

impl RsaDecryptionKey {
    pub fn from_pem(pem: &[u8]) -> Result<Self> {
        let key = PKey::private_key_from_pem(pem)
            .map_err(|e| Error::Key(format!("private key PEM: {e}")))?;
        if key.rsa().is_err() {
            return Err(Error::Key("the private key is not RSA".into()));
        }
        Ok(RsaDecryptionKey(key))
    }

    /// RSA-SHA256 (PKCS#1 v1.5) over `data`, with the key parsed once (libxmlsec1's signer
    /// would parse the PEM for every signature).
    pub fn sign_sha256(&self, data: &[u8]) -> Result<Vec<u8>> {
        let mut signer =
            openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), &self.0)
                .map_err(|e| Error::Key(format!("RSA signer: {e}")))?;
        signer
            .sign_oneshot_to_vec(data)
            .map_err(|e| Error::Key(format!("RSA signing: {e}")))
    }

    /// Unwraps a content key.
    pub fn unwrap(&self, wrapped: &[u8], digest: OaepHash, mgf: OaepHash) -> Result<Vec<u8>> {
        let run = || -> std::result::Result<Vec<u8>, openssl::error::ErrorStack> {
            let mut ctx = PkeyCtx::new(&self.0)?;
            ctx.decrypt_init()?;
            ctx.set_rsa_padding(Padding::PKCS1_OAEP)?;
            ctx.set_rsa_oaep_md(digest.md())?;
            ctx.set_rsa_mgf1_md(mgf.md())?;
            let mut out = Vec::new();
            ctx.decrypt_to_vec(wrapped, &mut out)?;
            Ok(out)
        };
        run().map_err(|_| Error::Decryption("the content key cannot be unwrapped".into()))
    }
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(data).into()
}
