//! A run that could not go on: the cause, and everything that was settled before it.

use super::run_error::RunError;
use crate::error::Error;
use crate::messages::{AIMessage, Message, UsageMetadata};

/// A run ended by a failure of the model's side (the request was refused, the stream broke):
/// the cause, and the conversation as it stood before the failed turn, so it can be resumed.
/// The reply that broke is kept by the cause ([`partial_message`](Self::partial_message)).
///
/// Tool failures never end a run: they go back to the model as error results.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use chat_anthropic::agent::Agent;
/// use chat_anthropic_mock::{MockReply, MockServer};
/// use chat_anthropic::ChatAnthropic;
/// let server = MockServer::start().await;
/// server.enqueue(MockReply::error(400, "invalid_request_error", "Bad request"));
/// let llm = ChatAnthropic::new("claude-sonnet-4-6").base_url(server.base_url()).api_key("k");
/// let err = Agent::new(llm).invoke("Hi").await.unwrap_err();
/// assert_eq!(err.turn(), 1);
/// assert_eq!(err.conversation().len(), 1);
/// assert_eq!(err.cause().status(), Some(400));
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[error("agent run failed in turn {turn}: {source}")]
pub struct AgentError {
    source: Error,
    turn: usize,
    conversation: Vec<Message>,
    usage: UsageMetadata,
}

impl AgentError {
    pub(super) fn new(
        source: Error,
        turn: usize,
        conversation: Vec<Message>,
        usage: UsageMetadata,
    ) -> Self {
        Self {
            source,
            turn,
            conversation,
            usage,
        }
    }

    /// What went wrong.
    pub fn cause(&self) -> &Error {
        &self.source
    }

    /// The turn that failed (from 1).
    pub fn turn(&self) -> usize {
        self.turn
    }

    /// The conversation before the failed turn: the input, and every complete turn with its
    /// tool results.
    pub fn conversation(&self) -> &[Message] {
        &self.conversation
    }

    /// The conversation, owned (to resume the run).
    pub fn into_conversation(self) -> Vec<Message> {
        self.conversation
    }

    /// Token counts of the complete turns.
    pub fn usage(&self) -> &UsageMetadata {
        &self.usage
    }

    /// What arrived of the failed reply: before the stream broke, or the reply whose tool
    /// input was cut ([`RunError::ToolInputCut`]).
    pub fn partial_message(&self) -> Option<&AIMessage> {
        match self.run_error() {
            Some(RunError::ToolInputCut { message, .. }) => Some(message),
            _ => self.source.partial_message(),
        }
    }

    /// The run's own finding, when the run (not the API or the connection) ended it: a tool
    /// call cut by `max_tokens`, a context budget without a context window.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use chat_anthropic::agent::{Agent, RunError};
    /// use chat_anthropic_mock::{MockReply, MockScript, MockServer};
    /// use chat_anthropic::ChatAnthropic;
    /// let server = MockServer::start().await;
    /// // The reply runs out of tokens in the middle of a call's input.
    /// server.enqueue(MockReply::script(
    ///     MockScript::new()
    ///         .tool_use_raw("toolu_1", "write_file", r#"{"path": "a.txt", "content": "Once upon"#)
    ///         .stop_reason("max_tokens"),
    /// ));
    /// let llm = ChatAnthropic::new("claude-sonnet-4-6").base_url(server.base_url()).api_key("k");
    /// let err = Agent::new(llm).invoke("Write a story").await.unwrap_err();
    /// match err.run_error() {
    ///     Some(RunError::ToolInputCut { tool, id, .. }) => assert_eq!((tool.as_str(), id.as_str()), ("write_file", "toolu_1")),
    ///     other => panic!("{other:?}"),
    /// }
    /// assert!(err.to_string().contains("tool `write_file`"));
    /// assert_eq!(err.conversation().len(), 1, "the cut reply is not part of the conversation");
    /// # }
    /// ```
    pub fn run_error(&self) -> Option<&RunError> {
        self.source.area::<RunError>()
    }
}
