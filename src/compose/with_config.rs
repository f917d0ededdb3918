//! A model with a [`RunConfig`] bound to it.

use futures_core::future::BoxFuture;

use super::{ChatModel, RunConfig};
use crate::chat_stream::ChatStream;
use crate::error::Error;
use crate::messages::{AIMessage, Message};

/// A model with a [`RunConfig`] bound: each call's own configuration is
/// [merged](RunConfig::merged) over it (LangChain's `with_config`). Made by
/// [`ChatModelExt::with_config`](super::ChatModelExt::with_config).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use chat_anthropic::compose::{ChatModelExt, RunConfig};
/// use chat_anthropic::ChatAnthropic;
/// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
/// let server = chat_anthropic_mock::MockServer::start().await;
/// let llm = ChatAnthropic::new("claude-sonnet-4-6")
///     .base_url(server.base_url())
///     .api_key("test");
/// let tagged = llm.with_config(RunConfig::new().run_name("support-bot").tag("prod"));
/// let reply = tagged.invoke_with("Hi", &RunConfig::new().tag("ticket-42")).await?;
/// assert_eq!(reply.text(), "Mock reply to: Hi");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct WithConfig<M> {
    inner: M,
    config: RunConfig,
}

impl<M> WithConfig<M> {
    /// `inner` with `config` bound.
    pub fn new(inner: M, config: RunConfig) -> Self {
        Self { inner, config }
    }

    /// The bound configuration.
    pub fn config(&self) -> &RunConfig {
        &self.config
    }

    /// The wrapped model.
    pub fn inner(&self) -> &M {
        &self.inner
    }
}

impl<M: ChatModel> ChatModel for WithConfig<M> {
    fn stream_run<'a>(
        &'a self,
        messages: Vec<Message>,
        run: &'a RunConfig,
    ) -> BoxFuture<'a, Result<ChatStream, Error>> {
        let run = self.config.merged(run);
        Box::pin(async move { self.inner.stream_run(messages, &run).await })
    }

    fn invoke_run<'a>(
        &'a self,
        messages: Vec<Message>,
        run: &'a RunConfig,
    ) -> BoxFuture<'a, Result<AIMessage, Error>> {
        let run = self.config.merged(run);
        Box::pin(async move { self.inner.invoke_run(messages, &run).await })
    }

    fn batch_run<'a>(
        &'a self,
        inputs: Vec<Vec<Message>>,
        run: &'a RunConfig,
    ) -> BoxFuture<'a, Vec<Result<AIMessage, Error>>> {
        let run = self.config.merged(run);
        Box::pin(async move { self.inner.batch_run(inputs, &run).await })
    }

    fn name(&self) -> String {
        self.inner.name()
    }
}
