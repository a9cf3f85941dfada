//! BR-CL-*: code lists (pattern `Codesmodel`, plus BR-CL-08 of the model
//! pattern). A value is in a list when, normalised, it has no space and
//! `' ' + value + ' '` occurs in the official space-separated list string.

use crate::fnv::{FnvMap, FnvSet};
use crate::xp::norm;
use gateway_xml::names::CBC_NS;
use std::sync::LazyLock;

use gateway_xml::names::CAC;
use gateway_xml::{Document, NodeId};

use super::codelists_table::*;
use crate::ctx::Ctx;
use crate::rule::{rules, Rule};
use crate::xp::{self, charge_is, kids};

rules! {
    BR_CL_08 = "BR-CL-08", Fatal, "[BR-CL-08]-Invoiced note subject code shall be coded using UNCL4451";
}

/// BR-CL-08's list of UNTDID 4451 subject codes (from the same Schematron).
const BR_CL_08_LIST: &str = " AAA AAB AAC AAD AAE AAF AAG AAI AAJ AAK AAL AAM AAN AAO AAP AAQ AAR AAS AAT AAU AAV AAW AAX AAY AAZ ABA ABB ABC ABD ABE ABF ABG ABH ABI ABJ ABK ABL ABM ABN ABO ABP ABQ ABR ABS ABT ABU ABV ABW ABX ABZ ACA ACB ACC ACD ACE ACF ACG ACH ACI ACJ ACK ACL ACM ACN ACO ACP ACQ ACR ACS ACT ACU ACV ACW ACX ACY ACZ ADA ADB ADC ADD ADE ADF ADG ADH ADI ADJ ADK ADL ADM ADN ADO ADP ADQ ADR ADS ADT ADU ADV ADW ADX ADY ADZ AEA AEB AEC AED AEE AEF AEG AEH AEI AEJ AEK AEL AEM AEN AEO AEP AEQ AER AES AET AEU AEV AEW AEX AEY AEZ AFA AFB AFC AFD AFE AFF AFG AFH AFI AFJ AFK AFL AFM AFN AFO AFP AFQ AFR AFS AFT AFU AFV AFW AFX AFY AFZ AGA AGB AGC AGD AGE AGF AGG AGH AGI AGJ AGK AGL AGM AGN AGO AGP AGQ AGR AGS AGT AGU AGV AGW AGX AGY AGZ AHA AHB AHC AHD AHE AHF AHG AHH AHI AHJ AHK AHL AHM AHN AHO AHP AHQ AHR AHS AHT AHU AHV AHW AHX AHY AHZ AIA AIB AIC AID AIE AIF AIG AIH AII AIJ AIK AIL AIM AIN AIO AIP AIQ AIR AIS AIT AIU AIV AIW AIX AIY AIZ AJA AJB ALC ALD ALE ALF ALG ALH ALI ALJ ALK ALL ALM ALN ALO ALP ALQ ARR ARS AUT AUU AUV AUW AUX AUY AUZ AVA AVB AVC AVD AVE AVF BAG BAH BAI BAJ BAK BAL BAM BAN BAO BAP BAQ BAR BAS BLC BLD BLE BLF BLG BLH BLI BLJ BLK BLL BLM BLN BLO BLP BLQ BLR BLS BLT BLU BLV BLW BLX BLY BLZ BMA BMB BMC BMD BME CCI CEX CHG CIP CLP CLR COI CUR CUS DAR DCL DEL DIN DOC DUT EUR FBC GBL GEN GS7 HAN HAZ ICN IIN IMI IND INS INV IRP ITR ITS LAN LIN LOI MCO MDH MKS ORI OSI PAC PAI PAY PKG PKT PMD PMT PRD PRF PRI PUR QIN QQD QUT RAH REG RET REV RQR SAF SIC SIN SLR SPA SPG SPH SPP SPT SRN SSR SUR TCA TDT TRA TRR TXD WHI ZZZ ";

/// The lists of one artefact's `Codesmodel` pattern (1.3.16 or the older
/// release CIUS-RO embeds): same contexts, other list versions.
pub(crate) struct CodeLists {
    pub cl01_invoice: &'static str,
    pub cl01_credit_note: &'static str,
    pub cl03: &'static str,
    pub cl04: &'static str,
    pub cl05: &'static str,
    pub cl06: &'static str,
    pub cl07: &'static str,
    pub cl10: &'static str,
    pub cl10_sepa: &'static str,
    pub cl11: &'static str,
    pub cl13: &'static str,
    pub cl14: &'static str,
    pub cl15: &'static str,
    pub cl16: &'static str,
    pub cl17: &'static str,
    pub cl18: &'static str,
    pub cl19: &'static str,
    pub cl20: &'static str,
    pub cl21: &'static str,
    pub cl22: &'static str,
    pub cl23: &'static str,
    pub cl25: &'static str,
    pub cl26: &'static str,
    /// BR-CL-03 / BR-CL-23 on `//@currencyID` / `//@unitCode` (CIUS-RO)
    /// instead of on the amount and quantity elements.
    pub attribute_contexts: bool,
}

impl CodeLists {
    fn all(&self) -> [&'static str; 23] {
        [
            self.cl01_invoice,
            self.cl01_credit_note,
            self.cl03,
            self.cl04,
            self.cl05,
            self.cl06,
            self.cl07,
            self.cl10,
            self.cl10_sepa,
            self.cl11,
            self.cl13,
            self.cl14,
            self.cl15,
            self.cl16,
            self.cl17,
            self.cl18,
            self.cl19,
            self.cl20,
            self.cl21,
            self.cl22,
            self.cl23,
            self.cl25,
            self.cl26,
        ]
    }
}

/// EN 16931 1.3.16.
pub(crate) static CEN_LISTS: CodeLists = CodeLists {
    cl01_invoice: BR_CL_01_LIST_1,
    cl01_credit_note: BR_CL_01_LIST_2,
    cl03: BR_CL_03_LIST,
    cl04: BR_CL_04_LIST,
    cl05: BR_CL_05_LIST,
    cl06: BR_CL_06_LIST,
    cl07: BR_CL_07_LIST,
    cl10: BR_CL_10_LIST_1,
    cl10_sepa: BR_CL_10_LIST_2,
    cl11: BR_CL_11_LIST,
    cl13: BR_CL_13_LIST,
    cl14: BR_CL_14_LIST,
    cl15: BR_CL_15_LIST,
    cl16: BR_CL_16_LIST,
    cl17: BR_CL_17_LIST,
    cl18: BR_CL_18_LIST,
    cl19: BR_CL_19_LIST,
    cl20: BR_CL_20_LIST,
    cl21: BR_CL_21_LIST,
    cl22: BR_CL_22_LIST,
    cl23: BR_CL_23_LIST,
    cl25: BR_CL_25_LIST,
    cl26: BR_CL_26_LIST,
    attribute_contexts: false,
};

/// Every list as a set of its tokens, built once. For a value without
/// spaces, `contains(list, concat(' ', v, ' '))` is exactly token membership
/// (the lists are single-space separated with a space at both ends).
static SETS: LazyLock<FnvMap<usize, FnvSet<&'static str>>> = LazyLock::new(|| {
    CEN_LISTS
        .all()
        .into_iter()
        .chain(crate::cius_ro::CIUS_RO_LISTS.all())
        .map(|l| {
            (
                l.as_ptr() as usize,
                l.split(' ').filter(|t| !t.is_empty()).collect(),
            )
        })
        .collect()
});

/// `not(contains(v, ' ')) and contains(list, concat(' ', v, ' '))` with `v` normalised.
fn in_list(list: &'static str, raw: &str) -> bool {
    // normalize-space(v) has a space exactly when the trimmed value still
    // holds whitespace; otherwise it is the trimmed value (no allocation).
    const WS: [char; 4] = [' ', '\t', '\r', '\n'];
    let v = raw.trim_matches(WS);
    if v.contains(WS) {
        return false;
    }
    match SETS.get(&(list.as_ptr() as usize)) {
        Some(set) => set.contains(v),
        None => list.contains(&format!(" {v} ")),
    }
}

/// Context `/ubl:Invoice/cbc:Note`: BR-CL-08, a `#CODE#` subject prefix.
pub(crate) fn note(ctx: &mut Ctx<'_>, n: NodeId) {
    let s = xp::string(ctx.doc, n);
    let code = s
        .split_once('#')
        .and_then(|(_, rest)| rest.split_once('#'))
        .map(|(c, _)| c);
    // Without a second '#', substring-before gives '' (length 0 ≠ 3): passes.
    let ok = match code {
        Some(c) if c.chars().count() == 3 => BR_CL_08_LIST.contains(c),
        _ => true,
    };
    ctx.check(&BR_CL_08, n, ok);
}

fn parent_is(d: &Document, n: NodeId, local: &str) -> bool {
    d.parent(n).is_some_and(|p| d.is(p, CAC, local))
}

fn attr_check(ctx: &mut Ctx<'_>, rule: &'static Rule, n: NodeId, attr: &str, list: &'static str) {
    let v = ctx.doc.attr(n, attr).unwrap_or("");
    ctx.check(rule, n, in_list(list, v));
}

fn text_check(ctx: &mut Ctx<'_>, rule: &'static Rule, n: NodeId, list: &'static str) {
    let ok = in_list(list, &xp::string(ctx.doc, n));
    ctx.check(rule, n, ok);
}

/// The `Codesmodel` pattern on element `n` (first matching context wins),
/// with the lists `l`.
pub(crate) fn visit(ctx: &mut Ctx<'_>, n: NodeId, l: &CodeLists) {
    let d = ctx.doc;
    let name = ctx.name(n);
    if l.attribute_contexts {
        // `//@currencyID`, `//@unitCode`: attributes are nodes of their own,
        // so these apply besides any element context.
        if d.attr(n, "currencyID").is_some() {
            attr_check(ctx, &BR_CL_03, n, "currencyID", l.cl03);
        }
        if d.attr(n, "unitCode").is_some() {
            attr_check(ctx, &BR_CL_23, n, "unitCode", l.cl23);
        }
    }
    if !name.in_ns(CBC_NS) {
        return;
    }
    let has = |a: &str| d.attr(n, a).is_some();
    match name.local {
        "InvoiceTypeCode" => text_check(ctx, &BR_CL_01, n, l.cl01_invoice),
        "CreditNoteTypeCode" => text_check(ctx, &BR_CL_01, n, l.cl01_credit_note),
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
        | "PayableAmount"
            if !l.attribute_contexts =>
        {
            attr_check(ctx, &BR_CL_03, n, "currencyID", l.cl03)
        }
        "DocumentCurrencyCode" => text_check(ctx, &BR_CL_04, n, l.cl04),
        "TaxCurrencyCode" => text_check(ctx, &BR_CL_05, n, l.cl05),
        "DescriptionCode" if parent_is(d, n, "InvoicePeriod") => {
            text_check(ctx, &BR_CL_06, n, l.cl06)
        }
        "ID" if has("schemeID") && object_reference(d, n) => {
            attr_check(ctx, &BR_CL_07, n, "schemeID", l.cl07)
        }
        "ID" if has("schemeID") && parent_is(d, n, "PartyIdentification") => {
            let v = d.attr(n, "schemeID").unwrap_or("");
            let sepa_ok = in_list(l.cl10_sepa, v) && seller_or_payee(d, n);
            ctx.check(&BR_CL_10, n, in_list(l.cl10, v) || sepa_ok);
        }
        "CompanyID" if has("schemeID") && parent_is(d, n, "PartyLegalEntity") => {
            attr_check(ctx, &BR_CL_11, n, "schemeID", l.cl11)
        }
        "ItemClassificationCode" if has("listID") && parent_is(d, n, "CommodityClassification") => {
            attr_check(ctx, &BR_CL_13, n, "listID", l.cl13)
        }
        "IdentificationCode" if parent_is(d, n, "Country") => text_check(ctx, &BR_CL_14, n, l.cl14),
        "IdentificationCode" if parent_is(d, n, "OriginCountry") => {
            text_check(ctx, &BR_CL_15, n, l.cl15)
        }
        "PaymentMeansCode" if parent_is(d, n, "PaymentMeans") => {
            text_check(ctx, &BR_CL_16, n, l.cl16)
        }
        "ID" if parent_is(d, n, "TaxCategory") => text_check(ctx, &BR_CL_17, n, l.cl17),
        "ID" if parent_is(d, n, "ClassifiedTaxCategory") => text_check(ctx, &BR_CL_18, n, l.cl18),
        "AllowanceChargeReasonCode" if reason_of(d, n, false) => {
            text_check(ctx, &BR_CL_19, n, l.cl19)
        }
        "AllowanceChargeReasonCode" if reason_of(d, n, true) => {
            text_check(ctx, &BR_CL_20, n, l.cl20)
        }
        "ID" if has("schemeID") && parent_is(d, n, "StandardItemIdentification") => {
            attr_check(ctx, &BR_CL_21, n, "schemeID", l.cl21)
        }
        "TaxExemptionReasonCode" => {
            // The space test is on the value, the lookup on its upper case.
            let v = norm(&xp::string(d, n));
            let ok = !v.contains(' ') && in_list(l.cl22, &v.to_uppercase());
            ctx.check(&BR_CL_22, n, ok);
        }
        "InvoicedQuantity" | "BaseQuantity" | "CreditedQuantity"
            if has("unitCode") && !l.attribute_contexts =>
        {
            attr_check(ctx, &BR_CL_23, n, "unitCode", l.cl23)
        }
        "EmbeddedDocumentBinaryObject" if has("mimeCode") => {
            let ok = matches!(
                d.attr(n, "mimeCode"),
                Some(
                    "application/pdf"
                        | "image/png"
                        | "image/jpeg"
                        | "text/csv"
                        | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                        | "application/vnd.oasis.opendocument.spreadsheet"
                )
            );
            ctx.check(&BR_CL_24, n, ok);
        }
        "EndpointID" if has("schemeID") => attr_check(ctx, &BR_CL_25, n, "schemeID", l.cl25),
        "ID" if has("schemeID") && parent_is(d, n, "DeliveryLocation") => {
            attr_check(ctx, &BR_CL_26, n, "schemeID", l.cl26)
        }
        _ => {}
    }
}

/// `cac:AdditionalDocumentReference[cbc:DocumentTypeCode = '130']/cbc:ID`
/// or the same under `cac:DocumentReference`.
fn object_reference(d: &Document, n: NodeId) -> bool {
    d.parent(n).is_some_and(|p| {
        (d.is_named(p, cac!("AdditionalDocumentReference"))
            || d.is_named(p, cac!("DocumentReference")))
            && kids(d, p, cbc!("DocumentTypeCode")).any(|c| xp::string(d, c) == "130")
    })
}

/// `ancestor::cac:AccountingSupplierParty or ancestor::cac:PayeeParty`.
fn seller_or_payee(d: &Document, n: NodeId) -> bool {
    let mut cur = d.parent(n);
    while let Some(a) = cur {
        if d.is_named(a, cac!("AccountingSupplierParty")) || d.is_named(a, cac!("PayeeParty")) {
            return true;
        }
        cur = d.parent(a);
    }
    false
}

fn reason_of(d: &Document, n: NodeId, charge: bool) -> bool {
    d.parent(n)
        .is_some_and(|p| d.is_named(p, cac!("AllowanceCharge")) && charge_is(d, p, charge))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_membership_follows_the_official_string_test() {
        assert!(in_list(BR_CL_04_LIST, " EUR "));
        assert!(!in_list(BR_CL_04_LIST, "EU"));
        assert!(!in_list(BR_CL_04_LIST, ""));
        assert!(!in_list(BR_CL_04_LIST, "EUR USD"));
    }

    /// The generated lists are exactly the official strings, in order.
    #[test]
    fn codelists_match_the_schematron() {
        let path = gateway_testdata::conformance()
            .join("en16931/ubl/schematron/preprocessed/EN16931-UBL-validation-preprocessed.sch");
        let sch =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let codes = sch
            .split("<pattern id=\"Codesmodel\">")
            .nth(1)
            .unwrap_or_default();
        let official: Vec<&str> = codes
            .split("contains(")
            .skip(1)
            .filter_map(|c| {
                c.trim_start()
                    .strip_prefix("' ")
                    .and_then(|r| r.split_once('\''))
                    .map(|(l, _)| l)
            })
            .collect();
        let ours = [
            BR_CL_01_LIST_1,
            BR_CL_01_LIST_2,
            BR_CL_03_LIST,
            BR_CL_04_LIST,
            BR_CL_05_LIST,
            BR_CL_06_LIST,
            BR_CL_07_LIST,
            BR_CL_10_LIST_1,
            BR_CL_10_LIST_2,
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
        let ours: Vec<&str> = ours.iter().map(|l| &l[1..]).collect();
        assert_eq!(ours, official);
        let model = sch.split("id=\"BR-CL-08\"").nth(1).unwrap_or_default();
        assert!(
            model.contains(BR_CL_08_LIST.trim_end()),
            "BR-CL-08 list differs"
        );
    }
}
