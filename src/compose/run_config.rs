//! A run's configuration: LangChain's `RunnableConfig` (`tags`, `metadata`, `run_name`,
//! `max_concurrency`).

use serde_json::{Map, Value};

use crate::settings::DEFAULT_BATCH_CONCURRENCY;
use crate::telemetry::RunLabels;

/// The metadata key of [`RunConfig::session_id`].
const SESSION_ID_KEY: &str = "session_id";

/// What a call is labelled with and how a batch runs: a run name, tags and metadata that go
/// on the [`telemetry`](crate::telemetry) span of every Messages call the run makes (as
/// `run.name`, `run.tags`, `run.metadata`), and the most items of a `batch` in flight.
///
/// Give it per call ([`ChatModelExt::invoke_with`](super::ChatModelExt::invoke_with),
/// [`stream_with`](super::ChatModelExt::stream_with),
/// [`batch_with`](super::ChatModelExt::batch_with)) or bind it to a model
/// ([`with_config`](super::ChatModelExt::with_config)); a call's own configuration is
/// [merged](Self::merged) over a bound one.
///
/// ```
/// use chat_anthropic::compose::RunConfig;
/// let bound = RunConfig::new().tag("prod").metadata("tenant", "acme").max_concurrency(8);
/// let call = RunConfig::new().run_name("summarize").tag("nightly").metadata("tenant", "globex");
/// let run = bound.merged(&call);
/// assert_eq!(run.name(), Some("summarize"));
/// assert_eq!(run.tag_list(), ["prod", "nightly"]);
/// assert_eq!(run.metadata_map()["tenant"], "globex", "the call's value wins");
/// assert_eq!(run.concurrency(), 8);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunConfig {
    labels: RunLabels,
    max_concurrency: Option<usize>,
}

impl RunConfig {
    /// An empty configuration: no labels, the default batch concurrency.
    pub fn new() -> Self {
        Self::default()
    }

    /// The run's name (LangChain's `run_name`), on each call's span as `run.name`.
    pub fn run_name(mut self, name: impl Into<String>) -> Self {
        self.labels.name = Some(name.into());
        self
    }

    /// Adds a tag, on each call's span in `run.tags`.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        let tag = tag.into();
        if !self.labels.tags.contains(&tag) {
            self.labels.tags.push(tag);
        }
        self
    }

    /// Adds tags.
    pub fn tags<S: Into<String>>(self, tags: impl IntoIterator<Item = S>) -> Self {
        tags.into_iter().fold(self, |config, tag| config.tag(tag))
    }

    /// Sets a metadata entry, on each call's span in `run.metadata`.
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.labels.metadata.insert(key.into(), value.into());
        self
    }

    /// The most items of a `batch` in flight at once (default
    /// [`DEFAULT_BATCH_CONCURRENCY`]).
    pub fn max_concurrency(mut self, limit: usize) -> Self {
        self.max_concurrency = Some(limit.max(1));
        self
    }

    /// The conversation this call continues, for a chat history
    /// ([`WithHistory`](super::history::WithHistory) loads and appends that session): LangChain's
    /// `configurable.session_id`. Kept as the metadata entry `session_id`, so it is on each
    /// call's span too.
    ///
    /// ```
    /// use chat_anthropic::compose::RunConfig;
    /// let run = RunConfig::new().session_id("user-42");
    /// assert_eq!(run.session(), Some("user-42"));
    /// assert_eq!(run.metadata_map()["session_id"], "user-42");
    /// ```
    pub fn session_id(self, session: impl Into<String>) -> Self {
        self.metadata(SESSION_ID_KEY, session.into())
    }

    /// The session set by [`session_id`](Self::session_id) (a string metadata entry
    /// `session_id`).
    pub fn session(&self) -> Option<&str> {
        self.labels
            .metadata
            .get(SESSION_ID_KEY)
            .and_then(Value::as_str)
    }

    /// The run's name.
    pub fn name(&self) -> Option<&str> {
        self.labels.name.as_deref()
    }

    /// The tags, in the order added.
    pub fn tag_list(&self) -> &[String] {
        &self.labels.tags
    }

    /// The metadata.
    pub fn metadata_map(&self) -> &Map<String, Value> {
        &self.labels.metadata
    }

    /// The batch concurrency: the one set, else [`DEFAULT_BATCH_CONCURRENCY`].
    pub fn concurrency(&self) -> usize {
        self.max_concurrency.unwrap_or(DEFAULT_BATCH_CONCURRENCY)
    }

    /// `call` over this one: its name and concurrency when set, its tags after these, its
    /// metadata entries replacing these.
    pub fn merged(&self, call: &RunConfig) -> RunConfig {
        let mut merged = self.clone().tags(call.labels.tags.iter().cloned());
        if let Some(name) = &call.labels.name {
            merged.labels.name = Some(name.clone());
        }
        for (key, value) in &call.labels.metadata {
            merged.labels.metadata.insert(key.clone(), value.clone());
        }
        merged.max_concurrency = call.max_concurrency.or(self.max_concurrency);
        merged
    }

    pub(crate) fn labels(&self) -> &RunLabels {
        &self.labels
    }
}
