//! How each box looks during and after a run: a load level (its colours), one or two lines of
//! live figures, the fault hitting it and the bottleneck tag.
//!
//! During a run the figures are the latest interval's (the last row of the series: busy
//! fraction, loop lag, refusals; failures counted from the report since the previous paint),
//! so a box turns red while the trouble lasts and cools down after. At the end they are the
//! report's, over the measured window, with every fault of the run and the diagnosis's
//! bottleneck — the same picture as the CLI's HTML report. The host applies [`Painter::update`]'s
//! changes to the existing elements; the diagram is never redrawn for a new frame.

use loopsim_core::diagnosis::{Kind, Severity};
use loopsim_core::health::format::{duration, percent};
use loopsim_core::report::Report;
use loopsim_core::scenario::{FaultKind, ReplicaTarget, Scenario};
use loopsim_core::series::Series;
use loopsim_core::time::to_secs_f64;

use super::graph::{self, EdgeKind, Graph, NodeKind};

/// Load levels, coolest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// No figures yet (before a run).
    Idle,
    Ok,
    Busy,
    Hot,
    /// Saturated, or failing a tenth of its requests or more.
    Critical,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Idle => "idle",
            Level::Ok => "ok",
            Level::Busy => "busy",
            Level::Hot => "hot",
            Level::Critical => "critical",
        }
    }

    /// `(fill, stroke)` of a box at this level.
    pub fn colors(self, kind: NodeKind) -> (&'static str, &'static str) {
        match self {
            Level::Idle => match kind {
                NodeKind::Workload => ("#e7f5ff", "#1971c2"),
                NodeKind::Queue => ("#f3f0ff", "#6741d9"),
                NodeKind::Service => ("#ffffff", "#495057"),
                NodeKind::Pool | NodeKind::Cache => ("#f8f9fa", "#868e96"),
            },
            Level::Ok => ("#ebfbee", "#2b8a3e"),
            Level::Busy => ("#fff9db", "#e67700"),
            Level::Hot => ("#fff4e6", "#d9480f"),
            Level::Critical => ("#ffe3e3", "#c92a2a"),
        }
    }

    fn of_utilization(u: f64) -> Level {
        if u >= 0.97 {
            Level::Critical
        } else if u >= 0.85 {
            Level::Hot
        } else if u >= 0.6 {
            Level::Busy
        } else {
            Level::Ok
        }
    }

    fn of_errors(e: f64) -> Level {
        if e >= 0.1 {
            Level::Critical
        } else if e >= 0.01 {
            Level::Busy
        } else {
            Level::Ok
        }
    }

    fn of_lag(s: f64) -> Level {
        if s >= 1.0 {
            Level::Critical
        } else if s >= 0.1 {
            Level::Hot
        } else {
            Level::Ok
        }
    }
}

/// The look of one box.
#[derive(Clone, Debug, PartialEq)]
pub struct Paint {
    pub level: Level,
    /// Up to two lines of figures (`72% busy · lag 3.1 ms`, `4% failed`); empty strings hide.
    pub live: [String; 2],
    /// `Some("bottleneck")` or `Some("busiest")` on the most loaded resource.
    pub tag: Option<&'static str>,
    /// The faults hitting it (`outage`, `slowdown ×2 30–32 s`), empty when none.
    pub fault: String,
}

impl Paint {
    pub fn idle() -> Paint {
        Paint {
            level: Level::Idle,
            live: [String::new(), String::new()],
            tag: None,
            fault: String::new(),
        }
    }
}

/// The look of the whole diagram: every box, and every edge's level (by the failures of the
/// requests it carries; [`Level::Idle`] for edges that carry none).
#[derive(Clone, Debug, PartialEq)]
pub struct Look {
    pub nodes: Vec<Paint>,
    pub edges: Vec<Level>,
}

impl Look {
    pub fn idle(g: &Graph) -> Look {
        Look {
            nodes: vec![Paint::idle(); g.nodes.len()],
            edges: vec![Level::Idle; g.edges.len()],
        }
    }
}

/// What changed since the previous paint.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Changes {
    pub nodes: Vec<(usize, Paint)>,
    pub edges: Vec<(usize, Level)>,
}

/// Keeps what the next live paint needs (column indices, counts at the previous paint) and the
/// paints last handed out, so that only changes reach the DOM.
pub struct Painter {
    columns: Vec<NodeColumns>,
    /// Per node, then per edge: (ok, failed) seen at the previous paint.
    counts: Vec<(u64, u64)>,
    shown: Look,
}

/// Series column indices a node's live figures come from.
#[derive(Clone, Debug, Default)]
struct NodeColumns {
    load: Option<usize>,
    /// A service's busy threads (only when its endpoints offload), and how many it has.
    threads: Option<(usize, f64)>,
    lag: Option<usize>,
    refused: Option<usize>,
    waiting: Option<usize>,
}

impl Painter {
    /// A painter for `g` drawn from `sc`, reading a series with these column `names`.
    pub fn new(sc: &Scenario, g: &Graph, names: &[String]) -> Painter {
        let find = |n: String| names.iter().position(|x| *x == n);
        let mut columns = vec![NodeColumns::default(); g.nodes.len()];
        for (s, svc) in sc.services.iter().enumerate() {
            let c = &mut columns[g.service(s)];
            c.load = find(format!("{}.utilization", svc.name));
            c.lag = find(format!("{}.loop_lag_max_s", svc.name));
            c.refused = find(format!("{}.refused_rps", svc.name));
            if graph::offloads(sc, s) {
                let total = f64::from(svc.threads) * f64::from(svc.workers * svc.replicas);
                c.threads = find(format!("{}.pool_busy", svc.name)).map(|i| (i, total.max(1.0)));
            }
        }
        for (p, pool) in sc.pools.iter().enumerate() {
            let owner = &sc.services[pool.service as usize].name;
            let c = &mut columns[g.pool(p)];
            c.load = find(format!("pool.{owner}.{}.in_use", pool.name));
            c.waiting = find(format!("pool.{owner}.{}.waiting", pool.name));
        }
        for (q, queue) in sc.queues.iter().enumerate() {
            columns[g.queue(q)].load = find(format!("queue.{}.depth", queue.name));
        }
        Painter {
            columns,
            counts: vec![(0, 0); g.nodes.len() + g.edges.len()],
            shown: Look::idle(g),
        }
    }

    /// The paints that changed since the last call, for a run at `now_s`; `finished` switches
    /// to the whole run's figures.
    pub fn update(
        &mut self,
        sc: &Scenario,
        g: &Graph,
        report: &Report,
        series: &Series,
        now_s: f64,
        finished: bool,
    ) -> Changes {
        let look = if finished {
            final_look(sc, g, report)
        } else {
            self.live_look(sc, g, report, series, now_s)
        };
        self.changes(look)
    }

    /// Back to the look before any run; returns the changes.
    pub fn reset(&mut self) -> Changes {
        self.counts.iter_mut().for_each(|c| *c = (0, 0));
        let idle = Look {
            nodes: vec![Paint::idle(); self.shown.nodes.len()],
            edges: vec![Level::Idle; self.shown.edges.len()],
        };
        self.changes(idle)
    }

    fn changes(&mut self, look: Look) -> Changes {
        let mut out = Changes::default();
        for (i, p) in look.nodes.into_iter().enumerate() {
            if self.shown.nodes[i] != p {
                self.shown.nodes[i] = p.clone();
                out.nodes.push((i, p));
            }
        }
        for (e, level) in look.edges.into_iter().enumerate() {
            if self.shown.edges[e] != level {
                self.shown.edges[e] = level;
                out.edges.push((e, level));
            }
        }
        out
    }

    fn live_look(
        &mut self,
        sc: &Scenario,
        g: &Graph,
        report: &Report,
        series: &Series,
        now_s: f64,
    ) -> Look {
        let last = |c: Option<usize>| {
            c.filter(|_| !series.is_empty())
                .and_then(|c| series.column(c).last().copied())
                .filter(|v| v.is_finite())
        };
        let mut paints = vec![Paint::idle(); g.nodes.len()];
        for (s, svc) in sc.services.iter().enumerate() {
            let i = g.service(s);
            let c = self.columns[i].clone();
            let counts = report.services.get(&svc.name).map_or((0, 0), answered);
            let failed = self.delta(i, counts);
            let threads = c
                .threads
                .and_then(|(col, total)| last(Some(col)).map(|b| b / total));
            let load = Load {
                busy: last(c.load),
                threads,
                lag: last(c.lag),
            };
            paints[i] = service_paint(load, last(c.refused), failed);
        }
        for (p, pool) in sc.pools.iter().enumerate() {
            let i = g.pool(p);
            let c = self.columns[i].clone();
            let owner = &sc.services[pool.service as usize].name;
            let instances = report
                .services
                .get(owner)
                .and_then(|s| s.pools.get(&pool.name))
                .map_or(1, |r| r.instances.max(1));
            let permits = f64::from(pool.size.max(1)) * f64::from(instances);
            let used = last(c.load).map(|v| v / permits);
            paints[i] = pool_paint(used, last(c.waiting));
        }
        for q in 0..sc.queues.len() {
            let i = g.queue(q);
            paints[i] = queue_paint(last(self.columns[i].load));
        }
        for (w, wl) in sc.workloads.iter().enumerate() {
            let r = report.workloads.get(&wl.name);
            let counts = r.map_or((0, 0), |r| (r.requests.completed, r.requests.failed));
            let failed = self.delta(w, counts);
            paints[w] = workload_paint(failed, r.and_then(attempts));
        }
        for c in 0..sc.caches.len() {
            paints[g.cache(c)] = cache_paint(report.caches.0.get(c).and_then(|x| x.1.hit_ratio));
        }
        mark_faults(sc, g, &mut paints, Some(now_s));
        mark_live_bottleneck(g, sc, &mut paints, series, &self.columns);
        let edges = (0..g.edges.len())
            .map(|e| {
                let counts = edge_counts(sc, g, report, e);
                let failed = counts.and_then(|c| self.delta(g.nodes.len() + e, c));
                edge_level(failed)
            })
            .collect();
        Look {
            nodes: paints,
            edges,
        }
    }

    /// The failed share of the requests counted since the previous paint (`None`: none ended).
    fn delta(&mut self, i: usize, now: (u64, u64)) -> Option<f64> {
        let (ok0, bad0) = self.counts[i];
        self.counts[i] = now;
        let ok = now.0.saturating_sub(ok0);
        let bad = now.1.saturating_sub(bad0);
        (ok + bad > 0).then(|| bad as f64 / (ok + bad) as f64)
    }
}

/// A service's answers in the measured window: (ok, failed), refusals at its ingress counted
/// as failures (outage losses and expired drops are in `served_failed` already).
fn answered(r: &loopsim_core::report::ServiceReport) -> (u64, u64) {
    let ingress: u64 = r
        .refused
        .0
        .iter()
        .filter(|(k, _)| k != "lost" && k != "dropped_expired")
        .map(|(_, n)| *n)
        .sum();
    (r.served_ok, r.served_failed + ingress)
}

/// (ok, failed) of the requests an edge carries: a workload's, or its call sites' (`None`
/// for edges that carry no request of their own).
fn edge_counts(sc: &Scenario, g: &Graph, report: &Report, e: usize) -> Option<(u64, u64)> {
    let edge = &g.edges[e];
    match edge.kind {
        EdgeKind::Request => {
            let w = report.workloads.get(&sc.workloads.get(edge.from)?.name)?;
            Some((w.requests.completed, w.requests.failed))
        }
        EdgeKind::Call => {
            let mut sum = (0, 0);
            for (name, site) in &report.call_sites.0 {
                let base = name.split(" #").next().unwrap_or(name);
                if edge.sites.iter().any(|s| s == base || s == name) {
                    sum.0 += site.ok;
                    sum.1 += site.failed;
                }
            }
            Some(sum)
        }
        _ => None,
    }
}

/// An edge is grey until a hundredth of its requests fail.
fn edge_level(failed: Option<f64>) -> Level {
    match failed {
        Some(f) if f >= 0.01 => Level::of_errors(f),
        Some(_) => Level::Ok,
        None => Level::Idle,
    }
}

fn failed_text(share: Option<f64>) -> String {
    match share {
        Some(e) if e > 0.0 => format!("{} failed", percent_min(e)),
        _ => String::new(),
    }
}

/// A percentage that does not round a few failures down to `0%`.
fn percent_min(e: f64) -> String {
    if e > 0.0 && e < 0.005 {
        String::from("<1%")
    } else {
        percent(e)
    }
}

/// A service's load: its loops' busy share, its threads' (when it offloads), its loop lag.
struct Load {
    busy: Option<f64>,
    threads: Option<f64>,
    lag: Option<f64>,
}

fn service_paint(l: Load, refused_rps: Option<f64>, failed: Option<f64>) -> Paint {
    let mut p = Paint::idle();
    let Some(u) = l.busy else {
        return p;
    };
    p.level = Level::of_utilization(u);
    let mut load = format!("{} busy", percent(u));
    // Second line: threads, then failures, then refusals (the last to go when cut).
    let mut second = Vec::new();
    if let Some(t) = l.threads {
        p.level = p.level.max(Level::of_utilization(t));
        second.push(format!("threads {}", percent(t)));
    }
    if let Some(l) = l.lag {
        p.level = p.level.max(Level::of_lag(l));
        // Below 0.1 ms a loop's lag says nothing a reader needs.
        if l >= 1e-4 {
            load.push_str(&format!(" · lag {}", duration(l)));
        }
    }
    p.live[0] = load;
    let errs = failed_text(failed);
    if !errs.is_empty() {
        second.push(errs);
    }
    if let Some(e) = failed {
        p.level = p.level.max(Level::of_errors(e));
    }
    // Below 0.05/s it would print as 0.0/s.
    if let Some(r) = refused_rps.filter(|r| *r >= 0.05) {
        second.push(format!("{}/s refused", trim_rate(r)));
        p.level = p.level.max(Level::Busy);
    }
    p.live[1] = second.join(" · ");
    p
}

fn trim_rate(r: f64) -> String {
    if r >= 10.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

fn pool_paint(used: Option<f64>, waiting: Option<f64>) -> Paint {
    let mut p = Paint::idle();
    let Some(u) = used else {
        return p;
    };
    p.level = Level::of_utilization(u);
    p.live[0] = format!("{} in use", percent(u));
    if let Some(w) = waiting.filter(|w| *w > 0.0) {
        // Requests waiting means the pool was full while they waited.
        p.level = p.level.max(if w >= 5.0 { Level::Hot } else { Level::Busy });
        p.live[0].push_str(&format!(" · {} waiting", trim_rate(w)));
    }
    p
}

fn queue_paint(depth: Option<f64>) -> Paint {
    let mut p = Paint::idle();
    let Some(d) = depth else {
        return p;
    };
    p.level = if d >= 1000.0 {
        Level::Hot
    } else if d >= 100.0 {
        Level::Busy
    } else {
        Level::Ok
    };
    p.live[0] = format!("depth {d:.0}");
    p
}

/// Attempts per request of a workload so far, when its retries multiplied them noticeably.
fn attempts(r: &loopsim_core::report::WorkloadReport) -> Option<f64> {
    let q = &r.requests;
    let a = q.attempts as f64 / q.sent.max(1) as f64;
    (q.sent > 0 && a >= 1.05).then_some(a)
}

fn workload_paint(failed: Option<f64>, attempts: Option<f64>) -> Paint {
    let mut p = Paint::idle();
    let Some(e) = failed else {
        return p;
    };
    p.level = Level::of_errors(e);
    p.live[0] = if e > 0.0 {
        failed_text(Some(e))
    } else {
        String::from("all answered")
    };
    if let Some(a) = attempts {
        p.live[0].push_str(&format!(" · {a:.1} attempts/req"));
    }
    p
}

fn cache_paint(hit_ratio: Option<f64>) -> Paint {
    let mut p = Paint::idle();
    if let Some(h) = hit_ratio {
        p.level = Level::Ok;
        p.live[0] = format!("{} hits", percent(h));
    }
    p
}

/// The look from the finished report: measured-window figures, every fault, the diagnosis's
/// bottleneck, the edges by the failures of their requests.
pub fn final_look(sc: &Scenario, g: &Graph, report: &Report) -> Look {
    let mut paints = vec![Paint::idle(); g.nodes.len()];
    for (s, svc) in sc.services.iter().enumerate() {
        let Some(r) = report.services.get(&svc.name) else {
            continue;
        };
        let (ok, bad) = answered(r);
        let failed = (ok + bad > 0).then(|| bad as f64 / (ok + bad) as f64);
        let refused: u64 = r.refused.0.iter().map(|(_, n)| *n).sum();
        let refused_rps = (report.measured_s > 0.0).then(|| refused as f64 / report.measured_s);
        let load = Load {
            busy: r.utilization,
            threads: r.threadpool.utilization.filter(|_| graph::offloads(sc, s)),
            lag: r.loop_lag_s.p99,
        };
        paints[g.service(s)] = service_paint(load, refused_rps, failed);
    }
    for (p, pool) in sc.pools.iter().enumerate() {
        let owner = &sc.services[pool.service as usize].name;
        let r = report
            .services
            .get(owner)
            .and_then(|s| s.pools.get(&pool.name));
        let waiting = r.and_then(|r| r.queue.as_ref()).map(|q| q.mean);
        paints[g.pool(p)] = pool_paint(r.and_then(|r| r.utilization), waiting);
    }
    for (q, queue) in sc.queues.iter().enumerate() {
        if let Some(r) = report.queues.get(&queue.name) {
            let mut p = queue_paint(Some(r.depth_max as f64));
            p.live[0] = format!("depth max {}, end {}", r.depth_max, r.depth_end);
            paints[g.queue(q)] = p;
        }
    }
    for (w, wl) in sc.workloads.iter().enumerate() {
        if let Some(r) = report.workloads.get(&wl.name) {
            let done = r.requests.completed + r.requests.failed;
            let failed = (done > 0).then(|| r.requests.failed as f64 / done as f64);
            paints[w] = workload_paint(failed, attempts(r));
        }
    }
    for c in 0..sc.caches.len() {
        paints[g.cache(c)] = cache_paint(report.caches.0.get(c).and_then(|x| x.1.hit_ratio));
    }
    mark_faults(sc, g, &mut paints, None);
    mark_bottleneck(sc, g, report, &mut paints);
    let edges = (0..g.edges.len())
        .map(|e| {
            let failed = edge_counts(sc, g, report, e)
                .filter(|(ok, bad)| ok + bad > 0)
                .map(|(ok, bad)| bad as f64 / (ok + bad) as f64);
            edge_level(failed)
        })
        .collect();
    Look {
        nodes: paints,
        edges,
    }
}

/// The faults active at `now_s` (every fault of the run when `None`) on the boxes they hit.
fn mark_faults(sc: &Scenario, g: &Graph, paints: &mut [Paint], now_s: Option<f64>) {
    for f in &sc.faults {
        let (at, until) = (to_secs_f64(f.at), to_secs_f64(f.until));
        if let Some(now) = now_s {
            if now < at || now >= until {
                continue;
            }
        }
        let (node, mut text) = fault_target(sc, g, &f.kind);
        if now_s.is_none() {
            let end = if f.until >= sc.duration {
                String::from("end")
            } else {
                secs_short(until)
            };
            if until > at {
                text.push_str(&format!(" {}–{end}", secs_short(at).trim_end_matches(" s")));
            } else {
                text.push_str(&format!(" at {}", secs_short(at)));
            }
        }
        let Some(i) = node else { continue };
        let p = &mut paints[i];
        if !p.fault.is_empty() {
            p.fault.push_str(", ");
        }
        p.fault.push_str(&text);
        if now_s.is_some() {
            p.level = p.level.max(Level::Busy);
        }
    }
}

fn secs_short(s: f64) -> String {
    let t = format!("{s:.1}");
    format!("{} s", t.strip_suffix(".0").unwrap_or(&t))
}

/// The box a fault hits and a word for it.
fn fault_target(sc: &Scenario, g: &Graph, kind: &FaultKind) -> (Option<usize>, String) {
    let replica = |t: &ReplicaTarget| match t.replica {
        Some(r) => format!(" #{r}"),
        None => String::new(),
    };
    let network = |n: u32| {
        let services = sc.services.len() as u32;
        match n {
            0 => None,
            n if n <= services => Some(g.service(n as usize - 1)),
            n => Some(g.queue((n - 1 - services) as usize)),
        }
    };
    match kind {
        FaultKind::Slowdown { target, factor } => (
            Some(g.service(target.service as usize)),
            format!("slowdown ×{}{}", trim_factor(*factor), replica(target)),
        ),
        FaultKind::Outage { target } => (
            Some(g.service(target.service as usize)),
            format!("outage{}", replica(target)),
        ),
        FaultKind::Pause { target, .. } => (
            Some(g.service(target.service as usize)),
            format!("pause{}", replica(target)),
        ),
        FaultKind::Errors { service, rate, .. } => (
            Some(g.service(*service as usize)),
            format!("errors {}", percent(*rate)),
        ),
        FaultKind::Latency { from, to, .. } => {
            (network(*to).or(network(*from)), String::from("latency"))
        }
        FaultKind::Loss { from, to, .. } => (network(*to).or(network(*from)), String::from("loss")),
        FaultKind::Surge {
            workload, factor, ..
        } => (
            Some(*workload as usize),
            format!("surge ×{}", trim_factor(*factor)),
        ),
        FaultKind::Flush { cache } => (Some(g.cache(*cache as usize)), String::from("flush")),
    }
}

fn trim_factor(f: f64) -> String {
    let t = format!("{f:.1}");
    t.strip_suffix(".0").map(str::to_string).unwrap_or(t)
}

/// During a run: the busiest service of the latest interval, tagged once it is loaded.
fn mark_live_bottleneck(
    g: &Graph,
    sc: &Scenario,
    paints: &mut [Paint],
    series: &Series,
    columns: &[NodeColumns],
) {
    let busiest = (0..sc.services.len())
        .map(|s| g.service(s))
        .filter_map(|i| {
            let c = columns[i].load?;
            let v = *series.column(c).last()?;
            v.is_finite().then_some((i, v))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((i, u)) = busiest {
        if u >= 0.85 {
            paints[i].tag = Some("bottleneck");
        }
    }
}

/// After a run: the diagnosis's bottleneck (`api event loop`, `api/db pool`, `queue q
/// consumer`), else the most utilised service.
fn mark_bottleneck(sc: &Scenario, g: &Graph, report: &Report, paints: &mut [Paint]) {
    let stated = report
        .diagnosis
        .statements
        .iter()
        .find(|s| s.kind == Kind::Bottleneck);
    if let Some(st) = stated {
        let subject = st.subject.as_deref().unwrap_or("");
        if let Some(i) = subject_node(sc, g, subject) {
            let busy = st.figures.get("utilization").copied().unwrap_or(0.0);
            // A resource that is merely the busiest of an idle system is not worth a tag.
            paints[i].tag = if st.severity >= Severity::Warning {
                // The diagnosis found it saturated: its box says so whatever its average.
                paints[i].level = paints[i].level.max(Level::Hot);
                Some("bottleneck")
            } else {
                (busy >= 0.5).then_some("busiest")
            };
            return;
        }
    }
    let busiest = sc
        .services
        .iter()
        .enumerate()
        .filter_map(|(s, svc)| Some((s, report.services.get(&svc.name)?.utilization?)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((s, u)) = busiest.filter(|(_, u)| *u >= 0.5) {
        let i = g.service(s);
        paints[i].tag = Some(if u >= 0.85 { "bottleneck" } else { "busiest" });
    }
}

/// The box of a diagnosis subject, matched against the scenario's own names (names may hold
/// spaces or slashes, so the subject is never split).
pub fn subject_node(sc: &Scenario, g: &Graph, subject: &str) -> Option<usize> {
    for (p, pool) in sc.pools.iter().enumerate() {
        let owner = &sc.services[pool.service as usize].name;
        if subject == format!("{owner}/{} pool", pool.name) {
            return Some(g.pool(p));
        }
    }
    for (s, svc) in sc.services.iter().enumerate() {
        let n = &svc.name;
        let forms = [
            format!("{n} event loop"),
            format!("{n} thread pool"),
            format!("{n}/cores pool"),
            format!("{n}/gil pool"),
        ];
        if forms.iter().any(|f| f == subject) {
            return Some(g.service(s));
        }
    }
    for (q, queue) in sc.queues.iter().enumerate() {
        if subject == format!("queue {} consumer", queue.name) {
            return Some(g.queue(q));
        }
    }
    None
}
