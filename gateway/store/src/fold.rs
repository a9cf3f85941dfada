//! Folding text for search: `Ștefan & Fiii S.R.L.` and `stefan si fiii srl` must meet.
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Lower case, accents removed, every run of non-alphanumerics one space.
pub fn fold_name(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfd().filter(|c| !is_combining_mark(*c)) {
        let mapped: &str = match c {
            // Letters NFD does not decompose into a base letter and a mark.
            'ß' => "ss",
            'ø' | 'Ø' => "o",
            'ł' | 'Ł' => "l",
            'đ' | 'Đ' => "d",
            'æ' | 'Æ' => "ae",
            'œ' | 'Œ' => "oe",
            'þ' | 'Þ' => "th",
            'ı' => "i",
            _ => "",
        };
        if !mapped.is_empty() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push_str(mapped);
        } else if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// The distinct words of a folded name, for the word index.
pub fn words(folded: &str) -> Vec<String> {
    let mut words: Vec<String> = folded
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    words.sort();
    words.dedup();
    words
}

/// A VAT number as compared: upper-case letters and digits only (`BE 0123.456.749` → `BE0123456749`).
pub fn fold_vat(vat: &str) -> String {
    vat.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The first string after every string that starts with `prefix` (for a range scan): the prefix
/// with its last character incremented, so that planners estimate the range from statistics.
pub fn prefix_upper_bound(prefix: &str) -> String {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        // Skip the surrogate gap; past the last scalar value, drop the character and carry.
        let next = (last as u32 + 1..=0x10FFFF).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return chars.into_iter().collect();
        }
    }
    // Only for an empty prefix (or all U+10FFFF): everything sorts below this.
    "\u{10FFFF}".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_and_cedillas_fold_away() {
        assert_eq!(fold_name("Ștefan & Fiii S.R.L."), "stefan fiii s r l");
        assert_eq!(fold_name("ŞTEFAN"), "stefan"); // cedilla form
        assert_eq!(fold_name("Țară"), "tara");
        assert_eq!(fold_name("Müller Straße GmbH"), "muller strasse gmbh");
        assert_eq!(fold_name("  Øresund   Ærø "), "oresund aero");
        assert_eq!(fold_name("Société Générale"), "societe generale");
    }

    #[test]
    fn words_are_distinct_and_sorted() {
        assert_eq!(words("b a b"), vec!["a", "b"]);
        assert!(words("").is_empty());
    }

    #[test]
    fn prefix_bounds_cover_exactly_the_prefix() {
        assert_eq!(prefix_upper_bound("fanb"), "fanc");
        assert_eq!(prefix_upper_bound("z"), "{");
        assert_eq!(prefix_upper_bound("a\u{D7FF}"), "a\u{E000}");
        assert_eq!(prefix_upper_bound("b\u{10FFFF}"), "c");
        let upper = prefix_upper_bound("ste");
        for inside in ["ste", "stef", "stezzzz", "ste\u{10FFFF}"] {
            assert!(inside >= "ste" && inside < upper.as_str(), "{inside}");
        }
        for outside in ["std", "stf", "su"] {
            assert!(!(outside >= "ste" && outside < upper.as_str()), "{outside}");
        }
    }

    #[test]
    fn vat_numbers_fold_to_letters_and_digits() {
        assert_eq!(fold_vat("be 0123.456.749"), "BE0123456749");
        assert_eq!(fold_vat("RO-185 472 90"), "RO18547290");
    }
}
