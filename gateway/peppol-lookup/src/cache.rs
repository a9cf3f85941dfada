//! A bounded in-memory cache whose entries each carry their own lifetime (DNS TTL, HTTP
//! max-age, negative-answer time). Lifetimes are monotonic (`Instant`), so a wall-clock jump
//! neither expires nor revives entries.

use std::hash::Hash;
use std::time::{Duration, Instant};

use moka::sync::Cache;
use moka::Expiry;

#[derive(Clone)]
struct Entry<V> {
    value: V,
    ttl: Duration,
}

struct PerEntry;

impl<K, V> Expiry<K, Entry<V>> for PerEntry {
    fn expire_after_create(&self, _key: &K, value: &Entry<V>, _now: Instant) -> Option<Duration> {
        Some(value.ttl)
    }
}

/// Bounded TTL cache (`moka`, the same engine hickory uses for its own DNS cache).
pub(crate) struct TtlCache<K, V> {
    inner: Cache<K, Entry<V>>,
}

impl<K, V> std::fmt::Debug for TtlCache<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TtlCache")
            .field("entries", &self.inner.entry_count())
            .finish()
    }
}

impl<K, V> TtlCache<K, V>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    /// A cache holding at most `capacity` entries (least recently used go first).
    pub(crate) fn new(capacity: u64) -> Self {
        TtlCache {
            inner: Cache::builder()
                .max_capacity(capacity)
                .expire_after(PerEntry)
                .build(),
        }
    }

    pub(crate) fn get(&self, key: &K) -> Option<V> {
        self.inner.get(key).map(|e| e.value)
    }

    /// Stores `value` for `ttl`; a zero lifetime stores nothing.
    pub(crate) fn insert(&self, key: K, value: V, ttl: Duration) {
        if ttl.is_zero() {
            self.inner.invalidate(&key);
            return;
        }
        self.inner.insert(key, Entry { value, ttl });
    }

    pub(crate) fn clear(&self) {
        self.inner.invalidate_all();
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> u64 {
        self.inner.run_pending_tasks();
        self.inner.entry_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_after_their_own_ttl() {
        let c = TtlCache::new(10);
        c.insert("short", 1, Duration::from_millis(50));
        c.insert("long", 2, Duration::from_secs(60));
        c.insert("zero", 3, Duration::ZERO);
        assert_eq!(c.get(&"short"), Some(1));
        assert_eq!(c.get(&"zero"), None);
        std::thread::sleep(Duration::from_millis(120));
        assert_eq!(c.get(&"short"), None);
        assert_eq!(c.get(&"long"), Some(2));
    }

    #[test]
    fn size_is_bounded() {
        let c = TtlCache::new(100);
        for i in 0..1_000 {
            c.insert(i, i, Duration::from_secs(60));
        }
        assert!(c.len() <= 100, "{} entries", c.len());
    }
}
