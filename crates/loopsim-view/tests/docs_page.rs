//! The docs as pages of the playground: `docs/scenario-format.md`, `docs/asyncflow.md` and `docs/sweeps.md` rendered to
//! `web/docs/<name>.html`, which Trunk copies to `dist/docs/` (a real page, linked
//! from the header, readable offline). This test is the generator: it renders the Markdown
//! and fails when the committed page differs; `LOOPSIM_BLESS=1` (scripts/bless.sh) rewrites
//! it. The Markdown is the project's own text (its inline `<br>` in tables passes through).

use pulldown_cmark::{html, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::fmt::Write;
use std::path::PathBuf;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes — the links
/// inside the docs (`#client-side-guards`) use them.
fn slug(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            c if c.is_alphanumeric() => Some(c.to_ascii_lowercase()),
            ' ' | '-' => Some('-'),
            '_' => Some('_'),
            _ => None,
        })
        .collect()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The body HTML (headings with ids) and the table of contents (`##` headings).
fn body(md: &str) -> (String, Vec<(String, String)>) {
    let events: Vec<Event> = Parser::new_ext(md, Options::ENABLE_TABLES).collect();
    let mut toc = Vec::new();
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    let mut k = 0;
    while k < events.len() {
        if let Event::Start(Tag::Heading { level, .. }) = &events[k] {
            let level = *level;
            let end = events[k..]
                .iter()
                .position(|e| matches!(e, Event::End(TagEnd::Heading(_))))
                .map(|p| k + p)
                .expect("a heading ends");
            let text: String = events[k + 1..end]
                .iter()
                .filter_map(|e| match e {
                    Event::Text(t) | Event::Code(t) => Some(t.to_string()),
                    _ => None,
                })
                .collect();
            let id = slug(&text);
            if level == HeadingLevel::H2 {
                toc.push((id.clone(), text.clone()));
            }
            let n = level as usize;
            let mut inner = String::new();
            html::push_html(&mut inner, events[k + 1..end].iter().cloned());
            out.push(Event::Html(CowStr::from(format!(
                "<h{n} id=\"{id}\"><a class=\"anchor\" href=\"#{id}\">{inner}</a></h{n}>\n"
            ))));
            k = end + 1;
            continue;
        }
        out.push(events[k].clone());
        k += 1;
    }
    let mut html_out = String::new();
    html::push_html(&mut html_out, out.into_iter());
    // Wide code and tables scroll inside their box, which keyboards must reach too.
    let html_out = html_out
        .replace("<pre>", "<pre tabindex=\"0\">")
        .replace(
            "<table>",
            "<div class=\"wide\" tabindex=\"0\" role=\"region\" aria-label=\"Table\"><table>",
        )
        .replace("</table>", "</table></div>");
    // Links between the docs point at their pages.
    let html_out = PAGES.iter().fold(html_out, |h, (name, _)| {
        h.replace(&format!("href=\"{name}.md"), &format!("href=\"{name}.html"))
    });
    (html_out, toc)
}

const STYLE: &str = "\
:root{--text:#1c2230;--muted:#4f5869;--border:#d5d9e0;--accent:#1a4fc4}\
*{box-sizing:border-box}\
body{margin:0;font:16px/1.6 system-ui,-apple-system,\"Segoe UI\",Roboto,Arial,sans-serif;color:var(--text);background:#fff}\
header{position:sticky;top:0;background:#fff;border-bottom:1px solid var(--border);padding:8px 16px;display:flex;gap:16px;align-items:baseline;flex-wrap:wrap}\
header strong{font-size:17px}\
a{color:var(--accent)}\
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}\
.page{display:grid;grid-template-columns:minmax(0,230px) minmax(0,1fr);gap:24px;max-width:1200px;margin:0 auto;padding:16px}\
nav ol{list-style:none;padding:0;margin:0;position:sticky;top:60px;font-size:14px}\
nav li{margin:3px 0}\
main{min-width:0}\
h1{font-size:26px;margin:8px 0}\
h2{font-size:21px;margin:32px 0 8px;border-bottom:1px solid var(--border);padding-bottom:4px}\
h3{font-size:17px;margin:24px 0 6px}\
h1 a.anchor,h2 a.anchor,h3 a.anchor{color:inherit;text-decoration:none}\
code{font:0.9em ui-monospace,Menlo,Consolas,monospace;background:#f1f3f6;padding:1px 4px;border-radius:3px}\
pre{background:#f6f7f9;border:1px solid var(--border);border-radius:6px;padding:10px 12px;overflow-x:auto}\
pre code{background:none;padding:0}\
.wide{overflow-x:auto;max-width:100%;margin:8px 0}\
table{border-collapse:collapse;font-size:14px}\
th,td{border:1px solid var(--border);padding:4px 8px;text-align:left;vertical-align:top}\
thead th{background:#f1f3f6}\
@media (max-width:800px){.page{grid-template-columns:1fr}nav ol{position:static}}";

/// The docs rendered as pages of the playground: (Markdown in `docs/`, page title).
const PAGES: [(&str, &str); 3] = [
    ("scenario-format", "Scenario format"),
    ("asyncflow", "Reading AsyncFlow files"),
    ("sweeps", "Sweeps and capacity curves"),
];

/// The complete page.
fn page(md: &str) -> String {
    page_of(md, "scenario-format", "Scenario format")
}

/// The complete page of `docs/<name>.md`.
fn page_of(md: &str, name: &str, title: &str) -> String {
    let (body, toc) = body(md);
    let mut nav = String::new();
    for (id, text) in &toc {
        let _ = write!(nav, "<li><a href=\"#{id}\">{}</a></li>", escape(text));
    }
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <title>{title} — loopsim</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <!-- Generated from docs/{name}.md by crates/loopsim-view/tests/docs_page.rs \
         (LOOPSIM_BLESS=1 rewrites it). Do not edit. -->\n\
         <header><strong>loopsim</strong><a href=\"../index.html\">← Back to the playground</a></header>\n\
         <div class=\"page\">\n<nav aria-label=\"Sections\"><ol>{nav}</ol></nav>\n\
         <main>\n{body}</main>\n</div>\n</body>\n</html>\n"
    )
}

#[test]
fn the_docs_pages_are_the_rendered_docs() {
    let root = repo();
    for (name, title) in PAGES {
        let md = std::fs::read_to_string(root.join(format!("docs/{name}.md"))).unwrap();
        let want = page_of(&md, name, title);
        let path = root.join(format!("web/docs/{name}.html"));
        if std::env::var_os("LOOPSIM_BLESS").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "web/docs/{name}.html is stale: run scripts/bless.sh (LOOPSIM_BLESS=1)"
        );
    }
}

#[test]
fn every_link_inside_the_docs_has_its_heading() {
    let md = std::fs::read_to_string(repo().join("docs/scenario-format.md")).unwrap();
    let html = page(&md);
    for target in html
        .split("href=\"#")
        .skip(1)
        .filter_map(|s| s.split('"').next())
    {
        assert!(html.contains(&format!("id=\"{target}\"")), "#{target}");
    }
    assert!(html.contains("<table>") && html.contains("<h2 id=\"client-side-guards\">"));
    assert!(!html.contains("http://") && !html.contains("src="));
}
