//! The eDelivery AS4 2.0 EC profile's key transport: X25519 key agreement with an ephemeral
//! key, HKDF-SHA256 to a key-encryption key, AES-128 key wrap (RFC 3394) of the content key,
//! X25519 with curve25519-dalek, HKDF and the key wrap with RustCrypto's `hkdf` and `aes-kw`
//! (libxmlsec1 1.2 has none of them; OpenSSL 3 cost far more per message).

use aes_kw::KekAes128;
use curve25519_dalek::montgomery::MontgomeryPoint;
use hkdf::Hkdf;
use openssl::pkey::{Id, PKey};
use rand::RngCore;
use sha2::Sha256;

use crate::error::{Error, Result};

/// Our X25519 key-agreement key (the raw private scalar, clamped when used).
#[derive(Clone)]
pub struct X25519Key([u8; 32]);

impl std::fmt::Debug for X25519Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("X25519Key(..)")
    }
}

impl X25519Key {
    pub fn from_pem(pem: &[u8]) -> Result<X25519Key> {
        let key = PKey::private_key_from_pem(pem)
            .map_err(|e| Error::Key(format!("X25519 key PEM: {e}")))?;
        if key.id() != Id::X25519 {
            return Err(Error::Key("the key-agreement key is not X25519".into()));
        }
        let raw = key
            .raw_private_key()
            .map_err(|e| Error::Key(format!("X25519 key: {e}")))?;
        let raw: [u8; 32] = raw
            .try_into()
            .map_err(|_| Error::Key("an X25519 key has 32 bytes".into()))?;
        Ok(X25519Key(raw))
    }
}

/// The DER SubjectPublicKeyInfo of an X25519 key before its 32 bytes (RFC 8410: no
/// parameters, so the encoding is fixed).
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00,
];

fn spki(public: &MontgomeryPoint) -> Vec<u8> {
    let mut der = SPKI_PREFIX.to_vec();
    der.extend_from_slice(public.as_bytes());
    der
}

fn public_from_spki(der: &[u8]) -> Option<MontgomeryPoint> {
    let raw = der.strip_prefix(&SPKI_PREFIX[..])?;
    Some(MontgomeryPoint(raw.try_into().ok()?))
}

/// The X25519 public key of a certificate.
fn certificate_key(der: &[u8]) -> Option<MontgomeryPoint> {
    use x509_parser::prelude::{FromDer, X509Certificate};
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let spki = cert.public_key();
    if spki.algorithm.algorithm.as_bytes() != OID_X25519 {
        return None;
    }
    Some(MontgomeryPoint(
        spki.subject_public_key.data.as_ref().try_into().ok()?,
    ))
}

/// Whether the certificate's key is X25519 (the EC profile) rather than RSA.
pub fn is_x25519_certificate(der: &[u8]) -> bool {
    key_algorithm_is(der, &OID_X25519)
}

/// Whether the certificate's key is Ed25519 (an EC-profile signer).
pub fn is_ed25519_certificate(der: &[u8]) -> bool {
    key_algorithm_is(der, &OID_ED25519)
}

/// DER contents of the OIDs 1.3.101.110 (X25519) and 1.3.101.112 (Ed25519), RFC 8410.
const OID_X25519: [u8; 3] = [0x2b, 0x65, 0x6e];
const OID_ED25519: [u8; 3] = [0x2b, 0x65, 0x70];

/// The key algorithm read with x509-parser: per message, OpenSSL's certificate and key
/// decoders cost about a million instructions, this a few thousand.
fn key_algorithm_is(der: &[u8], oid: &[u8]) -> bool {
    use x509_parser::prelude::{FromDer, X509Certificate};
    X509Certificate::from_der(der)
        .is_ok_and(|(_, c)| c.public_key().algorithm.algorithm.as_bytes() == oid)
}

/// What the receiver needs besides its private key to unwrap the content key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    /// SubjectPublicKeyInfo DER of the sender's ephemeral X25519 key.
    pub originator_spki: Vec<u8>,
    pub salt: Vec<u8>,
    pub info: Vec<u8>,
    pub wrapped: Vec<u8>,
}

/// X25519 (RFC 7748); an all-zero result (a small-order peer key) is refused, as OpenSSL does.
fn shared_secret(ours: &[u8; 32], peer: &MontgomeryPoint) -> Result<[u8; 32]> {
    let shared = x25519(ours, peer);
    if shared == [0u8; 32] {
        return Err(Error::Decryption(
            "X25519: the peer key is of small order".into(),
        ));
    }
    Ok(shared)
}

/// X25519 through the Edwards form: the same u-coordinate as the Montgomery ladder (either
/// Edwards point of a u gives it), multiplied on curve25519-dalek's vectorised Edwards backend
/// at about half the ladder's cost. A u on the twist has no Edwards point and takes the ladder.
/// Both are constant-time in our scalar.
fn x25519(ours: &[u8; 32], peer: &MontgomeryPoint) -> [u8; 32] {
    match peer.to_edwards(0) {
        Some(point) => point.mul_clamped(*ours).to_montgomery().to_bytes(),
        None => peer.mul_clamped(*ours).to_bytes(),
    }
}

/// Wraps `key` for the X25519 key of `recipient_cert_der` with a fresh ephemeral key.
pub fn wrap(recipient_cert_der: &[u8], key: &[u8; 16], info: &[u8]) -> Result<Agreement> {
    let peer = certificate_key(recipient_cert_der)
        .ok_or_else(|| Error::Key("the receiver certificate has no X25519 key".into()))?;
    let mut eph = [0u8; 32];
    rand::rng().fill_bytes(&mut eph);
    let shared = shared_secret(&eph, &peer)?;
    let mut salt = vec![0u8; 32];
    rand::rng().fill_bytes(&mut salt);
    let kek = KekAes128::from(hkdf(&shared, &salt, info)?);
    let mut wrapped = vec![0u8; 24];
    kek.wrap(key, &mut wrapped)
        .map_err(|e| Error::Key(format!("AES key wrap failed: {e}")))?;
    Ok(Agreement {
        originator_spki: spki(&MontgomeryPoint::mul_base_clamped(eph)),
        salt,
        info: info.to_vec(),
        wrapped,
    })
}

/// Unwraps the content key with our X25519 key.
pub fn unwrap(ours: &X25519Key, a: &Agreement) -> Result<Vec<u8>> {
    if a.wrapped.len() != 24 {
        return Err(Error::Decryption(format!(
            "a wrapped AES-128 key has 24 bytes, not {}",
            a.wrapped.len()
        )));
    }
    let peer = public_from_spki(&a.originator_spki)
        .ok_or_else(|| Error::Decryption("the originator key is not an X25519 key".into()))?;
    let shared = shared_secret(&ours.0, &peer)?;
    let kek = KekAes128::from(hkdf(&shared, &a.salt, &a.info)?);
    let mut out = vec![0u8; 16];
    kek.unwrap(&a.wrapped, &mut out)
        .map_err(|_| Error::Decryption("the content key cannot be unwrapped".into()))?;
    Ok(out)
}

/// HKDF-SHA256 (RFC 5869) to a 128-bit key-encryption key.
fn hkdf(shared: &[u8], salt: &[u8], info: &[u8]) -> Result<[u8; 16]> {
    let mut out = [0u8; 16];
    Hkdf::<Sha256>::new(Some(salt), shared)
        .expand(info, &mut out)
        .map_err(|e| Error::Key(format!("HKDF: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_then_unwrap_and_a_wrong_key_fails() {
        let ours = PKey::generate_x25519().unwrap();
        let cert = self_cert(&ours);
        let key = [7u8; 16];
        let a = wrap(&cert, &key, b"info").unwrap();
        let pem = ours.private_key_to_pem_pkcs8().unwrap();
        assert_eq!(
            unwrap(&X25519Key::from_pem(&pem).unwrap(), &a).unwrap(),
            key
        );
        let other = X25519Key::from_pem(
            &PKey::generate_x25519()
                .unwrap()
                .private_key_to_pem_pkcs8()
                .unwrap(),
        )
        .unwrap();
        assert!(matches!(unwrap(&other, &a), Err(Error::Decryption(_))));
        // OpenSSL encodes the ephemeral key as we do, and agrees on the secret.
        let eph = PKey::generate_x25519().unwrap();
        assert_eq!(
            eph.public_key_to_der().unwrap(),
            spki(&MontgomeryPoint::mul_base_clamped(
                eph.raw_private_key().unwrap().try_into().unwrap()
            ))
        );
        let our_public = PKey::public_key_from_der(&ours.public_key_to_der().unwrap()).unwrap();
        let mut d = openssl::derive::Deriver::new(&eph).unwrap();
        d.set_peer(&our_public).unwrap();
        let theirs = d.derive_to_vec().unwrap();
        let mine = shared_secret(
            &X25519Key::from_pem(&pem).unwrap().0,
            &public_from_spki(&eph.public_key_to_der().unwrap()).unwrap(),
        )
        .unwrap();
        assert_eq!(theirs, mine);
        // A small-order originator key (zero) gives no secret.
        let mut zero = a.clone();
        zero.originator_spki = spki(&MontgomeryPoint([0u8; 32]));
        assert!(matches!(
            unwrap(&X25519Key::from_pem(&pem).unwrap(), &zero),
            Err(Error::Decryption(_))
        ));
        let mut bad = a.clone();
        bad.wrapped.truncate(20);
        assert!(matches!(
            unwrap(&X25519Key::from_pem(&pem).unwrap(), &bad),
            Err(Error::Decryption(_))
        ));
    }

    #[test]
    fn hkdf_and_key_wrap_match_the_rfc_vectors_and_openssl() {
        // RFC 5869 A.1 (the first 16 bytes of its OKM) and RFC 3394 4.1.
        let okm = hkdf(
            &[0x0b; 22],
            &hex("000102030405060708090a0b0c"),
            &hex("f0f1f2f3f4f5f6f7f8f9"),
        )
        .unwrap();
        assert_eq!(okm.to_vec(), hex("3cb25f25faacd57a90434f64d0362f2a"));
        let kek =
            KekAes128::from(<[u8; 16]>::try_from(hex("000102030405060708090A0B0C0D0E0F")).unwrap());
        let mut wrapped = [0u8; 24];
        kek.wrap(&hex("00112233445566778899AABBCCDDEEFF"), &mut wrapped)
            .unwrap();
        assert_eq!(
            wrapped.to_vec(),
            hex("1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5")
        );
        // The same as OpenSSL's HKDF and AES_wrap_key, which this replaced.
        let (shared, salt, info) = ([9u8; 32], [3u8; 32], b"eDelivery AS4 2.0");
        let mut ctx = openssl::pkey_ctx::PkeyCtx::new_id(Id::HKDF).unwrap();
        ctx.derive_init().unwrap();
        ctx.set_hkdf_md(openssl::md::Md::sha256()).unwrap();
        ctx.set_hkdf_key(&shared).unwrap();
        ctx.set_hkdf_salt(&salt).unwrap();
        ctx.add_hkdf_info(info).unwrap();
        let mut theirs = [0u8; 16];
        ctx.derive(Some(&mut theirs)).unwrap();
        let ours = hkdf(&shared, &salt, info).unwrap();
        assert_eq!(ours, theirs);
        let aes = openssl::aes::AesKey::new_encrypt(&theirs).unwrap();
        let mut theirs_wrapped = [0u8; 24];
        openssl::aes::wrap_key(&aes, None, &mut theirs_wrapped, &[5u8; 16]).unwrap();
        let mut ours_wrapped = [0u8; 24];
        KekAes128::from(ours)
            .wrap(&[5u8; 16], &mut ours_wrapped)
            .unwrap();
        assert_eq!(ours_wrapped, theirs_wrapped);
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn x25519_through_edwards_equals_the_montgomery_ladder() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut bytes = || {
            let mut out = [0u8; 32];
            for b in out.iter_mut() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *b = state as u8;
            }
            out
        };
        let mut on_curve = 0;
        for i in 0..300 {
            let scalar = bytes();
            // Curve points (public keys) and arbitrary u values (half of them on the twist).
            let peer = if i % 2 == 0 {
                MontgomeryPoint::mul_base_clamped(bytes())
            } else {
                MontgomeryPoint(bytes())
            };
            on_curve += usize::from(peer.to_edwards(0).is_some());
            assert_eq!(x25519(&scalar, &peer), peer.mul_clamped(scalar).to_bytes());
        }
        assert!(on_curve > 150 && on_curve < 300, "{on_curve}");
        // RFC 7748 5.2, the first vector.
        let scalar: [u8; 32] =
            hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4")
                .try_into()
                .unwrap();
        let u: [u8; 32] = hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c")
            .try_into()
            .unwrap();
        assert_eq!(
            x25519(&scalar, &MontgomeryPoint(u)).to_vec(),
            hex("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552")
        );
        // Small-order points and u = -1, 0, 1, p.
        let mut minus_one = [0xffu8; 32];
        minus_one[0] = 0xec;
        minus_one[31] = 0x7f;
        let mut p = minus_one;
        p[0] = 0xed;
        let mut one = [0u8; 32];
        one[0] = 1;
        for u in [[0u8; 32], one, minus_one, p, [0xff; 32]] {
            let peer = MontgomeryPoint(u);
            let scalar = bytes();
            assert_eq!(x25519(&scalar, &peer), peer.mul_clamped(scalar).to_bytes());
        }
    }

    #[test]
    fn key_algorithms_are_told_apart() {
        let x = PKey::generate_x25519().unwrap();
        let cert = self_cert(&x);
        assert!(is_x25519_certificate(&cert) && !is_ed25519_certificate(&cert));
        assert!(!is_x25519_certificate(b"not a certificate"));
    }

    /// An X25519 certificate signed by a throwaway Ed25519 key.
    fn self_cert(key: &PKey<openssl::pkey::Private>) -> Vec<u8> {
        let ca = PKey::generate_ed25519().unwrap();
        let mut name = openssl::x509::X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", "x").unwrap();
        let name = name.build();
        let mut b = openssl::x509::X509Builder::new().unwrap();
        b.set_version(2).unwrap();
        b.set_subject_name(&name).unwrap();
        b.set_issuer_name(&name).unwrap();
        let public =
            PKey::public_key_from_raw_bytes(&key.raw_public_key().unwrap(), Id::X25519).unwrap();
        b.set_pubkey(&public).unwrap();
        b.set_not_before(&openssl::asn1::Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        b.set_not_after(&openssl::asn1::Asn1Time::days_from_now(1).unwrap())
            .unwrap();
        b.sign(&ca, openssl::hash::MessageDigest::null()).unwrap();
        b.build().to_der().unwrap()
    }
}
