//! Greek national rules (GR-*): supplier and buyer names and VAT numbers
//! with the TIN check digit, MARK and invoice URL references, endpoints.

use crate::xp::norm;
use gateway_xml::names::CAC;
use gateway_xml::names::{CAC_NS, CBC_NS};
use gateway_xml::{Document, NodeId};

use super::national_no_it::supplier_country;
use crate::ctx::Ctx;
use crate::rule::rules;
use crate::xp::{self, cac, first, kid, kids};

rules! {
    GR_R_001_1 = "GR-R-001-1", Fatal, "[GR-R-001-1]- When the Supplier is Greek, the Invoice Id should consist of 6 segments";
    GR_R_001_2 = "GR-R-001-2", Fatal, "[GR-R-001-2]-When the Supplier is Greek, the Invoice Id first segment must be a valid TIN Number and match either the Supplier's or the Tax Representative's Tin Number";
    GR_R_001_3 = "GR-R-001-3", Fatal, "[GR-R-001-3]-When the Supplier is Greek, the Invoice Id second segment must be a valid Date that matches the invoice Issue Date";
    GR_R_001_4 = "GR-R-001-4", Fatal, "[GR-R-001-4]-When Supplier is Greek, the Invoice Id third segment must be a positive integer";
    GR_R_001_5 = "GR-R-001-5", Fatal, "[GR-R-001-5]-When Supplier is Greek, the Invoice Id in the fourth segment must be a valid greek document type";
    GR_R_001_6 = "GR-R-001-6", Fatal, "[GR-R-001-6]-When Supplier is Greek, the Invoice Id fifth segment must not be empty";
    GR_R_001_7 = "GR-R-001-7", Fatal, "[GR-R-001-7]-When Supplier is Greek, the Invoice Id sixth segment must not be empty";
    GR_R_002 = "GR-R-002", Fatal, "[GR-R-002]-Greek Suppliers must provide their full name as they are registered in the Greek Business Registry (G.E.MH.) as a legal entity or in the Tax Registry as a natural person";
    GR_S_011 = "GR-S-011", Warning, "[GR-S-011]-Greek suppliers must provide their Seller Tax Registration Number, prefixed by the country code";
    GR_R_003 = "GR-R-003", Fatal, "[GR-R-003]-For the Greek Suppliers, the VAT must start with 'EL' and must be a valid TIN number";
    GR_R_004_1 = "GR-R-004-1", Fatal, "[GR-R-004-1]- When Supplier is Greek, there must be one MARK Number";
    GR_S_008_1 = "GR-S-008-1", Warning, "[GR-S-008-1]-When Supplier is Greek, there should be one invoice url";
    GR_R_008_2 = "GR-R-008-2", Fatal, "[GR-R-008-2]-When Supplier is Greek, there should be no more than one invoice url";
    GR_R_004_2 = "GR-R-004-2", Fatal, "[GR-R-004-2]-When Supplier is Greek, the MARK Number must be a positive integer";
    GR_R_008_3 = "GR-R-008-3", Fatal, "[GR-R-008-3]-When Supplier is Greek and the INVOICE URL Document reference exists, the External Reference URI should be present";
    GR_R_005 = "GR-R-005", Fatal, "[GR-R-005]-Greek Suppliers must provide the full name of the buyer";
    GR_R_009 = "GR-R-009", Fatal, "[GR-R-009]-Greek suppliers that send an invoice through the PEPPOL network must use a correct TIN number as an electronic address according to PEPPOL Electronic Address Identifier scheme (schemeID 9933).";
    GR_R_006 = "GR-R-006", Fatal, "[GR-R-006]-Greek Suppliers must provide the VAT number of the buyer, if the buyer is Greek";
    GR_R_010 = "GR-R-010", Fatal, "[GR-R-010]-Greek Suppliers that send an invoice through the PEPPOL network to a greek buyer must use a correct TIN number as an electronic address according to PEPPOL Electronic Address Identifier scheme (SchemeID 9933)";
}

/// `u:TinVerification`: nine digits, weights 256…2, `(sum mod 11) mod 10`
/// equals the ninth digit (characters after the ninth are ignored).
pub(crate) fn tin(val: &str) -> bool {
    let digits: Vec<Option<u32>> = val
        .chars()
        .take(9)
        .map(|c| c.to_digit(10).filter(|_| c.is_ascii_digit()))
        .collect();
    if digits.len() < 9 || digits.iter().any(Option::is_none) {
        return false;
    }
    let d: Vec<u32> = digits.into_iter().flatten().collect();
    let sum: u32 = d
        .iter()
        .take(8)
        .enumerate()
        .map(|(i, &x)| x << (8 - i))
        .sum();
    d.get(8).is_some_and(|&check| (sum % 11) % 10 == check)
}

/// The global variables of the Greek patterns.
pub(crate) struct Facts {
    sender: bool,
    receiver: bool,
    /// Seller postal country code is exactly `GR`.
    seller_in_gr: bool,
    /// `$accountingSupplierCountry` is GR or EL.
    accounting_gr: bool,
}

fn vat_prefix(d: &Document, party: NodeId) -> Option<String> {
    let t = kids(d, party, cac!("PartyTaxScheme")).find(|&t| {
        kids(d, t, cac!("TaxScheme"))
            .any(|s| kids(d, s, cbc!("ID")).any(|i| xp::string(d, i) == "VAT"))
    })?;
    let id = kid(d, t, cbc!("CompanyID"))
        .map(|c| xp::string(d, c).into_owned())
        .unwrap_or_default();
    Some(id.chars().take(2).collect::<String>()).filter(|p| !p.is_empty())
}

fn party_country(d: &Document, role: &'static str) -> String {
    let root = d.root();
    let party = first(d, root, &[cac(role), cac!("Party")]);
    if let Some(p) = party.and_then(|p| vat_prefix(d, p)) {
        return norm(&p).to_uppercase();
    }
    match first(
        d,
        root,
        &[
            cac(role),
            cac!("Party"),
            cac!("PostalAddress"),
            cac!("Country"),
            cbc!("IdentificationCode"),
        ],
    ) {
        Some(c) => norm(&xp::string(d, c)).to_uppercase(),
        None => "XX".to_string(),
    }
}

impl Facts {
    pub(crate) fn collect(d: &Document) -> Facts {
        let greek = |c: &str| c == "GR" || c == "EL";
        let root = d.root();
        let code = [
            cac!("AccountingSupplierParty"),
            cac!("Party"),
            cac!("PostalAddress"),
            cac!("Country"),
            cbc!("IdentificationCode"),
        ];
        let mut in_gr = false;
        xp::each(d, root, &code, &mut |c| in_gr |= xp::string(d, c) == "GR");
        let sender = greek(&supplier_country(d));
        Facts {
            sender,
            receiver: sender && greek(&party_country(d, "AccountingCustomerParty")),
            seller_in_gr: in_gr,
            accounting_gr: greek(&party_country(d, "AccountingSupplierParty")),
        }
    }
}

/// `count(PTS[normalize-space(TaxScheme/ID)='VAT']/CompanyID) = 1`, prefix `EL`, valid TIN.
fn greek_vat(d: &Document, party: NodeId) -> bool {
    let ids: Vec<String> = kids(d, party, cac!("PartyTaxScheme"))
        .filter(|&t| {
            kid(d, t, cac!("TaxScheme"))
                .and_then(|s| kid(d, s, cbc!("ID")))
                .is_some_and(|i| norm(&xp::string(d, i)) == "VAT")
        })
        .flat_map(|t| {
            kids(d, t, cbc!("CompanyID"))
                .map(|c| xp::string(d, c).into_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    match ids.as_slice() {
        [one] => one.starts_with("EL") && tin(&one.chars().skip(2).collect::<String>()),
        _ => false,
    }
}

fn name_filled(d: &Document, party: NodeId) -> bool {
    first(d, party, &[cac!("PartyName"), cbc!("Name")])
        .is_some_and(|n| !xp::string(d, n).is_empty())
}

fn description_is(d: &Document, adr: NodeId, v: &str) -> bool {
    kids(d, adr, cbc!("DocumentDescription")).any(|c| xp::string(d, c) == v)
}

fn parent_is(d: &Document, n: NodeId, local: &str) -> Option<NodeId> {
    d.parent(n).filter(|&p| d.is(p, CAC, local))
}

pub(crate) fn visit(ctx: &mut Ctx<'_>, n: NodeId, f: &Facts) {
    let d = ctx.doc;
    let root = d.root();
    let name = ctx.name(n);
    // Sender pattern.
    if f.sender {
        if name.is(cbc!("ID")) && d.parent(n) == Some(root) {
            invoice_number(ctx, n);
        } else if name.in_ns(CAC_NS)
            && name.local == "Party"
            && parent_is(d, n, "AccountingSupplierParty").is_some()
        {
            ctx.check(&GR_R_002, n, name_filled(d, n));
            ctx.check(&GR_S_011, n, greek_vat(d, n));
        } else if name.in_ns(CBC_NS)
            && name.local == "CompanyID"
            && parent_is(d, n, "PartyTaxScheme").is_some_and(|t| {
                kid(d, t, cac!("TaxScheme"))
                    .and_then(|s| kid(d, s, cbc!("ID")))
                    .is_some_and(|i| norm(&xp::string(d, i)) == "VAT")
                    && parent_is(d, t, "Party")
                        .is_some_and(|p| parent_is(d, p, "AccountingSupplierParty").is_some())
            })
        {
            let v = xp::string(d, n);
            ctx.check(
                &GR_R_003,
                n,
                v.starts_with("EL") && tin(&v.chars().skip(2).collect::<String>()),
            );
        } else if n == root && f.seller_in_gr {
            let count = |v: &str| {
                kids(d, n, cac!("AdditionalDocumentReference"))
                    .filter(|&a| description_is(d, a, v))
                    .count()
            };
            ctx.check(&GR_R_004_1, n, count("##M.AR.K##") == 1);
            ctx.check(&GR_S_008_1, n, count("##INVOICE|URL##") == 1);
            ctx.check(&GR_R_008_2, n, count("##INVOICE|URL##") <= 1);
        } else if name.in_ns(CBC_NS)
            && name.local == "ID"
            && f.seller_in_gr
            && parent_is(d, n, "AdditionalDocumentReference")
                .is_some_and(|a| description_is(d, a, "##M.AR.K##"))
        {
            let ok = xp::string(d, n)
                .chars()
                .next()
                .is_some_and(|c| ('1'..='9').contains(&c));
            ctx.check(&GR_R_004_2, n, ok);
        } else if name.in_ns(CAC_NS)
            && name.local == "AdditionalDocumentReference"
            && description_is(d, n, "##INVOICE|URL##")
        {
            let uri = first(
                d,
                n,
                &[cac!("Attachment"), cac!("ExternalReference"), cbc!("URI")],
            );
            ctx.check(
                &GR_R_008_3,
                n,
                uri.is_some_and(|u| !xp::blank(&xp::string(d, u))),
            );
        } else if name.in_ns(CAC_NS)
            && name.local == "Party"
            && parent_is(d, n, "AccountingCustomerParty").is_some()
        {
            ctx.check(&GR_R_005, n, name_filled(d, n));
        }
    }
    if f.accounting_gr
        && name.in_ns(CBC_NS)
        && name.local == "EndpointID"
        && parent_is(d, n, "Party")
            .is_some_and(|p| parent_is(d, p, "AccountingSupplierParty").is_some())
    {
        let ok = d.attr(n, "schemeID") == Some("9933") && tin(&xp::string(d, n));
        ctx.check(&GR_R_009, n, ok);
    }
    // Sender-and-receiver pattern.
    if f.receiver {
        if name.in_ns(CAC_NS)
            && name.local == "Party"
            && parent_is(d, n, "AccountingCustomerParty").is_some()
        {
            ctx.check(&GR_R_006, n, greek_vat(d, n));
        } else if name.in_ns(CBC_NS)
            && name.local == "EndpointID"
            && parent_is(d, n, "Party")
                .is_some_and(|p| parent_is(d, p, "AccountingCustomerParty").is_some())
        {
            let ok = d.attr(n, "schemeID") == Some("9933") && tin(&xp::string(d, n));
            ctx.check(&GR_R_010, n, ok);
        }
    }
}

/// `tokenize(s, sep)`: no tokens for an empty string.
fn tokenize(s: &str, sep: char) -> Vec<&str> {
    if s.is_empty() {
        Vec::new()
    } else {
        s.split(sep).collect()
    }
}

/// `matches(s, '^(0?[1-9]|[12][0-9]|3[01])[-\\/ ]?(0?[1-9]|1[0-2])[-\\/ ]?(19|20)[0-9]{2}')`:
/// a day, a month and a year at the start, optional separators (-, \\, /, space).
fn date_prefix(s: &str) -> bool {
    let b = s.as_bytes();
    let digit = |i: usize, lo: u8, hi: u8| b.get(i).is_some_and(|c| (lo..=hi).contains(c));
    // Lengths of the alternatives of a day and of a month starting at `i`.
    let days = |i: usize| {
        let mut v = Vec::new();
        if digit(i, b'1', b'9') {
            v.push(1);
        }
        if (digit(i, b'0', b'0') && digit(i + 1, b'1', b'9'))
            || (digit(i, b'1', b'2') && digit(i + 1, b'0', b'9'))
            || (digit(i, b'3', b'3') && digit(i + 1, b'0', b'1'))
        {
            v.push(2);
        }
        v
    };
    let months = |i: usize| {
        let mut v = Vec::new();
        if digit(i, b'1', b'9') {
            v.push(1);
        }
        if (digit(i, b'0', b'0') && digit(i + 1, b'1', b'9'))
            || (digit(i, b'1', b'1') && digit(i + 1, b'0', b'2'))
        {
            v.push(2);
        }
        v
    };
    let seps = |i: usize| {
        if b.get(i)
            .is_some_and(|c| matches!(c, b'-' | b'\\' | b'/' | b' '))
        {
            vec![0, 1]
        } else {
            vec![0]
        }
    };
    let year = |i: usize| {
        ((digit(i, b'1', b'1') && digit(i + 1, b'9', b'9'))
            || (digit(i, b'2', b'2') && digit(i + 1, b'0', b'0')))
            && digit(i + 2, b'0', b'9')
            && digit(i + 3, b'0', b'9')
    };
    days(0).into_iter().any(|dl| {
        seps(dl).into_iter().any(|s1| {
            months(dl + s1).into_iter().any(|ml| {
                seps(dl + s1 + ml)
                    .into_iter()
                    .any(|s2| year(dl + s1 + ml + s2))
            })
        })
    })
}

/// Context `/ubl-invoice:Invoice/cbc:ID[$isGreekSender]`: GR-R-001-1..7.
fn invoice_number(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let root = d.root();
    let value = xp::string(d, n);
    let seg = tokenize(&value, '|');
    let at = |i: usize| seg.get(i).copied();
    ctx.check(&GR_R_001_1, n, seg.len() == 6);
    let vat_tail = |role: &[xp::Step]| -> Vec<String> {
        let mut out = Vec::new();
        xp::each(d, root, role, &mut |t| {
            if kids(d, t, cac!("TaxScheme"))
                .any(|s| kids(d, s, cbc!("ID")).any(|i| xp::string(d, i) == "VAT"))
            {
                let id = kid(d, t, cbc!("CompanyID"))
                    .map(|c| xp::string(d, c).into_owned())
                    .unwrap_or_default();
                out.push(id.chars().skip(2).take(9).collect());
            }
        });
        out
    };
    let ok2 = at(0).is_some_and(|s1| {
        norm(s1).chars().count() == 9 && tin(s1) && {
            let mut tails = vat_tail(&[
                cac!("AccountingSupplierParty"),
                cac!("Party"),
                cac!("PartyTaxScheme"),
            ]);
            tails.extend(vat_tail(&[
                cac!("TaxRepresentativeParty"),
                cac!("PartyTaxScheme"),
            ]));
            tails.iter().any(|t| t == s1)
        }
    });
    ctx.check(&GR_R_001_2, n, ok2);
    let issue = kid(d, root, cbc!("IssueDate"))
        .map(|i| xp::string(d, i).into_owned())
        .unwrap_or_default();
    let issue_parts = tokenize(&issue, '-');
    let ok3 = at(1).is_some_and(|s2| {
        let parts = tokenize(s2, '/');
        !xp::blank(s2)
            && date_prefix(s2)
            && parts.first().is_some_and(|p| Some(p) == issue_parts.get(2))
            && parts.get(1).is_some_and(|p| Some(p) == issue_parts.get(1))
            && parts.get(2).is_some_and(|p| Some(p) == issue_parts.first())
    });
    ctx.check(&GR_R_001_3, n, ok3);
    let ok4 = match at(2) {
        Some(s3) if !xp::blank(s3) && xp::double(s3).is_some_and(|v| !v.is_nan()) => {
            match s3
                .trim_matches([' ', '\t', '\r', '\n'])
                .strip_prefix('+')
                .unwrap_or(s3.trim())
                .parse::<i128>()
            {
                Ok(v) => v >= 0,
                Err(_) => {
                    // xs:integer('1.5') stops the official stylesheet.
                    ctx.fail(&GR_R_001_4, n, "segment 3 is not an xs:integer");
                    false
                }
            }
        }
        _ => false,
    };
    ctx.check(&GR_R_001_4, n, ok4);
    let ok5 = at(3).is_some_and(|s4| {
        !xp::blank(s4) && ["1.1", "1.6", "2.1", "2.4", "5.1", "5.2"].contains(&s4)
    });
    ctx.check(&GR_R_001_5, n, ok5);
    ctx.check(&GR_R_001_6, n, at(4).is_some_and(|s| !s.is_empty()));
    ctx.check(&GR_R_001_7, n, at(5).is_some_and(|s| !s.is_empty()));
}

#[cfg(test)]
mod tests {
    use super::{date_prefix, tin};

    #[test]
    fn greek_invoice_date_segment() {
        assert!(date_prefix("05/01/2020"));
        assert!(date_prefix("5012020"));
        assert!(!date_prefix("2020-01-05"));
        assert!(!date_prefix("32/01/2020"));
    }

    #[test]
    fn greek_tin_check_digit() {
        assert!(tin("094014298"));
        assert!(!tin("094014299"));
        assert!(!tin("09401429"));
        assert!(!tin("0940142x8"));
    }
}
