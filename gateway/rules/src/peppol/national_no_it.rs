//! Norwegian (NO-R-001/002) and Italian (IT-R-001..004) seller rules; both
//! patterns select by `$supplierCountry`.

use crate::xp::norm;
use gateway_xml::{Document, NodeId};

use crate::ctx::Ctx;
use crate::index::Ix;
use crate::rule::rules;
use crate::xp::{self, exists, first, kid, kids};

rules! {
    NO_R_002 = "NO-R-002", Warning, "[NO-R-002]-For Norwegian suppliers, most invoice issuers are required to append \"Foretaksregisteret\" to their invoice. \"Dersom selger er aksjeselskap, allmennaksjeselskap eller filial av utenlandsk selskap skal også ordet «Foretaksregisteret» fremgå av salgsdokumentet, jf. foretaksregisterloven § 10-2.\"";
    NO_R_001 = "NO-R-001", Fatal, "[NO-R-001]-For Norwegian suppliers, a VAT number MUST be the country code prefix NO followed by a valid Norwegian organization number (nine numbers) followed by the letters MVA.";
    IT_R_001 = "IT-R-001", Fatal, "[IT-R-001]-BT-32 (Seller tax registration identifier) - For Italian suppliers BT-32 minimum length 11 and maximum length shall be 16. Per i fornitori italiani il BT-32 deve avere una lunghezza tra 11 e 16 caratteri";
    IT_R_002 = "IT-R-002", Fatal, "[IT-R-002]-BT-35 (Seller address line 1) - Italian suppliers MUST provide the postal address line 1 - I fornitori italiani devono indicare l'indirizzo postale.";
    IT_R_003 = "IT-R-003", Fatal, "[IT-R-003]-BT-37 (Seller city) - Italian suppliers MUST provide the postal address city - I fornitori italiani devono indicare la città di residenza.";
    IT_R_004 = "IT-R-004", Fatal, "[IT-R-004]-BT-38 (Seller post code) - Italian suppliers MUST provide the postal address post code - I fornitori italiani devono indicare il CAP di residenza.";
}

/// `substring(cbc:CompanyID, 1, 2)` of the first `PartyTaxScheme[cac:TaxScheme/cbc:ID = 'VAT']`
/// under `party` (exact comparison, as in `$supplierCountry`).
fn vat_prefix(d: &Document, party: NodeId) -> Option<String> {
    let t = kids(d, party, cac!("PartyTaxScheme")).find(|&t| {
        kids(d, t, cac!("TaxScheme"))
            .any(|s| kids(d, s, cbc!("ID")).any(|i| xp::string(d, i) == "VAT"))
    })?;
    let id = kid(d, t, cbc!("CompanyID"))
        .map(|c| xp::string(d, c).into_owned())
        .unwrap_or_default();
    Some(id.chars().take(2).collect())
}

/// The global `$supplierCountry`: seller VAT prefix, else the tax
/// representative's, else the seller's country code, else 'XX'.
pub(crate) fn supplier_country(d: &Document) -> String {
    let root = d.root();
    let seller = first(d, root, &[cac!("AccountingSupplierParty"), cac!("Party")]);
    let rep = kid(d, root, cac!("TaxRepresentativeParty"));
    for p in [seller, rep].into_iter().flatten() {
        if let Some(prefix) = vat_prefix(d, p).filter(|s| !s.is_empty()) {
            return norm(&prefix).to_uppercase();
        }
    }
    let code = [
        cac!("AccountingSupplierParty"),
        cac!("Party"),
        cac!("PostalAddress"),
        cac!("Country"),
        cbc!("IdentificationCode"),
    ];
    match first(d, root, &code) {
        Some(c) => norm(&xp::string(d, c)).to_uppercase(),
        None => "XX".to_string(),
    }
}

/// The first `PartyTaxScheme[normalize-space(cac:TaxScheme/cbc:ID) = scheme]/cbc:CompanyID`.
fn company_in(d: &Document, party: NodeId, scheme: &str) -> Option<String> {
    kids(d, party, cac!("PartyTaxScheme"))
        .filter(|&t| {
            kid(d, t, cac!("TaxScheme"))
                .and_then(|s| kid(d, s, cbc!("ID")))
                .is_some_and(|i| norm(&xp::string(d, i)) == scheme)
        })
        .find_map(|t| kid(d, t, cbc!("CompanyID")))
        .map(|c| xp::string(d, c).into_owned())
}

/// `^[0-9]{9}MVA$` and the mod-11 check of the nine digits (the 0192 rule
/// of `gateway_peppol`, which is `u:mod11` on nine digits).
fn norwegian_vat(id: &str) -> bool {
    let Some(rest) = id.strip_prefix("NO") else {
        return false;
    };
    let Some(digits) = rest.strip_suffix("MVA") else {
        return false;
    };
    digits.len() == 9
        && digits.bytes().all(|b| b.is_ascii_digit())
        && gateway_peppol::check_identifier("0192", digits).is_empty()
}

/// Both patterns on every `cac:AccountingSupplierParty/cac:Party`.
pub(crate) fn check(ctx: &mut Ctx<'_>) {
    let d = ctx.doc;
    let country = supplier_country(d);
    if country != "NO" && country != "IT" {
        return;
    }
    let parties: Vec<NodeId> = ctx
        .ix
        .all(Ix::AccountingSupplierParty)
        .iter()
        .flat_map(|&s| kids(d, s, cac!("Party")).collect::<Vec<_>>())
        .collect();
    for p in parties {
        if country == "NO" {
            let tax = company_in(d, p, "TAX")
                .map(|c| norm(&c))
                .unwrap_or_default();
            ctx.check(&NO_R_002, p, tax == "Foretaksregisteret");
            let vat = company_in(d, p, "VAT");
            let ok = match vat {
                Some(v) if v.starts_with("NO") => norwegian_vat(&v),
                _ => true,
            };
            ctx.check(&NO_R_001, p, ok);
        } else {
            for t in kids(d, p, cac!("PartyTaxScheme")).collect::<Vec<_>>() {
                let scheme = kid(d, t, cac!("TaxScheme"))
                    .and_then(|s| kid(d, s, cbc!("ID")))
                    .map(|i| norm(&xp::string(d, i)))
                    .unwrap_or_default();
                if scheme == "VAT" {
                    continue;
                }
                let id = kid(d, t, cbc!("CompanyID"))
                    .map(|c| norm(&xp::string(d, c)))
                    .unwrap_or_default();
                let ok = (11..=16).contains(&id.len())
                    && id
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
                ctx.check(&IT_R_001, t, ok);
            }
            ctx.check(
                &IT_R_002,
                p,
                exists(d, p, &[cac!("PostalAddress"), cbc!("StreetName")]),
            );
            ctx.check(
                &IT_R_003,
                p,
                exists(d, p, &[cac!("PostalAddress"), cbc!("CityName")]),
            );
            ctx.check(
                &IT_R_004,
                p,
                exists(d, p, &[cac!("PostalAddress"), cbc!("PostalZone")]),
            );
        }
    }
}
