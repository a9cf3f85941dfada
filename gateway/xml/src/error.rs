//! The one error type of this crate: what went wrong and where.

/// A parse error with the 1-based line and column where it was detected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {kind}")]
pub struct XmlError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// What went wrong.
    pub kind: XmlErrorKind,
}

/// What went wrong while reading XML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum XmlErrorKind {
    /// A DOCTYPE was found.
    #[error("a document type declaration (DOCTYPE) is not allowed")]
    DocType,
    /// An entity reference other than the predefined five.
    #[error("entity reference &{0}; is not allowed: only &lt; &gt; &amp; &apos; &quot; and character references")]
    Entity(String),
    /// Input larger than [`crate::Limits::max_bytes`].
    #[error("the document has {0} bytes, more than the limit of {1}")]
    TooLarge(usize, usize),
    /// Nesting deeper than [`crate::Limits::max_depth`].
    #[error("elements are nested deeper than the limit of {0}")]
    TooDeep(usize),
    /// More attributes than [`crate::Limits::max_attributes`].
    #[error("an element has more than {0} attributes")]
    TooManyAttributes(usize),
    /// Text longer than [`crate::Limits::max_text_len`].
    #[error("a text or attribute value is longer than the limit of {0} bytes")]
    TextTooLong(usize),
    /// A name longer than [`crate::Limits::max_name_len`].
    #[error("a name is longer than the limit of {0} bytes")]
    NameTooLong(usize),
    /// More nodes than [`crate::Limits::max_nodes`].
    #[error("the document has more than {0} nodes")]
    TooManyNodes(usize),
    /// More namespaces than [`crate::Limits::max_namespaces`].
    #[error("the document uses more than {0} namespaces or namespace declarations in scope")]
    TooManyNamespaces(usize),
    /// Encoding other than UTF-8 / UTF-16.
    #[error("encoding {0:?} is not supported: only UTF-8 and UTF-16 are accepted")]
    UnsupportedEncoding(String),
    /// Declaration does not match the actual encoding.
    #[error("the declaration says encoding {declared:?} but the document is {actual}")]
    EncodingMismatch {
        /// What the declaration says.
        declared: String,
        /// What the bytes are.
        actual: &'static str,
    },
    /// Bytes that are not valid in the encoding.
    #[error("invalid {0} byte sequence")]
    InvalidBytes(&'static str),
    /// A prefix without namespace declaration.
    #[error("namespace prefix {0:?} is not declared")]
    UnboundPrefix(String),
    /// Empty document or no root element.
    #[error("the document has no root element")]
    NoRoot,
    /// Input ends inside an element.
    #[error("unexpected end of document: element <{0}> is not closed")]
    Truncated(String),
    /// Anything after the root element but comments and processing instructions.
    #[error("content after the root element: {0}")]
    AfterRoot(String),
    /// Non-whitespace text outside the root element.
    #[error("text outside the root element")]
    TextOutsideRoot,
    /// Other well-formedness errors reported by the tokenizer.
    #[error("malformed XML: {0}")]
    Malformed(String),
}
