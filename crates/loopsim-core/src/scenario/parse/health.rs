//! Reading the run-wide sections about health and money: `health` (how the runtime is scored
//! and watched for collapse), `slo` and `slo_period` (service-level objectives), `cost`
//! (prices) and `budget` (a spending budget watched tick by tick).
//!
//! As for the guards, each key is checked on its own (so that a bad value is reported at that
//! value), then the rules that tie keys together, then the health model's own `validate()`.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::text::{fmt_duration, list, nice_interval};
use super::values::{opening, sub_span, Fields};
use super::{optional, Reader, Run, ServiceTable};
use crate::diag::{Diagnostic, Span};
use crate::health::cost::MAX_AMOUNT;
use crate::health::{
    BudgetAction, BudgetConfig, CollapseConfig, CostModel, HealthThresholds, SloObjective,
    SpikeRule,
};
use crate::scenario::keys;
use crate::scenario::model::*;
use crate::scenario::units;
use crate::time::{to_secs_f64, Nanos, NANOS_PER_SEC};
use crate::yaml::{Node, NodeKind};

/// The sections read by this module, for [`Scenario`].
pub(super) struct Sections {
    /// `None` after an error (or without a valid `duration`).
    pub health: Option<HealthSpec>,
    pub slos: Vec<SloObjective>,
    pub slo_period: Option<Nanos>,
    pub cost: Option<CostModel>,
    pub budget: Option<BudgetConfig>,
}

/// How a health threshold is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Value {
    /// A score or a count, > 0.
    Positive,
    /// A weight of the score, ≥ 0 (0 leaves the signal out).
    Weight,
    /// A duration (> 0), stored in seconds.
    Duration,
    /// Seconds as a bare number (> 0), as the auditor's `metrics.yaml` writes them.
    Seconds,
}

/// The async-runtime-auditor's `metrics.yaml` names of thresholds we also name our way: (ours,
/// the auditor's). Both are accepted, so that its file can be pasted under `health:`; giving
/// the same threshold both ways is an error.
const AUDITOR_NAMES: [(&str, &str); 8] = [
    ("degraded", "health_score_degraded"),
    ("critical", "health_score_critical"),
    ("collapse_risk", "health_score_collapse"),
    ("max_event_loop_lag", "max_event_loop_lag_s"),
    ("max_blocking", "max_blocking_duration_s"),
    ("max_queue_wait", "max_queue_wait_s"),
    ("max_backlog", "max_threadpool_backlog"),
    ("max_active", "max_active_requests"),
];

/// The name a threshold was given under in `f` (the auditor's when that one is present).
fn given_name<'k>(f: &Fields, ours: &'k str) -> &'k str {
    AUDITOR_NAMES
        .iter()
        .find(|(o, a)| *o == ours && f.get(a).is_some())
        .map_or(ours, |(_, a)| a)
}

/// The field of [`HealthThresholds`] that `key` sets, and how it is written.
fn threshold_field<'t>(t: &'t mut HealthThresholds, key: &str) -> Option<(&'t mut f64, Value)> {
    Some(match key {
        "degraded" => (&mut t.degraded_score, Value::Positive),
        "critical" => (&mut t.critical_score, Value::Positive),
        "collapse_risk" => (&mut t.collapse_score, Value::Positive),
        "lag_weight" => (&mut t.lag_weight, Value::Weight),
        "blocking_weight" => (&mut t.blocking_weight, Value::Weight),
        "queue_wait_weight" => (&mut t.queue_wait_weight, Value::Weight),
        "backlog_weight" => (&mut t.backlog_weight, Value::Weight),
        "active_weight" => (&mut t.active_weight, Value::Weight),
        "max_event_loop_lag" => (&mut t.max_event_loop_lag_s, Value::Duration),
        "max_blocking" => (&mut t.max_blocking_duration_s, Value::Duration),
        "max_queue_wait" => (&mut t.max_queue_wait_s, Value::Duration),
        "max_backlog" => (&mut t.max_threadpool_backlog, Value::Positive),
        "max_active" => (&mut t.max_active_requests, Value::Positive),
        "busy_active" => (&mut t.busy_active_requests, Value::Positive),
        "hidden_lag" => (&mut t.hidden_lag_s, Value::Duration),
        "hidden_p99" => (&mut t.hidden_p99_s, Value::Duration),
        "health_score_degraded" => (&mut t.degraded_score, Value::Positive),
        "health_score_critical" => (&mut t.critical_score, Value::Positive),
        "health_score_collapse" => (&mut t.collapse_score, Value::Positive),
        "max_event_loop_lag_s" => (&mut t.max_event_loop_lag_s, Value::Seconds),
        "max_blocking_duration_s" => (&mut t.max_blocking_duration_s, Value::Seconds),
        "max_queue_wait_s" => (&mut t.max_queue_wait_s, Value::Seconds),
        "max_threadpool_backlog" => (&mut t.max_threadpool_backlog, Value::Positive),
        "max_active_requests" => (&mut t.max_active_requests, Value::Positive),
        _ => return None,
    })
}

/// A value as written when `key` (or its auditor name) is given, else the default followed by
/// ", the default".
fn shown(f: &Fields, key: &str, default: String) -> String {
    match f.get(given_name(f, key)).and_then(|n| n.as_str()) {
        Some(text) => String::from(text),
        None => format!("{default}, the default"),
    }
}

/// The percentage of a fraction, for messages: `0.4` → `40%`.
fn percent(x: f64) -> String {
    format!("{}%", libm::round(x * 1e6) / 1e4)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Mean,
    Robust,
}

const METHODS: &[(&str, Method)] = &[("mean", Method::Mean), ("robust", Method::Robust)];
const MEAN_KEYS: &[&str] = &["method", "multiplier", "min_baseline"];
const ROBUST_KEYS: &[&str] = &["method", "z"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    Alert,
    Throttle,
    Block,
}

const ACTIONS: &[(&str, Action)] = &[
    ("alert", Action::Alert),
    ("throttle", Action::Throttle),
    ("block", Action::Block),
];

/// Most spike-test history a budget may keep, in ticks.
const MAX_HISTORY: u64 = 1_000_000;

impl Reader<'_> {
    pub(super) fn sections(
        &mut self,
        top: &Fields,
        run: &Run,
        table: &ServiceTable,
        workloads: &[Workload],
    ) -> Sections {
        let health = self.health(top.get("health"), run, table);
        let slos = self.slos(top.get("slo"));
        let slo_period = top
            .get("slo_period")
            .and_then(|n| self.positive_duration(n, "`slo_period`"));
        let cost = top.get("cost").and_then(|n| self.cost(n, table));
        let budget = top
            .get("budget")
            .and_then(|n| self.budget(n, top, table, workloads));
        Sections {
            health,
            slos,
            slo_period,
            cost,
            budget,
        }
    }

    // ---- health ----------------------------------------------------------------------------

    /// `health`: the tick and window, the slow-callback cut-off, the auditor's thresholds and
    /// the collapse detector; defaults for every key left out.
    fn health(
        &mut self,
        node: Option<&Node>,
        run: &Run,
        table: &ServiceTable,
    ) -> Option<HealthSpec> {
        let services = table.services.len();
        let mut spec = HealthSpec::default_for(run.duration.unwrap_or(NANOS_PER_SEC), services);
        let Some(node) = node else {
            self.default_tick(&spec, run, services)?;
            return Some(spec);
        };
        let f = self.fields(node, "`health`", &keys::HEALTH)?;
        let tick = f.get("tick").map(|n| self.tick(n, run.duration, services));
        let window = f
            .get("window")
            .map(|n| self.positive_duration(n, "`window`"));
        let slow = f
            .get("slow_callback")
            .map(|n| self.positive_duration(n, "`slow_callback`"));
        let thresholds = f.get("thresholds").map(|n| self.thresholds(n));
        let collapse = f.get("collapse").map(|n| self.collapse(n, table));
        self.auditor_only_keys(&f);
        let (tick, window, slow) = (optional(tick), optional(window), optional(slow));
        let (thresholds, collapse) = (optional(thresholds), optional(collapse));
        match tick? {
            Some(t) => {
                spec.tick = t;
                spec.window = (10 * NANOS_PER_SEC).max(t);
            }
            None => self.default_tick(&spec, run, services)?,
        }
        if let Some(w) = window? {
            if w < spec.tick {
                let tick = shown(&f, "tick", fmt_duration(spec.tick));
                self.error_hint(
                    f.get("window")?.span,
                    format!(
                        "`window` ({}) must be at least `tick` ({tick})",
                        fmt_duration(w)
                    ),
                    "the timeline's windows are made of whole ticks: lengthen `window` or shorten `tick`",
                );
                return None;
            }
            spec.window = w;
        }
        if let Some(s) = slow? {
            spec.slow_callback = s;
        }
        if let Some(t) = thresholds? {
            spec.thresholds = t;
        }
        if let Some((c, feedback)) = collapse? {
            spec.collapse = c;
            spec.collapse_throttle = feedback;
        }
        Some(spec)
    }

    /// An explicit `tick`: at most the run's duration, and at most `max_series_points` ticks.
    fn tick(&mut self, node: &Node, duration: Option<Nanos>, services: usize) -> Option<Nanos> {
        let t = self.positive_duration(node, "`tick`")?;
        let Some(d) = duration else {
            return Some(t);
        };
        if t > d {
            self.error_hint(
                node.span,
                format!(
                    "`tick` ({}) is longer than the run ({})",
                    fmt_duration(t),
                    fmt_duration(d)
                ),
                "health is recorded once per tick: use a tick of at most `duration`",
            );
            return None;
        }
        let ticks = d.div_ceil(t);
        let max = self.max_ticks(services);
        if ticks > max {
            self.error_hint(
                node.span,
                format!(
                    "`tick: {}` gives {ticks} health records per service (the limit is {max} for \
                     {services} service(s))",
                    fmt_duration(t)
                ),
                format!(
                    "use `tick: {}` or more",
                    fmt_duration(nice_interval(d.div_ceil(max)))
                ),
            );
            return None;
        }
        Some(t)
    }

    /// The default tick must respect `max_series_points` too (it can only fail with limits
    /// below 20 000 points).
    fn default_tick(&mut self, spec: &HealthSpec, run: &Run, services: usize) -> Option<()> {
        let Some(d) = run.duration else {
            return Some(());
        };
        let ticks = d.div_ceil(spec.tick);
        let max = self.max_ticks(services);
        if ticks <= max {
            return Some(());
        }
        self.error_hint(
            run.duration_span,
            format!(
                "the run has {ticks} health ticks of {} (the limit is {max})",
                fmt_duration(spec.tick)
            ),
            format!(
                "set `health: {{ tick: {} }}` or more",
                fmt_duration(nice_interval(d.div_ceil(max)))
            ),
        );
        None
    }

    /// Ticks a run may have: `max_series_points`, and at most `max_health_records` records
    /// over all services (each service keeps one record per tick).
    fn max_ticks(&self, services: usize) -> u64 {
        let per_service = self.limits.max_health_records / services.max(1) as u64;
        self.limits.max_series_points.min(per_service.max(1))
    }

    /// `thresholds`: overrides of the async-runtime-auditor's [`HealthThresholds`].
    fn thresholds(&mut self, node: &Node) -> Option<HealthThresholds> {
        let f = self.fields(node, "`thresholds`", &keys::THRESHOLDS)?;
        let mut t = HealthThresholds::default();
        let mut ok = true;
        for &(key, _, value) in &f.entries {
            let what = format!("`{key}`");
            let read = match threshold_field(&mut t, key) {
                Some((slot, Value::Duration)) => self
                    .positive_duration(value, &what)
                    .map(|d| *slot = to_secs_f64(d)),
                Some((slot, Value::Positive)) => self
                    .real(value, &what)
                    .and_then(|v| self.check_value(value, &what, v, v > 0.0, "greater than 0"))
                    .map(|v| *slot = v),
                Some((slot, Value::Seconds)) => self.seconds(value, key).map(|v| *slot = v),
                Some((slot, Value::Weight)) => self
                    .real(value, &what)
                    .and_then(|v| self.check_value(value, &what, v, v >= 0.0, "at least 0"))
                    .map(|v| *slot = v),
                None => Some(()), // an unknown key, already reported
            };
            ok &= read.is_some();
        }
        ok &= self.no_threshold_twice(&f);
        ok.then_some(())?;
        let d = HealthThresholds::default();
        let levels = [
            ("degraded", t.degraded_score, d.degraded_score),
            ("critical", t.critical_score, d.critical_score),
            ("collapse_risk", t.collapse_score, d.collapse_score),
        ];
        for pair in levels.windows(2) {
            let ((lo, lo_value, lo_default), (hi, hi_value, hi_default)) = (pair[0], pair[1]);
            if lo_value > hi_value {
                let lo_text = shown(&f, lo, format!("{lo_default}"));
                let hi_text = shown(&f, hi, format!("{hi_default}"));
                let (lo, hi) = (given_name(&f, lo), given_name(&f, hi));
                let at = f.get(hi).or(f.get(lo))?;
                self.error_hint(
                    at.span,
                    format!("`{hi}` ({hi_text}) must be at least `{lo}` ({lo_text})"),
                    "the status cut-offs go up: degraded ≤ critical ≤ collapse_risk",
                );
                return None;
            }
        }
        Some(t)
    }

    /// Seconds as a bare number > 0 (the auditor's `…_s` thresholds); a duration with a unit
    /// gets a hint towards our own key, which takes one.
    fn seconds(&mut self, node: &Node, key: &str) -> Option<f64> {
        let what = format!("`{key}`");
        let text = self.scalar(node, &what, "a number of seconds such as `0.5`")?;
        let Some(v) = units::number(text) else {
            let ours = AUDITOR_NAMES
                .iter()
                .find(|(_, a)| *a == key)
                .map_or("", |p| p.0);
            self.error_hint(
                node.span,
                format!("{what} is in seconds as a bare number, found `{text}`"),
                format!("write e.g. `{key}: 0.5`, or use `{ours}`, which takes a duration such as `500ms`"),
            );
            return None;
        };
        self.check_value(node, &what, v, v > 0.0 && v.is_finite(), "greater than 0")
    }

    /// Reports every threshold given under both our name and the auditor's; `true` when none.
    fn no_threshold_twice(&mut self, f: &Fields) -> bool {
        let mut ok = true;
        for (ours, theirs) in AUDITOR_NAMES {
            let (Some(a), Some(b)) = (f.key_span(ours), f.key_span(theirs)) else {
                continue;
            };
            let second = if a.start > b.start { a } else { b };
            self.error_hint(
                second,
                format!("`{ours}` and `{theirs}` set the same threshold: give it once"),
                format!(
                    "`{theirs}` is the async-runtime-auditor's name for `{ours}`; keep one of the two"
                ),
            );
            ok = false;
        }
        ok
    }

    /// `target` and `queries` of a pasted `metrics.yaml`: checked for their shape, then a
    /// warning at each that a simulation does not use it.
    fn auditor_only_keys(&mut self, f: &Fields) {
        let target = f.get("target").and_then(|n| self.text(n, "`target`"));
        let queries = f.get("queries").and_then(|n| self.queries(n));
        let unused = [
            (
                "target",
                target.is_some(),
                "it is the async-runtime-auditor's Prometheus address",
            ),
            (
                "queries",
                queries.is_some(),
                "they are the async-runtime-auditor's Prometheus queries",
            ),
        ];
        for (key, read, what) in unused {
            let Some(at) = f.key_span(key).filter(|_| read) else {
                continue;
            };
            self.report(
                Diagnostic::warning(at, format!("`{key}` is not used by a simulation: {what}"))
                    .with_hint(
                        "the simulation measures the auditor's signals itself and scores them with `thresholds`; keep the key (a pasted metrics.yaml runs as it is) or delete it",
                    ),
            );
        }
    }

    /// `queries`: a mapping of text (the auditor's PromQL by signal); `Some` when well formed.
    fn queries(&mut self, node: &Node) -> Option<()> {
        let NodeKind::Map(entries) = &node.kind else {
            self.error_hint(
                node.span,
                format!("`queries` must be a mapping, found {}", node.describe()),
                "as in the auditor's metrics.yaml: `queries: { p99_latency: \"histogram_quantile(…)\" }`",
            );
            return None;
        };
        let mut ok = true;
        for (key, value) in entries {
            let what = format!("query `{}`", key.as_str().unwrap_or("?"));
            ok &= self.text(value, &what).is_some();
        }
        ok.then_some(())
    }

    /// `collapse`: the agent-chaos-framework detector's cut-offs and throttle delays, and
    /// `feedback` (the throttle delays closed-loop users).
    fn collapse(&mut self, node: &Node, table: &ServiceTable) -> Option<(CollapseConfig, bool)> {
        let f = self.fields(node, "`collapse`", &keys::COLLAPSE)?;
        let d = CollapseConfig::default();
        let fill = |r: &mut Self, key: &str, default: f64, zero: bool| {
            f.get(key)
                .map_or(Some(default), |n| r.share(n, &format!("`{key}`"), zero))
        };
        let degraded_fill = fill(self, "degraded_fill", d.degraded_fill, false);
        let collapsed_fill = fill(self, "collapsed_fill", d.collapsed_fill, false);
        let dqdt_fill = fill(self, "dqdt_fill", d.dqdt_fill, true);
        let dqdt = f.get("dqdt").map_or(Some(d.dqdt_rate), |n| {
            self.unit(n, "`dqdt`", "a rate such as `15/s`", units::rate)
        });
        let p95_growth = f.get("p95_growth").map_or(Some(d.p95_growth), |n| {
            let v = self.ratio(n, "`p95_growth`")?;
            self.check_value(n, "`p95_growth`", v, v > 0.0, "greater than 0%")
        });
        let delay = |r: &mut Self, key: &str, default: Nanos| {
            f.get(key)
                .map_or(Some(default), |n| r.duration(n, &format!("`{key}`")))
        };
        let throttle_degraded = delay(self, "throttle_degraded", d.throttle_degraded);
        let throttle_collapsed = delay(self, "throttle_collapsed", d.throttle_collapsed);
        let feedback = f
            .get("feedback")
            .map_or(Some(false), |n| self.boolean(n, "`feedback`"));
        let c = CollapseConfig {
            degraded_fill: degraded_fill?,
            collapsed_fill: collapsed_fill?,
            dqdt_rate: dqdt?,
            dqdt_fill: dqdt_fill?,
            p95_growth: p95_growth?,
            throttle_degraded: throttle_degraded?,
            throttle_collapsed: throttle_collapsed?,
        };
        let feedback = feedback?;
        if c.degraded_fill > c.collapsed_fill {
            let lo = shown(&f, "degraded_fill", percent(d.degraded_fill));
            let hi = shown(&f, "collapsed_fill", percent(d.collapsed_fill));
            let at = f.get("collapsed_fill").or(f.get("degraded_fill"))?;
            self.error(
                at.span,
                format!("`collapsed_fill` ({hi}) must be at least `degraded_fill` ({lo})"),
            );
            return None;
        }
        if c.throttle_degraded > c.throttle_collapsed {
            let lo = shown(&f, "throttle_degraded", fmt_duration(d.throttle_degraded));
            let hi = shown(&f, "throttle_collapsed", fmt_duration(d.throttle_collapsed));
            let at = f.get("throttle_collapsed").or(f.get("throttle_degraded"))?;
            self.error(
                at.span,
                format!("`throttle_collapsed` ({hi}) must be at least `throttle_degraded` ({lo})"),
            );
            return None;
        }
        let watched = table.services.iter().any(|s| s.ingress.max_queue.is_some());
        if let (true, false, Some(n)) = (feedback, watched, f.get("feedback")) {
            self.report(
                Diagnostic::warning(
                    n.span,
                    "`feedback` has no effect: no service has a bounded accept queue",
                )
                .with_hint(
                    "the collapse detector watches the services with `ingress: { max_queue: N }`",
                ),
            );
        }
        Some((c, feedback))
    }

    // ---- service-level objectives ----------------------------------------------------------

    fn slos(&mut self, node: Option<&Node>) -> Vec<SloObjective> {
        let Some(node) = node else {
            return Vec::new();
        };
        let NodeKind::Seq(items) = &node.kind else {
            self.error_hint(
                node.span,
                format!("`slo` must be a list, found {}", node.describe()),
                "write each objective as a list item: `- { name: fast, latency: p99 < 300ms }`",
            );
            return Vec::new();
        };
        if items.len() > self.limits.max_slos {
            let message = format!(
                "too many objectives: {} (the limit is {})",
                items.len(),
                self.limits.max_slos
            );
            self.error(node.span, message);
            return Vec::new();
        }
        let mut slos: Vec<SloObjective> = Vec::with_capacity(items.len());
        for item in items {
            if let Some(o) = self.slo(item, &slos) {
                slos.push(o);
            }
        }
        slos
    }

    /// `{name, latency: p99 < 300ms}` or `{name, error_rate: < 0.1%}`.
    fn slo(&mut self, node: &Node, earlier: &[SloObjective]) -> Option<SloObjective> {
        let f = self.fields(node, "an objective", &keys::SLO)?;
        let name = self
            .required(&f, "name", "an objective")
            .and_then(|n| self.slo_name(n, earlier));
        let objective = match (f.get("latency"), f.get("error_rate")) {
            (Some(latency), None) => self.latency_objective(latency).map(|(p, t)| (p, Some(t))),
            (None, Some(rate)) => self.error_rate_objective(rate).map(|max| (max, None)),
            (Some(_), Some(_)) => {
                self.error_hint(
                    f.key_span("error_rate")?,
                    "an objective is on `latency` or on `error_rate`, not both",
                    "write two objectives, each with its own name",
                );
                None
            }
            (None, None) => {
                self.error_hint(
                    opening(node),
                    "an objective needs `latency` or `error_rate`",
                    "e.g. `{ name: fast, latency: p99 < 300ms }` or `{ name: available, error_rate: < 0.1% }`",
                );
                None
            }
        };
        let (name, (value, threshold)) = (name?, objective?);
        let built = match threshold {
            Some(t) => SloObjective::latency(name, value, t),
            None => SloObjective::error_rate(name, value),
        };
        let check = match &built {
            Ok(o) => o.validate(),
            Err(e) => Err(*e),
        };
        self.validated(check, "`slo`", Some(&f), node.span)?;
        built.ok()
    }

    fn slo_name<'n>(&mut self, node: &'n Node, earlier: &[SloObjective]) -> Option<&'n str> {
        let name = self.text(node, "`name`")?;
        if name.trim().is_empty() {
            self.error(node.span, "`name` is empty");
            return None;
        }
        if earlier.iter().any(|o| o.name == name) {
            self.error_hint(
                node.span,
                format!("duplicate objective name `{name}`"),
                "give each objective its own name: reports refer to objectives by name",
            );
            return None;
        }
        Some(name)
    }

    /// `p99 < 300ms`: the percentile (in (0, 100)) as a fraction, and the threshold. `<=` and
    /// `≤` mean the same as `<` (a request is good when its latency is at most the threshold).
    fn latency_objective(&mut self, node: &Node) -> Option<(f64, Nanos)> {
        let expected = "an objective such as `p99 < 300ms`";
        let text = self.scalar(node, "`latency`", expected)?;
        let lead = text.len() - text.trim_start().len();
        let body = text.trim();
        let digits = body.strip_prefix(['p', 'P']).map(|rest| {
            rest.len()
                - rest
                    .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')
                    .len()
        });
        let percentile = digits
            .filter(|&n| n > 0)
            .and_then(|n| units::number(&body[1..1 + n]).map(|v| (v, n)));
        let Some((pct, n)) = percentile else {
            self.error_hint(
                node.span,
                format!("`latency` must be {expected}, found `{text}`"),
                "a percentile (`p50` to `p99.99`), then `<` or `<=`, then a duration",
            );
            return None;
        };
        let pct_span = sub_span(node, lead, 1 + n);
        if !(pct > 0.0 && pct < 100.0) {
            let message = format!(
                "the percentile must be greater than 0 and less than 100, found `{}`",
                &body[..1 + n]
            );
            if pct >= 100.0 {
                self.error_hint(
                    pct_span,
                    message,
                    "p100 would allow no slow request at all: use e.g. `p99.9`",
                );
            } else {
                self.error(pct_span, message);
            }
            return None;
        }
        let after = &body[1 + n..];
        let op_at = lead + 1 + n + (after.len() - after.trim_start().len());
        let after = after.trim_start();
        let op_len = ["<=", "≤", "<"]
            .iter()
            .find(|op| after.starts_with(**op))
            .map(|op| op.len());
        let Some(op_len) = op_len else {
            let wrong = [">=", "≥", ">", "=="]
                .iter()
                .find(|op| after.starts_with(**op));
            match wrong {
                Some(op) => self.error_hint(
                    sub_span(node, op_at, op.len()),
                    format!(
                        "a latency objective is an upper bound: `{op}` is not allowed, use `<` or `<=`"
                    ),
                    format!("write `{} < {}`", &body[..1 + n], after[op.len()..].trim()),
                ),
                None => self.error_hint(
                    node.span,
                    format!("`latency` must be {expected}, found `{text}`"),
                    format!("put `<` or `<=` between `{}` and the threshold", &body[..1 + n]),
                ),
            }
            return None;
        };
        let rest = &after[op_len..];
        let threshold_at = op_at + op_len + (rest.len() - rest.trim_start().len());
        let threshold = rest.trim();
        let span = sub_span(node, threshold_at, threshold.len());
        if threshold.is_empty() {
            self.error_hint(
                node.span,
                format!("`latency` has no threshold: expected {expected}"),
                "add a duration after the operator",
            );
            return None;
        }
        let t = match units::duration(threshold) {
            Ok(t) => t,
            Err(e) => {
                let fix = self.fix(span, threshold, e.fix.as_deref());
                self.report(Diagnostic {
                    hint: e.hint,
                    fix,
                    ..Diagnostic::error(span, format!("`latency`: {}", e.message))
                });
                return None;
            }
        };
        if t == 0 {
            self.error(span, "the latency threshold must be greater than zero");
            return None;
        }
        // `p99.9` → 0.999 as written (99.9 / 100 would round to 0.9990000000000001).
        let fraction = format!("{pct}e-2").parse::<f64>().unwrap_or(pct / 100.0);
        Some((fraction, t))
    }

    /// `< 0.1%`, `<= 1%`, `0.1%` or `0.001`: the largest share of failed requests, in (0, 1).
    fn error_rate_objective(&mut self, node: &Node) -> Option<f64> {
        let expected = "a maximum such as `< 0.1%`";
        let text = self.scalar(node, "`error_rate`", expected)?;
        let body = text.trim();
        if let Some(op) = [">=", "≥", ">"].iter().find(|op| body.starts_with(**op)) {
            self.error_hint(
                node.span,
                format!(
                    "an error-rate objective is an upper bound: `{op}` is not allowed, use `<` or `<=`"
                ),
                format!("write `< {}`", body[op.len()..].trim()),
            );
            return None;
        }
        let value = ["<=", "≤", "<"]
            .iter()
            .find_map(|op| body.strip_prefix(*op))
            .unwrap_or(body)
            .trim();
        let max = match units::split_number(value) {
            Some((v, "")) => v,
            Some((v, "%")) => v / 100.0,
            _ => {
                self.error(
                    node.span,
                    format!("`error_rate` must be {expected}, found `{text}`"),
                );
                return None;
            }
        };
        if max > 0.0 && max < 1.0 {
            return Some(max);
        }
        let message =
            format!("`error_rate` must be greater than 0% and less than 100%, found `{text}`");
        if !value.ends_with('%') && (1.0..100.0).contains(&max) {
            self.error_hint(
                node.span,
                message,
                format!("for a percentage write {value}%"),
            );
        } else if max == 0.0 {
            self.error_hint(
                node.span,
                message,
                "an objective of no errors at all leaves no error budget: use e.g. `< 0.01%`",
            );
        } else {
            self.error(node.span, message);
        }
        None
    }

    // ---- cost and budget -------------------------------------------------------------------

    /// `cost`: prices per request, CPU second, instance hour and thousand LLM tokens.
    fn cost(&mut self, node: &Node, table: &ServiceTable) -> Option<CostModel> {
        let f = self.fields(node, "`cost`", &keys::COST)?;
        let price = |r: &mut Self, key: &str| {
            f.get(key)
                .map_or(Some(0.0), |n| r.price(n, &format!("`{key}`")))
        };
        let per_request = price(self, "per_request");
        let per_cpu_second = price(self, "per_cpu_second");
        let per_instance_hour = price(self, "per_instance_hour");
        let llm = f.get("llm").map(|n| self.llm_prices(n));
        let (llm_per_1k_in, llm_per_1k_out) = optional(llm)?.unwrap_or((0.0, 0.0));
        let model = CostModel {
            per_request: per_request?,
            per_cpu_second: per_cpu_second?,
            per_instance_hour: per_instance_hour?,
            llm_per_1k_in,
            llm_per_1k_out,
        };
        self.validated(model.validate(), "`cost`", Some(&f), node.span)?;
        let llm_steps = table
            .endpoints
            .iter()
            .any(|e| e.steps.iter().any(|s| matches!(s, Step::Llm(_))));
        if llm_steps && f.get("llm").is_none() {
            self.report(
                Diagnostic::warning(
                    opening(node),
                    "the `llm` steps cost nothing: `cost` has no `llm` prices",
                )
                .with_hint("add e.g. `llm: { per_1k_in: 0.003, per_1k_out: 0.015 }` to `cost`"),
            );
        }
        Some(model)
    }

    fn llm_prices(&mut self, node: &Node) -> Option<(f64, f64)> {
        let f = self.fields(node, "`llm`", &keys::LLM_PRICES)?;
        let price = |r: &mut Self, key: &str| {
            f.get(key)
                .map_or(Some(0.0), |n| r.price(n, &format!("`{key}`")))
        };
        let per_1k_in = price(self, "per_1k_in");
        let per_1k_out = price(self, "per_1k_out");
        Some((per_1k_in?, per_1k_out?))
    }

    /// An amount of money: a number ≥ 0, without a currency symbol.
    fn price(&mut self, node: &Node, what: &str) -> Option<f64> {
        let text = self.scalar(node, what, "an amount such as `0.12`")?;
        let trimmed = text.trim();
        if let Some(rest) = trimmed.strip_prefix(['$', '€', '£', '¥']) {
            if units::number(rest).is_some() {
                self.error_hint(
                    node.span,
                    format!("{what} must be a plain number, found `{text}`"),
                    format!(
                        "write the amount without a currency symbol: `{}`",
                        rest.trim()
                    ),
                );
                return None;
            }
        }
        let v = self.real(node, what)?;
        if v < 0.0 {
            self.error(
                node.span,
                format!("{what} cannot be negative, found `{text}`"),
            );
            return None;
        }
        if v > MAX_AMOUNT {
            self.error_hint(
                node.span,
                format!("{what} must be at most 1e12, found `{text}`"),
                "prices and budget amounts are capped at 1e12 in the scenario's currency, so that a run's totals stay finite",
            );
            return None;
        }
        Some(v)
    }

    /// `budget`: a spending limit watched tick by tick (needs `cost`).
    fn budget(
        &mut self,
        node: &Node,
        top: &Fields,
        table: &ServiceTable,
        workloads: &[Workload],
    ) -> Option<BudgetConfig> {
        let f = self.fields(node, "`budget`", &keys::BUDGET)?;
        let limit = self.required(&f, "limit", "`budget`").and_then(|n| {
            let v = self.price(n, "`limit`")?;
            self.check_value(n, "`limit`", v, v > 0.0, "greater than 0")
        });
        let period = f
            .get("period")
            .map(|n| self.positive_duration(n, "`period`"));
        let warning = f.get("warning").map(|n| self.share(n, "`warning`", false));
        let spike = f.get("spike").map(|n| self.spike(n));
        let burn_threshold = f.get("burn_threshold").map(|n| {
            let v = self.real(n, "`burn_threshold`")?;
            self.check_value(n, "`burn_threshold`", v, v > 0.0, "greater than 0")
        });
        let history = f.get("history").map(|n| {
            self.integer(n, "`history`", 2, MAX_HISTORY)
                .map(|v| v as usize)
        });
        let action = f
            .get("action")
            .map(|n| self.budget_action(n, table, workloads));
        if top.get("cost").is_none() {
            self.error_hint(
                top.key_span("budget")?,
                "`budget` needs a `cost` section: without prices nothing is spent",
                "add the prices, e.g. `cost: { per_request: 0.000002, per_instance_hour: 0.12 }`",
            );
            return None;
        }
        let mut b = BudgetConfig::with_limit(limit?);
        b.period = optional(period)?;
        if let Some(w) = optional(warning)? {
            b.warning_ratio = w;
        }
        if let Some(s) = optional(spike)? {
            b.spike = s;
        }
        if let Some(t) = optional(burn_threshold)? {
            b.burn_threshold = t;
        }
        if let Some(h) = optional(history)? {
            b.history = h;
        }
        if let Some(a) = optional(action)? {
            b.action = a;
        }
        self.validated(b.validate(), "`budget`", Some(&f), node.span)?;
        Some(b)
    }

    /// `mean` or `robust` (their defaults), `{method: mean, multiplier, min_baseline}` or
    /// `{method: robust, z}`.
    fn spike(&mut self, node: &Node) -> Option<SpikeRule> {
        let (method, f) = if matches!(node.kind, NodeKind::Map(_)) {
            let f = self.fields(node, "`spike`", &keys::SPIKE)?;
            let method = f.get("method").map_or(Some(Method::Mean), |n| {
                self.choice(n, "spike method", METHODS)
            })?;
            (method, f)
        } else {
            let method = self.choice(node, "spike method", METHODS)?;
            let f = Fields {
                node,
                entries: Vec::new(),
            };
            (method, f)
        };
        let SpikeRule::Mean {
            multiplier,
            min_baseline,
        } = SpikeRule::default()
        else {
            return None;
        };
        match method {
            Method::Mean => {
                let ok = self.inapplicable(&f, &keys::SPIKE, MEAN_KEYS, "a mean spike test");
                let multiplier = f.get("multiplier").map_or(Some(multiplier), |n| {
                    let v = self.real(n, "`multiplier`")?;
                    self.check_value(n, "`multiplier`", v, v > 1.0, "greater than 1")
                });
                let min_baseline = f
                    .get("min_baseline")
                    .map_or(Some(min_baseline), |n| self.price(n, "`min_baseline`"));
                ok?;
                Some(SpikeRule::Mean {
                    multiplier: multiplier?,
                    min_baseline: min_baseline?,
                })
            }
            Method::Robust => {
                let ok = self.inapplicable(&f, &keys::SPIKE, ROBUST_KEYS, "a robust spike test");
                let SpikeRule::Robust { z } = SpikeRule::robust() else {
                    return None;
                };
                let z = f.get("z").map_or(Some(z), |n| {
                    let v = self.real(n, "`z`")?;
                    self.check_value(n, "`z`", v, v > 0.0, "greater than 0")
                });
                ok?;
                Some(SpikeRule::Robust { z: z? })
            }
        }
    }

    /// `alert`, `throttle`, `block` (every endpoint) or `{ block: service/endpoint }`.
    fn budget_action(
        &mut self,
        node: &Node,
        table: &ServiceTable,
        workloads: &[Workload],
    ) -> Option<BudgetAction> {
        if !matches!(node.kind, NodeKind::Map(_)) {
            return Some(match self.choice(node, "`action`", ACTIONS)? {
                Action::Alert => BudgetAction::Alert,
                Action::Throttle => BudgetAction::Throttle,
                Action::Block => BudgetAction::Block { endpoint: None },
            });
        }
        let f = self.fields(node, "`action`", &keys::BUDGET_ACTION)?;
        let Some(target) = f.get("block") else {
            self.error_hint(
                opening(node),
                "`action` as a mapping is `{ block: service/endpoint }`",
                format!(
                    "or one of {}",
                    list(&ACTIONS.iter().map(|a| a.0).collect::<Vec<_>>())
                ),
            );
            return None;
        };
        let text = self.text(target, "`block`")?;
        let endpoint = self.block_target(text, target, table)?;
        let ep = &table.endpoints[endpoint as usize];
        let name = format!("{}{}", table.services[ep.service as usize].name, ep.path);
        let sent = workloads
            .iter()
            .any(|w| w.mix.iter().any(|&(e, _)| e == endpoint));
        if !sent && !workloads.is_empty() {
            self.report(
                Diagnostic::warning(
                    target.span,
                    format!("no workload sends requests to `{name}`: blocking it has no effect"),
                )
                .with_hint(
                    "the budget refuses the workloads' requests, not calls between services: block an endpoint a workload sends to",
                ),
            );
        }
        Some(BudgetAction::Block {
            endpoint: Some(name),
        })
    }

    /// `service/endpoint` (or `service` when it has one endpoint).
    fn block_target(
        &mut self,
        text: &str,
        node: &Node,
        table: &ServiceTable,
    ) -> Option<EndpointId> {
        let (name, path) = match text.split_once('/') {
            Some((name, path)) => (name, Some(path)),
            None => (text, None),
        };
        if name.is_empty() {
            self.error_hint(
                node.span,
                format!("`block: {text}` must name a service: expected `service/endpoint`"),
                "e.g. `action: { block: checkout/pay }` blocks endpoint `/pay` of service `checkout`",
            );
            return None;
        }
        let span: Span = sub_span(node, 0, name.len());
        let service = self.service_ref(table, name, span, "`block`")?;
        match path {
            Some(p) => {
                let span = sub_span(node, name.len() + 1, p.len());
                self.endpoint_ref(table, service, p, span)
            }
            None => self.only_endpoint(table, service, node.span, "`block`"),
        }
    }
}
