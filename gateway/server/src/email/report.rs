//! The "needs your action" e-mail: documents to review, refused or failed deliveries, overdue
//! invoices. [`compose`] is pure; [`ReportScheduler`] decides when each company's report is due
//! and sends it through an [`EmailSender`]. What needs action comes from an [`ActionSource`]
//! (the document lifecycle's queries).
use std::fmt::Write as _;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};

use super::outbound::{EmailSender, OutgoingEmail};
use crate::Error;

/// One thing the member has to do something about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionItem {
    /// A purchase document waiting for acceptance or refusal.
    Review {
        document_id: String,
        counterparty: String,
        number: Option<String>,
        total: Option<String>,
    },
    /// A sales invoice the customer refused.
    Refused {
        document_id: String,
        counterparty: String,
        number: String,
        reason: String,
    },
    /// A sales invoice that could not be delivered on a channel.
    DeliveryFailed {
        document_id: String,
        counterparty: String,
        number: String,
        channel: String,
        reason: String,
    },
    /// An invoice past its due date (payable or receivable).
    Overdue {
        document_id: String,
        counterparty: String,
        number: String,
        due_date: String,
        amount: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Frequency {
    Daily,
    /// On Mondays.
    Weekly,
}

/// The report's subject and plain-text body; `None` when nothing needs action.
pub fn compose(
    company: &str,
    frequency: Frequency,
    items: &[ActionItem],
    documents_url: &str,
) -> Option<(String, String)> {
    if items.is_empty() {
        return None;
    }
    let mut review = Vec::new();
    let mut deliveries = Vec::new();
    let mut overdue = Vec::new();
    for item in items {
        match item {
            ActionItem::Review {
                document_id,
                counterparty,
                number,
                total,
            } => review.push(format!(
                "{counterparty} {}{} — {documents_url}/{document_id}",
                number.as_deref().unwrap_or("(no number yet)"),
                total.as_deref().map(|t| format!(", {t}")).unwrap_or_default()
            )),
            ActionItem::Refused {
                document_id,
                counterparty,
                number,
                reason,
            } => deliveries.push(format!(
                "{number} to {counterparty}: refused: {reason} — {documents_url}/{document_id}"
            )),
            ActionItem::DeliveryFailed {
                document_id,
                counterparty,
                number,
                channel,
                reason,
            } => deliveries.push(format!(
                "{number} to {counterparty}: not delivered by {channel}: {reason} — {documents_url}/{document_id}"
            )),
            ActionItem::Overdue {
                document_id,
                counterparty,
                number,
                due_date,
                amount,
            } => overdue.push(format!(
                "{number} ({counterparty}), due {due_date}, {amount} — {documents_url}/{document_id}"
            )),
        }
    }
    let period = match frequency {
        Frequency::Daily => "Daily",
        Frequency::Weekly => "Weekly",
    };
    let subject = format!(
        "{period} report for {company}: {} item{} need{} your action",
        items.len(),
        if items.len() == 1 { "" } else { "s" },
        if items.len() == 1 { "s" } else { "" },
    );
    let mut body = format!("Hello,\n\nthese need your action at {company}:\n");
    for (title, lines) in [
        ("Documents to review", &review),
        ("Refused or failed deliveries", &deliveries),
        ("Overdue invoices", &overdue),
    ] {
        if lines.is_empty() {
            continue;
        }
        let _ = write!(body, "\n{title} ({}):\n", lines.len());
        for line in lines {
            let _ = writeln!(body, "  - {line}");
        }
    }
    body.push_str("\nYou receive this report because it is enabled in your company's settings.\n");
    Some((subject, body))
}

/// Reports go out at this time of day (UTC).
pub const SEND_AT: NaiveTime = match NaiveTime::from_hms_opt(6, 0, 0) {
    Some(t) => t,
    None => panic!("valid time"),
};

/// The first report time strictly after `after`.
pub fn next_run(frequency: Frequency, after: DateTime<Utc>) -> DateTime<Utc> {
    let mut day = after.date_naive();
    loop {
        let candidate = Utc.from_utc_datetime(&day.and_time(SEND_AT));
        let due_day = match frequency {
            Frequency::Daily => true,
            Frequency::Weekly => day.weekday() == Weekday::Mon,
        };
        if due_day && candidate > after {
            return candidate;
        }
        day += Duration::days(1);
    }
}

/// A company that wants the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub company_id: String,
    pub company_name: String,
    pub email: String,
    pub frequency: Frequency,
}

/// Where the scheduler learns who wants a report and what needs action.
#[async_trait]
pub trait ActionSource: Send + Sync {
    async fn subscriptions(&self) -> Result<Vec<Subscription>, Error>;
    async fn items(&self, company_id: &str) -> Result<Vec<ActionItem>, Error>;
}

pub struct ReportScheduler {
    pub source: Arc<dyn ActionSource>,
    pub sender: Arc<dyn EmailSender>,
    /// Base of document links in the e-mail, e.g. `https://gw.example/app/documents`.
    pub documents_url: String,
}

impl ReportScheduler {
    /// Sends the reports due at `now` (daily every day, weekly on Mondays); how many were sent.
    /// A company whose report fails is logged and does not stop the others.
    pub async fn run_once(&self, now: DateTime<Utc>) -> Result<usize, Error> {
        let mut sent = 0;
        for sub in self.source.subscriptions().await? {
            if sub.frequency == Frequency::Weekly && now.weekday() != Weekday::Mon {
                continue;
            }
            let items = self.source.items(&sub.company_id).await?;
            let Some((subject, body)) = compose(
                &sub.company_name,
                sub.frequency,
                &items,
                &self.documents_url,
            ) else {
                continue;
            };
            let email = OutgoingEmail {
                to: sub.email.clone(),
                subject,
                body,
                attachments: Vec::new(),
            };
            match self.sender.send(&email).await {
                Ok(_) => sent += 1,
                Err(e) => {
                    tracing::error!(company = %sub.company_id, error = %e, "report e-mail not sent")
                }
            }
        }
        Ok(sent)
    }

    /// Runs every `interval` instead of at the daily report time (tests, operators who want
    /// reports more often); never returns.
    pub async fn run_every(self, interval: std::time::Duration) {
        loop {
            tokio::time::sleep(interval).await;
            match self.run_once(Utc::now()).await {
                Ok(sent) => tracing::info!(sent, "report e-mails sent"),
                Err(e) => tracing::error!(error = %e, "report run failed"),
            }
        }
    }

    /// Sleeps until each day's report time and runs; never returns.
    pub async fn run_forever(self) {
        loop {
            let now = Utc::now();
            let next = next_run(Frequency::Daily, now);
            let wait = (next - now).to_std().unwrap_or_default();
            tokio::time::sleep(wait).await;
            match self.run_once(next).await {
                Ok(sent) => tracing::info!(sent, "report e-mails sent"),
                Err(e) => tracing::error!(error = %e, "report run failed"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    fn review(id: &str) -> ActionItem {
        ActionItem::Review {
            document_id: id.into(),
            counterparty: "Supplier SRL".into(),
            number: Some("F-1".into()),
            total: Some("EUR 121.00".into()),
        }
    }

    #[test]
    fn nothing_to_do_means_no_email() {
        assert_eq!(compose("Alpha", Frequency::Daily, &[], "https://x/d"), None);
    }

    #[test]
    fn every_kind_of_item_is_listed_under_its_heading() {
        let items = vec![
            review("d1"),
            ActionItem::Refused {
                document_id: "d2".into(),
                counterparty: "Beta".into(),
                number: "INV-7".into(),
                reason: "wrong PO".into(),
            },
            ActionItem::DeliveryFailed {
                document_id: "d3".into(),
                counterparty: "Gamma".into(),
                number: "INV-8".into(),
                channel: "peppol".into(),
                reason: "no SMP entry".into(),
            },
            ActionItem::Overdue {
                document_id: "d4".into(),
                counterparty: "Delta".into(),
                number: "INV-2".into(),
                due_date: "2026-10-01".into(),
                amount: "EUR 50.00".into(),
            },
        ];
        let (subject, body) =
            compose("Alpha SA", Frequency::Weekly, &items, "https://gw/d").unwrap();
        assert_eq!(
            subject,
            "Weekly report for Alpha SA: 4 items need your action"
        );
        assert!(
            body.contains(
                "Documents to review (1):\n  - Supplier SRL F-1, EUR 121.00 — https://gw/d/d1\n"
            ),
            "{body}"
        );
        assert!(body.contains("Refused or failed deliveries (2):"), "{body}");
        assert!(body.contains("INV-7 to Beta: refused: wrong PO"), "{body}");
        assert!(
            body.contains("INV-8 to Gamma: not delivered by peppol: no SMP entry"),
            "{body}"
        );
        assert!(
            body.contains("Overdue invoices (1):\n  - INV-2 (Delta), due 2026-10-01, EUR 50.00"),
            "{body}"
        );
        let (subject, _) = compose("Alpha SA", Frequency::Daily, &items[..1], "u").unwrap();
        assert_eq!(
            subject,
            "Daily report for Alpha SA: 1 item needs your action"
        );
    }

    #[test]
    fn daily_and_weekly_times() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        // 2026-11-30 is a Monday.
        assert_eq!(
            next_run(Frequency::Daily, t("2026-11-30T05:59:59Z")),
            t("2026-11-30T06:00:00Z")
        );
        assert_eq!(
            next_run(Frequency::Daily, t("2026-11-30T06:00:00Z")),
            t("2026-12-01T06:00:00Z")
        );
        assert_eq!(
            next_run(Frequency::Weekly, t("2026-11-30T07:00:00Z")),
            t("2026-12-07T06:00:00Z")
        );
        assert_eq!(
            next_run(Frequency::Weekly, t("2026-12-02T01:00:00Z")),
            t("2026-12-07T06:00:00Z")
        );
    }

    struct Source(Vec<Subscription>);

    #[async_trait]
    impl ActionSource for Source {
        async fn subscriptions(&self) -> Result<Vec<Subscription>, Error> {
            Ok(self.0.clone())
        }
        async fn items(&self, company_id: &str) -> Result<Vec<ActionItem>, Error> {
            Ok(if company_id == "busy" {
                vec![review("d1")]
            } else {
                Vec::new()
            })
        }
    }

    #[derive(Default)]
    struct Recorder(Mutex<Vec<OutgoingEmail>>);

    #[async_trait]
    impl EmailSender for Recorder {
        async fn send(&self, email: &OutgoingEmail) -> Result<String, Error> {
            self.0.lock().unwrap().push(email.clone());
            Ok("<1@test>".into())
        }
    }

    #[tokio::test]
    async fn the_scheduler_sends_only_what_is_due_and_not_empty() {
        let sub = |id: &str, frequency| Subscription {
            company_id: id.into(),
            company_name: id.into(),
            email: format!("{id}@example.com"),
            frequency,
        };
        let recorder = Arc::new(Recorder::default());
        let scheduler = ReportScheduler {
            source: Arc::new(Source(vec![
                sub("busy", Frequency::Daily),
                sub("idle", Frequency::Daily),
                sub("busy", Frequency::Weekly),
            ])),
            sender: recorder.clone(),
            documents_url: "https://gw/d".into(),
        };
        let tuesday = DateTime::parse_from_rfc3339("2026-12-01T06:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(scheduler.run_once(tuesday).await.unwrap(), 1);
        let monday = DateTime::parse_from_rfc3339("2026-12-07T06:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(scheduler.run_once(monday).await.unwrap(), 2);
        let sent = recorder.0.lock().unwrap();
        assert!(sent.iter().all(|e| e.to == "busy@example.com"));
    }
}
