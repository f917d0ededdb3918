//! Incremental parsing of a tool call's input as its `input_json_delta` fragments arrive.
//!
//! The official SDKs re-parse the whole accumulated text after every fragment, which is
//! quadratic in the size of the input. [`PartialJsonParser`] reads every byte once, can show
//! a live [`serde_json::Value`] of what has arrived (kept up to date from its first read on, so
//! the arguments so far can be read in O(1) after any fragment), and optionally reports
//! [`PathEvent`]s so a caller can follow one field as it grows. It is written by hand because
//! it is the hot path this crate exists for.
//!
//! What the live value shows: every complete value; open objects and arrays with the members
//! that have arrived; an open string with the text so far. A number or literal appears only
//! once complete (`12` might still become `123`), and a key only once its value starts.
//!
//! Numbers come out exactly as sent, however the text is cut: a number's text is read whole
//! by serde_json with its `float_roundtrip` feature (enabled by this crate), so a float is the
//! correctly rounded `f64` of its digits, as Python's `json` and the official SDKs read it.
//! Without that feature serde_json's fast path reads `12.642928786359079` as
//! `12.64292878635908`, one ULP off.
//!
//! ```
//! let mut parser = chat_anthropic::partial_json::PartialJsonParser::new();
//! parser.push(r#"{"x": 12.6429287"#);
//! parser.push("86359079}");
//! let x = parser.finish().unwrap()["x"].as_f64().unwrap();
//! assert_eq!(x.to_bits(), "12.642928786359079".parse::<f64>().unwrap().to_bits());
//! ```

mod completed;
mod error;
mod path;
mod pointer;
mod scalar;
mod shared_value;
mod slot_node;
mod string;
mod twin;

use std::ops::Range;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::sse::{SharedStr, TextWriter};

pub use error::{InvalidJson, PartialJsonError};
pub use path::{PathEvent, PathEventKind};
pub use pointer::JsonPointer;
pub use shared_value::SharedValue;

use completed::Completed;
use path::{node_mut, Segment, Slot};
use pointer::PointerBuf;
use slot_node::SlotNode;
use string::{Escape, StringEnd};

/// serde_json refuses nesting this deep; so does the parser, to agree with it.
const MAX_DEPTH: usize = 128;

/// An incremental, linear-time JSON parser with a live value.
///
/// The live value costs a tree of `Value`s kept up to date at every fragment, which a caller
/// that never looks at it (`invoke`, a stream of updates) should not pay for. So the parser
/// starts without one: the first [`value`](Self::value) or
/// [`shared_value`](Self::shared_value) builds it from the text so far (once, O(n)), and
/// from then on every fragment updates it. Until then a completion's value is made from its
/// members, and the final value from the completions or, when none were reported, by
/// serde_json from the text.
///
/// ```
/// use chat_anthropic::partial_json::PartialJsonParser;
/// use serde_json::json;
///
/// let mut parser = PartialJsonParser::new();
/// parser.push(r#"{"city": "Par"#);
/// assert_eq!(parser.value(), &json!({"city": "Par"}));
/// parser.push(r#"is", "days": [1, 2"#);
/// assert_eq!(parser.value(), &json!({"city": "Paris", "days": [1]}));
/// parser.push("]}");
/// assert!(parser.is_complete());
/// assert_eq!(parser.finish().unwrap(), json!({"city": "Paris", "days": [1, 2]}));
/// ```
#[derive(Debug, Clone, Default)]
pub struct PartialJsonParser {
    raw: String,
    /// Whether the live value below is kept (from the first read of it on).
    keeps_tree: bool,
    /// The live value, shared with the snapshots callers hold (copied on write).
    root: Arc<Value>,
    /// Until the tree is kept: a parser that keeps it, made from `raw` by the first read,
    /// which this one becomes at the next fragment.
    twin: std::sync::OnceLock<Box<PartialJsonParser>>,
    /// Until the tree is kept: where each open container's text starts in `raw`, so that its
    /// value can be read from the text if its members were not all seen completing.
    starts: Vec<usize>,
    /// Until the tree is kept: the scalar being read, and an open string's text so far.
    scalar: Option<Value>,
    text: String,
    /// Until the tree is kept: the root's completion, which `finish` turns into the value.
    root_completion: Option<SharedValue>,
    state: State,
    /// The open containers, innermost last.
    containers: Vec<Container>,
    /// Beside each open container, its completed members while path events are reported
    /// (`None` for the root when the tree is kept, whose completion shares the live value, and
    /// for a container some member of which completed without events: its value is then
    /// copied from the tree, or read from the text).
    completed: Vec<Option<Completed>>,
    /// Whether the fragment being read reports path events.
    tracking: bool,
    /// The slot of the value being parsed (or of the innermost open container).
    path: Vec<Segment>,
    /// The JSON pointer of that slot.
    pointer: PointerBuf,
    /// That slot's node in the live tree, once found.
    slot_node: SlotNode,
    escape: Escape,
    /// The key being read.
    key: String,
    /// Decoded string text not yet copied into the live value, or a number's text.
    pending: String,
    /// Where the open string's text in `pending` starts in the fragment being read.
    pending_start: usize,
    /// Where the texts of path events are written: pointers, and deltas that are not slices
    /// of a shared fragment.
    texts: TextWriter,
    error: Option<PartialJsonError>,
    /// Whether the last fragment changed the value (see `changed_by_last_push`).
    changed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum State {
    /// Expecting a value, whose slot is already on the path.
    #[default]
    Value,
    FirstItemOrEnd,
    FirstKeyOrEnd,
    Key,
    InKey,
    Colon,
    InString,
    InNumber,
    InLiteral {
        literal: &'static str,
        matched: usize,
    },
    AfterValue,
    Done,
    Failed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    Object,
    /// An array and how many items it holds.
    Array(usize),
}

/// Where path events go, if the caller wants them.
type Sink<'a> = Option<&'a mut Vec<PathEvent>>;

impl PartialJsonParser {
    /// An empty parser.
    ///
    /// ```
    /// let parser = chat_anthropic::partial_json::PartialJsonParser::new();
    /// assert!(parser.value().is_null());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next fragment.
    ///
    /// ```
    /// let mut parser = chat_anthropic::partial_json::PartialJsonParser::new();
    /// parser.push(r#"{"a": tr"#);
    /// assert_eq!(parser.value(), &serde_json::json!({}));
    /// parser.push("ue}");
    /// assert_eq!(parser.value(), &serde_json::json!({"a": true}));
    /// ```
    pub fn push(&mut self, fragment: &str) {
        self.run(fragment, None, None);
    }

    /// Feeds the next fragment and appends the [`PathEvent`]s it causes to `events`: at most
    /// one string delta per open string, then a completion for every value it finishes.
    ///
    /// ```
    /// use chat_anthropic::partial_json::{PartialJsonParser, PathEventKind};
    /// let mut parser = PartialJsonParser::new();
    /// let mut events = Vec::new();
    /// parser.push_with_events(r##"{"content": "# Ti"##, &mut events);
    /// parser.push_with_events(r#"tle\n"#, &mut events);
    /// let deltas: Vec<_> = events
    ///     .iter()
    ///     .filter_map(|e| match &e.kind {
    ///         PathEventKind::StringDelta(text) if &*e.pointer == "/content" => Some(text.as_str()),
    ///         _ => None,
    ///     })
    ///     .collect();
    /// assert_eq!(deltas, ["# Ti", "tle\n"]);
    /// ```
    pub fn push_with_events(&mut self, fragment: &str, events: &mut Vec<PathEvent>) {
        self.run(fragment, None, Some(events));
    }

    /// [`push_with_events`](Self::push_with_events) of a fragment held in shared bytes: the
    /// string deltas that are plain slices of it share them.
    pub(crate) fn push_shared_with_events(
        &mut self,
        fragment: &SharedStr,
        events: &mut Vec<PathEvent>,
    ) {
        self.run(fragment, Some(fragment), Some(events));
    }

    /// The live value: what has arrived so far (`Null` before anything has). The first read
    /// builds it from the text so far; from then on each fragment keeps it up to date, so
    /// reading it after every fragment costs O(1) each.
    pub fn value(&self) -> &Value {
        &self.read_tree().root
    }

    /// The live value, shared: O(1) (but for the first read, as [`value`](Self::value)), no
    /// copy. Holding it costs one copy of the tree at the next [`push`](Self::push) (the
    /// parser writes on a copy rather than change what you hold); dropped before then, it
    /// costs nothing.
    ///
    /// ```
    /// let mut parser = chat_anthropic::partial_json::PartialJsonParser::new();
    /// parser.push(r#"{"lines": ["an old"#);
    /// let snapshot = parser.shared_value();
    /// parser.push(r#" silent pond"]}"#);
    /// assert_eq!(snapshot["lines"][0], "an old");
    /// assert_eq!(parser.value()["lines"][0], "an old silent pond");
    /// ```
    pub fn shared_value(&self) -> Arc<Value> {
        Arc::clone(&self.read_tree().root)
    }

    /// Whether the last fragment changed the [live value](Self::value): a member, an item or
    /// a string's text arrived, or a scalar completed. Not when it only carried whitespace,
    /// punctuation, part of a key, or part of a number or literal (which the live value shows
    /// only once complete). A caller that re-renders the value after each fragment can skip
    /// the ones that changed nothing. O(1); does not build the live value.
    ///
    /// ```
    /// let mut parser = chat_anthropic::partial_json::PartialJsonParser::new();
    /// parser.push(r#"{"n": 12"#);
    /// assert!(parser.changed_by_last_push()); // the object opened
    /// parser.push("3");
    /// assert!(!parser.changed_by_last_push()); // still inside the number
    /// parser.push(r#", "s": "a"#);
    /// assert!(parser.changed_by_last_push()); // 123 completed, "a" arrived
    /// ```
    pub fn changed_by_last_push(&self) -> bool {
        self.changed
    }

    /// Every fragment so far, concatenated.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// Whether a whole JSON value has arrived (a bare top-level number only counts once
    /// [`finish`](Self::finish) confirms it).
    pub fn is_complete(&self) -> bool {
        self.state == State::Done
    }

    /// Where the input stopped being a prefix of valid JSON, if it did.
    ///
    /// ```
    /// let mut parser = chat_anthropic::partial_json::PartialJsonParser::new();
    /// parser.push(r#"{"a" 1}"#);
    /// assert_eq!(parser.error().unwrap().offset, 5);
    /// ```
    pub fn error(&self) -> Option<&PartialJsonError> {
        self.error.as_ref()
    }

    /// The final value: exactly what `serde_json::from_str` makes of the whole text, `{}` for
    /// an empty input, or the raw text and serde_json's error when it is not valid JSON.
    ///
    /// ```
    /// use chat_anthropic::partial_json::PartialJsonParser;
    /// assert_eq!(PartialJsonParser::new().finish().unwrap(), serde_json::json!({}));
    /// let mut parser = PartialJsonParser::new();
    /// parser.push(r#"{"a": 1"#);
    /// let invalid = parser.finish().unwrap_err();
    /// assert_eq!(invalid.raw, r#"{"a": 1"#);
    /// assert!(invalid.error.contains("EOF"));
    /// ```
    pub fn finish(self) -> Result<Value, InvalidJson> {
        self.finish_with_raw().map(|(value, _)| value)
    }

    /// [`finish`](Self::finish), handing back the text the value was read from as well.
    pub(crate) fn finish_with_raw(mut self) -> Result<(Value, String), InvalidJson> {
        // A live value already read is the final value: not made a second time.
        self.adopt_twin();
        if self.raw.trim_matches(is_whitespace_char).is_empty() {
            return Ok((Value::Object(Map::new()), self.raw));
        }
        if self.state == State::InNumber && self.containers.is_empty() {
            self.end_number(self.raw.len(), &mut None);
        }
        if self.state == State::Done {
            // A completion event still held shares the value; the copy is made only then.
            let value = match (self.keeps_tree, self.root_completion.take()) {
                (true, _) => {
                    Some(Arc::try_unwrap(self.root).unwrap_or_else(|shared| (*shared).clone()))
                }
                (false, Some(root)) => Some(root.into_value()),
                // Neither tree nor completion: read from the text (an error falls to below).
                (false, None) => serde_json::from_str(&self.raw).ok(),
            };
            if let Some(value) = value {
                return Ok((value, self.raw));
            }
        }
        let error = match serde_json::from_str::<Value>(&self.raw) {
            Err(error) => error.to_string(),
            // Only reachable if this parser and serde_json disagree.
            Ok(_) => self
                .error
                .map_or_else(|| "incomplete JSON".to_owned(), |e| e.to_string()),
        };
        Err(InvalidJson {
            raw: self.raw,
            error,
        })
    }

    /// Reads `fragment`; `shared` is the same text in shared bytes, when the caller has it (a
    /// string delta without escapes is then a slice of it rather than a copy).
    fn run(&mut self, fragment: &str, shared: Option<&SharedStr>, mut events: Sink<'_>) {
        self.adopt_twin();
        self.changed = false;
        self.tracking = events.is_some();
        if self.raw.is_empty() && !self.tracking {
            // Without path events the final value is built anyway: built as the text arrives
            // (the live tree) it costs no more than read from the text at the end, and can be
            // read at any time. With them, the completions make every value already.
            self.keeps_tree = true;
        }
        let base = self.raw.len();
        self.raw.push_str(fragment);
        let bytes = fragment.as_bytes();
        let mut pos = 0;
        while pos < bytes.len() {
            pos = match self.state {
                State::Failed => return,
                State::InString | State::InKey => {
                    self.string(fragment, shared, pos, base, &mut events)
                }
                State::InNumber => {
                    let run = bytes[pos..]
                        .iter()
                        .position(|&b| !scalar::continues_number(b))
                        .unwrap_or(bytes.len() - pos);
                    self.pending.push_str(&fragment[pos..pos + run]);
                    if pos + run < bytes.len() {
                        self.end_number(base + pos + run, &mut events);
                    }
                    pos + run
                }
                State::InLiteral { literal, matched } => {
                    if bytes[pos] != literal.as_bytes()[matched] {
                        self.fail(base + pos, "invalid literal");
                    } else if matched + 1 == literal.len() {
                        self.insert(scalar::literal_value(literal));
                        self.complete(&mut events, None, 0..0);
                    } else {
                        self.state = State::InLiteral {
                            literal,
                            matched: matched + 1,
                        };
                    }
                    pos + 1
                }
                _ if is_whitespace(bytes[pos]) => pos + 1,
                _ => self.structural(bytes[pos], pos, base, &mut events),
            };
        }
        if self.state == State::InString {
            self.flush_string(fragment, shared, &mut events);
        }
    }

    /// One byte outside strings, numbers and literals. Returns the next position.
    fn structural(&mut self, byte: u8, pos: usize, base: usize, events: &mut Sink<'_>) -> usize {
        match (self.state, byte) {
            (State::Value, _) => return self.start_value(byte, pos, base),
            (State::FirstItemOrEnd, b']') | (State::FirstKeyOrEnd, b'}') => {
                self.close(events, base + pos + 1)
            }
            (State::FirstItemOrEnd, _) => {
                self.enter_item(0);
                self.state = State::Value;
                return pos;
            }
            (State::FirstKeyOrEnd | State::Key, b'"') => {
                self.key.clear();
                self.state = State::InKey;
            }
            (State::Colon, b':') => {
                let pointer_start = self.pointer.push_key(&self.key);
                self.path.push(Segment {
                    slot: Slot::Last,
                    pointer_start,
                });
                self.state = State::Value;
            }
            (State::AfterValue, b',') => match self.containers.last() {
                Some(&Container::Array(len)) => {
                    self.enter_item(len);
                    self.state = State::Value;
                }
                _ => self.state = State::Key,
            },
            (State::AfterValue, b']') if self.containers.last() != Some(&Container::Object) => {
                self.close(events, base + pos + 1)
            }
            (State::AfterValue, b'}') if self.containers.last() == Some(&Container::Object) => {
                self.close(events, base + pos + 1)
            }
            (State::Done, _) => self.fail(base + pos, "trailing characters"),
            (State::FirstKeyOrEnd | State::Key, _) => self.fail(base + pos, "expected a key"),
            (State::Colon, _) => self.fail(base + pos, "expected `:`"),
            _ => self.fail(base + pos, "expected `,` or the end of the container"),
        }
        pos + 1
    }

    /// The first byte of a value. Returns the next position (numbers and literals re-read it).
    fn start_value(&mut self, byte: u8, pos: usize, base: usize) -> usize {
        match byte {
            b'{' | b'[' if self.containers.len() + 1 >= MAX_DEPTH => {
                self.fail(base + pos, "recursion limit exceeded");
            }
            b'{' => {
                self.insert(Value::Object(Map::new()));
                self.open(Container::Object, Completed::object, base + pos);
                self.state = State::FirstKeyOrEnd;
            }
            b'[' => {
                self.insert(Value::Array(Vec::new()));
                self.open(Container::Array(0), Completed::array, base + pos);
                self.state = State::FirstItemOrEnd;
            }
            b'"' => {
                self.insert(Value::String(String::new()));
                self.pending.clear();
                self.state = State::InString;
            }
            b'-' | b'0'..=b'9' => {
                self.pending.clear();
                self.state = State::InNumber;
                return pos;
            }
            _ => match scalar::literal_starting_with(byte) {
                Some(literal) => {
                    self.state = State::InLiteral {
                        literal,
                        matched: 0,
                    };
                    return pos;
                }
                None => self.fail(base + pos, "expected a value"),
            },
        }
        pos + 1
    }

    /// Inside a key or a string value. Returns the next position.
    fn string(
        &mut self,
        fragment: &str,
        shared: Option<&SharedStr>,
        pos: usize,
        base: usize,
        events: &mut Sink<'_>,
    ) -> usize {
        let in_key = self.state == State::InKey;
        let out = if in_key {
            &mut self.key
        } else {
            if self.pending.is_empty() {
                self.pending_start = pos;
            }
            &mut self.pending
        };
        match string::decode(fragment, pos, &mut self.escape, out) {
            StringEnd::NeedMore => fragment.len(),
            StringEnd::Invalid(at, message) => {
                self.fail(base + at, message);
                fragment.len()
            }
            StringEnd::Closed(at) if in_key => {
                self.state = State::Colon;
                at + 1
            }
            StringEnd::Closed(at) => {
                self.flush_string(fragment, shared, events);
                self.complete(events, None, 0..0);
                at + 1
            }
        }
    }

    /// Copies the decoded text of the open string into the live value.
    fn flush_string(&mut self, fragment: &str, shared: Option<&SharedStr>, events: &mut Sink<'_>) {
        if self.pending.is_empty() {
            return;
        }
        self.changed = true;
        if !self.keeps_tree {
            self.text.push_str(&self.pending);
        } else if let Value::String(live) = self.slot_node.node(&mut self.root, &self.path) {
            live.push_str(&self.pending);
        }
        if let Some(events) = events {
            let text = self.delta_text(fragment, shared);
            events.push(PathEvent {
                pointer: self.pointer.shared(&mut self.texts),
                kind: PathEventKind::StringDelta(text),
            });
        }
        self.pending.clear();
    }

    /// The open string's new text: a slice of the shared fragment when it was read without
    /// escapes (the decoded text is then the raw text), else a copy among the event texts.
    fn delta_text(&mut self, fragment: &str, shared: Option<&SharedStr>) -> SharedStr {
        let start = self.pending_start;
        shared
            .and_then(|shared| {
                let raw = fragment.get(start..start + self.pending.len())?;
                (raw == self.pending).then(|| shared.slice_ref(raw))?
            })
            .unwrap_or_else(|| SharedStr::from_part(self.texts.write(&self.pending)))
    }

    fn end_number(&mut self, offset: usize, events: &mut Sink<'_>) {
        match scalar::number(&self.pending) {
            Ok(number) => {
                self.insert(number);
                self.complete(events, None, 0..0);
            }
            Err(message) => self.fail(offset, message),
        }
    }

    /// Enters the array item at `index`.
    fn enter_item(&mut self, index: usize) {
        let pointer_start = self.pointer.push_index(index);
        self.path.push(Segment {
            slot: Slot::Last,
            pointer_start,
        });
    }

    /// Puts a new value into its slot (without the tree: keeps a scalar for its completion).
    fn insert(&mut self, value: Value) {
        self.changed = true;
        self.slot_node.forget();
        if !self.keeps_tree {
            self.text.clear();
            self.scalar = (!value.is_object() && !value.is_array()).then_some(value);
            return;
        }
        let Some((last, parent)) = self.path.split_last_mut() else {
            self.root = Arc::new(value);
            return;
        };
        match node_mut(Arc::make_mut(&mut self.root), parent) {
            Value::Object(map) => {
                if map.insert(self.key.clone(), value).is_some() {
                    // A repeated key keeps its first position: find it by name from now on.
                    last.slot = Slot::Key(self.key.as_str().into());
                }
            }
            Value::Array(items) => items.push(value),
            _ => unreachable!("a slot always matches its container"),
        }
    }

    /// Opens a container at `start` in the text (its completed members kept if events are
    /// reported and it is not the root of the live tree).
    fn open(&mut self, container: Container, members: fn() -> Completed, start: usize) {
        let kept = self.tracking && !(self.keeps_tree && self.containers.is_empty());
        self.containers.push(container);
        self.completed.push(kept.then(members));
        if !self.keeps_tree {
            self.starts.push(start);
        }
    }

    /// The value in the current slot is complete; `closed` holds the completed members of a
    /// container that just closed, if they were kept, and `text` where it is in `raw`.
    fn complete(&mut self, events: &mut Sink<'_>, closed: Option<Completed>, text: Range<usize>) {
        let scalar = self.scalar.take();
        // Without the tree, a scalar was kept for its completion; else it may be a container.
        let read_key = scalar.is_some();
        match events {
            Some(events) => {
                let value = self.completed_value(closed, scalar, text);
                let pointer = self.pointer.shared(&mut self.texts);
                match self.completed.last_mut() {
                    Some(Some(parent)) => {
                        // A scalar member's key is the last one read; else it is in the pointer.
                        let key = || match read_key {
                            true => self.key.clone(),
                            false => self.pointer.last_key(),
                        };
                        parent.push(key, value.clone())
                    }
                    None if !self.keeps_tree => self.root_completion = Some(value.clone()),
                    _ => {}
                }
                events.push(PathEvent {
                    pointer,
                    kind: PathEventKind::Complete(value),
                });
            }
            // The parent's members are no longer all kept: its value will be copied.
            None => {
                if let Some(parent) = self.completed.last_mut() {
                    *parent = None;
                }
            }
        }
        self.slot_node.forget();
        self.state = match self.containers.last_mut() {
            None => State::Done,
            Some(container) => {
                if let Container::Array(len) = container {
                    *len += 1;
                }
                if let Some(segment) = self.path.pop() {
                    self.pointer.truncate(segment.pointer_start);
                }
                State::AfterValue
            }
        };
    }

    /// The value just completed: the live root itself, shared; a container to be assembled
    /// from its kept members when read; a copy of the slot in the live tree; without the tree,
    /// the scalar just read, or the container's `text` read by serde_json.
    fn completed_value(
        &mut self,
        closed: Option<Completed>,
        scalar: Option<Value>,
        text: Range<usize>,
    ) -> SharedValue {
        if self.keeps_tree && self.containers.is_empty() {
            return SharedValue::from_arc(Arc::clone(&self.root));
        }
        match (closed, scalar) {
            (Some(members), _) => SharedValue::assembled(members),
            (None, _) if self.keeps_tree => self
                .slot_node
                .node(&mut self.root, &self.path)
                .clone()
                .into(),
            // A copy of its exact size: the buffer is kept for the next string.
            (None, Some(Value::String(_))) => Value::String(self.text.as_str().into()).into(),
            (None, Some(scalar)) => scalar.into(),
            // The parser checked this text as serde_json would read it.
            (None, None) => serde_json::from_str::<Value>(&self.raw[text])
                .unwrap_or_default()
                .into(),
        }
    }

    /// The innermost container is closed at `end` in the text, which completes it.
    fn close(&mut self, events: &mut Sink<'_>, end: usize) {
        self.containers.pop();
        let closed = self.completed.pop().flatten();
        let start = self.starts.pop().unwrap_or(end);
        self.complete(events, closed, start..end);
    }

    /// The parser that keeps the live tree (this one or its twin), about to be read through a
    /// shared reference: the node kept for writing is forgotten first (see `slot_node`).
    fn read_tree(&self) -> &Self {
        let tree = self.with_tree();
        tree.slot_node.forget();
        tree
    }

    fn fail(&mut self, offset: usize, message: &str) {
        self.slot_node.forget();
        self.state = State::Failed;
        self.error = Some(PartialJsonError {
            message: message.to_owned(),
            offset,
        });
    }
}

/// JSON's four whitespace bytes, and nothing else (serde_json agrees).
fn is_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

fn is_whitespace_char(c: char) -> bool {
    c.is_ascii() && is_whitespace(c as u8)
}

#[cfg(test)]
mod aliasing_tests;
#[cfg(test)]
mod tests;
