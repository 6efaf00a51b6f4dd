//! Deadlock detection over pools: a set of pool instances, every permit of each held, whose
//! holders all wait for a permit of another instance of the set — no one can ever go on
//! (nested `with` blocks taken in opposite orders, without a `timeout`). Found on the wait-for
//! graph when the report is built: start from every full pool instance with waiters and drop,
//! until nothing changes, any whose holders are not all waiting inside the set.

use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;

use crate::engine::resource::Role;
use crate::engine::Simulation;

/// A deadlock: the pools involved (`service/pool`, each once) and the requests stuck in it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Deadlock {
    pub pools: Vec<String>,
    pub requests: u64,
}

impl Simulation {
    /// The pools deadlocked at this moment, if any.
    pub(super) fn deadlock(&self) -> Option<Deadlock> {
        let res = &self.resources;
        let is_pool = |p: u32| res.kinds[res.permits[p as usize].kind as usize].role == Role::Pool;
        // Holders of each pool instance, and what each task waits for.
        let mut holders: Vec<Vec<u32>> = alloc::vec![Vec::new(); res.permits.len()];
        let mut waits_on: alloc::collections::BTreeMap<u32, u32> = Default::default();
        for (tid, t) in self.tasks.iter_indexed() {
            if t.zombie || t.cancelled {
                continue;
            }
            let mut held = t.held;
            for p in held.take_all() {
                if is_pool(p) {
                    holders[p as usize].push(tid);
                }
            }
            if let Some((p, _)) = t.wait {
                if is_pool(p) {
                    waits_on.insert(tid, p);
                }
            }
        }
        let waiting_for = |tid: u32| waits_on.get(&tid).copied();
        let mut set: BTreeSet<u32> = (0..res.permits.len() as u32)
            .filter(|&p| {
                let permits = &res.permits[p as usize];
                let size = res.kinds[permits.kind as usize].size;
                is_pool(p) && permits.busy >= size && !permits.queue.is_empty()
            })
            .collect();
        loop {
            let stuck = |p: &u32| {
                holders[*p as usize]
                    .iter()
                    .all(|&h| waiting_for(h).is_some_and(|q| set.contains(&q)))
            };
            let keep: BTreeSet<u32> = set.iter().copied().filter(stuck).collect();
            if keep.len() == set.len() {
                break;
            }
            set = keep;
        }
        if set.is_empty() {
            return None;
        }
        let mut pools: Vec<String> = set
            .iter()
            .map(|&p| {
                let k = &res.kinds[res.permits[p as usize].kind as usize];
                alloc::format!("{}/{}", self.sc.services[k.service as usize].name, k.name)
            })
            .collect();
        pools.dedup();
        let requests = waits_on.values().filter(|p| set.contains(p)).count() as u64;
        Some(Deadlock { pools, requests })
    }
}
