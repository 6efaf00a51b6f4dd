//! Reading `queues:` (message queues and their consumers), the `publish` step's queue name
//! and the `spawn` block. Queue names are read first, so that `publish` steps resolve them
//! while the services are read; the queues' consumers are resolved once every service is
//! known.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::flow::Program;
use super::text::list;
use super::{keys, Reader, ServiceTable};
use crate::diag::Span;
use crate::scenario::model::*;
use crate::yaml::{Node, NodeKind};

/// Most queues in a scenario.
const MAX_QUEUES: usize = 1000;
/// Most partitions over all queues (each has its own queue of messages and depth record).
const MAX_PARTITIONS: u64 = 100_000;

const QUEUE_EXAMPLE: &str =
    "e.g. `queues: { orders: { consumer: fulfil/process, concurrency: 4, max_length: 100000 } }`";

impl Reader<'_> {
    /// The names of the queues, in order (so that `publish` steps can name them).
    pub(super) fn queue_names(&mut self, node: Option<&Node>) -> Vec<String> {
        let Some(node) = node else {
            return Vec::new();
        };
        let Some(f) = self.map(node, "`queues`") else {
            return Vec::new();
        };
        if f.entries.len() > MAX_QUEUES {
            let message = format!(
                "too many queues: {} (the limit is {MAX_QUEUES})",
                f.entries.len()
            );
            self.error(node.span, message);
            return Vec::new();
        }
        f.entries.iter().map(|e| e.0.to_string()).collect()
    }

    /// `publish: NAME`: a queue declared under `queues:`.
    pub(super) fn publish(&mut self, node: &Node) -> Option<Step> {
        let name = self.text(node, "`publish`")?;
        if let Some(q) = self.queue_names.iter().position(|n| n == name) {
            return Some(Step::Publish(q as QueueId));
        }
        let names: Vec<&str> = self.queue_names.iter().map(String::as_str).collect();
        let suggestion = self.did_you_mean(name, &names);
        let fix = self.fix(node.span, name, suggestion);
        let hint = match suggestion {
            Some(s) => format!("did you mean `{s}`?"),
            None if names.is_empty() => {
                format!("declare it under `queues:`, {QUEUE_EXAMPLE}")
            }
            None => format!("declared queues: {}", list(&names)),
        };
        let message = format!("unknown queue `{name}` in `publish`");
        self.error_fix(node.span, message, hint, fix);
        None
    }

    /// `spawn: [steps]`: a `Spawn` step, the spawned steps and a `BranchEnd`; the request
    /// goes on after them.
    pub(super) fn spawn<'n>(
        &mut self,
        value: &'n Node,
        table: &ServiceTable,
        prog: &mut Program<'_, 'n>,
    ) {
        if !matches!(value.kind, NodeKind::Seq(_)) {
            return self.error_hint(
                value.span,
                format!(
                    "`spawn` must be a list of steps, found {}",
                    value.describe()
                ),
                "e.g. `spawn: [ { call: analytics } ]`",
            );
        }
        let at = prog.steps.len();
        prog.steps.push(Step::BranchEnd); // replaced below
                                          // The background task holds none of the request's pools.
        let held = core::mem::take(&mut prog.held);
        self.block(value, table, prog);
        prog.held = held;
        prog.steps.push(Step::BranchEnd);
        prog.steps[at] = Step::Spawn {
            next: prog.steps.len() as StepIndex,
        };
    }

    /// `queues: { NAME: { consumer, concurrency, partitions, max_length, max_deliveries,
    /// redelivery_delay, dead_letter } }`, once every service is known.
    pub(super) fn queues(&mut self, node: Option<&Node>, table: &ServiceTable) -> Vec<QueueSpec> {
        let Some(f) = node.and_then(|n| self.map_quiet(n)) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut partitions = 0u64;
        for &(name, key, value) in f.entries.iter().take(MAX_QUEUES) {
            self.queue_name(name, key.span, table);
            let Some(q) = self.queue(name, key.span, value, table) else {
                continue;
            };
            partitions += u64::from(q.partitions.unwrap_or(0));
            if partitions > MAX_PARTITIONS {
                self.error_hint(
                    key.span,
                    format!("too many partitions: more than {MAX_PARTITIONS} over all queues"),
                    "a few partitions per consumer slot are enough to model ordering",
                );
            }
            out.push(q);
        }
        out
    }

    fn queue_name(&mut self, name: &str, span: Span, table: &ServiceTable) {
        if name == "client" || table.services.iter().any(|s| s.name == name) {
            self.error_hint(
                span,
                format!(
                    "queue `{name}` has the name of a network node already (`client` or a service)"
                ),
                "a queue is a network node of its own: give it another name",
            );
        } else if name.contains('/') || name.chars().any(char::is_whitespace) {
            self.error_hint(
                span,
                format!("queue name `{name}` may not contain `/` or spaces"),
                "e.g. `orders` or `orders-dlq`",
            );
        }
    }

    fn queue(
        &mut self,
        name: &str,
        span: Span,
        node: &Node,
        table: &ServiceTable,
    ) -> Option<QueueSpec> {
        let f = self.fields(node, &format!("queue `{name}`"), &keys::QUEUE)?;
        let consumer = f
            .get("consumer")
            .map(|n| self.consumer(n, table))
            .map_or(Some(None), |c| c.map(Some));
        let int = |r: &mut Self, key: &str, min: u64, max: u64| {
            f.get(key).map(|n| {
                r.integer(n, &format!("`{key}`"), min, max)
                    .map(|v| v as u32)
            })
        };
        let concurrency = int(self, "concurrency", 1, 100_000);
        let partitions = int(self, "partitions", 1, 10_000);
        let max_length = int(self, "max_length", 1, 100_000_000);
        let max_deliveries = int(self, "max_deliveries", 1, 1000);
        let delay = f
            .get("redelivery_delay")
            .map(|n| self.duration(n, "`redelivery_delay`"));
        let dead_letter = f.get("dead_letter").map(|n| self.dead_letter(n, name));
        Some(QueueSpec {
            name: name.to_string(),
            consumer: consumer?,
            concurrency: concurrency.unwrap_or(Some(1))?,
            partitions: super::optional(partitions)?,
            max_length: super::optional(max_length)?,
            max_deliveries: max_deliveries.unwrap_or(Some(3))?,
            redelivery_delay: delay.unwrap_or(Some(30 * crate::time::NANOS_PER_SEC))?,
            dead_letter: super::optional(dead_letter)?,
            span,
        })
    }

    /// `consumer: service/endpoint` (or a service with one endpoint).
    fn consumer(&mut self, node: &Node, table: &ServiceTable) -> Option<EndpointId> {
        let target = self.text(node, "`consumer`")?;
        let (service, path) = match target.split_once('/') {
            Some((s, p)) => (s, Some(p)),
            None => (target, None),
        };
        let id = self.service_ref(table, service, node.span, "`consumer`")?;
        match path {
            Some(p) => self.endpoint_ref(table, id, p, node.span),
            None => self.only_endpoint(table, id, node.span, "`consumer`"),
        }
    }

    /// `dead_letter: NAME`: another declared queue.
    fn dead_letter(&mut self, node: &Node, own: &str) -> Option<QueueId> {
        let name = self.text(node, "`dead_letter`")?;
        if name == own {
            self.error_hint(
                node.span,
                format!("queue `{own}` cannot be its own dead-letter queue"),
                "declare another queue, e.g. `orders-dlq: {}` (without a consumer it accumulates)",
            );
            return None;
        }
        if let Some(q) = self.queue_names.iter().position(|n| n == name) {
            return Some(q as QueueId);
        }
        let names: Vec<&str> = self.queue_names.iter().map(String::as_str).collect();
        let suggestion = self.did_you_mean(name, &names);
        let fix = self.fix(node.span, name, suggestion);
        let hint = match suggestion {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("declared queues: {}", list(&names)),
        };
        let message = format!("unknown queue `{name}` in `dead_letter`");
        self.error_fix(node.span, message, hint, fix);
        None
    }
}
