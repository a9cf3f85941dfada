//! PEPPOL-COMMON-R040..R057: scheme rules on participant identifiers
//! (`EndpointID`, `PartyIdentification/ID`, `CompanyID` with a scheme).
//! The check digits are `gateway_peppol::check_identifier`, shared with the
//! participant code; this file only decides which element is checked
//! against which scheme, in the official rule order.

use crate::xp::norm;
use gateway_xml::names::CBC_NS;
use gateway_xml::{Document, NodeId};

use crate::ctx::Ctx;
use crate::rule::{rules, Rule};
use crate::xp::{self, kids};

rules! {
    R040 = "PEPPOL-COMMON-R040", Fatal, "[PEPPOL-COMMON-R040]-GLN must have a valid format according to GS1 rules.";
    R041 = "PEPPOL-COMMON-R041", Fatal, "[PEPPOL-COMMON-R041]-Norwegian organization number MUST be stated in the correct format.";
    R042 = "PEPPOL-COMMON-R042", Fatal, "[PEPPOL-COMMON-R042]-Danish organization number (CVR) MUST be stated in the correct format.";
    R052 = "PEPPOL-COMMON-R052", Fatal, "[PEPPOL-COMMON-R052]-Danish chamber of commerce number (P) MUST be stated in the correct format.";
    R053 = "PEPPOL-COMMON-R053", Fatal, "[PEPPOL-COMMON-R053]-Danish ERSTORG number (SE) MUST be stated in the correct format.";
    R043 = "PEPPOL-COMMON-R043", Fatal, "[PEPPOL-COMMON-R043]-Belgian enterprise number MUST be stated in the correct format.";
    R044 = "PEPPOL-COMMON-R044", Warning, "[PEPPOL-COMMON-R044]-IPA Code (Codice Univoco Unità Organizzativa) must be stated in the correct format";
    R045 = "PEPPOL-COMMON-R045", Warning, "[PEPPOL-COMMON-R045]-Tax Code (Codice Fiscale) must be stated in the correct format";
    R046 = "PEPPOL-COMMON-R046", Warning, "[PEPPOL-COMMON-R046]-Tax Code (Codice Fiscale) must be stated in the correct format";
    R047 = "PEPPOL-COMMON-R047", Warning, "[PEPPOL-COMMON-R047]-Italian VAT Code (Partita Iva) must be stated in the correct format";
    R048 = "PEPPOL-COMMON-R048", Warning, "[PEPPOL-COMMON-R048]-Italian VAT Code (Partita Iva) must be stated in the correct format";
    R049 = "PEPPOL-COMMON-R049", Fatal, "[PEPPOL-COMMON-R049]-Swedish organization number MUST be stated in the correct format.";
    R050 = "PEPPOL-COMMON-R050", Fatal, "[PEPPOL-COMMON-R050]-Australian Business Number (ABN) MUST be stated in the correct format.";
    R054 = "PEPPOL-COMMON-R054", Warning, "[PEPPOL-COMMON-R054]-Dutch Chamber of Commerce (KVK) numbers (0106) MUST be stated in the correct format (12345678).";
    R055 = "PEPPOL-COMMON-R055", Warning, "[PEPPOL-COMMON-R055]-Dutch organization identification numbers (0190) MUST be stated in the correct format (12345678901234567890).";
    R056_1 = "PEPPOL-COMMON-R056-1", Warning, "[PEPPOL-COMMON-R056-1]-Dutch VAT numbers (9944) MUST be stated in the correct format (NL123456789B12).";
    R056_2 = "PEPPOL-COMMON-R056-2", Warning, "[PEPPOL-COMMON-R056-2]-Dutch VAT numbers MUST have the format (NL123456789B12).";
    R057 = "PEPPOL-COMMON-R057", Warning, "[PEPPOL-COMMON-R057]-Dutch Chamber of Commerce Establishment numbers (0217) MUST be stated in the correct format (123456789012).";
}

/// Scheme contexts in their official order; `true` = also on
/// `PartyIdentification/ID` and `CompanyID` (9907 is for `EndpointID` only).
const SCHEMES_BEFORE_NL_VAT: [(&str, bool); 15] = [
    ("0088", true),
    ("0192", true),
    ("0184", true),
    ("0096", true),
    ("0198", true),
    ("0208", true),
    ("0201", true),
    ("0210", true),
    ("9907", false),
    ("0211", true),
    ("0007", true),
    ("0151", true),
    ("0106", true),
    ("0190", true),
    ("9944", true),
];

fn rule_by_id(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.id == id)
}

fn scheme_rules(ctx: &mut Ctx<'_>, n: NodeId, icd: &str) {
    let value = norm(&xp::string(ctx.doc, n));
    let fired = gateway_peppol::check_identifier(icd, &value);
    for f in fired {
        if let Some(rule) = rule_by_id(f.rule) {
            ctx.check(rule, n, false);
        }
    }
}

/// `cac:PartyTaxScheme[normalize-space(cac:TaxScheme/cbc:ID) = 'VAT']/cbc:CompanyID[starts-with(normalize-space(.), 'NL')]`.
fn nl_vat_context(d: &Document, n: NodeId, value: &str) -> bool {
    value.starts_with("NL")
        && d.parent(n).is_some_and(|p| {
            d.is_named(p, cac!("PartyTaxScheme"))
                && kids(d, p, cac!("TaxScheme"))
                    .next()
                    .and_then(|t| kids(d, t, cbc!("ID")).next())
                    .is_some_and(|i| norm(&xp::string(d, i)) == "VAT")
        })
}

/// `^NL[0-9]{9}B[0-9]{2}$`.
fn nl_vat_format(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 14
        && v.starts_with("NL")
        && b.get(2..11)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        && b.get(11) == Some(&b'B')
        && b.get(12..14)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
}

/// The identifier contexts of the main Peppol pattern, for element `n`.
pub(crate) fn visit(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let name = ctx.name(n);
    if !name.in_ns(CBC_NS) {
        return;
    }
    let endpoint = name.local == "EndpointID";
    let other = (name.local == "ID"
        && d.parent(n)
            .is_some_and(|p| d.is_named(p, cac!("PartyIdentification"))))
        || name.local == "CompanyID";
    if !endpoint && !other {
        return;
    }
    let scheme = d.attr(n, "schemeID");
    for (icd, all) in SCHEMES_BEFORE_NL_VAT {
        if scheme == Some(icd) && (endpoint || all) {
            scheme_rules(ctx, n, icd);
            return;
        }
    }
    if name.local == "CompanyID" {
        let value = norm(&xp::string(d, n));
        if nl_vat_context(d, n, &value) {
            ctx.check(&R056_2, n, nl_vat_format(&value));
            return;
        }
    }
    if scheme == Some("0217") {
        scheme_rules(ctx, n, "0217");
    }
}
