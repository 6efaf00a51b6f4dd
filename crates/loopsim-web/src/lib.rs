//! # loopsim-web
//!
//! The browser playground. This library holds the parts that need no browser and are tested
//! natively: share links ([`share`]), the gallery ([`gallery`]), schema-driven completion and
//! hover ([`schema_help`]), offset conversion ([`text`]), number formatting ([`format`]) the
//! wording of early stops ([`stop`]) and of the diagnosis ([`explain`]).
//! The page itself (DOM wiring, the run loop, charts) is the `loopsim-web` binary that Trunk
//! builds for `wasm32-unknown-unknown` from the repository's `index.html`.

#![forbid(unsafe_code)]

pub mod decimate;
pub mod explain;
pub mod format;
pub mod gallery;
pub mod json;
pub mod panels;
pub mod schema_help;
pub mod share;
pub mod stop;
pub mod text;
