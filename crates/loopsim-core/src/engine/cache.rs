//! Caches in the engine: the instances of every declared cache, the `cache:` / `invalidate:`
//! steps, single flight (`coalesce`), `flush` faults, and what the report and the series show.
//!
//! Instances: a `shared` cache has one instance for the whole system; a `replica` cache has
//! one per replica of each service whose steps use it (services do not share them). A task
//! that misses remembers its key (and the flight it leads) in a side table indexed by task id
//! until its `CacheStore` step, so tasks pay nothing for caches they do not use.
//!
//! Single flight: the first miss on a key (per instance) leads a flight; later misses on that
//! key wait in the flight's list (one thing they wait for). When the leader stores the key the
//! waiters go on after the block (neither `hit` nor `miss` steps: they got the leader's value);
//! when the leader fails, each waiter fails with the leader's outcome (Go's `singleflight`);
//! when the leader is cancelled (a `parallel` loser) or lost to an outage, the waiters look the
//! key up again (one of them leads the next flight). A waiter that is cancelled, or whose
//! instance goes down, leaves the list at once.

use alloc::string::String;
use alloc::vec::Vec;

use crate::cache::{Found, KeyIndex, Store, Zipf};
use crate::engine::queue::{Event, Outcome};
use crate::engine::Simulation;
use crate::metrics::TimeWeighted;
use crate::rng::Rng;
use crate::scenario::{CacheId, CacheLookup, CacheScope, Scenario, Step};
use crate::time::Nanos;

const NONE: u32 = u32::MAX;

/// Per-cache counters, over every instance. Counts are of the measured window; the
/// `interval_` ones feed the time series (warm-up included).
#[derive(Clone, Debug)]
pub struct CacheMeter {
    pub hits: u64,
    /// Lookups that found nothing: cold misses, expired entries, and waits on a flight.
    pub misses: u64,
    pub expirations: u64,
    pub evictions: u64,
    pub invalidations: u64,
    /// Misses that waited for another request's miss steps (single flight).
    pub coalesced: u64,
    pub entries: TimeWeighted,
    interval_hits: u64,
    interval_misses: u64,
}

/// A miss whose steps are running: its leader and the requests waiting for it.
#[derive(Clone, Copy, Debug)]
struct Flight {
    store: u32,
    key: u64,
    head: u32,
    tail: u32,
}

/// A task's cache state (indexed by task id): the key of its pending miss, the flight it
/// leads, or the flight it waits for.
#[derive(Clone, Copy, Debug)]
struct TaskCache {
    store: u32,
    key: u64,
    leads: u32,
    follows: u32,
    prev: u32,
    next: u32,
}

const IDLE: TaskCache = TaskCache {
    store: NONE,
    key: 0,
    leads: NONE,
    follows: NONE,
    prev: NONE,
    next: NONE,
};

/// Every cache instance and its bookkeeping.
#[derive(Debug)]
pub struct Caches {
    stores: Vec<Store>,
    /// The cache of each instance.
    cache_of: Vec<CacheId>,
    /// Per (cache, service): the cache's first instance for that service's steps (`NONE` if
    /// it does not use it); a replica-scope cache has one per replica from there.
    base: Vec<u32>,
    services: usize,
    /// In-flight misses per instance: key → flight.
    flight_index: Vec<KeyIndex>,
    flights: Vec<Flight>,
    free_flights: Vec<u32>,
    tasks: Vec<TaskCache>,
    /// The key sampler of each cache step: `sampler_at[step_base[endpoint] + step]`.
    samplers: Vec<Zipf>,
    step_base: Vec<u32>,
    sampler_at: Vec<u32>,
    rng: Rng,
    pub meters: Vec<CacheMeter>,
    /// Instances of each cache.
    pub instances: Vec<u32>,
}

impl Caches {
    pub fn new(sc: &Scenario) -> Self {
        let services = sc.services.len();
        let mut c = Caches {
            stores: Vec::new(),
            cache_of: Vec::new(),
            base: alloc::vec![NONE; sc.caches.len() * services],
            services,
            flight_index: Vec::new(),
            flights: Vec::new(),
            free_flights: Vec::new(),
            tasks: Vec::new(),
            samplers: Vec::new(),
            step_base: Vec::new(),
            sampler_at: Vec::new(),
            rng: Rng::stream(sc.seed, 4_000_000),
            meters: Vec::new(),
            instances: Vec::new(),
        };
        let mut used = alloc::vec![false; sc.caches.len() * services];
        for ep in &sc.endpoints {
            c.step_base.push(c.sampler_at.len() as u32);
            for step in &ep.steps {
                let (cache, keys) = match step {
                    Step::CacheLookup(l) => (l.cache, l.keys),
                    Step::CacheInvalidate { cache, keys } => (*cache, *keys),
                    _ => {
                        c.sampler_at.push(NONE);
                        continue;
                    }
                };
                used[cache as usize * services + ep.service as usize] = true;
                c.sampler_at.push(c.samplers.len() as u32);
                c.samplers.push(Zipf::new(keys.count, keys.zipf));
            }
        }
        for (id, spec) in sc.caches.iter().enumerate() {
            let mut shared = NONE;
            let mut count = 0;
            for s in 0..services {
                if !used[id * services + s] {
                    continue;
                }
                let first = match spec.scope {
                    CacheScope::Shared if shared != NONE => shared,
                    _ => {
                        let n = match spec.scope {
                            CacheScope::Shared => 1,
                            CacheScope::Replica => sc.services[s].replicas,
                        };
                        let first = c.stores.len() as u32;
                        for _ in 0..n {
                            c.stores
                                .push(Store::new(spec.policy, spec.capacity, spec.ttl));
                            c.cache_of.push(id as CacheId);
                            c.flight_index.push(KeyIndex::with_capacity(8));
                        }
                        count += n;
                        first
                    }
                };
                shared = first;
                c.base[id * services + s] = first;
            }
            c.instances.push(count);
            c.meters.push(CacheMeter {
                hits: 0,
                misses: 0,
                expirations: 0,
                evictions: 0,
                invalidations: 0,
                coalesced: 0,
                entries: TimeWeighted::new(sc.warmup),
                interval_hits: 0,
                interval_misses: 0,
            });
        }
        c
    }

    fn task(&mut self, tid: u32) -> &mut TaskCache {
        let i = tid as usize;
        if i >= self.tasks.len() {
            self.tasks.resize(i + 1, IDLE);
        }
        &mut self.tasks[i]
    }

    /// Hits / lookups of each cache over the interval since the last call (NaN without
    /// lookups), for the series.
    pub fn take_interval(&mut self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.meters.iter_mut().map(|m| {
            let n = m.interval_hits + m.interval_misses;
            let ratio = if n == 0 {
                f64::NAN
            } else {
                m.interval_hits as f64 / n as f64
            };
            m.interval_hits = 0;
            m.interval_misses = 0;
            (ratio, m.entries.value() as f64)
        })
    }

    fn unlink_follower(&mut self, tid: u32) {
        let t = self.tasks[tid as usize];
        let f = &mut self.flights[t.follows as usize];
        if t.prev != NONE {
            self.tasks[t.prev as usize].next = t.next;
        } else {
            f.head = t.next;
        }
        if t.next != NONE {
            self.tasks[t.next as usize].prev = t.prev;
        } else {
            f.tail = t.prev;
        }
        self.tasks[tid as usize] = IDLE;
    }
}

/// How a flight ended, for its waiters.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FlightEnd {
    /// The key is stored: go on after the block.
    Stored,
    /// The leader failed: fail the same way.
    Failed(Outcome),
    /// The leader is gone (cancelled, lost): look the key up again.
    Again,
}

impl Simulation {
    /// The cache instance a task of `service` on `instance` uses for `cache`.
    fn cache_store(&self, cache: CacheId, service: u32, instance: u32) -> u32 {
        let c = &self.caches;
        let first = c.base[cache as usize * c.services + service as usize];
        match self.sc.caches[cache as usize].scope {
            CacheScope::Shared => first,
            CacheScope::Replica => {
                first + instance - self.services[service as usize].first_instance
            }
        }
    }

    fn draw_key(&mut self, endpoint: u32, step: u32) -> u64 {
        let c = &mut self.caches;
        let s = c.sampler_at[(c.step_base[endpoint as usize] + step) as usize];
        c.samplers[s as usize].sample(&mut c.rng)
    }

    /// A `cache:` step at `at`. Returns whether the task goes on now (a hit, or a miss that
    /// runs its miss steps); `false` when it waits for another request's flight.
    pub(super) fn cache_lookup(&mut self, tid: u32, at: u32, l: CacheLookup) -> bool {
        let now = self.now;
        let measured = now >= self.sc.warmup;
        let task = self.tasks.get(tid).expect("live task");
        let (service, instance, endpoint) = (task.service, task.instance, task.endpoint);
        let store = self.cache_store(l.cache, service, instance);
        let key = self.draw_key(endpoint, at);
        let c = &mut self.caches;
        let meter = &mut c.meters[l.cache as usize];
        let found = c.stores[store as usize].lookup(key, now);
        if found == Found::Hit {
            meter.interval_hits += 1;
            meter.hits += u64::from(measured);
            return true;
        }
        meter.interval_misses += 1;
        meter.misses += u64::from(measured);
        if found == Found::Expired {
            meter.expirations += u64::from(measured);
            meter.entries.add(now, -1);
        }
        self.tasks.get_mut(tid).expect("live").step = l.miss;
        let flight = if l.coalesce {
            c.flight_index[store as usize].get(key)
        } else {
            None
        };
        let Some(f) = flight else {
            let leads = if l.coalesce {
                let id = match c.free_flights.pop() {
                    Some(id) => id,
                    None => {
                        c.flights.push(Flight {
                            store,
                            key,
                            head: NONE,
                            tail: NONE,
                        });
                        c.flights.len() as u32 - 1
                    }
                };
                c.flights[id as usize] = Flight {
                    store,
                    key,
                    head: NONE,
                    tail: NONE,
                };
                c.flight_index[store as usize].insert(key, id);
                id
            } else {
                NONE
            };
            *c.task(tid) = TaskCache {
                store,
                key,
                leads,
                ..IDLE
            };
            return true;
        };
        // Wait for the leader: join the flight's list.
        c.meters[l.cache as usize].coalesced += u64::from(measured);
        let tail = c.flights[f as usize].tail;
        *c.task(tid) = TaskCache {
            follows: f,
            prev: tail,
            ..IDLE
        };
        if tail != NONE {
            c.tasks[tail as usize].next = tid;
        } else {
            c.flights[f as usize].head = tid;
        }
        c.flights[f as usize].tail = tid;
        self.tasks.get_mut(tid).expect("live").step = at + 1;
        false
    }

    /// The miss steps succeeded: store the key, and release the waiters as hits.
    pub(super) fn cache_store_key(&mut self, tid: u32, cache: CacheId) {
        let now = self.now;
        let measured = now >= self.sc.warmup;
        let c = &mut self.caches;
        let Some(&t) = c.tasks.get(tid as usize) else {
            return;
        };
        if t.store == NONE {
            return;
        }
        c.tasks[tid as usize] = IDLE;
        let store = &mut c.stores[t.store as usize];
        let before = store.len();
        let evicted = store.store(t.key, now, &mut c.rng);
        let meter = &mut c.meters[cache as usize];
        meter.evictions += u64::from(evicted && measured);
        meter
            .entries
            .add(now, i64::from(store.len()) - i64::from(before));
        if t.leads != NONE {
            self.end_flight(t.leads, FlightEnd::Stored);
        }
    }

    /// An `invalidate:` step at `at`: the drawn key leaves the cache.
    pub(super) fn cache_invalidate(&mut self, tid: u32, at: u32, cache: CacheId) {
        let task = self.tasks.get(tid).expect("live task");
        let (service, instance, endpoint) = (task.service, task.instance, task.endpoint);
        let store = self.cache_store(cache, service, instance);
        let key = self.draw_key(endpoint, at);
        let now = self.now;
        let c = &mut self.caches;
        if c.stores[store as usize].remove(key) {
            let meter = &mut c.meters[cache as usize];
            meter.invalidations += u64::from(now >= self.sc.warmup);
            meter.entries.add(now, -1);
        }
    }

    /// Wakes every waiter of a flight, as `end` says, and frees it.
    fn end_flight(&mut self, flight: u32, end: FlightEnd) {
        let f = self.caches.flights[flight as usize];
        self.caches.flight_index[f.store as usize].remove(f.key);
        self.caches.free_flights.push(flight);
        // A free flight has no waiters (crashes walk every flight's list).
        let free = &mut self.caches.flights[flight as usize];
        free.head = NONE;
        free.tail = NONE;
        let mut next = f.head;
        while next != NONE {
            let tid = next;
            next = self.caches.tasks[tid as usize].next;
            self.caches.tasks[tid as usize] = IDLE;
            let task = self.tasks.get_mut(tid).expect("a waiter is live");
            // The waiter's step is just after its lookup.
            let at = task.step - 1;
            match end {
                FlightEnd::Stored => {
                    if let Step::CacheLookup(l) =
                        &self.sc.endpoints[task.endpoint as usize].steps[at as usize]
                    {
                        task.step = l.after;
                    }
                }
                FlightEnd::Failed(o) => task.failure = Some(o),
                FlightEnd::Again => task.step = at,
            }
            self.queue.push(self.now, Event::Wake { task: tid });
        }
    }

    /// A task ends (`outcome`) or is cancelled (`None`): a flight it leads ends for its
    /// waiters; a wait in a flight is withdrawn.
    pub(super) fn cache_task_ends(&mut self, tid: u32, outcome: Option<Outcome>) {
        let Some(&t) = self.caches.tasks.get(tid as usize) else {
            return;
        };
        if t.follows != NONE {
            return self.caches.unlink_follower(tid);
        }
        self.caches.tasks[tid as usize] = IDLE;
        if t.leads != NONE {
            let end = match outcome {
                Some(o) if o != Outcome::Ok && o != Outcome::Lost => FlightEnd::Failed(o),
                _ => FlightEnd::Again,
            };
            self.end_flight(t.leads, end);
        }
    }

    /// A cancelled task: returns whether it was waiting for a flight (it then ends now).
    pub(super) fn cache_cancel(&mut self, tid: u32) -> bool {
        let follows = self
            .caches
            .tasks
            .get(tid as usize)
            .is_some_and(|t| t.follows != NONE);
        self.cache_task_ends(tid, None);
        follows
    }

    /// An instance goes down: its tasks waiting in flights leave them (they are lost with the
    /// rest of its queued work).
    pub(super) fn drain_cache_followers(&mut self, instance: u32, out: &mut Vec<u32>) {
        for f in 0..self.caches.flights.len() {
            let mut next = self.caches.flights[f].head;
            while next != NONE {
                let tid = next;
                next = self.caches.tasks[tid as usize].next;
                if self.tasks.get(tid).is_some_and(|t| t.instance == instance) {
                    self.caches.unlink_follower(tid);
                    out.push(tid);
                }
            }
        }
    }

    /// A `flush` fault: every instance of the cache is emptied (flights go on).
    pub(super) fn flush_cache(&mut self, cache: CacheId) {
        let now = self.now;
        let c = &mut self.caches;
        for (store, _) in c
            .stores
            .iter_mut()
            .zip(&c.cache_of)
            .filter(|(_, &id)| id == cache)
        {
            store.clear();
        }
        c.meters[cache as usize].entries.set(now, 0);
    }

    /// A replica's process is gone (crashed, or drained and stopped): its in-process
    /// (`scope: replica`) caches are lost with it, and it starts cold. Its tasks have already
    /// left every flight on them.
    pub(super) fn clear_replica_caches(&mut self, instance: u32) {
        let now = self.now;
        let service = self.instances[instance as usize].service;
        let replica = instance - self.services[service as usize].first_instance;
        let c = &mut self.caches;
        for (id, spec) in self.sc.caches.iter().enumerate() {
            let first = c.base[id * c.services + service as usize];
            if spec.scope != CacheScope::Replica || first == NONE {
                continue;
            }
            let store = &mut c.stores[(first + replica) as usize];
            c.meters[id].entries.add(now, -i64::from(store.len()));
            store.clear();
        }
    }

    /// Entries of each cache now, summed over its instances.
    pub fn cache_entries(&self) -> Vec<u64> {
        self.caches
            .meters
            .iter()
            .map(|m| m.entries.value())
            .collect()
    }
}

/// Series column names of the caches (prefixed `cache.<name>.`).
pub const CACHE_COLUMNS: [&str; 2] = ["hit_ratio", "entries"];

pub fn cache_series_names(sc: &Scenario) -> Vec<String> {
    sc.caches
        .iter()
        .flat_map(|c| {
            CACHE_COLUMNS
                .iter()
                .map(move |col| alloc::format!("cache.{}.{col}", c.name))
        })
        .collect()
}

/// The report of each cache over the measured window `[warmup, end]`.
pub fn cache_reports(
    sc: &Scenario,
    caches: &Caches,
    end: Nanos,
) -> crate::report::Named<crate::report::CacheReport> {
    let measured = end > sc.warmup;
    crate::report::Named(
        sc.caches
            .iter()
            .zip(&caches.meters)
            .zip(&caches.instances)
            .map(|((spec, m), &instances)| {
                let lookups = m.hits + m.misses;
                let r = crate::report::CacheReport {
                    capacity: spec.capacity,
                    policy: match spec.policy {
                        crate::scenario::EvictionPolicy::Lru => "lru",
                        crate::scenario::EvictionPolicy::Lfu => "lfu",
                        crate::scenario::EvictionPolicy::Fifo => "fifo",
                        crate::scenario::EvictionPolicy::Random => "random",
                    },
                    scope: match spec.scope {
                        CacheScope::Shared => "shared",
                        CacheScope::Replica => "replica",
                    },
                    instances,
                    hit_ratio: (lookups > 0).then(|| m.hits as f64 / lookups as f64),
                    hits: m.hits,
                    misses: m.misses,
                    expirations: m.expirations,
                    evictions: m.evictions,
                    invalidations: m.invalidations,
                    coalesced: m.coalesced,
                    entries: measured.then(|| crate::report::QueueLen {
                        mean: m.entries.mean(end),
                        max: m.entries.max(end),
                    }),
                    entries_end: m.entries.value(),
                };
                (spec.name.clone(), r)
            })
            .collect(),
    )
}
