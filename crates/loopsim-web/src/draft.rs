//! The draft the editor keeps across reloads: the scenario text and the Seed field, saved in
//! the browser's local storage, and the decisions around it (what the Example box says, whether
//! leaving the page would lose work). Pure logic; `ui/persist.rs` does the storage calls.
//!
//! Saving happens as the text is checked (every pause in typing), so a reload or a closed tab
//! loses nothing. Leaving asks first only when the stored copy is not this page's text and the
//! text cannot be had back otherwise (it is not an example nor the link it was opened from):
//! storage refused the write (private mode, quota), or another tab saved its own draft since.

use crate::share::MAX_SCENARIO_BYTES;

/// The local-storage key of the draft (versioned: a new format gets a new key).
pub const STORAGE_KEY: &str = "loopsim.draft.v1";

/// The scenario text and the Seed field's text (empty: the scenario's own seed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub text: String,
    pub seed: String,
}

impl Draft {
    /// The stored form: the seed on the first line, the text after it.
    pub fn encode(&self) -> String {
        format!("{}\n{}", self.seed.trim(), self.text)
    }

    /// A draft read back from storage; `None` when it is not one (another format, damaged,
    /// larger than a scenario may be): the page then opens the default example.
    pub fn decode(stored: &str) -> Option<Draft> {
        if stored.len() > MAX_SCENARIO_BYTES + 32 {
            return None;
        }
        let (seed, text) = stored.split_once('\n')?;
        let seed_ok = seed.is_empty() || seed.parse::<u64>().is_ok();
        (seed_ok && !text.trim().is_empty()).then(|| Draft {
            text: text.to_string(),
            seed: seed.to_string(),
        })
    }
}

/// What the Example box shows for the editor's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label<'a> {
    /// The text is this example's, unchanged (its file name).
    Example(&'a str),
    /// The text is the shared link's it was opened from, unchanged.
    Shared,
    /// Anything else: the text no longer matches what was chosen.
    Custom,
}

/// The label for `text`, given the examples (`(file, yaml)`) and the text of the share link the
/// page opened, if any.
pub fn label<'a>(
    text: &str,
    examples: impl IntoIterator<Item = (&'a str, &'a str)>,
    shared: Option<&str>,
) -> Label<'a> {
    if shared == Some(text) {
        return Label::Shared;
    }
    examples
        .into_iter()
        .find(|(_, yaml)| *yaml == text)
        .map_or(Label::Custom, |(file, _)| Label::Example(file))
}

/// What the page does when it is about to be left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leave {
    /// Nothing would be lost.
    Go,
    /// Save the draft first (nobody else wrote storage since this page did), then go.
    SaveAndGo,
    /// Ask (`beforeunload`): leaving would lose the text.
    Ask,
}

/// Decides [`Leave`] from the page's draft, what storage holds now, what this page last wrote
/// there, and whether the text can be had back without storage (an unchanged example or link).
pub fn on_leave(
    current: &Draft,
    stored: Option<&str>,
    last_written: Option<&str>,
    recoverable: bool,
) -> Leave {
    let mine = current.encode();
    if recoverable || stored == Some(mine.as_str()) {
        Leave::Go
    } else if stored == last_written {
        Leave::SaveAndGo
    } else {
        Leave::Ask
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(text: &str, seed: &str) -> Draft {
        Draft {
            text: text.into(),
            seed: seed.into(),
        }
    }

    #[test]
    fn a_draft_round_trips_through_storage() {
        for d in [
            draft("version: 1\n", ""),
            draft("a\nb\r\n\n", "18446744073709551615"),
        ] {
            assert_eq!(Draft::decode(&d.encode()), Some(d));
        }
        // Not a draft: no seed line, a bad seed, an empty text, far too large.
        assert_eq!(Draft::decode("version: 1"), None);
        assert_eq!(Draft::decode("x\nversion: 1"), None);
        assert_eq!(Draft::decode("1\n  \n"), None);
        let huge = format!("\n{}", "a".repeat(MAX_SCENARIO_BYTES + 64));
        assert_eq!(Draft::decode(&huge), None);
    }

    #[test]
    fn the_label_says_custom_once_the_text_is_edited() {
        let examples = [("shop.yaml", "shop"), ("storm.yaml", "storm")];
        assert_eq!(label("storm", examples, None), Label::Example("storm.yaml"));
        assert_eq!(label("storm!", examples, None), Label::Custom);
        assert_eq!(label("linked", examples, Some("linked")), Label::Shared);
        assert_eq!(
            label("linked, edited", examples, Some("linked")),
            Label::Custom
        );
        // An example's text is that example, whatever link the page came from.
        assert_eq!(
            label("shop", examples, Some("x")),
            Label::Example("shop.yaml")
        );
    }

    #[test]
    fn leaving_asks_only_when_work_would_be_lost() {
        let mine = draft("edited", "3");
        let saved = mine.encode();
        // Saved already, or an unchanged example or link: go.
        assert_eq!(
            on_leave(&mine, Some(&saved), Some(&saved), false),
            Leave::Go
        );
        assert_eq!(on_leave(&mine, None, None, true), Leave::Go);
        // Typed since the last save, nobody else wrote: save now, go.
        let older = draft("edite", "3").encode();
        assert_eq!(
            on_leave(&mine, Some(&older), Some(&older), false),
            Leave::SaveAndGo
        );
        assert_eq!(on_leave(&mine, None, None, false), Leave::SaveAndGo);
        // Another tab saved its draft since: saving would lose that one, so ask.
        let other = draft("other tab", "").encode();
        assert_eq!(
            on_leave(&mine, Some(&other), Some(&older), false),
            Leave::Ask
        );
        // Storage refused this page's writes (nothing there): ask... unless it never wrote.
        assert_eq!(on_leave(&mine, None, Some(&older), false), Leave::Ask);
    }
}
