//! The Models API: which models the key can use, with their limits and capabilities
//! (`GET /v1/models`, `GET /v1/models/{id}`).

use futures_core::Stream;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::chat_model::ApiCall;
use crate::error::Error;
use crate::pagination::{self, ListParams, Page};
use crate::ChatAnthropic;

/// A model as the Models API describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ModelInfo {
    /// The id to pass to [`ChatAnthropic::new`], e.g. `claude-sonnet-4-6`.
    pub id: String,
    /// A human-readable name.
    pub display_name: String,
    /// When the model was released (RFC 3339; an epoch value if unknown).
    pub created_at: String,
    /// The largest input context, in tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_input_tokens: Option<u64>,
    /// The largest `max_tokens` the model accepts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u64>,
    /// `active`, `deprecated` or `retired`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<String>,
    /// When the model was deprecated (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated_at: Option<String>,
    /// When the model retires, or retired (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retires_at: Option<String>,
    /// What the model supports (`thinking`, `effort`, `pdf_input`, …), as the API sends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Value>,
    /// Any other field (`type: "model"`, fields added later), kept as sent.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The Models API of a [`ChatAnthropic`]'s account: same key, headers, transport,
/// timeouts and retries. Made by [`ChatAnthropic::models`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use chat_anthropic::pagination::ListParams;
/// use chat_anthropic::ChatAnthropic;
/// use futures_util::TryStreamExt;
/// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
/// let server = chat_anthropic_mock::MockServer::start().await;
/// let llm = ChatAnthropic::new("claude-sonnet-4-6")
///     .base_url(server.base_url())
///     .api_key("test");
/// // Every model, two per request, as the stream is read.
/// let all: Vec<_> = llm.models().list(ListParams::new().limit(2)).try_collect().await?;
/// assert!(all.iter().any(|model| model.id == "claude-sonnet-4-6"));
/// let sonnet = llm.models().retrieve("claude-sonnet-4-6").await?;
/// assert!(sonnet.max_tokens.is_some());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Models {
    client: ChatAnthropic,
}

impl Models {
    pub(crate) fn new(client: ChatAnthropic) -> Self {
        Self { client }
    }

    /// One model by id (or alias); a 404 [`Error::Api`] when there is none.
    pub async fn retrieve(&self, model_id: impl AsRef<str>) -> Result<ModelInfo, Error> {
        let segments = ["v1", "models", model_id.as_ref()];
        self.client
            .api_json(ApiCall::new(Method::GET, &segments))
            .await
    }

    /// One page of models, newest first.
    pub async fn list_page(&self, params: ListParams) -> Result<Page<ModelInfo>, Error> {
        self.client
            .api_json(ApiCall::new(Method::GET, &["v1", "models"]).query(params.query()))
            .await
    }

    /// Every page from `params` on, each fetched when the stream is polled.
    pub fn pages(
        &self,
        params: ListParams,
    ) -> impl Stream<Item = Result<Page<ModelInfo>, Error>> + Send + 'static + use<> {
        pagination::pages_of(self.clone(), params, |models: Self, params| async move {
            models.list_page(params).await
        })
    }

    /// Every model from `params` on, across pages.
    pub fn list(
        &self,
        params: ListParams,
    ) -> impl Stream<Item = Result<ModelInfo, Error>> + Send + 'static + use<> {
        pagination::items(self.pages(params))
    }
}

impl ChatAnthropic {
    /// The Models API, through this model's key and settings.
    pub fn models(&self) -> Models {
        Models::new(self.clone())
    }
}
