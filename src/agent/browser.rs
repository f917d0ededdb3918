//! A run as browser events: each reply's events, the tools' start and finish, one `done`.

use futures_core::Stream;
use futures_util::StreamExt;

use super::event::AgentEvent;
use super::run::AgentRun;
use crate::aggregate::StreamUpdate;
use crate::web::{BrowserError, BrowserEvent, RunEvent};

impl AgentEvent {
    /// The event a web page needs for this one, or `None`: replies' updates as
    /// [`BrowserEvent::from_update`] maps them (but a reply's own `done`: the run sends one
    /// `done` when it is over), `turn_started`, `tool_started`, `tool_finished`.
    ///
    /// ```
    /// use chat_anthropic::agent::AgentEvent;
    /// use chat_anthropic::web::{BrowserEvent, RunEvent};
    /// let event = AgentEvent::TurnStarted { turn: 2 };
    /// assert_eq!(event.into_browser_event(), Some(BrowserEvent::Run(RunEvent::TurnStarted { turn: 2 })));
    /// ```
    pub fn into_browser_event(self) -> Option<BrowserEvent> {
        match self {
            Self::TurnStarted { turn } => Some(BrowserEvent::Run(RunEvent::TurnStarted { turn })),
            Self::Update {
                update: StreamUpdate::Done,
                ..
            } => None,
            Self::Update { update, .. } => BrowserEvent::from_update(update),
            Self::ToolStarted { id, name, .. } => {
                Some(BrowserEvent::Run(RunEvent::ToolStarted { id, name }))
            }
            Self::ToolFinished {
                id,
                name,
                duration,
                content,
                is_error,
                ..
            } => Some(BrowserEvent::Run(RunEvent::ToolFinished {
                id,
                name,
                duration_ms: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
                is_error,
                output: content.text(),
            })),
            Self::TurnFinished { .. } => None,
            Self::Finished(_) => Some(BrowserEvent::Update(StreamUpdate::Done)),
        }
    }
}

impl AgentRun {
    /// The run as [`BrowserEvent`]s, ending with `done`, or with one `error` when the model's
    /// side fails. Read as the consumer pulls, like the run itself; dropping it drops the run.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # let server = chat_anthropic_mock::MockServer::start().await;
    /// use chat_anthropic::agent::Agent;
    /// use chat_anthropic::web::{BrowserEvent, RunEvent};
    /// use chat_anthropic::StreamUpdate;
    /// use futures_util::StreamExt;
    /// # let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6").base_url(server.base_url()).api_key("k");
    /// let events: Vec<BrowserEvent> = Agent::new(llm).run("Hi").browser_events().collect().await;
    /// assert_eq!(events.first(), Some(&BrowserEvent::Run(RunEvent::TurnStarted { turn: 1 })));
    /// assert_eq!(events.last(), Some(&BrowserEvent::Update(StreamUpdate::Done)));
    /// # }
    /// ```
    pub fn browser_events(self) -> impl Stream<Item = BrowserEvent> + Send {
        self.filter_map(|event| {
            std::future::ready(match event {
                Ok(event) => event.into_browser_event(),
                Err(err) => Some(BrowserEvent::Error(BrowserError {
                    message: err.to_string(),
                    kind: err.cause().api_kind().map(|kind| kind.as_str().to_owned()),
                })),
            })
        })
    }

    /// The run as a `text/event-stream` response for an axum handler, in the same shape as
    /// [`web::sse_response`](crate::web::sse_response) (keep-alives, no proxy buffering; a
    /// closed tab drops the run, which cancels the request and the running handlers).
    ///
    /// ```no_run
    /// use axum::{routing::post, Json, Router};
    /// use axum::response::Response;
    /// use chat_anthropic::agent::Agent;
    /// use chat_anthropic::ChatAnthropic;
    ///
    /// async fn chat(Json(question): Json<String>) -> Response {
    ///     Agent::new(ChatAnthropic::new("claude-sonnet-4-6")).run(question).sse_response()
    /// }
    /// let app: Router = Router::new().route("/chat", post(chat));
    /// # let _ = app;
    /// ```
    pub fn sse_response(self) -> axum::response::Response {
        crate::web::events_response(self.browser_events())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;
    use crate::messages::MessageContent;

    #[test]
    fn tool_events_and_one_done_per_run() {
        let finished = AgentEvent::ToolFinished {
            turn: 1,
            id: "toolu_1".into(),
            name: "lookup".into(),
            duration: Duration::from_millis(1500),
            content: MessageContent::Text("not found".into()),
            is_error: true,
        };
        let event = finished.into_browser_event().expect("an event");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&event.to_json()).unwrap(),
            json!({"type": "tool_finished", "id": "toolu_1", "name": "lookup", "duration_ms": 1500, "is_error": true, "output": "not found"})
        );
        let reply_done = AgentEvent::Update {
            turn: 1,
            update: StreamUpdate::Done,
        };
        assert_eq!(reply_done.into_browser_event(), None);
        let text = AgentEvent::Update {
            turn: 2,
            update: StreamUpdate::Text {
                index: 0,
                text: "Hi".into(),
            },
        };
        assert_eq!(
            text.into_browser_event(),
            Some(BrowserEvent::Update(StreamUpdate::Text {
                index: 0,
                text: "Hi".into()
            }))
        );
    }
}
