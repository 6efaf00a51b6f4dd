//! Payloads over bandwidth: request and response bodies crossing shared channels.
//!
//! A channel is one direction of a hop (`client → api`) with the hop's `bandwidth`, or one
//! direction of a replica's network card (`nic`). The transfers on a channel share it fairly:
//! processor sharing (M/G/1-PS), as long-lived TCP flows share a bottleneck. A transfer that
//! crosses a NIC and a link is served by the tightest of them (the lowest bandwidth; the link
//! on a tie): its rate is set by its bottleneck, the others are not loaded by it. That is exact
//! whenever one resource is the bottleneck of every flow on it, and avoids a multi-resource
//! max-min share on every event.
//!
//! Each channel keeps a virtual clock `V`: the bytes that every active transfer has received,
//! advancing at `B / n` while `n` transfers share bandwidth `B`. A transfer of `s` bytes that
//! starts at `V0` ends when `V` reaches `V0 + s`, so the channel keeps its transfers in a
//! min-heap by that finish value and one completion event for the head; a start or an end
//! changes `n`, bumps the channel's generation and schedules the new head (stale events are
//! ignored). Every operation is O(log n) with no allocation once the heap and arena have grown.
//! Times are rounded to the nearest nanosecond (at least 1 ns ahead, so the clock never
//! stalls); the head event pops its transfer exactly, whatever the rounding.
//!
//! A transfer ends by scheduling its continuation (`RequestDelivered`, `AttemptResponse`)
//! after the hop's latency: latency (propagation) and transfer (serialisation and sharing)
//! add. A lost message sends no bytes (loss is decided first, as without bandwidth). A timed-out
//! attempt's transfer goes on (the bytes are on the wire); a replica that crashes loses the
//! answers it is still sending (`lost`).

use alloc::collections::BinaryHeap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;

use super::arena::Arena;
use super::queue::{Event, Outcome};
use super::Simulation;
use crate::metrics::{QuantileSketch, TimeWeighted};
use crate::report::{Lag, LinkReport, Named, QueueLen};
use crate::scenario::{Scenario, Step};
use crate::time::to_secs_f64;
use crate::time::Nanos;

/// Index of a channel in [`Channels::list`].
pub type ChannelId = u32;
pub const NO_CHANNEL: ChannelId = ChannelId::MAX;
/// No instance at this end (the client, or a caller whose request is gone).
pub const NO_INSTANCE: u32 = u32::MAX;

/// One direction of a hop or of a network card, shared by its transfers.
#[derive(Debug)]
pub struct Channel {
    /// `client → api`, `api → db`, `api#0 nic out`, `api#0 nic in`.
    pub name: String,
    /// Its time-series prefix (`client-api`; NICs: none).
    column: String,
    /// Bytes per second, as written.
    pub bandwidth: f64,
    bytes_per_ns: f64,
    /// Bytes each active transfer has received since the channel was last idle.
    virtual_bytes: f64,
    updated: Nanos,
    heap: BinaryHeap<Pending>,
    seq: u64,
    generation: u32,
    pub stats: ChannelStats,
}

/// What a channel measured over the measured window.
#[derive(Debug)]
pub struct ChannelStats {
    /// Bytes of the transfers that ended in the window.
    pub bytes: f64,
    pub transfers: u64,
    /// Transfers in flight (time-weighted).
    pub in_flight: TimeWeighted,
    /// 1 while any transfer is in flight: its mean is the busy fraction (utilisation).
    pub busy: TimeWeighted,
    /// Transfer times (start to last byte), ns.
    pub time: QuantileSketch,
    /// Busy and in-flight integrals at the last time-series row.
    base: [u128; 2],
}

/// A transfer in the channel's heap: its finish value of the virtual clock.
#[derive(Debug, Clone, Copy)]
struct Pending {
    finish: f64,
    seq: u64,
    transfer: u32,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    /// Reversed: `BinaryHeap` is a max-heap and the earliest finish must come first (ties in
    /// start order).
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .finish
            .total_cmp(&self.finish)
            .then(other.seq.cmp(&self.seq))
    }
}

#[derive(Debug, Clone, Copy)]
struct Transfer {
    bytes: f64,
    started: Nanos,
    /// Scheduled `delay` after the last byte.
    then: Event,
    delay: Nanos,
    /// The sending instance (`NO_INSTANCE`: the client or none).
    sender: u32,
}

/// Every channel of the run and the transfers in flight.
#[derive(Debug, Default)]
pub struct Channels {
    /// Whether any payload can meet any bandwidth: otherwise nothing here is ever consulted.
    pub enabled: bool,
    pub list: Vec<Channel>,
    transfers: Arena<Transfer>,
    nodes: usize,
    /// `nodes × nodes` directed hops → channel.
    route: Vec<ChannelId>,
    /// The hop channels, in creation order.
    hops: Vec<ChannelId>,
    /// Per instance: its NIC's outgoing and incoming channels.
    nic: Vec<[ChannelId; 2]>,
}

impl Channels {
    pub fn new(sc: &Scenario) -> Self {
        let payloads = sc.policies.iter().any(|p| p.request_size.is_some())
            || sc.endpoints.iter().any(|e| e.response_size.is_some());
        let bandwidth = sc.network.bandwidth.is_some()
            || sc.network.links.iter().any(|l| l.bandwidth.is_some())
            || sc.services.iter().any(|s| s.nic.is_some());
        // The network's nodes: the client, the services, then the queues' brokers.
        let nodes = sc.services.len() + 1 + sc.queues.len();
        let mut c = Channels {
            enabled: payloads && bandwidth,
            nodes,
            ..Default::default()
        };
        if !c.enabled {
            return c;
        }
        c.route = alloc::vec![NO_CHANNEL; nodes * nodes];
        for [a, b] in used_hops(sc) {
            let link = sc
                .network
                .links
                .iter()
                .find(|l| l.between == [a, b] || (!l.one_way && l.between == [b, a]));
            let bw = link.and_then(|l| l.bandwidth).or(sc.network.bandwidth);
            if let Some(bw) = bw {
                let name = format!("{} → {}", node_name(sc, a), node_name(sc, b));
                let id = c.add(name, bw, sc.warmup);
                c.route[a as usize * nodes + b as usize] = id;
                c.hops.push(id);
            }
        }
        for svc in &sc.services {
            for r in 0..svc.replicas {
                let pair = match svc.nic {
                    Some(bw) => [
                        c.add(format!("{}#{r} nic out", svc.name), bw, sc.warmup),
                        c.add(format!("{}#{r} nic in", svc.name), bw, sc.warmup),
                    ],
                    None => [NO_CHANNEL; 2],
                };
                c.nic.push(pair);
            }
        }
        c
    }

    fn add(&mut self, name: String, bandwidth: f64, warmup: Nanos) -> ChannelId {
        self.list.push(Channel {
            column: name.replace(" → ", "-"),
            name,
            bandwidth,
            bytes_per_ns: bandwidth / 1e9,
            virtual_bytes: 0.0,
            updated: 0,
            heap: BinaryHeap::new(),
            seq: 0,
            generation: 0,
            stats: ChannelStats {
                bytes: 0.0,
                transfers: 0,
                in_flight: TimeWeighted::new(warmup),
                busy: TimeWeighted::new(warmup),
                time: QuantileSketch::new(),
                base: [0; 2],
            },
        });
        (self.list.len() - 1) as ChannelId
    }

    /// The channel a transfer `from → to` is served by: the tightest of the sender's NIC, the
    /// hop and the receiver's NIC (the hop on a tie); `NO_CHANNEL` when all are unlimited.
    fn pick(&self, from: u32, to: u32, sender: u32, receiver: u32) -> ChannelId {
        let mut best = self.route[from as usize * self.nodes + to as usize];
        let nic = |i: u32, dir: usize| {
            self.nic
                .get(i as usize)
                .map_or(NO_CHANNEL, |pair| pair[dir])
        };
        for c in [nic(sender, 0), nic(receiver, 1)] {
            if c == NO_CHANNEL {
                continue;
            }
            if best == NO_CHANNEL
                || self.list[c as usize].bandwidth < self.list[best as usize].bandwidth
            {
                best = c;
            }
        }
        best
    }

    /// The channels that carried anything, for the report.
    pub fn report(&self, warmup: Nanos, end: Nanos) -> Named<LinkReport> {
        let measured = end.saturating_sub(warmup);
        let secs = |ns: Option<u64>| ns.map(|v| v as f64 / 1e9);
        Named(
            self.list
                .iter()
                .filter(|c| c.stats.transfers > 0 || c.stats.in_flight.max(end) > 0)
                .map(|c| {
                    let s = &c.stats;
                    let window = measured > 0;
                    let report = LinkReport {
                        bandwidth_bps: c.bandwidth * 8.0,
                        transfers: s.transfers,
                        bytes: s.bytes,
                        throughput_bytes_per_s: if window {
                            s.bytes / to_secs_f64(measured)
                        } else {
                            0.0
                        },
                        utilization: window.then(|| s.busy.mean(end)),
                        in_flight: window.then(|| QueueLen {
                            mean: s.in_flight.mean(end),
                            max: s.in_flight.max(end),
                        }),
                        transfer_s: Lag {
                            samples: s.time.count(),
                            mean: s.time.mean().map(|m| m / 1e9),
                            p99: secs(s.time.quantile(0.99)),
                            max: secs(s.time.max()),
                        },
                    };
                    (c.name.clone(), report)
                })
                .collect(),
        )
    }

    /// Time-series columns of the hop channels (NICs have none: a service may have
    /// thousands): `link.<from>-<to>.busy` (busy fraction over the interval; not `.utilization`,
    /// which names service columns) and
    /// `.in_flight` (time-averaged over the interval).
    pub fn series_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        for &c in &self.hops {
            let col = &self.list[c as usize].column;
            names.push(format!("link.{col}.busy"));
            names.push(format!("link.{col}.in_flight"));
        }
        names
    }

    pub fn series_columns(&mut self, now: Nanos, every: Nanos, row: &mut Vec<f64>) {
        let dt = every.min(now).max(1) as f64;
        for &c in &self.hops {
            let s = &mut self.list[c as usize].stats;
            let busy = s.busy.integral_total(now);
            let flying = s.in_flight.integral_total(now);
            row.push((busy - s.base[0].min(busy)) as f64 / dt);
            row.push((flying - s.base[1].min(flying)) as f64 / dt);
            s.base = [busy, flying];
        }
    }
}

impl Channel {
    /// Moves the virtual clock to `now`.
    fn advance(&mut self, now: Nanos) {
        let n = self.heap.len();
        if n > 0 && now > self.updated {
            self.virtual_bytes += (now - self.updated) as f64 * self.bytes_per_ns / n as f64;
        }
        self.updated = now;
    }

    /// When the head transfer ends at the current share: rounded to the nearest ns, at least
    /// 1 ns ahead.
    fn head_time(&self, now: Nanos) -> Option<Nanos> {
        let head = self.heap.peek()?;
        let left = (head.finish - self.virtual_bytes).max(0.0);
        let ns = libm::round(left * self.heap.len() as f64 / self.bytes_per_ns);
        Some(now + (ns.min(1e18) as Nanos).max(1))
    }

    fn count(&mut self, now: Nanos) {
        let n = self.heap.len() as u64;
        self.stats.in_flight.set(now, n);
        self.stats.busy.set(now, u64::from(n > 0));
    }
}

impl Simulation {
    /// Sends `then` after `delay`, once `bytes` have crossed the hop `from → to` (`sender`,
    /// `receiver`: the instances at its ends, for their NICs). Without a payload or a limited
    /// channel on the way, `then` is simply scheduled after `delay`.
    pub(super) fn send_over(
        &mut self,
        hop: [u32; 2],
        ends: [u32; 2],
        bytes: f64,
        delay: Nanos,
        then: Event,
    ) {
        let channel = if bytes >= 1.0 {
            self.channels.pick(hop[0], hop[1], ends[0], ends[1])
        } else {
            NO_CHANNEL
        };
        if channel == NO_CHANNEL {
            self.queue.push(self.now + delay, then);
            return;
        }
        let now = self.now;
        let (transfer, _) = self.channels.transfers.insert(Transfer {
            bytes,
            started: now,
            then,
            delay,
            sender: ends[0],
        });
        // Transfers belong to requests already counted, but a saturated link can hold more
        // of them than there are live requests (abandoned answers): bound them too.
        if self.channels.transfers.len() > self.sc.max_in_flight {
            self.truncate_overload();
        }
        let ch = &mut self.channels.list[channel as usize];
        ch.advance(now);
        ch.seq += 1;
        ch.heap.push(Pending {
            finish: ch.virtual_bytes + bytes,
            seq: ch.seq,
            transfer,
        });
        ch.count(now);
        self.reschedule(channel);
    }

    fn reschedule(&mut self, channel: ChannelId) {
        let now = self.now;
        let ch = &mut self.channels.list[channel as usize];
        ch.generation = ch.generation.wrapping_add(1);
        if let Some(at) = ch.head_time(now) {
            let generation = ch.generation;
            self.queue.push(
                at,
                Event::TransferDone {
                    channel,
                    generation,
                },
            );
        }
    }

    /// The head transfer of `channel` has received its last byte (unless the event is stale).
    pub(super) fn on_transfer_done(&mut self, channel: ChannelId, generation: u32) {
        let now = self.now;
        let warmup = self.sc.warmup;
        let ch = &mut self.channels.list[channel as usize];
        if ch.generation != generation {
            return;
        }
        ch.advance(now);
        let head = ch.heap.pop().expect("a scheduled head");
        ch.virtual_bytes = ch.virtual_bytes.max(head.finish);
        let mut done = head.transfer;
        loop {
            let t = self.channels.transfers.remove(done).expect("live transfer");
            let ch = &mut self.channels.list[channel as usize];
            if now >= warmup {
                ch.stats.bytes += t.bytes;
                ch.stats.transfers += 1;
                ch.stats.time.record(now - t.started);
            }
            self.queue.push(now + t.delay, t.then);
            // Transfers finishing at the same virtual instant end together.
            match ch.heap.peek() {
                Some(p) if p.finish <= ch.virtual_bytes * (1.0 + 1e-12) => {
                    done = ch.heap.pop().expect("peeked").transfer;
                }
                _ => break,
            }
        }
        let ch = &mut self.channels.list[channel as usize];
        if ch.heap.is_empty() {
            ch.virtual_bytes = 0.0;
        }
        ch.count(now);
        self.reschedule(channel);
    }

    /// A successful answer crosses back to its caller with its endpoint's payload.
    pub(super) fn answer_with_payload(&mut self, task: &super::runtime::Task, delay: Nanos) {
        let bytes = self.response_bytes(task.endpoint);
        let receiver = self.caller_instance(task.caller);
        let ev = Event::AttemptResponse {
            exchange: task.caller.exchange,
            generation: task.caller.generation,
            attempt: task.caller.attempt,
            outcome: Outcome::Ok,
        };
        let hop = [1 + task.service, task.caller_node];
        self.send_over(hop, [task.instance, receiver], bytes, delay, ev);
    }

    /// The payload of a request sent under `policy` (0 bytes: none).
    pub(super) fn request_bytes(&mut self, policy: u32) -> f64 {
        match &self.sc.policies[policy as usize].request_size {
            Some(d) => libm::round(d.sample_secs(&mut self.payload_rng).max(0.0)),
            None => 0.0,
        }
    }

    /// The payload of a successful answer of `endpoint` (0 bytes: none).
    pub(super) fn response_bytes(&mut self, endpoint: u32) -> f64 {
        match &self.sc.endpoints[endpoint as usize].response_size {
            Some(d) => libm::round(d.sample_secs(&mut self.payload_rng).max(0.0)),
            None => 0.0,
        }
    }

    /// The instance that sent the exchange's request (a `call` step's), if any.
    pub(super) fn caller_instance(&mut self, caller: super::runtime::Caller) -> u32 {
        let x = self
            .exchanges
            .get_mut_checked(caller.exchange, caller.generation);
        match x.map(|x| x.origin) {
            Some(super::runtime::Origin::Task(t)) => {
                self.tasks.get(t).map_or(NO_INSTANCE, |t| t.instance)
            }
            _ => NO_INSTANCE,
        }
    }

    /// A crashed instance loses the answers it is still sending: they arrive as `lost`.
    pub(super) fn lose_transfers(&mut self, instance: u32) {
        if !self.channels.enabled {
            return;
        }
        for t in self.channels.transfers.iter_mut() {
            if t.sender != instance {
                continue;
            }
            if let Event::AttemptResponse { outcome, .. } = &mut t.then {
                if *outcome == Outcome::Ok {
                    *outcome = Outcome::Lost;
                }
            }
        }
    }
}

/// The directed hops a payload may cross: each workload's client → target, each `call`
/// step's caller → callee and each queue's broker → consumer, both ways.
fn used_hops(sc: &Scenario) -> Vec<[u32; 2]> {
    let mut hops = Vec::new();
    let mut add = |a: u32, b: u32| {
        for h in [[a, b], [b, a]] {
            if !hops.contains(&h) {
                hops.push(h);
            }
        }
    };
    for w in &sc.workloads {
        add(0, 1 + w.target);
    }
    for e in &sc.endpoints {
        for step in &e.steps {
            if let Step::Call { endpoint, .. } = step {
                let to = sc.endpoints[*endpoint as usize].service;
                add(1 + e.service, 1 + to);
            }
        }
    }
    let brokers = 1 + sc.services.len() as u32;
    for (q, queue) in sc.queues.iter().enumerate() {
        if let Some(consumer) = queue.consumer {
            let service = sc.endpoints[consumer as usize].service;
            add(brokers + q as u32, 1 + service);
        }
    }
    hops
}

fn node_name(sc: &Scenario, node: u32) -> &str {
    match node {
        0 => "client",
        n if (n as usize) <= sc.services.len() => &sc.services[n as usize - 1].name,
        n => &sc.queues[n as usize - 1 - sc.services.len()].name,
    }
}
