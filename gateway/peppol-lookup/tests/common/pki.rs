//! A throwaway PKI made with the `openssl` command-line tool: a CA, SMP signer certificates
//! (RSA, because libxmlsec1 signs with RSA here) and a second, untrusted CA.

use std::path::Path;
use std::process::Command;

use super::TempDir;

pub struct Ca {
    pub name: String,
    pub cert_pem: Vec<u8>,
    dir: TempDir,
}

pub struct Leaf {
    pub key_pem: Vec<u8>,
    pub cert_pem: Vec<u8>,
    pub cert_der: Vec<u8>,
    pub subject: String,
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the openssl command-line tool is needed by these tests");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Ca {
    /// A self-signed RSA CA valid for 10 years from now.
    pub fn new(cn: &str) -> Ca {
        let dir = TempDir::new("ca");
        openssl(
            dir.path(),
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "3650",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-subj",
                &format!("/C=BE/O=Lookup Test/CN={cn}"),
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        );
        let cert_pem = std::fs::read(dir.path().join("ca.pem")).unwrap();
        Ca {
            name: cn.to_owned(),
            cert_pem,
            dir,
        }
    }

    /// An SMP signing certificate (clientAuth EKU like Peppol SMP certificates) valid 1 year.
    pub fn issue_smp(&self, cn: &str) -> Leaf {
        self.issue(
            cn,
            "basicConstraints=critical,CA:FALSE\n\
             keyUsage=critical,digitalSignature,keyEncipherment\n\
             extendedKeyUsage=clientAuth\n\
             subjectKeyIdentifier=hash\n\
             authorityKeyIdentifier=keyid\n",
        )
    }

    /// A certificate for `cn` with the given openssl extension lines, valid 1 year.
    pub fn issue(&self, cn: &str, extensions: &str) -> Leaf {
        let d = self.dir.path();
        let subj = format!("/C=BE/O=Lookup Test/OU=PEPPOL TEST SMP/CN={cn}");
        let (key, csr, pem, der, ext) = (
            format!("{cn}.key"),
            format!("{cn}.csr"),
            format!("{cn}.pem"),
            format!("{cn}.der"),
            format!("{cn}.ext"),
        );
        openssl(
            d,
            &[
                "req", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-out", &csr, "-subj",
                &subj,
            ],
        );
        std::fs::write(d.join(&ext), extensions).unwrap();
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "365",
                "-sha256",
                "-extfile",
                &ext,
                "-out",
                &pem,
            ],
        );
        openssl(d, &["x509", "-in", &pem, "-outform", "DER", "-out", &der]);
        Leaf {
            key_pem: std::fs::read(d.join(&key)).unwrap(),
            cert_pem: std::fs::read(d.join(&pem)).unwrap(),
            cert_der: std::fs::read(d.join(&der)).unwrap(),
            subject: subj,
        }
    }

    /// A TLS server certificate for `host` (and 127.0.0.1).
    pub fn issue_tls_server(&self, host: &str) -> Leaf {
        self.issue(
            host,
            &format!(
                "basicConstraints=critical,CA:FALSE\n\
                 keyUsage=critical,digitalSignature,keyEncipherment\n\
                 extendedKeyUsage=serverAuth\n\
                 subjectAltName=DNS:{host},IP:127.0.0.1\n"
            ),
        )
    }

    /// An intermediate CA issued by this CA, usable to issue further certificates.
    pub fn intermediate(&self, cn: &str) -> Ca {
        let leaf = self.issue(
            cn,
            "basicConstraints=critical,CA:TRUE\n\
             keyUsage=critical,keyCertSign,cRLSign\n\
             subjectKeyIdentifier=hash\n\
             authorityKeyIdentifier=keyid\n",
        );
        let dir = TempDir::new("ca");
        std::fs::write(dir.path().join("ca.pem"), &leaf.cert_pem).unwrap();
        std::fs::write(dir.path().join("ca.key"), &leaf.key_pem).unwrap();
        Ca {
            name: cn.to_owned(),
            cert_pem: leaf.cert_pem,
            dir,
        }
    }
}
