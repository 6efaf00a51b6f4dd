//! Message queues (`queues:`): one broker per queue, a network node of its own (node
//! `1 + services + q`). A `publish` step sends a message to the broker, which stores it and
//! acknowledges after the return hop (or refuses it as `queue_full`); the broker delivers
//! stored messages to the queue's consumer endpoint as requests from its node, through the
//! consumer service's balancer and ingress like any call (pull consumers: at most
//! `concurrency` × the consumer's replicas that are up in process at once). A failed delivery
//! (any outcome but `ok`) is delivered again after `redelivery_delay` (a visibility timeout),
//! up to `max_deliveries` times; then the message goes to the `dead_letter` queue or is
//! dropped, and counted either way.
//!
//! With `partitions`, each message goes to a partition drawn uniformly at random (a random
//! key, hashed), and a partition has at most one message in process, in order: a failed
//! message blocks its partition until it is delivered again (Kafka's ordering). Each
//! partition then sees Poisson arrivals when publishes are Poisson — an M/M/1 queue when the
//! consumer's capacity exceeds the partitions.
//!
//! Messages live in one arena (slots reused, no allocation per message in steady state) and
//! count against `max_in_flight`: a queue without a consumer stops the run (`stopped` says
//! so) rather than grow without bound.

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use crate::engine::arena::Arena;
use crate::engine::queue::{Event, Outcome};
use crate::engine::runtime::Origin;
use crate::engine::Simulation;
use crate::metrics::{QuantileSketch, TimeWeighted};
use crate::rng::Rng;
use crate::scenario::{QueueSpec, Scenario};
use crate::time::{to_secs_f64, Nanos};

/// One stored message.
#[derive(Clone, Copy, Debug)]
struct Message {
    /// When the broker stored it (publish → processed time starts here).
    stored: Nanos,
    /// Deliveries so far.
    deliveries: u32,
    partition: u32,
}

/// A partition's messages waiting for delivery, oldest first.
#[derive(Debug)]
struct Partition {
    ready: VecDeque<u32>,
    /// Ordered queues: a message of this partition is in process or awaiting redelivery.
    busy: bool,
    /// Listed in [`QueueRuntime::open`].
    listed: bool,
    /// Messages held by this partition (ready, in process, awaiting redelivery).
    depth: TimeWeighted,
}

/// What is measured per queue.
#[derive(Debug)]
pub struct QueueStats {
    pub published: u64,
    pub acknowledged: u64,
    pub rejected_full: u64,
    pub delivered: u64,
    pub processed: u64,
    pub failed: u64,
    pub redeliveries: u64,
    /// Messages whose deliveries were exhausted (moved to the dead-letter queue or dropped).
    pub dead_lettered: u64,
    /// Of those, dropped: no dead-letter queue, or it was full.
    pub dropped: u64,
    /// Messages held: ready, in process, awaiting redelivery.
    pub depth: TimeWeighted,
    pub in_process: TimeWeighted,
    /// Publish (stored) → processed, of the messages stored in the measured window.
    pub sojourn: QuantileSketch,
    /// Largest age of the oldest message held seen at a sample.
    pub oldest_age_max: Nanos,
    /// Processed in the current series interval.
    pub interval_processed: u64,
    pub interval_published: u64,
}

#[derive(Debug)]
struct QueueRuntime {
    partitions: Vec<Partition>,
    ordered: bool,
    /// Ordered queues: partitions with a ready message and none in process, in turn.
    open: VecDeque<u32>,
    /// Messages in the order they were stored, `(slot, generation)`: the front one still held
    /// is the oldest. Entries of messages gone are dropped from the front as they reach it,
    /// and the whole list is compacted when it outgrows twice the messages held (so it stays
    /// O(held) in memory and O(1) amortised per message).
    stored: VecDeque<(u32, u32)>,
    held: u32,
    in_process: u32,
    stats: QueueStats,
    /// The service of the consumer endpoint (read by its autoscaler's `queue_depth`).
    consumer_service: Option<u32>,
}

/// Every queue's broker state.
#[derive(Debug)]
pub struct Brokers {
    queues: Vec<QueueRuntime>,
    messages: Arena<Message>,
    rng: Rng,
    /// Network node of queue 0's broker.
    first_node: u32,
}

impl Brokers {
    /// Messages held by the queues whose consumer is a service `service`'s endpoint, integrated
    /// over time since the start (warm-up included): what `autoscale.metric: queue_depth` reads.
    pub(super) fn depth_integral(&self, service: u32, now: Nanos) -> u128 {
        self.queues
            .iter()
            .filter(|q| q.consumer_service == Some(service))
            .map(|q| q.stats.depth.integral_total(now))
            .sum()
    }

    pub fn new(sc: &Scenario) -> Self {
        let queues = sc
            .queues
            .iter()
            .map(|q| {
                let n = q.partitions.unwrap_or(1);
                QueueRuntime {
                    partitions: (0..n)
                        .map(|_| Partition {
                            ready: VecDeque::new(),
                            busy: false,
                            listed: false,
                            depth: TimeWeighted::new(sc.warmup),
                        })
                        .collect(),
                    ordered: q.partitions.is_some(),
                    open: VecDeque::new(),
                    stored: VecDeque::new(),
                    held: 0,
                    in_process: 0,
                    consumer_service: q.consumer.map(|e| sc.endpoints[e as usize].service),
                    stats: QueueStats {
                        published: 0,
                        acknowledged: 0,
                        rejected_full: 0,
                        delivered: 0,
                        processed: 0,
                        failed: 0,
                        redeliveries: 0,
                        dead_lettered: 0,
                        dropped: 0,
                        depth: TimeWeighted::new(sc.warmup),
                        in_process: TimeWeighted::new(sc.warmup),
                        sojourn: QuantileSketch::new(),
                        oldest_age_max: 0,
                        interval_processed: 0,
                        interval_published: 0,
                    },
                }
            })
            .collect();
        Brokers {
            queues,
            messages: Arena::default(),
            rng: Rng::stream(sc.seed, 5_000_000),
            first_node: 1 + sc.services.len() as u32,
        }
    }

    /// Network node of queue `q`'s broker.
    pub fn node(&self, q: u32) -> u32 {
        self.first_node + q
    }

    /// When the oldest message the queue holds was stored (`None`: it holds none).
    fn oldest_held(&mut self, q: usize) -> Option<Nanos> {
        let qr = &mut self.queues[q];
        while let Some(&(m, generation)) = qr.stored.front() {
            if let Some(msg) = self.messages.get_mut_checked(m, generation) {
                return Some(msg.stored);
            }
            qr.stored.pop_front();
        }
        None
    }

    /// Drops the entries of messages gone once they outnumber the messages held.
    fn compact(&mut self, q: usize) {
        let qr = &mut self.queues[q];
        if qr.stored.len() <= 2 * qr.held as usize + 64 {
            return;
        }
        let messages = &mut self.messages;
        qr.stored
            .retain(|&(m, g)| messages.get_mut_checked(m, g).is_some());
    }
}

impl Simulation {
    fn spec(&self, q: u32) -> &QueueSpec {
        &self.sc.queues[q as usize]
    }

    /// A `publish` step: the message crosses to the broker; the task awaits the answer.
    pub(super) fn publish(&mut self, tid: u32, q: u32) {
        let service = self.tasks.get(tid).expect("live task").service;
        let (delay, lost) = self.cross(1 + service, self.brokers.node(q));
        if lost {
            let ev = Event::PublishAck {
                task: tid,
                outcome: Outcome::Loss,
            };
            return self.queue.push(self.now + delay, ev);
        }
        let ev = Event::PublishArrived {
            task: tid,
            queue: q,
        };
        self.queue.push(self.now + delay, ev);
    }

    /// The message reaches the broker: stored (if there is room) and acknowledged.
    pub(super) fn on_publish_arrived(&mut self, tid: u32, q: u32) {
        let measured = self.now >= self.sc.warmup;
        let full = self
            .spec(q)
            .max_length
            .is_some_and(|m| self.brokers.queues[q as usize].held >= m);
        let st = &mut self.brokers.queues[q as usize].stats;
        st.interval_published += 1;
        if measured {
            st.published += 1;
        }
        let outcome = if full {
            if measured {
                st.rejected_full += 1;
            }
            Outcome::QueueFull
        } else {
            if measured {
                st.acknowledged += 1;
            }
            self.store(q, self.now);
            Outcome::Ok
        };
        let service = self.tasks.get(tid).expect("a publisher waits").service;
        let (delay, lost) = self.cross(self.brokers.node(q), 1 + service);
        let outcome = if lost { Outcome::Loss } else { outcome };
        self.queue
            .push(self.now + delay, Event::PublishAck { task: tid, outcome });
        self.pump(q);
    }

    /// The publisher learns the outcome and goes on (or fails with it).
    pub(super) fn on_publish_ack(&mut self, tid: u32, outcome: Outcome) {
        let task = self.tasks.get_mut(tid).expect("a publisher waits");
        if outcome != Outcome::Ok {
            task.failure = Some(outcome);
        }
        self.resume(tid);
    }

    /// Stores a message in queue `q` (in a partition drawn at random when partitioned).
    fn store(&mut self, q: u32, stored: Nanos) {
        if self.brokers.messages.len() >= self.sc.max_in_flight {
            return self.truncate_messages(q);
        }
        let now = self.now;
        let b = &mut self.brokers;
        let n = b.queues[q as usize].partitions.len() as u32;
        let partition = if n > 1 { b.rng.below(n) } else { 0 };
        let (m, generation) = b.messages.insert(Message {
            stored,
            deliveries: 0,
            partition,
        });
        b.compact(q as usize);
        let qr = &mut b.queues[q as usize];
        qr.stored.push_back((m, generation));
        qr.held += 1;
        qr.stats.depth.add(now, 1);
        let p = &mut qr.partitions[partition as usize];
        p.depth.add(now, 1);
        p.ready.push_back(m);
        if qr.ordered && !p.busy && !p.listed {
            p.listed = true;
            qr.open.push_back(partition);
        }
    }

    fn truncate_messages(&mut self, q: u32) {
        let message = alloc::format!(
            "stopped at t = {:.3} s: more than max_in_flight = {} messages held by the queues \
             (queue `{}` grows without bound: give it a consumer that keeps up, a \
             `max_length`, or raise max_in_flight)",
            to_secs_f64(self.now),
            self.sc.max_in_flight,
            self.sc.queues[q as usize].name
        );
        self.stop(crate::report::StopCause::MaxInFlight, message);
    }

    /// Delivers ready messages while the consumers have room: `concurrency` per replica that
    /// is up (the live set, which outages and autoscaling change).
    pub(super) fn pump(&mut self, q: u32) {
        let spec = &self.sc.queues[q as usize];
        let Some(endpoint) = spec.consumer else {
            return;
        };
        let service = self.sc.endpoints[endpoint as usize].service;
        let live = self.services[service as usize].live.len() as u64;
        let cap = u64::from(spec.concurrency) * live;
        while u64::from(self.brokers.queues[q as usize].in_process) < cap && !self.finished {
            let Some(m) = self.next_message(q) else {
                return;
            };
            self.deliver(q, m, endpoint);
        }
    }

    /// The next message to deliver, taken off its partition's ready queue.
    fn next_message(&mut self, q: u32) -> Option<u32> {
        let qr = &mut self.brokers.queues[q as usize];
        if !qr.ordered {
            return qr.partitions[0].ready.pop_front();
        }
        let p = qr.open.pop_front()?;
        let part = &mut qr.partitions[p as usize];
        part.listed = false;
        part.busy = true;
        part.ready.pop_front()
    }

    fn deliver(&mut self, q: u32, m: u32, endpoint: u32) {
        let now = self.now;
        let measured = now >= self.sc.warmup;
        let msg = self.brokers.messages.get_mut(m).expect("a stored message");
        msg.deliveries += 1;
        let qr = &mut self.brokers.queues[q as usize];
        qr.in_process += 1;
        qr.stats.in_process.add(now, 1);
        if measured {
            qr.stats.delivered += 1;
        }
        let from = self.brokers.node(q);
        let origin = Origin::Broker {
            queue: q,
            message: m,
        };
        self.start_exchange(origin, from, endpoint, 0, 0, 0);
    }

    /// A delivery's exchange ended: processed, or failed (redelivered later, or
    /// dead-lettered once its deliveries are exhausted).
    pub(super) fn delivery_done(&mut self, q: u32, m: u32, outcome: Outcome) {
        let now = self.now;
        let measured = now >= self.sc.warmup;
        let msg = *self.brokers.messages.get(m).expect("a message in process");
        let qr = &mut self.brokers.queues[q as usize];
        qr.in_process -= 1;
        qr.stats.in_process.add(now, -1);
        if outcome == Outcome::Ok {
            qr.stats.interval_processed += 1;
            if measured {
                qr.stats.processed += 1;
            }
            if msg.stored >= self.sc.warmup {
                qr.stats.sojourn.record(now - msg.stored);
            }
            self.remove_message(q, m);
        } else {
            if measured {
                qr.stats.failed += 1;
            }
            let spec = &self.sc.queues[q as usize];
            if msg.deliveries >= spec.max_deliveries {
                self.dead_letter(q, m);
            } else {
                let at = now + spec.redelivery_delay;
                self.queue.push(
                    at,
                    Event::Redeliver {
                        queue: q,
                        message: m,
                    },
                );
            }
        }
        self.pump(q);
    }

    /// The message leaves queue `q` (its partition, if ordered, takes the next one).
    fn remove_message(&mut self, q: u32, m: u32) -> Message {
        let now = self.now;
        let msg = self.brokers.messages.remove(m).expect("a stored message");
        let qr = &mut self.brokers.queues[q as usize];
        qr.held -= 1;
        qr.stats.depth.add(now, -1);
        let p = &mut qr.partitions[msg.partition as usize];
        p.depth.add(now, -1);
        if qr.ordered {
            p.busy = false;
            if !p.ready.is_empty() && !p.listed {
                p.listed = true;
                qr.open.push_back(msg.partition);
            }
        }
        msg
    }

    /// Deliveries exhausted: to the dead-letter queue if there is one with room, else dropped.
    fn dead_letter(&mut self, q: u32, m: u32) {
        self.remove_message(q, m);
        let measured = self.now >= self.sc.warmup;
        let target = self.sc.queues[q as usize].dead_letter;
        let room = target.is_some_and(|d| {
            self.sc.queues[d as usize]
                .max_length
                .is_none_or(|max| self.brokers.queues[d as usize].held < max)
        });
        let st = &mut self.brokers.queues[q as usize].stats;
        if measured {
            st.dead_lettered += 1;
            if !room {
                st.dropped += 1;
            }
        }
        if let (Some(d), true) = (target, room) {
            if self.now >= self.sc.warmup {
                let st = &mut self.brokers.queues[d as usize].stats;
                st.published += 1; // a dead letter arrives like a publish
                st.acknowledged += 1;
            }
            self.store(d, self.now);
            self.pump(d);
        }
    }

    /// A failed message is visible again: first in line (of its partition).
    pub(super) fn on_redeliver(&mut self, q: u32, m: u32) {
        let measured = self.now >= self.sc.warmup;
        let Some(msg) = self.brokers.messages.get(m).copied() else {
            return;
        };
        let qr = &mut self.brokers.queues[q as usize];
        if measured {
            qr.stats.redeliveries += 1;
        }
        let p = &mut qr.partitions[msg.partition as usize];
        p.ready.push_front(m);
        if qr.ordered {
            p.busy = false;
            if !p.listed {
                p.listed = true;
                qr.open.push_front(msg.partition);
            }
        }
        self.pump(q);
    }

    /// The consumers of the queues consumed by `service` may have changed (its live set).
    pub(super) fn consumers_changed(&mut self, service: u32) {
        for q in 0..self.sc.queues.len() as u32 {
            let consumer = self.sc.queues[q as usize].consumer;
            if consumer.is_some_and(|e| self.sc.endpoints[e as usize].service == service) {
                self.pump(q);
            }
        }
    }

    /// Series columns of every queue (see [`QUEUE_COLUMNS`]).
    pub(super) fn queue_columns(&mut self, row: &mut Vec<f64>) {
        let now = self.now;
        let dt = to_secs_f64(self.sc.sample_every);
        for q in 0..self.brokers.queues.len() {
            let oldest = self.brokers.oldest_held(q).map(|t| now - t);
            let qr = &mut self.brokers.queues[q];
            let age = oldest.unwrap_or(0);
            if now >= self.sc.warmup {
                qr.stats.oldest_age_max = qr.stats.oldest_age_max.max(age);
            }
            row.extend_from_slice(&[
                qr.held as f64,
                to_secs_f64(age),
                qr.in_process as f64,
                qr.stats.interval_processed as f64 / dt,
                qr.stats.interval_published as f64 / dt,
            ]);
            qr.stats.interval_processed = 0;
            qr.stats.interval_published = 0;
        }
    }

    pub(super) fn queue_reports(&self) -> Vec<(String, QueueReport)> {
        let end = self.now;
        let measured_s = to_secs_f64(end.saturating_sub(self.sc.warmup));
        let window = end > self.sc.warmup;
        self.sc
            .queues
            .iter()
            .enumerate()
            .map(|(q, spec)| {
                let qr = &self.brokers.queues[q];
                let st = &qr.stats;
                let partitions = if qr.ordered {
                    qr.partitions
                        .iter()
                        .map(|p| PartitionReport {
                            depth_mean: window.then(|| p.depth.mean(end)),
                            depth_max: p.depth.max(end),
                            depth_end: p.depth.value(),
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                let report = QueueReport {
                    consumer: spec.consumer.map(|e| {
                        crate::report::endpoint_name(&self.sc, &self.sc.endpoints[e as usize])
                    }),
                    published: st.published,
                    acknowledged: st.acknowledged,
                    rejected_queue_full: st.rejected_full,
                    delivered: st.delivered,
                    processed: st.processed,
                    failed: st.failed,
                    redeliveries: st.redeliveries,
                    dead_lettered: st.dead_lettered,
                    dropped: st.dropped,
                    processed_rps: if measured_s > 0.0 {
                        st.processed as f64 / measured_s
                    } else {
                        0.0
                    },
                    depth_mean: window.then(|| st.depth.mean(end)),
                    depth_max: st.depth.max(end),
                    depth_end: st.depth.value(),
                    in_process_mean: window.then(|| st.in_process.mean(end)),
                    oldest_age_max_s: to_secs_f64(st.oldest_age_max),
                    publish_to_processed_s: crate::report::latency_of(&st.sojourn),
                    partitions,
                };
                (spec.name.clone(), report)
            })
            .collect()
    }
}

/// Per-queue series columns (prefixed with `queue.<name>.`).
pub const QUEUE_COLUMNS: [&str; 5] = [
    "depth",
    "oldest_age_s",
    "in_process",
    "processed_rps",
    "published_rps",
];

/// What the report says about one queue (counts over the measured window).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct QueueReport {
    /// The consumer endpoint, `service/path` (`null`: none, messages accumulate).
    pub consumer: Option<String>,
    /// Publishes that reached the broker.
    pub published: u64,
    pub acknowledged: u64,
    /// Publishes refused at `max_length`.
    pub rejected_queue_full: u64,
    /// Deliveries to the consumer (redeliveries included).
    pub delivered: u64,
    /// Messages processed successfully.
    pub processed: u64,
    /// Deliveries whose processing failed.
    pub failed: u64,
    pub redeliveries: u64,
    /// Messages whose deliveries were exhausted (moved to `dead_letter` or dropped).
    pub dead_lettered: u64,
    /// Of those, dropped (no dead-letter queue, or it was full).
    pub dropped: u64,
    pub processed_rps: f64,
    /// Messages held (waiting, in process, awaiting redelivery): the consumer lag.
    pub depth_mean: Option<f64>,
    pub depth_max: u64,
    pub depth_end: u64,
    pub in_process_mean: Option<f64>,
    /// Largest age of the oldest message held (waiting, in process or awaiting redelivery),
    /// over the samples of the series.
    pub oldest_age_max_s: f64,
    /// From the broker storing a message to the broker learning it was processed.
    pub publish_to_processed_s: crate::report::Latency,
    /// Per partition (partitioned queues only).
    pub partitions: Vec<PartitionReport>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PartitionReport {
    pub depth_mean: Option<f64>,
    pub depth_max: u64,
    pub depth_end: u64,
}
