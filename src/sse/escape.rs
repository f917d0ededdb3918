//! JSON's one-character escapes, shared by the two hand-written string readers (the plain
//! delta reader and the partial-JSON parser).

/// The character a backslash followed by `byte` stands for; `None` for `u` (four hex digits
/// follow, read by the caller) and for anything JSON does not allow.
pub(crate) fn simple_escape(byte: u8) -> Option<char> {
    Some(match byte {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        _ => return None,
    })
}
