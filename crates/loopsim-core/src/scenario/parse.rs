//! From YAML text to a validated [`Scenario`], with located diagnostics.
//!
//! The reader walks the spanned YAML tree once and keeps going after a problem, so that one
//! run reports as many mistakes as possible, each at the node that causes it. Values that fail
//! to read become `None` and the dependent checks are skipped, which keeps one mistake from
//! producing a cascade of follow-up errors. Cross-reference and load checks live in
//! [`super::check`].

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

mod autoscale;
mod caches;
mod faults;
mod flow;
mod guards;
mod guide;
mod health;
mod queues;
mod services;
mod sweep;
mod text;
mod values;
mod workloads;

use super::check::{self, CallSite};
use super::keys;
use super::model::*;
use crate::diag::{self, Diagnostic, Fix, Span};
use crate::dist::Dist;
use crate::time::{Nanos, NANOS_PER_SEC};
use crate::yaml::{self, Node, NodeKind, YamlLimits};
use alloc::collections::BTreeSet;
use text::{default_sample_every, fmt_duration, list, nice_interval, suggest};
use values::{opening, Fields};

/// Bounds on what a scenario may ask for, so that untrusted input cannot make the parser or the
/// simulator run out of memory or time.
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    pub max_source_bytes: usize,
    /// YAML nodes after alias expansion.
    pub max_nodes: usize,
    pub max_depth: usize,
    pub max_services: usize,
    pub max_endpoints: usize,
    pub max_steps_per_endpoint: usize,
    pub max_workloads: usize,
    pub max_duration: Nanos,
    /// Requests the run may be expected to generate (open-loop rate integrals plus a bound on
    /// closed-loop throughput).
    pub max_expected_requests: f64,
    /// Requests per second of a single workload.
    pub max_rate: f64,
    pub max_users: u64,
    pub max_replicas: u64,
    pub max_workers: u64,
    pub max_threads: u64,
    /// Event loops in the whole system (Σ replicas × workers).
    pub max_total_workers: u64,
    /// Points of each time series (duration / sample_every).
    pub max_series_points: u64,
    /// Health records over all services (ticks × services), about 250 bytes each.
    pub max_health_records: u64,
    /// Entries of `faults`.
    pub max_faults: usize,
    /// State of the client-side guards (one set per workload, or per calling replica for a
    /// `call` step, each with its preallocated sliding windows), in bytes, estimated.
    pub max_guard_bytes: u64,
    /// Entries of `slo` (each is counted on every health tick).
    pub max_slos: usize,
}

impl Default for Limits {
    fn default() -> Self {
        let yaml = YamlLimits::default();
        Limits {
            max_source_bytes: yaml.max_source_bytes,
            max_nodes: yaml.max_nodes,
            max_depth: yaml.max_depth,
            max_services: 1000,
            max_endpoints: 10_000,
            max_steps_per_endpoint: 1000,
            max_workloads: 1000,
            max_duration: 30 * 24 * 3600 * NANOS_PER_SEC,
            max_expected_requests: 2e9,
            max_rate: 1e7,
            max_users: 1_000_000,
            max_replicas: 10_000,
            max_workers: 10_000,
            max_threads: 100_000,
            max_total_workers: 1_000_000,
            max_series_points: 100_000,
            max_health_records: 2_000_000,
            max_faults: 1000,
            max_guard_bytes: 256_000_000,
            max_slos: 100,
        }
    }
}

impl Limits {
    fn yaml(&self) -> YamlLimits {
        YamlLimits {
            max_source_bytes: self.max_source_bytes,
            max_nodes: self.max_nodes,
            max_depth: self.max_depth,
        }
    }
}

/// The outcome of checking a scenario: the scenario itself when there is no error, and every
/// diagnostic (errors and warnings) in source order.
#[derive(Clone, Debug, PartialEq)]
pub struct Checked {
    pub scenario: Option<Scenario>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Stop collecting after this many errors: past that point more of them rarely help.
const MAX_ERRORS: usize = 100;

/// Checks a scenario with the default [`Limits`].
pub fn check(source: &str) -> Checked {
    check_with(source, &Limits::default())
}

/// Parses and validates `source`, collecting every diagnostic it can in one pass.
pub fn check_with(source: &str, limits: &Limits) -> Checked {
    let root = match yaml::parse(source, &limits.yaml()) {
        Ok(root) => root,
        Err(d) => {
            return Checked {
                scenario: None,
                diagnostics: vec![d],
            }
        }
    };
    let mut reader = Reader {
        limits,
        source,
        diagnostics: Vec::new(),
        errors: 0,
        first_dropped: None,
        policies: alloc::vec![CallPolicy::default()],
        policy_spans: alloc::vec![Span::default()],
        queue_names: Vec::new(),
        caches: Vec::new(),
    };
    let scenario = reader.scenario(&root);
    let mut diagnostics = reader.diagnostics;
    diagnostics.sort_by_key(|d| (d.span.start, d.severity));
    if let Some(span) = reader.first_dropped {
        let note = format!(
            "too many errors: stopped after {MAX_ERRORS} (of {}); this is the next one",
            reader.errors
        );
        diagnostics.push(Diagnostic::error(span, note).with_hint("fix the errors above first"));
    }
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    Checked {
        scenario: scenario.filter(|_| !has_errors),
        diagnostics,
    }
}

/// Services and endpoints read so far, plus the resolved call edges.
#[derive(Default)]
struct ServiceTable {
    services: Vec<Service>,
    endpoints: Vec<Endpoint>,
    calls: Vec<CallSite>,
    pools: Vec<PoolSpec>,
}

/// A `call:` step whose target is resolved once every service has been read.
struct PendingCall<'n> {
    endpoint: EndpointId,
    step: usize,
    target: &'n str,
    span: Span,
}

/// Run-wide settings from the top level.
struct Run {
    name: String,
    description: String,
    seed: u64,
    duration: Option<Nanos>,
    duration_span: Span,
    warmup: Nanos,
    warmup_rule: WarmupRule,
    replications: u32,
    sample_every: Option<Nanos>,
    max_in_flight: u32,
}

const UNRESOLVED: EndpointId = EndpointId::MAX;

struct Reader<'l> {
    limits: &'l Limits,
    /// The scenario text, for locating the word a did-you-mean fix replaces.
    source: &'l str,
    diagnostics: Vec<Diagnostic>,
    errors: usize,
    /// Where the first error past [`MAX_ERRORS`] was found, if any.
    first_dropped: Option<Span>,
    /// Client-side guard policies read so far; index 0 is the empty policy.
    policies: Vec<CallPolicy>,
    /// Where each policy is defined (its workload or `call` step).
    policy_spans: Vec<Span>,
    /// The names of the queues (`queues:`), read before the services.
    queue_names: Vec<String>,
    /// Caches declared under `caches:` (read before the services, whose steps name them).
    caches: Vec<CacheSpec>,
}

impl Reader<'_> {
    /// Registers a client-side policy defined at `span` and returns its id (0 for the empty
    /// policy).
    fn add_policy(&mut self, policy: CallPolicy, span: Span) -> PolicyId {
        if policy.is_empty() {
            return 0;
        }
        self.policies.push(policy);
        self.policy_spans.push(span);
        (self.policies.len() - 1) as PolicyId
    }

    fn report(&mut self, d: Diagnostic) {
        if d.is_error() {
            self.errors += 1;
            if self.errors > MAX_ERRORS {
                self.first_dropped.get_or_insert(d.span);
                return;
            }
        }
        self.diagnostics.push(d);
    }

    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.report(Diagnostic::error(span, message));
    }

    fn error_hint(&mut self, span: Span, message: impl Into<String>, hint: impl Into<String>) {
        self.report(Diagnostic::error(span, message).with_hint(hint));
    }

    /// An error whose hint suggests `fix` (see [`Reader::fix`]).
    fn error_fix(
        &mut self,
        span: Span,
        message: impl Into<String>,
        hint: impl Into<String>,
        fix: Option<Fix>,
    ) {
        self.report(
            Diagnostic::error(span, message)
                .with_hint(hint)
                .with_fix(fix),
        );
    }

    /// The repair for a did-you-mean: `suggestion` in place of `word` where it is written
    /// inside `span` (`None` without a suggestion).
    fn fix(&self, span: Span, word: &str, suggestion: Option<&str>) -> Option<Fix> {
        diag::replace_word(self.source, span, word, suggestion?, false)
    }

    /// A "did you mean" suggestion, skipped once errors are no longer reported: a hostile
    /// scenario with thousands of misspelt names must not cost thousands of edit distances.
    fn did_you_mean<'c>(&self, word: &str, candidates: &[&'c str]) -> Option<&'c str> {
        if self.errors >= MAX_ERRORS {
            return None;
        }
        suggest(word, candidates)
    }

    // ---- the scenario --------------------------------------------------------------------

    fn scenario(&mut self, root: &Node) -> Option<Scenario> {
        if root.kind == NodeKind::Null {
            self.error_hint(
                root.span,
                "the scenario is empty",
                "start with `version: 1`",
            );
            return None;
        }
        let f = self.fields(root, "the scenario", &keys::TOP)?;
        self.version(&f);
        let run = self.run(&f);
        self.queue_names = self.queue_names(f.get("queues"));
        self.caches = self.read_caches(f.get("caches"));
        let mut table = self
            .required(&f, "services", "the scenario")
            .map(|n| self.services(n))?;
        self.check_cache_memory(&table);
        check::call_cycles(&table.services, &table.endpoints, &table.calls)
            .into_iter()
            .for_each(|d| self.report(d));
        let workloads = match self.required(&f, "workload", "the scenario") {
            Some(n) => self.workloads(n, &table, run.duration),
            None => Vec::new(),
        };
        let queues = self.queues(f.get("queues"), &table);
        self.autoscale_queue_metrics(&table.services, &table.endpoints, &queues);
        let network = self.network(f.get("network"), &table);
        let declared = match f.get("workload").map(|n| &n.kind) {
            Some(NodeKind::Seq(items)) => items.len(),
            _ => 0,
        };
        let targets = faults::Targets {
            table: &table,
            workloads: &workloads,
            every_workload: workloads.len() == declared,
            duration: run.duration,
        };
        let faults = self.faults(f.get("faults"), &targets);
        self.autoscale_decisions(&table.services, run.duration);
        let sections = self.sections(&f, &run, &table, &workloads);
        let guide = {
            let services: Vec<&str> = table.services.iter().map(|s| s.name.as_str()).collect();
            let queues: Vec<&str> = queues.iter().map(|q| q.name.as_str()).collect();
            // Owned: `self.guide` borrows the reader mutably.
            let caches: Vec<String> = self.caches.iter().map(|c| c.name.clone()).collect();
            let caches: Vec<&str> = caches.iter().map(String::as_str).collect();
            self.guide(
                &f,
                &guide::NodeNames {
                    services: &services,
                    queues: &queues,
                    caches: &caches,
                },
            )
        };
        let sweep = match (f.get("sweep"), f.key_span("sweep")) {
            (Some(node), Some(key)) => self.sweep(key, node, root),
            _ => None,
        };
        let duration = run.duration?;
        let scenario = Scenario {
            name: run.name,
            description: run.description,
            seed: run.seed,
            duration,
            warmup: run.warmup,
            warmup_rule: run.warmup_rule,
            replications: run.replications,
            sample_every: run
                .sample_every
                .unwrap_or_else(|| default_sample_every(duration)),
            workloads,
            services: core::mem::take(&mut table.services),
            endpoints: core::mem::take(&mut table.endpoints),
            network,
            policies: core::mem::take(&mut self.policies),
            faults,
            health: sections.health?,
            slos: sections.slos,
            slo_period: sections.slo_period,
            cost: sections.cost,
            budget: sections.budget,
            pools: core::mem::take(&mut table.pools),
            caches: core::mem::take(&mut self.caches),
            max_in_flight: run.max_in_flight,
            queues,
            guide,
            sweep,
        };
        if self.errors == 0 {
            let caps = check::work_caps(&scenario, self.limits, run.duration_span);
            let guards = check::guard_state(&scenario, self.limits, &self.policy_spans);
            caps.into_iter()
                .chain(guards)
                .chain(check::load_warnings(&scenario))
                .for_each(|d| self.report(d));
        }
        if let Some(sweep) = &scenario.sweep {
            match sweep.check_runs(scenario.replications) {
                Err(d) => self.report(d),
                Ok(()) if self.errors == 0 => self.sweep_corners(sweep),
                Ok(()) => {}
            }
        }
        Some(scenario)
    }

    fn version(&mut self, f: &Fields) {
        let Some(node) = f.get("version") else {
            return self.error_hint(
                opening(f.node),
                "missing `version`",
                "add `version: 1` at the top of the scenario",
            );
        };
        let Some(v) = self.integer(node, "`version`", 0, u64::MAX) else {
            return;
        };
        if v != 1 {
            self.error_hint(
                node.span,
                format!("unsupported scenario format version {v}"),
                "this version of loopsim reads `version: 1`",
            );
        }
    }

    fn run(&mut self, f: &Fields) -> Run {
        let duration = self
            .required(f, "duration", "the scenario")
            .and_then(|n| self.run_duration(n));
        let duration_span = f.get("duration").map_or(opening(f.node), |n| n.span);
        let auto = f.get("warmup").is_some_and(|n| n.as_str() == Some("auto"));
        let warmup = match f.get("warmup") {
            Some(n) if !auto => self.warmup(n, duration).unwrap_or(0),
            _ => 0,
        };
        let sample_every = f
            .get("sample_every")
            .and_then(|n| self.sample_every(n, duration));
        Run {
            name: f
                .get("name")
                .and_then(|n| self.text(n, "`name`"))
                .unwrap_or("Untitled")
                .to_string(),
            description: f
                .get("description")
                .and_then(|n| self.text(n, "`description`"))
                .unwrap_or("")
                .to_string(),
            seed: f
                .get("seed")
                .and_then(|n| self.integer(n, "`seed`", 0, u64::MAX))
                .unwrap_or(1),
            duration,
            duration_span,
            warmup,
            warmup_rule: if auto {
                WarmupRule::Auto
            } else {
                WarmupRule::Fixed
            },
            replications: f
                .get("replications")
                .and_then(|n| self.integer(n, "`replications`", 1, 10_000))
                .map_or(1, |v| v as u32),
            sample_every,
            max_in_flight: f
                .get("max_in_flight")
                .and_then(|n| self.integer(n, "`max_in_flight`", 1, u32::MAX as u64))
                .map_or(1_000_000, |v| v as u32),
        }
    }

    fn run_duration(&mut self, node: &Node) -> Option<Nanos> {
        let d = self.positive_duration(node, "`duration`")?;
        if d > self.limits.max_duration {
            let max = fmt_duration(self.limits.max_duration);
            self.error_hint(
                node.span,
                format!(
                    "`duration` of {} is longer than the limit of {max}",
                    fmt_duration(d)
                ),
                "simulate a shorter, representative period",
            );
            return None;
        }
        Some(d)
    }

    fn warmup(&mut self, node: &Node, duration: Option<Nanos>) -> Option<Nanos> {
        let w = self.duration(node, "`warmup`")?;
        let d = duration?;
        if w >= d {
            self.error_hint(
                node.span,
                format!(
                    "`warmup` ({}) must be shorter than `duration` ({})",
                    fmt_duration(w),
                    fmt_duration(d)
                ),
                "the warmup is excluded from the results, so nothing would be measured",
            );
            return None;
        }
        Some(w)
    }

    fn sample_every(&mut self, node: &Node, duration: Option<Nanos>) -> Option<Nanos> {
        let s = self.positive_duration(node, "`sample_every`")?;
        let d = duration?;
        let points = d.div_ceil(s);
        if points > self.limits.max_series_points {
            let min = d.div_ceil(self.limits.max_series_points);
            self.error_hint(
                node.span,
                format!(
                    "`sample_every: {}` gives {points} points per time series (the limit is {})",
                    fmt_duration(s),
                    self.limits.max_series_points
                ),
                format!(
                    "use `sample_every: {}` or more",
                    fmt_duration(nice_interval(min))
                ),
            );
            return None;
        }
        Some(s)
    }

    fn network(&mut self, node: Option<&Node>, table: &ServiceTable) -> Network {
        let mut network = Network {
            latency: Dist::zero(),
            loss: 0.0,
            links: Vec::new(),
            bandwidth: None,
        };
        let Some(f) = node.and_then(|n| self.fields(n, "`network`", &keys::NETWORK)) else {
            return network;
        };
        if let Some(d) = f.get("latency").and_then(|n| self.dist(n, "`latency`")) {
            network.latency = d;
        }
        if let Some(p) = f.get("loss").and_then(|n| self.probability(n, "`loss`")) {
            network.loss = p;
        }
        network.bandwidth = f
            .get("bandwidth")
            .and_then(|n| self.bandwidth(n, "`bandwidth`"));
        let Some(links) = f.get("links") else {
            return network;
        };
        let NodeKind::Seq(items) = &links.kind else {
            self.error(
                links.span,
                format!("`links` must be a list, found {}", links.describe()),
            );
            return network;
        };
        let mut pairs = BTreeSet::new();
        for item in items {
            if let Some(link) = self.link(item, table, &mut pairs) {
                network.links.push(link);
            }
        }
        network
    }

    /// One link; `pairs` holds the node pairs of the links before it (each pair once).
    fn link(
        &mut self,
        node: &Node,
        table: &ServiceTable,
        pairs: &mut BTreeSet<[u32; 2]>,
    ) -> Option<Link> {
        let f = self.fields(node, "a network link", &keys::LINK)?;
        let between = self
            .required(&f, "between", "a network link")
            .and_then(|n| self.between(n, table));
        let latency = f.get("latency").map(|n| self.dist(n, "`latency`"));
        let loss = f.get("loss").map(|n| self.probability(n, "`loss`"));
        let bandwidth = f.get("bandwidth").map(|n| self.bandwidth(n, "`bandwidth`"));
        let one_way = match f.get("one_way") {
            Some(n) => self.boolean(n, "`one_way`")?,
            None => false,
        };
        let between = between?;
        // Each directed hop is set by one link at most: a two-way link takes both directions.
        let mut taken = !pairs.insert(between);
        if !one_way && between[0] != between[1] {
            taken |= !pairs.insert([between[1], between[0]]);
        }
        if taken {
            self.error_hint(
                f.get("between")?.span,
                "this link is already defined",
                "merge the two entries",
            );
            return None;
        }
        Some(Link {
            between,
            latency: optional(latency)?,
            loss: optional(loss)?,
            bandwidth: optional(bandwidth)?,
            one_way,
        })
    }

    /// `[a, b]`: two service names or `client`, as network node indices.
    fn between(&mut self, node: &Node, table: &ServiceTable) -> Option<[u32; 2]> {
        let ends = match &node.kind {
            NodeKind::Seq(items) if items.len() == 2 => items,
            _ => {
                self.error_hint(
                    node.span,
                    "`between` must list two nodes",
                    "e.g. `between: [gateway, payments]` (or `client`)",
                );
                return None;
            }
        };
        let a = self.network_node(&ends[0], table);
        let b = self.network_node(&ends[1], table);
        Some([a?, b?])
    }

    fn network_node(&mut self, node: &Node, table: &ServiceTable) -> Option<u32> {
        let name = self.text(node, "a link end")?;
        self.node_named(name, node.span, table, "`between`")
    }

    /// A network node by name: `client` (0) or a service (`1 + index`).
    fn node_named(
        &mut self,
        name: &str,
        span: Span,
        table: &ServiceTable,
        context: &str,
    ) -> Option<u32> {
        if name == "client" {
            return Some(0);
        }
        if let Some(i) = table.services.iter().position(|s| s.name == name) {
            return Some(1 + i as u32);
        }
        if let Some(q) = self.queue_names.iter().position(|q| q == name) {
            return Some((1 + table.services.len() + q) as u32); // the queue's broker
        }
        let mut names: Vec<&str> = table.services.iter().map(|s| s.name.as_str()).collect();
        names.extend(self.queue_names.iter().map(String::as_str));
        names.push("client");
        let suggestion = self.did_you_mean(name, &names);
        let fix = self.fix(span, name, suggestion);
        let hint = match suggestion {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "link ends are service names, queue names or `client`: {}",
                list(&names)
            ),
        };
        let what = if self.queue_names.is_empty() {
            "service"
        } else {
            "service or queue"
        };
        let message = format!("unknown {what} `{name}` in {context}");
        self.error_fix(span, message, hint, fix);
        None
    }
}

/// An optional value read as `Option<Option<T>>` (absent, failed, read) into `None` when it
/// failed and `Some(value if given)` otherwise.
fn optional<T>(value: Option<Option<T>>) -> Option<Option<T>> {
    match value {
        None => Some(None),
        Some(read) => read.map(Some),
    }
}
