//! A rule's identity: official id, flag and message.

/// Schematron `flag`: fatal makes the document invalid, warning does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flag {
    /// `flag="fatal"`.
    Fatal,
    /// `flag="warning"`.
    Warning,
}

/// One assertion of the official artefacts.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// Official id (`BR-01`, `PEPPOL-EN16931-R001`, ...).
    pub id: &'static str,
    /// Official flag.
    pub flag: Flag,
    /// Official message text.
    pub message: &'static str,
}

/// Declares `pub(crate) static NAME: Rule` items and a `RULES` list of them.
macro_rules! rules {
    ($( $name:ident = $id:literal, $flag:ident, $msg:literal; )*) => {
        $(
            pub(crate) static $name: $crate::rule::Rule = $crate::rule::Rule {
                id: $id,
                flag: $crate::rule::Flag::$flag,
                message: $msg,
            };
        )*
        /// The rules of this family.
        pub(crate) static RULES: &[&$crate::rule::Rule] = &[$(&$name),*];
    };
}
pub(crate) use rules;
