//! Wording helpers: "did you mean" suggestions, lists, and compact durations.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use crate::time::Nanos;

/// The closest candidate to a misspelt word, if it is close enough to be a likely typo.
pub(super) fn suggest<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let lower = word.to_lowercase();
    let best = candidates
        .iter()
        .map(|&c| (edit_distance(&lower, &c.to_lowercase()), c))
        .min_by_key(|&(d, _)| d)?;
    let len = word.chars().count().max(best.1.chars().count());
    let threshold = (len / 3).max(1);
    (best.0 <= threshold).then_some(best.1)
}

/// Edit distance over characters, counting a swap of neighbours as one edit (optimal string
/// alignment): `pya` → `pay` is a typical typo.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            row[j] = (previous[j - 1] + cost)
                .min(previous[j] + 1)
                .min(row[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                row[j] = row[j].min(before[j - 2] + 1);
            }
        }
        before = core::mem::replace(&mut previous, row);
    }
    previous[b.len()]
}

/// `a, b, c` with backticks, abbreviated when long.
pub(super) fn list(items: &[&str]) -> String {
    let shown: Vec<String> = items.iter().take(12).map(|s| format!("`{s}`")).collect();
    let more = items.len().saturating_sub(12);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// A duration in the largest unit that divides it exactly, e.g. `90s`, `2m`, `250us`.
pub(in crate::scenario) fn fmt_duration(ns: Nanos) -> String {
    const UNITS: [(u64, &str); 6] = [
        (3_600_000_000_000, "h"),
        (60_000_000_000, "m"),
        (1_000_000_000, "s"),
        (1_000_000, "ms"),
        (1_000, "us"),
        (1, "ns"),
    ];
    if ns == 0 {
        return "0s".to_string();
    }
    let (size, unit) = UNITS
        .iter()
        .find(|(size, _)| ns % size == 0)
        .copied()
        .unwrap_or((1, "ns"));
    format!("{}{unit}", ns / size)
}

/// Round sampling intervals, from 100ms to a day and then whole days.
const NICE_INTERVALS_MS: [u64; 21] = [
    100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000,
    900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000,
];

/// The smallest nice interval of at least `min`.
pub(super) fn nice_interval(min: Nanos) -> Nanos {
    const MS: u64 = 1_000_000;
    let day = 86_400_000 * MS;
    match NICE_INTERVALS_MS
        .iter()
        .map(|ms| ms * MS)
        .find(|&i| i >= min)
    {
        Some(i) => i,
        None => min.div_ceil(day) * day,
    }
}

/// Default `sample_every`: the smallest nice interval (≥ 100ms) giving at most 600 points.
pub(super) fn default_sample_every(duration: Nanos) -> Nanos {
    nice_interval(duration.div_ceil(600))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::keys;
    use crate::time::NANOS_PER_SEC;

    #[test]
    fn suggestions() {
        assert_eq!(
            suggest("paymnts", &["payments", "catalog"]),
            Some("payments")
        );
        assert_eq!(suggest("workloads", &keys::TOP.names()), Some("workload"));
        assert_eq!(suggest("zzz", &keys::TOP.names()), None);
        assert_eq!(suggest("CPU", &keys::STEP.names()), Some("cpu"));
        assert_eq!(suggest("/pya", &["/pay", "/"]), Some("/pay"));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn default_sampling() {
        let s = NANOS_PER_SEC;
        assert_eq!(default_sample_every(600 * s), s);
        assert_eq!(default_sample_every(300 * s), s / 2);
        assert_eq!(default_sample_every(10 * s), s / 10);
        assert_eq!(default_sample_every(30 * 86_400 * s), 7_200 * s);
        assert_eq!(default_sample_every(1000 * 86_400 * s), 2 * 86_400 * s);
    }

    #[test]
    fn durations_print_compactly() {
        assert_eq!(fmt_duration(150 * NANOS_PER_SEC), "150s");
        assert_eq!(fmt_duration(120 * NANOS_PER_SEC), "2m");
        assert_eq!(fmt_duration(250_000), "250us");
    }
}
