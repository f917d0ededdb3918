//! Fallbacks for structured output: the reply parsed as the model that answered asked for it.

use serde::de::DeserializeOwned;

use super::{ErrorFilter, RunConfig, WithFallbacks};
use crate::compose::ChatModel;
use crate::error::Error;
use crate::messages::IntoMessages;
use crate::structured::{StructuredModel, StructuredResponse, StructuredStream};

impl<T: DeserializeOwned> StructuredModel<T> {
    /// This structured model, then each of `fallbacks` in turn (the same `T`, each with its
    /// own model, platform and [`method`](StructuredModel::method)), on the errors of
    /// [`ErrorFilter::default_fallback`] (change them with
    /// [`StructuredFallbacks::on`]). The reply is parsed by the model that answered, so a
    /// fallback using native JSON output behind a primary using a forced tool call reads
    /// right. Streams fall back only before content, as [`WithFallbacks`] does.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::structured::StructuredMethod;
    /// use chat_anthropic::ChatAnthropic;
    /// use chat_anthropic_mock::{MockReply, MockServer};
    ///
    /// #[derive(schemars::JsonSchema, serde::Deserialize, Debug, PartialEq)]
    /// struct Person { name: String, born: u32 }
    ///
    /// // Two local mocks of the API, the first overloaded; against the real one, drop
    /// // base_url/api_key and set ANTHROPIC_API_KEY.
    /// let (busy, spare) = (MockServer::start().await, MockServer::start().await);
    /// busy.enqueue(MockReply::error(529, "overloaded_error", "Overloaded"));
    /// spare.enqueue(MockReply::text(r#"{"name": "Alan", "born": 1912}"#));
    /// let primary = ChatAnthropic::new("claude-sonnet-4-6")
    ///     .max_retries(0)
    ///     .base_url(busy.base_url())
    ///     .api_key("test");
    /// let fallback = ChatAnthropic::new("claude-haiku-4-5")
    ///     .base_url(spare.base_url())
    ///     .api_key("test");
    /// let people = primary
    ///     .with_structured_output::<Person>()
    ///     .with_fallbacks([fallback
    ///         .with_structured_output::<Person>()
    ///         .method(StructuredMethod::JsonSchema)]);
    /// let alan = people.invoke("Who broke Enigma?").await?;
    /// assert_eq!(alan, Person { name: "Alan".into(), born: 1912 });
    /// # Ok(()) }
    /// ```
    pub fn with_fallbacks(
        self,
        fallbacks: impl IntoIterator<Item = StructuredModel<T>>,
    ) -> StructuredFallbacks<T> {
        let models: Vec<StructuredModel<T>> = std::iter::once(self).chain(fallbacks).collect();
        let list = WithFallbacks::new(models.iter().map(|m| m.model().into_arc()));
        StructuredFallbacks { models, list }
    }
}

/// Structured models tried in turn. Made by [`StructuredModel::with_fallbacks`].
pub struct StructuredFallbacks<T> {
    models: Vec<StructuredModel<T>>,
    list: WithFallbacks,
}

impl<T> Clone for StructuredFallbacks<T> {
    fn clone(&self) -> Self {
        Self {
            models: self.models.clone(),
            list: self.list.clone(),
        }
    }
}

impl<T> std::fmt::Debug for StructuredFallbacks<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StructuredFallbacks")
            .field("models", &self.models)
            .field("on", &self.list)
            .finish()
    }
}

impl<T: DeserializeOwned> StructuredFallbacks<T> {
    /// The errors that move on to the next model.
    pub fn on(mut self, filter: ErrorFilter) -> Self {
        self.list = self.list.on(filter);
        self
    }

    /// Asks and returns the value; a reply without a valid `T` is [`Error::Structured`]
    /// (not a reason to fall back: the model answered).
    pub async fn invoke(&self, input: impl IntoMessages) -> Result<T, Error> {
        self.invoke_with_raw(input).await?.into_result()
    }

    /// Asks and returns the raw reply beside the parsed value or the parsing error.
    pub async fn invoke_with_raw(
        &self,
        input: impl IntoMessages,
    ) -> Result<StructuredResponse<T>, Error> {
        let run = RunConfig::default();
        let (index, raw) = self
            .list
            .invoke_answered_by(input.into_messages()?, &run)
            .await?;
        Ok(self.models[index].parse(raw))
    }

    /// Streams snapshots of the partial value, then the `T`, from the first model whose
    /// stream reached content.
    pub async fn stream(&self, input: impl IntoMessages) -> Result<StructuredStream<T>, Error> {
        let run = RunConfig::default();
        let (index, stream) = self
            .list
            .stream_answered_by(input.into_messages()?, &run)
            .await?;
        Ok(self.models[index].read(stream))
    }
}
