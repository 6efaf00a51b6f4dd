//! The serving side: routing through balancers, ingress admission, event loops, thread pools,
//! task steps and responses.

use crate::engine::queue::{Event, Outcome};
use crate::engine::runtime::{self, Caller, Instance, Join, Origin, Task};
use crate::engine::{balancer, cpu, resource, ServiceStats, Simulation};
use crate::guards::concurrency::ConcurrencyLimit;
use crate::guards::rate_limit::TokenBucket;
use crate::scenario::{Accept, Scenario, Service, Step, StepIndex};
use crate::time::Nanos;

/// What ingress does with a delivered request.
enum Admission {
    Admit,
    /// Wait in the admission queue for a concurrency permit.
    Queue,
    Refuse(Outcome),
}

pub fn new_instance(service: u32, first_worker: u32, svc: &Service) -> Instance {
    let ingress = &svc.ingress;
    Instance {
        service,
        first_worker,
        workers: svc.workers,
        ram_used: 0,
        pool_queued: 0,
        admit_queue: ingress
            .queue
            .map(|d| alloc::boxed::Box::new(resource::WaitQueue::new(d))),
        outstanding: 0,
        background: 0,
        waiting: 0,
        next_worker: 0,
        down: false,
        slow_factor: 1.0,
        // The front end validated these configurations.
        bucket: ingress
            .rate_limit
            .as_ref()
            .and_then(|r| TokenBucket::new(r.rate, r.burst).ok()),
        limit: ingress
            .concurrency
            .and_then(|k| ConcurrencyLimit::new(k).ok()),
    }
}

impl Simulation {
    /// Sends one attempt for `endpoint` from network node `from` through the target service's
    /// balancer. `deadline` is when the caller stops waiting (for `drop_expired`).
    pub(super) fn route_request(
        &mut self,
        caller: Caller,
        from: u32,
        endpoint: u32,
        deadline: Nanos,
        priority: u8,
    ) {
        let service = self.sc.endpoints[endpoint as usize].service;
        let Some(instance) = self.pick_instance(service) else {
            // Every replica is down: the connection is refused after one hop.
            let (delay, _) = self.cross(from, 1 + service);
            return self.respond(caller, delay, Outcome::Refused);
        };
        self.instances[instance as usize].outstanding += 1;
        self.scale_outstanding(instance, 1);
        let task = Task {
            endpoint,
            service,
            instance,
            worker: u32::MAX,
            step: 0,
            caller,
            caller_node: from,
            ram_held: 0,
            failure: None,
            arrived: Nanos::MAX,
            deadline,
            started: false,
            limit_held: false,
            held: Default::default(),
            priority,
            child: false,
            join: u32::MAX,
            waits_join: u32::MAX,
            cancelled: false,
            wait: None,
            zombie: false,
            spawned: false,
        };
        let (tid, _) = self.tasks.insert(task);
        if self.tasks.len() > self.sc.max_in_flight {
            self.truncate_overload();
        }
        let (delay, lost) = self.cross(from, 1 + service);
        if lost {
            self.instances[instance as usize].outstanding -= 1;
            self.scale_outstanding(instance, -1);
            self.tasks.remove(tid);
            self.respond(caller, delay, Outcome::Loss);
        } else if self.channels.enabled {
            let policy = self.exchanges.get(caller.exchange).map_or(0, |x| x.policy);
            let bytes = self.request_bytes(policy);
            let sender = self.caller_instance(caller);
            let ev = Event::RequestDelivered { task: tid };
            self.send_over([from, 1 + service], [sender, instance], bytes, delay, ev);
        } else {
            self.queue
                .push(self.now + delay, Event::RequestDelivered { task: tid });
        }
    }

    /// One traversal of the hop `from → to`: its latency and whether the message is lost.
    #[inline]
    pub(super) fn cross(&mut self, from: u32, to: u32) -> (Nanos, bool) {
        self.topology
            .cross(from, to, &self.fault_active, &mut self.net_rng)
    }

    /// Delivers `outcome` for one attempt to its caller after `delay`.
    pub(super) fn respond(&mut self, caller: Caller, delay: Nanos, outcome: Outcome) {
        let ev = Event::AttemptResponse {
            exchange: caller.exchange,
            generation: caller.generation,
            attempt: caller.attempt,
            outcome,
        };
        self.queue.push(self.now + delay, ev);
    }

    /// A request reaches its instance: ingress admission, then the accept queue of a worker.
    pub(super) fn on_request_delivered(&mut self, tid: u32) {
        let now = self.now;
        let task = self.tasks.get_mut(tid).expect("in transit");
        task.arrived = now;
        let (service, instance, endpoint) = (task.service, task.instance, task.endpoint);
        match self.admission(service, instance, endpoint) {
            Admission::Admit => {}
            Admission::Queue => return self.enqueue_admission(tid),
            Admission::Refuse(refusal) => return self.refuse(tid, refusal),
        }
        let worker = self.pick_worker(instance);
        let task = self.tasks.get_mut(tid).expect("live");
        task.worker = worker;
        task.limit_held = self.instances[instance as usize].limit.is_some();
        self.instances[instance as usize].waiting += 1;
        let active = &mut self.services[service as usize].stats.active;
        active.add(now, 1);
        let t = &mut self.health.services[service as usize].tick;
        t.active_peak = t.active_peak.max(active.value());
        self.make_ready(tid);
    }

    /// Ingress checks, in the order a real stack applies them: connection, handler errors, rate
    /// limit, accept-queue bound, concurrency limit.
    fn admission(&mut self, service: u32, instance: u32, endpoint: u32) -> Admission {
        let now = self.now;
        let inst = &mut self.instances[instance as usize];
        if inst.down {
            return Admission::Refuse(Outcome::Refused);
        }
        let err = self.error_rate[endpoint as usize];
        if err > 0.0 && self.services[service as usize].rng.chance(err) {
            return Admission::Refuse(Outcome::Error);
        }
        if inst.bucket.as_mut().is_some_and(|b| !b.try_acquire(now)) {
            return Admission::Refuse(Outcome::RejectedRateLimit);
        }
        let queued = inst.admit_queue.is_some();
        let max_queue = self.sc.services[service as usize].ingress.max_queue;
        // With an admission queue, `max_queue` bounds that queue instead (`admission.rs`).
        if !queued && max_queue.is_some_and(|m| inst.waiting >= m) {
            return Admission::Refuse(Outcome::ShedQueueFull);
        }
        if inst.limit.as_mut().is_some_and(|l| !l.try_acquire()) {
            return if queued {
                Admission::Queue
            } else {
                Admission::Refuse(Outcome::RejectedConcurrency)
            };
        }
        Admission::Admit
    }

    /// Turns a delivered request away without serving it.
    pub(super) fn refuse(&mut self, tid: u32, outcome: Outcome) {
        let task = self.tasks.remove(tid).expect("live task");
        self.instances[task.instance as usize].outstanding -= 1;
        self.scale_outstanding(task.instance, -1);
        self.count_refusal(task.service, outcome);
        let (delay, lost) = self.cross(1 + task.service, task.caller_node);
        self.respond(
            task.caller,
            delay,
            if lost { Outcome::Loss } else { outcome },
        );
    }

    /// The task's continuation joins its worker's ready queue; the loop runs it when free.
    pub(super) fn make_ready(&mut self, tid: u32) {
        let worker = self.make_ready_later(tid);
        self.drive(worker);
    }

    /// An await completed (`io`, `offload`): resume the task, unless its instance died.
    pub(super) fn resume(&mut self, tid: u32) {
        if self.tasks.get(tid).expect("live task").zombie {
            self.tasks.remove(tid);
            return;
        }
        if self.stepping > 0 {
            // Inside another task's step (a call refused at once by a guard): running the
            // loop now would nest one loop run per task. Wake it as an event instead.
            self.queue.push(self.now, Event::Wake { task: tid });
            return;
        }
        self.make_ready(tid);
    }

    /// A `call` step's exchange finished: the parent task resumes (failing if the call failed).
    pub(super) fn call_returned(&mut self, parent: u32, outcome: Outcome) {
        let task = self.tasks.get_mut(parent).expect("parent waits");
        if outcome != Outcome::Ok {
            task.failure = Some(outcome);
        }
        self.resume(parent);
    }

    /// Runs ready continuations on `worker`'s loop until it is held by a step, paused, or dry.
    pub(super) fn drive(&mut self, worker: u32) {
        loop {
            let w = &mut self.workers[worker as usize];
            if w.event_loop.running.is_some() || self.now < w.event_loop.paused_until {
                return;
            }
            let Some((tid, ready_at)) = w.event_loop.ready.pop_front() else {
                return;
            };
            let service = w.service as usize;
            let l = &mut w.event_loop;
            l.run_started = self.now;
            l.run_blocking = false;
            l.run_endpoint = self.tasks.get(tid).expect("live task").endpoint;
            let stats = &mut self.services[service].stats;
            stats.ready.add(self.now, -1);
            let lag = self.now - ready_at;
            stats.record_lag(lag, self.now >= self.sc.warmup);
            self.scale_lag(worker, lag);
            let t = &mut self.health.services[service].tick;
            t.lag_max = t.lag_max.max(lag);
            t.lag_sum += lag as u128;
            t.lag_n += 1;
            self.continue_task(tid);
            if self.workers[worker as usize].event_loop.running.is_none() {
                self.end_run(worker);
            }
        }
    }

    pub(super) fn on_run_end(&mut self, worker: u32, tid: u32) {
        if self.tasks.get(tid).expect("live task").zombie {
            self.tasks.remove(tid); // the loop was reset by an outage
            return;
        }
        let w = &mut self.workers[worker as usize];
        debug_assert_eq!(w.event_loop.running, Some(tid));
        w.event_loop.running = None;
        self.services[w.service as usize]
            .stats
            .busy_loops
            .add(self.now, -1);
        self.scale_busy(worker, -1);
        let w = &mut self.workers[worker as usize];
        if self.now < w.event_loop.paused_until {
            // A pause began during this step: the task resumes first when the loop does.
            w.event_loop.ready.push_front((tid, self.now));
            self.services[w.service as usize]
                .stats
                .ready
                .add(self.now, 1);
            return self.end_run(worker);
        }
        self.continue_task(tid);
        if self.workers[worker as usize].event_loop.running.is_none() {
            self.end_run(worker);
        }
        self.drive(worker);
    }

    /// Runs the task's steps from where it stopped until it awaits, holds the loop, or ends.
    fn continue_task(&mut self, tid: u32) {
        self.stepping += 1;
        self.run_steps(tid);
        self.stepping -= 1;
    }

    fn run_steps(&mut self, tid: u32) {
        let task = self.tasks.get_mut(tid).expect("live task");
        if !task.started {
            task.started = true;
            let instance = task.instance as usize;
            let expired = task.deadline < self.now;
            self.instances[instance].waiting -= 1;
            let service = task.service;
            if expired && self.sc.services[service as usize].ingress.drop_expired {
                self.count_refusal(service, Outcome::DroppedExpired);
                return self.finish_task(tid, Outcome::DroppedExpired);
            }
        }
        loop {
            let task = self.tasks.get_mut(tid).expect("live task");
            if task.cancelled {
                return self.discard(tid);
            }
            if let Some(failure) = task.failure {
                return self.finish_task(tid, failure);
            }
            let steps = &self.sc.endpoints[task.endpoint as usize].steps;
            let Some(step) = steps.get(task.step as usize) else {
                return self.finish_task(tid, Outcome::Ok);
            };
            task.step += 1;
            let (service, worker, instance) = (task.service, task.worker, task.instance);
            let slow = self.instances[instance as usize].slow_factor;
            let rt = &mut self.services[service as usize];
            match step {
                Step::Cpu(d) | Step::Blocking(d) => {
                    let dur = slowed(d.sample(&mut rt.rng), slow);
                    let blocking = matches!(step, Step::Blocking(_));
                    account_loop_time(&mut rt.stats, self.now, dur, self.sc.warmup, blocking);
                    self.health.usage.cpu_ns += dur as u128;
                    if blocking {
                        let t = &mut self.health.services[service as usize].tick;
                        t.blocking_ns += dur as u128;
                        t.blocking_steps += 1;
                        self.health.endpoint_blocking[task.endpoint as usize] += dur as u128;
                        self.workers[worker as usize].event_loop.run_blocking = true;
                    }
                    if dur > 0 {
                        rt.stats.busy_loops.add(self.now, 1);
                        self.scale_busy(worker, 1);
                        self.workers[worker as usize].event_loop.running = Some(tid);
                        if !blocking && self.shares_cpu(service) {
                            return self.start_burst(tid, dur, cpu::AfterBurst::LoopStep);
                        }
                        self.queue
                            .push(self.now + dur, Event::RunEnd { worker, task: tid });
                        return;
                    }
                }
                Step::Io(d) => {
                    let dur = d.sample(&mut rt.rng);
                    self.queue.push(self.now + dur, Event::IoDone { task: tid });
                    return;
                }
                Step::Offload(d) => {
                    let dur = slowed(d.sample(&mut rt.rng), slow);
                    self.health.usage.cpu_ns += dur as u128;
                    return self.submit_offload(worker, tid, dur);
                }
                Step::OffloadSplit { cpu, io } => {
                    let cpu = slowed(cpu.sample(&mut rt.rng), slow);
                    let io = io.sample(&mut rt.rng);
                    self.health.usage.cpu_ns += cpu as u128;
                    if cpu > 0 && self.shares_cpu(service) {
                        // The job computes once it has a thread (see `job_starts`).
                        self.bursts.prepare(tid, cpu, cpu::AfterBurst::Job { io });
                        return self.submit_offload(worker, tid, io);
                    }
                    return self.submit_offload(worker, tid, cpu + io);
                }
                Step::Branch(arms) => {
                    let u = rt.rng.f64();
                    let arm = arms.iter().find(|(c, _)| u < *c).or(arms.last());
                    task.step = arm.map_or(task.step, |(_, start)| *start);
                }
                Step::Jump(to) => task.step = *to,
                Step::BranchEnd => return self.finish_task(tid, Outcome::Ok),
                Step::Publish(q) => {
                    let q = *q;
                    return self.publish(tid, q);
                }
                Step::Spawn { next } => {
                    let start = task.step;
                    task.step = *next;
                    self.spawn_child(tid, start);
                    if self.finished {
                        return; // the cap stopped the run
                    }
                }
                Step::Fork(_) => {
                    let at = task.step - 1;
                    return self.fork(tid, at);
                }
                Step::Acquire(pool) => {
                    let pool = *pool;
                    return self.acquire(tid, pool);
                }
                Step::Release(pool) => {
                    let pool = *pool;
                    self.release_pool(tid, pool);
                }
                Step::Llm(l) => {
                    let tokens_in = count(l.tokens_in.sample_secs(&mut rt.rng));
                    let tokens_out = count(l.tokens_out.sample_secs(&mut rt.rng));
                    let first = l.first_token.sample(&mut rt.rng);
                    let per_token = l.per_token.sample_secs(&mut rt.rng);
                    let generation = crate::time::from_secs_f64(per_token * tokens_out as f64);
                    let usage = &mut self.health.usage;
                    usage.tokens_in = usage.tokens_in.saturating_add(tokens_in);
                    usage.tokens_out = usage.tokens_out.saturating_add(tokens_out);
                    let done = self.now + first + generation;
                    self.queue.push(done, Event::IoDone { task: tid });
                    return;
                }
                Step::Call {
                    endpoint, policy, ..
                } => {
                    let (endpoint, policy) = (*endpoint, *policy);
                    let replica = instance - rt.first_instance;
                    let origin = Origin::Task(tid);
                    let priority = task.priority;
                    return self.start_exchange(
                        origin,
                        1 + service,
                        endpoint,
                        policy,
                        replica,
                        priority,
                    );
                }
                Step::CacheLookup(l) => {
                    let (l, at) = (**l, task.step - 1);
                    if !self.cache_lookup(tid, at, l) {
                        return;
                    }
                }
                Step::CacheStore(cache) => {
                    let cache = *cache;
                    self.cache_store_key(tid, cache);
                }
                Step::CacheInvalidate { cache, .. } => {
                    let (cache, at) = (*cache, task.step - 1);
                    self.cache_invalidate(tid, at, cache);
                }
                Step::Ram(bytes) => {
                    let bytes = *bytes;
                    let cap = self.sc.services[service as usize].ram;
                    let inst = &mut self.instances[instance as usize];
                    if cap.is_some_and(|cap| inst.ram_used + bytes > cap) {
                        return self.finish_task(tid, Outcome::OutOfMemory);
                    }
                    inst.ram_used += bytes;
                    self.tasks.get_mut(tid).expect("live").ram_held += bytes;
                }
            }
        }
    }

    /// An `offload` job asks the worker's thread pool for a thread: it runs now, or waits
    /// in the pool's FIFO queue.
    fn submit_offload(&mut self, worker: u32, tid: u32, dur: Nanos) {
        let now = self.now;
        let w = &self.workers[worker as usize];
        let (service, instance, permits) = (w.service as usize, w.instance, w.threads);
        let stats = &mut self.services[service].stats;
        stats.pool_backlog.add(now, 1);
        let t = &mut self.health.services[service].tick;
        t.pool_started += 1;
        match self.resources.ask(permits, tid, dur, 0, now) {
            resource::Ask::Granted => {
                t.pool_wait_n += 1;
                if now >= self.sc.warmup {
                    self.resources.meters[service].wait.record(0);
                }
                self.tasks.get_mut(tid).expect("live").held.push(permits);
                self.job_starts(tid, permits, dur);
            }
            resource::Ask::Queued(seq) => {
                self.tasks.get_mut(tid).expect("live").wait = Some((permits, seq));
                let inst = &mut self.instances[instance as usize];
                inst.pool_queued += 1;
                t.backlog_max = t.backlog_max.max(u64::from(inst.pool_queued));
            }
            resource::Ask::Full => unreachable!("thread pools have no max_waiting"),
        }
    }

    /// A job has its thread: it runs for `dur`, or first computes (a prepared burst).
    fn job_starts(&mut self, tid: u32, permits: u32, dur: Nanos) {
        if self.bursts.is_prepared(tid) {
            return self.next_slice(tid);
        }
        self.queue
            .push(self.now + dur, Event::JobDone { permits, task: tid });
    }

    /// A thread-pool job ended: the thread takes the next job, the task goes on.
    pub(super) fn on_job_done(&mut self, permits: u32, tid: u32) {
        if self.tasks.get(tid).expect("live task").zombie {
            self.tasks.remove(tid); // its instance went down; the thread was given back then
            return;
        }
        let task = self.tasks.get_mut(tid).expect("live task");
        task.held.remove(permits);
        let service = task.service as usize;
        self.services[service].stats.pool_backlog.add(self.now, -1);
        self.health.services[service].tick.pool_completed += 1;
        self.give_back(permits);
        self.make_ready(tid);
    }

    /// Gives one permit of `permits` back; the next waiter, if any, gets it.
    pub(super) fn give_back(&mut self, permits: u32) {
        let now = self.now;
        let mut shed = core::mem::take(&mut self.resources.shed);
        let next = self.resources.release(permits, now, &mut shed);
        for w in shed.drain(..) {
            self.shed_waiter(permits, w);
        }
        self.resources.shed = shed;
        let Some(next) = next else {
            return;
        };
        let kind = self.resources.permits[permits as usize].kind;
        let wait = now - next.since;
        if next.since >= self.sc.warmup {
            self.resources.meters[kind as usize].wait.record(wait);
        }
        let role = self.resources.kinds[kind as usize].role;
        let task = self.tasks.get_mut(next.task).expect("a waiter is live");
        if matches!(role, resource::Role::Threads | resource::Role::Pool) {
            // The GIL and cores are a burst's (see `cpu.rs`), not the task's.
            task.held.push(permits);
        }
        task.wait = None;
        let service = task.service;
        match role {
            resource::Role::Threads => {
                let t = &mut self.health.services[service as usize].tick;
                t.pool_wait_n += 1;
                t.pool_wait_sum += wait as u128;
                t.pool_wait_max = t.pool_wait_max.max(wait);
                let instance = task.instance;
                self.instances[instance as usize].pool_queued -= 1;
                self.job_starts(next.task, permits, next.job);
            }
            resource::Role::Gil | resource::Role::Cores => {
                self.cpu_granted(next.task, permits, role == resource::Role::Gil);
            }
            resource::Role::Pool => {
                self.queue.push(now, Event::Wake { task: next.task });
            }
        }
    }

    /// A waiter its pool's CoDel queue shed: the request fails as `pool_shed`.
    fn shed_waiter(&mut self, permits: u32, w: resource::Waiter) {
        let kind = self.resources.permits[permits as usize].kind as usize;
        if self.now >= self.sc.warmup {
            self.resources.meters[kind].shed += 1;
        }
        let task = self.tasks.get_mut(w.task).expect("a waiter is live");
        task.wait = None;
        if self.resources.kinds[kind].role == resource::Role::Threads {
            unreachable!("thread pools are FIFO");
        }
        self.finish_task(w.task, Outcome::PoolShed);
    }

    /// A `with` block starts: one permit of the pool, now or after a wait.
    fn acquire(&mut self, tid: u32, pool: u32) {
        let now = self.now;
        let kind = self.sc.services.len() as u32 + pool;
        let task = self.tasks.get(tid).expect("live task");
        let (service, priority) = (task.service as usize, task.priority);
        let rt = &self.services[service];
        let first_worker = self.instances[rt.first_instance as usize].first_worker;
        let permits = self.resources.instance(
            kind,
            task.worker - first_worker,
            task.instance - rt.first_instance,
        );
        match self.resources.ask(permits, tid, 0, priority, now) {
            resource::Ask::Granted => {
                if now >= self.sc.warmup {
                    self.resources.meters[kind as usize].wait.record(0);
                }
                self.tasks.get_mut(tid).expect("live").held.push(permits);
                self.queue.push(now, Event::Wake { task: tid });
            }
            resource::Ask::Queued(seq) => {
                self.tasks.get_mut(tid).expect("live").wait = Some((permits, seq));
                if let Some(timeout) = self.resources.kinds[kind as usize].timeout {
                    let ev = Event::PermitTimeout {
                        permits,
                        task: tid,
                        seq,
                    };
                    self.queue.push(now + timeout, ev);
                }
            }
            resource::Ask::Full => {
                if now >= self.sc.warmup {
                    self.resources.meters[kind as usize].rejected += 1;
                }
                self.finish_task(tid, Outcome::PoolFull);
            }
        }
    }

    /// The end of a `with` block: its permit goes back.
    fn release_pool(&mut self, tid: u32, pool: u32) {
        let kind = self.sc.services.len() as u32 + pool;
        let task = self.tasks.get_mut(tid).expect("live task");
        let first = self.resources.kinds[kind as usize].first;
        let count = self.resources.kinds[kind as usize].count;
        // The most recent hold of an instance of this pool.
        let held = (first..first + count).rev().find(|&p| task.held.remove(p));
        if let Some(permits) = held {
            self.give_back(permits);
        }
    }

    /// A waiter's timeout: if it still waits, it fails as `pool_timeout`.
    pub(super) fn on_permit_timeout(&mut self, permits: u32, tid: u32, seq: u32) {
        if self
            .resources
            .withdraw(permits, tid, seq, self.now)
            .is_none()
        {
            return; // it got its permit, or its instance went down
        }
        let kind = self.resources.permits[permits as usize].kind as usize;
        if self.now >= self.sc.warmup {
            self.resources.meters[kind].timeouts += 1;
        }
        self.tasks.get_mut(tid).expect("a waiter is live").wait = None;
        self.finish_task(tid, Outcome::PoolTimeout);
    }

    // ----- parallel branches ----------------------------------------------------------------

    /// A `parallel` step: one child task per branch copy, on the same worker, each becoming
    /// ready in order; the parent waits for the join to be decided.
    fn fork(&mut self, parent: u32, at: StepIndex) {
        let p = self.tasks.get(parent).expect("live task").clone();
        let fork_step = |sc: &Scenario| match &sc.endpoints[p.endpoint as usize].steps[at as usize]
        {
            Step::Fork(f) => (f.fanout, f.need, f.ignore_errors, f.next, f.starts.len()),
            _ => unreachable!("a fork step"),
        };
        let (fanout, need, ignore_errors, next, branches) = fork_step(&self.sc);
        let total = fanout * branches as u32;
        // The children count against the cap before they exist: a wide fork stops the run
        // instead of outgrowing it.
        if u64::from(self.tasks.len()) + u64::from(total) > u64::from(self.sc.max_in_flight) {
            return self.truncate_overload();
        }
        let (join, _) = self.joins.insert(Join {
            parent,
            children: alloc::vec::Vec::with_capacity(total as usize),
            need: need.min(total),
            total,
            ok: 0,
            failed: 0,
            ignore_errors,
            failure: None,
            next,
        });
        for _ in 0..fanout {
            for b in 0..branches {
                let Step::Fork(f) = &self.sc.endpoints[p.endpoint as usize].steps[at as usize]
                else {
                    unreachable!("a fork step")
                };
                let child = Task {
                    step: f.starts[b],
                    held: Default::default(),
                    ram_held: 0,
                    failure: None,
                    child: true,
                    spawned: false,
                    join,
                    waits_join: u32::MAX,
                    cancelled: false,
                    wait: None,
                    limit_held: false,
                    ..p.clone()
                };
                let (cid, _) = self.tasks.insert(child);
                self.joins
                    .get_mut(join)
                    .expect("live join")
                    .children
                    .push(cid);
                self.make_ready_later(cid);
            }
        }
        self.tasks.get_mut(parent).expect("live task").waits_join = join;
    }

    /// Puts a task in its loop's ready queue without running the loop now (the caller is in
    /// the middle of a step; the loop runs it when free, at the latest when this step ends).
    /// Returns the task's worker.
    pub(super) fn make_ready_later(&mut self, tid: u32) -> u32 {
        let worker = self.tasks.get(tid).expect("live task").worker;
        let w = &mut self.workers[worker as usize];
        w.event_loop.ready.push_back((tid, self.now));
        self.services[w.service as usize]
            .stats
            .ready
            .add(self.now, 1);
        worker
    }

    /// A child ended with `outcome`: count it; once the join is decided, cancel the others and
    /// wake the parent (failing it if the step failed).
    pub(super) fn child_ended(&mut self, join_id: u32, _child: u32, outcome: Outcome) {
        // A join already decided (its other children cancelled) no longer counts.
        let Some(join) = self.joins.get_mut(join_id) else {
            return;
        };
        if outcome == Outcome::Ok {
            join.ok += 1;
        } else {
            join.failed += 1;
            join.failure.get_or_insert(outcome);
        }
        let ended = join.ok + join.failed;
        let decided = if join.ignore_errors {
            ended == join.total
        } else {
            join.ok >= join.need || join.total - join.failed < join.need
        };
        if !decided {
            return;
        }
        let join = self.joins.remove(join_id).expect("live join");
        let failed = !join.ignore_errors && join.ok < join.need;
        for &c in &join.children {
            // Children that ended are gone (or their slot holds a task of another join).
            if self.is_child_of(c, join_id) {
                self.cancel(c);
            }
        }
        let parent = self.tasks.get_mut(join.parent).expect("the parent waits");
        parent.waits_join = u32::MAX;
        parent.step = join.next;
        if failed {
            parent.failure = join.failure;
        }
        self.queue.push(self.now, Event::Wake { task: join.parent });
    }

    /// Cancels a child whose join was decided: it stops at its next await point. A wait for a
    /// permit is withdrawn now; a running thread-pool job keeps its thread until it ends (a
    /// thread cannot be interrupted); a pending call is abandoned (its server goes on).
    fn cancel(&mut self, tid: u32) {
        if self.cache_cancel(tid) {
            // It waited for another request's cache miss: nothing else to withdraw.
            let task = self.tasks.get_mut(tid).expect("live child");
            task.cancelled = true;
            task.join = u32::MAX;
            return self.discard(tid);
        }
        let task = self.tasks.get_mut(tid).expect("live child");
        task.cancelled = true;
        task.join = u32::MAX;
        let (wait, waits_join) = (
            task.wait.take(),
            core::mem::replace(&mut task.waits_join, u32::MAX),
        );
        if let Some((permits, seq)) = wait {
            if self
                .resources
                .withdraw(permits, tid, seq, self.now)
                .is_some()
            {
                let kind = self.resources.permits[permits as usize].kind;
                if self.resources.kinds[kind as usize].role == resource::Role::Threads {
                    let task = self.tasks.get(tid).expect("live");
                    let (service, instance) = (task.service as usize, task.instance);
                    self.services[service].stats.pool_backlog.add(self.now, -1);
                    self.instances[instance as usize].pool_queued -= 1;
                }
                return self.discard(tid);
            }
        }
        if waits_join != u32::MAX {
            // A `parallel` inside the branch: its own branches go too, and nothing will wake
            // this one any more.
            if let Some(join) = self.joins.remove(waits_join) {
                for &c in &join.children {
                    if self.is_child_of(c, waits_join) {
                        self.cancel(c);
                    }
                }
            }
            return self.discard(tid);
        }
        // Awaiting (a call, io) or about to run: its pool permits go back now — the block's
        // `async with` exits as the cancellation is delivered; a running thread-pool job keeps
        // its thread until it ends.
        self.give_back_pools(tid);
    }

    /// Whether task `c` is a live, not yet cancelled child of join `join`. Join ids are unique
    /// while the join lives, so a reused task slot cannot pass for one of its children.
    fn is_child_of(&self, c: u32, join: u32) -> bool {
        self.tasks
            .get(c)
            .is_some_and(|t| t.child && t.join == join && !t.cancelled && !t.zombie)
    }

    /// Gives back the task's pool permits (not a thread-pool job's thread).
    fn give_back_pools(&mut self, tid: u32) {
        let task = self.tasks.get_mut(tid).expect("live task");
        let mut keep = runtime::Held::default();
        let mut pools = runtime::Held::default();
        for p in task.held.take_all() {
            let kind = self.resources.permits[p as usize].kind as usize;
            if self.resources.kinds[kind].role == resource::Role::Threads {
                keep.push(p);
            } else {
                pools.push(p);
            }
        }
        task.held = keep;
        for p in pools.take_all() {
            self.give_back(p);
        }
    }

    /// A cancelled child at an await point: it ends without reporting, giving back what it
    /// holds.
    fn discard(&mut self, tid: u32) {
        self.cache_task_ends(tid, None);
        self.release_burst(tid);
        let mut task = self.tasks.remove(tid).expect("live task");
        for permits in task.held.take_all() {
            self.give_back(permits);
        }
        self.instances[task.instance as usize].ram_used -= task.ram_held;
    }

    /// The task ends: free what it holds and send its response back over the network.
    pub(super) fn finish_task(&mut self, tid: u32, outcome: Outcome) {
        self.cache_task_ends(tid, Some(outcome));
        if self.tasks.get(tid).expect("live task").child {
            return self.end_child(tid, outcome);
        }
        let task = self.tasks.remove(tid).expect("live task");
        self.release_task(&task, outcome);
        let (delay, lost) = self.cross(1 + task.service, task.caller_node);
        if self.channels.enabled && !lost && outcome == Outcome::Ok {
            return self.answer_with_payload(&task, delay);
        }
        self.respond(
            task.caller,
            delay,
            if lost { Outcome::Loss } else { outcome },
        );
    }

    /// A child task ends: it gives back what it holds and reports to its join.
    fn end_child(&mut self, tid: u32, outcome: Outcome) {
        let task = self.tasks.get_mut(tid).expect("live task");
        let join = core::mem::replace(&mut task.join, u32::MAX);
        if task.spawned {
            let (service, instance, at) = (task.service, task.instance, task.arrived);
            self.spawn_ended(service, instance, at, outcome);
        }
        // Report first: giving permits back can fail other tasks (a CoDel queue sheds), which
        // may decide this join before this child's outcome is counted.
        self.child_ended(join, tid, outcome);
        self.discard(tid);
    }

    /// Gives back what an accepted task holds: memory, its connection, its concurrency permit,
    /// and every resource permit (a running thread-pool job's thread, `with` blocks).
    pub(super) fn release_task(&mut self, task: &Task, outcome: Outcome) {
        let mut held = task.held;
        for permits in held.take_all() {
            self.give_back(permits);
        }
        let now = self.now;
        let inst = &mut self.instances[task.instance as usize];
        inst.ram_used -= task.ram_held;
        inst.outstanding -= 1;
        if !task.started {
            inst.waiting -= 1;
        }
        let freed = task.limit_held && inst.limit.is_some();
        if task.limit_held {
            if let Some(l) = &mut inst.limit {
                l.release(now, now - task.arrived, outcome != Outcome::Ok);
            }
        }
        self.flows.endpoints[task.endpoint as usize]
            .record(outcome == Outcome::Ok, now - task.arrived);
        let stats = &mut self.services[task.service as usize].stats;
        stats.active.add(now, -1);
        if task.arrived >= self.sc.warmup {
            let e = &mut self.endpoint_stats[task.endpoint as usize];
            if outcome == Outcome::Ok {
                stats.served_ok += 1;
                e.ok += 1;
                e.latency.record(now - task.arrived);
            } else {
                stats.served_failed += 1;
                e.failed += 1;
            }
            let replica = task.instance - self.services[task.service as usize].first_instance;
            self.services[task.service as usize].stats.served_by_replica[replica as usize] += 1;
        }
        let acc = &mut self.health.services[task.service as usize];
        if outcome == Outcome::Ok {
            acc.tick.served_ok += 1;
        } else {
            acc.tick.served_failed += 1;
        }
        acc.latency.record(now - task.arrived);
        self.scale_outstanding(task.instance, -1);
        if freed {
            self.admit_next(task.instance);
        }
    }

    /// Counts a request turned away (or lost) by a service, for the report, series and health.
    pub(super) fn count_refusal(&mut self, service: u32, outcome: Outcome) {
        let stats = &mut self.services[service as usize].stats;
        if self.now >= self.sc.warmup {
            stats.refused[outcome as usize] += 1;
        }
        stats.interval_refused += 1;
        self.health.services[service as usize].tick.refused += 1;
    }

    // ----- choices -------------------------------------------------------------------------

    /// A replica that is up, chosen by the service's balancer; `None` if all are down. Down
    /// replicas are skipped, as a health-checked balancer does.
    /// The replica a new request goes to: the service's balancer chooses among the replicas
    /// that are up (round robin rotates over them, least-connections and power-of-two compare
    /// only them, random draws among them), so survivors share a dead replica's load evenly.
    fn pick_instance(&mut self, service: u32) -> Option<u32> {
        let rt = &mut self.services[service as usize];
        let balance = self.sc.services[service as usize].balance;
        let first = rt.first_instance;
        let live = &rt.live;
        let n = live.len() as u32;
        let pick = match n {
            0 => return None,
            1 => 0,
            _ => {
                let instances = &self.instances;
                let load = |k: u32| instances[(first + live[k as usize]) as usize].outstanding;
                balancer::pick(balance, n, &mut rt.next, &mut rt.rng, load)
            }
        };
        Some(first + live[pick as usize])
    }

    pub(super) fn pick_worker(&mut self, instance: u32) -> u32 {
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
                first + idle_first(loops.iter().map(|w| &w.event_loop))
            }
        }
    }
}

/// A sampled token count (distributions are sampled as reals), capped at 10¹² per call so
/// that a heavy-tailed distribution cannot overflow the counters.
fn count(x: f64) -> u64 {
    if x > 0.0 {
        libm::round(x.min(1e12)) as u64
    } else {
        0
    }
}

#[inline]
fn slowed(d: Nanos, factor: f64) -> Nanos {
    if factor == 1.0 {
        d
    } else {
        crate::time::from_secs_f64(d as f64 * factor / 1e9)
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
fn idle_first<'a>(loops: impl Iterator<Item = &'a crate::engine::runtime::EventLoop>) -> u32 {
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
