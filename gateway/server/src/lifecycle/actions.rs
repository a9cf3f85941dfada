//! What needs a member's action, for the report e-mail: the e-mail module's [`ActionSource`]
//! over the lifecycle's queries.
use std::sync::Arc;

use async_trait::async_trait;
use gateway_store::{
    states, Direction, DocumentFilter, DocumentRow, ListRequest, ReportFrequency, SortBy, Store,
    Visibility,
};

use crate::email::report::{ActionItem, ActionSource, Frequency, Subscription};
use crate::Error;

/// At most this many documents of each kind are listed in one report.
const PER_KIND: u32 = 200;

pub struct LifecycleActions {
    pub store: Arc<dyn Store>,
}

impl LifecycleActions {
    async fn rows(&self, filter: DocumentFilter, sort: SortBy) -> Result<Vec<DocumentRow>, Error> {
        let page = self
            .store
            .list_rows(
                &Visibility::All,
                &ListRequest {
                    filter,
                    sort,
                    descending: false,
                    limit: PER_KIND,
                    after: None,
                },
            )
            .await?;
        Ok(page.items)
    }
}

fn counterparty(r: &DocumentRow) -> String {
    r.counterparty_name
        .clone()
        .or_else(|| r.counterparty_id.clone())
        .unwrap_or_else(|| "(unknown)".into())
}

fn number(r: &DocumentRow) -> String {
    r.invoice_number
        .clone()
        .unwrap_or_else(|| r.document.id.clone())
}

fn amount(r: &DocumentRow) -> Option<String> {
    r.total.as_ref().map(|t| match &r.currency {
        Some(c) => format!("{c} {t}"),
        None => t.clone(),
    })
}

#[async_trait]
impl ActionSource for LifecycleActions {
    async fn subscriptions(&self) -> Result<Vec<Subscription>, Error> {
        let mut out = Vec::new();
        for company in self.store.list_companies(&Visibility::All).await? {
            let settings = self.store.settings(&company.id).await?;
            let (Some(email), Some(frequency)) =
                (settings.reporting_email, settings.reporting_frequency)
            else {
                continue;
            };
            out.push(Subscription {
                company_id: company.id,
                company_name: company.legal_name,
                email,
                frequency: match frequency {
                    ReportFrequency::Daily => Frequency::Daily,
                    ReportFrequency::Weekly => Frequency::Weekly,
                },
            });
        }
        Ok(out)
    }

    async fn items(&self, company_id: &str) -> Result<Vec<ActionItem>, Error> {
        let mut items = Vec::new();
        let of = |direction: Direction, states: &[&str]| DocumentFilter {
            company: Some(company_id.into()),
            direction: Some(direction),
            states: states.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        // Purchases nobody has accepted or refused yet.
        let review = of(
            Direction::Purchase,
            &[states::RECEIVED, states::NEEDS_REVIEW],
        );
        for r in self.rows(review, SortBy::Created).await? {
            items.push(ActionItem::Review {
                document_id: r.document.id.clone(),
                counterparty: counterparty(&r),
                number: r.invoice_number.clone(),
                total: amount(&r),
            });
        }
        // Sales whose delivery failed.
        for r in self
            .rows(of(Direction::Sales, &[states::SENT]), SortBy::Created)
            .await?
            .into_iter()
            .filter(|r| r.delivery_status.as_deref() == Some("failed"))
        {
            let detail = self
                .store
                .document_detail(&Visibility::All, &r.document.id)
                .await?;
            let failed = detail
                .iter()
                .flat_map(|d| &d.deliveries)
                .find(|d| d.status == gateway_store::DeliveryStatus::Failed);
            items.push(ActionItem::DeliveryFailed {
                document_id: r.document.id.clone(),
                counterparty: counterparty(&r),
                number: number(&r),
                channel: failed
                    .map(|d| d.channel.to_string())
                    .unwrap_or_else(|| "?".into()),
                reason: failed
                    .and_then(|d| d.reason.clone())
                    .or(r.status_reason.clone())
                    .unwrap_or_default(),
            });
        }
        // Invoices past their due date: receivables sent, payables accepted, not booked as paid.
        let yesterday = (chrono::Utc::now().date_naive() - chrono::Days::new(1))
            .format("%Y-%m-%d")
            .to_string();
        for (direction, state) in [
            (Direction::Sales, states::SENT),
            (Direction::Purchase, states::ACCEPTED),
        ] {
            let filter = DocumentFilter {
                due_to: Some(yesterday.clone()),
                ..of(direction, &[state])
            };
            for r in self
                .rows(filter, SortBy::DueDate)
                .await?
                .into_iter()
                .filter(|r| r.accounting_status.as_deref() != Some("paid"))
            {
                let Some(due_date) = r.due_date.clone() else {
                    continue;
                };
                items.push(ActionItem::Overdue {
                    document_id: r.document.id.clone(),
                    counterparty: counterparty(&r),
                    number: number(&r),
                    due_date,
                    amount: amount(&r).unwrap_or_default(),
                });
            }
        }
        Ok(items)
    }
}
