//! A set of replications summarised: every figure's mean and confidence interval, by path.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use super::{leaves, Interval};
use crate::Report;

/// The confidence of every interval loopsim reports.
pub const CONFIDENCE: f64 = 0.95;

/// Each figure of `n` replications' reports as a mean ± Student t half-width, looked up by
/// the figure's path in [`leaves`] (`latency_s.p99`). A figure missing from some replication
/// (an optional figure absent once, a list of another length) has no interval: its mean would
/// be over a different set of runs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    n: usize,
    figures: BTreeMap<String, Interval>,
}

impl Summary {
    /// The summary of the replications' reports, in any order.
    pub fn of(reports: &[Report]) -> Summary {
        let sets: Vec<Vec<(String, f64)>> = reports.iter().map(leaves).collect();
        Summary::from_leaves(&sets)
    }

    /// The summary of the replications' [`leaves`] (what a worker sends back).
    pub fn from_leaves(sets: &[Vec<(String, f64)>]) -> Summary {
        let mut columns: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        for set in sets {
            for (path, v) in set {
                columns.entry(path.as_str()).or_default().push(*v);
            }
        }
        let figures = columns
            .into_iter()
            .filter(|(_, values)| values.len() == sets.len())
            .filter_map(|(path, values)| {
                Some((String::from(path), Interval::of(&values, CONFIDENCE)?))
            })
            .collect();
        Summary {
            n: sets.len(),
            figures,
        }
    }

    /// The number of replications.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The interval of the figure at `path`, if every replication has it.
    pub fn get(&self, path: &str) -> Option<&Interval> {
        self.figures.get(path)
    }

    /// Every figure with an interval, by path.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Interval)> {
        self.figures.iter().map(|(p, i)| (p.as_str(), i))
    }
}
