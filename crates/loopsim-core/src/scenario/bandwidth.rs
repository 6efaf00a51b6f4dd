//! The static check of payloads against bandwidth: a hop between the client and a service
//! whose offered bytes per second reach its bandwidth (ρ ≥ 1) never drains — under processor
//! sharing every transfer on it slows down without bound — so the scenario gets a warning
//! before it runs. Only the workloads' own hops are estimated (open-loop peak rates, what each
//! endpoint answers, ignoring ingress limits); calls between services are left out.

use alloc::format;
use alloc::vec::Vec;

use super::model::{Arrivals, Scenario};
use crate::diag::Diagnostic;
use crate::dist::Dist;

fn mean_bytes(d: &Option<Dist>) -> f64 {
    d.as_ref().map_or(0.0, Dist::mean)
}

/// The bandwidth of the hop client ↔ `service` (bytes/s) with the service's NICs, which the
/// balancer spreads the transfers over: `None` when unlimited.
fn capacity(s: &Scenario, service: u32) -> Option<f64> {
    let node = 1 + service;
    let link = s
        .network
        .links
        .iter()
        .find(|l| l.between == [0, node] || l.between == [node, 0])
        .and_then(|l| l.bandwidth)
        .or(s.network.bandwidth);
    let svc = &s.services[service as usize];
    let nics = svc.nic.map(|b| b * svc.replicas as f64);
    match (link, nics) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// One warning per overloaded direction of a client hop, at the first workload that uses it.
pub(super) fn link_warnings(s: &Scenario) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (t, svc) in s.services.iter().enumerate() {
        let Some(cap) = capacity(s, t as u32) else {
            continue;
        };
        let (mut up, mut down) = (0.0, 0.0);
        let mut first = None;
        for w in s.workloads.iter().filter(|w| w.target == t as u32) {
            let rate = match &w.arrivals {
                Arrivals::Poisson(r) | Arrivals::Constant(r) => r.max_rate(),
                Arrivals::Closed { .. } => continue,
            };
            first = first.or(Some(w));
            up += rate * mean_bytes(&s.policies[w.policy as usize].request_size);
            let mut previous = 0.0;
            for &(e, cum) in &w.mix {
                down +=
                    rate * (cum - previous) * mean_bytes(&s.endpoints[e as usize].response_size);
                previous = cum;
            }
        }
        let Some(w) = first else { continue };
        for (bytes, dir, what) in [
            (up, "client → ", "requests"),
            (down, "client ← ", "answers"),
        ] {
            let rho = bytes / cap;
            if rho >= 1.0 {
                let message = format!(
                    "the hop {dir}{} is offered {:.3} MB/s of {what} at the peak rate, {:.2} × its bandwidth of {:.3} MB/s: transfers pile up on it without bound (processor sharing never drains at ρ ≥ 1)",
                    svc.name,
                    bytes / 1e6,
                    rho,
                    cap / 1e6
                );
                out.push(Diagnostic::warning(w.span, message).with_hint(
                    "raise the link's `bandwidth` (or the service's `nic`), shrink the sizes, or lower the rate",
                ));
            }
        }
    }
    out
}
