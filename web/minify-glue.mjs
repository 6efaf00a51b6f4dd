// Trunk post_build hook: minifies the wasm-bindgen JS glue in Trunk's staging directory with
// esbuild (Trunk's built-in minifier cannot parse it and silently leaves it as is). Release
// builds only; index.html sets data-integrity="none" on the Rust asset since the file changes
// after Trunk has hashed it.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { transformSync } from "esbuild";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir || process.env.TRUNK_PROFILE !== "release") process.exit(0);
for (const f of readdirSync(dir)) {
  if (!/^loopsim-web-[0-9a-f]+\.js$/.test(f)) continue;
  const path = join(dir, f);
  const src = readFileSync(path, "utf8");
  const out = transformSync(src, { minify: true, format: "esm", target: "es2020", legalComments: "none" });
  writeFileSync(path, out.code);
  console.log(`minified ${f}: ${src.length} → ${out.code.length} bytes`);
}
