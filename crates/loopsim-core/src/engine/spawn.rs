//! `spawn: [steps]`: a background task on the request's event loop (`asyncio.create_task`,
//! a floating promise in Node). The request goes on at once; the spawned task runs its steps
//! as a child task with no join (like one `parallel` branch nobody awaits), may outlive its
//! request, holds the loop while it computes (so it can starve the loop), and is lost in a
//! crash. Its end is counted per service: completed, failed by cause, lost.

use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use crate::engine::queue::Outcome;
use crate::engine::runtime::Task;
use crate::engine::Simulation;
use crate::report::Named;
use crate::scenario::{Step, StepIndex};
use crate::time::Nanos;

/// Spawned tasks of one service (measured window: those spawned at or after warmup).
#[derive(Clone, Debug, Default)]
pub struct SpawnStats {
    pub started: u64,
    pub completed: u64,
    pub failed: [u64; Outcome::ALL.len()],
}

/// What the report says about a service's spawned tasks.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SpawnReport {
    pub started: u64,
    pub completed: u64,
    /// Failed spawned tasks by cause (`lost`: their replica crashed).
    pub failed: Named<u64>,
}

impl Simulation {
    /// A `spawn` step of task `parent`: its child starts at step `start` (ready on the same
    /// loop, after what is already ready); the parent goes on at once.
    pub(super) fn spawn_child(&mut self, parent: u32, start: StepIndex) {
        // A spawned task counts against the cap like any task.
        if self.tasks.len() >= self.sc.max_in_flight {
            return self.truncate_overload();
        }
        let p = self.tasks.get(parent).expect("live task").clone();
        let child = Task {
            step: start,
            held: Default::default(),
            ram_held: 0,
            failure: None,
            child: true,
            spawned: true,
            join: u32::MAX,
            waits_join: u32::MAX,
            cancelled: false,
            wait: None,
            limit_held: false,
            // When it was spawned (which decides whether it is measured).
            arrived: self.now,
            ..p
        };
        if self.now >= self.sc.warmup {
            self.spawns[p.service as usize].started += 1;
        }
        self.instances[p.instance as usize].background += 1;
        let (cid, _) = self.tasks.insert(child);
        self.make_ready_later(cid);
    }

    /// A spawned task (spawned at `at` on `instance`) ended, or was lost: count it; a draining
    /// replica may be done.
    pub(super) fn spawn_ended(&mut self, service: u32, instance: u32, at: Nanos, outcome: Outcome) {
        self.instances[instance as usize].background -= 1;
        self.end_drain_if_idle(instance);
        if at < self.sc.warmup {
            return;
        }
        let st = &mut self.spawns[service as usize];
        match outcome {
            Outcome::Ok => st.completed += 1,
            o => st.failed[o as usize] += 1,
        }
    }

    /// Per service with a `spawn` step, its spawned tasks.
    pub(super) fn spawn_reports(&self) -> Named<SpawnReport> {
        let mut out: Vec<(String, SpawnReport)> = Vec::new();
        for (s, svc) in self.sc.services.iter().enumerate() {
            let spawns = svc.endpoints.iter().any(|&e| {
                self.sc.endpoints[e as usize]
                    .steps
                    .iter()
                    .any(|st| matches!(st, Step::Spawn { .. }))
            });
            if !spawns {
                continue;
            }
            let st = &self.spawns[s];
            let failed = Outcome::ALL
                .iter()
                .filter(|&&o| st.failed[o as usize] > 0)
                .map(|&o| (String::from(o.name()), st.failed[o as usize]))
                .collect();
            out.push((
                svc.name.clone(),
                SpawnReport {
                    started: st.started,
                    completed: st.completed,
                    failed: Named(failed),
                },
            ));
        }
        Named(out)
    }
}
