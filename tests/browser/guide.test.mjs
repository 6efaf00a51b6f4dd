// The guide panel: a scenario's `guide:` one step at a time (text with code, Back/Next),
// "Apply this change" through the editor (Ctrl+Z undoes it; a failure says why), the chart
// and topology box a step points at, and links that open at a step (`&step=N`). Then every
// gallery guide walked through in the page: each step's chart is on the page when it is shown.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { mkdirSync } from "node:fs";
import {
  ARTIFACTS,
  SCENARIO_FILES,
  open,
  scenarioText,
  serverUrl,
  setEditorText,
  text,
  useBrowser,
} from "./harness.mjs";

useBrowser();

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

const GUIDED = `version: 1
name: Guided starvation
description: One worker; a report blocks its event loop for 300 ms now and then.
duration: 20s
workload:
  - name: users
    to: api
    arrivals: poisson
    rate: 50/s
    mix: { /x: 0.98, /report: 0.02 }
services:
  api:
    workers: 1
    threads: 4
    endpoints:
      /x:
        - cpu: 2ms
      /report:
        - blocking: 300ms
guide:
  - text: Press Run and watch the \`lag\` chart spike each time a report runs.
    chart: lag
  - text: Move \`/report\` to the thread pool, then run again.
    change: { replace: "- blocking: 300ms", with: "- offload: 300ms" }
    node: api
  - text: The lag is gone; the thread pool chart shows the reports now.
    chart: pool
`;

async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}/${name}.png` });
}

const panel = (page) =>
  page.evaluate(() => ({
    shown: !document.getElementById("guide").hidden,
    position: document.getElementById("guide-position").textContent,
    text: document.getElementById("guide-text").textContent,
    code: [...document.querySelectorAll("#guide-text code")].map((c) => c.textContent),
    back: document.getElementById("guide-back").disabled,
    next: document.getElementById("guide-next").disabled,
    apply: document.getElementById("guide-apply").hidden ? null : document.getElementById("guide-apply").textContent,
    applyDisabled: document.getElementById("guide-apply").disabled,
    show: document.getElementById("guide-show").hidden ? null : document.getElementById("guide-show").textContent,
    status: document.getElementById("guide-status").textContent,
    charts: [...document.querySelectorAll(".guide-target")].map((e) => e.id || e.dataset.service || e.className.baseVal),
  }));

const inView = (page, selector) =>
  page.$eval(selector, (e) => {
    const r = e.getBoundingClientRect();
    return r.top < innerHeight && r.bottom > 0 && r.height > 0;
  });

test("a guide shows step by step, applies its change through the editor and points at charts and boxes", async () => {
  const { page, context, errors } = await open();
  try {
    await setEditorText(page, GUIDED);
    await page.waitForSelector("#guide:not([hidden])");
    let p = await panel(page);
    assert.equal(p.position, "Step 1 of 3");
    assert.equal(p.text, "Press Run and watch the lag chart spike each time a report runs.");
    assert.deepEqual(p.code, ["lag"]);
    assert.equal(p.back, true);
    assert.equal(p.next, false);
    assert.equal(p.apply, null, "no change at step 1");
    assert.equal(p.show, "Show the event-loop lag chart");
    assert.deepEqual(p.charts, ["chart-lag"], "the lag chart is marked");
    await screenshot(page, "guide-step1-1440");

    // Show: the chart scrolls into view.
    await page.click("#guide-show");
    await page.waitForFunction(() => {
      const r = document.getElementById("chart-lag").getBoundingClientRect();
      return r.top >= 0 && r.bottom <= innerHeight;
    });

    await page.click("#guide-next");
    p = await panel(page);
    assert.equal(p.position, "Step 2 of 3");
    assert.equal(p.apply, "Apply this change");
    assert.equal(p.show, "Show api in the topology");
    assert.ok(await page.$("#topology-diagram .topo-node.guide-target[data-service='api']"), "the api box is marked");
    assert.equal(await page.$("#chart-lag.guide-target"), null, "the old mark is gone");

    // Apply: one edit in the editor, undone by Ctrl+Z.
    await page.click("#guide-apply");
    const applied = await text(page);
    assert.equal(applied, GUIDED.replace("        - blocking: 300ms", "        - offload: 300ms"));
    p = await panel(page);
    assert.equal(p.apply, "✓ Change applied");
    assert.equal(p.applyDisabled, true);
    assert.match(p.status, /Press Run/);
    await screenshot(page, "guide-step2-applied-1440");
    await page.click(".cm-content");
    await page.keyboard.press("Control+z");
    assert.equal(await text(page), GUIDED);
    await page.waitForFunction(() => document.getElementById("guide-apply").textContent === "Apply this change");
    assert.equal((await panel(page)).position, "Step 2 of 3", "the step stays");

    // A change whose text was edited away: the page says why, the text is left alone.
    const edited = GUIDED.replace("        - blocking: 300ms", "        - blocking: 250ms");
    await setEditorText(page, edited);
    await page.waitForFunction(() => document.getElementById("guide-position").textContent === "Step 2 of 3");
    await page.click("#guide-apply");
    p = await panel(page);
    assert.match(p.status, /^This change cannot be applied: the text this step changes \(`- blocking: 300ms`\) is not in the scenario/);
    assert.equal(await text(page), edited);

    // Back to the guide's own text, apply, run: step 3 points at the thread-pool chart.
    await setEditorText(page, GUIDED);
    await page.waitForFunction(() => document.getElementById("guide-apply").textContent === "Apply this change");
    await page.click("#guide-apply");
    await page.click("#guide-next");
    p = await panel(page);
    assert.equal(p.position, "Step 3 of 3");
    assert.equal(p.next, true);
    assert.equal(p.back, false);
    await page.waitForFunction(() => !document.getElementById("chart-pool").hidden);
    const report = await page.evaluate(() => window.loopsim.run());
    assert.ok(report.requests.sent > 0);
    assert.deepEqual((await panel(page)).charts, ["chart-pool"]);
    await page.click("#guide-show");
    await page.waitForFunction(() => {
      const r = document.getElementById("chart-pool").getBoundingClientRect();
      return r.top >= 0 && r.bottom <= innerHeight;
    });
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, "guide-step3-1440");

    // No serious accessibility problem with the panel shown.
    await page.addScriptTag({ path: AXE });
    const vs = await page.evaluate(() =>
      window.axe.run(document, { resultTypes: ["violations"] }).then((r) =>
        r.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`),
      ),
    );
    assert.deepEqual(vs, []);

    // On a phone: the panel fits, nothing overflows sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(() => {
      document.getElementById("guide").scrollIntoView();
      window.scrollBy(0, -120); // below the sticky top bar
    });
    const o = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: document.documentElement.clientWidth }));
    assert.ok(o.scroll <= o.width, JSON.stringify(o));
    await screenshot(page, "guide-step3-390");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("while the text is not a valid scenario, the try list and guide are put away and the diagram marked stale; undo brings them back", async () => {
  const { page, context, errors } = await open();
  try {
    await setEditorText(page, `${GUIDED}try:\n  - Give \`api\` a second worker.\n`);
    await page.waitForSelector("#guide:not([hidden])");
    await page.waitForSelector("#scenario-try:not([hidden])");
    await page.click("#guide-next");
    assert.equal((await panel(page)).position, "Step 2 of 3");
    const shown = () =>
      page.evaluate(() => ({
        stale: document.documentElement.hasAttribute("data-stale"),
        note: !document.getElementById("topology-stale").hidden,
        try: !document.getElementById("scenario-try").hidden,
        guide: !document.getElementById("guide").hidden,
        marks: document.querySelectorAll(".guide-target").length,
      }));
    assert.deepEqual(await shown(), { stale: false, note: false, try: true, guide: true, marks: 1 });
    // One keystroke breaks it (an unknown top-level key and no `version`).
    await page.click(".cm-content");
    await page.keyboard.press("Control+Home");
    await page.keyboard.type("x");
    await page.waitForFunction(() => document.documentElement.hasAttribute("data-stale"));
    assert.deepEqual(await shown(), { stale: true, note: true, try: false, guide: false, marks: 0 });
    await screenshot(page, "stale-1440");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(() => {
      document.getElementById("topology").scrollIntoView();
      window.scrollBy(0, -120);
    });
    await screenshot(page, "stale-390");
    await page.setViewportSize({ width: 1440, height: 900 });
    // Undo: everything is back, the guide at the step it was on.
    await page.click(".cm-content");
    await page.keyboard.press("Control+z");
    await page.waitForFunction(() => !document.documentElement.hasAttribute("data-stale"));
    assert.deepEqual(await shown(), { stale: false, note: false, try: true, guide: true, marks: 1 });
    assert.equal((await panel(page)).position, "Step 2 of 3");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("Share on a step links to it; the link opens there with the earlier changes applied once", async () => {
  const a = await open();
  try {
    await setEditorText(a.page, GUIDED);
    await a.page.waitForSelector("#guide:not([hidden])");
    // At step 1 the link names step 1; from the original text, a link to step 3 applies the
    // change of step 2.
    await a.page.waitForTimeout(400); // the share payload is prepared after validation
    await a.page.click("#share");
    const link1 = await a.page.inputValue("#share-link");
    assert.match(link1, /#s=1\.[A-Za-z0-9_-]+&step=1$/);
    const b = await open(link1.slice(serverUrl().length).replace(/&step=1$/, "&step=3"));
    await b.page.waitForFunction(() => document.getElementById("guide-position").textContent === "Step 3 of 3");
    assert.equal(await text(b.page), GUIDED.replace("- blocking: 300ms", "- offload: 300ms"));
    assert.equal(await b.page.inputValue("#gallery"), "", "a shared scenario");
    await b.context.close();

    // Applied in the page, then shared at step 3: the link carries the changed text and opens
    // it unchanged.
    await a.page.click("#guide-next");
    await a.page.click("#guide-apply");
    await a.page.click("#guide-next");
    await a.page.waitForTimeout(400);
    await a.page.click("#share");
    const link3 = await a.page.inputValue("#share-link");
    assert.match(link3, /&step=3$/);
    // The message comes once the clipboard answers.
    await a.page.waitForFunction(() => /opens at step 3 of the guide/.test(document.getElementById("message-text").textContent));
    const c = await open(link3.slice(serverUrl().length));
    await c.page.waitForFunction(() => document.getElementById("guide-position").textContent === "Step 3 of 3");
    assert.equal(await text(c.page), await text(a.page));
    await c.context.close();

    // Past the end: the last step, with a note. A step that is no number: the link is refused.
    const d = await open(link1.slice(serverUrl().length).replace(/&step=1$/, "&step=9"));
    await d.page.waitForFunction(() => document.getElementById("guide-position").textContent === "Step 3 of 3");
    assert.match(await d.page.textContent("#message-text"), /points at step 9, but the guide has 3 steps/);
    await d.context.close();
    const e = await open(link1.slice(serverUrl().length).replace(/&step=1$/, "&step=x"));
    await e.page.waitForSelector("#message:not([hidden])");
    assert.match(await e.page.textContent("#message-text"), /its guide step is not a whole number/);
    await e.context.close();
    assert.deepEqual(a.errors, []);
  } finally {
    await a.context.close();
  }
});

/** Gallery files with a `guide:` block. */
const GUIDED_FILES = SCENARIO_FILES.filter((f) => /^guide:/m.test(scenarioText(f)));

test(`every gallery guide walks through in the page (${GUIDED_FILES.length} guides)`, { timeout: 300_000 }, async () => {
  const { page, context, errors } = await open();
  try {
    for (const file of GUIDED_FILES) {
      await page.selectOption("#gallery", file);
      await page.waitForSelector("#guide:not([hidden])");
      for (let k = 1; ; k++) {
        const p = await panel(page);
        assert.match(p.position, new RegExp(`^Step ${k} of \\d+$`), file);
        assert.ok(p.text.length > 0, `${file} step ${k} has text`);
        if (p.apply === "Apply this change") {
          const before = await text(page);
          await page.click("#guide-apply");
          assert.notEqual(await text(page), before, `${file} step ${k}: the change applied`);
          assert.doesNotMatch((await panel(page)).status, /cannot be applied/, `${file} step ${k}`);
          await page.waitForFunction(() => document.getElementById("problems-summary").textContent !== "Checking…");
          await page.waitForTimeout(350); // validation settles (charts for the changed text)
        }
        // The chart a step points at is on the page, shown.
        const marked = await page.$$eval(".charts .guide-target, #service-charts.guide-target", (es) =>
          es.map((e) => ({ id: e.id, hidden: e.hidden || e.getBoundingClientRect().height === 0 })),
        );
        if (p.show && p.show.startsWith("Show the")) {
          assert.ok(marked.length >= 1, `${file} step ${k}: ${p.show} is marked`);
          for (const m of marked) assert.equal(m.hidden, false, `${file} step ${k}: ${m.id} is shown`);
        }
        if (p.next) break;
        await page.click("#guide-next");
      }
      // The guide's changes leave a scenario that runs.
      const report = await page.evaluate(() => window.loopsim.run());
      assert.ok(report.requests.sent > 0, file);
    }
    if (GUIDED_FILES.length > 0) {
      await page.selectOption("#gallery", GUIDED_FILES[0]);
      await page.waitForSelector("#guide:not([hidden])");
      await screenshot(page, "guide-gallery-1440");
    }
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
