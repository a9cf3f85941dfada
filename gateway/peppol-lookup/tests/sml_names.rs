//! The DNS names the resolver asks for are those of `shared/peers/sml/naptr_name.py`: every
//! example of its self-test is recomputed here, then a real lookup on a loopback DNS server is
//! checked to query the peer's names for a participant.

mod common;

use std::process::Command;

use gateway_peppol::{cname_name_raw, naptr_name_raw};

fn peer(args: &[&str]) -> Vec<serde_json::Value> {
    let out = Command::new("python3")
        .arg(common::shared("peers/sml/naptr_name.py"))
        .args(args)
        .output()
        .expect("python3 is needed to run the SML peer");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn self_test_examples_match() {
    let examples = peer(&["--self-test"]);
    assert!(examples.len() >= 10, "{examples:?}");
    for ex in examples {
        let value = ex["value"].as_str().unwrap();
        let zone = ex["zone"].as_str().unwrap();
        let expected = ex["expected"].as_str().unwrap();
        let scheme = expected
            .to_ascii_lowercase()
            .contains(".iso6523-actorid-upis.")
            .then_some("iso6523-actorid-upis");
        let got = match ex["form"].as_str().unwrap() {
            "naptr" => naptr_name_raw(value, scheme, zone),
            "cname" => cname_name_raw(value, scheme, zone),
            other => panic!("unknown form {other}"),
        };
        assert!(
            got.eq_ignore_ascii_case(expected),
            "{value} in {zone}: {got} != {expected}"
        );
    }
}

#[tokio::test]
async fn resolver_queries_the_peer_names() {
    use common::dns::TestDns;
    use gateway_peppol_lookup::{DnsConfig, NameServers, SmlConfig, SmlResolver};

    let id = "0088:4035811991021";
    let zone = "bdxl.example.com";
    let names = &peer(&[id, "--zone", zone])[0];
    let dns = TestDns::start(zone, vec![]).await;
    let mut cfg = SmlConfig::new(zone);
    cfg.dns = DnsConfig {
        name_servers: NameServers::Custom(vec![dns.addr]),
        ..DnsConfig::default()
    };
    let sml = SmlResolver::new(cfg).unwrap();
    let participant = gateway_peppol::ParticipantId::parse_lenient(id).unwrap();
    sml.resolve(&participant).await.unwrap_err();
    let asked: Vec<String> = dns.queries().into_iter().map(|(n, _)| n).collect();
    let want = |k: &str| format!("{}.", names[k].as_str().unwrap().to_ascii_lowercase());
    assert_eq!(asked, vec![want("naptr"), want("cname")]);
}
