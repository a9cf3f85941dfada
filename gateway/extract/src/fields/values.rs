//! Value parsers: dates, amounts, identifiers, IBANs, VAT numbers and
//! currencies in the ways invoices write them, normalised.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
use rust_decimal::Decimal;

use super::checks::{iban_valid, vat_check, VatCheck};

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        \b(?P<y1>\d{4})-(?P<m1>\d{1,2})-(?P<d1>\d{1,2})\b
        | \b(?P<d2>\d{1,2})\s?[./-]\s?(?P<m2>\d{1,2})\s?[./-]\s?(?P<y2>\d{4}|\d{2})\b
        | \b(?P<d3>\d{1,2})\.?\s+(?P<mn>\p{L}{3,10})\.?\s+(?P<y3>\d{4})\b",
    )
    .expect("valid regex")
});

/// Month names (ro, en, de, fr, nl), folded, to month numbers.
fn month(name: &str) -> Option<u32> {
    let n = crate::text::fold(name);
    const M: [&[&str]; 12] = [
        &[
            "jan", "january", "januar", "janvier", "ianuarie", "januari", "janner",
        ],
        &[
            "feb",
            "february",
            "februar",
            "fevrier",
            "februarie",
            "februari",
        ],
        &["mar", "march", "marz", "mars", "martie", "maart"],
        &["apr", "april", "avril", "aprilie"],
        &["may", "mai", "mei"],
        &["jun", "june", "juni", "juin", "iunie"],
        &["jul", "july", "juli", "juillet", "iulie"],
        &["aug", "august", "aout", "augustus"],
        &["sep", "sept", "september", "septembre", "septembrie"],
        &["oct", "okt", "october", "oktober", "octobre", "octombrie"],
        &["nov", "november", "novembre", "noiembrie"],
        &[
            "dec",
            "dez",
            "december",
            "dezember",
            "decembre",
            "decembrie",
        ],
    ];
    M.iter()
        .position(|names| names.contains(&n.as_str()))
        .map(|i| i as u32 + 1)
}

/// The first date in `s`, with the byte range it took (day before month).
pub fn date(s: &str) -> Option<(NaiveDate, std::ops::Range<usize>)> {
    date_with(s, false)
}

/// The first date in `s`; `month_first` reads `11/03/2017` as 3 November
/// (dates with slashes only: dotted dates are day first everywhere).
pub fn date_with(s: &str, month_first: bool) -> Option<(NaiveDate, std::ops::Range<usize>)> {
    for c in DATE.captures_iter(s) {
        let m = c.get(0).expect("whole match");
        let num = |k: &str| c.name(k).and_then(|v| v.as_str().parse::<i32>().ok());
        let parsed = if let Some(y) = num("y1") {
            NaiveDate::from_ymd_opt(y, num("m1")? as u32, num("d1")? as u32)
        } else if let Some(y) = num("y2") {
            let y = if y < 100 { 2000 + y } else { y };
            let (mut d, mut mo) = (num("d2")?, num("m2")?);
            if month_first && m.as_str().contains('/') {
                std::mem::swap(&mut d, &mut mo);
            }
            NaiveDate::from_ymd_opt(y, mo as u32, d as u32)
        } else {
            let mo = month(c.name("mn")?.as_str());
            mo.and_then(|mo| NaiveDate::from_ymd_opt(num("y3")?, mo, num("d3")? as u32))
        };
        if let Some(d) = parsed.filter(|d| (1990..=2100).contains(&chrono::Datelike::year(d))) {
            return Some((d, m.range()));
        }
    }
    None
}

static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?P<neg>[-−–]\s?)?
        (?P<num>\d{1,3}(?:[.,'’\ ]\d{3})+(?:[.,]\d{1,4})?|\d+(?:[.,]\d{1,4})?)
        (?P<trail>-)?",
    )
    .expect("valid regex")
});

/// Amounts in `s` (sign, thousands and decimal separators of any locale),
/// with byte ranges. Numbers glued to letters (`A4`, `H87`) are skipped.
pub fn amounts(s: &str) -> Vec<(Decimal, std::ops::Range<usize>)> {
    // OCR splits a decimal part ("470,1 5 €"): close the gap first. Same
    // length, so byte ranges stay valid.
    static SPLIT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(\d[.,]\d) (\d)\b").expect("valid regex"));
    let joined;
    let s = if SPLIT.is_match(s) {
        joined = SPLIT.replace_all(s, "$1$2 ").into_owned();
        joined.as_str()
    } else {
        s
    };
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    for c in AMOUNT.captures_iter(s) {
        let m = c.get(0).expect("whole match");
        let num = c.name("num").expect("group");
        let before = s[..num.start()].chars().next_back();
        let after = s[num.end()..].chars().next();
        if before.is_some_and(|ch| ch.is_alphabetic() || ch == '/')
            || after.is_some_and(|ch| ch.is_alphabetic() && ch != '€')
        {
            continue;
        }
        // A percentage or a date part is not an amount.
        let rest = s[num.end()..].trim_start();
        if rest.starts_with('%')
            || (num.end() < bytes.len()
                && matches!(bytes[num.end()], b'.' | b'/' if s[num.end() + 1..].starts_with(|ch: char| ch.is_ascii_digit())))
        {
            continue;
        }
        let Some(mut v) = parse_number(num.as_str()) else {
            continue;
        };
        if c.name("neg").is_some() || c.name("trail").is_some() {
            v = -v;
        }
        out.push((v, m.range()));
    }
    out
}

/// Parse one number, deciding which separator is the decimal one.
pub fn parse_number(raw: &str) -> Option<Decimal> {
    let t: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '\'' | '’'))
        .collect();
    let last = t.rfind(['.', ','])?;
    let (int, frac) = t.split_at(last);
    let frac = &frac[1..];
    let int_digits: String = int.chars().filter(char::is_ascii_digit).collect();
    let other_sep = int.contains(['.', ',']);
    // "0.025" is never twenty-five: a thousands group does not follow a lone 0.
    let decimal =
        frac.len() != 3 || int_digits == "0" || (other_sep && !int.contains(&t[last..=last]));
    let s = if decimal {
        format!("{int_digits}.{frac}")
    } else {
        format!("{int_digits}{frac}")
    };
    s.parse().ok()
}

/// A whole-number string without separators (`2000`) is an amount too.
pub fn amount(s: &str) -> Option<(Decimal, std::ops::Range<usize>)> {
    let found = amounts(s);
    if let Some(a) = found
        .iter()
        .find(|(_, r)| s[r.clone()].contains([',', '.']))
    {
        return Some(a.clone());
    }
    found.into_iter().next().or_else(|| {
        let t = s.trim();
        t.parse::<Decimal>().ok().map(|d| (d, 0..s.len()))
    })
}

/// Plain decimal text, two decimals at least (`473.00`, `9.9000`).
pub fn decimal_text(d: Decimal) -> String {
    let mut d = d.normalize();
    if d.scale() < 2 {
        d.rescale(2);
    }
    d.to_string()
}

static IBAN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]){10,30}\b").expect("valid regex"));

/// IBANs in `s`: (IBAN without spaces, valid mod-97, byte range).
pub fn ibans(s: &str) -> Vec<(String, bool, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    for m in IBAN.find_iter(s) {
        let compact: String = m.as_str().chars().filter(|c| !c.is_whitespace()).collect();
        // The match may run into the next word (`... 00 BIC`): the longest valid prefix wins.
        let valid = (15..=compact.len())
            .rev()
            .map(|n| &compact[..n])
            .find(|c| iban_valid(c));
        match valid {
            Some(v) => out.push((v.to_string(), true, m.range())),
            None => out.push((compact, false, m.range())),
        }
    }
    out
}

static VAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(AT\s?U\d{8}|BE\s?[01]\d{3}[.\s]?\d{3}[.\s]?\d{3}|DE\s?\d{9}|FR\s?[0-9A-Z]{2}\s?\d{3}\s?\d{3}\s?\d{3}|RO\s?\d{2,10}|NL\s?\d{9}B\d{2}|GB\s?\d{9}(?:\d{3})?|IT\s?\d{11}|ES\s?[0-9A-Z]\d{7}[0-9A-Z]|EL\s?\d{9}|PL\s?\d{10}|CZ\s?\d{8,10}|HU\s?\d{8}|BG\s?\d{9,10}|LU\s?\d{8}|IE\s?\d{7}[A-Z]{1,2}|PT\s?\d{9}|SE\s?\d{12}|DK\s?\d{8}|FI\s?\d{8}|SK\s?\d{10}|SI\s?\d{8}|HR\s?\d{11}|CHE[-\s]?\d{3}\.?\d{3}\.?\d{3})\b",
    )
    .expect("valid regex")
});

/// VAT identifiers in `s`: (identifier without spaces or dots, check, range).
pub fn vat_ids(s: &str) -> Vec<(String, VatCheck, std::ops::Range<usize>)> {
    VAT.find_iter(s)
        .map(|m| {
            let id: String = m
                .as_str()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect();
            let check = vat_check(&id);
            (id, check, m.range())
        })
        .filter(|(id, _, _)| !id.starts_with("RO") || id.len() >= 6)
        .collect()
}

/// ISO 4217 codes we recognise in text, and symbols.
const CURRENCIES: &[&str] = &[
    "EUR", "RON", "USD", "GBP", "CHF", "HUF", "PLN", "CZK", "SEK", "DKK", "NOK", "BGN", "JPY",
    "CAD", "AUD", "MDL",
];

/// Currency codes and symbols in `s`, as ISO codes.
pub fn currencies(s: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    for w in s.split(|c: char| !c.is_alphanumeric() && !matches!(c, '€' | '£' | '$')) {
        if let Some(c) = CURRENCIES.iter().find(|c| **c == w) {
            out.push(*c);
        } else if w.ends_with('€') || w.starts_with('€') {
            out.push("EUR");
        } else if w.ends_with('£') || w.starts_with('£') {
            out.push("GBP");
        } else if w.eq_ignore_ascii_case("lei") {
            out.push("RON");
        }
    }
    out
}

fn is_number_marker(folded: &str) -> bool {
    matches!(
        folded,
        "nr" | "no" | "n" | "number" | "nummer" | "numero" | "num" | "seria" | "nr n"
    )
}

/// Nouns naming another document or party whose number may follow
/// ("Bestellung Nr.", "order no", "bon de commande n°", "Kunden-Nr.").
fn is_reference_word(folded: &str) -> bool {
    matches!(
        folded,
        "bestellung"
            | "bestellnummer"
            | "auftrag"
            | "auftragsnummer"
            | "lieferschein"
            | "vertrag"
            | "kunde"
            | "kunden"
            | "order"
            | "purchase"
            | "contract"
            | "delivery"
            | "customer"
            | "commande"
            | "bon"
            | "contrat"
            | "client"
            | "livraison"
            | "comanda"
            | "aviz"
            | "bestelling"
            | "klant"
    )
}

/// Whether slash dates in these texts are month first: a day over 12 in
/// either place decides; otherwise `english` (US-style documents) does.
pub fn month_first<'a>(texts: impl Iterator<Item = &'a str>, english: bool) -> bool {
    static SLASH: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b(\d{1,2})/(\d{1,2})/\d{2,4}\b").expect("valid regex"));
    let (mut dmy, mut mdy) = (false, false);
    for t in texts {
        for c in SLASH.captures_iter(t) {
            let a: u32 = c[1].parse().unwrap_or(0);
            let b: u32 = c[2].parse().unwrap_or(0);
            dmy |= a > 12;
            mdy |= b > 12;
        }
    }
    match (dmy, mdy) {
        (true, false) => false,
        (false, true) => true,
        _ => english && !dmy,
    }
}

/// An invoice number: the first token with a digit that is not a date, an
/// amount with decimals, or a code in parentheses; a few words may stand
/// between the title and a number marker ("Rechnung des Versicherers Nr. 1").
pub fn document_number(s: &str) -> Option<(String, std::ops::Range<usize>)> {
    let toks: Vec<&str> = s.split(' ').collect();
    let first_digit = toks.iter().position(|t| {
        is_number_marker(&crate::text::fold(t))
            || (!t.starts_with('(') && t.chars().any(|c| c.is_ascii_digit()))
    });
    let skip = match first_digit {
        // "gemäß Bestellung Nr. 12": the number is the order's, not this document's.
        Some(i)
            if toks[..i]
                .iter()
                .any(|t| is_reference_word(&crate::text::fold(t))) =>
        {
            return None
        }
        Some(i) if i > 0 && i <= 4 && is_number_marker(&crate::text::fold(toks[i])) => i,
        _ => 0,
    };
    let mut pos: usize = toks[..skip].iter().map(|t| t.len() + 1).sum();
    for tok in &toks[skip..] {
        let start = pos;
        pos += tok.len() + 1;
        let t = tok.trim_matches(|c: char| matches!(c, ':' | ',' | ';' | '.' | '#'));
        if t.is_empty() || tok.starts_with('(') || t.len() > 40 {
            continue;
        }
        let folded = crate::text::fold(t);
        if matches!(
            folded.as_str(),
            "nr" | "no" | "n" | "number" | "nummer" | "numero" | "num" | "seria"
        ) {
            continue;
        }
        if tok.starts_with('(') {
            continue;
        }
        if !t.chars().any(|c| c.is_ascii_digit()) {
            // A word that is not a number marker ends the search ("vom", "du").
            return None;
        }
        if date(t).is_some_and(|(_, r)| r.len() == t.len()) {
            return None;
        }
        if !t
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '/' | '.' | '_'))
        {
            continue;
        }
        return Some((t.to_string(), start..start + tok.len()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_forms_invoices_use() {
        let d = |s| date(s).map(|(d, _)| d.to_string());
        assert_eq!(d("vom 05.03.2018"), Some("2018-03-05".into()));
        assert_eq!(d("13/11/2017"), Some("2017-11-13".into()));
        assert_eq!(d("issued at 2020-11-21"), Some("2020-11-21".into()));
        assert_eq!(d("3 März 2021"), Some("2021-03-03".into()));
        assert_eq!(d("15 ianuarie 2024"), Some("2024-01-15".into()));
        assert_eq!(d("32.13.2020"), None);
    }

    #[test]
    fn amounts_in_any_locale() {
        let a = |s| amount(s).map(|(d, _)| decimal_text(d));
        assert_eq!(a("1.234,56 €"), Some("1234.56".into()));
        assert_eq!(a("1,234.56"), Some("1234.56".into()));
        assert_eq!(a("€ 671,15"), Some("671.15".into()));
        assert_eq!(a("-0,00"), Some("0.00".into()));
        assert_eq!(a("-529,87"), Some("-529.87".into()));
        assert_eq!(a("15 387,08"), Some("15387.08".into()));
        assert_eq!(a("2000"), Some("2000.00".into()));
        assert_eq!(a("19 %"), None);
        assert_eq!(a("Solde à payer 470,1 5 €"), Some("470.15".into()));
    }

    #[test]
    fn ibans_with_spaces_and_trailing_words() {
        let found = ibans("IBAN : FR20 1242 1242 1242 1242 1242 124 - BIC");
        assert_eq!(found[0].0, "FR2012421242124212421242124");
        assert!(found[0].1);
    }

    #[test]
    fn numbers_skip_markers_and_codes() {
        let n = |s| document_number(s).map(|(n, _)| n);
        assert_eq!(n("(380) Nr. 471102 vom 05.03.2018"), Some("471102".into()));
        assert_eq!(
            n("# RE-20201121/508 issued at"),
            Some("RE-20201121/508".into())
        );
        assert_eq!(n("vom 05.03.2018"), None);
        assert_eq!(
            n("des Versicherers Nr. 00.123.456.7-2018-1 vom"),
            Some("00.123.456.7-2018-1".into())
        );
        assert_eq!(n("gemäß Bestellung vom 01.03.2018."), None);
        assert_eq!(n("gemäß Bestellung Nr. 2018-471331 vom 01.03.2018."), None);
        assert_eq!(
            n("des Versicherers (575) Nr. 01.234-1 vom"),
            Some("01.234-1".into())
        );
    }
}
