//! The Peppol code-list pattern (PEPPOL-EN16931-CL*, P01*, F001): its own
//! pattern, so every element takes the first of these contexts it matches.

use crate::fnv::{FnvMap, FnvSet};
use crate::xp::norm;
use gateway_xml::names::CBC_NS;
use std::sync::LazyLock;

use gateway_xml::{Document, NodeId, NodeKind};

use super::codes_table::*;
use super::self_billing::{self, Layer};
use crate::ctx::Ctx;
use crate::rule::Rule;
use crate::xp::{self, cac, first, kid, kids};

/// Every rule of this pattern.
pub(crate) use super::codes_table::RULES;

/// The long lists as token sets, built once.
static SETS: LazyLock<FnvMap<usize, FnvSet<&'static str>>> = LazyLock::new(|| {
    [ISO4217, UNCL5189, UNCL7161, EAID, P0100_CODES]
        .iter()
        .map(|l| (l.as_ptr() as usize, l.split(char::is_whitespace).collect()))
        .collect()
});

/// `some $code in tokenize(list, '\s') satisfies v = $code` (tokens split
/// on single whitespace characters, so empty tokens count as in XPath).
fn in_tokens(list: &'static str, v: &str) -> bool {
    match SETS.get(&(list.as_ptr() as usize)) {
        Some(set) => set.contains(v),
        None => list.split(char::is_whitespace).any(|t| t == v),
    }
}

fn text_nodes(d: &Document, n: NodeId) -> String {
    d.children(n)
        .filter(|&c| d.kind(c) == NodeKind::Text)
        .map(|c| d.node_text(c))
        .collect()
}

/// Document values this pattern reads: `$profile` in ('01', '02') and both
/// parties German.
pub(crate) struct Facts {
    known_profile: bool,
    both_de: bool,
    layer: Layer,
}

impl Facts {
    pub(crate) fn collect(d: &Document, layer: Layer) -> Facts {
        let root = d.root();
        let profile = kid(d, root, cbc!("ProfileID")).map(|p| norm(&xp::string(d, p)));
        let de = |party: &'static str| {
            first(
                d,
                root,
                &[
                    cac(party),
                    cac!("Party"),
                    cac!("PostalAddress"),
                    cac!("Country"),
                    cbc!("IdentificationCode"),
                ],
            )
            .is_some_and(|c| norm(&xp::string(d, c)).to_uppercase() == "DE")
        };
        Facts {
            // P0100 / P0101 apply for `$profile = ('01', '02')` in billing,
            // `$profile = '01'` in self-billing.
            known_profile: profile.is_some_and(|p| match layer {
                Layer::Billing => super::en16931_r::PROFILES.contains(&p.as_str()),
                Layer::SelfBilling => self_billing::profile_01(&p),
            }),
            layer,
            both_de: de("AccountingSupplierParty") && de("AccountingCustomerParty"),
        }
    }
}

fn reason_code_of(d: &Document, n: NodeId, indicator: &str) -> bool {
    d.parent(n).is_some_and(|p| {
        d.is_named(p, cac!("AllowanceCharge"))
            && kids(d, p, cbc!("ChargeIndicator")).any(|c| xp::string(d, c) == indicator)
    })
}

const EXEMPTIONS: [(&str, &str, &Rule); 8] = [
    ("VATEX-EU-G", "G", &P0104),
    ("VATEX-EU-O", "O", &P0105),
    ("VATEX-EU-IC", "K", &P0106),
    ("VATEX-EU-AE", "AE", &P0107),
    ("VATEX-EU-D", "E", &P0108),
    ("VATEX-EU-F", "E", &P0109),
    ("VATEX-EU-I", "E", &P0110),
    ("VATEX-EU-J", "E", &P0111),
];

pub(crate) fn visit(ctx: &mut Ctx<'_>, n: NodeId, f: &Facts) {
    let d = ctx.doc;
    let name = ctx.name(n);
    if name.is(cac!("TaxCategory")) {
        // `cac:TaxCategory[upper-case(cbc:TaxExemptionReasonCode) = 'VATEX-EU-x']`.
        let codes: Vec<String> = kids(d, n, cbc!("TaxExemptionReasonCode"))
            .map(|c| xp::string(d, c).to_uppercase())
            .collect();
        if let Some((_, cat, rule)) = EXEMPTIONS
            .iter()
            .find(|(code, _, _)| codes.iter().any(|c| c == code))
        {
            let id = kid(d, n, cbc!("ID"))
                .map(|i| norm(&xp::string(d, i)))
                .unwrap_or_default();
            ctx.check(rule, n, id == *cat);
        }
        return;
    }
    if !name.in_ns(CBC_NS) {
        return;
    }
    let attr = |a: &str| d.attr(n, a);
    match name.local {
        "EmbeddedDocumentBinaryObject" if attr("mimeCode").is_some() => {
            ctx.check(
                &CL001,
                n,
                attr("mimeCode").is_some_and(|m| in_tokens(MIMECODE, m)),
            );
        }
        "AllowanceChargeReasonCode" if reason_code_of(d, n, "false") => {
            ctx.check(&CL002, n, in_tokens(UNCL5189, &norm(&text_nodes(d, n))));
        }
        "AllowanceChargeReasonCode" if reason_code_of(d, n, "true") => {
            ctx.check(&CL003, n, in_tokens(UNCL7161, &norm(&text_nodes(d, n))));
        }
        "DescriptionCode"
            if d.parent(n)
                .is_some_and(|p| d.is_named(p, cac!("InvoicePeriod"))) =>
        {
            ctx.check(&CL006, n, in_tokens(UNCL2005, &norm(&text_nodes(d, n))));
        }
        "Amount"
        | "BaseAmount"
        | "PriceAmount"
        | "TaxAmount"
        | "TaxableAmount"
        | "LineExtensionAmount"
        | "TaxExclusiveAmount"
        | "TaxInclusiveAmount"
        | "AllowanceTotalAmount"
        | "ChargeTotalAmount"
        | "PrepaidAmount"
        | "PayableRoundingAmount"
        | "PayableAmount" => {
            ctx.check(
                &CL007,
                n,
                attr("currencyID").is_some_and(|c| in_tokens(ISO4217, c)),
            );
        }
        "InvoiceTypeCode" => {
            let v = norm(&text_nodes(d, n));
            let codes = match f.layer {
                Layer::Billing => P0100_CODES,
                Layer::SelfBilling => self_billing::P0100_CODES,
            };
            ctx.check(&P0100, n, !f.known_profile || in_tokens(codes, &v));
            if f.layer == Layer::Billing {
                let code = norm(&xp::string(d, n));
                ctx.check(&P0112, n, !(code == "326" || code == "384") || f.both_de);
            }
        }
        "CreditNoteTypeCode" => {
            let v = norm(&text_nodes(d, n));
            let codes = match f.layer {
                Layer::Billing => P0101_CODES,
                Layer::SelfBilling => self_billing::P0101_CODES,
            };
            ctx.check(&P0101, n, !f.known_profile || in_tokens(codes, &v));
        }
        "IssueDate" | "DueDate" | "TaxPointDate" | "StartDate" | "EndDate"
        | "ActualDeliveryDate" => {
            let text = text_nodes(d, n);
            let ok = text.chars().count() == 10 && xp::date(&xp::string(d, n)).is_some();
            ctx.check(&F001, n, ok);
        }
        "EndpointID" if attr("schemeID").is_some() => {
            ctx.check(
                &CL008,
                n,
                attr("schemeID").is_some_and(|s| in_tokens(EAID, s)),
            );
        }
        _ => {}
    }
}
