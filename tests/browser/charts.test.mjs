// Charts for every service (issue 11): the most loaded first with a selector for the rest,
// failures in the latency view, aligned plots, units by magnitude, a data table behind every
// chart, the services table's rows keyed by service. Run with the others by
// scripts/test-browser.sh, or alone:
//   node --test --test-concurrency=1 tests/browser/charts.test.mjs
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import {
  ARTIFACTS, SCENARIO_FILES, chartData, column, open, runGallery, setEditorText, useBrowser,
} from "./harness.mjs";

useBrowser();

/** `n` services in a chain s1 → … → sn; the last one does 9 ms of CPU per request at
 * 100 requests/s (about 90 % busy), the others 1 ms. */
function chain(n) {
  const lines = ["version: 1", "name: Chain", "duration: 30s", "workload:", "  - to: s1", "    rate: 100/s", "services:"];
  for (let k = 1; k <= n; k++) {
    lines.push(`  s${k}:`, "    endpoints:", "      /:", `        - cpu: ${k === n ? "9ms" : "1ms"}`);
    if (k < n) lines.push(`        - call: s${k + 1}/`);
  }
  return lines.join("\n") + "\n";
}

/** Charts shown on the page (visible figures with a uPlot chart) and whether each has at least
 * one plotted value. */
const shownCharts = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll("figure.chart")]
      .filter((f) => !f.hidden && f.offsetParent !== null && f.querySelector(".uplot"))
      .map((f) => {
        const d = window.loopsimGlue.chartData(f.id);
        const values = d ? d.data.slice(1).flat().filter((v) => v != null && Number.isFinite(v)) : [];
        return { id: f.id, title: d?.title, lines: d ? d.labels.length : 0, values: values.length };
      }),
  );

async function shots(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.locator(".pane-results").screenshot({ path: `${ARTIFACTS}/${name}-1440x900.png` });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  await page.locator(".pane-results").screenshot({ path: `${ARTIFACTS}/${name}-390x844.png` });
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.waitForTimeout(200);
}

describe("charts for every service", () => {
  test("a 10-service chain shows its bottleneck (the last service) first, the rest behind the selector", async () => {
    const { page, context, errors } = await open();
    await setEditorText(page, chain(10));
    await page.waitForSelector(".problems-summary.ok");
    const report = await page.evaluate(() => window.loopsim.run());
    assert.ok(report.services.s10.utilization > 0.8, JSON.stringify(report.services.s10));
    // The selector lists every service, the most loaded first, and shows its charts.
    const options = await page.locator("#service-select option").evaluateAll((os) => os.map((o) => o.value));
    assert.equal(options.length, 10, `${options}`);
    assert.equal(options[0], "s10");
    assert.equal(await page.inputValue("#service-select"), "s10");
    assert.equal(await page.getAttribute("#service-detail", "data-service"), "s10");
    const lag = await chartData(page, "chart-svc-lag");
    assert.match(lag.title, /^s10: /);
    // The overview charts: the most loaded first, and a note naming the services left out.
    const util = await chartData(page, "chart-util");
    assert.equal(util.labels[0], "s10");
    assert.equal(util.labels.length, 8);
    const note = await page.textContent("#services-hidden");
    assert.match(note, /8 most loaded of 10 services/);
    const hidden = options.filter((o) => !util.labels.includes(o));
    assert.equal(hidden.length, 2);
    for (const s of hidden) assert.ok(note.includes(s), `${s} named in: ${note}`);
    // Choosing another service (as the topology view does: set the value, dispatch change).
    await page.selectOption("#service-select", "s3");
    assert.equal(await page.getAttribute("#service-detail", "data-service"), "s3");
    const s3 = await chartData(page, "chart-svc-busy");
    assert.match(s3.title, /^s3: /);
    const busy = column(s3, "busy").filter((v) => v != null);
    assert.ok(busy.length > 100, "the chosen service's charts are drawn at once from the run");
    // The choice holds for the next run of the same scenario.
    await page.evaluate(() => window.loopsim.run());
    assert.equal(await page.inputValue("#service-select"), "s3");
    assert.match((await chartData(page, "chart-svc-lag")).title, /^s3: /);
    // Per endpoint: answered, failed, p99.
    const eps = await chartData(page, "chart-svc-endpoints");
    assert.deepEqual(eps.labels, ["/", "/ failed"]);
    assert.ok(column(eps, "/").some((v) => v > 50), "about 100 answered per second");
    // Charts rebuilt as the services re-ranked hold each row once, in time order.
    for (const id of ["chart-latency", "chart-util", "chart-lag", "chart-svc-lag", "chart-svc-busy"]) {
      const t = (await chartData(page, id)).data[0];
      assert.ok(t.length >= 290, `${id}: ${t.length} rows`);
      assert.ok(t.every((x, i) => i === 0 || x > t[i - 1]), `${id}: time strictly increasing`);
    }
    // Every services table row is keyed by its service.
    const keys = await page.locator("#services tbody tr").evaluateAll((rs) => rs.map((r) => r.dataset.service));
    assert.deepEqual(keys, Array.from({ length: 10 }, (_, k) => `s${k + 1}`));
    await shots(page, "charts-chain");
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("the retry storm's latency view shows the failures; units follow magnitude", async () => {
    const { page, context, errors } = await open();
    const report = await runGallery(page, "retry-storm.yaml");
    assert.ok(report.error_rate > 0.3, `error rate ${report.error_rate}`);
    const latency = await chartData(page, "chart-latency");
    const t = latency.data[0];
    const failed = column(latency, "failed");
    const all = column(latency, "p99 incl. failures");
    // Late in the run, when nearly everything times out, both lines still have values.
    const late = t.map((x, i) => i).filter((i) => t[i] > t[t.length - 1] * 0.8);
    assert.ok(late.every((i) => all[i] != null), "the p99 incl. failures never stops");
    assert.ok(late.some((i) => failed[i] > 50), `failures shown: ${late.map((i) => failed[i]).slice(-5)}`);
    // The latest-p99 card counts the timeouts: it shows the last interval's figure, not the
    // last success's.
    const lastAll = all.filter((v) => v != null).at(-1);
    const kpi = await page.textContent("#kpi-p99");
    assert.match(kpi, /p99 now/i);
    assert.match(await page.getAttribute("#kpi-p99", "title"), /failed requests included/);
    assert.ok(kpi.includes(lastAll >= 1 ? `${lastAll.toFixed(2)} s` : `${Math.round(lastAll * 1e3)}`), `${kpi} vs ${lastAll}`);
    // Duration axes read in s/ms/µs, never "k ms".
    const labels = await page.evaluate(() =>
      [...document.querySelectorAll("figure.chart")].map((f) => f.getAttribute("aria-label") || "").join(" | "),
    );
    assert.ok(!/\(ms\)/.test(labels), labels);
    // A data table behind the chart, by keyboard.
    await page.focus("#chart-latency .chart-table-toggle");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#chart-latency .chart-table table");
    const header = await page.locator("#chart-latency .chart-table thead th").allTextContents();
    assert.deepEqual(header, ["time", "p99 incl. failures", "p50 (ok)", "p95 (ok)", "p99 (ok)", "failed (%)"]);
    const cell = await page.locator("#chart-latency .chart-table tbody tr").last().textContent();
    assert.match(cell, /\d+(\.\d+)? (s|ms|µs)/, cell);
    assert.ok(!/k ms/.test(await page.textContent("#chart-latency .chart-table")));
    assert.equal(await page.getAttribute("#chart-latency .chart-table-toggle", "aria-expanded"), "true");
    await shots(page, "charts-retry-storm");
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("plot areas line up across every chart", async () => {
    const { page, context } = await open();
    await runGallery(page, "circuit-breaker.yaml");
    const boxes = await page.evaluate(() =>
      [...document.querySelectorAll("figure.chart")]
        .filter((f) => f.offsetParent !== null && f.querySelector(".u-over"))
        .map((f) => {
          const r = f.querySelector(".u-over").getBoundingClientRect();
          return { id: f.id, left: Math.round(r.left), right: Math.round(r.right) };
        }),
    );
    assert.ok(boxes.length >= 6, JSON.stringify(boxes));
    for (const b of boxes) {
      assert.ok(Math.abs(b.left - boxes[0].left) <= 1 && Math.abs(b.right - boxes[0].right) <= 1, JSON.stringify(boxes));
    }
    await context.close();
  });

  test("every gallery scenario: no empty chart, every service selectable, tables keyed", async () => {
    const { page, context, errors } = await open();
    const problems = [];
    for (const file of SCENARIO_FILES) {
      const report = await runGallery(page, file);
      const charts = await shownCharts(page);
      for (const c of charts) {
        if (c.lines === 0 || c.values === 0) problems.push(`${file}: ${c.id} "${c.title}" is empty`);
      }
      const options = await page.locator("#service-select option").count();
      const services = Object.keys(report.services).length;
      if (options !== services) problems.push(`${file}: ${options} options for ${services} services`);
      const keyed = await page.locator("#services tbody tr[data-service]").count();
      if (keyed !== services) problems.push(`${file}: ${keyed} keyed rows for ${services} services`);
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("the services table fits: no column scrolled away at 1440, no page overflow at 390", async () => {
    const { page, context } = await open();
    await runGallery(page, "shop.yaml");
    const fits = () =>
      page.evaluate(() => {
        const wrap = document.querySelector("#services").parentElement;
        return { table: wrap.scrollWidth, wrap: wrap.clientWidth, page: document.documentElement.scrollWidth, view: window.innerWidth };
      });
    const wide = await fits();
    assert.ok(wide.table <= wide.wrap + 1, `services table ${wide.table} px in ${wide.wrap} px`);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    const narrow = await fits();
    assert.ok(narrow.page <= narrow.view, `page ${narrow.page} px wide at ${narrow.view}`);
    await page.locator("#services").scrollIntoViewIfNeeded();
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/charts-services-table-390x844.png` });
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.locator("#services").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/charts-services-table-1440x900.png` });
    await context.close();
  });
});
