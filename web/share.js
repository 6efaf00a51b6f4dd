// Share-link codec: the scenario's UTF-8 text, raw DEFLATE (RFC 1951) compressed by the
// browser's CompressionStream, in base64url without padding. The link format, its limits and
// the messages live in Rust (crates/loopsim-web/src/share.rs), which has already checked that
// a payload has only base64url characters before it gets here.

/** Runs `bytes` through a (de)compression stream; rejects with "large" past `limit` bytes. */
async function pump(stream, bytes, limit) {
  const writer = stream.writable.getWriter();
  writer.write(bytes).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      reader.cancel().catch(() => {});
      throw "large";
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The base64url payload (no padding) of `text`. */
export async function shareEncode(text) {
  const bytes = await pump(new CompressionStream("deflate-raw"), new TextEncoder().encode(text), Infinity);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The text of a payload made by shareEncode; rejects with "corrupt" (not a complete DEFLATE
 * stream, or cut off), "large" (expands past `limit` bytes) or "utf8" (not UTF-8 text). */
export async function shareDecode(payload, limit) {
  let bin;
  try {
    bin = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    throw "corrupt"; // only base64url characters get here: a length no encoding has, i.e. cut off
  }
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  let out;
  try {
    out = await pump(new DecompressionStream("deflate-raw"), bytes, limit);
  } catch (e) {
    throw e === "large" ? "large" : "corrupt";
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(out);
  } catch {
    throw "utf8";
  }
}
