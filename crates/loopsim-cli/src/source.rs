//! Reading a scenario file: bytes from disk, then UTF-8, with a located error when it is not.

use std::path::Path;

/// The text of a scenario file, or the message to print (exit 2): an I/O error, or the line
/// and column of the first byte that is not UTF-8, as `FILE:LINE:COL: error: …` with a hint.
pub fn read(path: &Path) -> Result<String, String> {
    let file = path.display();
    let bytes = std::fs::read(path).map_err(|e| format!("loopsim: cannot read {file}: {e}"))?;
    decode(bytes).map_err(|e| e.render(&file.to_string()))
}

/// Where and why a file is not UTF-8.
#[derive(Debug, PartialEq)]
pub struct NotUtf8 {
    pub byte: u8,
    pub offset: usize,
    pub line: usize,
    pub column: usize,
    /// The file starts with a UTF-16 byte order mark.
    pub utf16: bool,
}

impl NotUtf8 {
    fn render(&self, file: &str) -> String {
        let hint = if self.utf16 {
            "the file starts with a UTF-16 byte order mark: save it as UTF-8 (e.g. \
             `iconv -f UTF-16 -t UTF-8`)"
        } else {
            "save the file as UTF-8; one in another encoding (Latin-1, Windows-1252) can be \
             converted, e.g. with `iconv -f LATIN1 -t UTF-8`"
        };
        format!(
            "{file}:{}:{}: error: the file is not UTF-8: invalid byte 0x{:02X} at byte offset {}\n  \
             hint: {hint}",
            self.line, self.column, self.byte, self.offset
        )
    }
}

pub fn decode(bytes: Vec<u8>) -> Result<String, NotUtf8> {
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let prefix = std::str::from_utf8(&bytes[..offset]).expect("valid up to `offset`");
        let (line, column) = line_col(prefix);
        NotUtf8 {
            byte: bytes[offset],
            offset,
            line,
            column,
            utf16: bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]),
        }
    })
}

/// The 1-based line and column just after `prefix`: lines end at `\n`, `\r\n` (one break) or
/// a bare `\r`, as for the YAML parser; the column counts characters.
fn line_col(prefix: &str) -> (usize, usize) {
    let mut line = 1;
    let mut line_start = 0;
    let b = prefix.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        let breaks = c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n'));
        if breaks {
            line += 1;
            line_start = i + 1;
        }
    }
    (line, prefix[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(bytes: &[u8]) -> (usize, usize, usize, u8) {
        let e = decode(bytes.to_vec()).unwrap_err();
        (e.line, e.column, e.offset, e.byte)
    }

    #[test]
    fn utf8_passes_through() {
        assert_eq!(decode("a: é\n".into()).unwrap(), "a: é\n");
    }

    #[test]
    fn the_first_bad_byte_is_located_by_line_and_character() {
        assert_eq!(at(b"\xFFversion: 1"), (1, 1, 0, 0xFF));
        assert_eq!(at(b"version: 1\nname: caf\xE9\n"), (2, 10, 20, 0xE9));
        // Columns count characters, not bytes: `é` is two bytes, one column.
        assert_eq!(
            at("name: é"
                .as_bytes()
                .iter()
                .chain(b"\x80")
                .copied()
                .collect::<Vec<_>>()
                .as_slice()),
            (1, 8, 8, 0x80)
        );
        // `\r\n` is one break; a bare `\r` is a break too.
        assert_eq!(at(b"a: 1\r\nb: 2\r\nc: \xC0"), (3, 4, 15, 0xC0));
        assert_eq!(at(b"a: 1\rb: \xC0"), (2, 4, 8, 0xC0));
        assert_eq!(at(b"a: 1\r\xC0"), (2, 1, 5, 0xC0));
        // A truncated multi-byte sequence is reported at its first byte.
        assert_eq!(at(b"a: \xE2\x82"), (1, 4, 3, 0xE2));
    }

    #[test]
    fn the_message_is_compiler_style_with_a_hint() {
        let e = decode(b"x: \xFF".to_vec()).unwrap_err().render("s.yaml");
        assert!(e.starts_with(
            "s.yaml:1:4: error: the file is not UTF-8: invalid byte 0xFF at byte offset 3\n  hint: save the file as UTF-8"
        ), "{e}");
        let e = decode(b"\xFF\xFEv\0".to_vec())
            .unwrap_err()
            .render("s.yaml");
        assert!(
            e.contains("hint: the file starts with a UTF-16 byte order mark"),
            "{e}"
        );
    }
}
