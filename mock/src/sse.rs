//! Reading an event stream (a recorded `.sse` body) into its events, by the WHATWG rules the
//! API's streams follow: `event:` and `data:` fields, data lines joined with `\n`, comments
//! and other fields ignored, an event dispatched at a blank line.

/// One event: its name (`message` when none is given) and its data.
#[derive(Debug, PartialEq)]
pub(super) struct SseEvent {
    pub(super) name: String,
    pub(super) data: String,
}

/// The events of `bytes`, in order; an event without a blank line after it is not dispatched.
pub(super) fn events(bytes: &[u8]) -> Vec<SseEvent> {
    let text = String::from_utf8_lossy(bytes);
    let mut events = Vec::new();
    let mut name = String::new();
    let mut data: Option<String> = None;
    let mut lines = text.split('\n').peekable();
    while let Some(line) = lines.next() {
        if lines.peek().is_none() {
            break; // the text after the last line break is an unfinished line
        }
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            if let Some(data) = data.take() {
                let name = std::mem::take(&mut name);
                let name = if name.is_empty() {
                    "message".into()
                } else {
                    name
                };
                events.push(SseEvent { name, data });
            }
            name.clear();
            continue;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => name = value.to_owned(),
            "data" => match &mut data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => data = Some(value.to_owned()),
            },
            _ => {}
        }
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_comments_and_line_ends() {
        let stream = b": comment\r\nevent: ping\r\ndata: {\"type\":\"ping\"}\r\n\r\ndata: a\ndata:b\n\nevent: cut\ndata: x\n";
        assert_eq!(
            events(stream),
            [
                SseEvent {
                    name: "ping".into(),
                    data: "{\"type\":\"ping\"}".into()
                },
                SseEvent {
                    name: "message".into(),
                    data: "a\nb".into()
                },
            ]
        );
    }
}
