//! Whole-scenario checks that need everything resolved: call cycles, work caps and a
//! back-of-the-envelope load analysis.
//!
//! The load analysis uses mean service demands and the peak open-loop rates (operational laws:
//! utilisation = throughput × demand). It cannot predict latencies, but it catches scenarios
//! whose queues must grow without bound, which otherwise only show up as a slow, huge run.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::model::*;
use super::parse::Limits;
use crate::diag::{Diagnostic, Span};
use crate::dist::Dist;
use crate::guards::breaker::{BreakerConfig, Window};
use crate::time::{to_secs_f64, Nanos, NANOS_PER_SEC};

/// One `call:` step: an edge of the endpoint call graph.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct CallSite {
    pub from: EndpointId,
    pub to: EndpointId,
    /// Expected executions of the call step per visit of its endpoint (branch weights and
    /// fan-outs along its path; 1 for a plain step).
    pub visits: f64,
    pub span: Span,
}

fn endpoint_name(services: &[Service], endpoints: &[Endpoint], e: EndpointId) -> String {
    let ep = &endpoints[e as usize];
    format!("{}{}", services[ep.service as usize].name, ep.path)
}

/// Outgoing calls of each endpoint, in source order.
fn adjacency(endpoints: usize, calls: &[CallSite]) -> Vec<Vec<CallSite>> {
    let mut out = vec![Vec::new(); endpoints];
    for c in calls {
        out[c.from as usize].push(*c);
    }
    out
}

/// Cycles reported in full; a scenario with more has one mistake repeated, or is hostile.
const MAX_CYCLES: usize = 20;

/// Reports calls that close a cycle (a request that would call itself forever), at the call
/// step, with the path of the cycle.
pub(super) fn call_cycles(
    services: &[Service],
    endpoints: &[Endpoint],
    calls: &[CallSite],
) -> Vec<Diagnostic> {
    let graph = adjacency(endpoints.len(), calls);
    let search = depth_first(&graph);
    search
        .cycles
        .into_iter()
        .map(|(path, call)| {
            let names: Vec<String> = path
                .iter()
                .map(|&e| endpoint_name(services, endpoints, e))
                .collect();
            let message = format!("call cycle: {}", cycle_text(&names));
            Diagnostic::error(call.span, message).with_hint(
                "every request would call itself again without end; remove one of these calls",
            )
        })
        .collect()
}

/// `a → b → c → a`, with the middle of a long cycle elided.
fn cycle_text(names: &[String]) -> String {
    const EDGE: usize = 4;
    let first = names.first().map_or("", String::as_str);
    if names.len() <= 2 * EDGE {
        return format!("{} → {first}", names.join(" → "));
    }
    let head = names[..EDGE].join(" → ");
    let tail = names[names.len() - EDGE..].join(" → ");
    let elided = names.len() - 2 * EDGE;
    format!("{head} → … ({elided} more) … → {tail} → {first}")
}

/// The result of a depth-first search of the call graph.
struct Search {
    /// Endpoints in post-order: callees before their callers.
    post_order: Vec<EndpointId>,
    /// Calls that close a cycle (back edges).
    back_edges: usize,
    /// The first [`MAX_CYCLES`] cycles: the path from the call's target to its source.
    cycles: Vec<(Vec<EndpointId>, CallSite)>,
}

/// Iterative depth-first search over the call graph (no recursion: graphs can be deep).
fn depth_first(graph: &[Vec<CallSite>]) -> Search {
    const NEW: usize = usize::MAX;
    const DONE: usize = usize::MAX - 1;
    // For each endpoint: NEW, DONE, or its position on the stack while it is open.
    let mut state = vec![NEW; graph.len()];
    let mut search = Search {
        post_order: Vec::with_capacity(graph.len()),
        back_edges: 0,
        cycles: Vec::new(),
    };
    for root in 0..graph.len() {
        if state[root] != NEW {
            continue;
        }
        // (endpoint, index of the next outgoing call to follow)
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 0;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let Some(call) = graph[node].get(*next).copied() else {
                state[node] = DONE;
                search.post_order.push(node as EndpointId);
                stack.pop();
                continue;
            };
            *next += 1;
            let to = call.to as usize;
            match state[to] {
                NEW => {
                    state[to] = stack.len();
                    stack.push((to, 0));
                }
                DONE => {}
                open => {
                    search.back_edges += 1;
                    if search.cycles.len() < MAX_CYCLES {
                        let path = stack[open..]
                            .iter()
                            .map(|&(n, _)| n as EndpointId)
                            .collect();
                        search.cycles.push((path, call));
                    }
                }
            }
        }
    }
    search
}

/// Visits per endpoint for each request entering through the given endpoint mix (cumulative
/// probabilities), following the calls. Requires an acyclic call graph.
fn visits_per_request(
    s: &Scenario,
    graph: &[Vec<CallSite>],
    order: &[EndpointId],
    mix: &[(EndpointId, f64)],
) -> Vec<f64> {
    let mut visits = vec![0.0; s.endpoints.len()];
    let mut previous = 0.0;
    for &(e, cum) in mix {
        visits[e as usize] += cum - previous;
        previous = cum;
    }
    // Reverse post-order visits callers before callees.
    for &e in order.iter().rev() {
        let v = visits[e as usize];
        for call in &graph[e as usize] {
            visits[call.to as usize] += times(v, call.visits);
        }
    }
    visits
}

/// Mean seconds an endpoint's own steps hold its event loop, wait on its thread pool, and take
/// in total (without the called endpoints).
#[derive(Clone, Copy, Default)]
struct StepMeans {
    event_loop: f64,
    pool: f64,
    total: f64,
}

/// `a × b`, but 0 when either is 0 even if the other is infinite: an endpoint that is never
/// visited costs nothing, whatever its steps (IEEE 754 makes 0 × ∞ a NaN that would poison
/// every sum it enters).
fn times(a: f64, b: f64) -> f64 {
    if a == 0.0 || b == 0.0 {
        0.0
    } else {
        a * b
    }
}

/// A finite stand-in for the mean of `d`, never above it: the mean itself, or for a heavy tail
/// whose mean is infinite (Pareto with shape ≤ 1) its minimum. Used for upper bounds on
/// request counts, where an infinite mean would give "no requests at all".
fn finite_mean(d: &Dist) -> f64 {
    let mean = d.mean();
    if mean.is_finite() {
        return mean;
    }
    match d {
        Dist::Pareto { scale, .. } => *scale,
        _ => 0.0,
    }
}

/// Expected executions of each step per visit of its endpoint: 1 on the main line, the
/// arm's weight inside a `branch`, the fan-out inside a `parallel` block (every branch runs).
/// Endpoint steps are one flat program (see [`Fork`]); this walks its structure.
pub(crate) fn step_weights(steps: &[Step]) -> Vec<f64> {
    let mut out = vec![0.0; steps.len()];
    weigh(steps, 0, steps.len(), 1.0, &mut out);
    out
}

/// The steps of `[from, to)` at weight `w`; returns where the block ended.
fn weigh(steps: &[Step], from: usize, to: usize, w: f64, out: &mut [f64]) -> usize {
    let mut i = from;
    while i < to {
        match &steps[i] {
            Step::Branch(arms) => {
                let mut previous = 0.0;
                let mut after = to;
                for (k, &(cum, start)) in arms.iter().enumerate() {
                    let end = arms.get(k + 1).map_or(to, |a| a.1 as usize);
                    let stop = weigh(steps, start as usize, end, w * (cum - previous), out);
                    if let Some(Step::Jump(t)) = steps.get(stop) {
                        after = *t as usize;
                    }
                    previous = cum;
                }
                out[i] += w;
                i = after;
            }
            Step::Fork(f) => {
                for (b, &start) in f.starts.iter().enumerate() {
                    let end = f.starts.get(b + 1).map_or(f.next as usize, |&s| s as usize);
                    weigh(steps, start as usize, end, w * f64::from(f.fanout), out);
                }
                out[i] += w;
                i = f.next as usize;
            }
            // A spawned task's steps run once per visit, beside the request.
            Step::Spawn { next } => {
                weigh(steps, i + 1, *next as usize, w, out);
                out[i] += w;
                i = *next as usize;
            }
            Step::Jump(_) | Step::BranchEnd => return i,
            // A cache block: which path runs depends on the hit ratio, which the estimate does
            // not know; its steps count for nothing (as a fallback's).
            Step::CacheLookup(c) => {
                out[i] += w;
                i = c.after as usize;
            }
            // A call with a fallback: the fallback's steps run only when the call fails, which
            // the estimate does not know; they count for nothing.
            Step::Call { fallback, .. } if *fallback != NO_FALLBACK => {
                out[i] += w;
                i = skip_fallback(steps, i);
            }
            _ => {
                out[i] += w;
                i += 1;
            }
        }
    }
    i
}

/// The step after a call's fallback block (the call at `i` is followed by a `Jump` past it).
fn skip_fallback(steps: &[Step], i: usize) -> usize {
    match steps.get(i + 1) {
        Some(Step::Jump(after)) => *after as usize,
        _ => i + 1,
    }
}

/// A lower bound on the mean time of the steps of `[from, to)` (without called endpoints):
/// a `branch` takes its arms' weighted mean, a `parallel` block at least its slowest branch
/// (all) or its fastest (any or k).
fn time_of(steps: &[Step], from: usize, to: usize, mean: fn(&Dist) -> f64) -> (f64, usize) {
    let mut t = 0.0;
    let mut i = from;
    while i < to {
        match &steps[i] {
            Step::Cpu(d) | Step::Blocking(d) | Step::Offload(d) | Step::Io(d) => {
                t += mean(d);
                i += 1;
            }
            Step::Llm(l) => {
                t += mean(&l.first_token) + times(mean(&l.tokens_out), mean(&l.per_token));
                i += 1;
            }
            Step::OffloadSplit { cpu, io } => {
                t += mean(cpu) + mean(io);
                i += 1;
            }
            Step::Branch(arms) => {
                let mut previous = 0.0;
                let mut after = to;
                for (k, &(cum, start)) in arms.iter().enumerate() {
                    let end = arms.get(k + 1).map_or(to, |a| a.1 as usize);
                    let (arm, stop) = time_of(steps, start as usize, end, mean);
                    t += times(cum - previous, arm);
                    if let Some(Step::Jump(j)) = steps.get(stop) {
                        after = *j as usize;
                    }
                    previous = cum;
                }
                i = after;
            }
            Step::Fork(f) => {
                let branch = |b: usize| {
                    let end = f.starts.get(b + 1).map_or(f.next as usize, |&s| s as usize);
                    time_of(steps, f.starts[b] as usize, end, mean).0
                };
                let times_: Vec<f64> = (0..f.starts.len()).map(branch).collect();
                let all = f.need >= f.fanout * f.starts.len() as u32;
                let pick = if all { f64::max } else { f64::min };
                t += times_.iter().copied().reduce(pick).unwrap_or(0.0);
                i = f.next as usize;
            }
            Step::Jump(_) | Step::BranchEnd => return (t, i),
            // A cache block takes at least its faster path (the hit ratio is not known).
            Step::CacheLookup(c) => {
                let (hit, _) = time_of(steps, i + 1, c.miss as usize, mean);
                let (miss, _) = time_of(steps, c.miss as usize, c.after as usize, mean);
                t += hit.min(miss);
                i = c.after as usize;
            }
            Step::CacheStore(_) | Step::CacheInvalidate { .. } => i += 1,
            Step::Call { fallback, .. } if *fallback != NO_FALLBACK => i = skip_fallback(steps, i),
            // The request does not wait for a spawned task.
            Step::Spawn { next } => i = *next as usize,
            Step::Call { .. }
            | Step::Ram(_)
            | Step::Acquire(_)
            | Step::Release(_)
            | Step::Publish(_) => i += 1,
        }
    }
    (t, i)
}

fn step_means(e: &Endpoint, mean: fn(&Dist) -> f64) -> StepMeans {
    let weights = step_weights(&e.steps);
    let mut m = StepMeans {
        total: time_of(&e.steps, 0, e.steps.len(), mean).0,
        ..StepMeans::default()
    };
    for (step, &w) in e.steps.iter().zip(&weights) {
        match step {
            Step::Cpu(d) | Step::Blocking(d) => m.event_loop += times(w, mean(d)),
            Step::Offload(d) => m.pool += times(w, mean(d)),
            Step::OffloadSplit { cpu, io } => m.pool += times(w, mean(cpu) + mean(io)),
            _ => {}
        }
    }
    m
}

/// The call graph, its topological order, and per-endpoint means; `None` with a cycle.
struct Analysis {
    graph: Vec<Vec<CallSite>>,
    order: Vec<EndpointId>,
    /// Mean step times (infinite for a step with an infinite-mean distribution).
    means: Vec<StepMeans>,
    /// The same with [`finite_mean`]: finite lower bounds on the means.
    floors: Vec<StepMeans>,
}

/// The edges of the estimate: calls, and (with `messages`) each `publish` as a visit of its
/// queue's consumer (every message is processed once, redeliveries aside).
fn edges(s: &Scenario, messages: bool) -> Vec<CallSite> {
    s.endpoints
        .iter()
        .enumerate()
        .flat_map(|(i, e)| {
            let weights = step_weights(&e.steps);
            e.steps.iter().zip(weights).filter_map(move |(st, w)| {
                let to = match st {
                    Step::Call { endpoint: to, .. } => *to,
                    Step::Publish(q) if messages => s.queues[*q as usize].consumer?,
                    _ => return None,
                };
                Some(CallSite {
                    from: i as EndpointId,
                    to,
                    visits: w,
                    span: Span::default(),
                })
            })
        })
        .collect()
}

impl Analysis {
    fn new(s: &Scenario) -> Option<Analysis> {
        let calls = edges(s, true);
        let mut graph = adjacency(s.endpoints.len(), &calls);
        let mut search = depth_first(&graph);
        if search.back_edges > 0 {
            // A message cycle (a consumer publishing to its own queue, directly or not) is
            // legal, bounded at run time: estimate without the messages then.
            graph = adjacency(s.endpoints.len(), &edges(s, false));
            search = depth_first(&graph);
        }
        if search.back_edges > 0 {
            return None;
        }
        let order = search.post_order;
        Some(Analysis {
            graph,
            order,
            means: s
                .endpoints
                .iter()
                .map(|e| step_means(e, Dist::mean))
                .collect(),
            floors: s
                .endpoints
                .iter()
                .map(|e| step_means(e, finite_mean))
                .collect(),
        })
    }

    fn visits(&self, s: &Scenario, mix: &[(EndpointId, f64)]) -> Vec<f64> {
        visits_per_request(s, &self.graph, &self.order, mix)
    }

    /// Busy seconds per service (event loops, thread pools) for the given visit counts and
    /// per-endpoint means (`self.means` or `self.floors`).
    fn demand(&self, s: &Scenario, visits: &[f64], means: &[StepMeans]) -> (Vec<f64>, Vec<f64>) {
        let mut event_loop = vec![0.0; s.services.len()];
        let mut pool = vec![0.0; s.services.len()];
        for (e, endpoint) in s.endpoints.iter().enumerate() {
            event_loop[endpoint.service as usize] += times(visits[e], means[e].event_loop);
            pool[endpoint.service as usize] += times(visits[e], means[e].pool);
        }
        (event_loop, pool)
    }
}

/// Capacity of a service in busy seconds per second: (event loops, pool threads).
fn capacity(s: &Service) -> (f64, f64) {
    let loops = s.replicas as f64 * s.workers as f64;
    (loops, loops * s.threads as f64)
}

/// Requests per second admitted by each endpoint's service, from the open-loop rates entering
/// each endpoint (`entry`), following the calls. A service's ingress `rate_limit` (a token
/// bucket per instance) admits at most replicas × rate per second whatever is offered: the
/// excess is refused at once and makes neither work nor downstream calls. With `limits`
/// false, everything offered is admitted.
fn admitted_rates(s: &Scenario, a: &Analysis, entry: &[f64], limits: bool) -> Vec<f64> {
    let caps: Vec<f64> = s
        .services
        .iter()
        .map(|svc| match (&svc.ingress.rate_limit, limits) {
            (Some(rl), true) => svc.replicas as f64 * rl.rate,
            _ => f64::INFINITY,
        })
        .collect();
    // The share of its offered requests each service admits. The caps of upstream services
    // change what reaches downstream ones, so iterate to a fixed point (one round per level
    // of the service graph; bounded for graphs whose services call each other).
    let mut share = vec![1.0; s.services.len()];
    let mut admitted = vec![0.0; s.endpoints.len()];
    for _ in 0..=s.services.len().min(64) {
        let mut arriving = entry.to_vec();
        for &e in a.order.iter().rev() {
            let e = e as usize;
            admitted[e] = arriving[e] * share[s.endpoints[e].service as usize];
            for call in &a.graph[e] {
                arriving[call.to as usize] += admitted[e];
            }
        }
        let mut offered = vec![0.0; s.services.len()];
        for (e, endpoint) in s.endpoints.iter().enumerate() {
            offered[endpoint.service as usize] += arriving[e];
        }
        let next: Vec<f64> = offered
            .iter()
            .zip(&caps)
            .map(|(&o, &cap)| if o > cap { cap / o } else { 1.0 })
            .collect();
        if next == share {
            break;
        }
        share = next;
    }
    admitted
}

/// Warnings for services whose event loops or thread pools receive more work than they can do
/// at the peak open-loop rates (closed workloads regulate themselves and are left out), and
/// for endpoints that need more memory than their instance has. Ingress rate limits cap what
/// is admitted: a service that they keep below saturation gets no warning.
pub(super) fn load_warnings(s: &Scenario) -> Vec<Diagnostic> {
    let Some(a) = Analysis::new(s) else {
        return Vec::new();
    };
    let mut entry = vec![0.0; s.endpoints.len()];
    for w in &s.workloads {
        let rate = match &w.arrivals {
            Arrivals::Poisson(r) | Arrivals::Constant(r) => r.max_rate(),
            Arrivals::Closed { .. } => continue,
        };
        let mut previous = 0.0;
        for &(e, cum) in &w.mix {
            entry[e as usize] += rate * (cum - previous);
            previous = cum;
        }
    }
    let load = |limits: bool| {
        let admitted = admitted_rates(s, &a, &entry, limits);
        a.demand(s, &admitted, &a.means)
    };
    let (event_loop, pool) = load(true);
    let (unlimited_loop, unlimited_pool) = load(false);
    let mut out: Vec<Diagnostic> = memory_warnings(s).collect();
    out.extend(queue_warnings(s, &admitted_rates(s, &a, &entry, true)));
    out.extend(super::bandwidth::link_warnings(s));
    for (i, svc) in s.services.iter().enumerate() {
        let (loops, threads) = capacity(svc);
        let loop_hint = format!(
            "its event loops are saturated by `cpu` and `blocking` steps, which more threads cannot help: move work off the loop (`offload` it to the thread pool, or make the steps cheaper), add workers or replicas (it has {} replica(s) × {} worker(s)), or lower the peak rate",
            svc.replicas, svc.workers
        );
        if let Some(d) = overload(
            svc,
            event_loop[i] / loops,
            unlimited_loop[i] / loops,
            "its event loops",
            loop_hint,
        ) {
            out.push(d);
        }
        let pool_hint = format!(
            "its thread pools are saturated by `offload` steps: add threads (it has {} replica(s) × {} worker(s) × {} thread(s)), shorten the `offload` steps, or lower the peak rate",
            svc.replicas, svc.workers, svc.threads
        );
        if let Some(d) = overload(
            svc,
            pool[i] / threads,
            unlimited_pool[i] / threads,
            "its thread pools",
            pool_hint,
        ) {
            out.push(d);
        }
    }
    out
}

/// Warnings for queues whose consumers cannot keep up at the peak open-loop rates: messages
/// arrive (Σ publishing endpoint rate × its publishes to the queue) at least as fast as the
/// consumers can process them — in process at once, `concurrency` × replicas (at most one per
/// partition), each for at least the mean time of the consumer endpoint's own steps (calls
/// left out, so the capacity is an upper bound and the warning is sure).
fn queue_warnings<'a>(
    s: &'a Scenario,
    admitted: &'a [f64],
) -> impl Iterator<Item = Diagnostic> + 'a {
    s.queues.iter().enumerate().filter_map(move |(q, spec)| {
        let consumer = &s.endpoints[spec.consumer? as usize];
        let mut rate = 0.0;
        for (e, endpoint) in s.endpoints.iter().enumerate() {
            let weights = step_weights(&endpoint.steps);
            for (st, w) in endpoint.steps.iter().zip(weights) {
                if *st == Step::Publish(q as QueueId) {
                    rate += times(admitted[e], w);
                }
            }
        }
        let svc = &s.services[consumer.service as usize];
        let slots = f64::from(spec.concurrency) * f64::from(svc.replicas);
        let slots = spec.partitions.map_or(slots, |p| slots.min(f64::from(p)));
        let time = time_of(&consumer.steps, 0, consumer.steps.len(), Dist::mean).0;
        let capacity = slots / time;
        if !(rate > 0.0 && rate >= capacity) {
            return None;
        }
        let message = format!(
            "queue `{}` falls behind: messages arrive at {rate:.1}/s at the peak rates, and its consumers process at most {capacity:.1}/s ({slots} in process × {}{}): its depth will grow without bound",
            spec.name,
            fmt_secs(time),
            if spec.partitions.is_some_and(|p| f64::from(p) < slots) { ", one per partition" } else { "" },
        );
        Some(Diagnostic::warning(spec.span, message).with_hint(
            "raise `concurrency` (or `partitions`), add consumer replicas, make the consumer endpoint faster, or set a `max_length` to refuse the excess",
        ))
    })
}

/// Seconds as a short text (`40 ms`, `1.5 s`).
fn fmt_secs(t: f64) -> String {
    if t < 1.0 {
        format!("{} ms", libm::round(t * 1e4) / 10.0)
    } else {
        format!("{} s", libm::round(t * 100.0) / 100.0)
    }
}

/// Warnings for endpoints whose `ram` steps alone exceed their instance's memory: every such
/// request would fail with `out_of_memory`.
fn memory_warnings(s: &Scenario) -> impl Iterator<Item = Diagnostic> + '_ {
    s.endpoints.iter().filter_map(|e| {
        let svc = &s.services[e.service as usize];
        let held: u64 = e
            .steps
            .iter()
            .map(|st| if let Step::Ram(b) = st { *b } else { 0 })
            .fold(0, u64::saturating_add);
        let capacity = svc.ram?;
        (held > capacity).then(|| {
            let message = format!(
                "every request to `{}{}` holds {} of memory, more than an instance of `{}` has ({}): all of them will fail with out_of_memory",
                svc.name,
                e.path,
                fmt_bytes(held),
                svc.name,
                fmt_bytes(capacity)
            );
            Diagnostic::warning(e.span, message)
                .with_hint("raise the service's `ram` or lower the endpoint's `ram` steps")
        })
    })
}

/// Bytes in the largest decimal unit that keeps the number ≥ 1, e.g. `1.5 GB`.
fn fmt_bytes(bytes: u64) -> String {
    const UNITS: [(f64, &str); 4] = [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "KB")];
    let b = bytes as f64;
    match UNITS.iter().find(|(size, _)| b >= *size) {
        Some((size, unit)) => format!("{} {unit}", libm::round(b / size * 100.0) / 100.0),
        None => format!("{bytes} B"),
    }
}

/// A warning when `rho` (the load with the rate limits) is at least 1; `unlimited` is the load
/// without them, mentioned when the limits lower it but not enough.
fn overload(
    svc: &Service,
    rho: f64,
    unlimited: f64,
    resource: &str,
    hint: String,
) -> Option<Diagnostic> {
    if rho.is_nan() || rho < 1.0 {
        return None;
    }
    let fmt_rho = |r: f64| {
        if r.is_finite() {
            format!("{r:.2}")
        } else {
            "∞".into()
        }
    };
    let mut message = format!(
        "service `{}` is overloaded: offered load ρ = {} on {resource} (≥ 1): queues will grow without bound",
        svc.name,
        fmt_rho(rho)
    );
    if !rho.is_finite() {
        message.push_str(" (a step's duration has an infinite mean: a Pareto `shape` ≤ 1)");
    } else if unlimited > rho {
        message.push_str(&format!(
            " (even with the ingress rate limits, which bring it down from ρ = {})",
            fmt_rho(unlimited)
        ));
    }
    Some(Diagnostic::warning(svc.span, message).with_hint(hint))
}

/// Requests expected over the run from an open-loop schedule: ∫ rate dt over `[0, duration)`.
pub(super) fn expected_arrivals(schedule: &RateSchedule, duration: Nanos) -> f64 {
    let Some(first) = schedule.points.first() else {
        return 0.0;
    };
    let end = to_secs_f64(duration);
    let (mut total, mut t, mut rate) = (0.0, 0.0, first.rate);
    for p in &schedule.points {
        let at = to_secs_f64(p.at).min(end);
        total += rate * (at - t).max(0.0);
        let ramp_end = to_secs_f64(p.at.saturating_add(p.ramp)).min(end);
        if ramp_end > at {
            let reached = rate + (p.rate - rate) * (ramp_end - at) / to_secs_f64(p.ramp);
            total += (rate + reached) / 2.0 * (ramp_end - at);
        }
        t = at.max(ramp_end);
        rate = p.rate;
    }
    total + rate * (end - t).max(0.0)
}

/// Errors when the run would generate more requests than `limits` allow, or when a closed
/// workload could never advance simulated time.
pub(super) fn work_caps(s: &Scenario, limits: &Limits, duration_span: Span) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let analysis = Analysis::new(s);
    let mut expected = 0.0;
    for w in &s.workloads {
        expected += match &w.arrivals {
            Arrivals::Poisson(r) | Arrivals::Constant(r) => expected_arrivals(r, s.duration),
            Arrivals::Closed { .. } if lost_at_once(s, w, &mut out) => 0.0,
            Arrivals::Closed { users, think } => match &analysis {
                Some(a) => closed_requests(s, a, w, *users, think, &mut out),
                None => 0.0,
            },
        };
    }
    expected += surge_requests(s, limits, &mut out);
    user_windows(s, &mut out);
    if expected > limits.max_expected_requests {
        out.push(
            Diagnostic::error(
                duration_span,
                format!(
                    "this run would simulate about {expected:.3e} requests (the limit is {:.0e})",
                    limits.max_expected_requests
                ),
            )
            .with_hint("shorten `duration` or lower the rates (or users)"),
        );
    }
    out
}

/// Most `active_users` windows a run may draw: each is a draw and, when it holds no arrival,
/// a step of the arrival loop, so `every: 1ns` over an hour would never finish.
pub const MAX_USER_WINDOWS: u64 = 10_000_000;

/// Refuses `active_users.every` so short that the run has more than [`MAX_USER_WINDOWS`].
fn user_windows(s: &Scenario, out: &mut Vec<Diagnostic>) {
    for w in &s.workloads {
        let Some(users) = &w.active_users else {
            continue;
        };
        let windows = s.duration / users.every.max(1);
        if windows > MAX_USER_WINDOWS {
            let shortest = s.duration.div_ceil(MAX_USER_WINDOWS);
            out.push(
                Diagnostic::error(
                    w.span,
                    format!(
                        "`active_users.every` of {} draws the users {windows} times in this run \
                         (at most {MAX_USER_WINDOWS})",
                        super::parse::text::fmt_duration(users.every)
                    ),
                )
                .with_hint(format!(
                    "draw them less often: `every: {}` or more",
                    super::parse::text::fmt_duration(shortest)
                )),
            );
        }
    }
}

/// For each workload, the requests expected over the run and the expected visits of each
/// endpoint per request (calls and consumed messages followed): the input of the run estimate
/// ([`crate::estimate`]). Surge faults add their extra requests to their workload.
pub(crate) fn expected_visits(s: &Scenario) -> Vec<(f64, Vec<f64>)> {
    let analysis = Analysis::new(s);
    let mut ignored = Vec::new();
    let mut out: Vec<(f64, Vec<f64>)> = s
        .workloads
        .iter()
        .map(|w| {
            let requests = match &w.arrivals {
                Arrivals::Poisson(r) | Arrivals::Constant(r) => expected_arrivals(r, s.duration),
                Arrivals::Closed { users, think } => match &analysis {
                    Some(a) => closed_requests(s, a, w, *users, think, &mut ignored),
                    None => 0.0,
                },
            };
            let visits = match &analysis {
                Some(a) => a.visits(s, &w.mix),
                None => vec![0.0; s.endpoints.len()],
            };
            (requests, visits)
        })
        .collect();
    for f in &s.faults {
        if let FaultKind::Surge {
            workload,
            factor,
            add,
        } = &f.kind
        {
            let w = &s.workloads[*workload as usize];
            if let Arrivals::Poisson(r) | Arrivals::Constant(r) = &w.arrivals {
                let during = expected_arrivals(r, f.until) - expected_arrivals(r, f.at);
                out[*workload as usize].0 +=
                    (factor - 1.0).max(0.0) * during + add * to_secs_f64(f.until - f.at);
            }
        }
    }
    out
}

/// Extra requests expected from `surge` faults (each on its own: overlapping surges multiply,
/// which this estimate leaves out). Also reports a workload whose peak rate under all of its
/// surges at once would exceed the rate limit, at its last surge: the engine draws arrival
/// candidates at that peak rate for the whole run.
fn surge_requests(s: &Scenario, limits: &Limits, out: &mut Vec<Diagnostic>) -> f64 {
    let mut extra = 0.0;
    let mut peaks: Vec<(f64, f64, Option<Span>)> = vec![(1.0, 0.0, None); s.workloads.len()];
    for f in &s.faults {
        let FaultKind::Surge {
            workload,
            factor,
            add,
        } = &f.kind
        else {
            continue;
        };
        let (Arrivals::Poisson(r) | Arrivals::Constant(r)) =
            &s.workloads[*workload as usize].arrivals
        else {
            continue;
        };
        let during = expected_arrivals(r, f.until) - expected_arrivals(r, f.at);
        extra += (factor - 1.0).max(0.0) * during + add * to_secs_f64(f.until - f.at);
        let peak = &mut peaks[*workload as usize];
        peak.0 *= factor.max(1.0);
        peak.1 += add;
        peak.2 = Some(f.span);
    }
    for (w, (factor, add, span)) in s.workloads.iter().zip(peaks) {
        let (Some(span), Arrivals::Poisson(r) | Arrivals::Constant(r)) = (span, &w.arrivals) else {
            continue;
        };
        let peak = r.max_rate() * factor + add;
        if peak > limits.max_rate {
            out.push(
                Diagnostic::error(
                    span,
                    format!(
                        "with its surges, workload `{}` would reach {peak:.3e} requests/s (the limit is {}/s)",
                        w.name, limits.max_rate
                    ),
                )
                .with_hint("lower the surges' `factor` or `rate`"),
            );
        }
    }
    extra
}

/// Bytes one guard set of `p` holds: a fixed part plus its preallocated sliding windows (a
/// byte per call of a count window, counters per second of a time window).
fn guard_set_bytes(p: &CallPolicy) -> u64 {
    let secs = |d: Nanos| d.div_ceil(NANOS_PER_SEC);
    let mut bytes: u64 = 512;
    if let Some(BreakerConfig::SlidingWindow { window, .. }) = p.breaker {
        bytes = bytes.saturating_add(match window {
            Window::Count(n) => n.into(),
            Window::Time(t) => secs(t).saturating_mul(24),
        });
    }
    if let Some(RetrySpec {
        budget: Some(RetryBudgetSpec::Ratio { window, .. }),
        ..
    }) = &p.retry
    {
        bytes = bytes.saturating_add(secs(*window).saturating_mul(16));
    }
    if let Some(t) = &p.throttle {
        bytes = bytes.saturating_add(secs(t.window).saturating_mul(16));
    }
    bytes
}

/// An error when the client-side guards would need more memory than `limits` allow: every
/// workload has one guard set, every `call` step one per replica of the calling service.
/// Reported at the policy that costs the most (`spans[p]` is where policy `p` is defined).
pub(super) fn guard_state(s: &Scenario, limits: &Limits, spans: &[Span]) -> Option<Diagnostic> {
    let mut copies = vec![0u64; s.policies.len()];
    for w in &s.workloads {
        copies[w.policy as usize] += 1;
    }
    for e in &s.endpoints {
        let replicas = u64::from(s.services[e.service as usize].replicas);
        for step in &e.steps {
            if let Step::Call { policy, .. } = step {
                copies[*policy as usize] += replicas;
            }
        }
    }
    let costs: Vec<u64> = s
        .policies
        .iter()
        .zip(&copies)
        .map(|(p, &n)| guard_set_bytes(p).saturating_mul(n))
        .collect();
    let total = costs.iter().skip(1).fold(0u64, |a, &c| a.saturating_add(c));
    if total <= limits.max_guard_bytes {
        return None;
    }
    let worst = (1..costs.len()).max_by_key(|&i| costs[i])?;
    let message = format!(
        "the client-side guards would hold about {} of state (the limit is {})",
        fmt_bytes(total),
        fmt_bytes(limits.max_guard_bytes)
    );
    Some(
        Diagnostic::error(spans.get(worst).copied().unwrap_or_default(), message).with_hint(
            "each workload, and each replica of a calling service, keeps its own guards and windows: shorten the longest windows (this policy costs the most) or guard fewer calls",
        ),
    )
}

/// The hop between network nodes `a` and `b` (either way): its latency and loss.
fn hop(net: &Network, a: u32, b: u32) -> (&Dist, f64) {
    match net
        .links
        .iter()
        .find(|l| l.between == [a, b] || (!l.one_way && l.between == [b, a]))
    {
        Some(link) => (
            link.latency.as_ref().unwrap_or(&net.latency),
            link.loss.unwrap_or(net.loss),
        ),
        None => (&net.latency, net.loss),
    }
}

/// Reports a closed workload whose users would spin at one instant forever: every request is
/// lost on the way from the client to its service, with no latency, so it fails at the time it
/// is sent; with no think time and no retry backoff the user sends the next one at that same
/// time, and simulated time never advances. (Faults are left out: they are time-limited, and
/// the engine watches for such stalls at run time.)
fn lost_at_once(s: &Scenario, w: &Workload, out: &mut Vec<Diagnostic>) -> bool {
    let Arrivals::Closed { think, .. } = &w.arrivals else {
        return false;
    };
    let (latency, loss) = hop(&s.network, 0, 1 + w.target);
    let backoff = s.policies[w.policy as usize]
        .retry
        .as_ref()
        .is_some_and(|r| r.attempts > 1 && r.backoff.ceiling(1) > 0);
    if loss < 1.0 || !latency.is_zero() || think.mean() != 0.0 || backoff {
        return false;
    }
    let service = &s.services[w.target as usize].name;
    out.push(
        Diagnostic::error(
            w.span,
            format!(
                "closed workload `{}` would retry in zero time forever: every request is lost between `client` and `{service}` (loss 100%, no latency), so it fails at once and its users, who have no think time, send the next one at the same instant: simulated time would never advance",
                w.name
            ),
        )
        .with_hint(format!(
            "add `think:` time to the workload, or fix the link between `client` and `{service}` (a `loss` below 1, or some `latency`)"
        )),
    );
    true
}

/// An upper bound on the requests of a closed workload: users / (think + response time),
/// capped by the capacity of the busiest service on its path. A step whose mean is infinite
/// (a Pareto tail with shape ≤ 1) counts with its minimum: requests take at least that long,
/// so the bound holds (with the infinite mean itself the long-run rate would be 0, which says
/// nothing about a finite run).
fn closed_requests(
    s: &Scenario,
    a: &Analysis,
    w: &Workload,
    users: u32,
    think: &Dist,
    out: &mut Vec<Diagnostic>,
) -> f64 {
    let visits = a.visits(s, &w.mix);
    let hops: f64 = visits.iter().sum();
    let work: f64 = visits
        .iter()
        .zip(&a.floors)
        .map(|(&v, m)| times(v, m.total))
        .sum();
    let network = times(2.0 * hops, finite_mean(&s.network.latency));
    let cycle = finite_mean(think) + work + network;
    if cycle.is_nan() || cycle <= 0.0 {
        out.push(
            Diagnostic::error(w.span, format!("closed workload `{}` would never advance time: its think time and every step take zero", w.name))
                .with_hint("give the users a `think` time or the endpoints some work"),
        );
        return 0.0;
    }
    let (event_loop, pool) = a.demand(s, &visits, &a.floors);
    let mut throughput = users as f64 / cycle;
    for (i, svc) in s.services.iter().enumerate() {
        let (loops, threads) = capacity(svc);
        if event_loop[i] > 0.0 {
            throughput = throughput.min(loops / event_loop[i]);
        }
        if pool[i] > 0.0 {
            throughput = throughput.min(threads / pool[i]);
        }
    }
    throughput * to_secs_f64(s.duration)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::NANOS_PER_SEC;

    #[test]
    fn bytes_print_readably() {
        assert_eq!(fmt_bytes(1_500_000_000), "1.5 GB");
        assert_eq!(fmt_bytes(64_000_000), "64 MB");
        assert_eq!(fmt_bytes(512), "512 B");
    }

    #[test]
    fn long_cycles_are_elided() {
        let names: Vec<String> = (0..10).map(|i| format!("s/e{i}")).collect();
        assert_eq!(cycle_text(&names[..2]), "s/e0 → s/e1 → s/e0");
        assert_eq!(
            cycle_text(&names),
            "s/e0 → s/e1 → s/e2 → s/e3 → … (2 more) … → s/e6 → s/e7 → s/e8 → s/e9 → s/e0"
        );
    }

    #[test]
    fn arrivals_integrate_ramps() {
        let s = NANOS_PER_SEC;
        let schedule = RateSchedule {
            points: vec![
                RatePoint {
                    at: 0,
                    rate: 100.0,
                    ramp: 0,
                },
                RatePoint {
                    at: 120 * s,
                    rate: 300.0,
                    ramp: 30 * s,
                },
                RatePoint {
                    at: 240 * s,
                    rate: 100.0,
                    ramp: 0,
                },
            ],
        };
        // 120 s at 100, 30 s ramp averaging 200, 90 s at 300, 60 s at 100.
        let want = 12_000.0 + 6_000.0 + 27_000.0 + 6_000.0;
        assert!((expected_arrivals(&schedule, 300 * s) - want).abs() < 1e-6);
        // Cut in the middle of the ramp: 120 s at 100 + 15 s averaging 150.
        assert!((expected_arrivals(&schedule, 135 * s) - 14_250.0).abs() < 1e-6);
        assert_eq!(
            expected_arrivals(&RateSchedule::constant(80.0), 600 * s),
            48_000.0
        );
    }
}
