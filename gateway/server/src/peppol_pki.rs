//! The development Peppol PKI made on first run when no real certificates are configured:
//! a CA, the access point's certificate (published in SMP endpoints, used for AS4) and the SMP's
//! signing certificate, all RSA-2048 with SHA-256 as the Peppol profiles expect. Never for
//! production: the Peppol network trusts only OpenPeppol's CAs.
use std::path::{Path, PathBuf};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rsa::pkcs8::{EncodePrivateKey, LineEnding};

use crate::Error;

pub struct PeppolPki {
    pub ca: PathBuf,
    pub ap_cert: PathBuf,
    pub ap_key: PathBuf,
    pub smp_cert: PathBuf,
    pub smp_key: PathBuf,
}

/// Common name of the development access point certificate.
pub const DEV_AP_NAME: &str = "PGW000001";

pub fn ensure_dev_peppol_pki(data_dir: &Path) -> Result<PeppolPki, Error> {
    let dir = data_dir.join("peppol");
    let pki = PeppolPki {
        ca: dir.join("dev-ca.pem"),
        ap_cert: dir.join("ap-cert.pem"),
        ap_key: dir.join("ap-key.pem"),
        smp_cert: dir.join("smp-cert.pem"),
        smp_key: dir.join("smp-key.pem"),
    };
    if pki.smp_cert.is_file() {
        return Ok(pki);
    }
    let fail = |e: String| Error::Tls(format!("generating the development Peppol PKI: {e}"));
    let year = chrono::Datelike::year(&chrono::Utc::now());

    let (ca_key_pem, ca_key) = rsa_key().map_err(fail)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(|e| fail(e.to_string()))?;
    ca.distinguished_name
        .push(DnType::CommonName, "Gateway development Peppol CA");
    ca.distinguished_name
        .push(DnType::OrganizationName, "Gateway development");
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.not_before = rcgen::date_time_ymd(year - 1, 1, 1);
    ca.not_after = rcgen::date_time_ymd(year + 10, 1, 1);
    let ca_cert = ca.self_signed(&ca_key).map_err(|e| fail(e.to_string()))?;
    drop(ca_key_pem);
    let issuer = Issuer::new(ca, ca_key);

    let leaf = |cn: &str| -> Result<(String, String), Error> {
        let (key_pem, key) = rsa_key().map_err(fail)?;
        let mut params =
            CertificateParams::new(Vec::<String>::new()).map_err(|e| fail(e.to_string()))?;
        params.distinguished_name.push(DnType::CommonName, cn);
        params
            .distinguished_name
            .push(DnType::OrganizationName, "Gateway development");
        params.distinguished_name.push(DnType::CountryName, "BE");
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.not_before = rcgen::date_time_ymd(year - 1, 1, 1);
        params.not_after = rcgen::date_time_ymd(year + 10, 1, 1);
        let cert = params
            .signed_by(&key, &issuer)
            .map_err(|e| fail(e.to_string()))?;
        Ok((cert.pem(), key_pem))
    };
    let (ap_cert, ap_key) = leaf(DEV_AP_NAME)?;
    let (smp_cert, smp_key) = leaf("SMP development signer")?;

    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| Error::Io { path, source }
    };
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    crate::tls::write_private(&pki.ap_key, ap_key.as_bytes()).map_err(io(&pki.ap_key))?;
    crate::tls::write_private(&pki.smp_key, smp_key.as_bytes()).map_err(io(&pki.smp_key))?;
    std::fs::write(&pki.ca, ca_cert.pem()).map_err(io(&pki.ca))?;
    std::fs::write(&pki.ap_cert, ap_cert).map_err(io(&pki.ap_cert))?;
    // Written last: its presence means the set is complete.
    std::fs::write(&pki.smp_cert, smp_cert).map_err(io(&pki.smp_cert))?;
    tracing::info!(dir = %dir.display(), "generated a development Peppol PKI (not for production)");
    Ok(pki)
}

/// The development EC-profile PKI (eDelivery AS4 2.0): an Ed25519 CA, the access point's
/// Ed25519 signing certificate and its X25519 key-agreement certificate, both with the CN of the
/// RSA one ([`DEV_AP_NAME`]) since they name the same access point.
pub struct EcPki {
    pub ca: PathBuf,
    pub sign_cert: PathBuf,
    pub sign_key: PathBuf,
    pub agreement_cert: PathBuf,
    pub agreement_key: PathBuf,
}

pub fn ensure_dev_ec_pki(data_dir: &Path) -> Result<EcPki, Error> {
    let dir = data_dir.join("peppol");
    let pki = EcPki {
        ca: dir.join("dev-ec-ca.pem"),
        sign_cert: dir.join("ap-ec-cert.pem"),
        sign_key: dir.join("ap-ec-key.pem"),
        agreement_cert: dir.join("ap-x25519-cert.pem"),
        agreement_key: dir.join("ap-x25519-key.pem"),
    };
    if pki.agreement_cert.is_file() {
        return Ok(pki);
    }
    let fail = |e: openssl::error::ErrorStack| {
        Error::Tls(format!("generating the development EC PKI: {e}"))
    };
    let made = ec_set().map_err(fail)?;
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| Error::Io { path, source }
    };
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    crate::tls::write_private(&pki.sign_key, &made.sign_key).map_err(io(&pki.sign_key))?;
    crate::tls::write_private(&pki.agreement_key, &made.agreement_key)
        .map_err(io(&pki.agreement_key))?;
    std::fs::write(&pki.ca, &made.ca).map_err(io(&pki.ca))?;
    std::fs::write(&pki.sign_cert, &made.sign_cert).map_err(io(&pki.sign_cert))?;
    // Written last: its presence means the set is complete.
    std::fs::write(&pki.agreement_cert, &made.agreement_cert).map_err(io(&pki.agreement_cert))?;
    tracing::info!(dir = %dir.display(), "generated a development EC PKI (not for production)");
    Ok(pki)
}

struct EcSet {
    ca: Vec<u8>,
    sign_cert: Vec<u8>,
    sign_key: Vec<u8>,
    agreement_cert: Vec<u8>,
    agreement_key: Vec<u8>,
}

/// rcgen cannot certify an X25519 key, so the EC set is made with OpenSSL.
fn ec_set() -> Result<EcSet, openssl::error::ErrorStack> {
    use openssl::pkey::{Id, PKey};
    use openssl::x509::extension::{BasicConstraints as Bc, KeyUsage};
    let ca_key = PKey::generate_ed25519()?;
    let ca = ec_cert(
        "Gateway development EC CA",
        &ca_key,
        None,
        &ca_key,
        KeyUsage::new()
            .critical()
            .key_cert_sign()
            .crl_sign()
            .build()?,
        Bc::new().critical().ca().pathlen(0).build()?,
        1,
    )?;
    let sign_key = PKey::generate_ed25519()?;
    let sign = ec_cert(
        DEV_AP_NAME,
        &sign_key,
        Some(&ca),
        &ca_key,
        KeyUsage::new().critical().digital_signature().build()?,
        Bc::new().critical().build()?,
        2,
    )?;
    let agreement_key = PKey::generate_x25519()?;
    let agreement_public =
        PKey::public_key_from_raw_bytes(&agreement_key.raw_public_key()?, Id::X25519)?;
    let agreement = ec_cert(
        DEV_AP_NAME,
        &agreement_public,
        Some(&ca),
        &ca_key,
        KeyUsage::new().critical().key_agreement().build()?,
        Bc::new().critical().build()?,
        3,
    )?;
    Ok(EcSet {
        ca: ca.to_pem()?,
        sign_cert: sign.to_pem()?,
        sign_key: sign_key.private_key_to_pem_pkcs8()?,
        agreement_cert: agreement.to_pem()?,
        agreement_key: agreement_key.private_key_to_pem_pkcs8()?,
    })
}

fn ec_cert<T: openssl::pkey::HasPublic>(
    cn: &str,
    public: &openssl::pkey::PKeyRef<T>,
    issuer: Option<&openssl::x509::X509>,
    signer: &openssl::pkey::PKeyRef<openssl::pkey::Private>,
    usage: openssl::x509::X509Extension,
    constraints: openssl::x509::X509Extension,
    serial: u32,
) -> Result<openssl::x509::X509, openssl::error::ErrorStack> {
    use openssl::asn1::{Asn1Integer, Asn1Time};
    use openssl::bn::BigNum;
    let mut name = openssl::x509::X509NameBuilder::new()?;
    name.append_entry_by_text("CN", cn)?;
    name.append_entry_by_text("O", "Gateway development")?;
    let name = name.build();
    let mut b = openssl::x509::X509Builder::new()?;
    b.set_version(2)?;
    let serial = BigNum::from_u32(serial)?;
    let serial = Asn1Integer::from_bn(&serial)?;
    b.set_serial_number(&serial)?;
    b.set_subject_name(&name)?;
    b.set_issuer_name(issuer.map_or(&*name, |i| i.subject_name()))?;
    b.set_pubkey(public)?;
    // A day back, so a peer whose clock is a little behind accepts it.
    let not_before = Asn1Time::from_unix(chrono::Utc::now().timestamp() - 86_400)?;
    let not_after = Asn1Time::days_from_now(3650)?;
    b.set_not_before(&not_before)?;
    b.set_not_after(&not_after)?;
    b.append_extension(usage)?;
    b.append_extension(constraints)?;
    b.sign(signer, openssl::hash::MessageDigest::null())?;
    Ok(b.build())
}

/// A fresh RSA-2048 key: PKCS#8 PEM, and the same key as rcgen signs with it.
fn rsa_key() -> Result<(String, KeyPair), String> {
    let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).map_err(|e| e.to_string())?;
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| e.to_string())?
        .to_string();
    let pair = KeyPair::from_pkcs8_pem_and_sign_algo(&pem, &rcgen::PKCS_RSA_SHA256)
        .map_err(|e| e.to_string())?;
    Ok((pem, pair))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_development_pki_is_made_once_and_chains() {
        let dir = tempfile::tempdir().unwrap();
        let pki = ensure_dev_peppol_pki(dir.path()).unwrap();
        let first = std::fs::read(&pki.smp_cert).unwrap();
        let again = ensure_dev_peppol_pki(dir.path()).unwrap();
        assert_eq!(
            std::fs::read(&again.smp_cert).unwrap(),
            first,
            "kept, not remade"
        );
        // The openssl tool, independent of us, agrees the leaves chain to the CA.
        for leaf in [&pki.ap_cert, &pki.smp_cert] {
            let out = std::process::Command::new("openssl")
                .args(["verify", "-CAfile"])
                .arg(&pki.ca)
                .arg(leaf)
                .output()
                .expect("openssl");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let text = std::process::Command::new("openssl")
            .args(["x509", "-noout", "-text", "-in"])
            .arg(&pki.ap_cert)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(
            text.contains("CN = PGW000001") || text.contains("CN=PGW000001"),
            "{text}"
        );
        assert!(
            text.contains("sha256WithRSAEncryption") && text.contains("(2048 bit)"),
            "{text}"
        );
    }

    #[test]
    fn the_development_ec_pki_chains_and_names_the_same_access_point() {
        let dir = tempfile::tempdir().unwrap();
        let pki = ensure_dev_ec_pki(dir.path()).unwrap();
        for leaf in [&pki.sign_cert, &pki.agreement_cert] {
            let out = std::process::Command::new("openssl")
                .args(["verify", "-CAfile"])
                .arg(&pki.ca)
                .arg(leaf)
                .output()
                .expect("openssl");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = std::process::Command::new("openssl")
                .args(["x509", "-noout", "-text", "-in"])
                .arg(leaf)
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&text.stdout);
            assert!(text.contains("CN = PGW000001"), "{text}");
        }
        let key = std::fs::read(&pki.agreement_key).unwrap();
        let key = openssl::pkey::PKey::private_key_from_pem(&key).unwrap();
        assert_eq!(key.id(), openssl::pkey::Id::X25519);
    }
}
