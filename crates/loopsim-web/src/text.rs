//! UTF-16 ↔ UTF-8 offset conversion: the editor (like every JS string API) counts UTF-16 code
//! units, Rust strings are UTF-8 bytes.

/// Byte offset of UTF-16 offset `units` in `s` (clamped to the text; an offset inside a
/// surrogate pair rounds down to the start of the character).
pub fn utf16_to_byte(s: &str, units: usize) -> usize {
    let mut seen = 0;
    for (i, c) in s.char_indices() {
        let next = seen + c.len_utf16();
        if next > units {
            return i;
        }
        seen = next;
    }
    s.len()
}

/// UTF-16 offset of byte offset `byte` in `s` (clamped, rounded down to a char boundary).
pub fn byte_to_utf16(s: &str, byte: usize) -> usize {
    let mut end = byte.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].encode_utf16().count()
}

/// The one replacement that turns `old` into `new`: the differing middle once their common
/// start and end are set aside, in UTF-16 offsets of `old` (the editor applies it as one
/// undoable edit, so the cursor and scroll position elsewhere stay put).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub from: usize,
    pub to: usize,
    /// The text now between `from` and `to` in `old`.
    pub replaces: String,
    pub insert: String,
}

/// The [`Edit`] from `old` to `new` (`None` when they are equal).
pub fn edit(old: &str, new: &str) -> Option<Edit> {
    if old == new {
        return None;
    }
    let mut start = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(start) || !new.is_char_boundary(start) {
        start -= 1;
    }
    let max_end = old.len().min(new.len()) - start;
    let mut end = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_end)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - end) || !new.is_char_boundary(new.len() - end) {
        end -= 1;
    }
    let (old_to, new_to) = (old.len() - end, new.len() - end);
    Some(Edit {
        from: byte_to_utf16(old, start),
        to: byte_to_utf16(old, old_to),
        replaces: old[start..old_to].to_string(),
        insert: new[start..new_to].to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_is_the_differing_middle() {
        assert_eq!(edit("same", "same"), None);
        let e = edit("a: blocking: 5ms\nb", "a: offload: 5ms\nb").unwrap();
        assert_eq!(
            (e.replaces.as_str(), e.insert.as_str()),
            ("blocking", "offload")
        );
        assert_eq!((e.from, e.to), (3, 11));
        // Repeated letters at the seam never overlap the two ends.
        let e = edit("aaa", "aaaa").unwrap();
        assert_eq!((e.from, e.to, e.insert.as_str()), (3, 3, "a"));
        let e = edit("é😀x", "é😁x").unwrap();
        assert_eq!((e.from, e.to), (1, 3), "whole characters, UTF-16 offsets");
        assert_eq!(e.insert, "😁");
        let e = edit("", "new").unwrap();
        assert_eq!((e.from, e.to, e.insert.as_str()), (0, 0, "new"));
    }

    #[test]
    fn converts_both_ways() {
        let s = "aé😀b";
        // a:1 byte/1 unit, é:2/1, 😀:4/2, b:1/1
        assert_eq!(utf16_to_byte(s, 0), 0);
        assert_eq!(utf16_to_byte(s, 1), 1);
        assert_eq!(utf16_to_byte(s, 2), 3);
        assert_eq!(utf16_to_byte(s, 3), 3, "inside the surrogate pair");
        assert_eq!(utf16_to_byte(s, 4), 7);
        assert_eq!(utf16_to_byte(s, 5), 8);
        assert_eq!(utf16_to_byte(s, 99), 8);
        assert_eq!(byte_to_utf16(s, 3), 2);
        assert_eq!(byte_to_utf16(s, 5), 2, "inside a char");
        assert_eq!(byte_to_utf16(s, 7), 4);
        assert_eq!(byte_to_utf16(s, 100), 5);
    }
}
