//! Reading a service's `autoscale:` (a Kubernetes HPA–style policy; see `engine/hpa.rs`).
//!
//! The target is typed by the metric (a percentage for `utilization`, a duration for
//! `loop_lag`, a count for `in_flight` and `queue_depth`, a rate for `rps`), so it is read
//! after the metric and a mismatch is reported with the form the metric expects.

use alloc::format;

use super::text::{fmt_duration, nice_interval};
use super::values::{opening, Fields};
use super::Reader;
use crate::diag::Span;
use crate::scenario::keys;
use crate::scenario::model::{Autoscale, Endpoint, QueueSpec, ScaleMetric, Service};
use crate::scenario::units;
use crate::time::{Nanos, NANOS_PER_SEC};
use crate::yaml::Node;

const S: Nanos = NANOS_PER_SEC;

/// Most decisions of one autoscaler over a run.
pub const MAX_DECISIONS: u64 = 1_000_000;

/// Most intervals one averaging window spans (its ring of snapshots is this long at most).
pub const MAX_WINDOW_INTERVALS: u64 = 1000;

const METRICS: &[(&str, ScaleMetric)] = &[
    ("utilization", ScaleMetric::Utilization),
    ("loop_lag", ScaleMetric::LoopLag),
    ("in_flight", ScaleMetric::InFlight),
    ("rps", ScaleMetric::Rps),
    ("queue_depth", ScaleMetric::QueueDepth),
];

impl Reader<'_> {
    /// The policy of service `name`; `replicas` is the `replicas:` value node (the initial
    /// count) and `initial` its value. `None` after reporting an error.
    pub(super) fn autoscale(
        &mut self,
        node: &Node,
        name: &str,
        replicas: Option<&Node>,
        initial: u32,
    ) -> Option<Autoscale> {
        let f = self.fields(node, &format!("`autoscale` of `{name}`"), &keys::AUTOSCALE)?;
        let max_replicas = self.limits.max_replicas.min(u32::MAX.into());
        let count = |r: &mut Self, key: &str| {
            f.get(key)
                .and_then(|n| r.integer(n, &format!("`autoscale.{key}`"), 1, max_replicas))
                .map(|v| v as u32)
        };
        let min = match f.get("min") {
            Some(_) => count(self, "min"),
            None => Some(1),
        };
        let max = match f.get("max") {
            Some(_) => count(self, "max"),
            None => {
                self.error_hint(
                    opening(node),
                    format!("`autoscale` of `{name}` needs `max`"),
                    "the most replicas it may run, e.g. `max: 10`",
                );
                None
            }
        };
        let metric = match f.get("metric") {
            Some(n) => self.choice(n, "`autoscale.metric`", METRICS)?,
            None => ScaleMetric::Utilization,
        };
        let target = self.scale_target(&f, node, metric);
        let time = |r: &mut Self, key: &str, default: Nanos, zero: bool| match f.get(key) {
            None => Some(default),
            Some(n) if zero => r.duration(n, &format!("`autoscale.{key}`")),
            Some(n) => r.positive_duration(n, &format!("`autoscale.{key}`")),
        };
        let interval = time(self, "interval", 15 * S, false);
        let window = time(self, "window", 30 * S, false);
        let provision = time(self, "provision", 60 * S, true);
        let cooldown = time(self, "cooldown", 300 * S, true);
        let tolerance = match f.get("tolerance") {
            None => Some(0.1),
            Some(n) => self.tolerance(n),
        };
        let (min, max) = (min?, max?);
        let bounds = self.scale_bounds(&f, min, max, replicas, initial);
        let (target, tolerance) = (target?, tolerance?);
        let (interval, window, provision, cooldown) = (interval?, window?, provision?, cooldown?);
        bounds?;
        if window.div_ceil(interval) > MAX_WINDOW_INTERVALS {
            let span = f.get("window").map_or(opening(node), |n| n.span);
            self.error_hint(
                span,
                format!("`autoscale.window` spans more than {MAX_WINDOW_INTERVALS} intervals"),
                "lengthen `interval` or shorten `window`",
            );
            return None;
        }
        Some(Autoscale {
            initial,
            min,
            max,
            metric,
            target,
            interval,
            window,
            provision,
            cooldown,
            tolerance,
            span: f.get("interval").map_or(opening(node), |n| n.span),
            metric_span: f.get("metric").map_or(opening(node), |n| n.span),
        })
    }

    /// Once the run's duration is known: at most [`MAX_DECISIONS`] decisions per autoscaler,
    /// so the work of a run stays bounded (`duration: 30d` with `interval: 1ms` would be
    /// billions of events).
    pub(super) fn autoscale_decisions(&mut self, services: &[Service], duration: Option<Nanos>) {
        let Some(d) = duration else { return };
        for a in services.iter().filter_map(|s| s.autoscale.as_ref()) {
            let n = d / a.interval;
            if n > MAX_DECISIONS {
                self.error_hint(
                    a.span,
                    format!(
                        "`autoscale.interval: {}` makes {n} decisions over the run (the limit is {MAX_DECISIONS})",
                        fmt_duration(a.interval)
                    ),
                    format!(
                        "use `interval: {}` or more",
                        fmt_duration(nice_interval(d.div_ceil(MAX_DECISIONS)))
                    ),
                );
            }
        }
    }

    /// `metric: queue_depth` reads the queues a service consumes: it needs at least one.
    pub(super) fn autoscale_queue_metrics(
        &mut self,
        services: &[Service],
        endpoints: &[Endpoint],
        queues: &[QueueSpec],
    ) {
        for (s, svc) in services.iter().enumerate() {
            let Some(a) = svc.autoscale.as_ref() else {
                continue;
            };
            let consumed = queues.iter().any(|q| {
                q.consumer
                    .is_some_and(|e| endpoints[e as usize].service as usize == s)
            });
            if a.metric == ScaleMetric::QueueDepth && !consumed {
                self.error_hint(
                    a.metric_span,
                    format!(
                        "`autoscale.metric: queue_depth` on `{}` needs a queue that it consumes",
                        svc.name
                    ),
                    "name one of its endpoints as a queue's `consumer`, or scale on `utilization`, `loop_lag`, `in_flight` or `rps`",
                );
            }
        }
    }

    /// `min ≤ replicas ≤ max`, reported where the offending value is written.
    fn scale_bounds(
        &mut self,
        f: &Fields,
        min: u32,
        max: u32,
        replicas: Option<&Node>,
        initial: u32,
    ) -> Option<()> {
        if max < min {
            let span = f.get("max").map_or(opening(f.node), |n| n.span);
            self.error_hint(
                span,
                format!("`autoscale.max` ({max}) is below `autoscale.min` ({min})"),
                "max is the most replicas, min the fewest",
            );
            return None;
        }
        if initial < min || initial > max {
            let span: Span = replicas.map_or(opening(f.node), |n| n.span);
            self.error_hint(
                span,
                format!(
                    "`replicas` ({initial}) must be within the autoscaler's [min, max] = [{min}, {max}]"
                ),
                "with `autoscale`, `replicas` is the initial count",
            );
            return None;
        }
        Some(())
    }

    /// The target, in the metric's unit: a fraction, nanoseconds, a count or a rate per second.
    fn scale_target(&mut self, f: &Fields, node: &Node, metric: ScaleMetric) -> Option<f64> {
        let Some(n) = f.get("target") else {
            let example = match metric {
                ScaleMetric::Utilization => "60%",
                ScaleMetric::LoopLag => "20ms",
                ScaleMetric::InFlight | ScaleMetric::QueueDepth => "8",
                ScaleMetric::Rps => "100/s",
            };
            self.error_hint(
                opening(node),
                "`autoscale` needs a `target`",
                format!("the metric's value per replica, e.g. `target: {example}`"),
            );
            return None;
        };
        let text = n.as_str().unwrap_or_default();
        let wrong = |r: &mut Self, expected: &str, example: &str| {
            r.error_hint(
                n.span,
                format!(
                    "`autoscale.target` for metric `{}` must be {expected}, found `{text}`",
                    metric.name()
                ),
                format!("e.g. `target: {example}`"),
            );
            None
        };
        let v = match metric {
            ScaleMetric::Utilization => match units::split_number(text.trim()) {
                Some((v, "%")) if v > 0.0 && v <= 100.0 => v / 100.0,
                Some((v, "")) if v > 0.0 && v <= 1.0 => v,
                _ => return wrong(self, "a percentage in (0%, 100%]", "60%"),
            },
            ScaleMetric::LoopLag => match units::duration(text) {
                Ok(d) if d > 0 && units::number(text).is_none() => d as f64,
                _ => return wrong(self, "a duration above zero with its unit", "20ms"),
            },
            ScaleMetric::InFlight | ScaleMetric::QueueDepth => match units::number(text) {
                Some(v) if v > 0.0 && v.is_finite() && v <= 1e9 => v,
                _ => return wrong(self, "a count above zero (a plain number)", "8"),
            },
            ScaleMetric::Rps => match units::rate(text) {
                Ok(r) if r > 0.0 => r,
                _ => return wrong(self, "a rate above zero", "100/s"),
            },
        };
        Some(v)
    }

    fn tolerance(&mut self, n: &Node) -> Option<f64> {
        let v = self.ratio(n, "`autoscale.tolerance`")?;
        if v < 1.0 {
            return Some(v);
        }
        let text = n.as_str().unwrap_or_default();
        self.error_hint(
            n.span,
            format!("`autoscale.tolerance` must be below 100%, found `{text}`"),
            "the HPA's default is 10%",
        );
        None
    }
}
