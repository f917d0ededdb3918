//! Any text, cut anywhere: the partial-JSON parser never panics and ends exactly where
//! `serde_json` does (the same value, or an invalid result carrying serde_json's message).
#![no_main]

use chat_anthropic::partial_json::PartialJsonParser;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

fuzz_target!(|input: &[u8]| {
    let Some((&stride, text)) = input.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let stride = usize::from(stride % 8) + 1;
    // Half the inputs read the live value after every fragment (the parser keeps a tree),
    // half never do (completions make the values).
    let reads_live = stride % 2 == 0;
    let mut parser = PartialJsonParser::new();
    let mut events = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let mut end = (start + stride).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        parser.push_with_events(&text[start..end], &mut events);
        if reads_live {
            let _ = parser.value();
        }
        start = end;
    }
    let ours = parser.finish();
    if text.trim_matches([' ', '\t', '\n', '\r']).is_empty() {
        assert_eq!(ours.unwrap(), Value::Object(Map::new()));
        return;
    }
    match serde_json::from_str::<Value>(text) {
        Ok(expected) => assert_eq!(ours.unwrap(), expected),
        Err(error) => assert_eq!(ours.unwrap_err().error, error.to_string()),
    }
});
