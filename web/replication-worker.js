// One replication and sweep worker (a module worker started by crates/loopsim-web/src/ui/replicas.rs).
// It loads the page's own wasm-bindgen glue and wasm file — the URLs come in the first message,
// and the browser has them cached — so replications cost no second download. The scenario
// text arrives as a string and goes to the Rust checker; nothing here evaluates it.
let ready = null;

self.onmessage = async (e) => {
  const m = e.data;
  if (m.kind === "init") {
    ready = import(m.glue).then(async (glue) => {
      await glue.default({ module_or_path: m.wasm });
      return glue;
    });
    return;
  }
  if (m.kind !== "run" && m.kind !== "sweep" && m.kind !== "first") return;
  const seed = m.seed == null ? undefined : String(m.seed);
  try {
    const glue = await ready;
    if (m.kind === "first") {
      const out = glue.loopsimFirstPass(String(m.yaml), seed, m.index >>> 0);
      self.postMessage({ kind: "first-done", out });
    } else if (m.kind === "run") {
      const cut = m.cutSamples == null ? undefined : m.cutSamples >>> 0;
      const settled = m.cutSettled == null ? undefined : m.cutSettled === true;
      const out = glue.loopsimReplicate(String(m.yaml), seed, m.index >>> 0, cut, settled);
      self.postMessage({ kind: "done", out });
    } else {
      const out = glue.loopsimSweepRun(String(m.yaml), seed, m.point >>> 0, m.replication >>> 0);
      self.postMessage({ kind: "sweep-done", out });
    }
  } catch (err) {
    const what = m.kind === "sweep" ? `sweep point ${m.point + 1}` : `replication ${m.index + 1}`;
    self.postMessage({ kind: "error", message: `${what}: ${err && err.message ? err.message : String(err)}` });
  }
};
