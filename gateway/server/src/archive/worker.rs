//! Picks up documents that reached an archived state (polling, or woken through `notify`),
//! appends them to the chain, signs checkpoints at intervals and runs the expiry job.
use std::sync::Arc;
use std::time::Duration;

use chrono::{Months, SecondsFormat, Utc};
use gateway_store::{Checkpoint, Signer, Store};
use tokio::sync::Notify;

use super::key::{tombstone_message, ArchiveKey};
use crate::config::ArchiveConfig;
use crate::Error;

#[derive(Clone)]
pub struct Archiver {
    pub store: Arc<dyn Store>,
    pub key: Arc<ArchiveKey>,
    pub config: ArchiveConfig,
    /// Wakes the archiver at once (e.g. after a state change).
    pub wake: Arc<Notify>,
    /// Woken after new entries: the connectors have deliveries to make.
    pub archived: Arc<Notify>,
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Archiver {
    fn expires_at(&self) -> String {
        let now = Utc::now();
        now.checked_add_months(Months::new(self.config.retention_years.saturating_mul(12)))
            .unwrap_or(now)
            .to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// Archives every pending document; how many were appended.
    pub async fn archive_pending(&self) -> Result<usize, Error> {
        self.archive_since(None).await
    }

    /// Archives pending documents changed since `since` (all of them with `None`).
    pub async fn archive_since(&self, since: Option<&str>) -> Result<usize, Error> {
        let mut done = 0;
        loop {
            let pending = self.store.pending_archive(since, 100).await?;
            if pending.is_empty() {
                break;
            }
            for doc in &pending {
                let bytes = self
                    .store
                    .get_blob(&doc.blob.sha256)
                    .await?
                    .unwrap_or_default();
                let fields = super::extract::fields(doc, &bytes);
                if let Some(entry) = self
                    .store
                    .append_archive_entry(doc, &fields, &self.expires_at())
                    .await?
                {
                    tracing::info!(document = %doc.id, seq = entry.seq, "archived");
                    done += 1;
                }
            }
        }
        if done > 0 {
            self.archived.notify_one();
        }
        Ok(done)
    }

    /// Signs the chain head unless the newest checkpoint already covers it (or `force`).
    pub async fn checkpoint(&self, force: bool) -> Result<Option<Checkpoint>, Error> {
        let stats = self.store.archive_stats().await?;
        if !force && (stats.head_seq == 0 || stats.checkpoint_seq == Some(stats.head_seq)) {
            return Ok(None);
        }
        let signed_at = now();
        let message = Checkpoint::message(stats.head_seq, &stats.head_hash, &signed_at);
        let checkpoint = Checkpoint {
            id: uuid::Uuid::now_v7().to_string(),
            head_seq: stats.head_seq,
            head_hash: stats.head_hash,
            signature: self.key.sign(&message),
            public_key: self.key.public_b64(),
            signed_at,
        };
        self.store.record_checkpoint(&checkpoint).await?;
        tracing::info!(head = checkpoint.head_seq, "signed archive checkpoint");
        Ok(Some(checkpoint))
    }

    /// Ends every entry past its retention with a signed tombstone; how many.
    pub async fn expire(&self) -> Result<usize, Error> {
        let mut done = 0;
        loop {
            let expired = self.store.expired_entries(&now(), 100).await?;
            if expired.is_empty() {
                return Ok(done);
            }
            for entry in &expired {
                let key = self.key.clone();
                let sign: Signer = Arc::new(move |hash: &str| key.sign(&tombstone_message(hash)));
                let tomb = self.store.append_tombstone(entry, sign).await?;
                tracing::info!(document = %entry.document_id, seq = entry.seq, tombstone = tomb.seq, "retention over: archived document removed");
                done += 1;
            }
        }
    }

    /// Runs until the process ends. Errors are logged and retried on the next round.
    pub fn spawn(self) {
        let archiver = self.clone();
        tokio::spawn(async move {
            let poll = Duration::from_millis(archiver.config.poll_interval_ms.max(50));
            // Rounds look at documents changed since shortly before the previous round (the margin
            // covers transactions that commit late); a full sweep at start and every hour.
            let mut watermark: Option<String> = None;
            let mut last_sweep = std::time::Instant::now();
            loop {
                let round_start = Utc::now() - chrono::Duration::minutes(5);
                if last_sweep.elapsed() > Duration::from_secs(3600) {
                    watermark = None;
                    last_sweep = std::time::Instant::now();
                }
                match archiver.archive_since(watermark.as_deref()).await {
                    Ok(_) => {
                        watermark = Some(round_start.to_rfc3339_opts(SecondsFormat::Millis, true))
                    }
                    Err(e) => tracing::error!(error = %e, "archiving failed; retrying"),
                }
                tokio::select! {
                    _ = archiver.wake.notified() => {}
                    _ = tokio::time::sleep(poll) => {}
                }
            }
        });
        let archiver = self.clone();
        tokio::spawn(async move {
            let every = Duration::from_secs(archiver.config.checkpoint_interval_secs.max(1));
            loop {
                tokio::time::sleep(every).await;
                if let Err(e) = archiver.checkpoint(false).await {
                    tracing::error!(error = %e, "signing an archive checkpoint failed");
                }
            }
        });
        tokio::spawn(async move {
            let every = Duration::from_secs(self.config.expiry_interval_secs.max(1));
            loop {
                tokio::time::sleep(every).await;
                if let Err(e) = self.expire().await {
                    tracing::error!(error = %e, "archive expiry failed");
                }
            }
        });
    }
}
