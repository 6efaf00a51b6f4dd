// Browser tests of the built playground (dist/), in Debian's headless Chromium through
// playwright-core. Run by scripts/test-browser.sh (which builds dist/ first):
//   node --test --test-concurrency=1 tests/browser/
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { deflateRawSync } from "node:zlib";
import {
  ARTIFACTS, DEFAULT_YAML, SCENARIOS, SCENARIO_FILES, SCENARIO_PATHS, scenarioText, chartData, column, errorLine, lineOf, mean, open,
  rectOf, runGallery, runState, serverUrl, setEditorText, shot, snapshot, text, useBrowser,
} from "./harness.mjs";

useBrowser();

/** An overloaded service (about 140 requests/s offered, 100/s served) behind a low
 * `max_in_flight`: the run stops a few seconds into its two hours. */
const STOPS_EARLY = [
  "version: 1",
  "name: Stops early",
  "description: An overloaded service; the run hits max_in_flight within seconds.",
  "duration: 2h",
  "max_in_flight: 200",
  "workload:",
  "  - to: api",
  "    arrivals: poisson",
  "    rate: 140/s",
  "services:",
  "  api:",
  "    endpoints:",
  "      /:",
  "        - cpu: 10ms",
  "",
].join("\n");

/** A pool of two database connections around a 20 ms query, offered 95 requests/s (it
 * serves at most 100/s): requests queue for a connection and some give up after 100 ms. */
const POOLED = [
  "version: 1",
  "name: Pooled",
  "description: Two database connections for 95 requests/s of 20 ms queries.",
  "duration: 60s",
  "warmup: 5s",
  "workload:",
  "  - to: api",
  "    arrivals: poisson",
  "    rate: 95/s",
  "services:",
  "  api:",
  "    pools:",
  "      db: { size: 2, timeout: 100ms }",
  "    endpoints:",
  "      /:",
  "        - cpu: 1ms",
  "        - with: db",
  "          steps: [ { io: 20ms } ]",
  "",
].join("\n");

describe("loopsim playground", () => {
  test("loads with no console errors, from a sub-path, with no foreign requests", async () => {
    const { page, context, errors, foreign } = await open();
    assert.equal(await page.title(), "loopsim playground");
    assert.ok(serverUrl().includes("/loopsim/"), "served under a sub-path");
    assert.equal(await text(page), DEFAULT_YAML, "the default scenario is in the editor");
    await page.waitForSelector(".problems-summary.ok");
    assert.equal(await page.textContent("#scenario-name"), "Shop");
    assert.equal(await page.locator("#main-charts .chart:not(.main-chart) canvas").count(), 5, "five charts");
    assert.equal(await page.locator("#chart-health canvas").count(), 1, "the health lane");
    // Shop has neither faults nor guards worth a lane.
    assert.equal(await page.isVisible("#guard-charts"), false);
    assert.equal(await page.locator("#guard-charts figure").count(), 0);
    assert.equal(await page.isVisible("#faults-legend"), false);
    await page.waitForTimeout(300);
    assert.deepEqual(errors, []);
    assert.deepEqual(foreign, []);
    await context.close();
  });

  test("the default scenario runs to the end: charts, summary and tables fill", async () => {
    const { page, context, errors, foreign } = await open();
    const report = await page.evaluate(() => window.loopsim.run());
    assert.equal(report.scenario, "Shop");
    assert.ok(report.requests.sent > 10000, `sent ${report.requests.sent}`);
    assert.equal(await runState(page), "finished");
    assert.deepEqual(await page.evaluate(() => window.loopsim.report()), report);
    const snap = await snapshot(page);
    assert.equal(snap.finished, true);
    assert.equal(await page.evaluate(() => document.getElementById("progress").value), 1);
    // Every chart has its canvas and all 3000 rows (5 min at 100 ms).
    for (const id of ["latency", "throughput", "lag", "util", "pool"]) {
      const fig = page.locator(`#chart-${id}`);
      assert.equal(await fig.locator("canvas").count(), 1, id);
      assert.equal(await fig.getAttribute("data-points"), "3000", id);
      const legend = await fig.locator(".u-legend").textContent();
      assert.ok(legend.length > 0, `${id} has a legend`);
    }
    // Axes carry units (uPlot draws them on the canvas; the figure's label lists them).
    const axes = (await page.locator(".chart").evaluateAll((fs) => fs.map((f) => f.getAttribute("aria-label")))).join(" | ");
    for (const label of ["latency in s, ms or µs", "requests / s", "lag in s, ms or µs", "ready queue (tasks)", "busy (%)", "queued jobs", "busy threads", "x: simulated time (s)"]) {
      assert.ok(axes.includes(label), `axis label ${label} in ${axes}`);
    }
    // Summary and per-service tables show numbers.
    const summary = await page.textContent("#summary");
    assert.match(summary, /Requests sent\s*[\d\u202f]+/);
    assert.match(summary, /p99\s*[\d.]+ ms/);
    const services = await page.locator("#services tbody tr").allTextContents();
    assert.equal(services.length, 3);
    assert.match(services[0], /^gateway2 × 2[\d.]+ %/);
    assert.equal(await page.locator("#workloads tbody tr").count(), 2);
    assert.equal(await page.isEnabled("#export-json"), true);
    assert.equal(await page.isEnabled("#export-csv"), true);
    // The report export is the report JSON.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-json")]);
    assert.equal(download.suggestedFilename(), "shop-report.json");
    const [csv] = await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
    assert.equal(csv.suggestedFilename(), "shop-series.csv");
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    const plot = await page.locator("#chart-latency .u-over").boundingBox();
    await page.mouse.move(plot.x + plot.width * 0.6, plot.y + plot.height / 2); // synced cursors
    await page.waitForTimeout(200);
    await page.screenshot({ path: `${ARTIFACTS}/playground.png` });
    await page.locator(".results").screenshot({ path: `${ARTIFACTS}/playground-results.png` });
    assert.deepEqual(errors, []);
    assert.deepEqual(foreign, []);
    await context.close();
  });

  test("a typed error gets a diagnostic on its line; fixing it clears it", async () => {
    const { page, context, errors } = await open();
    const broken = DEFAULT_YAML.replace("arrivals: poisson", "arrivals: poison");
    const line = lineOf(broken, "poison");
    await setEditorText(page, broken);
    await page.waitForSelector(".cm-lintRange-error", { timeout: 5000 });
    await page.waitForTimeout(100);
    assert.equal(await errorLine(page), line);
    // The gutter marker sits on the same line.
    const marker = await page.locator(".cm-lint-marker-error").first().boundingBox();
    const lineBox = await page.locator(".cm-content .cm-line").nth(line - 1).boundingBox();
    assert.ok(Math.abs(marker.y + marker.height / 2 - (lineBox.y + lineBox.height / 2)) < 4, "marker on the line");
    // Hovering the underline shows the message.
    const r = await rectOf(page, "poison");
    await page.mouse.move(r.x + r.width / 2, r.y + r.height / 2);
    const tip = await page.waitForSelector(".cm-tooltip-lint", { timeout: 5000 });
    assert.match(await tip.textContent(), /poison/);
    assert.match(await page.textContent("#problems-summary"), /1 error/);
    assert.match(await page.textContent("#problems"), new RegExp(`^${line}:`));
    // Running is refused with a clear message.
    const refusal = await page.evaluate(() => window.loopsim.run().then(() => "ran", (e) => e.message));
    assert.match(refusal, /error/);
    assert.equal(await page.isVisible("#message"), true);
    // Fix it.
    await setEditorText(page, DEFAULT_YAML);
    await page.waitForSelector(".problems-summary.ok", { timeout: 5000 });
    assert.equal(await page.locator(".cm-lintRange-error").count(), 0);
    assert.equal(await page.locator(".cm-lint-marker-error").count(), 0);
    // A second error elsewhere lands on its own line too.
    const broken2 = DEFAULT_YAML.replace("replicas: 2", "replicas: two");
    await setEditorText(page, broken2);
    await page.waitForFunction(
      (l) => {
        const lines = [...document.querySelectorAll(".cm-content .cm-line")];
        return lines.findIndex((x) => x.querySelector(".cm-lintRange-error")) + 1 === l;
      },
      lineOf(broken2, "replicas: two"),
      { timeout: 5000 },
    );
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("completion offers schema keys and enum values; hover shows docs", async () => {
    const { page, context, errors } = await open();
    await setEditorText(page, "version: 1\nduration: 10s\nworkload:\n  - to: api\n    ");
    await page.keyboard.type("arr");
    const list = await page.waitForSelector(".cm-tooltip-autocomplete", { timeout: 5000 });
    assert.match(await list.textContent(), /arrivals/);
    await page.waitForTimeout(150); // CodeMirror ignores Enter right after the list opens
    await page.keyboard.press("Enter");
    await page.keyboard.type("clo");
    await page.waitForFunction(() => /closed/.test(document.querySelector(".cm-tooltip-autocomplete")?.textContent || ""));
    await page.waitForTimeout(150);
    await page.keyboard.press("Enter");
    assert.match(await text(page), /arrivals: closed$/);
    // Top level, explicitly (Ctrl+Space) on an empty line.
    await page.keyboard.press("Enter");
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Control+Space");
    const top = await page.waitForSelector(".cm-tooltip-autocomplete", { timeout: 5000 });
    const topText = await top.textContent();
    for (const key of ["services", "network", "seed", "warmup"]) assert.match(topText, new RegExp(key));
    await page.keyboard.press("Escape");
    // Hover docs on a key of the default scenario.
    await setEditorText(page, DEFAULT_YAML);
    // Validation (debounced) updates the heading above the editor, which moves it: wait for it.
    await page.waitForFunction(() => document.getElementById("scenario-name").textContent === "Shop");
    await page.keyboard.press("Control+Home");
    await page.mouse.move(5, 5);
    const r = await rectOf(page, "balance");
    await page.mouse.move(r.x + 5, r.y + r.height / 2);
    await page.waitForFunction(
      () => [...document.querySelectorAll(".cm-tooltip-hover")].some((t) => /^balance: round_robin \| least_connections/.test(t.textContent) && /How requests are spread (across|over) replicas/.test(t.textContent)),
      null,
      { timeout: 5000 },
    );
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("every gallery scenario is listed, loads and runs", { timeout: 180_000 }, async () => {
    const { page, context, errors, foreign } = await open();
    const options = await page.$$eval("#gallery option", (os) =>
      os.map((o) => ({ value: o.value, text: o.textContent, title: o.title })),
    );
    assert.deepEqual(
      options.map((o) => o.value).sort(),
      SCENARIO_FILES,
      "the gallery lists exactly the files of scenarios/",
    );
    // Grouped by section (one optgroup per directory of scenarios/), in the page's order.
    const groups = await page.$$eval("#gallery optgroup", (gs) =>
      gs.map((g) => ({ label: g.label, files: [...g.querySelectorAll("option")].map((o) => o.value) })),
    );
    const order = ["Basics", "Failure modes", "Guards", "Capacity", "Interview classics", "Seed experiments"];
    assert.deepEqual(groups.map((g) => g.label), order.filter((l) => groups.some((g) => g.label === l)));
    for (const g of groups) {
      const dir = SCENARIO_PATHS[g.files[0]].split("/")[0];
      for (const f of g.files) assert.equal(SCENARIO_PATHS[f].split("/")[0], dir, `${f} under ${g.label}`);
    }
    for (const o of options) {
      assert.ok(o.text.length > 0 && o.text !== o.value, `${o.value} shows its name`);
      assert.ok(o.title.length > 20, `${o.value} has its description`);
    }
    // Picking an example over edited text says how to get it back, and undo does.
    await setEditorText(page, DEFAULT_YAML + "# my edit\n");
    await page.selectOption("#gallery", SCENARIO_FILES[0]);
    assert.match(await page.textContent("#message-text"), /undo \(Ctrl\+Z\)/);
    await page.click(".cm-content");
    await page.keyboard.press("Control+z");
    assert.equal(await text(page), DEFAULT_YAML + "# my edit\n");
    for (const file of SCENARIO_FILES) {
      await page.selectOption("#gallery", file);
      assert.equal(await text(page), scenarioText(file), file);
      const report = await page.evaluate(() => window.loopsim.run());
      assert.ok(report.requests.sent > 0, `${file}: sent ${report.requests.sent}`);
      assert.equal(await page.textContent("#scenario-name"), report.scenario, file);
      const desc = await page.textContent("#scenario-description");
      assert.ok(desc.length > 20, `${file} shows its description`);
    }
    assert.deepEqual(errors, []);
    assert.deepEqual(foreign, []);
    await context.close();
  });

  test("a share link round-trips the scenario and its results", async () => {
    const a = await open();
    await a.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(serverUrl()).origin });
    await a.page.selectOption("#gallery", "closed-users.yaml");
    const yaml = (await text(a.page)).replace("name: Closed loop of users", "name: Closed loop — ünï ✓ 😀");
    await setEditorText(a.page, yaml);
    const report = await a.page.evaluate(() => window.loopsim.run());
    await a.page.click("#share");
    const link = await a.page.inputValue("#share-link");
    assert.ok(await a.page.isVisible("#share-link"), "the link is visible");
    assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/loopsim\/#s=1\.[A-Za-z0-9_-]+$/);
    const clip = await a.page.evaluate(() => navigator.clipboard.readText().catch(() => null));
    if (clip !== null) assert.equal(clip, link, "the clipboard holds the link");
    await a.page.waitForSelector("#message.info");
    // A fresh page opens it, loads the same YAML and runs it to the same report.
    const b = await open(link.slice(serverUrl().length));
    await b.page.waitForFunction(() => document.documentElement.dataset.runState === "finished", null, {
      timeout: 60_000,
    });
    assert.equal(await text(b.page), yaml);
    assert.deepEqual(await b.page.evaluate(() => window.loopsim.report()), report);
    assert.equal(await b.page.inputValue("#gallery"), "");
    assert.equal(await b.page.textContent("#scenario-name"), "Closed loop — ünï ✓ 😀");
    assert.equal(await b.page.isVisible("#message"), false);
    assert.deepEqual([...a.errors, ...b.errors], []);
    await a.context.close();
    await b.context.close();
  });

  test("corrupt, truncated and oversized links show a message; the default stays usable", async () => {
    const good = "s=1." + deflateRawSync(Buffer.from(DEFAULT_YAML)).toString("base64url");
    const bomb = "s=1." + deflateRawSync(Buffer.alloc(2 << 20, 0x61)).toString("base64url");
    const cases = [
      ["#s=1.AAAAAAAAAAAA", /damaged|incomplete/],
      ["#" + good.slice(0, good.length - 9), /damaged|incomplete/],
      ["#s=1.%%%not-base64", /damaged/],
      ["#" + bomb, /larger than 1 MiB/],
      ["#s=7.abc", /format version 7/],
    ];
    for (const [i, [fragment, pattern]] of cases.entries()) {
      const { page, context, errors } = await open(fragment);
      await page.waitForSelector("#message:not([hidden])");
      const msg = await page.textContent("#message-text");
      assert.match(msg, pattern, fragment.slice(0, 40));
      assert.match(msg, /default example is loaded instead/);
      assert.equal(await text(page), DEFAULT_YAML);
      assert.equal(await runState(page), "idle");
      if (i === 0) {
        const report = await page.evaluate(() => window.loopsim.run());
        assert.ok(report.requests.sent > 0);
      }
      assert.deepEqual(errors, []);
      await context.close();
    }
    // The good link itself opens.
    const { page, context } = await open("#" + good);
    await page.waitForFunction(() => document.documentElement.dataset.runState === "finished", null, { timeout: 60_000 });
    assert.equal(await text(page), DEFAULT_YAML);
    await context.close();
  });

  test("Pause stops simulated time; Run resumes", async () => {
    const { page, context, errors } = await open();
    await page.selectOption("#speed", "1");
    await page.click("#run");
    await page.waitForTimeout(800);
    const running = await snapshot(page);
    assert.equal(running.state, "running");
    assert.ok(running.now_s > 0.2 && running.now_s < 3, `×1 tracks wall time: ${running.now_s}`);
    await page.click("#pause");
    const paused = await snapshot(page);
    assert.equal(paused.state, "paused");
    await page.waitForTimeout(700);
    const later = await snapshot(page);
    assert.equal(later.now_s, paused.now_s, "time stands still while paused");
    assert.equal(later.events, paused.events);
    assert.match(await page.textContent("#status"), /^Paused at/);
    // Step advances exactly one chart interval (100 ms in this scenario).
    await page.click("#step");
    const stepped = await snapshot(page);
    assert.ok(Math.abs(stepped.now_s - paused.now_s - 0.1) < 1e-6, `${paused.now_s} → ${stepped.now_s}`);
    assert.equal(stepped.state, "paused");
    // Resume.
    await page.selectOption("#speed", "100");
    await page.click("#run");
    await page.waitForTimeout(500);
    const resumed = await snapshot(page);
    assert.ok(resumed.now_s > stepped.now_s + 5, `×100 goes on from where it was: ${resumed.now_s}`);
    // The seed field overrides the scenario's seed (and a new seed restarts the run).
    await page.selectOption("#speed", "max");
    await page.fill("#seed", "42");
    const seeded = await page.evaluate(() => window.loopsim.run());
    assert.equal(seeded.seed, "42", "seeds are decimal strings in the report");
    await page.fill("#seed", "");
    const own = await page.evaluate(() => window.loopsim.run());
    assert.equal(own.seed, "1", "shop.yaml has no seed: the default is 1");
    assert.notDeepEqual(own.latency_s, seeded.latency_s);
    await page.fill("#seed", "-3");
    assert.match(await page.evaluate(() => window.loopsim.run().then(() => "ran", (e) => e.message)), /whole number/);
    await page.fill("#seed", "");
    // Reset goes back to time 0.
    await page.click("#reset");
    assert.equal((await snapshot(page)).state, "idle");
    assert.equal(await page.evaluate(() => document.getElementById("progress").value), 0);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("a run that hits max_in_flight says first that it stopped early, and why", async () => {
    const { page, context, errors } = await open();
    await setEditorText(page, STOPS_EARLY);
    await page.waitForSelector(".problems-summary:not(.has-errors)");
    const report = await page.evaluate(() => window.loopsim.run());
    const stop = report.stopped;
    assert.equal(stop?.cause, "max_in_flight", JSON.stringify(stop));
    assert.ok(stop.at_s > 0 && stop.at_s < 60, `stopped at ${stop.at_s}`);
    assert.equal(Object.keys(report).indexOf("stopped"), 2, "stopped comes right after scenario and seed");
    assert.equal((await snapshot(page)).stopped, "max_in_flight");
    // The status line: when, of what, and why; not "Finished · 2.00 h simulated".
    const status = await page.textContent("#status");
    assert.match(status, /^Stopped early at [\d.]+ s of 2\.00 h — more than max_in_flight = 200 requests alive$/);
    assert.ok(status.includes(`${stop.at_s.toFixed(2)} s`) || status.includes(`${stop.at_s.toPrecision(3)} s`), status);
    assert.equal(await page.getAttribute("#status", "class"), "status stopped");
    // The bar stops where the run stopped, marked.
    const bar = await page.evaluate(() => {
      const p = document.getElementById("progress");
      return { value: p.value, stopped: p.classList.contains("stopped"), title: p.title };
    });
    assert.ok(bar.value > 0 && bar.value < 0.01, `progress ${bar.value}`);
    assert.ok(Math.abs(bar.value - stop.at_s / 7200) < 1e-6, `progress ${bar.value} vs ${stop.at_s / 7200}`);
    assert.ok(bar.stopped, "the bar is marked as stopped");
    assert.match(bar.title, /stopped early/);
    assert.equal(await page.getAttribute("#kpi-time", "class"), "kpi bad");
    // The results open with the warning: reason, and that every figure covers only that part.
    assert.equal(await page.isVisible("#stopped-box"), true);
    const box = await page.textContent("#stopped-box");
    assert.match(box, /This run stopped early, at [\d.]+ s of 2\.00 h \(0\.\d+ % of the scenario\)/);
    assert.match(box, /more than max_in_flight = 200 requests alive/);
    assert.match(box, /raise max_in_flight or lower the load/);
    assert.match(box, /Every figure on this page .*covers only the [\d.]+ s that were simulated/);
    const first = await page.evaluate(() => {
      const verdict = document.getElementById("verdict");
      const shown = [...verdict.children].filter((e) => !e.hidden && e.offsetParent !== null);
      const before = (a, b) => !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
      const topology = document.getElementById("topology");
      return { shown: shown.map((e) => e.id).slice(0, 2), beforeTopology: before(verdict, topology) };
    });
    assert.deepEqual(first.shown, ["stopped-box", "diagnosis"], "the warning opens the results, then what happened");
    assert.ok(first.beforeTopology, "the verdict comes before the diagram and the charts");
    assert.match(await page.textContent("#summary"), /Simulated time\s*[\d.]+ s of 2\.00 h \(stopped early\)/);
    // Every chart hatches the part never simulated, from the stop on.
    const figures = await page.locator("figure.chart:not([hidden])").evaluateAll((fs) => fs.map((f) => [f.id, f.dataset.stoppedAt]));
    // No offload in it: no thread-pool chart.
    assert.ok(figures.length >= 5, `charts: ${figures}`);
    for (const [id, at] of figures) assert.equal(Number(at), stop.at_s, `${id} marks the stop`);
    const latency = await chartData(page, "chart-latency");
    assert.equal(latency.stop.at, stop.at_s);
    assert.match(latency.stop.label, /^not simulated: the run stopped early at [\d.]+ s$/);
    // The service table keeps its dashes for figures that do not exist.
    assert.equal(await page.locator("#services tbody tr").count(), 1);
    // A run that does not stop hides the warning again.
    await setEditorText(page, DEFAULT_YAML);
    await page.evaluate(() => window.loopsim.run());
    assert.equal(await page.isVisible("#stopped-box"), false);
    assert.match(await page.textContent("#status"), /^Finished · /);
    assert.equal(await page.evaluate(() => document.getElementById("progress").className), "");
    assert.equal(await page.locator("figure.chart[data-stopped-at]").count(), 0, "no stop marks");
    // Screenshots of the stopped page, wide and phone-sized.
    await setEditorText(page, STOPS_EARLY);
    await page.waitForSelector(".problems-summary:not(.has-errors)");
    await page.evaluate(() => window.loopsim.run());
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${ARTIFACTS}/stopped-early-1440x900.png` });
    await page.locator(".pane-results").screenshot({ path: `${ARTIFACTS}/stopped-early-results-pane.png` });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator(".controls").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/stopped-early-390x844.png` });
    await page.locator("#stopped-box").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/stopped-early-390x844-results.png` });
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("a seed above 2^53 stays exact: seed field, report, export and share link", async () => {
    const BIG = "9007199254740993"; // 2^53 + 1: as a JS number it would be 9007199254740992
    const { page, context, errors } = await open();
    await page.fill("#seed", BIG);
    assert.equal(await page.inputValue("#seed"), BIG);
    const resolved = await page.evaluate(() => window.loopsim.run());
    assert.equal(resolved.seed, BIG);
    assert.equal(await page.evaluate(() => window.loopsim.report().seed), BIG);
    assert.equal(await page.evaluate(() => typeof window.loopsim.report().seed), "string");
    assert.match(await page.textContent("#summary"), new RegExp(`Seed\\s*${BIG}`));
    // The exported JSON carries it as text, exactly.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-json")]);
    const json = readFileSync(await download.path(), "utf8");
    assert.ok(json.includes(`"seed": "${BIG}"`), json.slice(0, 200));
    assert.equal(JSON.parse(json).seed, BIG);
    // 2^53 itself is a different seed and a different run.
    await page.fill("#seed", "9007199254740992");
    const other = await page.evaluate(() => window.loopsim.run());
    assert.equal(other.seed, "9007199254740992");
    assert.notDeepEqual(other.latency_s, resolved.latency_s);
    // The largest u64 works too; one more is refused.
    await page.fill("#seed", "18446744073709551615");
    assert.equal((await page.evaluate(() => window.loopsim.run())).seed, "18446744073709551615");
    await page.fill("#seed", "18446744073709551616");
    assert.match(await page.evaluate(() => window.loopsim.run().then(() => "ran", (e) => e.message)), /whole number/);
    // A share link carries the scenario's text: a `seed:` in it arrives exactly.
    const yaml = DEFAULT_YAML.replace("name: Shop", `name: Shop\nseed: ${BIG}`);
    assert.notEqual(yaml, DEFAULT_YAML);
    const fragment = "#s=1." + deflateRawSync(Buffer.from(yaml)).toString("base64url");
    const b = await open(fragment);
    await b.page.waitForFunction(() => document.documentElement.dataset.runState === "finished", null, {
      timeout: 60_000,
    });
    assert.equal(await b.page.evaluate(() => window.loopsim.report().seed), BIG);
    assert.equal(JSON.stringify(await b.page.evaluate(() => window.loopsim.report().latency_s)), JSON.stringify(resolved.latency_s));
    assert.deepEqual([...errors, ...b.errors], []);
    await b.context.close();
    await context.close();
  });

  test("the page stays responsive during a long run", { timeout: 120_000 }, async () => {
    const { page, context, errors } = await open();
    const long = [
      "version: 1",
      "name: Long run",
      "duration: 4h",
      "workload:",
      "  - to: api",
      "    arrivals: poisson",
      "    rate: 500/s",
      "services:",
      "  api:",
      "    workers: 4",
      "    endpoints:",
      "      /:",
      "        - cpu: { dist: exponential, mean: 1ms }",
      "        - io: { dist: exponential, mean: 10ms }",
      "",
    ].join("\n");
    await setEditorText(page, long);
    await page.waitForSelector(".problems-summary.ok");
    await page.evaluate(() => {
      const probe = document.createElement("button");
      probe.id = "probe";
      probe.textContent = "probe";
      probe.style.cssText = "position:fixed;left:4px;bottom:4px;z-index:99";
      window.__lags = [];
      probe.addEventListener("click", (e) => window.__lags.push(performance.now() - e.timeStamp));
      document.body.append(probe);
      window.__long = window.loopsim.run().then((r) => r, (e) => ({ error: e.message }));
    });
    await page.waitForTimeout(300);
    const box = await page.locator("#probe").boundingBox();
    const roundTrips = [];
    for (let i = 0; i < 8; i++) {
      assert.equal((await snapshot(page)).state, "running", "the run is still going");
      const t0 = Date.now();
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      roundTrips.push(Date.now() - t0);
      await page.waitForTimeout(100);
    }
    const lags = await page.evaluate(() => window.__lags);
    assert.equal(lags.length, 8, "every click was handled");
    assert.ok(Math.max(...lags) < 200, `click handled within 200 ms of the event: ${lags}`);
    assert.ok(Math.max(...roundTrips) < 200, `click round trips: ${roundTrips}`);
    const timer = await page.evaluate(
      () => new Promise((ok) => { const t0 = performance.now(); setTimeout(() => ok(performance.now() - t0), 0); }),
    );
    assert.ok(timer < 200, `a timer fires within 200 ms: ${timer}`);
    const mid = await snapshot(page);
    assert.ok(mid.progress > 0 && mid.progress < 1, `still running: ${mid.progress}`);
    // Stopping works at any moment.
    await page.click("#pause");
    const p = await snapshot(page);
    await page.waitForTimeout(300);
    assert.equal((await snapshot(page)).events, p.events);
    await page.click("#reset");
    assert.match(String((await page.evaluate(() => window.__long)).error), /reset/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("faults are shaded on every chart; the breaker lane opens during the incident", async () => {
    const { page, context, errors } = await open();
    const report = await runGallery(page, "circuit-breaker.yaml");
    assert.deepEqual(
      report.faults.map((f) => [f.kind, f.target, f.at_s, f.until_s]),
      [["errors", "payments", 60, 120], ["latency", "checkout<->payments", 60, 120]],
    );
    // Every chart, lanes included, has both bands.
    const figures = await page.locator("figure.chart:not([hidden])").evaluateAll((fs) => fs.map((f) => [f.id, f.dataset.bands]));
    // No offload in it: no thread-pool chart.
    assert.ok(figures.length >= 6, `charts: ${figures}`);
    for (const [id, bands] of figures) assert.equal(bands, "2", `${id} shades both faults`);
    const bands = (await chartData(page, "chart-latency")).bands;
    assert.deepEqual(bands.map((b) => [b.label, b.target, b.from, b.to]), [
      ["errors", "payments", 60, 120],
      ["latency", "checkout<->payments", 60, 120],
    ]);
    assert.match(await page.textContent("#faults-legend"), /errors on payments, 60–120 s.*latency on checkout<->payments, 60–120 s/);
    // One guard lane: the breaker of checkout's call to payments (the workload's plain timeout
    // has nothing to plot).
    assert.equal(await page.locator("#guard-charts figure").count(), 1);
    const lane = await chartData(page, "chart-guard-0");
    assert.match(lane.title, /^Guard: checkout → payments\/charge$/);
    const [t, breaker] = [lane.data[0], column(lane, "breaker")];
    const at = (from, to) => breaker.filter((_, i) => t[i] >= from && t[i] < to);
    assert.ok(at(0, 60).every((v) => v === 0), "closed before the incident");
    assert.ok(at(60, 120).includes(1), "open during the incident");
    assert.ok(at(60, 120).filter((v) => v > 0).length > 30, "open (or half open) most of the incident");
    assert.ok(at(130, 181).every((v) => v === 0), "closed again after it");
    assert.ok(report.guards.some((g) => g.breaker && g.breaker.opens > 0));
    // Hovering inside the bands names the faults.
    await page.locator("#chart-throughput").scrollIntoViewIfNeeded();
    const plot = await page.locator("#chart-throughput .u-over").boundingBox();
    await page.mouse.move(plot.x + plot.width * (90 / 180), plot.y + plot.height / 2);
    await page.waitForSelector("#chart-throughput .fault-tag:not([hidden])");
    assert.equal(
      await page.textContent("#chart-throughput .fault-tag"),
      "errors: payments · latency: checkout<->payments",
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/circuit-breaker-hover.png` });
    // The Guards table reports the breaker.
    assert.match(await page.textContent("#guards"), /opened \d+× · [\d\u202f]+ rejected/);
    assert.match(await page.textContent("#summary"), /rejected breaker/);
    await shot(page, "circuit-breaker");
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("a retry storm shows attempts far above sent after the trigger", async () => {
    const { page, context, errors } = await open();
    const report = await runGallery(page, "retry-storm.yaml");
    const [fault] = report.faults;
    assert.equal(fault.kind, "slowdown");
    const chart = await chartData(page, "chart-throughput");
    for (const label of ["ok (goodput)", "error", "timeout", "rejected", "sent", "attempts", "retries"]) column(chart, label);
    const t = chart.data[0];
    const sent = column(chart, "sent");
    const attempts = column(chart, "attempts");
    const ok = column(chart, "ok (goodput)");
    const rows = (from, to) => t.map((x, i) => i).filter((i) => t[i] > from && t[i] <= to);
    const before = rows(0, fault.at_s);
    const after = rows(fault.until_s + 3, Infinity);
    assert.ok(after.length > 50, `rows after the trigger: ${after.length}`);
    assert.ok(mean(before.map((i) => attempts[i])) < 1.05 * mean(before.map((i) => sent[i])), "no retries before");
    assert.ok(after.every((i) => attempts[i] > sent[i]), "attempts exceed sent at every sample after the trigger");
    const ratio = mean(after.map((i) => attempts[i])) / mean(after.map((i) => sent[i]));
    assert.ok(ratio > 2, `attempts/sent after the trigger: ${ratio.toFixed(2)}`);
    assert.ok(report.attempts_per_request > 1.5, `attempts per request ${report.attempts_per_request}`);
    assert.ok(mean(after.map((i) => ok[i])) < 0.2 * mean(after.map((i) => sent[i])), "goodput collapses");
    // The fault band is on the chart; no guard has a breaker or a risk guard: no lane.
    assert.equal(chart.bands.length, 1);
    assert.equal(await page.locator("#guard-charts figure").count(), 0);
    assert.equal(await page.isVisible("#guard-charts"), false);
    await shot(page, "retry-storm");
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("event-loop starvation: a non-healthy status lane and its finding in the Health card", async () => {
    const { page, context, errors } = await open();
    const report = await runGallery(page, "event-loop-starvation.yaml");
    assert.equal(report.health.status, "COLLAPSE_RISK");
    // The lane: one block per health window, some of them not healthy.
    const lane = await chartData(page, "chart-health");
    const statuses = column(lane, "status");
    assert.equal(lane.data[0].length, report.health.timeline.length + 1);
    assert.deepEqual(lane.data[0].slice(0, -1), report.health.timeline.map((w) => w.start_s));
    const names = ["HEALTHY", "DEGRADED", "CRITICAL", "COLLAPSE_RISK"];
    assert.deepEqual(statuses.slice(0, -1).map((s) => names[s]), report.health.timeline.map((w) => w.status));
    assert.ok(statuses.some((s) => s > 0), "not healthy somewhere");
    assert.equal(await page.getAttribute("#chart-health", "data-worst"), "COLLAPSE_RISK");
    assert.match(await page.textContent("#chart-health .lane-legend"), /HEALTHY.*DEGRADED.*CRITICAL.*COLLAPSE_RISK/);
    // The card: status, failure modes and the findings' own text.
    assert.equal(await page.textContent("#health-status"), "COLLAPSE_RISK");
    const card = await page.textContent("#health-card");
    assert.match(card, /EVENT_LOOP_STARVATION/);
    assert.ok(report.health.findings.length > 0);
    for (const f of report.health.findings) assert.ok(card.includes(f.text), `finding in the card: ${f.text}`);
    assert.match(card, /`blocking` steps of \/export/);
    // No faults, no guards: no legend, no lanes.
    assert.equal(await page.isVisible("#faults-legend"), false);
    assert.equal(await page.locator("#guard-charts figure").count(), 0);
    await shot(page, "event-loop-starvation");
    // Hovering the lane names the status there.
    await page.locator("#chart-health").scrollIntoViewIfNeeded();
    const plot = await page.locator("#chart-health .u-over").boundingBox();
    await page.mouse.move(plot.x + plot.width * 0.4, plot.y + plot.height / 2);
    await page.waitForTimeout(150);
    assert.match(await page.textContent("#chart-health .u-legend"), /status:?\s*(HEALTHY|DEGRADED|CRITICAL|COLLAPSE_RISK)/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("the Health card shows SLOs with their alerts, and cost with its budget events", async () => {
    const { page, context, errors } = await open();
    const slo = await runGallery(page, "slo-burn.yaml");
    const missed = slo.slo.find((s) => !s.met);
    assert.ok(missed, "slo-burn misses an objective");
    const card = await page.textContent("#health-card");
    assert.ok(card.includes(missed.name) && card.includes(missed.objective), card);
    assert.match(card, /missed/);
    assert.match(card, /page ×\d+ \(burn ≥ 14\.4\): 120–150 s/);
    const cost = await runGallery(page, "llm-budget.yaml");
    assert.ok(cost.cost && cost.cost.budget, "llm-budget has a budget");
    const card2 = await page.textContent("#health-card");
    assert.ok(card2.includes(`total${cost.cost.total.toFixed(4)}`), card2);
    assert.match(card2, /budget breached\d+ s/);
    assert.match(card2, /budget actionfrom 300 sblock assistant\/summarize/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator("#health-card").screenshot({ path: `${ARTIFACTS}/health-card-llm-budget.png` });
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("scenario text is rendered as text, never as markup", async () => {
    const { page, context, errors } = await open();
    const evil = [
      "version: 1",
      'name: "<img src=x onerror=window.__xss=1>"',
      'description: "<script>window.__xss=2</script>"',
      "duration: 5s",
      "workload:",
      '  - name: "<b>w</b>"',
      "    to: <u>api",
      "    rate: 10/s",
      "services:",
      "  <u>api:",
      "    endpoints:",
      "      /:",
      "        - cpu: 1ms",
      "faults:",
      '  - { at: 1s, for: 1s, kind: slowdown, target: "<u>api", factor: 2 }',
      "",
    ].join("\n");
    await setEditorText(page, evil);
    await page.evaluate(() => window.loopsim.run());
    assert.equal(await page.textContent("#scenario-name"), "<img src=x onerror=window.__xss=1>");
    assert.equal(await page.textContent("#scenario-description"), "<script>window.__xss=2</script>");
    assert.equal(await page.locator("#services tbody td").first().textContent(), "<u>api");
    assert.equal(await page.locator("#workloads tbody td").first().textContent(), "<b>w</b>");
    assert.match(await page.textContent("#faults-legend"), /slowdown on <u>api, 1–2 s/);
    assert.equal(await page.locator("main img, main u, main b:not(.kpi b)").count(), 0);
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("a declared pool gets a chart and a table, and no empty thread-pool chart; none without pools", async () => {
    const { page, context, errors } = await open();
    await setEditorText(page, POOLED);
    await page.waitForSelector(".problems-summary:not(.has-errors)");
    const report = await page.evaluate(() => window.loopsim.run());
    const db = report.services.api.pools.db;
    assert.ok(db.utilization > 0.9 && db.timeouts > 0, JSON.stringify(db));
    // The chart: in the main grid right after the thread-pool chart, named after the pool.
    assert.equal(await page.locator("#main-charts .pool-chart").count(), 1);
    // No endpoint offloads, so no empty thread-pool chart: the pool's follows utilisation.
    assert.equal(await chartData(page, "chart-pool"), null);
    assert.equal(await page.isVisible("#chart-pool"), false, "no empty thread-pool chart");
    assert.equal(await page.isVisible("#guard-charts"), false, "a pool is not a lane");
    const chart = await chartData(page, "chart-pool-0");
    assert.equal(chart.title, "Pool db (api): permits in use and waiting requests");
    const t = chart.data[0];
    const inUse = column(chart, "in use");
    const waiting = column(chart, "waiting");
    const size = column(chart, "size (2 permits)");
    assert.equal(t.length, 600);
    assert.ok(size.every((v) => v === 2), "the size line is flat at 2");
    assert.ok(inUse.every((v) => v >= 0 && v <= 2), "never more than 2 in use");
    const measured = t.map((x, i) => i).filter((i) => t[i] > 5);
    assert.ok(mean(measured.map((i) => inUse[i])) > 1.7, "the pool is nearly always full");
    assert.ok(Math.max(...waiting) >= 5, `requests queue: max ${Math.max(...waiting)}`);
    const axes = await page.getAttribute("#chart-pool-0", "aria-label");
    assert.ok(axes.includes("permits in use") && axes.includes("waiting requests"), axes);
    // The table: the report's figures, the full pool and its timeouts marked.
    assert.equal(await page.isVisible("#pools-section"), true);
    const cells = await page.locator("#pools tbody tr").first().locator("td").allTextContents();
    assert.deepEqual(cells.slice(0, 3), ["api", "db", "2 × 1 (replica)"]);
    assert.match(cells[3], /^9\d(\.\d)? %$/);
    assert.equal(cells[7].replace(/\u202f/g, ""), String(db.timeouts));
    assert.equal(cells[8], "0");
    assert.match(cells[9], /^1\.\d+ \/ 2$/);
    assert.equal(await page.locator("#pools tbody td.warn").count(), 2, "busy and timeouts marked");
    const head = await page.locator("#pools thead th").allTextContents();
    assert.deepEqual(head, ["Service", "Pool", "Size × instances", "Busy", "Wait mean", "Wait p99", "Queue mean / max", "Timeouts", "Full", "In use mean / max"]);
    // The failures by kind name the new outcome.
    assert.match(await page.textContent("#summary"), /pool timeout [\d\u202f]+/);
    // Screenshots: wide with the pool chart in view, and phone-sized.
    mkdirSync(ARTIFACTS, { recursive: true });
    await shot(page, "pool-results-pane");
    await page.locator("#chart-pool-0").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/pool-1440x900.png` });
    await page.locator("#pools-section").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/pool-table-1440x900.png` });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator("#chart-pool-0").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/pool-390x844.png` });
    await page.locator("#pools-section").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/pool-table-390x844.png` });
    await page.setViewportSize({ width: 1440, height: 900 });
    // A scenario without pools: neither the chart nor the table, and the five charts as before.
    await setEditorText(page, DEFAULT_YAML);
    await page.waitForSelector(".problems-summary.ok");
    await page.evaluate(() => window.loopsim.run());
    assert.equal(await page.locator(".pool-chart").count(), 0);
    assert.equal(await chartData(page, "chart-pool-0"), null);
    assert.equal(await page.locator("#main-charts .chart:not(.main-chart) canvas").count(), 5);
    assert.equal(await page.isVisible("#pools-section"), false);
    assert.equal(await page.locator("#pools tbody tr").count(), 0);
    assert.doesNotMatch(await page.textContent("#summary"), /pool/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("caches, queues, autoscaling and links get their tables and charts, on a phone too", { timeout: 120_000 }, async () => {
    const { page, context, errors } = await open();
    // Each gallery scenario of a stateful component: its table (with the report's figures) and,
    // where it has one, its chart; screenshots wide and phone-sized.
    const cases = [
      { file: "url-shortener.yaml", section: "#caches-section", table: "#caches", chart: "chart-cache-0",
        row: (r) => ["urls", `${(r.caches.urls.hit_ratio * 100).toFixed(1)}`] },
      { file: "order-pipeline.yaml", section: "#queues-section", table: "#queues", chart: "chart-queue-0",
        row: () => ["orders"] },
      { file: "autoscaling-ramp.yaml", section: null, table: null, chart: "chart-scaling-0", row: null },
      { file: "thin-link-downloads.yaml", section: "#links-section", table: "#links", chart: "chart-links",
        row: () => ["client → app"] },
    ];
    mkdirSync(ARTIFACTS, { recursive: true });
    for (const c of cases) {
      const report = await runGallery(page, c.file);
      const name = c.file.replace(/\.yaml$/, "");
      if (c.section) {
        assert.equal(await page.isVisible(c.section), true, `${c.file}: ${c.section}`);
        const text = await page.locator(`${c.table} tbody`).textContent();
        for (const want of c.row(report)) assert.ok(text.includes(want), `${c.file}: ${want} in ${text}`);
        await page.locator(c.section).scrollIntoViewIfNeeded();
        await page.screenshot({ path: `${ARTIFACTS}/${name}-table-1440x900.png` });
      }
      if (c.chart) {
        const chart = await chartData(page, c.chart);
        assert.ok(chart && chart.data[0].length > 10, `${c.file}: ${c.chart} has data`);
        const peak = Math.max(...chart.data.slice(1).flat().filter((v) => v !== null));
        assert.ok(peak > 0, `${c.file}: ${c.chart} is not flat at zero`);
        await page.locator(`#${c.chart}`).scrollIntoViewIfNeeded();
        await page.screenshot({ path: `${ARTIFACTS}/${name}-chart-1440x900.png` });
      }
      await page.setViewportSize({ width: 390, height: 844 });
      await page.locator(c.section || `#${c.chart}`).scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${ARTIFACTS}/${name}-390x844.png` });
      await page.setViewportSize({ width: 1440, height: 900 });
    }
    // The queue's chart follows its depth: the burst's backlog is on it.
    const q = await chartData(page, "chart-queue-0").catch(() => null);
    assert.equal(q, null, "the last scenario has no queue, so no queue chart is left behind");
    assert.equal(await page.isVisible("#caches-section"), false, "no cache table left behind");
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("the live counters say they include the warm-up the results leave out", async () => {
    const { page, context, errors } = await open();
    const report = await runGallery(page, "cache-stampede.yaml");
    assert.equal(await page.isVisible("#kpis-note"), true);
    assert.match(await page.textContent("#kpis-note"), /whole run, the first 30 s of warm-up included/);
    // The strip's failures (whole run) exceed the results' (after the warm-up): the caption is why.
    const failed = Number((await page.textContent("#kpi-failed .value")).replace(/\D/g, ""));
    assert.ok(failed > report.requests.failed, `${failed} vs ${report.requests.failed}`);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${ARTIFACTS}/kpis-warmup-1440x900.png` });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator("#kpis").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/kpis-warmup-390x844.png` });
    await runGallery(page, "shop.yaml");
    assert.equal(await page.isVisible("#kpis-note"), false, "no warm-up, no caption");
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("the results open with what happened: the retry storm and the breaker in plain words", async () => {
    const { page, context, errors } = await open();
    await runGallery(page, "retry-storm.yaml");
    assert.equal(await page.isVisible("#diagnosis"), true);
    const storm = await page.locator("#diagnosis-list li.diag-critical").allTextContents();
    assert.ok(storm.some((t) => /attempts per request/.test(t)), storm.join("\n"));
    assert.ok(storm.some((t) => /outlived its trigger/.test(t)), storm.join("\n"));
    assert.ok(storm.every((t) => t.startsWith("Critical")), "each line says its severity in words");
    assert.match(await page.textContent("#health-score"), /HEALTHY < 400 ≤ DEGRADED < 1200 ≤ CRITICAL < 2500 ≤ COLLAPSE_RISK/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator("#diagnosis").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/diagnosis-retry-storm-1440x900.png` });
    await runGallery(page, "circuit-breaker.yaml");
    const breaker = (await page.locator("#diagnosis-list").textContent()) || "";
    assert.match(breaker, /rejected by a circuit breaker/);
    assert.match(breaker, /was open \d+% of the time/);
    // Names are set as code, never with their Markdown backticks.
    assert.doesNotMatch(breaker, /`/);
    assert.ok((await page.locator("#diagnosis-list code").count()) > 0, "names as code");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator("#diagnosis").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}/diagnosis-circuit-breaker-390x844.png` });
    const overflow = await page.evaluate(() => {
      const d = document.getElementById("diagnosis");
      return d.scrollWidth > d.clientWidth + 1;
    });
    assert.equal(overflow, false, "the list wraps on a phone");
    assert.deepEqual(errors, []);
    await context.close();
  });
});
