//! The simulated machinery: instances, workers with their event loop and thread pool, and the
//! tasks that run on them. Plain data in flat arrays; the engine (`super`) moves tasks through.

use alloc::collections::VecDeque;

use crate::engine::queue::Outcome;
use crate::time::Nanos;

/// One replica of a service: `workers` event-loop processes sharing its memory limit.
#[derive(Debug)]
pub struct Instance {
    pub service: u32,
    /// Index of its first worker in the engine's worker array; workers are contiguous.
    pub first_worker: u32,
    pub workers: u32,
    pub ram_used: u64,
    /// Requests routed to this instance and not yet answered (least-connections counts these).
    pub outstanding: u32,
    /// Rotation counter for `accept: round_robin`.
    pub next_worker: u32,
}

/// A worker process: one single-threaded event loop plus its executor thread pool.
#[derive(Debug)]
pub struct Worker {
    pub service: u32,
    pub event_loop: EventLoop,
    pub pool: ThreadPool,
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
}

impl EventLoop {
    #[inline]
    pub fn is_idle(&self) -> bool {
        self.running.is_none() && self.ready.is_empty()
    }
}

/// A fixed pool of executor threads with a FIFO job queue (`run_in_executor`).
#[derive(Debug, Default)]
pub struct ThreadPool {
    pub threads: u32,
    pub busy: u32,
    /// Jobs waiting for a thread: `(task, enqueue time, job duration)`.
    pub queue: VecDeque<(u32, Nanos, Nanos)>,
}

/// Who waits for a task's response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    /// A workload's client request (arena index + generation).
    Client { request: u32, generation: u32 },
    /// A parent task blocked in a `call` step.
    Task(u32),
}

/// One request being served by one instance: its endpoint's steps run as one task on one
/// worker's loop.
#[derive(Debug)]
pub struct Task {
    pub endpoint: u32,
    pub service: u32,
    pub instance: u32,
    /// Assigned when the request reaches the instance.
    pub worker: u32,
    /// Index of the next step to run.
    pub step: u32,
    pub caller: Caller,
    pub ram_held: u64,
    /// Set when a downstream call failed: the next time the task runs it fails with this.
    pub failure: Option<Outcome>,
    /// When the request reached the instance (`u64::MAX` while in transit).
    pub arrived: Nanos,
}

/// The client side of one request sent by a workload.
#[derive(Debug)]
pub struct ClientRequest {
    pub workload: u32,
    /// Closed-loop user, or `u32::MAX` for open-loop arrivals.
    pub user: u32,
    pub sent: Nanos,
    /// The timeout fired first: the outcome is already recorded and the user moved on.
    pub timed_out: bool,
}
