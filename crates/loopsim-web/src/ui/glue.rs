//! The thin JS layer (`web/editor.js`, `web/charts.js`, bundled into `window.loopsimGlue`).

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// Creates a CodeMirror editor; `hooks` has `onChange(text)`, `complete(text, pos)` and
    /// `hover(text, pos)`. Returns the editor view.
    #[wasm_bindgen(js_namespace = loopsimGlue, js_name = createEditor)]
    pub fn create_editor(parent: &web_sys::Element, doc: &str, hooks: &JsValue) -> JsValue;

    #[wasm_bindgen(js_namespace = loopsimGlue, js_name = getText)]
    pub fn get_text(view: &JsValue) -> String;

    /// Replaces the whole document (fires `onChange`).
    #[wasm_bindgen(js_namespace = loopsimGlue, js_name = setText)]
    pub fn set_text(view: &JsValue, text: &str);

    /// `diags`: `[{ from, to, severity, message }]`, UTF-16 offsets.
    #[wasm_bindgen(js_namespace = loopsimGlue, js_name = setDiagnostics)]
    pub fn set_diagnostics(view: &JsValue, diags: &JsValue);

    #[wasm_bindgen(js_namespace = loopsimGlue, js_name = revealPos)]
    pub fn reveal_pos(view: &JsValue, pos: u32);

    /// Applies a did-you-mean fix `{from, to, text, replaces}` if the text there still is
    /// `replaces`; returns whether it did.
    #[wasm_bindgen(js_namespace = loopsimGlue, js_name = applyFix)]
    pub fn apply_fix(view: &JsValue, fix: &JsValue) -> bool;

    /// Creates a uPlot chart in `parent` from a spec object; returns its handle.
    #[wasm_bindgen(js_namespace = loopsimGlue, js_name = createChart)]
    pub fn create_chart(parent: &web_sys::Element, spec: &JsValue) -> JsValue;

    /// Appends rows: `cols` is an array of `Float64Array`s (x first); NaN is a gap. Draws at
    /// once; returns the milliseconds that took.
    #[wasm_bindgen(js_namespace = loopsimGlue, js_name = appendChartData)]
    pub fn append_chart_data(handle: &JsValue, cols: &js_sys::Array) -> f64;

    /// Replaces all rows (same layout as `append_chart_data`); returns the milliseconds spent.
    #[wasm_bindgen(js_namespace = loopsimGlue, js_name = setChartData)]
    pub fn set_chart_data(handle: &JsValue, cols: &js_sys::Array) -> f64;

    /// Hatches the part of the time axis after `at` seconds as never simulated (an early
    /// stop), with `label` on it; NaN clears it.
    #[wasm_bindgen(js_namespace = loopsimGlue, js_name = setStop)]
    pub fn set_stop(handle: &JsValue, at: f64, label: &str);

    /// Greys the warm-up `[0, at]` seconds (left out of the results); 0 clears it.
    #[wasm_bindgen(js_namespace = loopsimGlue, js_name = setWarmup)]
    pub fn set_warmup(handle: &JsValue, at: f64);

    /// Draws a confidence band `{ t, lo, hi, color, axis }` on the chart in figure `id` (null
    /// clears it).
    #[wasm_bindgen(js_namespace = loopsimGlue, js_name = setCiBand)]
    pub fn set_ci_band(id: &str, band: &JsValue) -> bool;

    /// Marks `{ at, label }` on the x axis of the chart in figure `id` (null clears it).
    #[wasm_bindgen(js_namespace = loopsimGlue, js_name = setMarker)]
    pub fn set_marker(id: &str, marker: &JsValue) -> bool;

    #[wasm_bindgen(js_namespace = loopsimGlue, js_name = destroyChart)]
    pub fn destroy_chart(handle: &JsValue);

    /// Resolves with the base64url payload of a share link for `text` (`web/share.js`).
    #[wasm_bindgen(js_namespace = loopsimGlue, js_name = shareEncode)]
    pub fn share_encode(text: &str) -> js_sys::Promise;

    /// Resolves with the text of a share-link payload; rejects with a failure kind for
    /// `ShareError::from_kind`. Stops inflating past `limit` bytes.
    #[wasm_bindgen(js_namespace = loopsimGlue, js_name = shareDecode)]
    pub fn share_decode(payload: &str, limit: f64) -> js_sys::Promise;

    /// Width of a chart's plot area in CSS pixels (per-pixel-column decimation).
    #[wasm_bindgen(js_namespace = loopsimGlue, js_name = plotWidth)]
    pub fn plot_width(handle: &JsValue) -> f64;
}
