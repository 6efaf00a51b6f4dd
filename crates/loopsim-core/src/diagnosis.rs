//! The diagnosis: what happened in a run, in plain words, at the top of the results.
//!
//! The runtime auditor ([`crate::health`]) scores event loops and thread pools; it says nothing
//! of requests that a breaker rejected or that timed out while the loops idled. A reader wants
//! the other way round: what the users experienced, which of the scenario's SLOs it missed,
//! what limited the system, what amplified it, whether the failure outlived its trigger, and,
//! first of all, whether the run stopped early. [`diagnose`] reads the finished [`Report`] (and the time series, for the trigger) and
//! writes an ordered list of [`Statement`]s, each one sentence with its numbers and the same
//! numbers as structured `figures`, so that hosts can render it their own way.
//!
//! Names in the text come from the scenario and are untrusted: the core only produces text,
//! escaping is the host's job.
//!
//! Every function here is pure, and every figure is finite (ratios over empty sets are left
//! out rather than divided by zero).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use crate::health::format::{duration, number, percent, percent_fine};
use crate::health::HealthThresholds;
use crate::report::{Named, Report};
use crate::series::Series;

/// The diagnosis of a run: statements in reading order, and the auditor's status scale.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Diagnosis {
    /// In order: an early stop, the users' experience, the missed SLOs, failures by cause,
    /// blocking, the bottleneck, amplifiers, backlogs, scaling, the trigger's aftermath, a plain
    /// "healthy" when nothing went wrong, and the runtime auditor's verdict.
    pub statements: Vec<Statement>,
    /// The score cut-offs of the auditor's runtime verdict (`health.status`).
    pub scale: Scale,
}

/// The auditor's status scale: HEALTHY < `degraded` ≤ DEGRADED < `critical` ≤ CRITICAL <
/// `collapse_risk` ≤ COLLAPSE_RISK (the scenario may override the defaults 400, 1200, 2500).
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Scale {
    pub degraded: f64,
    pub critical: f64,
    pub collapse_risk: f64,
}

/// One sentence of the diagnosis.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Statement {
    pub kind: Kind,
    pub severity: Severity,
    /// One plain-English sentence with its numbers.
    pub text: String,
    /// What it is about: a service, a resource (`api event loop`, `api/db pool`), a caller
    /// (`workload web`), a queue, a link, an SLO (`slo fast`); `null` for the run as a whole.
    pub subject: Option<String>,
    /// The numbers quoted in `text`: ratios as fractions, times in seconds, rates per second.
    pub figures: Named<f64>,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The run ended before its duration; every figure covers only the time simulated.
    StoppedEarly,
    /// Goodput, error rate and the latency of the successful requests.
    Experience,
    /// A missed SLO: its SLI against its target and the share of its error budget spent.
    SloMissed,
    /// Failed requests by cause, and where they failed.
    Failures,
    /// Blocking work starving a service's event loop (from the auditor's findings).
    Blocking,
    /// The most utilised resource.
    Bottleneck,
    /// Retries, hedges, an open breaker, a growing queue.
    Amplification,
    /// The failure outlived its trigger (a fault): still failing well after it ended.
    Metastable,
    /// The system recovered after its trigger ended.
    Recovered,
    /// Nothing went wrong: no statement above is more than a note, no SLO was missed, and the
    /// runtime auditor rates the run below CRITICAL.
    Healthy,
    /// The runtime auditor's verdict when not HEALTHY, with the term that weighs most in it;
    /// its severity follows the verdict (DEGRADED a warning, CRITICAL and COLLAPSE_RISK
    /// critical).
    Runtime,
    /// A queue that backed up and drained (consumer lag), or lost messages: dead letters,
    /// drops, publishes refused.
    Backlog,
    /// An autoscaled service: how far it scaled and how long new capacity took to arrive.
    Scaling,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

/// The diagnosis of a finished report. `series` gives the error rate over time (for whether
/// the failure outlived its trigger); `thresholds` the auditor's scale.
pub fn diagnose(report: &Report, series: &Series, thresholds: &HealthThresholds) -> Diagnosis {
    let mut statements = Vec::new();
    statements.extend(stopped(report));
    statements.push(experience(report));
    statements.extend(slos(report));
    statements.extend(failures(report));
    statements.extend(blocking(report));
    statements.extend(bottleneck(report));
    statements.extend(amplification(report));
    statements.extend(backlogs(report));
    statements.extend(scaling(report));
    statements.extend(aftermath(report, series));
    let auditor = runtime(report, thresholds);
    // A missed SLO is at least a warning, so it always withdraws the healthy line. A DEGRADED
    // auditor (a warning) does not: the users were served, and DEGRADED is the auditor's early
    // sign of pressure (an M/M/1 at 80% busy already reaches it, from its loop lag); its own
    // line follows. A CRITICAL or COLLAPSE_RISK verdict does.
    let calm = statements.iter().all(|s| s.severity == Severity::Info);
    let alarmed = auditor.as_ref().map(|a| a.severity) == Some(Severity::Critical);
    if calm && !alarmed {
        statements.push(healthy(report));
    }
    statements.extend(auditor);
    Diagnosis {
        statements,
        scale: Scale {
            degraded: thresholds.degraded_score,
            critical: thresholds.critical_score,
            collapse_risk: thresholds.collapse_score,
        },
    }
}

fn statement(
    kind: Kind,
    severity: Severity,
    text: String,
    subject: Option<String>,
    figures: &[(&str, f64)],
) -> Statement {
    Statement {
        kind,
        severity,
        text,
        subject,
        figures: Named(
            figures
                .iter()
                .filter(|(_, v)| v.is_finite())
                .map(|(k, v)| (String::from(*k), *v))
                .collect(),
        ),
    }
}

/// `a / b`, 0 when `b` is 0.
fn share(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// An early stop, stated first: the figures below cover only the time simulated.
fn stopped(r: &Report) -> Option<Statement> {
    let s = r.stopped.as_ref()?;
    Some(statement(
        Kind::StoppedEarly,
        Severity::Critical,
        format!(
            "The run stopped early at {} of {} ({}): {}",
            duration(s.at_s),
            duration(r.duration_s),
            s.cause.name(),
            s.message
        ),
        None,
        &[("at_s", s.at_s)],
    ))
}

/// What the users experienced: goodput, error rate, latency of the successful requests — and
/// that the failures are not in that latency (the sketch only holds successes).
fn experience(r: &Report) -> Statement {
    let q = &r.requests;
    let done = q.completed + q.failed;
    let mut text = format!(
        "Goodput {} req/s; {} of {} requests failed",
        number(r.goodput_rps),
        percent_fine(r.error_rate),
        done
    );
    if q.in_flight > 0 {
        text.push_str(&format!(
            ", {} more still in flight at the end",
            q.in_flight
        ));
    }
    let l = &r.latency_s;
    match (l.p50, l.p99) {
        (Some(p50), Some(p99)) => {
            text.push_str(&format!(
                "; successful requests took p50 {}, p99 {}",
                duration(p50),
                duration(p99)
            ));
            if q.failed > 0 {
                text.push_str(" (failed requests are not in these latencies");
                if q.timed_out > 0 {
                    text.push_str(&format!(
                        "; {} timed out, each after its full timeout",
                        q.timed_out
                    ));
                }
                text.push(')');
            }
        }
        _ => text.push_str("; no request succeeded"),
    }
    text.push('.');
    let severity = if r.error_rate >= 0.05 || (done > 0 && q.completed == 0) {
        Severity::Critical
    } else if r.error_rate >= 0.01 {
        Severity::Warning
    } else {
        Severity::Info
    };
    statement(
        Kind::Experience,
        severity,
        text,
        None,
        &[
            ("goodput_rps", r.goodput_rps),
            ("error_rate", r.error_rate),
            ("p50_s", l.p50.unwrap_or(f64::NAN)),
            ("p99_s", l.p99.unwrap_or(f64::NAN)),
        ],
    )
}

/// A missed SLO whose error budget is overspent this many times or more is critical: ten times
/// the bad requests the objective allows, e.g. a p99 objective that not even 90% of requests
/// met. Below that a missed SLO is a warning.
pub const SLO_CRITICAL_BUDGET: f64 = 10.0;

/// Each missed SLO, named, with its SLI against its target and the share of its error budget
/// spent: a warning, critical from [`SLO_CRITICAL_BUDGET`] times the budget. A met SLO says
/// nothing here (the report's `slo` lines list every objective).
fn slos(r: &Report) -> Vec<Statement> {
    r.slo
        .iter()
        .filter(|s| !s.met)
        .map(|s| {
            let spent = s.error_budget_consumed;
            // Just over the budget would round to "100%": keep the decimals there.
            let spent_text = if spent < 1.1 {
                percent_fine(spent)
            } else {
                percent(spent)
            };
            let severity = if spent >= SLO_CRITICAL_BUDGET {
                Severity::Critical
            } else {
                Severity::Warning
            };
            statement(
                Kind::SloMissed,
                severity,
                format!(
                    "The SLO `{}` ({}) was missed: {} of requests met it (its SLI) against a \
                     target of {}, so {} missed it where its error budget allows {} — {} of the \
                     budget spent.",
                    s.name,
                    s.objective,
                    percent_fine(s.sli),
                    percent_fine(s.target),
                    percent_fine(1.0 - s.sli),
                    percent_fine(1.0 - s.target),
                    spent_text
                ),
                Some(format!("slo {}", s.name)),
                &[
                    ("sli", s.sli),
                    ("target", s.target),
                    ("error_budget_consumed", spent),
                    ("good", s.good as f64),
                    ("total", s.total as f64),
                ],
            )
        })
        .collect()
}

/// A failure kind (`Outcome::name`) in words.
pub fn cause(kind: &str) -> &str {
    match kind {
        "timeout" => "timed out",
        "loss" => "lost on the network",
        "out_of_memory" => "out of memory",
        "error" => "errors",
        "refused" => "refused (replica down)",
        "lost" => "lost to a crash",
        "rejected_breaker" => "rejected by a circuit breaker",
        "rejected_risk" => "rejected by a risk guard",
        "rejected_throttle" => "rejected by adaptive throttling",
        "rejected_rate_limit" => "rejected by a rate limit",
        "shed_queue_full" => "shed (accept queue full)",
        "rejected_concurrency" => "rejected by a concurrency limit",
        "dropped_expired" => "dropped as expired",
        "rejected_budget" => "rejected by the spend budget",
        "pool_timeout" => "timed out waiting for a pool",
        "pool_full" => "found a pool's queue full",
        "pool_shed" => "shed by a pool's CoDel queue",
        "queue_full" => "refused by a full message queue",
        other => other,
    }
}

/// Failed requests by cause (largest first, as shares of all requests with an outcome), then
/// where: the callers whose breaker rejected them and the services that failed the most.
fn failures(r: &Report) -> Option<Statement> {
    let q = &r.requests;
    if q.failed == 0 {
        return None;
    }
    let done = q.completed + q.failed;
    let mut kinds: Vec<(&str, u64)> = r
        .errors
        .0
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| (k.as_str(), *n))
        .collect();
    kinds.sort_by_key(|k| core::cmp::Reverse(k.1));
    let mut figures: Vec<(&str, f64)> = alloc::vec![("error_rate", r.error_rate)];
    let causes: Vec<String> = kinds
        .iter()
        .map(|(k, n)| {
            figures.push((k, share(*n, done)));
            format!("{} {}", percent_fine(share(*n, done)), cause(k))
        })
        .collect();
    let mut text = format!(
        "{} of requests failed: {}",
        percent_fine(r.error_rate),
        causes.join(", ")
    );
    let mut subject = None;
    let breakers: Vec<String> = open_breakers(r)
        .into_iter()
        .filter(|b| b.rejected > 0)
        .map(|b| format!("the breaker of `{}` rejected {}", b.caller, b.rejected))
        .collect();
    if !breakers.is_empty() {
        text.push_str(&format!("; {}", breakers.join(", ")));
    }
    // Where: the services that turned requests away (ingress refusals, error faults, outages),
    // then the call step that failed the most; else the service that failed the most.
    for (name, sv) in &r.services.0 {
        let refused: Vec<String> = sv
            .refused
            .0
            .iter()
            .map(|(k, n)| format!("{n} {}", cause(k)))
            .collect();
        if !refused.is_empty() {
            text.push_str(&format!("; at `{name}`: {}", refused.join(", ")));
            subject.get_or_insert_with(|| name.clone());
        }
    }
    let top_call = r.call_sites.0.iter().filter(|(_, c)| c.failed > 0).fold(
        None,
        |best: Option<&(String, crate::report::CallSiteReport)>, x| match best {
            Some(b) if b.1.failed >= x.1.failed => Some(b),
            _ => Some(x),
        },
    );
    if let Some((site, c)) = top_call {
        text.push_str(&format!("; the call `{site}` failed {} times", c.failed));
    } else if subject.is_none() {
        let worst = r
            .services
            .0
            .iter()
            .filter(|(_, sv)| sv.served_failed > 0)
            .fold(
                None,
                |best: Option<&(String, crate::report::ServiceReport)>, x| match best {
                    Some(b) if b.1.served_failed >= x.1.served_failed => Some(b),
                    _ => Some(x),
                },
            );
        if let Some((name, sv)) = worst {
            text.push_str(&format!(
                "; `{name}` failed {} requests it served",
                sv.served_failed
            ));
            subject = Some(name.clone());
        }
    }
    text.push('.');
    let severity = if r.error_rate >= 0.05 {
        Severity::Critical
    } else if r.error_rate >= 0.01 {
        Severity::Warning
    } else {
        Severity::Info
    };
    Some(statement(Kind::Failures, severity, text, subject, &figures))
}

/// A caller's breaker over the measured window.
#[derive(Clone, Debug, PartialEq)]
pub struct BreakerTime {
    pub caller: String,
    /// Fraction of the measured window the breaker spent open (half-open not counted),
    /// averaged over the caller's replicas.
    pub open: f64,
    pub opens: u64,
    pub rejected: u64,
}

/// Time spent in `open` over `[from, to]`, from a breaker's transitions (`(time_s, state)`,
/// starting closed). The report keeps the first 1000 transitions: after the last one kept the
/// breaker is taken to stay in its last recorded state.
pub fn open_time(transitions: &[(f64, &str)], from: f64, to: f64) -> f64 {
    let mut open = 0.0;
    let mut state_open = false;
    let mut since = from;
    for &(t, state) in transitions {
        let t = t.clamp(from, to);
        if state_open {
            open += t - since;
        }
        since = t;
        state_open = state == "open";
    }
    if state_open {
        open += to - since;
    }
    open.max(0.0)
}

/// Per caller with a breaker, its open time over the measured window.
pub fn open_breakers(r: &Report) -> Vec<BreakerTime> {
    let from = r.warmup_s;
    let to = r.warmup_s + r.measured_s;
    let mut out: Vec<(BreakerTime, u32)> = Vec::new();
    for g in &r.guards {
        let Some(b) = &g.breaker else { continue };
        let open = if to > from {
            open_time(&b.transitions, from, to) / (to - from)
        } else {
            0.0
        };
        match out.last_mut() {
            Some((t, n)) if t.caller == g.caller => {
                t.open += open;
                t.opens += b.opens;
                t.rejected += b.rejected;
                *n += 1;
            }
            _ => out.push((
                BreakerTime {
                    caller: g.caller.clone(),
                    open,
                    opens: b.opens,
                    rejected: b.rejected,
                },
                1,
            )),
        }
    }
    out.into_iter()
        .map(|(mut t, n)| {
            t.open /= f64::from(n);
            t
        })
        .collect()
}

/// A resource that may limit the system, with its utilisation (busy time over the measured
/// window, 0 to 1) and a short description of its queueing.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub name: String,
    pub utilization: f64,
    pub detail: String,
    pub wait_p99_s: Option<f64>,
    /// Requests (or jobs) waiting for it on average, where it has a queue of waiters.
    pub waiting_mean: Option<f64>,
}

/// Every resource the report measures, in a fixed order: each service's event loops, its
/// thread pool (when used), its declared pools, cores and GIL; then the bandwidth links; then
/// the message queues whose depth kept growing (their consumer is saturated: counted as 100%).
/// A cache's backing store is the service its miss steps call, already in the list.
pub fn candidates(r: &Report) -> Vec<Candidate> {
    let mut out = Vec::new();
    for (name, s) in &r.services.0 {
        if let Some(u) = s.utilization {
            let mut detail = String::new();
            if let Some(q) = &s.ready_queue {
                // A queue of tens of thousands reads as a whole number.
                let mean = if q.mean >= 100.0 {
                    format!("{}", libm::round(q.mean) as u64)
                } else {
                    number(q.mean)
                };
                detail.push_str(&format!("ready queue {mean} on average"));
            }
            if let Some(p99) = s.loop_lag_s.p99 {
                detail.push_str(&format!(", p99 loop lag {}", duration(p99)));
            }
            if s.blocking_s > 0.0 {
                detail.push_str(&format!(
                    ", {} of blocking calls on the loop",
                    duration(s.blocking_s)
                ));
            }
            out.push(Candidate {
                name: format!("{name} event loop"),
                utilization: u,
                detail,
                wait_p99_s: s.loop_lag_s.p99,
                waiting_mean: s.ready_queue.as_ref().map(|q| q.mean),
            });
        }
        if let (Some(u), true) = (s.threadpool.utilization, s.threadpool.queue_wait_s.jobs > 0) {
            out.push(Candidate {
                name: format!("{name} thread pool"),
                utilization: u,
                detail: wait_detail(s.threadpool.queue_wait_s.p99, s.threadpool.queue.as_ref()),
                wait_p99_s: s.threadpool.queue_wait_s.p99,
                waiting_mean: s.threadpool.queue.as_ref().map(|q| q.mean),
            });
        }
        for (pool, p) in &s.pools.0 {
            if let Some(u) = p.utilization {
                out.push(Candidate {
                    name: format!("{name}/{pool} pool"),
                    utilization: u,
                    detail: wait_detail(p.wait_s.p99, p.queue.as_ref()),
                    wait_p99_s: p.wait_s.p99,
                    waiting_mean: p.queue.as_ref().map(|q| q.mean),
                });
            }
        }
    }
    for (name, l) in &r.links.0 {
        if let Some(u) = l.utilization {
            let detail = match &l.in_flight {
                Some(q) => format!("{} transfers in flight on average", number(q.mean)),
                None => String::new(),
            };
            out.push(Candidate {
                name: format!("link {name}"),
                utilization: u,
                detail,
                wait_p99_s: None,
                waiting_mean: None,
            });
        }
    }
    for (name, q) in &r.queues.0 {
        let mean = q.depth_mean.unwrap_or(0.0);
        if q.consumer.is_some() && growing(q) {
            out.push(Candidate {
                name: format!("queue {name} consumer"),
                utilization: 1.0,
                detail: format!(
                    "depth grew to {} messages (mean {}), oldest message {} old",
                    q.depth_end,
                    number(mean),
                    duration(q.oldest_age_max_s)
                ),
                wait_p99_s: None,
                waiting_mean: Some(mean),
            });
        }
    }
    out
}

/// A queue whose depth kept growing: at least 100 messages held at the end, half again its
/// time-averaged depth. (A queue without a consumer, such as a dead-letter queue, grows by
/// design and is left out by the callers.)
pub fn growing(q: &crate::report::QueueReport) -> bool {
    q.depth_end >= 100 && q.depth_end as f64 > 1.5 * q.depth_mean.unwrap_or(0.0)
}

fn wait_detail(p99: Option<f64>, queue: Option<&crate::report::QueueLen>) -> String {
    let mut d = String::new();
    if let Some(p99) = p99 {
        d.push_str(&format!("p99 wait {}", duration(p99)));
    }
    if let Some(q) = queue {
        if !d.is_empty() {
            d.push_str(", ");
        }
        d.push_str(&format!("{} waiting on average", number(q.mean)));
    }
    d
}

/// The bottleneck: the most utilised candidate (the first in [`candidates`]' order on a tie).
/// Utilisation is what saturates first as load grows; on a request's path the busiest
/// resource is the one that sets the throughput, so it is the one to name.
pub fn busiest(c: &[Candidate]) -> Option<&Candidate> {
    // The most saturated first (a pool 6% busy over the run whose waiters waited 1 s in a
    // stampede limited the system more than a loop 20% busy), then the most utilised.
    let rank = |x: &Candidate| (saturation(x), x.utilization);
    c.iter()
        .fold(None, |best: Option<&Candidate>, x| match best {
            Some(b) if rank(b) >= rank(x) => Some(b),
            _ => Some(x),
        })
}

/// How saturated a resource is: critical at ≥ 95% busy or a p99 wait of 1 s or more (a
/// resource busy 80% on average that makes requests wait seconds ran saturated for long
/// stretches), a warning at ≥ 85% busy, a p99 wait of 500 ms or more, or 10 or more waiting on
/// average (an M/M/1 queue holds that many at ρ ≈ 0.92: a pool of 6 connections with 48
/// requests waiting is saturated whatever its busy share). An M/M/1 queue at 80% (p99 wait ≈
/// 4.6 mean services, 3.2 waiting) stays below all three.
pub fn saturation(c: &Candidate) -> Severity {
    let wait = c.wait_p99_s.unwrap_or(0.0);
    let waiting = c.waiting_mean.unwrap_or(0.0);
    // A wait capped by a 1 s timeout reads as 0.99… s in the sketch: 1 s all the same.
    if c.utilization >= 0.95 || wait >= 0.99 {
        Severity::Critical
    } else if c.utilization >= 0.85 || wait >= 0.5 || waiting >= 10.0 {
        Severity::Warning
    } else {
        Severity::Info
    }
}

fn bottleneck(r: &Report) -> Option<Statement> {
    let all = candidates(r);
    let b = busiest(&all)?;
    let (severity, lead) = match saturation(b) {
        Severity::Critical => (Severity::Critical, "Bottleneck:"),
        Severity::Warning => (Severity::Warning, "Near saturation:"),
        Severity::Info => (Severity::Info, "No resource is saturated; the busiest is"),
    };
    let mut text = if severity != Severity::Info && b.utilization < 0.5 {
        // Saturated by its waits while idle on average: it ran full in bursts.
        format!(
            "{lead} `{}`, full in bursts: only {} busy on average, yet",
            b.name,
            percent(b.utilization)
        )
    } else {
        format!("{lead} `{}`, {} busy", b.name, percent(b.utilization))
    };
    let detail = b.detail.trim_start_matches(", ");
    if text.ends_with("yet") {
        text.push_str(&format!(" {detail}"));
    } else if !detail.is_empty() {
        text.push_str(&format!(" ({detail})"));
    }
    text.push('.');
    Some(statement(
        Kind::Bottleneck,
        severity,
        text,
        Some(b.name.clone()),
        &[
            ("utilization", b.utilization),
            ("wait_p99_s", b.wait_p99_s.unwrap_or(f64::NAN)),
        ],
    ))
}

/// What multiplied the load or the failures: retries, hedges, an open breaker, a queue that
/// kept growing.
fn amplification(r: &Report) -> Vec<Statement> {
    let mut out = Vec::new();
    let a = r.attempts_per_request;
    if a >= 1.05 {
        let top = r
            .retries_by_caller
            .0
            .iter()
            .max_by_key(|(_, n)| *n)
            .filter(|(_, n)| *n > 0);
        let mut text = format!(
            "Retries: {} attempts per request, so the servers saw up to {}× the offered work",
            number(a),
            number(a)
        );
        if let Some((caller, n)) = top {
            text.push_str(&format!(" (`{caller}` retried {n} times)"));
        }
        text.push('.');
        let severity = if a >= 2.0 {
            Severity::Critical
        } else if a >= 1.2 {
            Severity::Warning
        } else {
            Severity::Info
        };
        out.push(statement(
            Kind::Amplification,
            severity,
            text,
            top.map(|(c, _)| c.clone()),
            &[("attempts_per_request", a)],
        ));
    }
    let hedges: u64 = r.call_sites.0.iter().map(|(_, c)| c.hedges).sum();
    if hedges > 0 {
        let won: u64 = r.call_sites.0.iter().map(|(_, c)| c.hedges_won).sum();
        let calls: u64 = r.call_sites.0.iter().map(|(_, c)| c.ok + c.failed).sum();
        out.push(statement(
            Kind::Amplification,
            if share(hedges, calls) > 0.2 {
                Severity::Warning
            } else {
                Severity::Info
            },
            format!(
                "Hedging sent {hedges} extra copies ({} of calls), {won} of which answered first.",
                percent(share(hedges, calls))
            ),
            None,
            &[("hedges", hedges as f64), ("hedges_won", won as f64)],
        ));
    }
    for b in open_breakers(r).into_iter().filter(|b| b.opens > 0) {
        out.push(statement(
            Kind::Amplification,
            if b.open >= 0.1 {
                Severity::Warning
            } else {
                Severity::Info
            },
            format!(
                "The breaker of `{}` was open {} of the time ({} openings, {} requests rejected).",
                b.caller,
                percent(b.open),
                b.opens,
                b.rejected
            ),
            Some(b.caller.clone()),
            &[
                ("open_fraction", b.open),
                ("opens", b.opens as f64),
                ("rejected", b.rejected as f64),
            ],
        ));
    }
    for (name, q) in &r.queues.0 {
        let mean = q.depth_mean.unwrap_or(0.0);
        if q.consumer.is_some() && growing(q) {
            out.push(statement(
                Kind::Amplification,
                Severity::Warning,
                format!(
                    "Queue `{name}` kept growing: {} messages held at the end (mean {}), the \
                     consumer lags behind.",
                    q.depth_end,
                    number(mean)
                ),
                Some(name.clone()),
                &[("depth_end", q.depth_end as f64), ("depth_mean", mean)],
            ));
        }
    }
    out
}

/// Queues that backed up but did not keep growing (that is amplification), or lost messages:
/// the consumer lag's peak and the oldest message's age, where it ended, dead letters, drops
/// and publishes refused. A lag the consumers absorbed is information; lost or refused
/// messages, or a message older than 10 s, are a warning.
fn backlogs(r: &Report) -> Vec<Statement> {
    let mut out = Vec::new();
    for (name, q) in &r.queues.0 {
        if q.consumer.is_none() {
            if q.depth_end > 0 {
                out.push(statement(
                    Kind::Backlog,
                    Severity::Info,
                    format!(
                        "Queue `{name}` has no consumer: it holds {} messages at the end (a \
                         dead-letter queue keeps what failed).",
                        q.depth_end
                    ),
                    Some(name.clone()),
                    &[("depth_end", q.depth_end as f64)],
                ));
            }
            continue;
        }
        if growing(q) {
            continue;
        }
        let lost = q.dead_lettered + q.dropped + q.rejected_queue_full;
        if q.oldest_age_max_s < 1.0 && lost == 0 {
            continue;
        }
        let mut text = format!(
            "Queue `{name}` backed up: its depth (consumer lag) peaked at {} messages, the oldest \
             {} s old, and ended at {}",
            q.depth_max,
            number(q.oldest_age_max_s),
            q.depth_end
        );
        for (n, what) in [
            (
                q.dead_lettered,
                "dead-lettered after their last failed delivery",
            ),
            (q.dropped, "dropped (no room in a dead-letter queue)"),
            (q.rejected_queue_full, "publishes refused as `queue_full`"),
        ] {
            if n > 0 {
                text.push_str(&format!("; {n} {what}"));
            }
        }
        text.push('.');
        let severity = if lost > 0 || q.oldest_age_max_s > 10.0 {
            Severity::Warning
        } else {
            Severity::Info
        };
        out.push(statement(
            Kind::Backlog,
            severity,
            text,
            Some(name.clone()),
            &[
                ("depth_max", q.depth_max as f64),
                ("depth_end", q.depth_end as f64),
                ("oldest_age_max_s", q.oldest_age_max_s),
                ("dead_lettered", q.dead_lettered as f64),
                ("dropped", q.dropped as f64),
                ("rejected_queue_full", q.rejected_queue_full as f64),
            ],
        ));
    }
    out
}

/// Per autoscaled service: the range of ready replicas, the decisions, the replica time paid,
/// and how long the first scale-up took to be ready (from its decision to the first later
/// decision that found the replicas it asked for ready; the decisions' interval bounds the
/// resolution) — a slow cold start shows as capacity trailing the decisions.
fn scaling(r: &Report) -> Vec<Statement> {
    let mut out = Vec::new();
    for (name, s) in &r.services.0 {
        let Some(a) = s.autoscale.as_ref() else {
            continue;
        };
        let (Some(lo), Some(hi)) = (a.ready_min, a.ready_max) else {
            continue;
        };
        let mut text = format!(
            "`{name}` autoscaled on {} between {lo} and {hi} ready replicas ({} scale-ups, {} \
             scale-downs, {} replica-seconds paid)",
            a.metric,
            a.scale_ups,
            a.scale_downs,
            number(a.replica_seconds)
        );
        let mut figures = alloc::vec![
            ("ready_min", lo as f64),
            ("ready_max", hi as f64),
            ("scale_ups", a.scale_ups as f64),
        ];
        let first_up = a.log.iter().position(|d| d.desired > d.current);
        if let Some(i) = first_up {
            let d = &a.log[i];
            let ready = a.log[i + 1..].iter().find(|e| e.ready >= d.desired);
            match ready {
                Some(e) => {
                    let lag = e.t_s - d.t_s;
                    text.push_str(&format!(
                        "; the first scale-up ({} → {} at {} s) was ready by {} s, {} s later",
                        d.current,
                        d.desired,
                        number(d.t_s),
                        number(e.t_s),
                        number(lag)
                    ));
                    figures.push(("first_scale_up_ready_after_s", lag));
                }
                None => text.push_str(&format!(
                    "; the first scale-up ({} → {} at {} s) was never fully ready",
                    d.current,
                    d.desired,
                    number(d.t_s)
                )),
            }
        }
        text.push('.');
        out.push(statement(
            Kind::Scaling,
            Severity::Info,
            text,
            Some(name.clone()),
            &figures,
        ));
    }
    out
}

/// Error rate and goodput over the rows of `series` whose time is in `(from, to]`: `(failed
/// share, ok per second)`, `None` without requests there. A failure is in one of the columns
/// `error_rps`, `timeout_rps` or `rejected_rps`.
pub fn rates(series: &Series, from: f64, to: f64) -> Option<(f64, f64)> {
    let t = series.column_by_name("t_s")?;
    let ok = series.column_by_name("ok_rps")?;
    let failed = ["error_rps", "timeout_rps", "rejected_rps"].map(|c| series.column_by_name(c));
    let (mut sum_ok, mut sum_err, mut rows) = (0.0, 0.0, 0u32);
    for i in 0..t.len() {
        if !(t[i] > from && t[i] <= to && ok[i].is_finite()) {
            continue;
        }
        sum_ok += ok[i];
        for c in failed.iter().flatten() {
            if c[i].is_finite() {
                sum_err += c[i];
            }
        }
        rows += 1;
    }
    (rows > 0 && sum_ok + sum_err > 0.0)
        .then(|| (sum_err / (sum_ok + sum_err), sum_ok / f64::from(rows)))
}

/// Whether the failure outlived its trigger: the faults are the trigger; compare the error
/// rate before the first fault began with the second half of the time after the last one
/// ended (the first half is left to drain). Still failing there, at least 5% and more than
/// twice as often as before, is a metastable failure; back to the earlier rate after failing
/// visibly (≥ 1%, twice the earlier rate) during the faults or just after is a recovery.
fn aftermath(r: &Report, series: &Series) -> Option<Statement> {
    let end = r.warmup_s + r.measured_s;
    let start = r
        .faults
        .iter()
        .map(|f| f.at_s)
        .fold(f64::INFINITY, f64::min);
    let until = r.faults.iter().map(|f| f.until_s).fold(0.0, f64::max);
    if !(start.is_finite() && until < end && start > r.warmup_s) {
        return None;
    }
    let (before, ok_before) = rates(series, r.warmup_s, start)?;
    let settle = until + (end - until) / 2.0;
    let (after, ok_after) = rates(series, settle, end)?;
    let figures = [
        ("error_rate_before", before),
        ("error_rate_after", after),
        ("goodput_before_rps", ok_before),
        ("goodput_after_rps", ok_after),
        ("trigger_end_s", until),
    ];
    if after >= 0.05 && after > 2.0 * before + 0.01 {
        Some(statement(
            Kind::Metastable,
            Severity::Critical,
            format!(
                "The failure outlived its trigger: the faults ended at {}, yet in the second \
                 half of the time after them ({}–{}) {} of requests still failed (vs {} before \
                 {}), goodput {} req/s (vs {}) — a metastable failure that sustains itself.",
                duration(until),
                duration(settle),
                duration(end),
                percent_fine(after),
                percent_fine(before),
                duration(start),
                number(ok_after),
                number(ok_before)
            ),
            None,
            &figures,
        ))
    } else if rates(series, start, until + (end - until) / 4.0)
        .is_some_and(|(during, _)| during >= 0.01 && during > 2.0 * before)
    {
        Some(statement(
            Kind::Recovered,
            Severity::Info,
            format!(
                "The system recovered after its trigger: in the second half of the time after \
                 the faults ({}–{}), {} of requests failed (vs {} before them).",
                duration(settle),
                duration(end),
                percent_fine(after),
                percent_fine(before)
            ),
            None,
            &figures,
        ))
    } else {
        None
    }
}

/// Blocking work starving an event loop: per service with an event-loop starvation (or else a
/// long-blocking) finding, its loop lag, its blocked time and the endpoint the auditor blames.
fn blocking(r: &Report) -> Vec<Statement> {
    use crate::health::FindingKind as F;
    let mut out = Vec::new();
    for (name, s) in &r.services.0 {
        let mine = |k: F| {
            r.health
                .findings
                .iter()
                .find(|f| &f.service == name && f.kind == k)
        };
        let (finding, severity) = match (mine(F::EventLoopStarvation), mine(F::LongBlocking)) {
            (Some(f), _) => (f, Severity::Critical),
            (None, Some(f)) => (f, Severity::Warning),
            _ => continue,
        };
        // A loop lagging behind without blocking is load, which the bottleneck states.
        if s.blocking_s <= 0.0 {
            continue;
        }
        let mut text = format!(
            "Blocking work starves the event loop of `{name}`: {} blocked over the run, p99 \
             loop lag {}",
            duration(s.blocking_s),
            duration(s.loop_lag_s.p99.unwrap_or(0.0))
        );
        if let Some(cause) = &finding.cause {
            text.push_str(&format!("; {cause}"));
        }
        text.push('.');
        out.push(statement(
            Kind::Blocking,
            severity,
            text,
            Some(name.clone()),
            &[
                ("blocking_s", s.blocking_s),
                ("loop_lag_p99_s", s.loop_lag_s.p99.unwrap_or(f64::NAN)),
            ],
        ));
    }
    out
}

/// The auditor's score terms (weight × signal) of `x`, largest first, named for a reader.
pub fn score_terms(x: &crate::health::AuditInputs, t: &HealthThresholds) -> Vec<(String, f64)> {
    let x = x.sanitized();
    let mut terms = alloc::vec![
        (
            format!("event-loop lag max {}", duration(x.max_event_loop_lag_s)),
            x.max_event_loop_lag_s * t.lag_weight,
        ),
        (
            format!("average blocking {}", duration(x.avg_blocking_duration_s)),
            x.avg_blocking_duration_s * t.blocking_weight,
        ),
        (
            format!(
                "thread-pool queue wait {}",
                duration(x.threadpool_queue_wait_s)
            ),
            x.threadpool_queue_wait_s * t.queue_wait_weight,
        ),
        (
            format!("thread-pool backlog {}", number(x.backlog())),
            x.backlog() * t.backlog_weight,
        ),
        (
            format!("{} active requests at peak", number(x.peak_active_requests)),
            x.peak_active_requests * t.active_weight,
        ),
    ];
    terms.sort_by(|a, b| b.1.total_cmp(&a.1));
    terms
}

/// The runtime auditor's verdict, when it is not HEALTHY, on its scale and with the term that
/// weighs most in its whole-run score: the auditor's numbers are not the users' experience, so
/// the diagnosis says where they come from. Its severity follows the verdict, so the mark never
/// reads milder than the level it states: DEGRADED a warning, CRITICAL and COLLAPSE_RISK
/// critical.
fn runtime(r: &Report, t: &HealthThresholds) -> Option<Statement> {
    use crate::health::Status;
    let h = &r.health;
    let (cutoff, severity) = match h.status {
        Status::Healthy => return None,
        Status::Degraded => (t.degraded_score, Severity::Warning),
        Status::Critical => (t.critical_score, Severity::Critical),
        Status::CollapseRisk => (t.collapse_score, Severity::Critical),
    };
    let mut text = format!(
        "The runtime auditor rates the run {} (score {} in its worst window, {} from {})",
        h.status.as_str(),
        number(libm::round(h.score)),
        h.status.as_str(),
        number(cutoff)
    );
    let terms = score_terms(&h.whole_run.inputs, t);
    if let Some((what, v)) = terms.first().filter(|(_, v)| *v > 0.0) {
        text.push_str(&format!(
            "; over the whole run it scores {}, mostly from {what} (+{})",
            number(libm::round(h.whole_run.score)),
            number(libm::round(*v))
        ));
    }
    text.push('.');
    Some(statement(
        Kind::Runtime,
        severity,
        text,
        h.timeline
            .get(h.worst_window.unwrap_or(usize::MAX))
            .and_then(|w| w.worst_service.clone()),
        &[("score", h.score), ("cutoff", cutoff)],
    ))
}

/// Nothing went wrong: say so, with the busiest resource's utilisation.
fn healthy(r: &Report) -> Statement {
    let all = candidates(r);
    let mut text = format!(
        "Healthy: {} of requests succeeded",
        percent_fine(1.0 - r.error_rate)
    );
    let mut figures = alloc::vec![("error_rate", r.error_rate)];
    let mut subject = None;
    if let Some(b) = busiest(&all) {
        text.push_str(&format!(
            " and the busiest resource, `{}`, was {} busy",
            b.name,
            percent(b.utilization)
        ));
        figures.push(("utilization", b.utilization));
        subject = Some(b.name.clone());
    }
    text.push('.');
    statement(Kind::Healthy, Severity::Info, text, subject, &figures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_terms_put_the_heaviest_first() {
        let x = crate::health::AuditInputs {
            max_event_loop_lag_s: 0.3,
            peak_active_requests: 20.0,
            ..Default::default()
        };
        let terms = score_terms(&x, &HealthThresholds::default());
        assert_eq!(terms[0].0, "event-loop lag max 300 ms");
        assert_eq!(terms[0].1, 450.0);
        assert_eq!(terms[1].1, 20.0);
    }

    #[test]
    fn open_time_counts_open_spans_only() {
        let t = [
            (10.0, "open"),
            (15.0, "half_open"),
            (16.0, "open"),
            (20.0, "closed"),
        ];
        assert_eq!(open_time(&t, 0.0, 30.0), 9.0);
        // Clipped to the window, and open at the end.
        assert_eq!(open_time(&t[..1], 12.0, 30.0), 18.0);
        assert_eq!(open_time(&[], 0.0, 30.0), 0.0);
    }

    fn cand(name: &str, u: f64) -> Candidate {
        Candidate {
            name: name.into(),
            utilization: u,
            detail: String::new(),
            wait_p99_s: None,
            waiting_mean: None,
        }
    }

    #[test]
    fn busiest_takes_the_highest_and_the_first_on_ties() {
        let c = [cand("a", 0.5), cand("b", 0.9), cand("c", 0.9)];
        assert_eq!(busiest(&c).unwrap().name, "b");
        assert!(busiest(&[]).is_none());
        // A long p99 wait outranks a higher utilisation.
        let mut waited = cand("pool", 0.06);
        waited.wait_p99_s = Some(1.0);
        let c = [cand("loop", 0.2), waited];
        assert_eq!(busiest(&c).unwrap().name, "pool");
    }

    #[test]
    fn saturation_counts_long_waits() {
        let with_wait = |u: f64, w: f64| Candidate {
            wait_p99_s: Some(w),
            ..cand("x", u)
        };
        assert_eq!(saturation(&cand("x", 0.96)), Severity::Critical);
        assert_eq!(saturation(&with_wait(0.79, 8.9)), Severity::Critical);
        assert_eq!(saturation(&with_wait(0.8, 0.19)), Severity::Info);
        assert_eq!(saturation(&with_wait(0.86, 0.1)), Severity::Warning);
        assert_eq!(saturation(&with_wait(0.5, 0.6)), Severity::Warning);
        // A long queue of waiters (a pool of 6 with 48 waiting, 83% busy, p99 wait 374 ms).
        let waiting = |n: f64| Candidate {
            waiting_mean: Some(n),
            ..with_wait(0.83, 0.374)
        };
        assert_eq!(saturation(&waiting(48.3)), Severity::Warning);
        // M/M/1 at 80%: 3.2 waiting on average.
        assert_eq!(saturation(&waiting(3.2)), Severity::Info);
    }

    #[test]
    fn rates_over_a_span_of_rows() {
        let names = ["t_s", "ok_rps", "error_rps", "timeout_rps"];
        let mut s = Series::new(names.iter().map(|&n| String::from(n)).collect());
        s.push_row(&[1.0, 100.0, 0.0, 0.0]);
        s.push_row(&[2.0, 50.0, 25.0, 25.0]);
        s.push_row(&[3.0, f64::NAN, 1.0, 0.0]);
        assert_eq!(rates(&s, 0.0, 1.0), Some((0.0, 100.0)));
        assert_eq!(rates(&s, 0.0, 2.0), Some((0.25, 75.0)));
        assert_eq!(rates(&s, 5.0, 9.0), None);
    }

    #[test]
    fn causes_read_as_words() {
        assert_eq!(cause("rejected_breaker"), "rejected by a circuit breaker");
        assert_eq!(cause("timeout"), "timed out");
        assert_eq!(cause("something_new"), "something_new");
    }
}
