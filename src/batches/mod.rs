//! The Message Batches API: many requests answered asynchronously at half the price.
//!
//! Feature `batches`.
//!
//! A [`Batches`] handle comes from a [`ChatAnthropic`]: each request is built from the
//! model's settings (model, tools, thinking, structured output, system…) by the same code as
//! `invoke`, so a batch asks exactly what `invoke` would have. Results stream back line by
//! line as `(custom_id, outcome)`, each succeeded reply an [`AIMessage`](crate::AIMessage)
//! equal to what `invoke` would have returned.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
//! use std::time::Duration;
//! use chat_anthropic::batches::{BatchOutcome, WaitOptions};
//! use chat_anthropic::ChatAnthropic;
//! use futures_util::StreamExt;
//!
//! // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
//! let server = chat_anthropic_mock::MockServer::start().await;
//! let llm = ChatAnthropic::new("claude-sonnet-4-6")
//!     .max_tokens(256)
//!     .base_url(server.base_url())
//!     .api_key("test");
//! let batches = llm.batches();
//! let batch = batches.create([("q-1", "Hello"), ("q-2", "Bonjour")]).await?;
//! let options = WaitOptions::default().interval(Duration::from_millis(20));
//! let ended = batches.wait(&batch.id, options, |b| println!("{:?}", b.request_counts)).await?;
//! assert_eq!(ended.request_counts.succeeded, 2);
//! let mut results = batches.results(&batch.id).await?;
//! while let Some(result) = results.next().await {
//!     let (custom_id, outcome) = result?;
//!     if let BatchOutcome::Succeeded(reply) = outcome {
//!         println!("{custom_id}: {}", reply.text());
//!     }
//! }
//! # Ok(()) }
//! ```

mod error;
mod job;
pub(crate) mod request;
mod results;
mod types;
mod wait;

use std::pin::Pin;

use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;
use reqwest::Method;
use serde::de::DeserializeOwned;

pub use error::BatchError;
pub use job::BatchJob;
pub use request::{BatchLimits, BatchRequest};
pub use results::{BatchOutcome, BatchResults, DEFAULT_MAX_LINE};
pub use types::{DeletedMessageBatch, MessageBatch, ProcessingStatus, RequestCounts};
pub use wait::WaitOptions;

use crate::chat_model::{ApiCall, ChatAnthropic};
use crate::error::{ConfigReason, Error};
use crate::transport;
use request::{Encoded, BODY_CLOSE, BODY_OPEN};

/// A boxed stream of batch items.
pub type BatchStream<T> = Pin<Box<dyn Stream<Item = Result<T, Error>> + Send>>;

/// The path of the API's batches.
/// The path of the Message Batches API.
const PATH: &[&str] = &["v1", "messages", "batches"];

impl ChatAnthropic {
    /// The Message Batches API, with this model's settings for every request.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
    /// let server = chat_anthropic_mock::MockServer::start().await;
    /// let llm = chat_anthropic::ChatAnthropic::new("claude-haiku-4-5")
    ///     .max_tokens(100)
    ///     .base_url(server.base_url())
    ///     .api_key("k");
    /// llm.batches().create([("q-1", "Hi")]).await?;
    /// let sent = &server.requests()[0].body["requests"][0];
    /// assert_eq!(sent["params"]["max_tokens"], 100);
    /// assert!(sent["params"].get("stream").is_none());
    /// # Ok(()) }
    /// ```
    pub fn batches(&self) -> Batches {
        Batches {
            llm: self.clone(),
            limits: BatchLimits::default(),
            max_line: DEFAULT_MAX_LINE,
        }
    }
}

/// The Message Batches API: create, retrieve, list, cancel, delete, wait, results.
/// Cheap to clone. Made by [`ChatAnthropic::batches`]; see the [module](self) example.
#[derive(Debug, Clone)]
pub struct Batches {
    llm: ChatAnthropic,
    limits: BatchLimits,
    max_line: usize,
}

impl Batches {
    /// One batch's limits (the API's by default: 100,000 requests, 256 MB). See
    /// [`submit`](Self::submit) for an example.
    pub fn limits(mut self, limits: BatchLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The longest results line accepted ([`DEFAULT_MAX_LINE`] by default), as
    /// [`BatchResults::max_line`].
    pub fn max_result_line(mut self, bytes: usize) -> Self {
        self.max_line = bytes;
        self
    }

    /// Creates one batch. Everything is checked before anything is sent: each `custom_id`
    /// valid and unique, each request buildable, the whole within one batch's limits (else
    /// a [`BatchError`] naming the request; [`submit`](Self::submit) splits instead). The
    /// body is streamed piece by piece, never assembled as one string.
    pub async fn create<R: Into<BatchRequest>>(
        &self,
        requests: impl IntoIterator<Item = R>,
    ) -> Result<MessageBatch, Error> {
        let encoded = Encoded::new(&self.llm, requests.into_iter().map(Into::into))?;
        encoded.check_one_batch(self.limits)?;
        self.send_create(encoded.pieces.into()).await
    }

    /// Creates as many batches as the limits need (in input order) and returns them as one
    /// job, whose results merge into one stream. If a later batch fails to be created, the
    /// error ([`BatchError::Submit`]) lists those already created.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::batches::{BatchLimits, WaitOptions};
    /// use futures_util::TryStreamExt;
    /// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
    /// let server = chat_anthropic_mock::MockServer::start().await;
    /// let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
    ///     .base_url(server.base_url())
    ///     .api_key("k");
    /// let batches = llm.batches().limits(BatchLimits::new(2, 1 << 20));
    /// let requests = (0..5).map(|i| (format!("q{i}"), format!("Question {i}")));
    /// let mut job = batches.submit(requests).await?;
    /// assert_eq!(job.batches().len(), 3);
    /// job.wait(WaitOptions::default().interval(std::time::Duration::from_millis(20)), |_| {}).await?;
    /// let results: Vec<_> = job.results().try_collect().await?;
    /// assert_eq!(results.len(), 5);
    /// # Ok(()) }
    /// ```
    pub async fn submit<R: Into<BatchRequest>>(
        &self,
        requests: impl IntoIterator<Item = R>,
    ) -> Result<BatchJob, Error> {
        let encoded = Encoded::new(&self.llm, requests.into_iter().map(Into::into))?;
        let runs = encoded.split(self.limits)?;
        let mut pieces = encoded.pieces;
        let mut created = Vec::with_capacity(runs.len());
        // Taken from the back so each run's pieces are freed once sent.
        let mut tails = Vec::with_capacity(runs.len());
        for run in runs.iter().rev() {
            tails.push(pieces.split_off(run.start));
        }
        for run in tails.into_iter().rev() {
            match self.send_create(run.into()).await {
                Ok(batch) => created.push(batch),
                Err(source) if created.is_empty() => return Err(source),
                Err(source) => {
                    return Err(BatchError::Submit {
                        created,
                        source: Box::new(source),
                    }
                    .into())
                }
            }
        }
        Ok(BatchJob::new(self.clone(), created))
    }

    /// `POST /v1/messages/batches`, the body streamed from its pieces (again on a retry).
    async fn send_create(&self, pieces: std::sync::Arc<[Bytes]>) -> Result<MessageBatch, Error> {
        let call = ApiCall::new(Method::POST, PATH).json();
        let response = self
            .llm
            .api_send(true, || {
                let pieces = pieces.clone();
                let parts = (0..pieces.len()).flat_map(move |i| {
                    let comma = (i > 0).then(|| Bytes::from_static(b","));
                    comma.into_iter().chain([pieces[i].clone()])
                });
                let body = std::iter::once(Bytes::from_static(BODY_OPEN))
                    .chain(parts)
                    .chain([Bytes::from_static(BODY_CLOSE)])
                    .map(Ok::<_, std::io::Error>);
                let request = self.llm.api_request(&call);
                std::future::ready(request.map(|request| {
                    request.body(reqwest::Body::wrap_stream(futures_util::stream::iter(body)))
                }))
            })
            .await?;
        transport::json(response, self.llm.config().timeout).await
    }

    /// `GET /v1/messages/batches/{id}`: the batch's status and counts now.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
    /// let server = chat_anthropic_mock::MockServer::start().await;
    /// let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
    ///     .base_url(server.base_url())
    ///     .api_key("k");
    /// let batches = llm.batches();
    /// let created = batches.create([("a", "Hi")]).await?;
    /// let now = batches.retrieve(&created.id).await?;
    /// assert_eq!(now.id, created.id);
    /// assert_eq!(now.request_counts.total(), 1);
    /// # Ok(()) }
    /// ```
    pub async fn retrieve(&self, id: &str) -> Result<MessageBatch, Error> {
        self.call(Method::GET, &[segment(id)?], Vec::new()).await
    }

    /// Every batch of the workspace, newest first, as a `Stream` that fetches page after
    /// page (`page_size` per request, 1 to 1,000) as it is read.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use futures_util::TryStreamExt;
    /// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
    /// let server = chat_anthropic_mock::MockServer::start().await;
    /// let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
    ///     .base_url(server.base_url())
    ///     .api_key("k");
    /// let batches = llm.batches();
    /// for i in 0..3 {
    ///     batches.create([(format!("q{i}"), "Hi")]).await?;
    /// }
    /// let all: Vec<_> = batches.list(2).try_collect().await?;
    /// assert_eq!(all.len(), 3);
    /// assert_eq!(server.requests().iter().filter(|r| r.method == "GET").count(), 2, "two pages");
    /// # Ok(()) }
    /// ```
    pub fn list(&self, page_size: u32) -> BatchStream<MessageBatch> {
        let batches = self.clone();
        let limit = page_size.clamp(1, 1000).to_string();
        let pages = futures_util::stream::try_unfold(Some(None::<String>), move |cursor| {
            let batches = batches.clone();
            let limit = limit.clone();
            async move {
                let Some(after) = cursor else {
                    return Ok(None);
                };
                let mut query = vec![("limit", limit)];
                query.extend(after.map(|id| ("after_id", id)));
                let page: types::Page = batches.call(Method::GET, &[], query).await?;
                let next = page.last_id.filter(|_| page.has_more).map(Some);
                let items = futures_util::stream::iter(page.data.into_iter().map(Ok));
                Ok::<_, Error>(Some((items, next)))
            }
        });
        Box::pin(futures_util::TryStreamExt::try_flatten(pages))
    }

    /// `POST /v1/messages/batches/{id}/cancel`: the batch goes `canceling`, then ends with
    /// the requests not yet processed canceled.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::batches::{ProcessingStatus, WaitOptions};
    /// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
    /// let server = chat_anthropic_mock::MockServer::start().await;
    /// // The mock's batches take an hour, so the cancel comes in time.
    /// server.set_batch_processing_time(std::time::Duration::from_secs(3600));
    /// let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
    ///     .base_url(server.base_url())
    ///     .api_key("k");
    /// let batches = llm.batches();
    /// let batch = batches.create([("a", "Hi")]).await?;
    /// assert_eq!(batches.cancel(&batch.id).await?.processing_status, ProcessingStatus::Canceling);
    /// let ended = batches.wait(&batch.id, WaitOptions::default().interval(std::time::Duration::from_millis(20)), |_| {}).await?;
    /// assert_eq!(ended.request_counts.canceled, 1);
    /// batches.delete(&batch.id).await?;
    /// # Ok(()) }
    /// ```
    pub async fn cancel(&self, id: &str) -> Result<MessageBatch, Error> {
        self.call(Method::POST, &[segment(id)?, "cancel"], Vec::new())
            .await
    }

    /// `DELETE /v1/messages/batches/{id}` (ended batches only; cancel first). See
    /// [`cancel`](Self::cancel) for an example.
    pub async fn delete(&self, id: &str) -> Result<DeletedMessageBatch, Error> {
        self.call(Method::DELETE, &[segment(id)?], Vec::new()).await
    }

    /// Snapshots of the batch, one per poll (with back-off), the last one ended.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
    /// use chat_anthropic::batches::WaitOptions;
    /// use futures_util::StreamExt;
    /// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
    /// let server = chat_anthropic_mock::MockServer::start().await;
    /// let llm = chat_anthropic::ChatAnthropic::new("claude-sonnet-4-6")
    ///     .base_url(server.base_url())
    ///     .api_key("k");
    /// let batches = llm.batches();
    /// let batch = batches.create([("a", "Hi")]).await?;
    /// let mut snapshots = batches.watch(&batch.id, WaitOptions::default().interval(std::time::Duration::from_millis(20)));
    /// while let Some(snapshot) = snapshots.next().await {
    ///     println!("{} {:?}", snapshot?.processing_status, std::time::Instant::now());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn watch(&self, id: impl Into<String>, options: WaitOptions) -> BatchStream<MessageBatch> {
        Box::pin(wait::watch(self.clone(), id.into(), options))
    }

    /// Polls until the batch ends, calling `progress` with every snapshot; returns the
    /// ended batch (see the [module](self) example).
    pub async fn wait(
        &self,
        id: &str,
        options: WaitOptions,
        mut progress: impl FnMut(&MessageBatch),
    ) -> Result<MessageBatch, Error> {
        let mut snapshots = self.watch(id, options);
        let mut last = None;
        while let Some(batch) = snapshots.next().await {
            let batch = batch?;
            progress(&batch);
            last = Some(batch);
        }
        last.ok_or_else(|| {
            Error::config(ConfigReason::InvalidInput, "the batch was never retrieved")
        })
    }

    /// The results of an ended batch, as a `Stream` of `(custom_id, outcome)` decoded as
    /// the body arrives (see [`BatchResults`] and the [module](self) example). The
    /// `results_url` must be on the API's origin: the API key is sent nowhere else.
    pub async fn results(&self, id: &str) -> Result<BatchResults, Error> {
        let batch = self.retrieve(id).await?;
        let url = match (&batch.results_url, batch.is_ended()) {
            (Some(url), true) => url.clone(),
            _ => {
                return Err(BatchError::NotEnded {
                    id: batch.id,
                    status: batch.processing_status,
                }
                .into())
            }
        };
        let origin = origin(&self.llm.anthropic_base_url());
        if origin.is_none() || origin != self::origin(&url) {
            return Err(BatchError::ForeignResultsUrl {
                id: batch.id,
                url,
                origin: origin.unwrap_or_default(),
            }
            .into());
        }
        let call = ApiCall::new(Method::GET, PATH).at(&url);
        let response =
            self.llm
                .api_send(true, || {
                    let request = self.llm.api_request(&call);
                    std::future::ready(request.map(|request| {
                        request.header(reqwest::header::ACCEPT, "application/binary")
                    }))
                })
                .await?;
        let body = transport::body(response, self.llm.config().timeout);
        Ok(BatchResults::from_bytes_stream(body).max_line(self.max_line))
    }

    /// One JSON call to the batches API, at `PATH` and then `more` segments.
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        more: &[&str],
        query: Vec<(&'static str, String)>,
    ) -> Result<T, Error> {
        let segments: Vec<&str> = PATH.iter().chain(more).copied().collect();
        self.llm
            .api_json(ApiCall::new(method, &segments).query(query))
            .await
    }
}

/// A batch id as one URL path segment (ids are `msgbatch_…`: no escaping needed; anything
/// else is refused rather than sent to another path).
fn segment(id: &str) -> Result<&str, Error> {
    let plain = !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if plain {
        Ok(id)
    } else {
        Err(Error::config(
            ConfigReason::InvalidInput,
            format!("{id:?} is not a batch id"),
        ))
    }
}

/// `scheme://host:port` of a URL.
fn origin(url: &str) -> Option<String> {
    let url = reqwest::Url::parse(url).ok()?;
    Some(url.origin().ascii_serialization())
}
