//! Chat history: a conversation store per session, and the wrapper that loads it before a
//! turn and appends the turn once its reply has streamed to the end (LangChain's
//! `BaseChatMessageHistory` and `RunnableWithMessageHistory`).
//!
//! - [`ChatHistoryStore`]: the store, keyed by session id: [`load`](ChatHistoryStore::load),
//!   [`append`](ChatHistoryStore::append), [`clear`](ChatHistoryStore::clear). Implement it
//!   for your own database; two come with the crate: [`InMemoryHistory`] and, with the
//!   `history-sqlite` feature, [`SqliteHistory`].
//! - [`WithHistory`]: any [`ChatModel`](super::ChatModel) with a store, made by
//!   [`ChatModelExt::with_history`](super::ChatModelExt::with_history).
//!
//! Messages are stored as they serialize with serde (`{"type": "human", …}`, the AI
//! message with its content blocks, tool calls and metadata, the tool results with their
//! call ids), so a stored conversation reads back equal to what was sent and received.

mod memory;
#[cfg(feature = "history-sqlite")]
mod sqlite;
mod wrapper;

use futures_core::future::BoxFuture;

pub use memory::InMemoryHistory;
#[cfg(feature = "history-sqlite")]
pub use sqlite::SqliteHistory;
pub use wrapper::WithHistory;

use crate::messages::Message;

/// Where conversations are kept, one per session id.
///
/// [`append`](Self::append) adds a whole turn at once: a store must keep the messages of one
/// call together and in order (the human turn, the reply with its tool calls, …), and calls
/// for one session must not interleave (each built-in store serializes them behind a lock or a
/// transaction). The trait is object-safe: [`WithHistory`] holds an
/// `Arc<dyn ChatHistoryStore>`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use chat_anthropic::compose::history::{ChatHistoryStore, InMemoryHistory};
/// use chat_anthropic::{AIMessage, HumanMessage, Message};
/// let store = InMemoryHistory::new();
/// store
///     .append("alice", &[HumanMessage::new("Hi").into(), AIMessage::new("Hello!").into()])
///     .await?;
/// assert_eq!(store.load("alice").await?.len(), 2);
/// assert!(store.load("bob").await?.is_empty(), "sessions are kept apart");
/// store.clear("alice").await?;
/// assert!(store.load("alice").await?.is_empty());
/// # Ok(()) }
/// ```
pub trait ChatHistoryStore: Send + Sync {
    /// The session's messages, oldest first (empty for a session never seen).
    fn load<'a>(&'a self, session: &'a str) -> BoxFuture<'a, Result<Vec<Message>, HistoryError>>;

    /// Adds `messages` at the end of the session's conversation, all together.
    fn append<'a>(
        &'a self,
        session: &'a str,
        messages: &'a [Message],
    ) -> BoxFuture<'a, Result<(), HistoryError>>;

    /// Forgets the session's conversation.
    fn clear<'a>(&'a self, session: &'a str) -> BoxFuture<'a, Result<(), HistoryError>>;
}

/// Why a conversation could not be loaded or stored. Reaches the caller as
/// [`Error::Area`](crate::Error::Area); read it back with
/// [`Error::area`](crate::Error::area).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HistoryError {
    /// A call of a [`WithHistory`] with no session: neither a session bound on the wrapper
    /// ([`WithHistory::session`]) nor one in the call's
    /// [`RunConfig::session_id`](super::RunConfig::session_id).
    #[error("no session id: bind one with WithHistory::session or pass RunConfig::session_id")]
    NoSession,
    /// A stored message could not be written or read back as JSON.
    #[error("history message (de)serialization failed: {0}")]
    Serde(#[from] serde_json::Error),
    /// The store itself failed (the database, the file, the connection).
    #[error("history store failed: {0}")]
    Store(Box<dyn std::error::Error + Send + Sync + 'static>),
}

impl HistoryError {
    /// A store's own failure.
    pub fn store(error: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> Self {
        Self::Store(error.into())
    }
}

impl From<HistoryError> for crate::error::Error {
    fn from(err: HistoryError) -> Self {
        Self::Area(Box::new(err))
    }
}
