//! One pass over the tree that lists the elements the `//name` expressions
//! of the rules ask for, so no rule scans the whole document again.

use gateway_xml::names::{CAC, CBC};
use gateway_xml::{Document, NodeId, NodeKind};

/// Element names reached by `//` in the rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ix {
    InvoiceLine,
    CreditNoteLine,
    AllowanceCharge,
    TaxTotal,
    AdditionalDocumentReference,
    PartyIdentification,
    PaymentId,
    PaymentMeansCode,
    IdentificationCode,
    TaxCategory,
    ClassifiedTaxCategory,
    AccountingSupplierParty,
    AccountingCustomerParty,
    TaxRepresentativeParty,
    PaymentMeans,
}

const COUNT: usize = 15;

fn classify(ns: &str, local: &str) -> Option<Ix> {
    if ns == CAC {
        Some(match local {
            "InvoiceLine" => Ix::InvoiceLine,
            "CreditNoteLine" => Ix::CreditNoteLine,
            "AllowanceCharge" => Ix::AllowanceCharge,
            "TaxTotal" => Ix::TaxTotal,
            "AdditionalDocumentReference" => Ix::AdditionalDocumentReference,
            "PartyIdentification" => Ix::PartyIdentification,
            "TaxCategory" => Ix::TaxCategory,
            "ClassifiedTaxCategory" => Ix::ClassifiedTaxCategory,
            "AccountingSupplierParty" => Ix::AccountingSupplierParty,
            "AccountingCustomerParty" => Ix::AccountingCustomerParty,
            "TaxRepresentativeParty" => Ix::TaxRepresentativeParty,
            "PaymentMeans" => Ix::PaymentMeans,
            _ => return None,
        })
    } else if ns == CBC {
        Some(match local {
            "PaymentID" => Ix::PaymentId,
            "PaymentMeansCode" => Ix::PaymentMeansCode,
            "IdentificationCode" => Ix::IdentificationCode,
            _ => return None,
        })
    } else {
        None
    }
}

/// Elements by name, in document order, and the element list itself.
#[derive(Default)]
pub(crate) struct Index {
    lists: [Vec<NodeId>; COUNT],
    /// Every element, in document order.
    pub elements: Vec<NodeId>,
}

impl Index {
    pub(crate) fn build(doc: &Document) -> Index {
        let mut ix = Index::default();
        ix.elements.reserve(doc.len() / 2);
        for i in 1..doc.len() {
            let n = NodeId(i as u32);
            if doc.kind(n) != NodeKind::Element {
                continue;
            }
            ix.elements.push(n);
            let name = doc.name(n);
            if let Some(k) = classify(name.ns, name.local) {
                if let Some(v) = ix.lists.get_mut(k as usize) {
                    v.push(n);
                }
            }
        }
        ix
    }

    /// `//name` for an indexed name.
    pub(crate) fn all(&self, k: Ix) -> &[NodeId] {
        self.lists.get(k as usize).map_or(&[], Vec::as_slice)
    }
}
