// Thin CodeMirror 6 wrapper. All logic (validation, completion contents, hover docs) lives in
// the Rust UI; this file only adapts CodeMirror's API to plain callbacks.
// A tailored subset of codemirror's basicSetup (no search panel, folding, bracket closing,
// special-character markers or drawn selection: the browser's own selection and caret), a
// line-based YAML highlighter and a lean diagnostics layer keep the bundle small.
import { EditorState, StateEffect, StateField, RangeSet, RangeSetBuilder } from "@codemirror/state";
import {
  EditorView,
  Decoration,
  ViewPlugin,
  GutterMarker,
  gutter,
  keymap,
  hoverTooltip,
  lineNumbers,
  highlightActiveLine,
  highlightActiveLineGutter,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab, isolateHistory } from "@codemirror/commands";
import { indentUnit, indentService, bracketMatching } from "@codemirror/language";
import { autocompletion, completionKeymap } from "@codemirror/autocomplete";

// ----- highlighting ---------------------------------------------------------------------------
// Scenario YAML needs no parser to be coloured: keys, comments, strings, numbers (with their
// units), flow punctuation and block scalars (`description: >`) are found line by line. Much
// smaller than a language package; checking and completion come from the Rust UI anyway.

const mark = (cls) => Decoration.mark({ class: "cm-yaml-" + cls });
const M = {
  key: mark("key"),
  punct: mark("punct"),
  comment: mark("comment"),
  string: mark("string"),
  number: mark("number"),
  atom: mark("atom"),
};
const NUMBER = /^[-+]?(\d[\d_]*\.?\d*|\.\d+)(e[-+]?\d+)?\s*(ns|us|µs|ms|s|m|min|h|%|\/s|\/min|\/h|[kmg]i?b?)?$/i;
const ATOM = /^(true|false|null|~|yes|no|on|off)$/i;

/** Marks the tokens of one line, left to right (`add(from, to, mark)`); returns the column of
 * the key whose value opens a block scalar (`>` or `|`), or -1. */
function scanLine(text, add) {
  const n = text.length;
  const space = (j) => text[j] === " " || text[j] === "\t";
  const comment = (j) => text[j] === "#" && (j === 0 || space(j - 1));
  const keyEnd = (j) => text[j] === ":" && (j + 1 === n || space(j + 1) || ",}]".includes(text[j + 1]));
  let i = 0;
  while (i < n && space(i)) i++;
  while (text[i] === "-" && (i + 1 === n || space(i + 1))) {
    add(i, i + 1, M.punct);
    i++;
    while (i < n && space(i)) i++;
  }
  let keyCol = -1;
  let opens = -1;
  while (i < n) {
    const c = text[i];
    if (space(i)) {
      i++;
    } else if (comment(i)) {
      add(i, n, M.comment);
      break;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && text[j] !== c) j += text[j] === "\\" && c === '"' ? 2 : 1;
      j = Math.min(n, j + 1);
      add(i, j, M.string);
      i = j;
    } else if ("{}[],".includes(c)) {
      add(i, i + 1, M.punct);
      i++;
    } else if ((c === ">" || c === "|") && keyCol >= 0 && /^[>|][-+0-9]*\s*(#.*)?$/.test(text.slice(i))) {
      const j = text.slice(i).search(/\s|$/) + i;
      add(i, j, M.punct);
      opens = keyCol;
      i = j;
    } else {
      let j = i;
      while (j < n && !keyEnd(j) && !comment(j) && !"{}[],".includes(text[j])) j++;
      let k = j;
      while (k > i && space(k - 1)) k--;
      if (keyEnd(j)) {
        add(i, k, M.key);
        add(j, j + 1, M.punct);
        keyCol = i;
        i = j + 1;
      } else {
        const word = text.slice(i, k);
        if (NUMBER.test(word)) add(i, k, M.number);
        else if (ATOM.test(word)) add(i, k, M.atom);
        i = Math.max(j, i + 1);
      }
    }
  }
  return opens;
}

function highlight(view) {
  const b = new RangeSetBuilder();
  const doc = view.state.doc;
  const ranges = view.visibleRanges;
  if (!ranges.length) return b.finish();
  const from = ranges[0].from;
  const to = ranges[ranges.length - 1].to;
  // Lines above the viewport are only scanned for block scalars (their text has no tokens).
  let block = -1;
  for (let n = 1; n <= doc.lines; n++) {
    const line = doc.line(n);
    if (line.from > to) break;
    const text = line.text;
    const visible = line.to >= from;
    if (block >= 0) {
      const indent = text.search(/\S/);
      if (indent < 0) continue;
      if (indent > block) {
        if (visible) b.add(line.from + indent, line.to, M.string);
        continue;
      }
      block = -1;
    }
    block = scanLine(text, (a, z, m) => visible && z > a && b.add(line.from + a, line.from + z, m));
  }
  return b.finish();
}

const yamlHighlight = ViewPlugin.fromClass(
  class {
    constructor(view) {
      this.decorations = highlight(view);
    }
    update(u) {
      if (u.docChanged || u.viewportChanged) this.decorations = highlight(u.view);
    }
  },
  { decorations: (v) => v.decorations },
);

// ----- diagnostics ----------------------------------------------------------------------------
// Squiggly underlines, a gutter marker per line and the messages on hover, with the classes and
// look of @codemirror/lint (style.css), without its panel and linter machinery.

const setDiagnosticsEffect = StateEffect.define();

class LintMarker extends GutterMarker {
  constructor(severity, text) {
    super();
    this.severity = severity;
    this.text = text;
  }
  eq(other) {
    return other.severity === this.severity && other.text === this.text;
  }
  toDOM() {
    const el = document.createElement("div");
    el.className = "cm-lint-marker cm-lint-marker-" + this.severity;
    el.title = this.text;
    return el;
  }
}

function lintState(doc, list) {
  const marks = [];
  const lines = new Map();
  for (const d of list) {
    let { from, to } = d;
    const line = doc.lineAt(from);
    if (from === to) {
      // An empty span still gets a visible underline: the character after it (or before).
      if (to < line.to) to++;
      else if (from > line.from) from--;
    }
    if (to > from) marks.push(Decoration.mark({ class: "cm-lintRange cm-lintRange-" + d.severity }).range(from, to));
    const seen = lines.get(line.from);
    lines.set(line.from, {
      severity: seen && seen.severity === "error" ? "error" : d.severity,
      text: seen ? seen.text + "\n" + d.message : d.message,
    });
  }
  const markers = [...lines.entries()].map(([at, m]) => new LintMarker(m.severity, m.text).range(at));
  return { list, marks: Decoration.set(marks, true), markers: RangeSet.of(markers, true) };
}

const lintField = StateField.define({
  create: () => ({ list: [], marks: Decoration.none, markers: RangeSet.empty }),
  update(value, tr) {
    for (const e of tr.effects) if (e.is(setDiagnosticsEffect)) return lintState(tr.state.doc, e.value);
    if (!tr.docChanged) return value;
    const map = (p) => tr.changes.mapPos(p);
    const mapFix = (f) => f && { ...f, from: map(f.from), to: map(f.to) };
    return {
      list: value.list.map((d) => ({ ...d, from: map(d.from), to: map(d.to), fix: mapFix(d.fix) })),
      marks: value.marks.map(tr.changes),
      markers: value.markers.map(tr.changes),
    };
  },
  provide: (f) => EditorView.decorations.from(f, (v) => v.marks),
});

/** Applies a did-you-mean fix `{from, to, text, replaces}` if the text there is still the word
 * it replaces (the text may have changed since it was checked); returns whether it did. */
export function applyFix(view, fix) {
  const len = view.state.doc.length;
  if (!fix || fix.from < 0 || fix.to > len || fix.from > fix.to) return false;
  if (view.state.doc.sliceString(fix.from, fix.to) !== fix.replaces) return false;
  view.dispatch({
    changes: { from: fix.from, to: fix.to, insert: fix.text },
    selection: { anchor: fix.from + fix.text.length },
    scrollIntoView: true,
    userEvent: "input.fix",
  });
  return true;
}

/** The button that applies `fix` (problems list and lint tooltip look alike). */
export function fixButton(fix, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "fix-button";
  b.textContent = "Change to " + fix.text;
  b.title = "Replace “" + fix.replaces + "” with “" + fix.text + "”";
  b.addEventListener("click", (e) => {
    e.preventDefault();
    e.stopPropagation();
    onClick();
  });
  return b;
}

const lintHover = hoverTooltip((view, pos) => {
  const found = view.state.field(lintField).list.filter((d) => pos >= d.from && pos <= d.to);
  if (!found.length) return null;
  return {
    pos: Math.min(...found.map((d) => d.from)),
    end: Math.max(...found.map((d) => d.to)),
    above: true,
    create() {
      const ul = document.createElement("ul");
      ul.className = "cm-tooltip-lint";
      for (const d of found) {
        const li = document.createElement("li");
        li.className = "cm-diagnostic cm-diagnostic-" + d.severity;
        li.textContent = d.message;
        if (d.fix) {
          // The fix's offsets were mapped through edits with the diagnostic's own.
          li.append(" ", fixButton(d.fix, () => applyFix(view, d.fix) && view.focus()));
        }
        ul.append(li);
      }
      return { dom: ul };
    },
  };
});

const lintGutter = gutter({ class: "cm-gutter-lint", markers: (view) => view.state.field(lintField).markers });

/** Indentation of a new (or re-indented) line: one level deeper after a line that opens a
 * block (`key:`), level with the content of a `- ` list item, else level with the last
 * non-blank line above. */
const yamlIndent = indentService.of((cx, pos) => {
  let at = pos;
  for (let guard = 0; at > 0 && guard < 200; guard++) {
    const prev = cx.lineAt(at - 1, -1);
    const text = prev.text.replace(/\s+#.*$/, "").trimEnd();
    if (text.trim()) {
      const item = /^( *)- +/.exec(text);
      const col = item ? item[0].length : /^ */.exec(text)[0].length;
      return text.endsWith(":") ? col + cx.unit : col;
    }
    at = prev.from;
  }
  return 0;
});

function docNode(text) {
  const dom = document.createElement("div");
  dom.className = "cm-loopsim-doc";
  dom.textContent = text;
  return dom;
}

/**
 * Creates an editor in `parent`.
 * hooks.onChange(text): called after every document change.
 * hooks.complete(text, pos) -> { from, options: [{ label, type, detail, info, apply }] } | null
 * hooks.hover(text, pos) -> { from, to, text } | null
 */
export function createEditor(parent, doc, hooks) {
  const completionSource = (ctx) => {
    const r = hooks.complete(ctx.state.doc.toString(), ctx.pos, ctx.explicit);
    if (!r || !r.options || r.options.length === 0) return null;
    return {
      from: r.from,
      validFor: /^[\w/]*$/,
      options: r.options.map((o) => ({
        label: o.label,
        type: o.type || "property",
        detail: o.detail || undefined,
        apply: o.apply || undefined,
        info: o.info ? () => docNode(o.info) : undefined,
      })),
    };
  };
  const hover = hoverTooltip((view, pos) => {
    const r = hooks.hover(view.state.doc.toString(), pos);
    if (!r) return null;
    return {
      pos: r.from,
      end: r.to,
      above: true,
      create: () => ({ dom: docNode(r.text) }),
    };
  });
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        history(),
        yamlHighlight,
        bracketMatching(),
        highlightActiveLine(),
        keymap.of([
          ...defaultKeymap,
          ...historyKeymap,
          ...completionKeymap,
          indentWithTab,
        ]),
        indentUnit.of("  "),
        EditorState.tabSize.of(2),
        yamlIndent,
        EditorView.lineWrapping,
        lintField,
        lintGutter,
        lintHover,
        autocompletion({ override: [completionSource], activateOnTyping: true }),
        hover,
        EditorView.updateListener.of((u) => {
          if (u.docChanged) hooks.onChange(u.state.doc.toString());
        }),
        // tabindex: the scroller holds focusable content for assistive tech (axe: scrollable region).
        EditorView.contentAttributes.of({ "aria-label": "Scenario YAML", "aria-describedby": "editor-keys", tabindex: "0" }),
      ],
    }),
  });
  return view;
}

export function getText(view) {
  return view.state.doc.toString();
}

/** Replaces the whole document as one undo step of its own (Ctrl+Z brings the old text back). */
export function setText(view, text) {
  view.dispatch({
    changes: { from: 0, to: view.state.doc.length, insert: text },
    annotations: isolateHistory.of("full"),
  });
}

/** diags: [{ from, to, severity: "error" | "warning", message, fix? }] in UTF-16 offsets;
 * `fix` is `{ from, to, text, replaces }` (a did-you-mean's replacement) or absent. */
export function setDiagnostics(view, diags) {
  const len = view.state.doc.length;
  const list = diags.map((d) => {
    const from = Math.max(0, Math.min(d.from, len));
    const to = Math.max(from, Math.min(d.to, len));
    return { from, to, severity: d.severity, message: d.message, fix: d.fix || null };
  });
  view.dispatch({ effects: setDiagnosticsEffect.of(list) });
}

/** Moves the cursor to `pos` (UTF-16 offset), scrolls there and focuses the editor. */
export function revealPos(view, pos) {
  const p = Math.max(0, Math.min(pos, view.state.doc.length));
  view.dispatch({ selection: { anchor: p }, scrollIntoView: true });
  view.focus();
}
