//! A fast hasher for tables keyed by short strings fixed at compile time.

use std::collections::{HashMap, HashSet};

/// FNV-1a: the keys are short element names; SipHash's DoS resistance buys
/// nothing for a table fixed at compile time.
#[derive(Default, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub(crate) type FnvMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;
pub(crate) type FnvSet<K> = HashSet<K, std::hash::BuildHasherDefault<Fnv>>;
