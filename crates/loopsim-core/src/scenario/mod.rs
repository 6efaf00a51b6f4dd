//! Scenario format v1: the YAML model, its parsing with located diagnostics, and validation.

mod bandwidth;
pub(crate) mod check;
pub mod guide;
pub mod keys;
pub mod model;
mod parse;
mod units;

pub use model::*;
pub use parse::{check, check_with, Checked, Limits};
