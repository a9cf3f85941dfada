//! Text normalisation shared by all sources.

use unicode_normalization::UnicodeNormalization;

/// NFC, Romanian cedilla letters to comma-below (ş ţ Ş Ţ → ș ț Ș Ț), no
/// ligatures (ﬁ ﬂ), non-breaking spaces as spaces.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfc() {
        match c {
            'ş' => out.push('ș'),
            'ţ' => out.push('ț'),
            'Ş' => out.push('Ș'),
            'Ţ' => out.push('Ț'),
            '\u{FB01}' => out.push_str("fi"),
            '\u{FB02}' => out.push_str("fl"),
            '\u{00A0}' | '\u{202F}' | '\u{2009}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A key for matching labels: lower case, letters without diacritics,
/// punctuation dropped, single spaces.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'ß' => {
                out.push_str("ss");
                space = false;
                continue;
            }
            c if c.is_alphanumeric() => c,
            _ => ' ',
        };
        if c == ' ' {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.extend(c.to_lowercase());
            space = false;
        }
    }
    while out.ends_with(' ') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn romanian_cedilla_becomes_comma_below() {
        assert_eq!(
            normalize("Bucureşti, Timişoara, Ţară"),
            "București, Timișoara, Țară"
        );
    }

    #[test]
    fn fold_drops_diacritics_and_punctuation() {
        assert_eq!(fold("USt.-Id.-Nr.:"), "ust id nr");
        assert_eq!(fold("Date d'échéance"), "date d echeance");
        assert_eq!(fold("Fälligkeit"), "falligkeit");
        assert_eq!(fold("Straße"), "strasse");
    }
}
