//! The one interface every model and every wrapper implements.

use std::sync::Arc;

use futures_core::future::BoxFuture;

use super::{RetryPolicy, RunConfig, WithConfig, WithFallbacks, WithRetry};
use crate::chat_model::{run_ordered, ChatAnthropic};
use crate::chat_stream::ChatStream;
use crate::error::Error;
use crate::messages::{AIMessage, IntoMessages, Message};

/// A chat model that streams: [`ChatAnthropic`], and every wrapper around one
/// ([`WithFallbacks`], [`WithRetry`], [`WithConfig`], and whatever is built on them).
///
/// One required method, [`stream_run`](Self::stream_run), returns the crate's
/// [`ChatStream`], so a wrapper hands out the same stream type as the model it wraps, with
/// the same views ([`text`](ChatStream::text), [`chunks`](ChatStream::chunks),
/// [`updates`](ChatStream::updates)); a wrapper that has the events from elsewhere (a cache
/// replaying a stored reply) builds one with [`ChatStream::from_events`].
/// [`invoke_run`](Self::invoke_run) is that stream folded, and
/// [`batch_run`](Self::batch_run) many invocations, at most
/// [`RunConfig::concurrency`] at a time; both may be overridden (a wrapper that can answer
/// without streaming, a model with its own batch scheduling).
///
/// The trait is object-safe: models of different types go in one list as
/// `Arc<dyn ChatModel>`. The calls take the conversation as messages and a [`RunConfig`];
/// [`ChatModelExt`] adds the convenient forms (`invoke("Hi")`, `batch([...])`, …) and the
/// wrappers (`with_fallbacks`, `with_retry`, `with_config`) to every model.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use std::sync::Arc;
/// use chat_anthropic::compose::{ChatModel, ChatModelExt, RetryPolicy};
/// use chat_anthropic::ChatAnthropic;
/// use chat_anthropic_mock::{MockReply, MockServer};
/// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
/// let server = MockServer::start().await;
/// server.enqueue(MockReply::text("one"));
/// server.enqueue(MockReply::text("two"));
/// let llm = ChatAnthropic::new("claude-sonnet-4-6")
///     .base_url(server.base_url())
///     .api_key("test");
/// // Two models of different types in one list.
/// let models: Vec<Arc<dyn ChatModel>> = vec![
///     llm.clone().into_arc(),
///     llm.with_retry(RetryPolicy::new(3)).into_arc(),
/// ];
/// assert_eq!(models[0].invoke("Hi").await?.text(), "one");
/// assert_eq!(models[1].invoke("Hi").await?.text(), "two");
/// # Ok(()) }
/// ```
pub trait ChatModel: Send + Sync {
    /// Sends `messages` and returns the reply as it streams, labelled by `run`.
    fn stream_run<'a>(
        &'a self,
        messages: Vec<Message>,
        run: &'a RunConfig,
    ) -> BoxFuture<'a, Result<ChatStream, Error>>;

    /// The reply as one message: [`stream_run`](Self::stream_run), folded.
    fn invoke_run<'a>(
        &'a self,
        messages: Vec<Message>,
        run: &'a RunConfig,
    ) -> BoxFuture<'a, Result<AIMessage, Error>> {
        Box::pin(async move { self.stream_run(messages, run).await?.final_message().await })
    }

    /// Many conversations, at most [`RunConfig::concurrency`] in flight; results in input
    /// order. Each item is one [`invoke_run`](Self::invoke_run), so a wrapper's policy
    /// (retries, fallbacks) applies to each item on its own.
    fn batch_run<'a>(
        &'a self,
        inputs: Vec<Vec<Message>>,
        run: &'a RunConfig,
    ) -> BoxFuture<'a, Vec<Result<AIMessage, Error>>> {
        let calls = inputs
            .into_iter()
            .map(move |messages| self.invoke_run(messages, run));
        Box::pin(run_ordered(calls, run.concurrency()))
    }

    /// A short description for logs and `Debug`: the model name, or the wrapper and what it
    /// wraps.
    fn name(&self) -> String;

    /// This model behind an `Arc<dyn ChatModel>`, to share it or list it beside models of
    /// other types.
    fn into_arc(self) -> Arc<dyn ChatModel>
    where
        Self: Sized + 'static,
    {
        Arc::new(self)
    }
}

impl ChatModel for ChatAnthropic {
    fn stream_run<'a>(
        &'a self,
        messages: Vec<Message>,
        run: &'a RunConfig,
    ) -> BoxFuture<'a, Result<ChatStream, Error>> {
        Box::pin(self.stream_labelled(messages, run.labels()))
    }

    /// The model's own batch: its shared rate limiter and 429 handling, at most
    /// [`RunConfig::concurrency`] in flight.
    fn batch_run<'a>(
        &'a self,
        inputs: Vec<Vec<Message>>,
        run: &'a RunConfig,
    ) -> BoxFuture<'a, Vec<Result<AIMessage, Error>>> {
        let messages = inputs.into_iter().map(Ok).collect();
        Box::pin(self.batch_labelled(messages, run.concurrency(), Some(run.labels())))
    }

    fn name(&self) -> String {
        self.config().model.clone()
    }
}

impl ChatModel for Arc<dyn ChatModel> {
    fn stream_run<'a>(
        &'a self,
        messages: Vec<Message>,
        run: &'a RunConfig,
    ) -> BoxFuture<'a, Result<ChatStream, Error>> {
        (**self).stream_run(messages, run)
    }

    fn invoke_run<'a>(
        &'a self,
        messages: Vec<Message>,
        run: &'a RunConfig,
    ) -> BoxFuture<'a, Result<AIMessage, Error>> {
        (**self).invoke_run(messages, run)
    }

    fn batch_run<'a>(
        &'a self,
        inputs: Vec<Vec<Message>>,
        run: &'a RunConfig,
    ) -> BoxFuture<'a, Vec<Result<AIMessage, Error>>> {
        (**self).batch_run(inputs, run)
    }

    fn name(&self) -> String {
        (**self).name()
    }

    fn into_arc(self) -> Arc<dyn ChatModel> {
        self
    }
}

/// The convenient calls and the wrappers, for every [`ChatModel`] (`Arc<dyn ChatModel>`
/// included). [`ChatAnthropic`]'s own `invoke`, `stream` and `batch` take precedence on it
/// and do the same.
pub trait ChatModelExt: ChatModel {
    /// The reply as one message.
    fn invoke(&self, input: impl IntoMessages) -> BoxFuture<'_, Result<AIMessage, Error>> {
        self.invoke_with(input, &RunConfig::default())
    }

    /// The reply as one message, labelled by `run`.
    fn invoke_with(
        &self,
        input: impl IntoMessages,
        run: &RunConfig,
    ) -> BoxFuture<'_, Result<AIMessage, Error>> {
        let messages = input.into_messages();
        let run = run.clone();
        Box::pin(async move { self.invoke_run(messages?, &run).await })
    }

    /// The reply as it streams.
    fn stream(&self, input: impl IntoMessages) -> BoxFuture<'_, Result<ChatStream, Error>> {
        self.stream_with(input, &RunConfig::default())
    }

    /// The reply as it streams, labelled by `run`.
    fn stream_with(
        &self,
        input: impl IntoMessages,
        run: &RunConfig,
    ) -> BoxFuture<'_, Result<ChatStream, Error>> {
        let messages = input.into_messages();
        let run = run.clone();
        Box::pin(async move { self.stream_run(messages?, &run).await })
    }

    /// Many conversations, at most
    /// [`DEFAULT_BATCH_CONCURRENCY`](crate::settings::DEFAULT_BATCH_CONCURRENCY) at a time;
    /// results in input order.
    fn batch<I: IntoMessages>(
        &self,
        inputs: impl IntoIterator<Item = I>,
    ) -> BoxFuture<'_, Vec<Result<AIMessage, Error>>> {
        self.batch_with(inputs, &RunConfig::default())
    }

    /// Many conversations, labelled by `run`, at most
    /// [`run.concurrency()`](RunConfig::concurrency) at a time; results in input order. An
    /// input that is not a conversation is its item's error; the others run.
    fn batch_with<I: IntoMessages>(
        &self,
        inputs: impl IntoIterator<Item = I>,
        run: &RunConfig,
    ) -> BoxFuture<'_, Vec<Result<AIMessage, Error>>> {
        let converted: Vec<Result<Vec<Message>, Error>> = inputs
            .into_iter()
            .map(|input| Ok(input.into_messages()?))
            .collect();
        let run = run.clone();
        Box::pin(async move {
            let mut valid = Vec::with_capacity(converted.len());
            let mut slots = Vec::with_capacity(converted.len());
            for item in converted {
                match item {
                    Ok(messages) => {
                        valid.push(messages);
                        slots.push(None);
                    }
                    Err(error) => slots.push(Some(Err(error))),
                }
            }
            let mut replies = self.batch_run(valid, &run).await.into_iter();
            slots
                .into_iter()
                .map(|slot| match slot {
                    Some(failed) => failed,
                    None => replies.next().expect("one reply per valid input"),
                })
                .collect()
        })
    }

    /// This model, then each of `fallbacks` in turn, on the errors of
    /// [`ErrorFilter::default_fallback`](super::ErrorFilter::default_fallback) (change them
    /// with [`WithFallbacks::on`]). See [`WithFallbacks`].
    fn with_fallbacks<F: ChatModel + 'static>(
        self,
        fallbacks: impl IntoIterator<Item = F>,
    ) -> WithFallbacks
    where
        Self: Sized + 'static,
    {
        WithFallbacks::new(
            std::iter::once(self.into_arc()).chain(fallbacks.into_iter().map(ChatModel::into_arc)),
        )
    }

    /// This model, its calls retried by `policy`. See [`WithRetry`].
    fn with_retry(self, policy: RetryPolicy) -> WithRetry<Self>
    where
        Self: Sized,
    {
        WithRetry::new(self, policy)
    }

    /// This model with `config` bound: every call's own configuration is merged over it.
    fn with_config(self, config: RunConfig) -> WithConfig<Self>
    where
        Self: Sized,
    {
        WithConfig::new(self, config)
    }

    /// This model with its input trimmed to `options`' token budget before every call. See
    /// [`WithTrimming`](super::WithTrimming).
    fn with_trimming(self, options: super::TrimOptions) -> super::WithTrimming<Self>
    where
        Self: Sized,
    {
        super::WithTrimming::new(self, options)
    }

    /// This model continuing conversations kept in `store`, one per session. See
    /// [`WithHistory`](super::history::WithHistory).
    #[cfg(feature = "history")]
    fn with_history(
        self,
        store: impl super::history::ChatHistoryStore + 'static,
    ) -> super::history::WithHistory<Self>
    where
        Self: Sized,
    {
        super::history::WithHistory::new(self, store)
    }

    /// This model with its replies cached in `store` (feature `cache`): a request seen
    /// before is answered from the store, replayed as a stream. See [`super::cache`].
    #[cfg(feature = "cache")]
    fn with_cache<S: super::cache::CacheStore>(self, store: S) -> super::cache::WithCache<Self, S>
    where
        Self: Sized,
    {
        super::cache::WithCache::new(self, store)
    }
}

impl<M: ChatModel + ?Sized> ChatModelExt for M {}
