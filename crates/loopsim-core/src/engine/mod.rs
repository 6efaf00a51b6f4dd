//! The discrete-event engine.
//!
//! [`Simulation`] owns the whole simulated world in flat arrays (instances, workers) and arenas
//! (tasks, exchanges) and advances it event by event from a single future-event list. The
//! per-event path does no allocation in steady state and no name lookups: the scenario was
//! resolved to indices by the front end.
//!
//! - `client.rs`: exchanges — a caller's request with its attempts, timeouts, retries and
//!   client-side guards (breaker, risk, adaptive throttle).
//! - `server.rs`: ingress admission, event loops, thread pools, task steps, responses.
//! - `faults.rs`: the fault timeline.
//! - `sampling.rs`: time-series rows.
//!
//! Hosts drive it in slices: [`Simulation::step`] until a simulated time or an event budget,
//! [`Simulation::snapshot`] for live numbers, [`Simulation::series`] for chart rows, and
//! [`Simulation::report`] at the end.

mod admission;
mod arena;
mod balancer;
mod broker;
mod cache;
mod client;
mod cpu;
mod deadlock;
mod faults;
mod health;
mod network;
pub mod queue;
pub mod resource;
mod runtime;
mod sampling;
mod server;
mod spawn;
mod stats;
mod transfer;
mod workload;
// Appended for autoscaling.
mod autoscale;
pub mod hpa;

use alloc::string::String;
use alloc::vec::Vec;

use crate::report::{self, Report};
use crate::rng::Rng;
use crate::scenario::Scenario;
use crate::scenario::Step as scenario_step;
use crate::series::Series;
use crate::time::{to_secs_f64, Nanos};

use arena::Arena;
pub use broker::{PartitionReport, QueueReport};
pub use client::GuardReport;
use client::GuardSet;
pub use deadlock::Deadlock;
pub use health::Assessment;
use network::Topology;
use queue::{Event, EventQueue};
use resource::Resources;
use runtime::{EventLoop, Exchange, Instance, Join, Task, Worker};
pub use spawn::SpawnReport;
use stats::IntervalStats;
pub use stats::{CallSiteStats, ClientStats, EndpointStats, Outcomes, ServiceStats};
use workload::WorkloadRuntime;

/// Per-service runtime state beyond its instances.
#[derive(Debug)]
struct ServiceRuntime {
    first_instance: u32,
    /// Replicas that are up (offsets from `first_instance`, ascending): balancers pick among
    /// these only, so a dead replica's share spreads over all survivors.
    live: Vec<u32>,
    /// Resource kinds of the service's cores and GIL (`u32::MAX`: none).
    cores: u32,
    gil: u32,
    /// Rotation counter for round-robin and tie-breaking.
    next: u32,
    rng: Rng,
    stats: ServiceStats,
}

/// Most `with` blocks one request may nest (a task holds at most [`runtime::MAX_HELD`]
/// permits, one of them a running thread-pool job's thread).
pub const MAX_NESTED_POOLS: usize = runtime::MAX_HELD - 1;

/// Result of one [`Simulation::step`] call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub now: Nanos,
    pub events: u64,
    pub finished: bool,
}

/// Live numbers for a host to display while the run goes on.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub now: Nanos,
    pub duration: Nanos,
    pub events: u64,
    pub finished: bool,
    pub sent: u64,
    pub completed: u64,
    pub failed: u64,
    pub in_flight: u64,
    pub series_len: usize,
}

pub struct Simulation {
    sc: Scenario,
    now: Nanos,
    events: u64,
    finished: bool,
    /// Why the run stopped early, if it did.
    stopped: Option<report::Stopped>,
    /// Events processed since simulated time last advanced (the stalled-clock detector).
    same_instant: u64,
    /// The final partial health tick and guard logs were taken at the end.
    flushed: bool,
    queue: EventQueue,
    topology: Topology,
    net_rng: Rng,
    services: Vec<ServiceRuntime>,
    instances: Vec<Instance>,
    workers: Vec<Worker>,
    /// Every resource: the workers' thread pools, then the services' declared pools, cores
    /// and GILs.
    resources: Resources,
    /// Bursts of computation in progress where CPU is shared (`cores`, `gil`).
    bursts: cpu::Bursts,
    /// Task steps being run (nested when one step's effect ends another step synchronously).
    stepping: u32,
    /// Arrival numbers of the admission queues, and scratch for the waiters they shed.
    admit_seq: u64,
    admit_shed: Vec<resource::Waiter>,
    workloads: Vec<WorkloadRuntime>,
    tasks: Arena<Task>,
    exchanges: Arena<Exchange>,
    /// `parallel` steps waiting for their children.
    joins: Arena<Join>,
    /// Client-side guard state, one set per (policy, calling replica).
    guards: Vec<GuardSet>,
    /// First guard set of each policy.
    guard_base: Vec<u32>,
    /// Per endpoint: probability that a request fails at once (active `errors` faults).
    error_rate: Vec<f64>,
    fault_active: Vec<bool>,
    /// Health records, SLO and cost accounting, online watchers.
    health: health::HealthState,
    /// All measured client requests (every workload).
    client: ClientStats,
    /// Per endpoint, the server's view (measured window).
    endpoint_stats: Vec<EndpointStats>,
    /// Per `call` step, the caller's view; `site_of[site_base[e] + step]` is a call step's
    /// index here (`u32::MAX` for other steps).
    call_sites: Vec<CallSiteStats>,
    site_base: Vec<u32>,
    site_of: Vec<u32>,
    interval: IntervalStats,
    /// Per workload and endpoint, the current series interval.
    flows: sampling::Flows,
    series: Series,
    /// Live totals over all requests (warm-up included) for snapshots.
    live: Outcomes,
    /// Autoscaled services' replica states, metric windows and policies.
    scaling: autoscale::Scaling,
    /// Message queues' brokers (`queues:`).
    brokers: broker::Brokers,
    /// Per service, its `spawn`ed background tasks.
    spawns: Vec<spawn::SpawnStats>,
    /// Cache instances, flights and meters (`caches:`).
    caches: cache::Caches,
    /// Bandwidth channels and the payloads crossing them (`transfer.rs`).
    channels: transfer::Channels,
    payload_rng: Rng,
}

impl Simulation {
    /// Builds the world from a validated scenario; nothing has happened yet (`now == 0`).
    pub fn new(sc: Scenario) -> Self {
        // `warmup: auto` not chosen yet: the first pass chooses it (hosts that want to show
        // that pass call `warmup::settle` themselves first).
        let sc = match sc.warmup_rule {
            crate::scenario::model::WarmupRule::Auto => crate::warmup::settle(&sc),
            _ => sc,
        };
        let (services, instances, workers, resources) = build_services(&sc);
        let workloads = sc
            .workloads
            .iter()
            .enumerate()
            .map(|(i, w)| WorkloadRuntime::new(w, &sc, i, Rng::stream(sc.seed, 1_000 + i as u64)))
            .collect();
        let (guards, guard_base) = client::build_guards(&sc);
        let channels = transfer::Channels::new(&sc);
        let mut names = sampling::series_names(&sc, &guards);
        names.extend(cache::cache_series_names(&sc));
        names.extend(channels.series_names());
        let series = Series::new(names);
        let mut sim = Simulation {
            topology: Topology::new(&sc),
            net_rng: Rng::stream(sc.seed, 1),
            now: 0,
            events: 0,
            finished: false,
            stopped: None,
            same_instant: 0,
            flushed: false,
            queue: EventQueue::default(),
            services,
            instances,
            workers,
            resources,
            bursts: cpu::Bursts::default(),
            stepping: 0,
            admit_seq: 0,
            admit_shed: Vec::new(),
            workloads,
            tasks: Arena::default(),
            exchanges: Arena::default(),
            joins: Arena::default(),
            guards,
            guard_base,
            error_rate: alloc::vec![0.0; sc.endpoints.len()],
            fault_active: alloc::vec![false; sc.faults.len()],
            health: health::HealthState::new(&sc),
            client: ClientStats::default(),
            endpoint_stats: (0..sc.endpoints.len())
                .map(|_| EndpointStats {
                    latency: crate::metrics::QuantileSketch::new(),
                    ..Default::default()
                })
                .collect(),
            call_sites: Vec::new(),
            site_base: Vec::new(),
            site_of: Vec::new(),
            interval: IntervalStats::default(),
            flows: sampling::Flows::new(&sc),
            series,
            live: Outcomes::default(),
            scaling: autoscale::Scaling::new(&sc),
            brokers: broker::Brokers::new(&sc),
            spawns: alloc::vec![spawn::SpawnStats::default(); sc.services.len()],
            caches: cache::Caches::new(&sc),
            channels,
            payload_rng: Rng::stream(sc.seed, 3_000_000),
            sc,
        };
        sim.index_call_sites();
        sim.schedule_start();
        sim
    }

    fn index_call_sites(&mut self) {
        for (e, ep) in self.sc.endpoints.iter().enumerate() {
            self.site_base.push(self.site_of.len() as u32);
            for (i, step) in ep.steps.iter().enumerate() {
                let site = match step {
                    scenario_step::Call { endpoint, .. } => {
                        self.call_sites.push(CallSiteStats {
                            endpoint: e as u32,
                            step: i as u32,
                            target: *endpoint,
                            latency: crate::metrics::QuantileSketch::new(),
                            ..Default::default()
                        });
                        self.call_sites.len() as u32 - 1
                    }
                    _ => u32::MAX,
                };
                self.site_of.push(site);
            }
        }
    }

    fn schedule_start(&mut self) {
        for w in 0..self.workloads.len() {
            self.start_workload(w as u32);
        }
        for (i, f) in self.sc.faults.iter().enumerate() {
            self.queue.push(f.at, Event::FaultStart { fault: i as u32 });
            if f.until < self.sc.duration {
                self.queue
                    .push(f.until, Event::FaultEnd { fault: i as u32 });
            }
        }
        if self.sc.sample_every > 0 && self.sc.sample_every <= self.sc.duration {
            self.queue.push(self.sc.sample_every, Event::Sample);
        }
        if self.sc.health.tick <= self.sc.duration {
            self.queue.push(self.sc.health.tick, Event::HealthTick);
        }
        self.start_scaling();
    }

    pub fn scenario(&self) -> &Scenario {
        &self.sc
    }

    pub fn now(&self) -> Nanos {
        self.now
    }

    pub fn is_finished(&self) -> bool {
        self.finished
    }

    pub fn series(&self) -> &Series {
        &self.series
    }

    /// Processes events up to simulated time `until` (capped at the scenario's duration) or
    /// until `max_events` events have run, whichever comes first.
    pub fn step(&mut self, until: Nanos, max_events: u64) -> Progress {
        let limit = until.min(self.sc.duration);
        let mut budget = max_events;
        while !self.finished && budget > 0 {
            match self.queue.peek_time() {
                Some(t) if t <= limit => {
                    let (t, ev) = self.queue.pop().expect("peeked");
                    if t == self.now {
                        self.same_instant += 1;
                        if self.same_instant > stall_limit(self.sc.max_in_flight) {
                            self.stop_stalled();
                            break;
                        }
                    } else {
                        self.same_instant = 0;
                    }
                    self.now = t;
                    self.events += 1;
                    budget -= 1;
                    self.dispatch(ev);
                }
                _ => {
                    self.now = self.now.max(limit);
                    if limit == self.sc.duration {
                        self.finished = true;
                    }
                    break;
                }
            }
        }
        if self.finished && !self.flushed {
            self.flushed = true;
            self.flush_health();
            self.drain_guard_logs();
        }
        Progress {
            now: self.now,
            events: self.events,
            finished: self.finished,
        }
    }

    /// Runs to the end of the scenario.
    pub fn run(&mut self) -> Progress {
        loop {
            let p = self.step(u64::MAX, u64::MAX);
            if p.finished {
                return p;
            }
        }
    }

    pub fn snapshot(&self) -> Snapshot {
        let done = self.live.ok() + self.live.failed();
        Snapshot {
            now: self.now,
            duration: self.sc.duration,
            events: self.events,
            finished: self.finished,
            sent: self.live.sent,
            completed: self.live.ok(),
            failed: self.live.failed(),
            in_flight: self.live.sent - done,
            series_len: self.series.len(),
        }
    }

    /// The report over what has been simulated so far (normally called once finished).
    pub fn report(&self) -> Report {
        let in_flight = self
            .exchanges
            .iter()
            .filter(|x| {
                matches!(x.origin, runtime::Origin::Client { .. }) && x.started >= self.sc.warmup
            })
            .count() as u64;
        let mut report = report::build(report::Input {
            scenario: &self.sc,
            end: self.now,
            events: self.events,
            stopped: self.stopped.as_ref(),
            client: &self.client,
            workloads: self.workloads.iter().map(|w| &w.stats).collect(),
            services: self.services.iter().map(|s| &s.stats).collect(),
            guards: self.guard_reports(),
            resources: &self.resources,
            endpoints: &self.endpoint_stats,
            call_sites: &self.call_sites,
            deadlock: self.deadlock(),
            health: self.assess(),
            in_flight,
            autoscale: self.scaling_reports(),
            queues: self.queue_reports(),
            spawned: self.spawn_reports(),
            caches: cache::cache_reports(&self.sc, &self.caches, self.now),
            links: self.channels.report(self.sc.warmup, self.now),
        });
        report.diagnosis =
            crate::diagnosis::diagnose(&report, &self.series, &self.sc.health.thresholds);
        report
    }

    #[inline]
    fn dispatch(&mut self, ev: Event) {
        match ev {
            Event::Arrival { workload } => self.on_arrival(workload),
            Event::UserWake { workload, user } => self.send_client_request(workload, user),
            Event::RequestDelivered { task } => self.on_request_delivered(task),
            Event::AttemptResponse {
                exchange,
                generation,
                attempt,
                outcome,
            } => self.on_attempt_response(exchange, generation, attempt, outcome),
            Event::AttemptTimeout {
                exchange,
                generation,
                attempt,
            } => self.on_attempt_timeout(exchange, generation, attempt),
            Event::Retry {
                exchange,
                generation,
            } => self.on_retry(exchange, generation),
            Event::Hedge {
                exchange,
                generation,
                attempt,
            } => self.on_hedge(exchange, generation, attempt),
            Event::RunEnd { worker, task } => self.on_run_end(worker, task),
            Event::IoDone { task } => self.resume(task),
            Event::JobDone { permits, task } => self.on_job_done(permits, task),
            Event::SliceEnd { task } => self.on_slice_end(task),
            Event::CpuGranted { task } => self.on_cpu_granted(task),
            Event::Wake { task } => self.resume(task),
            Event::PermitTimeout { permits, task, seq } => {
                self.on_permit_timeout(permits, task, seq)
            }
            Event::LoopResume { worker } => self.drive(worker),
            Event::FaultStart { fault } => self.on_fault(fault, true),
            Event::FaultEnd { fault } => self.on_fault(fault, false),
            Event::HealthTick => self.on_health_tick(),
            Event::Sample => self.on_sample(),
            Event::ScaleTick { scaler } => self.on_scale_tick(scaler),
            Event::ScaleWindow { scaler } => self.on_scale_window(scaler),
            Event::ReplicaReady {
                scaler,
                replica,
                epoch,
            } => self.on_replica_ready(scaler, replica, epoch),
            Event::PublishArrived { task, queue } => self.on_publish_arrived(task, queue),
            Event::PublishAck { task, outcome } => self.on_publish_ack(task, outcome),
            Event::Redeliver { queue, message } => self.on_redeliver(queue, message),
            Event::TransferDone {
                channel,
                generation,
            } => self.on_transfer_done(channel, generation),
        }
    }

    fn truncate_overload(&mut self) {
        let message = alloc::format!(
            "stopped at t = {:.3} s: more than max_in_flight = {} requests alive (sent, \
             retrying or being served; the system is overloaded — raise max_in_flight or \
             lower the load)",
            to_secs_f64(self.now),
            self.sc.max_in_flight
        );
        self.stop(report::StopCause::MaxInFlight, message);
    }

    fn stop_stalled(&mut self) {
        let message = alloc::format!(
            "stopped at t = {:.3} s: simulated time did not advance over {} events — requests \
             are failing or answering in zero time in a loop (for example closed users without \
             think time whose requests all fail at once); add think time or latency, or fix \
             the fault",
            to_secs_f64(self.now),
            stall_limit(self.sc.max_in_flight)
        );
        self.stop(report::StopCause::StalledClock, message);
    }

    /// Ends the run early for `cause` (the first cause wins).
    fn stop(&mut self, cause: report::StopCause, message: String) {
        if self.stopped.is_none() {
            self.stopped = Some(report::Stopped {
                cause,
                at_s: to_secs_f64(self.now),
                message,
            });
        }
        self.finished = true;
    }

    /// Why the run stopped before its duration, if it did.
    pub fn stopped(&self) -> Option<&report::Stopped> {
        self.stopped.as_ref()
    }
}

/// Events at one instant after which the clock counts as stalled. A legitimate instant can
/// hold a burst of a few events for each live request (all users starting at t = 0, a fault
/// failing every queued task), so the bound scales with `max_in_flight`; it is capped so a
/// stalled run stops within a few seconds of wall time.
fn stall_limit(max_in_flight: u32) -> u64 {
    (8 * u64::from(max_in_flight)).clamp(4_000_000, 40_000_000)
}

/// Services, their instances and their workers, in flat arrays, and every resource: first
/// each service's thread pools (resource `s` is service `s`'s, one instance per worker), then
/// the declared pools.
fn build_services(sc: &Scenario) -> (Vec<ServiceRuntime>, Vec<Instance>, Vec<Worker>, Resources) {
    let mut services = Vec::with_capacity(sc.services.len());
    let mut instances = Vec::new();
    let mut workers = Vec::new();
    let mut resources = Resources::default();
    for (s, svc) in sc.services.iter().enumerate() {
        let threads = resources.add(
            resource::ResourceKind {
                name: String::from("threads"),
                service: s as u32,
                role: resource::Role::Threads,
                scope: crate::scenario::Scope::Worker,
                size: svc.threads,
                discipline: crate::scenario::Discipline::Fifo,
                timeout: None,
                max_waiting: None,
                first: 0,
                count: 0,
            },
            svc.replicas * svc.workers,
            sc.warmup,
        );
        let first_permits = resources.kinds[threads as usize].first;
        services.push(ServiceRuntime {
            first_instance: instances.len() as u32,
            live: (0..svc.replicas).collect(),
            cores: u32::MAX,
            gil: u32::MAX,
            next: 0,
            rng: Rng::stream(sc.seed, 2_000_000 + s as u64),
            stats: ServiceStats::new(sc.warmup, svc.replicas),
        });
        let first_worker = workers.len() as u32;
        for _ in 0..svc.replicas {
            instances.push(server::new_instance(s as u32, workers.len() as u32, svc));
            for _ in 0..svc.workers {
                workers.push(Worker {
                    service: s as u32,
                    instance: instances.len() as u32 - 1,
                    event_loop: EventLoop::default(),
                    threads: first_permits + workers.len() as u32 - first_worker,
                });
            }
        }
    }
    for p in &sc.pools {
        let svc = &sc.services[p.service as usize];
        let count = match p.scope {
            crate::scenario::Scope::Worker => svc.replicas * svc.workers,
            crate::scenario::Scope::Replica => svc.replicas,
            crate::scenario::Scope::Service => 1,
        };
        let kind = resource::ResourceKind {
            name: p.name.clone(),
            service: p.service,
            role: resource::Role::Pool,
            scope: p.scope,
            size: p.size,
            discipline: p.queue,
            timeout: p.timeout,
            max_waiting: p.max_waiting,
            first: 0,
            count: 0,
        };
        resources.add(kind, count, sc.warmup);
    }
    for (s, svc) in sc.services.iter().enumerate() {
        let cpu_kind = |name: &str, role, scope, size| resource::ResourceKind {
            name: String::from(name),
            service: s as u32,
            role,
            scope,
            size,
            discipline: crate::scenario::Discipline::Fifo,
            timeout: None,
            max_waiting: None,
            first: 0,
            count: 0,
        };
        if let Some(cores) = svc.cores {
            let k = cpu_kind(
                "cores",
                resource::Role::Cores,
                crate::scenario::Scope::Replica,
                cores,
            );
            services[s].cores = resources.add(k, svc.replicas, sc.warmup);
        }
        if svc.gil {
            let k = cpu_kind(
                "gil",
                resource::Role::Gil,
                crate::scenario::Scope::Worker,
                1,
            );
            services[s].gil = resources.add(k, svc.replicas * svc.workers, sc.warmup);
        }
    }
    (services, instances, workers, resources)
}
