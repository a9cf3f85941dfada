//! Danish national rules (DK-R-*), document level: the pattern applies when
//! `$DKSupplierCountry` (the seller's country code, as written) is `DK`.

use crate::xp::norm;
use gateway_xml::names::CAC;
use gateway_xml::names::CAC_NS;
use gateway_xml::{Document, NodeId, NodeKind};

use crate::ctx::Ctx;
use crate::rule::rules;
use crate::xp::{self, cac, first, kid, kids};

rules! {
    DK_R_013 = "DK-R-013", Fatal, "[DK-R-013]-For Danish Suppliers it is mandatory to use schemeID when PartyIdentification/ID is used for AccountingCustomerParty or AccountingSupplierParty";
    DK_R_005 = "DK-R-005", Fatal, "[DK-R-005]-For Danish suppliers the following Payment means codes are allowed: 1, 10, 31, 42, 48, 49, 50, 58, 59, 93 and 97";
    DK_R_006 = "DK-R-006", Fatal, "[DK-R-006]-For Danish suppliers bank account and registration account is mandatory if payment means is 31 or 42";
    DK_R_007 = "DK-R-007", Fatal, "[DK-R-007]-For Danish suppliers PaymentMandate/ID and PayerFinancialAccount/ID are mandatory when payment means is 49";
    DK_R_008 = "DK-R-008", Fatal, "[DK-R-008]-For Danish Suppliers PaymentID is mandatory and MUST start with 01#, 04# or 15# (kortartkode), and PayeeFinancialAccount/ID (Giro kontonummer) is mandatory and must be 7 or 8 numerical characters long, when payment means equals 50 (Giro)";
    DK_R_009 = "DK-R-009", Fatal, "[DK-R-009]-For Danish Suppliers if the PaymentID is prefixed with 04# or 15# the 16 digits instruction Id must be added to the PaymentID eg. \"04#1234567890123456\" when Payment means equals 50 (Giro)";
    DK_R_010 = "DK-R-010", Fatal, "[DK-R-010]-For Danish Suppliers using PaymentMeansCode 93, PaymentID is mandatory. The first three characters of the PaymentID MUST be 71#, 73# or 75# (kortartskode), and PayeeFinancialAccount/ID MUST be exactly 8 characters long.";
    DK_R_011 = "DK-R-011", Fatal, "[DK-R-011]-For Danish Suppliers if the PaymentID is prefixed with 71# or 75# the 15-16 digits instruction Id must be added to the PaymentID eg. \"71#1234567890123456\" when payment Method equals 93 (FIK)";
    DK_R_017 = "DK-R-017", Fatal, "[DK-R-017]-For Danish Customers it is mandatory to specify schemeID as \"0184\" (DK CVR-number) when PartyLegalEntity/CompanyID is used for AccountingCustomerParty";
    DK_R_003 = "DK-R-003", Fatal, "[DK-R-003]-If ItemClassification is provided from Danish suppliers, UNSPSC version 19.05.01 or 26.08.01 should be used.";
    DK_R_004 = "DK-R-004", Fatal, "[DK-R-004]-When specifying non-VAT Taxes for Danish customers, Danish suppliers MUST use the AllowanceChargeReasonCode=\"ZZZ\" and MUST be specified in AllowanceChargeReason; Either as the 4-digit Tax category or must include a #, but the # is not allowed as first and last character";
    DK_R_002 = "DK-R-002", Fatal, "[DK-R-002]-Danish suppliers MUST provide legal entity (CVR-number)";
    DK_R_014 = "DK-R-014", Fatal, "[DK-R-014]-For Danish Suppliers it is mandatory to specify schemeID as \"0184\" (DK CVR-number) when PartyLegalEntity/CompanyID is used for AccountingSupplierParty";
    DK_R_016 = "DK-R-016", Fatal, "[DK-R-016]-For Danish Suppliers, a Credit note cannot have a negative total (PayableAmount)";
}

fn country(d: &Document, party: &'static str) -> String {
    let path = [
        cac(party),
        cac!("Party"),
        cac!("PostalAddress"),
        cac!("Country"),
        cbc!("IdentificationCode"),
    ];
    first(d, d.root(), &path)
        .map(|c| xp::string(d, c).into_owned())
        .unwrap_or_default()
}

fn text_nodes(d: &Document, n: NodeId) -> String {
    d.children(n)
        .filter(|&c| d.kind(c) == NodeKind::Text)
        .map(|c| d.node_text(c))
        .collect()
}

/// Context `Invoice[$DKSupplierCountry = 'DK']` (and the credit note form).
pub(crate) fn document(ctx: &mut Ctx<'_>) {
    let d = ctx.doc;
    let root = d.root();
    if country(d, "AccountingSupplierParty") != "DK" {
        return;
    }
    let company = first(
        d,
        root,
        &[
            cac!("AccountingSupplierParty"),
            cac!("Party"),
            cac!("PartyLegalEntity"),
            cbc!("CompanyID"),
        ],
    );
    let filled = company.is_some_and(|c| !xp::blank(&text_nodes(d, c)));
    ctx.check(&DK_R_002, root, filled);
    let scheme_ok = company.is_none_or(|c| {
        d.attr(c, "schemeID").is_some_and(|s| {
            s.split([' ', '\t', '\r', '\n'])
                .filter(|w| !w.is_empty())
                .eq(["0184"])
        })
    });
    ctx.check(&DK_R_014, root, scheme_ok);
    let credit_note = d.is_named(root, crate::xp::CREDIT_NOTE);
    let negative = first(
        d,
        root,
        &[cac!("LegalMonetaryTotal"), cbc!("PayableAmount")],
    )
    .and_then(|p| xp::double(&text_nodes(d, p)))
    .is_some_and(|v| v < 0.0);
    let dk_customer = country(d, "AccountingCustomerParty") == "DK";
    ctx.check(&DK_R_016, root, !(credit_note && dk_customer && negative));
}

/// Whether the DK element rules apply: seller and buyer country both `DK`.
pub(crate) fn both_danish(d: &Document) -> bool {
    country(d, "AccountingSupplierParty") == "DK" && country(d, "AccountingCustomerParty") == "DK"
}

/// `normalize-space(path/text()) != ''` on the first node of `path`.
fn filled_text(d: &Document, n: NodeId, path: &[xp::Step]) -> bool {
    first(d, n, path).is_some_and(|x| !xp::blank(&text_nodes(d, x)))
}

fn parent_is(d: &Document, n: NodeId, ns: &str, local: &str) -> bool {
    d.parent(n).is_some_and(|p| d.is(p, ns, local))
}

/// The element rules of the DK pattern (call only when [`both_danish`]).
pub(crate) fn visit(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let root = d.root();
    let name = ctx.name(n);
    if !name.in_ns(CAC_NS) {
        return;
    }
    let party_of = |role: &str| {
        d.parent(n).is_some_and(|p| {
            d.is_named(p, cac!("Party"))
                && d.parent(p)
                    .is_some_and(|r| d.is(r, CAC, role) && d.parent(r) == Some(root))
        })
    };
    match name.local {
        "PartyIdentification"
            if party_of("AccountingSupplierParty") || party_of("AccountingCustomerParty") =>
        {
            let ok = kid(d, n, cbc!("ID"))
                .is_none_or(|i| d.attr(i, "schemeID").is_some_and(|s| !xp::blank(s)));
            ctx.check(&DK_R_013, n, ok);
        }
        "PaymentMeans" if d.parent(n) == Some(root) && d.is_named(root, crate::xp::INVOICE) => {
            payment_means(ctx, n)
        }
        "Party"
            if parent_is(d, n, CAC, "AccountingCustomerParty")
                && d.parent(d.parent(n).unwrap_or(n)) == Some(root) =>
        {
            let ok = first(d, n, &[cac!("PartyLegalEntity"), cbc!("CompanyID")])
                .is_none_or(|c| d.attr(c, "schemeID").is_some_and(|s| norm(s) == "0184"));
            ctx.check(&DK_R_017, n, ok);
        }
        "InvoiceLine" | "CreditNoteLine" if d.parent(n) == Some(root) => {
            let mut codes = Vec::new();
            xp::each(
                d,
                n,
                &[
                    cac!("Item"),
                    cac!("CommodityClassification"),
                    cbc!("ItemClassificationCode"),
                ],
                &mut |c| codes.push(c),
            );
            let tst = codes.iter().any(|&c| d.attr(c, "listID") == Some("TST"));
            let version_ok = codes.iter().any(|&c| {
                matches!(
                    d.attr(c, "listVersionID"),
                    Some("19.05.01" | "19.0501" | "26.08.01" | "26.0801")
                )
            });
            ctx.check(&DK_R_003, n, !tst || version_ok);
        }
        "AllowanceCharge" => {
            let zzz =
                kids(d, n, cbc!("AllowanceChargeReasonCode")).any(|c| xp::string(d, c) == "ZZZ");
            let reason = kid(d, n, cbc!("AllowanceChargeReason"));
            let ok = !zzz
                || reason.is_some_and(|r| {
                    let text = norm(&text_nodes(d, r));
                    let value = xp::string(d, r);
                    let four = text.chars().count() == 4
                        && xp::double(&value).is_some_and(|v| (0.0..=9999.0).contains(&v));
                    let hash =
                        value.contains('#') && !value.starts_with('#') && !value.ends_with('#');
                    four || hash
                });
            ctx.check(&DK_R_004, n, ok);
        }
        _ => {}
    }
}

/// Context `Invoice[DK and DK]/cac:PaymentMeans`: DK-R-005..011.
fn payment_means(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let codes: Vec<String> = kids(d, n, cbc!("PaymentMeansCode"))
        .map(|c| xp::string(d, c).into_owned())
        .collect();
    let code = |v: &str| codes.iter().any(|c| c == v);
    // contains(' 1 10 … ', concat(' ', code, ' ')): no code gives '  ', not in the list.
    let listed = codes.len() == 1
        && codes
            .first()
            .is_some_and(|c| " 1 10 31 42 48 49 50 58 59 93 97 ".contains(&format!(" {c} ")));
    ctx.check(&DK_R_005, n, listed);
    let account = filled_text(d, n, &[cac!("PayeeFinancialAccount"), cbc!("ID")])
        && filled_text(
            d,
            n,
            &[
                cac!("PayeeFinancialAccount"),
                cac!("FinancialInstitutionBranch"),
                cbc!("ID"),
            ],
        );
    ctx.check(&DK_R_006, n, !(code("31") || code("42")) || account);
    let mandate = filled_text(d, n, &[cac!("PaymentMandate"), cbc!("ID")])
        && filled_text(
            d,
            n,
            &[
                cac!("PaymentMandate"),
                cac!("PayerFinancialAccount"),
                cbc!("ID"),
            ],
        );
    ctx.check(&DK_R_007, n, !code("49") || mandate);
    let payment_id = kid(d, n, cbc!("PaymentID"))
        .map(|p| xp::string(d, p).into_owned())
        .unwrap_or_default();
    let prefix: String = payment_id.chars().take(3).collect();
    let pid_len = payment_id.chars().count();
    let account_id = first(d, n, &[cac!("PayeeFinancialAccount"), cbc!("ID")]);
    let giro = account_id.is_some_and(|a| {
        let v = xp::string(d, a);
        (7..=8).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit())
    });
    let ok8 = matches!(prefix.as_str(), "01#" | "04#" | "15#") && giro;
    ctx.check(&DK_R_008, n, !code("50") || ok8);
    let ok9 = !(code("50") && matches!(prefix.as_str(), "04#" | "15#") && pid_len != 19);
    ctx.check(&DK_R_009, n, ok9);
    let fik_len = account_id.is_some_and(|a| text_nodes(d, a).chars().count() == 8);
    let ok10 = matches!(prefix.as_str(), "71#" | "73#" | "75#") && fik_len;
    ctx.check(&DK_R_010, n, !code("93") || ok10);
    let ok11 = !(code("93")
        && matches!(prefix.as_str(), "71#" | "75#")
        && !(pid_len == 18 || pid_len == 19));
    ctx.check(&DK_R_011, n, ok11);
}
