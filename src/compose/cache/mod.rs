//! A response cache (LangChain's `InMemoryCache`, `SQLiteCache`, `RedisCache`): a model
//! wrapper, [`WithCache`], that answers a request it has seen before from a [`CacheStore`],
//! replaying the recorded reply as a stream.
//!
//! - **The key** ([`WithCache::cache_key`]): a SHA-256 over the canonical JSON of the request body the
//!   model would send (messages, system, tools, `max_tokens`, `temperature`, `thinking`, …)
//!   and the settings that change the reply (platform, base URL, betas). Never the API key,
//!   credentials or headers: two keys share one entry.
//! - **A hit** is the recorded events, replayed through
//!   [`ChatStream::from_events`](crate::ChatStream::from_events): `stream()`, `text()`,
//!   `chunks()`, `updates()` and `invoke()` read as they did on the miss, and no request is
//!   made. The replayed message says where it came from: its
//!   [`response_metadata`](crate::messages::ResponseMetadata)`.extra["cache_hit"]` is `true`
//!   (absent on a reply from the API), and its `rate_limits` are `None`.
//! - **What is stored**: only a stream that ended with `message_stop`. A stream that fails,
//!   or that its reader drops early, stores nothing.
//! - **What is a miss**: no entry, an expired one, and any entry that does not decode (wrong
//!   format version, wrong checksum, another key's entry, no `message_stop`): never an error
//!   or a wrong reply. The next complete reply overwrites it. A store that fails (a locked
//!   file, a lost Redis connection) is a miss too, logged with `tracing`.
//! - **Concurrent identical requests** (in one process, through one `WithCache` or its
//!   clones): the first goes to the API, the others wait for its reply and replay it. If the
//!   first fails or is dropped, one of the waiters goes to the API in its place.
//!
//! The stores, behind the one [`CacheStore`] trait:
//!
//! | store | feature | for |
//! |---|---|---|
//! | [`MemoryStore`] | `cache` | one process; bounded (least recently used entries evicted), optional TTL |
//! | `SqliteStore` | `cache-sqlite` | the embedded default: one file, shared by the processes of a machine, survives restarts; optional TTL |
//! | `RedisStore` | `cache-redis` | many processes or machines; TTLs by Redis (`SET … EX`) |
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
//! use chat_anthropic::compose::cache::MemoryStore;
//! use chat_anthropic::compose::ChatModelExt;
//! use chat_anthropic::ChatAnthropic;
//! use chat_anthropic_mock::MockServer;
//! // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
//! let server = MockServer::start().await;
//! let llm = ChatAnthropic::new("claude-sonnet-4-6")
//!     .base_url(server.base_url())
//!     .api_key("test")
//!     .temperature(0.0);
//! let cached = llm.with_cache(MemoryStore::new(1000));
//! let first = cached.invoke("Hi").await?;
//! let second = cached.invoke("Hi").await?;
//! assert_eq!(second.text(), first.text());
//! assert_eq!(server.request_count(), 1, "the second answer came from the cache");
//! assert_eq!(second.response_metadata.extra["cache_hit"], true);
//! # Ok(()) }
//! ```

use std::fmt;
use std::time::Duration;

use futures_core::future::BoxFuture;

mod entry;
mod key;
mod memory;
#[cfg(feature = "cache-redis")]
mod redis;
#[cfg(feature = "cache-sqlite")]
mod sqlite;
mod wrapper;

pub use key::CacheKeyed;
pub use memory::MemoryStore;
#[cfg(feature = "cache-redis")]
pub use redis::RedisStore;
#[cfg(feature = "cache-sqlite")]
pub use sqlite::SqliteStore;
pub use wrapper::WithCache;

/// Where cached replies live: bytes by key. The entries' format (versioned, checksummed) is
/// [`WithCache`]'s business; a store only keeps bytes, and may lose or expire any of them.
///
/// Implement it for another backend (a key-value service, a shared disk): a `get` that
/// fails or returns damaged bytes is a miss, never an error for the caller.
pub trait CacheStore: Send + Sync {
    /// The bytes stored under `key`, `None` when there are none (or they expired).
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Vec<u8>>, CacheError>>;

    /// Stores `value` under `key`, replacing what was there; it expires after the store's
    /// TTL, where the store has one.
    fn put<'a>(&'a self, key: &'a str, value: Vec<u8>) -> BoxFuture<'a, Result<(), CacheError>>;

    /// A short description for logs (the store's kind and where it is).
    fn describe(&self) -> String;
}

impl<S: CacheStore + ?Sized> CacheStore for std::sync::Arc<S> {
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Vec<u8>>, CacheError>> {
        (**self).get(key)
    }

    fn put<'a>(&'a self, key: &'a str, value: Vec<u8>) -> BoxFuture<'a, Result<(), CacheError>> {
        (**self).put(key, value)
    }

    fn describe(&self) -> String {
        (**self).describe()
    }
}

/// A store that could not be opened or did not answer: the SQLite file, the Redis server.
/// Opening a store returns it; during calls it is logged and the call is a miss.
#[derive(Debug, thiserror::Error)]
#[error("{store} cache: {message}")]
pub struct CacheError {
    store: &'static str,
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl CacheError {
    /// An error of `store` (`"sqlite"`, `"redis"`, …), with its cause.
    pub fn new(
        store: &'static str,
        message: impl Into<String>,
        source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        Self {
            store,
            message: message.into(),
            source,
        }
    }

    /// Which store failed.
    pub fn store(&self) -> &'static str {
        self.store
    }
}

impl From<CacheError> for crate::Error {
    fn from(error: CacheError) -> Self {
        crate::Error::Area(Box::new(error))
    }
}

/// A TTL as whole seconds, at least one.
#[cfg_attr(
    not(any(feature = "cache-redis", feature = "cache-sqlite")),
    allow(dead_code)
)]
fn ttl_seconds(ttl: Duration) -> u64 {
    ttl.as_secs().max(1)
}

impl fmt::Debug for dyn CacheStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}
