//! Icelandic national rules (IS-R-*): their own pattern, for an Icelandic
//! seller (`$SupplierCountry`, the seller's country code, not normalised).

use crate::xp::norm;
use gateway_xml::{Document, NodeId};

use crate::ctx::Ctx;
use crate::rule::rules;
use crate::xp::{self, cac, cbc, exists, first, kids, Step};

rules! {
    IS_R_001 = "IS-R-001", Warning, "[IS-R-001]-If seller is icelandic then invoice type should be 380 or 381 — Ef seljandi er íslenskur þá ætti gerð reiknings (BT-3) að vera sölureikningur (380) eða kreditreikningur (381).";
    IS_R_002 = "IS-R-002", Fatal, "[IS-R-002]-If seller is icelandic then it shall contain sellers legal id — Ef seljandi er íslenskur þá skal reikningur innihalda íslenska kennitölu seljanda (BT-30).";
    IS_R_003 = "IS-R-003", Fatal, "[IS-R-003]-If seller is icelandic then it shall contain his address with street name and zip code — Ef seljandi er íslenskur þá skal heimilisfang seljanda innihalda götuheiti og póstnúmer (BT-35 og BT-38).";
    IS_R_006 = "IS-R-006", Fatal, "[IS-R-006]-If seller is icelandic and payment means code is 9 then a 12 digit account id must exist — Ef seljandi er íslenskur og greiðslumáti (BT-81) er krafa (kóti 9) þá skal koma fram 12 stafa númer (bankanúmer, höfuðbók 66 og reikningsnúmer) (BT-84)";
    IS_R_007 = "IS-R-007", Fatal, "[IS-R-007]-If seller is icelandic and payment means code is 42 then a 12 digit account id must exist — Ef seljandi er íslenskur og greiðslumáti (BT-81) er millifærsla (kóti 42) þá skal koma fram 12 stafa reikningnúmer (BT-84)";
    IS_R_008 = "IS-R-008", Fatal, "[IS-R-008]-If seller is icelandic and invoice contains supporting description EINDAGI then the id form must be YYYY-MM-DD — Ef seljandi er íslenskur þá skal eindagi (BT-122, DocumentDescription = EINDAGI) vera á forminu YYYY-MM-DD.";
    IS_R_009 = "IS-R-009", Fatal, "[IS-R-009]-If seller is icelandic and invoice contains supporting description EINDAGI invoice must have due date — Ef seljandi er íslenskur þá skal reikningur sem inniheldur eindaga (BT-122, DocumentDescription = EINDAGI) einnig hafa gjalddaga (BT-9).";
    IS_R_010 = "IS-R-010", Fatal, "[IS-R-010]-If seller is icelandic and invoice contains supporting description EINDAGI the id date must be same or later than due date — Ef seljandi er íslenskur þá skal eindagi (BT-122, DocumentDescription = EINDAGI) skal vera sami eða síðar en gjalddagi (BT-9) ef eindagi er til staðar.";
    IS_R_004 = "IS-R-004", Fatal, "[IS-R-004]-If seller and buyer are icelandic then the invoice shall contain the buyers icelandic legal identifier — Ef seljandi og kaupandi eru íslenskir þá skal reikningurinn innihalda íslenska kennitölu kaupanda (BT-47).";
    IS_R_005 = "IS-R-005", Fatal, "[IS-R-005]-If seller and buyer are icelandic then the invoice shall contain the buyers address with street name and zip code — Ef seljandi og kaupandi eru íslenskir þá skal heimilisfang kaupanda innihalda götuheiti og póstnúmer (BT-50 og BT-53)";
}

const SELLER: [Step; 2] = [cac!("AccountingSupplierParty"), cac!("Party")];

/// `concat(…/cac:Country/cbc:IdentificationCode)` of a party: raw string.
fn country(d: &Document, root: NodeId, party: &'static str) -> String {
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
    .map(|c| xp::string(d, c).into_owned())
    .unwrap_or_default()
}

/// `exists(P/PLE/CompanyID) and P/PLE/CompanyID/@schemeID = '0196'`.
fn icelandic_legal_id(d: &Document, party: NodeId) -> bool {
    let mut ok = false;
    xp::each(
        d,
        party,
        &[cac!("PartyLegalEntity"), cbc!("CompanyID")],
        &mut |c| ok |= d.attr(c, "schemeID") == Some("0196"),
    );
    ok
}

/// `exists(…/PostalAddress/StreetName) and exists(…/PostalAddress/PostalZone)`.
fn street_and_zip(d: &Document, party: NodeId) -> bool {
    exists(d, party, &[cac!("PostalAddress"), cbc!("StreetName")])
        && exists(d, party, &[cac!("PostalAddress"), cbc!("PostalZone")])
}

/// IS-R-006/007: every `PaymentMeans[cbc:PaymentMeansCode = code]` absent, or
/// its first payee account id is 12 characters (normalised).
fn account_ok(d: &Document, root: NodeId, code: &str) -> bool {
    let means: Vec<NodeId> = kids(d, root, cac!("PaymentMeans"))
        .filter(|&m| kids(d, m, cbc!("PaymentMeansCode")).any(|c| xp::string(d, c) == code))
        .collect();
    if means.is_empty() {
        return true;
    }
    let id = means
        .iter()
        .find_map(|&m| first(d, m, &[cac!("PayeeFinancialAccount"), cbc!("ID")]));
    id.is_some_and(|i| norm(&xp::string(d, i)).chars().count() == 12)
}

/// Runs the pattern (both contexts) once per document.
pub(crate) fn check(ctx: &mut Ctx<'_>) {
    let d = ctx.doc;
    let root = d.root();
    if country(d, root, "AccountingSupplierParty") != "IS" {
        return;
    }
    let type_code = |l: &'static str| {
        xp::kid(d, root, cbc(l))
            .map(|c| norm(&xp::string(d, c)))
            .unwrap_or_default()
    };
    let ok_type = |v: String| !v.contains(' ') && (v == "380" || v == "381");
    ctx.check(
        &IS_R_001,
        root,
        ok_type(type_code("InvoiceTypeCode")) || ok_type(type_code("CreditNoteTypeCode")),
    );
    let seller = first(d, root, &SELLER);
    ctx.check(
        &IS_R_002,
        root,
        seller.is_some_and(|p| icelandic_legal_id(d, p)),
    );
    ctx.check(
        &IS_R_003,
        root,
        seller.is_some_and(|p| street_and_zip(d, p)),
    );
    ctx.check(&IS_R_006, root, account_ok(d, root, "9"));
    ctx.check(&IS_R_007, root, account_ok(d, root, "42"));
    let eindagi: Vec<NodeId> = kids(d, root, cac!("AdditionalDocumentReference"))
        .filter(|&a| kids(d, a, cbc!("DocumentDescription")).any(|c| xp::string(d, c) == "EINDAGI"))
        .collect();
    let ids: Vec<String> = eindagi
        .iter()
        .flat_map(|&a| kids(d, a, cbc!("ID")))
        .map(|i| xp::string(d, i).into_owned())
        .collect();
    let due: Vec<String> = kids(d, root, cbc!("DueDate"))
        .map(|c| xp::string(d, c).into_owned())
        .collect();
    let e = !eindagi.is_empty();
    let first_id = ids.first().map(String::as_str).unwrap_or("");
    let date_form = first_id.chars().count() == 10 && xp::date(first_id).is_some();
    ctx.check(&IS_R_008, root, !e || date_form);
    ctx.check(&IS_R_009, root, !e || !due.is_empty());
    // Both sides untyped: compared as strings, existentially.
    let before = due
        .iter()
        .any(|d| ids.iter().any(|i| d.as_str() <= i.as_str()));
    ctx.check(&IS_R_010, root, !e || before);
    if country(d, root, "AccountingCustomerParty") == "IS" {
        for buyer in kids(d, root, cac!("AccountingCustomerParty")) {
            let legal = kids(d, buyer, cac!("Party")).any(|p| icelandic_legal_id(d, p));
            ctx.check(&IS_R_004, buyer, legal);
            let addr = exists(
                d,
                buyer,
                &[cac!("Party"), cac!("PostalAddress"), cbc!("StreetName")],
            ) && exists(
                d,
                buyer,
                &[cac!("Party"), cac!("PostalAddress"), cbc!("PostalZone")],
            );
            ctx.check(&IS_R_005, buyer, addr);
        }
    }
}
