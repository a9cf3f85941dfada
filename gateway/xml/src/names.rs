//! Namespace URIs of both syntaxes and their canonical prefixes.

/// UBL Invoice root namespace.
pub const UBL_INVOICE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
/// UBL CreditNote root namespace.
pub const UBL_CREDIT_NOTE: &str = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
/// UBL common basic components.
pub const CBC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
/// UBL common aggregate components.
pub const CAC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
/// UBL common extension components.
pub const EXT: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2";
/// CII root namespace.
pub const RSM: &str = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";
/// CII reusable aggregate business information entities.
pub const RAM: &str =
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100";
/// CII unqualified data types.
pub const UDT: &str = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100";
/// CII qualified data types.
pub const QDT: &str = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100";
/// XML Schema instance.
pub const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// [`CBC`] for [`crate::Name::in_ns`].
pub const CBC_NS: Namespace = Namespace::new(CBC);
/// [`CAC`] for [`crate::Name::in_ns`].
pub const CAC_NS: Namespace = Namespace::new(CAC);
/// [`RAM`] for [`crate::Name::in_ns`].
pub const RAM_NS: Namespace = Namespace::new(RAM);

/// Namespaces with a fixed slot in every [`crate::Document`] (the ones the
/// rules name), so confirming that a node is in one of them compares two
/// integers instead of two 70-byte URIs. Slot 0 is "no namespace".
pub(crate) const KNOWN: [&str; 11] = [
    "",
    UBL_INVOICE,
    UBL_CREDIT_NOTE,
    CBC,
    CAC,
    EXT,
    RSM,
    RAM,
    UDT,
    QDT,
    XSI,
];

/// [`Expanded::slot`] of a namespace outside [`KNOWN`].
pub const NO_SLOT: u8 = u8::MAX;

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Slot of `ns` in [`KNOWN`] ([`NO_SLOT`] for any other namespace).
pub const fn known_slot(ns: &str) -> u8 {
    let mut i = 0;
    while i < KNOWN.len() {
        if str_eq(KNOWN[i], ns) {
            return i as u8;
        }
        i += 1;
    }
    NO_SLOT
}

/// Canonical prefix of a known namespace (for syntax-independent paths).
pub fn canonical_prefix(ns: &str) -> Option<&'static str> {
    Some(match ns {
        CBC => "cbc",
        CAC => "cac",
        EXT => "ext",
        RSM => "rsm",
        RAM => "ram",
        UDT => "udt",
        QDT => "qdt",
        UBL_INVOICE | UBL_CREDIT_NOTE | "" => "",
        XSI => "xsi",
        _ => return None,
    })
}

/// Append a canonical step name (`cac:Party`, `{uri}local` for unknown
/// namespaces) to `out`.
pub fn push_canonical(out: &mut String, ns: &str, local: &str) {
    match canonical_prefix(ns) {
        Some("") => {}
        Some(p) => {
            out.push_str(p);
            out.push(':');
        }
        None => {
            out.push('{');
            out.push_str(ns);
            out.push('}');
        }
    }
    out.push_str(local);
}

/// An element or attribute name fixed when the code is compiled, with its
/// [`name_key`] computed once (by the compiler when it is a constant).
///
/// Matching a node against it compares the key (one integer) first and the
/// strings only when the keys agree, so a scan over children that do not
/// match costs no string comparison at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expanded {
    /// Namespace URI ("" = none).
    pub ns: &'static str,
    /// Local name.
    pub local: &'static str,
    /// `name_key(ns, local)`.
    pub key: u32,
    /// `known_slot(ns)`.
    pub slot: u8,
}

impl Expanded {
    /// The name `{ns}local`.
    pub const fn new(ns: &'static str, local: &'static str) -> Self {
        Expanded {
            ns,
            local,
            key: name_key(ns, local),
            slot: known_slot(ns),
        }
    }
}

/// A namespace with its [`ns_seed`] computed once (by the compiler when it
/// is a constant), so names built from a local name only known at run time
/// hash the local name alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Namespace {
    /// Namespace URI ("" = none).
    pub uri: &'static str,
    /// `ns_seed(uri)`.
    pub seed: u32,
    /// `known_slot(uri)`.
    pub slot: u8,
}

impl Namespace {
    /// No namespace (un-prefixed attributes).
    pub const NONE: Namespace = Namespace::new("");

    /// The namespace `uri`.
    pub const fn new(uri: &'static str) -> Self {
        Namespace {
            uri,
            seed: ns_seed(uri),
            slot: known_slot(uri),
        }
    }

    /// The name `{uri}local`.
    pub const fn name(self, local: &'static str) -> Expanded {
        Expanded {
            ns: self.uri,
            local,
            key: local_key(self.seed, local),
            slot: self.slot,
        }
    }
}

/// A 32-bit FNV-1a hash of a namespace URI and a local name, computed once
/// per distinct name while parsing and at compile time for [`Expanded`]
/// names. Only a filter: equal keys are confirmed by comparing the strings,
/// so a crafted collision costs a comparison, never a wrong answer.
pub const fn name_key(ns: &str, local: &str) -> u32 {
    local_key(ns_seed(ns), local)
}

const FNV_PRIME: u32 = 0x0100_0193;

/// The namespace's part of [`name_key`]: the parser computes it once per
/// namespace, not once per name.
pub const fn ns_seed(ns: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    let n = ns.as_bytes();
    let mut i = 0;
    while i < n.len() {
        h = (h ^ n[i] as u32).wrapping_mul(FNV_PRIME);
        i += 1;
    }
    // A separator byte that cannot occur in UTF-8 keeps "a" + "bc" apart
    // from "ab" + "c".
    (h ^ 0xff).wrapping_mul(FNV_PRIME)
}

/// [`name_key`] from the namespace's [`ns_seed`].
pub const fn local_key(seed: u32, local: &str) -> u32 {
    let mut h = seed;
    let l = local.as_bytes();
    let mut i = 0;
    while i < l.len() {
        h = (h ^ l[i] as u32).wrapping_mul(FNV_PRIME);
        i += 1;
    }
    h
}
