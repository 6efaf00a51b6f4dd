//! Reading a service's `pools:` and an endpoint's steps into one flat program: `with` blocks
//! become `Acquire`, their steps, `Release`; a `branch` becomes a `Branch` step, each arm's
//! steps and a `Jump` past the last arm; a `parallel` block becomes a `Fork` step, each
//! branch's steps and a `BranchEnd`. The engine then runs any endpoint with one step pointer
//! per task (see [`Fork`]).

use alloc::format;
use alloc::string::ToString;
use alloc::vec::Vec;

use super::{keys, PendingCall, Reader, ServiceTable};
use crate::diag::Span;
use crate::engine::MAX_NESTED_POOLS;
use crate::scenario::model::*;
use crate::yaml::{Node, NodeKind};

/// Deepest nesting of `with`, `branch` and `parallel` blocks in one endpoint.
const MAX_NESTING: u32 = 16;

const DISCIPLINES: &[(&str, Discipline)] = &[
    ("fifo", Discipline::Fifo),
    ("lifo", Discipline::Lifo),
    ("priority", Discipline::Priority),
    ("codel", Discipline::Codel),
    ("adaptive_lifo", Discipline::AdaptiveLifo),
];

const SCOPES: &[(&str, Scope)] = &[
    ("worker", Scope::Worker),
    ("replica", Scope::Replica),
    ("service", Scope::Service),
];

const BRANCH_EXAMPLE: &str =
    "e.g. `branch: [ { weight: 0.9, steps: [ { io: 1ms } ] }, { weight: 0.1, steps: [ { call: db } ] } ]`";
const PARALLEL_EXAMPLE: &str = "each branch is a step or a list of steps, e.g. `parallel: [ { call: posts }, [ { cpu: 1ms }, { call: ads } ] ]`";

const POOLS_EXAMPLE: &str = "pools by name, e.g. `pools: { db: { size: 20, timeout: 500ms } }`";
const POOL_EXAMPLE: &str = "e.g. `db: { size: 20, queue: fifo, timeout: 500ms, max_waiting: 100 }`";

/// Other words for the queue disciplines, and what each discipline does.
const QUEUE_SYNONYMS: &[(&[&str], &str)] = &[
    (&["stack", "lcfs", "newest", "newest_first"], "lifo"),
    (
        &["queue", "fcfs", "oldest", "oldest_first", "first_come"],
        "fifo",
    ),
    (&["prio", "priorities", "heap", "by_priority"], "priority"),
];
const QUEUE_CHOICES: &str =
    "`fifo` (first come first served), `lifo` (newest first, a stack) or `priority` (the workload's `priority`, highest first)";

const SCOPE_SYNONYMS: &[(&[&str], &str)] = &[
    (
        &["global", "shared", "cluster", "all", "database"],
        "service",
    ),
    (
        &["instance", "pod", "host", "node", "machine", "container"],
        "replica",
    ),
    (&["process", "loop", "event_loop", "thread"], "worker"),
];
const SCOPE_CHOICES: &str = "`worker` (one per worker process), `replica` (one per replica) or `service` (one shared by all replicas)";

/// The hint for a misspelt choice: the right word when `node` is a synonym of one, else what
/// each choice means.
/// Also returns that right word, for the error's fix.
fn synonym_hint(
    node: &Node,
    synonyms: &[(&[&str], &'static str)],
    choices: &str,
) -> (alloc::string::String, Option<&'static str>) {
    let text = node.as_str().unwrap_or_default().to_ascii_lowercase();
    match synonyms
        .iter()
        .find(|(words, _)| words.contains(&text.as_str()))
    {
        Some((_, word)) => (
            format!("did you mean `{word}`? The choices: {choices}"),
            Some(word),
        ),
        None => (format!("the choices: {choices}"), None),
    }
}

/// The endpoint being read: its flat steps, the calls to resolve later, where it is.
pub(super) struct Program<'a, 'n> {
    pub steps: Vec<Step>,
    pub pending: &'a mut Vec<PendingCall<'n>>,
    pub endpoint: EndpointId,
    pub service: ServiceId,
    /// Pools held at this point (a `with` inside a `with` of the same pool would wait for
    /// itself).
    pub held: Vec<PoolId>,
    pub depth: u32,
    /// Inside the `miss` steps of a `cache` block (which may not hold another).
    pub caching: bool,
}

impl Reader<'_> {
    /// `pools: { NAME: { size, queue, timeout, max_waiting, scope } }`.
    pub(super) fn pools(&mut self, node: &Node, service: ServiceId, table: &mut ServiceTable) {
        let f = self.hinted(POOLS_EXAMPLE, |r| r.map(node, "`pools`"));
        let Some(f) = f else {
            return;
        };
        for &(name, key, value) in &f.entries {
            if ["threads", "cores", "gil"].contains(&name) {
                self.error_hint(
                    key.span,
                    format!("`{name}` is reserved: the report and the series name the service's own `{name}` so"),
                    "give the pool another name, e.g. `db` or `http`",
                );
                continue;
            }
            let what = format!("pool `{name}`");
            // A pool declared with a mistake still exists: its `with` blocks must not be
            // reported as naming an unknown pool as well (the scenario is refused anyway).
            let mut spec = PoolSpec {
                name: name.to_string(),
                service,
                size: 1,
                queue: Discipline::Fifo,
                scope: Scope::Replica,
                timeout: None,
                max_waiting: None,
                span: key.span,
            };
            let Some(p) = self.hinted(POOL_EXAMPLE, |r| r.fields(value, &what, &keys::POOL)) else {
                table.pools.push(spec);
                continue;
            };
            let size_hint =
                "the permits of each instance of the pool, 1 to 1000000, e.g. `size: 20`";
            if let Some(n) = self.hinted(size_hint, |r| r.required(&p, "size", &what)) {
                spec.size = self
                    .hinted(size_hint, |r| r.integer(n, "`size`", 1, 1_000_000))
                    .map_or(1, |v| v as u32);
            }
            if let Some(n) = p.get("queue") {
                let (hint, word) = synonym_hint(n, QUEUE_SYNONYMS, QUEUE_CHOICES);
                let fix = self.fix(n.span, n.as_str().unwrap_or_default(), word);
                spec.queue = self
                    .hinted_fix(&hint, fix, |r| r.choice(n, "`queue`", DISCIPLINES))
                    .unwrap_or(Discipline::Fifo);
            }
            if let Some(n) = p.get("scope") {
                let (hint, word) = synonym_hint(n, SCOPE_SYNONYMS, SCOPE_CHOICES);
                let fix = self.fix(n.span, n.as_str().unwrap_or_default(), word);
                spec.scope = self
                    .hinted_fix(&hint, fix, |r| r.choice(n, "`scope`", SCOPES))
                    .unwrap_or(Scope::Replica);
            }
            if let Some(n) = p.get("timeout") {
                spec.timeout = self.hinted(
                    "how long a request may wait for a permit, e.g. `timeout: 500ms`; leave it out to wait without a limit",
                    |r| r.positive_duration(n, "`timeout`"),
                );
            }
            if let Some(n) = p.get("max_waiting") {
                spec.max_waiting = self
                    .hinted(
                        "the most waiters the pool queues, 0 to 10000000 (0: never wait); leave it out for no limit",
                        |r| r.integer(n, "`max_waiting`", 0, 10_000_000),
                    )
                    .map(|m| m as u32);
            }
            table.pools.push(spec);
        }
    }

    /// Runs `read`, then gives every error it reported without a hint this `hint`.
    pub(super) fn hinted<T>(&mut self, hint: &str, read: impl FnOnce(&mut Self) -> T) -> T {
        let from = self.diagnostics.len();
        let out = read(self);
        for d in &mut self.diagnostics[from..] {
            if d.is_error() && d.hint.is_none() {
                d.hint = Some(hint.to_string());
            }
        }
        out
    }

    /// [`Reader::hinted`], also giving those errors `fix` (a synonym's right word).
    fn hinted_fix<T>(
        &mut self,
        hint: &str,
        fix: Option<crate::diag::Fix>,
        read: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let from = self.diagnostics.len();
        let out = self.hinted(hint, read);
        for d in &mut self.diagnostics[from..] {
            if d.is_error() && d.fix.is_none() && d.hint.as_deref() == Some(hint) {
                d.fix = fix.clone();
            }
        }
        out
    }

    /// A list of steps appended to the program.
    pub(super) fn block<'n>(
        &mut self,
        node: &'n Node,
        table: &ServiceTable,
        prog: &mut Program<'_, 'n>,
    ) {
        let NodeKind::Seq(items) = &node.kind else {
            self.error_hint(
                node.span,
                format!("expected a list of steps, found {}", node.describe()),
                "e.g. `steps: [ { io: 5ms } ]`",
            );
            return;
        };
        for item in items {
            if prog.steps.len() > self.limits.max_steps_per_endpoint {
                let max = self.limits.max_steps_per_endpoint;
                return self.error(
                    item.span,
                    format!("the endpoint has more than {max} steps, nested ones included"),
                );
            }
            self.step_into(item, table, prog);
        }
    }

    /// One step (a simple one, or a block) appended to the program.
    pub(super) fn step_into<'n>(
        &mut self,
        node: &'n Node,
        table: &ServiceTable,
        prog: &mut Program<'_, 'n>,
    ) {
        let block = self.map_quiet(node).and_then(|f| {
            ["with", "branch", "parallel", "spawn", "cache"]
                .into_iter()
                .find(|k| f.get(k).is_some())
                .map(|k| (k, f))
        });
        let Some((kind, f)) = block else {
            if let Some((step, call)) = self.step(node) {
                if let Some((target, span)) = call {
                    prog.pending.push(PendingCall {
                        endpoint: prog.endpoint,
                        step: prog.steps.len(),
                        target,
                        span,
                    });
                }
                prog.steps.push(step);
                let fallback = self.map_quiet(node).and_then(|f| f.get("fallback"));
                if let Some(steps) = fallback {
                    self.fallback(steps, table, prog);
                }
            }
            return;
        };
        self.step_kind(&f);
        if prog.depth >= MAX_NESTING {
            return self.error_hint(
                node.span,
                format!("blocks nest at most {MAX_NESTING} deep"),
                "flatten the blocks: move the innermost ones into an endpoint of their own and `call` it, or merge blocks that always run together",
            );
        }
        prog.depth += 1;
        let value = f.get(kind).expect("found above");
        let key = f.key_span(kind).unwrap_or(node.span);
        match kind {
            "with" => self.with_block(&f, value, key, table, prog),
            "branch" => self.branch(value, table, prog),
            "spawn" => self.spawn(value, table, prog),
            "cache" => self.cache_block(&f, value, table, prog),
            _ => self.parallel(&f, value, table, prog),
        }
        prog.depth -= 1;
    }

    /// A `call` step's `fallback`: the call (just pushed) goes on at the fallback's steps when
    /// it fails; on success a `Jump` skips them.
    fn fallback<'n>(&mut self, steps: &'n Node, table: &ServiceTable, prog: &mut Program<'_, 'n>) {
        let call = prog.steps.len() - 1;
        let jump = prog.steps.len();
        prog.steps.push(Step::Jump(0));
        let start = prog.steps.len() as StepIndex;
        prog.depth += 1;
        self.block(steps, table, prog);
        prog.depth -= 1;
        let after = prog.steps.len() as StepIndex;
        prog.steps[jump] = Step::Jump(after);
        if let Step::Call { fallback, .. } = &mut prog.steps[call] {
            *fallback = start;
        }
    }

    fn with_block<'n>(
        &mut self,
        f: &super::values::Fields<'n>,
        value: &'n Node,
        key: Span,
        table: &ServiceTable,
        prog: &mut Program<'_, 'n>,
    ) {
        let name = self.hinted(
            "the name of one of the service's pools, e.g. `with: db`",
            |r| r.text(value, "`with`"),
        );
        let pool = name.and_then(|name| self.pool_named(name, value.span, table, prog));
        let steps = self.hinted(
            "the steps that hold the permit go beside `with`: `- with: db` then `  steps: [ { io: 5ms } ]`",
            |r| r.required(f, "steps", "a `with` step"),
        );
        let Some(steps) = steps else {
            return;
        };
        let Some(pool) = pool else {
            return self.block(steps, table, prog);
        };
        if prog.held.contains(&pool) {
            return self.error_hint(
                value.span,
                "this `with` is inside a `with` of the same pool: it would wait for itself",
                "take the permit once, around all the steps that need it",
            );
        }
        if prog.held.len() >= MAX_NESTED_POOLS {
            return self.error_hint(
                key,
                format!("`with` blocks nest at most {MAX_NESTED_POOLS} deep"),
                "a request holds at most that many permits at once: take some of them one after the other, or merge pools that are always taken together",
            );
        }
        prog.steps.push(Step::Acquire(pool));
        prog.held.push(pool);
        self.block(steps, table, prog);
        prog.held.pop();
        prog.steps.push(Step::Release(pool));
    }

    fn pool_named(
        &mut self,
        name: &str,
        span: Span,
        table: &ServiceTable,
        prog: &Program<'_, '_>,
    ) -> Option<PoolId> {
        let mine = || {
            table
                .pools
                .iter()
                .enumerate()
                .filter(|(_, p)| p.service == prog.service)
        };
        if let Some((i, _)) = mine().find(|(_, p)| p.name == name) {
            return Some(i as PoolId);
        }
        let names: Vec<&str> = mine().map(|(_, p)| p.name.as_str()).collect();
        let suggestion = self.did_you_mean(name, &names);
        let fix = self.fix(span, name, suggestion);
        let hint = match suggestion {
            Some(s) => format!("did you mean `{s}`?"),
            None if names.is_empty() => {
                "declare it under the service: `pools: { db: { size: 20 } }`".to_string()
            }
            None => format!("this service's pools: {}", super::text::list(&names)),
        };
        self.error_fix(span, format!("no pool `{name}` in this service"), hint, fix);
        None
    }

    /// `branch: [ { weight, steps }, ... ]`.
    fn branch<'n>(&mut self, value: &'n Node, table: &ServiceTable, prog: &mut Program<'_, 'n>) {
        let NodeKind::Seq(arms) = &value.kind else {
            return self.error_hint(
                value.span,
                format!(
                    "`branch` must be a list of arms, found {}",
                    value.describe()
                ),
                BRANCH_EXAMPLE,
            );
        };
        if arms.is_empty() {
            return self.error_hint(
                value.span,
                "`branch` needs at least one arm",
                BRANCH_EXAMPLE,
            );
        }
        let mut read = Vec::with_capacity(arms.len());
        for arm in arms {
            let f = self.hinted(BRANCH_EXAMPLE, |r| {
                r.fields(arm, "a `branch` arm", &keys::BRANCH_ARM)
            });
            let Some(f) = f else {
                continue;
            };
            let weight = self.hinted(
                "a relative weight, a number > 0 (the weights need not add up to 1), e.g. `weight: 0.9`",
                |r| {
                    r.required(&f, "weight", "a `branch` arm")
                        .and_then(|n| r.real(n, "`weight`"))
                },
            );
            let weight = match weight {
                Some(w) if w > 0.0 && w.is_finite() => Some(w),
                Some(_) => {
                    let span = f.get("weight").map_or(arm.span, |n| n.span);
                    self.error_hint(
                        span,
                        "`weight` must be a finite number > 0",
                        "leave out an arm that never runs; a rare one can have a small weight, e.g. `weight: 0.001`",
                    );
                    None
                }
                None => None,
            };
            let steps = self.hinted(BRANCH_EXAMPLE, |r| {
                r.required(&f, "steps", "a `branch` arm")
            });
            if let (Some(w), Some(steps)) = (weight, steps) {
                read.push((w, steps));
            }
        }
        if read.is_empty() {
            return;
        }
        let total: f64 = read.iter().map(|(w, _)| w).sum();
        let at = prog.steps.len();
        prog.steps.push(Step::Branch(Vec::new()));
        let mut arms_out = Vec::with_capacity(read.len());
        let mut jumps = Vec::with_capacity(read.len());
        let mut cum = 0.0;
        for (k, (w, steps)) in read.iter().enumerate() {
            cum = if k + 1 == read.len() {
                1.0
            } else {
                cum + w / total
            };
            arms_out.push((cum, prog.steps.len() as StepIndex));
            self.block(steps, table, prog);
            jumps.push(prog.steps.len());
            prog.steps.push(Step::Jump(0));
        }
        let after = prog.steps.len() as StepIndex;
        for j in jumps {
            prog.steps[j] = Step::Jump(after);
        }
        prog.steps[at] = Step::Branch(arms_out);
    }

    /// `parallel: [ branch, ... ]` with `wait`, `fanout`, `on_error` beside it.
    fn parallel<'n>(
        &mut self,
        f: &super::values::Fields<'n>,
        value: &'n Node,
        table: &ServiceTable,
        prog: &mut Program<'_, 'n>,
    ) {
        let NodeKind::Seq(branches) = &value.kind else {
            return self.error_hint(
                value.span,
                format!(
                    "`parallel` must be a list of branches, found {}",
                    value.describe()
                ),
                PARALLEL_EXAMPLE,
            );
        };
        let fanout = match f.get("fanout") {
            Some(n) => self
                .hinted(
                    "how many times every listed branch runs (shards), 1 to 10000",
                    |r| r.integer(n, "`fanout`", 1, 10_000),
                )
                .map(|v| v as u32),
            None => Some(1),
        };
        let total = fanout.map(|n| n as u64 * branches.len() as u64);
        let need = self.wait(f, total);
        let ignore = match f.get("on_error") {
            Some(n) => self.hinted(
                "`fail` (the default: the first failed branch fails the step) or `ignore` (with `wait: all`: wait for every branch and succeed whatever failed)",
                |r| r.choice(n, "`on_error`", &[("fail", false), ("ignore", true)]),
            ),
            None => Some(false),
        };
        if let (Some(true), Some(need), Some(total)) = (ignore, need, total) {
            if u64::from(need) < total {
                let span = f.get("on_error").map_or(value.span, |n| n.span);
                self.error_hint(
                    span,
                    "`on_error: ignore` applies to `wait: all`",
                    "with `any` or a count the step already succeeds despite failed branches",
                );
            }
        }
        if branches.is_empty() {
            return self.error_hint(
                value.span,
                "`parallel` needs at least one branch",
                PARALLEL_EXAMPLE,
            );
        }
        let at = prog.steps.len();
        prog.steps.push(Step::BranchEnd); // replaced by the fork below
        let mut starts = Vec::with_capacity(branches.len());
        for b in branches {
            starts.push(prog.steps.len() as StepIndex);
            if matches!(b.kind, NodeKind::Seq(_)) {
                self.block(b, table, prog);
            } else {
                self.step_into(b, table, prog);
            }
            prog.steps.push(Step::BranchEnd);
        }
        let next = prog.steps.len() as StepIndex;
        if let (Some(fanout), Some(need), Some(ignore)) = (fanout, need, ignore) {
            prog.steps[at] = Step::Fork(alloc::boxed::Box::new(Fork {
                starts,
                fanout,
                need,
                ignore_errors: ignore,
                next,
            }));
        }
    }

    /// `wait: all | any | k`, as the number of successes needed (of `total` branches).
    fn wait(&mut self, f: &super::values::Fields<'_>, total: Option<u64>) -> Option<u32> {
        let total = total?;
        let Some(n) = f.get("wait") else {
            return Some(total as u32);
        };
        match n.as_str() {
            Some("all") => return Some(total as u32),
            Some("any") => return Some(1),
            _ => {}
        }
        if let Some(k) = n.as_str().and_then(|t| t.parse::<u64>().ok()) {
            if (1..=total).contains(&k) {
                return Some(k as u32);
            }
            let with_fanout = if f.get("fanout").is_some() {
                " (with `fanout`)"
            } else {
                ""
            };
            self.error_hint(
                n.span,
                format!("`wait: {k}` but the step has {total} branches{with_fanout}"),
                format!("wait for 1 to {total} of them, or write `all` or `any`"),
            );
            return None;
        }
        let found = match n.as_str() {
            Some(text) => format!("`{text}`"),
            None => n.describe().to_string(),
        };
        self.error_hint(
            n.span,
            format!("`wait` must be `all`, `any` or a number of branches, found {found}"),
            "e.g. `wait: any` for the first answer, `wait: 2` for two of them",
        );
        None
    }
}
