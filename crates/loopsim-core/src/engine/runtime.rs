//! The simulated machinery: instances, workers with their event loop and thread pool, the
//! tasks that run on them, and the exchanges (a caller's request with its attempts). Plain data
//! in flat arrays and arenas; the engine (`super`) moves things through.

use alloc::collections::VecDeque;

use crate::guards::concurrency::ConcurrencyLimit;
use crate::guards::rate_limit::TokenBucket;
use crate::time::Nanos;

/// One replica of a service: `workers` event-loop processes sharing its memory limit and its
/// admission control.
#[derive(Debug)]
pub struct Instance {
    pub service: u32,
    /// Index of its first worker in the engine's worker array; workers are contiguous.
    pub first_worker: u32,
    pub workers: u32,
    pub ram_used: u64,
    /// Offload jobs waiting for a thread in this instance's pools (the auditor's backlog).
    pub pool_queued: u32,
    /// Requests waiting for a concurrency permit (`ingress.queue`; see `admission.rs`).
    pub admit_queue: Option<alloc::boxed::Box<super::resource::WaitQueue>>,
    /// Requests routed to this instance and not yet answered (least-connections counts these).
    pub outstanding: u32,
    /// Background (`spawn`ed) tasks alive on this instance: a draining replica waits for them.
    pub background: u32,
    /// Requests accepted and not yet started (the accept queue `ingress.max_queue` bounds).
    pub waiting: u32,
    /// Rotation counter for `accept: round_robin`.
    pub next_worker: u32,
    /// Down (an `outage` fault): connections are refused.
    pub down: bool,
    /// Work-time multiplier (a `slowdown` fault); 1.0 normally.
    pub slow_factor: f64,
    pub bucket: Option<TokenBucket>,
    pub limit: Option<ConcurrencyLimit>,
}

impl Instance {
    /// No request routed to it unanswered and no background task alive.
    pub fn is_idle(&self) -> bool {
        self.outstanding == 0 && self.background == 0
    }
}

/// A worker process: one single-threaded event loop plus its executor thread pool (a
/// resource: `threads` is its [`super::resource::Permits`] index).
#[derive(Debug)]
pub struct Worker {
    pub service: u32,
    pub instance: u32,
    pub event_loop: EventLoop,
    pub threads: u32,
}

/// A single-threaded event loop with a FIFO ready queue (asyncio / Node semantics).
#[derive(Debug, Default)]
pub struct EventLoop {
    /// Continuations ready to run: `(task, time it became ready)`.
    pub ready: VecDeque<(u32, Nanos)>,
    /// The task holding the loop (running a `cpu` or `blocking` step), if any.
    pub running: Option<u32>,
    /// When the current task started running without yielding (a "callback" in asyncio terms).
    pub run_started: Nanos,
    /// The loop runs nothing before this time (a `pause` fault).
    pub paused_until: Nanos,
    /// The current run contains a `blocking` step (then it is not also a slow callback).
    pub run_blocking: bool,
    /// Endpoint of the task in the current run (for cause attribution).
    pub run_endpoint: u32,
}

impl EventLoop {
    #[inline]
    pub fn is_idle(&self) -> bool {
        self.running.is_none() && self.ready.is_empty()
    }
}

/// Most permits one task holds at once: a running thread-pool job plus nested `with` blocks
/// (the front end bounds the nesting).
pub const MAX_HELD: usize = 4;

/// The permits a task holds ([`super::resource::Permits`] indices), released on every exit
/// path: success, failure, timeout, cancellation, crash.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Held {
    ids: [u32; MAX_HELD],
    len: u8,
}

impl Held {
    pub fn push(&mut self, permits: u32) {
        debug_assert!((self.len as usize) < MAX_HELD, "too many permits held");
        if (self.len as usize) < MAX_HELD {
            self.ids[self.len as usize] = permits;
            self.len += 1;
        }
    }

    /// Forgets the most recent hold of `permits` (the end of its block); false if none.
    pub fn remove(&mut self, permits: u32) -> bool {
        let n = self.len as usize;
        match self.ids[..n].iter().rposition(|&p| p == permits) {
            Some(i) => {
                self.ids.copy_within(i + 1..n, i);
                self.len -= 1;
                true
            }
            None => false,
        }
    }

    pub fn take_all(&mut self) -> impl Iterator<Item = u32> {
        let (ids, n) = (self.ids, self.len as usize);
        self.len = 0;
        (0..n).map(move |i| ids[i])
    }
}

/// Who waits for a task's response: one attempt of an exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caller {
    pub exchange: u32,
    pub generation: u32,
    pub attempt: u32,
}

/// One request being served by one instance: its endpoint's steps run as one task on one
/// worker's loop.
#[derive(Clone, Debug)]
pub struct Task {
    pub endpoint: u32,
    pub service: u32,
    pub instance: u32,
    /// Assigned when the request reaches the instance.
    pub worker: u32,
    /// Index of the next step to run.
    pub step: u32,
    pub caller: Caller,
    /// Network node of the caller (0 = client, 1 + s = service s).
    pub caller_node: u32,
    pub ram_held: u64,
    /// Set when a downstream call failed: the next time the task runs it fails with this.
    pub failure: Option<super::queue::Outcome>,
    /// When the request reached the instance (`u64::MAX` while in transit); for a spawned
    /// task, when it was spawned.
    pub arrived: Nanos,
    /// When the caller stops waiting for this attempt (`u64::MAX`: never).
    pub deadline: Nanos,
    /// Has run at least once (it left the accept queue).
    pub started: bool,
    /// Holds a permit of the instance's concurrency limit.
    pub limit_held: bool,
    /// Permits of resources held (thread-pool job, `with` blocks).
    pub held: Held,
    /// Higher is served first where a queue orders by priority (a workload's `priority`,
    /// inherited by its calls).
    pub priority: u8,
    /// A branch of a `parallel` step: it reports to its join instead of answering a caller.
    pub child: bool,
    /// The join a child reports to (`u32::MAX` once detached: cancelled, or not a child).
    pub join: u32,
    /// The join this task waits on (a `parallel` step of its own), `u32::MAX` if none.
    pub waits_join: u32,
    /// A cancelled child: it ends at its next await point without reporting.
    pub cancelled: bool,
    /// Waiting for a permit: `(permits, seq)`, to withdraw it when cancelled.
    pub wait: Option<(u32, u32)>,
    /// Its instance went down: the work is lost; the task only waits for its pending event to
    /// be freed.
    pub zombie: bool,
    /// A `spawn`ed background task (also a `child`, with no join): nobody awaits it; its end
    /// is counted in the service's spawn statistics (`spawn.rs`).
    pub spawned: bool,
}

/// A `parallel` step waiting for its children (a join counter). The parent task waits for no
/// event meanwhile: the deciding child wakes it.
#[derive(Debug)]
pub struct Join {
    pub parent: u32,
    /// Every child created (those that ended are recognised by [`Task::join`]).
    pub children: alloc::vec::Vec<u32>,
    /// Successes that decide the step, and the children in all.
    pub need: u32,
    pub total: u32,
    pub ok: u32,
    pub failed: u32,
    pub ignore_errors: bool,
    /// The first failure, which the step fails with.
    pub failure: Option<super::queue::Outcome>,
    /// The step after the parallel block.
    pub next: u32,
}

/// The caller's side of one logical request: attempts, timeouts, retries, guards.
#[derive(Debug)]
pub struct Exchange {
    pub origin: Origin,
    pub endpoint: u32,
    pub policy: u32,
    /// Index of the caller's guard set (per policy and calling replica).
    pub guards: u32,
    /// Network node of the caller.
    pub from: u32,
    pub started: Nanos,
    /// No attempt runs past this time (`u64::MAX`: no deadline).
    pub deadline: Nanos,
    /// Attempts started so far; the current one is number `attempt`.
    pub attempt: u32,
    pub attempt_started: Nanos,
    /// Waiting in a backoff (or a risk-guard delay) before the next attempt.
    pub backing_off: bool,
    /// The wait is a risk-guard THROTTLE delay: the attempt then goes without a new decision.
    pub delayed: bool,
    pub last_backoff: Nanos,
    /// The request's priority (its workload's, or its calling task's).
    pub priority: u8,
    /// Copies of the current attempt sent (1 + hedges) and still unanswered; hedges left.
    pub copies_sent: u8,
    pub copies_pending: u8,
    pub hedges_left: u8,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A workload's request (`user` = `u32::MAX` for open-loop arrivals).
    Client { workload: u32, user: u32 },
    /// A `call` step of a parent task.
    Task(u32),
    /// A queue's delivery of one message to its consumer endpoint (`broker.rs`).
    Broker { queue: u32, message: u32 },
}
