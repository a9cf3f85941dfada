//! Pattern `EN16931-CII-Model`: the rule contexts in their official order.
//! A context's last step names the element, so the dispatch is by local
//! name first, then by the contexts for that name in the official order
//! (the first that matches wins, as in a Schematron processor).

use gateway_xml::names::RAM;
use gateway_xml::names::RAM_NS;
use gateway_xml::{Document, NodeId};
use rust_decimal::Decimal;

use super::{br_co, br_core, br_dec, ram, vat};
use crate::ctx::Ctx;
use crate::index::Index;
use crate::rule::Rule;
use crate::xp::{self, kids, Step};

/// Document-wide facts the `//` and absolute paths of the rules ask for,
/// collected in one pass.
#[derive(Default)]
pub(crate) struct Facts {
    /// `/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement`.
    pub header_settlements: Vec<NodeId>,
    /// `/rsm:…/ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedLineTradeSettlement`.
    pub line_settlements: Vec<NodeId>,
    /// `//ram:IncludedSupplyChainTradeLineItem` exists.
    pub any_line: bool,
    /// `//rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax` exists.
    pub header_tax: bool,
    /// `//ram:TaxPointDate`, `//ram:DueDateTypeCode` exist.
    pub tax_point_date: bool,
    pub due_date_type_code: bool,
    /// Per VAT category code: `//ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax[ram:CategoryCode = X]`,
    /// `//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax[…]`, `//ram:CategoryTradeTax[…]` counts.
    pub line_cats: Vec<(String, usize)>,
    pub head_cats: Vec<(String, usize)>,
    pub ac_cats: Vec<(String, usize)>,
    /// `//ram:CountryID != 'IT'`, `//ram:CategoryCode = 'B'`, `//ram:CategoryCode = 'S'`.
    pub country_not_it: bool,
    pub category_b: bool,
    pub category_s: bool,
    /// `//ram:ApplicableTradeTax[ram:CategoryCode != 'O']`, `//ram:CategoryTradeTax[…]`.
    pub tax_not_o: bool,
    pub ac_tax_not_o: bool,
    /// `/rsm:…/ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode` exists.
    pub billed_unit: bool,
    /// VAT identifiers of the parties (`//` and absolute forms of the rules).
    pub ids: vat::PartyIds,
}

fn bump(v: &mut Vec<(String, usize)>, code: &str) {
    match v.iter_mut().find(|(c, _)| c == code) {
        Some((_, n)) => *n += 1,
        None => v.push((code.to_string(), 1)),
    }
}

/// Counts `x` once for every distinct CategoryCode value among its children
/// (`x[ram:CategoryCode = 'S']` is existential).
fn count_categories(d: &Document, x: NodeId, into: &mut Vec<(String, usize)>) {
    let mut seen: Vec<String> = Vec::new();
    for c in kids(d, x, ram!("CategoryCode")) {
        let v = xp::string(d, c).into_owned();
        if !seen.contains(&v) {
            bump(into, &v);
            seen.push(v);
        }
    }
}

impl Facts {
    pub(crate) fn collect(d: &Document, ix: &Index) -> Facts {
        let mut f = Facts::default();
        let root = d.root();
        for &n in &ix.elements {
            let name = d.name(n);
            if !name.in_ns(RAM_NS) {
                continue;
            }
            let parent = d.parent(n);
            let parent_is = |l: &str| parent.is_some_and(|p| d.is(p, RAM, l));
            match name.local {
                "IncludedSupplyChainTradeLineItem" => f.any_line = true,
                "BilledQuantity" => {
                    f.billed_unit |= d.attr(n, "unitCode").is_some()
                        && abs(
                            d,
                            n,
                            &[
                                rsm!("CrossIndustryInvoice"),
                                rsm!("SupplyChainTradeTransaction"),
                                ram!("IncludedSupplyChainTradeLineItem"),
                                ram!("SpecifiedLineTradeDelivery"),
                            ],
                        )
                }
                "TaxPointDate" => f.tax_point_date = true,
                "DueDateTypeCode" => f.due_date_type_code = true,
                "CountryID" => f.country_not_it |= xp::string(d, n) != "IT",
                "CategoryCode" => {
                    let v = xp::string(d, n);
                    f.category_b |= v == "B";
                    f.category_s |= v == "S";
                }
                "ApplicableHeaderTradeSettlement"
                    if abs(
                        d,
                        n,
                        &[
                            rsm!("CrossIndustryInvoice"),
                            rsm!("SupplyChainTradeTransaction"),
                        ],
                    ) =>
                {
                    f.header_settlements.push(n)
                }
                "SpecifiedLineTradeSettlement"
                    if abs(
                        d,
                        n,
                        &[
                            rsm!("CrossIndustryInvoice"),
                            rsm!("SupplyChainTradeTransaction"),
                            ram!("IncludedSupplyChainTradeLineItem"),
                        ],
                    ) =>
                {
                    f.line_settlements.push(n)
                }
                "ApplicableTradeTax" => {
                    f.tax_not_o |=
                        kids(d, n, ram!("CategoryCode")).any(|c| xp::string(d, c) != "O");
                    if parent_is("SpecifiedLineTradeSettlement") {
                        count_categories(d, n, &mut f.line_cats);
                    } else if parent_is("ApplicableHeaderTradeSettlement") {
                        count_categories(d, n, &mut f.head_cats);
                        f.header_tax |= parent
                            .and_then(|p| d.parent(p))
                            .is_some_and(|g| d.is_named(g, rsm!("SupplyChainTradeTransaction")));
                    }
                }
                "CategoryTradeTax" => {
                    f.ac_tax_not_o |=
                        kids(d, n, ram!("CategoryCode")).any(|c| xp::string(d, c) != "O");
                    count_categories(d, n, &mut f.ac_cats);
                }
                _ => {}
            }
        }
        f.ids = vat::PartyIds::collect(d, ix, root);
        f
    }

    fn count(v: &[(String, usize)], code: &str) -> usize {
        v.iter().find(|(c, _)| c == code).map_or(0, |(_, n)| *n)
    }
    pub(crate) fn line_cat(&self, code: &str) -> usize {
        Self::count(&self.line_cats, code)
    }
    pub(crate) fn head_cat(&self, code: &str) -> usize {
        Self::count(&self.head_cats, code)
    }
    pub(crate) fn ac_cat(&self, code: &str) -> usize {
        Self::count(&self.ac_cats, code)
    }
}

/// Whether `n`'s ancestors are exactly `steps` from the document element
/// down (so `n` is at `/steps…/n`).
pub(crate) fn abs(d: &Document, n: NodeId, steps: &[Step]) -> bool {
    let mut cur = d.parent(n);
    for s in steps.iter().rev() {
        match cur {
            Some(c) if d.is_named(c, *s) => cur = d.parent(c),
            _ => return false,
        }
    }
    cur.is_none_or(|p| d.kind(p) != gateway_xml::NodeKind::Element)
}

/// Whether `n`'s ancestors, nearest first, are named `steps`.
pub(crate) fn under(d: &Document, n: NodeId, steps: &[Step]) -> bool {
    let mut cur = n;
    for s in steps {
        match d.parent(cur) {
            Some(p) if d.is_named(p, *s) => cur = p,
            _ => return false,
        }
    }
    true
}

/// `upper-case(ram:TypeCode) = 'VAT'` on `n`: a single TypeCode (several make
/// the predicate an error, which a Schematron context treats as no match).
pub(crate) fn vat_type(d: &Document, n: NodeId) -> bool {
    let mut it = kids(d, n, ram!("TypeCode"));
    match (it.next(), it.next()) {
        (Some(t), None) => xp::string(d, t).to_uppercase() == "VAT",
        (None, _) => false,
        _ => false,
    }
}

/// `ram:CategoryCode = code` (existential, exact).
pub(crate) fn has_category(d: &Document, n: NodeId, code: &str) -> bool {
    kids(d, n, ram!("CategoryCode")).any(|c| xp::string(d, c) == code)
}

/// `ram:ChargeIndicator/udt:Indicator = want` with the boolean cast
/// (`=true()` / `=false()`); a value that cannot be cast does not match.
pub(crate) fn indicator_is(d: &Document, ac: NodeId, want: bool) -> bool {
    kids(d, ac, ram!("ChargeIndicator")).any(|c| {
        kids(d, c, udt!("Indicator")).any(|i| xp::boolean(&xp::string(d, i)) == Some(want))
    })
}

/// `[udt:Indicator = 'v']` on a ChargeIndicator: string comparison.
fn indicator_text(d: &Document, ci: NodeId, v: &str) -> bool {
    kids(d, ci, udt!("Indicator")).any(|i| xp::string(d, i) == v)
}

/// The VAT category codes in the official order of the allowance/charge and line contexts.
const CATEGORY_ORDER: [&str; 9] = ["AE", "L", "M", "E", "G", "K", "O", "S", "Z"];

pub(crate) fn visit(ctx: &mut Ctx<'_>, n: NodeId, facts: &Facts) {
    let d = ctx.doc;
    let name = ctx.name(n);
    if n == d.root() {
        if d.is_named(n, rsm!("CrossIndustryInvoice")) {
            br_core::root(ctx, n, facts);
            br_co::root(ctx, n);
            vat::root(ctx, n, facts);
        }
        return;
    }
    if !name.in_ns(RAM_NS) {
        return;
    }
    let parent = d.parent(n);
    let parent_is = |l: &str| parent.is_some_and(|p| d.is(p, RAM, l));
    match name.local {
        "DesignatedProductClassification" => br_core::classification(ctx, n),
        "AdditionalReferencedDocument" => br_core::additional_document(ctx, n),
        "ApplicableTradeSettlementFinancialCard" => br_core::card(ctx, n),
        "PayeePartyCreditorFinancialAccount"
            if parent.is_some_and(|p| {
                d.is_named(p, ram!("SpecifiedTradeSettlementPaymentMeans"))
                    && kids(d, p, ram!("TypeCode")).any(|t| {
                        let s = xp::string(d, t);
                        s == "30" || s == "58"
                    })
            }) =>
        {
            br_core::credit_transfer_account(ctx, n)
        }
        "ApplicableHeaderTradeDelivery"
            if abs(
                d,
                n,
                &[
                    rsm!("CrossIndustryInvoice"),
                    rsm!("SupplyChainTradeTransaction"),
                ],
            ) =>
        {
            br_core::delivery(ctx, n)
        }
        "ChargeIndicator" => {
            let in_ac = |level: &'static str| {
                under(d, n, &[ram!("SpecifiedTradeAllowanceCharge"), ram(level)])
            };
            let header = in_ac("ApplicableHeaderTradeSettlement");
            let line = in_ac("SpecifiedLineTradeSettlement");
            let Some(ac) = parent else { return };
            if header && indicator_text(d, n, "false") {
                br_core::doc_allowance(ctx, n, ac);
                br_co::doc_allowance(ctx, n, ac);
                br_dec::doc_allowance(ctx, n, ac);
            } else if header && indicator_text(d, n, "true") {
                br_core::doc_charge(ctx, n, ac);
                br_co::doc_charge(ctx, n, ac);
                br_dec::doc_charge(ctx, n, ac);
            } else if line && indicator_text(d, n, "false") {
                br_core::line_allowance(ctx, n, ac);
                br_co::line_allowance(ctx, n, ac);
                br_dec::line_allowance(ctx, n, ac);
            } else if line && indicator_text(d, n, "true") {
                br_core::line_charge(ctx, n, ac);
                br_co::line_charge(ctx, n, ac);
                br_dec::line_charge(ctx, n, ac);
            }
        }
        "SpecifiedTradeSettlementHeaderMonetarySummation" => {
            br_core::totals(ctx, n, facts);
            br_co::totals(ctx, n, facts);
            br_dec::totals(ctx, n, facts);
        }
        "IncludedSupplyChainTradeLineItem" => {
            br_core::line(ctx, n);
            br_co::line(ctx, n, facts);
            br_dec::line(ctx, n);
        }
        "BillingSpecifiedPeriod" if parent_is("SpecifiedLineTradeSettlement") => {
            br_core::line_period(ctx, n);
            br_co::line_period(ctx, n);
        }
        "BillingSpecifiedPeriod" if parent_is("ApplicableHeaderTradeSettlement") => {
            br_core::period(ctx, n);
            br_co::period(ctx, n);
        }
        "ApplicableProductCharacteristic" => br_core::item_attribute(ctx, n),
        "PayeeTradeParty" => br_core::payee(ctx, n),
        "SpecifiedTradeSettlementPaymentMeans" => br_core::payment_means(ctx, n),
        "InvoiceReferencedDocument"
            if abs(
                d,
                n,
                &[
                    rsm!("CrossIndustryInvoice"),
                    rsm!("SupplyChainTradeTransaction"),
                    ram!("ApplicableHeaderTradeSettlement"),
                ],
            ) =>
        {
            br_core::preceding_invoice(ctx, n)
        }
        "SellerTradeParty" => br_co::seller(ctx, n),
        "SellerTaxRepresentativeTradeParty" => br_core::tax_representative(ctx, n),
        "TaxTotalAmount"
            if parent_is("SpecifiedTradeSettlementHeaderMonetarySummation")
                && d.attr(n, "currencyID").is_some_and(|c| {
                    facts.header_settlements.iter().any(|&s| {
                        kids(d, s, ram!("InvoiceCurrencyCode")).any(|i| xp::string(d, i) == c)
                    })
                }) =>
        {
            br_co::tax_total(ctx, n, facts)
        }
        "ID" if parent_is("SpecifiedTaxRegistration") && d.attr(n, "schemeID") == Some("VA") => {
            br_co::vat_identifier(ctx, n)
        }
        "CategoryCode" => {
            let Some(tax) = parent else { return };
            let header = under(
                d,
                n,
                &[
                    ram!("ApplicableTradeTax"),
                    ram!("ApplicableHeaderTradeSettlement"),
                ],
            );
            if !header {
                return;
            }
            let strict = header
                && under(
                    d,
                    n,
                    &[
                        ram!("ApplicableTradeTax"),
                        ram!("ApplicableHeaderTradeSettlement"),
                        rsm!("SupplyChainTradeTransaction"),
                    ],
                )
                && vat_type(d, tax);
            let v = xp::string(d, n);
            let code = match &*v {
                "AE" | "E" | "G" | "K" if strict => v.into_owned(),
                "S" | "Z" => v.into_owned(),
                _ => return,
            };
            vat::header_category(ctx, n, tax, &code, facts);
        }
        "CategoryTradeTax" => {
            let Some(ac) = parent.filter(|&p| d.is_named(p, ram!("SpecifiedTradeAllowanceCharge")))
            else {
                return;
            };
            if !vat_type(d, n) {
                return;
            }
            let (f, t) = (indicator_is(d, ac, false), indicator_is(d, ac, true));
            for code in CATEGORY_ORDER {
                if has_category(d, n, code) && (f || t) {
                    vat::allowance_category(ctx, n, code, f, facts);
                    return;
                }
            }
        }
        "ApplicableTradeTax" if parent_is("ApplicableHeaderTradeSettlement") => {
            let strict = parent
                .and_then(|p| d.parent(p))
                .is_some_and(|g| d.is_named(g, rsm!("SupplyChainTradeTransaction")));
            if strict && vat_type(d, n) {
                for code in ["L", "M", "O"] {
                    if has_category(d, n, code) {
                        vat::header_tax(ctx, n, code, facts);
                        return;
                    }
                }
            }
            br_core::vat_breakdown(ctx, n);
            br_co::vat_breakdown(ctx, n, facts);
            br_dec::vat_breakdown(ctx, n);
        }
        "ApplicableTradeTax"
            if under(
                d,
                n,
                &[
                    ram!("SpecifiedLineTradeSettlement"),
                    ram!("IncludedSupplyChainTradeLineItem"),
                    rsm!("SupplyChainTradeTransaction"),
                ],
            ) && vat_type(d, n) =>
        {
            for code in CATEGORY_ORDER {
                if has_category(d, n, code) {
                    vat::line_category(ctx, n, code, facts);
                    return;
                }
            }
        }
        _ => {}
    }
}

// ---- value helpers shared by the families ------------------------------

/// `xs:decimal(node)`: `None` when absent; not castable = unprocessable.
pub(crate) fn dec(ctx: &mut Ctx<'_>, rule: &'static Rule, n: Option<NodeId>) -> Option<Decimal> {
    ctx.dec(rule, n)
}

/// Untyped value cast to `xs:double`; not castable = unprocessable.
pub(crate) fn dbl(ctx: &mut Ctx<'_>, rule: &'static Rule, n: NodeId) -> Option<f64> {
    let v = xp::double(&xp::string(ctx.doc, n));
    if v.is_none() {
        ctx.fail(rule, n, "value is not a number");
    }
    v
}

/// A decimal as `xs:double` (for comparisons with untyped values).
pub(crate) fn to_f64(d: Decimal) -> f64 {
    d.to_string().parse().unwrap_or(f64::NAN)
}

/// XPath `round()` on a double: nearest, halves towards positive infinity.
pub(crate) fn round_f64(x: f64) -> f64 {
    (x + 0.5).floor()
}

/// `xs:decimal(double)`, via the shortest representation of the double.
pub(crate) fn f64_to_dec(x: f64) -> Option<Decimal> {
    if !x.is_finite() {
        return None;
    }
    xp::decimal(&format!("{x}"))
}

/// Child elements at `path` below `n`, in document order.
pub(crate) fn all(d: &Document, n: NodeId, path: &[Step]) -> Vec<NodeId> {
    let mut v = Vec::new();
    xp::each(d, n, path, &mut |x| v.push(x));
    v
}

/// The node for a function that takes at most one item (`normalize-space`,
/// `substring-after`, `xs:decimal`, arithmetic …): `Some(None)` when there is
/// none; more than one is a type error that stops the official stylesheet,
/// so the document is unprocessable (`None`).
pub(crate) fn one(
    ctx: &mut Ctx<'_>,
    rule: &'static Rule,
    nodes: &[NodeId],
) -> Option<Option<NodeId>> {
    match nodes {
        [] => Some(None),
        [x] => Some(Some(*x)),
        [_, x, ..] => {
            ctx.fail(
                rule,
                *x,
                "a sequence of more than one item where one is allowed",
            );
            None
        }
    }
}

/// `normalize-space(path) != ''`, with the single-item rule of [`one`].
pub(crate) fn filled1(ctx: &mut Ctx<'_>, rule: &'static Rule, n: NodeId, path: &[Step]) -> bool {
    let nodes = all(ctx.doc, n, path);
    match one(ctx, rule, &nodes) {
        Some(x) => xp::filled(ctx.doc, x),
        None => true,
    }
}

/// `normalize-space(nodes/@attr) != ''`, with the single-item rule of [`one`].
pub(crate) fn attr_filled1(
    ctx: &mut Ctx<'_>,
    rule: &'static Rule,
    nodes: &[NodeId],
    attr: &str,
) -> bool {
    let d = ctx.doc;
    let with: Vec<NodeId> = nodes
        .iter()
        .copied()
        .filter(|&x| d.attr(x, attr).is_some())
        .collect();
    match one(ctx, rule, &with) {
        Some(x) => x
            .and_then(|x| d.attr(x, attr))
            .is_some_and(|s| !xp::blank(s)),
        None => true,
    }
}

/// `upper-case(ram:TypeCode) = 'VAT'` inside an assertion: several type
/// codes are a type error (unprocessable).
pub(crate) fn vat_type1(ctx: &mut Ctx<'_>, rule: &'static Rule, n: NodeId) -> bool {
    let codes: Vec<NodeId> = kids(ctx.doc, n, ram!("TypeCode")).collect();
    match one(ctx, rule, &codes) {
        Some(Some(t)) => xp::string(ctx.doc, t).to_uppercase() == "VAT",
        _ => false,
    }
}

/// `ram:ChargeIndicator/udt:Indicator = want` inside an assertion: each value
/// is cast to `xs:boolean` in turn, and one that cannot be is an error.
pub(crate) fn indicator1(ctx: &mut Ctx<'_>, rule: &'static Rule, ac: NodeId, want: bool) -> bool {
    let d = ctx.doc;
    for c in kids(d, ac, ram!("ChargeIndicator")) {
        for i in kids(d, c, udt!("Indicator")) {
            match xp::boolean(&xp::string(d, i)) {
                Some(b) if b == want => return true,
                Some(_) => {}
                None => {
                    ctx.fail(rule, i, "value is not an xs:boolean");
                    return false;
                }
            }
        }
    }
    false
}

/// A boolean that may be a dynamic error (at a node). Saxon may evaluate the
/// operands of `and` / `or` in either order, so an error only counts when no
/// operand decides the result on its own.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Tri {
    True,
    False,
    Error(NodeId),
}

impl Tri {
    pub(crate) fn of(b: bool) -> Tri {
        if b {
            Tri::True
        } else {
            Tri::False
        }
    }

    pub(crate) fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::Error(n), _) | (_, Tri::Error(n)) => Tri::Error(n),
            _ => Tri::True,
        }
    }

    pub(crate) fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::True, _) | (_, Tri::True) => Tri::True,
            (Tri::Error(n), _) | (_, Tri::Error(n)) => Tri::Error(n),
            _ => Tri::False,
        }
    }

    pub(crate) fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            e => e,
        }
    }

    /// The assertion's outcome: an error makes the document unprocessable.
    pub(crate) fn resolve(self, ctx: &mut Ctx<'_>, rule: &'static Rule) -> bool {
        match self {
            Tri::Error(n) => {
                ctx.fail(
                    rule,
                    n,
                    "a value the expression needs is missing its single item or type",
                );
                true
            }
            t => t == Tri::True,
        }
    }
}

/// `xs:decimal(child)` of the single `local` child: `Ok(None)` when absent,
/// `Err(node)` for several children or a value that is not a decimal.
pub(crate) fn dec_child(
    d: &Document,
    n: NodeId,
    local: &'static str,
) -> Result<Option<Decimal>, NodeId> {
    let mut it = kids(d, n, ram(local));
    match (it.next(), it.next()) {
        (None, _) => Ok(None),
        (Some(x), None) => xp::decimal(&xp::string(d, x)).map(Some).ok_or(x),
        (Some(_), Some(y)) => Err(y),
    }
}

/// `xs:double` of the single `local` child (untyped in arithmetic), as [`dec_child`].
pub(crate) fn dbl_child(
    d: &Document,
    n: NodeId,
    local: &'static str,
) -> Result<Option<f64>, NodeId> {
    let mut it = kids(d, n, ram(local));
    match (it.next(), it.next()) {
        (None, _) => Ok(None),
        (Some(x), None) => xp::double(&xp::string(d, x)).map(Some).ok_or(x),
        (Some(_), Some(y)) => Err(y),
    }
}

/// A comparison of operands that may be empty (false) or errors, the left
/// operand evaluated first (an empty one decides without the right).
pub(crate) fn cmp<A: Copy, B: Copy>(
    a: Result<Option<A>, NodeId>,
    b: Result<Option<B>, NodeId>,
    f: impl Fn(A, B) -> bool,
) -> Tri {
    match (a, b) {
        (Err(n), _) => Tri::Error(n),
        (Ok(None), _) => Tri::False,
        (_, Err(n)) => Tri::Error(n),
        (_, Ok(None)) => Tri::False,
        (Ok(Some(x)), Ok(Some(y))) => Tri::of(f(x, y)),
    }
}
