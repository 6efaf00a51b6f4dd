//! `cargo bench -p loopsim-core`: the engine's speed on the benchmark scenarios, with divan.
//!
//! Each benchmark runs one whole simulation (construction, every event, the report) and counts
//! the simulated events it processed, so divan prints events per second beside the time (the
//! requests of each run are printed once before the table, for requests per second). A run is
//! a pure function of the scenario and seed, so the count is the same in every iteration.
//! `scripts/bench.sh` prints the project's one benchmark table (CLI, wasm, AsyncFlow, memory);
//! speed is measured here, never asserted in tests.
//!
//! Divan (not criterion) because it counts throughput per iteration with `ItemsCount`, and its
//! allocation profiler can show that stepping allocates nothing once warm.

use divan::counter::ItemsCount;
use divan::{AllocProfiler, Bencher};
use loopsim_core::{check, Scenario, Simulation};

/// Counts allocations in the timed part: `steady_state_step` shows 0 per iteration.
#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

/// One asyncio loop at ρ = 0.95 (M/M/1), 20,000 simulated seconds, about 7.6 M events.
const SINGLE_LOOP: &str = include_str!("../../../benches/single-loop.yaml");
/// The gallery's shop: a gateway, two backends, a ramp and blocking reports, 5 minutes.
const SHOP: &str = include_str!("../../../scenarios/basics/shop.yaml");
/// A gateway fanning out to 50 services in parallel, 60 simulated seconds.
const FANOUT_50: &str = include_str!("../../../benches/fanout-50.yaml");

fn scenario(yaml: &str) -> Scenario {
    check(yaml).scenario.expect("benchmark scenario is valid")
}

/// One whole run: the number of events and of requests sent.
fn run(sc: &Scenario) -> (u64, u64) {
    let mut sim = Simulation::new(sc.clone());
    let events = sim.run().events;
    (events, sim.report().requests.sent)
}

fn bench_scenario(bencher: Bencher, yaml: &str) {
    let sc = scenario(yaml);
    let (events, _) = run(&sc);
    bencher
        .counter(ItemsCount::new(events))
        .bench(|| run(divan::black_box(&sc)));
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn single_loop(bencher: Bencher) {
    bench_scenario(bencher, SINGLE_LOOP);
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn shop(bencher: Bencher) {
    bench_scenario(bencher, SHOP);
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn fanout_50(bencher: Bencher) {
    bench_scenario(bencher, FANOUT_50);
}

/// Stepping alone, once warm: 100,000 events of the single loop after 1,000 simulated seconds
/// (every arena, queue and sketch already grown). The allocation columns should read 0: the
/// per-event path allocates nothing (the health ticks and series rows, every second and every
/// sample, are not per event and none fall in most samples).
#[divan::bench(sample_count = 20, sample_size = 1)]
fn steady_state_step(bencher: Bencher) {
    const EVENTS: u64 = 100_000;
    let sc = scenario(SINGLE_LOOP);
    bencher
        .counter(ItemsCount::new(EVENTS))
        .with_inputs(|| {
            let mut sim = Simulation::new(sc.clone());
            sim.step(1_000 * 1_000_000_000, u64::MAX);
            sim
        })
        .bench_local_values(|mut sim| {
            sim.step(u64::MAX, EVENTS);
            sim
        });
}

fn main() {
    for (name, yaml) in [
        ("fanout_50", FANOUT_50),
        ("shop", SHOP),
        ("single_loop", SINGLE_LOOP),
    ] {
        let (events, requests) = run(&scenario(yaml));
        println!("{name}: {events} events, {requests} requests per run");
    }
    divan::main();
}
