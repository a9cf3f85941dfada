//! Rule-set selection (issue 4): explicit, or `auto` by specification identifier.

use gateway_xml::Document;

use crate::Syntax;

/// A rule set of the official artefacts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuleSet {
    /// EN 16931 1.3.16 core (CEN) for the document's syntax.
    En16931,
    /// Peppol BIS Billing 3.0.21: CEN layer + Peppol layer.
    Peppol,
    /// Peppol self-billing: CEN layer + self-billing layer.
    PeppolSelfBilling,
    /// CIUS-RO 1.0.9: what the official combined artefact checks (CEN + BR-RO-*).
    CiusRo,
}

impl RuleSet {
    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleSet::En16931 => "en16931",
            RuleSet::Peppol => "peppol",
            RuleSet::PeppolSelfBilling => "peppol-sb",
            RuleSet::CiusRo => "cius-ro",
        }
    }

    /// Parse a command-line name.
    pub fn parse(s: &str) -> Option<RuleSet> {
        [
            RuleSet::En16931,
            RuleSet::Peppol,
            RuleSet::PeppolSelfBilling,
            RuleSet::CiusRo,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// How to choose the rule set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Selection {
    /// By the document's specification identifier (`--rules auto`).
    #[default]
    Auto,
    /// This rule set, whatever the document says.
    Explicit(RuleSet),
}

/// Peppol BIS Billing 3.0 specification identifier.
pub const PEPPOL_BILLING: &str =
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0";
/// Peppol self-billing specification identifier.
pub const PEPPOL_SELF_BILLING: &str =
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:selfbilling:3.0";
/// Marker of a CIUS-RO specification identifier.
pub const CIUS_RO: &str = "urn:efactura.mfinante.ro:CIUS-RO";

/// The rule set for `doc` under `selection`.
pub(crate) fn resolve(doc: &Document, syntax: Syntax, selection: Selection) -> RuleSet {
    match selection {
        Selection::Explicit(r) => r,
        Selection::Auto => match syntax {
            Syntax::Cii => RuleSet::En16931,
            Syntax::Ubl => {
                let root = doc.root();
                let cust = doc
                    .elements(root)
                    .find(|&c| doc.is_named(c, cbc!("CustomizationID")))
                    .map(|c| doc.text(c));
                by_customization(cust.as_deref().map(str::trim).unwrap_or(""))
            }
        },
    }
}

fn by_customization(id: &str) -> RuleSet {
    if id.starts_with(PEPPOL_BILLING) {
        RuleSet::Peppol
    } else if id.starts_with(PEPPOL_SELF_BILLING) {
        RuleSet::PeppolSelfBilling
    } else if id.contains(CIUS_RO) {
        RuleSet::CiusRo
    } else {
        RuleSet::En16931
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_picks_by_customization_id() {
        assert_eq!(by_customization(PEPPOL_BILLING), RuleSet::Peppol);
        assert_eq!(
            by_customization(PEPPOL_SELF_BILLING),
            RuleSet::PeppolSelfBilling
        );
        assert_eq!(
            by_customization(
                "urn:cen.eu:en16931:2017#compliant#urn:efactura.mfinante.ro:CIUS-RO:1.0.1"
            ),
            RuleSet::CiusRo
        );
        assert_eq!(
            by_customization("urn:cen.eu:en16931:2017"),
            RuleSet::En16931
        );
        assert_eq!(by_customization(""), RuleSet::En16931);
        for r in ["en16931", "peppol", "peppol-sb", "cius-ro"] {
            assert_eq!(RuleSet::parse(r).map(RuleSet::as_str), Some(r));
        }
    }
}
