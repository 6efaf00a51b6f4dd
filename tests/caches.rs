//! Caches against their theory: the Zipf sampler against p_k, LRU against Che's
//! approximation, FIFO and random against their IRM fixed point (Gelenbe 1973; Martina,
//! Garetto, Leonardi 2014), LFU against perfect LFU, a TTL cache without refresh against its
//! renewal result, single flight against its renewal cycle, and the mean latency of a cache
//! block as the mix of its two paths.
//!
//! Policy tests drive one cache instance ([`Store`]) with independent requests (the IRM): fast,
//! so they can use a million requests in debug mode. The engine tests run whole scenarios and
//! check that the `cache:` step reaches the same numbers.
//!
//! Tolerances: a bias bound of the approximation (stated per test, with its source) plus 4
//! standard errors of the simulated ratio, computed from batch means over the measured
//! requests (or, for the renewal results, from the per-cycle variance).

use loopsim_core::cache::{Found, Store, Zipf};
use loopsim_core::rng::Rng;
use loopsim_core::scenario::EvictionPolicy;
use loopsim_tests::run_yaml;

/// Zipf popularities p_1..p_n (p_k ∝ k^−s).
fn zipf_p(n: usize, s: f64) -> Vec<f64> {
    let w: Vec<f64> = (1..=n).map(|k| (k as f64).powf(-s)).collect();
    let total: f64 = w.iter().sum();
    w.into_iter().map(|x| x / total).collect()
}

/// Solves f(t) = target for increasing f by bisection on t ∈ (0, ∞).
fn solve(target: f64, f: impl Fn(f64) -> f64) -> f64 {
    let (mut lo, mut hi) = (0.0, 1.0);
    while f(hi) < target {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Che's approximation of the LRU hit ratio: t_C solves Σ (1 − e^(−p_k t)) = C, and
/// hit = Σ p_k (1 − e^(−p_k t_C)) (Che, Tung, Wang 2002; Fricker, Robert, Roberts 2012).
fn che_lru(p: &[f64], c: usize) -> f64 {
    let t = solve(c as f64, |t| p.iter().map(|&q| 1.0 - (-q * t).exp()).sum());
    p.iter().map(|&q| q * (1.0 - (-q * t).exp())).sum()
}

/// FIFO and random under the IRM: π_k = p_k T / (1 + p_k T) with Σ π_k = C, hit = Σ p_k π_k
/// (Gelenbe 1973; Martina, Garetto, Leonardi 2014).
fn fifo_random(p: &[f64], c: usize) -> f64 {
    let t = solve(c as f64, |t| p.iter().map(|&q| q * t / (1.0 + q * t)).sum());
    p.iter().map(|&q| q * q * t / (1.0 + q * t)).sum()
}

/// The hit ratio of `requests` IRM requests after `warm` others, and its standard error from
/// 20 batch means.
fn run_store(
    policy: EvictionPolicy,
    n: u64,
    s: f64,
    c: u32,
    warm: u64,
    requests: u64,
    seed: u64,
) -> (f64, f64) {
    let z = Zipf::new(n, s);
    let mut rng = Rng::new(seed);
    let mut evict = Rng::new(seed ^ 0x5eed);
    let mut store = Store::new(policy, c, None);
    let mut step = |rng: &mut Rng| {
        let k = z.sample(rng);
        let hit = store.lookup(k, 0) == Found::Hit;
        if !hit {
            store.store(k, 0, &mut evict);
        }
        hit
    };
    for _ in 0..warm {
        step(&mut rng);
    }
    let batches = 20;
    let per = requests / batches;
    let means: Vec<f64> = (0..batches)
        .map(|_| (0..per).filter(|_| step(&mut rng)).count() as f64 / per as f64)
        .collect();
    let mean = means.iter().sum::<f64>() / batches as f64;
    let var = means.iter().map(|m| (m - mean).powi(2)).sum::<f64>() / (batches - 1) as f64;
    (mean, (var / batches as f64).sqrt())
}

#[test]
fn zipf_frequencies_match_the_popularities() {
    // 50 keys, 200,000 draws per exponent: Pearson's χ² with 49 degrees of freedom is below
    // 85.4 with probability 0.999 when the sampler is right.
    for s in [0.0, 0.8, 1.0, 1.2] {
        let n = 50;
        let draws = 200_000;
        let z = Zipf::new(n as u64, s);
        let mut rng = Rng::new(11);
        let mut counts = vec![0u64; n];
        for _ in 0..draws {
            counts[z.sample(&mut rng) as usize - 1] += 1;
        }
        let p = zipf_p(n, s);
        let chi2: f64 = counts
            .iter()
            .zip(&p)
            .map(|(&o, &q)| {
                let e = q * draws as f64;
                (o as f64 - e).powi(2) / e
            })
            .sum();
        println!("zipf s={s}: chi2 = {chi2:.1}");
        assert!(
            chi2 < 85.4,
            "s = {s}: χ² = {chi2:.1} over 49 degrees of freedom"
        );
    }
}

#[test]
fn lru_matches_ches_approximation() {
    // 10,000 keys; caches of 100 and 1,000 entries; exponents 0.8, 1.0, 1.2. Che's
    // approximation is not exact, but for C ≥ 50 its error is well under 1% absolute (Fricker,
    // Robert, Roberts 2012, Fig. 1: a few 0.1% for Zipf popularities), hence 0.01 plus 4
    // standard errors of 400,000 requests after 200,000 to warm up.
    for s in [0.8, 1.0, 1.2] {
        let p = zipf_p(10_000, s);
        for c in [100u32, 1000] {
            let theory = che_lru(&p, c as usize);
            let (hit, se) = run_store(EvictionPolicy::Lru, 10_000, s, c, 200_000, 400_000, 5);
            println!("lru s={s} C={c}: {hit:.4} ± {se:.4}, Che {theory:.4}");
            assert!(
                (hit - theory).abs() < 0.01 + 4.0 * se,
                "LRU s = {s}, C = {c}: {hit:.4} ± {se:.4} vs Che {theory:.4}"
            );
        }
    }
}

#[test]
fn fifo_and_random_match_their_irm_fixed_point() {
    // Under the IRM, FIFO and random replacement have the same hit ratio, whose fixed-point
    // approximation (Gelenbe 1973; Martina, Garetto, Leonardi 2014) is as accurate as Che's
    // for LRU: 0.01 plus 4 standard errors (400,000 requests after 200,000).
    for policy in [EvictionPolicy::Fifo, EvictionPolicy::Random] {
        for s in [0.8, 1.2] {
            let p = zipf_p(10_000, s);
            let c = 500;
            let theory = fifo_random(&p, c);
            let (hit, se) = run_store(policy, 10_000, s, c as u32, 200_000, 400_000, 6);
            println!("{policy:?} s={s} C={c}: {hit:.4} ± {se:.4}, theory {theory:.4}");
            assert!(
                (hit - theory).abs() < 0.01 + 4.0 * se,
                "{policy:?} s = {s}: {hit:.4} ± {se:.4} vs {theory:.4}"
            );
        }
    }
}

#[test]
fn lfu_lies_between_lru_and_perfect_lfu() {
    // Perfect LFU keeps the C most popular keys: hit = Σ_{k ≤ C} p_k, an upper bound for any
    // policy under the IRM. In-cache LFU (counts kept only while cached, as in Shah, Mitra,
    // Matani's O(1) scheme) does not reach it: the first keys to gather counts lock in, and a
    // newcomer is evicted by the next one unless hit in between (cache pollution; Arlitt et
    // al. 2000 on LFU's aging problem). It still beats LRU, whose hit ratio Che's
    // approximation gives within 0.01. Bounds: ± 4 standard errors of 400,000 requests after
    // 2,000,000 (20,000 per entry).
    for (s, c) in [(0.8, 100usize), (1.0, 100), (1.2, 100)] {
        let p = zipf_p(1000, s);
        let perfect: f64 = p[..c].iter().sum();
        let lru = che_lru(&p, c);
        let (hit, se) = run_store(
            EvictionPolicy::Lfu,
            1000,
            s,
            c as u32,
            2_000_000,
            400_000,
            7,
        );
        println!("lfu s={s} C={c}: {hit:.4} ± {se:.4}, perfect {perfect:.4}, LRU {lru:.4}");
        assert!(
            hit <= perfect + 4.0 * se,
            "{hit:.4} above perfect LFU {perfect:.4}"
        );
        assert!(
            hit > lru + 0.01 + 4.0 * se,
            "LFU {hit:.4} not above LRU {lru:.4}"
        );
    }
}

// ---- through the engine ------------------------------------------------------------------

#[test]
fn ttl_without_refresh_matches_the_renewal_result() {
    // 100 keys drawn uniformly at 1,000 requests/s (Poisson): each key is requested at
    // λ = 10/s. Without refresh on hit, a miss stores the key for T = 100 ms, in which the
    // key gets Poisson(λT) hits; the first request after that is a miss again. So
    // hit = λT / (1 + λT) = 0.5, exactly, and every measured miss is an expiration (the
    // capacity holds every key). 60 s measured: ≈ 30,000 cycles M; by the delta method the
    // ratio's standard error is √(λT/M) / (1 + λT)² = 0.0014, and 4 of them make 0.006.
    let r = run_yaml(
        r#"
version: 1
duration: 70s
warmup: 10s
caches:
  c: { capacity: 1000, ttl: 100ms }
workload:
  - { name: w, to: s, rate: 1000/s }
services:
  s:
    endpoints:
      /:
        - cache: c
          keys: { count: 100 }
"#,
    );
    let c = r.caches.get("c").expect("cache c");
    let hit = c.hit_ratio.unwrap();
    println!("ttl: hit {hit:.4} (theory 0.5), {} misses", c.misses);
    assert!((hit - 0.5).abs() < 0.006, "TTL hit ratio {hit:.4} vs 0.5");
    assert_eq!(
        c.expirations, c.misses,
        "every measured miss is an expiration"
    );
    assert_eq!(c.evictions, 0);
}

#[test]
fn single_flight_matches_its_renewal_cycle() {
    // One key at λ = 1,000/s (Poisson); a miss takes D = 20 ms, then the key stays T = 30 ms.
    // A cycle: one leader, Poisson(λD) = 20 waiters on its flight, Poisson(λT) = 30 hits,
    // then the next request leads again. So hit = 30/51, coalesced = 20/51 of the lookups, and
    // the database sees only the leaders (misses − coalesced). Over 60 s, n ≈ 1,176 cycles:
    // the hit ratio's standard error is √(((1 − h)²·30 + h²·20) / n) / 51 ≈ 0.0020 (delta
    // method, X ~ Poisson(30), Y ~ Poisson(20) per cycle), the coalesced share's likewise;
    // 4 of them make 0.008.
    let r = run_yaml(
        r#"
version: 1
duration: 70s
warmup: 10s
caches:
  c: { capacity: 10, ttl: 30ms }
workload:
  - { name: w, to: s, rate: 1000/s }
services:
  s:
    endpoints:
      /:
        - cache: c
          keys: { count: 1 }
          coalesce: true
          miss: [ { call: db } ]
  db:
    endpoints:
      /: [ { io: 20ms } ]
"#,
    );
    let c = r.caches.get("c").expect("cache c");
    let lookups = (c.hits + c.misses) as f64;
    let hit = c.hits as f64 / lookups;
    let coalesced = c.coalesced as f64 / lookups;
    println!(
        "single flight: hit {hit:.4} (30/51 = {:.4}), coalesced {coalesced:.4} (20/51 = {:.4})",
        30.0 / 51.0,
        20.0 / 51.0
    );
    assert!((hit - 30.0 / 51.0).abs() < 0.008, "hit {hit:.4}");
    assert!(
        (coalesced - 20.0 / 51.0).abs() < 0.008,
        "coalesced {coalesced:.4}"
    );
    let leaders = c.misses - c.coalesced;
    let db = r.endpoints.get("db/").expect("db endpoint");
    // The window's edges can split one flight: its leader before warmup, its waiters after.
    assert!(
        (db.ok as i64 - leaders as i64).abs() <= 2,
        "db served {} for {leaders} leaders",
        db.ok
    );
    assert_eq!(r.requests.failed, 0);
}

#[test]
fn lru_in_the_engine_and_the_mean_latency_of_its_two_paths() {
    // 2,000 keys, Zipf 1.0, an LRU cache of 100 entries, 500 requests/s for 100 s measured
    // (50,000 lookups). Che's approximation (within 0.01) plus 4 standard errors; the
    // store-level tests above show batch-means errors equal to the binomial √(h(1−h)/n), so
    // twice that is a safe bound. Nothing queues (the paths are `io` waits) and the network
    // is instant, so the mean latency is exactly h·1 ms + (1 − h)·10 ms for the measured h
    // (0.2% for the window's edges).
    let r = run_yaml(
        r#"
version: 1
duration: 110s
warmup: 10s
caches:
  c: { capacity: 100, policy: lru }
workload:
  - { name: w, to: s, rate: 500/s }
services:
  s:
    endpoints:
      /:
        - cache: c
          keys: { count: 2000, zipf: 1.0 }
          hit: [ { io: 1ms } ]
          miss: [ { io: 10ms } ]
"#,
    );
    let c = r.caches.get("c").expect("cache c");
    let h = c.hit_ratio.unwrap();
    let n = (c.hits + c.misses) as f64;
    let se = 2.0 * (h * (1.0 - h) / n).sqrt();
    let che = che_lru(&zipf_p(2000, 1.0), 100);
    println!("engine LRU: {h:.4} ± {se:.4}, Che {che:.4}");
    assert!((h - che).abs() < 0.01 + 4.0 * se, "{h:.4} vs Che {che:.4}");
    let mean = r.latency_s.mean.unwrap();
    let theory = h * 0.001 + (1.0 - h) * 0.010;
    println!("mean latency {mean:.6} vs {theory:.6}");
    assert!((mean / theory - 1.0).abs() < 0.002, "{mean} vs {theory}");
    let e = c.entries.as_ref().unwrap();
    assert_eq!(e.max, 100);
    assert_eq!(c.entries_end, 100);
}

#[test]
fn waiters_leave_with_a_cancelled_leader_and_with_a_crash() {
    // `/r`: two lookups of the one key race a 1 ms `io` (wait: any): the `io` wins, so the
    // leader (its miss takes 100 ms) and the waiter on its flight are both cancelled. `/s`:
    // waiters on flights of a replica that crashes. Every request is answered, none stays.
    let r = run_yaml(
        r#"
version: 1
duration: 10s
caches:
  k: { capacity: 10 }
  p: { capacity: 10, scope: replica, ttl: 200ms }
workload:
  - { name: a, to: s, rate: 200/s, mix: { /r: 1, /s: 1 } }
services:
  s:
    replicas: 2
    endpoints:
      /r:
        - parallel:
            - { cache: k, keys: { count: 1 }, coalesce: true, miss: [ { io: 100ms } ] }
            - { cache: k, keys: { count: 1 }, coalesce: true, miss: [ { io: 100ms } ] }
            - { io: 1ms }
          wait: any
      /s:
        - cache: p
          keys: { count: 2 }
          coalesce: true
          miss: [ { io: 300ms }, { invalidate: p, keys: { count: 2 } } ]
faults:
  - { at: 2s, for: 1s, kind: outage, target: s#0 }
  - { at: 5s, kind: flush, target: p }
"#,
    );
    let q = &r.requests;
    assert_eq!(q.sent, q.completed + q.failed + q.in_flight);
    assert!(q.in_flight <= 120, "in flight {}", q.in_flight);
    let k = r.caches.get("k").unwrap();
    assert_eq!(
        k.hits, 0,
        "the leader is always cancelled: nothing is stored"
    );
    assert!(k.coalesced > 0);
    let p = r.caches.get("p").unwrap();
    assert!(p.coalesced > 0 && p.invalidations > 0);
    assert_eq!(p.instances, 2);
    assert!(r.errors.get("lost").copied().unwrap_or(0) > 0);
}

#[test]
fn cache_runs_are_deterministic_however_sliced() {
    // The stampede scenario (caches, single flight, a flush, pools): the same seed gives the
    // same report and series, whether run at once or in slices of time and events.
    let yaml = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../scenarios/failure-modes/cache-stampede.yaml"),
    )
    .unwrap();
    let (whole, series) = loopsim_tests::run_yaml_full(&yaml);
    let again = run_yaml(&yaml);
    let json = |r: &loopsim_core::report::Report| serde_json::to_string(r).unwrap();
    assert_eq!(json(&whole), json(&again));
    let mut sim = loopsim_core::Simulation::new(loopsim_tests::scenario(&yaml));
    let mut until = 0;
    while !sim.step(until, 9_973).finished {
        until += 53_000_000;
    }
    assert_eq!(json(&whole), json(&sim.report()));
    for (i, name) in series.names().iter().enumerate() {
        assert_eq!(
            serde_json::to_string(series.column(i)).unwrap(),
            serde_json::to_string(sim.series().column(i)).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn ttl_per_key_hit_ratios_follow_their_rates() {
    // Zipf(0.8) over 1,000 keys at λ = 1,000 requests/s (Poisson), TTL T = 50 ms without
    // refresh, room for every key: key k's hit ratio is λ_k T / (1 + λ_k T) with
    // λ_k = λ p_k. For the top 5 keys (λ_k T from 0.9 to 3.2) over 500 s, key k has
    // M_k ≈ λ_k t / (1 + λ_k T) misses (4,700 to 7,600), each starting a cycle with
    // Poisson(λ_k T) hits, so the delta-method error of its ratio is
    // √(λ_k T / M_k) / (1 + λ_k T)² (0.0012 to 0.0039); 4 of them bound each key.
    let (n, s, lambda, ttl) = (1000u64, 0.8, 1000.0, 0.05);
    let p = zipf_p(n as usize, s);
    let z = Zipf::new(n, s);
    let mut rng = Rng::new(21);
    let mut store = Store::new(EvictionPolicy::Lru, n as u32, Some((ttl * 1e9) as u64));
    let mut hits = [0u64; 5];
    let mut lookups = [0u64; 5];
    let mut t = 0.0;
    while t < 500.0 {
        t += -(1.0 - rng.f64()).ln() / lambda;
        let now = (t * 1e9) as u64;
        let k = z.sample(&mut rng);
        let hit = store.lookup(k, now) == Found::Hit;
        if !hit {
            store.store(k, now, &mut rng);
        }
        if k <= 5 {
            lookups[k as usize - 1] += 1;
            hits[k as usize - 1] += u64::from(hit);
        }
    }
    for k in 0..5 {
        let x = lambda * p[k] * ttl;
        let theory = x / (1.0 + x);
        let h = hits[k] as f64 / lookups[k] as f64;
        let misses = (lookups[k] - hits[k]) as f64;
        let se = (x / misses).sqrt() / (1.0 + x).powi(2);
        println!("ttl key {}: {h:.4} vs {theory:.4} ± {se:.4}", k + 1);
        assert!(
            (h - theory).abs() < 4.0 * se,
            "key {}: {h:.4} vs {theory:.4} ± {se:.4}",
            k + 1
        );
    }
}
