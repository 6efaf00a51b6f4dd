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

#[cfg(test)]
mod tests {
    use super::*;

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
