//! The sections of an AsyncFlow payload: `rqs_input`, `topology_graph` (nodes and edges),
//! `sim_settings` and `events`, read with AsyncFlow 0.1.1's defaults and bounds, then checked
//! as a whole (edges between known nodes, the shape AsyncFlow runs: one path from the
//! generator through the client to the servers and back).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::model::*;
use super::read::{head, Reader};
use crate::diag::Span;
use crate::yaml::Node;

const CPU_KINDS: &[&str] = &["initial_parsing", "cpu_bound_operation"];
const IO_KINDS: &[&str] = &["io_task_spawn", "io_llm", "io_wait", "io_db", "io_cache"];

pub fn payload(r: &mut Reader, root: &Node) -> Option<Payload> {
    let what = "an AsyncFlow payload";
    let f = r.fields(
        root,
        what,
        &["rqs_input", "topology_graph", "sim_settings", "events"],
    )?;
    let generator = r
        .required(&f, "rqs_input", what, "{ id: rqs-1, ... }")
        .and_then(|n| generator(r, n));
    let graph = r
        .required(&f, "topology_graph", what, "{ nodes: ..., edges: ... }")
        .and_then(|n| graph(r, n));
    let duration = match f.get("sim_settings") {
        Some(n) => settings(r, n),
        None => Some(3600.0),
    };
    let events = match f.get("events") {
        Some(n) => events(r, n),
        None => Some(Vec::new()),
    };
    let (client, servers, balancer, edges) = graph?;
    let p = Payload {
        generator: generator?,
        client,
        servers,
        balancer,
        edges,
        duration: duration?,
        events: events?,
    };
    check(r, &p, root.span).then_some(p)
}

fn generator(r: &mut Reader, node: &Node) -> Option<Generator> {
    let what = "`rqs_input`";
    let f = r.fields(
        node,
        what,
        &[
            "id",
            "type",
            "avg_active_users",
            "avg_request_per_minute_per_user",
            "user_sampling_window",
        ],
    )?;
    let id = r
        .required(&f, "id", what, "rqs-1")
        .and_then(|n| r.text(n, "`id`"));
    let users = r
        .required(&f, "avg_active_users", what, "{ mean: 100 }")
        .and_then(|n| r.random_variable(n, "`avg_active_users`"));
    if let Some(u) = &users {
        if !matches!(u.distribution, Distribution::Poisson | Distribution::Normal) {
            r.error(
                u.span,
                "`avg_active_users` must be poisson or normal".into(),
                "AsyncFlow 0.1.1 samples the user count from one of these two",
            );
        }
    }
    let rpm = r
        .required(&f, "avg_request_per_minute_per_user", what, "{ mean: 20 }")
        .and_then(|n| r.random_variable(n, "`avg_request_per_minute_per_user`"));
    if let Some(v) = &rpm {
        if v.distribution != Distribution::Poisson {
            r.error(
                v.span,
                "`avg_request_per_minute_per_user` must be poisson".into(),
                "AsyncFlow 0.1.1 only accepts poisson here (its mean is the per-user rate)",
            );
        }
    }
    let window = match f.get("user_sampling_window") {
        Some(n) => r.whole(n, "`user_sampling_window`", 1, 120),
        None => Some(60),
    };
    Some(Generator {
        id: id?,
        users: users
            .filter(|u| matches!(u.distribution, Distribution::Poisson | Distribution::Normal))?,
        per_user_per_minute: rpm
            .filter(|v| v.distribution == Distribution::Poisson)?
            .mean,
        window: window?,
        span: node.span,
    })
}

type Graph = (String, Vec<Server>, Option<LoadBalancer>, Vec<Edge>);

fn graph(r: &mut Reader, node: &Node) -> Option<Graph> {
    let f = r.fields(node, "`topology_graph`", &["nodes", "edges"])?;
    let nodes = r.required(
        &f,
        "nodes",
        "`topology_graph`",
        "{ client: ..., servers: [...] }",
    )?;
    let edges_node = r.required(&f, "edges", "`topology_graph`", "[ ... ]");
    let nf = r.fields(nodes, "`nodes`", &["client", "servers", "load_balancer"])?;
    let client = r
        .required(&nf, "client", "`nodes`", "{ id: client-1 }")
        .and_then(|n| {
            let c = r.fields(n, "the client", &["id", "type"])?;
            r.required(&c, "id", "the client", "client-1")
                .and_then(|n| r.text(n, "the client's `id`"))
        });
    let servers = r
        .required(
            &nf,
            "servers",
            "`nodes`",
            "[ { id: srv-1, endpoints: [...] } ]",
        )
        .and_then(|n| r.list(n, "`servers`"))
        .map(|items| items.iter().map(|n| server(r, n)).collect::<Vec<_>>());
    let balancer = match nf.get("load_balancer") {
        None => Some(None),
        Some(n) => balancer(r, n).map(Some),
    };
    let edges = edges_node
        .and_then(|n| r.list(n, "`edges`"))
        .map(|items| items.iter().map(|n| edge(r, n)).collect::<Vec<_>>());
    let servers: Option<Vec<Server>> = servers?.into_iter().collect();
    let edges: Option<Vec<Edge>> = edges?.into_iter().collect();
    Some((client?, servers?, balancer?, edges?))
}

fn server(r: &mut Reader, node: &Node) -> Option<Server> {
    let what = "a server";
    let f = r.fields(node, what, &["id", "type", "server_resources", "endpoints"])?;
    let id = r
        .required(&f, "id", what, "srv-1")
        .and_then(|n| r.text(n, "the server's `id`"));
    let (mut cores, mut ram_mb) = (Some(1), Some(1024));
    if let Some(n) = f.get("server_resources") {
        if let Some(res) = r.fields(n, "`server_resources`", &["cpu_cores", "ram_mb"]) {
            if let Some(n) = res.get("cpu_cores") {
                cores = r.whole(n, "`cpu_cores`", 1, 1024);
            }
            if let Some(n) = res.get("ram_mb") {
                ram_mb = r.whole(n, "`ram_mb`", 256, 1 << 40);
            }
        }
    }
    let endpoints = r
        .required(
            &f,
            "endpoints",
            what,
            "[ { endpoint_name: /api, steps: [...] } ]",
        )
        .and_then(|n| r.list(n, "`endpoints`"))
        .map(|items| items.iter().map(|n| endpoint(r, n)).collect::<Vec<_>>());
    let endpoints: Vec<Endpoint> = endpoints?.into_iter().collect::<Option<_>>()?;
    if endpoints.is_empty() {
        r.error(
            node.span,
            "a server needs at least one endpoint".into(),
            "add `endpoints: [ { endpoint_name: /api, steps: [...] } ]`",
        );
        return None;
    }
    Some(Server {
        id: id?,
        cores: cores?,
        ram_mb: ram_mb?,
        endpoints,
        span: node.span,
    })
}

fn endpoint(r: &mut Reader, node: &Node) -> Option<Endpoint> {
    let what = "an endpoint";
    let f = r.fields(node, what, &["endpoint_name", "steps"])?;
    // AsyncFlow lowercases endpoint names.
    let name = r
        .required(&f, "endpoint_name", what, "/api")
        .and_then(|n| r.text(n, "`endpoint_name`"))
        .map(|s| s.to_lowercase());
    let steps = r
        .required(
            &f,
            "steps",
            what,
            "[ { kind: initial_parsing, step_operation: { cpu_time: 0.001 } } ]",
        )
        .and_then(|n| r.list(n, "`steps`"))
        .map(|items| items.iter().map(|n| step(r, n)).collect::<Vec<_>>());
    let steps: Vec<Step> = steps?.into_iter().collect::<Option<_>>()?;
    if steps.is_empty() {
        r.error(
            node.span,
            "an endpoint needs at least one step".into(),
            "add a step such as `{ kind: initial_parsing, step_operation: { cpu_time: 0.001 } }`",
        );
        return None;
    }
    Some(Endpoint { name: name?, steps })
}

fn step(r: &mut Reader, node: &Node) -> Option<Step> {
    let what = "a step";
    let f = r.fields(node, what, &["kind", "step_operation"])?;
    let kind_node = r.required(&f, "kind", what, "initial_parsing")?;
    let kind = kind_node.as_str().unwrap_or("");
    let (key, make): (&str, fn(f64) -> Step) = if CPU_KINDS.contains(&kind) {
        ("cpu_time", Step::Cpu)
    } else if IO_KINDS.contains(&kind) {
        ("io_waiting_time", Step::Io)
    } else if kind == "ram" {
        ("necessary_ram", Step::Ram)
    } else {
        r.error(
            kind_node.span,
            format!("unknown step kind `{}`", super::read::one_line(kind)),
            "AsyncFlow 0.1.1 kinds: initial_parsing, cpu_bound_operation (cpu_time); ram (necessary_ram); io_task_spawn, io_llm, io_wait, io_db, io_cache (io_waiting_time)",
        );
        return None;
    };
    let op = r.required(&f, "step_operation", what, &format!("{{ {key}: ... }}"))?;
    let opf = r.fields(op, "`step_operation`", &[key])?;
    let value = r.required(
        &opf,
        key,
        &format!("a `{kind}` step's `step_operation`"),
        "0.001",
    )?;
    let unit = if key == "necessary_ram" {
        "`necessary_ram` (MB)"
    } else {
        key
    };
    let v = r.number(value, &format!("`{unit}`"), 0.0, true, f64::INFINITY)?;
    Some(make(v))
}

fn balancer(r: &mut Reader, node: &Node) -> Option<LoadBalancer> {
    let what = "the load balancer";
    let f = r.fields(node, what, &["id", "type", "algorithms", "server_covered"])?;
    let id = r
        .required(&f, "id", what, "lb-1")
        .and_then(|n| r.text(n, "the load balancer's `id`"));
    let algorithm = match f.get("algorithms") {
        None => Some(Algorithm::RoundRobin),
        Some(n) => match n.as_str() {
            Some("round_robin") => Some(Algorithm::RoundRobin),
            Some("least_connection") => Some(Algorithm::LeastConnection),
            _ => {
                r.error(
                    n.span,
                    "unknown `algorithms`".into(),
                    "AsyncFlow 0.1.1 has round_robin (the default) and least_connection",
                );
                None
            }
        },
    };
    let mut covered = Vec::new();
    if let Some(n) = f.get("server_covered") {
        for item in r.list(n, "`server_covered`")? {
            let s = r.text(item, "a covered server")?;
            if !covered.contains(&s) {
                covered.push(s);
            }
        }
    }
    Some(LoadBalancer {
        id: id?,
        algorithm: algorithm?,
        covered,
        span: node.span,
    })
}

fn edge(r: &mut Reader, node: &Node) -> Option<Edge> {
    let what = "an edge";
    let f = r.fields(
        node,
        what,
        &[
            "id",
            "source",
            "target",
            "latency",
            "dropout_rate",
            "edge_type",
        ],
    )?;
    let id = r
        .required(&f, "id", what, "client-to-server")
        .and_then(|n| r.text(n, "the edge's `id`"));
    let source = r
        .required(&f, "source", what, "client-1")
        .and_then(|n| r.text(n, "`source`"));
    let target = r
        .required(&f, "target", what, "srv-1")
        .and_then(|n| r.text(n, "`target`"));
    let latency = r
        .required(
            &f,
            "latency",
            what,
            "{ mean: 0.003, distribution: exponential }",
        )
        .and_then(|n| r.random_variable(n, "the edge's `latency`"));
    let dropout = match f.get("dropout_rate") {
        Some(n) => r.number(n, "`dropout_rate`", 0.0, false, 1.0),
        None => Some(0.01),
    };
    if let Some(l) = &latency {
        if l.mean <= 0.0 {
            r.error(
                l.span,
                "an edge's latency `mean` must be above 0".into(),
                "AsyncFlow 0.1.1 rejects it too",
            );
            return None;
        }
    }
    Some(Edge {
        id: id?,
        source: source?,
        target: target?,
        latency: latency?,
        dropout: dropout?,
        dropout_defaulted: f.get("dropout_rate").is_none(),
        span: node.span,
    })
}

fn settings(r: &mut Reader, node: &Node) -> Option<f64> {
    let what = "`sim_settings`";
    let f = r.fields(node, what, &["total_simulation_time"])?;
    match f.get("total_simulation_time") {
        Some(n) => r
            .whole(n, "`total_simulation_time` (s)", 5, 30 * 86_400)
            .map(|v| v as f64),
        None => Some(3600.0),
    }
}

fn events(r: &mut Reader, node: &Node) -> Option<Vec<Event>> {
    let items = r.list(node, "`events`")?;
    let all: Vec<Option<Event>> = items.iter().map(|n| event(r, n)).collect();
    all.into_iter().collect()
}

fn event(r: &mut Reader, node: &Node) -> Option<Event> {
    let what = "an event";
    let f = r.fields(node, what, &["event_id", "target_id", "start", "end"])?;
    let id = r
        .required(&f, "event_id", what, "ev-1")
        .and_then(|n| r.text(n, "`event_id`"));
    let target = r
        .required(&f, "target_id", what, "srv-1")
        .and_then(|n| r.text(n, "`target_id`"));
    let start = r.required(&f, "start", what, "{ kind: server_down, t_start: 60 }")?;
    let end = r.required(&f, "end", what, "{ kind: server_up, t_end: 120 }")?;
    let sf = r.fields(start, "an event's `start`", &["kind", "t_start", "spike_s"])?;
    let ef = r.fields(end, "an event's `end`", &["kind", "t_end"])?;
    let start_kind = r.required(&sf, "kind", "an event's `start`", "server_down")?;
    let end_kind = r.required(&ef, "kind", "an event's `end`", "server_up")?;
    let t_start = r
        .required(&sf, "t_start", "an event's `start`", "60")
        .and_then(|n| r.number(n, "`t_start`", 0.0, false, f64::INFINITY));
    let t_end = r
        .required(&ef, "t_end", "an event's `end`", "120")
        .and_then(|n| r.number(n, "`t_end`", 0.0, true, f64::INFINITY));
    let kind = match (start_kind.as_str(), end_kind.as_str()) {
        (Some("server_down"), Some("server_up")) => {
            if let Some(n) = sf.get("spike_s") {
                r.error(
                    n.span,
                    "`spike_s` belongs to network spikes".into(),
                    "remove it from a `server_down` event",
                );
                return None;
            }
            EventKind::Down
        }
        (Some("network_spike_start"), Some("network_spike_end")) => {
            let n = r.required(&sf, "spike_s", "a network spike's `start`", "0.015")?;
            EventKind::Spike {
                spike: r.number(n, "`spike_s`", 0.0, true, f64::INFINITY)?,
            }
        }
        _ => {
            r.error(
                start_kind.span,
                "an event's start and end kinds must pair up".into(),
                "use `server_down` … `server_up`, or `network_spike_start` … `network_spike_end`",
            );
            return None;
        }
    };
    let (t_start, t_end) = (t_start?, t_end?);
    if t_end <= t_start {
        r.error(
            end.span,
            format!("`t_end` ({t_end}) must be after `t_start` ({t_start})"),
            "AsyncFlow 0.1.1 rejects it too",
        );
        return None;
    }
    Some(Event {
        id: id?,
        target: target?,
        kind,
        start: t_start,
        end: t_end,
        span: node.span,
    })
}

/// Whole-payload checks: unique ids, edges between known nodes, the path AsyncFlow runs.
fn check(r: &mut Reader, p: &Payload, span: Span) -> bool {
    let before = r.out.iter().filter(|d| d.is_error()).count();
    let mut ids: Vec<&str> = Vec::new();
    let mut names: Vec<(&str, Span)> = alloc::vec![
        (p.generator.id.as_str(), p.generator.span),
        (p.client.as_str(), head(span))
    ];
    names.extend(p.servers.iter().map(|s| (s.id.as_str(), s.span)));
    if let Some(lb) = &p.balancer {
        names.push((lb.id.as_str(), lb.span));
    }
    for (id, at) in names {
        if ids.contains(&id) {
            r.error(
                at,
                format!("the node id `{id}` is used twice"),
                "give every node (generator, client, servers, load balancer) its own id",
            );
        }
        ids.push(id);
    }
    let mut edge_ids: Vec<&str> = Vec::new();
    for e in &p.edges {
        if edge_ids.contains(&e.id.as_str()) {
            r.error(
                e.span,
                format!("the edge id `{}` is used twice", e.id),
                "give every edge its own id",
            );
        }
        edge_ids.push(&e.id);
        if e.source == e.target {
            r.error(
                e.span,
                format!("edge `{}` goes from `{}` to itself", e.id, e.source),
                "an edge joins two different nodes",
            );
        }
        for end in [&e.source, &e.target] {
            if !ids.contains(&end.as_str()) {
                r.error(
                    e.span,
                    format!("edge `{}` names `{end}`, which is no node", e.id),
                    "use the id of the generator, the client, a server or the load balancer",
                );
            }
        }
    }
    if let Some(lb) = &p.balancer {
        for s in &lb.covered {
            if !p.servers.iter().any(|x| &x.id == s) {
                r.error(
                    lb.span,
                    format!("`server_covered` names `{s}`, which is no server"),
                    "list the ids of servers",
                );
            }
        }
    }
    for ev in &p.events {
        let edge = p.edges.iter().any(|e| e.id == ev.target);
        let server = p.servers.iter().any(|s| s.id == ev.target);
        match ev.kind {
            EventKind::Spike { .. } if !edge => r.error(
                ev.span,
                format!(
                    "network spike `{}` targets `{}`, which is no edge",
                    ev.id, ev.target
                ),
                "give the id of an edge",
            ),
            EventKind::Down if !server => r.error(
                ev.span,
                format!(
                    "server event `{}` targets `{}`, which is no server",
                    ev.id, ev.target
                ),
                "give the id of a server",
            ),
            _ => {}
        }
        if ev.start >= p.duration {
            r.error(
                ev.span,
                format!(
                    "event `{}` starts at {} s, not before the end of the run ({} s)",
                    ev.id, ev.start, p.duration
                ),
                "AsyncFlow 0.1.1 rejects it too",
            );
        }
    }
    r.out.iter().filter(|d| d.is_error()).count() == before
}
