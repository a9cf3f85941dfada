//! Pattern `EN16931-Codes` (BR-CL-*): code lists on CII elements. A value is
//! in a list when, normalised, it has no space and `' ' + value + ' '`
//! occurs in the official space-separated list (`codes_table.rs`).

use gateway_xml::names::RAM_NS;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use gateway_xml::names::{RAM, RSM};
use gateway_xml::{Document, NodeId};

use super::codes_table::*;
use super::decls::*;
use crate::ctx::Ctx;
use crate::rule::Rule;
use crate::xp::{self, kids};

const LISTS: [&str; 22] = [
    BR_CL_01_LIST,
    BR_CL_03_LIST,
    BR_CL_04_LIST,
    BR_CL_05_LIST,
    BR_CL_06_LIST,
    BR_CL_07_LIST,
    BR_CL_08_LIST,
    BR_CL_10_LIST,
    BR_CL_11_LIST,
    BR_CL_13_LIST,
    BR_CL_14_LIST,
    BR_CL_15_LIST,
    BR_CL_16_LIST,
    BR_CL_17_LIST,
    BR_CL_18_LIST,
    BR_CL_19_LIST,
    BR_CL_20_LIST,
    BR_CL_21_LIST,
    BR_CL_22_LIST,
    BR_CL_23_LIST,
    BR_CL_25_LIST,
    BR_CL_26_LIST,
];

/// Each list's tokens, built once (keyed by the list's address).
static SETS: LazyLock<HashMap<usize, HashSet<&'static str>>> = LazyLock::new(|| {
    LISTS
        .iter()
        .map(|l| {
            (
                l.as_ptr() as usize,
                l.split(' ').filter(|t| !t.is_empty()).collect(),
            )
        })
        .collect()
});

/// `not(contains(normalize-space(v), ' ')) and contains(list, concat(' ', normalize-space(v), ' '))`.
fn in_list(list: &'static str, raw: &str) -> bool {
    let mut words = raw.split([' ', '\t', '\r', '\n']).filter(|w| !w.is_empty());
    let v = match (words.next(), words.next()) {
        (Some(v), None) => v,
        // '' is in no list (the lists have no empty token); two words contain a space.
        _ => return false,
    };
    match SETS.get(&(list.as_ptr() as usize)) {
        Some(set) => set.contains(v),
        None => list.contains(&format!(" {v} ")),
    }
}

fn text(ctx: &mut Ctx<'_>, rule: &'static Rule, n: NodeId, list: &'static str) {
    let ok = in_list(list, &xp::string(ctx.doc, n));
    ctx.check(rule, n, ok);
}

fn attr(ctx: &mut Ctx<'_>, rule: &'static Rule, n: NodeId, a: &str, list: &'static str) {
    let ok = in_list(list, ctx.doc.attr(n, a).unwrap_or(""));
    ctx.check(rule, n, ok);
}

fn parent_is(d: &Document, n: NodeId, ns: &str, local: &str) -> bool {
    d.parent(n).is_some_and(|p| d.is(p, ns, local))
}

fn has_ancestor(d: &Document, n: NodeId, local: &str) -> bool {
    let mut cur = d.parent(n);
    while let Some(c) = cur {
        if d.is(c, RAM, local) {
            return true;
        }
        cur = d.parent(c);
    }
    false
}

/// `ram:SpecifiedTradeAllowanceCharge[ram:ChargeIndicator/udt:Indicator = want]/ram:ReasonCode`.
fn reason_of(d: &Document, n: NodeId, want: bool) -> bool {
    d.parent(n).is_some_and(|p| {
        d.is_named(p, ram!("SpecifiedTradeAllowanceCharge"))
            && kids(d, p, ram!("ChargeIndicator")).any(|c| {
                kids(d, c, udt!("Indicator")).any(|i| xp::boolean(&xp::string(d, i)) == Some(want))
            })
    })
}

/// The pattern on element `n`: the first matching context wins.
pub(crate) fn visit(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let name = ctx.name(n);
    if !name.in_ns(RAM_NS) {
        return;
    }
    let has = |a: &str| d.attr(n, a).is_some();
    match name.local {
        "TypeCode" if parent_is(d, n, RSM, "ExchangedDocument") => {
            text(ctx, &BR_CL_01, n, BR_CL_01_LIST)
        }
        "TypeCode" if parent_is(d, n, RAM, "SpecifiedTradeSettlementPaymentMeans") => {
            text(ctx, &BR_CL_16, n, BR_CL_16_LIST)
        }
        "TaxTotalAmount" if has("currencyID") => {
            attr(ctx, &BR_CL_03, n, "currencyID", BR_CL_03_LIST)
        }
        "InvoiceCurrencyCode" => text(ctx, &BR_CL_04, n, BR_CL_04_LIST),
        "TaxCurrencyCode" => text(ctx, &BR_CL_05, n, BR_CL_05_LIST),
        "DueDateTypeCode" => text(ctx, &BR_CL_06, n, BR_CL_06_LIST),
        "ReferenceTypeCode" => text(ctx, &BR_CL_07, n, BR_CL_07_LIST),
        "SubjectCode" => text(ctx, &BR_CL_08, n, BR_CL_08_LIST),
        "GlobalID"
            if has("schemeID")
                && !has_ancestor(d, n, "SpecifiedTradeProduct")
                && !has_ancestor(d, n, "ShipToTradeParty") =>
        {
            attr(ctx, &BR_CL_10, n, "schemeID", BR_CL_10_LIST)
        }
        "ID" if has("schemeID") && !has_ancestor(d, n, "SpecifiedTaxRegistration") => {
            attr(ctx, &BR_CL_11, n, "schemeID", BR_CL_11_LIST)
        }
        "ClassCode" if has("listID") => attr(ctx, &BR_CL_13, n, "listID", BR_CL_13_LIST),
        "CountryID" => text(ctx, &BR_CL_14, n, BR_CL_14_LIST),
        "ID" if parent_is(d, n, RAM, "OriginTradeCountry") => {
            text(ctx, &BR_CL_15, n, BR_CL_15_LIST)
        }
        "CategoryCode" if parent_is(d, n, RAM, "CategoryTradeTax") => {
            text(ctx, &BR_CL_17, n, BR_CL_17_LIST)
        }
        "CategoryCode" if parent_is(d, n, RAM, "ApplicableTradeTax") => {
            text(ctx, &BR_CL_18, n, BR_CL_18_LIST)
        }
        "ReasonCode" if reason_of(d, n, false) => text(ctx, &BR_CL_19, n, BR_CL_19_LIST),
        "ReasonCode" if reason_of(d, n, true) => text(ctx, &BR_CL_20, n, BR_CL_20_LIST),
        "GlobalID" if has("schemeID") && parent_is(d, n, RAM, "SpecifiedTradeProduct") => {
            attr(ctx, &BR_CL_21, n, "schemeID", BR_CL_21_LIST)
        }
        "ExemptionReasonCode" => {
            // The space test is on the value, the lookup on its upper case.
            let ok = in_list(BR_CL_22_LIST, &xp::string(d, n).to_uppercase());
            ctx.check(&BR_CL_22, n, ok);
        }
        "BasisQuantity" | "BilledQuantity" if has("unitCode") => {
            attr(ctx, &BR_CL_23, n, "unitCode", BR_CL_23_LIST)
        }
        "AttachmentBinaryObject" if has("mimeCode") => {
            let m = d.attr(n, "mimeCode").unwrap_or("");
            let ok = MIME_CODES.contains(&m);
            ctx.check(&BR_CL_24, n, ok);
        }
        "URIID" if has("schemeID") && parent_is(d, n, RAM, "URIUniversalCommunication") => {
            attr(ctx, &BR_CL_25, n, "schemeID", BR_CL_25_LIST)
        }
        "GlobalID"
            if has("schemeID")
                && parent_is(d, n, RAM, "ShipToTradeParty")
                && d.parent(n)
                    .is_some_and(|p| parent_is(d, p, RAM, "ApplicableHeaderTradeDelivery")) =>
        {
            attr(ctx, &BR_CL_26, n, "schemeID", BR_CL_26_LIST)
        }
        _ => {}
    }
}

/// BR-CL-24's MIME codes (compared exactly, without normalisation).
const MIME_CODES: [&str; 6] = [
    "application/pdf",
    "image/png",
    "image/jpeg",
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.spreadsheet",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The generated tables are what tools/gen_cii.py makes of the official
    /// Schematron today (lists, ids, flags and messages).
    #[test]
    fn codelists_match_the_schematron() {
        let sch = gateway_testdata::conformance()
            .join("en16931/cii/schematron/preprocessed/EN16931-CII-validation-preprocessed.sch");
        let src =
            std::fs::read_to_string(&sch).unwrap_or_else(|e| panic!("{}: {e}", sch.display()));
        for l in LISTS {
            assert!(
                src.contains(&format!("contains('{l}'")),
                "list not in the .sch: {}",
                &l[..40.min(l.len())]
            );
        }
        for r in super::super::RULES.iter() {
            assert!(
                src.contains(&format!("id=\"{}\"", r.id)),
                "{} not in the .sch",
                r.id
            );
        }
        assert_eq!(super::super::RULES.len(), src.matches("<assert ").count());
        for m in MIME_CODES {
            assert!(src.contains(&format!("'{m}'")));
        }
        assert!(
            src.contains("concat(' ', normalize-space(upper-case(.)), ' ')"),
            "BR-CL-22 upper-cases"
        );
        assert!(in_list(BR_CL_04_LIST, " EUR\n"));
        assert!(!in_list(BR_CL_04_LIST, "EU R"));
        assert!(!in_list(BR_CL_04_LIST, ""));
    }
}
