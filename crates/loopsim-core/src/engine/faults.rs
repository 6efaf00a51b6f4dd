//! The fault timeline: each fault switches on at `at` and off at `until`; effects that several
//! faults can share (slowdowns, error rates, outages, surges) are recomputed from the set of
//! active faults, so overlapping faults compose and end cleanly. Link faults are applied by the
//! network topology itself (see `network.rs`).

use alloc::vec::Vec;

use crate::engine::queue::{Event, Outcome};
use crate::engine::runtime::Task;
use crate::engine::Simulation;
use crate::scenario::{FaultKind, ReplicaTarget};

impl Simulation {
    pub(super) fn on_fault(&mut self, fault: u32, start: bool) {
        self.fault_active[fault as usize] = start;
        let f = &self.sc.faults[fault as usize];
        let length = f.until - f.at;
        match f.kind.clone() {
            FaultKind::Slowdown { .. } => self.recompute_slowdowns(),
            FaultKind::Errors { .. } => self.recompute_error_rates(),
            FaultKind::Surge { .. } => self.recompute_surges(),
            FaultKind::Outage { target } => self.recompute_outages(target),
            FaultKind::Pause { target, worker } if start => self.pause(target, worker, length),
            FaultKind::Flush { cache } if start => self.flush_cache(cache),
            FaultKind::Flush { .. } => {}
            // Link faults are read by `Topology::cross` from `fault_active`.
            FaultKind::Latency { .. } | FaultKind::Loss { .. } | FaultKind::Pause { .. } => {}
        }
    }

    /// The instances a target names.
    fn instances_of(&self, t: ReplicaTarget) -> core::ops::Range<usize> {
        let first = self.services[t.service as usize].first_instance as usize;
        match t.replica {
            Some(r) => first + r as usize..first + r as usize + 1,
            None => first..first + self.sc.services[t.service as usize].replicas as usize,
        }
    }

    fn active_faults(&self) -> impl Iterator<Item = &FaultKind> {
        self.sc
            .faults
            .iter()
            .zip(&self.fault_active)
            .filter(|(_, a)| **a)
            .map(|(f, _)| &f.kind)
    }

    fn recompute_slowdowns(&mut self) {
        let mut factors: Vec<f64> = alloc::vec![1.0; self.instances.len()];
        for kind in self.active_faults() {
            if let FaultKind::Slowdown { target, factor } = kind {
                for i in self.instances_of(*target) {
                    factors[i] *= factor;
                }
            }
        }
        for (inst, f) in self.instances.iter_mut().zip(factors) {
            inst.slow_factor = f;
        }
    }

    /// Error probabilities per endpoint: independent faults combine as 1 − Π(1 − rate).
    fn recompute_error_rates(&mut self) {
        let mut pass: Vec<f64> = alloc::vec![1.0; self.sc.endpoints.len()];
        for kind in self.active_faults() {
            if let FaultKind::Errors {
                service,
                endpoint,
                rate,
            } = kind
            {
                let eps = &self.sc.services[*service as usize].endpoints;
                for &e in eps.iter().filter(|&&e| endpoint.is_none_or(|x| x == e)) {
                    pass[e as usize] *= 1.0 - rate;
                }
            }
        }
        for (r, p) in self.error_rate.iter_mut().zip(pass) {
            *r = 1.0 - p;
        }
    }

    fn recompute_surges(&mut self) {
        let mut surge: Vec<(f64, f64)> = alloc::vec![(1.0, 0.0); self.workloads.len()];
        for kind in self.active_faults() {
            if let FaultKind::Surge {
                workload,
                factor,
                add,
            } = kind
            {
                let s = &mut surge[*workload as usize];
                s.0 *= factor;
                s.1 += add;
            }
        }
        for (w, (factor, add)) in self.workloads.iter_mut().zip(surge) {
            w.surge_factor = factor;
            w.surge_add = add;
        }
    }

    fn recompute_outages(&mut self, changed: ReplicaTarget) {
        let mut down: Vec<bool> = alloc::vec![false; self.instances.len()];
        for kind in self.active_faults() {
            if let FaultKind::Outage { target } = kind {
                for i in self.instances_of(*target) {
                    down[i] = true;
                }
            }
        }
        for i in self.instances_of(changed) {
            let was = self.instances[i].down;
            self.instances[i].down = down[i];
            if down[i] && !was {
                self.crash(i as u32);
            }
        }
        self.refresh_live(changed.service);
    }

    /// Rebuilds the list of a service's replicas that are up, which its balancer picks from.
    pub(super) fn refresh_live(&mut self, service: u32) {
        let rt = &mut self.services[service as usize];
        let first = rt.first_instance as usize;
        let n = self.sc.services[service as usize].replicas as usize;
        rt.live.clear();
        let scaling = &self.scaling;
        rt.live.extend((0..n as u32).filter(|&r| {
            let i = first + r as usize;
            !self.instances[i].down && scaling.takes_traffic(i as u32)
        }));
        self.sync_scaler(service);
        // Pull consumers follow the live set (an outage, a replica ready or draining).
        self.consumers_changed(service);
    }

    /// An instance goes down: every request it holds is lost (its callers see a reset), its
    /// loops and pools restart empty. Tasks with an event still pending become zombies that
    /// the event frees; tasks sitting in queues are freed now.
    fn crash(&mut self, instance: u32) {
        let now = self.now;
        let (first, n) = {
            let inst = &self.instances[instance as usize];
            (inst.first_worker as usize, inst.workers as usize)
        };
        let mut queued: Vec<u32> = Vec::new();
        for wi in first..first + n {
            let w = &mut self.workers[wi];
            let stats = &mut self.services[w.service as usize].stats;
            queued.extend(w.event_loop.ready.drain(..).map(|(t, _)| t));
            if w.event_loop.running.take().is_some() {
                stats.busy_loops.add(now, -1);
                self.scale_busy(wi as u32, -1);
            }
        }
        self.drain_waiters(instance, &mut queued);
        self.drain_cache_followers(instance, &mut queued);
        if let Some(q) = self.instances[instance as usize].admit_queue.as_mut() {
            q.retain(|w| {
                queued.push(w.task);
                false
            });
        }
        self.recount_ready(instance);
        // Losing a `parallel` branch can decide its join and cancel (and free) other tasks
        // of this list: skip those.
        for &t in &queued {
            if let Some(task) = self.tasks.remove(t) {
                self.lose(t, task);
            }
        }
        // Everything else accepted by this instance is waiting on an event: zombify it.
        let victims: Vec<u32> = self
            .tasks
            .iter_indexed()
            .filter(|(_, t)| t.instance == instance && t.arrived != u64::MAX && !t.zombie)
            .map(|(i, _)| i)
            .collect();
        for t in victims {
            let Some(task) = self.tasks.get_mut(t) else {
                continue;
            };
            if task.zombie {
                continue;
            }
            task.zombie = true;
            let copy = task.clone();
            self.lose(t, copy);
        }
        self.lose_transfers(instance);
        self.clear_replica_caches(instance);
        let inst = &mut self.instances[instance as usize];
        inst.ram_used = 0;
        inst.pool_queued = 0;
        let service = inst.service;
        self.recount_backlog(service);
    }

    /// Takes the crashed instance's tasks out of every resource queue they wait in: its own
    /// thread pools and pools, and the service-wide pools it shares with other replicas.
    /// Permits its tasks hold go back when each task is lost (`release_task`).
    fn drain_waiters(&mut self, instance: u32, out: &mut Vec<u32>) {
        let now = self.now;
        let tasks = &self.tasks;
        let res = &mut self.resources;
        for p in 0..res.permits.len() {
            let kind = res.permits[p].kind as usize;
            let mut removed = 0i64;
            res.permits[p].queue.retain(|w| {
                let mine = tasks.get(w.task).is_some_and(|t| t.instance == instance);
                if mine {
                    out.push(w.task);
                    removed += 1;
                }
                !mine
            });
            res.meters[kind].queued.add(now, -removed);
        }
    }

    /// Recomputes the service-wide ready-queue length after an instance's loops were emptied.
    fn recount_ready(&mut self, instance: u32) {
        let now = self.now;
        let service = self.instances[instance as usize].service;
        let mut ready = 0u64;
        for w in self.workers.iter().filter(|w| w.service == service) {
            ready += w.event_loop.ready.len() as u64;
        }
        let stats = &mut self.services[service as usize].stats;
        stats.ready.set(now, ready);
    }

    /// Recomputes the service's thread-pool backlog (jobs queued or running) once the crashed
    /// instance's jobs are gone.
    fn recount_backlog(&mut self, service: u32) {
        let kind = &self.resources.kinds[service as usize];
        let backlog: u64 = (kind.first..kind.first + kind.count)
            .map(|p| {
                let p = &self.resources.permits[p as usize];
                u64::from(p.busy) + p.queue.len() as u64
            })
            .sum();
        self.services[service as usize]
            .stats
            .pool_backlog
            .set(self.now, backlog);
    }

    /// A task's work is lost: release what it holds and tell its caller (connection reset).
    fn lose(&mut self, tid: u32, task: Task) {
        self.cache_task_ends(tid, Some(Outcome::Lost));
        let mut task = task;
        if !task.zombie {
            // Taken out of a queue (maybe the GIL's or a core's, holding the other).
            self.release_burst(tid);
        }
        task.ram_held = 0; // the instance's memory is reset as a whole
        if task.child {
            // A `parallel` branch: its permits go back and its join learns of the loss.
            for permits in task.held.take_all() {
                self.give_back(permits);
            }
            if task.join != u32::MAX {
                self.child_ended(task.join, tid, Outcome::Lost);
            }
            if task.spawned {
                self.spawn_ended(task.service, task.instance, task.arrived, Outcome::Lost);
            }
            return;
        }
        self.release_task(&task, Outcome::Lost);
        self.count_refusal(task.service, Outcome::Lost);
        let (delay, lost) = self.cross(1 + task.service, task.caller_node);
        self.respond(
            task.caller,
            delay,
            if lost { Outcome::Loss } else { Outcome::Lost },
        );
    }

    /// Every targeted loop stops for `length` (a stop-the-world GC pause or an injected
    /// blocking call). A step already running finishes first; nothing else runs until the end.
    fn pause(&mut self, target: ReplicaTarget, worker: Option<u32>, length: u64) {
        let until = self.now + length;
        for i in self.instances_of(target) {
            let (first, n) = (self.instances[i].first_worker, self.instances[i].workers);
            for w in first..first + n {
                if worker.is_some_and(|k| k != w - first) {
                    continue;
                }
                let l = &mut self.workers[w as usize].event_loop;
                l.paused_until = l.paused_until.max(until);
                self.queue.push(until, Event::LoopResume { worker: w });
            }
        }
    }
}
