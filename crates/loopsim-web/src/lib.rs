//! # loopsim-web
//!
//! The browser playground. This library holds the parts that need no browser and are tested
//! natively: share links ([`share`]), the offer to convert another tool's file ([`convert_offer`]), the draft kept across reloads ([`draft`]), the run
//! estimate's wording ([`run_estimate`]), names for completion ([`names`]), schema-driven completion and hover ([`schema_help`]),
//! offset conversion ([`text`]) and JSON for the page ([`json`]). How a run is shown (panels,
//! the diagnosis, formats, the gallery) lives in `loopsim-view`, shared with the CLI's HTML
//! report, and is re-exported here.
//! The page itself (DOM wiring, the run loop, charts) is the `loopsim-web` binary that Trunk
//! builds for `wasm32-unknown-unknown` from the repository's `index.html`.

#![forbid(unsafe_code)]

pub use loopsim_view::{
    charts, decimate, explain, format, gallery, glossary, panels, stop, tables,
};

pub mod convert_offer;
pub mod draft;
pub mod json;
pub mod names;
pub mod replications;
pub mod run_estimate;
pub mod schema_help;
pub mod share;
pub mod sweeps;
pub mod text;
