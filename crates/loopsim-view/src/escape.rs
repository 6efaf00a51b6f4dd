//! Escaping for HTML and SVG text and attribute values. Every string from a scenario (its
//! name, description, service, workload, pool, queue and cache names) and every sentence built
//! from them goes through [`text`] before it is written into the HTML report or the topology
//! diagram, so a hostile name stays text and never becomes markup.

/// `s` with `& < > " '` replaced by entities: safe in element content and in quoted
/// attribute values alike; control characters (not allowed in XML 1.0, so in SVG) become
/// spaces.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_becomes_text() {
        assert_eq!(
            text(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(text("api-gateway µs"), "api-gateway µs");
        assert_eq!(text("x\u{1}y"), "x y");
    }
}
