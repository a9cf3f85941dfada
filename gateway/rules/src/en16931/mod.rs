//! EN 16931 1.3.16 for UBL: the three patterns of the official Schematron
//! (`UBL-model`, `UBL-syntax`, `Codesmodel`).

mod br_co;
mod br_core;
mod br_dec;
pub(crate) mod cii;
mod codelists;
pub(crate) use codelists::{CodeLists, CEN_LISTS};
mod codelists_table;
mod forbidden;
mod forbidden_table;
mod model;
mod ubl_syntax;
mod vat;

use crate::ctx::Ctx;
use crate::rule::Rule;

/// Every implemented rule of the CEN UBL layer.
pub(crate) static RULES: std::sync::LazyLock<Vec<&'static Rule>> = std::sync::LazyLock::new(|| {
    [
        br_core::RULES,
        br_co::RULES,
        br_dec::RULES,
        vat::RULES,
        ubl_syntax::RULES,
        forbidden_table::RULES,
        codelists::RULES,
        codelists_table::RULES,
    ]
    .into_iter()
    .flatten()
    .copied()
    .collect()
});

/// The 1.3.16 rule with this id.
pub(crate) fn rule_by_id(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.id == id)
}

/// Runs the CEN layer over a UBL document: one walk, every pattern per
/// element, with the code lists `lists` (1.3.16, or CIUS-RO's older ones).
pub(crate) fn run_ubl(ctx: &mut Ctx<'_>, lists: &CodeLists) {
    let doc = ctx.doc;
    let ix = ctx.ix;
    let facts = vat::Facts::collect(doc, ix);
    let mut forbidden = forbidden::Scan::new();
    for &n in &ix.elements {
        ctx.enter(n);
        model::visit(ctx, n, &facts);
        ubl_syntax::visit(ctx, n);
        codelists::visit(ctx, n, lists);
        forbidden.element(doc, ix, n, ctx.name(n));
    }
    forbidden.finish(ctx);
}
