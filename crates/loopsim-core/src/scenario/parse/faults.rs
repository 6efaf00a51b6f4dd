//! Reading `faults`: the fault timeline, each fault with its kind-specific settings and its
//! target resolved (a service or replica, a network link, an endpoint or a workload).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::text::{fmt_duration, list};
use super::values::{opening, sub_span, Fields};
use super::{Reader, ServiceTable};
use crate::scenario::keys;
use crate::scenario::model::*;
use crate::time::Nanos;
use crate::yaml::{Node, NodeKind};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Slowdown,
    Latency,
    Loss,
    Errors,
    Outage,
    Pause,
    Surge,
    Flush,
}

const FAULT_KINDS: &[(&str, Kind)] = &[
    ("slowdown", Kind::Slowdown),
    ("latency", Kind::Latency),
    ("loss", Kind::Loss),
    ("errors", Kind::Errors),
    ("outage", Kind::Outage),
    ("pause", Kind::Pause),
    ("surge", Kind::Surge),
    ("flush", Kind::Flush),
];

impl Kind {
    fn name(self) -> &'static str {
        FAULT_KINDS.iter().find(|k| k.1 == self).map_or("", |k| k.0)
    }

    /// "a `slowdown` fault", "an `outage` fault".
    fn fault(self) -> String {
        let article = if matches!(self, Kind::Outage | Kind::Errors) {
            "an"
        } else {
            "a"
        };
        format!("{article} `{}` fault", self.name())
    }

    /// The keys a fault of this kind takes.
    fn keys(self) -> &'static [&'static str] {
        match self {
            Kind::Slowdown => &["at", "for", "kind", "target", "factor"],
            Kind::Latency => &["at", "for", "kind", "target", "add"],
            Kind::Loss | Kind::Errors => &["at", "for", "kind", "target", "rate"],
            Kind::Outage => &["at", "for", "kind", "target"],
            Kind::Pause => &["at", "for", "kind", "target", "worker"],
            Kind::Surge => &["at", "for", "kind", "target", "factor", "rate"],
            Kind::Flush => &["at", "kind", "target"],
        }
    }
}

/// What the scenario defines so far, to resolve fault targets against.
pub(super) struct Targets<'a> {
    pub table: &'a ServiceTable,
    pub workloads: &'a [Workload],
    /// False when some workload failed to read: an unknown workload name is then not
    /// reported (it may be that one).
    pub every_workload: bool,
    pub duration: Option<Nanos>,
}

fn plural(n: u32, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

impl Reader<'_> {
    pub(super) fn faults(&mut self, node: Option<&Node>, targets: &Targets) -> Vec<Fault> {
        let Some(node) = node else {
            return Vec::new();
        };
        let NodeKind::Seq(items) = &node.kind else {
            self.error_hint(
                node.span,
                format!("`faults` must be a list, found {}", node.describe()),
                "write each fault as a list item: `- { at: 60s, for: 10s, kind: outage, target: api }`",
            );
            return Vec::new();
        };
        if items.len() > self.limits.max_faults {
            let message = format!(
                "too many faults: {} (the limit is {})",
                items.len(),
                self.limits.max_faults
            );
            self.error(node.span, message);
            return Vec::new();
        }
        items
            .iter()
            .filter_map(|item| self.fault(item, targets))
            .collect()
    }

    fn fault(&mut self, node: &Node, targets: &Targets) -> Option<Fault> {
        let f = self.fields(node, "a fault", &keys::FAULT)?;
        let at_node = self.required(&f, "at", "a fault");
        let at = at_node.and_then(|n| self.duration(n, "`at`"));
        let length = f.get("for").map(|n| self.positive_duration(n, "`for`"));
        let kind = self
            .required(&f, "kind", "a fault")
            .and_then(|n| self.choice(n, "fault kind", FAULT_KINDS));
        let target = self
            .required(&f, "target", "a fault")
            .and_then(|n| Some((self.text(n, "`target`")?, n)));
        let kind = kind?;
        let what = kind.fault();
        let ok = self.inapplicable(&f, &keys::FAULT, kind.keys(), &what);
        if kind == Kind::Pause && length.is_none() {
            self.error_hint(
                opening(node),
                "a `pause` fault needs `for`: how long the event loops stop",
                "e.g. `for: 300ms` (a long garbage-collection pause)",
            );
        }
        let fault_kind = target.and_then(|(text, t)| self.fault_kind(kind, &f, text, t, targets));
        let (at, at_node) = (at?, at_node?);
        if let Some(d) = targets.duration.filter(|&d| at >= d) {
            self.error_hint(
                at_node.span,
                format!(
                    "fault `at: {}` is not before the end of the run ({})",
                    fmt_duration(at),
                    fmt_duration(d)
                ),
                "remove the fault or lengthen `duration`",
            );
            return None;
        }
        let duration = targets.duration?;
        let until = match super::optional(length)? {
            Some(l) => at.saturating_add(l).min(duration),
            None if kind == Kind::Pause => return None,
            // A flush is an instant: it empties the cache at `at`.
            None if kind == Kind::Flush => at,
            None => duration,
        };
        ok?;
        Some(Fault {
            at,
            until,
            kind: fault_kind?,
            span: node.span,
        })
    }

    /// The kind-specific part of a fault: its resolved target and settings.
    fn fault_kind(
        &mut self,
        kind: Kind,
        f: &Fields,
        text: &str,
        target: &Node,
        targets: &Targets,
    ) -> Option<FaultKind> {
        let what = kind.fault();
        let table = targets.table;
        match kind {
            Kind::Slowdown => {
                let t = self.replica_target(text, target, table, kind);
                let factor = self.required(f, "factor", &what).and_then(|n| {
                    let v = self.real(n, "`factor`")?;
                    self.check_value(n, "`factor`", v, v > 0.0, "greater than 0")
                });
                Some(FaultKind::Slowdown {
                    target: t?,
                    factor: factor?,
                })
            }
            Kind::Latency => {
                let link = self.link_target(text, target, table, kind);
                let add = self
                    .required(f, "add", &what)
                    .and_then(|n| self.dist(n, "`add`"));
                let (from, to, both) = link?;
                Some(FaultKind::Latency {
                    from,
                    to,
                    both,
                    add: add?,
                })
            }
            Kind::Loss => {
                let link = self.link_target(text, target, table, kind);
                let rate = self
                    .required(f, "rate", &what)
                    .and_then(|n| self.share(n, "`rate`", true));
                let (from, to, both) = link?;
                Some(FaultKind::Loss {
                    from,
                    to,
                    both,
                    rate: rate?,
                })
            }
            Kind::Errors => {
                let t = self.endpoint_target(text, target, table);
                let rate = self
                    .required(f, "rate", &what)
                    .and_then(|n| self.share(n, "`rate`", true));
                let (service, endpoint) = t?;
                Some(FaultKind::Errors {
                    service,
                    endpoint,
                    rate: rate?,
                })
            }
            Kind::Outage => Some(FaultKind::Outage {
                target: self.replica_target(text, target, table, kind)?,
            }),
            Kind::Pause => {
                let t = self.replica_target(text, target, table, kind)?;
                let worker = match f.get("worker") {
                    Some(n) => Some(self.worker(n, t, table)?),
                    None => None,
                };
                Some(FaultKind::Pause { target: t, worker })
            }
            Kind::Surge => self.surge(f, text, target, targets),
            Kind::Flush => Some(FaultKind::Flush {
                cache: self.cache_named(text, target.span)?,
            }),
        }
    }

    /// `svc` (every replica) or `svc#N` (replica N, from 0).
    fn replica_target(
        &mut self,
        text: &str,
        node: &Node,
        table: &ServiceTable,
        kind: Kind,
    ) -> Option<ReplicaTarget> {
        if text.contains("->") || text.contains('/') {
            self.error_hint(
                node.span,
                format!(
                    "{} targets a service or one of its replicas, found `{text}`",
                    kind.fault()
                ),
                "e.g. `target: api` (every replica) or `target: api#1` (the second one)",
            );
            return None;
        }
        let (name, index) = match text.split_once('#') {
            Some((name, index)) => (name, Some(index)),
            None => (text, None),
        };
        let service = self.service_ref(table, name, sub_span(node, 0, name.len()), "`target`")?;
        let Some(index) = index else {
            return Some(ReplicaTarget {
                service,
                replica: None,
            });
        };
        let replicas = table.services[service as usize].replicas;
        let span = sub_span(node, name.len(), index.len() + 1);
        let numbering = if replicas == 1 {
            format!("`{name}#0` is its only replica")
        } else {
            format!(
                "replicas are numbered from 0: `{name}#0` to `{name}#{}`",
                replicas - 1
            )
        };
        let parsed = index
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| index.parse::<u32>().ok())
            .flatten();
        match parsed {
            Some(r) if r < replicas => Some(ReplicaTarget {
                service,
                replica: Some(r),
            }),
            Some(_) => {
                self.error_hint(
                    span,
                    format!(
                        "service `{name}` has {}: `{text}` does not exist",
                        plural(replicas, "replica")
                    ),
                    numbering,
                );
                None
            }
            None => {
                self.error_hint(
                    span,
                    format!("`#{index}` in `{text}` is not a replica number"),
                    numbering,
                );
                None
            }
        }
    }

    /// `a->b` (one direction) or `a<->b` (both); ends are service names or `client`.
    fn link_target(
        &mut self,
        text: &str,
        node: &Node,
        table: &ServiceTable,
        kind: Kind,
    ) -> Option<(u32, u32, bool)> {
        let (a, b, both, arrow) = if let Some((a, b)) = text.split_once("<->") {
            (a, b, true, 3)
        } else if let Some((a, b)) = text.split_once("->") {
            (a, b, false, 2)
        } else {
            self.error_hint(
                node.span,
                format!("{} targets a network link, found `{text}`", kind.fault()),
                "write `a->b` (one direction) or `a<->b` (both ways); the ends are service names or `client`",
            );
            return None;
        };
        let lead = |s: &str| s.len() - s.trim_start().len();
        let (ta, tb) = (a.trim(), b.trim());
        let from = self.node_named(ta, sub_span(node, lead(a), ta.len()), table, "`target`");
        let to = self.node_named(
            tb,
            sub_span(node, a.len() + arrow + lead(b), tb.len()),
            table,
            "`target`",
        );
        Some((from?, to?, both))
    }

    /// `svc` (every endpoint) or `svc/endpoint`.
    fn endpoint_target(
        &mut self,
        text: &str,
        node: &Node,
        table: &ServiceTable,
    ) -> Option<(ServiceId, Option<EndpointId>)> {
        if text.contains("->") || text.contains('#') {
            self.error_hint(
                node.span,
                format!("an `errors` fault targets a service or one endpoint, found `{text}`"),
                "e.g. `target: payments` (every endpoint) or `target: payments/charge`",
            );
            return None;
        }
        let (name, path) = match text.split_once('/') {
            Some((name, path)) => (name, Some(path)),
            None => (text, None),
        };
        let service = self.service_ref(table, name, sub_span(node, 0, name.len()), "`target`")?;
        let Some(path) = path else {
            return Some((service, None));
        };
        let span = sub_span(node, name.len() + 1, path.len());
        let endpoint = self.endpoint_ref(table, service, path, span)?;
        Some((service, Some(endpoint)))
    }

    /// A worker of the targeted instances, from 0.
    fn worker(&mut self, node: &Node, target: ReplicaTarget, table: &ServiceTable) -> Option<u32> {
        let w = self.integer(node, "`worker`", 0, u32::MAX.into())? as u32;
        let svc = &table.services[target.service as usize];
        if w < svc.workers {
            return Some(w);
        }
        let hint = if svc.workers == 1 {
            "its only worker is `worker: 0`".into()
        } else {
            format!(
                "workers are numbered from 0: `worker: 0` to `worker: {}`",
                svc.workers - 1
            )
        };
        self.error_hint(
            node.span,
            format!(
                "service `{}` has {} per instance: `worker: {w}` does not exist",
                svc.name,
                plural(svc.workers, "worker")
            ),
            hint,
        );
        None
    }

    /// Extra traffic on an open-loop workload: its rate × `factor` + `rate`.
    fn surge(
        &mut self,
        f: &Fields,
        text: &str,
        node: &Node,
        targets: &Targets,
    ) -> Option<FaultKind> {
        let workloads = targets.workloads;
        let workload = self.workload_target(text, node, targets);
        let factor = f.get("factor").map(|n| {
            let v = self.real(n, "`factor`")?;
            self.check_value(n, "`factor`", v, v > 0.0, "greater than 0")
        });
        let add = f.get("rate").map(|n| self.rate_of(n, "`rate`"));
        if factor.is_none() && add.is_none() {
            self.error_hint(
                opening(f.node),
                "a `surge` fault needs `factor`, `rate` or both",
                "e.g. `factor: 3` (three times the workload's rate) or `rate: 200/s` (200 more requests per second)",
            );
            return None;
        }
        let w = workload?;
        if let Arrivals::Closed { .. } = workloads[w as usize].arrivals {
            self.error_hint(
                node.span,
                format!(
                    "workload `{}` is closed: a `surge` only applies to open-loop workloads",
                    workloads[w as usize].name
                ),
                "closed users send as fast as their answers come back; to model a rush, give the workload more `users` or add an open-loop workload",
            );
            return None;
        }
        Some(FaultKind::Surge {
            workload: w,
            factor: super::optional(factor)?.unwrap_or(1.0),
            add: super::optional(add)?.unwrap_or(0.0),
        })
    }

    fn workload_target(&mut self, name: &str, node: &Node, targets: &Targets) -> Option<u32> {
        let workloads = targets.workloads;
        if let Some(i) = workloads.iter().position(|w| w.name == name) {
            return Some(i as u32);
        }
        if !targets.every_workload {
            return None;
        }
        let names: Vec<&str> = workloads.iter().map(|w| w.name.as_str()).collect();
        let suggestion = self.did_you_mean(name, &names);
        let fix = self.fix(node.span, name, suggestion);
        let hint = match suggestion {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("a `surge` targets a workload by its name: {}", list(&names)),
        };
        let message = format!("unknown workload `{name}` in `target`");
        self.error_fix(node.span, message, hint, fix);
        None
    }
}
