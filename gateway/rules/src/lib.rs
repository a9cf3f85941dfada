//! Business rules of EN 16931 (UBL), Peppol BIS Billing 3 and CIUS-RO,
//! reimplemented natively with their official ids, flags and messages.
//!
//! The official Schematron (`.sch`) sources are the specification. Each
//! Schematron *pattern* is one dispatcher that visits every element once (in
//! document order) and runs the first rule whose context matches, exactly as
//! a Schematron processor does; the assertions themselves live in one file
//! per rule family (`en16931/br_core.rs`, `en16931/br_dec.rs`, ...), each a
//! small function findable by its id.
//!
//! Validation is one parse (the hardened `gateway_xml` arena tree) plus one
//! walk over it: no per-rule re-parsing, no XPath engine.
#![forbid(unsafe_code)]

#[macro_use]
mod steps;

mod cius_ro;
pub mod conformance;
mod ctx;
mod en16931;
mod error;
mod fnv;
mod index;
mod peppol;
mod report;
mod rule;
mod select;
mod svrl;
mod xp;

pub use error::Error;
pub use report::{Finding, Report, Syntax};
pub use rule::{Flag, Rule};
pub use select::{RuleSet, Selection};
pub use svrl::to_svrl;

use gateway_xml::{Document, Limits};

/// Parse `bytes` with `limits` and validate with the rule set chosen by `selection`.
pub fn validate(bytes: &[u8], selection: Selection, limits: &Limits) -> Result<Report, Error> {
    let doc = gateway_xml::parse(bytes, limits)?;
    validate_document(&doc, selection)
}

/// Validate an already parsed document.
pub fn validate_document(doc: &Document, selection: Selection) -> Result<Report, Error> {
    let (syntax, document) = report::identify(doc)?;
    let rules = select::resolve(doc, syntax, selection);
    let ix = index::Index::build(doc);
    let mut ctx = ctx::Ctx::new(doc, &ix);
    match syntax {
        Syntax::Ubl => {
            // Every UBL rule set contains the CEN layer (EN 16931 1.3.16).
            let lists = match rules {
                RuleSet::CiusRo => &cius_ro::CIUS_RO_LISTS,
                _ => &en16931::CEN_LISTS,
            };
            en16931::run_ubl(&mut ctx, lists);
            match rules {
                RuleSet::Peppol => peppol::run_ubl(&mut ctx, peppol::Layer::Billing),
                RuleSet::PeppolSelfBilling => peppol::run_ubl(&mut ctx, peppol::Layer::SelfBilling),
                RuleSet::CiusRo => {
                    cius_ro::cen::adjust(&mut ctx);
                    cius_ro::run_ubl(&mut ctx);
                }
                RuleSet::En16931 => {}
            }
        }
        // CII: EN 16931 1.3.16 for CII (there is no Peppol CII artefact to follow).
        Syntax::Cii => en16931::cii::run(&mut ctx),
    }
    ctx.finish(syntax, document, rules)
}

/// Every rule this crate implements, in the order of the official artefacts.
pub fn implemented_rules(rules: RuleSet, syntax: Syntax) -> Vec<&'static Rule> {
    match syntax {
        Syntax::Ubl => {
            let peppol: &[&Rule] = match rules {
                RuleSet::Peppol => &peppol::RULES,
                RuleSet::PeppolSelfBilling => &peppol::SB_RULES,
                RuleSet::CiusRo => cius_ro::RULES,
                RuleSet::En16931 => &[],
            };
            let cen = match rules {
                RuleSet::CiusRo => cius_ro::cen::implemented(),
                _ => en16931::RULES.to_vec(),
            };
            cen.into_iter().chain(peppol.iter().copied()).collect()
        }
        Syntax::Cii => en16931::cii::RULES.to_vec(),
    }
}
