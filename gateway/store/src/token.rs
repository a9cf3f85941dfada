//! API tokens: `gw_<id>_<secret>`. The id finds the row; only a SHA-256 of the secret is stored.
//! Secrets are 32 random bytes, so a fast hash is enough (no password stretching needed).
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub const TOKEN_PREFIX: &str = "gw_";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedToken<'a> {
    pub id: &'a str,
    pub secret: &'a str,
}

impl<'a> ParsedToken<'a> {
    /// Splits a presented token; `None` for anything not shaped like one of ours.
    pub fn parse(presented: &'a str) -> Option<Self> {
        let rest = presented.strip_prefix(TOKEN_PREFIX)?;
        let (id, secret) = rest.split_once('_')?;
        let id_ok = id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit());
        let secret_ok = secret.len() == 43
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        (id_ok && secret_ok).then_some(Self { id, secret })
    }
}

/// A fresh token: (id, full token text, hash of the secret).
pub(crate) fn generate() -> (String, String, String) {
    let mut rng = rand::rng();
    let mut id = [0u8; 8];
    let mut secret = [0u8; 32];
    rng.fill_bytes(&mut id);
    rng.fill_bytes(&mut secret);
    let id = hex::encode(id);
    let secret = URL_SAFE_NO_PAD.encode(secret);
    let hash = hash_secret(&secret);
    (id.clone(), format!("{TOKEN_PREFIX}{id}_{secret}"), hash)
}

pub(crate) fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub(crate) fn secret_matches(secret: &str, stored_hash: &str) -> bool {
    hash_secret(secret)
        .as_bytes()
        .ct_eq(stored_hash.as_bytes())
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_parse_and_match_their_hash() {
        let (id, token, hash) = generate();
        let parsed = ParsedToken::parse(&token).expect("our own token parses");
        assert_eq!(parsed.id, id);
        assert!(secret_matches(parsed.secret, &hash));
        let (_, other, _) = generate();
        let other = ParsedToken::parse(&other).unwrap();
        assert!(!secret_matches(other.secret, &hash));
    }

    #[test]
    fn malformed_tokens_are_refused() {
        for bad in [
            "",
            "gw_",
            "gw_0011223344556677",
            "Bearer x",
            "gw_zz11223344556677_abc",
        ] {
            assert_eq!(ParsedToken::parse(bad), None, "{bad}");
        }
    }
}
