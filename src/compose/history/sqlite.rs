//! The SQLite conversation store (feature `history-sqlite`).

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use futures_core::future::BoxFuture;
use rusqlite::{params, Connection};

use super::{ChatHistoryStore, HistoryError};
use crate::messages::Message;

/// The table, created when missing: one row per message, in order within its session.
const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS chat_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chat_history_session ON chat_history (session_id, id);";

/// Conversations in a SQLite database (LangChain's `SQLChatMessageHistory`): a table
/// `chat_history (id, session_id, message)`, each message a row of JSON as it serializes
/// with serde, read back in insertion order.
///
/// Each call runs on tokio's blocking pool (`spawn_blocking`) over one connection behind a
/// lock; an append is one transaction, so a turn is stored whole or not at all and appends
/// never interleave. Another process may use the same file (SQLite locks it); a fresh
/// store on the file reads what an earlier one wrote.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use chat_anthropic::compose::history::{ChatHistoryStore, SqliteHistory};
/// use chat_anthropic::{AIMessage, HumanMessage};
/// let path = std::env::temp_dir().join(format!("chat-history-doc-{}.db", std::process::id()));
/// # let _ = std::fs::remove_file(&path);
/// let store = SqliteHistory::open(&path)?;
/// store.append("s1", &[HumanMessage::new("Hi").into(), AIMessage::new("Hello").into()]).await?;
/// drop(store);
/// let reopened = SqliteHistory::open(&path)?;
/// assert_eq!(reopened.load("s1").await?[1].content().text(), "Hello");
/// # std::fs::remove_file(&path)?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct SqliteHistory {
    connection: Arc<Mutex<Connection>>,
}

impl SqliteHistory {
    /// Opens (or creates) the database file at `path` and its table.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, HistoryError> {
        Self::from_connection(Connection::open(path).map_err(HistoryError::store)?)
    }

    /// A database in memory, gone with the store (for tests).
    pub fn open_in_memory() -> Result<Self, HistoryError> {
        Self::from_connection(Connection::open_in_memory().map_err(HistoryError::store)?)
    }

    /// A store over an open connection; creates the table when missing.
    pub fn from_connection(connection: Connection) -> Result<Self, HistoryError> {
        connection
            .execute_batch(SCHEMA)
            .map_err(HistoryError::store)?;
        Ok(Self {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Runs `work` on the connection, on the blocking pool.
    async fn with_connection<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, HistoryError> + Send + 'static,
    ) -> Result<T, HistoryError> {
        let connection = Arc::clone(&self.connection);
        tokio::task::spawn_blocking(move || {
            let mut connection = connection.lock().unwrap_or_else(PoisonError::into_inner);
            work(&mut connection)
        })
        .await
        .map_err(HistoryError::store)?
    }
}

impl ChatHistoryStore for SqliteHistory {
    fn load<'a>(&'a self, session: &'a str) -> BoxFuture<'a, Result<Vec<Message>, HistoryError>> {
        let session = session.to_owned();
        Box::pin(self.with_connection(move |connection| {
            let mut query = connection
                .prepare_cached(
                    "SELECT message FROM chat_history WHERE session_id = ?1 ORDER BY id",
                )
                .map_err(HistoryError::store)?;
            let rows = query
                .query_map(params![session], |row| row.get::<_, String>(0))
                .map_err(HistoryError::store)?;
            let mut messages = Vec::new();
            for row in rows {
                let json = row.map_err(HistoryError::store)?;
                messages.push(serde_json::from_str(&json)?);
            }
            Ok(messages)
        }))
    }

    fn append<'a>(
        &'a self,
        session: &'a str,
        messages: &'a [Message],
    ) -> BoxFuture<'a, Result<(), HistoryError>> {
        let session = session.to_owned();
        let rows: Result<Vec<String>, serde_json::Error> =
            messages.iter().map(serde_json::to_string).collect();
        Box::pin(async move {
            let rows = rows?;
            self.with_connection(move |connection| {
                let transaction = connection.transaction().map_err(HistoryError::store)?;
                {
                    let mut insert = transaction
                        .prepare_cached(
                            "INSERT INTO chat_history (session_id, message) VALUES (?1, ?2)",
                        )
                        .map_err(HistoryError::store)?;
                    for row in &rows {
                        insert
                            .execute(params![session, row])
                            .map_err(HistoryError::store)?;
                    }
                }
                transaction.commit().map_err(HistoryError::store)
            })
            .await
        })
    }

    fn clear<'a>(&'a self, session: &'a str) -> BoxFuture<'a, Result<(), HistoryError>> {
        let session = session.to_owned();
        Box::pin(self.with_connection(move |connection| {
            connection
                .execute(
                    "DELETE FROM chat_history WHERE session_id = ?1",
                    params![session],
                )
                .map(drop)
                .map_err(HistoryError::store)
        }))
    }
}
