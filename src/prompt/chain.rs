//! `prompt | llm`.

use super::args::PromptArgs;
use super::chat_template::ChatPromptTemplate;
use crate::chat_model::{run_ordered, ChatAnthropic};
use crate::chat_stream::ChatStream;
use crate::error::Error;
use crate::messages::AIMessage;
use crate::settings::DEFAULT_BATCH_CONCURRENCY;

/// A prompt template piped into a model: `invoke`, `stream` and `batch` take the template's
/// arguments.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use chat_anthropic::prompt::{ChatPromptTemplate, PromptArgs};
/// use chat_anthropic::ChatAnthropic;
/// use chat_anthropic_mock::{MockReply, MockServer};
/// let prompt = ChatPromptTemplate::from_messages([
///     ("system", "You are a helpful assistant that translates {input_language} to {output_language}."),
///     ("human", "{input}"),
/// ])?;
/// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
/// let server = MockServer::start().await;
/// server.enqueue(MockReply::text("Ich liebe das Programmieren."));
/// let llm = ChatAnthropic::new("claude-sonnet-4-6")
///     .base_url(server.base_url())
///     .api_key("test-key");
/// let chain = prompt | llm;
/// let reply = chain.invoke(PromptArgs::from([
///     ("input_language", "English"), ("output_language", "German"), ("input", "I love programming."),
/// ])).await?;
/// assert_eq!(reply.text(), "Ich liebe das Programmieren.");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Chain {
    prompt: ChatPromptTemplate,
    model: ChatAnthropic,
}

impl Chain {
    /// The chain `prompt | model`.
    pub fn new(prompt: ChatPromptTemplate, model: ChatAnthropic) -> Self {
        Self { prompt, model }
    }

    /// Formats the prompt and returns the model's reply.
    pub async fn invoke(&self, args: impl Into<PromptArgs>) -> Result<AIMessage, Error> {
        self.model.invoke(self.prompt.format(&args.into())?).await
    }

    /// Formats the prompt and streams the model's reply.
    pub async fn stream(&self, args: impl Into<PromptArgs>) -> Result<ChatStream, Error> {
        self.model.stream(self.prompt.format(&args.into())?).await
    }

    /// Runs the chain over many argument sets, at most
    /// [`DEFAULT_BATCH_CONCURRENCY`](crate::settings::DEFAULT_BATCH_CONCURRENCY) at a time; results are
    /// in input order.
    pub async fn batch<A: Into<PromptArgs>>(
        &self,
        inputs: impl IntoIterator<Item = A>,
    ) -> Vec<Result<AIMessage, Error>> {
        let calls = inputs.into_iter().map(|args| self.invoke(args));
        run_ordered(calls, DEFAULT_BATCH_CONCURRENCY).await
    }
}
