//! Scheme-specific checks on participant identifiers, mirroring the PEPPOL-COMMON rules of
//! Peppol BIS Billing 3.0.21 (`PEPPOL-EN16931-UBL.sch`, functions `u:gln`, `u:mod11`, ...).
//! Rules flagged `fatal` there make an identifier invalid; `warning` rules are reported only.
//! Schemes without a rule get the generic length/charset checks of [`crate::ParticipantId`].

/// How serious a finding is, as flagged in the Schematron.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    Fatal,
    Warning,
}

/// A failed PEPPOL-COMMON rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Finding {
    /// Rule id, e.g. `PEPPOL-COMMON-R043`.
    pub rule: &'static str,
    pub severity: Severity,
    /// The ICD the rule applies to.
    pub icd: &'static str,
    /// What the scheme is, e.g. "Belgian enterprise number".
    pub scheme_name: &'static str,
    /// What is wrong.
    pub reason: &'static str,
}

struct Rule {
    icd: &'static str,
    id: &'static str,
    severity: Severity,
    scheme_name: &'static str,
    reason: &'static str,
    check: fn(&str) -> bool,
}

use Severity::{Fatal, Warning};

static RULES: &[Rule] = &[
    Rule {
        icd: "0088",
        id: "PEPPOL-COMMON-R040",
        severity: Fatal,
        scheme_name: "GLN",
        reason: "must be digits with a valid GS1 mod-10 check digit",
        check: gln_rule,
    },
    Rule {
        icd: "0192",
        id: "PEPPOL-COMMON-R041",
        severity: Fatal,
        scheme_name: "Norwegian organisation number",
        reason: "must be 9 digits with a valid mod-11 check digit",
        check: no_orgnr_rule,
    },
    Rule {
        icd: "0184",
        id: "PEPPOL-COMMON-R042",
        severity: Fatal,
        scheme_name: "Danish CVR number",
        reason: "must be 8 digits or `DK` followed by 8 digits",
        check: dk_cvr_rule,
    },
    Rule {
        icd: "0096",
        id: "PEPPOL-COMMON-R052",
        severity: Fatal,
        scheme_name: "Danish P number",
        reason: "must be 10 digits",
        check: |v| digits_len(v, 10),
    },
    Rule {
        icd: "0198",
        id: "PEPPOL-COMMON-R053",
        severity: Fatal,
        scheme_name: "Danish ERSTORG (SE) number",
        reason: "must be `DK` followed by 8 digits",
        check: dk_se_rule,
    },
    Rule {
        icd: "0208",
        id: "PEPPOL-COMMON-R043",
        severity: Fatal,
        scheme_name: "Belgian enterprise number",
        reason: "must be 10 digits whose last two are 97 minus the first eight mod 97",
        check: be_enterprise_rule,
    },
    Rule {
        icd: "0201",
        id: "PEPPOL-COMMON-R044",
        severity: Warning,
        scheme_name: "Italian IPA code",
        reason: "must be 6 letters or digits",
        check: ipa_rule,
    },
    Rule {
        icd: "0210",
        id: "PEPPOL-COMMON-R045",
        severity: Warning,
        scheme_name: "Italian codice fiscale",
        reason: "must be 16 characters in the codice fiscale pattern or 11 digits",
        check: codice_fiscale_rule,
    },
    Rule {
        icd: "9907",
        id: "PEPPOL-COMMON-R046",
        severity: Warning,
        scheme_name: "Italian codice fiscale",
        reason: "must be 16 characters in the codice fiscale pattern or 11 digits",
        check: codice_fiscale_rule,
    },
    Rule {
        icd: "0211",
        id: "PEPPOL-COMMON-R047",
        severity: Warning,
        scheme_name: "Italian VAT number (partita IVA)",
        reason: "`IT` must be followed by 11 digits with a valid check digit",
        check: partita_iva_rule,
    },
    Rule {
        icd: "0007",
        id: "PEPPOL-COMMON-R049",
        severity: Fatal,
        scheme_name: "Swedish organisation number",
        reason: "must be 10 digits with a valid Luhn check digit",
        check: se_orgnr_rule,
    },
    Rule {
        icd: "0151",
        id: "PEPPOL-COMMON-R050",
        severity: Fatal,
        scheme_name: "Australian Business Number",
        reason: "must be 11 digits passing the ABN mod-89 check",
        check: abn_rule,
    },
    Rule {
        icd: "0106",
        id: "PEPPOL-COMMON-R054",
        severity: Warning,
        scheme_name: "Dutch KVK number",
        reason: "must be 8 digits",
        check: |v| digits_len(v, 8),
    },
    Rule {
        icd: "0190",
        id: "PEPPOL-COMMON-R055",
        severity: Warning,
        scheme_name: "Dutch OIN",
        reason: "must be 20 digits",
        check: |v| digits_len(v, 20),
    },
    Rule {
        icd: "9944",
        id: "PEPPOL-COMMON-R056-1",
        severity: Warning,
        scheme_name: "Dutch VAT number",
        reason: "must look like NL123456789B12",
        check: nl_vat_rule,
    },
    Rule {
        icd: "0217",
        id: "PEPPOL-COMMON-R057",
        severity: Warning,
        scheme_name: "Dutch KVK establishment number",
        reason: "must be 12 digits",
        check: |v| digits_len(v, 12),
    },
];

/// Runs the PEPPOL-COMMON rules for `icd` on the identifier part `id` (after `ICD:`).
/// Letters are compared case-insensitively because Peppol participant ids are.
pub fn check_identifier(icd: &str, id: &str) -> Vec<Finding> {
    let upper = id.to_ascii_uppercase();
    RULES
        .iter()
        .filter(|r| r.icd == icd && !(r.check)(&upper))
        .map(|r| Finding {
            rule: r.id,
            severity: r.severity,
            icd: r.icd,
            scheme_name: r.scheme_name,
            reason: r.reason,
        })
        .collect()
}

/// The ICDs that have a PEPPOL-COMMON rule.
pub fn icds_with_rules() -> impl Iterator<Item = &'static str> {
    RULES.iter().map(|r| r.icd)
}

fn all_digits(v: &str) -> bool {
    !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())
}

fn digits_len(v: &str, n: usize) -> bool {
    v.len() == n && all_digits(v)
}

/// Digit values, or `None` if any byte is not a digit.
fn digits(v: &str) -> Option<Vec<u32>> {
    v.bytes()
        .map(|b| b.is_ascii_digit().then(|| u32::from(b - b'0')))
        .collect()
}

/// GS1 mod 10 over any length (the rule does not fix 13 digits).
pub(crate) fn gln_rule(v: &str) -> bool {
    let Some(d) = digits(v) else { return false };
    let Some((&check, body)) = d.split_last() else {
        return false;
    };
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| x * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    (10 - sum % 10) % 10 == check
}

/// Norwegian organisation number: weights 2..7 from the right, mod 11, and not all zeros.
pub(crate) fn no_orgnr_rule(v: &str) -> bool {
    if !digits_len(v, 9) {
        return false;
    }
    let Some(d) = digits(v) else { return false };
    let (check, body) = (d[8], &d[..8]);
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| x * (i as u32 % 6 + 2))
        .sum();
    d.iter().any(|&x| x != 0) && (11 - sum % 11) % 11 == check
}

fn dk_cvr_rule(v: &str) -> bool {
    dk_se_rule(v) || digits_len(v, 8)
}

fn dk_se_rule(v: &str) -> bool {
    v.len() == 10 && v.starts_with("DK") && all_digits(&v[2..])
}

/// Belgian enterprise number: last two digits = 97 - (first eight mod 97).
pub(crate) fn be_enterprise_rule(v: &str) -> bool {
    if !digits_len(v, 10) {
        return false;
    }
    let (Ok(body), Ok(check)) = (v[..8].parse::<u64>(), v[8..].parse::<u64>()) else {
        return false;
    };
    97 - body % 97 == check
}

fn ipa_rule(v: &str) -> bool {
    v.len() == 6 && v.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// XPath `castable as xs:integer` on an ASCII string: optional sign, then digits.
fn castable_int(s: &str) -> bool {
    let s = s.trim_matches(|c: char| c.is_ascii_whitespace());
    all_digits(s.strip_prefix(['+', '-']).unwrap_or(s))
}

fn letters(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphabetic())
}

fn codice_fiscale_rule(v: &str) -> bool {
    // Slices below need ASCII; identifiers are ASCII anyway (non-ASCII fails here).
    if !v.is_ascii() {
        return false;
    }
    match v.len() {
        11 => castable_int(v),
        16 => {
            letters(&v[..6])
                && castable_int(&v[6..8])
                && letters(&v[8..9])
                && castable_int(&v[9..11])
                && castable_int(&v[14..15])
                && letters(&v[15..16])
        }
        _ => false,
    }
}

/// `u:checkPIVAseIT`: only values starting with `IT` are checked (others pass, as in the rule).
fn partita_iva_rule(v: &str) -> bool {
    let Some(rest) = v.strip_prefix("IT") else {
        return true;
    };
    let Some(d) = digits(rest).filter(|d| d.len() == 11) else {
        return false;
    };
    // Odd positions (1-based) count as they are; even positions doubled with digits summed.
    let sum: u32 = d
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            if i % 2 == 0 {
                x
            } else {
                [0, 2, 4, 6, 8, 1, 3, 5, 7, 9][x as usize]
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Swedish organisation number: 10 digits, Luhn over the first nine.
pub(crate) fn se_orgnr_rule(v: &str) -> bool {
    if !digits_len(v, 10) {
        return false;
    }
    let Some(d) = digits(v) else { return false };
    let sum: u32 = d[..9]
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            if i % 2 == 0 {
                (x * 2) % 10 + (x * 2) / 10
            } else {
                x
            }
        })
        .sum();
    (10 - sum % 10) % 10 == d[9]
}

/// ABN: subtract 1 from the first digit, weights 10,1,3,5,...,19, sum mod 89 = 0.
pub(crate) fn abn_rule(v: &str) -> bool {
    if !digits_len(v, 11) {
        return false;
    }
    let Some(d) = digits(v) else { return false };
    const W: [i64; 11] = [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19];
    let sum: i64 = d
        .iter()
        .zip(W)
        .enumerate()
        .map(|(i, (&x, w))| (i64::from(x) - i64::from(i == 0)) * w)
        .sum();
    sum.rem_euclid(89) == 0
}

fn nl_vat_rule(v: &str) -> bool {
    v.is_ascii()
        && v.len() == 14
        && v.starts_with("NL")
        && all_digits(&v[2..11])
        && &v[11..12] == "B"
        && all_digits(&v[12..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(icd: &str, id: &str) -> Vec<&'static str> {
        check_identifier(icd, id).iter().map(|f| f.rule).collect()
    }

    #[test]
    fn gln() {
        assert!(gln_rule("5798000000001"));
        // The SBDH test vectors' sender: its check digit is wrong (8 expected), so only
        // `ParticipantId::parse_lenient` accepts it.
        assert!(!gln_rule("7315458756324"));
        assert!(gln_rule("4035811991021"));
        assert!(!gln_rule("5798000000002"));
        assert!(!gln_rule(""));
        assert!(!gln_rule("57980000000a1"));
    }

    #[test]
    fn norwegian() {
        assert!(no_orgnr_rule("923609016"));
        assert!(no_orgnr_rule("974760673"));
        assert!(!no_orgnr_rule("923609017"));
        assert!(!no_orgnr_rule("000000000"));
        assert!(!no_orgnr_rule("92360901"));
    }

    #[test]
    fn belgian() {
        assert!(be_enterprise_rule("0123456749"));
        assert!(be_enterprise_rule("0417497106"));
        assert!(!be_enterprise_rule("0123456789"));
        assert!(!be_enterprise_rule("012345674"));
        // 8-digit body divisible by 97 gives check 97.
        assert!(be_enterprise_rule("0000009797"));
    }

    #[test]
    fn swedish() {
        assert!(se_orgnr_rule("5560360793"));
        assert!(se_orgnr_rule("2021005489"));
        assert!(!se_orgnr_rule("5560360794"));
        assert!(!se_orgnr_rule("556036079"));
    }

    #[test]
    fn abn() {
        assert!(abn_rule("51824753556"));
        assert!(abn_rule("53004085616"));
        assert!(!abn_rule("51824753557"));
    }

    #[test]
    fn italian() {
        assert!(partita_iva_rule("IT01234567897"));
        assert!(!partita_iva_rule("IT01234567890"));
        assert!(partita_iva_rule("DE123")); // only IT values are checked
        assert!(codice_fiscale_rule("RSSMRA85T10A562S"));
        assert!(codice_fiscale_rule("12345678901"));
        assert!(!codice_fiscale_rule("RSSMRA85T10A56"));
        assert!(ipa_rule("UFY9MH"));
        assert!(!ipa_rule("UFY9M-"));
    }

    #[test]
    fn never_panics_on_odd_text() {
        let odd = [
            "",
            "DK",
            "NL123456789€B",
            "NL123456789\u{e9}12",
            "ÀÀÀÀÀÀ85T10A562S",
            "AAAAAÀ5T10A562S",
            "NL123456789€",
            "IT€",
            "€€€€€€€€€€",
            "0000000000000000000000",
        ];
        for icd in icds_with_rules() {
            for v in odd {
                let _ = check_identifier(icd, v);
            }
        }
    }

    #[test]
    fn rule_table() {
        assert_eq!(rules("0184", "DK12345678"), Vec::<&str>::new());
        assert_eq!(rules("0184", "12345678"), Vec::<&str>::new());
        assert_eq!(rules("0184", "dk12345678"), Vec::<&str>::new());
        assert_eq!(rules("0184", "1234567"), vec!["PEPPOL-COMMON-R042"]);
        assert_eq!(rules("0198", "12345678"), vec!["PEPPOL-COMMON-R053"]);
        assert_eq!(rules("0096", "1234567890"), Vec::<&str>::new());
        assert_eq!(rules("9944", "nl123456789b12"), Vec::<&str>::new());
        assert_eq!(rules("9944", "NL12345678B12"), vec!["PEPPOL-COMMON-R056-1"]);
        assert_eq!(rules("0106", "1234567"), vec!["PEPPOL-COMMON-R054"]);
        assert_eq!(rules("0190", "12345678901234567890"), Vec::<&str>::new());
        assert_eq!(rules("0217", "123456789012"), Vec::<&str>::new());
        assert_eq!(rules("9925", "BE0123456789"), Vec::<&str>::new()); // no PEPPOL-COMMON rule
        let f = &check_identifier("0208", "0123456789")[0];
        assert_eq!(
            (f.rule, f.severity),
            ("PEPPOL-COMMON-R043", Severity::Fatal)
        );
        let f = &check_identifier("0106", "1")[0];
        assert_eq!(f.severity, Severity::Warning);
    }
}
