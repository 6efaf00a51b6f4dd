//! Resources: a number of permits, a queue of waiters with a discipline, a scope, and one
//! meter. Every bounded waiting point that a step holds goes through here — a worker's
//! executor thread pool (`offload`) is the first resource, a service's declared pools (`with`)
//! the others — so the report, the series and the health inputs read them all by iterating.
//!
//! A resource kind ([`ResourceKind`]) has one [`Permits`] per instance of its scope (per
//! worker, per replica, or one for the service). A waiter holds a task index; what happens when
//! it gets its permit is the engine's business ([`Grant`]): a thread-pool job starts running,
//! a `with` block's task becomes ready. Queues reuse their storage: the steady state allocates
//! nothing.
//!
//! Disciplines (see `guards-and-signals.md`): FIFO, LIFO (a stack: under overload the newest
//! waiter, whose caller is still waiting, goes first), priority (highest first, FIFO among
//! equals — a non-preemptive priority queue, Cobham's model), CoDel (Nichols & Jacobson:
//! FIFO that sheds at the head while the queueing delay stays above its target) and adaptive
//! LIFO (Facebook's "Fail at Scale": FIFO normally, LIFO while congested).

use alloc::collections::{BinaryHeap, VecDeque};
use alloc::string::String;
use core::cmp::Ordering;

use crate::metrics::{QuantileSketch, TimeWeighted};
use crate::scenario::{Discipline, Scope, ServiceId};
use crate::time::Nanos;

/// Index into the engine's resource kinds. The first `services.len()` kinds are the services'
/// thread pools (kind `s` is service `s`'s), then the declared pools in order.
pub type ResourceId = u32;

/// What a resource is for, which decides what a granted permit does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A worker's executor thread pool: a permit runs one `offload` job.
    Threads,
    /// A declared pool: a permit is held by the steps of a `with` block.
    Pool,
    /// A worker's interpreter lock: held by a burst of computation (see `cpu.rs`).
    Gil,
    /// A replica's CPU cores: held by a burst of computation.
    Cores,
}

/// One resource as declared, with where its instances live.
#[derive(Clone, Debug)]
pub struct ResourceKind {
    pub name: String,
    pub service: ServiceId,
    pub role: Role,
    pub scope: Scope,
    pub size: u32,
    pub discipline: Discipline,
    pub timeout: Option<Nanos>,
    pub max_waiting: Option<u32>,
    /// Index of its first [`Permits`]; its instances are contiguous.
    pub first: u32,
    pub count: u32,
}

/// A task waiting for a permit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Waiter {
    pub task: u32,
    /// When it started waiting.
    pub since: Nanos,
    /// For a thread-pool job, how long it will run once it has a thread.
    pub job: Nanos,
    pub priority: u8,
    /// Arrival order, for FIFO among equal priorities; its low 32 bits (with the task)
    /// identify the waiter for its timeout.
    pub seq: u64,
}

/// Priority order: higher priority first, then earlier arrival.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ByPriority(Waiter);

impl Ord for ByPriority {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .priority
            .cmp(&other.0.priority)
            .then_with(|| other.0.seq.cmp(&self.0.seq))
    }
}

impl PartialOrd for ByPriority {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// CoDel's target sojourn and interval (the published defaults); also adaptive LIFO's
/// congestion threshold.
pub const CODEL_TARGET: Nanos = 5_000_000;
pub const CODEL_INTERVAL: Nanos = 100_000_000;

/// CoDel's state (RFC 8289's variables).
#[derive(Clone, Copy, Debug, Default)]
struct Codel {
    /// When the sojourn went above target plus one interval (0: below target).
    first_above: Nanos,
    dropping: bool,
    drop_next: Nanos,
    count: u32,
    last_count: u32,
}

impl Codel {
    /// Whether the head waiter, having waited `sojourn`, may be shed at `now`.
    fn ok_to_drop(&mut self, sojourn: Nanos, now: Nanos) -> bool {
        if sojourn < CODEL_TARGET {
            self.first_above = 0;
            return false;
        }
        if self.first_above == 0 {
            self.first_above = now + CODEL_INTERVAL;
            return false;
        }
        now >= self.first_above
    }

    /// The next drop time: `t + interval / √count`.
    fn control_law(t: Nanos, count: u32) -> Nanos {
        t + (CODEL_INTERVAL as f64 / libm::sqrt(f64::from(count.max(1)))) as Nanos
    }
}

/// Waiters in the order of a discipline.
#[derive(Debug)]
pub struct WaitQueue {
    discipline: Discipline,
    line: VecDeque<Waiter>,
    heap: BinaryHeap<ByPriority>,
    codel: Codel,
}

impl WaitQueue {
    pub fn new(discipline: Discipline) -> Self {
        WaitQueue {
            discipline,
            line: VecDeque::new(),
            heap: BinaryHeap::new(),
            codel: Codel::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.line.len() + self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn push(&mut self, w: Waiter) {
        match self.discipline {
            Discipline::Priority => self.heap.push(ByPriority(w)),
            _ => self.line.push_back(w),
        }
    }

    /// The waiter that gets the next permit at `now`; waiters CoDel sheds on the way go to
    /// `shed`.
    pub fn pop(&mut self, now: Nanos, shed: &mut alloc::vec::Vec<Waiter>) -> Option<Waiter> {
        match self.discipline {
            Discipline::Fifo => self.line.pop_front(),
            Discipline::Lifo => self.line.pop_back(),
            Discipline::Priority => self.heap.pop().map(|b| b.0),
            Discipline::AdaptiveLifo => {
                let congested = self
                    .line
                    .front()
                    .is_some_and(|w| now - w.since >= CODEL_TARGET);
                if congested {
                    self.line.pop_back()
                } else {
                    self.line.pop_front()
                }
            }
            Discipline::Codel => self.pop_codel(now, shed),
        }
    }

    /// RFC 8289's dequeue: while dropping, shed at the head on the control law's schedule.
    fn pop_codel(&mut self, now: Nanos, shed: &mut alloc::vec::Vec<Waiter>) -> Option<Waiter> {
        let mut head = self.line.pop_front()?;
        let c = &mut self.codel;
        let mut drop = c.ok_to_drop(now - head.since, now);
        if c.dropping {
            if !drop {
                c.dropping = false;
            }
            while c.dropping && now >= c.drop_next {
                shed.push(head);
                c.count += 1;
                head = match self.line.pop_front() {
                    Some(w) => w,
                    None => {
                        c.dropping = false;
                        c.first_above = 0;
                        return None;
                    }
                };
                if c.ok_to_drop(now - head.since, now) {
                    c.drop_next = Codel::control_law(c.drop_next, c.count);
                } else {
                    c.dropping = false;
                }
            }
        } else if drop {
            shed.push(head);
            head = match self.line.pop_front() {
                Some(w) => w,
                None => {
                    c.first_above = 0;
                    return None;
                }
            };
            c.dropping = true;
            let delta = c.count.saturating_sub(c.last_count);
            c.count = if delta > 1 && now.saturating_sub(c.drop_next) < 16 * CODEL_INTERVAL {
                delta
            } else {
                1
            };
            c.drop_next = Codel::control_law(now, c.count);
            c.last_count = c.count;
            drop = false;
        }
        let _ = drop;
        Some(head)
    }

    /// Takes out `task`'s wait with arrival number `seq` (a timeout), if it still waits.
    pub fn remove(&mut self, task: u32, seq: u32) -> Option<Waiter> {
        let this = |w: &Waiter| w.seq as u32 == seq && w.task == task;
        if let Some(i) = self.line.iter().position(this) {
            return self.line.remove(i);
        }
        let mut found = None;
        self.heap.retain(|b| {
            let hit = this(&b.0);
            if hit {
                found = Some(b.0);
            }
            !hit
        });
        found
    }

    /// The waiter priority shedding evicts first: the lowest priority, the newest among equals.
    pub fn lowest_priority(&self) -> Option<Waiter> {
        let all = self.line.iter().chain(self.heap.iter().map(|b| &b.0));
        all.min_by(|a, b| a.priority.cmp(&b.priority).then(b.seq.cmp(&a.seq)))
            .copied()
    }

    /// Keeps the waiters for which `keep` holds (an outage takes out its instance's).
    pub fn retain(&mut self, mut keep: impl FnMut(&Waiter) -> bool) {
        self.line.retain(|w| keep(w));
        self.heap.retain(|b| keep(&b.0));
    }
}

/// One instance of a resource: its permits in use and its waiters.
#[derive(Debug)]
pub struct Permits {
    pub kind: ResourceId,
    pub busy: u32,
    pub queue: WaitQueue,
}

/// What one resource measured over all its instances.
#[derive(Clone, Debug)]
pub struct ResourceMeter {
    /// Permits in use (integral = permit time).
    pub busy: TimeWeighted,
    /// Waiters.
    pub queued: TimeWeighted,
    /// Time from asking to getting a permit, of grants in the measured window.
    pub wait: QuantileSketch,
    /// Requests that failed waiting (`pool_timeout`) or found the queue full (`pool_full`),
    /// in the measured window.
    pub timeouts: u64,
    pub rejected: u64,
    /// Waiters a CoDel queue shed (`pool_shed`), in the measured window.
    pub shed: u64,
}

impl ResourceMeter {
    pub fn new(window_start: Nanos) -> Self {
        ResourceMeter {
            busy: TimeWeighted::new(window_start),
            queued: TimeWeighted::new(window_start),
            wait: QuantileSketch::new(),
            timeouts: 0,
            rejected: 0,
            shed: 0,
        }
    }
}

/// What asking for a permit did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    /// A permit is held now.
    Granted,
    /// The task waits in the queue (with this arrival number).
    Queued(u32),
    /// The queue is at `max_waiting`: the request fails as `pool_full`.
    Full,
}

/// Every resource of a run: kinds, instances, meters.
#[derive(Debug, Default)]
pub struct Resources {
    pub kinds: alloc::vec::Vec<ResourceKind>,
    pub permits: alloc::vec::Vec<Permits>,
    pub meters: alloc::vec::Vec<ResourceMeter>,
    seq: u64,
    /// Scratch for waiters shed while a permit is handed over (reused: no allocation).
    pub shed: alloc::vec::Vec<Waiter>,
}

impl Resources {
    /// Adds a kind with `count` instances; returns its id.
    pub fn add(&mut self, mut kind: ResourceKind, count: u32, warmup: Nanos) -> ResourceId {
        let id = self.kinds.len() as ResourceId;
        kind.first = self.permits.len() as u32;
        kind.count = count;
        for _ in 0..count {
            self.permits.push(Permits {
                kind: id,
                busy: 0,
                queue: WaitQueue::new(kind.discipline),
            });
        }
        self.kinds.push(kind);
        self.meters.push(ResourceMeter::new(warmup));
        id
    }

    /// Asks instance `p` for a permit for `task` at `now`.
    pub fn ask(&mut self, p: u32, task: u32, job: Nanos, priority: u8, now: Nanos) -> Ask {
        let permits = &mut self.permits[p as usize];
        let kind = &self.kinds[permits.kind as usize];
        let meter = &mut self.meters[permits.kind as usize];
        if permits.busy < kind.size {
            permits.busy += 1;
            meter.busy.add(now, 1);
            return Ask::Granted;
        }
        if kind
            .max_waiting
            .is_some_and(|m| permits.queue.len() >= m as usize)
        {
            return Ask::Full;
        }
        self.seq += 1;
        permits.queue.push(Waiter {
            task,
            since: now,
            job,
            priority,
            seq: self.seq,
        });
        meter.queued.add(now, 1);
        Ask::Queued(self.seq as u32)
    }

    /// Gives a permit of instance `p` back at `now`; the next waiter, if any, gets it (and is
    /// returned, still counted busy). Waiters the discipline sheds on the way (CoDel) go to
    /// `shed`.
    pub fn release(
        &mut self,
        p: u32,
        now: Nanos,
        shed: &mut alloc::vec::Vec<Waiter>,
    ) -> Option<Waiter> {
        let permits = &mut self.permits[p as usize];
        let meter = &mut self.meters[permits.kind as usize];
        let before = shed.len();
        let next = permits.queue.pop(now, shed);
        meter.queued.add(now, -((shed.len() - before) as i64));
        match next {
            Some(w) => {
                meter.queued.add(now, -1);
                Some(w)
            }
            None => {
                permits.busy -= 1;
                meter.busy.add(now, -1);
                None
            }
        }
    }

    /// Takes `task`'s wait `seq` out of instance `p`'s queue (its timeout fired), if it
    /// still waits.
    pub fn withdraw(&mut self, p: u32, task: u32, seq: u32, now: Nanos) -> Option<Waiter> {
        let permits = &mut self.permits[p as usize];
        let w = permits.queue.remove(task, seq)?;
        self.meters[permits.kind as usize].queued.add(now, -1);
        Some(w)
    }

    /// The instance of `kind` a task uses, from its place: worker and replica offsets within
    /// its service.
    pub fn instance(&self, kind: ResourceId, worker_offset: u32, replica_offset: u32) -> u32 {
        let k = &self.kinds[kind as usize];
        k.first
            + match k.scope {
                Scope::Worker => worker_offset,
                Scope::Replica => replica_offset,
                Scope::Service => 0,
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiter(task: u32, priority: u8, seq: u64) -> Waiter {
        Waiter {
            task,
            since: 0,
            job: 0,
            priority,
            seq,
        }
    }

    fn order(d: Discipline, ws: &[Waiter]) -> alloc::vec::Vec<u32> {
        let mut q = WaitQueue::new(d);
        ws.iter().for_each(|&w| q.push(w));
        let mut shed = alloc::vec::Vec::new();
        core::iter::from_fn(|| q.pop(0, &mut shed))
            .map(|w| w.task)
            .collect()
    }

    #[test]
    fn disciplines_order_waiters() {
        let ws = [
            waiter(1, 0, 1),
            waiter(2, 2, 2),
            waiter(3, 1, 3),
            waiter(4, 2, 4),
        ];
        assert_eq!(order(Discipline::Fifo, &ws), [1, 2, 3, 4]);
        assert_eq!(order(Discipline::Lifo, &ws), [4, 3, 2, 1]);
        assert_eq!(order(Discipline::Priority, &ws), [2, 4, 3, 1]);
    }

    #[test]
    fn codel_sheds_at_the_head_on_the_control_law_schedule() {
        const MS: Nanos = 1_000_000;
        let mut q = WaitQueue::new(Discipline::Codel);
        (0..100).for_each(|i| q.push(waiter(i, 0, u64::from(i))));
        let mut shed = alloc::vec::Vec::new();
        let mut pop = |now: Nanos, shed: &mut alloc::vec::Vec<Waiter>| {
            shed.clear();
            q.pop(now, shed).map(|w| w.task)
        };
        // Below target: served in order; above target, one interval passes first.
        assert_eq!(pop(0, &mut shed), Some(0));
        assert_eq!(pop(10 * MS, &mut shed), Some(1));
        assert!(shed.is_empty());
        // 120 ms: above target for a whole interval: the head is shed, the next served.
        assert_eq!(pop(120 * MS, &mut shed), Some(3));
        assert_eq!(
            shed.iter().map(|w| w.task).collect::<alloc::vec::Vec<_>>(),
            [2]
        );
        // Dropping, but the next drop is due at 220 ms.
        assert_eq!(pop(150 * MS, &mut shed), Some(4));
        assert!(shed.is_empty());
        assert_eq!(pop(230 * MS, &mut shed), Some(6));
        assert_eq!(shed.len(), 1);
        // Then 100 ms / √2 later: ≈ 290.7 ms.
        assert_eq!(pop(290 * MS, &mut shed), Some(7));
        assert!(shed.is_empty());
        assert_eq!(pop(291 * MS, &mut shed), Some(9));
        assert_eq!(shed.len(), 1);
    }

    #[test]
    fn adaptive_lifo_serves_newest_first_only_while_congested() {
        const MS: Nanos = 1_000_000;
        let mut q = WaitQueue::new(Discipline::AdaptiveLifo);
        let mut shed = alloc::vec::Vec::new();
        for i in 0..3 {
            q.push(Waiter {
                since: u64::from(i) * MS,
                ..waiter(i, 0, u64::from(i))
            });
        }
        // At 3 ms the oldest has waited 3 ms < 5 ms: FIFO.
        assert_eq!(q.pop(3 * MS, &mut shed).map(|w| w.task), Some(0));
        // At 7 ms the oldest (1) has waited 6 ms: congested, newest first.
        assert_eq!(q.pop(7 * MS, &mut shed).map(|w| w.task), Some(2));
        assert!(shed.is_empty());
    }

    #[test]
    fn a_withdrawn_waiter_is_gone_from_every_discipline() {
        for d in [Discipline::Fifo, Discipline::Lifo, Discipline::Priority] {
            let mut q = WaitQueue::new(d);
            [waiter(1, 0, 1), waiter(2, 1, 2), waiter(3, 0, 3)]
                .iter()
                .for_each(|&w| q.push(w));
            assert_eq!(q.remove(2, 2).map(|w| w.task), Some(2));
            assert_eq!(q.remove(2, 2), None);
            assert_eq!(q.remove(3, 1), None, "another task's number");
            assert_eq!(q.len(), 2);
        }
    }

    #[test]
    fn permits_grant_queue_reject_and_hand_over() {
        let mut r = Resources::default();
        let kind = ResourceKind {
            name: "db".into(),
            service: 0,
            role: Role::Pool,
            scope: Scope::Service,
            size: 1,
            discipline: Discipline::Fifo,
            timeout: None,
            max_waiting: Some(1),
            first: 0,
            count: 0,
        };
        let id = r.add(kind, 1, 0);
        let p = r.instance(id, 3, 2);
        assert_eq!(p, 0);
        assert_eq!(r.ask(p, 10, 0, 0, 0), Ask::Granted);
        assert!(matches!(r.ask(p, 11, 0, 0, 1), Ask::Queued(_)));
        assert_eq!(r.ask(p, 12, 0, 0, 2), Ask::Full);
        // The permit passes straight to the waiter: still one busy.
        let mut shed = alloc::vec::Vec::new();
        assert_eq!(r.release(p, 5, &mut shed).map(|w| w.task), Some(11));
        assert_eq!(r.permits[0].busy, 1);
        assert_eq!(r.release(p, 6, &mut shed), None);
        assert_eq!(r.permits[0].busy, 0);
        assert_eq!(r.meters[0].busy.integral_total(6), 6);
    }
}
