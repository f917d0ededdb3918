//! The axum response: browser events as `text/event-stream`.

use std::convert::Infallible;

use axum::http::HeaderValue;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

use super::{BrowserEvent, IntoBrowserEvents};

/// Forwards a reply to a web page: the response to return from an axum handler, a
/// `text/event-stream` of [`BrowserEvent`]s, one per SSE event as `data: {json}` (no `event:`
/// name, so a page's `EventSource.onmessage` or its own `fetch` reader sees them all).
///
/// The body is read from the reply as the client takes it: a slow browser slows the upstream
/// read (nothing is buffered beyond the server's socket buffers), and a closed tab drops the
/// stream, which closes the connection to the API, so the generation stops. A keep-alive
/// comment goes out every 15 s while the model is silent (long thinking), and
/// `x-accel-buffering: no` asks nginx-style proxies not to hold tokens back.
///
/// ```no_run
/// use axum::{routing::post, Json, Router};
/// use axum::response::Response;
/// use chat_anthropic::ChatAnthropic;
///
/// async fn chat(Json(question): Json<String>) -> Response {
///     let llm = ChatAnthropic::new("claude-sonnet-4-6");
///     // A failed request (bad key, overloaded, …) becomes an `error` event.
///     chat_anthropic::web::sse_response(llm.stream(question).await)
/// }
///
/// let app: Router = Router::new().route("/chat", post(chat));
/// # let _ = app;
/// ```
pub fn sse_response(source: impl IntoBrowserEvents<Updates: Send + 'static>) -> Response {
    json_events_response(source.into_browser_events().map(|event| event.to_json()))
}

/// Events already serialized, one JSON object each, as the `text/event-stream` response
/// [`sse_response`] makes (an agent run's events share it).
#[cfg_attr(not(feature = "agent"), allow(dead_code))]
pub(crate) fn json_events_response(
    events: impl futures_core::Stream<Item = String> + Send + 'static,
) -> Response {
    let events = events.map(|json| Ok::<_, Infallible>(Event::default().data(json)));
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response();
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

impl BrowserEvent {
    /// The event as an axum SSE event (`data: {json}`), for building a response by hand.
    ///
    /// ```
    /// use chat_anthropic::web::BrowserEvent;
    /// use chat_anthropic::StreamUpdate;
    /// let event = BrowserEvent::Update(StreamUpdate::Done).to_sse_event();
    /// # let _ = event;
    /// ```
    pub fn to_sse_event(&self) -> Event {
        Event::default().data(self.to_json())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::StreamUpdate;
    use crate::error::Error;
    use crate::web::browser_events;

    #[tokio::test]
    async fn the_body_is_one_data_line_per_event() {
        let updates = futures_util::stream::iter([
            Ok::<_, Error>(StreamUpdate::Text {
                index: 0,
                text: "two\nlines".into(),
            }),
            Ok(StreamUpdate::Done),
        ]);
        let response = sse_response(browser_events(updates));
        let headers = response.headers();
        assert_eq!(headers["content-type"], "text/event-stream");
        assert_eq!(headers["x-accel-buffering"], "no");
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("body");
        assert_eq!(
            std::str::from_utf8(&body).expect("UTF-8"),
            "data: {\"type\":\"text\",\"index\":0,\"text\":\"two\\nlines\"}\n\n\
             data: {\"type\":\"done\"}\n\n"
        );
    }
}
