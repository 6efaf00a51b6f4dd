//! Scenario format v1: the YAML model, its parsing with located diagnostics, and validation.

pub mod model;
mod parse;
mod units;
mod check;

pub use model::*;
pub use parse::{check, check_with, Checked, Limits};
