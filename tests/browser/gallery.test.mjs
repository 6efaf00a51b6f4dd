// The examples panel (sections, search, keyboard, phone), the "Try this" list under the
// description, and the offer to convert another tool's file pasted into the editor.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { mkdirSync, readFileSync } from "node:fs";
import {
  ARTIFACTS,
  ROOT,
  SCENARIO_FILES,
  SCENARIO_PATHS,
  errorLine,
  open,
  scenarioText,
  setEditorText,
  text,
  useBrowser,
} from "./harness.mjs";

useBrowser();

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const SECTIONS = [
  ["basics", "Basics"],
  ["failure-modes", "Failure modes"],
  ["guards", "Guards"],
  ["capacity", "Capacity"],
  ["interview", "Interview classics"],
  ["seeds", "Seed experiments"],
];

async function seriousViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.addScriptTag({ path: AXE });
  const vs = await page.evaluate(() =>
    window.axe.run(document, { resultTypes: ["violations"] }).then((r) =>
      r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) })),
    ),
  );
  return vs.filter((v) => v.impact === "serious" || v.impact === "critical");
}

async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}/${name}.png` });
}

/** The entries the panel shows now: [{ file, section, title }]. */
const visibleEntries = (page) =>
  page.$$eval("#gallery-list li[data-file]", (lis) =>
    lis
      .filter((li) => !li.hidden && !li.closest("section").hidden)
      .map((li) => ({
        file: li.dataset.file,
        section: li.closest("section").dataset.section,
        title: li.querySelector(".gallery-entry-title").textContent,
        summary: li.querySelector(".gallery-entry-summary").textContent,
      })),
  );

test("the examples panel lists every scenario under its section, searches, and loads by click or keyboard", async () => {
  const { page, context, errors } = await open();
  try {
    assert.equal(await page.isVisible("#gallery-panel"), false, "closed at first");
    await page.click("#gallery-open");
    assert.equal(await page.getAttribute("#gallery-open", "aria-expanded"), "true");
    assert.equal(await page.evaluate(() => document.activeElement.id), "gallery-search", "search has focus");
    const all = await visibleEntries(page);
    assert.deepEqual(all.map((e) => e.file).sort(), SCENARIO_FILES, "every file, once");
    for (const e of all) {
      assert.equal(e.section, SCENARIO_PATHS[e.file].split("/")[0], `${e.file} in its directory's section`);
      assert.ok(e.title.length > 0 && e.title !== e.file, `${e.file} shows its title`);
      assert.ok(e.summary.length > 10, `${e.file} shows a short explanation`);
    }
    const headings = await page.$$eval("#gallery-list section:not([hidden]) h3", (hs) => hs.map((h) => h.textContent));
    const present = SECTIONS.filter(([dir]) => all.some((e) => e.section === dir)).map(([, t]) => t);
    assert.deepEqual(headings, present, "sections in page order");
    assert.match(await page.textContent("#gallery-count"), new RegExp(`^${all.length} examples$`));
    await screenshot(page, "gallery-1440");

    // Search: every word must match the title, description, a try item or the section.
    await page.fill("#gallery-search", "retry");
    const retry = await visibleEntries(page);
    assert.ok(retry.some((e) => e.file === "retry-storm.yaml"), JSON.stringify(retry));
    assert.ok(retry.length < all.length);
    for (const e of retry) assert.match(scenarioText(e.file).toLowerCase(), /retr/, e.file);
    await page.fill("#gallery-search", "failure modes");
    const section = await visibleEntries(page);
    assert.ok(section.every((e) => e.section === "failure-modes" || /failure|modes/i.test(scenarioText(e.file))));
    assert.ok(section.filter((e) => e.section === "failure-modes").length >= 5);
    // Words match from a word's start; a short one some example has whole is read whole:
    // "slo" finds the SLO examples, not every "slow" one.
    await page.fill("#gallery-search", "slo");
    const slo = await visibleEntries(page);
    assert.ok(slo.length > 0);
    for (const e of slo) assert.match(scenarioText(e.file), /\bslos?\b/i, e.file);
    // "guided" finds every example with a guide (their cards say "Guided · N steps").
    await page.fill("#gallery-search", "guided");
    const guided = (await visibleEntries(page)).map((e) => e.file);
    const withGuide = all.filter((e) => /^guide:/m.test(scenarioText(e.file))).map((e) => e.file);
    assert.ok(withGuide.length > 0);
    for (const f of withGuide) assert.ok(guided.includes(f), f);
    await page.fill("#gallery-search", "zzz no such thing");
    assert.deepEqual(await visibleEntries(page), []);
    assert.ok(await page.isVisible("#gallery-empty"));
    assert.match(await page.textContent("#gallery-empty"), /No example matches “zzz no such thing”/);

    // Keyboard: type, ArrowDown to the first match, Enter loads it and closes the panel.
    await page.fill("#gallery-search", "closed loop");
    await page.keyboard.press("ArrowDown");
    const focused = await page.evaluate(() => document.activeElement.dataset.file);
    assert.equal(focused, (await visibleEntries(page))[0].file);
    await page.keyboard.press("Enter");
    assert.equal(await page.isVisible("#gallery-panel"), false);
    assert.equal(await text(page), scenarioText(focused));
    assert.equal(await page.inputValue("#gallery"), focused, "the select follows");
    assert.equal(await page.evaluate(() => document.activeElement.id), "gallery-open", "focus returns");

    // Enter in the search box loads the first match; Escape closes without loading.
    await page.click("#gallery-open");
    await page.fill("#gallery-search", "retry storm");
    await page.keyboard.press("Enter");
    assert.equal(await text(page), scenarioText("retry-storm.yaml"));
    await page.click("#gallery-open");
    assert.equal(
      await page.getAttribute("#gallery-list button[data-file='retry-storm.yaml']", "aria-current"),
      "true",
      "the current example is marked",
    );
    await page.keyboard.press("Escape");
    assert.equal(await page.isVisible("#gallery-panel"), false);
    assert.equal(await text(page), scenarioText("retry-storm.yaml"));

    // A click on an entry loads it; a click elsewhere closes the panel.
    await page.click("#gallery-open");
    await page.fill("#gallery-search", "");
    await page.click("#gallery-list button[data-file='shop.yaml']");
    assert.equal(await text(page), scenarioText("shop.yaml"));
    await page.click("#gallery-open");
    await page.mouse.click(700, 880);
    assert.equal(await page.isVisible("#gallery-panel"), false);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("the examples panel is accessible and fits a phone (390 × 844)", async () => {
  const { page, context, errors } = await open();
  try {
    await page.click("#gallery-open");
    const vs = await seriousViolations(page);
    assert.deepEqual(vs, [], JSON.stringify(vs, null, 1));
    await page.setViewportSize({ width: 390, height: 844 });
    const o = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: document.documentElement.clientWidth }));
    assert.ok(o.scroll <= o.width, JSON.stringify(o));
    const box = await page.$eval("#gallery-panel", (p) => p.getBoundingClientRect().toJSON());
    assert.ok(box.left >= 0 && box.right <= 390 && box.bottom <= 844, JSON.stringify(box));
    await screenshot(page, "gallery-390");
    await page.fill("#gallery-search", "cache");
    await screenshot(page, "gallery-390-search");
    assert.ok((await visibleEntries(page)).length > 0);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

const WITH_TRY = `version: 1
name: Try list
description: One service with a slow step.
duration: 5s
workload:
  - name: users
    to: api
    arrivals: poisson
    rate: 20/s
    mix: { /x: 1 }
services:
  api:
    endpoints:
      /x:
        - blocking: 5ms
try:
  - "Raise \`rate\` to 400/s: the lag chart climbs."
  - "Change \`blocking\` to \`offload\`: the lag goes away."
`;

test("the description area shows the scenario's Try this list, with code", async () => {
  const { page, context, errors } = await open();
  try {
    await setEditorText(page, WITH_TRY);
    await page.waitForFunction(() => document.querySelector("#scenario-try-list li")?.textContent.startsWith("Raise rate"));
    assert.equal(await page.isVisible("#scenario-try"), true);
    const items = await page.$$eval("#scenario-try-list li", (lis) => lis.map((l) => l.textContent));
    assert.deepEqual(items, [
      "Raise rate to 400/s: the lag chart climbs.",
      "Change blocking to offload: the lag goes away.",
    ]);
    assert.deepEqual(await page.$$eval("#scenario-try-list code", (cs) => cs.map((c) => c.textContent)), ["rate", "blocking", "offload"]);
    // A scenario without one hides the list.
    await setEditorText(page, WITH_TRY.replace(/try:[\s\S]*$/, ""));
    await page.waitForFunction(() => document.getElementById("scenario-try").hidden);
    // Untrusted text stays text.
    await setEditorText(page, WITH_TRY.replace("Raise `rate`", "Raise <img src=x onerror=alert(1)> `rate`"));
    await page.waitForFunction(() => document.querySelector("#scenario-try-list li")?.textContent.includes("<img"));
    assert.equal(await page.$("#scenario-try-list img"), null);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

const PROFILE = `{
  "id": "EXP-002",
  "agents": 400,
  "workers": 4,
  "buffer": 80,
  "drop_rate": 0.2,
  "colour": "blue"
}
`;

test("a pasted agent-chaos profile is offered for conversion, converted with its notes, undoable", async () => {
  const { page, context, errors } = await open();
  try {
    await setEditorText(page, PROFILE);
    await page.waitForSelector("#convert-offer:not([hidden])");
    assert.match(await page.textContent("#convert-text"), /This looks like an agent-chaos experiment profile\./);
    assert.equal(await page.textContent("#convert-apply"), "Convert it to a loopsim scenario");
    await screenshot(page, "convert-offer-1440");
    await page.click("#convert-apply");
    const converted = await text(page);
    assert.match(converted, /^.*\n?[\s\S]*services:/m, "native YAML");
    await page.waitForFunction(() => !document.querySelector(".problems-summary").classList.contains("has-errors"));
    assert.match(await page.textContent("#convert-text"), /Converted an agent-chaos experiment profile/);
    const notes = await page.$$eval("#convert-notes li", (ls) => ls.map((l) => l.textContent));
    assert.ok(notes.some((n) => /^line 7, column \d+ of the original file: .*colour/.test(n)), JSON.stringify(notes));
    await screenshot(page, "convert-done-1440");
    // It runs.
    const report = await page.evaluate(() => window.loopsim.run());
    assert.ok(report.requests.sent > 0);
    // Ctrl+Z in the editor brings the profile back (and the offer with it).
    await page.click(".cm-content");
    await page.keyboard.press("Control+z");
    assert.equal(await text(page), PROFILE);
    await page.waitForFunction(() => document.getElementById("convert-offer").dataset.mode === "offer");
    // While the editor holds the profile, the problems are the converter's (none here but the
    // unmapped key), not the native format's ("missing `version`"…).
    const problems = await page.textContent("#problems");
    assert.doesNotMatch(problems, /version|services/, problems);
    assert.match(problems, /colour/);
    assert.equal(await page.isVisible("#convert-apply"), true);
    // A malformed one says at once why it cannot be converted, underlined where, with no button.
    await setEditorText(page, PROFILE.replace('"workers": 4', '"workers": -4'));
    await page.waitForFunction(() => document.getElementById("convert-offer").dataset.mode === "failed");
    assert.match(await page.textContent("#convert-text"), /cannot be converted/);
    assert.match(await page.textContent("#convert-notes"), /line 4, column \d+: /);
    assert.equal(await page.isVisible("#convert-apply"), false);
    assert.equal(await errorLine(page), 4);
    assert.match(await page.textContent("#problems-summary"), /^1 error/);
    assert.doesNotMatch(await page.textContent("#problems"), /version/);
    assert.match(await text(page), /"workers": -4/, "the text is left alone");
    await screenshot(page, "convert-failed-1440");
    // Undo: the offer is back with its button, the error gone.
    await page.keyboard.press("Control+z");
    assert.equal(await text(page), PROFILE);
    await page.waitForFunction(() => document.getElementById("convert-offer").dataset.mode === "offer");
    assert.equal(await page.isVisible("#convert-apply"), true);
    assert.doesNotMatch(await page.textContent("#problems-summary"), /error/);
    // Native scenarios get no offer (the failure goes with the text).
    await setEditorText(page, PROFILE.replace('"workers": 4', '"workers": -4'));
    await page.waitForFunction(() => document.getElementById("convert-offer").dataset.mode === "failed");
    await setEditorText(page, scenarioText("shop.yaml"));
    await page.waitForFunction(() => document.getElementById("convert-offer").hidden);
    // Dismiss hides a conversion's result.
    await setEditorText(page, PROFILE);
    await page.waitForFunction(() => document.getElementById("convert-offer").dataset.mode === "offer");
    await page.click("#convert-apply");
    await page.waitForFunction(() => document.getElementById("convert-offer").dataset.mode === "converted");
    await page.click("#convert-close");
    assert.equal(await page.isVisible("#convert-offer"), false);
    await setEditorText(page, PROFILE);
    await page.waitForSelector("#convert-offer:not([hidden])");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(() => {
      document.getElementById("convert-offer").scrollIntoView();
      window.scrollBy(0, -120); // below the sticky top bar
    });
    await screenshot(page, "convert-offer-390");
    const vs = await seriousViolations(page);
    assert.deepEqual(vs, [], JSON.stringify(vs));
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("a pasted AsyncFlow payload is offered for conversion and runs like `loopsim run` on it", async () => {
  const { page, context, errors } = await open();
  try {
    const payload = readFileSync(`${ROOT}tests/asyncflow/examples/two_servers_lb.yml`, "utf8");
    await setEditorText(page, payload);
    await page.waitForSelector("#convert-offer:not([hidden])");
    assert.match(await page.textContent("#convert-text"), /This looks like an AsyncFlow scenario\./);
    // The converter's warnings, not the native format's errors, beside the offer.
    await page.waitForFunction(() => /warning/.test(document.getElementById("problems-summary").textContent));
    assert.doesNotMatch(await page.textContent("#problems-summary"), /error/);
    assert.doesNotMatch(await page.textContent("#problems"), /version/);
    assert.match(await page.textContent("#problems"), /sample_period_s/);
    assert.equal(await errorLine(page), 0);
    await screenshot(page, "convert-asyncflow-offer-1440");
    // Run says to convert it first, and leaves the converter's problems in place.
    await page.click("#run");
    await page.waitForSelector("#message:not([hidden])");
    assert.match(await page.textContent("#message-text"), /another tool's file: convert it/);
    assert.doesNotMatch(await page.textContent("#problems"), /version/);
    await page.click("#message-close");
    await page.click("#convert-apply");
    const converted = await text(page);
    // The same native YAML as the CLI's golden conversion of this example.
    assert.equal(converted, readFileSync(`${ROOT}tests/asyncflow/two_servers_lb.native.yaml`, "utf8"));
    await page.waitForFunction(() => !document.querySelector(".problems-summary").classList.contains("has-errors"));
    const notes = await page.$$eval("#convert-notes li", (ls) => ls.map((l) => l.textContent));
    assert.ok(notes.some((n) => /sample_period_s/.test(n)), JSON.stringify(notes));
    await screenshot(page, "convert-asyncflow-1440");
    const report = await page.evaluate(() => window.loopsim.run());
    assert.ok(report.requests.sent > 10000, `sent ${report.requests.sent}`);
    await page.click(".cm-content");
    await page.keyboard.press("Control+z");
    assert.equal(await text(page), payload);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
