//! A checked AsyncFlow payload as a native scenario (see `docs/asyncflow.md` for the mapping).
//!
//! The path AsyncFlow runs — generator → client → (load balancer →) server → client — becomes
//! a workload sending to a service for the AsyncFlow client, which calls the load balancer's
//! service or the server: the forwarding nodes hold no loop time, so every edge keeps its own
//! latency as a one-way network link (the server's answer travels its edge back to the caller,
//! and the forwarders' answers cross links of zero latency). Servers behind a load balancer
//! that are identical become one service with replicas and the native round-robin balancer.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::dist::{self, secs};
use super::model::*;
use crate::convert::wrap;
use crate::diag::Diagnostic;

/// Where a server of the payload went: a native service, and its replica when the servers
/// behind the load balancer became replicas of one service.
#[derive(Clone, Debug)]
struct Placed {
    service: String,
    replica: Option<usize>,
}

struct Plan<'p> {
    p: &'p Payload,
    client: String,
    balancer: Option<String>,
    /// Servers reached, in the order served (index into `p.servers`) and where each went.
    placed: Vec<(usize, Placed)>,
    /// Replicas: every server behind the balancer is one replica of this service.
    group: Option<(String, usize)>,
    out: Vec<Diagnostic>,
    names: Vec<String>,
    /// The warning about AsyncFlow's default 1% drop is given once, at the first such edge.
    told_default_dropout: bool,
}

pub fn render(p: &Payload, out: &mut Vec<Diagnostic>) -> Option<String> {
    let mut plan = Plan {
        p,
        client: String::new(),
        balancer: None,
        placed: Vec::new(),
        group: None,
        out: Vec::new(),
        names: Vec::new(),
        told_default_dropout: false,
    };
    let ok = plan.resolve();
    out.append(&mut plan.out);
    if !ok {
        return None;
    }
    let y = plan.yaml();
    out.append(&mut plan.out);
    Some(y)
}

/// A native service name for an AsyncFlow id: `/`, spaces and other punctuation become `-`;
/// `client` (the workloads' side) is taken; names stay unique.
fn native_name(id: &str, taken: &mut Vec<String>) -> String {
    let mut n: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    if n.is_empty() || n == "client" {
        n = format!("{n}-node").trim_start_matches('-').to_string();
    }
    let base = n.clone();
    let mut k = 2;
    while taken.contains(&n) {
        n = format!("{base}-{k}");
        k += 1;
    }
    taken.push(n.clone());
    n
}

fn path(name: &str) -> String {
    let body: String = name
        .trim_start_matches('/')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_./".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("/{body}")
}

impl<'p> Plan<'p> {
    fn edge_from(&self, source: &str) -> Vec<&'p Edge> {
        self.p.edges.iter().filter(|e| e.source == source).collect()
    }

    fn error(&mut self, at: crate::diag::Span, msg: String, hint: &str) {
        self.out
            .push(Diagnostic::error(at, msg).with_hint(hint.to_string()));
    }

    fn warn(&mut self, at: crate::diag::Span, msg: String, hint: &str) {
        self.out
            .push(Diagnostic::warning(at, msg).with_hint(hint.to_string()));
    }

    fn server_index(&self, id: &str) -> Option<usize> {
        self.p.servers.iter().position(|s| s.id == id)
    }

    /// Follows the path from the generator and decides the native services.
    fn resolve(&mut self) -> bool {
        let p = self.p;
        let gen = self.edge_from(&p.generator.id);
        match gen.as_slice() {
            [e] if e.target == p.client => {}
            _ => {
                self.error(p.generator.span, format!("AsyncFlow runs one edge from the generator `{}` to the client `{}`", p.generator.id, p.client), "add `{ id: gen-to-client, source: <generator>, target: <client>, latency: {...} }`");
                return false;
            }
        }
        self.client = native_name(&p.client, &mut self.names);
        let out = self.edge_from(&p.client);
        let Some(first) = out.first().copied() else {
            self.error(
                p.generator.span,
                format!("no edge leaves the client `{}`", p.client),
                "add an edge from the client to a server or the load balancer",
            );
            return false;
        };
        for extra in &out[1..] {
            self.warn(
                extra.span,
                format!(
                    "not mapped: edge `{}` (AsyncFlow's client forwards on its first edge only)",
                    extra.id
                ),
                "remove it, or route through a load balancer",
            );
        }
        let mut reached: Vec<usize> = Vec::new();
        if let Some(lb) = p.balancer.as_ref().filter(|lb| lb.id == first.target) {
            self.balancer = Some(native_name(&lb.id, &mut self.names));
            for e in self.edge_from(&lb.id) {
                match self.server_index(&e.target) {
                    Some(i) if lb.covered.contains(&e.target) => reached.push(i),
                    _ => self.warn(e.span, format!("not mapped: edge `{}` (its target is not a server the load balancer covers)", e.id), "AsyncFlow 0.1.1 only routes to `server_covered`"),
                }
            }
            for s in &lb.covered {
                if !reached.iter().any(|&i| &p.servers[i].id == s) {
                    self.error(
                        lb.span,
                        format!(
                            "the load balancer covers `{s}` but no edge goes from `{}` to it",
                            lb.id
                        ),
                        "add an edge from the load balancer to each covered server",
                    );
                }
            }
            if reached.is_empty() {
                self.error(
                    lb.span,
                    "the load balancer reaches no server".into(),
                    "list servers in `server_covered` and add edges to them",
                );
                return false;
            }
        } else if let Some(i) = self.server_index(&first.target) {
            reached.push(i);
        } else {
            self.error(
                first.span,
                format!(
                    "the client's edge goes to `{}`, which is not a server or the load balancer",
                    first.target
                ),
                "point it at a server or the load balancer",
            );
            return false;
        }
        for &i in &reached {
            let s = &p.servers[i];
            let back = self.edge_from(&s.id);
            if !back.iter().any(|e| e.target == p.client) {
                self.error(
                    s.span,
                    format!(
                        "no edge takes server `{}`'s answers back to the client `{}`",
                        s.id, p.client
                    ),
                    "add an edge from the server to the client",
                );
            }
        }
        for (i, s) in p.servers.iter().enumerate() {
            if !reached.contains(&i) {
                self.warn(
                    s.span,
                    format!("not mapped: server `{}` receives no requests", s.id),
                    "connect it to the client or cover it by the load balancer",
                );
            }
        }
        if self.out.iter().any(Diagnostic::is_error) {
            return false;
        }
        self.unused_edges(&reached, first);
        if let (Some(lb), None) = (&p.balancer, &self.balancer) {
            self.warn(
                lb.span,
                format!(
                    "not mapped: load balancer `{}` (the client's edge goes to `{}`)",
                    lb.id, first.target
                ),
                "point the client's edge at the load balancer to use it",
            );
        }
        if reached.len() > 1 && self.identical(&reached) {
            let name = native_name(&p.servers[reached[0]].id, &mut self.names);
            self.group = Some((name.clone(), reached.len()));
            for (k, &i) in reached.iter().enumerate() {
                self.placed.push((
                    i,
                    Placed {
                        service: name.clone(),
                        replica: Some(k),
                    },
                ));
            }
        } else {
            if reached.len() > 1 {
                let lb = p.balancer.as_ref().map(|b| b.span).unwrap_or_default();
                self.warn(lb, "the servers behind the load balancer differ: each is a service of its own, picked at random (equal shares) instead of in rotation".into(), "make them identical (resources, endpoints, edges) to get replicas behind loopsim's round-robin balancer");
            }
            for &i in &reached {
                let name = native_name(&p.servers[i].id, &mut self.names);
                self.placed.push((
                    i,
                    Placed {
                        service: name,
                        replica: None,
                    },
                ));
            }
        }
        true
    }

    /// A warning for each edge no request crosses (AsyncFlow 0.1.1 does not use it either),
    /// unless one was given already.
    fn unused_edges(&mut self, reached: &[usize], first: &Edge) {
        let p = self.p;
        let lb = p.balancer.as_ref().filter(|b| b.id == first.target);
        let used = |e: &Edge| {
            e.source == p.generator.id && e.target == p.client
                || e.id == first.id
                || lb.is_some_and(|b| e.source == b.id && b.covered.contains(&e.target))
                || reached.iter().any(|&i| {
                    let s = &p.servers[i].id;
                    p.edges
                        .iter()
                        .find(|x| &x.source == s && x.target == p.client)
                        .map(|x| &x.id)
                        == Some(&e.id)
                })
        };
        for e in &p.edges {
            let warned = self.out.iter().any(|d| d.span == e.span);
            if !used(e) && !warned {
                self.warn(
                    e.span,
                    format!("not mapped: edge `{}` from `{}` to `{}` (no request crosses it)", e.id, e.source, e.target),
                    "AsyncFlow 0.1.1 sends requests generator → client → (load balancer →) server → client only; remove it",
                );
            }
        }
    }

    /// Whether the servers can be replicas: same resources and endpoints, and the same edges
    /// from the balancer and back to the client.
    fn identical(&self, servers: &[usize]) -> bool {
        let p = self.p;
        let lb = p.balancer.as_ref().map(|b| b.id.as_str()).unwrap_or("");
        let key = |i: usize| {
            let s = &p.servers[i];
            let to = p.edges.iter().find(|e| e.source == lb && e.target == s.id);
            let back = p
                .edges
                .iter()
                .find(|e| e.source == s.id && e.target == p.client);
            let edge = |e: Option<&Edge>| {
                e.map(|e| {
                    (
                        e.latency.mean,
                        e.latency.distribution,
                        e.latency.variance,
                        e.dropout,
                    )
                })
            };
            (s.cores, s.ram_mb, s.endpoints.clone(), edge(to), edge(back))
        };
        let first = key(servers[0]);
        servers[1..].iter().all(|&i| key(i) == first)
    }

    fn link(&mut self, y: &mut String, from: &str, to: &str, e: &Edge) {
        let d = dist::duration(&e.latency);
        if let Some(n) = d.note {
            self.warn(
                e.latency.span,
                format!("edge `{}`: {n}", e.id),
                "see docs/asyncflow.md, random variables",
            );
        }
        y.push_str(&format!(
            "    - between: [{from}, {to}]   # edge {}\n      one_way: true\n      latency: {}\n",
            e.id, d.text
        ));
        if e.dropout > 0.0 {
            let why = if e.dropout_defaulted {
                "   # AsyncFlow's default dropout_rate"
            } else {
                ""
            };
            y.push_str(&format!("      loss: {}{why}\n", e.dropout));
        }
        if e.dropout_defaulted && !self.told_default_dropout {
            self.told_default_dropout = true;
            self.warn(
                e.span,
                format!(
                    "edge `{}` and every other edge without `dropout_rate` drop 1% of messages: AsyncFlow's default",
                    e.id
                ),
                "a dropped request is lost (AsyncFlow drops it silently); set `dropout_rate: 0` in the payload, or `loss: 0` on the links, for a lossless network",
            );
        }
    }

    fn yaml(&mut self) -> String {
        let p = self.p;
        let g = &p.generator;
        let mut y = String::new();
        y.push_str("# Converted by `loopsim convert` from an AsyncFlow 0.1.1 payload; the mapping and where\n# loopsim differs are in docs/asyncflow.md.\n");
        y.push_str("version: 1\n");
        y.push_str(&format!("name: \"AsyncFlow {}\"\n", yaml_text(&g.id)));
        // The rate at the mean user count: `active_users` scales it by each window's count
        // (clamped at 0 for a normal count), so the long-run rate is AsyncFlow's.
        let users = g.users.mean;
        let per_minute = users * g.per_user_per_minute;
        let servers: Vec<&str> = self
            .placed
            .iter()
            .map(|(i, _)| p.servers[*i].id.as_str())
            .collect();
        let route = match &p.balancer {
            Some(lb) if self.balancer.is_some() => {
                format!("then the load balancer `{}`, then ", lb.id)
            }
            _ => "then ".into(),
        };
        let description = format!(
            "Converted from AsyncFlow: {} users on average ({}, drawn again every {} s), each sending {} requests a minute, reach the client `{}`, {route}server{} {}; each server's answer goes straight back to the client. The mapping and where loopsim differs: docs/asyncflow.md.",
            g.users.mean,
            match g.users.distribution { Distribution::Normal => "normal", _ => "poisson" },
            g.window,
            g.per_user_per_minute,
            p.client,
            if servers.len() > 1 { "s" } else { "" },
            servers.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", "),
        );
        y.push_str("description: >-\n");
        for line in wrap(&yaml_text_keep(&description), 92) {
            y.push_str(&format!("  {line}\n"));
        }
        y.push_str("seed: 1\n");
        y.push_str(&format!("duration: {}\n", secs(p.duration)));
        y.push_str("workload:\n");
        y.push_str(&format!(
            "  - name: {}\n    to: {}\n    arrivals: poisson\n",
            yaml_text(&g.id),
            self.client
        ));
        y.push_str(&format!(
            "    rate: {}/min   # {users} users × {} requests a minute\n",
            per_minute, g.per_user_per_minute
        ));
        y.push_str(&format!(
            "    active_users: {{ mean: {}, dist: {}{}, every: {} }}   # user_sampling_window\n",
            g.users.mean,
            match g.users.distribution {
                Distribution::Normal => "normal",
                _ => "poisson",
            },
            match g.users.distribution {
                Distribution::Normal =>
                    format!(", sd: {}", g.users.variance.unwrap_or(g.users.mean)),
                _ => String::new(),
            },
            secs(g.window as f64)
        ));
        y.push_str("services:\n");
        self.forwarders(&mut y);
        self.servers(&mut y);
        y.push_str("network:\n  links:\n");
        self.links(&mut y);
        self.faults(&mut y);
        y
    }

    /// The call to a server's endpoints: uniformly at random among them, as AsyncFlow picks.
    fn calls(&self, service: &str, server: &Server, weight: f64) -> Vec<(f64, String)> {
        let n = server.endpoints.len() as f64;
        server
            .endpoints
            .iter()
            .map(|e| (weight / n, format!("{service}{}", path(&e.name))))
            .collect()
    }

    fn call_steps(y: &mut String, calls: &[(f64, String)]) {
        if let [(_, one)] = calls {
            y.push_str(&format!("        - call: {one}\n"));
            return;
        }
        y.push_str("        - branch:\n");
        for (w, c) in calls {
            y.push_str(&format!(
                "            - {{ weight: {w}, steps: [ {{ call: {c} }} ] }}\n"
            ));
        }
    }

    /// The client and the load balancer: services that forward, holding no loop time.
    fn forwarders(&mut self, y: &mut String) {
        let p = self.p;
        let first = &self.placed[0];
        let direct = self.calls(&first.1.service, &p.servers[first.0], 1.0);
        y.push_str(&format!(
            "  {}:   # AsyncFlow client: forwards each request\n    endpoints:\n      /:\n",
            self.client
        ));
        match &self.balancer {
            Some(lb) => {
                y.push_str(&format!("        - call: {lb}\n"));
                let algorithm = p.balancer.as_ref().map(|b| b.algorithm);
                y.push_str(&format!(
                    "  {lb}:   # AsyncFlow load balancer\n    endpoints:\n      /:\n"
                ));
                if self.group.is_some() {
                    Self::call_steps(y, &direct);
                } else {
                    let n = self.placed.len() as f64;
                    let calls: Vec<(f64, String)> = self
                        .placed
                        .iter()
                        .flat_map(|(i, pl)| self.calls(&pl.service, &p.servers[*i], 1.0 / n))
                        .collect();
                    Self::call_steps(y, &calls);
                }
                if algorithm == Some(Algorithm::LeastConnection) {
                    let span = p.balancer.as_ref().map(|b| b.span).unwrap_or_default();
                    self.warn(span, "least_connection: AsyncFlow 0.1.1 counts the messages in flight on each balancer→server edge; loopsim's least_connections counts the requests outstanding at each replica".into(), "see docs/asyncflow.md, load balancer");
                }
            }
            None => Self::call_steps(y, &direct),
        }
    }

    fn servers(&mut self, y: &mut String) {
        let p = self.p;
        let mut done: Vec<String> = Vec::new();
        for (i, pl) in self.placed.clone() {
            if done.contains(&pl.service) {
                continue;
            }
            done.push(pl.service.clone());
            let s = &p.servers[i];
            let ids: Vec<String> = self
                .placed
                .iter()
                .filter(|(_, q)| q.service == pl.service)
                .map(|(j, q)| match q.replica {
                    Some(r) => format!("{} = #{r}", p.servers[*j].id),
                    None => p.servers[*j].id.clone(),
                })
                .collect();
            y.push_str(&format!(
                "  {}:   # AsyncFlow server {}\n",
                pl.service,
                ids.join(", ")
            ));
            if let Some((_, n)) = &self.group {
                let lc =
                    p.balancer.as_ref().map(|b| b.algorithm) == Some(Algorithm::LeastConnection);
                y.push_str(&format!(
                    "    replicas: {n}\n    balance: {}\n",
                    if lc {
                        "least_connections"
                    } else {
                        "round_robin"
                    }
                ));
            }
            y.push_str(&format!(
                "    workers: {}   # cpu_cores: one event loop per core\n",
                s.cores
            ));
            if s.cores > 1 {
                self.warn(s.span, format!("server `{}`: {} cores become {} event loops, each with its own ready queue; AsyncFlow 0.1.1 queues every request for any free core", s.id, s.cores, s.cores), "see docs/asyncflow.md, CPU cores");
            }
            let rams: Vec<f64> = s
                .endpoints
                .iter()
                .map(Endpoint::ram)
                .filter(|&r| r > 0.0)
                .collect();
            let largest = rams.iter().cloned().fold(0.0, f64::max);
            let mut pool = false;
            if largest > 0.0 {
                y.push_str(&format!("    ram: {}MB\n", s.ram_mb));
                let size = libm::floor(s.ram_mb as f64 / largest) as u64;
                if size == 0 {
                    self.error(s.span, format!("server `{}` has {} MB of RAM but a request needs {largest} MB: AsyncFlow 0.1.1 would wait for it forever", s.id, s.ram_mb), "raise `ram_mb` or lower `necessary_ram`");
                } else if size < 1_000_000 {
                    pool = true;
                    y.push_str(&format!("    pools:\n      ram: {{ size: {size} }}   # {} MB / {largest} MB a request: AsyncFlow waits for RAM\n", s.ram_mb));
                    if rams.iter().any(|&r| r != largest) {
                        self.warn(s.span, format!("server `{}`: its endpoints reserve different amounts of RAM; the pool admits {size} requests at once, each counted as the largest ({largest} MB)", s.id), "see docs/asyncflow.md, RAM");
                    }
                }
            }
            y.push_str("    endpoints:\n");
            for e in &s.endpoints {
                y.push_str(&format!("      {}:\n", path(&e.name)));
                let steps = merged(&e.steps);
                let ram = e.ram();
                let indent = if pool && ram > 0.0 {
                    y.push_str("        - with: ram\n          steps:\n");
                    y.push_str(&format!("            - ram: {ram}MB\n"));
                    "            "
                } else {
                    if ram > 0.0 {
                        y.push_str(&format!("        - ram: {ram}MB\n"));
                    }
                    "        "
                };
                for st in steps {
                    match st {
                        Step::Cpu(t) => y.push_str(&format!("{indent}- cpu: {}\n", secs(t))),
                        Step::Io(t) => y.push_str(&format!("{indent}- io: {}\n", secs(t))),
                        Step::Ram(_) => {}
                    }
                }
            }
        }
    }

    fn caller(&self) -> String {
        self.balancer.clone().unwrap_or_else(|| self.client.clone())
    }

    fn links(&mut self, y: &mut String) {
        let p = self.p;
        let gen = self.edge_from(&p.generator.id)[0];
        let client = self.client.clone();
        self.link(y, "client", &client, gen);
        let first = self.edge_from(&p.client)[0];
        let target = self
            .balancer
            .clone()
            .unwrap_or_else(|| self.placed[0].1.service.clone());
        self.link(y, &client, &target, first);
        let caller = self.caller();
        let mut linked: Vec<(String, String)> = Vec::new();
        for (i, pl) in self.placed.clone() {
            let s = &p.servers[i];
            if let Some(lb) = &self.balancer {
                let lb_id = &p.balancer.as_ref().expect("balancer").id;
                let to = p
                    .edges
                    .iter()
                    .find(|e| &e.source == lb_id && e.target == s.id)
                    .expect("resolved");
                if !linked.contains(&(lb.clone(), pl.service.clone())) {
                    self.link(y, &lb.clone(), &pl.service, to);
                }
            }
            let back = p
                .edges
                .iter()
                .find(|e| e.source == s.id && e.target == p.client)
                .expect("resolved");
            if !linked.contains(&(pl.service.clone(), caller.clone())) {
                self.link(y, &pl.service, &caller, back);
            }
            linked.push((caller.clone(), pl.service.clone()));
            linked.push((pl.service.clone(), caller.clone()));
            if let Some(lb) = &self.balancer {
                linked.push((lb.clone(), pl.service.clone()));
            }
        }
    }

    /// The native link an edge became (`from->to`), and for one replica's edge its index among
    /// how many.
    fn edge_link(&self, e: &Edge) -> Option<(String, Option<(usize, usize)>)> {
        let p = self.p;
        if e.source == p.generator.id {
            return Some((format!("client->{}", self.client), None));
        }
        let place = |id: &str| {
            self.placed
                .iter()
                .find(|(i, _)| p.servers[*i].id == id)
                .map(|(_, pl)| pl.clone())
        };
        let of = |pl: &Placed| {
            pl.replica
                .map(|r| (r, self.group.as_ref().map_or(1, |g| g.1)))
        };
        if e.source == p.client {
            let first = self.edge_from(&p.client)[0];
            if first.id != e.id {
                return None;
            }
            let target = self
                .balancer
                .clone()
                .unwrap_or_else(|| self.placed[0].1.service.clone());
            return Some((format!("{}->{target}", self.client), None));
        }
        if let (Some(lb), Some(b)) = (&self.balancer, &p.balancer) {
            if e.source == b.id {
                let pl = place(&e.target)?;
                return Some((format!("{lb}->{}", pl.service), of(&pl)));
            }
        }
        let pl = place(&e.source)?;
        (e.target == p.client).then(|| (format!("{}->{}", pl.service, self.caller()), of(&pl)))
    }

    fn faults(&mut self, y: &mut String) {
        let p = self.p;
        let mut lines: Vec<String> = Vec::new();
        for ev in &p.events {
            let at = secs(ev.start);
            let length = secs(ev.end.min(p.duration) - ev.start);
            match ev.kind {
                EventKind::Spike { spike } => {
                    let edge = p.edges.iter().find(|e| e.id == ev.target).expect("checked");
                    let Some((target, replica)) = self.edge_link(edge) else {
                        self.warn(
                            ev.span,
                            format!(
                                "not mapped: event `{}` (edge `{}` carries no requests)",
                                ev.id, edge.id
                            ),
                            "AsyncFlow 0.1.1 never uses this edge either",
                        );
                        continue;
                    };
                    let add = match replica {
                        // One replica's edge: each request through the link has a 1-in-n chance of
                        // having gone through that replica (the rotation gives each 1/n of them).
                        Some((r, n)) if n > 1 => {
                            let values: Vec<String> = (0..n)
                                .map(|k| if k == r { secs(spike) } else { "0s".into() })
                                .collect();
                            format!("{{ dist: empirical, values: [{}] }}", values.join(", "))
                        }
                        _ => secs(spike),
                    };
                    lines.push(format!("  - {{ at: {at}, for: {length}, kind: latency, target: {target}, add: {add} }}   # {}", ev.id));
                }
                EventKind::Down => {
                    let covered = p
                        .balancer
                        .as_ref()
                        .is_some_and(|b| b.covered.contains(&ev.target) && self.balancer.is_some());
                    let pl = self
                        .placed
                        .iter()
                        .find(|(i, _)| p.servers[*i].id == ev.target)
                        .map(|x| x.1.clone());
                    match pl.filter(|_| covered) {
                        None => self.warn(ev.span, format!("not mapped: event `{}`: AsyncFlow 0.1.1 only takes a server out of a load balancer's rotation, and no load balancer routes to `{}`, so the event has no effect", ev.id, ev.target), "cover the server by the load balancer"),
                        Some(pl) => {
                            let target = match pl.replica {
                                Some(r) => format!("{}#{r}", pl.service),
                                None => pl.service.clone(),
                            };
                            self.warn(ev.span, format!("event `{}`: AsyncFlow lets the requests already on `{}` finish; a loopsim outage loses them (a handful at this load)", ev.id, ev.target), "see docs/asyncflow.md, events");
                            lines.push(format!("  - {{ at: {at}, for: {length}, kind: outage, target: {target} }}   # {}", ev.id));
                        }
                    }
                }
            }
        }
        if !lines.is_empty() {
            y.push_str("faults:\n");
            for l in lines {
                y.push_str(&l);
                y.push('\n');
            }
        }
    }
}

/// Steps with consecutive CPU steps merged (AsyncFlow holds the core across them) and
/// consecutive I/O steps merged; `ram` steps are reserved up front and dropped here.
fn merged(steps: &[Step]) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::new();
    for s in steps {
        match (*s, out.last_mut()) {
            (Step::Ram(_), _) => {}
            (Step::Cpu(t), Some(Step::Cpu(u))) => *u += t,
            (Step::Io(t), Some(Step::Io(u))) => *u += t,
            (s, _) => out.push(s),
        }
    }
    out
}

/// Description text safe in a folded block scalar: ids are already reduced by [`yaml_text`]
/// where they are names; here control characters and `#` (a comment after a space) go.
fn yaml_text_keep(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() || c == '#' { ' ' } else { c })
        .collect()
}

/// Text safe inside double quotes and as a plain YAML scalar (ids are names: no quotes,
/// colons or control characters survive).
fn yaml_text(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_. /".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect()
}
