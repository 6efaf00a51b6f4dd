// Replications in Web Workers (issue 13): the live run is replication 0 and workers run the
// rest with the same derived seeds as the CLI's `--replications`, so the page's intervals equal
// the CLI's; Cancel and a new Run stop the workers; the page stays responsive meanwhile. Run
// with the others by scripts/test-browser.sh, or alone:
//   node --test --test-concurrency=1 tests/browser/replications.test.mjs
// The golden files are the CLI's own output; regenerate them with
//   cargo run --release -p loopsim-cli -- run scenarios/basics/one-event-loop.yaml \
//     --replications 5 --json > tests/browser/golden/one-event-loop-replications-5.json
// and, for the sweep (one-event-loop.yaml with `sweep:` appended as in the test below, as
// F.yaml), the `capacity` object of
//   cargo run --release -p loopsim-cli -- run F.yaml --replications 3 --json
// into tests/browser/golden/one-event-loop-sweep-3.json; and with `warmup: 30s` replaced by
// `warmup: auto`, as G.yaml,
//   cargo run --release -p loopsim-cli -- run G.yaml --replications 4 --json \
//     > tests/browser/golden/one-event-loop-auto-4.json
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import {
  ARTIFACTS, ROOT, chartData, column, open, scenarioText, setEditorText, useBrowser,
} from "./harness.mjs";

useBrowser();

const golden = (name) => JSON.parse(readFileSync(`${ROOT}tests/browser/golden/${name}`, "utf8"));
const GOLDEN = golden("one-event-loop-replications-5.json");
const SWEEP_GOLDEN = golden("one-event-loop-sweep-3.json");

const AUTO_GOLDEN = golden("one-event-loop-auto-4.json");

/** `a` equals `b` to 1e-9 relative in every number (JS and serde write floats alike, but a
 * mean computed in another order may differ in the last bit). */
function assertClose(a, b, path = "") {
  if (typeof b === "number") {
    assert.equal(typeof a, "number", `${path}: ${a} vs ${b}`);
    assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${path}: ${a} vs ${b}`);
  } else if (b && typeof b === "object") {
    assert.ok(a && typeof a === "object", `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), `${path} keys`);
    for (const k of Object.keys(b)) assertClose(a[k], b[k], `${path}.${k}`);
  } else {
    assert.equal(a, b, path);
  }
}

/** The CLI's mean and half-width at a dotted path (`latency_s.p99` → `latency_s.p99` and
 * `latency_s.p99_ci`). */
function cliFigure(path, cli = GOLDEN) {
  const keys = path.split(".");
  const last = keys.pop();
  let obj = cli;
  for (const k of keys) obj = obj?.[k];
  return obj && { mean: obj[last], ci: obj[`${last}_ci`] };
}

/** Runs the editor's scenario with `n` replications; resolves once all are in. */
async function runReplicated(page, n) {
  await page.evaluate((n) => window.loopsim.setReplications(n), n);
  await page.evaluate(() => window.loopsim.run());
  await page.waitForFunction(() => window.loopsim.replications().state !== "running", null, {
    timeout: 120_000,
  });
  return page.evaluate(() => window.loopsim.replications());
}

describe("replications in Web Workers", () => {
  test("give the same intervals as the CLI's --replications", async () => {
    const { page, context, errors } = await open();
    // The scenario's own `replications: 5` (the Replications box left empty): the same seeds
    // as `--replications 5`.
    await setEditorText(page, scenarioText("one-event-loop.yaml") + "replications: 5\n");
    const r = await runReplicated(page, 0);
    assert.equal(r.state, "done", r.message);
    assert.equal(r.n, 5);
    const paths = Object.keys(r.figures);
    assert.ok(paths.length >= 5, `figures: ${paths}`);
    let compared = 0;
    for (const path of paths) {
      const cli = cliFigure(path);
      if (path === "seed") continue; // an identity: the CLI keeps replication 0's
      const got = r.figures[path];
      assert.ok(cli && typeof cli.mean === "number", `the CLI has ${path}`);
      if (!cli.ci) {
        // Items of a list of numbers: the CLI has no key to put an interval beside, only the
        // mean.
        assert.ok(Math.abs(got.mean - cli.mean) <= 1e-9 * Math.max(1, Math.abs(cli.mean)), `${path} mean ${got.mean} vs CLI ${cli.mean}`);
        compared++;
        continue;
      }
      // The same seeds, the same engine on wasm32 and x86_64 (bit-identical), the same
      // interval code: equal to the last digit the JSON keeps.
      assert.ok(Math.abs(got.mean - cli.mean) <= 1e-9 * Math.max(1, Math.abs(cli.mean)), `${path} mean ${got.mean} vs CLI ${cli.mean}`);
      assert.ok(
        Math.abs(got.half_width - cli.ci.half_width) <= 1e-9 * Math.max(1, Math.abs(cli.ci.half_width)),
        `${path} ± ${got.half_width} vs CLI ${cli.ci.half_width}`,
      );
      assert.equal(got.n, cli.ci.n);
      compared++;
    }
    assert.equal(compared, paths.length - 1, "every figure but the seed compared");
    // The note says what ± means; the bands are drawn on both charts.
    const note = await page.textContent("#replications-note");
    assert.match(note, /mean ± 95% half-width over 5 replications \(Student t/);
    for (const id of ["chart-latency", "chart-throughput"]) {
      const c = await chartData(page, id);
      assert.ok(c.ci && c.ci.t.length > 10, `${id} has a band`);
      const inside = c.ci.lo.filter((lo, i) => Number.isFinite(lo) && lo <= c.ci.hi[i]).length;
      assert.ok(inside > 10, `${id} band has lo ≤ hi`);
      // The warm-up (30 s) is greyed on the chart.
      assert.equal(c.warmup, 30);
    }
    assert.match(await page.textContent("#replications-status"), /replications 5 \/ 5/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("warmup: auto chooses one cut on every first pass, as the CLI does", async () => {
    const { page, context, errors } = await open();
    const text = scenarioText("one-event-loop.yaml").replace(/^warmup: .*$/m, "warmup: auto");
    assert.match(text, /^warmup: auto$/m);
    await setEditorText(page, text + "replications: 4\n");
    const r = await runReplicated(page, 0);
    assert.equal(r.state, "done", r.message);
    for (const path of ["warmup_s", "latency_s.mean", "latency_s.p99", "throughput_rps"]) {
      const cli = cliFigure(path, AUTO_GOLDEN);
      const got = r.figures[path];
      assert.ok(got, `the page has ${path}`);
      assert.ok(Math.abs(got.mean - cli.mean) <= 1e-9 * Math.max(1, Math.abs(cli.mean)), `${path} mean ${got.mean} vs CLI ${cli.mean}`);
      assert.ok(Math.abs(got.half_width - cli.ci.half_width) <= 1e-9 * Math.max(1, Math.abs(cli.ci.half_width)), `${path} ± ${got.half_width} vs CLI ${cli.ci.half_width}`);
    }
    // One cut for all: the warm-up's interval has no width.
    assert.equal(r.figures.warmup_s.half_width, 0);
    assert.match(await page.textContent("#replications-note"), /the cut MSER-5 chose on the average of their first passes/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("Cancel stops the workers; a new Run replaces them; the page never freezes", async () => {
    const { page, context, errors } = await open();
    // Long replications (30 min simulated each) so there is time to cancel.
    const yaml = scenarioText("one-event-loop.yaml").replace("duration: 600s", "duration: 3600s");
    await setEditorText(page, yaml);
    await page.evaluate(() => window.loopsim.setReplications(40));
    // Measure the main thread's longest gap between timer ticks while workers run.
    await page.evaluate(() => {
      window.__gaps = { last: performance.now(), max: 0 };
      window.__gapTimer = setInterval(() => {
        const now = performance.now();
        window.__gaps.max = Math.max(window.__gaps.max, now - window.__gaps.last);
        window.__gaps.last = now;
      }, 20);
    });
    await page.click("#run");
    await page.waitForFunction(() => window.loopsim.replications().state === "running");
    assert.equal(await page.isVisible("#replications"), true);
    assert.match(await page.textContent("#replications-status"), /replications \d+ \/ 40/);
    await page.waitForTimeout(1500);
    await page.click("#replications-cancel");
    const r = await page.evaluate(() => window.loopsim.replications());
    assert.equal(r.state, "cancelled");
    assert.ok(r.done < 40, `cancelled before the end: ${r.done}`);
    assert.match(await page.textContent("#replications-status"), /cancelled/);
    // No result arrives after Cancel (the workers are terminated).
    await page.waitForTimeout(1000);
    assert.equal((await page.evaluate(() => window.loopsim.replications())).done, r.done);
    // A new run starts a fresh set; an edit cancels it.
    await page.evaluate(() => window.loopsim.setReplications(3));
    await setEditorText(page, yaml.replace("duration: 3600s", "duration: 60s"));
    await page.evaluate(() => window.loopsim.run());
    await page.waitForFunction(() => window.loopsim.replications().state !== "running", null, { timeout: 60_000 });
    assert.equal((await page.evaluate(() => window.loopsim.replications())).state, "done");
    await setEditorText(page, yaml);
    await page.evaluate(() => window.loopsim.setReplications(40));
    await page.click("#run");
    await page.waitForFunction(() => window.loopsim.replications().state === "running");
    await page.click(".cm-content");
    await page.keyboard.press("End");
    await page.keyboard.insertText("\n# edited");
    await page.waitForFunction(() => window.loopsim.replications().state === "cancelled", null, { timeout: 5000 });
    const gap = await page.evaluate(() => (clearInterval(window.__gapTimer), window.__gaps.max));
    // The workers never block the page's thread; the live run yields every frame (12 ms
    // budget). 500 ms leaves room for a loaded 2-core machine and headless scheduling.
    assert.ok(gap < 500, `longest main-thread gap ${gap} ms`);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("a sweep fills its capacity chart point by point, marks the knee, and cancels", async () => {
    const { page, context, errors } = await open();
    // M/M/1 with μ = 100/s: p99 = ln(100) / (μ − λ), 57.6 ms at 20/s; the knee rule (p99 ≤ 5 ×
    // its light-load value, 288 ms) holds up to λ ≈ 84/s, so of 20, 35, …, 95/s the knee is
    // 80/s. 3 replications of 10 simulated minutes per point keep the p99 estimates within a
    // few per cent (the CLI's own tests use the same rule), far from the 80/95 boundary.
    const sweep = scenarioText("one-event-loop.yaml") + "sweep:\n  workload[0].rate: 20/s..95/s by 15/s\n";
    await setEditorText(page, sweep);
    await page.evaluate(() => window.loopsim.setReplications(3));
    await page.evaluate(() => window.loopsim.run());
    // The chart shows up before the last point is in.
    await page.waitForFunction(() => {
      const r = window.loopsim.replications();
      return r.kind === "sweep" && r.capacity && r.done >= 1;
    });
    const early = await page.evaluate(() => window.loopsim.replications());
    assert.ok(early.state === "done" || early.done < early.n, "partial first");
    assert.equal(await page.isVisible("#capacity"), true);
    await page.waitForFunction(() => window.loopsim.replications().state !== "running", null, { timeout: 120_000 });
    const r = await page.evaluate(() => window.loopsim.replications());
    assert.equal(r.state, "done", r.message);
    assert.equal(r.n, 6);
    // The same curves, intervals and knee as the CLI's sweep.
    assertClose(r.capacity, SWEEP_GOLDEN, "capacity");
    const curve = r.capacity.curves[0];
    assert.deepEqual(curve.points.map((p) => p.label), ["20/s", "35/s", "50/s", "65/s", "80/s", "95/s"]);
    assert.equal(curve.knee.value, "80/s");
    const c = await chartData(page, "chart-capacity");
    assert.deepEqual(c.data[0], [20, 35, 50, 65, 80, 95]);
    assert.equal(c.marker.at, 80);
    assert.ok(c.bandsCi >= 2, "p99 and goodput bands");
    // The p99 grows with the load (M/M/1): 57.6 ms at 20/s, 921 ms at 95/s in theory.
    const p99 = column(c, "p99");
    assert.ok(p99[0] > 0.04 && p99[0] < 0.08, `p99 at 20/s ${p99[0]}`);
    assert.ok(p99[5] > 0.5, `p99 at 95/s ${p99[5]}`);
    assert.match(await page.textContent("#capacity-note"), /80\/s/);
    assert.match(await page.textContent("#replications-status"), /sweep points 6 \/ 6/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator("#capacity").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/sweep-1440.png` });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator("#chart-capacity").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/sweep-390.png` });
    // Cancel: a long sweep stops where it is.
    await page.setViewportSize({ width: 1440, height: 900 });
    await setEditorText(page, sweep.replace("duration: 600s", "duration: 7200s"));
    await page.click("#run");
    await page.waitForFunction(() => window.loopsim.replications().state === "running");
    await page.click("#replications-cancel");
    const cancelled = await page.evaluate(() => window.loopsim.replications());
    assert.equal(cancelled.state, "cancelled");
    assert.ok(cancelled.done < 6);
    // Too many runs are refused with the core's message, not started.
    await page.evaluate(() => window.loopsim.setReplications(5000));
    await page.evaluate(() => window.loopsim.run());
    const refused = await page.evaluate(() => window.loopsim.replications());
    assert.equal(refused.state, "failed");
    assert.match(refused.message, /30000 runs \(6 points × 5000 replications\); at most 10000/);
    assert.match(await page.textContent("#replications-status"), /at most 10000/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("the gallery's shop sweep draws its capacity curve with the knee at 1000/s", async () => {
    const { page, context, errors } = await open();
    await page.selectOption("#gallery", "shop-capacity.yaml");
    await page.evaluate(() => window.loopsim.setReplications(3));
    await page.evaluate(() => window.loopsim.run());
    await page.waitForFunction(() => window.loopsim.replications().state !== "running", null, { timeout: 300_000 });
    const r = await page.evaluate(() => window.loopsim.replications());
    assert.equal(r.state, "done", r.message);
    // As `loopsim run scenarios/capacity/shop-capacity.yaml --replications 3` says (and
    // tests/gallery.rs asserts for one replication): the SLO rule, knee 1000/s.
    assert.equal(r.capacity.rule.rule, "slo");
    assert.equal(r.capacity.curves[0].knee.value, "1000/s");
    assert.equal((await chartData(page, "chart-capacity")).marker.at, 1000);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator("#capacity").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/shop-sweep-1440.png` });
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("screenshots at 1440×900 and 390×844", async () => {
    const { page, context } = await open();
    await setEditorText(page, scenarioText("one-event-loop.yaml"));
    await runReplicated(page, 8);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator("#chart-latency").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/replications-1440.png` });
    await page.locator("#summary").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/replications-tables-1440.png` });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator("#replications").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/replications-390.png` });
    await page.locator("#chart-latency").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/replications-chart-390.png` });
    await context.close();
  });
});
