//! The validation result.

use gateway_xml::Document;

use crate::{Error, Flag, RuleSet};

/// The syntax of the validated document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Syntax {
    /// UBL 2.1.
    Ubl,
    /// UN/CEFACT CII D16B.
    Cii,
}

impl Syntax {
    /// Lower-case name as in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            Syntax::Ubl => "ubl",
            Syntax::Cii => "cii",
        }
    }
}

/// One fired assertion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Official rule id.
    pub id: &'static str,
    /// Official flag.
    pub flag: Flag,
    /// XPath of the rule's context node (as SVRL's `location`).
    pub location: String,
    /// Official message.
    pub message: &'static str,
}

/// The result of validating one document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// Syntax of the document.
    pub syntax: Syntax,
    /// Root element local name (`Invoice`, `CreditNote`, `CrossIndustryInvoice`).
    pub document: &'static str,
    /// The rule set applied.
    pub rules: RuleSet,
    /// Fired fatal assertions, in document order per pattern.
    pub fatal: Vec<Finding>,
    /// Fired warnings.
    pub warning: Vec<Finding>,
}

impl Report {
    /// Valid means no fatal finding.
    pub fn is_valid(&self) -> bool {
        self.fatal.is_empty()
    }
}

/// Whether element `n` is a UBL Invoice/CreditNote or a CII invoice.
pub(crate) fn identify_node(doc: &Document, n: gateway_xml::NodeId) -> bool {
    doc.is_named(n, crate::xp::INVOICE)
        || doc.is_named(n, crate::xp::CREDIT_NOTE)
        || doc.is_named(n, rsm!("CrossIndustryInvoice"))
}

/// Syntax and document kind from the root element.
pub(crate) fn identify(doc: &Document) -> Result<(Syntax, &'static str), Error> {
    let r = doc.root();
    if doc.is_named(r, crate::xp::INVOICE) {
        Ok((Syntax::Ubl, "Invoice"))
    } else if doc.is_named(r, crate::xp::CREDIT_NOTE) {
        Ok((Syntax::Ubl, "CreditNote"))
    } else if doc.is_named(r, rsm!("CrossIndustryInvoice")) {
        Ok((Syntax::Cii, "CrossIndustryInvoice"))
    } else {
        let n = doc.name(r);
        Err(Error::UnknownDocument {
            found: format!("{{{}}}{}", n.ns, n.local),
        })
    }
}
