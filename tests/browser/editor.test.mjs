// Browser tests of "the editor keeps your work" (issue 11): the draft survives a reload, share
// links carry the seed, the Example box says "Custom" once the text is edited, names complete
// after `to:` and `call:`, a did-you-mean is fixed in one click, a long run asks first, and the
// editor shows its focus and how to leave it. Run alone with
//   node --test --test-concurrency=1 tests/browser/editor.test.mjs
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { deflateRawSync } from "node:zlib";
import { ARTIFACTS, DEFAULT_YAML, open, rectOf, runState, serverUrl, setEditorText, text, useBrowser } from "./harness.mjs";

useBrowser();

const EDITED = DEFAULT_YAML.replace("name: Shop", "name: My shop");

/** About 360 M events: minutes at any browser's speed. */
const HUGE = [
  "version: 1",
  "name: Huge",
  "duration: 1h",
  "workload:",
  "  - to: api",
  "    rate: 20000/s",
  "services:",
  "  api:",
  "    endpoints:",
  "      /:",
  "        - cpu: 10us",
  "        - io: 1ms",
  "",
].join("\n");

const galleryValue = (page) => page.inputValue("#gallery");
const galleryText = (page) => page.$eval("#gallery", (s) => s.selectedOptions[0]?.textContent);
const stored = (page) => page.evaluate(() => localStorage.getItem("loopsim.draft.v1"));

async function editorShot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.locator(".pane-editor").screenshot({ path: `${ARTIFACTS}/${name}.png` });
}

describe("the editor keeps your work", () => {
  test("the scenario and the seed survive a reload; an example picked afterwards wins", async () => {
    const { page, context, errors } = await open();
    await setEditorText(page, EDITED);
    await page.fill("#seed", "7");
    await page.waitForFunction(() => (localStorage.getItem("loopsim.draft.v1") || "").startsWith("7\nversion: 1"));
    assert.equal(await stored(page), "7\n" + EDITED);
    await page.reload();
    await page.waitForFunction(() => window.loopsim && document.querySelector(".cm-content"));
    assert.equal(await text(page), EDITED);
    assert.equal(await page.inputValue("#seed"), "7");
    assert.equal(await galleryValue(page), "(custom)");
    assert.match(await page.textContent("#message-text"), /last visit/);
    assert.equal((await page.evaluate(() => window.loopsim.run())).seed, "7", "the kept seed is used");
    // Picking an example loads it; the draft stays stored until the example is edited.
    await page.fill("#seed", "");
    await page.selectOption("#gallery", "closed-users.yaml");
    assert.equal(await galleryValue(page), "closed-users.yaml");
    assert.equal(await page.$("#gallery option[value='(custom)']"), null, "no Custom option for an example");
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("the Example box says Custom once the text no longer matches the example", async () => {
    const { page, context, errors } = await open();
    assert.equal(await galleryValue(page), "shop.yaml");
    await page.click(".cm-content");
    await page.keyboard.press("Control+End");
    await page.keyboard.type("# my change\n");
    await page.waitForFunction(() => document.getElementById("gallery").value === "(custom)");
    assert.equal(await galleryText(page), "Custom");
    for (let i = 0; i < 5 && (await text(page)) !== DEFAULT_YAML; i++) await page.keyboard.press("Control+z");
    await page.waitForFunction(() => document.getElementById("gallery").value === "shop.yaml");
    assert.equal(await page.$("#gallery option[value='(custom)']"), null);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("a share link carries the seed; links without one still open with the scenario's", async () => {
    const a = await open();
    await setEditorText(a.page, EDITED);
    await a.page.fill("#seed", "12345");
    const report = await a.page.evaluate(() => window.loopsim.run());
    assert.equal(report.seed, "12345");
    await a.page.click("#share");
    await a.page.waitForFunction(() => document.getElementById("share-link").value.includes("seed"));
    const link = await a.page.inputValue("#share-link");
    assert.match(link, /#s=1\.[A-Za-z0-9_-]+&seed=12345$/);
    // The message follows the clipboard's answer (asynchronous).
    await a.page.waitForFunction(() => /seed 12345/.test(document.getElementById("message-text").textContent));
    const b = await open(link.slice(serverUrl().length));
    await b.page.waitForFunction(() => document.documentElement.dataset.runState === "finished", null, { timeout: 60_000 });
    assert.equal(await text(b.page), EDITED);
    assert.equal(await b.page.inputValue("#seed"), "12345");
    assert.deepEqual(await b.page.evaluate(() => window.loopsim.report()), report, "the same run");
    assert.equal(await galleryValue(b.page), "", "Shared scenario");
    // A link made before seeds travelled runs with the scenario's own seed.
    const old = await open("#s=1." + deflateRawSync(Buffer.from(EDITED)).toString("base64url"));
    await old.page.waitForFunction(() => document.documentElement.dataset.runState === "finished", null, { timeout: 60_000 });
    assert.equal(await old.page.inputValue("#seed"), "");
    assert.equal(await old.page.evaluate(() => window.loopsim.report().seed), "1");
    // A damaged seed says so.
    const bad = await open("#s=1." + deflateRawSync(Buffer.from(EDITED)).toString("base64url") + "&seed=x");
    await bad.page.waitForSelector("#message:not([hidden])");
    assert.match(await bad.page.textContent("#message-text"), /seed is not a whole number/);
    assert.deepEqual([...a.errors, ...b.errors, ...old.errors, ...bad.errors], []);
    for (const x of [a, b, old, bad]) await x.context.close();
  });

  test("completion offers the scenario's services after to: and endpoints after call:", async () => {
    const { page, context, errors } = await open();
    const head = DEFAULT_YAML.slice(0, DEFAULT_YAML.indexOf("workload:"));
    const tail = DEFAULT_YAML.slice(DEFAULT_YAML.indexOf("services:"));
    // The workload last: the services it names are above the cursor and below it alike.
    await setEditorText(page, head + tail + "workload:\n  - to: ");
    await page.keyboard.type("pay");
    const list = await page.waitForSelector(".cm-tooltip-autocomplete", { timeout: 5000 });
    assert.match(await list.textContent(), /payments/);
    await page.waitForTimeout(150); // CodeMirror ignores Enter right after the list opens
    await page.keyboard.press("Enter");
    assert.match(await text(page), /- to: payments$/);
    // call: offers service/endpoint, in a new service's endpoint at the end.
    const services = tail.slice(0, tail.indexOf("network:"));
    await setEditorText(page, head + "workload:\n  - to: gateway\n    rate: 1/s\n" + services + "  shop:\n    endpoints:\n      /buy:\n        - call: ");
    await page.keyboard.type("cat");
    const calls = await page.waitForSelector(".cm-tooltip-autocomplete", { timeout: 5000 });
    assert.match(await calls.textContent(), /catalog\/items/);
    await page.waitForTimeout(150);
    await page.keyboard.press("Enter");
    assert.match(await text(page), /- call: catalog\/items$/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("a did-you-mean is fixed in one click, from the problems list or the editor", async () => {
    const { page, context, errors } = await open();
    const broken = DEFAULT_YAML.replace("call: payments/charge", "call: paymnts/charge").replace("- cpu: 2ms", "- cpus: 2ms");
    await setEditorText(page, broken);
    const button = await page.waitForSelector("#problems button.fix-button >> text=Change to payments", { timeout: 5000 });
    await editorShot(page, "editor-did-you-mean");
    await button.click();
    await page.waitForFunction(() => window.loopsim.text().includes("call: payments/charge"));
    // The other one from the lint tooltip: hover the underlined word.
    await page.waitForFunction(() => !document.querySelector("#problems").textContent.includes("paymnts"));
    const r = await rectOf(page, "cpus");
    await page.mouse.move(r.x + r.width / 2, r.y + r.height / 2);
    const fix = await page.waitForSelector(".cm-tooltip-lint button.fix-button", { timeout: 5000 });
    assert.equal(await fix.textContent(), "Change to cpu");
    await editorShot(page, "editor-lint-fix");
    await fix.click();
    assert.equal(await text(page), DEFAULT_YAML);
    await page.waitForFunction(() => document.getElementById("gallery").value === "shop.yaml");
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("a huge scenario shows its estimate and asks before running; automation does not ask", async () => {
    const { page, context, errors } = await open();
    await page.waitForFunction(() => /events/.test(document.getElementById("run-estimate").textContent));
    await setEditorText(page, HUGE);
    await page.waitForFunction(() => /M events · about \d+ (min|h)/.test(document.getElementById("run-estimate").textContent));
    await page.click("#run");
    await page.waitForSelector("#run-confirm:not([hidden])");
    assert.match(await page.textContent("#run-confirm-text"), /^This run will take about \d+ (min|h)\. Run anyway\?$/);
    assert.equal(await runState(page), "idle", "nothing runs before the answer");
    await editorShot(page, "editor-huge-estimate");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator("#run-confirm").screenshot({ path: `${ARTIFACTS}/run-confirm-390.png` });
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.locator(".pane-results").screenshot({ path: `${ARTIFACTS}/run-confirm-1440.png`, clip: undefined });
    await page.click("#run-confirm-no");
    assert.equal(await page.isVisible("#run-confirm"), false);
    assert.equal(await runState(page), "idle");
    // Run anyway runs.
    await page.click("#run");
    await page.click("#run-confirm-yes");
    await page.waitForFunction(() => document.documentElement.dataset.runState === "running");
    await page.click("#reset");
    // The automation hook never waits for an answer.
    const pending = page.evaluate(() => window.loopsim.run().then(() => "done", (e) => e.message));
    await page.waitForFunction(() => document.documentElement.dataset.runState === "running");
    assert.equal(await page.isVisible("#run-confirm"), false);
    await page.click("#reset");
    assert.match(await pending, /reset/);
    // A shared link to it asks too, instead of starting at once.
    const linked = await open("#s=1." + deflateRawSync(Buffer.from(HUGE)).toString("base64url"));
    await linked.page.waitForSelector("#run-confirm:not([hidden])");
    assert.equal(await runState(linked.page), "idle");
    assert.deepEqual(linked.errors, []);
    await linked.context.close();
    // A small run measures this browser's speed for the next estimates.
    await page.selectOption("#gallery", "balancers.yaml");
    await page.evaluate(() => window.loopsim.run());
    const speed = Number(await page.evaluate(() => localStorage.getItem("loopsim.speed.v1")));
    assert.ok(speed > 1e4, `measured ${speed} events/s`);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("leaving asks first when the draft could not be kept", async () => {
    const { page, context, errors } = await open();
    await page.evaluate(() => {
      Storage.prototype.setItem = () => {
        throw new DOMException("full", "QuotaExceededError");
      };
    });
    await setEditorText(page, EDITED);
    await page.waitForFunction(() => document.getElementById("gallery").value === "(custom)");
    // The page's own handler decides (a real unload dialog in headless Chromium under load
    // can take the browser down with it): a cancelled event is the browser's prompt.
    const leaving = () =>
      page.evaluate(() => {
        const e = new Event("beforeunload", { cancelable: true });
        window.dispatchEvent(e);
        return e.defaultPrevented;
      });
    assert.equal(await leaving(), true, "the draft could not be stored: leaving asks");
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("the editor shows its focus, and Esc then Tab leaves it", async () => {
    const { page, context, errors } = await open();
    await page.click(".cm-content");
    const outline = await page.$eval(".cm-editor", (e) => getComputedStyle(e).outlineStyle);
    assert.equal(outline, "solid");
    assert.match(await page.textContent("#editor-keys"), /Esc then Tab leaves the editor/);
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.classList.contains("cm-content")), true, "Tab indents");
    await page.keyboard.press("Escape");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => !!document.activeElement.closest(".cm-editor")), false, "Esc, Tab: out");
    assert.deepEqual(errors, []);
    await context.close();
  });
});
