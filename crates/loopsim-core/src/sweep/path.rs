//! Paths to a value in the scenario's YAML, written like the YAML reads: mapping keys joined by
//! dots, list items by `[index]` (`workload[0].rate`, `services.api.workers`,
//! `services.api.endpoints./checkout[0].cpu`).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// One step of a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A mapping key.
    Key(String),
    /// A list item, from 0.
    Index(usize),
}

/// The segments of `path`, or why it cannot be read.
pub fn parse(path: &str) -> Result<Vec<Segment>, String> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if name.is_empty() && (out.is_empty() || rest.is_empty()) {
            return Err(format!("`{path}` has an empty name"));
        }
        if !name.is_empty() {
            out.push(Segment::Key(name.to_string()));
        }
        while !rest.is_empty() {
            let close = rest
                .find(']')
                .ok_or_else(|| format!("`{path}`: `[` without its `]`"))?;
            let index = rest[1..close].trim().parse::<usize>().map_err(|_| {
                format!(
                    "`{path}`: `{}` is not a list index (0, 1, 2…)",
                    &rest[..=close]
                )
            })?;
            out.push(Segment::Index(index));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(format!(
                    "`{path}`: `{rest}` after `]`; write a `.` before a key"
                ));
            }
        }
    }
    Ok(out)
}

/// The path up to (not including) segment `n`, for messages (`workload[0]`).
pub fn prefix(segments: &[Segment], n: usize) -> String {
    let mut out = String::new();
    for s in &segments[..n] {
        match s {
            Segment::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Segment::*;

    #[test]
    fn paths_read_like_the_yaml() {
        assert_eq!(
            parse("workload[0].rate").unwrap(),
            [Key("workload".into()), Index(0), Key("rate".into())]
        );
        assert_eq!(
            parse("services.api.endpoints./x[1][2].cpu").unwrap(),
            [
                Key("services".into()),
                Key("api".into()),
                Key("endpoints".into()),
                Key("/x".into()),
                Index(1),
                Index(2),
                Key("cpu".into())
            ]
        );
        assert_eq!(
            prefix(&parse("workload[0].rate").unwrap(), 2),
            "workload[0]"
        );
        for bad in ["", "a..b", "a[x]", "a[1", "a[1]b", ".a"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
