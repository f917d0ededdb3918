//! The text work the file tools share: deciding a file is text, numbering its lines, finding
//! the one occurrence to replace, inserting after a line, cutting long output.

/// The lines of a file as the tools show them: `cat -n`'s right-aligned number, a tab, the line.
pub(super) fn numbered(text: &str, first: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("{:>6}\t{line}", first + i));
    }
    out
}

/// The file's text, or `None` for a binary file (a NUL byte, or not UTF-8).
pub(super) fn as_text(bytes: &[u8]) -> Option<&str> {
    if bytes.contains(&0) {
        return None;
    }
    std::str::from_utf8(bytes).ok()
}

/// The lines `range` selects (1-based, inclusive; an end of -1 means the last line), and the
/// number of the first; `Err` says why the range does not fit the file.
pub(super) fn view_range(text: &str, range: [i64; 2]) -> Result<(String, usize), String> {
    let lines: Vec<&str> = text.split('\n').collect();
    let count = lines.len() as i64;
    let [start, end] = range;
    if start < 1 || start > count {
        return Err(format!(
            "Invalid `view_range`: {range:?}. Its first element `{start}` should be within the range of lines of the file: [1, {count}]"
        ));
    }
    let end = if end == -1 { count } else { end };
    if end < start || end > count {
        return Err(format!(
            "Invalid `view_range`: {range:?}. Its second element `{end}` should be -1 or within [{start}, {count}]"
        ));
    }
    let (from, to) = (start as usize - 1, end as usize);
    Ok((lines[from..to].join("\n"), from + 1))
}

/// Where `needle` occurs in `text`: the 1-based line of each occurrence (overlapping ones
/// counted, as the API's reference implementation does).
pub(super) fn occurrences(text: &str, needle: &str) -> Vec<usize> {
    if needle.is_empty() {
        return Vec::new();
    }
    let mut lines = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(needle) {
        let at = from + at;
        lines.push(text[..at].matches('\n').count() + 1);
        // Next char boundary after `at`, so overlapping occurrences are found too.
        from = at + text[at..].chars().next().map_or(1, char::len_utf8);
    }
    lines
}

/// `text` with `insert` placed after line `after` (0 = at the top); `Err` with the number of
/// lines when `after` is past the end.
pub(super) fn insert_after(text: &str, after: i64, insert: &str) -> Result<String, usize> {
    let mut lines: Vec<&str> = if text.is_empty() {
        Vec::new()
    } else {
        text.strip_suffix('\n')
            .unwrap_or(text)
            .split('\n')
            .collect()
    };
    let count = lines.len();
    let Ok(at) = usize::try_from(after) else {
        return Err(count);
    };
    if at > count {
        return Err(count);
    }
    let insert = insert.strip_suffix('\n').unwrap_or(insert);
    lines.insert(at, insert);
    let mut out = lines.join("\n");
    out.push('\n');
    Ok(out)
}

/// A few numbered lines around line `line` (1-based) of `text`: what an edit shows back.
pub(super) fn snippet(text: &str, line: usize, extra_lines: usize) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let first = line.saturating_sub(4).max(1);
    let last = (line + 3 + extra_lines).min(lines.len());
    numbered(&lines[first - 1..last].join("\n"), first)
}

/// The first `max` characters of `text`, and when it was longer, how many it had.
pub(super) fn clip(text: &str, max: usize) -> (&str, Option<usize>) {
    match text.char_indices().nth(max) {
        None => (text, None),
        Some((cut, _)) => (&text[..cut], Some(text.chars().count())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_numbered_like_cat_n() {
        assert_eq!(numbered("a\nb", 1), "     1\ta\n     2\tb");
        assert_eq!(numbered("x", 9), "     9\tx");
    }

    #[test]
    fn binary_is_a_nul_or_invalid_utf8() {
        assert_eq!(as_text(b"hi\n"), Some("hi\n"));
        assert_eq!(as_text(b"a\0b"), None);
        assert_eq!(as_text(&[0x66, 0xff]), None);
    }

    #[test]
    fn ranges_are_checked_against_the_file() {
        let text = "1\n2\n3\n4";
        assert_eq!(view_range(text, [2, 3]), Ok(("2\n3".into(), 2)));
        assert_eq!(view_range(text, [3, -1]), Ok(("3\n4".into(), 3)));
        assert!(view_range(text, [0, 2]).is_err());
        assert!(view_range(text, [3, 2]).is_err());
        assert!(view_range(text, [1, 9]).is_err());
    }

    #[test]
    fn occurrences_report_their_lines() {
        assert_eq!(occurrences("a x\nb\nx c", "x"), vec![1, 3]);
        assert_eq!(occurrences("aaa", "aa"), vec![1, 1]);
        assert_eq!(occurrences("é é", "é"), vec![1, 1]);
        assert!(occurrences("abc", "").is_empty());
        assert!(occurrences("abc", "z").is_empty());
    }

    #[test]
    fn inserts_go_after_the_line() {
        assert_eq!(insert_after("a\nb\n", 0, "x"), Ok("x\na\nb\n".into()));
        assert_eq!(insert_after("a\nb\n", 2, "x\n"), Ok("a\nb\nx\n".into()));
        assert_eq!(insert_after("", 0, "x"), Ok("x\n".into()));
        assert_eq!(insert_after("a\nb", 3, "x"), Err(2));
        assert_eq!(insert_after("a", -1, "x"), Err(1));
    }

    #[test]
    fn long_text_is_cut_on_a_char_boundary() {
        assert_eq!(clip("héllo", 10), ("héllo", None));
        assert_eq!(clip("héllo", 2), ("hé", Some(5)));
    }
}
