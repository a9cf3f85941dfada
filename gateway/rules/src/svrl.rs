//! The report as SVRL (ISO Schematron Validation Report Language), the
//! format existing Schematron tooling reads: one `svrl:failed-assert` per
//! fired rule with the official `id`, `flag`, `location` and text.
//!
//! `location` is the XPath of the rule's context node with the document's
//! own prefixes (the usual ones are declared with
//! `svrl:ns-prefix-in-attribute-values`); `test` is empty because the rules
//! are native code, not XPath.

use crate::{Flag, Report};

/// Prefixes UBL and CII documents conventionally use.
const PREFIXES: [(&str, &str); 7] = [
    (
        "cbc",
        "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    ),
    (
        "cac",
        "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    ),
    (
        "ext",
        "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    ),
    (
        "rsm",
        "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    ),
    (
        "ram",
        "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    ),
    (
        "udt",
        "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    ),
    (
        "qdt",
        "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    ),
];

/// XML escaping for attribute values and text.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The SVRL document for `report` of the document named `document` (a file
/// name or URI, written to `svrl:active-pattern/@document`).
pub fn to_svrl(report: &Report, document: &str) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<svrl:schematron-output xmlns:svrl=\"http://purl.oclc.org/dsdl/svrl\" title=\"{}\" schemaVersion=\"\">\n",
        esc(&format!(
            "gateway-rules {} ({} {})",
            report.rules.as_str(),
            report.syntax.as_str(),
            report.document
        ))
    ));
    for (prefix, uri) in PREFIXES {
        out.push_str(&format!(
            "  <svrl:ns-prefix-in-attribute-values uri=\"{uri}\" prefix=\"{prefix}\"/>\n"
        ));
    }
    out.push_str(&format!(
        "  <svrl:active-pattern document=\"{}\" id=\"{}\" name=\"{}\"/>\n",
        esc(document),
        report.rules.as_str(),
        report.rules.as_str()
    ));
    for f in report.fatal.iter().chain(&report.warning) {
        let flag = match f.flag {
            Flag::Fatal => "fatal",
            Flag::Warning => "warning",
        };
        out.push_str(&format!(
            "  <svrl:failed-assert test=\"\" id=\"{}\" flag=\"{flag}\" location=\"{}\">\n    <svrl:text>{}</svrl:text>\n  </svrl:failed-assert>\n",
            esc(f.id),
            esc(&f.location),
            esc(f.message)
        ));
    }
    out.push_str("</svrl:schematron-output>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_in_values() {
        assert_eq!(
            esc("a<b & \"c\" 'd'>"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;"
        );
    }
}
