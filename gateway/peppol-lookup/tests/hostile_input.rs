//! Whatever an SMP sends, verification answers with an error, never a panic or a hang.

mod common;

use std::time::SystemTime;

use gateway_peppol_lookup::{verify_service_metadata, LookupError, SmpTrust};

#[test]
fn garbage_is_an_error() {
    let v2 = common::read_shared("vectors/smp/signed-service-metadata2.xml");
    let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
    let mut inputs: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"not xml at all".to_vec(),
        b"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>".to_vec(),
        b"<smp:SignedServiceMetadata xmlns:smp=\"http://busdox.org/serviceMetadata/publishing/1.0/\"/>".to_vec(),
        deep.into_bytes(),
        vec![0xff, 0xfe, 0x00, 0x3c],
    ];
    // Every prefix of a real answer, and the answer with each of some bytes flipped.
    for cut in (0..v2.len()).step_by(97) {
        inputs.push(v2[..cut].to_vec());
    }
    for i in (0..v2.len()).step_by(211) {
        let mut m = v2.clone();
        m[i] ^= 0x01;
        inputs.push(m);
    }
    let trust = SmpTrust::signature_only_insecure();
    for input in inputs {
        let r = verify_service_metadata(&input, &trust, SystemTime::UNIX_EPOCH, "hostile");
        assert!(
            matches!(
                r,
                Err(LookupError::BadDocument { .. }
                    | LookupError::BadSignature { .. }
                    | LookupError::UntrustedCertificate { .. })
            ),
            "{} bytes: {r:?}",
            input.len()
        );
    }
}
