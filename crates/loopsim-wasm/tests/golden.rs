//! Native half of the cross-platform determinism check: the report of a gallery scenario must
//! equal a checked-in golden file byte for byte. `tests/web.rs` compares the wasm32 run with the
//! same files, which proves x86_64 and wasm32 compute identical bits.
//!
//! `LOOPSIM_BLESS=1 cargo test -p loopsim-wasm --test golden` rewrites the golden files.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use loopsim_wasm::Session;

#[test]
fn one_event_loop_report_matches_the_golden_file() {
    let mut session = Session::new(&one_event_loop_60s(), Some(GOLDEN_SEED)).expect("valid");
    session.run_to_end();
    let report = session.report_json() + "\n";
    let series = fnv1a64(session.series_csv().as_bytes());
    if std::env::var_os("LOOPSIM_BLESS").is_some_and(|v| v == "1") {
        let dir = env!("CARGO_MANIFEST_DIR");
        std::fs::write(format!("{dir}/{GOLDEN_REPORT_PATH}"), &report).expect("write golden");
        std::fs::write(format!("{dir}/{GOLDEN_SERIES_FNV_PATH}"), &series).expect("write golden");
        eprintln!("blessed {GOLDEN_REPORT_PATH} and {GOLDEN_SERIES_FNV_PATH}");
        return;
    }
    assert_same_text(&report, GOLDEN_REPORT, "the report");
    assert_eq!(series, GOLDEN_SERIES_FNV, "the series CSV hash");
}
