//! AWS event-stream frames → SSE bytes, so a Bedrock response feeds the same decoder, fold
//! and views as an Anthropic one.

use std::fmt;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use aws_smithy_eventstream::frame::{DecodedFrame, MessageFrameDecoder};
use aws_smithy_types::event_stream::{HeaderValue, Message};
use base64::Engine;
use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use pin_project::pin_project;
use serde_json::{json, Value};

use crate::error::{Error, ProtocolError};

/// Decodes a Bedrock `InvokeModelWithResponseStream` body (binary event-stream frames, split
/// anywhere across chunks) into SSE: each `chunk` event becomes `event: {type}\ndata:
/// {json}\n\n` with the Messages stream event it carries, and an exception frame becomes an
/// SSE `error` event of the matching API error type, so the fold reports it with the partial
/// message like any mid-stream error. A frame that is not valid (bad lengths or checksum,
/// bad base64, a payload that is not JSON) is a typed [`Error::Protocol`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use chat_anthropic::bedrock::EventStreamToSse;
/// use futures_util::StreamExt;
/// // One frame with one `ping` event, as Bedrock frames it.
/// let frame = chat_anthropic_mock::bedrock_frame(br#"{"type":"ping"}"#);
/// let sse: Vec<_> = EventStreamToSse::new(futures_util::stream::iter([Ok::<_, chat_anthropic::Error>(frame)]))
///     .collect().await;
/// assert_eq!(sse[0].as_ref().unwrap(), "event: ping\ndata: {\"type\":\"ping\"}\n\n");
/// # Ok(()) }
/// ```
#[pin_project]
#[must_use = "streams do nothing unless polled"]
pub struct EventStreamToSse<S> {
    #[pin]
    inner: S,
    buffer: BytesMut,
    decoder: MessageFrameDecoder,
    done: bool,
}

impl<S> EventStreamToSse<S> {
    /// Decodes the frames of `inner`.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            buffer: BytesMut::new(),
            decoder: MessageFrameDecoder::new(),
            done: false,
        }
    }
}

impl<S> Stream for EventStreamToSse<S>
where
    S: Stream<Item = Result<Bytes, Error>>,
{
    type Item = Result<Bytes, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut this = self.project();
        loop {
            if *this.done {
                return Poll::Ready(None);
            }
            let mut sse = Vec::new();
            loop {
                match this.decoder.decode_frame(&mut *this.buffer) {
                    Ok(DecodedFrame::Complete(message)) => match to_sse(&message) {
                        Ok(event) => sse.extend_from_slice(&event),
                        Err(err) => {
                            *this.done = true;
                            return Poll::Ready(Some(Err(err)));
                        }
                    },
                    Ok(DecodedFrame::Incomplete) => break,
                    Err(err) => {
                        *this.done = true;
                        return Poll::Ready(Some(Err(invalid(format!("bad frame: {err}")))));
                    }
                }
            }
            if !sse.is_empty() {
                return Poll::Ready(Some(Ok(Bytes::from(sse))));
            }
            if this.buffer.len() > MAX_BUFFERED {
                // A corrupt length prefix would otherwise make us buffer the whole body.
                *this.done = true;
                return Poll::Ready(Some(Err(invalid(format!(
                    "no complete frame in {} buffered bytes",
                    this.buffer.len()
                )))));
            }
            match ready!(this.inner.as_mut().poll_next(cx)) {
                Some(Ok(chunk)) => this.buffer.extend_from_slice(&chunk),
                Some(Err(err)) => return Poll::Ready(Some(Err(err))),
                None => {
                    *this.done = true;
                    // Bytes of a frame that never completed: the SSE decoder downstream then
                    // sees the stream end without `message_stop`, with the partial message.
                    if !this.buffer.is_empty() {
                        tracing::debug!(
                            bytes = this.buffer.len(),
                            "Bedrock stream ended inside a frame"
                        );
                    }
                    return Poll::Ready(None);
                }
            }
        }
    }
}

/// The most bytes held while waiting for a frame to complete: the same bound as one SSE
/// event ([`SseDecoder`](crate::sse::SseDecoder)'s default), with room for base64.
const MAX_BUFFERED: usize = 24 << 20;

/// One frame as SSE bytes.
fn to_sse(message: &Message) -> Result<Vec<u8>, Error> {
    let header = |name: &str| {
        message
            .headers()
            .iter()
            .find(|h| h.name().as_str() == name)
            .and_then(|h| match h.value() {
                HeaderValue::String(value) => Some(value.as_str().to_owned()),
                _ => None,
            })
    };
    let event = match header(":message-type").as_deref() {
        Some("event") => return chunk_to_sse(message.payload()),
        Some("exception") => {
            let exception = header(":exception-type").unwrap_or_default();
            let message_text = serde_json::from_slice::<Value>(message.payload())
                .ok()
                .and_then(|p| p["message"].as_str().map(str::to_owned))
                .unwrap_or_else(|| String::from_utf8_lossy(message.payload()).into_owned());
            error_event(
                super::api_error_type(&exception),
                &format!("{exception}: {message_text}"),
            )
        }
        Some("error") => error_event(
            "api_error",
            &format!(
                "{}: {}",
                header(":error-code").unwrap_or_default(),
                header(":error-message").unwrap_or_default()
            ),
        ),
        other => return Err(invalid(format!("unknown :message-type {other:?}"))),
    };
    let name = event["type"].as_str().unwrap_or("message").to_owned();
    Ok(format!("event: {name}\ndata: {event}\n\n").into_bytes())
}

/// A `chunk` event's payload, `{"bytes": base64, "p": padding}`, read without building a tree.
#[derive(serde::Deserialize)]
struct Chunk<'a> {
    #[serde(borrow)]
    bytes: std::borrow::Cow<'a, str>,
}

/// The event a chunk carries as one SSE event. This is the hot path of a Bedrock stream, so
/// the event's JSON is passed through as it came (checked, not re-serialized) and its name
/// read from the leading `"type"` the API always writes first.
fn chunk_to_sse(payload: &[u8]) -> Result<Vec<u8>, Error> {
    let chunk: Chunk<'_> = serde_json::from_slice(payload)
        .map_err(|err| invalid(format!("chunk payload is not {{\"bytes\": …}}: {err}")))?;
    let mut data = base64::engine::general_purpose::STANDARD
        .decode(chunk.bytes.as_bytes())
        .map_err(|err| invalid(format!("chunk bytes are not base64: {err}")))?;
    let name = match leading_type(&data) {
        Some(name) => name.to_owned(),
        None => {
            // Not the API's usual layout: read it properly, and write it compactly on one
            // line (an SSE data line cannot hold a raw newline).
            let event: Value = serde_json::from_slice(&data)
                .map_err(|err| invalid(format!("chunk event is not JSON: {err}")))?;
            data = event.to_string().into_bytes();
            event["type"].as_str().unwrap_or("message").to_owned()
        }
    };
    let mut out = Vec::with_capacity(data.len() + name.len() + 16);
    out.extend_from_slice(b"event: ");
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\ndata: ");
    out.extend_from_slice(&data);
    out.extend_from_slice(b"\n\n");
    Ok(out)
}

/// `X` of data that starts `{"type":"X"`, when the whole is one line (so it can be an SSE
/// data line as it is). The parser downstream still checks the JSON.
fn leading_type(data: &[u8]) -> Option<&str> {
    let rest = data.strip_prefix(br#"{"type":""#)?;
    let end = memchr::memchr(b'"', rest)?;
    let name = std::str::from_utf8(&rest[..end]).ok()?;
    let plain = !name.contains('\\') && memchr::memchr2(b'\n', b'\r', data).is_none();
    plain.then_some(name)
}

fn error_event(kind: &str, message: &str) -> Value {
    json!({"type": "error", "error": {"type": kind, "message": message}})
}

fn invalid(message: String) -> Error {
    Error::Protocol(ProtocolError::Bedrock(message))
}

impl<S> fmt::Debug for EventStreamToSse<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStreamToSse")
            .field("buffered", &self.buffer.len())
            .finish_non_exhaustive()
    }
}
