//! `gateway archive verify`: recomputes the chain from the database and the blobs and checks
//! signatures with the public key alone. Names the first entry that does not hold.
use std::collections::{HashMap, HashSet};

use gateway_store::{
    entry_hash, fields_hash, sha256_hex, ArchiveEntry, Checkpoint, Store, Visibility, GENESIS_HASH,
};
use serde::Serialize;

use super::key::{tombstone_message, PublicKey};
use crate::Error;

/// The first entry that does not hold, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Failure {
    pub seq: i64,
    pub document_id: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, Default)]
pub struct Report {
    pub ok: bool,
    pub entries: i64,
    pub documents: i64,
    pub tombstones: i64,
    pub checkpoints: usize,
    /// Entries after the newest checkpoint: chained, but not yet signed.
    pub unsigned_tail: i64,
    pub head_seq: i64,
    pub first_failure: Option<Failure>,
}

const PAGE: u32 = 1000;

fn fail(e: &ArchiveEntry, reason: impl Into<String>) -> Failure {
    Failure {
        seq: e.seq,
        document_id: (!e.document_id.is_empty()).then(|| e.document_id.clone()),
        reason: reason.into(),
    }
}

pub async fn verify(
    store: &dyn Store,
    public: &PublicKey,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Report, Error> {
    let checkpoints = store.checkpoints().await?;
    let wanted: HashSet<i64> = checkpoints.iter().map(|c| c.head_seq).collect();
    let mut report = Report {
        checkpoints: checkpoints.len(),
        ..Default::default()
    };
    let mut failures: Vec<Failure> = Vec::new();

    // Pass 1: the chain itself, tombstones, and the hashes checkpoints sign.
    let mut head_hashes: HashMap<i64, String> = HashMap::new();
    let mut documents: HashMap<i64, String> = HashMap::new(); // seq -> expires_at
    let mut ended: HashSet<i64> = HashSet::new();
    let mut prev = GENESIS_HASH.to_string();
    let mut after = 0;
    'chain: loop {
        let page = store.archive_entries(after, PAGE).await?;
        if page.is_empty() {
            break;
        }
        for e in &page {
            after = e.seq;
            report.entries += 1;
            progress(1);
            if e.seq != report.entries {
                failures.push(Failure {
                    seq: report.entries,
                    document_id: None,
                    reason: format!("missing: the next entry is {}", e.seq),
                });
                break 'chain;
            }
            if e.prev_hash != prev {
                failures.push(fail(e, "does not point at the entry before it (an entry was changed, added or removed)"));
                break 'chain;
            }
            if entry_hash(e) != e.hash {
                failures.push(fail(e, "content does not match its hash"));
                break 'chain;
            }
            prev = e.hash.clone();
            if wanted.contains(&e.seq) {
                head_hashes.insert(e.seq, e.hash.clone());
            }
            match e.kind.as_str() {
                "document" => {
                    report.documents += 1;
                    documents.insert(e.seq, e.expires_at.clone());
                }
                "tombstone" => {
                    report.tombstones += 1;
                    let signed = e
                        .signature
                        .as_deref()
                        .is_some_and(|s| public.verifies(&tombstone_message(&e.hash), s));
                    let target = e.target_seq.and_then(|t| documents.get(&t).map(|x| (t, x)));
                    match (signed, target) {
                        (false, _) => failures.push(fail(
                            e,
                            "tombstone signature does not verify with the archive public key",
                        )),
                        (true, None) => failures.push(fail(
                            e,
                            "tombstone of an entry that is not an earlier document",
                        )),
                        (true, Some((_, expires))) if e.archived_at < *expires => {
                            failures.push(fail(
                                e,
                                format!("tombstone before the retention ended ({expires})"),
                            ))
                        }
                        (true, Some((t, _))) => {
                            ended.insert(t);
                        }
                    }
                }
                other => failures.push(fail(e, format!("unknown kind `{other}`"))),
            }
        }
    }
    report.head_seq = after;
    let chain_end = failures.iter().map(|f| f.seq).min().unwrap_or(i64::MAX);

    // Checkpoints: signed with this key, over a head the chain still has.
    let mut newest_signed = 0;
    for c in &checkpoints {
        if let Some(f) = checkpoint_failure(c, public, &head_hashes, report.head_seq) {
            failures.push(f);
        } else {
            newest_signed = newest_signed.max(c.head_seq);
        }
    }
    report.unsigned_tail = report.head_seq - newest_signed;

    // Pass 2: what each live document entry covers: the document, its blob, journal and fields.
    let mut after = 0;
    loop {
        let page = store.archive_entries(after, PAGE).await?;
        if page.is_empty() {
            break;
        }
        for e in &page {
            after = e.seq;
            if e.seq >= chain_end {
                break;
            }
            if e.kind == "document" && !ended.contains(&e.seq) {
                if let Some(f) = document_failure(store, e).await? {
                    failures.push(f);
                    break;
                }
            }
        }
        if after >= chain_end || failures.iter().any(|f| f.seq <= after) {
            break;
        }
    }
    failures.sort_by_key(|f| f.seq);
    report.first_failure = failures.into_iter().next();
    report.ok = report.first_failure.is_none();
    Ok(report)
}

fn checkpoint_failure(
    c: &Checkpoint,
    public: &PublicKey,
    heads: &HashMap<i64, String>,
    head_seq: i64,
) -> Option<Failure> {
    let failure = |reason: String| {
        Some(Failure {
            seq: c.head_seq,
            document_id: None,
            reason,
        })
    };
    let message = Checkpoint::message(c.head_seq, &c.head_hash, &c.signed_at);
    if !public.verifies(&message, &c.signature) {
        return failure(format!(
            "checkpoint {} signed at {} does not verify with the archive public key",
            c.id, c.signed_at
        ));
    }
    if c.head_seq > head_seq {
        return failure(format!(
            "checkpoint {} signed a chain of {} entries; only {head_seq} remain",
            c.id, c.head_seq
        ));
    }
    match heads.get(&c.head_seq) {
        Some(h) if *h == c.head_hash => None,
        Some(_) => failure(format!(
            "differs from checkpoint {} signed at {}",
            c.id, c.signed_at
        )),
        // The chain broke before reaching it: that failure is reported already.
        None => None,
    }
}

async fn document_failure(store: &dyn Store, e: &ArchiveEntry) -> Result<Option<Failure>, Error> {
    let Some(doc) = store.get_document(&Visibility::All, &e.document_id).await? else {
        return Ok(Some(fail(e, "the document is gone")));
    };
    if doc.blob.sha256 != e.blob_sha256
        || doc.company_id != e.company_id
        || doc.direction.as_str() != e.direction
    {
        return Ok(Some(fail(
            e,
            "the document row no longer matches the entry (blob, company or direction)",
        )));
    }
    match store.get_blob(&e.blob_sha256).await {
        Ok(Some(bytes)) if sha256_hex(&bytes) == e.blob_sha256 => {}
        Ok(Some(_)) => return Ok(Some(fail(e, format!("blob {} was altered", e.blob_sha256)))),
        Ok(None) => return Ok(Some(fail(e, format!("blob {} is missing", e.blob_sha256)))),
        Err(err) => return Ok(Some(fail(e, format!("blob: {err}")))),
    }
    match store.verify_journal(&e.document_id).await {
        Ok(n) if (n as i64) < e.events_count => {
            return Ok(Some(fail(
                e,
                format!(
                    "the journal has {n} events; the entry covers {}",
                    e.events_count
                ),
            )))
        }
        Ok(_) => {}
        Err(err) => return Ok(Some(fail(e, format!("journal: {err}")))),
    }
    let events = store
        .events(&Visibility::All, &e.document_id)
        .await?
        .unwrap_or_default();
    let head = events
        .get((e.events_count - 1).max(0) as usize)
        .map(|ev| ev.hash.as_str());
    if head != Some(e.events_head.as_str()) {
        return Ok(Some(fail(
            e,
            format!("journal event {} is not the one archived", e.events_count),
        )));
    }
    match store.archive_fields(&e.document_id).await? {
        None => Ok(Some(fail(e, "the extracted fields are missing"))),
        Some(f) if fields_hash(&f) != e.fields_hash => Ok(Some(fail(
            e,
            "the extracted fields (number, parties, dates, amount or text) were changed",
        ))),
        Some(_) => Ok(None),
    }
}
