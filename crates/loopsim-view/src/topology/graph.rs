//! The topology as a graph: who sends requests to whom, read from the scenario as typed.
//!
//! Nodes are the things a student names in a scenario (workloads, services, queues, declared
//! pools, caches); edges are what connects them (a workload's requests, `call`, `publish`, a
//! queue's consumer, dead letters, `with` blocks, `cache:` steps, and `network.links` that no
//! request crosses). Parallel edges of one kind between two nodes are merged: the diagram shows
//! that `gateway` calls `payments`, the tooltip lists the endpoints.

use loopsim_core::health::format::{duration, nanos};
use loopsim_core::scenario::{
    Arrivals, CacheScope, CallPolicy, EvictionPolicy, Link, Scenario, Scope, Step,
};

/// What a node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Workload,
    Service,
    Queue,
    Pool,
    Cache,
}

impl NodeKind {
    /// The CSS class suffix and the word in tooltips.
    pub fn name(self) -> &'static str {
        match self {
            NodeKind::Workload => "workload",
            NodeKind::Service => "service",
            NodeKind::Queue => "queue",
            NodeKind::Pool => "pool",
            NodeKind::Cache => "cache",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    /// The scenario's name (untrusted text: escape it wherever it is shown).
    pub name: String,
    /// One short line under the name: capacity or arrivals.
    pub detail: String,
    /// The service a click on this node focuses (a pool's owner; `None` for the others).
    pub service: Option<String>,
    /// The longest live figures the box must hold (its width is sized for them).
    pub live_template: &'static str,
}

/// What an edge stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    /// A workload's requests.
    Request,
    Call,
    Publish,
    /// A queue delivering to its consumer.
    Consume,
    DeadLetter,
    /// A service's `with` block on one of its pools.
    Holds,
    /// `cache:` or `invalidate:` steps.
    Cache,
    /// A `network.links` override between two nodes no request edge joins.
    Link,
}

impl EdgeKind {
    pub fn name(self) -> &'static str {
        match self {
            EdgeKind::Request => "request",
            EdgeKind::Call => "call",
            EdgeKind::Publish => "publish",
            EdgeKind::Consume => "consume",
            EdgeKind::DeadLetter => "dead-letter",
            EdgeKind::Holds => "holds",
            EdgeKind::Cache => "cache",
            EdgeKind::Link => "link",
        }
    }

    /// Whether the edge orders the layers (a link says nothing about who calls whom).
    pub fn is_flow(self) -> bool {
        self != EdgeKind::Link
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
    /// Short lines drawn beside the edge: the guards, then the link's latency and loss.
    pub label: Vec<String>,
    /// What the edge carries, for the tooltip (`gateway/checkout → payments/charge`, …).
    pub tip: Vec<String>,
    /// The report's call sites a `call` edge stands for (`caller/path → target/path`; the
    /// report numbers repeats `#2`…), to colour it by their failures.
    pub sites: Vec<String>,
}

/// The whole diagram's content. Node indices: workloads, services, queues, pools, caches, each
/// in declaration order ([`Graph::service`] etc. map a scenario index to a node).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    first_service: usize,
    first_queue: usize,
    first_pool: usize,
    first_cache: usize,
}

impl Graph {
    pub fn service(&self, s: usize) -> usize {
        self.first_service + s
    }
    pub fn queue(&self, q: usize) -> usize {
        self.first_queue + q
    }
    pub fn pool(&self, p: usize) -> usize {
        self.first_pool + p
    }
    pub fn cache(&self, c: usize) -> usize {
        self.first_cache + c
    }
    /// The node of a service by name.
    pub fn service_named(&self, name: &str) -> Option<usize> {
        (self.first_service..self.first_queue).find(|&i| self.nodes[i].name == name)
    }
}

/// The graph of a validated scenario.
pub fn build(sc: &Scenario) -> Graph {
    let mut g = Graph::default();
    for w in &sc.workloads {
        let mut n = node(NodeKind::Workload, &w.name, arrivals(&w.arrivals));
        let retries = sc
            .policies
            .get(w.policy as usize)
            .and_then(|p| p.retry.as_ref())
            .is_some_and(|r| r.attempts > 1);
        if retries {
            n.live_template = "100% failed · 9.9 attempts/req";
        }
        g.nodes.push(n);
    }
    g.first_service = g.nodes.len();
    for (i, s) in sc.services.iter().enumerate() {
        let mut n = node(NodeKind::Service, &s.name, capacity(s));
        n.service = Some(s.name.clone());
        if offloads(sc, i) {
            // Its second line starts with its threads' use.
            n.live_template = "threads 100% · 10% failed";
        }
        g.nodes.push(n);
    }
    g.first_queue = g.nodes.len();
    for q in &sc.queues {
        let detail = match (q.consumer, q.partitions) {
            (None, _) => String::from("queue, no consumer"),
            (Some(_), Some(p)) => format!("queue, {p} partitions"),
            (Some(_), None) => format!("queue, {} at a time per replica", q.concurrency),
        };
        g.nodes.push(node(NodeKind::Queue, &q.name, detail));
    }
    g.first_pool = g.nodes.len();
    for p in &sc.pools {
        let scope = match p.scope {
            Scope::Worker => "per worker",
            Scope::Replica => "per replica",
            Scope::Service => "shared",
        };
        let owner = sc.services[p.service as usize].name.clone();
        let mut n = node(
            NodeKind::Pool,
            &p.name,
            format!("pool, {} permits {scope}", p.size),
        );
        n.service = Some(owner);
        g.nodes.push(n);
    }
    g.first_cache = g.nodes.len();
    // A pool sits beside the service that declares it, used or not.
    for (i, p) in sc.pools.iter().enumerate() {
        let (from, to) = (g.service(p.service as usize), g.pool(i));
        let tip = format!(
            "{} declares {}",
            sc.services[p.service as usize].name, p.name
        );
        connect(&mut g, from, to, EdgeKind::Holds, &[], tip);
    }
    for c in &sc.caches {
        let policy = match c.policy {
            EvictionPolicy::Lru => "LRU",
            EvictionPolicy::Lfu => "LFU",
            EvictionPolicy::Fifo => "FIFO",
            EvictionPolicy::Random => "random",
        };
        let scope = match c.scope {
            CacheScope::Shared => "shared",
            CacheScope::Replica => "per replica",
        };
        let detail = format!("cache, {policy} {} entries, {scope}", c.capacity);
        g.nodes.push(node(NodeKind::Cache, &c.name, detail));
    }
    requests(sc, &mut g);
    steps(sc, &mut g);
    queues(sc, &mut g);
    links(sc, &mut g);
    g
}

/// Whether any endpoint of service `s` runs work on its thread pool (then its threads' use
/// is worth showing).
pub fn offloads(sc: &Scenario, s: usize) -> bool {
    sc.services[s].endpoints.iter().any(|&e| {
        sc.endpoints[e as usize]
            .steps
            .iter()
            .any(|st| matches!(st, Step::Offload(_) | Step::OffloadSplit { .. }))
    })
}

fn node(kind: NodeKind, name: &str, detail: String) -> Node {
    Node {
        kind,
        name: name.to_string(),
        detail,
        service: None,
        live_template: "100% busy · lag 999 ms",
    }
}

fn arrivals(a: &Arrivals) -> String {
    match a {
        Arrivals::Poisson(r) | Arrivals::Constant(r) => {
            let (lo, hi) = r
                .points
                .iter()
                .fold((f64::INFINITY, 0.0f64), |(lo, hi), p| {
                    (lo.min(p.rate), hi.max(p.rate))
                });
            if r.points.len() > 1 && lo < hi {
                format!("workload, {}–{} req/s", trim(lo), trim(hi))
            } else {
                format!("workload, {} req/s", trim(hi))
            }
        }
        Arrivals::Closed { users, .. } => {
            format!(
                "workload, {users} user{}",
                if *users == 1 { "" } else { "s" }
            )
        }
    }
}

fn capacity(s: &loopsim_core::scenario::Service) -> String {
    let replicas = match &s.autoscale {
        Some(a) => format!("{}–{} replicas", a.min, a.max),
        None => plural(s.replicas, "replica"),
    };
    let mut text = format!("{replicas} × {}", plural(s.workers, "worker"));
    if let Some(c) = s.cores {
        text.push_str(&format!(", {}", plural(c, "core")));
    }
    text
}

fn plural(n: u32, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// A rate without needless decimals: `100`, `0.5`, `12.3`.
fn trim(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// Adds an edge, or merges it into the one of the same kind between the same nodes.
fn connect(g: &mut Graph, from: usize, to: usize, kind: EdgeKind, label: &[String], tip: String) {
    let e = match g
        .edges
        .iter()
        .position(|e| e.from == from && e.to == to && e.kind == kind)
    {
        Some(i) => &mut g.edges[i],
        None => {
            g.edges.push(Edge {
                from,
                to,
                kind,
                label: Vec::new(),
                tip: Vec::new(),
                sites: Vec::new(),
            });
            g.edges.last_mut().expect("just pushed")
        }
    };
    for l in label {
        if !e.label.contains(l) {
            e.label.push(l.clone());
        }
    }
    if kind == EdgeKind::Call && !e.sites.contains(&tip) {
        e.sites.push(tip.clone());
    }
    if !e.tip.contains(&tip) && e.tip.len() < 12 {
        e.tip.push(tip);
    }
}

fn requests(sc: &Scenario, g: &mut Graph) {
    for (i, w) in sc.workloads.iter().enumerate() {
        let to = g.service(w.target as usize);
        let label = guards(sc.policies.get(w.policy as usize));
        let tip = format!(
            "workload {} → {}",
            w.name, sc.services[w.target as usize].name
        );
        connect(g, i, to, EdgeKind::Request, &label, tip);
    }
}

/// Edges of every endpoint's steps (branches, parallel blocks and fallbacks included: the
/// program is flat).
fn steps(sc: &Scenario, g: &mut Graph) {
    for e in &sc.endpoints {
        let s = e.service as usize;
        let from = g.service(s);
        let here = format!("{}{}", sc.services[s].name, e.path);
        for step in &e.steps {
            match step {
                Step::Call {
                    endpoint, policy, ..
                } => {
                    let target = &sc.endpoints[*endpoint as usize];
                    let to = g.service(target.service as usize);
                    let label = guards(sc.policies.get(*policy as usize));
                    let name = &sc.services[target.service as usize].name;
                    let tip = format!("{here} → {name}{}", target.path);
                    connect(g, from, to, EdgeKind::Call, &label, tip);
                }
                Step::Publish(q) => {
                    let to = g.queue(*q as usize);
                    let tip = format!("{here} publishes to {}", sc.queues[*q as usize].name);
                    connect(g, from, to, EdgeKind::Publish, &[], tip);
                }
                Step::Acquire(p) => {
                    let to = g.pool(*p as usize);
                    let tip = format!("{here} holds a {} permit", sc.pools[*p as usize].name);
                    connect(g, from, to, EdgeKind::Holds, &[], tip);
                }
                Step::CacheLookup(c) => {
                    let to = g.cache(c.cache as usize);
                    let tip = format!("{here} looks up {}", sc.caches[c.cache as usize].name);
                    connect(g, from, to, EdgeKind::Cache, &[], tip);
                }
                Step::CacheInvalidate { cache, .. } => {
                    let to = g.cache(*cache as usize);
                    let tip = format!("{here} invalidates {}", sc.caches[*cache as usize].name);
                    connect(g, from, to, EdgeKind::Cache, &[], tip);
                }
                _ => {}
            }
        }
    }
}

fn queues(sc: &Scenario, g: &mut Graph) {
    for (i, q) in sc.queues.iter().enumerate() {
        let from = g.queue(i);
        if let Some(c) = q.consumer {
            let ep = &sc.endpoints[c as usize];
            let to = g.service(ep.service as usize);
            let name = &sc.services[ep.service as usize].name;
            let tip = format!("{} delivers to {name}{}", q.name, ep.path);
            let label = [format!("{} max deliveries", q.max_deliveries)];
            let label = if q.max_deliveries > 1 {
                &label[..]
            } else {
                &[]
            };
            connect(g, from, to, EdgeKind::Consume, label, tip);
        }
        if let Some(d) = q.dead_letter {
            let to = g.queue(d as usize);
            let tip = format!(
                "{} sends dead letters to {}",
                q.name, sc.queues[d as usize].name
            );
            connect(g, from, to, EdgeKind::DeadLetter, &[], tip);
        }
    }
}

/// Network node (0 client, `1 + s` service, then queues) → graph nodes.
fn network_nodes(sc: &Scenario, g: &Graph, n: u32) -> Vec<usize> {
    let services = sc.services.len();
    match n as usize {
        0 => (0..sc.workloads.len()).collect(),
        s if s <= services => vec![g.service(s - 1)],
        q => vec![g.queue(q - 1 - services)],
    }
}

/// A link's latency and loss go on the edges between its two nodes; with none, the link gets
/// a dashed edge of its own (it still shapes a hop, e.g. a fault's).
fn links(sc: &Scenario, g: &mut Graph) {
    for link in &sc.network.links {
        let text = link_text(link);
        if text.is_empty() {
            continue;
        }
        let a = network_nodes(sc, g, link.between[0]);
        let b = network_nodes(sc, g, link.between[1]);
        let mut found = false;
        for e in g.edges.iter_mut().filter(|e| e.kind.is_flow()) {
            let joins = (a.contains(&e.from) && b.contains(&e.to))
                || (b.contains(&e.from) && a.contains(&e.to));
            if joins && !e.label.contains(&text) {
                e.label.push(text.clone());
                found = true;
            }
        }
        if !found {
            if let (Some(&x), Some(&y)) = (a.first(), b.first()) {
                connect(
                    g,
                    x,
                    y,
                    EdgeKind::Link,
                    std::slice::from_ref(&text),
                    format!("link: {text}"),
                );
            }
        }
    }
}

fn link_text(link: &Link) -> String {
    let mut parts = Vec::new();
    if let Some(l) = &link.latency {
        parts.push(duration(l.mean()));
    }
    if let Some(p) = link.loss {
        if p > 0.0 {
            parts.push(format!("{} loss", percent_short(p)));
        }
    }
    if let Some(b) = link.bandwidth {
        parts.push(format!("{} Mbit/s", trim(b * 8.0 / 1e6)));
    }
    parts.join(", ")
}

fn percent_short(p: f64) -> String {
    let v = p * 100.0;
    if v >= 1.0 {
        format!("{}%", trim(v))
    } else {
        let s = format!("{v:.3}");
        format!("{}%", s.trim_end_matches('0').trim_end_matches('.'))
    }
}

/// The guards of a workload or a call, in a few words: what decides whether a slow or failing
/// hop multiplies the load (`timeout 100 ms, 4 tries`).
fn guards(p: Option<&CallPolicy>) -> Vec<String> {
    let Some(p) = p else {
        return Vec::new();
    };
    let mut parts = Vec::new();
    if let Some(t) = p.timeout {
        parts.push(format!("timeout {}", nanos(t)));
    }
    if let Some(r) = &p.retry {
        if r.attempts > 1 {
            let budget = if r.budget.is_some() { " (budget)" } else { "" };
            parts.push(format!("{} tries{budget}", r.attempts));
        }
    }
    if p.deadline.is_some() {
        parts.push(String::from("deadline"));
    }
    if p.breaker.is_some() {
        parts.push(String::from("breaker"));
    }
    if p.hedge.is_some() {
        parts.push(String::from("hedge"));
    }
    if p.throttle.is_some() {
        parts.push(String::from("throttle"));
    }
    if p.risk.is_some() {
        parts.push(String::from("risk guard"));
    }
    if parts.is_empty() {
        Vec::new()
    } else {
        vec![parts.join(", ")]
    }
}
