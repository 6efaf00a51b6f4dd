//! The future event list: a binary min-heap ordered by (time, insertion sequence).
//!
//! Ties at the same nanosecond are broken by insertion order, so the run is a pure function of
//! the scenario and seed. Events are small `Copy` values; the heap's storage is reused, so the
//! steady state allocates nothing.
//!
//! The heap was chosen by measurement (issue 13, `scripts/bench.sh`, CPU time of whole runs):
//! against it, a 4-ary heap over keys packed in one `u128` was within ±2% (single loop 1.5%
//! faster, fan-out 1% slower) and a radix heap over the same keys (monotone: an event is never
//! scheduled before the one being handled, and the sequence breaks ties) 10–12% slower. The
//! queue is short in these models (a few events per request in flight), where a heap's few
//! comparisons beat a radix or ladder queue's bucket upkeep.

use alloc::collections::BinaryHeap;
use core::cmp::Ordering;

use crate::time::Nanos;

/// What happens at an event. Indices refer to the engine's arenas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// Next open-loop arrival candidate of a workload.
    Arrival {
        workload: u32,
    },
    /// A closed-loop user finished thinking and sends a request.
    UserWake {
        workload: u32,
        user: u32,
    },
    /// A request message reaches its instance.
    RequestDelivered {
        task: u32,
    },
    /// The response to one attempt of an exchange reaches the caller.
    AttemptResponse {
        exchange: u32,
        generation: u32,
        attempt: u32,
        outcome: Outcome,
    },
    /// An attempt's timeout (or the exchange's deadline) expires.
    AttemptTimeout {
        exchange: u32,
        generation: u32,
        attempt: u32,
    },
    /// An attempt has had no answer for the hedge delay: send another copy.
    Hedge {
        exchange: u32,
        generation: u32,
        attempt: u32,
    },
    /// A backoff ends: the exchange makes its next attempt.
    Retry {
        exchange: u32,
        generation: u32,
    },
    /// A loop-holding step (`cpu`, `blocking`) of `task` on `worker` ends.
    RunEnd {
        worker: u32,
        task: u32,
    },
    /// An `io` await completes.
    IoDone {
        task: u32,
    },
    /// An `offload` job finishes on a thread of thread-pool instance `permits`.
    JobDone {
        permits: u32,
        task: u32,
    },
    /// A task waiting for no event becomes ready: a waiter got its permit, a join was
    /// decided. An event of its own, so that what happens inside one task's step never runs
    /// another task in the middle of that step.
    Wake {
        task: u32,
    },
    /// A slice of a burst of computation ends (shared cores or GIL).
    SliceEnd {
        task: u32,
    },
    /// A burst's waiter got the GIL or a core.
    CpuGranted {
        task: u32,
    },
    /// A waiter's `timeout` on pool instance `permits` expires (if it still waits: the
    /// waiter is identified by its task and its arrival number).
    PermitTimeout {
        permits: u32,
        task: u32,
        seq: u32,
    },
    /// A paused event loop may run again.
    LoopResume {
        worker: u32,
    },
    /// A fault of the timeline starts or ends.
    FaultStart {
        fault: u32,
    },
    FaultEnd {
        fault: u32,
    },
    /// Time to close one health record (per service, client, spend).
    HealthTick,
    /// Time to record one point of every time series.
    Sample,
    /// An autoscaler decides (every `autoscale.interval`).
    ScaleTick {
        scaler: u32,
    },
    /// The averaging window of an autoscaler's coming decision starts.
    ScaleWindow {
        scaler: u32,
    },
    /// A provisioning replica is ready to take traffic (unless `epoch` is stale: cancelled).
    ReplicaReady {
        scaler: u32,
        replica: u32,
        epoch: u32,
    },
    /// A `publish` step's message reaches its queue's broker.
    PublishArrived {
        task: u32,
        queue: u32,
    },
    /// The broker's acknowledgement (or refusal) of a publish reaches the publishing task.
    PublishAck {
        task: u32,
        outcome: Outcome,
    },
    /// A failed message's redelivery delay ends: it may be delivered again.
    Redeliver {
        queue: u32,
        message: u32,
    },
    /// The head transfer of a bandwidth channel ends, unless the channel's share changed
    /// since (`generation`; see `transfer.rs`).
    TransferDone {
        channel: u32,
        generation: u32,
    },
}

/// How a request (or one attempt of it) ended, as seen by whoever waits for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    Ok,
    /// The caller's timeout or deadline expired first.
    Timeout,
    /// A network hop dropped the request or its response.
    Loss,
    /// An instance ran out of memory (`ram`).
    OutOfMemory,
    /// The service answered with an error (an `errors` fault: a 5xx).
    Error,
    /// No replica was up to take the connection (an `outage`).
    Refused,
    /// The instance went down while serving the request: the work is lost.
    Lost,
    /// The caller's circuit breaker is open.
    RejectedBreaker,
    /// The caller's risk guard blocked the call.
    RejectedRisk,
    /// The caller's adaptive throttle rejected the call locally.
    RejectedThrottle,
    /// The service's token bucket was empty (429).
    RejectedRateLimit,
    /// The service's accept queue was full (503).
    ShedQueueFull,
    /// The service's concurrency limit was reached (503).
    RejectedConcurrency,
    /// The service skipped the work: the caller had already given up.
    DroppedExpired,
    /// The cost budget's action (throttle or block) refused the request at the client.
    RejectedBudget,
    /// A pool's `timeout` expired before a permit came free.
    PoolTimeout,
    /// A pool's queue held `max_waiting` waiters already.
    PoolFull,
    /// A pool's CoDel queue shed the waiter (its queueing delay stayed above target).
    PoolShed,
    /// A `publish` found its queue holding `max_length` messages.
    QueueFull,
}

impl Outcome {
    pub const ALL: [Outcome; 19] = [
        Outcome::Ok,
        Outcome::Timeout,
        Outcome::Loss,
        Outcome::OutOfMemory,
        Outcome::Error,
        Outcome::Refused,
        Outcome::Lost,
        Outcome::RejectedBreaker,
        Outcome::RejectedRisk,
        Outcome::RejectedThrottle,
        Outcome::RejectedRateLimit,
        Outcome::ShedQueueFull,
        Outcome::RejectedConcurrency,
        Outcome::DroppedExpired,
        Outcome::RejectedBudget,
        Outcome::PoolTimeout,
        Outcome::PoolFull,
        Outcome::PoolShed,
        Outcome::QueueFull,
    ];

    /// The name used in reports (`errors` keys).
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Timeout => "timeout",
            Outcome::Loss => "loss",
            Outcome::OutOfMemory => "out_of_memory",
            Outcome::Error => "error",
            Outcome::Refused => "refused",
            Outcome::Lost => "lost",
            Outcome::RejectedBreaker => "rejected_breaker",
            Outcome::RejectedRisk => "rejected_risk",
            Outcome::RejectedThrottle => "rejected_throttle",
            Outcome::RejectedRateLimit => "rejected_rate_limit",
            Outcome::ShedQueueFull => "shed_queue_full",
            Outcome::RejectedConcurrency => "rejected_concurrency",
            Outcome::DroppedExpired => "dropped_expired",
            Outcome::RejectedBudget => "rejected_budget",
            Outcome::PoolTimeout => "pool_timeout",
            Outcome::PoolFull => "pool_full",
            Outcome::PoolShed => "pool_shed",
            Outcome::QueueFull => "queue_full",
        }
    }

    /// Refused by a guard (client or server side) rather than failed by the system.
    pub fn is_rejection(self) -> bool {
        matches!(
            self,
            Outcome::RejectedBreaker
                | Outcome::RejectedRisk
                | Outcome::RejectedThrottle
                | Outcome::RejectedRateLimit
                | Outcome::ShedQueueFull
                | Outcome::RejectedConcurrency
                | Outcome::DroppedExpired
                | Outcome::RejectedBudget
        )
    }

    /// Decided by the caller itself, without asking the server: never worth a retry.
    pub fn is_local(self) -> bool {
        matches!(
            self,
            Outcome::RejectedBreaker
                | Outcome::RejectedRisk
                | Outcome::RejectedThrottle
                | Outcome::RejectedBudget
        )
    }
}

#[derive(Clone, Copy, Debug)]
struct Scheduled {
    time: Nanos,
    seq: u64,
    event: Event,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.seq == other.seq
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest event first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

#[derive(Debug, Default)]
pub struct EventQueue {
    heap: BinaryHeap<Scheduled>,
    seq: u64,
}

impl EventQueue {
    #[inline]
    pub fn push(&mut self, time: Nanos, event: Event) {
        self.seq += 1;
        self.heap.push(Scheduled {
            time,
            seq: self.seq,
            event,
        });
    }

    #[inline]
    pub fn peek_time(&self) -> Option<Nanos> {
        self.heap.peek().map(|s| s.time)
    }

    #[inline]
    pub fn pop(&mut self) -> Option<(Nanos, Event)> {
        self.heap.pop().map(|s| (s.time, s.event))
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_then_insertion_order() {
        let mut q = EventQueue::default();
        q.push(5, Event::Sample);
        q.push(3, Event::Arrival { workload: 1 });
        q.push(3, Event::Arrival { workload: 2 });
        q.push(1, Event::IoDone { task: 0 });
        let order: alloc::vec::Vec<_> = core::iter::from_fn(|| q.pop()).collect();
        assert_eq!(
            order,
            [
                (1, Event::IoDone { task: 0 }),
                (3, Event::Arrival { workload: 1 }),
                (3, Event::Arrival { workload: 2 }),
                (5, Event::Sample)
            ]
        );
    }
}
