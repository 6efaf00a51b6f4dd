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

use super::check::{self, CallSite};
use super::model::*;
use super::units::{self, UnitError};
use crate::diag::{Diagnostic, Span};
use crate::dist::Dist;
use crate::time::{to_secs_f64, Nanos, NANOS_PER_SEC};
use crate::yaml::{self, Node, NodeKind, YamlLimits};

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

/// Keys accepted at each level (also used to check that the JSON schema is complete).
pub(crate) const TOP_KEYS: &[&str] = &[
    "version",
    "name",
    "description",
    "seed",
    "duration",
    "warmup",
    "sample_every",
    "max_in_flight",
    "workload",
    "services",
    "network",
];
pub(crate) const WORKLOAD_KEYS: &[&str] = &[
    "name", "to", "arrivals", "rate", "users", "think", "mix", "timeout",
];
pub(crate) const SERVICE_KEYS: &[&str] = &[
    "replicas",
    "balance",
    "workers",
    "threads",
    "accept",
    "ram",
    "endpoints",
];
pub(crate) const STEP_KINDS: &[&str] = &["cpu", "blocking", "io", "offload", "call", "ram"];
pub(crate) const POINT_KEYS: &[&str] = &["at", "rate", "ramp"];
pub(crate) const NETWORK_KEYS: &[&str] = &["latency", "loss", "links"];
pub(crate) const LINK_KEYS: &[&str] = &["between", "latency", "loss"];
pub(crate) const DIST_KINDS: &[&str] = &[
    "constant",
    "exponential",
    "uniform",
    "normal",
    "lognormal",
    "pareto",
    "empirical",
];

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
        diagnostics: Vec::new(),
        errors: 0,
    };
    let scenario = reader.scenario(&root);
    let mut diagnostics = reader.diagnostics;
    diagnostics.sort_by_key(|d| (d.span.start, d.severity));
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    Checked {
        scenario: scenario.filter(|_| !has_errors),
        diagnostics,
    }
}

/// Entries of a mapping whose keys are all scalars.
pub(super) struct Fields<'n> {
    pub node: &'n Node,
    pub entries: Vec<(&'n str, &'n Node, &'n Node)>,
}

impl<'n> Fields<'n> {
    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries.iter().find(|e| e.0 == key).map(|e| e.2)
    }

    pub fn key_span(&self, key: &str) -> Option<Span> {
        self.entries.iter().find(|e| e.0 == key).map(|e| e.1.span)
    }
}

/// Where to report that something is missing from a node: its first line rather than the
/// whole (possibly huge) node.
pub(super) fn opening(node: &Node) -> Span {
    match &node.kind {
        NodeKind::Map(entries) if !entries.is_empty() => {
            Span::new(node.span.start, entries[0].0.span.end.max(node.span.start))
        }
        _ => node.span,
    }
}

/// Services and endpoints read so far, plus the resolved call edges.
#[derive(Default)]
struct ServiceTable {
    services: Vec<Service>,
    endpoints: Vec<Endpoint>,
    calls: Vec<CallSite>,
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
    sample_every: Option<Nanos>,
    max_in_flight: u32,
}

const UNRESOLVED: EndpointId = EndpointId::MAX;

struct Reader<'l> {
    limits: &'l Limits,
    diagnostics: Vec<Diagnostic>,
    errors: usize,
}

impl Reader<'_> {
    fn report(&mut self, d: Diagnostic) {
        if d.is_error() {
            self.errors += 1;
            if self.errors == MAX_ERRORS + 1 {
                let note = format!("too many errors: stopped reporting after {MAX_ERRORS}");
                self.diagnostics.push(Diagnostic::error(d.span, note));
            }
            if self.errors > MAX_ERRORS {
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
        let f = self.fields(root, "the scenario", TOP_KEYS)?;
        self.version(&f);
        let run = self.run(&f);
        let mut table = self
            .required(&f, "services", "the scenario")
            .map(|n| self.services(n))?;
        check::call_cycles(&table.services, &table.endpoints, &table.calls)
            .into_iter()
            .for_each(|d| self.report(d));
        let workloads = match self.required(&f, "workload", "the scenario") {
            Some(n) => self.workloads(n, &table, run.duration),
            None => Vec::new(),
        };
        let network = self.network(f.get("network"), &table);
        let duration = run.duration?;
        let scenario = Scenario {
            name: run.name,
            description: run.description,
            seed: run.seed,
            duration,
            warmup: run.warmup,
            sample_every: run
                .sample_every
                .unwrap_or_else(|| default_sample_every(duration)),
            workloads,
            services: core::mem::take(&mut table.services),
            endpoints: core::mem::take(&mut table.endpoints),
            network,
            max_in_flight: run.max_in_flight,
        };
        if self.errors == 0 {
            let caps = check::work_caps(&scenario, self.limits, run.duration_span);
            caps.into_iter()
                .chain(check::load_warnings(&scenario))
                .for_each(|d| self.report(d));
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
        let warmup = f
            .get("warmup")
            .and_then(|n| self.warmup(n, duration))
            .unwrap_or(0);
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

    // ---- services ------------------------------------------------------------------------

    fn services(&mut self, node: &Node) -> ServiceTable {
        let mut table = ServiceTable::default();
        let Some(f) = self.map(node, "`services`") else {
            return table;
        };
        if f.entries.is_empty() {
            self.error_hint(
                node.span,
                "`services` is empty",
                "define at least one service",
            );
        }
        if f.entries.len() > self.limits.max_services {
            let message = format!(
                "too many services: {} (the limit is {})",
                f.entries.len(),
                self.limits.max_services
            );
            self.error(node.span, message);
            return table;
        }
        let mut pending = Vec::new();
        for &(name, key, value) in &f.entries {
            self.service_name(name, key.span);
            self.service(&mut table, &mut pending, name, key.span, value);
        }
        self.check_total_workers(&table, node.span);
        for call in pending {
            self.resolve_call(&mut table, call);
        }
        table
    }

    fn service_name(&mut self, name: &str, span: Span) {
        if name == "client" {
            self.error_hint(
                span,
                "`client` is reserved for the workload side",
                "rename the service",
            );
        } else if name.is_empty() || name.contains('/') || name.contains(char::is_whitespace) {
            self.error_hint(
                span,
                format!("invalid service name `{name}`"),
                "service names are referred to as `name/endpoint`: use no `/` or spaces",
            );
        }
    }

    fn service<'n>(
        &mut self,
        table: &mut ServiceTable,
        pending: &mut Vec<PendingCall<'n>>,
        name: &str,
        span: Span,
        node: &'n Node,
    ) {
        let id = table.services.len() as ServiceId;
        let mut service = Service {
            name: name.to_string(),
            replicas: 1,
            balance: Balance::RoundRobin,
            workers: 1,
            threads: 40,
            accept: Accept::IdleFirst,
            ram: None,
            endpoints: Vec::new(),
            span,
        };
        if let Some(f) = self.fields(node, &format!("service `{name}`"), SERVICE_KEYS) {
            self.service_settings(&f, &mut service);
            if let Some(n) = self.required(&f, "endpoints", &format!("service `{name}`")) {
                self.endpoints(table, pending, &mut service, id, n);
            }
        }
        table.services.push(service);
    }

    fn service_settings(&mut self, f: &Fields, s: &mut Service) {
        let l = self.limits;
        let count = |r: &mut Self, key: &str, max: u64, out: &mut u32| {
            if let Some(v) = f
                .get(key)
                .and_then(|n| r.integer(n, &format!("`{key}`"), 1, max))
            {
                *out = v as u32;
            }
        };
        count(self, "replicas", l.max_replicas, &mut s.replicas);
        count(self, "workers", l.max_workers, &mut s.workers);
        count(self, "threads", l.max_threads, &mut s.threads);
        if let Some(b) = f
            .get("balance")
            .and_then(|n| self.choice(n, "`balance`", BALANCES))
        {
            s.balance = b;
        }
        if let Some(a) = f
            .get("accept")
            .and_then(|n| self.choice(n, "`accept`", ACCEPTS))
        {
            s.accept = a;
        }
        s.ram = f.get("ram").and_then(|n| self.positive_size(n, "`ram`"));
    }

    fn check_total_workers(&mut self, table: &ServiceTable, span: Span) {
        let total: u64 = table
            .services
            .iter()
            .map(|s| s.replicas as u64 * s.workers as u64)
            .sum();
        if total > self.limits.max_total_workers {
            self.error_hint(
                span,
                format!(
                    "the services have {total} event loops in all (replicas × workers); the limit is {}",
                    self.limits.max_total_workers
                ),
                "model fewer, larger instances",
            );
        }
    }

    fn endpoints<'n>(
        &mut self,
        table: &mut ServiceTable,
        pending: &mut Vec<PendingCall<'n>>,
        service: &mut Service,
        id: ServiceId,
        node: &'n Node,
    ) {
        let what = format!("the endpoints of `{}`", service.name);
        let Some(f) = self.map(node, &what) else {
            return;
        };
        if f.entries.is_empty() {
            self.error_hint(
                node.span,
                format!("service `{}` has no endpoints", service.name),
                "add one, e.g. `/: [cpu: 1ms]`",
            );
        }
        for &(path, key, steps) in &f.entries {
            if table.endpoints.len() >= self.limits.max_endpoints {
                let message = format!(
                    "too many endpoints (the limit is {})",
                    self.limits.max_endpoints
                );
                return self.error(key.span, message);
            }
            let path = self.endpoint_path(path, key.span);
            let endpoint = table.endpoints.len() as EndpointId;
            let steps = self.steps(steps, endpoint, &path, pending);
            service.endpoints.push(endpoint);
            table.endpoints.push(Endpoint {
                service: id,
                path,
                steps,
                span: key.span,
            });
        }
    }

    /// Endpoint paths start with `/`; a missing slash is reported and added so that
    /// references to the endpoint still resolve.
    fn endpoint_path(&mut self, path: &str, span: Span) -> String {
        if path.starts_with('/') {
            return path.to_string();
        }
        self.error_hint(
            span,
            format!("endpoint path `{path}` must start with `/`"),
            format!("write `/{path}`"),
        );
        format!("/{path}")
    }

    fn steps<'n>(
        &mut self,
        node: &'n Node,
        endpoint: EndpointId,
        path: &str,
        pending: &mut Vec<PendingCall<'n>>,
    ) -> Vec<Step> {
        let NodeKind::Seq(items) = &node.kind else {
            self.error_hint(
                node.span,
                format!(
                    "endpoint `{path}` must be a list of steps, found {}",
                    node.describe()
                ),
                "e.g.\n  /checkout:\n    - cpu: 2ms\n    - call: payments/charge",
            );
            return Vec::new();
        };
        if items.is_empty() {
            self.error_hint(
                node.span,
                format!("endpoint `{path}` has no steps"),
                "add at least one, e.g. `- cpu: 1ms`",
            );
        }
        if items.len() > self.limits.max_steps_per_endpoint {
            let max = self.limits.max_steps_per_endpoint;
            self.error(
                node.span,
                format!(
                    "endpoint `{path}` has {} steps (the limit is {max})",
                    items.len()
                ),
            );
            return Vec::new();
        }
        let mut steps = Vec::with_capacity(items.len());
        for item in items {
            let Some((step, call)) = self.step(item) else {
                continue;
            };
            if let Some((target, span)) = call {
                pending.push(PendingCall {
                    endpoint,
                    step: steps.len(),
                    target,
                    span,
                });
            }
            steps.push(step);
        }
        steps
    }

    /// One step: a one-key mapping. A `call` comes back unresolved with its target text.
    #[allow(clippy::type_complexity)]
    fn step<'n>(&mut self, node: &'n Node) -> Option<(Step, Option<(&'n str, Span)>)> {
        let Some(f) = self.map_quiet(node) else {
            self.error_hint(
                node.span,
                format!(
                    "a step must be a one-key mapping such as `- cpu: 2ms`, found {}",
                    node.describe()
                ),
                "step kinds: cpu, blocking, io, offload, call, ram",
            );
            return None;
        };
        let kind = self.step_kind(&f)?;
        let value = f.get(kind)?;
        let what = format!("`{kind}`");
        let step = match kind {
            "cpu" => Step::Cpu(self.dist(value, &what)?),
            "blocking" => Step::Blocking(self.dist(value, &what)?),
            "io" => Step::Io(self.dist(value, &what)?),
            "offload" => Step::Offload(self.dist(value, &what)?),
            "ram" => Step::Ram(self.positive_size(value, &what)?),
            _ => {
                let target = self.text(value, "`call`")?;
                return Some((Step::Call(UNRESOLVED), Some((target, value.span))));
            }
        };
        Some((step, None))
    }

    /// The step's kind, reporting unknown keys and steps that try to do two things.
    fn step_kind<'n>(&mut self, f: &Fields<'n>) -> Option<&'n str> {
        let mut kind: Option<&'n str> = None;
        for &(key, key_node, _) in &f.entries {
            if !STEP_KINDS.contains(&key) {
                let hint = match suggest(key, STEP_KINDS) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "step kinds: cpu, blocking, io, offload, call, ram".to_string(),
                };
                let message = if kind.is_some() || f.entries.len() > 1 {
                    format!("unknown key `{key}` in a step")
                } else {
                    format!("unknown step kind `{key}`")
                };
                self.error_hint(key_node.span, message, hint);
            } else if let Some(first) = kind {
                self.error_hint(
                    key_node.span,
                    format!("a step does one thing, but this one has both `{first}` and `{key}`"),
                    format!("split it into two steps: `- {first}: ...` then `- {key}: ...`"),
                );
            } else {
                kind = Some(key);
            }
        }
        if kind.is_none() && f.entries.is_empty() {
            self.error_hint(f.node.span, "empty step", "write e.g. `- cpu: 1ms`");
        }
        kind
    }

    fn resolve_call(&mut self, table: &mut ServiceTable, call: PendingCall) {
        let Some(to) = self.call_target(table, call.target, call.span) else {
            return;
        };
        let endpoint = &mut table.endpoints[call.endpoint as usize];
        endpoint.steps[call.step] = Step::Call(to);
        table.calls.push(CallSite {
            from: call.endpoint,
            to,
            span: call.span,
        });
    }

    /// Resolves `service/endpoint` (or just `service` when it has one endpoint).
    fn call_target(
        &mut self,
        table: &ServiceTable,
        target: &str,
        span: Span,
    ) -> Option<EndpointId> {
        let (service, path) = match target.split_once('/') {
            Some((s, p)) => (s, Some(p)),
            None => (target, None),
        };
        if service.is_empty() {
            self.error_hint(
                span,
                format!("`call: {target}` must name a service: expected `service/endpoint`"),
                "e.g. `call: payments/charge` calls endpoint `/charge` of service `payments`",
            );
            return None;
        }
        let id = self.service_ref(table, service, span, "`call`")?;
        match path {
            Some(p) => self.endpoint_ref(table, id, p, span),
            None => self.only_endpoint(table, id, span, "`call`"),
        }
    }

    /// A service named in `to:`, `call:` or a link.
    fn service_ref(
        &mut self,
        table: &ServiceTable,
        name: &str,
        span: Span,
        context: &str,
    ) -> Option<ServiceId> {
        if let Some(i) = table.services.iter().position(|s| s.name == name) {
            return Some(i as ServiceId);
        }
        let names: Vec<&str> = table.services.iter().map(|s| s.name.as_str()).collect();
        let hint = match suggest(name, &names) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("defined services: {}", list(&names)),
        };
        self.error_hint(span, format!("unknown service `{name}` in {context}"), hint);
        None
    }

    /// An endpoint of `service`, with or without its leading `/`.
    fn endpoint_ref(
        &mut self,
        table: &ServiceTable,
        service: ServiceId,
        path: &str,
        span: Span,
    ) -> Option<EndpointId> {
        let svc = &table.services[service as usize];
        let bare = path.trim_start_matches('/');
        let found = svc
            .endpoints
            .iter()
            .copied()
            .find(|&e| table.endpoints[e as usize].path[1..] == *bare);
        if found.is_some() {
            return found;
        }
        let paths: Vec<&str> = svc
            .endpoints
            .iter()
            .map(|&e| table.endpoints[e as usize].path.as_str())
            .collect();
        let wanted = format!("/{bare}");
        let hint = match suggest(&wanted, &paths) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("its endpoints: {}", list(&paths)),
        };
        self.error_hint(
            span,
            format!("service `{}` has no endpoint `{wanted}`", svc.name),
            hint,
        );
        None
    }

    /// The endpoint of a service that has exactly one, when none is named.
    fn only_endpoint(
        &mut self,
        table: &ServiceTable,
        service: ServiceId,
        span: Span,
        context: &str,
    ) -> Option<EndpointId> {
        let svc = &table.services[service as usize];
        if let [only] = svc.endpoints[..] {
            return Some(only);
        }
        let paths: Vec<&str> = svc
            .endpoints
            .iter()
            .map(|&e| table.endpoints[e as usize].path.as_str())
            .collect();
        self.error_hint(
            span,
            format!(
                "{context} must name an endpoint: service `{}` has {}",
                svc.name,
                paths.len()
            ),
            format!("its endpoints: {}", list(&paths)),
        );
        None
    }

    // ---- workloads -----------------------------------------------------------------------

    fn workloads(
        &mut self,
        node: &Node,
        table: &ServiceTable,
        duration: Option<Nanos>,
    ) -> Vec<Workload> {
        let NodeKind::Seq(items) = &node.kind else {
            self.error_hint(
                node.span,
                format!("`workload` must be a list, found {}", node.describe()),
                "write each workload as a list item: `- to: api`",
            );
            return Vec::new();
        };
        if items.is_empty() {
            self.error_hint(
                node.span,
                "`workload` is empty",
                "add at least one workload, e.g. `- to: api`",
            );
        }
        if items.len() > self.limits.max_workloads {
            let message = format!(
                "too many workloads: {} (the limit is {})",
                items.len(),
                self.limits.max_workloads
            );
            self.error(node.span, message);
            return Vec::new();
        }
        let mut out: Vec<Workload> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if let Some(w) = self.workload(item, i, table, duration, &out) {
                out.push(w);
            }
        }
        out
    }

    fn workload(
        &mut self,
        node: &Node,
        index: usize,
        table: &ServiceTable,
        duration: Option<Nanos>,
        earlier: &[Workload],
    ) -> Option<Workload> {
        let f = self.fields(node, "a workload", WORKLOAD_KEYS)?;
        let target = self
            .required(&f, "to", "a workload")
            .and_then(|n| Some((self.text(n, "`to`")?, n.span)))
            .and_then(|(name, span)| self.service_ref(table, name, span, "`to`"));
        let arrivals = self.arrivals(&f, duration);
        let mix = target.and_then(|t| self.mix(&f, table, t));
        let timeout = f
            .get("timeout")
            .and_then(|n| self.positive_duration(n, "`timeout`"));
        let name = self.workload_name(&f, index, table, target, earlier);
        Some(Workload {
            name: name?,
            target: target?,
            arrivals: arrivals?,
            mix: mix?,
            timeout,
            span: node.span,
        })
    }

    /// The explicit name, or the target service's name (suffixed with the position when that
    /// is already taken). Names must be unique: reports refer to workloads by name.
    fn workload_name(
        &mut self,
        f: &Fields,
        index: usize,
        table: &ServiceTable,
        target: Option<ServiceId>,
        earlier: &[Workload],
    ) -> Option<String> {
        let taken = |n: &str| earlier.iter().any(|w| w.name == n);
        if let Some(node) = f.get("name") {
            let name = self.text(node, "`name`")?;
            if taken(name) {
                self.error_hint(
                    node.span,
                    format!("duplicate workload name `{name}`"),
                    "give each workload its own name",
                );
                return None;
            }
            return Some(name.to_string());
        }
        let base = match target {
            Some(t) => table.services[t as usize].name.clone(),
            None => format!("workload{}", index + 1),
        };
        Some(if taken(&base) {
            format!("{base}-{}", index + 1)
        } else {
            base
        })
    }

    fn arrivals(&mut self, f: &Fields, duration: Option<Nanos>) -> Option<Arrivals> {
        let kind = match f.get("arrivals") {
            Some(n) => self.choice(n, "`arrivals`", ARRIVALS)?,
            None => ArrivalKind::Poisson,
        };
        if kind == ArrivalKind::Closed {
            return self.closed(f);
        }
        for key in ["users", "think"] {
            if let Some(span) = f.key_span(key) {
                self.error_hint(
                    span,
                    format!("`{key}` only applies to closed workloads"),
                    "add `arrivals: closed`, or remove it and use `rate`",
                );
            }
        }
        let rate = self.required(f, "rate", "an open-loop workload")?;
        let schedule = self.schedule(rate, duration)?;
        Some(match kind {
            ArrivalKind::Constant => Arrivals::Constant(schedule),
            _ => Arrivals::Poisson(schedule),
        })
    }

    fn closed(&mut self, f: &Fields) -> Option<Arrivals> {
        if let Some(span) = f.key_span("rate") {
            self.error_hint(
                span,
                "closed workloads take `users`, not `rate`",
                "their rate follows from the users, think time and response time; use `arrivals: poisson` for a fixed rate",
            );
        }
        let users = self
            .required(f, "users", "a closed workload")
            .and_then(|n| self.integer(n, "`users`", 1, self.limits.max_users));
        let think = match f.get("think") {
            Some(n) => self.dist(n, "`think`"),
            None => Some(Dist::zero()),
        };
        Some(Arrivals::Closed {
            users: users? as u32,
            think: think?,
        })
    }

    /// A constant rate or a list of `{at, rate, ramp}` points.
    fn schedule(&mut self, node: &Node, duration: Option<Nanos>) -> Option<RateSchedule> {
        let NodeKind::Seq(items) = &node.kind else {
            return self.rate(node).map(RateSchedule::constant);
        };
        if items.is_empty() {
            self.error_hint(
                node.span,
                "the rate schedule is empty",
                "write e.g. `rate: [{at: 0s, rate: 10/s}]`",
            );
            return None;
        }
        let mut points: Vec<(RatePoint, &Node)> = Vec::new();
        let mut ok = true;
        for item in items {
            match self.rate_point(item, points.last().map(|p| p.0), duration) {
                Some(p) => points.push((p, item)),
                None => ok = false,
            }
        }
        if ok {
            self.check_ramps(&points);
        }
        ok.then(|| RateSchedule {
            points: points.into_iter().map(|p| p.0).collect(),
        })
    }

    fn rate_point(
        &mut self,
        node: &Node,
        previous: Option<RatePoint>,
        duration: Option<Nanos>,
    ) -> Option<RatePoint> {
        let f = self.fields(node, "a rate schedule point", POINT_KEYS)?;
        let at_node = self.required(&f, "at", "a rate schedule point");
        let at = at_node.and_then(|n| self.duration(n, "`at`"));
        let rate = self
            .required(&f, "rate", "a rate schedule point")
            .and_then(|n| self.rate(n));
        let ramp = f
            .get("ramp")
            .map_or(Some(0), |n| self.duration(n, "`ramp`"));
        let (at, at_node) = (at?, at_node?);
        if let Some(prev) = previous {
            if at <= prev.at {
                self.error_hint(
                    at_node.span,
                    format!(
                        "schedule points must be in time order: `at: {}` is not after {}",
                        fmt_duration(at),
                        fmt_duration(prev.at)
                    ),
                    "list the points with strictly increasing `at`",
                );
                return None;
            }
        }
        if let Some(d) = duration.filter(|&d| at >= d) {
            self.error_hint(
                at_node.span,
                format!(
                    "schedule point `at: {}` is not before the end of the run ({})",
                    fmt_duration(at),
                    fmt_duration(d)
                ),
                "remove the point or lengthen `duration`",
            );
            return None;
        }
        Some(RatePoint {
            at,
            rate: rate?,
            ramp: ramp?,
        })
    }

    /// A ramp must end by the next point, or the two would overlap.
    fn check_ramps(&mut self, points: &[(RatePoint, &Node)]) {
        for pair in points.windows(2) {
            let (p, next) = (pair[0].0, pair[1].0);
            if p.ramp > 0 && p.at.saturating_add(p.ramp) > next.at {
                let span = match &pair[0].1.kind {
                    NodeKind::Map(e) => e
                        .iter()
                        .find(|(k, _)| k.as_str() == Some("ramp"))
                        .map_or(pair[0].1.span, |(_, v)| v.span),
                    _ => pair[0].1.span,
                };
                self.error_hint(
                    span,
                    format!(
                        "the ramp from {} lasts {} and runs past the next point at {}",
                        fmt_duration(p.at),
                        fmt_duration(p.ramp),
                        fmt_duration(next.at)
                    ),
                    format!("shorten it to at most {}", fmt_duration(next.at - p.at)),
                );
            }
        }
    }

    fn rate(&mut self, node: &Node) -> Option<f64> {
        let r = self.unit(node, "`rate`", "a rate such as `80/s`", units::rate)?;
        if r > self.limits.max_rate {
            self.error_hint(
                node.span,
                format!(
                    "rate of {r}/s is above the limit of {}/s",
                    self.limits.max_rate
                ),
                "loopsim simulates every request: model a representative slice of the traffic",
            );
            return None;
        }
        Some(r)
    }

    /// The endpoint mix as cumulative probabilities (last exactly 1.0).
    fn mix(
        &mut self,
        f: &Fields,
        table: &ServiceTable,
        target: ServiceId,
    ) -> Option<Vec<(EndpointId, f64)>> {
        let Some(node) = f.get("mix") else {
            return self.default_mix(f, table, target);
        };
        let m = self.map(node, "`mix`")?;
        if m.entries.is_empty() {
            self.error_hint(
                node.span,
                "`mix` is empty",
                "give at least one endpoint a weight, e.g. `mix: { /: 1 }`",
            );
            return None;
        }
        let mut weights: Vec<(EndpointId, f64)> = Vec::new();
        let mut ok = true;
        for &(path, key, value) in &m.entries {
            let endpoint = self.endpoint_ref(table, target, path, key.span);
            let weight = self.weight(value);
            match (endpoint, weight) {
                (Some(e), _) if weights.iter().any(|w| w.0 == e) => {
                    self.error(
                        key.span,
                        format!("endpoint `{path}` appears twice in `mix`"),
                    );
                    ok = false;
                }
                (Some(e), Some(w)) => weights.push((e, w)),
                _ => ok = false,
            }
        }
        if !ok {
            return None;
        }
        self.cumulative(&weights, node.span)
    }

    fn weight(&mut self, node: &Node) -> Option<f64> {
        let text = self.scalar(node, "a mix weight", "a number")?;
        match units::number(text) {
            Some(w) if w >= 0.0 => Some(w),
            Some(_) => {
                self.error(
                    node.span,
                    format!("mix weights cannot be negative, found `{text}`"),
                );
                None
            }
            None => {
                self.error_hint(
                    node.span,
                    format!("a mix weight must be a number, found `{text}`"),
                    "weights are relative, e.g. `{ /browse: 4, /checkout: 1 }`",
                );
                None
            }
        }
    }

    fn cumulative(
        &mut self,
        weights: &[(EndpointId, f64)],
        span: Span,
    ) -> Option<Vec<(EndpointId, f64)>> {
        let total: f64 = weights.iter().map(|w| w.1).sum();
        if total <= 0.0 || !total.is_finite() {
            self.error_hint(
                span,
                "mix weights must not all be zero",
                "give at least one endpoint a positive weight",
            );
            return None;
        }
        let mut cum = 0.0;
        let mut out: Vec<(EndpointId, f64)> = Vec::new();
        for &(e, w) in weights.iter().filter(|w| w.1 > 0.0) {
            cum += w;
            out.push((e, cum / total));
        }
        if let Some(last) = out.last_mut() {
            last.1 = 1.0;
        }
        Some(out)
    }

    fn default_mix(
        &mut self,
        f: &Fields,
        table: &ServiceTable,
        target: ServiceId,
    ) -> Option<Vec<(EndpointId, f64)>> {
        let svc = &table.services[target as usize];
        if let [only] = svc.endpoints[..] {
            return Some(vec![(only, 1.0)]);
        }
        if svc.endpoints.is_empty() {
            return None;
        }
        let paths: Vec<&str> = svc
            .endpoints
            .iter()
            .map(|&e| table.endpoints[e as usize].path.as_str())
            .collect();
        let example: Vec<String> = paths.iter().map(|p| format!("{p}: 1")).collect();
        self.error_hint(
            opening(f.node),
            format!(
                "this workload needs a `mix`: service `{}` has {} endpoints",
                svc.name,
                paths.len()
            ),
            format!("add e.g. `mix: {{ {} }}`", example.join(", ")),
        );
        None
    }

    // ---- network -------------------------------------------------------------------------

    fn network(&mut self, node: Option<&Node>, table: &ServiceTable) -> Network {
        let mut network = Network {
            latency: Dist::zero(),
            loss: 0.0,
            links: Vec::new(),
        };
        let Some(f) = node.and_then(|n| self.fields(n, "`network`", NETWORK_KEYS)) else {
            return network;
        };
        if let Some(d) = f.get("latency").and_then(|n| self.dist(n, "`latency`")) {
            network.latency = d;
        }
        if let Some(p) = f.get("loss").and_then(|n| self.probability(n, "`loss`")) {
            network.loss = p;
        }
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
        for item in items {
            if let Some(link) = self.link(item, table, &network.links) {
                network.links.push(link);
            }
        }
        network
    }

    fn link(&mut self, node: &Node, table: &ServiceTable, earlier: &[Link]) -> Option<Link> {
        let f = self.fields(node, "a network link", LINK_KEYS)?;
        let between = self
            .required(&f, "between", "a network link")
            .and_then(|n| self.between(n, table));
        let latency = f.get("latency").map(|n| self.dist(n, "`latency`"));
        let loss = f.get("loss").map(|n| self.probability(n, "`loss`"));
        let between = between?;
        let same = |l: &Link| l.between == between || l.between == [between[1], between[0]];
        if earlier.iter().any(same) {
            self.error_hint(
                f.get("between")?.span,
                "this link is already defined",
                "merge the two entries",
            );
            return None;
        }
        Some(Link {
            between,
            latency: latency.map_or(Some(None), |d| d.map(Some))?,
            loss: loss.map_or(Some(None), |p| p.map(Some))?,
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
        if name == "client" {
            return Some(0);
        }
        if let Some(i) = table.services.iter().position(|s| s.name == name) {
            return Some(1 + i as u32);
        }
        let mut names: Vec<&str> = table.services.iter().map(|s| s.name.as_str()).collect();
        names.push("client");
        let hint = match suggest(name, &names) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("link ends are service names or `client`: {}", list(&names)),
        };
        self.error_hint(
            node.span,
            format!("unknown service `{name}` in `between`"),
            hint,
        );
        None
    }

    // ---- typed values --------------------------------------------------------------------

    /// A mapping with scalar keys; reports anything else.
    fn map<'n>(&mut self, node: &'n Node, what: &str) -> Option<Fields<'n>> {
        let f = self.map_quiet(node);
        if f.is_none() && !matches!(node.kind, NodeKind::Map(_)) {
            self.error(
                node.span,
                format!(
                    "{what} must be a mapping (`key: value` lines), found {}",
                    node.describe()
                ),
            );
        }
        f
    }

    fn map_quiet<'n>(&mut self, node: &'n Node) -> Option<Fields<'n>> {
        let NodeKind::Map(entries) = &node.kind else {
            return None;
        };
        let mut fields = Fields {
            node,
            entries: Vec::with_capacity(entries.len()),
        };
        for (k, v) in entries {
            match k.as_str() {
                Some(text) => fields.entries.push((text, k, v)),
                None => self.error(
                    k.span,
                    format!("keys must be plain text, found {}", k.describe()),
                ),
            }
        }
        Some(fields)
    }

    /// A mapping whose keys must be among `allowed`.
    fn fields<'n>(&mut self, node: &'n Node, what: &str, allowed: &[&str]) -> Option<Fields<'n>> {
        let f = self.map(node, what)?;
        for &(key, key_node, _) in &f.entries {
            if !allowed.contains(&key) {
                let hint = match suggest(key, allowed) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("expected one of: {}", list(allowed)),
                };
                self.error_hint(
                    key_node.span,
                    format!("unknown key `{key}` in {what}"),
                    hint,
                );
            }
        }
        Some(f)
    }

    fn required<'n>(&mut self, f: &Fields<'n>, key: &str, what: &str) -> Option<&'n Node> {
        let node = f.get(key);
        if node.is_none() {
            self.error(opening(f.node), format!("{what} is missing `{key}`"));
        }
        node
    }

    fn scalar<'n>(&mut self, node: &'n Node, what: &str, expected: &str) -> Option<&'n str> {
        match &node.kind {
            NodeKind::Scalar { text, .. } => Some(text),
            NodeKind::Null => {
                self.error(
                    node.span,
                    format!("{what} has no value: expected {expected}"),
                );
                None
            }
            _ => {
                self.error(
                    node.span,
                    format!("{what} must be {expected}, found {}", node.describe()),
                );
                None
            }
        }
    }

    fn text<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n str> {
        self.scalar(node, what, "text")
    }

    fn unit<T>(
        &mut self,
        node: &Node,
        what: &str,
        expected: &str,
        parse: fn(&str) -> Result<T, UnitError>,
    ) -> Option<T> {
        let text = self.scalar(node, what, expected)?;
        match parse(text) {
            Ok(v) => Some(v),
            Err(e) => {
                self.report(Diagnostic {
                    hint: e.hint,
                    ..Diagnostic::error(node.span, format!("{what}: {}", e.message))
                });
                None
            }
        }
    }

    fn duration(&mut self, node: &Node, what: &str) -> Option<Nanos> {
        self.unit(node, what, "a duration such as `10ms`", units::duration)
    }

    fn positive_duration(&mut self, node: &Node, what: &str) -> Option<Nanos> {
        let d = self.duration(node, what)?;
        if d == 0 {
            self.error(node.span, format!("{what} must be greater than zero"));
            return None;
        }
        Some(d)
    }

    fn positive_size(&mut self, node: &Node, what: &str) -> Option<u64> {
        let s = self.unit(node, what, "a size such as `512MB`", units::size)?;
        if s == 0 {
            self.error(node.span, format!("{what} must be greater than zero"));
            return None;
        }
        Some(s)
    }

    fn probability(&mut self, node: &Node, what: &str) -> Option<f64> {
        self.unit(
            node,
            what,
            "a probability such as `0.001` or `0.1%`",
            units::probability,
        )
    }

    /// A whole number in `[min, max]`.
    fn integer(&mut self, node: &Node, what: &str, min: u64, max: u64) -> Option<u64> {
        let text = self.scalar(node, what, "a whole number")?;
        let digits: String = text.chars().filter(|&c| c != '_').collect();
        let Ok(v) = digits.parse::<u64>() else {
            let found = match units::number(text) {
                Some(n) if n < 0.0 => "a negative number",
                Some(_) => "a fraction",
                None => "text",
            };
            self.error(
                node.span,
                format!("{what} must be a whole number, found {found} `{text}`"),
            );
            return None;
        };
        if v < min {
            self.error(
                node.span,
                format!("{what} must be at least {min}, found {v}"),
            );
            return None;
        }
        if v > max {
            self.error_hint(
                node.span,
                format!("{what} must be at most {max}, found {v}"),
                "this limit keeps simulations tractable",
            );
            return None;
        }
        Some(v)
    }

    /// One of a fixed set of words.
    fn choice<T: Copy>(&mut self, node: &Node, what: &str, options: &[(&str, T)]) -> Option<T> {
        let names: Vec<&str> = options.iter().map(|o| o.0).collect();
        let text = self.scalar(node, what, &format!("one of {}", list(&names)))?;
        if let Some(o) = options.iter().find(|o| o.0 == text) {
            return Some(o.1);
        }
        let message = format!("unknown {what} `{text}`: expected {}", list(&names));
        match suggest(text, &names) {
            Some(s) => self.error_hint(node.span, message, format!("did you mean `{s}`?")),
            None => self.error(node.span, message),
        }
        None
    }

    // ---- distributions -------------------------------------------------------------------

    /// A duration literal (a constant) or `{dist: ..., params}`.
    fn dist(&mut self, node: &Node, what: &str) -> Option<Dist> {
        if !matches!(node.kind, NodeKind::Map(_)) {
            return self
                .duration(node, what)
                .map(|ns| Dist::Constant(to_secs_f64(ns)));
        }
        let f = self.map(node, what)?;
        let Some(kind_node) = f.get("dist") else {
            self.error_hint(
                opening(node),
                format!("{what}: a distribution needs `dist`"),
                format!(
                    "e.g. `{{ dist: exponential, mean: 10ms }}`; kinds: {}",
                    list(DIST_KINDS)
                ),
            );
            return None;
        };
        let kind = self.choice(kind_node, "distribution", DISTS)?;
        let mut allowed = vec!["dist"];
        allowed.extend_from_slice(kind.params());
        let f = self.fields(node, &format!("a {} distribution", kind.name()), &allowed)?;
        let d = DistReader { f: &f, kind };
        match kind {
            DistKind::Constant => d.param(self, "value").map(Dist::Constant),
            DistKind::Exponential => d
                .positive(self, "mean")
                .map(|mean| Dist::Exponential { mean }),
            DistKind::Uniform => self.uniform(&d),
            DistKind::Normal => Some(Dist::Normal {
                mean: d.positive(self, "mean")?,
                sd: d.param(self, "sd")?,
            }),
            DistKind::LogNormal => {
                let mean = d.positive(self, "mean");
                let sd = d.param(self, "sd");
                Some(Dist::lognormal(mean?, sd?))
            }
            DistKind::Pareto => self.pareto(&d),
            DistKind::Empirical => self.empirical(&d),
        }
    }

    fn uniform(&mut self, d: &DistReader) -> Option<Dist> {
        let min = d.param(self, "min");
        let max = d.param(self, "max");
        let (min, max) = (min?, max?);
        if min > max {
            let span = d.f.get("min").map_or(d.f.node.span, |n| n.span);
            self.error(span, "a uniform distribution needs `min` ≤ `max`");
            return None;
        }
        Some(Dist::Uniform { min, max })
    }

    /// `{scale|min, shape}` or `{mean, shape > 1}` with scale = mean (α − 1) / α.
    fn pareto(&mut self, d: &DistReader) -> Option<Dist> {
        let given: Vec<&str> = ["scale", "min", "mean"]
            .into_iter()
            .filter(|k| d.f.get(k).is_some())
            .collect();
        if given.len() != 1 {
            self.error_hint(
                opening(d.f.node),
                "a pareto distribution needs exactly one of `scale` (or `min`) and `mean`",
                "e.g. `{ dist: pareto, scale: 1ms, shape: 2.5 }` or `{ dist: pareto, mean: 5ms, shape: 2.5 }`",
            );
        }
        let shape = d.shape(self);
        let first = given.first()?;
        let value = d.positive(self, first)?;
        let shape = shape?;
        if *first != "mean" {
            return Some(Dist::Pareto {
                scale: value,
                shape,
            });
        }
        if shape <= 1.0 {
            let span = d.f.get("shape")?.span;
            self.error_hint(
                span,
                "a pareto distribution has a finite mean only when `shape` > 1",
                "give `scale` instead of `mean`",
            );
            return None;
        }
        Some(Dist::Pareto {
            scale: value * (shape - 1.0) / shape,
            shape,
        })
    }

    fn empirical(&mut self, d: &DistReader) -> Option<Dist> {
        let node = d.f.get("values").or_else(|| {
            d.missing(self, "values");
            None
        })?;
        let NodeKind::Seq(items) = &node.kind else {
            self.error(
                node.span,
                format!(
                    "`values` must be a list of durations, found {}",
                    node.describe()
                ),
            );
            return None;
        };
        if items.is_empty() {
            self.error_hint(
                node.span,
                "`values` is empty",
                "list observed durations, e.g. `values: [3ms, 5ms, 40ms]`",
            );
            return None;
        }
        let values: Vec<Option<f64>> = items
            .iter()
            .map(|n| self.duration(n, "a value").map(to_secs_f64))
            .collect();
        values
            .into_iter()
            .collect::<Option<Vec<f64>>>()
            .map(Dist::Empirical)
    }
}

/// Reads the parameters of one distribution mapping.
struct DistReader<'f, 'n> {
    f: &'f Fields<'n>,
    kind: DistKind,
}

impl DistReader<'_, '_> {
    fn missing(&self, r: &mut Reader, key: &str) {
        r.error_hint(
            opening(self.f.node),
            format!("a {} distribution needs `{key}`", self.kind.name()),
            format!("e.g. `{}`", self.kind.example()),
        );
    }

    /// A duration parameter in seconds.
    fn param(&self, r: &mut Reader, key: &str) -> Option<f64> {
        let Some(node) = self.f.get(key) else {
            self.missing(r, key);
            return None;
        };
        r.duration(node, &format!("`{key}`")).map(to_secs_f64)
    }

    fn positive(&self, r: &mut Reader, key: &str) -> Option<f64> {
        let v = self.param(r, key)?;
        if v <= 0.0 {
            r.error(
                self.f.get(key)?.span,
                format!(
                    "`{key}` of a {} distribution must be greater than zero",
                    self.kind.name()
                ),
            );
            return None;
        }
        Some(v)
    }

    /// The Pareto tail index: a plain positive number.
    fn shape(&self, r: &mut Reader) -> Option<f64> {
        let Some(node) = self.f.get("shape") else {
            self.missing(r, "shape");
            return None;
        };
        let text = r.scalar(node, "`shape`", "a number")?;
        match units::number(text) {
            Some(s) if s > 0.0 => Some(s),
            _ => {
                r.error(
                    node.span,
                    format!("`shape` must be a number greater than zero, found `{text}`"),
                );
                None
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DistKind {
    Constant,
    Exponential,
    Uniform,
    Normal,
    LogNormal,
    Pareto,
    Empirical,
}

const DISTS: &[(&str, DistKind)] = &[
    ("constant", DistKind::Constant),
    ("exponential", DistKind::Exponential),
    ("uniform", DistKind::Uniform),
    ("normal", DistKind::Normal),
    ("lognormal", DistKind::LogNormal),
    ("pareto", DistKind::Pareto),
    ("empirical", DistKind::Empirical),
];

impl DistKind {
    fn name(self) -> &'static str {
        DISTS.iter().find(|d| d.1 == self).map_or("", |d| d.0)
    }

    fn params(self) -> &'static [&'static str] {
        match self {
            DistKind::Constant => &["value"],
            DistKind::Exponential => &["mean"],
            DistKind::Uniform => &["min", "max"],
            DistKind::Normal | DistKind::LogNormal => &["mean", "sd"],
            DistKind::Pareto => &["scale", "min", "mean", "shape"],
            DistKind::Empirical => &["values"],
        }
    }

    fn example(self) -> &'static str {
        match self {
            DistKind::Constant => "{ dist: constant, value: 5ms }",
            DistKind::Exponential => "{ dist: exponential, mean: 10ms }",
            DistKind::Uniform => "{ dist: uniform, min: 1ms, max: 5ms }",
            DistKind::Normal => "{ dist: normal, mean: 10ms, sd: 2ms }",
            DistKind::LogNormal => "{ dist: lognormal, mean: 10ms, sd: 5ms }",
            DistKind::Pareto => "{ dist: pareto, scale: 1ms, shape: 2.5 }",
            DistKind::Empirical => "{ dist: empirical, values: [3ms, 5ms, 40ms] }",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ArrivalKind {
    Poisson,
    Constant,
    Closed,
}

const ARRIVALS: &[(&str, ArrivalKind)] = &[
    ("poisson", ArrivalKind::Poisson),
    ("constant", ArrivalKind::Constant),
    ("closed", ArrivalKind::Closed),
];

const BALANCES: &[(&str, Balance)] = &[
    ("round_robin", Balance::RoundRobin),
    ("least_connections", Balance::LeastConnections),
    ("random", Balance::Random),
    ("power_of_two", Balance::PowerOfTwo),
];

const ACCEPTS: &[(&str, Accept)] = &[
    ("idle_first", Accept::IdleFirst),
    ("round_robin", Accept::RoundRobin),
    ("random", Accept::Random),
];

// ---- text helpers ----------------------------------------------------------------------------

/// The closest candidate to a misspelt word, if it is close enough to be a likely typo.
pub(super) fn suggest<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let lower = word.to_lowercase();
    let best = candidates
        .iter()
        .map(|&c| (edit_distance(&lower, &c.to_lowercase()), c))
        .min_by_key(|&(d, _)| d)?;
    let len = word.chars().count().max(best.1.chars().count());
    let threshold = (len / 3).max(1);
    (best.0 <= threshold).then_some(best.1)
}

/// Edit distance over characters, counting a swap of neighbours as one edit (optimal string
/// alignment): `pya` → `pay` is a typical typo.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            row[j] = (previous[j - 1] + cost)
                .min(previous[j] + 1)
                .min(row[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                row[j] = row[j].min(before[j - 2] + 1);
            }
        }
        before = core::mem::replace(&mut previous, row);
    }
    previous[b.len()]
}

/// `a, b, c` with backticks, abbreviated when long.
pub(super) fn list(items: &[&str]) -> String {
    let shown: Vec<String> = items.iter().take(12).map(|s| format!("`{s}`")).collect();
    let more = items.len().saturating_sub(12);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// A duration in the largest unit that divides it exactly, e.g. `90s`, `2m`, `250us`.
pub(super) fn fmt_duration(ns: Nanos) -> String {
    const UNITS: [(u64, &str); 6] = [
        (3_600_000_000_000, "h"),
        (60_000_000_000, "m"),
        (1_000_000_000, "s"),
        (1_000_000, "ms"),
        (1_000, "us"),
        (1, "ns"),
    ];
    if ns == 0 {
        return "0s".to_string();
    }
    let (size, unit) = UNITS
        .iter()
        .find(|(size, _)| ns % size == 0)
        .copied()
        .unwrap_or((1, "ns"));
    format!("{}{unit}", ns / size)
}

/// Round sampling intervals, from 100ms to a day and then whole days.
const NICE_INTERVALS_MS: [u64; 21] = [
    100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000,
    900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000,
];

/// The smallest nice interval of at least `min`.
fn nice_interval(min: Nanos) -> Nanos {
    const MS: u64 = 1_000_000;
    let day = 86_400_000 * MS;
    match NICE_INTERVALS_MS
        .iter()
        .map(|ms| ms * MS)
        .find(|&i| i >= min)
    {
        Some(i) => i,
        None => min.div_ceil(day) * day,
    }
}

/// Default `sample_every`: the smallest nice interval (≥ 100ms) giving at most 600 points.
pub(super) fn default_sample_every(duration: Nanos) -> Nanos {
    nice_interval(duration.div_ceil(600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(
            suggest("paymnts", &["payments", "catalog"]),
            Some("payments")
        );
        assert_eq!(suggest("workloads", TOP_KEYS), Some("workload"));
        assert_eq!(suggest("zzz", TOP_KEYS), None);
        assert_eq!(suggest("CPU", STEP_KINDS), Some("cpu"));
        assert_eq!(suggest("/pya", &["/pay", "/"]), Some("/pay"));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn default_sampling() {
        let s = NANOS_PER_SEC;
        assert_eq!(default_sample_every(600 * s), s);
        assert_eq!(default_sample_every(300 * s), s / 2);
        assert_eq!(default_sample_every(10 * s), s / 10);
        assert_eq!(default_sample_every(30 * 86_400 * s), 7_200 * s);
        assert_eq!(default_sample_every(1000 * 86_400 * s), 2 * 86_400 * s);
    }

    #[test]
    fn durations_print_compactly() {
        assert_eq!(fmt_duration(150 * NANOS_PER_SEC), "150s");
        assert_eq!(fmt_duration(120 * NANOS_PER_SEC), "2m");
        assert_eq!(fmt_duration(250_000), "250us");
    }

    /// Every key the parser accepts is documented in the JSON schema, at the right place.
    #[test]
    fn schema_lists_every_key() {
        let schema: serde_json::Value =
            serde_json::from_str(crate::schema::SCENARIO_SCHEMA).unwrap();
        let props = |path: &str| {
            schema
                .pointer(path)
                .and_then(|v| v.as_object())
                .cloned()
                .unwrap_or_else(|| panic!("{path}"))
        };
        let cases: [(&str, &[&str]); 6] = [
            ("/properties", TOP_KEYS),
            ("/$defs/service/properties", SERVICE_KEYS),
            ("/$defs/workload/properties", WORKLOAD_KEYS),
            ("/$defs/network/properties", NETWORK_KEYS),
            ("/$defs/link/properties", LINK_KEYS),
            ("/$defs/ratePoint/properties", POINT_KEYS),
        ];
        for (path, keys) in cases {
            let p = props(path);
            for key in keys {
                assert!(p.contains_key(*key), "schema {path} lacks `{key}`");
                assert!(
                    p[*key].get("description").is_some(),
                    "schema {path}/{key} lacks a description"
                );
            }
            assert_eq!(
                p.len(),
                keys.len(),
                "schema {path} has keys the parser rejects"
            );
        }
        let text = crate::schema::SCENARIO_SCHEMA;
        for kind in STEP_KINDS.iter().chain(DIST_KINDS) {
            assert!(
                text.contains(&format!("\"{kind}\"")),
                "schema lacks `{kind}`"
            );
        }
    }
}
