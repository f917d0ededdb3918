//! Streaming a reply into a web page.
//!
//! Feature `web`.
//!
//! A backend forwards a reply to the browser token by token with one call:
//! [`sse_response`] turns a [`ChatStream`],
//! an [`UpdateStream`] or the `Result` of [`ChatAnthropic::stream`] into an axum
//! `text/event-stream` response of [`BrowserEvent`]s: the crate's [`StreamUpdate`]s a page
//! renders (`text`, `thinking`, `tool_call_started`, `tool_arg_delta`, `tool_arg_complete`,
//! `tool_call_done`, `message_delta`, `done`) as JSON, plus `error`, so a page needs no
//! knowledge of the Messages API.
//!
//! Nothing is buffered in between: the reply is read as the browser takes the events, so a
//! slow browser slows the upstream read, and a closed tab (or a `fetch` aborted by a stop
//! button) drops the stream, which closes the connection to the API.
//!
//! For another framework, [`browser_events`] gives the same events as a plain `Stream`;
//! [`BrowserEvent::to_json`] is each event's SSE `data`.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
//! use chat_anthropic::web::{BrowserEvent, IntoBrowserEvents};
//! use chat_anthropic::StreamUpdate;
//! use chat_anthropic_mock::{MockReply, MockServer};
//! use futures_util::StreamExt;
//! // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
//! let server = MockServer::start().await;
//! server.enqueue(MockReply::text("Hello there")); // streamed a word per delta
//! let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
//!     .base_url(server.base_url())
//!     .api_key("k");
//! let events: Vec<BrowserEvent> = llm.stream("Hi").await.into_browser_events().collect().await;
//! assert_eq!(events[0].to_json(), r#"{"type":"text","index":0,"text":"Hello "}"#);
//! assert_eq!(events.last(), Some(&BrowserEvent::Update(StreamUpdate::Done)));
//! # Ok(()) }
//! ```
//!
//! [`StreamUpdate`]: crate::StreamUpdate
//! [`ChatStream`]: crate::ChatStream
//! [`UpdateStream`]: crate::UpdateStream
//! [`ChatAnthropic::stream`]: crate::ChatAnthropic::stream

mod axum_sse;
mod event;
mod events;

#[cfg(feature = "agent")]
pub(crate) use axum_sse::json_events_response;
pub use axum_sse::sse_response;
#[cfg(feature = "agent")]
pub(crate) use event::{renders, to_json};
pub use event::{BrowserError, BrowserEvent};
pub use events::{browser_events, BrowserEvents, IntoBrowserEvents};
