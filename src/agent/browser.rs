//! A run in a web page: the run's own events, serialized as they are, and one `error` when
//! the model's side fails.

use futures_core::Stream;
use futures_util::StreamExt;

use super::event::AgentEvent;
use super::run::AgentRun;
use crate::aggregate::StreamUpdate;
use crate::web::{self, BrowserError};

impl AgentEvent {
    /// Whether a web page has a use for this event: a reply's updates a page renders (the
    /// ones [`BrowserEvent::from_update`](crate::web::BrowserEvent::from_update) keeps, but
    /// not a reply's own `done`: `finished` ends the run), `turn_started`, `tool_started`,
    /// `tool_finished` and `finished`. A `turn_finished` repeats what its updates said.
    ///
    /// ```
    /// use chat_anthropic::agent::AgentEvent;
    /// use chat_anthropic::StreamUpdate;
    /// assert!(AgentEvent::TurnStarted { turn: 2 }.is_for_browser());
    /// assert!(!AgentEvent::Update { turn: 1, update: StreamUpdate::Done }.is_for_browser());
    /// ```
    pub fn is_for_browser(&self) -> bool {
        match self {
            Self::Update {
                update: StreamUpdate::Done,
                ..
            } => false,
            Self::Update { update, .. } => web::renders(update),
            Self::TurnFinished { .. } => false,
            Self::TurnStarted { .. }
            | Self::ToolStarted { .. }
            | Self::ToolFinished { .. }
            | Self::TurnPaused { .. }
            | Self::ContextTrimmed { .. }
            | Self::Finished(_) => true,
        }
    }

    /// The event as one line of JSON (its serde form, see [`AgentEvent`]), the `data` of its
    /// SSE event.
    ///
    /// ```
    /// use chat_anthropic::agent::AgentEvent;
    /// assert_eq!(AgentEvent::TurnStarted { turn: 2 }.to_json(), r#"{"type":"turn_started","turn":2}"#);
    /// ```
    pub fn to_json(&self) -> String {
        web::to_json(self)
    }
}

impl AgentRun {
    /// The run's events a web page has a use for ([`AgentEvent::is_for_browser`]), ending
    /// with `finished`, or with one `error` ([`BrowserError`]) when the model's side fails.
    /// Read as the consumer pulls, like the run itself; dropping it drops the run.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use chat_anthropic::agent::{Agent, AgentEvent};
    /// use futures_util::StreamExt;
    /// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
    /// let server = chat_anthropic_mock::MockServer::start().await;
    /// let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
    ///     .base_url(server.base_url())
    ///     .api_key("k");
    /// let events: Vec<_> = Agent::new(llm).run("Hi").browser_events().collect().await;
    /// assert_eq!(events.first(), Some(&Ok(AgentEvent::TurnStarted { turn: 1 })));
    /// assert!(matches!(events.last(), Some(Ok(AgentEvent::Finished(_)))));
    /// # }
    /// ```
    pub fn browser_events(self) -> impl Stream<Item = Result<AgentEvent, BrowserError>> + Send {
        self.filter_map(|event| {
            std::future::ready(match event {
                Ok(event) => event.is_for_browser().then_some(Ok(event)),
                Err(err) => Some(Err(BrowserError {
                    message: err.to_string(),
                    kind: err.cause().api_kind().map(|kind| kind.as_str().to_owned()),
                })),
            })
        })
    }

    /// The run as a `text/event-stream` response for an axum handler, in the same shape as
    /// [`web::sse_response`](crate::web::sse_response) (keep-alives, no proxy buffering; a
    /// closed tab drops the run, which cancels the request and the running handlers): the
    /// [`browser_events`](Self::browser_events), each as its JSON.
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
        web::json_events_response(self.browser_events().map(|event| match event {
            Ok(event) => event.to_json(),
            Err(error) => web::to_json(&error),
        }))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::{json, Value};

    use super::*;
    use crate::agent::{AgentOutput, StopCause};
    use crate::messages::{
        AIMessage, HumanMessage, Message, MessageContent, ToolCall, UsageMetadata,
    };

    fn json_of(event: &AgentEvent) -> Value {
        serde_json::from_str(&event.to_json()).expect("valid JSON")
    }

    // The shapes below are the ones examples/web_chat.html reads.

    #[test]
    fn tool_events_carry_the_turn_the_call_and_the_result() {
        let started = AgentEvent::ToolStarted {
            turn: 1,
            id: "toolu_1".into(),
            name: "lookup".into(),
            args: json!({"q": "x"}),
        };
        assert_eq!(
            json_of(&started),
            json!({"type": "tool_started", "turn": 1, "id": "toolu_1", "name": "lookup", "args": {"q": "x"}})
        );
        let finished = AgentEvent::ToolFinished {
            turn: 1,
            id: "toolu_1".into(),
            name: "lookup".into(),
            duration: Duration::from_micros(1_500_999),
            content: MessageContent::Text("not found".into()),
            is_error: true,
        };
        assert_eq!(
            json_of(&finished),
            json!({"type": "tool_finished", "turn": 1, "id": "toolu_1", "name": "lookup", "duration_ms": 1500, "content": "not found", "is_error": true})
        );
    }

    #[test]
    fn an_update_is_the_reply_vocabulary_with_its_turn() {
        let text = AgentEvent::Update {
            turn: 2,
            update: StreamUpdate::Text {
                index: 0,
                text: "Hi".into(),
            },
        };
        assert_eq!(
            json_of(&text),
            json!({"type": "text", "index": 0, "text": "Hi", "turn": 2})
        );
        let done = AgentEvent::Update {
            turn: 2,
            update: StreamUpdate::ToolCallDone {
                index: 1,
                call: ToolCall::new("f", json!({"a": 1}), "toolu_9").into(),
            },
        };
        assert_eq!(
            json_of(&done),
            json!({"type": "tool_call_done", "index": 1, "call": {"id": "toolu_9", "name": "f", "args": {"a": 1}}, "turn": 2})
        );
    }

    #[test]
    fn finished_leaves_the_conversation_out() {
        let usage: UsageMetadata = serde_json::from_value(
            json!({"input_tokens": 3, "output_tokens": 4, "total_tokens": 7}),
        )
        .expect("usage");
        let event = AgentEvent::Finished(Box::new(AgentOutput {
            message: AIMessage::default(),
            conversation: vec![Message::Human(HumanMessage::new("a long document"))],
            usage,
            turns: 2,
            stop: StopCause::MaxTurns,
        }));
        let value = json_of(&event);
        assert_eq!(value["type"], "finished");
        assert_eq!(value["turns"], 2);
        assert_eq!(value["stop"], "max_turns");
        assert_eq!(value["usage"]["total_tokens"], 7);
        assert!(value.get("message").is_some());
        assert!(value.get("conversation").is_none(), "{value}");
    }

    #[test]
    fn a_page_gets_no_reply_done_and_no_turn_summary() {
        let reply_done = AgentEvent::Update {
            turn: 1,
            update: StreamUpdate::Done,
        };
        assert!(!reply_done.is_for_browser());
        let boundary = AgentEvent::Update {
            turn: 1,
            update: StreamUpdate::BlockStopped { index: 0 },
        };
        assert!(!boundary.is_for_browser());
        let turn = AgentEvent::TurnFinished {
            turn: 1,
            message: Box::default(),
            usage: UsageMetadata::default(),
        };
        assert!(!turn.is_for_browser());
        let text = AgentEvent::Update {
            turn: 1,
            update: StreamUpdate::Text {
                index: 0,
                text: "Hi".into(),
            },
        };
        assert!(text.is_for_browser());
    }
}
