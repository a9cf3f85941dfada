//! Swedish national rules on the seller (SE-R-001..005, SE-R-013).

use crate::xp::norm;
use gateway_xml::{Document, NodeId};

use crate::ctx::Ctx;
use crate::index::Ix;
use crate::rule::rules;
use crate::xp::{self, kid, kids};

rules! {
    SE_R_006 = "SE-R-006", Fatal, "[SE-R-006]-For Swedish suppliers, only standard VAT rate of 6, 12 or 25 are used";
    SE_R_007 = "SE-R-007", Warning, "[SE-R-007]-For Swedish suppliers using Plusgiro, the Account ID must be numeric";
    SE_R_010 = "SE-R-010", Warning, "[SE-R-010]-For Swedish suppliers using Plusgiro, the Account ID must have 2-8 characters";
    SE_R_008 = "SE-R-008", Warning, "[SE-R-008]-For Swedish suppliers using Bankgiro, the Account ID must be numeric";
    SE_R_009 = "SE-R-009", Warning, "[SE-R-009]-For Swedish suppliers using Bankgiro, the Account ID must have 7-8 characters";
    SE_R_011 = "SE-R-011", Warning, "[SE-R-011]-For Swedish suppliers using Swedish Bankgiro or Plusgiro, the proper way to indicate this is to use Code 30 for PaymentMeans and FinancialInstitutionBranch ID with code SE:BANKGIRO or SE:PLUSGIRO";
    SE_R_012 = "SE-R-012", Warning, "[SE-R-012]-For domestic transactions between Swedish trading partners, credit transfer should be indicated by PaymentMeansCode=\"30\"";
    SE_R_001 = "SE-R-001", Fatal, "[SE-R-001]-For Swedish suppliers, Swedish VAT-numbers must consist of 14 characters.";
    SE_R_002 = "SE-R-002", Fatal, "[SE-R-002]-For Swedish suppliers, the Swedish VAT-numbers must have the trailing 12 characters in numeric form";
    SE_R_003 = "SE-R-003", Fatal, "[SE-R-003]-Swedish organisation numbers should be numeric.";
    SE_R_004 = "SE-R-004", Fatal, "[SE-R-004]-Swedish organisation numbers consist of 10 characters.";
    SE_R_013 = "SE-R-013", Fatal, "[SE-R-013]-The last digit of a Swedish organization number must be valid according to the Luhn algorithm.";
    SE_R_005 = "SE-R-005", Fatal, "[SE-R-005]-For Swedish suppliers, when using Seller tax registration identifier, 'Godkänd för F-skatt' must be stated";
}

/// `string(number(s)) != 'NaN'`.
fn is_number(s: &str) -> bool {
    xp::double(s).is_some_and(|v| !v.is_nan())
}

/// `cac:PostalAddress/cac:Country/cbc:IdentificationCode = 'SE'` (exact).
fn in_sweden(d: &Document, party: NodeId) -> bool {
    kids(d, party, cac!("PostalAddress"))
        .flat_map(|a| kids(d, a, cac!("Country")).collect::<Vec<_>>())
        .flat_map(|c| kids(d, c, cbc!("IdentificationCode")).collect::<Vec<_>>())
        .any(|c| xp::string(d, c) == "SE")
}

/// `u:checkSEOrgnr`: digits only, Luhn check digit in position 10.
pub(crate) fn check_se_orgnr(number: &str) -> bool {
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let digits: Vec<u32> = number.chars().filter_map(|c| c.to_digit(10)).collect();
    let main = &digits[..digits.len().min(9)];
    let sum: u32 = main
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 0 {
                (d * 2) % 10 + (d * 2) / 10
            } else {
                d
            }
        })
        .sum();
    digits
        .get(9)
        .is_some_and(|&check| (10 - sum % 10) % 10 == check)
}

/// The VAT party tax schemes (`cac:TaxScheme/cbc:ID = 'VAT'`, exact).
fn vat_schemes(d: &Document, party: NodeId) -> Vec<NodeId> {
    kids(d, party, cac!("PartyTaxScheme"))
        .filter(|&t| {
            kids(d, t, cac!("TaxScheme"))
                .any(|s| kids(d, s, cbc!("ID")).any(|i| xp::string(d, i) == "VAT"))
        })
        .collect()
}

fn company(d: &Document, n: NodeId) -> String {
    kid(d, n, cbc!("CompanyID"))
        .map(|c| xp::string(d, c).into_owned())
        .unwrap_or_default()
}

/// The SE contexts on every `//cac:AccountingSupplierParty/cac:Party`.
pub(crate) fn check(ctx: &mut Ctx<'_>) {
    let d = ctx.doc;
    let parties: Vec<NodeId> = ctx
        .ix
        .all(Ix::AccountingSupplierParty)
        .iter()
        .flat_map(|&s| kids(d, s, cac!("Party")).collect::<Vec<_>>())
        .collect();
    for p in parties {
        if !in_sweden(d, p) {
            continue;
        }
        let vat = vat_schemes(d, p);
        if vat
            .iter()
            .any(|&t| company(d, t).chars().take(2).collect::<String>() == "SE")
        {
            let id = vat.first().map(|&t| company(d, t)).unwrap_or_default();
            ctx.check(&SE_R_001, p, norm(&id).chars().count() == 14);
            let tail: String = id.chars().skip(2).take(12).collect();
            ctx.check(&SE_R_002, p, is_number(&tail));
        }
        for le in kids(d, p, cac!("PartyLegalEntity")).collect::<Vec<_>>() {
            let Some(c) = kid(d, le, cbc!("CompanyID")) else {
                continue;
            };
            let v = xp::string(d, c);
            ctx.check(&SE_R_003, le, is_number(&v));
            ctx.check(&SE_R_004, le, norm(&v).chars().count() == 10);
            ctx.check(&SE_R_013, le, check_se_orgnr(&norm(&v)));
        }
        let has_legal_id =
            kids(d, p, cac!("PartyLegalEntity")).any(|l| kid(d, l, cbc!("CompanyID")).is_some());
        if has_legal_id {
            for t in kids(d, p, cac!("PartyTaxScheme")).collect::<Vec<_>>() {
                let scheme = kid(d, t, cac!("TaxScheme"))
                    .and_then(|s| kid(d, s, cbc!("ID")))
                    .map(|i| norm(&xp::string(d, i).to_uppercase()))
                    .unwrap_or_default();
                if scheme == "VAT" {
                    continue;
                }
                for c in kids(d, t, cbc!("CompanyID")).collect::<Vec<_>>() {
                    let ok = norm(&xp::string(d, c).to_uppercase()) == "GODKÄND FÖR F-SKATT";
                    ctx.check(&SE_R_005, c, ok);
                }
            }
        }
    }
}

/// Whether some `//cac:<role>/cac:Party` is in Sweden (and, with `vat`,
/// has a VAT id starting with SE).
fn swedish(ctx: &Ctx<'_>, role: Ix, vat: bool) -> bool {
    let d = ctx.doc;
    ctx.ix
        .all(role)
        .iter()
        .flat_map(|&r| kids(d, r, cac!("Party")).collect::<Vec<_>>())
        .any(|p| {
            in_sweden(d, p)
                && (!vat
                    || vat_schemes(d, p)
                        .iter()
                        .any(|&t| company(d, t).chars().take(2).collect::<String>() == "SE"))
        })
}

/// SE-R-006..012: rates and payment means of Swedish sellers.
pub(crate) fn check_payments(ctx: &mut Ctx<'_>) {
    let d = ctx.doc;
    let seller = swedish(ctx, Ix::AccountingSupplierParty, false);
    if !seller {
        return;
    }
    if swedish(ctx, Ix::AccountingSupplierParty, true) {
        let cats: Vec<NodeId> = ctx
            .ix
            .all(Ix::TaxCategory)
            .iter()
            .chain(ctx.ix.all(Ix::ClassifiedTaxCategory))
            .copied()
            .collect();
        for c in cats {
            if kids(d, c, cbc!("ID")).any(|i| xp::string(d, i) == "S") {
                let pct = kid(d, c, cbc!("Percent")).and_then(|p| xp::double(&xp::string(d, p)));
                let ok = pct.is_some_and(|v| v == 25.0 || v == 12.0 || v == 6.0);
                ctx.check(&SE_R_006, c, ok);
            }
        }
    }
    let buyer = swedish(ctx, Ix::AccountingCustomerParty, false);
    let means: Vec<NodeId> = ctx.ix.all(Ix::PaymentMeans).to_vec();
    for m in means {
        let codes: Vec<String> = kids(d, m, cbc!("PaymentMeansCode"))
            .map(|c| xp::string(d, c).into_owned())
            .collect();
        let code = |v: &str| codes.iter().any(|c| c == v);
        let first_code = codes.first().map(|c| norm(c)).unwrap_or_default();
        let branch = xp::first(
            d,
            m,
            &[
                cac!("PayeeFinancialAccount"),
                cac!("FinancialInstitutionBranch"),
                cbc!("ID"),
            ],
        )
        .map(|b| norm(&xp::string(d, b)))
        .unwrap_or_default();
        if first_code == "30" && (branch == "SE:PLUSGIRO" || branch == "SE:BANKGIRO") {
            let ids: Vec<NodeId> = kids(d, m, cac!("PayeeFinancialAccount"))
                .flat_map(|a| kids(d, a, cbc!("ID")).collect::<Vec<_>>())
                .collect();
            for i in ids {
                let v = norm(&xp::string(d, i));
                let len = v.chars().count();
                if branch == "SE:PLUSGIRO" {
                    ctx.check(&SE_R_007, i, is_number(&v));
                    ctx.check(&SE_R_010, i, (2..=8).contains(&len));
                } else {
                    ctx.check(&SE_R_008, i, is_number(&v));
                    ctx.check(&SE_R_009, i, len == 7 || len == 8);
                }
            }
        }
        if code("50") || code("56") {
            ctx.check(&SE_R_011, m, false);
        } else if buyer && code("31") {
            ctx.check(&SE_R_012, m, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check_se_orgnr;

    #[test]
    fn swedish_organisation_numbers_use_luhn() {
        assert!(check_se_orgnr("5560360793"));
        assert!(!check_se_orgnr("5560360794"));
        assert!(!check_se_orgnr("556036079"));
        assert!(!check_se_orgnr("55603607x3"));
    }
}
