// Thin CodeMirror 6 wrapper. All logic (validation, completion contents, hover docs) lives in
// the Rust UI; this file only adapts CodeMirror's API to plain callbacks.
// A tailored subset of codemirror's basicSetup (no search panel, folding, bracket closing or
// special-character markers) keeps the bundle small.
import { EditorState } from "@codemirror/state";
import {
  EditorView,
  keymap,
  hoverTooltip,
  lineNumbers,
  highlightActiveLine,
  highlightActiveLineGutter,
  drawSelection,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab, isolateHistory } from "@codemirror/commands";
import {
  indentUnit,
  indentOnInput,
  bracketMatching,
  syntaxHighlighting,
  defaultHighlightStyle,
} from "@codemirror/language";
import { yaml } from "@codemirror/lang-yaml";
import { setDiagnostics as cmSetDiagnostics, lintGutter, lintKeymap } from "@codemirror/lint";
import { autocompletion, completionKeymap } from "@codemirror/autocomplete";

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
        drawSelection(),
        indentOnInput(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        bracketMatching(),
        highlightActiveLine(),
        keymap.of([
          ...defaultKeymap,
          ...historyKeymap,
          ...completionKeymap,
          ...lintKeymap,
          indentWithTab,
        ]),
        indentUnit.of("  "),
        EditorState.tabSize.of(2),
        yaml(),
        EditorView.lineWrapping,
        lintGutter(),
        autocompletion({ override: [completionSource], activateOnTyping: true }),
        hover,
        EditorView.updateListener.of((u) => {
          if (u.docChanged) hooks.onChange(u.state.doc.toString());
        }),
        EditorView.contentAttributes.of({ "aria-label": "Scenario YAML" }),
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

/** diags: [{ from, to, severity: "error" | "warning", message }] in UTF-16 offsets. */
export function setDiagnostics(view, diags) {
  const len = view.state.doc.length;
  const list = diags.map((d) => {
    const from = Math.max(0, Math.min(d.from, len));
    const to = Math.max(from, Math.min(d.to, len));
    return { from, to, severity: d.severity, message: d.message };
  });
  view.dispatch(cmSetDiagnostics(view.state, list));
}

/** Moves the cursor to `pos` (UTF-16 offset), scrolls there and focuses the editor. */
export function revealPos(view, pos) {
  const p = Math.max(0, Math.min(pos, view.state.doc.length));
  view.dispatch({ selection: { anchor: p }, scrollIntoView: true });
  view.focus();
}
