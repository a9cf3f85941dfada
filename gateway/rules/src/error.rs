//! The error type: input we cannot judge (the official stylesheet could not either).

/// Why a document could not be validated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Not well-formed XML, or over the hardening limits.
    #[error(transparent)]
    Xml(#[from] gateway_xml::XmlError),
    /// The root element is neither a UBL Invoice/CreditNote nor a CII CrossIndustryInvoice.
    #[error("root element {found} is not a UBL 2.1 Invoice or CreditNote nor a CII CrossIndustryInvoice")]
    UnknownDocument {
        /// The root element found, as `{namespace}local`.
        found: String,
    },
    /// The rules for this syntax are not implemented yet: no verdict rather
    /// than a report that would look valid.
    #[error("validation of {syntax} documents is not implemented yet")]
    NotImplemented {
        /// The syntax (`cii`).
        syntax: &'static str,
    },
    /// A value that a rule must evaluate cannot be evaluated: the official
    /// XSLT stops with a dynamic error here (e.g. `xs:decimal('12,5')`).
    #[error("{location}: {rule} cannot be evaluated: {reason}")]
    Unprocessable {
        /// The rule being evaluated.
        rule: &'static str,
        /// XPath of the offending node.
        location: String,
        /// What went wrong.
        reason: String,
    },
}
