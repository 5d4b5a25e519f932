//! A map from names to positions, for lookups only.
//!
//! The INI editor looks up a section by name for every key it sets, and the
//! reader checks every key for a duplicate. With thousands of profiles whose
//! names share long prefixes (`profile bb-…`), a `BTreeMap` compares those
//! prefixes a dozen times per lookup, and in the component `memcmp` goes
//! byte by byte (issue 10). A hash map with a fixed hasher costs one pass
//! over the name. It is never iterated, so its order cannot leak into a
//! plan, and the fixed hasher imports no randomness (std's `RandomState`
//! would import `wasi:random`).

#![allow(clippy::disallowed_types)] // see the module documentation: lookups only, fixed hasher

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Name → value, hashed with [`FxHasher`].
pub type NameMap<V> = HashMap<String, V, BuildHasherDefault<FxHasher>>;

/// The multiply-rotate hash of rustc's `FxHasher`, eight bytes at a time:
/// fast, deterministic, not collision-resistant (the inputs are the user's
/// own files).
#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 56));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_was_inserted_and_nothing_else() {
        let mut map: NameMap<usize> = NameMap::default();
        let names: Vec<String> = (0..2000).map(|i| format!("profile bb-account-{i:05}-oaar")).collect();
        for (i, name) in names.iter().enumerate() {
            assert_eq!(map.insert(name.clone(), i), None);
        }
        for (i, name) in names.iter().enumerate() {
            assert_eq!(map.get(name.as_str()), Some(&i));
        }
        assert_eq!(map.get("profile bb-account-02000-oaar"), None);
        assert_eq!(map.get("profile bb-account-0000"), None);
        assert_eq!(map.get(""), None);
    }

    #[test]
    fn the_hash_is_fixed() {
        let hash = |s: &str| {
            let mut h = FxHasher::default();
            h.write(s.as_bytes());
            h.finish()
        };
        assert_eq!(hash("profile a"), hash("profile a"));
        assert_ne!(hash("profile a"), hash("profile b"));
        // A short tail differs from the same bytes padded with zeros.
        assert_ne!(hash("ab"), hash("ab\0"));
    }
}
