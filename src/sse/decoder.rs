//! The incremental event-stream decoder (WHATWG "event stream interpretation").
//!
//! Hand-written because it is the hot path: every byte of every response goes through it.
//! Each byte is scanned once for a line end (memchr). A line that fits in its chunk is read
//! in place, as a range of the chunk: no `Bytes` is made for it, so no reference count is
//! touched per line. Only the data of a dispatched event becomes a `Bytes` (a slice of the
//! chunk, or the lines joined), and the known event names (`content_block_delta`, …) are
//! stored as `&'static str`. A line cut by chunk boundaries is held as slices of its chunks
//! and copied once, joined, when its end arrives ([`CutLine`]). UTF-8 is checked in bulk, per
//! chunk, over the lines lying whole in it ([`Utf8Chunk`]); data joined across chunks (or
//! beside bytes that are not UTF-8) and `id` lines (the id outlives its event) are checked on
//! their own. So each byte is checked once.

use std::collections::VecDeque;
use std::ops::Range;
use std::time::Duration;

use bytes::{Buf, Bytes, BytesMut};

use super::cut_line::CutLine;
use super::event::{known_name, known_name_prefix, EventName, SseEvent, Utf8Bytes, Utf8Chunk};
use super::SseError;

/// The default bound on one event's size.
pub const DEFAULT_MAX_EVENT_SIZE: usize = 16 * 1024 * 1024;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes an event stream pushed in as byte chunks, split anywhere.
///
/// The rules, as the WHATWG spec states them: LF, CR and CRLF all end a line (a CRLF cut
/// between two chunks is one line end); one leading U+FEFF BOM is skipped; a line starting
/// with `:` is a comment; a field's name runs to the first `:` and one space after it is
/// dropped (a line without `:` is a field name with an empty value); `data` lines are joined
/// with LF; `event` sets the event type, and an empty or absent one means `"message"`; `id`
/// persists across events and is ignored when it holds a NUL; `retry` counts only when it is
/// all ASCII digits (it is reported on the event it arrived with); other fields are ignored.
/// A blank line dispatches the event, unless it had no `data` line; an event cut off by the
/// end of the stream is never dispatched ([`has_partial_event`](Self::has_partial_event)).
///
/// One deliberate deviation: bytes that are not UTF-8 are an [`SseError::InvalidUtf8`] for
/// the event they belong to, where the spec would replace them with U+FFFD (a corrupted
/// payload should not reach a JSON parser as plausible text). The next event decodes as
/// usual, and an `id` that is not UTF-8 leaves the previous id in place. On top of the spec,
/// events larger than a bound are an [`SseError::EventTooLarge`] and are dropped without
/// being buffered.
///
/// ```
/// use bytes::Bytes;
/// use chat_anthropic::sse::SseDecoder;
/// let mut decoder = SseDecoder::new();
/// decoder.push(Bytes::from_static(b"event: ping\r"));
/// decoder.push(Bytes::from_static(b"\ndata: {}\r\n\r\ndata: a\ndata: b\n\n"));
/// let first = decoder.next_event().unwrap().unwrap();
/// assert_eq!((first.event(), first.data()), ("ping", "{}"));
/// assert_eq!(decoder.next_event().unwrap().unwrap().data(), "a\nb");
/// assert!(decoder.next_event().is_none(), "needs more input");
/// ```
#[derive(Debug)]
pub struct SseDecoder {
    max_event_size: usize,
    /// The chunk being scanned and where scanning stopped in it. It is kept after it is
    /// scanned to its end, until the next one arrives: the event being read may point into it.
    chunk: Utf8Chunk,
    position: usize,
    /// Chunks pushed before `chunk` was scanned to its end. `SseStream` pushes only when the
    /// decoder has nothing left to scan, so there this stays empty (and unallocated).
    queued: VecDeque<Bytes>,
    /// The start of a line cut by chunk boundaries.
    cut_line: CutLine,
    /// The previous chunk ended with CR: an LF starting the next one ends nothing.
    skip_lf: bool,
    /// Bytes seen before deciding whether the stream starts with a BOM.
    bom_probe: Option<BytesMut>,
    /// Discarding an oversized event until its blank line.
    discarding: bool,
    /// While discarding: whether the current (cut) line had any bytes.
    discarded_line_nonempty: bool,
    event: EventBuilder,
    /// The bytes of the current event's lines so far (terminators not counted): what the
    /// bound is checked against, the same whichever way the input was cut.
    event_bytes: usize,
    /// Checked when its line arrives, so a bad id spoils one event, not every later one.
    last_id: Option<Utf8Bytes>,
}

/// The fields of the event being read.
#[derive(Debug, Default)]
struct EventBuilder {
    event_type: Option<EventType>,
    data: Data,
    retry: Option<Duration>,
    /// The first field of this event found invalid before the blank line (an `id`).
    invalid: Option<SseError>,
}

/// The `event` field as read, before the event is dispatched.
#[derive(Debug)]
enum EventType {
    /// A known name, or `""` (which, like no `event` field, means `"message"`).
    Known(&'static str),
    /// Any other name, checked for UTF-8 only if its event is dispatched.
    Other(Bytes),
}

/// The data buffer: one line in the current chunk or borrowed from a joined line, or several
/// lines joined.
#[derive(Debug, Default)]
enum Data {
    #[default]
    None,
    /// A range of the decoder's current chunk; sliced out when the event is dispatched or
    /// the decoder moves to the next chunk.
    InChunk(Range<usize>),
    Slice(Bytes),
    Joined(BytesMut),
}

/// A line, or a field value: a range of the current chunk (nearly every line), or of a line
/// joined from the ends of several chunks, which the text owns.
struct Text<'a> {
    chunk: &'a Bytes,
    joined: Option<Bytes>,
    range: Range<usize>,
}

impl Text<'_> {
    #[inline]
    fn in_chunk(&self) -> bool {
        self.joined.is_none()
    }

    #[inline]
    fn bytes(&self) -> &[u8] {
        &self.joined.as_ref().unwrap_or(self.chunk)[self.range.clone()]
    }

    /// The text as shared bytes: a joined line is moved, not shared again (no reference count
    /// touched).
    #[inline]
    fn into_bytes(self) -> Bytes {
        match self.joined {
            Some(mut line) => {
                line.truncate(self.range.end);
                line.advance(self.range.start);
                line
            }
            None => self.chunk.slice(self.range),
        }
    }

    /// The part of this text from `offset` on.
    #[inline]
    fn tail(self, offset: usize) -> Self {
        Text {
            range: self.range.start + offset..self.range.end,
            ..self
        }
    }
}

impl Data {
    fn len(&self) -> usize {
        match self {
            Data::None => 0,
            Data::InChunk(range) => range.len(),
            Data::Slice(bytes) => bytes.len(),
            Data::Joined(buffer) => buffer.len(),
        }
    }

    /// Adds a `data` line; `chunk` is the decoder's current chunk. (Written in place: the
    /// first line, nearly always the only one, moves nothing else.)
    #[inline]
    fn append_line(&mut self, chunk: &Bytes, value: Text<'_>) {
        match self {
            Data::None if value.in_chunk() => *self = Data::InChunk(value.range),
            Data::None => *self = Data::Slice(value.into_bytes()),
            Data::InChunk(first) => *self = Self::join(&chunk[first.clone()], value.bytes()),
            Data::Slice(first) => *self = Self::join(first, value.bytes()),
            Data::Joined(joined) => {
                joined.extend_from_slice(b"\n");
                joined.extend_from_slice(value.bytes());
            }
        }
    }

    fn join(first: &[u8], second: &[u8]) -> Self {
        let mut joined = BytesMut::with_capacity(first.len() + 1 + second.len());
        joined.extend_from_slice(first);
        joined.extend_from_slice(b"\n");
        joined.extend_from_slice(second);
        Data::Joined(joined)
    }

    /// Slices a range of `chunk` out before the decoder lets go of that chunk.
    fn detach(&mut self, chunk: &Bytes) {
        if let Data::InChunk(range) = self {
            *self = Data::Slice(chunk.slice(range.clone()));
        }
    }

    /// The data of a dispatched event (`None` when it had no `data` line), checked for UTF-8
    /// unless it lies in `chunk` and the chunk's bulk check covers it.
    fn into_utf8(self, chunk: &mut Utf8Chunk) -> Option<Result<Utf8Bytes, usize>> {
        let bytes = match self {
            Data::None => return None,
            Data::InChunk(range) => match chunk.checked_slice(range.clone()) {
                Some(checked) => return Some(Ok(checked)),
                None => chunk.slice(range),
            },
            Data::Slice(bytes) => bytes,
            Data::Joined(buffer) => buffer.freeze(),
        };
        Some(Utf8Bytes::new(bytes))
    }
}

impl Default for SseDecoder {
    fn default() -> Self {
        Self::with_max_event_size(DEFAULT_MAX_EVENT_SIZE)
    }
}

impl SseDecoder {
    /// A decoder with the default 16 MiB bound on one event.
    pub fn new() -> Self {
        Self::default()
    }

    /// A decoder that rejects events larger than `bytes`, counting every line of the event
    /// (field names, comments and a line still arriving included, line ends not).
    pub fn with_max_event_size(bytes: usize) -> Self {
        Self {
            max_event_size: bytes,
            chunk: Utf8Chunk::default(),
            position: 0,
            queued: VecDeque::new(),
            cut_line: CutLine::default(),
            skip_lf: false,
            bom_probe: Some(BytesMut::new()),
            discarding: false,
            discarded_line_nonempty: false,
            event: EventBuilder::default(),
            event_bytes: 0,
            last_id: None,
        }
    }

    /// Hands over the next chunk of the stream.
    pub fn push(&mut self, chunk: Bytes) {
        let Some(probe) = self.bom_probe.as_mut() else {
            return self.enqueue(chunk);
        };
        if chunk.is_empty() {
            return;
        }
        if probe.is_empty() && chunk.len() >= BOM.len() {
            self.bom_probe = None;
            let skip = if chunk.starts_with(BOM) { BOM.len() } else { 0 };
            return self.enqueue(chunk.slice(skip..));
        }
        // A first chunk shorter than a BOM: hold the bytes until it is clear.
        probe.extend_from_slice(&chunk);
        let seen = probe.len().min(BOM.len());
        if probe[..seen] != BOM[..seen] {
            let start = probe.split().freeze();
            self.bom_probe = None;
            self.enqueue(start);
        } else if probe.len() >= BOM.len() {
            let rest = probe.split().freeze().slice(BOM.len()..);
            self.bom_probe = None;
            self.enqueue(rest);
        }
    }

    /// Scans `chunk` now if the current one is done, else after the ones already waiting.
    fn enqueue(&mut self, chunk: Bytes) {
        if chunk.is_empty() {
            return;
        }
        if self.position >= self.chunk.len() && self.queued.is_empty() {
            self.start_chunk(chunk);
        } else {
            self.queued.push_back(chunk);
        }
    }

    /// Moves on to `next`, once the current chunk is scanned to its end.
    fn start_chunk(&mut self, next: Bytes) {
        self.event.data.detach(&self.chunk);
        self.position = usize::from(std::mem::take(&mut self.skip_lf) && next[0] == b'\n');
        self.chunk = Utf8Chunk::new(next);
    }

    /// Whether part of an event (or of a line) is waiting for more input. At the end of the
    /// stream this means the last event was cut off; per the spec it is discarded.
    pub fn has_partial_event(&self) -> bool {
        !self.cut_line.is_empty()
            || self.event.data.len() > 0
            || self.event.event_type.is_some()
            || self.event.invalid.is_some()
            || self.position < self.chunk.len()
            || !self.queued.is_empty()
            || self.bom_probe.as_ref().is_some_and(|p| !p.is_empty())
    }

    /// The next complete event, an error, or `None` when more input is needed.
    pub fn next_event(&mut self) -> Option<Result<SseEvent, SseError>> {
        loop {
            if self.position >= self.chunk.len() {
                let next = self.queued.pop_front()?;
                self.start_chunk(next);
                continue;
            }
            if let Some(event) = self.next_common_event() {
                return Some(Ok(event));
            }
            let start = self.position;
            let Some(end) = self.find_line_end() else {
                self.carry();
                if let Some(err) = self.check_size() {
                    return Some(Err(err));
                }
                continue;
            };
            self.position = self.after_line_end(end);
            let mut joined =
                (!self.cut_line.is_empty()).then(|| self.cut_line.join(&self.chunk[start..end]));
            if let Some(result) = self.data_line_ending_event(&mut joined, start..end) {
                return Some(result);
            }
            let result = match joined {
                None => self.process_line(None, start..end),
                Some(line) => {
                    let whole = 0..line.len();
                    self.process_line(Some(line), whole)
                }
            };
            if result.is_some() {
                return result;
            }
        }
    }

    /// A `data` line (`joined`, or `in_chunk` of the chunk) followed at once by the blank line
    /// that ends its event, when nothing else of the event was read but an `event` line with a
    /// known name: the shape of nearly every event of any stream, cut or not, dispatched in
    /// one step with its blank line (no event state written and read back). `None` leaves
    /// everything as it was, for the line-by-line path.
    #[inline]
    fn data_line_ending_event(
        &mut self,
        joined: &mut Option<Bytes>,
        in_chunk: Range<usize>,
    ) -> Option<Result<SseEvent, SseError>> {
        // The blank line is looked at first: it rules out nearly every other line at once.
        if !matches!(self.chunk.get(self.position), Some(b'\n' | b'\r')) {
            return None;
        }
        let event = &self.event;
        if self.discarding
            || !matches!(event.data, Data::None)
            || matches!(event.event_type, Some(EventType::Other(_)))
            || event.retry.is_some()
            || event.invalid.is_some()
        {
            return None;
        }
        let line = joined.as_deref().unwrap_or(&self.chunk[in_chunk.clone()]);
        if !line.starts_with(b"data") || self.event_bytes + line.len() > self.max_event_size {
            return None;
        }
        let (Field::Data, value) = split_field(line) else {
            return None;
        };
        let next_event = next_line_start(&self.chunk, self.position)?;
        let data = match joined.take() {
            Some(mut line) => {
                line.advance(value);
                Utf8Bytes::new(line)
            }
            None => {
                let range = in_chunk.start + value..in_chunk.end;
                match self.chunk.checked_slice(range.clone()) {
                    Some(checked) => Ok(checked),
                    None => Utf8Bytes::new(self.chunk.slice(range)),
                }
            }
        };
        self.position = next_event;
        self.event_bytes = 0;
        let name = match self.event.event_type.take() {
            Some(EventType::Known(name)) if !name.is_empty() => Some(EventName::Known(name)),
            _ => None,
        };
        Some(match data {
            Ok(data) => Ok(SseEvent {
                event: name,
                data,
                id: self.last_id.clone(),
                retry: None,
            }),
            Err(valid_up_to) => Err(SseError::InvalidUtf8 {
                field: "data",
                valid_up_to,
            }),
        })
    }

    /// The shape of nearly every event the API sends, `event: <known name>`, one `data` line
    /// and a blank line, read in one step when it lies whole in the chunk and nothing of an
    /// event is pending. Anything else (and any doubt: a bound crossed, bytes that are not
    /// UTF-8, a CR ending the chunk) is left untouched for the line-by-line path.
    fn next_common_event(&mut self) -> Option<SseEvent> {
        // No line or field of an event read yet (every line read adds to `event_bytes`).
        if self.event_bytes != 0 || self.discarding || !self.cut_line.is_empty() {
            return None;
        }
        let start = self.position;
        let rest = &self.chunk[start..];
        let (name, name_len) = known_event_line(rest)?;
        let data_line = next_line_start(rest, name_len)?;
        let data_end = data_line + memchr::memchr2(b'\n', b'\r', &rest[data_line..])?;
        let (Field::Data, value) = split_field(&rest[data_line..data_end]) else {
            return None;
        };
        let blank_line = next_line_start(rest, data_end)?;
        let next_event = next_line_start(rest, blank_line)?;
        if name_len + (data_end - data_line) > self.max_event_size {
            return None;
        }
        let data = start + data_line + value..start + data_end;
        let data = match self.chunk.checked_slice(data.clone()) {
            Some(checked) => checked,
            None => Utf8Bytes::new(self.chunk.slice(data)).ok()?,
        };
        self.position = start + next_event;
        Some(SseEvent {
            event: Some(EventName::Known(name)),
            data,
            id: self.last_id.clone(),
            retry: None,
        })
    }

    /// Where the line starting at `position` ends in the current chunk, if it does.
    fn find_line_end(&self) -> Option<usize> {
        let rest = &self.chunk[self.position..];
        // Every event ends with a blank line, and the API's start with an `event` line naming
        // a known type: the ends of those are found without a search.
        if let b'\n' | b'\r' = rest[0] {
            return Some(self.position);
        }
        if let Some((_, len)) = known_event_line(rest) {
            return Some(self.position + len);
        }
        memchr::memchr2(b'\n', b'\r', rest).map(|at| self.position + at)
    }

    /// Where the next line starts after the line end at `end` (one byte, or a CRLF).
    fn after_line_end(&mut self, end: usize) -> usize {
        next_line_start(&self.chunk, end).unwrap_or_else(|| {
            // A CR ending the chunk: an LF starting the next one belongs to it.
            self.skip_lf = true;
            end + 1
        })
    }

    /// Keeps the unterminated end of the chunk (unless discarding); the chunk is done.
    fn carry(&mut self) {
        let rest = self.position..self.chunk.len();
        if self.discarding {
            self.discarded_line_nonempty |= !rest.is_empty();
        } else {
            self.cut_line.push(&self.chunk, rest);
        }
        self.position = self.chunk.len();
    }

    /// Starts discarding when the event being read grew past the bound.
    fn check_size(&mut self) -> Option<SseError> {
        if self.discarding || self.event_bytes + self.cut_line.len() <= self.max_event_size {
            return None;
        }
        let cut_line_had_bytes = !self.cut_line.is_empty();
        self.cut_line.clear();
        Some(self.start_discarding(cut_line_had_bytes))
    }

    /// Drops the event being read and skips to its blank line.
    fn start_discarding(&mut self, cut_line_had_bytes: bool) -> SseError {
        self.discarding = true;
        self.discarded_line_nonempty = cut_line_had_bytes;
        self.event = EventBuilder::default();
        self.event_bytes = 0;
        SseError::EventTooLarge {
            limit: self.max_event_size,
        }
    }

    /// One line: `range` of `joined` (a line cut by chunk boundaries) or of the chunk.
    fn process_line(
        &mut self,
        joined: Option<Bytes>,
        range: Range<usize>,
    ) -> Option<Result<SseEvent, SseError>> {
        let len = range.len();
        if self.discarding {
            let cut_line_had_bytes = std::mem::take(&mut self.discarded_line_nonempty);
            if len == 0 && !cut_line_had_bytes {
                self.discarding = false;
            }
            return None;
        }
        if len == 0 {
            self.event_bytes = 0;
            return self.dispatch();
        }
        if self.event_bytes + len > self.max_event_size {
            return Some(Err(self.start_discarding(false)));
        }
        self.event_bytes += len;
        let line = Text {
            chunk: &self.chunk,
            joined,
            range,
        };
        let (field, value_start) = split_field(line.bytes());
        let value = line.tail(value_start);
        let event = &mut self.event;
        match field {
            Field::Data => event.data.append_line(&self.chunk, value),
            Field::Event => {
                event.event_type = Some(match known_name(value.bytes()) {
                    Some(name) => EventType::Known(name),
                    None if value.range.is_empty() => EventType::Known(""),
                    None => EventType::Other(value.into_bytes()),
                })
            }
            Field::Id if !value.bytes().contains(&0) => match Utf8Bytes::new(value.into_bytes()) {
                Ok(id) => self.last_id = Some(id),
                Err(valid_up_to) => {
                    let invalid = SseError::InvalidUtf8 {
                        field: "id",
                        valid_up_to,
                    };
                    event.invalid.get_or_insert(invalid);
                }
            },
            Field::Retry => event.retry = parse_retry(value.bytes()).or(event.retry),
            Field::Id | Field::Comment | Field::Other => {}
        }
        None
    }

    /// A blank line: the event is complete. No data line, no event (but a field found
    /// invalid on the way is still reported).
    fn dispatch(&mut self) -> Option<Result<SseEvent, SseError>> {
        let EventBuilder {
            event_type,
            data,
            retry,
            invalid,
        } = std::mem::take(&mut self.event);
        if let Some(err) = invalid {
            return Some(Err(err));
        }
        let data = data.into_utf8(&mut self.chunk)?;
        let invalid =
            |field: &'static str| move |valid_up_to| SseError::InvalidUtf8 { field, valid_up_to };
        let event = (|| {
            // The spec changes the type from "message" only for a non-empty event type buffer.
            let event = match event_type {
                None | Some(EventType::Known("")) => None,
                Some(EventType::Known(name)) => Some(EventName::Known(name)),
                Some(EventType::Other(name)) => Some(EventName::Other(
                    Utf8Bytes::new(name).map_err(invalid("event"))?,
                )),
            };
            Ok(SseEvent {
                event,
                data: data.map_err(invalid("data"))?,
                id: self.last_id.clone(),
                retry,
            })
        })();
        Some(event)
    }
}

/// The `event: <known name>` line `rest` starts with, and its length, if it does and its line
/// end is in `rest` too (a longer name that starts with a known one is not one).
fn known_event_line(rest: &[u8]) -> Option<(&'static str, usize)> {
    const PREFIX: &[u8] = b"event: ";
    let name = known_name_prefix(rest.strip_prefix(PREFIX)?)?;
    let len = PREFIX.len() + name.len();
    matches!(rest.get(len), Some(b'\n' | b'\r')).then_some((name, len))
}

/// Where the next line starts when a line end (`\n`, `\r` or `\r\n`) is at `at`; `None` when
/// there is none, or when it is a CR ending `bytes` (an LF starting the next chunk would
/// belong to it).
fn next_line_start(bytes: &[u8], at: usize) -> Option<usize> {
    match bytes.get(at..)? {
        [b'\r'] => None,
        [b'\r', b'\n', ..] => Some(at + 2),
        [b'\n' | b'\r', ..] => Some(at + 1),
        _ => None,
    }
}

/// What a line is, by its field name.
enum Field {
    Data,
    Event,
    Id,
    Retry,
    /// A line starting with `:`.
    Comment,
    Other,
}

/// A line's field, and where its value starts (after the `:` and one optional space).
/// Nearly every line of a stream is a `data` or an `event` line: those are recognised
/// before searching for the colon.
fn split_field(line: &[u8]) -> (Field, usize) {
    let (field, colon) = if line.starts_with(b"data:") {
        (Field::Data, 4)
    } else if line.starts_with(b"event:") {
        (Field::Event, 5)
    } else {
        let Some(colon) = memchr::memchr(b':', line) else {
            return (Field::named(line), line.len());
        };
        (Field::named(&line[..colon]), colon)
    };
    let skip_space = usize::from(line.get(colon + 1) == Some(&b' '));
    (field, colon + 1 + skip_space)
}

impl Field {
    fn named(name: &[u8]) -> Self {
        match name {
            b"" => Field::Comment,
            b"data" => Field::Data,
            b"event" => Field::Event,
            b"id" => Field::Id,
            b"retry" => Field::Retry,
            _ => Field::Other,
        }
    }
}

/// A `retry` value: only ASCII digits count (too large a number is ignored too).
fn parse_retry(value: &[u8]) -> Option<Duration> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let ms = std::str::from_utf8(value).ok()?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `chunks` in order, collecting every result.
    fn decode_with(decoder: &mut SseDecoder, chunks: &[&[u8]]) -> Vec<Result<SseEvent, SseError>> {
        let mut out = Vec::new();
        for chunk in chunks {
            decoder.push(Bytes::copy_from_slice(chunk));
            while let Some(result) = decoder.next_event() {
                out.push(result);
            }
        }
        out
    }

    fn decode(chunks: &[&[u8]]) -> Vec<(String, String)> {
        decode_with(&mut SseDecoder::new(), chunks)
            .into_iter()
            .map(|r| {
                let e = r.unwrap();
                (e.event().to_owned(), e.data().to_owned())
            })
            .collect()
    }

    fn pair(event: &str, data: &str) -> (String, String) {
        (event.to_owned(), data.to_owned())
    }

    /// Decodes `input` whole, then cut at every place, then one byte at a time, and checks
    /// every way gives the same results; returns them. Natively each place is cut alone (in
    /// two). Under Miri (~1000x slower) that is quadratic in minutes: there the places are cut
    /// 16 apart in one pass, in 16 passes each shifted by a byte, so every place is still cut.
    fn decode_every_cut(input: &[u8]) -> Vec<Result<SseEvent, SseError>> {
        const STRIDE: usize = 16;
        let whole = decode_with(&mut SseDecoder::new(), &[input]);
        let passes: Vec<Vec<&[u8]>> = if cfg!(miri) {
            (1..=STRIDE.min(input.len().saturating_sub(1)))
                .map(|first| {
                    let (head, rest) = input.split_at(first);
                    std::iter::once(head).chain(rest.chunks(STRIDE)).collect()
                })
                .collect()
        } else {
            (1..input.len())
                .map(|cut| {
                    let (a, b) = input.split_at(cut);
                    vec![a, b]
                })
                .collect()
        };
        for pieces in passes {
            assert_eq!(
                decode_with(&mut SseDecoder::new(), &pieces),
                whole,
                "cut at {}",
                pieces[0].len()
            );
        }
        let bytes: Vec<&[u8]> = input.chunks(1).collect();
        assert_eq!(
            decode_with(&mut SseDecoder::new(), &bytes),
            whole,
            "bytewise"
        );
        whole
    }

    #[test]
    fn an_empty_event_field_dispatches_as_message() {
        for (input, data) in [
            (&b"event: \ndata:data\n\n"[..], "data"),
            (b"event:\ndata: x\n\n", "x"),
            (b"event: a\nevent:\r\ndata: y\r\r", "y"),
        ] {
            let events = decode_every_cut(input);
            assert_eq!(events.len(), 1, "{input:?}");
            let event = events[0].as_ref().unwrap();
            assert_eq!((event.event(), event.data()), ("message", data));
            assert_eq!(event.event_name(), None);
        }
    }

    #[test]
    fn known_names_near_misses_and_repeats_decode_the_same_cut_anywhere() {
        let input = b"event: content_block_delta\ndata: 1\n\n\
            event: content_block_delt\ndata: 2\n\n\
            event: content_block_deltas\ndata: 3\n\n\
            event: ping\nevent: message_stop\ndata: 4\n\n\
            event: ping\nevent:\ndata: 5\n\n\
            event:ping\r\ndata:6\r\n\r\n";
        let events: Vec<_> = decode_every_cut(input)
            .into_iter()
            .map(|e| {
                let e = e.unwrap();
                (e.event_name().map(str::to_owned), e.data().to_owned())
            })
            .collect();
        let name = |n: &str| Some(n.to_owned());
        assert_eq!(
            events,
            [
                (name("content_block_delta"), "1".to_owned()),
                (name("content_block_delt"), "2".to_owned()),
                (name("content_block_deltas"), "3".to_owned()),
                (name("message_stop"), "4".to_owned()),
                (None, "5".to_owned()),
                (name("ping"), "6".to_owned()),
            ]
        );
    }

    #[test]
    fn the_common_event_shape_keeps_ids_and_leaves_doubts_to_the_line_path() {
        // An id set by an earlier event is carried by the common shape too.
        let events = decode_every_cut(b"id: 9\ndata: a\n\nevent: ping\ndata: b\n\n");
        assert_eq!(events[1].as_ref().unwrap().id(), Some("9"));
        // Not UTF-8 in the data of the common shape: an error for that event only.
        let events = decode_every_cut(b"event: ping\ndata: \xff\n\nevent: ping\ndata: ok\n\n");
        assert!(matches!(
            events[0],
            Err(SseError::InvalidUtf8 { field: "data", .. })
        ));
        assert_eq!(events[1].as_ref().unwrap().data(), "ok");
        // A CR ending the chunk: the LF in the next chunk belongs to it.
        assert_eq!(
            decode(&[b"event: ping\r\ndata: x\r\n\r", b"\ndata: y\n\n"]),
            [pair("ping", "x"), pair("message", "y")]
        );
    }

    #[test]
    fn the_common_event_shape_is_bounded_like_any_other() {
        // `event: ping` (11) + `data: 0123456` (13) = 24 bytes.
        for (bound, ok) in [(24, true), (23, false)] {
            let input = b"event: ping\ndata: 0123456\n\ndata: next\n\n";
            let results = decode_with(&mut SseDecoder::with_max_event_size(bound), &[input]);
            assert_eq!(results[0].is_ok(), ok, "bound {bound}");
            assert_eq!(results.last().unwrap().as_ref().unwrap().data(), "next");
        }
    }

    #[test]
    fn chunks_pushed_ahead_wait_their_turn_and_data_outlives_its_chunk() {
        // A chunk pushed before the previous one is scanned waits its turn; the data of an
        // event cut by the chunk boundary is sliced out of the first chunk, not lost.
        let mut decoder = SseDecoder::new();
        decoder.push(Bytes::from_static(b"data: first"));
        decoder.push(Bytes::from_static(b" line\ndata: second\n\n"));
        assert_eq!(
            decoder.next_event().unwrap().unwrap().data(),
            "first line\nsecond"
        );
        assert!(!decoder.has_partial_event());
        decoder.push(Bytes::from_static(b"data: a\n"));
        decoder.push(Bytes::from_static(b"\n"));
        assert_eq!(decoder.next_event().unwrap().unwrap().data(), "a");
    }

    #[test]
    fn an_id_that_is_not_utf8_spoils_its_own_event_only() {
        let events = decode_every_cut(
            b"id: 1\ndata: a\n\nid: \xff\ndata: b\n\ndata: c\n\nid: 2\ndata: d\n\n",
        );
        assert_eq!(events.len(), 4, "{events:?}");
        assert_eq!(events[0].as_ref().unwrap().id(), Some("1"));
        assert_eq!(
            events[1],
            Err(SseError::InvalidUtf8 {
                field: "id",
                valid_up_to: 0
            })
        );
        let after = events[2].as_ref().unwrap();
        assert_eq!(
            (after.data(), after.id()),
            ("c", Some("1")),
            "the old id stays"
        );
        assert_eq!(events[3].as_ref().unwrap().id(), Some("2"));
        // An event with only a bad id still reports it, and the next event is fine.
        let events = decode_every_cut(b"id: \xc3\n\ndata: e\n\n");
        assert!(matches!(
            events[0],
            Err(SseError::InvalidUtf8 { field: "id", .. })
        ));
        assert_eq!(events[1].as_ref().unwrap().data(), "e");
    }

    #[test]
    fn every_line_end_style() {
        for body in [
            &b"event: a\ndata: 1\n\n"[..],
            b"event: a\rdata: 1\r\r",
            b"event: a\r\ndata: 1\r\n\r\n",
            b"event: a\r\ndata: 1\n\r",
        ] {
            assert_eq!(decode(&[body]), [pair("a", "1")], "{body:?}");
        }
    }

    #[test]
    fn crlf_split_across_chunks_is_one_line_end() {
        assert_eq!(
            decode(&[b"data: 1\r", b"\n\r", b"\ndata: 2\r", b"\n", b"\r\n"]),
            [pair("message", "1"), pair("message", "2")]
        );
    }

    #[test]
    fn a_long_line_cut_into_many_chunks_is_read_whole() {
        // 12 KiB of data (under Miri, ~1000x slower, 840 bytes: still 120 chunks) with
        // characters of every width, cut every 7 bytes (inside characters and inside the
        // CRLF), then cut at every 97th place once.
        let text = "ascii é 日本 🎉 ".repeat(if cfg!(miri) { 40 } else { 600 });
        let input = format!("event: message_delta\r\ndata: {text}\r\n\r\ndata: after\n\n");
        let chunks: Vec<&[u8]> = input.as_bytes().chunks(7).collect();
        let events = decode(&chunks);
        assert_eq!(
            events,
            [pair("message_delta", &text), pair("message", "after")]
        );
        for cut in (1..input.len()).step_by(97) {
            let (a, b) = input.as_bytes().split_at(cut);
            assert_eq!(decode(&[a, b]), events, "cut at {cut}");
        }
        // Bytes that are not UTF-8 in the middle of a cut line: an error for that event only.
        let mut bad = input.clone().into_bytes();
        bad[input.len() / 2] = 0xFF;
        let chunks: Vec<&[u8]> = bad.chunks(7).collect();
        let results = decode_with(&mut SseDecoder::new(), &chunks);
        assert!(matches!(
            results[0],
            Err(SseError::InvalidUtf8 { field: "data", .. })
        ));
        assert_eq!(results[1].as_ref().unwrap().data(), "after");
    }

    #[test]
    fn a_data_line_and_its_blank_line_read_together_keep_every_rule() {
        // The shapes read in one step (a data line, then the blank line) next to the ones that
        // are not: another field first, a second data line, a name that is not known, a retry,
        // a bad id, an empty event name, a CR ending a chunk between the two lines.
        let input = b"data: a\n\n\
            event: ping\ndata: b\r\n\r\n\
            event: custom\ndata: c\n\n\
            retry: 10\ndata: d\n\n\
            data: e1\ndata: e2\n\n\
            id: \xff\ndata: f\n\n\
            event:\ndata: g\r\r\
            id: 7\ndata\n\n\
            data: \xC3\n\n\
            event: ping\ndata: h\n\n";
        let events: Vec<_> = decode_every_cut(input)
            .into_iter()
            .map(|e| {
                e.map(|e| {
                    let name = e.event_name().map(str::to_owned);
                    (
                        name,
                        e.data().to_owned(),
                        e.id().map(str::to_owned),
                        e.retry(),
                    )
                })
            })
            .collect();
        let ok = |name: Option<&str>, data: &str, id: Option<&str>, retry: Option<u64>| {
            Ok((
                name.map(str::to_owned),
                data.to_owned(),
                id.map(str::to_owned),
                retry.map(Duration::from_millis),
            ))
        };
        assert_eq!(
            events,
            [
                ok(None, "a", None, None),
                ok(Some("ping"), "b", None, None),
                ok(Some("custom"), "c", None, None),
                ok(None, "d", None, Some(10)),
                ok(None, "e1\ne2", None, None),
                Err(SseError::InvalidUtf8 {
                    field: "id",
                    valid_up_to: 0
                }),
                ok(None, "g", None, None),
                ok(None, "", Some("7"), None),
                Err(SseError::InvalidUtf8 {
                    field: "data",
                    valid_up_to: 0
                }),
                ok(Some("ping"), "h", Some("7"), None),
            ]
        );
    }

    #[test]
    fn a_leading_bom_is_skipped_whole_or_split() {
        assert_eq!(
            decode(&[b"\xEF\xBB\xBFdata: x\n\n"]),
            [pair("message", "x")]
        );
        assert_eq!(
            decode(&[b"\xEF", b"\xBB", b"\xBFdata: x\n\n"]),
            [pair("message", "x")]
        );
        // Only at the very start: a later BOM is data.
        assert_eq!(
            decode(&[b"data: \xEF\xBB\xBFx\n\n"]),
            [pair("message", "\u{feff}x")]
        );
        // Bytes that start like a BOM but are not one are kept.
        assert_eq!(decode(&[b"\xEF", b"data"]), []);
    }

    #[test]
    fn comments_colonless_fields_and_the_optional_space() {
        assert_eq!(
            decode(&[b": comment\ndata\ndata:x\ndata:  two spaces\nunknown: field\n\n"]),
            [pair("message", "\nx\n two spaces")]
        );
    }

    #[test]
    fn no_data_no_dispatch_and_the_event_type_resets() {
        assert_eq!(
            decode(&[b"event: lonely\n\nevent: a\ndata: 1\n\ndata: 2\n\n"]),
            [pair("a", "1"), pair("message", "2")]
        );
        // `data:` with an empty value is still data.
        assert_eq!(decode(&[b"data:\n\n"]), [pair("message", "")]);
    }

    #[test]
    fn id_persists_and_ignores_nul_and_retry_needs_digits() {
        let events: Vec<SseEvent> = decode_with(
            &mut SseDecoder::new(),
            &[b"id: 7\nretry: 1500\ndata: a\n\nid: x\0y\nretry: 12a\ndata: b\n\n"],
        )
        .into_iter()
        .map(Result::unwrap)
        .collect();
        assert_eq!(events[0].id(), Some("7"));
        assert_eq!(events[0].retry(), Some(Duration::from_millis(1500)));
        assert_eq!(events[1].id(), Some("7"), "an id with NUL is ignored");
        assert_eq!(events[1].retry(), None);
    }

    #[test]
    fn an_unfinished_event_is_not_dispatched_and_is_reported_pending() {
        let mut decoder = SseDecoder::new();
        assert!(decode_with(&mut decoder, &[b"data: 1\n\ndata: cut"]).len() == 1);
        assert!(decoder.has_partial_event());
        let mut done = SseDecoder::new();
        decode_with(&mut done, &[b"data: 1\n\n"]);
        assert!(!done.has_partial_event());
    }

    #[test]
    fn single_line_data_within_a_chunk_is_not_copied() {
        let chunk = Bytes::from_static(b"event: e\ndata: payload\n\n");
        let mut decoder = SseDecoder::new();
        decoder.push(chunk.clone());
        let event = decoder.next_event().unwrap().unwrap();
        let data = event.data_bytes();
        assert_eq!(
            data.as_ptr(),
            chunk[15..].as_ptr(),
            "data points into the chunk"
        );
    }

    #[test]
    fn invalid_utf8_is_an_error_and_decoding_goes_on() {
        let results = decode_with(
            &mut SseDecoder::new(),
            &[b"data: ok\n\ndata: \xff\xfe\n\ndata: after\n\n"],
        );
        assert_eq!(results[0].as_ref().unwrap().data(), "ok");
        assert!(matches!(
            results[1],
            Err(SseError::InvalidUtf8 {
                field: "data",
                valid_up_to: 0
            })
        ));
        assert_eq!(results[2].as_ref().unwrap().data(), "after");
    }

    #[test]
    fn utf8_split_across_chunks_is_fine() {
        let text = "data: 日本語 🎉\n\n".as_bytes();
        let chunks: Vec<&[u8]> = text.chunks(1).collect();
        assert_eq!(decode(&chunks), [pair("message", "日本語 🎉")]);
    }

    #[test]
    fn an_oversized_event_is_an_error_without_unbounded_buffering() {
        let mut decoder = SseDecoder::with_max_event_size(64);
        let mut results = decode_with(&mut decoder, &[b"data: small\n\n", b"data: "]);
        let big = vec![b'x'; 100];
        // 100 KB (2 KB under Miri) against a bound of 64 bytes.
        for _ in 0..if cfg!(miri) { 20 } else { 1000 } {
            results.extend(decode_with(&mut decoder, &[&big]));
            assert!(decoder.cut_line.len() <= 64, "kept buffering");
        }
        results.extend(decode_with(
            &mut decoder,
            &[b"\ndata: more\n", b"\ndata: next\n\n"],
        ));
        let shapes: Vec<_> = results
            .iter()
            .map(|r| {
                r.as_ref()
                    .map(|e| e.data().to_owned())
                    .map_err(Clone::clone)
            })
            .collect();
        assert_eq!(
            shapes,
            [
                Ok("small".to_owned()),
                Err(SseError::EventTooLarge { limit: 64 }),
                Ok("next".to_owned())
            ]
        );
    }

    #[test]
    fn the_bound_is_the_same_whether_a_long_line_arrives_whole_or_cut() {
        // A 30-byte unknown-field line against a bound of 20, then a normal event.
        let input: &[u8] = b"x-long-field-name-0123456789ab

data: ok

";
        let whole = decode_with(&mut SseDecoder::with_max_event_size(20), &[input]);
        for cut in 1..input.len() {
            let (a, b) = input.split_at(cut);
            let split = decode_with(&mut SseDecoder::with_max_event_size(20), &[a, b]);
            assert_eq!(split, whole, "cut at {cut}");
        }
        assert!(matches!(
            whole[0],
            Err(SseError::EventTooLarge { limit: 20 })
        ));
        assert_eq!(whole[1].as_ref().unwrap().data(), "ok");
    }

    #[test]
    fn many_data_lines_adding_up_past_the_bound_are_an_error() {
        let mut decoder = SseDecoder::with_max_event_size(20);
        let results = decode_with(
            &mut decoder,
            &[b"data: 0123456789\ndata: 0123456789\ndata: x\n\ndata: y\n\n"],
        );
        assert!(matches!(results[0], Err(SseError::EventTooLarge { .. })));
        assert_eq!(results[1].as_ref().unwrap().data(), "y");
        assert_eq!(results.len(), 2);
    }
}
