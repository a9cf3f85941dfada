//! SML names against the examples of `shared/peers/sml/naptr_name.py` (fixed values computed with
//! the peer), and against the peer itself when python3 is present.

mod common;

use gateway_peppol::{
    cname_name, cname_name_raw, naptr_name, naptr_name_raw, ParticipantId, SML_ZONE_PROD,
    SML_ZONE_TEST,
};

const S: Option<&str> = Some("iso6523-actorid-upis");

#[test]
fn self_test_examples_of_the_peer() {
    let naptr = [
        ("0088:4035811991021", S, "bdxl.example.com", "LZMEDSMZXYD37YC74TZVPYCMUANFCMN667JHGBFQDDRVMSE6NYTA.iso6523-actorid-upis.bdxl.example.com"),
        ("0088:4035811991021", S, "acceptance.bdxl.example.com", "LZMEDSMZXYD37YC74TZVPYCMUANFCMN667JHGBFQDDRVMSE6NYTA.iso6523-actorid-upis.acceptance.bdxl.example.com"),
        ("urn:oasis:names:tc:ebcore:partyid-type:iso6523:0088:4035811991021", None, "bdxl.example.com", "I3QYB36CTAYRFGTHBYCQZDTOJFHGAZJEGLFOOE7727EGVDWRK5QQ.bdxl.example.com"),
        ("0088:1234567890123", S, SML_ZONE_TEST, "sjsyvccmqyjxk3weuapffq4x3umcrf4qryherj4vovhmonh7gccq.iso6523-actorid-upis.participant.sml.test.tech.peppol.org"),
        ("0088:123ABC", S, SML_ZONE_TEST, "y7dzfxaf3d4cjz4kcgrxtec6twvcga4ky7zwa5boif6mswd4tdrq.iso6523-actorid-upis.participant.sml.test.tech.peppol.org"),
        ("9915:test", S, SML_ZONE_TEST, "eh5boavaktmbgzyh2a63dz4qov33fvp5nsdvqklucfraayoodw6a.iso6523-actorid-upis.participant.sml.test.tech.peppol.org"),
        ("0010:5798000000001", S, SML_ZONE_TEST, "xukhfqabqziki3ykvr2fhr4snfa3pf5vpq6k4tonv3lmvsy5arvq.iso6523-actorid-upis.participant.sml.test.tech.peppol.org"),
    ];
    for (value, scheme, zone, want) in naptr {
        assert_eq!(
            naptr_name_raw(value, scheme, zone),
            want.to_lowercase(),
            "{value}"
        );
    }
    let cname = [
        ("0088:123abc", SML_ZONE_PROD, "B-f5e78500450d37de5aabe6648ac3bb70.iso6523-actorid-upis.participant.sml.prod.tech.peppol.org"),
        ("0088:123ABC", "at", "B-f5e78500450d37de5aabe6648ac3bb70.iso6523-actorid-upis.at"),
        ("9915:test", SML_ZONE_TEST, "B-85008b8279e07ab0392da75fa55856a2.iso6523-actorid-upis.participant.sml.test.tech.peppol.org"),
    ];
    for (value, zone, want) in cname {
        assert_eq!(cname_name_raw(value, S, zone), want, "{value}");
    }
}

/// Values printed by `naptr_name.py PARTICIPANT --env prod` for identifiers of ours.
const OURS: &[(&str, &str, &str)] = &[
    (
        "0208:0123456749",
        "hqlnrkedej3xevnxcnqilr5gx4hmdn4lws23cztjymy4mhl3plla",
        "B-3fdba357a881e1e89778c89f91b58e84",
    ),
    (
        "9925:BE0123456749",
        "oz6jccb4ihirgnzlcvdumnn2akcxuru23mu4wa3vlzozrygsquca",
        "B-3ac3fb5260f98b7e0cce50998b878fd8",
    ),
    (
        "0088:5798000000001",
        "reana6asz6h7dlkfrw4fbjgue7z74gx3uta2oik2p6tawtasctoq",
        "B-4c7e158a31c6dfa533dcfaf4b80fb205",
    ),
];

#[test]
fn typed_ids_fold_case_like_the_peer() {
    for (id, naptr, cname) in OURS {
        let p = ParticipantId::parse(id).unwrap();
        let suffix = ".iso6523-actorid-upis.participant.sml.prod.tech.peppol.org";
        assert_eq!(naptr_name(&p, SML_ZONE_PROD), format!("{naptr}{suffix}"));
        assert_eq!(cname_name(&p, SML_ZONE_PROD), format!("{cname}{suffix}"));
        // A trailing dot on the zone (absolute DNS name) changes nothing.
        assert_eq!(
            naptr_name(&p, "participant.sml.prod.tech.peppol.org."),
            format!("{naptr}{suffix}")
        );
    }
}

#[test]
fn agrees_with_the_peer_when_python_is_present() {
    let Some(py) = common::python3() else { return };
    let script = common::shared("peers/sml/naptr_name.py");
    let st = std::process::Command::new(py)
        .arg(&script)
        .arg("--self-test")
        .output()
        .unwrap();
    assert!(st.status.success(), "peer self-test failed");
    for id in [
        "0208:0123456749",
        "9925:BE0123456749",
        "0192:923609016",
        "0088:123ABC",
        "9915:MixedCase-Value",
    ] {
        let out = std::process::Command::new(py)
            .arg(&script)
            .arg(id)
            .args(["--env", "test"])
            .output()
            .unwrap();
        assert!(out.status.success());
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let p = ParticipantId::parse_lenient(id).unwrap();
        assert_eq!(v["naptr"], naptr_name(&p, SML_ZONE_TEST), "{id}");
        assert_eq!(v["cname"], cname_name(&p, SML_ZONE_TEST), "{id}");
    }
}
