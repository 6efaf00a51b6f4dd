//! # loopsim-view
//!
//! How a run is shown, independent of where: the page (`loopsim-web`) and the CLI's HTML
//! report (`loopsim run --html`) both read these. No DOM and no I/O: functions from a
//! scenario, a report and its series to data and text — chart panels ([`panels`]), the
//! diagnosis in words ([`explain`]), early stops ([`stop`]), number formats ([`format`]),
//! per-pixel decimation ([`decimate`]), the gallery of example scenarios ([`gallery`]) and how
//! their guided walkthroughs are shown ([`guide`]), the
//! glossary behind the hover help ([`glossary`]), what each results table says ([`tables`]),
//! the CLI's self-contained HTML report ([`html`]) and the topology diagram ([`topology`]).

#![forbid(unsafe_code)]

pub mod charts;
pub mod decimate;
pub mod escape;
pub mod explain;
pub mod figure;
pub mod format;
pub mod gallery;
pub mod glossary;
pub mod guide;
pub mod html;
pub mod panels;
pub mod stop;
pub mod tables;
pub mod topology;
