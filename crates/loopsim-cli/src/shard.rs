//! `--shard i/n`: one deterministic slice of a run's units (replications × sweep points), for
//! spreading a study over machines (a CI matrix, a Kubernetes Indexed Job). Shard `i` of `n`
//! runs the units `u` with `u % n == i` — interleaved, so each shard gets its share of the
//! light and the heavy points — and prints them as one JSON object that `loopsim merge` reads.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::sweep::Plan;

/// `i/n`: shard `i` (from 0, like `JOB_COMPLETION_INDEX`) of `n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub of: u32,
}

/// The most shards a run may be split into.
pub const MAX_SHARDS: u32 = 10_000;

impl Shard {
    /// Reads `i/n` (0 ≤ i < n ≤ [`MAX_SHARDS`]).
    pub fn parse(text: &str) -> Result<Shard, String> {
        let (i, n) = text.split_once('/').ok_or_else(|| {
            format!("`{text}` is not `i/n` (e.g. `0/4`: the first of four shards)")
        })?;
        let number = |s: &str| {
            s.trim()
                .parse::<u32>()
                .map_err(|_| format!("`{}` is not a whole number", s.trim()))
        };
        let (index, of) = (number(i)?, number(n)?);
        if of == 0 || of > MAX_SHARDS {
            return Err(format!("the number of shards must be 1 to {MAX_SHARDS}"));
        }
        if index >= of {
            return Err(format!(
                "shard {index} of {of} does not exist: shards are numbered from 0 to {} (like JOB_COMPLETION_INDEX)",
                of - 1
            ));
        }
        Ok(Shard { index, of })
    }

    /// The units of a run of `units` that this shard runs.
    pub fn units(self, units: usize) -> Vec<usize> {
        (self.index as usize..units)
            .step_by(self.of as usize)
            .collect()
    }
}

/// What a shard prints: its place, the run's plan and its units' reports.
#[derive(Debug, Serialize, Deserialize)]
pub struct ShardFile {
    pub loopsim_shard: Shard,
    pub plan: Plan,
    pub results: Vec<UnitReport>,
}

/// One unit's report.
#[derive(Debug, Serialize, Deserialize)]
pub struct UnitReport {
    pub unit: usize,
    pub report: Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_interleave_and_cover_every_unit_once() {
        let mut all: Vec<usize> = (0..3)
            .flat_map(|i| Shard { index: i, of: 3 }.units(10))
            .collect();
        assert_eq!(Shard { index: 1, of: 3 }.units(10), [1, 4, 7]);
        all.sort_unstable();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        assert_eq!(Shard::parse("2/4"), Ok(Shard { index: 2, of: 4 }));
        assert!(Shard::parse("4/4")
            .unwrap_err()
            .contains("numbered from 0 to 3"));
        assert!(
            Shard::parse("1/0").is_err()
                && Shard::parse("x/2").is_err()
                && Shard::parse("3").is_err()
        );
    }
}
