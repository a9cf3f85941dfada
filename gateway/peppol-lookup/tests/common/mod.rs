//! Test helpers: the project's test kit, a throwaway PKI made with the openssl CLI, a real DNS
//! server and a real HTTP SMP on loopback.
#![allow(dead_code, unused_imports)]

pub use gateway_testkit::dns;
pub mod pki;
pub mod smp_server;
pub mod tls_smp;

pub use gateway_testkit::{
    in_ci, peer, peers_python, read_shared, shared, shared_dir, tool_available, TempDir,
};

/// Seconds since the epoch for a UTC calendar date (tests judge certificates at fixed dates).
pub fn unix(y: i32, m: u8, d: u8) -> u64 {
    let date = time::Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap();
    date.midnight().assume_utc().unix_timestamp() as u64
}
