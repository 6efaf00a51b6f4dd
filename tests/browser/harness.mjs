// The browser tests' shared harness: one static server of dist/ and one headless Chromium per
// test file (node's test runner runs each file in its own process), and the helpers every file
// uses. Call `useBrowser()` at the top of a test file.
//   LOOPSIM_DIST overrides the directory served; CHROMIUM the browser binary.
import { after, before } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serve } from "./serve.mjs";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const DIST = process.env.LOOPSIM_DIST || `${ROOT}dist`;
export const ARTIFACTS = `${ROOT}tests/browser/artifacts`;
export const SCENARIOS = `${ROOT}scenarios`;
/** Gallery file name → its path relative to scenarios/ (`basics/shop.yaml`). */
export const SCENARIO_PATHS = Object.fromEntries(
  readdirSync(SCENARIOS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(`${SCENARIOS}/${d.name}`)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => [f, `${d.name}/${f}`]),
    ),
);
/** Every gallery file name, sorted. */
export const SCENARIO_FILES = Object.keys(SCENARIO_PATHS).sort();
/** The text of a gallery scenario, by file name. */
export const scenarioText = (file) => readFileSync(`${SCENARIOS}/${SCENARIO_PATHS[file]}`, "utf8");
export const DEFAULT_YAML = scenarioText("shop.yaml");

let server;
let browser;

/** Starts the server and the browser before this file's tests and stops them after. */
export function useBrowser() {
before(async () => {
  server = await serve(DIST);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--headless",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
});
}

/** The static server's base URL (under a sub-path). */
export const serverUrl = () => server.url;

/** Opens the playground (optionally with a `#fragment`) in a fresh context. */
export async function open(fragment = "") {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  const foreign = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("request", (r) => {
    const u = r.url();
    if (!u.startsWith(server.url) && !u.startsWith("data:") && !u.startsWith("blob:")) foreign.push(u);
  });
  await page.goto(server.url + fragment);
  await page.waitForFunction(() => window.loopsim && document.querySelector(".cm-content"));
  return { page, context, errors, foreign };
}

/** Replaces the editor's text as a paste would (through CodeMirror, so onChange fires). */
export async function setEditorText(page, text) {
  await page.click(".cm-content");
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(text);
}

export const text = (page) => page.evaluate(() => window.loopsim.text());
export const snapshot = (page) => page.evaluate(() => window.loopsim.snapshot());
export const runState = (page) => page.evaluate(() => document.documentElement.dataset.runState);

/** 1-based line of the first error underline in the editor (0 when none). */
export const errorLine = (page) =>
  page.evaluate(() => {
    const lines = [...document.querySelectorAll(".cm-content .cm-line")];
    return lines.findIndex((l) => l.querySelector(".cm-lintRange-error")) + 1;
  });

/** Viewport rectangle of the first occurrence of `needle` in the editor's text, scrolled into
 * view (measured after CodeMirror's own pending scrolling has settled). */
export const rectOf = (page, needle) =>
  page.evaluate(async (needle) => {
    const frames = () => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
    const find = () => {
      const walker = document.createTreeWalker(document.querySelector(".cm-content"), NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const i = n.data.indexOf(needle);
        if (i >= 0) return [n, i];
      }
      return [null, -1];
    };
    await frames();
    const [node] = find();
    if (!node) return null;
    const view = document.querySelector(".cm-scroller").getBoundingClientRect();
    const at = node.parentElement.getBoundingClientRect();
    if (at.top < view.top || at.bottom > view.bottom) {
      node.parentElement.scrollIntoView({ block: "center" });
      await frames();
    }
    const [n, i] = find();
    const r = document.createRange();
    r.setStart(n, i);
    r.setEnd(n, i + needle.length);
    const b = r.getBoundingClientRect();
    return { x: b.x, y: b.y, width: b.width, height: b.height };
  }, needle);

export const lineOf = (source, needle) => source.slice(0, source.indexOf(needle)).split("\n").length;

/** What a chart plots (`window.loopsimGlue.chartData`): { title, labels, data, bands }. */
export const chartData = (page, id) => page.evaluate((id) => window.loopsimGlue.chartData(id), id);

/** The column of a chart's series `label` (data[0] is time). */
export function column(chart, label) {
  const i = chart.labels.indexOf(label);
  assert.ok(i >= 0, `${chart.title} has a "${label}" line: ${chart.labels}`);
  return chart.data[i + 1];
}

export const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Loads a gallery scenario and runs it to the end; returns its report. */
export async function runGallery(page, file) {
  await page.selectOption("#gallery", file);
  return page.evaluate(() => window.loopsim.run());
}

/** Screenshot of the results pane (charts, lanes, results) into tests/browser/artifacts/. */
export async function shot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.locator(".pane-results").screenshot({ path: `${ARTIFACTS}/${name}.png` });
}

