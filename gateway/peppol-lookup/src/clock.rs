//! The time at which certificates and endpoint dates are judged. Injectable because published
//! test material expires: tests check it at a fixed date, production uses the system clock.

use std::fmt::Debug;
use std::time::SystemTime;

/// A source of "now" for validity checks (not for cache lifetimes, which use monotonic time).
pub trait Clock: Send + Sync + Debug {
    /// The current wall-clock time.
    fn now(&self) -> SystemTime;
}

/// The system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock stopped at one instant.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub SystemTime);

impl FixedClock {
    /// A clock stopped at `unix_seconds` after the epoch.
    pub fn at_unix(unix_seconds: u64) -> Self {
        FixedClock(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(unix_seconds))
    }
}

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
}

/// RFC 3339 text of a time, for error messages.
pub(crate) fn fmt_time(t: SystemTime) -> String {
    let odt = time::OffsetDateTime::from(t);
    odt.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| format!("{odt}"))
}
