//! Pattern `EN16931-CII-Syntax` (CII-SR-*, CII-DT-*). The contexts and the
//! plain path tests are data (`syntax_table.rs`, generated from the official
//! `.sch`); the tests of any other form are written here, by rule id.

use gateway_xml::names::RAM_NS;
use std::collections::HashMap;
use std::sync::LazyLock;

use gateway_xml::names::{RAM, RSM, UDT};
use gateway_xml::{Document, Name, NodeId};

use super::model::Facts;
use super::ram;
use super::syntax_table::{CONTEXTS, TABLE};
use crate::ctx::Ctx;
use crate::rule::Rule;
use crate::xp::{self, each, exists, kids, Step};

/// The test of one assertion.
#[derive(Debug)]
pub(crate) enum Check {
    /// `not(path)` or `not(path/@attr)` (`path` may be empty: `not(@attr)`).
    Absent(&'static [Step], Option<&'static str>),
    /// `count(path) <= 1`.
    AtMostOne(&'static [Step]),
    /// `count(path) = 1`.
    ExactlyOne(&'static [Step]),
    /// `(path)`: exists.
    Present(&'static [Step]),
    /// Any other form: [`custom`].
    Custom,
}

/// How a rule context matches an element.
enum Matcher {
    /// Union of location paths: (anchored at the root, steps).
    Paths(Vec<(bool, Vec<(&'static str, &'static str)>)>),
    /// `//*[ends-with(name(), suffix)]` (`ram` only unless `any_ns`), minus `except`.
    Suffix {
        any_ns: bool,
        suffix: &'static str,
        except: Option<&'static str>,
    },
    /// `//udt:DateTimeString[@format = '102']`.
    DateString102,
}

/// The rule contexts in their official order, with the assertions of each.
pub(crate) struct Contexts {
    matchers: Vec<Matcher>,
    asserts: Vec<Vec<(&'static Rule, &'static Check)>>,
    /// Contexts that can match an element of a local name (path contexts,
    /// by their last step), in order.
    by_local: HashMap<&'static str, Vec<usize>>,
    /// Contexts that can match any name (suffix and `udt` tests), in order.
    any_name: Vec<usize>,
    /// Per context: the path assertions by the local name of their first
    /// step, so one pass over the children counts what every path reaches.
    first_step: Vec<HashMap<&'static str, Vec<usize>>>,
}

static CONTEXTS_BUILT: LazyLock<Contexts> = LazyLock::new(Contexts::build);

fn ns_of(prefix: &str) -> &'static str {
    match prefix {
        "rsm" => RSM,
        "udt" => UDT,
        _ => RAM,
    }
}

fn parse_path(p: &'static str) -> Option<(bool, Vec<(&'static str, &'static str)>)> {
    let (anchored, rest) = match p.strip_prefix("//") {
        Some(r) => (false, r),
        None => (true, p.strip_prefix('/')?),
    };
    let mut steps = Vec::new();
    for s in rest.split('/') {
        let (prefix, local) = s.split_once(':')?;
        if local.contains(['[', '*', '(']) {
            return None;
        }
        steps.push((ns_of(prefix), local));
    }
    Some((anchored, steps))
}

impl Contexts {
    pub(crate) fn get() -> &'static Contexts {
        &CONTEXTS_BUILT
    }

    fn build() -> Contexts {
        let matchers: Vec<Matcher> = CONTEXTS
            .iter()
            .map(|&c| {
                let paths: Option<Vec<_>> = c.split(" | ").map(|p| parse_path(p.trim())).collect();
                if let Some(p) = paths {
                    return Matcher::Paths(p);
                }
                let suffix = |s| c.contains(&format!("ends-with(name(), '{s}')"));
                if c == "//udt:DateTimeString[@format = '102']" {
                    Matcher::DateString102
                } else if suffix("DocumentContextParameter") {
                    Matcher::Suffix {
                        any_ns: true,
                        suffix: "DocumentContextParameter",
                        except: None,
                    }
                } else if suffix("Amount") {
                    Matcher::Suffix {
                        any_ns: false,
                        suffix: "Amount",
                        except: Some("TaxTotalAmount"),
                    }
                } else {
                    let s = ["ReferencedDocument", "Quantity", "TradeTax", "ID"]
                        .into_iter()
                        .find(|s| suffix(s))
                        .unwrap_or("\u{0}unmatched");
                    Matcher::Suffix {
                        any_ns: false,
                        suffix: s,
                        except: None,
                    }
                }
            })
            .collect();
        let mut asserts = vec![Vec::new(); CONTEXTS.len()];
        for (i, rule, check) in TABLE {
            if let Some(v) = asserts.get_mut(*i) {
                v.push((*rule, check));
            }
        }
        let mut by_local: HashMap<&'static str, Vec<usize>> = HashMap::new();
        let mut any_name = Vec::new();
        for (i, m) in matchers.iter().enumerate() {
            match m {
                Matcher::Paths(paths) => {
                    for (_, steps) in paths {
                        if let Some(&(_, local)) = steps.last() {
                            let v = by_local.entry(local).or_default();
                            if v.last() != Some(&i) {
                                v.push(i);
                            }
                        }
                    }
                }
                _ => any_name.push(i),
            }
        }
        let first_step = asserts
            .iter()
            .map(|list| {
                let mut m: HashMap<&'static str, Vec<usize>> = HashMap::new();
                for (j, (_, check)) in list.iter().enumerate() {
                    if let Some(local) = path_of(check).and_then(|p| p.first()).map(|s| s.local) {
                        m.entry(local).or_default().push(j);
                    }
                }
                m
            })
            .collect();
        Contexts {
            matchers,
            asserts,
            by_local,
            any_name,
            first_step,
        }
    }

    /// Runs the assertions of the first context matching `n`.
    pub(crate) fn visit(&self, ctx: &mut Ctx<'_>, n: NodeId, facts: &Facts) {
        let d = ctx.doc;
        let name = ctx.name(n);
        // The candidates of both lists, merged in the official order.
        let named = self.by_local.get(name.local).map_or(&[][..], Vec::as_slice);
        let (mut a, mut b) = (named.iter().peekable(), self.any_name.iter().peekable());
        let found = loop {
            let next = match (a.peek(), b.peek()) {
                (Some(&&x), Some(&&y)) if x < y => a.next(),
                (Some(_), Some(_)) | (None, Some(_)) => b.next(),
                (Some(_), None) => a.next(),
                (None, None) => break None,
            };
            if let Some(&i) = next {
                if self.matchers.get(i).is_some_and(|m| matches(d, n, name, m)) {
                    break Some(i);
                }
            }
        };
        let Some(i) = found else {
            return;
        };
        let asserts = self.asserts.get(i).map_or(&[][..], Vec::as_slice);
        // How many nodes each path assertion reaches, from one pass over the children.
        let mut reached = vec![0usize; asserts.len()];
        if let Some(first) = self.first_step.get(i).filter(|m| !m.is_empty()) {
            for c in d.elements(n) {
                let name = d.name(c);
                let Some(list) = first.get(name.local) else {
                    continue;
                };
                for &j in list {
                    let (Some((_, check)), Some(slot)) = (asserts.get(j), reached.get_mut(j))
                    else {
                        continue;
                    };
                    let Some((&Step { ns, .. }, rest)) =
                        path_of(check).and_then(|p| p.split_first())
                    else {
                        continue;
                    };
                    if name.ns != ns {
                        continue;
                    }
                    let attr = match check {
                        Check::Absent(_, attr) => *attr,
                        _ => None,
                    };
                    each(d, c, rest, &mut |x| {
                        *slot += usize::from(attr.is_none_or(|a| d.attr(x, a).is_some()));
                    });
                }
            }
        }
        for (j, &(rule, check)) in asserts.iter().enumerate() {
            let k = reached.get(j).copied().unwrap_or(0);
            let ok = match check {
                Check::Absent([], attr) => attr.is_none_or(|a| d.attr(n, a).is_none()),
                Check::Absent(..) => k == 0,
                Check::AtMostOne(_) => k <= 1,
                Check::ExactlyOne(_) => k == 1,
                Check::Present(_) => k > 0,
                Check::Custom => custom(ctx, rule, n, facts),
            };
            ctx.check(rule, n, ok);
        }
    }
}

/// The path of a path assertion.
fn path_of(check: &Check) -> Option<&'static [Step]> {
    match check {
        Check::Absent(p, _) | Check::AtMostOne(p) | Check::ExactlyOne(p) | Check::Present(p) => {
            Some(p)
        }
        Check::Custom => None,
    }
}

fn matches(d: &Document, n: NodeId, name: Name<'_>, m: &Matcher) -> bool {
    match m {
        Matcher::Paths(paths) => paths.iter().any(|(anchored, steps)| {
            let mut cur = Some(n);
            for &(ns, local) in steps.iter().rev() {
                match cur {
                    Some(c) if d.is(c, ns, local) => cur = d.parent(c),
                    _ => return false,
                }
            }
            // Anchored: the first step was the document element.
            !anchored || cur.is_none_or(|p| d.kind(p) != gateway_xml::NodeKind::Element)
        }),
        Matcher::Suffix {
            any_ns,
            suffix,
            except,
        } => {
            (*any_ns || name.in_ns(RAM_NS))
                && name.local.ends_with(suffix)
                && except.is_none_or(|e| name.local != e)
        }
        Matcher::DateString102 => {
            d.is_named(n, udt!("DateTimeString")) && d.attr(n, "format") == Some("102")
        }
    }
}

fn count(d: &Document, n: NodeId, path: &[Step]) -> usize {
    let mut c = 0;
    each(d, n, path, &mut |_| c += 1);
    c
}

/// `ram:TypeCode = v` (existential, exact).
fn type_code_is(d: &Document, n: NodeId, v: &str) -> bool {
    kids(d, n, ram!("TypeCode")).any(|t| xp::string(d, t) == v)
}

/// `normalize-space(ram:TypeCode) = v` on a single TypeCode (more than one
/// cannot be normalised; such a document is not valid CII anyway).
/// `normalize-space(ram:TypeCode) = v`: several type codes are a type error.
fn type_code_norm(ctx: &mut Ctx<'_>, rule: &'static Rule, n: NodeId, v: &str) -> bool {
    let codes: Vec<NodeId> = kids(ctx.doc, n, ram!("TypeCode")).collect();
    match super::model::one(ctx, rule, &codes) {
        Some(Some(t)) => xp::norm_eq(ctx.doc, t, v),
        _ => false,
    }
}

/// `(not(P/ID) and P/GlobalID) or (P/ID and not(P/GlobalID)) or (not(P/ID) and not(P/GlobalID))`:
/// not both an ID and a global ID.
fn id_or_global(d: &Document, n: NodeId, party: &'static str) -> bool {
    !(exists(d, n, &[ram(party), ram!("ID")]) && exists(d, n, &[ram(party), ram!("GlobalID")]))
}

fn all_same_normalized(d: &Document, nodes: &[NodeId]) -> bool {
    let norm = |x: NodeId| {
        xp::string(d, x)
            .split([' ', '\t', '\r', '\n'])
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    match nodes.split_first() {
        None => true,
        Some((&f, rest)) => {
            let first = norm(f);
            rest.iter().all(|&x| norm(x) == first)
        }
    }
}

/// The assertions whose test is not a plain path form, by id.
fn custom(ctx: &mut Ctx<'_>, rule: &'static Rule, n: NodeId, facts: &Facts) -> bool {
    let d = ctx.doc;
    let ref_docs = |pred: &dyn Fn(NodeId) -> bool| {
        kids(d, n, ram!("AdditionalReferencedDocument"))
            .filter(|&r| pred(r))
            .count()
    };
    match rule.id {
        "CII-SR-046" => {
            !exists(d, n, &[ram!("GlobalID")])
                || kids(d, n, ram!("GlobalID")).any(|g| d.attr(g, "schemeID").is_some())
        }
        "CII-SR-090" => {
            !exists(d, n, &[ram!("OriginTradeCountry")])
                || count(d, n, &[ram!("OriginTradeCountry"), ram!("ID")]) == 1
        }
        "CII-SR-119" => {
            let ac = [
                ram!("GrossPriceProductTradePrice"),
                ram!("AppliedTradeAllowanceCharge"),
            ];
            let mut charges = Vec::new();
            each(d, n, &[ac[0], ac[1]], &mut |x| charges.push(x));
            // `ChargeIndicator[udt:Indicator = false()]`: each value cast to xs:boolean.
            let mut allowance = false;
            for c in charges {
                allowance |= super::model::indicator1(ctx, rule, c, false);
            }
            let amount = exists(d, n, &[ac[0], ac[1], ram!("ActualAmount")]);
            let indicator = exists(d, n, &[ac[0], ac[1], ram!("ChargeIndicator")]);
            (allowance && amount) || (!indicator && !amount)
        }
        "CII-SR-474" => {
            let docs: Vec<NodeId> = kids(d, n, ram!("AdditionalReferencedDocument")).collect();
            docs.into_iter()
                .filter(|&r| type_code_norm(ctx, rule, r, "130"))
                .count()
                <= 1
        }
        "CII-SR-457" => ref_docs(&|r| type_code_is(d, r, "50")) <= 1,
        "CII-SR-458" => ref_docs(&|r| type_code_is(d, r, "130")) <= 1,
        "CII-SR-475" | "CII-SR-476" => {
            let child = if rule.id == "CII-SR-475" {
                "Name"
            } else {
                "AttachmentBinaryObject"
            };
            let docs: Vec<NodeId> = kids(d, n, ram!("AdditionalReferencedDocument")).collect();
            docs.into_iter()
                .filter(|&r| type_code_norm(ctx, rule, r, "916"))
                .map(|r| kids(d, r, ram(child)).count())
                .sum::<usize>()
                <= 1
        }
        "CII-SR-449" => id_or_global(d, n, "ShipToTradeParty"),
        "CII-SR-450" => id_or_global(d, n, "BuyerTradeParty"),
        "CII-SR-451" => id_or_global(d, n, "PayeeTradeParty"),
        "CII-SR-455" => {
            count(
                d,
                n,
                &[ram!("SellerTradeParty"), ram!("DefinedTradeContact")],
            ) <= 1
        }
        "CII-SR-456" => {
            count(
                d,
                n,
                &[ram!("BuyerTradeParty"), ram!("DefinedTradeContact")],
            ) <= 1
        }
        "CII-SR-465" | "CII-SR-466" => {
            let p = if rule.id == "CII-SR-465" {
                "SellerTradeParty"
            } else {
                "BuyerTradeParty"
            };
            !(exists(
                d,
                n,
                &[ram(p), ram!("DefinedTradeContact"), ram!("PersonName")],
            ) && exists(
                d,
                n,
                &[ram(p), ram!("DefinedTradeContact"), ram!("DepartmentName")],
            ))
        }
        "CII-SR-462" => {
            // count(//ram:ApplicableTradeTax/ram:DueDateTypeCode) = 0 or one distinct value.
            let mut codes: Vec<String> = Vec::new();
            for &t in &ctx.ix.elements {
                if d.is_named(t, ram!("DueDateTypeCode"))
                    && d.parent(t)
                        .is_some_and(|p| d.is_named(p, ram!("ApplicableTradeTax")))
                {
                    let v = xp::string(d, t).into_owned();
                    if !codes.contains(&v) {
                        codes.push(v);
                    }
                }
            }
            codes.len() <= 1
        }
        "CII-SR-470" => {
            use super::model::Tri;
            let type_is = |m: NodeId, v: &str| {
                let mut it = kids(d, m, ram!("TypeCode"));
                match (it.next(), it.next()) {
                    (Some(t), None) => Tri::of(xp::norm_eq(d, t, v)),
                    (None, _) => Tri::of(v.is_empty()),
                    (Some(_), Some(t)) => Tri::Error(t),
                }
            };
            let account = [ram!("PayeePartyCreditorFinancialAccount")];
            let mut none = Tri::True;
            for m in kids(d, n, ram!("SpecifiedTradeSettlementPaymentMeans")) {
                let has_account = exists(d, m, &[account[0], ram!("IBANID")])
                    || exists(d, m, &[account[0], ram!("ProprietaryID")]);
                let bad = type_is(m, "30")
                    .or(type_is(m, "58"))
                    .and(Tri::of(!has_account));
                none = none.and(bad.not());
            }
            none.resolve(ctx, rule)
        }
        "CII-SR-467" | "CII-SR-468" => {
            let child = if rule.id == "CII-SR-467" {
                "TypeCode"
            } else {
                "Information"
            };
            let nodes: Vec<NodeId> = ctx
                .ix
                .elements
                .iter()
                .copied()
                .filter(|&x| {
                    d.is(x, RAM, child)
                        && d.parent(x).is_some_and(|p| {
                            d.is_named(p, ram!("SpecifiedTradeSettlementPaymentMeans"))
                        })
                })
                .collect();
            all_same_normalized(d, &nodes)
        }
        "CII-SR-469" => {
            ctx.ix
                .elements
                .iter()
                .filter(|&&x| {
                    d.is_named(x, ram!("PaymentReference"))
                        && d.parent(x)
                            .is_some_and(|p| d.is_named(p, ram!("ApplicableHeaderTradeSettlement")))
                })
                .count()
                <= 1
        }
        "CII-DT-015" | "CII-DT-021" | "CII-DT-022" | "CII-DT-024" => {
            let (child, code) = match rule.id {
                "CII-DT-015" => ("URIID", "916"),
                "CII-DT-021" => ("Name", "916"),
                "CII-DT-022" => ("AttachmentBinaryObject", "916"),
                _ => ("ReferenceTypeCode", "130"),
            };
            !exists(d, n, &[ram(child)])
                || (d.is_named(n, ram!("AdditionalReferencedDocument")) && type_code_is(d, n, code))
        }
        "CII-DT-018" => {
            !exists(d, n, &[ram!("TypeCode")])
                || (d.is_named(n, ram!("AdditionalReferencedDocument"))
                    && ["50", "130", "916"].iter().any(|c| type_code_is(d, n, c)))
        }
        "CII-DT-027" => {
            !exists(d, n, &[ram!("FormattedIssueDateTime")])
                || d.is_named(n, ram!("InvoiceReferencedDocument"))
        }
        "CII-DT-033" => d.attr(n, "unitCode").is_none() || facts.billed_unit,
        "CII-DT-037" => !exists(d, n, &[ram!("TypeCode")]) || type_code_is(d, n, "VAT"),
        "CII-DT-041" | "CII-DT-054" | "CII-DT-058" => {
            let child = match rule.id {
                "CII-DT-041" => "BasisAmount",
                "CII-DT-054" => "TaxPointDate",
                _ => "DueDateTypeCode",
            };
            !exists(d, n, &[ram(child)]) || has_ancestor(d, n, "ApplicableHeaderTradeSettlement")
        }
        "CII-DT-052" | "CII-DT-098" => {
            let child = if rule.id == "CII-DT-052" {
                "ExemptionReasonCode"
            } else {
                "ExemptionReason"
            };
            !exists(d, n, &[ram(child)]) || d.is_named(n, ram!("ApplicableTradeTax"))
        }
        "CII-DT-097" => is_yyyymmdd(&xp::string(d, n)),
        _ => {
            debug_assert!(false, "no hand-written test for {}", rule.id);
            true
        }
    }
}

fn has_ancestor(d: &Document, n: NodeId, local: &str) -> bool {
    let mut cur = d.parent(n);
    while let Some(c) = cur {
        if d.is(c, RAM, local) {
            return true;
        }
        cur = d.parent(c);
    }
    false
}

/// `matches(., '^\s*(\d{4})(1[0-2]|0[1-9]){1}(3[01]|[12][0-9]|0[1-9]){1}\s*$')`.
fn is_yyyymmdd(s: &str) -> bool {
    let t = s.trim_matches([' ', '\t', '\r', '\n']);
    let b = t.as_bytes();
    if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let m = (b[4] - b'0') * 10 + (b[5] - b'0');
    let day = (b[6] - b'0') * 10 + (b[7] - b'0');
    (1..=12).contains(&m) && (1..=31).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_custom_test_is_written() {
        // A document where every context matches nothing still exercises the
        // dispatch by id: each Custom id must have its own arm.
        let src = include_str!("syntax.rs");
        for (_, rule, check) in TABLE {
            if matches!(check, Check::Custom) {
                assert!(
                    src.contains(&format!("\"{}\"", rule.id)),
                    "{} has no test",
                    rule.id
                );
            }
        }
        assert_eq!(Contexts::get().matchers.len(), CONTEXTS.len());
    }

    #[test]
    fn yyyymmdd_follows_the_official_pattern() {
        assert!(is_yyyymmdd(" 20240131\n"));
        assert!(!is_yyyymmdd("20241301"));
        assert!(!is_yyyymmdd("2024-01-31"));
        assert!(!is_yyyymmdd("20240100"));
    }
}
