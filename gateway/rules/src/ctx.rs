//! Evaluation context: the tree plus the fired assertions.

use gateway_xml::{Document, Name, NodeId};

use crate::report::{Finding, Report, Syntax};
use crate::{Error, Flag, Rule, RuleSet};

/// One evaluation over a document. Locations are only rendered for rules
/// that fire, so a clean document costs no string building.
pub(crate) struct Ctx<'d> {
    pub doc: &'d Document,
    pub ix: &'d crate::index::Index<'d>,
    fired: Vec<(&'static Rule, NodeId)>,
    /// The element the walk is at and its name, resolved once for all the
    /// patterns that dispatch on it (each used to resolve it again).
    cur: (NodeId, Name<'d>),
    error: Option<(&'static Rule, NodeId, &'static str)>,
}

impl<'d> Ctx<'d> {
    pub fn new(doc: &'d Document, ix: &'d crate::index::Index<'d>) -> Self {
        Ctx {
            doc,
            ix,
            fired: Vec::new(),
            cur: (doc.root(), ix.name(doc, doc.root())),
            error: None,
        }
    }

    /// Moves the walk to element `n`: its name is resolved here once.
    pub fn enter(&mut self, n: NodeId) {
        self.cur = (n, self.ix.name(self.doc, n));
    }

    /// Name of `n` (from the walk's cache when `n` is the current element).
    pub fn name(&self, n: NodeId) -> Name<'d> {
        if self.cur.0 == n {
            self.cur.1
        } else {
            self.ix.name(self.doc, n)
        }
    }

    /// Records `rule` as fired at `node` unless `ok`.
    pub fn check(&mut self, rule: &'static Rule, node: NodeId, ok: bool) {
        if !ok {
            self.fired.push((rule, node));
        }
    }

    /// Rewrites the fired assertions so far: `f` keeps a rule, replaces it
    /// (same node) or drops it (`None`). For a layer built on an older
    /// release of another (CIUS-RO on its CEN release).
    pub fn rewrite(
        &mut self,
        mut f: impl FnMut(&Document, &'static Rule, NodeId) -> Option<&'static Rule>,
    ) {
        let doc = self.doc;
        self.fired = std::mem::take(&mut self.fired)
            .into_iter()
            .filter_map(|(r, n)| f(doc, r, n).map(|r| (r, n)))
            .collect();
    }

    /// Records that `rule` cannot be evaluated at `node` (the official
    /// stylesheet stops with a dynamic error there). The first one wins.
    pub fn fail(&mut self, rule: &'static Rule, node: NodeId, reason: &'static str) {
        self.error.get_or_insert((rule, node, reason));
    }

    pub fn finish(
        self,
        syntax: Syntax,
        document: &'static str,
        rules: RuleSet,
    ) -> Result<Report, Error> {
        if let Some((rule, node, reason)) = self.error {
            return Err(Error::Unprocessable {
                rule: rule.id,
                location: self.doc.xpath(node),
                reason: reason.to_string(),
            });
        }
        let mut fatal = Vec::new();
        let mut warning = Vec::new();
        for (rule, node) in self.fired {
            let f = Finding {
                id: rule.id,
                flag: rule.flag,
                location: self.doc.xpath(node),
                message: rule.message,
            };
            match rule.flag {
                Flag::Fatal => fatal.push(f),
                Flag::Warning => warning.push(f),
            }
        }
        Ok(Report {
            syntax,
            document,
            rules,
            fatal,
            warning,
        })
    }
}

impl Ctx<'_> {
    /// `xs:decimal(node)` for `rule`: `None` when absent; a value that cannot
    /// be cast makes the document unprocessable (as in the XSLT).
    pub fn dec(&mut self, rule: &'static Rule, n: Option<NodeId>) -> Option<rust_decimal::Decimal> {
        let n = n?;
        match crate::xp::dec_of(self.doc, n) {
            Ok(d) => Some(d),
            Err(()) => {
                self.fail(rule, n, "value is not an xs:decimal");
                None
            }
        }
    }

    /// `sum(nodes/xs:decimal(.))`.
    pub fn sum(
        &mut self,
        rule: &'static Rule,
        nodes: impl IntoIterator<Item = NodeId>,
    ) -> rust_decimal::Decimal {
        let mut total = rust_decimal::Decimal::ZERO;
        for n in nodes {
            if let Some(d) = self.dec(rule, Some(n)) {
                total += d;
            }
        }
        total
    }

    /// `(nodes) >= 0` / `> 0` (general comparison, cast to xs:double).
    pub fn any_num(
        &mut self,
        rule: &'static Rule,
        nodes: impl IntoIterator<Item = NodeId>,
        pred: fn(f64) -> bool,
    ) -> bool {
        let mut any = false;
        for n in nodes {
            match crate::xp::double(&crate::xp::string(self.doc, n)) {
                Some(v) => any |= pred(v),
                None => self.fail(rule, n, "value is not a number"),
            }
        }
        any
    }
}
