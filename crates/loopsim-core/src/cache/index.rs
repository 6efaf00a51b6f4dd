//! An open-addressing hash index from a `u64` key to a `u32` slot: linear probing with
//! backward-shift deletion (no tombstones), a power-of-two table at most half full. Lookup
//! only: it is never iterated, so its order cannot reach results. It grows by doubling, so
//! its size follows the most entries it has held, not the keyspace.

use alloc::vec;
use alloc::vec::Vec;

const EMPTY: u32 = u32::MAX;

#[derive(Clone, Debug, Default)]
pub struct KeyIndex {
    keys: Vec<u64>,
    slots: Vec<u32>,
    len: usize,
}

/// SplitMix64's finaliser: a bijective mix, so sequential keys spread over the table.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl KeyIndex {
    /// An index sized for about `entries` keys without growing (capped: a huge capacity that
    /// is never filled costs nothing up front).
    pub fn with_capacity(entries: usize) -> Self {
        let size = (entries.min(1 << 16) * 2).next_power_of_two().max(8);
        KeyIndex {
            keys: vec![0; size],
            slots: vec![EMPTY; size],
            len: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    fn find(&self, key: u64) -> Result<usize, usize> {
        if self.slots.is_empty() {
            return Err(0);
        }
        let mask = self.mask();
        let mut i = mix(key) as usize & mask;
        loop {
            if self.slots[i] == EMPTY {
                return Err(i);
            }
            if self.keys[i] == key {
                return Ok(i);
            }
            i = (i + 1) & mask;
        }
    }

    pub fn get(&self, key: u64) -> Option<u32> {
        self.find(key).ok().map(|i| self.slots[i])
    }

    /// Sets `key → slot` (replacing an existing mapping).
    pub fn insert(&mut self, key: u64, slot: u32) {
        debug_assert_ne!(slot, EMPTY);
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        match self.find(key) {
            Ok(i) => self.slots[i] = slot,
            Err(i) => {
                self.keys[i] = key;
                self.slots[i] = slot;
                self.len += 1;
            }
        }
    }

    pub fn remove(&mut self, key: u64) -> Option<u32> {
        let Ok(mut hole) = self.find(key) else {
            return None;
        };
        let slot = self.slots[hole];
        self.slots[hole] = EMPTY;
        self.len -= 1;
        // Backward shift: move later members of the probe run into the hole when their home
        // is not between the hole and them.
        let mask = self.mask();
        let mut i = (hole + 1) & mask;
        while self.slots[i] != EMPTY {
            let home = mix(self.keys[i]) as usize & mask;
            let dist_i = i.wrapping_sub(home) & mask;
            let dist_hole = hole.wrapping_sub(home) & mask;
            if dist_hole <= dist_i {
                self.keys[hole] = self.keys[i];
                self.slots[hole] = self.slots[i];
                self.slots[i] = EMPTY;
                hole = i;
            }
            i = (i + 1) & mask;
        }
        Some(slot)
    }

    pub fn clear(&mut self) {
        self.slots.iter_mut().for_each(|s| *s = EMPTY);
        self.len = 0;
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(8);
        let keys = core::mem::replace(&mut self.keys, vec![0; size]);
        let slots = core::mem::replace(&mut self.slots, vec![EMPTY; size]);
        self.len = 0;
        for (k, s) in keys.into_iter().zip(slots) {
            if s != EMPTY {
                self.insert(k, s);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_a_btree_map_under_random_inserts_and_removes() {
        let mut rng = crate::rng::Rng::new(9);
        let mut idx = KeyIndex::with_capacity(4);
        let mut reference = alloc::collections::BTreeMap::new();
        for step in 0..20_000u32 {
            let key = u64::from(rng.below(300));
            if rng.chance(0.5) {
                idx.insert(key, step);
                reference.insert(key, step);
            } else {
                assert_eq!(idx.remove(key), reference.remove(&key));
            }
            assert_eq!(idx.len(), reference.len());
        }
        for k in 0..300 {
            assert_eq!(idx.get(k), reference.get(&k).copied());
        }
    }
}
