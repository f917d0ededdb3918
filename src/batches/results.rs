//! The results file, decoded line by line as the body arrives: constant memory whatever
//! its size (one line at a time, bounded).

use std::fmt;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::{Buf, Bytes, BytesMut};
use futures_core::Stream;
use pin_project::pin_project;
use serde::Deserialize;
use serde_json::Value;

use super::BatchError;
use crate::error::ApiError;
use crate::error::{ApiErrorKind, Error};
use crate::event::ApiErrorBody;
use crate::messages::{AIMessage, ApiMessage};

/// The longest results line accepted by default (a message with a long answer, thinking and
/// tool input stays far below).
pub const DEFAULT_MAX_LINE: usize = 64 * 1024 * 1024;

/// How one request of a batch ended (see [`BatchResults`] for an example).
#[derive(Debug)]
#[non_exhaustive]
pub enum BatchOutcome {
    /// The reply, folded exactly as `invoke` folds a stream into an [`AIMessage`] (tool
    /// calls, usage, thinking).
    Succeeded(Box<AIMessage>),
    /// The request failed: an [`Error::Api`] with the error's type and message.
    Errored(Box<Error>),
    /// The batch was canceled before this request ran.
    Canceled,
    /// The batch expired before this request ran.
    Expired,
    /// A result type this version does not know, as raw JSON.
    Unknown(Value),
}

impl BatchOutcome {
    /// The reply, if the request succeeded.
    pub fn message(&self) -> Option<&AIMessage> {
        match self {
            Self::Succeeded(message) => Some(message),
            _ => None,
        }
    }

    /// The wire name of the result type (`succeeded`, `errored`, …).
    pub fn kind(&self) -> &str {
        match self {
            Self::Succeeded(_) => "succeeded",
            Self::Errored(_) => "errored",
            Self::Canceled => "canceled",
            Self::Expired => "expired",
            Self::Unknown(raw) => raw["type"].as_str().unwrap_or("unknown"),
        }
    }
}

/// The results of a batch: a `Stream` of `(custom_id, outcome)` in the file's order (not the
/// request order), decoded as the body arrives.
///
/// Lines are split with `memchr` and parsed one at a time; memory holds one line at most
/// ([`max_line`](Self::max_line), 64 MB by default) plus one network chunk. A malformed
/// line is an error item and decoding goes on with the next; a transport failure or an
/// over-long line ends the stream with an error. Everything before was already yielded.
#[pin_project]
#[must_use = "streams do nothing unless polled"]
pub struct BatchResults {
    #[pin]
    body: Pin<Box<dyn Stream<Item = Result<Bytes, Error>> + Send>>,
    buffer: BytesMut,
    /// Where to resume looking for a newline in `buffer`.
    scanned: usize,
    line: u64,
    max_line: usize,
    done: bool,
}

impl fmt::Debug for BatchResults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchResults")
            .field("line", &self.line)
            .field("buffered", &self.buffer.len())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl BatchResults {
    /// Decodes a JSONL results body from any byte stream (e.g. a file read in chunks).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::batches::{BatchOutcome, BatchResults};
    /// use futures_util::StreamExt;
    /// let jsonl = concat!(
    ///     r#"{"custom_id":"a","result":{"type":"succeeded","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}}}"#, "\n",
    ///     r#"{"custom_id":"b","result":{"type":"errored","error":{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"}}}}"#, "\n",
    ///     r#"{"custom_id":"c","result":{"type":"expired"}}"#, "\n");
    /// let chunks = futures_util::stream::iter([Ok(bytes::Bytes::from(jsonl))]);
    /// let results: Vec<_> = BatchResults::from_bytes_stream(chunks).collect().await;
    /// let (id, outcome) = results[0].as_ref().unwrap();
    /// assert_eq!((id.as_str(), outcome.message().unwrap().text().as_str()), ("a", "Hi"));
    /// let BatchOutcome::Errored(err) = &results[1].as_ref().unwrap().1 else { panic!() };
    /// assert_eq!(err.status(), Some(400));
    /// assert!(matches!(results[2].as_ref().unwrap().1, BatchOutcome::Expired));
    /// # Ok(()) }
    /// ```
    pub fn from_bytes_stream<S>(body: S) -> Self
    where
        S: Stream<Item = Result<Bytes, Error>> + Send + 'static,
    {
        Self {
            body: Box::pin(body),
            buffer: BytesMut::new(),
            scanned: 0,
            line: 0,
            max_line: DEFAULT_MAX_LINE,
            done: false,
        }
    }

    /// Refuses lines longer than `bytes` (a [`BatchError::LineTooLong`]), bounding memory.
    pub fn max_line(mut self, bytes: usize) -> Self {
        self.max_line = bytes;
        self
    }
}

impl Stream for BatchResults {
    type Item = Result<(String, BatchOutcome), Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut this = self.project();
        loop {
            if *this.done && this.buffer.is_empty() {
                return Poll::Ready(None);
            }
            let found = memchr::memchr(b'\n', &this.buffer[*this.scanned..]);
            let line = match found {
                Some(at) => {
                    let line = this.buffer.split_to(*this.scanned + at + 1);
                    *this.scanned = 0;
                    Some(line)
                }
                // The last line may lack its newline.
                None if *this.done => Some(std::mem::take(this.buffer)),
                None => None,
            };
            if let Some(line) = line {
                *this.line += 1;
                let text = trim(&line);
                if text.is_empty() {
                    continue;
                }
                return Poll::Ready(Some(parse_line(text, *this.line)));
            }
            *this.scanned = this.buffer.len();
            if this.buffer.len() > *this.max_line {
                *this.done = true;
                this.buffer.clear();
                return Poll::Ready(Some(Err(BatchError::LineTooLong {
                    line: *this.line + 1,
                    limit: *this.max_line,
                }
                .into())));
            }
            match ready!(this.body.as_mut().poll_next(cx)) {
                Some(Ok(mut chunk)) => {
                    while chunk.has_remaining() {
                        let piece = chunk.chunk();
                        this.buffer.extend_from_slice(piece);
                        let n = piece.len();
                        chunk.advance(n);
                    }
                }
                Some(Err(error)) => {
                    *this.done = true;
                    this.buffer.clear();
                    return Poll::Ready(Some(Err(error)));
                }
                None => *this.done = true,
            }
        }
    }
}

fn trim(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    &line[..end]
}

/// One line as the API writes it. `result` is read field by field (no buffering of the
/// whole object); an unknown `type` is re-read as raw JSON.
#[derive(Deserialize)]
struct Line {
    custom_id: String,
    result: RawResult,
}

#[derive(Deserialize)]
struct RawResult {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    message: Option<ApiMessage>,
    #[serde(default)]
    error: Option<ErrorResponse>,
}

/// `{"type": "error", "error": {type, message}, "request_id"}`.
#[derive(Deserialize)]
struct ErrorResponse {
    error: ApiErrorBody,
    #[serde(default)]
    request_id: Option<String>,
}

/// Parses one results line.
pub(crate) fn parse_line(text: &[u8], line: u64) -> Result<(String, BatchOutcome), Error> {
    let invalid = |source| Error::from(BatchError::InvalidResultLine { line, source });
    let parsed: Line = serde_json::from_slice(text).map_err(invalid)?;
    let outcome = match (
        parsed.result.kind.as_str(),
        parsed.result.message,
        parsed.result.error,
    ) {
        // The same conversion `MessageAggregator::finish` ends with: a whole message in,
        // the LangChain view out (a non-streamed message has no unfinished tool input).
        ("succeeded", Some(message), _) => {
            BatchOutcome::Succeeded(Box::new(AIMessage::from_api(message, Vec::new())))
        }
        ("errored", _, Some(error)) => BatchOutcome::Errored(Box::new(api_error(error))),
        ("canceled", _, _) => BatchOutcome::Canceled,
        ("expired", _, _) => BatchOutcome::Expired,
        _ => {
            let raw: Value = serde_json::from_slice(text).map_err(invalid)?;
            BatchOutcome::Unknown(raw["result"].clone())
        }
    };
    Ok((parsed.custom_id, outcome))
}

/// An errored result as the crate's API error.
fn api_error(response: ErrorResponse) -> Error {
    let kind: ApiErrorKind = response.error.kind;
    let status = kind.status();
    let mut error = ApiError::new(kind, response.error.message);
    if let Some(status) = status {
        error = error.with_status(status);
    }
    if let Some(request_id) = response.request_id {
        error = error.with_request_id(request_id);
    }
    error.into()
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;

    use super::*;

    const SUCCEEDED: &str = r#"{"custom_id":"a","result":{"type":"succeeded","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"tool_use","id":"toolu_1","name":"f","input":{"x":1}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}}}"#;

    fn decode(
        chunks: Vec<&'static [u8]>,
        max_line: usize,
    ) -> Vec<Result<(String, BatchOutcome), Error>> {
        let body =
            futures_util::stream::iter(chunks.into_iter().map(|c| Ok(Bytes::from_static(c))));
        let results = BatchResults::from_bytes_stream(body).max_line(max_line);
        futures_executor::block_on(results.collect())
    }

    #[test]
    fn every_split_of_the_body_gives_the_same_results() {
        let body = format!(
            "{SUCCEEDED}\r\n\n{}\n{}",
            r#"{"custom_id":"b","result":{"type":"canceled"}}"#,
            r#"{"custom_id":"c","result":{"type":"future_kind","detail":1}}"#
        );
        let body: &'static [u8] = Box::leak(body.into_bytes().into_boxed_slice());
        for cut in 0..body.len() {
            let results = decode(vec![&body[..cut], &body[cut..]], 1 << 20);
            assert_eq!(results.len(), 3, "cut at {cut}");
            let (id, outcome) = results[0].as_ref().unwrap();
            assert_eq!(id, "a");
            assert_eq!(outcome.message().unwrap().tool_calls[0].args["x"], 1);
            assert!(matches!(
                results[1].as_ref().unwrap().1,
                BatchOutcome::Canceled
            ));
            let (_, unknown) = results[2].as_ref().unwrap();
            assert_eq!(unknown.kind(), "future_kind");
        }
    }

    #[test]
    fn a_line_longer_than_the_limit_is_an_error_not_unbounded_memory() {
        let long: &'static [u8] = Box::leak(vec![b'x'; 1000].into_boxed_slice());
        let results = decode(vec![SUCCEEDED.as_bytes(), b"\n", long, long, b"\n"], 1500);
        assert_eq!(results.len(), 2);
        assert!(results[0].is_ok());
        let err = results[1].as_ref().unwrap_err();
        assert!(
            matches!(
                err.area::<BatchError>(),
                Some(BatchError::LineTooLong { line: 2, .. })
            ),
            "{err}"
        );
    }

    #[test]
    fn a_malformed_line_is_an_error_naming_it_after_the_good_ones() {
        let results = decode(
            vec![SUCCEEDED.as_bytes(), b"\n{\"custom_id\":", b"\n"],
            1 << 20,
        );
        assert!(results[0].is_ok());
        assert!(matches!(
            results[1].as_ref().unwrap_err().area::<BatchError>(),
            Some(BatchError::InvalidResultLine { line: 2, .. })
        ));
    }
}
