//! What the page shows beside the five standard charts, decided from the scenario and its
//! report (the report at time 0 already lists the faults and the guarded callers):
//! fault bands on every chart, one guard lane per caller with a breaker or a risk guard, one
//! ingress lane per service with an `ingress:` section, a chart per declared pool (beside the
//! thread-pool chart), a chart per message queue (depth, in process, oldest message age), and
//! the health status lane.

use loopsim_core::health::Status;
use loopsim_core::{Report, Scenario};

/// A fault of the timeline, shaded on every chart over `[from_s, to_s]`.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultBand {
    pub kind: &'static str,
    pub target: String,
    pub from_s: f64,
    pub to_s: f64,
}

impl FaultBand {
    /// When it hit: `60–120 s`, or `at 60 s` for an instant (a `flush`, a `crash`).
    pub fn when(&self) -> String {
        if self.to_s > self.from_s {
            format!(
                "{}–{} s",
                crate::format::num(self.from_s),
                crate::format::num(self.to_s)
            )
        } else {
            format!("at {} s", crate::format::num(self.from_s))
        }
    }
}

/// A guarded caller with something to plot: its breaker state and/or its risk score.
#[derive(Clone, Debug, PartialEq)]
pub struct GuardLane {
    /// As in the report and the series columns (`guard.<caller>.breaker_open`).
    pub caller: String,
    /// Calling replicas (the `breaker_open` column sums their breakers).
    pub replicas: u32,
    pub breaker: bool,
    pub risk: bool,
}

/// A service whose ingress turns requests away (bounded queue, rate or concurrency limit,
/// expired-deadline dropping).
#[derive(Clone, Debug, PartialEq)]
pub struct IngressLane {
    pub service: String,
    /// Has a concurrency limit (its `concurrency_limit` column is plotted).
    pub concurrency: bool,
}

/// A declared pool (`services.X.pools`), charted from its `pool.<service>.<pool>.in_use` and
/// `.waiting` columns.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolChart {
    pub service: String,
    pub pool: String,
    /// Permits per instance, and instances (per worker, replica or the whole service).
    pub size: u32,
    pub instances: u32,
    pub scope: &'static str,
}

impl PoolChart {
    /// All the permits of the pool (the columns sum its instances).
    pub fn permits(&self) -> f64 {
        f64::from(self.size) * f64::from(self.instances)
    }

    /// The series column of one of its figures (`in_use`, `waiting`).
    pub fn column(&self, what: &str) -> String {
        format!("pool.{}.{}.{what}", self.service, self.pool)
    }

    /// `2 permits`, `20 permits (10 × 2 workers)`: its capacity as people say it.
    pub fn capacity(&self) -> String {
        let total = u64::from(self.size) * u64::from(self.instances);
        let unit = if total == 1 { "permit" } else { "permits" };
        if self.instances == 1 {
            format!("{total} {unit}")
        } else {
            format!(
                "{total} {unit}: {} × {} {}s",
                self.size, self.instances, self.scope
            )
        }
    }
}

/// A message queue (`queues:`), charted from its `queue.<name>.depth`, `.in_process` and
/// `.oldest_age_s` columns.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueChart {
    pub queue: String,
}

impl QueueChart {
    /// The series column of one of its figures (`depth`, `in_process`, `oldest_age_s`).
    pub fn column(&self, what: &str) -> String {
        format!("queue.{}.{what}", self.queue)
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Panels {
    pub duration_s: f64,
    pub faults: Vec<FaultBand>,
    pub guards: Vec<GuardLane>,
    pub ingress: Vec<IngressLane>,
    pub pools: Vec<PoolChart>,
    pub scaling: Vec<ScalingChart>,
    pub queues: Vec<QueueChart>,
    pub caches: Vec<CacheChart>,
    /// Some endpoint hands work to a thread pool (`offload`): otherwise the thread-pool chart
    /// would be an empty box, and is left out.
    pub thread_pools: bool,
    /// Every service, in scenario order, with what its own charts need.
    pub services: Vec<ServicePanel>,
    /// Workload names, in scenario order (their `workload.<name>.*` columns).
    pub workloads: Vec<String>,
}

/// One service's own charts: loop lag and ready queue, busy share, its endpoints, and its
/// thread pool when one of its endpoints offloads.
#[derive(Clone, Debug, PartialEq)]
pub struct ServicePanel {
    pub name: String,
    /// Endpoint paths as written (`/checkout`); columns are `endpoint.<service><path>.*`.
    pub endpoints: Vec<String>,
    pub offloads: bool,
}

impl ServicePanel {
    /// The series column of one of its figures (`utilization`, `ready_queue`, ...).
    pub fn column(&self, what: &str) -> String {
        format!("{}.{what}", self.name)
    }

    /// The series column of one of an endpoint's figures (`rate_rps`, `failed_rps`, `p99_s`).
    pub fn endpoint_column(&self, path: &str, what: &str) -> String {
        format!("endpoint.{}{path}.{what}", self.name)
    }
}

/// Every service with its endpoints, in scenario order.
fn service_panels(scenario: &Scenario) -> Vec<ServicePanel> {
    use loopsim_core::scenario::Step;
    scenario
        .services
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let own = scenario
                .endpoints
                .iter()
                .filter(|e| e.service as usize == k);
            ServicePanel {
                name: s.name.clone(),
                endpoints: own.clone().map(|e| e.path.clone()).collect(),
                offloads: own
                    .flat_map(|e| &e.steps)
                    .any(|s| matches!(s, Step::Offload(_) | Step::OffloadSplit { .. })),
            }
        })
        .collect()
}

/// Whether any endpoint of the scenario has an `offload` step (plain or split).
fn uses_thread_pools(scenario: &Scenario) -> bool {
    use loopsim_core::scenario::Step;
    scenario.endpoints.iter().any(|e| {
        e.steps
            .iter()
            .any(|s| matches!(s, Step::Offload(_) | Step::OffloadSplit { .. }))
    })
}

/// A cache (`caches:`), charted from its `cache.<name>.hit_ratio` and `.entries` columns: the
/// warm-up, a flush's drop and the recovery.
#[derive(Clone, Debug, PartialEq)]
pub struct CacheChart {
    pub cache: String,
    /// Entries per instance × instances: the ceiling of the entries line.
    pub capacity: u64,
}

impl CacheChart {
    /// The series column of one of its figures (`hit_ratio`, `entries`).
    pub fn column(&self, what: &str) -> String {
        format!("cache.{}.{what}", self.cache)
    }
}

/// One chart per cache, in declaration order.
fn cache_charts(report: &Report) -> Vec<CacheChart> {
    report
        .caches
        .0
        .iter()
        .map(|(name, c)| CacheChart {
            cache: name.clone(),
            capacity: c.capacity as u64 * c.instances as u64,
        })
        .collect()
}

/// An autoscaled service, charted from its `<service>.replicas_desired` and `.replicas_ready`
/// columns between its bounds.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalingChart {
    pub service: String,
    pub min: u32,
    pub max: u32,
}

impl ScalingChart {
    /// The series column of one of its figures (`replicas_desired`, `replicas_ready`).
    pub fn column(&self, what: &str) -> String {
        format!("{}.{what}", self.service)
    }
}

/// One chart per autoscaled service, in service order.
fn scaling_charts(report: &Report) -> Vec<ScalingChart> {
    report
        .services
        .0
        .iter()
        .filter_map(|(service, s)| {
            s.autoscale.as_ref().map(|a| ScalingChart {
                service: service.clone(),
                min: a.min,
                max: a.max,
            })
        })
        .collect()
}

/// The panels of a run of `scenario`, given any report of it (normally the one at time 0).
pub fn panels(scenario: &Scenario, report: &Report) -> Panels {
    let faults = report
        .faults
        .iter()
        .map(|f| FaultBand {
            kind: f.kind,
            target: f.target.clone(),
            from_s: f.at_s,
            to_s: f.until_s.min(report.duration_s),
        })
        .collect();
    let mut guards: Vec<GuardLane> = Vec::new();
    for g in &report.guards {
        let (breaker, risk) = (g.breaker.is_some(), g.risk.is_some());
        match guards.iter_mut().find(|l| l.caller == g.caller) {
            Some(lane) => {
                lane.replicas += 1;
                lane.breaker |= breaker;
                lane.risk |= risk;
            }
            None => guards.push(GuardLane {
                caller: g.caller.clone(),
                replicas: 1,
                breaker,
                risk,
            }),
        }
    }
    guards.retain(|l| l.breaker || l.risk);
    let ingress = scenario
        .services
        .iter()
        .filter(|s| {
            let i = &s.ingress;
            i.max_queue.is_some()
                || i.rate_limit.is_some()
                || i.concurrency.is_some()
                || i.drop_expired
        })
        .map(|s| IngressLane {
            service: s.name.clone(),
            concurrency: s.ingress.concurrency.is_some(),
        })
        .collect();
    let pools = report
        .services
        .0
        .iter()
        .flat_map(|(service, s)| {
            s.pools.0.iter().map(move |(pool, p)| PoolChart {
                service: service.clone(),
                pool: pool.clone(),
                size: p.size,
                instances: p.instances,
                scope: p.scope,
            })
        })
        .collect();
    Panels {
        duration_s: report.duration_s,
        faults,
        guards,
        ingress,
        pools,
        scaling: scaling_charts(report),
        queues: queue_charts(report),
        caches: cache_charts(report),
        thread_pools: uses_thread_pools(scenario),
        services: service_panels(scenario),
        workloads: scenario.workloads.iter().map(|w| w.name.clone()).collect(),
    }
}

/// One chart per message queue, in declaration order.
fn queue_charts(report: &Report) -> Vec<QueueChart> {
    report
        .queues
        .0
        .iter()
        .map(|(name, _)| QueueChart {
            queue: name.clone(),
        })
        .collect()
}

/// Colour of a fault kind's band (`#rrggbb`).
pub fn fault_color(kind: &str) -> &'static str {
    match kind {
        "slowdown" => "#e67700",
        "latency" => "#7048e8",
        "loss" => "#862e9c",
        "errors" => "#c92a2a",
        "outage" => "#343a40",
        "pause" => "#1971c2",
        "surge" => "#0b7285",
        _ => "#868e96",
    }
}

/// Health statuses in lane order (index = the lane's value), with their colours and the
/// short names drawn inside the lane.
pub const STATUSES: [(Status, &str, &str); 4] = [
    (Status::Healthy, "#2b8a3e", "healthy"),
    (Status::Degraded, "#e67700", "degraded"),
    (Status::Critical, "#d9480f", "critical"),
    (Status::CollapseRisk, "#a61e4d", "collapse risk"),
];

pub fn status_index(s: Status) -> usize {
    STATUSES.iter().position(|(x, ..)| *x == s).unwrap_or(0)
}

pub fn status_color(s: Status) -> &'static str {
    STATUSES[status_index(s)].1
}

/// The status lane as two columns: block `i` spans `x[i]..x[i + 1]` with status index `y[i]`
/// (the last `y` repeats the last block's, so the legend reads it at the very end too). Windows
/// that do not touch their neighbour leave a gap (`NaN`). Empty when there is no window yet.
pub fn lane_columns(report: &Report) -> (Vec<f64>, Vec<f64>) {
    let windows = &report.health.timeline;
    let (mut x, mut y) = (Vec::new(), Vec::new());
    let secs = |ns: u64| ns as f64 / 1e9;
    for (i, w) in windows.iter().enumerate() {
        let start = secs(w.start);
        if i > 0 {
            let prev_end = secs(windows[i - 1].end);
            if start > prev_end + 1e-9 {
                x.push(prev_end);
                y.push(f64::NAN);
            }
        }
        x.push(start);
        y.push(status_index(w.status) as f64);
    }
    if let Some(last) = windows.last() {
        x.push(secs(last.end));
        y.push(status_index(last.status) as f64);
    }
    (x, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(file: &str, to_end: bool) -> (Scenario, Report) {
        let yaml = crate::gallery::entries()
            .into_iter()
            .find(|e| e.file == file)
            .unwrap_or_else(|| panic!("{file} in the gallery"))
            .yaml;
        let mut s = loopsim_wasm::Session::new(yaml, None).expect("valid scenario");
        if to_end {
            s.run_to_end();
        }
        (s.scenario().clone(), s.report())
    }

    #[test]
    fn a_fault_says_when_it_hit() {
        let band = |from_s, to_s| FaultBand {
            kind: "flush",
            target: "urls".into(),
            from_s,
            to_s,
        };
        assert_eq!(band(60.0, 120.0).when(), "60–120 s");
        assert_eq!(band(60.0, 60.0).when(), "at 60 s");
    }

    #[test]
    fn the_breaker_scenario_has_fault_bands_and_one_breaker_lane() {
        let (sc, r) = run("circuit-breaker.yaml", false);
        let p = panels(&sc, &r);
        assert_eq!(p.duration_s, 180.0);
        let kinds: Vec<&str> = p.faults.iter().map(|f| f.kind).collect();
        assert_eq!(kinds, ["errors", "latency"]);
        assert_eq!((p.faults[0].from_s, p.faults[0].to_s), (60.0, 120.0));
        assert_eq!(p.faults[0].target, "payments");
        // The workload's plain timeout is a guard with nothing to plot: no lane.
        assert_eq!(p.guards.len(), 1, "{:?}", p.guards);
        assert!(p.guards[0].breaker && !p.guards[0].risk);
        assert!(p.guards[0].caller.contains("payments/charge"));
        assert!(p.ingress.is_empty());
    }

    #[test]
    fn a_scenario_without_guards_or_faults_gets_no_extra_panel() {
        for file in [
            "shop.yaml",
            "one-event-loop.yaml",
            "event-loop-starvation.yaml",
        ] {
            let (sc, r) = run(file, false);
            let p = panels(&sc, &r);
            assert!(
                p.faults.is_empty()
                    && p.guards.is_empty()
                    && p.ingress.is_empty()
                    && p.pools.is_empty(),
                "{file}: {p:?}"
            );
        }
    }

    #[test]
    fn an_autoscaled_service_gets_a_replicas_chart_named_by_its_columns() {
        let (sc, r) = run("autoscaling-ramp.yaml", false);
        let p = panels(&sc, &r);
        let expected = ScalingChart {
            service: String::from("api"),
            min: 2,
            max: 20,
        };
        assert_eq!(p.scaling, [expected]);
        let names = loopsim_wasm::Session::new(sc_yaml("autoscaling-ramp.yaml"), None)
            .expect("valid")
            .series_names();
        for col in ["replicas_desired", "replicas_ready"] {
            assert!(names.contains(&p.scaling[0].column(col)), "{col}");
        }
        let (sc, r) = run("shop.yaml", false);
        assert!(panels(&sc, &r).scaling.is_empty());
    }

    fn sc_yaml(file: &str) -> &'static str {
        crate::gallery::entries()
            .into_iter()
            .find(|e| e.file == file)
            .unwrap()
            .yaml
    }

    #[test]
    fn every_cache_gets_a_chart_named_by_its_series_columns() {
        let (sc, r) = run("cache-stampede.yaml", false);
        let p = panels(&sc, &r);
        let names: Vec<&str> = p.caches.iter().map(|c| c.cache.as_str()).collect();
        assert_eq!(names, ["plain-cache", "coalesced-cache"]);
        assert_eq!(p.caches[0].capacity, 1000);
        let columns = loopsim_core::Simulation::new(sc).series().names().to_vec();
        for c in &p.caches {
            for what in ["hit_ratio", "entries"] {
                assert!(columns.contains(&c.column(what)), "{}", c.column(what));
            }
        }
    }

    #[test]
    fn every_queue_gets_a_chart_named_by_its_series_columns() {
        let (sc, r) = run("order-pipeline.yaml", false);
        let p = panels(&sc, &r);
        let names: Vec<&str> = p.queues.iter().map(|q| q.queue.as_str()).collect();
        assert_eq!(names, ["orders", "orders-dlq"]);
        let columns = loopsim_core::Simulation::new(sc).series().names().to_vec();
        for q in &p.queues {
            for what in ["depth", "in_process", "oldest_age_s"] {
                assert!(columns.contains(&q.column(what)), "{}", q.column(what));
            }
        }
    }

    #[test]
    fn every_declared_pool_gets_a_chart_named_by_its_columns() {
        let yaml =
            "version: 1\nname: Pools\nduration: 10s\nworkload:\n  - to: api\n    rate: 50/s\n\
            services:\n  api:\n    replicas: 2\n    workers: 3\n    pools:\n\
            \x20     db: { size: 4 }\n      keys: { size: 8, scope: worker }\n\
            \x20     license: { size: 1, scope: service }\n    endpoints:\n      /:\n\
            \x20       - with: db\n          steps: [ { io: 5ms } ]\n";
        let s = loopsim_wasm::Session::new(yaml, None).expect("valid scenario");
        let p = panels(s.scenario(), &s.report());
        let got: Vec<(&str, &str, f64, String)> = p
            .pools
            .iter()
            .map(|c| {
                (
                    c.service.as_str(),
                    c.pool.as_str(),
                    c.permits(),
                    c.capacity(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("api", "db", 8.0, "8 permits: 4 × 2 replicas".to_string()),
                ("api", "keys", 48.0, "48 permits: 8 × 6 workers".to_string()),
                ("api", "license", 1.0, "1 permit".to_string()),
            ]
        );
        for c in &p.pools {
            for what in ["in_use", "waiting"] {
                assert!(
                    s.series().names().contains(&c.column(what)),
                    "{}",
                    c.column(what)
                );
            }
        }
    }

    #[test]
    fn ingress_lanes_follow_the_ingress_section() {
        let (sc, r) = run("retry-storm-drop-expired.yaml", false);
        let p = panels(&sc, &r);
        assert_eq!(p.ingress.len(), 1);
        assert!(!p.ingress[0].concurrency);
    }

    #[test]
    fn the_lane_covers_every_window_with_its_status() {
        let (_, r) = run("event-loop-starvation.yaml", true);
        let (x, y) = lane_columns(&r);
        let n = r.health.timeline.len();
        assert!(n > 10);
        assert_eq!(x.len(), n + 1);
        assert_eq!(y.len(), n + 1);
        assert!(x.windows(2).all(|w| w[0] < w[1]));
        assert!(y
            .iter()
            .any(|&v| v == status_index(Status::CollapseRisk) as f64));
        assert_eq!(x[n], r.health.timeline[n - 1].end as f64 / 1e9);
        // Before any window closes, nothing.
        let (_, r0) = run("event-loop-starvation.yaml", false);
        assert_eq!(lane_columns(&r0), (vec![], vec![]));
    }

    #[test]
    fn every_fault_kind_has_its_own_colour() {
        let kinds = [
            "slowdown", "latency", "loss", "errors", "outage", "pause", "surge",
        ];
        let mut colors: Vec<&str> = kinds.iter().map(|k| fault_color(k)).collect();
        colors.sort();
        colors.dedup();
        assert_eq!(colors.len(), kinds.len());
    }
}
