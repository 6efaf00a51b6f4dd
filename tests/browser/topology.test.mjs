// The topology diagram: drawn for every gallery scenario without overlapping labels, painted
// live (in place, never redrawn) and after the run with the bottleneck marked, and a way into
// a service's charts and table row by click or keyboard.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { ARTIFACTS, SCENARIO_FILES, open, runGallery, setEditorText, useBrowser } from "./harness.mjs";

useBrowser();

/** Every box of the diagram with the page boxes of its rectangle and of its texts. */
const boxes = (page) =>
  page.evaluate(() => {
    const r = (e) => {
      const b = e.getBoundingClientRect();
      return { x: b.x, y: b.y, w: b.width, h: b.height };
    };
    return [...document.querySelectorAll("#topology-diagram .topo-node")].map((g) => ({
      name: g.querySelector(".topo-name").textContent,
      service: g.dataset.service ?? null,
      level: g.dataset.level,
      rect: r(g.querySelector(".topo-box")),
      texts: [...g.querySelectorAll(".topo-name, .topo-detail, [class^=topo-live]")]
        .filter((t) => t.textContent !== "")
        .map((t) => ({ text: t.textContent, ...r(t) })),
      edgeLabels: [],
    }));
  });

const edgeLabels = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll("#topology-diagram .topo-edge-label")].map((t) => {
      const b = t.getBoundingClientRect();
      return { text: t.textContent, x: b.x, y: b.y, w: b.width, h: b.height };
    }),
  );

const overlap = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
const inside = (t, r) => t.x >= r.x - 0.5 && t.x + t.w <= r.x + r.w + 0.5 && t.y >= r.y - 0.5 && t.y + t.h <= r.y + r.h + 0.5;

/** Asserts every label sits inside its own box and no two boxes or labels overlap. */
async function assertReadable(page, what) {
  const nodes = await boxes(page);
  assert.ok(nodes.length > 0, `${what}: a diagram is drawn`);
  for (const n of nodes) {
    for (const t of n.texts) assert.ok(inside(t, n.rect), `${what}: "${t.text}" overflows its box ${JSON.stringify(n.rect)} ${JSON.stringify(t)}`);
  }
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      assert.ok(!overlap(nodes[i].rect, nodes[j].rect), `${what}: ${nodes[i].name} and ${nodes[j].name} overlap`);
    }
  }
  const labels = await edgeLabels(page);
  for (const l of labels) {
    for (const n of nodes) assert.ok(!overlap(l, n.rect), `${what}: edge label "${l.text}" covers ${n.name}`);
  }
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      assert.ok(!overlap(labels[i], labels[j]), `${what}: edge labels "${labels[i].text}" and "${labels[j].text}" overlap`);
    }
  }
  return nodes;
}

async function topologyShot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.locator("#topology").scrollIntoViewIfNeeded();
  await page.locator("#topology").screenshot({ path: `${ARTIFACTS}/${name}.png` });
}

describe("topology", () => {
  test("every gallery scenario is drawn with no overlapping labels, before and after a run", async () => {
    const { page, context, errors } = await open();
    try {
      for (const file of SCENARIO_FILES) {
        await page.selectOption("#gallery", file);
        await assertReadable(page, `${file} (before the run)`);
      }
      // After a run the boxes carry figures too; they must still fit.
      for (const file of ["shop.yaml", "order-pipeline.yaml", "url-shortener.yaml", "pool-exhaustion.yaml"]) {
        await runGallery(page, file);
        const nodes = await assertReadable(page, `${file} (after the run)`);
        assert.ok(nodes.some((n) => n.level !== "idle"), `${file}: boxes painted after the run`);
      }
      // Fifty services in a tree of calls: drawn, every box present, nothing overlapping.
      let yaml = "version: 1\nduration: 5s\nworkload: [ { name: users, to: s0, rate: 50/s } ]\nservices:\n";
      for (let i = 0; i < 50; i++) {
        yaml += `  s${i}:\n    endpoints:\n      /x:\n        - cpu: 1ms\n`;
        for (const j of [i + 1, i + 3]) if (j < 50) yaml += `        - call: s${j}/x\n`;
      }
      await setEditorText(page, yaml);
      await page.waitForFunction(() => document.querySelectorAll("#topology-diagram .topo-node").length === 51, null, {
        timeout: 5000,
      });
      await assertReadable(page, "50 services");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("the run paints the boxes in place and marks the bottleneck", async () => {
    const { page, context, errors } = await open();
    try {
      await page.selectOption("#gallery", "retry-storm.yaml");
      await page.evaluate(() => {
        window.__topoSvg = document.querySelector("#topology-diagram svg");
        window.__paints = new Set();
        const root = document.querySelector("#topology-diagram");
        new MutationObserver(() => window.__paints.add(root.dataset.paint ?? "idle")).observe(root, {
          attributes: true,
          subtree: true,
        });
      });
      await page.evaluate(() => window.loopsim.run());
      const state = await page.evaluate(() => ({
        same: document.querySelector("#topology-diagram svg") === window.__topoSvg,
        paints: [...window.__paints],
      }));
      assert.ok(state.same, "the diagram was repainted, not redrawn");
      assert.ok(state.paints.includes("running"), `painted while running: ${state.paints}`);
      const api = await page.evaluate(() => {
        const g = document.querySelector('#topology-diagram .topo-node[data-service="api"]');
        return {
          bottleneck: g.classList.contains("bottleneck"),
          level: g.dataset.level,
          fill: g.querySelector(".topo-box").getAttribute("fill"),
          tag: g.querySelector(".topo-tag").textContent,
          fault: g.querySelector(".topo-fault").textContent,
          tooltip: g.querySelector("title").textContent,
        };
      });
      assert.deepEqual(
        { bottleneck: api.bottleneck, level: api.level, tag: api.tag },
        { bottleneck: true, level: "critical", tag: "BOTTLENECK" },
      );
      assert.equal(api.fill, "#ffe3e3");
      assert.match(api.fault, /slowdown ×2/);
      // The tooltip holds every figure uncut.
      assert.match(api.tooltip, /busy · lag .*\nfault: slowdown ×2 30–32 s\nbottleneck$/s);
      await topologyShot(page, "topology-retry-storm");
      // Reset: back to the idle look.
      await page.click("#reset");
      const idle = await page.evaluate(() =>
        [...document.querySelectorAll("#topology-diagram .topo-node")].every((g) => g.dataset.level === "idle"),
      );
      assert.ok(idle, "reset clears the paint");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("clicking or pressing Enter on a service focuses its charts and its table row", async () => {
    const { page, context, errors } = await open();
    try {
      await runGallery(page, "shop.yaml");
      // The page's own selector and keyed rows: no stand-ins, so losing either fails here.
      await page.evaluate(() => {
        window.__changes = [];
        const select = document.getElementById("service-select");
        select.addEventListener("change", () => window.__changes.push(select.value));
      });
      assert.equal(await page.locator("#services tr[data-service]").count(), 3, "keyed service rows");
      await page.locator('#topology-diagram .topo-node[data-service="payments"]').click();
      let focus = await page.evaluate(() => ({
        changes: window.__changes,
        value: document.getElementById("service-select").value,
        rows: [...document.querySelectorAll("tr.focused")].map((tr) => tr.dataset.service),
        selected: [...document.querySelectorAll("#topology-diagram .topo-node.selected")].map((g) => g.dataset.service),
      }));
      assert.deepEqual(focus, { changes: ["payments"], value: "payments", rows: ["payments"], selected: ["payments"] });
      // And the per-service charts are payments' now.
      assert.match(await page.textContent("#service-detail"), /payments: event-loop lag/);
      const inView = await page.evaluate(() => {
        const b = document.querySelector("tr.focused").getBoundingClientRect();
        return b.top >= -1 && b.bottom <= window.innerHeight + 1;
      });
      assert.ok(inView, "the focused row is scrolled into view");
      // Keyboard: Tab reaches the boxes (tabindex), Enter focuses.
      await page.locator('#topology-diagram .topo-node[data-service="catalog"]').focus();
      await page.keyboard.press("Enter");
      focus = await page.evaluate(() => ({
        value: document.getElementById("service-select").value,
        rows: [...document.querySelectorAll("tr.focused")].map((tr) => tr.dataset.service),
      }));
      assert.deepEqual(focus, { value: "catalog", rows: ["catalog"] });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("names from the scenario are shown as text, never as markup", async () => {
    const { page, context, errors } = await open();
    try {
      await setEditorText(
        page,
        [
          "version: 1",
          'name: "<img src=x onerror=window.__pwned=1>"',
          "duration: 5s",
          'workload: [ { name: "<img src=x onerror=window.__pwned=2>", to: "x<b>y&z", rate: 10/s } ]',
          "services:",
          '  "x<b>y&z": { endpoints: { /x: [ { cpu: 1ms } ] } }',
          "",
        ].join("\n"),
      );
      await page.waitForFunction(() => document.querySelectorAll("#topology-diagram .topo-node").length === 2);
      const shown = await page.evaluate(() => ({
        pwned: window.__pwned ?? null,
        injected: document.querySelectorAll("#topology-diagram img, #topology-diagram b").length,
        names: [...document.querySelectorAll("#topology-diagram .topo-name")].map((t) => t.textContent),
        service: document.querySelector("#topology-diagram .topo-service").dataset.service,
      }));
      assert.deepEqual(shown, {
        pwned: null,
        injected: 0,
        names: ["<img src=x onerror=window._…", "x<b>y&z"],
        service: "x<b>y&z",
      });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("screenshots at desktop and phone widths", async () => {
    for (const [w, h, tag] of [
      [1440, 900, "desktop"],
      [390, 844, "phone"],
    ]) {
      const { page, context, errors } = await open();
      try {
        await page.setViewportSize({ width: w, height: h });
        for (const file of ["shop.yaml", "circuit-breaker.yaml", "order-pipeline.yaml"]) {
          await runGallery(page, file);
          await topologyShot(page, `topology-${file.replace(".yaml", "")}-${tag}`);
        }
        // The diagram scrolls in its own box: it adds no horizontal overflow to the page.
        const overflow = await page.evaluate(() => {
          const over = () => document.documentElement.scrollWidth - window.innerWidth;
          const root = document.getElementById("topology");
          const shown = over();
          root.hidden = true;
          const without = over();
          root.hidden = false;
          return { shown, without };
        });
        assert.ok(overflow.shown <= overflow.without, `${tag}: the diagram widens the page: ${JSON.stringify(overflow)}`);
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    }
  });
});
