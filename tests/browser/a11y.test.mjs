// Accessibility and help: axe-core (injected from node_modules, no network) finds no serious or
// critical violation on the loaded page and after a run; nothing overflows sideways on a phone
// (390 × 844); focus is visible; the glossary and hover help come from loopsim_view::glossary;
// the format docs are a real page of the site, reachable offline.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARTIFACTS, ROOT, open, runGallery, serverUrl, shot, useBrowser } from "./harness.mjs";

useBrowser();

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/** axe-core's serious and critical violations on the page as it is now. */
async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) {
    await page.addScriptTag({ path: AXE });
  }
  const result = await page.evaluate(() =>
    window.axe.run(document, { resultTypes: ["violations"] }).then((r) =>
      r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 4).map((n) => `${n.target.join(" ")} — ${n.failureSummary}`),
      })),
    ),
  );
  return result.filter((v) => v.impact === "serious" || v.impact === "critical");
}

const describe = (vs) => vs.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.join("\n  ")}`).join("\n");

async function savePage(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: false });
}

test("axe finds no serious or critical violation, before and after a run", async () => {
  const { page, context, errors } = await open();
  try {
    const before = await axeViolations(page);
    assert.deepEqual(before, [], describe(before));
    await runGallery(page, "retry-storm.yaml");
    const after = await axeViolations(page);
    assert.deepEqual(after, [], describe(after));
    await shot(page, "a11y-1440-results");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("nothing overflows sideways at 390 × 844, before and after a run", async () => {
  const { page, context } = await open();
  try {
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = () =>
      page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        const wide = [...document.querySelectorAll("body *")]
          .filter((e) => e.getBoundingClientRect().right > width + 1 && !e.closest(".table-wrap, .cm-editor, .u-wrap, .glossary-panel"))
          .slice(0, 5)
          .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`);
        return { scroll: document.documentElement.scrollWidth, width, wide };
      });
    let o = await overflow();
    assert.ok(o.scroll <= o.width, `loaded page: ${JSON.stringify(o)}`);
    await savePage(page, "a11y-390-loaded");
    await runGallery(page, "circuit-breaker.yaml");
    o = await overflow();
    assert.ok(o.scroll <= o.width, `after a run: ${JSON.stringify(o)}`);
    await page.evaluate(() => document.querySelector(".results").scrollIntoView());
    await savePage(page, "a11y-390-results");
  } finally {
    await context.close();
  }
});

test("focus is visible on the controls reached with Tab", async () => {
  const { page, context } = await open();
  try {
    const seen = [];
    for (let k = 0; k < 8; k++) {
      await page.keyboard.press("Tab");
      const f = await page.evaluate(() => {
        const e = document.activeElement;
        if (!e || e === document.body || e.closest(".cm-editor")) return null;
        const s = getComputedStyle(e);
        return { tag: e.tagName.toLowerCase(), id: e.id, outline: s.outlineStyle, width: parseFloat(s.outlineWidth), shadow: s.boxShadow };
      });
      if (f) seen.push(f);
    }
    assert.ok(seen.length >= 4, JSON.stringify(seen));
    for (const f of seen) {
      assert.ok((f.outline !== "none" && f.width >= 1) || f.shadow !== "none", `no focus ring on ${JSON.stringify(f)}`);
    }
  } finally {
    await context.close();
  }
});

test("the glossary and hover help come from the one list of terms", async () => {
  const { page, context } = await open();
  try {
    await page.click("#glossary summary");
    const terms = await page.$$eval("#glossary-list dt", (dts) => dts.map((d) => d.textContent));
    for (const t of ["Ready queue", "Loop lag", "Utilisation", "Score", "Goodput", "p50, p90, p95, p99", "Attempts per request", "Breaker"]) {
      assert.ok(terms.includes(t), `glossary lists ${t}: ${terms}`);
    }
    assert.ok(await page.isVisible("#glossary-list"));
    const withGlossary = await axeViolations(page);
    assert.deepEqual(withGlossary, [], describe(withGlossary));
    await savePage(page, "a11y-glossary");
    await page.focus(".glossary-panel");
    await page.keyboard.press("Escape");
    assert.equal(await page.getAttribute("#glossary", "open"), null, "Esc closes the glossary");
    assert.equal(await page.evaluate(() => document.activeElement.tagName), "SUMMARY");
    // KPI cards and the Health card carry the glossary's text as hover help.
    const kpiTitles = await page.$$eval(".kpi", (ks) => ks.map((k) => k.getAttribute("title")));
    assert.ok(kpiTitles.every((t) => t && t.length > 20), JSON.stringify(kpiTitles));
    assert.match(await page.getAttribute("#health-title", "title"), /auditor/);
    // After a run, every column header of the results tables has help.
    await runGallery(page, "shop.yaml");
    const missing = await page.$$eval("#services th[scope=col], #workloads th[scope=col]", (ths) =>
      ths.filter((th) => !th.title).map((th) => th.textContent),
    );
    assert.deepEqual(missing.filter((h) => !/^(Service|Workload)$/.test(h)), []);
  } finally {
    await context.close();
  }
});

test("the format docs are a page of the site, linked from the header", async () => {
  const { page, context, foreign } = await open();
  try {
    const href = await page.getAttribute(".help-links a[href$='scenario-format.html']", "href");
    assert.equal(href, "docs/scenario-format.html");
    // The docs page forbids every script (its CSP): axe is injected past it.
    const docsContext = await context.browser().newContext({ bypassCSP: true });
    const docs = await docsContext.newPage();
    const response = await docs.goto(new URL(href, serverUrl()).href);
    assert.equal(response.status(), 200);
    assert.match(await docs.title(), /Scenario format/);
    assert.ok(await docs.isVisible("h2#client-side-guards"));
    const before = await axeViolations(docs);
    assert.deepEqual(before, [], describe(before));
    assert.deepEqual(foreign, []);
    await docs.setViewportSize({ width: 390, height: 844 });
    const wide = await docs.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(wide <= 0, `docs overflow by ${wide}px at 390`);
    await docsContext.close();
  } finally {
    await context.close();
  }
});

/** The `loopsim` binary that `cargo test --workspace` (scripts/test-all.sh) built, if any. */
function loopsimBinary() {
  const target = process.env.CARGO_TARGET_DIR || join(ROOT, "target");
  return ["debug", "release"].map((p) => join(target, p, "loopsim")).find((f) => existsSync(f));
}

test("the CLI's HTML report passes axe, fetches nothing and fits a phone", async (t) => {
  const bin = loopsimBinary();
  if (!bin) {
    t.skip("no loopsim binary built (cargo build -p loopsim-cli)");
    return;
  }
  const out = join(mkdtempSync(join(tmpdir(), "loopsim-report-")), "report.html");
  const run = spawnSync(bin, ["run", join(ROOT, "scenarios/failure-modes/retry-storm.yaml"), "--html", out], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const { page: home, context: homeContext } = await open();
  // The report forbids every script (its CSP): axe is injected past it.
  const context = await homeContext.browser().newContext({ bypassCSP: true, viewport: { width: 1440, height: 900 } });
  await homeContext.close();
  void home;
  try {
    const page = await context.newPage();
    const requests = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(`file://${out}`);
    assert.deepEqual(requests.filter((u) => !u.startsWith("file:")), [], "the report fetches nothing");
    assert.match(await page.textContent("#diagnosis-title + ul"), /attempts per request/);
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], describe(violations));
    await page.screenshot({ path: `${ARTIFACTS}/report-1440.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(wide <= 0, `the report overflows by ${wide}px at 390`);
    await page.screenshot({ path: `${ARTIFACTS}/report-390.png`, fullPage: true });
  } finally {
    await context.close();
  }
});
