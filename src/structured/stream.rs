//! Structured output as it streams: snapshots of the partial value, then the value.

use std::ops::Deref;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use futures_core::Stream;
use pin_project::pin_project;
use serde::de::DeserializeOwned;
use serde::{Serialize, Serializer};
use serde_json::Value;

use super::{StructuredMethod, StructuredModel};
use crate::chat_stream::ChatStream;
use crate::error::Error;
use crate::event::{Delta, StreamEvent};
use crate::messages::ContentBlock;
use crate::partial_json::PartialJsonParser;

/// One step of a [`StructuredStream`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum StructuredChunk<T> {
    /// The value so far, as JSON: complete members, the last one possibly partial (open
    /// strings included). Not yet checked against `T`.
    Partial(PartialValue),
    /// The finished value (always the last item).
    Complete(T),
}

/// The value so far, shared with the parser that builds it: reads as a [`Value`], costs
/// nothing to make. Held past the next fragment, it makes the parser copy its tree once
/// (so what you hold never changes); dropped before, it costs nothing.
///
/// ```
/// use chat_anthropic::partial_json::PartialJsonParser;
/// use chat_anthropic::structured::PartialValue;
/// let mut parser = PartialJsonParser::new();
/// parser.push(r#"{"city": "Lis"#);
/// let partial = PartialValue::from(parser.shared_value());
/// assert_eq!(partial["city"], "Lis");
/// assert_eq!(partial, serde_json::json!({"city": "Lis"}));
/// assert_eq!(partial.into_value(), serde_json::json!({"city": "Lis"}));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PartialValue(Arc<Value>);

impl PartialValue {
    /// The value, owned (a copy only if the parser still shares it).
    pub fn into_value(self) -> Value {
        Arc::try_unwrap(self.0).unwrap_or_else(|shared| (*shared).clone())
    }
}

impl From<Arc<Value>> for PartialValue {
    fn from(value: Arc<Value>) -> Self {
        Self(value)
    }
}

impl From<PartialValue> for Value {
    fn from(partial: PartialValue) -> Self {
        partial.into_value()
    }
}

impl Deref for PartialValue {
    type Target = Value;
    fn deref(&self) -> &Value {
        &self.0
    }
}

impl AsRef<Value> for PartialValue {
    fn as_ref(&self) -> &Value {
        &self.0
    }
}

impl PartialEq<Value> for PartialValue {
    fn eq(&self, other: &Value) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<PartialValue> for Value {
    fn eq(&self, other: &PartialValue) -> bool {
        *self == *other.0
    }
}

/// The value as JSON text: compact, or indented with `{:#}`.
///
/// ```
/// use chat_anthropic::structured::PartialValue;
/// let partial = PartialValue::from(std::sync::Arc::new(serde_json::json!({"city": "Lis"})));
/// assert_eq!(partial.to_string(), r#"{"city":"Lis"}"#);
/// assert_eq!(format!("{partial:#}"), "{\n  \"city\": \"Lis\"\n}");
/// ```
impl std::fmt::Display for PartialValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&*self.0, f)
    }
}

impl Serialize for PartialValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// The stream [`StructuredModel::stream`] returns: a [`StructuredChunk::Partial`] snapshot
/// after every fragment of the value's JSON that changed it, then [`StructuredChunk::Complete`]. A reply that
/// does not hold a valid `T` ends with [`Error::Structured`].
///
/// A snapshot shares the live value ([`PartialValue`]): each costs O(1), so streaming stays
/// linear in the size of the reply, as long as each is dropped before the next is asked for.
/// The live value can also be read at any time through [`partial`](Self::partial).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use chat_anthropic::structured::StructuredChunk;
/// use chat_anthropic_mock::{MockReply, MockScript, MockServer};
/// use futures_util::StreamExt;
///
/// #[derive(schemars::JsonSchema, serde::Deserialize)]
/// struct Haiku { lines: Vec<String> }
///
/// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
/// let server = MockServer::start().await;
/// server.enqueue(MockReply::script(MockScript::new()
///     .tool_use("toolu_1", "Haiku", serde_json::json!({"lines": ["an old silent pond", "a frog jumps in", "splash! silence again"]}))));
/// let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
///     .base_url(server.base_url())
///     .api_key("test");
/// let mut stream = llm.with_structured_output::<Haiku>().stream("A haiku about a frog").await?;
/// let mut snapshots = 0;
/// while let Some(chunk) = stream.next().await {
///     match chunk? {
///         StructuredChunk::Partial(so_far) => snapshots += so_far.is_object() as usize,
///         StructuredChunk::Complete(haiku) => assert_eq!(haiku.lines.len(), 3),
///         _ => {}
///     }
/// }
/// assert!(snapshots > 1);
/// # Ok(()) }
/// ```
#[pin_project]
#[must_use = "streams do nothing unless polled"]
pub struct StructuredStream<T> {
    #[pin]
    inner: ChatStream,
    model: StructuredModel<T>,
    /// The JSON text of a native (`JsonSchema`) reply, parsed as it arrives.
    text_json: PartialJsonParser,
    /// The block of the forced tool call, once it started.
    tool_index: Option<usize>,
    done: bool,
}

impl<T: DeserializeOwned> StructuredStream<T> {
    pub(crate) fn new(inner: ChatStream, model: StructuredModel<T>) -> Self {
        Self {
            inner,
            model,
            text_json: PartialJsonParser::new(),
            tool_index: None,
            done: false,
        }
    }

    /// The value so far, borrowed (no copy): `None` before its JSON starts.
    pub fn partial(&self) -> Option<&Value> {
        partial_value(
            self.model.method_used(),
            &self.inner,
            self.tool_index,
            &self.text_json,
        )
    }

    /// The underlying event stream's fold (the raw message so far).
    pub fn chat_stream(&self) -> &ChatStream {
        &self.inner
    }
}

impl<T: DeserializeOwned> Stream for StructuredStream<T> {
    type Item = Result<StructuredChunk<T>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut this = self.project();
        loop {
            if *this.done {
                return Poll::Ready(None);
            }
            let event = match ready!(this.inner.as_mut().poll_next(cx)) {
                Some(Ok(event)) => event,
                Some(Err(err)) => {
                    *this.done = true;
                    return Poll::Ready(Some(Err(err)));
                }
                None => {
                    *this.done = true;
                    let raw = this.inner.as_ref().get_ref().partial_message();
                    let value = this.model.parse(raw).into_result();
                    return Poll::Ready(Some(value.map(StructuredChunk::Complete)));
                }
            };
            let grew = match (this.model.method_used(), &event) {
                (StructuredMethod::ToolCalling, StreamEvent::ContentBlockStart(start)) => {
                    if let ContentBlock::ToolUse(call) = &start.content_block
                        && call.name == this.model.tool_name()
                        && this.tool_index.is_none()
                    {
                        *this.tool_index = Some(start.index);
                    }
                    false
                }
                // A fragment that changed nothing (whitespace, part of a key or a number)
                // hands out no snapshot: it would repeat the last one.
                (StructuredMethod::ToolCalling, StreamEvent::ContentBlockDelta(delta)) => {
                    matches!(delta.delta, Delta::InputJson(_))
                        && Some(delta.index) == *this.tool_index
                        && this.inner.aggregator().tool_input_changed(delta.index)
                }
                (StructuredMethod::JsonSchema, StreamEvent::ContentBlockDelta(delta)) => {
                    match &delta.delta {
                        Delta::Text(text) => {
                            this.text_json.push(text);
                            this.text_json.changed_by_last_push()
                        }
                        _ => false,
                    }
                }
                _ => false,
            };
            if grew {
                let snapshot = shared_partial(
                    this.model.method_used(),
                    this.inner.as_ref().get_ref(),
                    *this.tool_index,
                    this.text_json,
                );
                let snapshot = snapshot.unwrap_or_else(|| Arc::new(Value::Null));
                return Poll::Ready(Some(Ok(StructuredChunk::Partial(snapshot.into()))));
            }
        }
    }
}

/// Where the value so far lives: the forced tool call's live input, or the parsed text.
fn partial_value<'a>(
    method: StructuredMethod,
    inner: &'a ChatStream,
    tool_index: Option<usize>,
    text_json: &'a PartialJsonParser,
) -> Option<&'a Value> {
    match method {
        StructuredMethod::ToolCalling => inner.aggregator().tool_input(tool_index?),
        _ => Some(text_json.value()).filter(|v| !v.is_null()),
    }
}

/// [`partial_value`], shared rather than borrowed.
fn shared_partial(
    method: StructuredMethod,
    inner: &ChatStream,
    tool_index: Option<usize>,
    text_json: &PartialJsonParser,
) -> Option<Arc<Value>> {
    match method {
        StructuredMethod::ToolCalling => {
            let index = tool_index?;
            let aggregator = inner.aggregator();
            aggregator
                .shared_tool_input(index)
                .or_else(|| aggregator.tool_input(index).cloned().map(Arc::new))
        }
        _ => Some(text_json.shared_value()).filter(|v| !v.is_null()),
    }
}

impl<T> std::fmt::Debug for StructuredStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StructuredStream")
            .field("inner", &self.inner)
            .field("tool_index", &self.tool_index)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}
