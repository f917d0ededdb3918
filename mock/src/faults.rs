//! Faults at the level of stream events: an `error` event in place of the rest, a pause
//! (silent or pinging) before the stream resumes, pings forever. They turn the reply's events
//! into a plan of parts the body sender plays: bytes, sleeps, and an endless ping.

use std::time::Duration;

use bytes::Bytes;

/// Where in the stream an event fault strikes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum At {
    /// After this many events.
    AfterEvents(usize),
    /// Before the first `content_block_start` (after `message_start` and any ping).
    BeforeContent,
}

/// An `error` event that replaces the rest of the stream.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ErrorEvent {
    pub(super) at: At,
    pub(super) kind: String,
    pub(super) message: String,
}

/// A pause before the stream goes on, with a ping every so often or silent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Pause {
    pub(super) after_events: usize,
    pub(super) length: Duration,
    pub(super) ping_every: Option<Duration>,
}

/// The event faults of one reply (applied to streaming replies only).
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct EventFaults {
    pub(super) error_event: Option<ErrorEvent>,
    pub(super) pause: Option<Pause>,
    /// After this many events, a ping every this often until the client goes away.
    pub(super) pings_forever: Option<(usize, Duration)>,
    /// After this many events, the connection breaks ([`Part::Break`]) or goes silent for
    /// good ([`Part::Hold`]).
    pub(super) cut: Option<(usize, Part)>,
}

/// One step of sending a body.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Part {
    Data(Bytes),
    Sleep(Duration),
    /// Sends `ping` every `every` until the client leaves or the server stops.
    PingForever {
        every: Duration,
        ping: Bytes,
    },
    /// Breaks the connection.
    Break,
    /// Sends nothing more, holding the connection open until the server stops.
    Hold,
}

/// The SSE `ping` event.
pub(super) fn ping_event() -> Bytes {
    Bytes::from_static(b"event: ping\ndata: {\"type\": \"ping\"}\n\n")
}

/// An SSE `error` event.
pub(super) fn error_event(kind: &str, message: &str) -> Bytes {
    let data = serde_json::json!({"type": "error", "error": {"type": kind, "message": message}});
    format!("event: error\ndata: {data}\n\n").into()
}

/// The parts that send `events` (one SSE event each) with these faults.
pub(super) fn plan(events: Vec<Bytes>, faults: &EventFaults) -> Vec<Part> {
    let mut events = events;
    if let Some(error) = &faults.error_event {
        events.truncate(position(&events, error.at));
        events.push(error_event(&error.kind, &error.message));
    }
    let mut ending = faults.pings_forever.map(|(after, every)| {
        events.truncate(after);
        Part::PingForever {
            every,
            ping: ping_event(),
        }
    });
    if let Some((after, cut)) = &faults.cut {
        events.truncate(*after);
        ending = Some(cut.clone());
    }
    let mut parts: Vec<Part> = events.into_iter().map(Part::Data).collect();
    if let Some(pause) = faults.pause {
        let at = pause.after_events.min(parts.len());
        parts.splice(at..at, pause_parts(pause));
    }
    parts.extend(ending);
    parts
}

/// A pause as sleeps, with pings in between when it pings.
fn pause_parts(pause: Pause) -> Vec<Part> {
    let Some(every) = pause.ping_every.filter(|every| !every.is_zero()) else {
        return vec![Part::Sleep(pause.length)];
    };
    let mut parts = Vec::new();
    let mut left = pause.length;
    while left >= every {
        parts.push(Part::Sleep(every));
        parts.push(Part::Data(ping_event()));
        left -= every;
    }
    if !left.is_zero() {
        parts.push(Part::Sleep(left));
    }
    parts
}

/// The event index a fault position stands for.
fn position(events: &[Bytes], at: At) -> usize {
    match at {
        At::AfterEvents(n) => n.min(events.len()),
        At::BeforeContent => events
            .iter()
            .position(|event| event_type(event).as_deref() == Some("content_block_start"))
            .unwrap_or(events.len().min(1)),
    }
}

/// An SSE event's name, or its data's `type` when it has no `event:` line.
fn event_type(event: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(event).ok()?;
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("event:") {
            return Some(name.trim().to_owned());
        }
    }
    let data = text.lines().find_map(|line| line.strip_prefix("data:"))?;
    let value: serde_json::Value = serde_json::from_str(data.trim()).ok()?;
    value["type"].as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(names: &[&str]) -> Vec<Bytes> {
        names
            .iter()
            .map(|name| Bytes::from(format!("event: {name}\ndata: {{\"type\":\"{name}\"}}\n\n")))
            .collect()
    }

    fn names(parts: &[Part]) -> Vec<String> {
        parts
            .iter()
            .map(|part| match part {
                Part::Data(bytes) => event_type(bytes).unwrap_or_default(),
                Part::Sleep(length) => format!("sleep {}ms", length.as_millis()),
                Part::PingForever { every, .. } => format!("pings every {}ms", every.as_millis()),
                Part::Break => "break".into(),
                Part::Hold => "hold".into(),
            })
            .collect()
    }

    const STREAM: [&str; 5] = [
        "message_start",
        "ping",
        "content_block_start",
        "content_block_stop",
        "message_stop",
    ];

    #[test]
    fn an_error_before_content_follows_message_start_and_its_ping() {
        let faults = EventFaults {
            error_event: Some(ErrorEvent {
                at: At::BeforeContent,
                kind: "overloaded_error".into(),
                message: "Overloaded".into(),
            }),
            ..EventFaults::default()
        };
        let parts = plan(events(&STREAM), &faults);
        assert_eq!(names(&parts), ["message_start", "ping", "error"]);
    }

    #[test]
    fn a_pinging_pause_is_pings_between_sleeps_then_the_rest() {
        let faults = EventFaults {
            pause: Some(Pause {
                after_events: 3,
                length: Duration::from_millis(250),
                ping_every: Some(Duration::from_millis(100)),
            }),
            ..EventFaults::default()
        };
        let parts = plan(events(&STREAM), &faults);
        assert_eq!(
            names(&parts),
            [
                "message_start",
                "ping",
                "content_block_start",
                "sleep 100ms",
                "ping",
                "sleep 100ms",
                "ping",
                "sleep 50ms",
                "content_block_stop",
                "message_stop"
            ]
        );
    }

    #[test]
    fn pings_forever_replace_everything_after_their_position() {
        let faults = EventFaults {
            pings_forever: Some((1, Duration::from_millis(20))),
            ..EventFaults::default()
        };
        let parts = plan(events(&STREAM), &faults);
        assert_eq!(names(&parts), ["message_start", "pings every 20ms"]);
    }

    #[test]
    fn a_cut_after_message_start_drops_or_holds_the_connection_there() {
        for cut in [Part::Break, Part::Hold] {
            let faults = EventFaults {
                cut: Some((1, cut.clone())),
                ..EventFaults::default()
            };
            let parts = plan(events(&STREAM), &faults);
            assert_eq!(parts.len(), 2);
            assert_eq!(parts[1], cut);
        }
    }

    #[test]
    fn event_types_come_from_the_event_line_or_the_data() {
        assert_eq!(
            event_type(b"data: {\"type\":\"message_stop\"}\n\n").as_deref(),
            Some("message_stop")
        );
        assert_eq!(event_type(&ping_event()).as_deref(), Some("ping"));
    }
}
