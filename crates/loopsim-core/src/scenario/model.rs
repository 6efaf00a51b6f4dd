//! The validated scenario: plain data with every name resolved to an index.
//!
//! The YAML front end (`super::parse`) produces this; the engine consumes it and never looks a
//! name up again. Durations are integer nanoseconds ([`Nanos`]); sizes are bytes; rates are
//! requests per second as `f64`.

use alloc::string::String;
use alloc::vec::Vec;

use crate::diag::Span;
use crate::dist::Dist;
use crate::guards::breaker::BreakerConfig;
use crate::guards::concurrency::LimitKind;
use crate::guards::retry::Backoff;
use crate::guards::risk::RiskConfig;
use crate::health::{BudgetConfig, CollapseConfig, CostModel, HealthThresholds, SloObjective};
use crate::time::Nanos;

/// Index of a service in [`Scenario::services`].
pub type ServiceId = u32;
/// Index of an endpoint in [`Scenario::endpoints`] (global across services).
pub type EndpointId = u32;

/// How the warm-up was set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WarmupRule {
    /// `warmup: <duration>` (0 when absent).
    Fixed,
    /// `warmup: auto`, not chosen yet: [`crate::Simulation::new`] runs the first pass.
    Auto,
    /// `warmup: auto`, chosen: `warmup` holds the cut.
    Chosen(crate::warmup::Cut),
}

/// A whole scenario, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub duration: Nanos,
    pub warmup: Nanos,
    /// `warmup: auto`: the cut is chosen by MSER-5 on a first pass ([`crate::warmup::settle`]).
    pub warmup_rule: WarmupRule,
    /// Independent runs to summarise (`replications:`, 1 by default).
    pub replications: u32,
    /// Interval between two points of the time series.
    pub sample_every: Nanos,
    pub workloads: Vec<Workload>,
    pub services: Vec<Service>,
    pub endpoints: Vec<Endpoint>,
    pub network: Network,
    /// Client-side guard policies; index 0 is the empty policy.
    pub policies: Vec<CallPolicy>,
    pub faults: Vec<Fault>,
    pub health: HealthSpec,
    /// Service-level objectives, evaluated over the measured window.
    pub slos: Vec<SloObjective>,
    /// The SLO period that burn-rate alert windows are scaled to (`None`: the measured window).
    pub slo_period: Option<Nanos>,
    pub cost: Option<CostModel>,
    pub budget: Option<BudgetConfig>,
    /// Pools of permits declared by services, in declaration order.
    pub pools: Vec<PoolSpec>,
    /// Caches declared at the top level (`caches:`), in declaration order.
    pub caches: Vec<CacheSpec>,
    /// Engine safety valve: the run stops (and the report says so) when this many requests are
    /// in flight at once, instead of exhausting memory on a hopelessly overloaded system.
    pub max_in_flight: u32,
    /// Message queues (`queues:`), in declaration order; queue `q` is network node
    /// `1 + services + q` (its broker).
    pub queues: Vec<QueueSpec>,
    /// `try:` and `guide:`, for the reader; the engine ignores them.
    pub guide: super::guide::Guide,
    /// `sweep:`: the parameters a sweep varies; a single run ignores it (it runs the scenario
    /// as written), a sweep runs [`crate::sweep::Sweep::scenario_at`] of each point.
    pub sweep: Option<crate::sweep::Sweep>,
}

/// A source of requests. The client side of every hop from a workload is the node `client`.
#[derive(Clone, Debug, PartialEq)]
pub struct Workload {
    pub name: String,
    pub target: ServiceId,
    pub arrivals: Arrivals,
    /// Endpoint choice: `(endpoint, cumulative probability)`, last cumulative value is 1.0.
    pub mix: Vec<(EndpointId, f64)>,
    /// Client-side guards (timeout, retries, breaker, ...): an index into
    /// [`Scenario::policies`]. A timed-out request still runs to completion on the server.
    pub policy: PolicyId,
    /// Higher is served first wherever a queue orders by priority (0 by default); the
    /// requests its calls make inherit it.
    pub priority: u8,
    /// A user count drawn every window that scales a Poisson workload's rate.
    pub active_users: Option<ActiveUsers>,
    pub span: Span,
}

/// `active_users`: every `every`, a user count U is drawn (Poisson(`mean`), or
/// max(0, Normal(`mean`, `sd`))) and the rate in that window is the schedule's × U / `mean`:
/// AsyncFlow's compound Poisson–Poisson (or Gaussian–Poisson) request generator.
#[derive(Clone, Debug, PartialEq)]
pub struct ActiveUsers {
    pub mean: f64,
    /// `Some(sd)`: a clamped normal count; `None`: a Poisson count.
    pub normal_sd: Option<f64>,
    pub every: Nanos,
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
    pub ingress: Ingress,
    /// CPU cores per replica, shared by its loops' `cpu` and its threads' computation;
    /// `None`: every loop and thread computes on a CPU of its own.
    pub cores: Option<u32>,
    /// One interpreter lock per worker process (CPython), shared by its loop and its threads.
    pub gil: bool,
    pub span: Span,
    /// Horizontal autoscaling (`autoscale:`). With it, `replicas` is the most the service can
    /// have (`autoscale.max`, all built up front) and `autoscale.initial` those ready at 0.
    pub autoscale: Option<Autoscale>,
    /// Each replica's network card (`nic`), bytes per second, each direction on its own;
    /// `None`: unlimited.
    pub nic: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Endpoint {
    pub service: ServiceId,
    /// Path as written, e.g. `/checkout`.
    pub path: String,
    pub steps: Vec<Step>,
    pub span: Span,
    /// Bytes of each successful answer (`response_size`): crosses the hop server → caller over
    /// the bandwidth on its way. `None`: no payload.
    pub response_size: Option<Dist>,
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
    /// Awaits work on the worker's thread pool (FIFO when all threads are busy). With `cores`
    /// or `gil` on the service, a plain job waits without them (blocking I/O or native code).
    Offload(Dist),
    /// `offload: { cpu, io }`: a thread job that computes (holding a core and the GIL when
    /// the service has them) and then waits (releasing them).
    OffloadSplit { cpu: Dist, io: Dist },
    /// Awaits a downstream request, guarded by a policy (0 = none). With a `fallback`, a
    /// failed call (after its retries) goes on at step `fallback` instead of failing the
    /// request; the step after the call is then a [`Step::Jump`] past the fallback's steps.
    Call {
        endpoint: EndpointId,
        policy: PolicyId,
        fallback: StepIndex,
    },
    /// Holds `bytes` of the instance's memory until the request ends.
    Ram(u64),
    /// Awaits a language-model call: an await like `io`, with tokens to pay for.
    Llm(LlmSpec),
    /// Awaits one permit of a pool (the start of a `with` block): the task waits in the
    /// pool's queue, or fails as `pool_full` / `pool_timeout`.
    Acquire(PoolId),
    /// Gives the pool's permit back (the end of a `with` block).
    Release(PoolId),
    /// `branch`: picks one arm by weight and goes to its first step. `(cumulative
    /// probability, step index)`; the last cumulative value is 1. Each arm ends with a
    /// [`Step::Jump`] past the last arm.
    Branch(Vec<(f64, StepIndex)>),
    /// Goes on at another step of the endpoint (the end of a `branch` arm).
    Jump(StepIndex),
    /// `parallel`: starts the branches as child tasks on the request's event loop and waits
    /// for them (see [`Fork`]).
    Fork(alloc::boxed::Box<Fork>),
    /// The end of a `parallel` branch: its child task ends here.
    BranchEnd,
    /// `cache:` looks a key up (see [`CacheLookup`]): a hit goes on at the next step (the
    /// `hit` steps, ending with a [`Step::Jump`] past the block), a miss at `miss`.
    CacheLookup(alloc::boxed::Box<CacheLookup>),
    /// The end of a `cache:` block's `miss` steps: the looked-up key is stored (the miss
    /// steps succeeded).
    CacheStore(CacheId),
    /// `invalidate:` removes a key (drawn from `keys`) from the cache, if present.
    CacheInvalidate { cache: CacheId, keys: KeySpace },
    /// `publish`: sends a message to a queue's broker and awaits its acknowledgement (one
    /// round trip); fails as `queue_full` past the queue's `max_length`.
    Publish(QueueId),
    /// `spawn`: starts the steps after this one (up to their [`Step::BranchEnd`]) as a
    /// background task on the request's event loop and goes on at once at `next`
    /// (`asyncio.create_task`): nobody awaits it, it may outlive its request.
    Spawn { next: StepIndex },
}

/// Index into [`Scenario::queues`].
pub type QueueId = u32;

/// A message queue (`queues:`): a broker node that stores messages published by `publish`
/// steps and delivers them to a consumer endpoint (see `engine/broker.rs`).
#[derive(Clone, Debug, PartialEq)]
pub struct QueueSpec {
    pub name: String,
    /// The endpoint that processes each message; `None`: messages only accumulate.
    pub consumer: Option<EndpointId>,
    /// Messages in process at once per consumer replica that is up.
    pub concurrency: u32,
    /// Ordered partitions (Kafka): one message per partition in process at a time. `None`:
    /// one unordered queue.
    pub partitions: Option<u32>,
    /// Messages held (waiting, in process, awaiting redelivery) beyond which `publish` fails
    /// as `queue_full`.
    pub max_length: Option<u32>,
    /// Failed processings after which a message goes to `dead_letter` (or is dropped).
    pub max_deliveries: u32,
    /// Visibility timeout: a failed message is delivered again this long after the failure.
    pub redelivery_delay: Nanos,
    pub dead_letter: Option<QueueId>,
    pub span: Span,
}

/// Index into an endpoint's (flattened) steps.
pub type StepIndex = u32;

/// How a `parallel` step starts and joins its branches. Endpoint steps are one flat program:
/// each branch's steps sit after the `Fork` step, each ending with [`Step::BranchEnd`], and
/// the request goes on at `next` once the join is decided.
#[derive(Clone, Debug, PartialEq)]
pub struct Fork {
    /// First step of each listed branch.
    pub starts: Vec<StepIndex>,
    /// Copies of every listed branch (`fanout`, shards): `starts.len() × fanout` children.
    pub fanout: u32,
    /// Successes that decide the step (`wait: all` = every child, `any` = 1, or k).
    pub need: u32,
    /// `on_error: ignore` (with `wait: all`): failed branches do not fail the step.
    pub ignore_errors: bool,
    /// The step after the parallel block.
    pub next: StepIndex,
}

/// Index into [`Scenario::pools`].
pub type PoolId = u32;

/// Which instances of a pool exist: one per worker process, per replica, or one for the
/// whole service (shared by its replicas, like a database's connection limit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Worker,
    Replica,
    Service,
}

/// The order in which waiters get a freed permit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Discipline {
    /// First come, first served.
    Fifo,
    /// Newest first (a stack): under overload the freshest requests, still wanted, go first.
    Lifo,
    /// Highest request priority first, FIFO within a priority.
    Priority,
    /// CoDel (Nichols & Jacobson): FIFO, but while the sojourn of the waiters served has
    /// stayed above 5 ms for 100 ms, the head waiter is shed (`pool_shed`), the next after
    /// 100 ms / √(sheds so far), until a sojourn falls below 5 ms again.
    Codel,
    /// Facebook's adaptive LIFO: FIFO while the oldest waiter has waited less than 5 ms,
    /// newest first while the queue is congested (the newest callers are still waiting).
    AdaptiveLifo,
}

/// A bounded pool of permits declared by a service (`pools:`): database connections, an HTTP
/// client's connections, a semaphore. Steps inside a `with` block hold one permit.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolSpec {
    pub name: String,
    pub service: ServiceId,
    pub size: u32,
    pub queue: Discipline,
    pub scope: Scope,
    /// A waiter that has not got a permit after this long fails as `pool_timeout`.
    pub timeout: Option<Nanos>,
    /// A request that finds this many waiters fails at once as `pool_full`.
    pub max_waiting: Option<u32>,
    pub span: Span,
}

/// Network between nodes. Node 0 is the client; node `1 + s` is service `s`; node
/// `1 + services + q` is the broker of queue `q`.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    /// Default latency of every hop (one way).
    pub latency: Dist,
    /// Default loss probability of every hop (one way).
    pub loss: f64,
    pub links: Vec<Link>,
    /// Default bandwidth of every hop (bytes per second, each direction on its own, shared
    /// fairly by the transfers on it); `None`: unlimited.
    pub bandwidth: Option<f64>,
}

/// Overrides for the hops between two nodes (both directions).
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// Node indices: 0 = client, `1 + s` = service `s`, `1 + services + q` = queue `q`.
    pub between: [u32; 2],
    pub latency: Option<Dist>,
    pub loss: Option<f64>,
    /// Bandwidth of this link, each direction (bytes per second); `None`: the network's.
    pub bandwidth: Option<f64>,
    /// Only `between[0] → between[1]`; the reverse hops keep the network's (or their own link).
    pub one_way: bool,
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

// ----- guards and faults (scenario sections `retry`/`breaker`/... on calls and workloads,
// `ingress:` on services, `faults:` at the top) ------------------------------------------------

/// Index of a policy in [`Scenario::policies`]; 0 is always the empty policy (no guards).
pub type PolicyId = u32;

/// Client-side guards around the requests of a workload or of a `call` step. The guards' state
/// lives with the caller: one set per workload, or per calling replica for a `call`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CallPolicy {
    /// Per attempt: the attempt fails as `timeout` at send + timeout.
    pub timeout: Option<Nanos>,
    /// Overall, across attempts: no attempt starts (or continues) past send + deadline.
    pub deadline: Option<Nanos>,
    pub retry: Option<RetrySpec>,
    pub breaker: Option<BreakerConfig>,
    pub risk: Option<RiskConfig>,
    pub throttle: Option<ThrottleSpec>,
    /// Hedged requests: another copy of an attempt after `after` without an answer.
    pub hedge: Option<HedgeSpec>,
    /// Bytes of each request sent (`request_size`, in bytes): crosses the hop caller →
    /// server over the bandwidth on its way (`engine/transfer.rs`). `None`: no payload.
    pub request_size: Option<Dist>,
}

/// `hedge: { after, max }`: up to `max` extra copies of an attempt, one every `after` while
/// no answer has come; the first success wins and the other copies are abandoned (their
/// servers' work goes on). The attempt fails only when every copy sent has failed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HedgeSpec {
    pub after: Nanos,
    pub max: u32,
}

/// No fallback (see [`Step::Call`]).
pub const NO_FALLBACK: StepIndex = StepIndex::MAX;

impl CallPolicy {
    pub fn is_empty(&self) -> bool {
        *self == CallPolicy::default()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct RetrySpec {
    /// Total attempts, the first included (≥ 1).
    pub attempts: u32,
    pub backoff: Backoff,
    pub budget: Option<RetryBudgetSpec>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RetryBudgetSpec {
    /// Retries ≤ `ratio` × requests over a sliding `window`, plus `min_per_s` (Google SRE,
    /// Finagle/Envoy).
    Ratio {
        ratio: f64,
        min_per_s: u32,
        window: Nanos,
    },
    /// gRPC retry throttling tokens.
    Grpc { max_tokens: u32, token_ratio: f64 },
}

/// Google SRE client-side adaptive throttling.
#[derive(Clone, Debug, PartialEq)]
pub struct ThrottleSpec {
    pub k: f64,
    pub window: Nanos,
}

/// Server-side admission control of every instance of a service.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ingress {
    /// Requests accepted but not yet started, per instance; beyond it: `shed_queue_full` (503).
    pub max_queue: Option<u32>,
    /// Token bucket per instance: `rate` per second with `burst` tokens.
    pub rate_limit: Option<RateLimitSpec>,
    /// Requests in service per instance (fixed, AIMD, Gradient2, Vegas).
    pub concurrency: Option<LimitKind>,
    /// With a concurrency limit: requests beyond it wait in an admission queue ordered by this
    /// discipline (bounded by `max_queue`) instead of being refused. `None`: refused.
    pub queue: Option<Discipline>,
    /// Skip the work of a request whose caller has already given up (its attempt deadline has
    /// passed) when it would start: `dropped_expired`.
    pub drop_expired: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RateLimitSpec {
    pub rate: f64,
    pub burst: u64,
}

/// A fault on the timeline, active over `[at, until)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    pub at: Nanos,
    pub until: Nanos,
    pub kind: FaultKind,
    pub span: Span,
}

/// What a fault targets: every replica of a service, or one (`gateway#1`, 0-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplicaTarget {
    pub service: ServiceId,
    pub replica: Option<u32>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FaultKind {
    /// CPU, blocking and offload work takes `factor`× longer (work started while it is active).
    Slowdown { target: ReplicaTarget, factor: f64 },
    /// Extra one-way latency on the hops `from → to` (and back when `both`).
    Latency {
        from: u32,
        to: u32,
        both: bool,
        add: Dist,
    },
    /// Extra loss probability on the hops `from → to` (and back when `both`).
    Loss {
        from: u32,
        to: u32,
        both: bool,
        rate: f64,
    },
    /// A fraction of requests to the service (or one endpoint) fail at once with `error` (5xx).
    Errors {
        service: ServiceId,
        endpoint: Option<EndpointId>,
        rate: f64,
    },
    /// Replicas are down: new requests are refused; in-flight work is lost.
    Outage { target: ReplicaTarget },
    /// Every targeted event loop stops for the fault's length (a GC pause).
    Pause {
        target: ReplicaTarget,
        worker: Option<u32>,
    },
    /// Extra open-loop traffic on a workload: the rate × `factor` + `add` (requests/s).
    Surge {
        workload: u32,
        factor: f64,
        add: f64,
    },
    /// Every instance of the cache is emptied at `at` (a restart, a deploy): a stampede.
    Flush { cache: CacheId },
}

// ----- health, SLOs, cost (scenario sections `health:`, `slo:`, `cost:`, `budget:`) ---------

/// `health:` — how the runtime is scored (async-runtime-auditor model) and watched for collapse
/// (agent-chaos-framework model).
#[derive(Clone, Debug, PartialEq)]
pub struct HealthSpec {
    /// Granularity of the engine's health records.
    pub tick: Nanos,
    /// Length of the rolling windows of the status timeline.
    pub window: Nanos,
    /// A loop run (the time between two awaits) longer than this is a slow callback, as in
    /// asyncio's debug mode (`slow_callback_duration`, 100 ms).
    pub slow_callback: Nanos,
    pub thresholds: HealthThresholds,
    pub collapse: CollapseConfig,
    /// Feed the collapse detector's throttle delay back to closed-loop users of the service
    /// (their think time grows by it), as the agent-chaos framework does for its producers.
    pub collapse_throttle: bool,
}

impl HealthSpec {
    /// The default tick: 1 s, coarsened (in whole seconds) for long runs so a run has at most
    /// 20,000 ticks and at most 1,000,000 health records over all its services.
    pub fn default_for(duration: Nanos, services: usize) -> Self {
        let second = crate::time::NANOS_PER_SEC;
        let max_ticks = (1_000_000 / services.max(1) as u64).clamp(1, 20_000);
        let tick = second.max(duration.div_ceil(max_ticks).div_ceil(second) * second);
        HealthSpec {
            tick,
            window: (10 * second).max(tick),
            slow_callback: second / 10,
            thresholds: HealthThresholds::default(),
            collapse: CollapseConfig::default(),
            collapse_throttle: false,
        }
    }
}

/// An `llm` step: awaits a model call (the loop is free), costs tokens. Latency = time to first
/// token + output tokens × time per output token.
#[derive(Clone, Debug, PartialEq)]
pub struct LlmSpec {
    pub tokens_in: Dist,
    pub tokens_out: Dist,
    pub first_token: Dist,
    pub per_token: Dist,
}

/// What an autoscaler measures, per ready replica, averaged over its window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScaleMetric {
    /// Event-loop busy fraction, averaged over the replica's workers (target: a ratio).
    Utilization,
    /// Mean event-loop lag (target: a duration, in ns as `f64`).
    LoopLag,
    /// Requests routed to the replica and not yet answered (target: a count).
    InFlight,
    /// Requests routed to the replica per second (target: a rate).
    Rps,
    /// Messages held (waiting, in process, awaiting redelivery) by the queues the service
    /// consumes, like KEDA's queue scalers with in-flight messages counted (target: a count).
    QueueDepth,
}

impl ScaleMetric {
    /// The name as written in a scenario (`autoscale.metric`).
    pub fn name(self) -> &'static str {
        match self {
            ScaleMetric::Utilization => "utilization",
            ScaleMetric::LoopLag => "loop_lag",
            ScaleMetric::InFlight => "in_flight",
            ScaleMetric::Rps => "rps",
            ScaleMetric::QueueDepth => "queue_depth",
        }
    }
}

/// A Kubernetes HPA–style policy of one service (see `engine/hpa.rs`).
#[derive(Clone, Debug, PartialEq)]
pub struct Autoscale {
    /// Replicas ready at time 0 (the `replicas:` key), in `[min, max]`.
    pub initial: u32,
    pub min: u32,
    pub max: u32,
    pub metric: ScaleMetric,
    /// In the metric's unit: a fraction, nanoseconds, a count or a rate per second.
    pub target: f64,
    /// How often the policy decides; the metric's averaging window.
    pub interval: Nanos,
    pub window: Nanos,
    /// From a scale-up decision to the new replica taking traffic (cold start).
    pub provision: Nanos,
    /// Scale-down stabilisation: the highest recommendation of this long wins.
    pub cooldown: Nanos,
    /// No change while metric / target is within 1 ± tolerance.
    pub tolerance: f64,
    /// Where `interval` is written (or the `autoscale` mapping): the run-length check's span.
    pub span: Span,
    /// Where `metric` is written (or the `autoscale` mapping).
    pub metric_span: Span,
}
// ----- caches (scenario section `caches:`, steps `cache:` and `invalidate:`) -----------------

/// Index into [`Scenario::caches`].
pub type CacheId = u32;

/// Which entry a full cache evicts to make room.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvictionPolicy {
    /// Least recently used.
    Lru,
    /// Least frequently used (counts while in the cache; oldest first among equals).
    Lfu,
    /// First in, first out (a hit does not move the entry).
    Fifo,
    /// A uniformly random entry.
    Random,
}

/// Where a cache's instances live: one for everyone (a Redis), or one per replica of the
/// service whose step uses it (an in-process cache).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheScope {
    Shared,
    Replica,
}

/// A cache declared under `caches:`: `capacity` entries per instance, evicting by `policy`;
/// an entry older than `ttl` is a miss (no refresh on hit).
#[derive(Clone, Debug, PartialEq)]
pub struct CacheSpec {
    pub name: String,
    pub capacity: u32,
    pub policy: EvictionPolicy,
    pub ttl: Option<Nanos>,
    pub scope: CacheScope,
    pub span: Span,
}

/// The keys a cache step draws: `count` keys, key `k` (from 1) with probability ∝ k^−zipf
/// (`zipf = 0`: uniform).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KeySpace {
    pub count: u64,
    pub zipf: f64,
}

/// A `cache:` block as one step program: `CacheLookup`, the hit steps, `Jump(after)`, the
/// miss steps, `CacheStore`, then `after`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CacheLookup {
    pub cache: CacheId,
    pub keys: KeySpace,
    /// First miss step (the `CacheStore` when there are none).
    pub miss: StepIndex,
    /// The step after the block.
    pub after: StepIndex,
    /// Single flight: a miss on a key whose miss steps are already running waits for them.
    pub coalesce: bool,
}
