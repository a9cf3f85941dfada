//! Which member company a received message is for, by its final recipient. Every message asks,
//! so answers found are kept for a few seconds: a database round trip is a tenth of what a whole
//! message costs. A receiver that is not ours is asked every time, so a participant that just
//! joined is served at once; one that left is still delivered to its company for up to [`TTL`].
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use gateway_store::{Directory, Identifier, Result};

/// How long a found member is trusted.
pub const TTL: Duration = Duration::from_secs(5);
/// Most receivers kept; the map starts over when full.
const MAX_ENTRIES: usize = 10_000;

#[derive(Default)]
pub struct Members {
    found: Mutex<HashMap<Identifier, (String, Instant)>>,
}

impl Members {
    /// The member company for `receiver`, if it is one of ours.
    pub async fn company_of<D: Directory + ?Sized>(
        &self,
        directory: &D,
        receiver: Identifier,
    ) -> Result<Option<String>> {
        let now = Instant::now();
        if let Some((company, at)) = self.found.lock().expect("members").get(&receiver) {
            if now.duration_since(*at) < TTL {
                return Ok(Some(company.clone()));
            }
        }
        let company = directory.member_company_of(&receiver).await?;
        if let Some(company) = &company {
            let mut found = self.found.lock().expect("members");
            if found.len() >= MAX_ENTRIES {
                found.clear();
            }
            found.insert(receiver, (company.clone(), now));
        }
        Ok(company)
    }
}
