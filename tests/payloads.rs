//! Payloads over bandwidth against processor-sharing theory.
//!
//! Downloads share a link fairly (`engine/transfer.rs`): one link is an M/G/1 processor-sharing
//! queue whose "service time" is size / bandwidth. For Poisson arrivals its mean sojourn time
//! is E[S] / (1 − ρ) with ρ = λ E[size] / B, *whatever the size distribution* (M/G/1-PS
//! insensitivity; Kleinrock, Queueing Systems vol. 2, §4.4): constant and exponential sizes
//! must give the same mean. Its busy fraction is ρ.
//!
//! Replications and intervals as in `theory.rs`: R independent seeds, the 99.9% Student-t
//! interval of the replication means must contain the theory and be narrow (half-width ≤ 3% of
//! it). Sizing: for M/M/1 (which M/M/1-PS matches in the number in system) the time average of
//! N over L seconds has variance ≈ 2ρ(1 + ρ) / (μ (1 − ρ)⁴ L). At ρ = 0.7, μ = 100/s and
//! L = 1500 s that is an SD of 0.044 on N = 2.33 (1.9%), and with R = 10 the half-width is
//! 4.781 × 1.9% / √10 ≈ 2.9% — at the limit for the worst case; constant sizes and ρ = 0.5
//! vary less. The mean transfer time is N / λ (Little), with the same relative spread.
//! Each replication is ≈ 105,000 transfers (≈ 5 events each), well under a second.

use loopsim_core::report::LinkReport;
use loopsim_core::Report;
use loopsim_tests::{replications, run_yaml, Estimate};

const R: u64 = 10;
const PRECISION: f64 = 0.03;
/// Mean size 125 KB over 100 Mbps (12.5 MB/s): E[S] = 10 ms, μ = 100/s.
const MEAN_SIZE: f64 = 125_000.0;
const BANDWIDTH: f64 = 12.5e6;

fn downloads(rate: f64, size: &str) -> String {
    format!(
        r#"version: 1
name: downloads
seed: {{seed}}
duration: 1520s
warmup: 20s
workload:
  - to: app
    rate: {rate}/s
services:
  app:
    endpoints:
      /file:
        steps:
          - io: 1us
        response_size: {size}
network:
  bandwidth: 100Mbps
"#
    )
}

fn down(r: &Report) -> &LinkReport {
    r.links.get("app → client").expect("the download direction")
}

fn check(rho: f64, size: &str) {
    let es = MEAN_SIZE / BANDWIDTH;
    let rate = rho / es;
    let reports = replications(&downloads(rate, size), 1..=R);
    let label = format!("ρ = {rho}, size {size}");
    Estimate::of(&reports, |r| down(r).transfer_s.mean.unwrap()).assert_matches(
        &format!("mean transfer time, {label}"),
        es / (1.0 - rho),
        PRECISION,
    );
    Estimate::of(&reports, |r| down(r).utilization.unwrap()).assert_matches(
        &format!("link utilisation, {label}"),
        rho,
        PRECISION,
    );
}

#[test]
fn exponential_sizes_follow_m_m_1_ps() {
    check(0.5, "{ dist: exponential, mean: 125KB }");
    check(0.7, "{ dist: exponential, mean: 125KB }");
}

#[test]
fn constant_sizes_give_the_same_mean_insensitivity() {
    check(0.7, "125KB");
}

/// One request alone: latency + request/B, the server's work, latency + response/B, exactly
/// (integer nanoseconds: 1000 B and 1 MB at 100 Mbps are 80 µs and 80 ms).
#[test]
fn a_lone_transfer_takes_latency_plus_size_over_bandwidth() {
    let r = run_yaml(
        r#"version: 1
name: lone
seed: 1
duration: 150ms
workload:
  - to: app
    arrivals: closed
    users: 1
    request_size: 1000B
services:
  app:
    endpoints:
      /file:
        steps:
          - io: 1ms
        response_size: 1MB
network:
  latency: 10ms
  bandwidth: 100Mbps
"#,
    );
    assert_eq!(r.requests.completed, 1);
    let expected = 0.010 + 0.000_080 + 0.001 + 0.010 + 0.080;
    let mean = r.latency_s.mean.unwrap();
    assert!((mean - expected).abs() < 1e-12, "{mean} vs {expected}");
    assert_eq!(down(&r).transfer_s.mean, Some(0.08));
    assert_eq!(
        r.links.get("client → app").unwrap().transfer_s.mean,
        Some(0.000_08)
    );
}

/// A replica's NIC slower than the link is the bottleneck; `10MB/s` is bytes per second.
#[test]
fn a_slow_nic_is_the_bottleneck() {
    let r = run_yaml(
        r#"version: 1
name: nic
seed: 1
duration: 150ms
workload:
  - to: app
    arrivals: closed
    users: 1
services:
  app:
    nic: 10MB/s
    endpoints:
      /file:
        steps:
          - io: 1ms
        response_size: 1MB
network:
  bandwidth: 1Gbps
"#,
    );
    assert_eq!(r.latency_s.mean, Some(0.001 + 0.1));
    let nic = r
        .links
        .get("app#0 nic out")
        .expect("the NIC carried the answer");
    assert_eq!(nic.transfers, 1);
    assert_eq!(nic.bandwidth_bps, 80e6);
    assert!(r.links.get("app → client").is_none());
}

/// Without bandwidth, sizes change nothing; the report has no `links`.
#[test]
fn sizes_without_bandwidth_change_nothing() {
    let base = r#"version: 1
name: same
seed: 3
duration: 20s
workload:
  - to: app
    rate: 50/s
SIZE
services:
  app:
    endpoints:
      /:
        - cpu: { dist: exponential, mean: 5ms }
"#;
    let plain = run_yaml(&base.replace("SIZE\n", ""));
    let sized = run_yaml(&base.replace("SIZE", "    request_size: 1MB"));
    assert!(sized.links.is_empty());
    assert_eq!(plain.latency_s, sized.latency_s);
    assert_eq!(plain.requests, sized.requests);
}

/// The first error of `yaml`: its message and hint.
fn first_error(yaml: &str) -> (String, Option<String>) {
    let checked = loopsim_core::check(yaml);
    let d = checked
        .diagnostics
        .iter()
        .find(|d| d.is_error())
        .unwrap_or_else(|| panic!("no error for\n{yaml}"));
    (d.message.clone(), d.hint.clone())
}

const BASE: &str = r#"version: 1
name: bad
duration: 1s
workload:
  - to: app
    rate: 10/s
services:
  app:
    endpoints:
      /:
        steps: [ { cpu: 1ms } ]
        response_size: 1MB
network:
  bandwidth: 1Gbps
"#;

#[test]
fn bad_sizes_and_bandwidths_are_explained() {
    let (m, h) = first_error(&BASE.replace("1Gbps", "100"));
    assert!(m.contains("needs a unit"), "{m}");
    assert_eq!(
        h.as_deref(),
        Some("write 100Mbps (bits) or 100MB/s (bytes)")
    );
    let (m, h) = first_error(&BASE.replace("1Gbps", "1gbps"));
    assert!(m.contains("unknown bandwidth unit"), "{m}");
    assert_eq!(h.as_deref(), Some("did you mean 1Gbps?"));
    let (m, h) = first_error(&BASE.replace("response_size: 1MB", "response_size: 1 MB"));
    assert!(m.contains("`response_size`"), "{m}");
    assert_eq!(h.as_deref(), Some("write 1MB"));
    let (m, h) = first_error(&BASE.replace("response_size", "respone_size"));
    assert!(m.contains("unknown key `respone_size`"), "{m}");
    assert_eq!(h.as_deref(), Some("did you mean `response_size`?"));
    let (m, _) = first_error(&BASE.replace("        steps: [ { cpu: 1ms } ]\n", ""));
    assert!(m.contains("missing `steps`"), "{m}");
    let (m, h) = first_error(&BASE.replace(
        "response_size: 1MB",
        "response_size: { dist: exponential, mean: 1ms }",
    ));
    assert!(m.contains("`mean`"), "{m} {h:?}");
    let (m, _) =
        first_error(&BASE.replace("    rate: 10/s", "    rate: 10/s\n    request_size: -1KB"));
    assert!(m.contains("negative"), "{m}");
    let (m, _) = first_error(&BASE.replace("  app:\n", "  app:\n    nic: 0Gbps\n"));
    assert!(m.contains("greater than zero"), "{m}");
    assert!(loopsim_core::check(BASE).scenario.is_some());
}

/// A client hop offered more bytes per second than its bandwidth is a warning before the run.
#[test]
fn an_overloaded_link_is_a_warning() {
    let warnings = |yaml: &str| {
        let checked = loopsim_core::check(yaml);
        assert!(checked.scenario.is_some());
        checked
            .diagnostics
            .iter()
            .filter(|d| !d.is_error() && d.message.contains("pile up"))
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
    };
    // 10/s × 1 MB = 10 MB/s over 1 Gbps (125 MB/s): fine; over 50 Mbps (6.25 MB/s): ρ = 1.6.
    assert!(warnings(BASE).is_empty());
    let w = warnings(&BASE.replace("1Gbps", "50Mbps"));
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("client ← app") && w[0].contains("1.60 ×"),
        "{}",
        w[0]
    );
}

/// Two equal answers sent at the same instant share the link: both end at 2 s / B, together
/// (one completion event pops both). A 1-byte answer at 100 Gbps (0.08 ns) still takes 1 ns:
/// the clock always advances.
#[test]
fn simultaneous_transfers_share_and_tiny_ones_take_a_nanosecond() {
    let yaml = |users: u32, size: &str, bw: &str| {
        format!(
            r#"version: 1
name: share
seed: 1
duration: 150ms
workload:
  - to: app
    arrivals: closed
    users: {users}
services:
  app:
    endpoints:
      /file:
        steps:
          - io: 1ms
        response_size: {size}
network:
  bandwidth: {bw}
"#
        )
    };
    let r = run_yaml(&yaml(2, "500KB", "100Mbps"));
    assert_eq!(r.requests.completed, 2);
    assert_eq!(r.latency_s.max, Some(0.001 + 0.08));
    assert_eq!(r.latency_s.mean, Some(0.001 + 0.08));
    assert_eq!(down(&r).in_flight.as_ref().unwrap().max, 2);
    let r = run_yaml(&yaml(1, "1B", "100Gbps"));
    let first = down(&r);
    assert_eq!(first.transfer_s.max, Some(1e-9));
    assert!(r.requests.completed > 100);
}

/// A replica that crashes while sending an answer loses it: the caller gets `lost` when the
/// bytes would have arrived (they were on the wire; the link stays busy until then).
#[test]
fn a_crash_loses_the_answers_being_sent() {
    let r = run_yaml(
        r#"version: 1
name: crash
seed: 1
duration: 9s
workload:
  - to: app
    arrivals: closed
    users: 1
services:
  app:
    endpoints:
      /file:
        steps:
          - io: 1ms
        response_size: 10MB
network:
  bandwidth: 10Mbps
faults:
  - { at: 2s, for: 1s, kind: outage, target: app }
"#,
    );
    assert_eq!(r.requests.completed, 0);
    assert_eq!(r.requests.failed, 1);
    assert_eq!(r.errors.get("lost"), Some(&1));
    assert_eq!(r.latency_s.count, 0);
    assert_eq!(down(&r).transfer_s.max, Some(8.0));
}
