//! The in-memory conversation store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use futures_core::future::BoxFuture;

use super::{ChatHistoryStore, HistoryError};
use crate::messages::Message;

/// Conversations kept in memory, one per session id (LangChain's
/// `InMemoryChatMessageHistory`, keyed). Clones share the same conversations; they are gone
/// when the last clone is dropped.
///
/// Each call holds one lock for its whole work, so an append is atomic and appends for a
/// session (or any two sessions) never interleave.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use chat_anthropic::compose::history::{ChatHistoryStore, InMemoryHistory};
/// use chat_anthropic::HumanMessage;
/// let store = InMemoryHistory::new();
/// let shared = store.clone();
/// store.append("s1", &[HumanMessage::new("Hi").into()]).await?;
/// assert_eq!(shared.load("s1").await?[0].content().text(), "Hi");
/// assert_eq!(shared.sessions(), ["s1"]);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct InMemoryHistory {
    sessions: Arc<Mutex<HashMap<String, Vec<Message>>>>,
}

impl InMemoryHistory {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The ids of the sessions that hold messages, sorted.
    pub fn sessions(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .lock()
            .iter()
            .filter(|(_, messages)| !messages.is_empty())
            .map(|(id, _)| id.clone())
            .collect();
        ids.sort();
        ids
    }

    /// The map, even after a panic elsewhere while it was held (every change is a single
    /// push or removal, so it is never left half-done).
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Vec<Message>>> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl ChatHistoryStore for InMemoryHistory {
    fn load<'a>(&'a self, session: &'a str) -> BoxFuture<'a, Result<Vec<Message>, HistoryError>> {
        Box::pin(async move { Ok(self.lock().get(session).cloned().unwrap_or_default()) })
    }

    fn append<'a>(
        &'a self,
        session: &'a str,
        messages: &'a [Message],
    ) -> BoxFuture<'a, Result<(), HistoryError>> {
        Box::pin(async move {
            self.lock()
                .entry(session.to_owned())
                .or_default()
                .extend_from_slice(messages);
            Ok(())
        })
    }

    fn clear<'a>(&'a self, session: &'a str) -> BoxFuture<'a, Result<(), HistoryError>> {
        Box::pin(async move {
            self.lock().remove(session);
            Ok(())
        })
    }
}
