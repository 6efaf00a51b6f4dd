//! Share links: the scenario travels in the URL fragment as `#s=1.` followed by the base64url
//! (no padding) encoding of the raw DEFLATE (RFC 1951) compression of its UTF-8 text.
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
        }
    }
}

/// The fragment (without `#`) of a link whose payload is `payload` (the base64url text).
pub fn fragment(payload: &str) -> String {
    format!("{PREFIX}{payload}")
}

/// Whether a URL fragment (with or without its leading `#`) is meant to be a share link, i.e.
/// whether the page should try to decode it and report failures.
pub fn is_share_fragment(fragment: &str) -> bool {
    fragment.trim_start_matches('#').starts_with("s=")
}

/// The base64url payload of a URL fragment (with or without its leading `#`) made by
/// [`fragment`], checked for what can be checked before inflating it.
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
        ] {
            let m = e.to_string();
            assert!(m.starts_with("This share link") && m.ends_with('.'), "{m}");
        }
    }
}
