//! German national rules (pattern `german-rules`), when seller and buyer are
//! both in Germany, DE-R-T02 (absolute URL of an external document) included.

use crate::xp::norm;
use gateway_xml::names::CAC;
use gateway_xml::names::CAC_NS;
use gateway_xml::{Document, NodeId};

use crate::ctx::Ctx;
use crate::rule::rules;
use crate::xp::{self, cac, cbc, exists, first, kid, kids};

rules! {
    DE_R_T02 = "DE-R-T02", Warning, "[DE-R-T02]-If both supplier and customer are located in Germany, BT-124 \"External document location\" must contain an absolute URL with valid scheme.";
    DE_R_018 = "DE-R-018", Fatal, "[DE-R-018]-If both supplier and customer are located in Germany, information on cash discounts for prompt payment (Skonto) shall be provided within the element \"Payment terms\" BT-20 in the following way: First segment \"SKONTO\", second segment amount of days (\"TAGE=N\"), third segment percentage (\"PROZENT=N\"). Percentage must be separated by dot with two decimal places. In case the base value of the invoiced amount is not provided in BT-115 but as a partial amount, the base value shall be provided as fourth segment \"BASISBETRAG=N\" as semantic data type amount. Each entry shall start with a #, the segments must be separated by # and a row shall end with a #. A complete statement on cash discount for prompt payment shall end with a XML-conformant line break. All statements on cash discount for prompt payment shall be given in capital letters. Additional whitespaces (blanks, tabulators or line breaks) are not allowed. Other characters or texts than defined above are not allowed.";
    DE_R_016 = "DE-R-016", Fatal, "[DE-R-016]-If both supplier and customer are located in Germany, and if one of the VAT codes S, Z, E, AE, K, G, L, or M is used, an invoice shall contain at least one of the following elements: \"Seller VAT identifier\" (BT-31) or \"Seller tax registration identifier\" (BT-32) or \"SELLER TAX REPRESENTATIVE PARTY\" (BG-11).";
    DE_R_022 = "DE-R-022", Fatal, "[DE-R-022]-If both supplier and customer are located in Germany, attached documents provided with an invoice in \"ADDITIONAL SUPPORTING DOCUMENTS\" (BG-24) shall have a unique filename (non case-sensitive) within the element ″Attached document″ (BT-125).";
    DE_R_019 = "DE-R-019", Warning, "[DE-R-019]-If both supplier and customer are located in Germany, the element \"Payment account identifier\" (BT-84) should contain a valid IBAN if code 58 SEPA is provided in \"Payment means type code\" (BT-81).";
    DE_R_020 = "DE-R-020", Warning, "[DE-R-020]-If both supplier and customer are located in Germany, the element \"Debited account identifier\" (BT-91) should contain a valid IBAN if code 59 SEPA is provided in \"Payment means type code\" (BT-81).";
    DE_R_001 = "DE-R-001", Fatal, "[DE-R-001]-If both supplier and customer are located in Germany, an invoice shall contain information on \"PAYMENT INSTRUCTIONS\" (BG-16).";
    DE_R_015 = "DE-R-015", Fatal, "[DE-R-015]-If both supplier and customer are located in Germany, the element \"Buyer reference\" (BT-10) shall be provided.";
    DE_R_017 = "DE-R-017", Warning, "[DE-R-017]-If both supplier and customer are located in Germany, the element \"Invoice type code\" (BT-3) should only contain the following values from code list UNTDID 1001: 326 (Partial invoice), 380 (Commercial invoice), 384 (Corrected invoice), 389 (Self-billed invoice), 381 (Credit note), 875 (Partial construction invoice), 876 (Partial final construction invoice), 877 (Final construction invoice).";
    DE_R_026 = "DE-R-026", Warning, "[DE-R-026]-If both supplier and customer are located in Germany, and if \"Invoice type code\" (BT-3) contains the code 384 (Corrected invoice), \"PRECEDING INVOICE REFERENCE\" (BG-3) should be provided at least once.";
    DE_R_030 = "DE-R-030", Fatal, "[DE-R-030]-If both supplier and customer are located in Germany, and if the group \"DIRECT DEBIT\" (BG-19) is delivered, the element \"Bank assigned creditor identifier\" (BT-90) shall be provided.";
    DE_R_031 = "DE-R-031", Fatal, "[DE-R-031]-If both supplier and customer are located in Germany, and if the group \"DIRECT DEBIT\" (BG-19) is delivered, the element \"Debited account identifier\" (BT-91) shall be provided.";
    DE_R_002 = "DE-R-002", Fatal, "[DE-R-002]-If both supplier and customer are located in Germany, the group \"SELLER CONTACT\" (BG-6) shall be provided.";
    DE_R_003 = "DE-R-003", Fatal, "[DE-R-003]-If both supplier and customer are located in Germany, the element \"Seller city\" (BT-37) shall be provided.";
    DE_R_004 = "DE-R-004", Fatal, "[DE-R-004]-If both supplier and customer are located in Germany, the element \"Seller post code\" (BT-38) shall be provided.";
    DE_R_005 = "DE-R-005", Fatal, "[DE-R-005]-If both supplier and customer are located in Germany, the element \"Seller contact point\" (BT-41) shall be provided.";
    DE_R_006 = "DE-R-006", Fatal, "[DE-R-006]-If both supplier and customer are located in Germany, the element \"Seller contact telephone number\" (BT-42) shall be provided.";
    DE_R_007 = "DE-R-007", Fatal, "[DE-R-007]-If both supplier and customer are located in Germany, the element \"Seller contact email address\" (BT-43) shall be provided.";
    DE_R_027 = "DE-R-027", Warning, "[DE-R-027]-If both supplier and customer are located in Germany, \"Seller contact telephone number\" (BT-42) should contain a valid telephone number. A valid telephone should consist of 3 digits minimum.";
    DE_R_028 = "DE-R-028", Warning, "[DE-R-028]-If both supplier and customer are located in Germany, \"Seller contact email address\" (BT-43) should contain exactly one @-sign, which should not be framed by a whitespace or a dot but by at least two characters on each side. A dot should not be the first or last character.";
    DE_R_008 = "DE-R-008", Fatal, "[DE-R-008]-If both supplier and customer are located in Germany, the element \"Buyer city\" (BT-52) shall be provided.";
    DE_R_009 = "DE-R-009", Fatal, "[DE-R-009]-If both supplier and customer are located in Germany, the element \"Buyer post code\" (BT-53) shall be provided.";
    DE_R_010 = "DE-R-010", Fatal, "[DE-R-010]-If both supplier and customer are located in Germany, the element \"Deliver to city\" (BT-77) shall be provided if the group \"DELIVER TO ADDRESS\" (BG-15) is delivered.";
    DE_R_011 = "DE-R-011", Fatal, "[DE-R-011]-If both supplier and customer are located in Germany, the element \"Deliver to post code\" (BT-78) shall be provided if the group \"DELIVER TO ADDRESS\" (BG-15) is delivered.";
    DE_R_023_1 = "DE-R-023-1", Fatal, "[DE-R-023-1]-If both supplier and customer are German, if \"Payment means type code\" (BT-81) contains a code for credit transfer (30, 58), \"CREDIT TRANSFER\" (BG-17) shall be provided.";
    DE_R_023_2 = "DE-R-023-2", Fatal, "[DE-R-023-2]-If both supplier and customer are located in Germany, and if \"Payment means type code\" (BT-81) contains a code for credit transfer (30, 58), BG-18 and BG-19 shall not be provided.";
    DE_R_024_1 = "DE-R-024-1", Fatal, "[DE-R-024-1]-If both supplier and customer are located in Germany, and if \"Payment means type code\" (BT-81) contains a code for payment card (48, 54, 55), \"PAYMENT CARD INFORMATION\" (BG-18) shall be provided.";
    DE_R_024_2 = "DE-R-024-2", Fatal, "[DE-R-024-2]-If both supplier and customer are located in Germany, and if \"Payment means type code\" (BT-81) contains a code for payment card (48, 54, 55), BG-17 and BG-19 shall not be provided.";
    DE_R_025_1 = "DE-R-025-1", Fatal, "[DE-R-025-1]-If both supplier and customer are located in Germany, and if \"Payment means type code\" (BT-81) contains a code for direct debit (59), \"DIRECT DEBIT\" (BG-19) shall be provided.";
    DE_R_025_2 = "DE-R-025-2", Fatal, "[DE-R-025-2]-If both supplier and customer are located in Germany, and if \"Payment means type code\" (BT-81) contains a code for direct debit (59), BG-17 and BG-18 shall not be provided.";
    DE_R_014 = "DE-R-014", Fatal, "[DE-R-014]-If both supplier and customer are located in Germany, the element \"VAT category rate\" (BT-119) shall be provided.";
}

/// `$supplierCountryIsDE and $customerCountryIsDE`.
pub(crate) fn both_german(d: &Document) -> bool {
    let de = |party: &'static str| {
        first(
            d,
            d.root(),
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
    de("AccountingSupplierParty") && de("AccountingCustomerParty")
}

/// `cbc:X[boolean(normalize-space(.))]`.
fn has_text(d: &Document, n: NodeId, local: &'static str) -> bool {
    kids(d, n, cbc(local)).any(|c| !xp::blank(&xp::string(d, c)))
}

/// `.*([0-9].*){3,}.*`: at least three digits.
fn telephone(s: &str) -> bool {
    s.chars().filter(char::is_ascii_digit).count() >= 3
}

/// `^[^@\s]+@([^@.\s]+\.)+[^@.\s]+$`.
fn email(s: &str) -> bool {
    let ws = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n');
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let labels: Vec<&str> = domain.split('.').collect();
    !local.is_empty()
        && !local.chars().any(ws)
        && labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && !l.chars().any(|c| ws(c) || c == '@'))
}

fn codes(d: &Document, n: NodeId) -> Vec<String> {
    kids(d, n, cbc!("PaymentMeansCode"))
        .map(|c| norm(&xp::string(d, c)))
        .collect()
}

/// Every element context of the pattern (call only when [`both_german`]).
pub(crate) fn visit(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let root = d.root();
    let name = ctx.name(n);
    if !name.in_ns(CAC_NS) && n != root {
        return;
    }
    let parent = d.parent(n);
    let under = |path: &[&str]| {
        let mut cur = n;
        for l in path {
            match d.parent(cur) {
                Some(p) if d.is(p, CAC, l) => cur = p,
                _ => return false,
            }
        }
        d.parent(cur) == Some(root)
    };
    if n == root && (d.is_named(n, crate::xp::INVOICE) || d.is_named(n, crate::xp::CREDIT_NOTE)) {
        document(ctx, n);
    } else if name.local == "AccountingSupplierParty" && parent == Some(root) {
        ctx.check(
            &DE_R_002,
            n,
            exists(d, n, &[cac!("Party"), cac!("Contact")]),
        );
    } else if name.local == "PostalAddress" && under(&["Party", "AccountingSupplierParty"]) {
        ctx.check(&DE_R_003, n, has_text(d, n, "CityName"));
        ctx.check(&DE_R_004, n, has_text(d, n, "PostalZone"));
    } else if name.local == "Contact" && under(&["Party", "AccountingSupplierParty"]) {
        ctx.check(&DE_R_005, n, has_text(d, n, "Name"));
        ctx.check(&DE_R_006, n, has_text(d, n, "Telephone"));
        ctx.check(&DE_R_007, n, has_text(d, n, "ElectronicMail"));
        let tel = kid(d, n, cbc!("Telephone"))
            .map(|t| norm(&xp::string(d, t)))
            .unwrap_or_default();
        ctx.check(&DE_R_027, n, telephone(&tel));
        let mail = kid(d, n, cbc!("ElectronicMail"))
            .map(|t| norm(&xp::string(d, t)))
            .unwrap_or_default();
        ctx.check(&DE_R_028, n, email(&mail));
    } else if name.local == "PostalAddress" && under(&["Party", "AccountingCustomerParty"]) {
        ctx.check(&DE_R_008, n, has_text(d, n, "CityName"));
        ctx.check(&DE_R_009, n, has_text(d, n, "PostalZone"));
    } else if name.local == "Address" && under(&["DeliveryLocation", "Delivery"]) {
        ctx.check(&DE_R_010, n, has_text(d, n, "CityName"));
        ctx.check(&DE_R_011, n, has_text(d, n, "PostalZone"));
    } else if name.local == "PaymentMeans" && parent == Some(root) {
        let c = codes(d, n);
        let any = |set: &[&str]| c.iter().any(|x| set.contains(&x.as_str()));
        let has = |l: &'static str| exists(d, n, &[cac(l)]);
        if any(&["30", "58"]) {
            let first_code = c.first().map(String::as_str);
            let iban = first(d, n, &[cac!("PayeeFinancialAccount"), cbc!("ID")]);
            ctx.check(&DE_R_019, n, first_code != Some("58") || iban_ok(d, iban));
            ctx.check(&DE_R_023_1, n, has("PayeeFinancialAccount"));
            ctx.check(
                &DE_R_023_2,
                n,
                !has("CardAccount") && !has("PaymentMandate"),
            );
        } else if any(&["48", "54", "55"]) {
            ctx.check(&DE_R_024_1, n, has("CardAccount"));
            ctx.check(
                &DE_R_024_2,
                n,
                !has("PayeeFinancialAccount") && !has("PaymentMandate"),
            );
        } else if any(&["59"]) {
            let first_code = c.first().map(String::as_str);
            let iban = first(
                d,
                n,
                &[
                    cac!("PaymentMandate"),
                    cac!("PayerFinancialAccount"),
                    cbc!("ID"),
                ],
            );
            ctx.check(&DE_R_020, n, first_code != Some("59") || iban_ok(d, iban));
            ctx.check(&DE_R_025_1, n, has("PaymentMandate"));
            ctx.check(
                &DE_R_025_2,
                n,
                !has("PayeeFinancialAccount") && !has("CardAccount"),
            );
        }
    } else if name.local == "ExternalReference"
        && under(&["Attachment", "AdditionalDocumentReference"])
    {
        let uri = kid(d, n, cbc!("URI"))
            .map(|u| xp::string(d, u).into_owned())
            .unwrap_or_default();
        ctx.check(&DE_R_T02, n, absolute_url(&uri));
    } else if name.local == "TaxSubtotal" && under(&["TaxTotal"]) {
        let ok = kids(d, n, cac!("TaxCategory"))
            .flat_map(|t| kids(d, t, cbc!("Percent")).collect::<Vec<_>>())
            .any(|p| !xp::blank(&xp::string(d, p)));
        ctx.check(&DE_R_014, n, ok);
    }
}

/// DE-R-T02: `matches(., '^([a-zA-Z])([a-zA-Z0-9+.-])+:.*')`, a scheme of
/// at least two characters before the first ':'.
fn absolute_url(s: &str) -> bool {
    let mut chars = s.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    let rest = chars.as_str();
    let scheme = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
        .count();
    scheme >= 1 && rest[scheme..].starts_with(':')
}

/// DE-R-019/020: the IBAN form `^[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{0,30}$` and
/// mod 97 = 1 of the rearranged digits, computed as the official text does
/// (every character above '@' counts as its code point − 55, so a lower
/// case letter after the check digits is not folded to upper case).
fn iban_ok(d: &Document, n: Option<NodeId>) -> bool {
    let raw = n.map(|x| xp::string(d, x).into_owned()).unwrap_or_default();
    let v: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '\t' | '\r' | '\n'))
        .collect();
    let b = v.as_bytes();
    let form = b.len() >= 4
        && b.len() <= 34
        && b.iter().take(2).all(u8::is_ascii_uppercase)
        && b.get(2..4)
            .is_some_and(|x| x.iter().all(u8::is_ascii_digit))
        && b.iter().skip(4).all(u8::is_ascii_alphanumeric);
    if !form {
        return false;
    }
    let rearranged = v
        .chars()
        .skip(4)
        .chain(v.chars().take(2))
        .chain(v.chars().skip(2).take(2));
    let mut rem: u64 = 0;
    for ch in rearranged {
        let cp = u64::from(u32::from(ch));
        let value = if cp > 64 { cp - 55 } else { cp - 48 };
        for digit in value.to_string().bytes() {
            rem = (rem * 10 + u64::from(digit - b'0')) % 97;
        }
    }
    rem == 1
}

/// `^#SKONTO#TAGE=[0-9]+#PROZENT=[0-9]+\.[0-9]{2}(#BASISBETRAG=-?[0-9]+\.[0-9]{2})?#$`
/// on a normalised line (the official pattern's `(^|\r?\n)` can only be `^` there).
fn skonto_line(line: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let amount = |s: &str| {
        s.split_once('.')
            .is_some_and(|(i, f)| digits(i) && f.len() == 2 && digits(f))
    };
    let Some(body) = line
        .strip_prefix("#SKONTO#TAGE=")
        .and_then(|r| r.strip_suffix('#'))
    else {
        return false;
    };
    let mut parts = body.split('#');
    let (Some(days), Some(pct)) = (parts.next(), parts.next()) else {
        return false;
    };
    let base_ok = match parts.next() {
        None => true,
        Some(b) => b
            .strip_prefix("BASISBETRAG=")
            .is_some_and(|v| amount(v.strip_prefix('-').unwrap_or(v))),
    };
    digits(days)
        && pct.strip_prefix("PROZENT=").is_some_and(amount)
        && base_ok
        && parts.next().is_none()
}

/// DE-R-018 on the first payment terms note.
fn skonto(note: &str) -> bool {
    let lines: Vec<String> = note
        .split('\n')
        .map(|l| norm(l.strip_suffix('\r').unwrap_or(l)))
        .collect();
    let marked: Vec<&String> = lines.iter().filter(|l| l.starts_with('#')).collect();
    if marked.is_empty() {
        return true;
    }
    // The text after the last `#.+#` match (greedy, `.` excludes CR and LF)
    // must start with whitespace containing a line feed.
    let mut after = note;
    let mut rest = note;
    while let Some(i) = rest.find('#') {
        let line_end = rest[i..].find(['\n', '\r']).map_or(rest.len(), |e| i + e);
        match rest[i + 1..line_end].rfind('#') {
            Some(j) if j >= 1 => {
                let end = i + 1 + j + 1;
                after = &rest[end..];
                rest = &rest[end..];
            }
            _ => rest = &rest[line_end..],
        }
        if rest.is_empty() {
            break;
        }
    }
    let lead: String = after
        .chars()
        .take_while(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
        .collect();
    marked.iter().all(|l| skonto_line(l)) && lead.contains('\n')
}

/// Context: the document.
fn document(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    if let Some(note) = first(d, n, &[cac!("PaymentTerms"), cbc!("Note")]) {
        let ok = skonto(&xp::string(d, note));
        ctx.check(&DE_R_018, n, ok);
    }
    let supported = ["S", "Z", "E", "AE", "K", "G", "L", "M"];
    let mut taxed = false;
    for ac in kids(d, n, cac!("AllowanceCharge")).collect::<Vec<_>>() {
        let indicated = kids(d, ac, cbc!("ChargeIndicator")).any(|c| {
            let s = xp::string(d, c);
            s == "false" || s == "true"
        });
        if indicated {
            xp::each(d, ac, &[cac!("TaxCategory"), cbc!("ID")], &mut |i| {
                taxed |= supported.contains(&xp::string(d, i).as_ref());
            });
        }
    }
    for line in ["InvoiceLine", "CreditNoteLine"] {
        xp::each(
            d,
            n,
            &[
                cac(line),
                cac!("Item"),
                cac!("ClassifiedTaxCategory"),
                cbc!("ID"),
            ],
            &mut |i| {
                taxed |= supported.contains(&xp::string(d, i).as_ref());
            },
        );
    }
    let mut seller_tax_id = false;
    xp::each(
        d,
        n,
        &[
            cac!("AccountingSupplierParty"),
            cac!("Party"),
            cac!("PartyTaxScheme"),
            cbc!("CompanyID"),
        ],
        &mut |c| seller_tax_id |= !xp::blank(&xp::string(d, c)),
    );
    ctx.check(
        &DE_R_016,
        n,
        !taxed || exists(d, n, &[cac!("TaxRepresentativeParty")]) || seller_tax_id,
    );
    // Unique attachment file names (exact comparison with earlier siblings).
    let mut seen: Vec<String> = Vec::new();
    let mut unique = true;
    for adr in kids(d, n, cac!("AdditionalDocumentReference")).collect::<Vec<_>>() {
        let mut names = Vec::new();
        xp::each(
            d,
            adr,
            &[cac!("Attachment"), cbc!("EmbeddedDocumentBinaryObject")],
            &mut |o| {
                if let Some(f) = d.attr(o, "filename") {
                    names.push(f.to_string());
                }
            },
        );
        if names.iter().any(|f| seen.contains(f)) {
            unique = false;
        }
        seen.extend(names);
    }
    ctx.check(&DE_R_022, n, unique);
    ctx.check(&DE_R_001, n, exists(d, n, &[cac!("PaymentMeans")]));
    ctx.check(&DE_R_015, n, has_text(d, n, "BuyerReference"));
    let type_code = |l: &'static str| kid(d, n, cbc(l)).map(|c| norm(&xp::string(d, c)));
    let types = [
        type_code("InvoiceTypeCode"),
        type_code("CreditNoteTypeCode"),
    ];
    let supported = types
        .iter()
        .flatten()
        .any(|t| ["326", "380", "384", "389", "381", "875", "876", "877"].contains(&t.as_str()));
    ctx.check(&DE_R_017, n, supported);
    let corrective = types.iter().flatten().any(|t| t == "384");
    ctx.check(
        &DE_R_026,
        n,
        !corrective
            || exists(
                d,
                n,
                &[cac!("BillingReference"), cac!("InvoiceDocumentReference")],
            ),
    );
    let mandate = exists(d, n, &[cac!("PaymentMeans"), cac!("PaymentMandate")]);
    let sepa = |party: &[xp::Step]| {
        let mut found = false;
        xp::each(d, n, party, &mut |i| {
            found |= d.attr(i, "schemeID") == Some("SEPA")
        });
        found
    };
    let creditor = sepa(&[
        cac!("AccountingSupplierParty"),
        cac!("Party"),
        cac!("PartyIdentification"),
        cbc!("ID"),
    ]) || sepa(&[cac!("PayeeParty"), cac!("PartyIdentification"), cbc!("ID")]);
    ctx.check(&DE_R_030, n, !mandate || creditor);
    let payer = exists(
        d,
        n,
        &[
            cac!("PaymentMeans"),
            cac!("PaymentMandate"),
            cac!("PayerFinancialAccount"),
            cbc!("ID"),
        ],
    );
    ctx.check(&DE_R_031, n, !mandate || payer);
}

#[cfg(test)]
mod tests {
    use super::{skonto, skonto_line};

    #[test]
    fn skonto_lines_follow_the_xrechnung_syntax() {
        assert!(skonto_line("#SKONTO#TAGE=7#PROZENT=2.00#"));
        assert!(skonto_line(
            "#SKONTO#TAGE=7#PROZENT=2.00#BASISBETRAG=-12.50#"
        ));
        assert!(!skonto_line("#SKONTO#TAGE=7#PROZENT=2#"));
        assert!(skonto("#SKONTO#TAGE=7#PROZENT=2.00#\n"));
        assert!(!skonto("#SKONTO#TAGE=7#PROZENT=2.00#"));
        assert!(skonto("no discount"));
    }
}
