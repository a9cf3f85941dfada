//! CIUS-RO 1.0.9 (RO e-Factura): the `ROmodel` pattern of the official
//! `RO16931-rules.sch`, run after the CEN layer the CIUS-RO artefact embeds
//! (see `cen.rs` for how that older CEN release differs from 1.3.16).
//!
//! One pattern: every element takes the first rule whose context matches,
//! in the official order. Some official contexts are written with the
//! Invoice namespace for credit notes (`/ubl:CreditNote/…`) or are shadowed
//! by an earlier context (`cac:TaxTotal/cac:TaxSubtotal` before
//! `/ubl:Invoice/cac:TaxTotal/cac:TaxSubtotal`); they are reproduced as the
//! official stylesheet applies them, so those rules never fire there:
//! BR-DEC-RO-13/15 (`/ubl:Invoice | cac:CreditNote`, after the root context),
//! BR-DEC-RO-23 (second line context), BR-RO-L1019 (after
//! `cac:TaxTotal/cac:TaxSubtotal`); BR-RO-A051/A052 test `count(.) <= 50`
//! on one node. They stay in `RULES` for their ids.

pub(crate) mod cen;
mod codelists_table;
mod rules_table;

pub(crate) use codelists_table::CIUS_RO_LISTS;

use crate::xp::norm;
use gateway_xml::names::{CAC, CBC, UBL_CREDIT_NOTE, UBL_INVOICE};
use gateway_xml::{Document, NodeId, NodeKind};

use crate::ctx::Ctx;
use crate::rule::Rule;
use crate::xp::{self, cbc, first, kid, kids, Step};
use rules_table::*;

pub(crate) use rules_table::RULES;

/// `$RO-CIUS-ID`.
const RO_CIUS_ID: &str = "urn:cen.eu:en16931:2017#compliant#urn:efactura.mfinante.ro:CIUS-RO:1.0.1";

/// `$ISO-3166-RO-CODES`.
const ISO_3166_RO: [&str; 42] = [
    "RO-AB", "RO-AG", "RO-AR", "RO-B", "RO-BC", "RO-BH", "RO-BN", "RO-BR", "RO-BT", "RO-BV",
    "RO-BZ", "RO-CJ", "RO-CL", "RO-CS", "RO-CT", "RO-CV", "RO-DB", "RO-DJ", "RO-GJ", "RO-GL",
    "RO-GR", "RO-HD", "RO-HR", "RO-IF", "RO-IL", "RO-IS", "RO-MH", "RO-MM", "RO-MS", "RO-NT",
    "RO-OT", "RO-PH", "RO-SB", "RO-SJ", "RO-SM", "RO-SV", "RO-TL", "RO-TM", "RO-TR", "RO-VL",
    "RO-VN", "RO-VS",
];

/// `$SECTOR-RO-CODES`.
const SECTOR_RO: [&str; 6] = [
    "SECTOR1", "SECTOR2", "SECTOR3", "SECTOR4", "SECTOR5", "SECTOR6",
];

/// VAT categories that make BR-RO-065 / BR-RO-120 apply.
const VAT_CATEGORIES: [&str; 8] = ["S", "Z", "E", "AE", "K", "G", "L", "M"];

/// `normalize-space(path)` (first node; absent = '').
fn norm_at(d: &Document, n: NodeId, steps: &[Step]) -> String {
    first(d, n, steps)
        .map(|c| norm(&xp::string(d, c)))
        .unwrap_or_default()
}

/// `string-length(normalize-space(path)) <= max` for `rule` at `n`. More
/// than one node on the path is a dynamic error in the official stylesheet
/// (`normalize-space` takes one item): the document is unprocessable there.
fn len_check(ctx: &mut Ctx<'_>, rule: &'static Rule, n: NodeId, steps: &[Step], max: usize) {
    let d = ctx.doc;
    let mut nodes = Vec::new();
    xp::each(d, n, steps, &mut |c| nodes.push(c));
    if nodes.len() > 1 {
        ctx.fail(
            rule,
            n,
            "more than one value where normalize-space() takes one",
        );
        return;
    }
    let len = nodes
        .first()
        .map_or(0, |&c| norm(&xp::string(d, c)).chars().count());
    ctx.check(rule, n, len <= max);
}

/// `path[boolean(normalize-space(.))]`: some node of the path is not blank.
fn some_filled(d: &Document, n: NodeId, steps: &[Step]) -> bool {
    let mut any = false;
    xp::each(d, n, steps, &mut |c| any |= !xp::blank(&xp::string(d, c)));
    any
}

/// `string-length(substring-after(child, '.')) <= 2`.
fn two_decimals(d: &Document, n: NodeId, local: &'static str) -> bool {
    xp::decimals_at_most(d, kid(d, n, cbc(local)), 2)
}

fn is(d: &Document, n: NodeId, ns: &str, local: &str) -> bool {
    d.is(n, ns, local)
}

fn parent_is(d: &Document, n: NodeId, ns: &str, local: &str) -> bool {
    d.parent(n).is_some_and(|p| d.is(p, ns, local))
}

/// `/ubl:Invoice/<step>` (the official contexts never match a credit note).
fn under_invoice_root(d: &Document, n: NodeId) -> bool {
    d.parent(n) == Some(d.root()) && d.is_named(d.root(), crate::xp::INVOICE)
}

/// `string-length(text()) = 10 and (string(.) castable as xs:date)`.
fn date_ok(d: &Document, n: NodeId) -> bool {
    let text: String = d
        .children(n)
        .filter(|&c| d.kind(c) == NodeKind::Text)
        .map(|c| d.node_text(c))
        .collect();
    text.chars().count() == 10 && xp::date(&xp::string(d, n)).is_some()
}

/// `not(contains(normalize-space(.), ' ')) and contains(list, concat(' ', normalize-space(.), ' '))`.
fn in_code_list(d: &Document, n: NodeId, codes: &[&str]) -> bool {
    let v = norm(&xp::string(d, n));
    !v.contains(' ') && codes.contains(&v.as_str())
}

/// Runs the pattern over every element.
pub(crate) fn run_ubl(ctx: &mut Ctx<'_>) {
    let ix = ctx.ix;
    for &n in &ix.elements {
        ctx.enter(n);
        visit(ctx, n);
    }
}

fn visit(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let name = ctx.name(n);
    let (ns, local) = (name.ns, name.local);
    let date = |r: &'static Rule, ctx: &mut Ctx<'_>| ctx.check(r, n, date_ok(d, n));
    if ns == CBC {
        match local {
            "IssueDate" => return date(&BR_RO_DT001, ctx),
            "TaxPointDate" => return date(&BR_RO_DT002, ctx),
            "DueDate" => return date(&BR_RO_DT003, ctx),
            "PaymentDueDate" => return date(&BR_RO_DT003_CN, ctx),
            "ActualDeliveryDate" => return date(&BR_RO_DT004, ctx),
            "StartDate" => return date(&BR_RO_DT005, ctx),
            "EndDate" => return date(&BR_RO_DT006, ctx),
            "PriceAmount" => {
                let ok = ctx.any_num(&BR_27, [n], |v| v >= 0.0);
                return ctx.check(&BR_27, n, ok);
            }
            "InvoiceTypeCode" => {
                let ok = in_code_list(d, n, &["380", "384", "389", "751"]);
                return ctx.check(&BR_RO_020_1, n, ok);
            }
            "CreditNoteTypeCode" => {
                return ctx.check(&BR_RO_020_2, n, in_code_list(d, n, &["381"]));
            }
            _ => {}
        }
    }
    if n == d.root()
        && (is(d, n, UBL_INVOICE, "Invoice") || is(d, n, UBL_CREDIT_NOTE, "CreditNote"))
    {
        return document(ctx, n);
    }
    if ns == CAC {
        match local {
            "PostalAddress"
                if d.parent(n).is_some_and(|p| {
                    is(d, p, CAC, "TaxRepresentativeParty") && under_invoice_root(d, p)
                }) =>
            {
                return tax_representative_address(ctx, n);
            }
            "PaymentMeans" => return payment_means(ctx, n),
            "Address" if delivery_address(d, n) => return delivery(ctx, n),
            _ => {}
        }
    }
    if ns == CBC && local == "DescriptionCode" && parent_is(d, n, CAC, "InvoicePeriod") {
        return ctx.check(&BR_RO_040, n, in_code_list(d, n, &["3", "35", "432"]));
    }
    if ns == CAC {
        match local {
            "InvoiceLine" | "CreditNoteLine" => return line(ctx, n),
            "AdditionalItemProperty" if parent_is(d, n, CAC, "Item") => {
                len_check(ctx, &BR_RO_L0505, n, &[cbc!("Name")], 50);
                return len_check(ctx, &BR_RO_L1025, n, &[cbc!("Value")], 100);
            }
            "AllowanceCharge" if under_invoice_root(d, n) => {
                if xp::charge_is(d, n, false) {
                    return document_allowance(ctx, n, false);
                }
                if xp::charge_is(d, n, true) {
                    return document_allowance(ctx, n, true);
                }
            }
            "LegalMonetaryTotal" => return totals(ctx, n),
            "TaxSubtotal" if parent_is(d, n, CAC, "TaxTotal") => {
                ctx.check(&BR_DEC_RO_1009, n, two_decimals(d, n, "TaxableAmount"));
                return ctx.check(&BR_DEC_RO_1010, n, two_decimals(d, n, "TaxAmount"));
            }
            "AllowanceCharge"
                if parent_is(d, n, CAC, "InvoiceLine")
                    || parent_is(d, n, CAC, "CreditNoteLine") =>
            {
                if xp::charge_is(d, n, false) {
                    return line_allowance(ctx, n, false);
                }
                if xp::charge_is(d, n, true) {
                    return line_allowance(ctx, n, true);
                }
            }
            _ => {}
        }
    }
    if ns == CBC && local == "Note" {
        return ctx.check(
            &BR_RO_L302,
            n,
            norm(&xp::string(d, n)).chars().count() <= 300,
        );
    }
    if ns == CAC && local == "AdditionalDocumentReference" {
        len_check(ctx, &BR_RO_L0308, n, &[cbc!("ID")], 200);
        len_check(ctx, &BR_RO_L1020, n, &[cbc!("DocumentDescription")], 100);
        len_check(
            ctx,
            &BR_RO_L210,
            n,
            &[cac!("Attachment"), cac!("ExternalReference"), cbc!("URI")],
            200,
        );
        let filename = first(
            d,
            n,
            &[cac!("Attachment"), cbc!("EmbeddedDocumentBinaryObject")],
        )
        .and_then(|b| d.attr(b, "filename"))
        .map(norm)
        .unwrap_or_default();
        return ctx.check(&BR_RO_L211, n, filename.chars().count() <= 200);
    }
    if ns == CAC && local == "BillingReference" {
        let refs = kids(d, n, cac!("InvoiceDocumentReference")).count();
        ctx.check(&BR_RO_A500, n, refs <= 500);
        len_check(
            ctx,
            &BR_RO_L156,
            n,
            &[cac!("InvoiceDocumentReference"), cbc!("ID")],
            200,
        );
    }
}

/// `/ubl:Invoice/cac:Delivery/cac:DeliveryLocation/cac:Address`.
fn delivery_address(d: &Document, n: NodeId) -> bool {
    d.parent(n).is_some_and(|loc| {
        is(d, loc, CAC, "DeliveryLocation")
            && d.parent(loc)
                .is_some_and(|del| is(d, del, CAC, "Delivery") && under_invoice_root(d, del))
    })
}

const SUPPLIER: [Step; 2] = [cac!("AccountingSupplierParty"), cac!("Party")];
const CUSTOMER: [Step; 2] = [cac!("AccountingCustomerParty"), cac!("Party")];

fn path<const N: usize>(base: &[Step], rest: [Step; N]) -> Vec<Step> {
    base.iter().copied().chain(rest).collect()
}

/// The root context `/ubl:Invoice | /cn:CreditNote`.
fn document(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let cust_ok = kids(d, n, cbc!("CustomizationID")).any(|c| xp::string(d, c) == RO_CIUS_ID);
    ctx.check(&BR_RO_001, n, cust_ok);
    ctx.check(&BR_RO_A020, n, kids(d, n, cbc!("Note")).count() <= 20);
    let addr = |party: &[Step], leaf: Step| path(party, [cac!("PostalAddress"), leaf]);
    let tax_rep = |leaf: Step| vec![cac!("TaxRepresentativeParty"), cac!("PostalAddress"), leaf];
    let delivery = |leaf: Step| {
        vec![
            cac!("Delivery"),
            cac!("DeliveryLocation"),
            cac!("Address"),
            leaf,
        ]
    };
    let line3 = |mut p: Vec<Step>| {
        p.pop();
        p.extend([cac!("AddressLine"), cbc!("Line")]);
        p
    };
    let checks: Vec<(&'static Rule, Vec<Step>, usize)> = vec![
        (&BR_RO_L0201, addr(&SUPPLIER, cbc!("PostalZone")), 20),
        (&BR_RO_L0202, addr(&CUSTOMER, cbc!("PostalZone")), 20),
        (&BR_RO_L0203, tax_rep(cbc!("PostalZone")), 20),
        (&BR_RO_L0204, delivery(cbc!("PostalZone")), 20),
        (&BR_RO_L155, vec![cbc!("ID")], 200),
        (
            &BR_RO_L0302,
            vec![cac!("ContractDocumentReference"), cbc!("ID")],
            200,
        ),
        (&BR_RO_L0303, vec![cac!("OrderReference"), cbc!("ID")], 200),
        (
            &BR_RO_L0304,
            vec![cac!("OrderReference"), cbc!("SalesOrderID")],
            200,
        ),
        (
            &BR_RO_L0305,
            vec![cac!("ReceiptDocumentReference"), cbc!("ID")],
            200,
        ),
        (
            &BR_RO_L0306,
            vec![cac!("DespatchDocumentReference"), cbc!("ID")],
            200,
        ),
        (
            &BR_RO_L0307,
            vec![cac!("OriginatorDocumentReference"), cbc!("ID")],
            200,
        ),
        (&BR_RO_L0501, addr(&SUPPLIER, cbc!("CityName")), 50),
        (&BR_RO_L0502, addr(&CUSTOMER, cbc!("CityName")), 50),
        (&BR_RO_L0503, tax_rep(cbc!("CityName")), 50),
        (&BR_RO_L0504, delivery(cbc!("CityName")), 50),
        (&BR_RO_L1001, vec![cbc!("AccountingCost")], 100),
        (
            &BR_RO_L1002,
            addr(&SUPPLIER, cbc!("AdditionalStreetName")),
            100,
        ),
        (&BR_RO_L1003, line3(addr(&SUPPLIER, cbc!("x"))), 100),
        (
            &BR_RO_L1004,
            path(&SUPPLIER, [cac!("Contact"), cbc!("Name")]),
            100,
        ),
        (
            &BR_RO_L1005,
            path(&SUPPLIER, [cac!("Contact"), cbc!("Telephone")]),
            100,
        ),
        (
            &BR_RO_L1006,
            path(&SUPPLIER, [cac!("Contact"), cbc!("ElectronicMail")]),
            100,
        ),
        (
            &BR_RO_L1007,
            addr(&CUSTOMER, cbc!("AdditionalStreetName")),
            100,
        ),
        (&BR_RO_L1008, line3(addr(&CUSTOMER, cbc!("x"))), 100),
        (
            &BR_RO_L1009,
            path(&CUSTOMER, [cac!("Contact"), cbc!("Name")]),
            100,
        ),
        (
            &BR_RO_L1010,
            path(&CUSTOMER, [cac!("Contact"), cbc!("Telephone")]),
            100,
        ),
        (
            &BR_RO_L1011,
            path(&CUSTOMER, [cac!("Contact"), cbc!("ElectronicMail")]),
            100,
        ),
        (&BR_RO_L1012, tax_rep(cbc!("AdditionalStreetName")), 100),
        (&BR_RO_L1013, line3(tax_rep(cbc!("x"))), 100),
        (&BR_RO_L1014, delivery(cbc!("AdditionalStreetName")), 100),
        (&BR_RO_L1015, line3(delivery(cbc!("x"))), 100),
        (&BR_RO_L151, addr(&SUPPLIER, cbc!("StreetName")), 150),
        (&BR_RO_L152, addr(&CUSTOMER, cbc!("StreetName")), 150),
        (&BR_RO_L153, tax_rep(cbc!("StreetName")), 150),
        (&BR_RO_L154, delivery(cbc!("StreetName")), 150),
        (
            &BR_RO_L201,
            path(
                &SUPPLIER,
                [cac!("PartyLegalEntity"), cbc!("RegistrationName")],
            ),
            200,
        ),
        (
            &BR_RO_L202,
            path(&SUPPLIER, [cac!("PartyName"), cbc!("Name")]),
            200,
        ),
        (
            &BR_RO_L203,
            path(
                &CUSTOMER,
                [cac!("PartyLegalEntity"), cbc!("RegistrationName")],
            ),
            200,
        ),
        (
            &BR_RO_L204,
            path(&CUSTOMER, [cac!("PartyName"), cbc!("Name")]),
            200,
        ),
        (
            &BR_RO_L205,
            vec![cac!("PayeeParty"), cac!("PartyName"), cbc!("Name")],
            200,
        ),
        (
            &BR_RO_L206,
            vec![
                cac!("TaxRepresentativeParty"),
                cac!("PartyName"),
                cbc!("Name"),
            ],
            200,
        ),
        (
            &BR_RO_L207,
            vec![
                cac!("Delivery"),
                cac!("DeliveryParty"),
                cac!("PartyName"),
                cbc!("Name"),
            ],
            200,
        ),
        (&BR_RO_L301, vec![cac!("PaymentTerms"), cbc!("Note")], 300),
        (
            &BR_RO_L1000,
            path(
                &SUPPLIER,
                [cac!("PartyLegalEntity"), cbc!("CompanyLegalForm")],
            ),
            1000,
        ),
    ];
    for (rule, steps, max) in checks {
        len_check(ctx, rule, n, &steps, max);
    }
    let id = norm_at(d, n, &[cbc!("ID")]);
    ctx.check(&BR_RO_010, n, id.bytes().any(|b| b.is_ascii_digit()));
    let tcc = norm_at(d, n, &[cbc!("TaxCurrencyCode")]);
    let dcc = norm_at(d, n, &[cbc!("DocumentCurrencyCode")]);
    ctx.check(&BR_RO_030, n, tcc == "RON" || dcc == "RON");
    let taxed = vat_categories_used(d, n);
    let seller_ids = xp::exists(
        d,
        n,
        &[
            cac!("TaxRepresentativeParty"),
            cac!("PartyTaxScheme"),
            cbc!("CompanyID"),
        ],
    ) || some_filled(
        d,
        n,
        &path(&SUPPLIER, [cac!("PartyTaxScheme"), cbc!("CompanyID")]),
    );
    ctx.check(&BR_RO_065, n, !taxed || seller_ids);
    ctx.check(
        &BR_RO_081,
        n,
        some_filled(d, n, &addr(&SUPPLIER, cbc!("StreetName"))),
    );
    ctx.check(
        &BR_RO_082,
        n,
        some_filled(d, n, &addr(&CUSTOMER, cbc!("StreetName"))),
    );
    ctx.check(
        &BR_RO_091,
        n,
        some_filled(d, n, &addr(&SUPPLIER, cbc!("CityName"))),
    );
    ctx.check(
        &BR_RO_092,
        n,
        some_filled(d, n, &addr(&CUSTOMER, cbc!("CityName"))),
    );
    let party_address = |party: &[Step]| first(d, n, &path(party, [cac!("PostalAddress")]));
    let (bucharest, county) = match party_address(&SUPPLIER) {
        Some(a) => address_reports(d, a),
        None => (false, false),
    };
    ctx.check(&BR_RO_100, n, !bucharest);
    ctx.check(&BR_RO_110, n, !county);
    let (bucharest, county) = match party_address(&CUSTOMER) {
        Some(a) => address_reports(d, a),
        None => (false, false),
    };
    ctx.check(&BR_RO_101, n, !bucharest);
    ctx.check(&BR_RO_111, n, !county);
    let buyer_ids = xp::exists(
        d,
        n,
        &path(&CUSTOMER, [cac!("PartyLegalEntity"), cbc!("CompanyID")]),
    ) || some_filled(
        d,
        n,
        &path(&CUSTOMER, [cac!("PartyTaxScheme"), cbc!("CompanyID")]),
    );
    ctx.check(&BR_RO_120, n, !taxed || buyer_ids);
}

/// The reports BR-RO-100/110 (and their buyer, representative and delivery
/// forms) on one address: (Bucharest city not a sector, RO subdivision not
/// in ISO 3166-2:RO). Absent fields are '' as in `normalize-space(())`.
fn address_reports(d: &Document, a: NodeId) -> (bool, bool) {
    let ro = norm_at(d, a, &[cac!("Country"), cbc!("IdentificationCode")]) == "RO";
    let sub = norm_at(d, a, &[cbc!("CountrySubentity")]);
    let city = norm_at(d, a, &[cbc!("CityName")]);
    (
        ro && sub == "RO-B" && !SECTOR_RO.contains(&city.as_str()),
        ro && !ISO_3166_RO.contains(&sub.as_str()),
    )
}

/// The first operand of BR-RO-065 / BR-RO-120: a VAT category of the list on
/// a document allowance (with VAT scheme), a document charge, or an invoice line.
fn vat_categories_used(d: &Document, n: NodeId) -> bool {
    let listed = |c: NodeId| VAT_CATEGORIES.contains(&xp::string(d, c).as_ref());
    let mut used = false;
    for ac in kids(d, n, cac!("AllowanceCharge")) {
        let indicators: Vec<String> = kids(d, ac, cbc!("ChargeIndicator"))
            .map(|c| xp::string(d, c).into_owned())
            .collect();
        for cat in kids(d, ac, cac!("TaxCategory")) {
            for id in kids(d, cat, cbc!("ID")) {
                if !listed(id) {
                    continue;
                }
                let vat_after = d
                    .elements(cat)
                    .skip_while(|&s| s != id)
                    .filter(|&s| is(d, s, CAC, "TaxScheme"))
                    .any(|s| kids(d, s, cbc!("ID")).any(|i| xp::string(d, i) == "VAT"));
                let allowance = indicators.iter().any(|i| i == "false") && vat_after;
                let charge = indicators.iter().any(|i| i == "true");
                used |= allowance || charge;
            }
        }
    }
    xp::each(
        d,
        n,
        &[
            cac!("InvoiceLine"),
            cac!("Item"),
            cac!("ClassifiedTaxCategory"),
            cbc!("ID"),
        ],
        &mut |c| used |= listed(c),
    );
    used
}

fn tax_representative_address(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    ctx.check(&BR_RO_140, n, some_filled(d, n, &[cbc!("StreetName")]));
    ctx.check(&BR_RO_150, n, some_filled(d, n, &[cbc!("CityName")]));
    let (bucharest, county) = address_reports(d, n);
    ctx.check(&BR_RO_160, n, !bucharest);
    ctx.check(&BR_RO_170, n, !county);
}

fn payment_means(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    len_check(
        ctx,
        &BR_RO_L208,
        n,
        &[cac!("PayeeFinancialAccount"), cbc!("Name")],
        200,
    );
    len_check(
        ctx,
        &BR_RO_L209,
        n,
        &[cac!("CardAccount"), cbc!("HolderName")],
        200,
    );
    let means_name = kid(d, n, cbc!("PaymentMeansCode"))
        .and_then(|c| d.attr(c, "name"))
        .map(norm)
        .unwrap_or_default();
    ctx.check(&BR_RO_L1016, n, means_name.chars().count() <= 100);
    len_check(ctx, &BR_RO_L140, n, &[cbc!("PaymentID")], 140);
}

fn delivery(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    ctx.check(&BR_RO_180, n, some_filled(d, n, &[cbc!("StreetName")]));
    ctx.check(&BR_RO_201, n, some_filled(d, n, &[cbc!("CityName")]));
    let (bucharest, county) = address_reports(d, n);
    ctx.check(&BR_RO_202, n, !bucharest);
    ctx.check(
        &BR_RO_211,
        n,
        some_filled(d, n, &[cbc!("CountrySubentity")]),
    );
    ctx.check(&BR_RO_212, n, !county);
}

fn line(ctx: &mut Ctx<'_>, n: NodeId) {
    len_check(ctx, &BR_RO_L1024, n, &[cac!("Item"), cbc!("Name")], 100);
    len_check(ctx, &BR_RO_L1021, n, &[cbc!("AccountingCost")], 100);
    len_check(
        ctx,
        &BR_RO_L212,
        n,
        &[cac!("Item"), cbc!("Description")],
        200,
    );
    len_check(ctx, &BR_RO_L303, n, &[cbc!("Note")], 300);
}

fn document_allowance(ctx: &mut Ctx<'_>, n: NodeId, charge: bool) {
    let d = ctx.doc;
    let (amount, base, reason) = if charge {
        (&BR_DEC_RO_05, &BR_DEC_RO_06, &BR_RO_L1018)
    } else {
        (&BR_DEC_RO_01, &BR_DEC_RO_02, &BR_RO_L1017)
    };
    ctx.check(amount, n, two_decimals(d, n, "Amount"));
    ctx.check(base, n, two_decimals(d, n, "BaseAmount"));
    len_check(ctx, reason, n, &[cbc!("AllowanceChargeReasonCode")], 100);
}

fn line_allowance(ctx: &mut Ctx<'_>, n: NodeId, charge: bool) {
    let d = ctx.doc;
    let (amount, base, reason) = if charge {
        (&BR_DEC_RO_27, &BR_DEC_RO_28, &BR_RO_L1023)
    } else {
        (&BR_DEC_RO_24, &BR_DEC_RO_25, &BR_RO_L1022)
    };
    ctx.check(amount, n, two_decimals(d, n, "Amount"));
    ctx.check(base, n, two_decimals(d, n, "BaseAmount"));
    len_check(ctx, reason, n, &[cbc!("AllowanceChargeReason")], 100);
}

fn totals(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    for (rule, local) in [
        (&BR_DEC_RO_09, "LineExtensionAmount"),
        (&BR_DEC_RO_10, "AllowanceTotalAmount"),
        (&BR_DEC_RO_11, "ChargeTotalAmount"),
        (&BR_DEC_RO_12, "TaxExclusiveAmount"),
        (&BR_DEC_RO_14, "TaxInclusiveAmount"),
        (&BR_DEC_RO_16, "PrepaidAmount"),
        (&BR_DEC_RO_17, "PayableRoundingAmount"),
        (&BR_DEC_RO_18, "PayableAmount"),
    ] {
        ctx.check(rule, n, two_decimals(d, n, local));
    }
}
