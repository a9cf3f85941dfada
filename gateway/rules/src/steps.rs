//! `cbc!("ID")`, `cac!("Party")`, `ram!(..)`, `rsm!(..)`, `udt!(..)`: a
//! child step as a constant, so its name key is computed by the compiler and
//! not again on every call (a `const fn` called in a function body runs at
//! run time). Declared before the other modules, which see them without an
//! import; the `const fn`s of the same names in `xp` and `en16931::cii`
//! remain for steps built from a variable.

macro_rules! cbc {
    ($l:literal) => {
        const { $crate::xp::cbc($l) }
    };
}

macro_rules! cac {
    ($l:literal) => {
        const { $crate::xp::cac($l) }
    };
}

macro_rules! ram {
    ($l:literal) => {
        const { $crate::en16931::cii::ram($l) }
    };
}

macro_rules! rsm {
    ($l:literal) => {
        const { $crate::en16931::cii::rsm($l) }
    };
}

macro_rules! udt {
    ($l:literal) => {
        const { $crate::en16931::cii::udt($l) }
    };
}
