//! Reading `workload`: targets, arrivals, rate schedules and endpoint mixes.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use super::text::fmt_duration;
use super::values::{opening, Fields};
use super::{Reader, ServiceTable};
use crate::diag::Span;
use crate::dist::Dist;
use crate::scenario::keys;
use crate::scenario::model::*;
use crate::scenario::units;
use crate::time::Nanos;
use crate::yaml::{Node, NodeKind};

impl Reader<'_> {
    pub(super) fn workloads(
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
        let f = self.fields(node, "a workload", &keys::WORKLOAD)?;
        let target = self
            .required(&f, "to", "a workload")
            .and_then(|n| Some((self.text(n, "`to`")?, n.span)))
            .and_then(|(name, span)| self.service_ref(table, name, span, "`to`"));
        let arrivals = self.arrivals(&f, duration);
        let mix = target.and_then(|t| self.mix(&f, table, t));
        let policy = self.call_policy(&f);
        let name = self.workload_name(&f, index, table, target, earlier);
        let priority = match f.get("priority") {
            Some(n) => self.integer(n, "`priority`", 0, 255).map(|p| p as u8),
            None => Some(0),
        };
        let active_users = match f.get("active_users") {
            Some(n) => {
                if !matches!(arrivals, Some(Arrivals::Poisson(_)) | None) {
                    self.error_hint(
                        n.span,
                        "`active_users` only applies to poisson workloads",
                        "use `arrivals: poisson`, or remove `active_users`",
                    );
                    return None;
                }
                Some(self.active_users(n)?)
            }
            None => None,
        };
        Some(Workload {
            name: name?,
            target: target?,
            arrivals: arrivals?,
            mix: mix?,
            policy: self.add_policy(policy?, node.span),
            priority: priority?,
            active_users,
            span: node.span,
        })
    }

    /// `{ mean, dist, sd, every }`.
    fn active_users(&mut self, node: &Node) -> Option<ActiveUsers> {
        let f = self.fields(node, "`active_users`", &keys::ACTIVE_USERS)?;
        let mean = self.required(&f, "mean", "`active_users`").and_then(|n| {
            let v = self.real(n, "`mean`")?;
            self.check_value(
                n,
                "`mean`",
                v,
                v > 0.0 && v <= 1e9,
                "above 0 and at most 1e9",
            )
        });
        let normal = match f.get("dist") {
            Some(n) => self.choice(n, "`dist`", &[("poisson", false), ("normal", true)]),
            None => Some(false),
        };
        let sd = match f.get("sd") {
            Some(n) => {
                let v = self.real(n, "`sd`");
                v.and_then(|v| {
                    self.check_value(n, "`sd`", v, (0.0..=1e9).contains(&v), "from 0 to 1e9")
                })
                .map(Some)
            }
            None => Some(None),
        };
        let every = match f.get("every") {
            Some(n) => self.positive_duration(n, "`every`"),
            None => Some(crate::time::from_secs_f64(60.0)),
        };
        let (mean, normal, sd) = (mean?, normal?, sd?);
        if let (false, Some(span)) = (normal, f.key_span("sd")) {
            self.error_hint(
                span,
                "`sd` only applies to `dist: normal`",
                "a Poisson count has sd = √mean: remove `sd`",
            );
            return None;
        }
        Some(ActiveUsers {
            mean,
            normal_sd: normal.then(|| sd.unwrap_or(mean)),
            every: every?,
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
            .and_then(|n| {
                self.integer(n, "`users`", 1, self.limits.max_users.min(u32::MAX.into()))
            });
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
        let f = self.fields(node, "a rate schedule point", &keys::RATE_POINT)?;
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
        self.rate_of(node, "`rate`")
    }

    /// A rate, within the limit on a workload's rate.
    pub(super) fn rate_of(&mut self, node: &Node, what: &str) -> Option<f64> {
        let r = self.unit(node, what, "a rate such as `80/s`", units::rate)?;
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
