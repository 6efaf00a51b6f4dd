// One replication worker (a module worker started by crates/loopsim-web/src/ui/replicas.rs).
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
  if (m.kind !== "run") return;
  try {
    const glue = await ready;
    const out = glue.loopsimReplicate(String(m.yaml), m.seed == null ? undefined : String(m.seed), m.index >>> 0);
    self.postMessage({ kind: "done", out });
  } catch (err) {
    self.postMessage({ kind: "error", message: `replication ${m.index}: ${err && err.message ? err.message : String(err)}` });
  }
};
