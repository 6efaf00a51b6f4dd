// Thin uPlot wrapper. The Rust UI decides what is charted (series, units, colours, fault bands,
// lanes) and feeds columns; this file turns a small JSON spec into uPlot options, draws the
// bands and lanes, and keeps charts sized. Scenario text (fault targets) only ever reaches the
// page as canvas text or textContent.
import uPlot from "uplot";

const SYNC_KEY = "loopsim-time";
const FONT = "11px system-ui, sans-serif";
const LABEL_FONT = "12px system-ui, sans-serif";
/** Every chart by its figure's id, for window.loopsimGlue.chartData (tests, scripts). */
const registry = new Map();

function fmtNum(v) {
  if (v == null || Number.isNaN(v)) return "–";
  const a = Math.abs(v);
  if (a === 0) return "0";
  if (a >= 1e6) return (v / 1e6).toFixed(a >= 1e7 ? 0 : 1) + "M";
  if (a >= 1e4) return (v / 1e3).toFixed(a >= 1e5 ? 0 : 1) + "k";
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  if (a >= 0.01) return v.toFixed(3);
  return v.toPrecision(2);
}

/** Durations (in seconds) with the unit their size calls for: 850 µs, 12.3 ms, 40.0 s. */
export function fmtSecs(v) {
  if (v == null || Number.isNaN(v)) return "–";
  const a = Math.abs(v);
  if (a === 0) return "0";
  const [k, unit] = timeUnit(a);
  const x = v * k;
  const ax = Math.abs(x);
  return (ax >= 100 ? x.toFixed(0) : ax >= 10 ? x.toFixed(1) : x.toFixed(2)) + " " + unit;
}

/** The scale and unit for durations up to `a` seconds. */
function timeUnit(a) {
  if (a >= 1) return [1, "s"];
  if (a >= 1e-3) return [1e3, "ms"];
  return [1e6, "µs"];
}

/** Decimals the tick step needs: 25 50 75, 0.25 0.50, 2.5 5.0. */
function decimals(step) {
  let d = 0;
  while (d < 6 && Math.abs(step * 10 ** d - Math.round(step * 10 ** d)) > 1e-6) d++;
  return d;
}

/** Tick labels with as many decimals as the tick step needs. */
function ticks(u, splits) {
  const step = splits.length > 1 ? Math.abs(splits[1] - splits[0]) : 1;
  const d = decimals(step);
  return splits.map((v) => (v == null ? "" : Math.abs(v) >= 1e4 ? fmtNum(v) : v.toFixed(d)));
}

/** Tick labels of a duration axis (values in seconds), one unit for the whole axis chosen by
 * its largest tick: 0 ms 20 ms 40 ms, or 0 s 20 s 40 s — never "40.0k ms". */
function timeTicks(u, splits) {
  const top = Math.max(...splits.filter((v) => v != null).map(Math.abs), 0);
  const [k, unit] = timeUnit(top || 1);
  const step = splits.length > 1 ? Math.abs(splits[1] - splits[0]) * k : 1;
  const d = decimals(step);
  return splits.map((v) => (v == null ? "" : v === 0 ? "0" : (v * k).toFixed(d) + " " + unit));
}

/** Every y axis has the same width on both sides (an empty right one when the chart has no
 * second scale), so the plot areas of all charts span the same x range and line up. */
const AXIS_SIZE = 62;

function axis(label, side, grid, named, time) {
  const a = {
    scale: side === 1 ? "y2" : "y",
    side,
    label,
    labelSize: 18,
    labelFont: LABEL_FONT,
    font: FONT,
    size: AXIS_SIZE,
    grid: { show: grid, stroke: "#e8eaef", width: 1 },
    ticks: { stroke: "#d4d8e0", width: 1, size: 4 },
    values: time ? timeTicks : ticks,
  };
  if (named) {
    // Fixed, named ticks (breaker states): [[value, label], ...]; none at all for `[]`.
    a.splits = () => named.map((t) => t[0]);
    a.values = (u, splits) => splits.map((v) => (named.find((t) => t[0] === v) || [0, ""])[1]);
  }
  return a;
}

/** The right axis of a chart with a single scale: blank, only to keep the plot aligned. */
function spacerAxis() {
  return {
    scale: "y",
    side: 1,
    label: " ",
    labelSize: 18,
    size: AXIS_SIZE,
    grid: { show: false },
    ticks: { show: false },
    values: () => [],
  };
}

/** `#rrggbb` → `rgba(r, g, b, alpha)`. */
function rgba(hex, alpha) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** Fault bands: translucent over [from, to] on every chart, with the fault's kind at the top
 * when `labels` is set (one row per band, so simultaneous faults stay readable). */
function drawBands(u, bands, labels) {
  if (!bands.length) return;
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const px = devicePixelRatio || 1;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  ctx.font = `${10 * px}px system-ui, sans-serif`;
  ctx.textAlign = "left";
  ctx.textBaseline = "top";
  const placed = []; // labels drawn so far: [x0, x1, row]
  for (const b of bands) {
    const x0 = u.valToPos(b.from, "x", true);
    let x1 = u.valToPos(b.to, "x", true);
    if (x1 - x0 < 2 * px) x1 = x0 + 2 * px; // a 400 ms pause on a 10-minute axis stays visible
    ctx.fillStyle = rgba(b.color, 0.13);
    ctx.fillRect(x0, top, x1 - x0, height);
    ctx.fillStyle = rgba(b.color, 0.55);
    ctx.fillRect(x0, top, px, height);
    if (labels) {
      // The first row where the label does not run into another one.
      const end = x0 + ctx.measureText(b.label).width + 6 * px;
      let row = 0;
      while (placed.some(([a, z, r]) => r === row && x0 < z && a < end)) row++;
      placed.push([x0, end, row]);
      ctx.fillStyle = rgba(b.color, 0.95);
      ctx.fillText(b.label, x0 + 3 * px, top + (2 + 11 * row) * px);
    }
  }
  ctx.restore();
}

/** After an early stop: the part of the axis that was never simulated, hatched, with a line
 * where the run stopped and (when `label` is set) a label saying so. */
function drawStop(u, stop, label) {
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const px = devicePixelRatio || 1;
  const x0 = Math.max(left, u.valToPos(stop.at, "x", true));
  const x1 = left + width;
  if (x0 >= x1) return;
  ctx.save();
  ctx.beginPath();
  ctx.rect(x0, top, x1 - x0, height);
  ctx.clip();
  ctx.fillStyle = "rgba(217, 119, 6, 0.06)";
  ctx.fillRect(x0, top, x1 - x0, height);
  ctx.strokeStyle = "rgba(217, 119, 6, 0.28)";
  ctx.lineWidth = px;
  ctx.beginPath();
  const step = 10 * px;
  for (let x = x0 - height; x < x1; x += step) {
    ctx.moveTo(x, top + height);
    ctx.lineTo(x + height, top);
  }
  ctx.stroke();
  ctx.fillStyle = "rgba(217, 119, 6, 0.9)";
  ctx.fillRect(x0, top, 2 * px, height);
  if (label) {
    ctx.font = `600 ${11 * px}px system-ui, sans-serif`;
    ctx.textBaseline = "top";
    const w = ctx.measureText(stop.label).width;
    const right = x0 + 6 * px + w > x1;
    ctx.textAlign = right ? "right" : "left";
    const tx = right ? x1 - 4 * px : x0 + 6 * px;
    const ty = top + height / 2 - 7 * px;
    ctx.fillStyle = "rgba(255, 255, 255, 0.9)";
    ctx.fillRect(right ? tx - w - 3 * px : tx - 3 * px, ty - 2 * px, w + 6 * px, 16 * px);
    ctx.fillStyle = "#8a4b00";
    ctx.fillText(stop.label, tx, ty);
  }
  ctx.restore();
}

/** The warm-up: the start of the run left out of the results, greyed, with a dashed line where
 * the measured window begins and (when `label`) the words saying so. */
function drawWarmup(u, at, label) {
  const ctx = u.ctx;
  const { left, top, height } = u.bbox;
  const px = devicePixelRatio || 1;
  const x1 = u.valToPos(at, "x", true);
  if (!(x1 > left)) return;
  ctx.save();
  if (label) {
    drawWarmupLabel(ctx, x1, top + height - 16 * px, px);
    ctx.restore();
    return;
  }
  ctx.fillStyle = "rgba(73, 80, 87, 0.08)";
  ctx.fillRect(left, top, x1 - left, height);
  ctx.strokeStyle = "rgba(73, 80, 87, 0.7)";
  ctx.lineWidth = px;
  ctx.setLineDash([4 * px, 3 * px]);
  ctx.beginPath();
  ctx.moveTo(x1, top);
  ctx.lineTo(x1, top + height);
  ctx.stroke();
  ctx.restore();
}

/** The warm-up's words, just right of its line near the bottom, on a white box (drawn over
 * the lines so they stay readable). */
function drawWarmupLabel(ctx, x1, ty, px) {
  ctx.font = `${10 * px}px system-ui, sans-serif`;
  ctx.textBaseline = "top";
  ctx.textAlign = "left";
  const text = "← warm-up, left out of the results";
  const w = ctx.measureText(text).width;
  const tx = x1 + 4 * px;
  ctx.fillStyle = "rgba(255, 255, 255, 0.85)";
  ctx.fillRect(tx - 2 * px, ty - 1 * px, w + 4 * px, 13 * px);
  ctx.fillStyle = "rgba(52, 58, 64, 0.95)";
  ctx.fillText(text, tx, ty);
}

/** A confidence band: the area between `lo` and `hi` (at times `t`) on the line's scale,
 * translucent in its colour; NaN breaks it. */
function drawCi(u, ci) {
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const scale = ci.axis === 1 ? "y2" : "y";
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  const px = devicePixelRatio || 1;
  ctx.fillStyle = rgba(ci.color, 0.28);
  ctx.strokeStyle = ci.edge ? rgba(ci.edge, 0.7) : "rgba(33, 37, 41, 0.85)";
  ctx.lineWidth = 1.25 * px;
  const edge = (run, ys) => {
    ctx.beginPath();
    run.forEach((i, k) => {
      const x = u.valToPos(ci.t[i], "x", true);
      const y = u.valToPos(ys[i], scale, true);
      if (k === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.stroke();
  };
  let run = [];
  const flush = () => {
    if (run.length > 1) {
      ctx.beginPath();
      run.forEach((i, k) => {
        const x = u.valToPos(ci.t[i], "x", true);
        const y = u.valToPos(ci.hi[i], scale, true);
        if (k === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      for (let k = run.length - 1; k >= 0; k--) {
        const i = run[k];
        ctx.lineTo(u.valToPos(ci.t[i], "x", true), u.valToPos(ci.lo[i], scale, true));
      }
      ctx.closePath();
      ctx.fill();
      edge(run, ci.hi);
      edge(run, ci.lo);
    }
    run = [];
  };
  for (let i = 0; i < ci.t.length; i++) {
    if (Number.isFinite(ci.lo[i]) && Number.isFinite(ci.hi[i])) run.push(i);
    else flush();
  }
  flush();
  ctx.restore();
}

/** The status lane: one coloured block per window, from `x[i]` to `x[i + 1]`, coloured by the
 * status index `y[i]`, named inside when it fits. */
function drawLane(u, lane) {
  const [xs, ys] = u.data;
  const ctx = u.ctx;
  const { top, height } = u.bbox;
  const px = devicePixelRatio || 1;
  ctx.save();
  ctx.font = `${10 * px}px system-ui, sans-serif`;
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  for (let i = 0; i + 1 < xs.length; i++) {
    const s = ys[i];
    if (s == null) continue;
    const x0 = u.valToPos(xs[i], "x", true);
    const x1 = u.valToPos(xs[i + 1], "x", true);
    ctx.fillStyle = rgba(lane.colors[s], 0.8);
    ctx.fillRect(x0, top, Math.max(x1 - x0 - px, px), height);
    const name = lane.short[s];
    if (ctx.measureText(name).width + 6 * px < x1 - x0) {
      ctx.fillStyle = "#fff";
      ctx.fillText(name, x0 + 3 * px, top + height / 2);
    }
  }
  ctx.restore();
}

/** Whether every line on axis `side` (0 left, 1 right) is a duration in seconds. */
function isTime(spec, side) {
  const on = spec.series.filter((s) => (s.axis || 0) === side);
  return on.length > 0 && on.every((s) => s.unit === "s");
}

/** A value with its unit: durations by magnitude, the rest as numbers. */
function fmtValue(v, unit) {
  if (v == null || Number.isNaN(v)) return "–";
  if (unit === "s") return fmtSecs(v);
  return fmtNum(v) + (unit ? " " + unit : "");
}

/**
 * spec: { title, xLabel, yLabel, y2Label?, yMin?, yMax?, y2Max?, height?, xMax?,
 *         yTicks?: [[value, label]], bands?: [{ from, to, label, color }], bandLabels?: bool,
 *         lane?: { names: [..], short: [..], colors: [..] }, xLegend?: the x value's name in the
 *         legend (default time, in s),
 *         series: [{ label, color, unit, axis: 0 | 1, dash?: bool, fill?: bool, step?: bool,
 *                    span?: bool (join values across gaps) }] }
 * A lane has one series, the status index of each block; its blocks are drawn, not its line.
 */
export function createChart(parent, spec) {
  const height = spec.height || 190;
  const hasY2 = spec.series.some((s) => s.axis === 1);
  const width = Math.max(240, parent.clientWidth || 480);
  const bands = spec.bands || [];
  const lane = spec.lane;
  const scales = {
    // The whole run from t = 0 (bands and lanes line up, a fault shows before the run gets
    // there); a drag still zooms, a double click zooms back out.
    x: {
      time: false,
      range: (u, min, max) => {
        const xs = u.data[0];
        const full = xs.length > 0 && min === xs[0] && max === xs[xs.length - 1];
        if (!full && min != null && max > min) return [min, max];
        return [0, Math.max(max ?? 1, spec.xMax || 0, 1e-9)];
      },
    },
    y: { range: (u, min, max) => yRange(min, max, spec.yMin, spec.yMax) },
  };
  if (hasY2) scales.y2 = { range: (u, min, max) => yRange(min, max, 0, spec.y2Max) };
  const axes = [
    {
      label: spec.xLabel || "simulated time (s)",
      labelSize: 18,
      labelFont: LABEL_FONT,
      font: FONT,
      size: 36,
      grid: { show: !lane, stroke: "#eef0f4", width: 1 },
      ticks: { stroke: "#d4d8e0", width: 1, size: 4 },
      values: ticks,
    },
    axis(spec.yLabel, 3, !lane, lane ? [] : spec.yTicks, isTime(spec, 0)),
  ];
  axes.push(hasY2 ? axis(spec.y2Label, 1, false, null, isTime(spec, 1)) : spacerAxis());
  const series = [
    // The x value in the legend: time by default; a sweep's chart names its parameter.
    {
      label: spec.xLegend || "t",
      value: (u, v) => (v == null ? "–" : fmtNum(v) + (spec.xLegend ? "" : " s")),
    },
    ...spec.series.map((s) => ({
      label: s.label,
      scale: s.axis === 1 ? "y2" : "y",
      stroke: s.color,
      width: s.step || s.span ? 1.5 : 1,
      dash: s.dash ? [5, 4] : undefined,
      fill: s.fill ? rgba(s.color, 0.16) : undefined,
      paths: lane ? () => null : s.step ? uPlot.paths.stepped({ align: 1 }) : undefined,
      spanGaps: !!s.span,
      points: { show: !!s.points, size: 6 },
      value: lane
        ? (u, v) => (v == null ? "–" : lane.names[v])
        : spec.yTicks && s.axis === 0
          ? (u, v) => (v == null ? "–" : (spec.yTicks.find((t) => t[0] === v) || [0, fmtNum(v)])[1])
          : (u, v) => fmtValue(v, s.unit),
    })),
  ];
  const state = { stop: null, warmup: null, ci: [], marker: null }; // setStop, setWarmup, setCiBand, setMarker
  const hooks = {
    drawClear: [
      (u) => {
        if (lane) drawLane(u, lane);
        if (state.warmup) drawWarmup(u, state.warmup, false);
        drawBands(u, bands, spec.bandLabels);
        if (state.stop) drawStop(u, state.stop, !lane);
      },
    ],
    // Over the lines: the band is the replications' answer, the lines one run's noise.
    draw: [
      (u) => {
        for (const ci of state.ci) drawCi(u, ci);
        if (state.warmup && !lane) drawWarmup(u, state.warmup, true);
        if (state.marker) drawMarker(u, state.marker);
      },
    ],
  };
  let tag = null;
  if (bands.length) {
    // Hovering a band names its fault(s) in a small tag at the top of the plot.
    hooks.ready = [
      (u) => {
        tag = document.createElement("div");
        tag.className = "fault-tag";
        tag.hidden = true;
        u.over.append(tag);
      },
    ];
    hooks.setCursor = [
      (u) => {
        if (!tag) return;
        const left = u.cursor.left;
        const t = left == null || left < 0 ? null : u.posToVal(left, "x");
        const on = t == null ? [] : bands.filter((b) => t >= b.from && t <= b.to);
        tag.hidden = on.length === 0;
        if (on.length) {
          tag.textContent = on.map((b) => `${b.label}: ${b.target}`).join(" · ");
          tag.style.left = Math.min(left + 8, Math.max(0, u.over.clientWidth - tag.offsetWidth)) + "px";
        }
      },
    ];
  }
  const opts = {
    title: spec.title,
    width,
    height,
    scales,
    axes,
    series,
    hooks,
    legend: { live: true },
    cursor: { sync: { key: SYNC_KEY, setSeries: false }, drag: { x: true, y: false } },
  };
  const data = [[], ...spec.series.map(() => [])];
  const u = new uPlot(opts, data, parent);
  // Canvas charts are opaque to assistive technology (and to tests): describe them.
  const unitNote = (side) => (isTime(spec, side) ? " in s, ms or µs as the ticks say" : "");
  const axesText = [`x: ${axes[0].label}`, `y: ${spec.yLabel}${unitNote(0)}`];
  if (hasY2) axesText.push(`right y: ${spec.y2Label}${unitNote(1)}`);
  parent.setAttribute("aria-label", `${spec.title} (${axesText.join("; ")})`);
  const handle = { u, data, parent, spec, state };
  parent.dataset.points = "0";
  parent.dataset.bands = String(bands.length);
  delete parent.dataset.stoppedAt; // the figure may have held a chart of a stopped run
  const ro = new ResizeObserver(() => {
    const w = Math.max(240, parent.clientWidth);
    if (Math.abs(w - u.width) > 1) u.setSize({ width: w, height });
  });
  ro.observe(parent);
  handle.ro = ro;
  dataTable(handle);
  if (parent.id) registry.set(parent.id, handle);
  return handle;
}

function yRange(min, max, fixedMin, fixedMax) {
  let lo = fixedMin != null ? fixedMin : Math.min(0, min ?? 0);
  let hi = fixedMax != null ? fixedMax : max ?? 1;
  if (!(hi > lo)) hi = lo + 1;
  else if (fixedMax == null) hi = hi * 1.08;
  return [lo, hi];
}

/** Appends rows: `cols` is an array (x first) of number arrays of equal length; NaN = gap.
 * Draws synchronously and returns the milliseconds spent. */
export function appendChartData(handle, cols) {
  const t0 = performance.now();
  const d = handle.data;
  for (let c = 0; c < d.length && c < cols.length; c++) {
    const src = cols[c];
    const dst = d[c];
    for (let i = 0; i < src.length; i++) {
      const v = src[i];
      dst.push(Number.isNaN(v) ? null : v);
    }
  }
  handle.u.batch(() => handle.u.setData(d, true));
  handle.parent.dataset.points = String(d[0].length);
  refreshTable(handle);
  return performance.now() - t0;
}

/** Replaces all rows (same layout as appendChartData); returns the milliseconds spent. */
export function setChartData(handle, cols) {
  const t0 = performance.now();
  handle.data = handle.data.map((_, c) => Array.from(cols[c] || [], (v) => (Number.isNaN(v) ? null : v)));
  handle.u.batch(() => handle.u.setData(handle.data, true));
  handle.parent.dataset.points = String(handle.data[0].length);
  refreshTable(handle);
  return performance.now() - t0;
}

/** Marks an early stop at time `at` (seconds): the rest of the axis is hatched as never
 * simulated, with `label` on it. `at` null clears the mark. */
export function setStop(handle, at, label) {
  handle.state.stop = at == null || Number.isNaN(at) ? null : { at, label };
  if (handle.state.stop) handle.parent.dataset.stoppedAt = String(at);
  else delete handle.parent.dataset.stoppedAt;
  handle.u.redraw(false);
}

/** Greys the warm-up `[0, at]` (seconds); null or 0 clears it. */
export function setWarmup(handle, at) {
  handle.state.warmup = at > 0 ? at : null;
  handle.parent.dataset.warmup = String(handle.state.warmup ?? 0);
  handle.u.redraw(false);
}

/** Draws confidence bands — one `{ t, lo, hi, color, axis, caption? }` or a list — on the
 * chart in figure `id` (null clears them); false when there is no such chart. */
export function setCiBand(id, band) {
  const h = registry.get(id);
  if (!h) return false;
  const list = band == null ? [] : Array.isArray(band) ? band : [band];
  h.state.ci = list.map((b) => ({ ...b, t: Array.from(b.t), lo: Array.from(b.lo), hi: Array.from(b.hi) }));
  band = list[0];
  h.parent.dataset.ci = band ? String(band.t.length) : "0";
  // What the band is, in words, under the chart (textContent: labels may come from the
  // scenario).
  if (!h.ciNote) {
    h.ciNote = document.createElement("p");
    h.ciNote.className = "note ci-caption";
    h.parent.insertBefore(h.ciNote, h.table ? h.table.bar : null);
  }
  h.ciNote.hidden = !band?.caption;
  h.ciNote.textContent = band?.caption || "";
  if (band) h.ciNote.style.setProperty("--ci", rgba(band.color, 0.28));
  h.u.redraw(false);
  return true;
}

/** Marks `{ at, label }` on the x axis of the chart in figure `id` (a capacity curve's knee);
 * null clears it. */
export function setMarker(id, marker) {
  const h = registry.get(id);
  if (!h) return false;
  h.state.marker = marker && Number.isFinite(marker.at) ? { at: marker.at, label: String(marker.label) } : null;
  h.parent.dataset.marker = h.state.marker ? String(h.state.marker.at) : "";
  h.u.redraw(false);
  return true;
}

/** A vertical mark across the plot at `m.at` with `m.label` at its top (textual: canvas). */
function drawMarker(u, m) {
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const px = devicePixelRatio || 1;
  const x = u.valToPos(m.at, "x", true);
  if (!(x >= left && x <= left + width)) return;
  ctx.save();
  ctx.strokeStyle = "#c92a2a";
  ctx.lineWidth = 2 * px;
  ctx.beginPath();
  ctx.moveTo(x, top);
  ctx.lineTo(x, top + height);
  ctx.stroke();
  ctx.font = `600 ${11 * px}px system-ui, sans-serif`;
  ctx.textBaseline = "top";
  const w = ctx.measureText(m.label).width;
  const right = x + 6 * px + w > left + width;
  ctx.textAlign = right ? "right" : "left";
  const tx = right ? x - 5 * px : x + 5 * px;
  ctx.fillStyle = "rgba(255, 255, 255, 0.9)";
  ctx.fillRect(right ? tx - w - 3 * px : tx - 3 * px, top + 3 * px, w + 6 * px, 15 * px);
  ctx.fillStyle = "#a61e1e";
  ctx.fillText(m.label, tx, top + 5 * px);
  ctx.restore();
}

export function destroyChart(handle) {
  handle.ro.disconnect();
  handle.table?.bar.remove();
  handle.ciNote?.remove();
  handle.table?.box.remove();
  handle.u.destroy();
  delete handle.parent.dataset.stoppedAt;
  if (registry.get(handle.parent.id) === handle) registry.delete(handle.parent.id);
}

/** What a chart shows, for tests and scripts: `{ title, labels, data, bands, stop }` (`data[0]`
 * is time; gaps are null; `stop` is `{ at, label }` after an early stop, else null), or null
 * when there is no chart with that figure id. */
export function chartData(id) {
  const h = registry.get(id);
  if (!h) return null;
  return {
    title: h.spec.title,
    labels: h.spec.series.map((s) => s.label),
    data: h.data.map((c) => Array.from(c)),
    bands: (h.spec.bands || []).map((b) => ({ ...b })),
    stop: h.state.stop ? { ...h.state.stop } : null,
    warmup: h.state.warmup,
    ci: h.state.ci.length ? { t: [...h.state.ci[0].t], lo: [...h.state.ci[0].lo], hi: [...h.state.ci[0].hi] } : null,
    bandsCi: h.state.ci.length,
    marker: h.state.marker ? { ...h.state.marker } : null,
  };
}

/** Width of the plot area in CSS pixels: the number of buckets of per-pixel decimation. */
export function plotWidth(handle) {
  return handle.u.bbox.width / (devicePixelRatio || 1);
}

/** Rows at most in a chart's data table; longer series are shown every n-th row. */
const TABLE_ROWS = 200;

/** A "Data table" toggle under the chart: the plotted values as an HTML table, for keyboard
 * and screen-reader users (no mouse hover needed). Labels are set as text. */
function dataTable(handle) {
  const bar = document.createElement("div");
  bar.className = "chart-table-bar";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "chart-table-toggle";
  button.textContent = "Data table";
  button.setAttribute("aria-expanded", "false");
  const box = document.createElement("div");
  box.className = "chart-table";
  box.hidden = true;
  box.id = (handle.parent.id || "chart") + "-table";
  button.setAttribute("aria-controls", box.id);
  button.addEventListener("click", () => {
    box.hidden = !box.hidden;
    button.setAttribute("aria-expanded", String(!box.hidden));
    button.textContent = box.hidden ? "Data table" : "Hide data table";
    if (!box.hidden) renderTable(handle);
  });
  bar.append(button);
  handle.parent.append(bar, box);
  handle.table = { bar, box, drawn: 0 };
}

/** Redraws an open data table after new data, at most once a second. */
function refreshTable(handle) {
  const t = handle.table;
  if (!t || t.box.hidden) return;
  const now = performance.now();
  if (now - t.drawn < 1000) return;
  renderTable(handle);
}

function renderTable(handle) {
  const t = handle.table;
  t.drawn = performance.now();
  const data = handle.data;
  const n = data[0].length;
  const every = Math.max(1, Math.ceil(n / TABLE_ROWS));
  const table = document.createElement("table");
  table.className = "table chart-data";
  const caption = document.createElement("caption");
  caption.textContent =
    n === 0
      ? `${handle.spec.title}: no values yet.`
      : every > 1
        ? `${handle.spec.title}: every ${every}th of ${n} points (Series (CSV) has them all).`
        : `${handle.spec.title}: ${n} points.`;
  table.append(caption);
  const head = document.createElement("tr");
  const th = (text) => {
    const c = document.createElement("th");
    c.scope = "col";
    c.textContent = text;
    return c;
  };
  head.append(th("time"));
  for (const s of handle.spec.series) head.append(th(s.unit && s.unit !== "s" ? `${s.label} (${s.unit})` : s.label));
  const thead = document.createElement("thead");
  thead.append(head);
  const body = document.createElement("tbody");
  for (let i = 0; i < n; i += every) {
    const tr = document.createElement("tr");
    const time = document.createElement("th");
    time.scope = "row";
    time.textContent = fmtNum(data[0][i]) + " s";
    tr.append(time);
    handle.spec.series.forEach((s, k) => {
      const td = document.createElement("td");
      const v = data[k + 1][i];
      td.textContent = handle.spec.lane ? (v == null ? "–" : handle.spec.lane.names[v]) : fmtValue(v, s.unit === "s" ? "s" : "");
      tr.append(td);
    });
    body.append(tr);
  }
  table.append(thead, body);
  t.box.replaceChildren(table);
}
