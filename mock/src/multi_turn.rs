//! Multi-turn scripts: the reply to each request chosen from where the conversation stands —
//! its turn number, or the tool results it sends back.

use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use super::{MockReply, RecordedRequest};

/// What a rule of [`MockTurns`] sees of a request.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MockTurn {
    /// The reply about to be given, counted from 1: the request's assistant turns plus one.
    pub number: usize,
    /// The tool results of the request's last user turn, in order.
    pub results: Vec<MockToolResult>,
}

/// One `tool_result` a request sent back.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MockToolResult {
    /// The call it answers.
    pub tool_use_id: String,
    /// Its text (text blocks joined; other blocks left out).
    pub text: String,
    /// Whether it reports an error.
    pub is_error: bool,
}

type Rule = Arc<dyn Fn(&MockTurn) -> bool + Send + Sync>;

/// A script for a whole tool-using conversation: rules tried in order, the first that
/// matches gives the reply. Install it with
/// [`MockServer::set_responder`](super::MockServer::set_responder)`(turns.responder())`. A
/// request no rule matches is answered with a 400 that says so, so a test cannot pass on a
/// reply nobody scripted. (The server itself refuses, as the API does, a request whose tool
/// results do not answer the previous calls one by one, in order, at the start of the turn.)
#[derive(Clone, Default)]
pub struct MockTurns {
    rules: Vec<(Rule, MockReply)>,
    fallback: Option<MockReply>,
}

impl MockTurns {
    /// A script with no rules yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// `reply` for the `number`th reply of the conversation (from 1).
    pub fn turn(self, number: usize, reply: MockReply) -> Self {
        self.when(move |turn| turn.number == number, reply)
    }

    /// `reply` when a tool result of the request contains `text`.
    pub fn when_result_contains(self, text: impl Into<String>, reply: MockReply) -> Self {
        let text = text.into();
        self.when(
            move |turn| turn.results.iter().any(|r| r.text.contains(&text)),
            reply,
        )
    }

    /// `reply` when `rule` holds for the request.
    pub fn when(
        mut self,
        rule: impl Fn(&MockTurn) -> bool + Send + Sync + 'static,
        reply: MockReply,
    ) -> Self {
        self.rules.push((Arc::new(rule), reply));
        self
    }

    /// `reply` when no rule matches.
    pub fn otherwise(mut self, reply: MockReply) -> Self {
        self.fallback = Some(reply);
        self
    }

    /// The reply to `request`.
    pub fn reply_to(&self, request: &RecordedRequest) -> MockReply {
        let turn = MockTurn::of(&request.body);
        self.rules
            .iter()
            .find(|(rule, _)| rule(&turn))
            .map(|(_, reply)| reply.clone())
            .or_else(|| self.fallback.clone())
            .unwrap_or_else(|| {
                MockReply::error(
                    400,
                    "invalid_request_error",
                    format!(
                        "mock: no reply scripted for turn {} (tool results: {:?})",
                        turn.number, turn.results
                    ),
                )
            })
    }

    /// The script as a responder for [`MockServer::set_responder`](super::MockServer::set_responder).
    pub fn responder(self) -> impl Fn(&RecordedRequest) -> MockReply + Send + Sync + 'static {
        move |request| self.reply_to(request)
    }
}

impl MockTurn {
    fn of(body: &Value) -> Self {
        let messages = body["messages"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        let number = 1 + messages.iter().filter(|m| m["role"] == "assistant").count();
        let results = messages
            .last()
            .filter(|m| m["role"] == "user")
            .and_then(|m| m["content"].as_array())
            .into_iter()
            .flatten()
            .filter(|block| block["type"] == "tool_result")
            .map(|block| MockToolResult {
                tool_use_id: block["tool_use_id"].as_str().unwrap_or_default().to_owned(),
                text: super::validate::as_blocks(&block["content"])
                    .iter()
                    .filter_map(|b| b["text"].as_str())
                    .collect(),
                is_error: block["is_error"] == true,
            })
            .collect();
        Self { number, results }
    }
}

impl fmt::Debug for MockTurns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockTurns")
            .field("rules", &self.rules.len())
            .field("fallback", &self.fallback.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(body: Value) -> RecordedRequest {
        RecordedRequest::messages_post(body)
    }

    #[test]
    fn turns_count_assistant_replies_and_results_come_from_the_last_user_turn() {
        let turn = MockTurn::of(&json!({"messages": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "t1", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}], "is_error": true}
            ]},
        ]}));
        assert_eq!(turn.number, 2);
        assert_eq!(
            turn.results,
            vec![MockToolResult {
                tool_use_id: "t1".into(),
                text: "ab".into(),
                is_error: true
            }]
        );
    }

    #[test]
    fn the_first_matching_rule_wins_and_an_unscripted_turn_is_refused() {
        let turns = MockTurns::new()
            .when_result_contains("sunny", MockReply::text("warm"))
            .turn(2, MockReply::text("second"));
        let second = |result: &str| {
            request(json!({"messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": result}]},
            ]}))
        };
        assert_eq!(turns.reply_to(&second("sunny")), MockReply::text("warm"));
        assert_eq!(turns.reply_to(&second("rain")), MockReply::text("second"));
        let first = turns.reply_to(&request(
            json!({"messages": [{"role": "user", "content": "Hi"}]}),
        ));
        assert!(matches!(
            first.body,
            super::super::reply::ReplyBody::Error { status: 400, .. }
        ));
    }
}
