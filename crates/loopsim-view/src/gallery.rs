//! The gallery: every scenario of the repository's `scenarios/` directory, embedded at compile
//! time (`build.rs` generates the list from the directory, so none can be forgotten).

use loopsim_core::yaml::{self, NodeKind, YamlLimits};

include!(concat!(env!("OUT_DIR"), "/gallery_files.rs"));

/// The scenario the page opens with.
pub const DEFAULT_FILE: &str = "shop.yaml";

/// One gallery scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// File name in `scenarios/`, e.g. `shop.yaml`.
    pub file: &'static str,
    pub yaml: &'static str,
    /// The scenario's `name:` (the file name when it has none).
    pub name: String,
    /// The scenario's `description:`, whitespace-collapsed (empty when it has none).
    pub description: String,
}

/// All gallery scenarios, in file-name order.
pub fn entries() -> Vec<Entry> {
    SCENARIO_FILES
        .iter()
        .map(|&(file, yaml)| {
            let (name, description) = name_and_description(yaml);
            Entry {
                file,
                yaml,
                name: name.unwrap_or_else(|| file.to_string()),
                description,
            }
        })
        .collect()
}

/// Index of [`DEFAULT_FILE`] in [`entries`].
pub fn default_index() -> usize {
    SCENARIO_FILES
        .iter()
        .position(|(f, _)| *f == DEFAULT_FILE)
        .unwrap_or(0)
}

/// The top-level `name` and `description` of a scenario text, read leniently (the rest of the
/// scenario may be invalid).
pub fn name_and_description(yaml_text: &str) -> (Option<String>, String) {
    let Ok(root) = yaml::parse(yaml_text, &YamlLimits::default()) else {
        return (None, String::new());
    };
    let NodeKind::Map(entries) = &root.kind else {
        return (None, String::new());
    };
    let get = |key: &str| {
        entries
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .and_then(|(_, v)| v.as_str())
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    (
        get("name").filter(|n| !n.is_empty()),
        get("description").unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn scenarios_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
    }

    /// Fails when a file of `scenarios/` is missing from the embedded list (or differs from it).
    #[test]
    fn lists_every_scenario_file() {
        let mut on_disk: Vec<(String, String)> = std::fs::read_dir(scenarios_dir())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
            .map(|p| {
                let name = p.file_name().unwrap().to_str().unwrap().to_string();
                (name, std::fs::read_to_string(&p).unwrap())
            })
            .collect();
        on_disk.sort();
        let embedded: Vec<(String, String)> = SCENARIO_FILES
            .iter()
            .map(|(f, y)| (f.to_string(), y.to_string()))
            .collect();
        let names = |v: &[(String, String)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(&embedded),
            names(&on_disk),
            "gallery list and scenarios/ differ"
        );
        assert_eq!(embedded, on_disk, "embedded gallery contents are stale");
        assert!(!on_disk.is_empty());
    }

    #[test]
    fn every_entry_has_a_name_and_description_and_is_valid() {
        for e in entries() {
            assert_ne!(e.name, e.file, "{} has no name", e.file);
            assert!(!e.description.is_empty(), "{} has no description", e.file);
            assert!(!e.description.contains('\n'));
            let checked = loopsim_core::check(e.yaml);
            assert!(
                !checked.has_errors(),
                "{}: {:?}",
                e.file,
                checked.diagnostics
            );
        }
    }

    #[test]
    fn default_exists() {
        assert_eq!(entries()[default_index()].file, DEFAULT_FILE);
    }

    #[test]
    fn lenient_on_broken_yaml() {
        assert_eq!(
            name_and_description("name: [unclosed"),
            (None, String::new())
        );
        assert_eq!(name_and_description("- a\n- b"), (None, String::new()));
        let (n, d) = name_and_description("name: X\ndescription: >\n  a\n  b\nservices: 3\n");
        assert_eq!((n.as_deref(), d.as_str()), (Some("X"), "a b"));
    }
}
