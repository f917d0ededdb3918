//! The model wrapper: look up, replay a hit, record a miss, one request per key at a time.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use futures_core::future::BoxFuture;
use futures_core::stream::BoxStream;
use futures_util::StreamExt;
use serde_json::Value;
use tokio::sync::watch;

use super::entry::{self, Entry};
use super::{key, CacheKeyed, CacheStore};
use crate::chat_stream::ChatStream;
use crate::compose::{ChatModel, RunConfig};
use crate::error::Error;
use crate::event::StreamEvent;
use crate::messages::{IntoMessages, Message};

/// The most times a call waits for another identical call before it goes to the model on
/// its own (each wait ends when that call's stream ends, stored or not).
const MAX_WAITS: usize = 8;

/// A model whose replies are cached in a [`CacheStore`] (LangChain's `set_llm_cache`, per
/// model). Made by [`ChatModelExt::with_cache`](crate::compose::ChatModelExt::with_cache)
/// or [`WithCache::new`]; see [the module](super) for what is keyed, stored and replayed.
///
/// Clones share the store and the record of calls in flight, so identical concurrent calls
/// through any of them make one request. A waiting call waits for the first call's stream
/// to end (stored or not): a stream opened and held unread keeps identical calls waiting,
/// and dropping it lets them go (one of them then goes to the model).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use chat_anthropic::compose::cache::MemoryStore;
/// use chat_anthropic::compose::ChatModelExt;
/// use chat_anthropic::{ChatAnthropic, StreamUpdate};
/// use chat_anthropic_mock::{MockReply, MockServer};
/// use futures_util::StreamExt;
/// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
/// let server = MockServer::start().await;
/// server.enqueue(MockReply::text("Paris."));
/// let llm = ChatAnthropic::new("claude-sonnet-4-6")
///     .base_url(server.base_url())
///     .api_key("test");
/// let cached = llm.with_cache(MemoryStore::new(100));
/// let mut texts = Vec::new();
/// for _ in 0..2 {
///     let mut text = String::new();
///     let mut updates = cached.stream("Capital of France?").await?.updates();
///     while let Some(update) = updates.next().await {
///         if let StreamUpdate::Text { text: piece, .. } = update? {
///             text.push_str(&piece);
///         }
///     }
///     texts.push(text);
/// }
/// assert_eq!(texts, ["Paris.", "Paris."]);
/// assert_eq!(server.request_count(), 1);
/// # Ok(()) }
/// ```
pub struct WithCache<M, S> {
    inner: M,
    store: Arc<S>,
    namespace: String,
    in_flight: Arc<Mutex<HashMap<String, watch::Receiver<()>>>>,
}

impl<M: Clone, S> Clone for WithCache<M, S> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            store: self.store.clone(),
            namespace: self.namespace.clone(),
            in_flight: self.in_flight.clone(),
        }
    }
}

impl<M: fmt::Debug, S: CacheStore> fmt::Debug for WithCache<M, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WithCache")
            .field("inner", &self.inner)
            .field("store", &self.store.describe())
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

impl<M, S> WithCache<M, S> {
    /// `inner` with its replies cached in `store`.
    pub fn new(inner: M, store: S) -> Self {
        Self::shared(inner, Arc::new(store))
    }

    /// `inner` with its replies cached in a store shared with other models (entries are
    /// keyed by the whole request, the model's name included, so they never mix).
    pub fn shared(inner: M, store: Arc<S>) -> Self {
        Self {
            inner,
            store,
            namespace: String::new(),
            in_flight: Arc::default(),
        }
    }

    /// Keys entries within `namespace` too: models with different namespaces never share an
    /// entry (one per tenant, or per deployment whose replies must not mix). Empty by
    /// default.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// The wrapped model.
    pub fn inner(&self) -> &M {
        &self.inner
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }
}

impl<M: CacheKeyed, S> WithCache<M, S> {
    /// The key a call with `input` is stored under: 64 hex digits (SHA-256).
    ///
    /// ```
    /// use chat_anthropic::compose::cache::{MemoryStore, WithCache};
    /// use chat_anthropic::ChatAnthropic;
    /// let llm = ChatAnthropic::new("claude-sonnet-4-6").max_tokens(100);
    /// let one = WithCache::new(llm.clone().api_key("sk-one"), MemoryStore::new(10));
    /// let two = WithCache::new(llm.clone().api_key("sk-two"), MemoryStore::new(10));
    /// let warmer = WithCache::new(llm.temperature(0.7), MemoryStore::new(10));
    /// assert_eq!(one.cache_key("Hi")?, two.cache_key("Hi")?, "the API key is not part of it");
    /// assert_ne!(one.cache_key("Hi")?, warmer.cache_key("Hi")?);
    /// assert_ne!(one.cache_key("Hi")?, one.cache_key("Hello")?);
    /// # Ok::<(), chat_anthropic::Error>(())
    /// ```
    pub fn cache_key(&self, input: impl IntoMessages) -> Result<String, Error> {
        let messages = input.into_messages()?;
        self.key_of(&messages)
    }

    fn key_of(&self, messages: &[Message]) -> Result<String, Error> {
        let identity = self.inner.request_identity(messages)?;
        Ok(key::key(&self.namespace, &identity))
    }
}

impl<M, S> WithCache<M, S>
where
    M: ChatModel + CacheKeyed,
    S: CacheStore + 'static,
{
    /// The stored reply under `key`, when there is a whole one.
    async fn lookup(&self, key: &str) -> Option<Entry> {
        let bytes = match self.store.get(key).await {
            Ok(found) => found?,
            Err(error) => {
                tracing::warn!(%error, "cache lookup failed: a miss");
                return None;
            }
        };
        match entry::decode(key, &bytes) {
            Ok(entry) => Some(entry),
            Err(damage) => {
                tracing::warn!(
                    ?damage,
                    key,
                    "damaged cache entry: a miss (it will be replaced)"
                );
                None
            }
        }
    }

    /// Becomes the call that fetches `key`, or returns a receiver that says when the call
    /// fetching it ends.
    fn lead_or_follow(&self, key: &str) -> Result<Flight, watch::Receiver<()>> {
        let mut in_flight = self
            .in_flight
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(leader) = in_flight.get(key) {
            return Err(leader.clone());
        }
        let (done, waiting) = watch::channel(());
        in_flight.insert(key.to_owned(), waiting);
        Ok(Flight {
            in_flight: self.in_flight.clone(),
            key: key.to_owned(),
            _done: done,
        })
    }

    async fn stream_cached(
        &self,
        key: String,
        messages: Vec<Message>,
        run: &RunConfig,
    ) -> Result<ChatStream, Error> {
        let mut waits = 0;
        let flight = loop {
            if let Some(hit) = self.lookup(&key).await {
                return Ok(replay(hit));
            }
            match self.lead_or_follow(&key) {
                Ok(flight) => break Some(flight),
                Err(mut leader) if waits < MAX_WAITS => {
                    waits += 1;
                    // Ends when the leader's stream ends (its flight dropped), stored or not.
                    let _ = leader.changed().await;
                }
                Err(_) => break None,
            }
        };
        let live = self.inner.stream_run(messages, run).await?;
        let stream_usage = live.stream_usage();
        let rate_limits = live.rate_limits().cloned();
        let recorder = Recorder {
            events: live.into_events(),
            seen: Vec::new(),
            store: self.store.clone(),
            key,
            stream_usage,
            flight,
        };
        let mut stream =
            ChatStream::from_events(recorder.into_stream()).with_stream_usage(stream_usage);
        if let Some(rate_limits) = rate_limits {
            stream = stream.with_rate_limits(rate_limits);
        }
        Ok(stream)
    }
}

impl<M, S> ChatModel for WithCache<M, S>
where
    M: ChatModel + CacheKeyed,
    S: CacheStore + 'static,
{
    fn stream_run<'a>(
        &'a self,
        messages: Vec<Message>,
        run: &'a RunConfig,
    ) -> BoxFuture<'a, Result<ChatStream, Error>> {
        Box::pin(async move {
            match self.key_of(&messages) {
                Ok(key) => self.stream_cached(key, messages, run).await,
                // Not a request the model would send: it says why.
                Err(_) => self.inner.stream_run(messages, run).await,
            }
        })
    }

    fn name(&self) -> String {
        format!("cache({}, {})", self.inner.name(), self.store.describe())
    }
}

/// A call fetching a key: while it lives, identical calls wait; dropping it (the stream
/// ended, failed or was dropped) lets them go.
struct Flight {
    in_flight: Arc<Mutex<HashMap<String, watch::Receiver<()>>>>,
    key: String,
    /// Dropped last: the waiters see their channel close.
    _done: watch::Sender<()>,
}

impl Drop for Flight {
    fn drop(&mut self) {
        self.in_flight
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&self.key);
    }
}

/// A live stream's events, handed on as they come and kept; stored when `message_stop`
/// arrives (before it is handed on, so a call that waited finds the entry).
struct Recorder<S> {
    events: BoxStream<'static, Result<StreamEvent, Error>>,
    seen: Vec<StreamEvent>,
    store: Arc<S>,
    key: String,
    stream_usage: bool,
    flight: Option<Flight>,
}

impl<S: CacheStore + 'static> Recorder<S> {
    fn into_stream(self) -> BoxStream<'static, Result<StreamEvent, Error>> {
        Box::pin(futures_util::stream::unfold(
            self,
            |mut recorder| async move {
                let item = recorder.events.next().await?;
                match &item {
                    Ok(StreamEvent::MessageStop) => {
                        recorder.seen.push(StreamEvent::MessageStop);
                        recorder.store_seen().await;
                        recorder.flight = None;
                    }
                    Ok(event) => recorder.seen.push(event.clone()),
                    Err(_) => {
                        recorder.seen.clear();
                        recorder.flight = None;
                    }
                }
                Some((item, recorder))
            },
        ))
    }

    async fn store_seen(&mut self) {
        let entry = Entry {
            events: std::mem::take(&mut self.seen),
            stream_usage: self.stream_usage,
        };
        if !matches!(entry.events.first(), Some(StreamEvent::MessageStart(_))) {
            return;
        }
        let Some(bytes) = entry::encode(&self.key, &entry) else {
            return;
        };
        if let Err(error) = self.store.put(&self.key, bytes).await {
            tracing::warn!(%error, "could not store the reply in the cache");
        }
    }
}

/// A stored reply as a stream, its message marked as a cache hit.
fn replay(entry: Entry) -> ChatStream {
    let events = entry.events.into_iter().map(|mut event| {
        if let StreamEvent::MessageStart(start) = &mut event {
            start
                .message
                .extra
                .insert("cache_hit".into(), Value::Bool(true));
        }
        Ok(event)
    });
    ChatStream::from_events(futures_util::stream::iter(events))
        .with_stream_usage(entry.stream_usage)
}
