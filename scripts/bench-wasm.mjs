// The wasm half of scripts/bench.sh: runs scenarios in headless Chromium and prints one JSON
// line per measurement on stdout.
//
//   node scripts/bench-wasm.mjs engine PKG_DIR NAME=FILE...   the wasm-bindgen package (--target
//       web) of crates/loopsim-wasm: construct + run to the end + report JSON, timed in the page
//       with performance.now(), best of --repeat (default 3);
//   node scripts/bench-wasm.mjs page DIST_DIR NAME=FILE...    the built playground (trunk's
//       dist/): the scenario pasted into the editor, then `window.loopsim.run()` (full speed:
//       slicing, charts and tables included) timed from the call to its report.
//
// playwright-core drives Debian's Chromium (CHROMIUM overrides /usr/bin/chromium). Scenario
// text is handed to the page as data (page.evaluate arguments), never as code.
import { readFileSync, mkdtempSync, writeFileSync, copyFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { serve } from "../tests/browser/serve.mjs";

const [mode, dir, ...rest] = process.argv.slice(2);
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
      out = await page.evaluate(async () => {
        const t0 = performance.now();
        const report = await window.loopsim.run();
        return { wall: (performance.now() - t0) / 1000, events: report.events, requests: report.requests.sent };
      });
      best = Math.min(best, out.wall);
      await page.close();
    }
    console.log(JSON.stringify({ mode, name, browser: version, wall_s: best, events: out.events, requests: out.requests }));
  }
  await server.close();
}

try {
  await (mode === "engine" ? engine() : playground());
} finally {
  await browser.close();
}
