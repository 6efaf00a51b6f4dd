// Thin uPlot wrapper. The Rust UI decides what is charted (series, units, colours) and feeds
// columns; this file turns a small JSON spec into uPlot options and keeps charts sized.
import uPlot from "uplot";

const SYNC_KEY = "loopsim-time";

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

/** Tick labels with as many decimals as the tick step needs: 25 50 75, 0.25 0.50, 2.5 5.0. */
function ticks(u, splits) {
  const step = splits.length > 1 ? Math.abs(splits[1] - splits[0]) : 1;
  let d = 0;
  while (d < 6 && Math.abs(step * 10 ** d - Math.round(step * 10 ** d)) > 1e-6) d++;
  return splits.map((v) => (v == null ? "" : Math.abs(v) >= 1e4 ? fmtNum(v) : v.toFixed(d)));
}

function axis(label, side, grid) {
  return {
    scale: side === 1 ? "y2" : "y",
    side,
    label,
    labelSize: 18,
    labelFont: "12px system-ui, sans-serif",
    font: "11px system-ui, sans-serif",
    size: 52,
    grid: { show: grid, stroke: "#e8eaef", width: 1 },
    ticks: { stroke: "#d4d8e0", width: 1, size: 4 },
    values: ticks,
  };
}

/**
 * spec: { title, xLabel, yLabel, y2Label?, yMin?, yMax?, height?,
 *         series: [{ label, color, unit, axis: 0 | 1, dash?: bool, fill?: bool }] }
 */
export function createChart(parent, spec) {
  const height = spec.height || 190;
  const hasY2 = spec.series.some((s) => s.axis === 1);
  const width = Math.max(240, parent.clientWidth || 480);
  const scales = {
    x: { time: false },
    y: { range: (u, min, max) => yRange(min, max, spec.yMin, spec.yMax) },
  };
  if (hasY2) scales.y2 = { range: (u, min, max) => yRange(min, max, 0, null) };
  const axes = [
    {
      label: spec.xLabel || "simulated time (s)",
      labelSize: 18,
      labelFont: "12px system-ui, sans-serif",
      font: "11px system-ui, sans-serif",
      size: 36,
      grid: { show: true, stroke: "#eef0f4", width: 1 },
      ticks: { stroke: "#d4d8e0", width: 1, size: 4 },
      values: ticks,
    },
    axis(spec.yLabel, 3, true),
  ];
  if (hasY2) axes.push(axis(spec.y2Label, 1, false));
  const series = [
    { label: "t", value: (u, v) => (v == null ? "–" : fmtNum(v) + " s") },
    ...spec.series.map((s) => ({
      label: s.label,
      scale: s.axis === 1 ? "y2" : "y",
      stroke: s.color,
      width: 1,
      dash: s.dash ? [5, 4] : undefined,
      fill: s.fill ? s.color + "22" : undefined,
      spanGaps: false,
      points: { show: false },
      value: (u, v) => (v == null ? "–" : fmtNum(v) + (s.unit ? " " + s.unit : "")),
    })),
  ];
  const opts = {
    title: spec.title,
    width,
    height,
    scales,
    axes,
    series,
    legend: { live: true },
    cursor: { sync: { key: SYNC_KEY, setSeries: false }, drag: { x: true, y: false } },
  };
  const data = [[], ...spec.series.map(() => [])];
  const u = new uPlot(opts, data, parent);
  // Canvas charts are opaque to assistive technology (and to tests): describe them.
  const axesText = [`x: ${axes[0].label}`, `y: ${spec.yLabel}`];
  if (hasY2) axesText.push(`right y: ${spec.y2Label}`);
  parent.setAttribute("aria-label", `${spec.title} (${axesText.join("; ")})`);
  const handle = { u, data, parent };
  parent.dataset.points = "0";
  const ro = new ResizeObserver(() => {
    const w = Math.max(240, parent.clientWidth);
    if (Math.abs(w - u.width) > 1) u.setSize({ width: w, height });
  });
  ro.observe(parent);
  handle.ro = ro;
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
  return performance.now() - t0;
}

/** Replaces all rows (same layout as appendChartData); returns the milliseconds spent. */
export function setChartData(handle, cols) {
  const t0 = performance.now();
  handle.data = handle.data.map((_, c) => Array.from(cols[c] || [], (v) => (Number.isNaN(v) ? null : v)));
  handle.u.batch(() => handle.u.setData(handle.data, true));
  handle.parent.dataset.points = String(handle.data[0].length);
  return performance.now() - t0;
}

export function destroyChart(handle) {
  handle.ro.disconnect();
  handle.u.destroy();
}
