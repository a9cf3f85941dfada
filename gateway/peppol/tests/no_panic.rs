//! Deterministic pseudo-random strings through every string entry point: errors are fine,
//! panics are not (these all see untrusted input).

use gateway_peppol::*;

const ALPHABET: &[&str] = &[
    "0",
    "1",
    "8",
    "9",
    ":",
    "::",
    "%",
    "%3A",
    "%25",
    "#",
    "!",
    "^.*$",
    "https://",
    "a",
    "Z",
    "DK",
    "NL",
    "IT",
    "B",
    " ",
    "\u{0}",
    "é",
    "€",
    "Ș",
    "\u{feff}",
    "iso6523-actorid-upis",
    "busdox-docid-qns",
    "0208:",
    "0088:",
    "0007:",
    "/services/",
    "/",
];

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
}

#[test]
fn string_entry_points_never_panic() {
    let mut rng = Lcg(42);
    for _ in 0..20_000 {
        let len = rng.next() % 12;
        let s: String = (0..len)
            .map(|_| ALPHABET[rng.next() % ALPHABET.len()])
            .collect();
        let _ = ParticipantId::parse(&s).map(|p| (p.findings(), p.to_string()));
        let _ = ParticipantId::parse_lenient(&s)
            .map(|p| (p.icd().len(), p.identifier().len(), naptr_name(&p, "zone")));
        let _ = DocumentTypeId::parse(&s).map(|d| d.parts().is_some());
        let _ = ProcessId::parse(&s);
        let _ = decode_segment(&s);
        let _ = parse_smp_path(&s);
        let _ = parse_naptr_regexp(&s);
        for icd in icds_with_rules() {
            let _ = check_identifier(icd, &s);
        }
    }
}
