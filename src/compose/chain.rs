//! `prompt | model` for every model of this module: `prompt | llm.with_fallbacks([...])`.

use std::ops::BitOr;

use super::{ChatModel, RunConfig, WithConfig, WithFallbacks, WithRetry};
use crate::chat_stream::ChatStream;
use crate::error::Error;
use crate::messages::AIMessage;
use crate::prompt::{ChatPromptTemplate, PromptArgs};

/// A prompt template piped into any [`ChatModel`]: `invoke`, `stream` and `batch` take the
/// template's arguments (the [`Chain`](crate::prompt::Chain) of `prompt | ChatAnthropic`,
/// for wrapped models). Made by `prompt | model` for [`WithFallbacks`], [`WithRetry`] and
/// [`WithConfig`], or by [`new`](Self::new) for any model.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use chat_anthropic::compose::ChatModelExt;
/// use chat_anthropic::prompt::{ChatPromptTemplate, PromptArgs};
/// use chat_anthropic::ChatAnthropic;
/// use chat_anthropic_mock::{MockReply, MockServer};
/// // Two local mocks of the API, the first overloaded; against the real one, drop
/// // base_url/api_key and set ANTHROPIC_API_KEY.
/// let (busy, spare) = (MockServer::start().await, MockServer::start().await);
/// busy.enqueue(MockReply::error(529, "overloaded_error", "Overloaded"));
/// spare.enqueue(MockReply::text("Ich liebe das Programmieren."));
/// let primary = ChatAnthropic::new("claude-sonnet-4-6")
///     .max_retries(0)
///     .base_url(busy.base_url())
///     .api_key("test");
/// let fallback = ChatAnthropic::new("claude-haiku-4-5")
///     .base_url(spare.base_url())
///     .api_key("test");
/// let prompt = ChatPromptTemplate::from_messages([
///     ("system", "Translate to {language}."),
///     ("human", "{input}"),
/// ])?;
/// let chain = prompt | primary.with_fallbacks([fallback]);
/// let reply = chain
///     .invoke(PromptArgs::from([("language", "German"), ("input", "I love programming.")]))
///     .await?;
/// assert_eq!(reply.text(), "Ich liebe das Programmieren.");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct PromptChain<M> {
    prompt: ChatPromptTemplate,
    model: M,
}

impl<M: ChatModel> PromptChain<M> {
    /// The chain `prompt | model`.
    pub fn new(prompt: ChatPromptTemplate, model: M) -> Self {
        Self { prompt, model }
    }

    /// Formats the prompt and returns the model's reply.
    pub async fn invoke(&self, args: impl Into<PromptArgs>) -> Result<AIMessage, Error> {
        self.invoke_with(args, &RunConfig::default()).await
    }

    /// [`invoke`](Self::invoke), labelled by `run`.
    pub async fn invoke_with(
        &self,
        args: impl Into<PromptArgs>,
        run: &RunConfig,
    ) -> Result<AIMessage, Error> {
        let messages = self.prompt.format(&args.into())?;
        self.model.invoke_run(messages, run).await
    }

    /// Formats the prompt and streams the model's reply.
    pub async fn stream(&self, args: impl Into<PromptArgs>) -> Result<ChatStream, Error> {
        let messages = self.prompt.format(&args.into())?;
        self.model.stream_run(messages, &RunConfig::default()).await
    }

    /// Runs the chain over many argument sets, at most
    /// [`run.concurrency()`](RunConfig::concurrency) at a time; results in input order (an
    /// argument set the template cannot format is its item's error).
    pub async fn batch_with<A: Into<PromptArgs>>(
        &self,
        inputs: impl IntoIterator<Item = A>,
        run: &RunConfig,
    ) -> Vec<Result<AIMessage, Error>> {
        let formatted: Vec<Result<_, Error>> = inputs
            .into_iter()
            .map(|args| self.prompt.format(&args.into()))
            .collect();
        let valid: Vec<_> = formatted
            .iter()
            .filter_map(|item| item.as_ref().ok().cloned())
            .collect();
        let mut replies = self.model.batch_run(valid, run).await.into_iter();
        formatted
            .into_iter()
            .map(|item| match item {
                Ok(_) => replies.next().expect("one reply per formatted input"),
                Err(error) => Err(error),
            })
            .collect()
    }
}

impl BitOr<WithFallbacks> for ChatPromptTemplate {
    type Output = PromptChain<WithFallbacks>;

    fn bitor(self, model: WithFallbacks) -> Self::Output {
        PromptChain::new(self, model)
    }
}

impl<M: ChatModel> BitOr<WithRetry<M>> for ChatPromptTemplate {
    type Output = PromptChain<WithRetry<M>>;

    fn bitor(self, model: WithRetry<M>) -> Self::Output {
        PromptChain::new(self, model)
    }
}

impl<M: ChatModel> BitOr<WithConfig<M>> for ChatPromptTemplate {
    type Output = PromptChain<WithConfig<M>>;

    fn bitor(self, model: WithConfig<M>) -> Self::Output {
        PromptChain::new(self, model)
    }
}
