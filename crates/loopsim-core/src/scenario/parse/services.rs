//! Reading `services`: settings, endpoints and their steps, and resolving `call:` targets
//! once every service is known.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::text::list;
use super::values::{Fields, Unit};
use super::{optional, PendingCall, Reader, ServiceTable, UNRESOLVED};
use crate::diag::{Diagnostic, Span};
use crate::dist::Dist;
use crate::scenario::check::CallSite;
use crate::scenario::keys;
use crate::scenario::model::*;
use crate::yaml::{Node, NodeKind};

use super::flow::Program;

impl Reader<'_> {
    pub(super) fn services(&mut self, node: &Node) -> ServiceTable {
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
            ingress: Ingress::default(),
            cores: None,
            gil: false,
            span,
            autoscale: None,
            nic: None,
        };
        if let Some(f) = self.fields(node, &format!("service `{name}`"), &keys::SERVICE) {
            self.service_settings(&f, &mut service);
            if let Some(n) = f.get("autoscale") {
                let initial = service.replicas;
                service.autoscale = self.autoscale(n, name, f.get("replicas"), initial);
                // Every replica it may run is built up front (absent ones cost nothing).
                if let Some(a) = &service.autoscale {
                    service.replicas = a.max;
                }
            }
            if let Some(n) = f.get("pools") {
                self.pools(n, id, table);
            }
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
                .and_then(|n| r.integer(n, &format!("`{key}`"), 1, max.min(u32::MAX.into())))
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
        if let Some(n) = f.get("cores") {
            s.cores = self.integer(n, "`cores`", 1, 1024).map(|c| c as u32);
        }
        if let Some(n) = f.get("gil") {
            s.gil = self.boolean(n, "`gil`").unwrap_or(false);
        }
        if let Some(ingress) = f.get("ingress").and_then(|n| self.ingress(n)) {
            s.ingress = ingress;
        }
        s.nic = f.get("nic").and_then(|n| self.bandwidth(n, "`nic`"));
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
        for &(path, key, value) in &f.entries {
            if table.endpoints.len() >= self.limits.max_endpoints {
                let message = format!(
                    "too many endpoints (the limit is {})",
                    self.limits.max_endpoints
                );
                return self.error(key.span, message);
            }
            let path = self.endpoint_path(path, key.span);
            let endpoint = table.endpoints.len() as EndpointId;
            let (steps, response_size) = self.endpoint_form(value, &path);
            let steps = match steps {
                Some(steps) => self.steps(steps, endpoint, id, &path, pending, table),
                None => Vec::new(),
            };
            service.endpoints.push(endpoint);
            table.endpoints.push(Endpoint {
                service: id,
                path,
                steps,
                span: key.span,
                response_size,
            });
        }
    }

    /// An endpoint is a list of steps, or `{ steps, response_size }` (see `keys::ENDPOINT`).
    fn endpoint_form<'n>(
        &mut self,
        node: &'n Node,
        path: &str,
    ) -> (Option<&'n Node>, Option<Dist>) {
        if !matches!(node.kind, NodeKind::Map(_)) {
            return (Some(node), None);
        }
        let what = format!("endpoint `{path}`");
        let Some(f) = self.fields(node, &what, &keys::ENDPOINT) else {
            return (None, None);
        };
        let steps = self.required(&f, "steps", &what);
        let size = f
            .get("response_size")
            .and_then(|n| self.size_dist(n, "`response_size`"));
        (steps, size)
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
        service: ServiceId,
        path: &str,
        pending: &mut Vec<PendingCall<'n>>,
        table: &ServiceTable,
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
        let mut prog = Program {
            steps: Vec::with_capacity(items.len()),
            pending,
            endpoint,
            service,
            held: Vec::new(),
            depth: 0,
            caching: false,
        };
        self.block(node, table, &mut prog);
        prog.steps
    }

    /// One step: a one-key mapping (a `call` may also have guard keys). A `call` comes back
    /// unresolved with its target text.
    #[allow(clippy::type_complexity)]
    pub(super) fn step<'n>(&mut self, node: &'n Node) -> Option<(Step, Option<(&'n str, Span)>)> {
        let Some(f) = self.map_quiet(node) else {
            self.error_hint(
                node.span,
                format!(
                    "a step must be a one-key mapping such as `- cpu: 2ms`, found {}",
                    node.describe()
                ),
                format!("step kinds: {}", keys::STEP.names().join(", ")),
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
            "offload" => self.offload(value)?,
            "ram" => Step::Ram(self.positive_size(value, &what)?),
            "llm" => Step::Llm(self.llm(value, f.key_span("llm")?)?),
            "publish" => self.publish(value)?,
            "invalidate" => self.invalidate_step(&f, value)?,
            _ => {
                let target = self.text(value, "`call`");
                let policy = self.call_policy(&f);
                let policy = self.add_policy(policy?, node.span);
                return Some((
                    Step::Call {
                        endpoint: UNRESOLVED,
                        policy,
                        fallback: NO_FALLBACK,
                    },
                    Some((target?, value.span)),
                ));
            }
        };
        Some((step, None))
    }

    /// `offload: D` (a duration or distribution), or `offload: { cpu, io }`.
    fn offload(&mut self, node: &Node) -> Option<Step> {
        let split = self
            .map_quiet(node)
            .is_some_and(|f| f.get("cpu").is_some() || f.get("io").is_some());
        if !split {
            return Some(Step::Offload(self.dist(node, "`offload`")?));
        }
        let f = self.fields(node, "`offload`", &keys::OFFLOAD)?;
        let zero = || Dist::Constant(0.0);
        let cpu = match f.get("cpu") {
            Some(n) => self.dist(n, "`cpu`"),
            None => Some(zero()),
        };
        let io = match f.get("io") {
            Some(n) => self.dist(n, "`io`"),
            None => Some(zero()),
        };
        Some(Step::OffloadSplit { cpu: cpu?, io: io? })
    }

    /// `{tokens_in, tokens_out, first_token, per_token}`: token counts (numbers or count
    /// distributions) and durations, at least one of them given; the others are 0.
    fn llm(&mut self, node: &Node, key: Span) -> Option<LlmSpec> {
        let example = "e.g. `- llm: { tokens_in: 800, tokens_out: 300, first_token: 300ms, per_token: 20ms }`";
        let needs = "an `llm` step needs at least one of `tokens_in`, `tokens_out`, `first_token`, `per_token`";
        if node.kind == NodeKind::Null {
            self.error_hint(key, needs, example);
            return None;
        }
        let f = self.fields(node, "an `llm` step", &keys::LLM)?;
        if f.entries.is_empty() {
            self.error_hint(node.span, needs, example);
            return None;
        }
        let count = |r: &mut Self, key: &str| {
            f.get(key)
                .map(|n| r.dist_of(n, &format!("`{key}`"), Unit::Count))
        };
        let time = |r: &mut Self, key: &str| f.get(key).map(|n| r.dist(n, &format!("`{key}`")));
        let tokens_in = count(self, "tokens_in");
        let tokens_out = count(self, "tokens_out");
        let first_token = time(self, "first_token");
        let per_token = time(self, "per_token");
        let spec = LlmSpec {
            tokens_in: optional(tokens_in)?.unwrap_or_else(Dist::zero),
            tokens_out: optional(tokens_out)?.unwrap_or_else(Dist::zero),
            first_token: optional(first_token)?.unwrap_or_else(Dist::zero),
            per_token: optional(per_token)?.unwrap_or_else(Dist::zero),
        };
        if keys::LLM.keys.iter().all(|k| f.get(k.name).is_none()) {
            return None; // only unknown keys, already reported
        }
        if let (Some(span), true) = (f.key_span("per_token"), spec.tokens_out.is_zero()) {
            if !spec.per_token.is_zero() {
                self.report(
                    Diagnostic::warning(
                        span,
                        "`per_token` has no effect: the step generates no output tokens",
                    )
                    .with_hint("add `tokens_out`, the number of tokens generated"),
                );
            }
        }
        Some(spec)
    }

    /// The step's kind, reporting unknown keys, guards on a step other than `call`, and steps
    /// that try to do two things.
    pub(super) fn step_kind<'n>(&mut self, f: &Fields<'n>) -> Option<&'n str> {
        let kinds: Vec<&str> = f
            .entries
            .iter()
            .map(|e| e.0)
            .filter(|k| keys::STEP.has(k))
            .collect();
        // The keys allowed beside the step's kind (a `call`'s guards, a `with`'s `steps`, …).
        let companion = kinds.first().and_then(|k| step_companion(k));
        let mut kind: Option<&'n str> = None;
        for &(key, key_node, _) in &f.entries {
            if keys::STEP.has(key) {
                if let Some(first) = kind {
                    self.error_hint(
                        key_node.span,
                        format!(
                            "a step does one thing, but this one has both `{first}` and `{key}`"
                        ),
                        format!("split it into two steps: `- {first}: ...` then `- {key}: ...`"),
                    );
                } else {
                    kind = Some(key);
                }
                continue;
            }
            if companion.is_some_and(|c| c.1.has(key)) {
                continue;
            }
            if let Some((owner, _)) = companion_owner(key) {
                self.error_hint(
                    key_node.span,
                    format!("`{key}` only applies to a `{owner}` step"),
                    companion_hint(owner),
                );
                continue;
            }
            let mut known = keys::STEP.names();
            if let Some((_, c)) = companion {
                known.extend(c.names());
            }
            let suggestion = self.did_you_mean(key, &known);
            let fix = self.fix(key_node.span, key, suggestion);
            let hint = match suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None => match companion {
                    Some((owner, c)) => {
                        format!("a `{owner}` step takes: {owner}, {}", c.names().join(", "))
                    }
                    None => format!("step kinds: {}", keys::STEP.names().join(", ")),
                },
            };
            let message = if !kinds.is_empty() || f.entries.len() > 1 {
                format!("unknown key `{key}` in a step")
            } else {
                format!("unknown step kind `{key}`")
            };
            self.error_fix(key_node.span, message, hint, fix);
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
        if let Step::Call { endpoint, .. } = &mut endpoint.steps[call.step] {
            *endpoint = to;
        }
        table.calls.push(CallSite {
            from: call.endpoint,
            to,
            visits: 1.0,
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
    pub(super) fn service_ref(
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
        let suggestion = self.did_you_mean(name, &names);
        let fix = self.fix(span, name, suggestion);
        let hint = match suggestion {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("defined services: {}", list(&names)),
        };
        let message = format!("unknown service `{name}` in {context}");
        self.error_fix(span, message, hint, fix);
        None
    }

    /// An endpoint of `service`, with or without its leading `/`.
    pub(super) fn endpoint_ref(
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
        let suggestion = self.did_you_mean(&wanted, &paths);
        // The path as written: `payments/charg` has no leading `/`, `mix: { /pya: 1 }` has one.
        let fix = suggestion.and_then(|s| {
            let written = if path.starts_with('/') { s } else { &s[1..] };
            crate::diag::replace_word(self.source, span, path, written, true)
        });
        let hint = match suggestion {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("its endpoints: {}", list(&paths)),
        };
        let message = format!("service `{}` has no endpoint `{wanted}`", svc.name);
        self.error_fix(span, message, hint, fix);
        None
    }

    /// The endpoint of a service that has exactly one, when none is named.
    pub(super) fn only_endpoint(
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
}

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

/// The section of keys allowed beside a step kind, if any.
fn step_companion(kind: &str) -> Option<(&'static str, &'static keys::Section)> {
    let keys::Shape::OneKey { with } = keys::STEP.shape else {
        return None;
    };
    with.iter().find(|(k, _)| *k == kind).map(|(k, s)| (*k, *s))
}

/// The step kind whose companion keys include `key`.
fn companion_owner(key: &str) -> Option<(&'static str, &'static keys::Section)> {
    let keys::Shape::OneKey { with } = keys::STEP.shape else {
        return None;
    };
    with.iter().find(|(_, s)| s.has(key)).map(|(k, s)| (*k, *s))
}

fn companion_hint(owner: &str) -> String {
    match owner {
        "call" => format!(
            "client-side guards ({}) go beside `call:`, or on a workload; `hedge` and \
             `fallback` beside `call:` only",
            keys::GUARDS.names().join(", ")
        ),
        "with" => {
            "`steps` goes beside `with: POOL`: `- with: db` then `  steps: [ ... ]`".to_string()
        }
        "cache" => "`keys`, `hit`, `miss` and `coalesce` go beside `cache: NAME`".to_string(),
        "invalidate" => "`keys` goes beside `invalidate: NAME`".to_string(),
        _ => "`wait`, `fanout` and `on_error` go beside `parallel: [...]`".to_string(),
    }
}
