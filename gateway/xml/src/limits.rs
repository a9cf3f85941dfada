//! Resource limits for untrusted input.

/// Limits applied while reading. Defaults suit invoices: a 10,000-line
/// invoice is about 13 MB and 15 levels deep, an embedded PDF can be
/// several megabytes of base64 text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Maximum input size in bytes (default 64 MiB; never above 2 GiB).
    pub max_bytes: usize,
    /// Maximum element nesting depth (default 64).
    pub max_depth: usize,
    /// Maximum attributes on one element (default 64).
    pub max_attributes: usize,
    /// Maximum length of one text node or attribute value (default 32 MiB).
    pub max_text_len: usize,
    /// Maximum length of an element or attribute name (default 512).
    pub max_name_len: usize,
    /// Maximum number of nodes (default 4 million).
    pub max_nodes: usize,
    /// Maximum distinct namespace URIs and namespace declarations in scope
    /// at once (default 256; invoices use about ten). Bounds the cost of
    /// resolving a name.
    pub max_namespaces: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 64 << 20,
            max_depth: 64,
            max_attributes: 64,
            max_text_len: 32 << 20,
            max_name_len: 512,
            max_nodes: 4_000_000,
            max_namespaces: 256,
        }
    }
}
