//! End to end over loopback: a real DNS server (hickory-server) serving the SML zone, a real
//! HTTP SMP (axum) serving SignedServiceMetadata signed with gateway-xmldsig by a throwaway
//! PKI, and the lookup in between. Only the network peers are stand-ins.

mod common;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::dns::{a, cname, naptr, SilentDns, TestDns};
use common::pki::{Ca, Leaf};
use common::smp_server::{Reply, TestSmp};
use gateway_peppol::smp::{
    write_signed_service_metadata, Endpoint, Process, Redirect, ServiceInformation,
    ServiceMetadata, TRANSPORT_PROFILE_AS4_V2,
};
use gateway_peppol::{
    cname_name, naptr_name, service_metadata_url, ParticipantId, ProcessId, BILLING_PROCESS,
    BIS3_CREDIT_NOTE, BIS3_INVOICE,
};
use gateway_peppol_lookup::{
    DnsConfig, HttpConfig, Lookup, LookupConfig, LookupError, NameServers, SmlConfig, SmlResolver,
    SmlSource, SmpClientConfig, SmpTrust,
};
use gateway_xmldsig::{sign_enveloped, CertDer, SigningKey};

const ZONE: &str = "lookup.test";
const SML_ZONE: &str = "sml.lookup.test";
const SMP_HOST: &str = "smp.lookup.test";
const AP_URL: &str = "https://ap.lookup.test/as4";

struct Pki {
    ca: Ca,
    signer: Leaf,
    second_signer: Leaf,
    rogue_signer: Leaf,
    ap_der: Vec<u8>,
}

fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let ca = Ca::new("Lookup Test SMP CA");
        let rogue = Ca::new("Rogue CA");
        let ap = ca.issue_smp("PAP000001");
        Pki {
            signer: ca.issue_smp("PSM000001"),
            second_signer: ca.issue_smp("PSM000002"),
            rogue_signer: rogue.issue_smp("PSM000001"),
            ap_der: ap.cert_der,
            ca,
        }
    })
}

fn participant(value: &str) -> ParticipantId {
    ParticipantId::parse_lenient(value).unwrap()
}

fn endpoint(activation: &str, expiration: &str) -> Endpoint {
    Endpoint {
        transport_profile: TRANSPORT_PROFILE_AS4_V2.into(),
        endpoint_uri: AP_URL.into(),
        require_business_level_signature: false,
        minimum_authentication_level: None,
        service_activation_date: Some(activation.into()),
        service_expiration_date: Some(expiration.into()),
        certificate: Endpoint::encode_certificate(&pki().ap_der),
        service_description: "lookup test AP".into(),
        technical_contact_url: "https://ap.lookup.test/contact".into(),
        technical_information_url: None,
        extension: None,
    }
}

fn information(p: &ParticipantId, ep: Endpoint) -> ServiceMetadata {
    ServiceMetadata::Information(ServiceInformation {
        participant: p.clone(),
        document_type: BIS3_INVOICE,
        processes: vec![Process {
            process: BILLING_PROCESS,
            endpoints: vec![ep],
            extension: None,
        }],
        extension: None,
    })
}

fn signed(meta: &ServiceMetadata, signer: &Leaf) -> Vec<u8> {
    let xml = write_signed_service_metadata(meta, None);
    let key = SigningKey::from_pem(&signer.key_pem).unwrap();
    let cert = CertDer::from_der(signer.cert_der.clone()).unwrap();
    sign_enveloped(&xml, &key, &[cert]).unwrap()
}

fn path(p: &ParticipantId) -> String {
    service_metadata_url("", p, &BIS3_INVOICE)
}

/// One SMP and one SML zone holding a NAPTR record for each named participant.
struct World {
    dns: TestDns,
    smp: TestSmp,
}

impl World {
    async fn start(
        naptr_participants: &[&ParticipantId],
        extra: Vec<hickory_server::proto::rr::Record>,
    ) -> World {
        let smp = TestSmp::start().await;
        let url = format!("http://{SMP_HOST}:{}", smp.addr.port());
        let mut records = vec![a(SMP_HOST, 300, Ipv4Addr::LOCALHOST)];
        for p in naptr_participants {
            records.push(naptr(
                &naptr_name(p, SML_ZONE),
                120,
                "Meta:SMP",
                &format!("!^.*$!{url}!"),
            ));
        }
        records.extend(extra);
        let dns = TestDns::start(ZONE, records).await;
        World { dns, smp }
    }

    fn sml_config(&self) -> SmlConfig {
        let mut c = SmlConfig::new(SML_ZONE);
        c.dns = DnsConfig {
            name_servers: NameServers::Custom(vec![self.dns.addr]),
            timeout: Duration::from_secs(2),
            attempts: 1,
        };
        c.min_ttl = Duration::ZERO;
        c
    }

    fn lookup_with(&self, sml: SmlConfig, http: HttpConfig) -> Lookup {
        let mut smp = SmpClientConfig::new(SmpTrust::from_pem(&pki().ca.cert_pem).unwrap());
        smp.http = http;
        Lookup::new(sml, smp, LookupConfig::default()).unwrap()
    }

    fn lookup(&self) -> Lookup {
        self.lookup_with(self.sml_config(), HttpConfig::default())
    }
}

#[tokio::test]
async fn naptr_lookup_returns_the_signed_endpoint_and_caches_it() {
    let p = participant("0088:5798000000001");
    let w = World::start(&[&p], vec![]).await;
    w.smp.set(
        &path(&p),
        Reply::ok(signed(
            &information(&p, endpoint("2020-01-01T00:00:00Z", "2099-01-01T00:00:00Z")),
            &pki().signer,
        )),
    );
    let lookup = w.lookup();

    let ep = lookup
        .lookup(&p, &BIS3_INVOICE, &BILLING_PROCESS)
        .await
        .unwrap();
    assert_eq!(ep.endpoint_url, AP_URL);
    assert_eq!(ep.certificate_der, pki().ap_der);
    assert_eq!(ep.transport_profile, TRANSPORT_PROFILE_AS4_V2);
    assert!(
        ep.smp_url.starts_with(&format!("http://{SMP_HOST}:")),
        "{}",
        ep.smp_url
    );
    assert!(ep.smp_signer.contains("PSM000001"), "{}", ep.smp_signer);
    assert!(ep.activation.is_some() && ep.expiration.is_some());
    let naptr_fqdn = format!("{}.", naptr_name(&p, SML_ZONE));
    assert!(
        w.dns
            .queries()
            .iter()
            .any(|(n, t)| n == &naptr_fqdn && *t == hickory_server::proto::rr::RecordType::NAPTR),
        "{:?}",
        w.dns.queries()
    );

    let (dns_before, smp_before) = (w.dns.query_count(), w.smp.hits());
    let again = lookup
        .lookup(&p, &BIS3_INVOICE, &BILLING_PROCESS)
        .await
        .unwrap();
    assert_eq!(again, ep);
    assert_eq!(
        w.dns.query_count(),
        dns_before,
        "second lookup must come from the cache"
    );
    assert_eq!(w.smp.hits(), smp_before);

    // Another process in the same (cached) document: no endpoint, not retryable.
    let other = ProcessId::parse("cenbii-procid-ubl::urn:example:other:process").unwrap();
    let err = lookup.lookup(&p, &BIS3_INVOICE, &other).await.unwrap_err();
    assert!(matches!(err, LookupError::NoEndpoint { .. }), "{err}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn legacy_cname_is_used_when_there_is_no_naptr() {
    let p = participant("0088:5798000000002");
    let legacy_host = cname_name(&p, SML_ZONE);
    let w = World::start(&[], vec![cname(&legacy_host, 120, SMP_HOST)]).await;
    w.smp.set(
        &path(&p),
        Reply::ok(signed(
            &information(&p, endpoint("2020-01-01T00:00:00Z", "2099-01-01T00:00:00Z")),
            &pki().signer,
        )),
    );

    let sml = SmlResolver::new(w.sml_config()).unwrap();
    let loc = sml.resolve(&p).await.unwrap();
    assert_eq!(loc.source, SmlSource::Cname);
    assert_eq!(loc.url, format!("http://{legacy_host}"));
    assert!(legacy_host.starts_with("B-"), "{legacy_host}");

    // The legacy URL has no port: pin the host to the test SMP's port.
    let http = HttpConfig {
        resolve_overrides: vec![(legacy_host.clone(), w.smp.addr)],
        ..HttpConfig::default()
    };
    let lookup = w.lookup_with(w.sml_config(), http);
    let ep = lookup
        .lookup(&p, &BIS3_INVOICE, &BILLING_PROCESS)
        .await
        .unwrap();
    assert_eq!(ep.endpoint_url, AP_URL);
    assert!(
        ep.smp_url.starts_with(&format!("http://{legacy_host}/")),
        "{}",
        ep.smp_url
    );
}

#[tokio::test]
async fn nxdomain_is_not_registered_and_cached_negatively() {
    let p = participant("0088:5798000000003");
    let w = World::start(&[], vec![]).await;
    let lookup = w.lookup();

    let err = lookup
        .lookup(&p, &BIS3_INVOICE, &BILLING_PROCESS)
        .await
        .unwrap_err();
    assert!(
        matches!(err, LookupError::ParticipantNotRegistered { .. }),
        "{err}"
    );
    assert!(!err.is_retryable());
    let first = w.dns.query_count();
    assert_eq!(
        first,
        2,
        "one NAPTR and one CNAME query: {:?}",
        w.dns.queries()
    );

    let again = lookup
        .lookup(&p, &BIS3_INVOICE, &BILLING_PROCESS)
        .await
        .unwrap_err();
    assert_eq!(again, err);
    assert_eq!(
        w.dns.query_count(),
        first,
        "the negative answer must be cached"
    );

    // The SML resolver itself caches the NXDOMAIN answer.
    let sml = SmlResolver::new(w.sml_config()).unwrap();
    let e = sml.resolve(&p).await.unwrap_err();
    assert!(
        matches!(e, LookupError::ParticipantNotRegistered { .. }),
        "{e}"
    );
    sml.resolve(&p).await.unwrap_err();
    assert_eq!(w.dns.query_count(), first + 2, "{:?}", w.dns.queries());
    let first = first + 2;

    // Control: without negative caching, the same lookup asks DNS again (so the caches above,
    // not hickory's, answered).
    let mut no_neg = w.sml_config();
    no_neg.max_negative_ttl = Duration::ZERO;
    let sml = SmlResolver::new(no_neg).unwrap();
    sml.resolve(&p).await.unwrap_err();
    sml.resolve(&p).await.unwrap_err();
    assert_eq!(w.dns.query_count(), first + 4);
}

#[tokio::test]
async fn smp_failures_map_to_clear_errors() {
    let ps: Vec<ParticipantId> = (10..17)
        .map(|i| participant(&format!("0088:57980000000{i}")))
        .collect();
    let refs: Vec<&ParticipantId> = ps.iter().collect();
    let w = World::start(&refs, vec![]).await;
    let good = |p: &ParticipantId| {
        information(p, endpoint("2020-01-01T00:00:00Z", "2099-01-01T00:00:00Z"))
    };
    // ps[0]: no document -> 404
    w.smp.set(&path(&ps[1]), Reply::status(500));
    let tampered = String::from_utf8(signed(&good(&ps[2]), &pki().signer))
        .unwrap()
        .replace(AP_URL, "https://evil.lookup.test/as4");
    w.smp.set(&path(&ps[2]), Reply::ok(tampered.into_bytes()));
    w.smp.set(
        &path(&ps[3]),
        Reply::ok(signed(&good(&ps[3]), &pki().rogue_signer)),
    );
    w.smp.set(
        &path(&ps[4]),
        Reply::ok(signed(
            &information(
                &ps[4],
                endpoint("2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z"),
            ),
            &pki().signer,
        )),
    );
    // ps[5]: a correctly signed answer about another participant.
    w.smp.set(
        &path(&ps[5]),
        Reply::ok(signed(&good(&ps[6]), &pki().signer)),
    );
    w.smp.set(
        &path(&ps[6]),
        Reply::ok(signed(
            &information(
                &ps[6],
                endpoint("2098-01-01T00:00:00Z", "2099-01-01T00:00:00Z"),
            ),
            &pki().signer,
        )),
    );
    let lookup = w.lookup();
    let run = |i: usize| {
        let lookup = lookup.clone();
        let p = ps[i].clone();
        async move {
            lookup
                .lookup(&p, &BIS3_INVOICE, &BILLING_PROCESS)
                .await
                .unwrap_err()
        }
    };

    let e = run(0).await;
    assert!(
        matches!(e, LookupError::ServiceNotFound { .. }) && !e.is_retryable(),
        "{e}"
    );
    let e = run(1).await;
    assert!(
        matches!(e, LookupError::SmpTemporary { status: 500, .. }) && e.is_retryable(),
        "{e}"
    );
    let e = run(2).await;
    assert!(
        matches!(&e, LookupError::BadSignature { reason, .. } if reason.contains("digest"))
            && !e.is_retryable(),
        "{e}"
    );
    let e = run(3).await;
    assert!(
        matches!(e, LookupError::UntrustedCertificate { .. }) && !e.is_retryable(),
        "{e}"
    );
    let e = run(4).await;
    assert!(
        matches!(&e, LookupError::EndpointNotActive { reason, .. } if reason.contains("expired")),
        "{e}"
    );
    let e = run(5).await;
    assert!(matches!(e, LookupError::WrongDocument { .. }), "{e}");
    let e = run(6).await;
    assert!(
        matches!(&e, LookupError::EndpointNotActive { reason, .. } if reason.contains("activated only")),
        "{e}"
    );

    // 404 is cached negatively; 500 is not cached (the next call asks again).
    let hits = w.smp.hits();
    run(0).await;
    assert_eq!(w.smp.hits(), hits);
    run(1).await;
    assert_eq!(w.smp.hits(), hits + 1);

    // Another document type of a served participant: 404 (the SMP has no such path).
    let e = lookup
        .lookup(&ps[3], &BIS3_CREDIT_NOTE, &BILLING_PROCESS)
        .await
        .unwrap_err();
    assert!(matches!(e, LookupError::ServiceNotFound { .. }), "{e}");
}

#[tokio::test]
async fn smp_redirect_is_followed_once_with_a_certificate_check() {
    let p = participant("0088:5798000000020");
    let q = participant("0088:5798000000021");
    let w = World::start(&[&p, &q], vec![]).await;
    let target = format!("{}/target{}", w.smp.base(), path(&p));
    let redirect = |uid: &str, href: &str| {
        ServiceMetadata::Redirect(Redirect {
            href: href.to_owned(),
            certificate_uid: uid.to_owned(),
            extension: None,
        })
    };
    w.smp.set(
        &path(&p),
        Reply::ok(signed(
            &redirect(
                pki()
                    .second_signer
                    .subject
                    .replace('/', ",")
                    .trim_start_matches(','),
                &target,
            ),
            &pki().signer,
        )),
    );
    w.smp.set(
        &format!("/target{}", path(&p)),
        Reply::ok(signed(
            &information(&p, endpoint("2020-01-01T00:00:00Z", "2099-01-01T00:00:00Z")),
            &pki().second_signer,
        )),
    );
    let lookup = w.lookup();
    let ep = lookup
        .lookup(&p, &BIS3_INVOICE, &BILLING_PROCESS)
        .await
        .unwrap();
    assert_eq!(ep.endpoint_url, AP_URL);
    assert!(ep.smp_url.contains("/target/"), "{}", ep.smp_url);
    assert!(ep.smp_signer.contains("PSM000002"), "{}", ep.smp_signer);

    // The redirect names a certificate that did not sign the target.
    let target_q = format!("{}/target{}", w.smp.base(), path(&q));
    w.smp.set(
        &path(&q),
        Reply::ok(signed(&redirect("PSM000009", &target_q), &pki().signer)),
    );
    w.smp.set(
        &format!("/target{}", path(&q)),
        Reply::ok(signed(
            &information(&q, endpoint("2020-01-01T00:00:00Z", "2099-01-01T00:00:00Z")),
            &pki().second_signer,
        )),
    );
    let e = lookup
        .lookup(&q, &BIS3_INVOICE, &BILLING_PROCESS)
        .await
        .unwrap_err();
    assert!(matches!(e, LookupError::BadRedirect { .. }), "{e}");
}

#[tokio::test]
async fn cache_control_max_age_is_honoured() {
    let p = participant("0088:5798000000030");
    let w = World::start(&[&p], vec![]).await;
    let body = signed(
        &information(&p, endpoint("2020-01-01T00:00:00Z", "2099-01-01T00:00:00Z")),
        &pki().signer,
    );
    w.smp.set(
        &path(&p),
        Reply::Xml {
            status: 200,
            body,
            cache_control: Some("public, max-age=1".into()),
        },
    );
    let lookup = w.lookup();
    lookup
        .lookup(&p, &BIS3_INVOICE, &BILLING_PROCESS)
        .await
        .unwrap();
    lookup
        .lookup(&p, &BIS3_INVOICE, &BILLING_PROCESS)
        .await
        .unwrap();
    assert_eq!(w.smp.hits(), 1);
    tokio::time::sleep(Duration::from_millis(1300)).await;
    lookup
        .lookup(&p, &BIS3_INVOICE, &BILLING_PROCESS)
        .await
        .unwrap();
    assert_eq!(w.smp.hits(), 2, "max-age=1 must expire the cached answer");
}

#[tokio::test]
async fn timeouts_are_bounded_and_retryable() {
    // A DNS server that never answers.
    let silent = SilentDns::start().await;
    let mut cfg = SmlConfig::new(SML_ZONE);
    cfg.dns = DnsConfig {
        name_servers: NameServers::Custom(vec![silent.addr]),
        timeout: Duration::from_millis(300),
        attempts: 1,
    };
    let sml = SmlResolver::new(cfg).unwrap();
    let start = Instant::now();
    let e = sml
        .resolve(&participant("0088:5798000000040"))
        .await
        .unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "took {:?}",
        start.elapsed()
    );
    assert!(
        matches!(e, LookupError::DnsTimeout { .. }) && e.is_retryable(),
        "{e}"
    );

    // An SMP that accepts and never answers.
    let p = participant("0088:5798000000041");
    let w = World::start(&[&p], vec![]).await;
    w.smp.set(&path(&p), Reply::Hang);
    let http = HttpConfig {
        timeout: Duration::from_millis(500),
        ..HttpConfig::default()
    };
    let lookup = w.lookup_with(w.sml_config(), http);
    let start = Instant::now();
    let e = lookup
        .lookup(&p, &BIS3_INVOICE, &BILLING_PROCESS)
        .await
        .unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "took {:?}",
        start.elapsed()
    );
    assert!(
        matches!(e, LookupError::SmpTimeout { .. }) && e.is_retryable(),
        "{e}"
    );

    // An SMP nobody listens on.
    let closed: SocketAddr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let q = participant("0088:5798000000042");
    let dns = TestDns::start(
        ZONE,
        vec![naptr(
            &naptr_name(&q, SML_ZONE),
            60,
            "Meta:SMP",
            &format!("!^.*$!http://{closed}!"),
        )],
    )
    .await;
    let mut cfg = w.sml_config();
    cfg.dns.name_servers = NameServers::Custom(vec![dns.addr]);
    let lookup = w.lookup_with(cfg, HttpConfig::default());
    let e = lookup
        .lookup(&q, &BIS3_INVOICE, &BILLING_PROCESS)
        .await
        .unwrap_err();
    assert!(
        matches!(e, LookupError::SmpUnreachable { .. }) && e.is_retryable(),
        "{e}"
    );
}

#[tokio::test]
async fn oversized_answers_are_refused() {
    let p = participant("0088:5798000000050");
    let w = World::start(&[&p], vec![]).await;
    w.smp.set(&path(&p), Reply::ok(vec![b' '; 64 * 1024]));
    let http = HttpConfig {
        max_response_bytes: 16 * 1024,
        ..HttpConfig::default()
    };
    let e = w
        .lookup_with(w.sml_config(), http)
        .lookup(&p, &BIS3_INVOICE, &BILLING_PROCESS)
        .await
        .unwrap_err();
    assert!(
        matches!(e, LookupError::ResponseTooLarge { .. }) && !e.is_retryable(),
        "{e}"
    );
}

#[tokio::test]
async fn https_smp_is_trusted_through_configured_extra_roots() {
    use common::tls_smp::TlsSmp;

    let p = participant("0088:5798000000060");
    let server_cert = pki().ca.issue_tls_server(SMP_HOST);
    let body = signed(
        &information(&p, endpoint("2020-01-01T00:00:00Z", "2099-01-01T00:00:00Z")),
        &pki().signer,
    );
    let tls = TlsSmp::start(&server_cert, body).await;
    // The SMP host name is resolved through the test DNS server (A record), like the SML name.
    let records = vec![
        a(SMP_HOST, 300, Ipv4Addr::LOCALHOST),
        naptr(
            &naptr_name(&p, SML_ZONE),
            60,
            "Meta:SMP",
            &format!("!^.*$!https://{SMP_HOST}:{}!", tls.addr.port()),
        ),
    ];
    let dns = TestDns::start(ZONE, records).await;
    let mut sml = SmlConfig::new(SML_ZONE);
    sml.dns.name_servers = NameServers::Custom(vec![dns.addr]);
    let smp_config = |extra: Option<Vec<u8>>| {
        let mut c = SmpClientConfig::new(SmpTrust::from_pem(&pki().ca.cert_pem).unwrap());
        c.http.extra_root_certs_pem = extra;
        c
    };

    let lookup = Lookup::new(
        sml.clone(),
        smp_config(Some(pki().ca.cert_pem.clone())),
        LookupConfig::default(),
    )
    .unwrap();
    let ep = lookup
        .lookup(&p, &BIS3_INVOICE, &BILLING_PROCESS)
        .await
        .unwrap();
    assert_eq!(ep.endpoint_url, AP_URL);
    assert!(ep.smp_url.starts_with("https://"), "{}", ep.smp_url);

    // Without the extra root the server certificate is unknown: a TLS error, not retryable.
    let lookup = Lookup::new(sml, smp_config(None), LookupConfig::default()).unwrap();
    let e = lookup
        .lookup(&p, &BIS3_INVOICE, &BILLING_PROCESS)
        .await
        .unwrap_err();
    assert!(
        matches!(e, LookupError::SmpTls { .. }) && !e.is_retryable(),
        "{e}"
    );
}

#[tokio::test]
async fn unusable_naptr_and_refused_queries_are_reported() {
    let p = participant("0088:5798000000070");
    let records = vec![naptr(
        &naptr_name(&p, SML_ZONE),
        60,
        "Meta:SMP",
        "!^.*$!ftp://smp.lookup.test!",
    )];
    let w = World::start(&[], records).await;
    let sml = SmlResolver::new(w.sml_config()).unwrap();
    let e = sml.resolve(&p).await.unwrap_err();
    assert!(
        matches!(&e, LookupError::BadNaptr { reason, .. } if reason.contains("ftp"))
            && !e.is_retryable(),
        "{e}"
    );

    // A zone this server is not authoritative for: it refuses, which is a DNS failure (retryable),
    // not "not registered".
    let mut cfg = w.sml_config();
    cfg.zone = "sml.elsewhere.test".into();
    let e = SmlResolver::new(cfg)
        .unwrap()
        .resolve(&p)
        .await
        .unwrap_err();
    assert!(
        matches!(e, LookupError::Dns { .. }) && e.is_retryable(),
        "{e}"
    );
}

#[tokio::test]
async fn sml_answers_live_as_long_as_their_dns_ttl() {
    let short = participant("0088:5798000000080");
    let long = participant("0088:5798000000081");
    let records = vec![
        naptr(
            &naptr_name(&short, SML_ZONE),
            1,
            "Meta:SMP",
            "!^.*$!http://smp.lookup.test!",
        ),
        naptr(
            &naptr_name(&long, SML_ZONE),
            600,
            "Meta:SMP",
            "!^.*$!http://smp.lookup.test!",
        ),
    ];
    let w = World::start(&[], records).await;
    let sml = SmlResolver::new(w.sml_config()).unwrap();
    for p in [&short, &long] {
        let loc = sml.resolve(p).await.unwrap();
        assert_eq!(
            (loc.url.as_str(), loc.source),
            ("http://smp.lookup.test", SmlSource::Naptr)
        );
    }
    assert_eq!(w.dns.query_count(), 2);
    tokio::time::sleep(Duration::from_millis(1300)).await;
    sml.resolve(&short).await.unwrap();
    sml.resolve(&long).await.unwrap();
    assert_eq!(
        w.dns.query_count(),
        3,
        "only the 1 s answer is asked again: {:?}",
        w.dns.queries()
    );
}
