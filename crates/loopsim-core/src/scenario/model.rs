//! The validated scenario: plain data with every name resolved to an index.
//!
//! The YAML front end (`super::parse`) produces this; the engine consumes it and never looks a
//! name up again. Durations are integer nanoseconds ([`Nanos`]); sizes are bytes; rates are
//! requests per second as `f64`.

use alloc::string::String;
use alloc::vec::Vec;

use crate::diag::Span;
use crate::dist::Dist;
use crate::time::Nanos;

/// Index of a service in [`Scenario::services`].
pub type ServiceId = u32;
/// Index of an endpoint in [`Scenario::endpoints`] (global across services).
pub type EndpointId = u32;

/// A whole scenario, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub duration: Nanos,
    pub warmup: Nanos,
    /// Interval between two points of the time series.
    pub sample_every: Nanos,
    pub workloads: Vec<Workload>,
    pub services: Vec<Service>,
    pub endpoints: Vec<Endpoint>,
    pub network: Network,
    /// Engine safety valve: the run stops (and the report says so) when this many requests are
    /// in flight at once, instead of exhausting memory on a hopelessly overloaded system.
    pub max_in_flight: u32,
}

/// A source of requests. The client side of every hop from a workload is the node `client`.
#[derive(Clone, Debug, PartialEq)]
pub struct Workload {
    pub name: String,
    pub target: ServiceId,
    pub arrivals: Arrivals,
    /// Endpoint choice: `(endpoint, cumulative probability)`, last cumulative value is 1.0.
    pub mix: Vec<(EndpointId, f64)>,
    /// Client timeout: the request counts as timed out at `send + timeout`; the server still
    /// finishes its work.
    pub timeout: Option<Nanos>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Arrivals {
    /// Open loop, exponential inter-arrival times with a (possibly time-varying) rate.
    Poisson(RateSchedule),
    /// Open loop, evenly spaced arrivals at the current rate.
    Constant(RateSchedule),
    /// Closed loop: `users` each think, send one request, wait for its outcome, repeat.
    Closed { users: u32, think: Dist },
}

/// Piecewise-linear arrival rate. Before the first point the rate is that point's rate.
#[derive(Clone, Debug, PartialEq)]
pub struct RateSchedule {
    pub points: Vec<RatePoint>,
}

/// From `at` on the rate is `rate`; with a `ramp`, it moves linearly from the previous rate to
/// `rate` over `[at, at + ramp]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RatePoint {
    pub at: Nanos,
    pub rate: f64,
    pub ramp: Nanos,
}

impl RateSchedule {
    pub fn constant(rate: f64) -> Self {
        RateSchedule {
            points: alloc::vec![RatePoint {
                at: 0,
                rate,
                ramp: 0
            }],
        }
    }

    /// Rate (requests per second) at time `t`.
    pub fn rate_at(&self, t: Nanos) -> f64 {
        let mut prev = match self.points.first() {
            Some(p) => p.rate,
            None => return 0.0,
        };
        let mut current = prev;
        for p in &self.points {
            if t < p.at {
                break;
            }
            if p.ramp > 0 && t < p.at + p.ramp {
                let f = (t - p.at) as f64 / p.ramp as f64;
                return prev + (p.rate - prev) * f;
            }
            current = p.rate;
            prev = p.rate;
        }
        current
    }

    /// Highest rate the schedule ever reaches (the envelope for thinning).
    pub fn max_rate(&self) -> f64 {
        self.points
            .iter()
            .fold(0.0, |m, p| if p.rate > m { p.rate } else { m })
    }
}

/// Balancer across a service's replicas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Balance {
    RoundRobin,
    LeastConnections,
    Random,
    PowerOfTwo,
}

/// How an instance hands a new connection to one of its workers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accept {
    /// A worker whose loop is idle (lowest index first); if all are busy, the worker with the
    /// shortest ready queue (lowest index on ties). Models a shared listening socket where idle
    /// workers win the `accept()` race.
    IdleFirst,
    /// Strict rotation, whatever the load (like `SO_REUSEPORT` with an even hash).
    RoundRobin,
    /// Uniformly random worker (`SO_REUSEPORT` hashing of random client ports).
    Random,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    pub name: String,
    pub replicas: u32,
    pub balance: Balance,
    pub workers: u32,
    pub threads: u32,
    pub accept: Accept,
    /// Memory per instance in bytes; `None` = unlimited.
    pub ram: Option<u64>,
    /// Endpoints of this service: indices into [`Scenario::endpoints`].
    pub endpoints: Vec<EndpointId>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Endpoint {
    pub service: ServiceId,
    /// Path as written, e.g. `/checkout`.
    pub path: String,
    pub steps: Vec<Step>,
    pub span: Span,
}

/// One step of an endpoint's task. See the crate docs for the exact semantics.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// Runs on the event loop and holds it.
    Cpu(Dist),
    /// A synchronous call inside async code: holds the loop like `Cpu`, reported as blocking.
    Blocking(Dist),
    /// Awaits external I/O; the loop is free meanwhile.
    Io(Dist),
    /// Awaits work on the worker's thread pool (FIFO when all threads are busy).
    Offload(Dist),
    /// Awaits a downstream request.
    Call(EndpointId),
    /// Holds `bytes` of the instance's memory until the request ends.
    Ram(u64),
}

/// Network between nodes. Node 0 is the client; node `1 + s` is service `s`.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    /// Default latency of every hop (one way).
    pub latency: Dist,
    /// Default loss probability of every hop (one way).
    pub loss: f64,
    pub links: Vec<Link>,
}

/// Overrides for the hops between two nodes (both directions).
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// Node indices: 0 = client, `1 + s` = service `s`.
    pub between: [u32; 2],
    pub latency: Option<Dist>,
    pub loss: Option<f64>,
}

impl Scenario {
    /// The endpoint of `service` with the given path.
    pub fn endpoint_by_path(&self, service: ServiceId, path: &str) -> Option<EndpointId> {
        let svc = self.services.get(service as usize)?;
        svc.endpoints
            .iter()
            .copied()
            .find(|&e| self.endpoints[e as usize].path == path)
    }

    pub fn service_by_name(&self, name: &str) -> Option<ServiceId> {
        self.services
            .iter()
            .position(|s| s.name == name)
            .map(|i| i as ServiceId)
    }
}
