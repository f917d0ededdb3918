//! The Redis store: many processes or machines, TTLs kept by Redis.

use std::time::Duration;

use futures_core::future::BoxFuture;
use redis::aio::MultiplexedConnection;

use super::{ttl_seconds, CacheError, CacheStore};

/// What every key is prefixed with, so the cache's keys are told apart in a shared Redis.
const DEFAULT_PREFIX: &str = "chat-anthropic:cache:";

/// Cached replies in Redis (LangChain's `RedisCache`): shared by every process and machine
/// that reaches the server, each entry expiring after the [`ttl`](Self::ttl) (`SET … EX`)
/// when one is set. One multiplexed connection, shared by clones.
///
/// ```no_run
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use std::time::Duration;
/// use chat_anthropic::compose::cache::RedisStore;
/// use chat_anthropic::compose::ChatModelExt;
/// use chat_anthropic::ChatAnthropic;
/// let store = RedisStore::connect("redis://127.0.0.1:6379/").await?.ttl(Duration::from_secs(3600));
/// let cached = ChatAnthropic::new("claude-sonnet-4-6").with_cache(store);
/// let reply = cached.invoke("Hi").await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    connection: MultiplexedConnection,
    prefix: String,
    ttl: Option<Duration>,
    url: String,
}

impl RedisStore {
    /// Connects to the server at `url` (`redis://host:port/db`, `rediss://` with TLS where
    /// the `redis` crate has it). The password in the URL, if any, is never logged.
    pub async fn connect(url: &str) -> Result<Self, CacheError> {
        let client = redis::Client::open(url).map_err(|e| error("invalid URL", e))?;
        let connection = client
            .get_multiplexed_async_connection()
            .await
            .map_err(|e| error("could not connect", e))?;
        let info = client.get_connection_info();
        Ok(Self {
            connection,
            prefix: DEFAULT_PREFIX.to_owned(),
            ttl: None,
            url: format!("{}", info.addr()),
        })
    }

    /// Entries stored from now on expire after `ttl` (whole seconds, at least one).
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }

    /// Prefixes every key with `prefix` instead of `chat-anthropic:cache:`.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The Redis key an entry's key is stored under.
    pub fn redis_key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

fn error(message: &str, cause: redis::RedisError) -> CacheError {
    CacheError::new("redis", message, Some(Box::new(cause)))
}

impl CacheStore for RedisStore {
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Vec<u8>>, CacheError>> {
        let mut connection = self.connection.clone();
        let key = self.redis_key(key);
        Box::pin(async move {
            redis::cmd("GET")
                .arg(key)
                .query_async::<Option<Vec<u8>>>(&mut connection)
                .await
                .map_err(|e| error("GET failed", e))
        })
    }

    fn put<'a>(&'a self, key: &'a str, value: Vec<u8>) -> BoxFuture<'a, Result<(), CacheError>> {
        let mut connection = self.connection.clone();
        let mut command = redis::cmd("SET");
        command.arg(self.redis_key(key)).arg(value);
        if let Some(ttl) = self.ttl {
            command.arg("EX").arg(ttl_seconds(ttl));
        }
        Box::pin(async move {
            command
                .query_async::<()>(&mut connection)
                .await
                .map_err(|e| error("SET failed", e))
        })
    }

    fn describe(&self) -> String {
        format!("redis ({})", self.url)
    }
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}
