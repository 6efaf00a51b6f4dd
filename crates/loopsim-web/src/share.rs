//! Share links: the scenario travels in the URL fragment as `#s=1.` followed by the base64url
//! (no padding) encoding of the raw DEFLATE (RFC 1951) compression of its UTF-8 text.
//!
//! The fragment never reaches a server, so a shared scenario stays private to whoever has the
//! link. Decoding treats the link as untrusted input: every failure is a [`ShareError`] with a
//! message meant for the person who opened it, and inflation stops at [`MAX_SCENARIO_BYTES`] so
//! a small link cannot expand into gigabytes (a "zip bomb").

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use miniz_oxide::inflate::TINFLStatus;

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

/// The fragment (without `#`) that shares `yaml`.
pub fn encode(yaml: &str) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(yaml.as_bytes(), 9);
    let mut out = String::with_capacity(PREFIX.len() + packed.len() * 4 / 3 + 4);
    out.push_str(PREFIX);
    URL_SAFE_NO_PAD.encode_string(packed, &mut out);
    out
}

/// Whether a URL fragment (with or without its leading `#`) is meant to be a share link, i.e.
/// whether the page should try [`decode`] and report failures.
pub fn is_share_fragment(fragment: &str) -> bool {
    fragment.trim_start_matches('#').starts_with("s=")
}

/// Decodes a URL fragment (with or without its leading `#`) made by [`encode`].
pub fn decode(fragment: &str) -> Result<String, ShareError> {
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
    let packed = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| ShareError::NotBase64)?;
    let bytes = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_SCENARIO_BYTES)
        .map_err(|e| match e.status {
            TINFLStatus::HasMoreOutput => ShareError::TooLarge,
            _ => ShareError::Corrupt,
        })?;
    String::from_utf8(bytes).map_err(|_| ShareError::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_text_with_unicode() {
        let yaml = "version: 1\nname: Été ≥ 5 µs — 日本\nduration: 10s\n";
        let frag = encode(yaml);
        assert!(frag.starts_with("s=1."));
        let payload = &frag[4..];
        assert!(payload
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(decode(&frag).unwrap(), yaml);
        assert_eq!(decode(&format!("#{frag}")).unwrap(), yaml);
    }

    #[test]
    fn is_raw_deflate() {
        // Raw DEFLATE, not zlib: no 0x78 header, and the standard inflater reads it directly.
        let frag = encode("hello hello hello hello");
        let bytes = URL_SAFE_NO_PAD.decode(&frag[4..]).unwrap();
        let out = miniz_oxide::inflate::decompress_to_vec(&bytes).unwrap();
        assert_eq!(out, b"hello hello hello hello");
    }

    #[test]
    fn empty_scenario_round_trips() {
        assert_eq!(decode(&encode("")).unwrap(), "");
    }

    #[test]
    fn truncated_link_is_corrupt() {
        let yaml = include_str!("../../../scenarios/shop.yaml");
        let frag = encode(yaml);
        for cut in [frag.len() - 1, frag.len() - 7, frag.len() / 2, 6] {
            let err = decode(&frag[..cut]).unwrap_err();
            assert!(
                matches!(err, ShareError::Corrupt | ShareError::NotBase64),
                "cut at {cut}: {err:?}"
            );
        }
    }

    #[test]
    fn garbage_is_rejected() {
        assert_eq!(
            decode("s=1.!!!notbase64").unwrap_err(),
            ShareError::NotBase64
        );
        assert_eq!(decode("s=1.").unwrap_err(), ShareError::Corrupt);
        assert_eq!(decode("s=1.AAAA").unwrap_err(), ShareError::Corrupt);
        assert_eq!(decode("s=1").unwrap_err(), ShareError::Corrupt);
        assert_eq!(
            decode("s=9.abc").unwrap_err(),
            ShareError::UnknownVersion("9".into())
        );
        assert!(is_share_fragment("#s=1.xyz"));
        assert!(!is_share_fragment("#results"));
    }

    #[test]
    fn bomb_is_capped() {
        // 4 MiB of zeros compresses to a few KiB.
        let zeros = vec![b'a'; 4 * MAX_SCENARIO_BYTES];
        let packed = miniz_oxide::deflate::compress_to_vec(&zeros, 9);
        let frag = format!("s=1.{}", URL_SAFE_NO_PAD.encode(packed));
        assert!(frag.len() < 20_000);
        assert_eq!(decode(&frag).unwrap_err(), ShareError::TooLarge);
        // Exactly at the limit is fine.
        let yaml = "a".repeat(MAX_SCENARIO_BYTES);
        assert_eq!(decode(&encode(&yaml)).unwrap().len(), MAX_SCENARIO_BYTES);
    }

    #[test]
    fn not_utf8_is_rejected() {
        let packed = miniz_oxide::deflate::compress_to_vec(&[0xff, 0xfe, 0x00], 9);
        let frag = format!("s=1.{}", URL_SAFE_NO_PAD.encode(packed));
        assert_eq!(decode(&frag).unwrap_err(), ShareError::NotUtf8);
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
