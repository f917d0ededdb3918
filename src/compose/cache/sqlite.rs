//! The SQLite store: one file, the embedded default.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_core::future::BoxFuture;
use rusqlite::{params, Connection, OptionalExtension};

use super::{ttl_seconds, CacheError, CacheStore};

/// The table the entries live in.
const TABLE: &str = "chat_anthropic_cache";

/// How long a call waits for another process's write lock on the file.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Cached replies in a SQLite file (LangChain's `SQLiteCache`): they survive restarts, and
/// the processes of one machine share them (the file is in WAL mode; a writer waits up to
/// 5 s for another). SQLite is compiled in (feature `cache-sqlite`): no system library is
/// needed. Every call runs on tokio's blocking threads.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use chat_anthropic::compose::cache::{CacheStore, SqliteStore};
/// let dir = std::env::temp_dir().join(format!("sqlite-store-doc-{}", std::process::id()));
/// let path = dir.join("llm-cache.sqlite");
/// let store = SqliteStore::open(&path)?;
/// store.put("k", b"v".to_vec()).await?;
/// drop(store);
/// let reopened = SqliteStore::open(&path)?;
/// assert_eq!(reopened.get("k").await?, Some(b"v".to_vec()));
/// # std::fs::remove_dir_all(dir)?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct SqliteStore {
    connection: Arc<Mutex<Connection>>,
    path: PathBuf,
    ttl: Option<Duration>,
}

impl SqliteStore {
    /// Opens (or creates) the cache file at `path`, and its directory if missing.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, CacheError> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| error("could not create the directory", e))?;
        }
        let connection =
            Connection::open(&path).map_err(|e| error("could not open the file", e))?;
        connection
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| error("could not set the busy timeout", e))?;
        // WAL lets readers in other processes go on while one writes; a file system without
        // it (some network shares) keeps the default journal.
        let _ = connection.pragma_update(None, "journal_mode", "WAL");
        connection
            .execute_batch(&format!(
                "CREATE TABLE IF NOT EXISTS {TABLE} (
                    key TEXT PRIMARY KEY NOT NULL,
                    value BLOB NOT NULL,
                    stored_at INTEGER NOT NULL,
                    expires_at INTEGER
                )"
            ))
            .map_err(|e| error("could not create the table", e))?;
        Ok(Self {
            connection: Arc::new(Mutex::new(connection)),
            path,
            ttl: None,
        })
    }

    /// Entries stored from now on expire `ttl` after they were stored (whole seconds, at
    /// least one); expired entries are misses and are replaced by the next reply.
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `call` with the connection on a blocking thread.
    async fn with_connection<T: Send + 'static>(
        &self,
        call: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, CacheError> {
        let connection = self.connection.clone();
        tokio::task::spawn_blocking(move || {
            let connection = connection
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            call(&connection)
        })
        .await
        .map_err(|e| error("the blocking task failed", e))?
        .map_err(|e| error("query failed", e))
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn error(message: &str, cause: impl std::error::Error + Send + Sync + 'static) -> CacheError {
    CacheError::new("sqlite", message, Some(Box::new(cause)))
}

impl CacheStore for SqliteStore {
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Vec<u8>>, CacheError>> {
        let key = key.to_owned();
        Box::pin(self.with_connection(move |connection| {
            connection
                .query_row(
                    &format!(
                        "SELECT value FROM {TABLE} WHERE key = ?1 AND (expires_at IS NULL OR expires_at > ?2)"
                    ),
                    params![key, now()],
                    |row| row.get::<_, Vec<u8>>(0),
                )
                .optional()
        }))
    }

    fn put<'a>(&'a self, key: &'a str, value: Vec<u8>) -> BoxFuture<'a, Result<(), CacheError>> {
        let key = key.to_owned();
        let expires_at = self.ttl.map(|ttl| now() + ttl_seconds(ttl) as i64);
        Box::pin(self.with_connection(move |connection| {
            connection
                .execute(
                    &format!(
                        "INSERT OR REPLACE INTO {TABLE} (key, value, stored_at, expires_at) VALUES (?1, ?2, ?3, ?4)"
                    ),
                    params![key, value, now(), expires_at],
                )
                .map(drop)
        }))
    }

    fn describe(&self) -> String {
        format!("sqlite ({})", self.path.display())
    }
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}
