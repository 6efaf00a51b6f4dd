//! An AsyncFlow 0.1.1 payload once read and checked: the values the converter maps, with the
//! spans of the input they came from (for located warnings).

use alloc::string::String;
use alloc::vec::Vec;

use crate::diag::Span;

/// A random variable `{mean, distribution, variance}` as AsyncFlow 0.1.1 samples it (see
/// `docs/asyncflow.md`): `variance` is passed to numpy as the standard deviation and defaults
/// to `mean` for `normal` and `log_normal`.
#[derive(Clone, Debug, PartialEq)]
pub struct RandomVariable {
    pub mean: f64,
    pub distribution: Distribution,
    /// The `variance` given, or its default; only `normal` and `log_normal` have one.
    pub variance: Option<f64>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Distribution {
    Poisson,
    Normal,
    LogNormal,
    Exponential,
    Uniform,
}

impl Distribution {
    pub const NAMES: &'static [(&'static str, Distribution)] = &[
        ("poisson", Distribution::Poisson),
        ("normal", Distribution::Normal),
        ("log_normal", Distribution::LogNormal),
        ("exponential", Distribution::Exponential),
        ("uniform", Distribution::Uniform),
    ];
}

/// `rqs_input`: every `window` seconds a user count is drawn; the rate is users × rpm / 60.
#[derive(Clone, Debug, PartialEq)]
pub struct Generator {
    pub id: String,
    pub users: RandomVariable,
    pub per_user_per_minute: f64,
    pub window: u64,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Step {
    /// `initial_parsing`, `cpu_bound_operation`: seconds of CPU holding a core.
    Cpu(f64),
    /// `ram`: megabytes reserved before the request starts, for its whole life.
    Ram(f64),
    /// `io_*`: seconds of waiting with no core.
    Io(f64),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Endpoint {
    pub name: String,
    pub steps: Vec<Step>,
}

impl Endpoint {
    /// The RAM (MB) the request reserves before its first step: the sum of its `ram` steps.
    pub fn ram(&self) -> f64 {
        self.steps
            .iter()
            .map(|s| if let Step::Ram(mb) = s { *mb } else { 0.0 })
            .sum()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Server {
    pub id: String,
    pub cores: u64,
    pub ram_mb: u64,
    pub endpoints: Vec<Endpoint>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    RoundRobin,
    LeastConnection,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LoadBalancer {
    pub id: String,
    pub algorithm: Algorithm,
    pub covered: Vec<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub id: String,
    pub source: String,
    pub target: String,
    pub latency: RandomVariable,
    pub dropout: f64,
    /// `dropout_rate` was left out: AsyncFlow's default 1% applies, which users rarely expect.
    pub dropout_defaulted: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    /// `network_spike_start`/`_end`: `spike` seconds added to the edge's latency.
    Spike { spike: f64 },
    /// `server_down`/`server_up`: out of its load balancer's rotation.
    Down,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub id: String,
    pub target: String,
    pub kind: EventKind,
    pub start: f64,
    pub end: f64,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Payload {
    pub generator: Generator,
    pub client: String,
    pub servers: Vec<Server>,
    pub balancer: Option<LoadBalancer>,
    pub edges: Vec<Edge>,
    pub duration: f64,
    pub events: Vec<Event>,
}
