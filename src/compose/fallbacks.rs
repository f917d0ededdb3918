//! Fallbacks: an ordered list of models, tried in turn.

use std::fmt;
use std::sync::Arc;

use futures_core::future::BoxFuture;

use super::open::open_until_content;
use super::{ChatModel, ErrorFilter, RunConfig};
use crate::chat_stream::ChatStream;
use crate::error::Error;
use crate::messages::{AIMessage, Message};

/// An ordered list of models — another Claude model, the same model on Bedrock or Vertex, a
/// model wrapped in a retry policy — tried in turn on the errors an [`ErrorFilter`] names
/// (by default [`ErrorFilter::default_fallback`]: overloaded, 5xx, timeouts, connection
/// failures, rate limits, each after the model's own retries). LangChain's `with_fallbacks`.
/// Made by [`ChatModelExt::with_fallbacks`](super::ChatModelExt::with_fallbacks) or
/// [`new`](Self::new).
///
/// - An error the filter does not name is returned at once: no fallback sees the request.
/// - When every model failed, the last model's error is returned.
/// - `stream`: a fallback is taken only before any content was handed out (the first
///   model's `message_start` and `ping`s are held back until its first content); once
///   content has been handed out the stream is that model's, and a failure ends it with
///   the partial message, as without fallbacks.
/// - `invoke`: a failure anywhere in the reply moves on to the next model (the caller had
///   seen nothing of it).
/// - `batch`: each item falls back on its own.
///
/// Each model is sent the request as it is configured: bind tools on each one
/// (`llm.bind_tools(tools)` on every model of the list); for structured output, give the
/// fallbacks to the structured model itself (`StructuredModel::with_fallbacks`, feature
/// `structured`), which parses each reply as the model that answered asked for it.
///
/// `stream` returns once the chosen model's first content has arrived (until then a
/// fallback may still be taken).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use chat_anthropic::compose::ChatModelExt;
/// use chat_anthropic::ChatAnthropic;
/// use chat_anthropic_mock::{MockReply, MockServer};
/// // Two local mocks of the API, the first overloaded; against the real one, drop
/// // base_url/api_key and set ANTHROPIC_API_KEY.
/// let (busy, spare) = (MockServer::start().await, MockServer::start().await);
/// busy.enqueue(MockReply::error(529, "overloaded_error", "Overloaded"));
/// spare.enqueue(MockReply::text("Hello from the fallback"));
/// let primary = ChatAnthropic::new("claude-sonnet-4-6")
///     .max_retries(0)
///     .base_url(busy.base_url())
///     .api_key("test");
/// let fallback = ChatAnthropic::new("claude-haiku-4-5")
///     .base_url(spare.base_url())
///     .api_key("test");
/// let llm = primary.with_fallbacks([fallback]);
/// assert_eq!(llm.invoke("Hi").await?.text(), "Hello from the fallback");
/// assert_eq!((busy.request_count(), spare.request_count()), (1, 1));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct WithFallbacks {
    models: Vec<Arc<dyn ChatModel>>,
    on: ErrorFilter,
}

impl WithFallbacks {
    /// `models` in the order they are tried, the first being the primary.
    pub fn new(models: impl IntoIterator<Item = Arc<dyn ChatModel>>) -> Self {
        Self {
            models: models.into_iter().collect(),
            on: ErrorFilter::default_fallback(),
        }
    }

    /// The errors that move on to the next model.
    pub fn on(mut self, filter: ErrorFilter) -> Self {
        self.on = filter;
        self
    }

    /// Adds a model at the end of the list.
    pub fn fallback(mut self, model: impl ChatModel + 'static) -> Self {
        self.models.push(model.into_arc());
        self
    }

    /// The models, in the order they are tried.
    pub fn models(&self) -> &[Arc<dyn ChatModel>] {
        &self.models
    }

    /// Opens the first model's stream that reaches content; with the index of the model that
    /// answered.
    pub async fn stream_answered_by(
        &self,
        messages: Vec<Message>,
        run: &RunConfig,
    ) -> Result<(usize, ChatStream), Error> {
        let mut last = None;
        for (index, model) in self.models.iter().enumerate() {
            match open_until_content(model.as_ref(), messages.clone(), run).await {
                Ok(stream) => return Ok((index, stream)),
                Err(error) => last = Some(self.after_failure(index, error)?),
            }
        }
        Err(last.unwrap_or_else(no_models))
    }

    /// The first model's reply that came whole, with the index of the model that answered.
    pub(crate) async fn invoke_answered_by(
        &self,
        messages: Vec<Message>,
        run: &RunConfig,
    ) -> Result<(usize, AIMessage), Error> {
        let mut last = None;
        for (index, model) in self.models.iter().enumerate() {
            match model.invoke_run(messages.clone(), run).await {
                Ok(reply) => return Ok((index, reply)),
                Err(error) => last = Some(self.after_failure(index, error)?),
            }
        }
        Err(last.unwrap_or_else(no_models))
    }

    /// The error back when the next model may not be tried, else the error to report if
    /// none answers.
    fn after_failure(&self, index: usize, error: Error) -> Result<Error, Error> {
        if !self.on.matches(&error) || index + 1 == self.models.len() {
            return Err(error);
        }
        tracing::warn!(
            model = %self.models[index].name(),
            next = %self.models[index + 1].name(),
            %error,
            "model failed; falling back"
        );
        Ok(error)
    }
}

fn no_models() -> Error {
    Error::config(
        crate::error::ConfigReason::InvalidSetting,
        "a fallback list needs at least one model",
    )
}

impl ChatModel for WithFallbacks {
    fn stream_run<'a>(
        &'a self,
        messages: Vec<Message>,
        run: &'a RunConfig,
    ) -> BoxFuture<'a, Result<ChatStream, Error>> {
        Box::pin(async move {
            let (_, stream) = self.stream_answered_by(messages, run).await?;
            Ok(stream)
        })
    }

    fn invoke_run<'a>(
        &'a self,
        messages: Vec<Message>,
        run: &'a RunConfig,
    ) -> BoxFuture<'a, Result<AIMessage, Error>> {
        Box::pin(async move {
            let (_, reply) = self.invoke_answered_by(messages, run).await?;
            Ok(reply)
        })
    }

    fn name(&self) -> String {
        let names: Vec<_> = self.models.iter().map(|m| m.name()).collect();
        format!("fallbacks({})", names.join(", "))
    }
}

impl fmt::Debug for WithFallbacks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<_> = self.models.iter().map(|m| m.name()).collect();
        f.debug_struct("WithFallbacks")
            .field("models", &names)
            .field("on", &self.on)
            .finish()
    }
}
