//! Share links: the scenario travels in the URL fragment as `#s=1.` followed by the base64url
//! (no padding) encoding of the raw DEFLATE (RFC 1951) compression of its UTF-8 text, then
//! `&seed=N` when the page's Seed field overrides the scenario's seed (so the link reproduces
//! the run exactly; links without it, including every older one, run with the scenario's own).
//!
//! The fragment never reaches a server, so a shared scenario stays private to whoever has the
//! link. Decoding treats the link as untrusted input: every failure is a [`ShareError`] with a
//! message meant for the person who opened it, and inflation stops at [`MAX_SCENARIO_BYTES`] so
//! a small link cannot expand into gigabytes (a "zip bomb").
//!
//! This module owns the link format, the limits and the messages. The bytes themselves are
//! (de)compressed by the browser (`CompressionStream("deflate-raw")`, in `web/share.js`):
//! a DEFLATE implementation and a base64 codec compiled into the page would cost about 18 KB
//! of its gzipped download.

/// The fragment key and format version of share links.
pub const PREFIX: &str = "s=1.";

/// Largest scenario a link may expand to (1 MiB).
pub const MAX_SCENARIO_BYTES: usize = 1 << 20;

/// Longest fragment worth decoding. DEFLATE expands at most ~1032:1, so anything longer than
/// this cannot be a scenario that compresses reasonably; it also bounds base64 decoding work.
pub const MAX_FRAGMENT_CHARS: usize = 2 * MAX_SCENARIO_BYTES;

/// Why a share link could not be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShareError {
    /// `s=` with a version this build does not know.
    UnknownVersion(String),
    /// Not base64url.
    NotBase64,
    /// Not a complete raw DEFLATE stream (corrupt or cut off when copied).
    Corrupt,
    /// Expands (or would expand) past [`MAX_SCENARIO_BYTES`].
    TooLarge,
    /// Decompressed, but not UTF-8 text.
    NotUtf8,
    /// `seed=` that is not a whole number from 0 to 2^64 − 1.
    BadSeed,
    /// `step=` that is not a whole number from 1.
    BadStep,
}

impl core::fmt::Display for ShareError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ShareError::UnknownVersion(v) => write!(
                f,
                "This share link uses format version {v}, which this version of loopsim does not know."
            ),
            ShareError::NotBase64 => {
                f.write_str("This share link is damaged: it contains characters a share link never has.")
            }
            ShareError::Corrupt => f.write_str(
                "This share link is damaged or incomplete (it was probably cut off when it was copied).",
            ),
            ShareError::TooLarge => write!(
                f,
                "This share link holds a scenario larger than {} MiB, which is more than the playground accepts.",
                MAX_SCENARIO_BYTES >> 20
            ),
            ShareError::NotUtf8 => f.write_str("This share link does not contain a text scenario."),
            ShareError::BadSeed => f.write_str(
                "This share link is damaged: its seed is not a whole number from 0 to 18446744073709551615.",
            ),
            ShareError::BadStep => f.write_str(
                "This share link is damaged: its guide step is not a whole number from 1.",
            ),
        }
    }
}

/// The fragment (without `#`) of a link whose payload is `payload` (the base64url text).
pub fn fragment(payload: &str) -> String {
    format!("{PREFIX}{payload}")
}

/// The fragment of a link to `payload` run with `seed` (none: the scenario's own seed).
pub fn fragment_with_seed(payload: &str, seed: Option<u64>) -> String {
    match seed {
        Some(seed) => format!("{PREFIX}{payload}&seed={seed}"),
        None => fragment(payload),
    }
}

/// The fragment of a link to `payload` run with `seed`, opened at guide step `step` (from 1;
/// `None`: no guide step).
pub fn fragment_with(payload: &str, seed: Option<u64>, step: Option<u32>) -> String {
    let mut f = fragment_with_seed(payload, seed);
    if let Some(step) = step {
        f.push_str(&format!("&step={step}"));
    }
    f
}

/// What a share link holds: the scenario's payload, the seed to run it with and the guide
/// step to open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Link<'a> {
    pub payload: &'a str,
    /// `None`: the scenario's own seed (the Seed field is emptied).
    pub seed: Option<u64>,
    /// The guide step to open, from 1 (`None`: the guide, if any, opens at its start).
    pub step: Option<u32>,
}

/// The payload and seed of a URL fragment (with or without `#`) made by
/// [`fragment_with_seed`]. Parameters after `&` other than `seed` are ignored, so that later
/// versions can add some without breaking this one.
pub fn link(fragment: &str) -> Result<Link<'_>, ShareError> {
    let fragment = fragment.trim_start_matches('#').trim_end();
    let mut parts = fragment.split('&');
    let payload = payload(parts.next().unwrap_or_default())?;
    let mut seed = None;
    let mut step = None;
    for part in parts {
        if let Some(v) = part.strip_prefix("seed=") {
            seed = Some(v.trim().parse::<u64>().map_err(|_| ShareError::BadSeed)?);
        } else if let Some(v) = part.strip_prefix("step=") {
            match v.trim().parse::<u32>() {
                Ok(n) if n >= 1 => step = Some(n),
                _ => return Err(ShareError::BadStep),
            }
        }
    }
    Ok(Link {
        payload,
        seed,
        step,
    })
}

/// Whether a URL fragment (with or without its leading `#`) is meant to be a share link, i.e.
/// whether the page should try to decode it and report failures.
pub fn is_share_fragment(fragment: &str) -> bool {
    fragment.trim_start_matches('#').starts_with("s=")
}

/// The base64url payload of a URL fragment (with or without its leading `#`) made by
/// [`fragment`], checked for what can be checked before inflating it. (A fragment with
/// `&seed=` goes through [`link`].)
pub fn payload(fragment: &str) -> Result<&str, ShareError> {
    let fragment = fragment.trim_start_matches('#');
    let Some(rest) = fragment.strip_prefix("s=") else {
        return Err(ShareError::Corrupt);
    };
    let (version, payload) = rest.split_once('.').unwrap_or((rest, ""));
    if version != "1" {
        let shown: String = version.chars().take(12).collect();
        return Err(ShareError::UnknownVersion(shown));
    }
    if payload.len() > MAX_FRAGMENT_CHARS {
        return Err(ShareError::TooLarge);
    }
    // Links pasted through chat or mail sometimes gain trailing whitespace or padding.
    let payload = payload.trim().trim_end_matches('=');
    if payload.is_empty() {
        return Err(ShareError::Corrupt);
    }
    if !payload
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(ShareError::NotBase64);
    }
    Ok(payload)
}

impl ShareError {
    /// The error for a failure kind reported by the browser-side decoder (`web/share.js`):
    /// `"base64"`, `"large"`, `"utf8"`; anything else (`"corrupt"`) is [`ShareError::Corrupt`].
    pub fn from_kind(kind: &str) -> ShareError {
        match kind {
            "base64" => ShareError::NotBase64,
            "large" => ShareError::TooLarge,
            "utf8" => ShareError::NotUtf8,
            _ => ShareError::Corrupt,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_is_the_text_after_the_prefix() {
        assert_eq!(fragment("abc_-9"), "s=1.abc_-9");
        assert_eq!(payload("#s=1.abc_-9"), Ok("abc_-9"));
        assert_eq!(payload("s=1.abc_-9"), Ok("abc_-9"));
        // Whitespace and padding picked up on the way are ignored.
        assert_eq!(payload("s=1.abcd== \n"), Ok("abcd"));
    }

    #[test]
    fn links_carry_the_seed_and_old_links_still_open() {
        assert_eq!(fragment_with_seed("abc", None), "s=1.abc");
        let f = fragment_with_seed("abc", Some(u64::MAX));
        assert_eq!(f, "s=1.abc&seed=18446744073709551615");
        assert_eq!(
            link(&format!("#{f}")),
            Ok(Link {
                payload: "abc",
                seed: Some(u64::MAX),
                step: None,
            })
        );
        // A link made before seeds travelled: the scenario's own seed.
        assert_eq!(
            link("#s=1.abc"),
            Ok(Link {
                payload: "abc",
                seed: None,
                step: None,
            })
        );
        // Unknown parameters are ignored; a bad seed is an error, not a silent other run.
        assert_eq!(link("s=1.abc&later=x&seed=7").map(|l| l.seed), Ok(Some(7)));
        assert_eq!(link("s=1.abc&seed=-1"), Err(ShareError::BadSeed));
        assert_eq!(
            link("s=1.abc&seed=18446744073709551616"),
            Err(ShareError::BadSeed)
        );
        assert_eq!(link("s=1.a!c&seed=1"), Err(ShareError::NotBase64));
    }

    #[test]
    fn links_carry_the_guide_step() {
        assert_eq!(fragment_with("abc", None, None), "s=1.abc");
        assert_eq!(
            fragment_with("abc", Some(7), Some(3)),
            "s=1.abc&seed=7&step=3"
        );
        let f = fragment_with("abc", None, Some(2));
        assert_eq!(
            link(&f),
            Ok(Link {
                payload: "abc",
                seed: None,
                step: Some(2),
            })
        );
        // Either order; a step that is no step is an error, not a silent other page.
        assert_eq!(
            link("s=1.abc&step=4&seed=1").map(|l| (l.seed, l.step)),
            Ok((Some(1), Some(4)))
        );
        assert_eq!(link("s=1.abc&step=0"), Err(ShareError::BadStep));
        assert_eq!(link("s=1.abc&step=two"), Err(ShareError::BadStep));
        assert_eq!(link("s=1.abc&step=-1"), Err(ShareError::BadStep));
    }

    #[test]
    fn garbage_is_rejected() {
        assert_eq!(payload("s=1.!!!notbase64"), Err(ShareError::NotBase64));
        assert_eq!(payload("s=1.%%%not-base64"), Err(ShareError::NotBase64));
        assert_eq!(payload("s=1.ab+c/d"), Err(ShareError::NotBase64));
        assert_eq!(payload("s=1."), Err(ShareError::Corrupt));
        assert_eq!(payload("s=1"), Err(ShareError::Corrupt));
        assert_eq!(
            payload("s=9.abc"),
            Err(ShareError::UnknownVersion("9".into()))
        );
        assert!(is_share_fragment("#s=1.xyz"));
        assert!(!is_share_fragment("#results"));
    }

    #[test]
    fn overlong_links_are_refused_before_decoding() {
        let long = format!("s=1.{}", "A".repeat(MAX_FRAGMENT_CHARS + 1));
        assert_eq!(payload(&long), Err(ShareError::TooLarge));
        let ok = format!("s=1.{}", "A".repeat(MAX_FRAGMENT_CHARS));
        assert!(payload(&ok).is_ok());
    }

    #[test]
    fn decoder_failures_map_to_errors() {
        assert_eq!(ShareError::from_kind("base64"), ShareError::NotBase64);
        assert_eq!(ShareError::from_kind("large"), ShareError::TooLarge);
        assert_eq!(ShareError::from_kind("utf8"), ShareError::NotUtf8);
        assert_eq!(ShareError::from_kind("corrupt"), ShareError::Corrupt);
        assert_eq!(ShareError::from_kind("anything"), ShareError::Corrupt);
    }

    #[test]
    fn messages_are_sentences() {
        for e in [
            ShareError::UnknownVersion("2".into()),
            ShareError::NotBase64,
            ShareError::Corrupt,
            ShareError::TooLarge,
            ShareError::NotUtf8,
            ShareError::BadSeed,
            ShareError::BadStep,
        ] {
            let m = e.to_string();
            assert!(m.starts_with("This share link") && m.ends_with('.'), "{m}");
        }
    }
}
