//! One cache instance: `capacity` entries in an arena, a key → slot index, and the eviction
//! policy's order kept in O(1) per operation.
//!
//! - LRU: an intrusive doubly-linked list over the arena, most recent at the head; a hit moves
//!   the entry to the head, the tail is evicted.
//! - FIFO: the same list, but a hit does not move the entry.
//! - LFU: frequency buckets (K. Shah, A. Mitra, D. Matani, "An O(1) algorithm for
//!   implementing the LFU cache eviction scheme", 2010): a list of buckets by ascending use
//!   count, each a list of its entries (oldest first); a hit moves the entry to the next
//!   bucket, the oldest entry of the lowest bucket is evicted. Counts start at 1 when stored
//!   (in-cache LFU).
//! - random: the entries stay dense in the arena; a uniformly random one is evicted and the
//!   last one moves into its slot (swap-remove).
//!
//! TTL: an entry stored `ttl` or longer ago is removed when looked up (an expiration), and a
//! hit does not refresh it. Memory is bounded by `capacity` (the arena grows to at most that)
//! whatever the keyspace.

use alloc::vec::Vec;

use super::index::KeyIndex;
use crate::rng::Rng;
use crate::scenario::EvictionPolicy;
use crate::time::Nanos;

const NIL: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Entry {
    key: u64,
    stored: Nanos,
    prev: u32,
    next: u32,
    /// LFU: the entry's frequency bucket.
    bucket: u32,
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    freq: u64,
    prev: u32,
    next: u32,
    head: u32,
    tail: u32,
}

/// What a lookup found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    Hit,
    Miss,
    /// Present but older than the TTL: removed, and a miss.
    Expired,
}

#[derive(Clone, Debug)]
pub struct Store {
    policy: EvictionPolicy,
    capacity: u32,
    ttl: Option<Nanos>,
    entries: Vec<Entry>,
    free: Vec<u32>,
    index: KeyIndex,
    /// LRU / FIFO: head = most recent (or newest), tail = next to evict.
    head: u32,
    tail: u32,
    /// LFU: buckets by ascending frequency, `low` first.
    buckets: Vec<Bucket>,
    free_buckets: Vec<u32>,
    low: u32,
    len: u32,
}

impl Store {
    pub fn new(policy: EvictionPolicy, capacity: u32, ttl: Option<Nanos>) -> Self {
        Store {
            policy,
            capacity: capacity.max(1),
            ttl,
            entries: Vec::new(),
            free: Vec::new(),
            index: KeyIndex::with_capacity((capacity as usize).min(1024)),
            head: NIL,
            tail: NIL,
            buckets: Vec::new(),
            free_buckets: Vec::new(),
            low: NIL,
            len: 0,
        }
    }

    /// Entries stored now.
    pub fn len(&self) -> u32 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn contains(&self, key: u64) -> bool {
        self.index.get(key).is_some()
    }

    /// Looks `key` up at `now`: a hit updates the policy's order.
    pub fn lookup(&mut self, key: u64, now: Nanos) -> Found {
        let Some(slot) = self.index.get(key) else {
            return Found::Miss;
        };
        let e = self.entries[slot as usize];
        if self
            .ttl
            .is_some_and(|ttl| now.saturating_sub(e.stored) >= ttl)
        {
            self.remove_slot(slot);
            return Found::Expired;
        }
        match self.policy {
            EvictionPolicy::Lru => {
                self.list_unlink(slot);
                self.list_push_head(slot);
            }
            EvictionPolicy::Lfu => self.lfu_bump(slot),
            EvictionPolicy::Fifo | EvictionPolicy::Random => {}
        }
        Found::Hit
    }

    /// Stores `key` at `now`, evicting one entry if the cache is full; returns whether one
    /// was evicted. A key already present is stored again (its age restarts).
    pub fn store(&mut self, key: u64, now: Nanos, rng: &mut Rng) -> bool {
        if let Some(slot) = self.index.get(key) {
            self.entries[slot as usize].stored = now;
            if self.policy == EvictionPolicy::Lru {
                self.list_unlink(slot);
                self.list_push_head(slot);
            }
            return false;
        }
        let evicted = self.len >= self.capacity;
        if evicted {
            let victim = self.victim(rng);
            self.remove_slot(victim);
        }
        let entry = Entry {
            key,
            stored: now,
            prev: NIL,
            next: NIL,
            bucket: NIL,
        };
        let slot = match self.free.pop() {
            Some(s) => {
                self.entries[s as usize] = entry;
                s
            }
            None => {
                self.entries.push(entry);
                self.entries.len() as u32 - 1
            }
        };
        self.index.insert(key, slot);
        self.len += 1;
        match self.policy {
            EvictionPolicy::Lru | EvictionPolicy::Fifo => self.list_push_head(slot),
            EvictionPolicy::Lfu => self.lfu_insert(slot),
            EvictionPolicy::Random => {}
        }
        evicted
    }

    /// Removes `key` (an invalidation); returns whether it was there.
    pub fn remove(&mut self, key: u64) -> bool {
        match self.index.get(key) {
            Some(slot) => {
                self.remove_slot(slot);
                true
            }
            None => false,
        }
    }

    /// Empties the cache (a flush); the arena keeps its storage.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.free.clear();
        self.index.clear();
        self.buckets.clear();
        self.free_buckets.clear();
        self.head = NIL;
        self.tail = NIL;
        self.low = NIL;
        self.len = 0;
    }

    fn victim(&mut self, rng: &mut Rng) -> u32 {
        match self.policy {
            EvictionPolicy::Lru | EvictionPolicy::Fifo => self.tail,
            EvictionPolicy::Lfu => self.buckets[self.low as usize].head,
            EvictionPolicy::Random => rng.below(self.len),
        }
    }

    fn remove_slot(&mut self, slot: u32) {
        let key = self.entries[slot as usize].key;
        self.index.remove(key);
        self.len -= 1;
        match self.policy {
            EvictionPolicy::Lru | EvictionPolicy::Fifo => {
                self.list_unlink(slot);
                self.free.push(slot);
            }
            EvictionPolicy::Lfu => {
                self.lfu_unlink(slot);
                self.free.push(slot);
            }
            EvictionPolicy::Random => {
                // Keep the arena dense: the last entry moves into the hole.
                let last = self.entries.len() as u32 - 1;
                self.entries.swap_remove(slot as usize);
                if slot != last {
                    let moved = self.entries[slot as usize].key;
                    self.index.insert(moved, slot);
                }
            }
        }
    }

    // ---- LRU / FIFO list ---------------------------------------------------------------------

    fn list_push_head(&mut self, slot: u32) {
        let old = self.head;
        let e = &mut self.entries[slot as usize];
        e.prev = NIL;
        e.next = old;
        if old != NIL {
            self.entries[old as usize].prev = slot;
        } else {
            self.tail = slot;
        }
        self.head = slot;
    }

    fn list_unlink(&mut self, slot: u32) {
        let Entry { prev, next, .. } = self.entries[slot as usize];
        if prev != NIL {
            self.entries[prev as usize].next = next;
        } else {
            self.head = next;
        }
        if next != NIL {
            self.entries[next as usize].prev = prev;
        } else {
            self.tail = prev;
        }
    }

    // ---- LFU frequency buckets ---------------------------------------------------------------

    /// A new bucket of `freq` after `after` (`NIL`: first).
    fn bucket_after(&mut self, after: u32, freq: u64) -> u32 {
        let next = if after == NIL {
            self.low
        } else {
            self.buckets[after as usize].next
        };
        let b = Bucket {
            freq,
            prev: after,
            next,
            head: NIL,
            tail: NIL,
        };
        let id = match self.free_buckets.pop() {
            Some(id) => {
                self.buckets[id as usize] = b;
                id
            }
            None => {
                self.buckets.push(b);
                self.buckets.len() as u32 - 1
            }
        };
        if after == NIL {
            self.low = id;
        } else {
            self.buckets[after as usize].next = id;
        }
        if next != NIL {
            self.buckets[next as usize].prev = id;
        }
        id
    }

    /// Appends the entry to bucket `b` (newest last).
    fn bucket_push(&mut self, b: u32, slot: u32) {
        let tail = self.buckets[b as usize].tail;
        let e = &mut self.entries[slot as usize];
        e.bucket = b;
        e.prev = tail;
        e.next = NIL;
        if tail != NIL {
            self.entries[tail as usize].next = slot;
        } else {
            self.buckets[b as usize].head = slot;
        }
        self.buckets[b as usize].tail = slot;
    }

    fn lfu_insert(&mut self, slot: u32) {
        let b = if self.low != NIL && self.buckets[self.low as usize].freq == 1 {
            self.low
        } else {
            self.bucket_after(NIL, 1)
        };
        self.bucket_push(b, slot);
    }

    fn lfu_bump(&mut self, slot: u32) {
        let b = self.entries[slot as usize].bucket;
        let Bucket { freq, next, .. } = self.buckets[b as usize];
        let target = if next != NIL && self.buckets[next as usize].freq == freq + 1 {
            next
        } else {
            self.bucket_after(b, freq + 1)
        };
        self.lfu_unlink(slot);
        self.bucket_push(target, slot);
    }

    /// Takes the entry out of its bucket, freeing the bucket when it empties.
    fn lfu_unlink(&mut self, slot: u32) {
        let Entry {
            prev, next, bucket, ..
        } = self.entries[slot as usize];
        if prev != NIL {
            self.entries[prev as usize].next = next;
        } else {
            self.buckets[bucket as usize].head = next;
        }
        if next != NIL {
            self.entries[next as usize].prev = prev;
        } else {
            self.buckets[bucket as usize].tail = prev;
        }
        if self.buckets[bucket as usize].head == NIL {
            let Bucket { prev, next, .. } = self.buckets[bucket as usize];
            if prev != NIL {
                self.buckets[prev as usize].next = next;
            } else {
                self.low = next;
            }
            if next != NIL {
                self.buckets[next as usize].prev = prev;
            }
            self.free_buckets.push(bucket);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(policy: EvictionPolicy, cap: u32) -> (Store, Rng) {
        (Store::new(policy, cap, None), Rng::new(1))
    }

    #[test]
    fn lru_evicts_the_least_recently_used() {
        let (mut s, mut rng) = store(EvictionPolicy::Lru, 2);
        s.store(1, 0, &mut rng);
        s.store(2, 0, &mut rng);
        assert_eq!(s.lookup(1, 0), Found::Hit);
        assert!(s.store(3, 0, &mut rng));
        assert!(s.contains(1) && !s.contains(2) && s.contains(3));
    }

    #[test]
    fn fifo_evicts_the_oldest_whatever_the_hits() {
        let (mut s, mut rng) = store(EvictionPolicy::Fifo, 2);
        s.store(1, 0, &mut rng);
        s.store(2, 0, &mut rng);
        assert_eq!(s.lookup(1, 0), Found::Hit);
        s.store(3, 0, &mut rng);
        assert!(!s.contains(1) && s.contains(2) && s.contains(3));
    }

    #[test]
    fn lfu_evicts_the_least_used_oldest_first() {
        let (mut s, mut rng) = store(EvictionPolicy::Lfu, 3);
        for k in 1..=3 {
            s.store(k, 0, &mut rng);
        }
        s.lookup(1, 0);
        s.lookup(1, 0);
        s.lookup(3, 0);
        s.store(4, 0, &mut rng); // evicts 2 (count 1)
        assert!(!s.contains(2));
        s.store(5, 0, &mut rng); // evicts 4 (count 1, oldest of the lowest bucket)
        assert!(!s.contains(4) && s.contains(1) && s.contains(3) && s.contains(5));
        assert!(s.remove(1) && s.remove(3) && s.remove(5) && s.is_empty());
    }

    #[test]
    fn random_keeps_the_arena_dense_and_the_index_right() {
        let (mut s, mut rng) = store(EvictionPolicy::Random, 50);
        for k in 0..5000u64 {
            s.store(k % 173, 0, &mut rng);
            if k % 7 == 0 {
                s.remove(k % 31);
            }
            assert!(s.len() <= 50);
            assert_eq!(s.entries.len() as u32, s.len());
        }
        for (slot, e) in s.entries.iter().enumerate() {
            assert_eq!(s.index.get(e.key), Some(slot as u32));
        }
    }

    #[test]
    fn ttl_expires_without_refresh_on_hit() {
        let mut s = Store::new(EvictionPolicy::Lru, 10, Some(100));
        let mut rng = Rng::new(1);
        s.store(7, 0, &mut rng);
        assert_eq!(s.lookup(7, 50), Found::Hit);
        assert_eq!(s.lookup(7, 100), Found::Expired);
        assert_eq!(s.lookup(7, 101), Found::Miss);
    }
}
