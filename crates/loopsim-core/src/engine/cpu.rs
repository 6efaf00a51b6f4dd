//! CPU sharing: a replica's `cores` and a Python worker's GIL, as resources.
//!
//! Without `cores` and `gil` every event loop and every thread has a CPU of its own (the model
//! before these keys existed). With them, computation — a loop's `cpu` step, a thread job's
//! `cpu` part — runs in bursts that hold the worker's GIL (one interpreter lock per process,
//! shared by its loop and its threads) and one of the replica's cores. A burst runs for at
//! most [`SLICE`] at a time and then queues again (FIFO) if others wait: CPython's 5 ms switch
//! interval for the GIL, and a scheduler's time slice for cores — round robin, which approaches
//! processor sharing for long bursts. `blocking` steps and the `io` part of a thread job wait
//! without the GIL or a core (a blocking I/O call releases the GIL). A loop waiting for the GIL
//! or a core stays held: it is a single thread, blocked.
//!
//! Burst state lives in a side table indexed by task ([`Bursts`]), so scenarios without these
//! keys pay nothing per task.

use alloc::vec::Vec;

use crate::engine::queue::Event;
use crate::engine::resource::Ask;
use crate::engine::Simulation;
use crate::time::Nanos;

/// The longest run before a burst yields when others wait: CPython's switch interval.
pub const SLICE: Nanos = 5_000_000;

/// What happens when a burst is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterBurst {
    /// A loop's `cpu` step ends (as `RunEnd` would).
    LoopStep,
    /// A thread job goes on with its `io` part, then ends.
    Job { io: Nanos },
}

/// One task's burst in progress.
#[derive(Clone, Copy, Debug)]
pub struct Burst {
    pub left: Nanos,
    pub after: AfterBurst,
    /// The GIL and core permits held during a slice (`u32::MAX`: none).
    pub gil: u32,
    pub core: u32,
}

/// Bursts by task index.
#[derive(Debug, Default)]
pub struct Bursts {
    slots: Vec<Option<Burst>>,
}

impl Bursts {
    pub fn get_mut(&mut self, task: u32) -> Option<&mut Burst> {
        self.slots.get_mut(task as usize).and_then(Option::as_mut)
    }

    /// Sets up a thread job's burst, to start when the job gets its thread.
    pub fn prepare(&mut self, task: u32, len: Nanos, after: AfterBurst) {
        self.put(
            task,
            Burst {
                left: len,
                after,
                gil: u32::MAX,
                core: u32::MAX,
            },
        );
    }

    pub fn is_prepared(&self, task: u32) -> bool {
        self.slots.get(task as usize).is_some_and(Option::is_some)
    }

    fn put(&mut self, task: u32, b: Burst) {
        let i = task as usize;
        if i >= self.slots.len() {
            self.slots.resize(i + 1, None);
        }
        self.slots[i] = Some(b);
    }

    pub fn take(&mut self, task: u32) -> Option<Burst> {
        self.slots.get_mut(task as usize).and_then(Option::take)
    }
}

impl Simulation {
    /// Whether a task of `service` shares CPU (its service has `cores` or `gil`).
    pub(super) fn shares_cpu(&self, service: u32) -> bool {
        let rt = &self.services[service as usize];
        rt.gil != u32::MAX || rt.cores != u32::MAX
    }

    /// Starts a burst of `len` of computation for `tid`.
    pub(super) fn start_burst(&mut self, tid: u32, len: Nanos, after: AfterBurst) {
        self.bursts.put(
            tid,
            Burst {
                left: len,
                after,
                gil: u32::MAX,
                core: u32::MAX,
            },
        );
        self.next_slice(tid);
    }

    /// Asks for what the next slice needs (the GIL, then a core) and runs it once held.
    pub(super) fn next_slice(&mut self, tid: u32) {
        let now = self.now;
        let task = self.tasks.get(tid).expect("live task");
        let (service, worker, instance) = (task.service, task.worker, task.instance);
        let rt = &self.services[service as usize];
        let first_worker = self.instances[rt.first_instance as usize].first_worker;
        let (gil_kind, core_kind) = (rt.gil, rt.cores);
        let (w_off, r_off) = (worker - first_worker, instance - rt.first_instance);
        let burst = *self.bursts.get_mut(tid).expect("a burst");
        if gil_kind != u32::MAX && burst.gil == u32::MAX {
            let p = self.resources.instance(gil_kind, w_off, r_off);
            match self.resources.ask(p, tid, 0, 0, now) {
                Ask::Granted => {
                    self.record_no_wait(gil_kind);
                    self.bursts.get_mut(tid).expect("a burst").gil = p;
                }
                _ => return, // queued: `give_back` grants it and calls back
            }
        }
        if core_kind != u32::MAX && burst.core == u32::MAX {
            let p = self.resources.instance(core_kind, w_off, r_off);
            match self.resources.ask(p, tid, 0, 0, now) {
                Ask::Granted => {
                    self.record_no_wait(core_kind);
                    self.bursts.get_mut(tid).expect("a burst").core = p;
                }
                _ => return,
            }
        }
        let b = self.bursts.get_mut(tid).expect("a burst");
        let slice = b.left.min(SLICE);
        b.left -= slice;
        self.queue.push(now + slice, Event::SliceEnd { task: tid });
    }

    /// A slice that got its GIL or core at once waited 0 (the meter's wait covers every ask).
    fn record_no_wait(&mut self, kind: u32) {
        if self.now >= self.sc.warmup {
            self.resources.meters[kind as usize].wait.record(0);
        }
    }

    /// A waiter got the GIL or a core (`give_back`): note it and go on.
    pub(super) fn cpu_granted(&mut self, tid: u32, permits: u32, is_gil: bool) {
        if let Some(b) = self.bursts.get_mut(tid) {
            if is_gil {
                b.gil = permits;
            } else {
                b.core = permits;
            }
        }
        self.queue.push(self.now, Event::CpuGranted { task: tid });
    }

    /// The `CpuGranted` event: the burst goes on, unless the task's instance went down.
    pub(super) fn on_cpu_granted(&mut self, tid: u32) {
        if self.tasks.get(tid).expect("live task").zombie {
            self.release_burst(tid);
            self.tasks.remove(tid);
            return;
        }
        self.next_slice(tid);
    }

    /// Ends a task's burst early (its instance went down): its GIL and core go back.
    pub(super) fn release_burst(&mut self, tid: u32) {
        if let Some(b) = self.bursts.take(tid) {
            for p in [b.core, b.gil] {
                if p != u32::MAX {
                    self.give_back(p);
                }
            }
        }
    }

    /// A slice ended: give back the core and the GIL (others may take them), then run the
    /// next slice or finish the burst.
    pub(super) fn on_slice_end(&mut self, tid: u32) {
        let mut b = *self.bursts.get_mut(tid).expect("a burst");
        for p in [b.core, b.gil] {
            if p != u32::MAX {
                self.give_back(p);
            }
        }
        b.core = u32::MAX;
        b.gil = u32::MAX;
        if self.tasks.get(tid).expect("live task").zombie {
            self.bursts.take(tid);
            self.tasks.remove(tid); // its instance went down meanwhile
            return;
        }
        if b.left > 0 {
            *self.bursts.get_mut(tid).expect("a burst") = b;
            return self.next_slice(tid);
        }
        self.bursts.take(tid);
        let task = self.tasks.get(tid).expect("live task");
        match b.after {
            AfterBurst::LoopStep => {
                let worker = task.worker;
                self.queue
                    .push(self.now, Event::RunEnd { worker, task: tid });
            }
            AfterBurst::Job { io } => {
                let permits = self.workers[task.worker as usize].threads;
                self.queue
                    .push(self.now + io, Event::JobDone { permits, task: tid });
            }
        }
    }
}
