//! The discrete-event engine.
//!
//! [`Simulation`] owns the whole simulated world in flat arrays (instances, workers, tasks,
//! client requests) and advances it event by event from a single future-event list. The per-event
//! path does no allocation in steady state and no name lookups: the scenario was resolved to
//! indices by the front end.
//!
//! Hosts drive it in slices: [`Simulation::step`] until a simulated time or an event budget,
//! [`Simulation::snapshot`] for live numbers, [`Simulation::series`] for chart rows, and
//! [`Simulation::report`] at the end.

mod arena;
mod balancer;
mod network;
pub mod queue;
mod runtime;
mod stats;
mod workload;

use alloc::string::String;
use alloc::vec::Vec;

use crate::report::{self, Report};
use crate::rng::Rng;
use crate::scenario::{Accept, Scenario, Step};
use crate::series::Series;
use crate::time::{to_secs_f64, Nanos};

use arena::Arena;
use network::Topology;
use queue::{Event, EventQueue, Outcome};
use runtime::{Caller, ClientRequest, EventLoop, Instance, Task, ThreadPool, Worker};
use stats::IntervalStats;
pub use stats::{ClientStats, Outcomes, ServiceStats};
use workload::WorkloadRuntime;

/// Per-service runtime state beyond its instances.
#[derive(Debug)]
struct ServiceRuntime {
    first_instance: u32,
    /// Rotation counter for round-robin and tie-breaking.
    next: u32,
    rng: Rng,
    stats: ServiceStats,
}

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
    truncated: Option<String>,
    queue: EventQueue,
    topology: Topology,
    net_rng: Rng,
    services: Vec<ServiceRuntime>,
    instances: Vec<Instance>,
    workers: Vec<Worker>,
    workloads: Vec<WorkloadRuntime>,
    tasks: Arena<Task>,
    requests: Arena<ClientRequest>,
    /// All measured client requests (every workload).
    client: ClientStats,
    interval: IntervalStats,
    series: Series,
    /// Live totals over all requests (warm-up included) for snapshots.
    live: Outcomes,
}

impl Simulation {
    /// Builds the world from a validated scenario; nothing has happened yet (`now == 0`).
    pub fn new(sc: Scenario) -> Self {
        let warmup = sc.warmup;
        let mut services = Vec::with_capacity(sc.services.len());
        let mut instances = Vec::new();
        let mut workers = Vec::new();
        for (s, svc) in sc.services.iter().enumerate() {
            services.push(ServiceRuntime {
                first_instance: instances.len() as u32,
                next: 0,
                rng: Rng::stream(sc.seed, 2_000_000 + s as u64),
                stats: ServiceStats::new(warmup),
            });
            for _ in 0..svc.replicas {
                instances.push(Instance {
                    service: s as u32,
                    first_worker: workers.len() as u32,
                    workers: svc.workers,
                    ram_used: 0,
                    outstanding: 0,
                    next_worker: 0,
                });
                for _ in 0..svc.workers {
                    workers.push(Worker {
                        service: s as u32,
                        event_loop: EventLoop::default(),
                        pool: ThreadPool {
                            threads: svc.threads,
                            ..Default::default()
                        },
                    });
                }
            }
        }
        let workloads = sc
            .workloads
            .iter()
            .enumerate()
            .map(|(i, w)| WorkloadRuntime::new(w, Rng::stream(sc.seed, 1_000 + i as u64)))
            .collect();
        let series = Series::new(series_names(&sc));
        let mut sim = Simulation {
            topology: Topology::new(&sc.network, sc.services.len()),
            net_rng: Rng::stream(sc.seed, 1),
            now: 0,
            events: 0,
            finished: false,
            truncated: None,
            queue: EventQueue::default(),
            services,
            instances,
            workers,
            workloads,
            tasks: Arena::default(),
            requests: Arena::default(),
            client: ClientStats::default(),
            interval: IntervalStats::default(),
            series,
            live: Outcomes::default(),
            sc,
        };
        sim.schedule_start();
        sim
    }

    fn schedule_start(&mut self) {
        for w in 0..self.workloads.len() {
            self.start_workload(w as u32);
        }
        if self.sc.sample_every > 0 && self.sc.sample_every <= self.sc.duration {
            self.queue.push(self.sc.sample_every, Event::Sample);
        }
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
        Snapshot {
            now: self.now,
            duration: self.sc.duration,
            events: self.events,
            finished: self.finished,
            sent: self.live.sent,
            completed: self.live.ok,
            failed: self.live.failed(),
            in_flight: self.live.sent - self.live.ok - self.live.failed(),
            series_len: self.series.len(),
        }
    }

    /// The report over what has been simulated so far (normally called once finished).
    pub fn report(&self) -> Report {
        report::build(self.report_input())
    }

    fn report_input(&self) -> report::Input<'_> {
        let in_flight = self
            .requests
            .iter()
            .filter(|r| r.sent >= self.sc.warmup && !r.timed_out)
            .count() as u64;
        report::Input {
            scenario: &self.sc,
            end: self.now,
            events: self.events,
            truncated: self.truncated.as_deref(),
            client: &self.client,
            workloads: self.workloads.iter().map(|w| &w.stats).collect(),
            services: self.services.iter().map(|s| &s.stats).collect(),
            in_flight,
        }
    }

    #[inline]
    fn dispatch(&mut self, ev: Event) {
        match ev {
            Event::Arrival { workload } => self.on_arrival(workload),
            Event::UserWake { workload, user } => self.send_client_request(workload, user),
            Event::RequestDelivered { task } => self.on_request_delivered(task),
            Event::ResponseToTask { task, outcome } => {
                if outcome != Outcome::Ok {
                    self.tasks.get_mut(task).expect("parent waits").failure = Some(outcome);
                }
                self.make_ready(task);
            }
            Event::ResponseToClient {
                request,
                generation,
                outcome,
            } => self.on_client_response(request, generation, outcome),
            Event::RunEnd { worker } => self.on_run_end(worker),
            Event::IoDone { task } => self.make_ready(task),
            Event::OffloadDone { worker, task } => self.on_offload_done(worker, task),
            Event::ClientTimeout {
                request,
                generation,
            } => self.on_client_timeout(request, generation),
            Event::Sample => self.on_sample(),
        }
    }

    // ----- client side -------------------------------------------------------------------

    fn send_client_request(&mut self, workload: u32, user: u32) {
        let now = self.now;
        let (request, generation) = self.requests.insert(ClientRequest {
            workload,
            user,
            sent: now,
            timed_out: false,
        });
        let wl = &mut self.workloads[workload as usize];
        let endpoint = wl.choose_endpoint(&self.sc.workloads[workload as usize]);
        if now >= self.sc.warmup {
            self.client.outcomes.sent += 1;
            wl.stats.outcomes.sent += 1;
        }
        self.live.sent += 1;
        self.interval.sent += 1;
        if let Some(t) = self.sc.workloads[workload as usize].timeout {
            self.queue.push(
                now + t,
                Event::ClientTimeout {
                    request,
                    generation,
                },
            );
        }
        self.route_request(
            Caller::Client {
                request,
                generation,
            },
            0,
            endpoint,
        );
    }

    fn on_client_response(&mut self, request: u32, generation: u32, outcome: Outcome) {
        let Some(req) = self.requests.get_mut_checked(request, generation) else {
            return;
        };
        let timed_out = req.timed_out;
        let (workload, user, sent) = (req.workload, req.user, req.sent);
        self.requests.remove(request);
        if timed_out {
            return; // already counted; the late response is discarded as a client would
        }
        self.record_outcome(workload, sent, outcome);
        self.user_done(workload, user);
    }

    fn on_client_timeout(&mut self, request: u32, generation: u32) {
        let Some(req) = self.requests.get_mut_checked(request, generation) else {
            return;
        };
        if req.timed_out {
            return;
        }
        req.timed_out = true;
        let (workload, user, sent) = (req.workload, req.user, req.sent);
        let measured = sent >= self.sc.warmup;
        let wl = &mut self.workloads[workload as usize];
        if measured {
            self.client.outcomes.timeout += 1;
            wl.stats.outcomes.timeout += 1;
        }
        self.live.timeout += 1;
        self.interval.timeout += 1;
        self.user_done(workload, user);
    }

    fn record_outcome(&mut self, workload: u32, sent: Nanos, outcome: Outcome) {
        let measured = sent >= self.sc.warmup;
        let wl = &mut self.workloads[workload as usize];
        self.live.count(outcome);
        if outcome == Outcome::Ok {
            let latency = self.now - sent;
            self.interval.ok += 1;
            self.interval.latency.record(latency);
            if measured {
                self.client.latency.record(latency);
                wl.stats.latency.record(latency);
            }
        } else {
            self.interval.failed += 1;
        }
        if measured {
            self.client.outcomes.count(outcome);
            wl.stats.outcomes.count(outcome);
        }
    }

    // ----- routing and the network -------------------------------------------------------

    /// Sends a request for `endpoint` from network node `from` (0 = client) through the target
    /// service's balancer.
    fn route_request(&mut self, caller: Caller, from: u32, endpoint: u32) {
        let service = self.sc.endpoints[endpoint as usize].service;
        let instance = self.pick_instance(service);
        self.instances[instance as usize].outstanding += 1;
        let task = Task {
            endpoint,
            service,
            instance,
            worker: u32::MAX,
            step: 0,
            caller,
            ram_held: 0,
            failure: None,
            arrived: Nanos::MAX,
        };
        let (tid, _) = self.tasks.insert(task);
        if self.tasks.len() > self.sc.max_in_flight {
            self.truncate_overload();
        }
        let (delay, lost) = self.cross(from, 1 + service);
        if lost {
            self.instances[instance as usize].outstanding -= 1;
            self.tasks.remove(tid);
            self.respond(caller, delay, Outcome::Loss);
        } else {
            self.queue
                .push(self.now + delay, Event::RequestDelivered { task: tid });
        }
    }

    /// One traversal of the hop `from → to`: its latency and whether the message is lost.
    #[inline]
    fn cross(&mut self, from: u32, to: u32) -> (Nanos, bool) {
        let hop = self.topology.hop(from, to);
        if hop.ideal {
            return (0, false);
        }
        let delay = hop.latency.sample(&mut self.net_rng);
        let lost = self.net_rng.chance(hop.loss);
        (delay, lost)
    }

    /// Delivers `outcome` to `caller` after `delay`.
    fn respond(&mut self, caller: Caller, delay: Nanos, outcome: Outcome) {
        let at = self.now + delay;
        let ev = match caller {
            Caller::Client {
                request,
                generation,
            } => Event::ResponseToClient {
                request,
                generation,
                outcome,
            },
            Caller::Task(task) => Event::ResponseToTask { task, outcome },
        };
        self.queue.push(at, ev);
    }

    fn truncate_overload(&mut self) {
        if self.truncated.is_none() {
            self.truncated = Some(alloc::format!(
                "stopped at t = {:.3} s: more than max_in_flight = {} requests in flight (the \
                 system is overloaded; raise max_in_flight or lower the load)",
                to_secs_f64(self.now),
                self.sc.max_in_flight
            ));
        }
        self.finished = true;
    }

    // ----- server side ---------------------------------------------------------------------

    fn on_request_delivered(&mut self, tid: u32) {
        let now = self.now;
        let task = self.tasks.get_mut(tid).expect("in transit");
        task.arrived = now;
        let (service, instance) = (task.service, task.instance);
        let worker = self.pick_worker(instance);
        self.tasks.get_mut(tid).expect("live").worker = worker;
        self.services[service as usize].stats.active.add(now, 1);
        self.make_ready(tid);
    }

    /// The task's continuation joins its worker's ready queue; the loop runs it when free.
    fn make_ready(&mut self, tid: u32) {
        let worker = self.tasks.get(tid).expect("live task").worker;
        let w = &mut self.workers[worker as usize];
        w.event_loop.ready.push_back((tid, self.now));
        let stats = &mut self.services[w.service as usize].stats;
        let len = stats.ready.value() + 1;
        stats.ready.set(self.now, len);
        self.drive(worker);
    }

    /// Runs ready continuations on `worker`'s loop until it is held by a step or runs dry.
    fn drive(&mut self, worker: u32) {
        loop {
            let w = &mut self.workers[worker as usize];
            if w.event_loop.running.is_some() {
                return;
            }
            let Some((tid, ready_at)) = w.event_loop.ready.pop_front() else {
                return;
            };
            w.event_loop.run_started = self.now;
            let stats = &mut self.services[w.service as usize].stats;
            let len = stats.ready.value() - 1;
            stats.ready.set(self.now, len);
            stats.record_lag(self.now - ready_at, self.now >= self.sc.warmup);
            self.continue_task(tid);
        }
    }

    fn on_run_end(&mut self, worker: u32) {
        let w = &mut self.workers[worker as usize];
        let tid = w.event_loop.running.take().expect("a task holds the loop");
        self.services[w.service as usize]
            .stats
            .busy_loops
            .add(self.now, -1);
        self.continue_task(tid);
        self.drive(worker);
    }

    /// Runs the task's steps from where it stopped until it awaits, holds the loop, or ends.
    fn continue_task(&mut self, tid: u32) {
        loop {
            let task = self.tasks.get_mut(tid).expect("live task");
            if let Some(failure) = task.failure {
                return self.finish_task(tid, failure);
            }
            let steps = &self.sc.endpoints[task.endpoint as usize].steps;
            let Some(step) = steps.get(task.step as usize) else {
                return self.finish_task(tid, Outcome::Ok);
            };
            task.step += 1;
            let (service, worker) = (task.service, task.worker);
            let rt = &mut self.services[service as usize];
            match step {
                Step::Cpu(d) | Step::Blocking(d) => {
                    let dur = d.sample(&mut rt.rng);
                    let blocking = matches!(step, Step::Blocking(_));
                    account_loop_time(&mut rt.stats, self.now, dur, self.sc.warmup, blocking);
                    if dur > 0 {
                        rt.stats.busy_loops.add(self.now, 1);
                        self.workers[worker as usize].event_loop.running = Some(tid);
                        self.queue.push(self.now + dur, Event::RunEnd { worker });
                        return;
                    }
                }
                Step::Io(d) => {
                    let dur = d.sample(&mut rt.rng);
                    self.queue.push(self.now + dur, Event::IoDone { task: tid });
                    return;
                }
                Step::Offload(d) => {
                    let dur = d.sample(&mut rt.rng);
                    return self.submit_offload(worker, tid, dur);
                }
                Step::Call(endpoint) => {
                    let endpoint = *endpoint;
                    return self.route_request(Caller::Task(tid), 1 + service, endpoint);
                }
                Step::Ram(bytes) => {
                    let bytes = *bytes;
                    let instance = task.instance as usize;
                    let cap = self.sc.services[service as usize].ram;
                    let inst = &mut self.instances[instance];
                    if cap.is_some_and(|cap| inst.ram_used + bytes > cap) {
                        return self.finish_task(tid, Outcome::OutOfMemory);
                    }
                    inst.ram_used += bytes;
                    self.tasks.get_mut(tid).expect("live").ram_held += bytes;
                }
            }
        }
    }

    fn submit_offload(&mut self, worker: u32, tid: u32, dur: Nanos) {
        let now = self.now;
        let w = &mut self.workers[worker as usize];
        let stats = &mut self.services[w.service as usize].stats;
        stats.pool_backlog.add(now, 1);
        if w.pool.busy < w.pool.threads {
            w.pool.busy += 1;
            stats.pool_busy.add(now, 1);
            if now >= self.sc.warmup {
                stats.pool_wait.record(0);
            }
            self.queue
                .push(now + dur, Event::OffloadDone { worker, task: tid });
        } else {
            w.pool.queue.push_back((tid, now, dur));
            stats.pool_queue.add(now, 1);
        }
    }

    fn on_offload_done(&mut self, worker: u32, tid: u32) {
        let now = self.now;
        let w = &mut self.workers[worker as usize];
        let stats = &mut self.services[w.service as usize].stats;
        stats.pool_backlog.add(now, -1);
        if let Some((next, enqueued, dur)) = w.pool.queue.pop_front() {
            stats.pool_queue.add(now, -1);
            if enqueued >= self.sc.warmup {
                stats.pool_wait.record(now - enqueued);
            }
            self.queue
                .push(now + dur, Event::OffloadDone { worker, task: next });
        } else {
            w.pool.busy -= 1;
            stats.pool_busy.add(now, -1);
        }
        self.make_ready(tid);
    }

    /// The task ends: free what it holds and send its response back over the network.
    fn finish_task(&mut self, tid: u32, outcome: Outcome) {
        let task = self.tasks.remove(tid).expect("live task");
        let inst = &mut self.instances[task.instance as usize];
        inst.ram_used -= task.ram_held;
        inst.outstanding -= 1;
        let stats = &mut self.services[task.service as usize].stats;
        stats.active.add(self.now, -1);
        if task.arrived >= self.sc.warmup {
            if outcome == Outcome::Ok {
                stats.served_ok += 1;
            } else {
                stats.served_failed += 1;
            }
        }
        let to = match task.caller {
            Caller::Client { .. } => 0,
            Caller::Task(parent) => 1 + self.tasks.get(parent).expect("parent waits").service,
        };
        let (delay, lost) = self.cross(1 + task.service, to);
        let outcome = if lost { Outcome::Loss } else { outcome };
        self.respond(task.caller, delay, outcome);
    }

    // ----- choices -------------------------------------------------------------------------

    fn pick_instance(&mut self, service: u32) -> u32 {
        let rt = &mut self.services[service as usize];
        let svc = &self.sc.services[service as usize];
        let first = rt.first_instance;
        let n = svc.replicas;
        if n == 1 {
            return first;
        }
        let outstanding = |i: u32| self.instances[(first + i) as usize].outstanding;
        first + balancer::pick(svc.balance, n, &mut rt.next, &mut rt.rng, outstanding)
    }

    fn pick_worker(&mut self, instance: u32) -> u32 {
        let inst = &mut self.instances[instance as usize];
        let (first, n) = (inst.first_worker, inst.workers);
        if n == 1 {
            return first;
        }
        let service = inst.service as usize;
        match self.sc.services[service].accept {
            Accept::RoundRobin => {
                inst.next_worker = inst.next_worker.wrapping_add(1);
                first + inst.next_worker % n
            }
            Accept::Random => first + self.services[service].rng.below(n),
            Accept::IdleFirst => {
                let loops = &self.workers[first as usize..(first + n) as usize];
                idle_first(loops.iter().map(|w| &w.event_loop)) + first
            }
        }
    }

    // ----- time series ---------------------------------------------------------------------

    fn on_sample(&mut self) {
        let now = self.now;
        let dt = to_secs_f64(self.sc.sample_every);
        let mut row: Vec<f64> = Vec::with_capacity(self.series.names().len());
        let iv = &self.interval;
        let q = |p: f64| iv.latency.quantile(p).map_or(f64::NAN, to_secs_f64);
        row.extend_from_slice(&[
            to_secs_f64(now),
            iv.sent as f64 / dt,
            iv.ok as f64 / dt,
            iv.failed as f64 / dt,
            iv.timeout as f64 / dt,
            iv.latency.mean().map_or(f64::NAN, |m| m / 1e9),
            q(0.5),
            q(0.95),
            q(0.99),
            (self.live.sent - self.live.ok - self.live.failed()) as f64,
        ]);
        for (s, rt) in self.services.iter_mut().enumerate() {
            let svc = &self.sc.services[s];
            let loops = (svc.replicas * svc.workers) as f64;
            let st = &mut rt.stats;
            let busy = st.busy_loops.integral(now);
            let window_busy = busy - st.interval_busy_base.min(busy);
            let interval_ns = self
                .sc
                .sample_every
                .min(now.saturating_sub(self.sc.warmup))
                .max(1);
            let util = if now > self.sc.warmup {
                window_busy as f64 / (interval_ns as f64 * loops)
            } else {
                f64::NAN
            };
            st.interval_busy_base = busy;
            let lag_mean = if st.interval_lag_n > 0 {
                st.interval_lag_sum as f64 / st.interval_lag_n as f64 / 1e9
            } else {
                f64::NAN
            };
            row.extend_from_slice(&[
                util,
                to_secs_f64(st.interval_lag_max),
                lag_mean,
                st.ready.value() as f64,
                st.active.value() as f64,
                st.pool_queue.value() as f64,
                st.pool_busy.value() as f64,
            ]);
            st.interval_lag_max = 0;
            st.interval_lag_sum = 0;
            st.interval_lag_n = 0;
        }
        self.series.push_row(&row);
        self.interval.reset();
        let next = now + self.sc.sample_every;
        if next <= self.sc.duration {
            self.queue.push(next, Event::Sample);
        }
    }
}

/// Adds a loop-holding step's time to the service totals, counting only the part inside the
/// measured window `[warmup, ∞)`.
#[inline]
fn account_loop_time(st: &mut ServiceStats, now: Nanos, dur: Nanos, warmup: Nanos, blocking: bool) {
    let end = now + dur;
    if end <= warmup {
        return;
    }
    let inside = (end - now.max(warmup)) as u128;
    if blocking {
        st.blocking_ns += inside;
    } else {
        st.cpu_ns += inside;
    }
}

/// The shared-socket rule: the first worker whose loop is idle; if none, the one with the
/// shortest ready queue (lowest index on ties). Returns an offset within the instance.
fn idle_first<'a>(loops: impl Iterator<Item = &'a EventLoop>) -> u32 {
    let mut best = (usize::MAX, 0u32);
    for (i, l) in loops.enumerate() {
        if l.is_idle() {
            return i as u32;
        }
        let load = l.ready.len();
        if load < best.0 {
            best = (load, i as u32);
        }
    }
    best.1
}

/// Column names of the time series, in row order.
fn series_names(sc: &Scenario) -> Vec<String> {
    let mut names: Vec<String> = [
        "t_s",
        "sent_rps",
        "ok_rps",
        "error_rps",
        "timeout_rps",
        "latency_mean_s",
        "latency_p50_s",
        "latency_p95_s",
        "latency_p99_s",
        "in_flight",
    ]
    .iter()
    .map(|s| String::from(*s))
    .collect();
    for svc in &sc.services {
        for col in SERVICE_COLUMNS {
            names.push(alloc::format!("{}.{}", svc.name, col));
        }
    }
    names
}

/// Per-service series columns (prefixed with `<service>.`).
pub const SERVICE_COLUMNS: [&str; 7] = [
    "utilization",
    "loop_lag_max_s",
    "loop_lag_mean_s",
    "ready_queue",
    "active",
    "pool_queue",
    "pool_busy",
];
