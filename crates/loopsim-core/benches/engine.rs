//! `cargo bench -p loopsim-core`: simulated events and requests per second of wall time on the
//! M/M/1 gallery scenario (one event loop, ρ = 0.8), stretched to 20,000 simulated seconds
//! (1.6 million requests). Reports the best of five runs; speed is measured here, never asserted
//! in tests.

use std::time::Instant;

use loopsim_core::{check, Simulation};

const SCENARIO: &str = include_str!("../../../scenarios/basics/one-event-loop.yaml");

fn main() {
    let mut sc = check(SCENARIO).scenario.expect("gallery scenario is valid");
    sc.duration = 20_000 * 1_000_000_000;
    sc.sample_every = 1_000_000_000;
    let mut best = f64::INFINITY;
    let mut events = 0;
    let mut requests = 0;
    for _ in 0..5 {
        let start = Instant::now();
        let mut sim = Simulation::new(sc.clone());
        events = sim.run().events;
        best = best.min(start.elapsed().as_secs_f64());
        requests = sim.report().requests.sent;
    }
    println!("M/M/1 (rho = 0.8), {events} events, {requests} requests in {best:.3} s");
    println!("  {:.2} million events/s", events as f64 / best / 1e6);
    println!("  {:.2} million requests/s", requests as f64 / best / 1e6);
}
