//! The ingress admission queue: with `ingress: { concurrency (or bulkhead), queue }`, a request
//! that finds the instance at its concurrency limit waits in a queue with a discipline
//! (`fifo`, `lifo`, `priority`, `codel`, `adaptive_lifo`) instead of being refused, and starts
//! when a permit frees. `max_queue` bounds it; when it is full, a request of higher priority
//! takes the place of the lowest-priority waiter (priority shedding), otherwise the newcomer
//! is shed. Shed and evicted requests fail as `shed_queue_full`. The event loop's own ready
//! queue stays FIFO, as in asyncio and Node: the discipline orders only who gets admitted.

use crate::engine::queue::{Event, Outcome};
use crate::engine::resource::Waiter;
use crate::engine::Simulation;

impl Simulation {
    /// A delivered request that found the concurrency limit reached waits in the instance's
    /// admission queue (counted as accepted: waiting, active).
    pub(super) fn enqueue_admission(&mut self, tid: u32) {
        let task = self.tasks.get(tid).expect("live task");
        let (instance, service, priority) = (task.instance, task.service, task.priority);
        let max = self.sc.services[service as usize].ingress.max_queue;
        let inst = &mut self.instances[instance as usize];
        let queue = inst.admit_queue.as_mut().expect("an admission queue");
        if max.is_some_and(|m| queue.len() >= m as usize) {
            // Full: the lowest-priority waiter makes room for a more urgent newcomer.
            match queue.lowest_priority().filter(|w| w.priority < priority) {
                Some(w) => {
                    let evicted = queue.remove(w.task, w.seq as u32).expect("present");
                    self.add_accepted(tid);
                    self.push_admission(tid, priority);
                    return self.shed_admission(evicted.task);
                }
                None => return self.refuse(tid, Outcome::ShedQueueFull),
            }
        }
        self.add_accepted(tid);
        self.push_admission(tid, priority);
    }

    fn push_admission(&mut self, tid: u32, priority: u8) {
        let instance = self.tasks.get(tid).expect("live task").instance;
        let now = self.now;
        self.admit_seq += 1;
        let w = Waiter {
            task: tid,
            since: now,
            job: 0,
            priority,
            seq: self.admit_seq,
        };
        let inst = &mut self.instances[instance as usize];
        inst.admit_queue
            .as_mut()
            .expect("an admission queue")
            .push(w);
    }

    /// A concurrency permit came free on `instance`: admit waiters while permits last.
    pub(super) fn admit_next(&mut self, instance: u32) {
        let now = self.now;
        loop {
            let inst = &mut self.instances[instance as usize];
            if inst.down {
                return;
            }
            let Some(queue) = inst.admit_queue.as_mut() else {
                return;
            };
            if queue.is_empty() {
                return;
            }
            if !inst.limit.as_mut().is_some_and(|l| l.try_acquire()) {
                return;
            }
            let mut shed = core::mem::take(&mut self.admit_shed);
            let next = queue.pop(now, &mut shed);
            for w in shed.drain(..) {
                self.shed_admission(w.task);
            }
            self.admit_shed = shed;
            let Some(w) = next else {
                // Everything left was shed: give the permit back.
                let inst = &mut self.instances[instance as usize];
                if let Some(l) = inst.limit.as_mut() {
                    l.release_ignored();
                }
                return;
            };
            let worker = self.pick_worker(instance);
            let task = self.tasks.get_mut(w.task).expect("a waiter is live");
            task.worker = worker;
            task.limit_held = true;
            self.queue.push(now, Event::Wake { task: w.task });
        }
    }

    /// Counts an accepted request: waiting to start, active in the service.
    fn add_accepted(&mut self, tid: u32) {
        let now = self.now;
        let task = self.tasks.get(tid).expect("live task");
        let (instance, service) = (task.instance, task.service);
        self.instances[instance as usize].waiting += 1;
        let active = &mut self.services[service as usize].stats.active;
        active.add(now, 1);
        let t = &mut self.health.services[service as usize].tick;
        t.active_peak = t.active_peak.max(active.value());
    }

    /// A waiter leaves the admission queue unserved (evicted, or shed by CoDel).
    fn shed_admission(&mut self, tid: u32) {
        let service = self.tasks.get(tid).expect("live task").service;
        self.count_refusal(service, Outcome::ShedQueueFull);
        self.finish_task(tid, Outcome::ShedQueueFull);
    }
}
