//! The gallery: every scenario of the repository's `scenarios/<section>/` directories, embedded
//! at compile time (`build.rs` generates the list from the directories, so none can be
//! forgotten), grouped in the page by [`Section`].

use loopsim_core::scenario::guide::GuideStep;
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
    /// Its `try:` suggestions.
    pub try_this: Vec<String>,
    /// Its `guide:` walkthrough (empty when it has none).
    pub guide: Vec<GuideStep>,
}

impl Entry {
    /// The first sentence of the description (the whole of it when it has no sentence end
    /// early on): the line the gallery shows under the title.
    pub fn summary(&self) -> String {
        summary(&self.description)
    }

    /// Whether every word of `query` starts a word, ignoring case, of the title, description,
    /// a try item, the section's title, the file name or — for a guided entry — "Guided"
    /// (as its card says). An empty query matches everything. Short words (under
    /// [`PREFIX_CHARS`]) may be read as whole words instead: [`search`] decides.
    pub fn matches(&self, query: &str) -> bool {
        let words: Vec<Word> = query
            .split_whitespace()
            .map(|w| Word {
                text: w.to_lowercase(),
                whole: false,
            })
            .collect();
        self.matches_words(&words)
    }

    fn haystack(&self) -> Vec<String> {
        [
            self.name.as_str(),
            self.description.as_str(),
            self.section.title(),
            self.file,
            if self.guide.is_empty() {
                ""
            } else {
                "Guided guide steps"
            },
        ]
        .into_iter()
        .chain(self.try_this.iter().map(String::as_str))
        .map(str::to_lowercase)
        .collect()
    }

    fn matches_words(&self, words: &[Word]) -> bool {
        let haystack = self.haystack();
        words
            .iter()
            .all(|w| haystack.iter().any(|h| finds(h, &w.text, w.whole)))
    }
}

/// A query word and whether it must be a whole word (or its plural) rather than a prefix.
struct Word {
    text: String,
    whole: bool,
}

/// Query words shorter than this are read as whole words when some entry has them as one
/// ("slo" finds SLOs, not every "slow"); longer ones, and short ones no entry has whole,
/// match the start of a word (so typing "ret" already narrows to retries).
pub const PREFIX_CHARS: usize = 4;

/// Whether `word` occurs in `text` at the start of a word (and, if `whole`, ends one, an
/// `s` allowed).
fn finds(text: &str, word: &str, whole: bool) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let starts =
            text[..i].chars().next_back().is_none_or(|c| !is_word(c)) || !word.starts_with(is_word);
        let rest = &text[i + word.len()..];
        let rest = if whole {
            rest.strip_prefix('s').unwrap_or(rest)
        } else {
            ""
        };
        starts && rest.chars().next().is_none_or(|c| !is_word(c))
    })
}

/// Longest summary shown before it is cut (characters).
const SUMMARY_CHARS: usize = 180;

/// The first sentence of `description` (a `.`, `!` or `?` followed by a space or the end,
/// not the full stop of an abbreviation),
/// cut at a word boundary past [`SUMMARY_CHARS`] with an ellipsis.
pub fn summary(description: &str) -> String {
    let bytes = description.as_bytes();
    let end = description
        .char_indices()
        .find(|&(i, c)| {
            matches!(c, '.' | '!' | '?')
                && bytes.get(i + 1).is_none_or(|b| *b == b' ')
                && !(c == '.' && abbreviation(&description[..i]))
        })
        .map_or(description.len(), |(i, _)| i + 1);
    let first = &description[..end];
    if first.chars().count() <= SUMMARY_CHARS {
        return first.to_string();
    }
    let cut: String = first.chars().take(SUMMARY_CHARS).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ']))
}

/// Whether the word ending `before` (its full stop next) is an abbreviation, not a
/// sentence's last word ("Huang et al. (OSDI 2022)", "e.g. a cache").
fn abbreviation(before: &str) -> bool {
    let word = before.rsplit(' ').next().unwrap_or("").to_lowercase();
    ["al", "e.g", "i.e", "vs", "cf", "approx", "fig", "eq"].contains(&word.as_str())
}

/// The entries matching `query` ([`Entry::matches`]), grouped by section in page order;
/// sections with no match are left out.
pub fn search<'a>(entries: &'a [Entry], query: &str) -> Vec<(Section, Vec<&'a Entry>)> {
    let words: Vec<Word> = query
        .split_whitespace()
        .map(str::to_lowercase)
        .map(|text| {
            let whole = text.chars().count() < PREFIX_CHARS
                && entries
                    .iter()
                    .any(|e| e.haystack().iter().any(|h| finds(h, &text, true)));
            Word { text, whole }
        })
        .collect();
    Section::ALL
        .into_iter()
        .map(|s| {
            let found: Vec<&Entry> = entries
                .iter()
                .filter(|e| e.section == s && e.matches_words(&words))
                .collect();
            (s, found)
        })
        .filter(|(_, found)| !found.is_empty())
        .collect()
}

/// All gallery scenarios, in section order and by file name within a section.
pub fn entries() -> Vec<Entry> {
    let mut all: Vec<Entry> = SCENARIO_FILES
        .iter()
        .map(|&(dir, file, yaml)| {
            let (name, description) = name_and_description(yaml);
            // Gallery files are valid (`every_entry_has_a_name_and_description_and_is_valid`).
            let guide = loopsim_core::check(yaml)
                .scenario
                .map(|s| s.guide)
                .unwrap_or_default();
            Entry {
                file,
                // build.rs lists only directories; `lists_every_scenario_file` checks each is a
                // known section, so the fallback is never taken in a tested build.
                section: Section::from_dir(dir).unwrap_or(Section::Basics),
                yaml,
                name: name.unwrap_or_else(|| file.to_string()),
                description,
                try_this: guide.try_this,
                guide: guide.steps,
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

    fn entry(section: Section, name: &str, description: &str, try_this: &[&str]) -> Entry {
        Entry {
            file: "x.yaml",
            section,
            yaml: "",
            name: name.into(),
            description: description.into(),
            try_this: try_this.iter().map(|t| t.to_string()).collect(),
            guide: Vec::new(),
        }
    }

    #[test]
    fn search_matches_title_description_try_items_and_section_ignoring_case() {
        let e = entry(
            Section::FailureModes,
            "Retry storm",
            "Clients retry a slow backend.",
            &["Set retries to 0: the storm stops."],
        );
        assert!(e.matches(""));
        assert!(e.matches("  "));
        assert!(e.matches("STORM"));
        assert!(e.matches("slow backend"));
        assert!(e.matches("retries 0"));
        assert!(e.matches("failure modes"));
        // Every word must be found somewhere.
        assert!(!e.matches("storm cache"));
        assert!(!e.matches("basics"));
        // Words match from their start, not inside another word.
        assert!(e.matches("sto"));
        assert!(!e.matches("torm"));
        assert!(!e.matches("ack"));
    }

    #[test]
    fn search_reads_short_words_whole_when_an_entry_has_them() {
        let all = vec![
            entry(Section::Capacity, "Budget", "Burns its SLOs.", &[]),
            entry(Section::Basics, "Slow", "A slow backend.", &[]),
        ];
        let names = |q: &str| -> Vec<String> {
            search(&all, q)
                .into_iter()
                .flat_map(|(_, es)| es.into_iter().map(|e| e.name.clone()))
                .collect()
        };
        assert_eq!(names("slo"), ["Budget"]);
        assert_eq!(names("SLO"), ["Budget"]);
        assert_eq!(names("slow"), ["Slow"]);
        // No entry has "sl" whole: it narrows as a prefix while typing.
        assert_eq!(names("sl").len(), 2);
        // The real gallery: "slo" finds the SLO scenarios, not every slow one.
        let real = entries();
        let slo: Vec<&Entry> = search(&real, "slo")
            .into_iter()
            .flat_map(|(_, es)| es)
            .collect();
        assert!(!slo.is_empty());
        for e in &slo {
            let text = format!("{} {} {}", e.name, e.description, e.try_this.join(" "));
            assert!(
                text.to_lowercase()
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|w| w == "slo" || w == "slos"),
                "{}",
                e.file
            );
        }
    }

    #[test]
    fn guided_entries_are_found_by_guided() {
        let real = entries();
        let guided: Vec<&str> = real
            .iter()
            .filter(|e| !e.guide.is_empty())
            .map(|e| e.file)
            .collect();
        assert!(!guided.is_empty());
        for q in ["guided", "guide", "Guided"] {
            let found: Vec<&str> = search(&real, q)
                .into_iter()
                .flat_map(|(_, es)| es.into_iter().map(|e| e.file))
                .collect();
            for f in &guided {
                assert!(found.contains(f), "{q}: {f}");
            }
        }
    }

    #[test]
    fn search_groups_by_section_in_page_order_and_drops_empty_sections() {
        let all = vec![
            entry(Section::Guards, "Breaker", "Opens on errors.", &[]),
            entry(Section::Basics, "Shop", "A small shop.", &[]),
            entry(Section::Basics, "Breaker demo", "Basics.", &[]),
        ];
        let found = search(&all, "breaker");
        let sections: Vec<Section> = found.iter().map(|(s, _)| *s).collect();
        assert_eq!(sections, vec![Section::Basics, Section::Guards]);
        assert_eq!(found[0].1.len(), 1);
        assert_eq!(search(&all, "").len(), 2);
        assert!(search(&all, "nothing like this").is_empty());
        // The real gallery: every entry is found by its own title.
        let real = entries();
        for e in &real {
            assert!(
                search(&real, &e.name)
                    .iter()
                    .any(|(_, es)| es.iter().any(|f| f.file == e.file)),
                "{}",
                e.file
            );
        }
    }

    #[test]
    fn summary_is_the_first_sentence_cut_at_a_word() {
        assert_eq!(summary("One. Two."), "One.");
        assert_eq!(summary("Version 1.5 is out! Yes."), "Version 1.5 is out!");
        assert_eq!(summary("No end"), "No end");
        assert_eq!(
            summary("After Huang et al. (OSDI 2022). Then more."),
            "After Huang et al. (OSDI 2022)."
        );
        assert_eq!(
            summary("A cache, e.g. Redis. More."),
            "A cache, e.g. Redis."
        );
        let storm = entries()
            .into_iter()
            .find(|e| e.file == "retry-storm.yaml")
            .unwrap();
        assert!(
            storm.summary().ends_with("(OSDI 2022)."),
            "{}",
            storm.summary()
        );
        assert_eq!(summary(""), "");
        let long = format!("{} end.", "word ".repeat(60));
        let s = summary(&long);
        assert!(
            s.ends_with('…') && s.chars().count() <= SUMMARY_CHARS + 1,
            "{s}"
        );
        assert!(!s.contains("wor…"));
        for e in entries() {
            assert!(!e.summary().is_empty(), "{}", e.file);
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
