// Entry of the JS bundle (web/gen/bundle.js). Exposes the thin editor and chart functions on
// `window.loopsimGlue` for the Rust UI (crates/loopsim-web), which calls them through
// wasm-bindgen `js_namespace = loopsimGlue` imports.
import "uplot/dist/uPlot.min.css";
import * as editor from "./editor.js";
import * as charts from "./charts.js";
import * as share from "./share.js";

window.loopsimGlue = { ...editor, ...charts, ...share };
