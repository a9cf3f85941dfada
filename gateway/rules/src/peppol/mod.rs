//! Peppol BIS Billing 3.0.21 (release 2026.5), the Peppol layer run after
//! the CEN layer for `RuleSet::Peppol`.

mod codes;
mod codes_table;
mod common;
mod en16931_r;
mod lines;
mod national_de;
mod national_dk;
mod national_gr;
mod national_is;
mod national_nl;
mod national_no_it;
mod national_se;
mod self_billing;

pub(crate) use self_billing::{Layer, SB_RULES};

use crate::ctx::Ctx;
use crate::rule::Rule;

/// Every implemented rule of the Peppol layer.
pub(crate) static RULES: std::sync::LazyLock<Vec<&'static Rule>> = std::sync::LazyLock::new(|| {
    en16931_r::RULES
        .iter()
        .chain(common::RULES)
        .chain(lines::RULES)
        .chain(national_dk::RULES)
        .chain(codes::RULES)
        .chain(national_se::RULES)
        .chain(national_no_it::RULES)
        .chain(national_nl::RULES)
        .chain(national_de::RULES)
        .chain(national_gr::RULES)
        .chain(national_is::RULES)
        .copied()
        .collect()
});

/// Runs the Peppol layer (`Layer::SelfBilling`: the self-billing
/// Schematron, which has no national rules): one walk, each pattern per element.
pub(crate) fn run_ubl(ctx: &mut Ctx<'_>, layer: Layer) {
    let ix = ctx.ix;
    let doc = en16931_r::DocFacts::collect(ctx.doc, layer);
    let code_facts = codes::Facts::collect(ctx.doc, layer);
    if layer == Layer::SelfBilling {
        for &n in &ix.elements {
            ctx.enter(n);
            en16931_r::empty_elements(ctx, n);
            en16931_r::visit(ctx, n, &doc);
            common::visit(ctx, n);
            codes::visit(ctx, n, &code_facts);
        }
        return;
    }
    national_dk::document(ctx);
    national_se::check(ctx);
    national_se::check_payments(ctx);
    national_no_it::check(ctx);
    national_is::check(ctx);
    let nl = national_nl::Facts::collect(ctx.doc);
    let dk = national_dk::both_danish(ctx.doc);
    let de = national_de::both_german(ctx.doc);
    let gr = national_gr::Facts::collect(ctx.doc);
    for &n in &ix.elements {
        ctx.enter(n);
        en16931_r::empty_elements(ctx, n);
        en16931_r::visit(ctx, n, &doc);
        common::visit(ctx, n);
        codes::visit(ctx, n, &code_facts);
        national_nl::visit(ctx, n, &nl);
        if dk {
            national_dk::visit(ctx, n);
        }
        if de {
            national_de::visit(ctx, n);
        }
        national_gr::visit(ctx, n, &gr);
    }
}
