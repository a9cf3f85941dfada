//! Shared checks of the AS4 tests.
#![allow(dead_code)]

use gateway_xmldsig::{canonicalize_parts, canonicalize_parts_libxml2, Algorithm, Part, Selector};

/// The SOAP envelope (first MIME part) of a multipart message body.
pub fn soap_part(body: &[u8]) -> &[u8] {
    let start = body.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let end = body[start..]
        .windows(4)
        .position(|w| w == b"\r\n--")
        .unwrap();
    &body[start..start + end]
}

/// The native exclusive canonicalization gives libxml2's bytes for SignedInfo and every
/// element with a `wsu:Id`/`Id` of `xml` (as the receive path selects them).
pub fn native_c14n_matches_libxml2(xml: &[u8]) {
    let text = String::from_utf8_lossy(xml);
    let ids: Vec<&str> = text
        .match_indices("Id=\"")
        .map(|(i, m)| {
            let rest = &text[i + m.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    assert!(ids.len() >= 2, "{text}");
    let mut parts = vec![Part {
        selector: Selector::Element {
            namespace: "http://www.w3.org/2000/09/xmldsig#",
            local_name: "SignedInfo",
        },
        algorithm: Algorithm::ExcC14n,
        inclusive_prefixes: &[],
    }];
    parts.extend(ids.iter().map(|id| Part {
        selector: Selector::ById(id),
        algorithm: Algorithm::ExcC14n,
        inclusive_prefixes: &[],
    }));
    let native = canonicalize_parts(xml, &parts).unwrap();
    let reference = canonicalize_parts_libxml2(xml, &parts).unwrap();
    for ((part, n), r) in parts.iter().zip(native).zip(reference) {
        assert_eq!(n.unwrap(), r.unwrap(), "{:?}", part.selector);
    }
}
