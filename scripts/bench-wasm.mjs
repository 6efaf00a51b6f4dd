// The wasm half of scripts/bench.sh: runs scenarios in headless Chromium and prints one JSON
// line per measurement on stdout.
//
//   node scripts/bench-wasm.mjs engine PKG_DIR NAME=FILE...   the wasm-bindgen package (--target
//       web) of crates/loopsim-wasm: construct + run to the end + report JSON, timed in the page
//       with performance.now(), best of --repeat (default 3);
//   node scripts/bench-wasm.mjs page DIST_DIR NAME=FILE...    the built playground (trunk's
//       dist/): the scenario pasted into the editor, then `window.loopsim.run()` (full speed:
//       slicing, charts and tables included) timed from the call to its report. With
//       --profile it also prints where the page's time went (Chrome's sampling profiler over
//       the last run: self time by function, top 15) on stderr.
//
// playwright-core drives Debian's Chromium (CHROMIUM overrides /usr/bin/chromium). Scenario
// text is handed to the page as data (page.evaluate arguments), never as code.
import { readFileSync, mkdtempSync, writeFileSync, copyFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { serve } from "../tests/browser/serve.mjs";

const [mode, dir, ...rest] = process.argv.slice(2);
const profile = rest.includes("--profile");
const repeat = Number((rest.find((a) => a.startsWith("--repeat=")) || "--repeat=3").slice(9));
const cases = rest
  .filter((a) => !a.startsWith("--"))
  .map((a) => {
    const [name, file] = a.split("=");
    return { name, yaml: readFileSync(file, "utf8") };
  });
if (!["engine", "page"].includes(mode) || !dir || cases.length === 0) {
  console.error("usage: bench-wasm.mjs engine|page DIR NAME=FILE... [--repeat=N]");
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});
const version = browser.version();

/** A served directory holding the wasm-bindgen package and an empty page that loads nothing. */
function enginePage(pkg) {
  const root = mkdtempSync(join(tmpdir(), "loopsim-bench-"));
  for (const f of readdirSync(pkg)) copyFileSync(join(pkg, f), join(root, f));
  writeFileSync(join(root, "index.html"), "<!doctype html><title>loopsim bench</title>");
  return root;
}

async function engine() {
  const root = enginePage(dir);
  const server = await serve(root);
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.evaluate(async () => {
    const m = await import("./loopsim_wasm.js");
    await m.default();
    window.engine = m;
  });
  for (const { name, yaml } of cases) {
    let best = Infinity;
    let out;
    for (let i = 0; i < repeat; i++) {
      out = await page.evaluate((yaml) => {
        const m = window.engine;
        const t0 = performance.now();
        const sim = new m.Simulation(yaml, null);
        const progress = sim.runToEnd();
        const report = JSON.parse(sim.reportJson());
        const wall = (performance.now() - t0) / 1000;
        sim.free();
        return { wall, events: progress.events, requests: report.requests.sent };
      }, yaml);
      best = Math.min(best, out.wall);
    }
    console.log(JSON.stringify({ mode, name, browser: version, wall_s: best, events: out.events, requests: out.requests }));
  }
  await page.close();
  await server.close();
  rmSync(root, { recursive: true, force: true });
}

async function playground() {
  const server = await serve(dir);
  for (const { name, yaml } of cases) {
    let best = Infinity;
    let out;
    for (let i = 0; i < repeat; i++) {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await page.goto(server.url);
      await page.waitForFunction(() => window.loopsim && document.querySelector(".cm-content"));
      await page.click(".cm-content");
      await page.keyboard.press("Control+A");
      await page.keyboard.insertText(yaml);
      const cdp = profile && i === repeat - 1 ? await page.context().newCDPSession(page) : null;
      if (cdp) {
        await cdp.send("Profiler.enable");
        await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
        await cdp.send("Profiler.start");
      }
      out = await page.evaluate(async () => {
        const t0 = performance.now();
        const report = await window.loopsim.run();
        return { wall: (performance.now() - t0) / 1000, events: report.events, requests: report.requests.sent };
      });
      if (cdp) printProfile(name, (await cdp.send("Profiler.stop")).profile);
      best = Math.min(best, out.wall);
      await page.close();
    }
    console.log(JSON.stringify({ mode, name, browser: version, wall_s: best, events: out.events, requests: out.requests }));
  }
  await server.close();
}

/** Self time by function name of a CPU profile, top 15, on stderr. */
function printProfile(name, { nodes, samples, timeDeltas }) {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const self = new Map();
  samples.forEach((id, k) => {
    const f = byId.get(id).callFrame;
    const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}`;
    self.set(key, (self.get(key) || 0) + (timeDeltas[k] || 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.error(`${name}: ${total.toFixed(0)} ms sampled`);
  for (const [k, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.error(`  ${ms.toFixed(1).padStart(8)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${k}`);
  }
}

try {
  await (mode === "engine" ? engine() : playground());
} finally {
  await browser.close();
}
