//! The final report: plain data, `serde`-serialisable into the JSON that `loopsim run --json`
//! prints and the wasm facade returns (one shape everywhere).
//!
//! Request statistics (`requests`, `latency_s`, `throughput_rps`, `error_rate`) cover the
//! requests *sent* at or after `warmup`; service statistics are time-weighted over the window
//! `[warmup, end]`. `note` says so in every report.

use alloc::string::String;
use alloc::vec::Vec;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::engine::queue::Outcome;
use crate::engine::resource::{ResourceMeter, Resources, Role};
use crate::engine::{
    Assessment, CallSiteStats, ClientStats, Deadlock, EndpointStats, GuardReport, ServiceStats,
};
pub use crate::engine::{PartitionReport, QueueReport, SpawnReport};
use crate::health::{CollapseReport, CostReport, Finding, FindingKind, HealthReport, SloResult};
use crate::metrics::QuantileSketch;
use crate::metrics::TimeWeighted;
use crate::scenario::Scenario;
use crate::scenario::Scope;
use crate::time::{to_secs_f64, Nanos};

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Report {
    pub scenario: String,
    pub seed: u64,
    /// Why the run ended before `duration`, when it did (`null` for a complete run). First in
    /// the report so that no reader misses it: every figure below covers only `[0, at_s]`.
    pub stopped: Option<Stopped>,
    pub duration_s: f64,
    pub warmup_s: f64,
    /// `warmup: auto`: the cut MSER-5 chose (`warmup_s` is where it falls); `null` for a
    /// fixed warm-up.
    pub warmup_auto: Option<crate::warmup::Cut>,
    /// Length of the measured window `[warmup, end]`.
    pub measured_s: f64,
    pub note: String,
    pub events: u64,
    pub requests: Requests,
    pub latency_s: Latency,
    /// Successful requests per second over the measured window (the same as `goodput_rps`).
    pub throughput_rps: f64,
    /// Successful requests per second over the measured window.
    pub goodput_rps: f64,
    /// Requests that ended (successfully or not) per second over the measured window.
    pub answered_rps: f64,
    /// Failed / (completed + failed) over measured requests with an outcome.
    pub error_rate: f64,
    /// Attempts per request (1 without retries).
    pub attempts_per_request: f64,
    /// Failed requests by final outcome kind (every kind listed, zeros included).
    pub errors: Named<u64>,
    /// Pools deadlocked at the end of the run (requests holding permits while waiting for
    /// each other's), if any.
    pub deadlock: Option<Deadlock>,
    /// `requests.retries` by caller (`workload shoppers`, `gateway → payments/charge`), for
    /// every caller with client-side guards, in the order of `guards`.
    pub retries_by_caller: Named<u64>,
    pub workloads: Named<WorkloadReport>,
    /// Results by request priority (`"0"`, `"1"`, …, highest last), when the workloads have
    /// more than one: each class's workloads added up.
    pub priorities: Named<WorkloadReport>,
    pub services: Named<ServiceReport>,
    /// Per endpoint (`service/path`), the server's view: requests that arrived in the
    /// measured window, by outcome, and their time in service (arrival → response sent).
    pub endpoints: Named<EndpointReport>,
    /// Per `call` step (`caller/path → target/path`, with `#n` for a second call to the same
    /// target), the caller's view: outcomes and latency including retries. A fan-out's tail
    /// shows here.
    pub call_sites: Named<CallSiteReport>,
    /// Client-side guards, one entry per caller (workload, or calling replica).
    pub guards: Vec<GuardReport>,
    /// The fault timeline as simulated.
    pub faults: Vec<FaultReport>,
    /// Runtime health (async-runtime-auditor model) over the measured window, with its
    /// timeline of rolling windows.
    pub health: HealthReport,
    /// Service-level objectives: met or missed, error budget, burn-rate alerts.
    pub slo: Vec<SloResult>,
    /// Collapse detectors of the services with a bounded accept queue.
    pub collapse: Named<CollapseReport>,
    /// Spend, when the scenario has a `cost:` section.
    pub cost: Option<CostReport>,
    /// Message queues (`queues:`), by name.
    pub queues: Named<QueueReport>,
    /// Per service with a `spawn` step: its background tasks.
    pub spawned: Named<SpawnReport>,
    /// Caches (`caches:`), in declaration order, over all their instances.
    pub caches: Named<CacheReport>,
    /// Bandwidth channels that carried payloads (`client → api`, `api#0 nic out`), when the
    /// scenario has payloads and bandwidth; absent otherwise.
    #[serde(skip_serializing_if = "Named::is_empty")]
    pub links: Named<LinkReport>,
    /// What happened, in plain words (see [`crate::diagnosis`]): an early stop first, then the
    /// users' experience, failures by cause, the bottleneck, amplifiers, the trigger's
    /// aftermath; with the auditor's status scale.
    pub diagnosis: crate::diagnosis::Diagnosis,
}

/// One cache over the measured window, summed over its instances.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CacheReport {
    /// Entries per instance.
    pub capacity: u32,
    /// `lru`, `lfu`, `fifo` or `random`.
    pub policy: &'static str,
    /// `shared` or `replica`.
    pub scope: &'static str,
    pub instances: u32,
    /// hits / (hits + misses) (`null` without lookups).
    pub hit_ratio: Option<f64>,
    pub hits: u64,
    /// Lookups that found nothing: cold, expired, evicted keys, and waits on another
    /// request's miss (`coalesced`).
    pub misses: u64,
    /// Lookups that found an entry older than `ttl` (counted in `misses` too).
    pub expirations: u64,
    /// Entries removed to make room.
    pub evictions: u64,
    /// Entries removed by `invalidate` steps.
    pub invalidations: u64,
    /// Misses that waited for another request's miss steps (single flight) instead of
    /// running their own.
    pub coalesced: u64,
    /// Entries, time-weighted (`null` over an empty measured window).
    pub entries: Option<QueueLen>,
    /// Entries at the end of the run.
    pub entries_end: u64,
}

/// One direction of a hop or of a replica's network card, over the measured window.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct LinkReport {
    /// Bits per second.
    pub bandwidth_bps: f64,
    /// Transfers that ended in the window and their bytes.
    pub transfers: u64,
    pub bytes: f64,
    /// Bytes per second delivered over the window.
    pub throughput_bytes_per_s: f64,
    /// Fraction of the time at least one transfer was in flight (`null` over an empty window).
    pub utilization: Option<f64>,
    /// Transfers in flight, time-averaged, and the most at once.
    pub in_flight: Option<QueueLen>,
    /// Start to last byte, in seconds (the hop's latency is not included).
    pub transfer_s: Lag,
}

/// An early stop: which run-time cap ended the run, when, and what to do about it.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Stopped {
    pub cause: StopCause,
    /// Simulated time of the stop.
    pub at_s: f64,
    /// One sentence: what happened and how to avoid it.
    pub message: String,
}

/// The run-time caps that can end a run early (work and memory stay bounded for every valid
/// scenario, whatever its static estimate said).
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StopCause {
    /// More requests alive (client side: sent, retrying or delayed; server side: tasks) than
    /// the scenario's `max_in_flight`.
    MaxInFlight,
    /// Simulated time did not advance over a large number of events (requests failing
    /// instantly in a loop, for example closed users without think time behind a dead link).
    StalledClock,
}

impl StopCause {
    pub fn name(self) -> &'static str {
        match self {
            StopCause::MaxInFlight => "max_in_flight",
            StopCause::StalledClock => "stalled_clock",
        }
    }
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct FaultReport {
    pub kind: &'static str,
    pub target: String,
    pub at_s: f64,
    pub until_s: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Requests {
    pub sent: u64,
    /// Successful responses.
    pub completed: u64,
    /// All failures: the sum of `errors` (timed out, dropped, out of memory, rejected, ...).
    pub failed: u64,
    pub timed_out: u64,
    /// Lost on a network hop (request or response).
    pub dropped: u64,
    pub out_of_memory: u64,
    /// Refused by a guard: client-side (breaker, risk, throttle) or at ingress (rate limit,
    /// queue full, concurrency limit, expired).
    pub rejected: u64,
    /// Attempts made by the workloads, their retries included.
    pub attempts: u64,
    /// Retries. In the report's top-level `requests`: every caller's retries (the workloads'
    /// and the `call` steps'), of requests sent at or after warmup; `retries_by_caller` says
    /// where. In a workload's `requests`: that workload's own retries.
    pub retries: u64,
    /// Sent, no outcome yet at the end of the run.
    pub in_flight: u64,
}

/// Latency of successful requests, client send → response received. Percentiles come from a
/// sketch with ≤ 0.4% relative error; `null` when no request completed.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Latency {
    pub count: u64,
    pub mean: Option<f64>,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
    pub max: Option<f64>,
}

/// Requests of one endpoint or one call site.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct EndpointReport {
    pub ok: u64,
    pub failed: u64,
    /// Latency of the successful ones.
    pub latency_s: Latency,
}

/// Requests one `call` step sent, with its hedging and fallbacks.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CallSiteReport {
    pub ok: u64,
    /// Calls that failed (after retries; a fallback may still have saved the request).
    pub failed: u64,
    /// Latency of the successful ones, retries and hedges included.
    pub latency_s: Latency,
    /// Hedged copies sent, and copies that answered first with a success.
    pub hedges: u64,
    pub hedges_won: u64,
    /// Failed calls whose `fallback` steps ran instead of failing the request.
    pub fallbacks: u64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct WorkloadReport {
    pub requests: Requests,
    pub latency_s: Latency,
    pub throughput_rps: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ServiceReport {
    pub replicas: u32,
    pub workers: u32,
    /// Fraction of time the service's event loops were held (cpu + blocking), averaged over all
    /// its loops. Time-weighted figures are `null` when the measured window is empty.
    pub utilization: Option<f64>,
    pub cpu_s: f64,
    pub blocking_s: f64,
    pub loop_lag_s: Lag,
    pub ready_queue: Option<QueueLen>,
    pub threadpool: ThreadPoolReport,
    pub active_requests_mean: Option<f64>,
    pub active_requests_peak: Option<u64>,
    /// Requests that arrived within the window and finished here, by outcome. `served_failed`
    /// includes requests lost to an outage or dropped as expired, which `refused` also lists
    /// by kind (they were accepted first); ingress refusals are only in `refused`.
    pub served_ok: u64,
    pub served_failed: u64,
    /// `served_ok + served_failed` per replica, in replica order: how the balancer shared the
    /// load.
    pub served_by_replica: Vec<u64>,
    /// Requests turned away at ingress or lost to an outage, by kind (non-zero kinds only).
    pub refused: Named<u64>,
    /// The service's declared pools (`pools:`), in declaration order, then its `cores` and
    /// `gil` when it has them (permits = cores per replica, one GIL per worker).
    pub pools: Named<PoolReport>,
    /// The autoscaler of an autoscaled service (`null` for a fixed one). `replicas` is then
    /// the initial count and `utilization` is over the loops of its serving replicas.
    pub autoscale: Option<AutoscaleReport>,
}

/// One declared pool, over all its instances (see [`crate::engine::resource`]).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PoolReport {
    /// Permits per instance.
    pub size: u32,
    /// `worker`, `replica` or `service`: which instances exist.
    pub scope: &'static str,
    pub instances: u32,
    /// Permits in use / all permits, time-averaged (`null` over an empty measured window).
    pub utilization: Option<f64>,
    /// Permits in use, summed over the instances.
    pub in_use: Option<QueueLen>,
    /// Time from asking to getting a permit, of requests that got one.
    pub wait_s: Wait,
    /// Waiters, summed over the instances.
    pub queue: Option<QueueLen>,
    /// Requests that failed waiting (`pool_timeout`) and that found the queue full
    /// (`pool_full`), in the measured window.
    pub timeouts: u64,
    pub rejected: u64,
    /// Waiters a `codel` queue shed (`pool_shed`), in the measured window.
    pub shed: u64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Lag {
    pub samples: u64,
    pub mean: Option<f64>,
    pub p99: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct QueueLen {
    pub mean: f64,
    pub max: u64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ThreadPoolReport {
    pub threads: u32,
    /// Busy threads / all threads, time-averaged.
    pub utilization: Option<f64>,
    pub queue_wait_s: Wait,
    pub queue: Option<QueueLen>,
    /// Jobs submitted and not completed (queued + running).
    pub backlog_max: Option<u64>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Wait {
    pub jobs: u64,
    pub mean: Option<f64>,
    pub p99: Option<f64>,
}

/// A list of `(name, value)` serialised as a JSON object in scenario order.
#[derive(Clone, Debug, PartialEq)]
pub struct Named<T>(pub Vec<(String, T)>);

impl<T> Named<T> {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, name: &str) -> Option<&T> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

impl<T: Serialize> Serialize for Named<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// What the engine hands over to build a report.
pub struct Input<'a> {
    pub scenario: &'a Scenario,
    pub end: Nanos,
    pub events: u64,
    pub stopped: Option<&'a Stopped>,
    pub client: &'a ClientStats,
    pub workloads: Vec<&'a ClientStats>,
    pub services: Vec<&'a ServiceStats>,
    pub guards: Vec<GuardReport>,
    pub resources: &'a Resources,
    pub endpoints: &'a [EndpointStats],
    pub call_sites: &'a [CallSiteStats],
    pub deadlock: Option<Deadlock>,
    pub health: Assessment,
    pub in_flight: u64,
    /// Per service, its autoscaler's report (`None`: a fixed number of replicas).
    pub autoscale: Vec<Option<AutoscaleReport>>,
    pub queues: Vec<(String, QueueReport)>,
    pub spawned: Named<SpawnReport>,
    pub caches: Named<CacheReport>,
    /// Bandwidth channels that carried payloads (empty without payloads and bandwidth).
    pub links: Named<LinkReport>,
}

pub fn build(input: Input<'_>) -> Report {
    let sc = input.scenario;
    let measured = input.end.saturating_sub(sc.warmup);
    let measured_s = to_secs_f64(measured);
    let mut requests = requests(input.client, input.in_flight);
    let mut health = input.health.health;
    let services = Named(
        sc.services
            .iter()
            .zip(&input.services)
            .enumerate()
            .map(|(s, (svc, st))| {
                let window = Window {
                    warmup: sc.warmup,
                    end: input.end,
                };
                let mut r = service(svc, st, &input.resources.meters[s], window);
                r.pools = pools(s as u32, input.resources, window);
                if let Some(a) = input.autoscale.get(s).cloned().flatten() {
                    r.replicas = a.initial;
                    r.autoscale = Some(a);
                }
                (svc.name.clone(), r)
            })
            .collect(),
    );
    health.findings.extend(pool_findings(&services));
    if let Some(d) = &input.deadlock {
        health.findings.push(deadlock_finding(d));
    }
    let retries_by_caller = retries_by_caller(&input.guards);
    requests.retries = retries_by_caller.0.iter().map(|(_, n)| n).sum();
    let error_rate = ratio(requests.failed, requests.completed + requests.failed);
    Report {
        scenario: sc.name.clone(),
        seed: sc.seed,
        stopped: input.stopped.cloned(),
        duration_s: to_secs_f64(sc.duration),
        warmup_s: to_secs_f64(sc.warmup),
        warmup_auto: match sc.warmup_rule {
            crate::scenario::model::WarmupRule::Chosen(cut) => Some(cut),
            _ => None,
        },
        measured_s,
        note: note(sc.warmup, input.end, requests.sent),
        events: input.events,
        throughput_rps: per_s(requests.completed, measured_s),
        goodput_rps: per_s(requests.completed, measured_s),
        answered_rps: per_s(requests.completed + requests.failed, measured_s),
        error_rate,
        attempts_per_request: attempts_per_request(&input.client.outcomes),
        errors: Named(
            Outcome::ALL[1..]
                .iter()
                .map(|&o| (String::from(o.name()), input.client.outcomes.get(o)))
                .collect(),
        ),
        latency_s: latency(&input.client.latency),
        retries_by_caller,
        deadlock: input.deadlock.clone(),
        requests,
        workloads: Named(
            sc.workloads
                .iter()
                .zip(&input.workloads)
                .map(|(w, st)| (w.name.clone(), workload(st, measured_s)))
                .collect(),
        ),
        priorities: priorities(sc, &input.workloads, measured_s),
        services,
        endpoints: Named(
            sc.endpoints
                .iter()
                .zip(input.endpoints)
                .map(|(e, st)| {
                    (
                        endpoint_name(sc, e),
                        per_endpoint(st.ok, st.failed, &st.latency),
                    )
                })
                .collect(),
        ),
        call_sites: call_sites(sc, input.call_sites),
        guards: input.guards,
        faults: sc.faults.iter().map(|f| fault(sc, f)).collect(),
        health,
        slo: input.health.slo,
        collapse: Named(input.health.collapse),
        cost: input.health.cost,
        queues: Named(input.queues),
        spawned: input.spawned,
        caches: input.caches,
        links: input.links,
        diagnosis: Default::default(),
    }
}

fn fault(sc: &Scenario, f: &crate::scenario::Fault) -> FaultReport {
    use crate::scenario::{FaultKind as K, ReplicaTarget};
    let node = |n: u32| {
        let services = sc.services.len();
        match n as usize {
            0 => String::from("client"),
            s if s <= services => sc.services[s - 1].name.clone(),
            q => sc.queues[q - 1 - services].name.clone(), // a queue's broker
        }
    };
    let replica = |t: &ReplicaTarget| {
        let name = &sc.services[t.service as usize].name;
        match t.replica {
            Some(r) => alloc::format!("{name}#{r}"),
            None => name.clone(),
        }
    };
    let link = |from: u32, to: u32, both: bool| {
        alloc::format!(
            "{}{}{}",
            node(from),
            if both { "<->" } else { "->" },
            node(to)
        )
    };
    let (kind, target) = match &f.kind {
        K::Slowdown { target, .. } => ("slowdown", replica(target)),
        K::Latency { from, to, both, .. } => ("latency", link(*from, *to, *both)),
        K::Loss { from, to, both, .. } => ("loss", link(*from, *to, *both)),
        K::Errors {
            service, endpoint, ..
        } => {
            let mut t = sc.services[*service as usize].name.clone();
            if let Some(e) = endpoint {
                t.push_str(&sc.endpoints[*e as usize].path);
            }
            ("errors", t)
        }
        K::Outage { target } => ("outage", replica(target)),
        K::Pause { target, worker } => {
            let mut t = replica(target);
            if let Some(w) = worker {
                t.push_str(&alloc::format!(" worker {w}"));
            }
            ("pause", t)
        }
        K::Surge { workload, .. } => ("surge", sc.workloads[*workload as usize].name.clone()),
        K::Flush { cache } => ("flush", sc.caches[*cache as usize].name.clone()),
    };
    FaultReport {
        kind,
        target,
        at_s: to_secs_f64(f.at),
        until_s: to_secs_f64(f.until),
    }
}

/// What the figures cover. An empty measured window (a run stopped before `warmup` ended) is
/// said plainly: no time-weighted figure exists for it.
fn note(warmup: Nanos, end: Nanos, sent: u64) -> String {
    if end <= warmup {
        return alloc::format!(
            "The measured window is empty: the run ended at {} s, before warmup ({} s) was \
             over, so no time-weighted service figure is reported and rates are 0.",
            to_secs_f64(end),
            to_secs_f64(warmup)
        );
    }
    alloc::format!(
        "Request statistics cover the {} requests sent at or after warmup ({} s); service \
         statistics are time-weighted over [{} s, {} s].",
        sent,
        to_secs_f64(warmup),
        to_secs_f64(warmup),
        to_secs_f64(end)
    )
}

/// A rate over the measured window; 0 when the window is empty (never infinite).
/// Measured retries summed over each caller's guard sets (one per calling replica).
fn retries_by_caller(guards: &[GuardReport]) -> Named<u64> {
    let mut out: Vec<(String, u64)> = Vec::new();
    for g in guards {
        match out.last_mut() {
            Some((caller, n)) if *caller == g.caller => *n += g.measured_retries,
            _ => out.push((g.caller.clone(), g.measured_retries)),
        }
    }
    Named(out)
}

pub(crate) fn endpoint_name(sc: &Scenario, e: &crate::scenario::Endpoint) -> String {
    alloc::format!("{}{}", sc.services[e.service as usize].name, e.path)
}

fn per_endpoint(ok: u64, failed: u64, latency_sketch: &QuantileSketch) -> EndpointReport {
    EndpointReport {
        ok,
        failed,
        latency_s: latency(latency_sketch),
    }
}

/// `caller/path → target/path`, numbered `#2`, `#3`… when one endpoint calls the same target
/// from several steps.
fn call_sites(sc: &Scenario, sites: &[CallSiteStats]) -> Named<CallSiteReport> {
    let mut out: Vec<(String, CallSiteReport)> = Vec::with_capacity(sites.len());
    let mut seen: alloc::collections::BTreeMap<String, usize> = Default::default();
    for s in sites {
        let base = alloc::format!(
            "{} → {}",
            endpoint_name(sc, &sc.endpoints[s.endpoint as usize]),
            endpoint_name(sc, &sc.endpoints[s.target as usize])
        );
        let n = seen.entry(base.clone()).or_insert(0);
        *n += 1;
        let name = if *n == 1 {
            base
        } else {
            alloc::format!("{base} #{n}")
        };
        out.push((
            name,
            CallSiteReport {
                ok: s.ok,
                failed: s.failed,
                latency_s: latency(&s.latency),
                hedges: s.hedges,
                hedges_won: s.hedges_won,
                fallbacks: s.fallbacks,
            },
        ));
    }
    Named(out)
}

/// The workloads' results added up per priority class (empty with a single class).
fn priorities(sc: &Scenario, workloads: &[&ClientStats], measured_s: f64) -> Named<WorkloadReport> {
    let mut levels: Vec<u8> = sc.workloads.iter().map(|w| w.priority).collect();
    levels.sort_unstable();
    levels.dedup();
    if levels.len() < 2 {
        return Named(Vec::new());
    }
    let classes = levels.iter().map(|&level| {
        let mut sum = ClientStats::default();
        for (w, st) in sc.workloads.iter().zip(workloads) {
            if w.priority == level {
                sum.add(st);
            }
        }
        (alloc::format!("{level}"), workload(&sum, measured_s))
    });
    Named(classes.collect())
}

fn per_s(n: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        n as f64 / seconds
    } else {
        0.0
    }
}

fn attempts_per_request(o: &crate::engine::Outcomes) -> f64 {
    let done = o.ok() + o.failed();
    if done == 0 {
        0.0
    } else {
        o.attempts as f64 / done as f64
    }
}

fn requests(c: &ClientStats, in_flight: u64) -> Requests {
    let o = &c.outcomes;
    Requests {
        sent: o.sent,
        completed: o.ok(),
        failed: o.failed(),
        timed_out: o.get(Outcome::Timeout),
        dropped: o.get(Outcome::Loss),
        out_of_memory: o.get(Outcome::OutOfMemory),
        rejected: o.rejected(),
        attempts: o.attempts,
        retries: o.retries,
        in_flight,
    }
}

fn workload(st: &ClientStats, measured_s: f64) -> WorkloadReport {
    let o = &st.outcomes;
    // Per-workload in-flight follows from conservation of its own counts.
    let in_flight = o.sent - o.ok() - o.failed();
    WorkloadReport {
        requests: requests(st, in_flight),
        latency_s: latency(&st.latency),
        throughput_rps: per_s(o.ok(), measured_s),
    }
}

/// The measured window `[warmup, end]`.
#[derive(Clone, Copy)]
struct Window {
    warmup: Nanos,
    end: Nanos,
}

impl Window {
    /// Time-weighted figures only exist over a non-empty window.
    fn measured(self) -> bool {
        self.end > self.warmup
    }

    fn queue(self, q: &TimeWeighted) -> Option<QueueLen> {
        self.measured().then(|| QueueLen {
            mean: q.mean(self.end),
            max: q.max(self.end),
        })
    }

    fn wait(self, sketch: &QuantileSketch) -> Wait {
        Wait {
            jobs: sketch.count(),
            mean: secs(sketch.mean()),
            p99: sketch.quantile(0.99).map(to_secs_f64),
        }
    }
}

/// The service's declared pools, each read from its meter.
fn pools(service: u32, res: &Resources, w: Window) -> Named<PoolReport> {
    let span = w.end.saturating_sub(w.warmup) as f64;
    Named(
        res.kinds
            .iter()
            .zip(&res.meters)
            .filter(|(k, _)| k.service == service && k.role != Role::Threads)
            .map(|(k, m)| {
                let permits = f64::from(k.size) * f64::from(k.count);
                let report = PoolReport {
                    size: k.size,
                    scope: scope_name(k.scope),
                    instances: k.count,
                    utilization: w
                        .measured()
                        .then(|| m.busy.integral(w.end) as f64 / (span * permits)),
                    in_use: w.queue(&m.busy),
                    wait_s: w.wait(&m.wait),
                    queue: w.queue(&m.queued),
                    timeouts: m.timeouts,
                    rejected: m.rejected,
                    shed: m.shed,
                };
                (k.name.clone(), report)
            })
            .collect(),
    )
}

/// A finding per exhausted pool: saturated (≥ 95% busy over the measured window) or failing
/// requests that waited for a permit, e.g. "db pool on feed: 100% busy, p99 wait 480 ms, 12%
/// of requests timed out waiting".
fn pool_findings(services: &Named<ServiceReport>) -> Vec<Finding> {
    use crate::health::format::{duration, percent};
    let mut out = Vec::new();
    for (service, s) in &services.0 {
        for (name, p) in &s.pools.0 {
            let busy = p.utilization.unwrap_or(0.0);
            if busy < 0.95 && p.timeouts + p.rejected + p.shed == 0 {
                continue;
            }
            let asked = p.wait_s.jobs + p.timeouts + p.rejected + p.shed;
            let share = |n: u64| n as f64 / (asked.max(1)) as f64;
            let mut text = alloc::format!("{name} pool on {service}: {} busy", percent(busy));
            if let Some(p99) = p.wait_s.p99 {
                text.push_str(&alloc::format!(", p99 wait {}", duration(p99)));
            }
            if p.timeouts > 0 {
                text.push_str(&alloc::format!(
                    ", {} of requests timed out waiting",
                    percent(share(p.timeouts))
                ));
            }
            if p.shed > 0 {
                text.push_str(&alloc::format!(
                    ", {} shed by CoDel",
                    percent(share(p.shed))
                ));
            }
            if p.rejected > 0 {
                text.push_str(&alloc::format!(
                    ", {} found its queue full",
                    percent(share(p.rejected))
                ));
            }
            out.push(Finding {
                service: service.clone(),
                kind: FindingKind::PoolExhaustion,
                severity: FindingKind::PoolExhaustion.severity(),
                text,
                cause: None,
            });
        }
    }
    out
}

fn deadlock_finding(d: &Deadlock) -> Finding {
    let service = d
        .pools
        .first()
        .and_then(|p| p.split('/').next())
        .unwrap_or("")
        .into();
    Finding {
        service,
        kind: FindingKind::PoolExhaustion,
        severity: FindingKind::PoolExhaustion.severity(),
        text: alloc::format!(
            "Deadlock: pools {} are each held by requests waiting for another of them ({} \
             requests stuck for good); take pools in one order, or give them a `timeout`",
            d.pools.join(", "),
            d.requests
        ),
        cause: None,
    }
}

fn scope_name(s: Scope) -> &'static str {
    match s {
        Scope::Worker => "worker",
        Scope::Replica => "replica",
        Scope::Service => "service",
    }
}

fn service(
    svc: &crate::scenario::Service,
    st: &ServiceStats,
    threads_meter: &ResourceMeter,
    w: Window,
) -> ServiceReport {
    let (warmup, end) = (w.warmup, w.end);
    let measured = w.measured();
    let window = end.saturating_sub(warmup) as f64;
    // An autoscaled service's loops are those of its serving replicas, over time.
    let loops = match &st.serving {
        Some(m) => m.mean(end) * svc.workers as f64,
        None => (svc.replicas * svc.workers) as f64,
    };
    let threads = (svc.replicas * svc.workers * svc.threads) as f64;
    let tw = |f: &dyn Fn() -> f64| measured.then(f);
    let queue = |q: &crate::metrics::TimeWeighted| {
        measured.then(|| QueueLen {
            mean: q.mean(end),
            max: q.max(end),
        })
    };
    ServiceReport {
        replicas: svc.replicas,
        workers: svc.workers,
        utilization: tw(&|| st.busy_loops.integral(end) as f64 / (window * loops)),
        cpu_s: st.cpu_ns as f64 / 1e9,
        blocking_s: st.blocking_ns as f64 / 1e9,
        loop_lag_s: Lag {
            samples: st.lag.count(),
            mean: secs(st.lag.mean()),
            p99: st.lag.quantile(0.99).map(to_secs_f64),
            max: st.lag.max().map(to_secs_f64),
        },
        ready_queue: queue(&st.ready),
        threadpool: ThreadPoolReport {
            threads: svc.threads,
            utilization: tw(&|| threads_meter.busy.integral(end) as f64 / (window * threads)),
            queue_wait_s: w.wait(&threads_meter.wait),
            queue: queue(&threads_meter.queued),
            backlog_max: measured.then(|| st.pool_backlog.max(end)),
        },
        active_requests_mean: tw(&|| st.active.mean(end)),
        active_requests_peak: measured.then(|| st.active.max(end)),
        served_ok: st.served_ok,
        served_failed: st.served_failed,
        served_by_replica: st.served_by_replica.clone(),
        pools: Named(Vec::new()),
        autoscale: None,
        refused: Named(
            Outcome::ALL
                .iter()
                .filter(|&&o| st.refused[o as usize] > 0)
                .map(|&o| (String::from(o.name()), st.refused[o as usize]))
                .collect(),
        ),
    }
}

/// Latency figures (in seconds) of a sketch of nanoseconds.
pub(crate) fn latency_of(s: &QuantileSketch) -> Latency {
    latency(s)
}

fn latency(s: &QuantileSketch) -> Latency {
    let q = |p| s.quantile(p).map(to_secs_f64);
    Latency {
        count: s.count(),
        mean: secs(s.mean()),
        p50: q(0.5),
        p90: q(0.9),
        p95: q(0.95),
        p99: q(0.99),
        max: s.max().map(to_secs_f64),
    }
}

fn secs(ns: Option<f64>) -> Option<f64> {
    ns.map(|v| v / 1e9)
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// An autoscaled service's scaling (see `engine/autoscale.rs`): counts cover the whole run,
/// ready-replica figures the measured window.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct AutoscaleReport {
    pub metric: &'static str,
    /// In the metric's unit: a fraction (`utilization`), seconds (`loop_lag`), a count
    /// (`in_flight`) or requests per second (`rps`).
    pub target: f64,
    pub min: u32,
    pub max: u32,
    pub initial: u32,
    pub decisions: u64,
    pub scale_ups: u64,
    pub scale_downs: u64,
    /// Replicas started (provisioning) and replicas that finished draining.
    pub provisioned: u64,
    pub drained: u64,
    /// Replicas ready and up (taking traffic) over the measured window (`null` if empty).
    pub ready_min: Option<u32>,
    pub ready_mean: Option<f64>,
    pub ready_max: Option<u32>,
    /// The last decision's desired count.
    pub desired_final: u32,
    /// Instance time paid: provisioning, ready and draining replicas, over the whole run.
    pub replica_seconds: f64,
    /// The first decisions (at most `autoscale::MAX_LOG`); `log_truncated` were left out.
    pub log: Vec<ScaleDecisionReport>,
    pub log_truncated: u64,
}

/// One autoscaler decision.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ScaleDecisionReport {
    pub t_s: f64,
    /// The averaged metric in the target's unit (`null`: no ready replica in the window).
    pub metric: Option<f64>,
    pub ready: u32,
    pub current: u32,
    pub desired: u32,
}
