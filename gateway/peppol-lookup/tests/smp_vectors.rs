//! The shared Peppol SMP vectors (phax/peppol-commons) through `verify_service_metadata`, judged
//! as `shared/vectors/README.md` says. Their signer certificates (issued by PEPPOL SERVICE
//! METADATA PUBLISHER CA - G2, not in shared data) have expired, so, like upstream, they are
//! checked at a date before expiry; without the G2 CA only the signature and the signer's validity
//! period can be checked (`signature_only_insecure`), and a chain check must fail.

mod common;

use std::time::SystemTime;

use gateway_peppol::smp::{ServiceMetadata, TRANSPORT_PROFILE_AS2_V1, TRANSPORT_PROFILE_AS4_V2};
use gateway_peppol_lookup::{verify_service_metadata, Clock, FixedClock, LookupError, SmpTrust};

fn vector(name: &str) -> Vec<u8> {
    common::read_shared(&format!("vectors/smp/{name}"))
}

fn at(y: i32, m: u8, d: u8) -> SystemTime {
    FixedClock::at_unix(common::unix(y, m, d)).now()
}

fn endpoints(m: &ServiceMetadata) -> Vec<(String, String)> {
    let ServiceMetadata::Information(info) = m else {
        panic!("expected ServiceInformation, got {m:?}");
    };
    info.processes
        .iter()
        .flat_map(|p| &p.endpoints)
        .map(|e| (e.transport_profile.clone(), e.endpoint_uri.clone()))
        .collect()
}

#[test]
fn metadata2_is_valid_at_2021_01_01() {
    let v = verify_service_metadata(
        &vector("signed-service-metadata2.xml"),
        &SmpTrust::signature_only_insecure(),
        at(2021, 1, 1),
        "vector2",
    )
    .expect("vector 2 must verify");
    assert_eq!(
        endpoints(&v.metadata),
        vec![(
            TRANSPORT_PROFILE_AS2_V1.to_owned(),
            "https://peppol.netedi.com/receive.aspx".to_owned()
        )]
    );
    let ServiceMetadata::Information(info) = &v.metadata else {
        unreachable!()
    };
    assert_eq!(
        info.participant.to_uri(),
        "iso6523-actorid-upis::0088:5060482240009"
    );
    assert_eq!(v.signer.common_names, vec!["PNO000070".to_owned()]);
    assert!(
        v.signer.subject.contains("PEPPOL PRODUCTION SMP"),
        "{}",
        v.signer.subject
    );
}

#[test]
fn metadata2_fails_now_and_fails_a_chain_check_without_the_g2_ca() {
    let xml = vector("signed-service-metadata2.xml");
    let e = verify_service_metadata(
        &xml,
        &SmpTrust::signature_only_insecure(),
        SystemTime::now(),
        "v2",
    )
    .unwrap_err();
    assert!(matches!(e, LookupError::UntrustedCertificate { .. }), "{e}");
    // Some other CA (the shared AS4 test root) as anchor: the G2-issued signer does not chain.
    let other = SmpTrust::from_pem(&common::read_shared(
        "vectors/as4/generated/pki/root.cert.pem",
    ))
    .unwrap();
    let e = verify_service_metadata(&xml, &other, at(2021, 1, 1), "v2").unwrap_err();
    assert!(
        matches!(&e, LookupError::UntrustedCertificate { reason, .. } if reason.contains("UnknownIssuer")),
        "{e}"
    );
}

#[test]
fn metadata1_is_invalid() {
    let e = verify_service_metadata(
        &vector("signed-service-metadata1.xml"),
        &SmpTrust::signature_only_insecure(),
        at(2021, 1, 1),
        "vector1",
    )
    .unwrap_err();
    assert!(
        matches!(&e, LookupError::BadSignature { reason, .. } if reason.contains("digest")),
        "{e}"
    );
}

#[test]
fn metadata3_with_inclusive_c14n_is_valid_at_2020_08_01() {
    let v = verify_service_metadata(
        &vector("signed-service-metadata3-c14n-inclusive.xml"),
        &SmpTrust::signature_only_insecure(),
        at(2020, 8, 1),
        "vector3",
    )
    .expect("vector 3 must verify");
    let eps = endpoints(&v.metadata);
    assert!(
        eps.contains(&(
            TRANSPORT_PROFILE_AS4_V2.to_owned(),
            "https://ap.econnect.eu/as4/v1".to_owned()
        )),
        "{eps:?}"
    );
    assert!(
        eps.contains(&(
            TRANSPORT_PROFILE_AS2_V1.to_owned(),
            "https://peppolap.everbinding.nl/as2".to_owned()
        )),
        "{eps:?}"
    );
    assert_eq!(v.signer.common_names, vec!["PNL000052".to_owned()]);
    // Its signer expired on 2020-08-04.
    let e = verify_service_metadata(
        &vector("signed-service-metadata3-c14n-inclusive.xml"),
        &SmpTrust::signature_only_insecure(),
        at(2020, 8, 10),
        "vector3",
    )
    .unwrap_err();
    assert!(matches!(e, LookupError::UntrustedCertificate { .. }), "{e}");
}
