//! The words the page and the HTML report use, explained once: one table of terms (name,
//! other spellings, text) that the page's glossary, its hover help (`title` on cards and
//! table headers) and the CLI's HTML report all read, so a term never means two things.

/// One term of the glossary.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Term {
    /// As the glossary lists it.
    pub name: &'static str,
    /// Other labels that mean it: table headers, card titles, chart legends (matched without
    /// regard to case).
    pub aliases: &'static [&'static str],
    /// One or two plain sentences: what it is and what a bad value says.
    pub text: &'static str,
}

/// The glossary, in reading order (the simplest terms first).
pub const TERMS: &[Term] = &[
    Term {
        name: "Latency",
        aliases: &[
            "workloads",
            "workload",
            "latency mean",
            "mean",
            "response time",
            "latency per interval",
            "latency per interval and failed answers",
        ],
        text: "Time from sending a request to getting its answer, retries and waits included. \
               The latency figures are those of the successful requests; the \"p99 incl. \
               failures\" line adds the failed ones at their time to failure.",
    },
    Term {
        name: "p50, p90, p95, p99",
        aliases: &[
            "p50",
            "p90",
            "p95",
            "p99",
            "percentile",
            "max",
            "latest p99",
        ],
        text: "Percentiles of latency: p99 is the time that 99 % of requests stayed under, so \
               1 request in 100 waited longer. Tails (p99, max) show queueing long before the \
               mean does.",
    },
    Term {
        name: "Sent and completed",
        aliases: &["sent", "completed", "requests sent"],
        text: "Requests the workloads sent, and those answered with success. Sent minus \
               completed is what failed or is still in flight.",
    },
    Term {
        name: "Events",
        aliases: &["events", "events simulated"],
        text: "Steps of the discrete-event simulation (an arrival, a loop turn, an I/O \
               completion…): a measure of the work the simulator did, not of the system.",
    },
    Term {
        name: "Throughput",
        aliases: &[
            "throughput",
            "requests / s",
            "answered (ok + failed) / s",
            "throughput by outcome, attempts and retries",
            "req/s",
        ],
        text: "Requests answered per second, successes and failures together.",
    },
    Term {
        name: "Goodput",
        aliases: &["goodput", "goodput (ok / s)", "ok (goodput)", "ok"],
        text: "Successful requests per second: the useful part of the throughput. A service \
               under a retry storm can be busy at 100 % with a goodput near zero.",
    },
    Term {
        name: "Error rate",
        aliases: &[
            "error rate",
            "failed",
            "failed / refused",
            "failures",
            "served ok",
        ],
        text: "Share of requests that failed (errors, timeouts, refusals, guard rejections), \
               each counted under its cause.",
    },
    Term {
        name: "Timeout",
        aliases: &["timeout", "timeouts", "deadline"],
        text: "A caller gives up waiting after this time and counts the attempt as failed; the \
               server usually keeps working on it, wasting capacity.",
    },
    Term {
        name: "Attempts per request",
        aliases: &["attempts", "attempts per request", "retries", "retry"],
        text: "Tries sent for each request, first try included. Above 1 means retries: each \
               adds load exactly when the service is already slow (a retry storm).",
    },
    Term {
        name: "In flight",
        aliases: &[
            "in flight",
            "in flight at the end",
            "active mean / peak",
            "active requests",
        ],
        text: "Requests sent but not yet answered. A number that keeps growing means requests \
               arrive faster than they are served.",
    },
    Term {
        name: "Event loop",
        aliases: &["event loop", "worker", "workers", "replicas × workers"],
        text: "A single thread that runs one piece of a request at a time (like Node.js or \
               asyncio). A service has replicas, each with workers, each with its own loop.",
    },
    Term {
        name: "Utilisation",
        aliases: &[
            "utilization",
            "utilisation",
            "loop busy",
            "busy",
            "busy (%)",
            "event-loop utilisation",
        ],
        text: "Share of the time the event loop was running code. Near 100 % the loop has no \
               slack: every new request waits, and the wait grows without bound.",
    },
    Term {
        name: "Ready queue",
        aliases: &[
            "ready queue",
            "ready",
            "ready queue mean / max",
            "ready queue (tasks)",
        ],
        text: "Tasks whose I/O has finished and that wait for the event loop to run their next \
               step. A long ready queue means the loop is the bottleneck.",
    },
    Term {
        name: "Loop lag",
        aliases: &[
            "loop lag",
            "lag",
            "lag mean",
            "lag p99",
            "lag max",
            "lag (ms)",
            "event-loop lag",
            "event-loop lag (max per interval) and ready queue",
        ],
        text: "How long a ready task waited before the loop ran it. Lag adds to every request \
               on that loop; tens of milliseconds mean CPU work is blocking the loop.",
    },
    Term {
        name: "Thread pool",
        aliases: &[
            "thread pool",
            "threads busy",
            "busy threads",
            "thread queue max",
            "queued jobs",
            "thread pool: queued jobs and busy threads",
            "offload",
        ],
        text: "Threads beside the event loop for blocking work (`offload`). When all are busy, \
               jobs queue and the requests behind them wait.",
    },
    Term {
        name: "Thread wait",
        aliases: &["thread wait", "thread wait mean", "thread wait p99"],
        text: "Time an offloaded job waited for a free thread of the pool.",
    },
    Term {
        name: "Pool",
        aliases: &[
            "pool",
            "pools",
            "permits",
            "size × instances",
            "in use mean / max",
            "wait mean",
            "wait p99",
        ],
        text: "A limited set of permits (database connections, licences) that a `with` block \
               holds while its steps run. A full pool makes requests wait for a permit.",
    },
    Term {
        name: "Replica",
        aliases: &["replica", "replicas", "instance", "services"],
        text: "One copy of a service behind its balancer. Replicas share the load; a crash or \
               an outage takes one away.",
    },
    Term {
        name: "Ingress",
        aliases: &[
            "ingress",
            "refused",
            "refused / s",
            "rate limit",
            "concurrency limit",
            "accept queue",
        ],
        text: "What a service does with a request before serving it: a rate limit, a \
               concurrency limit or a bounded queue may refuse it at once instead of letting \
               it wait.",
    },
    Term {
        name: "Breaker",
        aliases: &[
            "guards",
            "guard",
            "breaker",
            "circuit breaker",
            "breaker state",
            "open",
            "half-open",
        ],
        text: "A client-side guard that stops sending to a failing service for a while (open), \
               then lets a few requests test it (half-open). Open breakers fail requests fast.",
    },
    Term {
        name: "Backoff",
        aliases: &["backoff", "jitter", "retry budget"],
        text: "The wait before a retry, growing after each failure, with random jitter so \
               clients do not retry in step. A retry budget caps retries to a share of requests.",
    },
    Term {
        name: "Fault",
        aliases: &["fault", "faults", "slowdown", "outage", "surge", "pause"],
        text: "A scripted incident (slowdown, errors, outage, lost packets, a surge of \
               traffic…) shaded on every chart over the time it lasts.",
    },
    Term {
        name: "Health status",
        aliases: &[
            "health",
            "status",
            "healthy",
            "degraded",
            "critical",
            "collapse_risk",
            "collapse risk",
            "verdict",
        ],
        text: "The runtime auditor's verdict on the worst window of the run: HEALTHY, \
               DEGRADED, CRITICAL or COLLAPSE_RISK, set by the score's thresholds.",
    },
    Term {
        name: "Score",
        aliases: &["score", "health score"],
        text: "The auditor's number for how badly the runtime suffered (loop lag, thread-pool \
               saturation, load), higher is worse; its scale says which status it reaches.",
    },
    Term {
        name: "Failure mode",
        aliases: &["failure mode", "failure modes", "finding", "findings"],
        text: "A pattern the auditor recognised (event-loop starvation, thread-pool or load \
               saturation), with the service it hit.",
    },
    Term {
        name: "SLO",
        aliases: &[
            "slo",
            "slos",
            "service-level objectives",
            "error budget",
            "burn rate",
            "sli",
        ],
        text: "A service-level objective: a target such as 99.9 % of requests under 300 ms. \
               The error budget is the failure it allows; the burn rate is how fast it is spent.",
    },
    Term {
        name: "Warm-up and measured window",
        aliases: &[
            "warm-up",
            "warmup",
            "measured window",
            "simulated time",
            "simulated",
        ],
        text: "Figures skip the warm-up at the start of a run, while queues fill; they cover \
               the measured window that follows.",
    },
    Term {
        name: "Interval",
        aliases: &["interval", "per interval", "sample"],
        text: "Charts plot one point per sampling interval: the rate, percentile or maximum \
               over that slice of simulated time.",
    },
    Term {
        name: "Message queue",
        aliases: &[
            "queue",
            "queues",
            "depth",
            "depth mean / max",
            "consumer lag",
            "depth (lag)",
            "oldest max",
        ],
        text: "A broker holding published messages until a consumer takes them. Its depth is \
               the consumer lag: a growing depth means consumers cannot keep up.",
    },
    Term {
        name: "Dead letters",
        aliases: &["dead letters", "dead letter", "redelivered", "full"],
        text: "Messages set aside after their deliveries were exhausted; they were never \
               processed.",
    },
    Term {
        name: "Cache hit ratio",
        aliases: &[
            "hit ratio",
            "cache",
            "caches",
            "hits",
            "misses",
            "coalesced",
        ],
        text: "Share of lookups answered from the cache. After a flush the ratio drops and \
               every miss goes to the backend at once (a stampede) unless misses are coalesced.",
    },
    Term {
        name: "Autoscaling",
        aliases: &[
            "autoscaling",
            "autoscale",
            "desired",
            "replicas_desired",
            "replicas_ready",
        ],
        text: "Adding or removing replicas from a metric. New replicas take time to become \
               ready, so load can outrun them.",
    },
    Term {
        name: "Link",
        aliases: &[
            "links",
            "link",
            "bandwidth",
            "transfer mean",
            "transfer p99",
        ],
        text: "A network hop with a bandwidth, shared by the bodies crossing it. A link busy \
               near 100 % makes every transfer on it slow.",
    },
    Term {
        name: "Seed",
        aliases: &["seed"],
        text: "The number that fixes every random draw: the same scenario and seed give the \
               same report, to the last digit.",
    },
];

/// Lower-case, with trailing punctuation and spaces trimmed, so `Lag p99:` finds `lag p99`.
fn normal(label: &str) -> String {
    label
        .trim()
        .trim_end_matches([':', '.', ' '])
        .to_lowercase()
}

/// The term that `label` names (its name or one of its aliases, any case).
pub fn term(label: &str) -> Option<&'static Term> {
    let key = normal(label);
    if key.is_empty() {
        return None;
    }
    TERMS
        .iter()
        .find(|t| normal(t.name) == key || t.aliases.iter().any(|a| normal(a) == key))
}

/// Hover help for a card title, table header or legend: the glossary's text for the term it
/// names, if any (tables call this for each header and set it as the `title`).
pub fn help(label: &str) -> Option<&'static str> {
    term(label).map(|t| t.text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables;

    #[test]
    fn the_page_terms_have_help() {
        for label in [
            "ready queue",
            "Loop lag",
            "utilisation",
            "Score",
            "goodput",
            "p99",
            "Attempts",
            "breaker",
            "Health",
            "SLO",
        ] {
            assert!(help(label).is_some(), "{label}");
        }
    }

    #[test]
    fn the_table_headers_of_the_page_have_help() {
        // Every column of the services and workloads tables but the name, as both hosts draw
        // them (`crate::tables`).
        for header in [tables::SERVICE_HEADERS, tables::WORKLOAD_HEADERS]
            .iter()
            .flat_map(|h| &h[1..])
        {
            assert!(help(header).is_some(), "{header}");
        }
        // Every summary label but the latency of successes (the glossary's latency counts
        // failures too), on the report of a short run.
        let scenario = loopsim_core::check(
            "version: 1\nname: n\nduration: 2s\nworkload:\n  - to: api\n    rate: 20/s\n\
             services:\n  api:\n    endpoints:\n      /:\n        - cpu: 1ms\n",
        )
        .scenario
        .expect("valid scenario");
        let mut sim = loopsim_core::Simulation::new(scenario);
        sim.run();
        let [left, right] = tables::summary(&sim.report(), None);
        for (label, _) in left.iter().chain(&right) {
            let latency = *label == "Latency of successes: mean";
            assert_eq!(help(label).is_some(), !latency, "{label}");
        }
        assert_eq!(help("Lag p99:"), help("loop lag"));
        assert_eq!(help("nonsense"), None);
        assert_eq!(help(""), None);
    }

    #[test]
    fn every_label_names_one_term_only() {
        let mut seen: Vec<String> = Vec::new();
        for t in TERMS {
            assert!(!t.text.is_empty() && t.text.ends_with('.'), "{}", t.name);
            assert_eq!(t.text.matches('`').count() % 2, 0, "{}: code spans", t.name);
            let mut own: Vec<String> = std::iter::once(&t.name)
                .chain(t.aliases)
                .map(|l| normal(l))
                .collect();
            own.sort();
            own.dedup();
            for key in own {
                assert!(!seen.contains(&key), "{key} names two terms");
                seen.push(key);
            }
        }
    }
}
