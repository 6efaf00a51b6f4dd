//! Shared by the native golden test (`golden.rs`) and the browser tests (`web.rs`): both must
//! simulate exactly the same thing and compare it with the same checked-in files.

#![allow(dead_code)]

/// The golden report: `loopsim run --json --seed 1` of [`one_event_loop_60s`] (the CLI's output
/// ends with a newline that `report_json` does not have).
pub const GOLDEN_REPORT: &str = include_str!("../golden/one-event-loop-60s.json");
/// FNV-1a 64 of the series CSV of the same run, as 16 hex digits.
pub const GOLDEN_SERIES_FNV: &str = include_str!("../golden/one-event-loop-60s.series.fnv");
pub const GOLDEN_REPORT_PATH: &str = "tests/golden/one-event-loop-60s.json";
pub const GOLDEN_SERIES_FNV_PATH: &str = "tests/golden/one-event-loop-60s.series.fnv";
pub const GOLDEN_SEED: u64 = 1;

/// The gallery scenario `one-event-loop.yaml` shortened from 600 s to 60 s to keep tests quick.
pub fn one_event_loop_60s() -> String {
    let source = include_str!("../../../../scenarios/basics/one-event-loop.yaml");
    let shortened = source.replace("\nduration: 600s\n", "\nduration: 60s\n");
    assert_ne!(
        shortened, source,
        "one-event-loop.yaml no longer says `duration: 600s`"
    );
    shortened
}

pub fn fnv1a64(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}\n")
}

/// Panics with the first differing line, which is more readable than two 4 KB strings.
pub fn assert_same_text(actual: &str, expected: &str, what: &str) {
    if actual == expected {
        return;
    }
    let line = actual
        .lines()
        .zip(expected.lines())
        .position(|(a, e)| a != e)
        .unwrap_or_else(|| actual.lines().count().min(expected.lines().count()));
    panic!(
        "{what} differs from the golden file at line {}:\n  actual:   {:?}\n  expected: {:?}\n\
         (if the change is intended, rerun the native test with LOOPSIM_BLESS=1)",
        line + 1,
        actual.lines().nth(line),
        expected.lines().nth(line),
    );
}
