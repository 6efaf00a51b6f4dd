//! # loopsim-core
//!
//! A deterministic discrete-event simulator of async backend services. `#![no_std]` + `alloc`:
//! no I/O, no wall clock, no global RNG. The host (CLI, wasm facade) owns all of that.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod diag;
pub mod dist;
pub mod rng;
pub mod scenario;
pub mod schema;
pub mod time;
pub mod yaml;
pub mod engine;
pub mod metrics;
pub mod report;
pub mod series;

pub use engine::{Progress, Simulation, Snapshot};
pub use report::Report;
pub use scenario::{check, Checked, Scenario};
