//! One pass over the tree that lists the elements the `//name` expressions
//! of the rules ask for, so no rule scans the whole document again.

use gateway_xml::names::{CAC, CBC};
use gateway_xml::{Document, Name, NodeId};

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

fn classify(name: &Name<'_>) -> Option<Ix> {
    let (ns, local) = (name.ns, name.local);
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

/// Elements by name, in document order, the element list itself and the
/// document's names resolved once.
#[derive(Default)]
pub(crate) struct Index<'d> {
    lists: [Vec<NodeId>; COUNT],
    /// Every element, in document order.
    pub elements: Vec<NodeId>,
    /// `Document::distinct_names`, for [`Index::name`].
    names: Vec<Name<'d>>,
}

impl<'d> Index<'d> {
    pub(crate) fn build(doc: &'d Document) -> Index<'d> {
        let mut ix = Index {
            names: doc.distinct_names(),
            ..Index::default()
        };
        // Classified once per distinct name, not once per element.
        let kinds: Vec<Option<Ix>> = ix.names.iter().map(classify).collect();
        ix.elements.reserve(doc.len() / 2);
        for i in 1..doc.len() {
            let n = NodeId(i as u32);
            let Some(name) = doc.name_index(n) else {
                continue;
            };
            ix.elements.push(n);
            if let Some(&Some(k)) = kinds.get(name) {
                if let Some(v) = ix.lists.get_mut(k as usize) {
                    v.push(n);
                }
            }
        }
        ix
    }

    /// Name of element `n` from the resolved names (`doc` is the indexed
    /// document).
    #[inline]
    pub(crate) fn name(&self, doc: &'d Document, n: NodeId) -> Name<'d> {
        doc.name_index(n)
            .and_then(|i| self.names.get(i).copied())
            .unwrap_or_else(|| doc.name(n))
    }

    /// `//name` for an indexed name.
    pub(crate) fn all(&self, k: Ix) -> &[NodeId] {
        self.lists.get(k as usize).map_or(&[], Vec::as_slice)
    }
}
