//! The in-memory store: bounded, least recently used entries evicted first.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::clock::StdInstant as Instant;

use futures_core::future::BoxFuture;
use lru::LruCache;

use super::{CacheError, CacheStore};

/// The entries by key: the bytes, and when they expire.
type Entries = LruCache<String, (Arc<[u8]>, Option<Instant>)>;

/// Cached replies in this process's memory (LangChain's `InMemoryCache`): at most
/// `capacity` entries, the least recently used evicted first, each expiring after the
/// [`ttl`](Self::ttl) when one is set. Clones share the entries.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::compose::cache::CacheError> {
/// use chat_anthropic::compose::cache::{CacheStore, MemoryStore};
/// let store = MemoryStore::new(2);
/// store.put("a", b"1".to_vec()).await?;
/// store.put("b", b"2".to_vec()).await?;
/// store.get("a").await?; // "a" is now the most recently used
/// store.put("c", b"3".to_vec()).await?;
/// assert_eq!(store.get("b").await?, None, "the least recently used went");
/// assert_eq!(store.get("a").await?, Some(b"1".to_vec()));
/// assert_eq!(store.len(), 2);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct MemoryStore {
    entries: Arc<Mutex<Entries>>,
    ttl: Option<Duration>,
}

impl MemoryStore {
    /// At most `capacity` entries (0 counts as 1), kept until evicted.
    pub fn new(capacity: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self {
            entries: Arc::new(Mutex::new(LruCache::new(capacity))),
            ttl: None,
        }
    }

    /// Entries stored from now on expire `ttl` after they were stored.
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }

    /// How many entries are held (expired ones included until read or evicted).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every entry.
    pub fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding the lock leaves a valid LRU: keep using it.
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl CacheStore for MemoryStore {
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Vec<u8>>, CacheError>> {
        let mut entries = self.lock();
        let found = match entries.get(key) {
            Some((_, Some(expires))) if *expires <= Instant::now() => {
                entries.pop(key);
                None
            }
            Some((bytes, _)) => Some(bytes.to_vec()),
            None => None,
        };
        Box::pin(std::future::ready(Ok(found)))
    }

    fn put<'a>(&'a self, key: &'a str, value: Vec<u8>) -> BoxFuture<'a, Result<(), CacheError>> {
        let expires = self.ttl.map(|ttl| Instant::now() + ttl);
        self.lock().put(key.to_owned(), (value.into(), expires));
        Box::pin(std::future::ready(Ok(())))
    }

    fn describe(&self) -> String {
        let entries = self.lock();
        format!("memory ({} of {} entries)", entries.len(), entries.cap())
    }
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}
