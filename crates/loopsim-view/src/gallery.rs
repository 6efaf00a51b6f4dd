//! The gallery: every scenario of the repository's `scenarios/<section>/` directories, embedded
//! at compile time (`build.rs` generates the list from the directories, so none can be
//! forgotten), grouped in the page by [`Section`].

use loopsim_core::yaml::{self, NodeKind, YamlLimits};

include!(concat!(env!("OUT_DIR"), "/gallery_files.rs"));

/// The scenario the page opens with.
pub const DEFAULT_FILE: &str = "shop.yaml";

/// A gallery section: one directory of `scenarios/`, in the order the page shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    Basics,
    FailureModes,
    Guards,
    Capacity,
    InterviewClassics,
    SeedExperiments,
}

impl Section {
    /// Every section, in page order.
    pub const ALL: [Section; 6] = [
        Section::Basics,
        Section::FailureModes,
        Section::Guards,
        Section::Capacity,
        Section::InterviewClassics,
        Section::SeedExperiments,
    ];

    /// The section of a directory of `scenarios/`.
    pub fn from_dir(dir: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.dir() == dir)
    }

    /// Its directory in `scenarios/`.
    pub fn dir(self) -> &'static str {
        match self {
            Section::Basics => "basics",
            Section::FailureModes => "failure-modes",
            Section::Guards => "guards",
            Section::Capacity => "capacity",
            Section::InterviewClassics => "interview",
            Section::SeedExperiments => "seeds",
        }
    }

    /// Its heading in the page.
    pub fn title(self) -> &'static str {
        match self {
            Section::Basics => "Basics",
            Section::FailureModes => "Failure modes",
            Section::Guards => "Guards",
            Section::Capacity => "Capacity",
            Section::InterviewClassics => "Interview classics",
            Section::SeedExperiments => "Seed experiments",
        }
    }
}

/// One gallery scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// File name, e.g. `shop.yaml`: unique across the sections, the entry's id in the page.
    pub file: &'static str,
    pub section: Section,
    pub yaml: &'static str,
    /// The scenario's `name:` (the file name when it has none).
    pub name: String,
    /// The scenario's `description:`, whitespace-collapsed (empty when it has none).
    pub description: String,
}

/// All gallery scenarios, in section order and by file name within a section.
pub fn entries() -> Vec<Entry> {
    let mut all: Vec<Entry> = SCENARIO_FILES
        .iter()
        .map(|&(dir, file, yaml)| {
            let (name, description) = name_and_description(yaml);
            Entry {
                file,
                // build.rs lists only directories; `lists_every_scenario_file` checks each is a
                // known section, so the fallback is never taken in a tested build.
                section: Section::from_dir(dir).unwrap_or(Section::Basics),
                yaml,
                name: name.unwrap_or_else(|| file.to_string()),
                description,
            }
        })
        .collect();
    all.sort_by_key(|e| (e.section, e.file));
    all
}

/// Index of [`DEFAULT_FILE`] in [`entries`].
pub fn default_index() -> usize {
    entries()
        .iter()
        .position(|e| e.file == DEFAULT_FILE)
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

    /// Fails when a file of `scenarios/<section>/` is missing from the embedded list (or
    /// differs from it), when a directory is not a known section, or when two sections hold
    /// the same file name (the name is the entry's id).
    #[test]
    fn lists_every_scenario_file() {
        let mut on_disk: Vec<(String, String, String)> = Vec::new();
        for dir in std::fs::read_dir(scenarios_dir()).unwrap() {
            let dir = dir.unwrap().path();
            let section = dir.file_name().unwrap().to_str().unwrap().to_string();
            assert!(
                dir.is_dir(),
                "scenarios/{section}: scenarios live in section directories"
            );
            assert!(
                Section::from_dir(&section).is_some(),
                "scenarios/{section} is not a gallery section"
            );
            for p in std::fs::read_dir(&dir).unwrap() {
                let p = p.unwrap().path();
                if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                    let name = p.file_name().unwrap().to_str().unwrap().to_string();
                    on_disk.push((section.clone(), name, std::fs::read_to_string(&p).unwrap()));
                }
            }
        }
        on_disk.sort_by(|a, b| a.1.cmp(&b.1));
        let embedded: Vec<(String, String, String)> = SCENARIO_FILES
            .iter()
            .map(|(d, f, y)| (d.to_string(), f.to_string(), y.to_string()))
            .collect();
        let names = |v: &[(String, String, String)]| {
            v.iter()
                .map(|(d, n, _)| format!("{d}/{n}"))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(&embedded),
            names(&on_disk),
            "gallery list and scenarios/ differ"
        );
        assert_eq!(embedded, on_disk, "embedded gallery contents are stale");
        assert!(!on_disk.is_empty());
        let mut files: Vec<&str> = on_disk.iter().map(|(_, f, _)| f.as_str()).collect();
        files.dedup();
        assert_eq!(files.len(), on_disk.len(), "a file name is in two sections");
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
