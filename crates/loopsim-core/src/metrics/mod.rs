//! Streaming statistics: bounded memory whatever the run length.

mod sketch;
mod time_weighted;

pub use sketch::QuantileSketch;
pub use time_weighted::TimeWeighted;
