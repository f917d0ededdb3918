//! The model wrapper that keeps a conversation per session.

use std::fmt;
use std::sync::Arc;

use futures_core::future::BoxFuture;
use futures_core::stream::BoxStream;
use futures_util::StreamExt;

use super::{ChatHistoryStore, HistoryError};
use crate::aggregate::MessageAggregator;
use crate::chat_stream::ChatStream;
use crate::compose::{ChatModel, RunConfig};
use crate::error::Error;
use crate::event::StreamEvent;
use crate::messages::Message;

/// A model that remembers: each call continues a session's conversation from a
/// [`ChatHistoryStore`] (LangChain's `RunnableWithMessageHistory`). Made by
/// [`ChatModelExt::with_history`](crate::compose::ChatModelExt::with_history).
///
/// A call
/// 1. finds its session: the call's [`RunConfig::session_id`] if set, else the session bound
///    with [`session`](Self::session) (neither: [`HistoryError::NoSession`]);
/// 2. sends the new turn's system messages first, then the stored conversation, then the new
///    turn's other messages (a human turn, or the [`ToolMessage`](crate::ToolMessage)s
///    answering the last reply's tool calls);
/// 3. once the reply's stream reaches `message_stop`, appends the new turn (system messages
///    left out: they are the caller's to send each time) and the reply, tool calls included,
///    in one [`append`](ChatHistoryStore::append), before the stream hands out its last
///    event. `invoke` is that stream read to the end.
///
/// A stream that fails or is dropped before `message_stop` appends nothing, so the stored
/// conversation stays one the API accepts (no human turn without its reply). If the append
/// itself fails, the stream ends with that error (an [`Error::Stream`] with the reply as its
/// partial message; [`Error::area`] reads the [`HistoryError`]).
///
/// Two calls of one session in flight at once each send the conversation as it was when
/// they started, and each turn is appended whole (never interleaved with the other).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), chat_anthropic::Error> {
/// use chat_anthropic::compose::history::InMemoryHistory;
/// use chat_anthropic::compose::{ChatModelExt, RunConfig};
/// use chat_anthropic::ChatAnthropic;
/// use chat_anthropic_mock::{MockReply, MockServer};
/// // A local mock of the API; against the real one, drop base_url/api_key and set ANTHROPIC_API_KEY.
/// let server = MockServer::start().await;
/// server.enqueue(MockReply::text("Nice to meet you, Ada."));
/// server.enqueue(MockReply::text("Your name is Ada."));
/// let llm = ChatAnthropic::new("claude-sonnet-4-6")
///     .base_url(server.base_url())
///     .api_key("test");
/// let chat = llm.with_history(InMemoryHistory::new());
/// let alice = RunConfig::new().session_id("alice");
/// chat.invoke_with("I'm Ada.", &alice).await?;
/// let reply = chat.invoke_with("What's my name?", &alice).await?;
/// assert_eq!(reply.text(), "Your name is Ada.");
/// // The second request carried the first turn.
/// let sent = &server.requests()[1].body["messages"];
/// assert_eq!(sent.as_array().unwrap().len(), 3);
/// assert_eq!(sent[0]["content"], "I'm Ada.");
/// assert_eq!(sent[1]["role"], "assistant");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct WithHistory<M> {
    inner: M,
    store: Arc<dyn ChatHistoryStore>,
    session: Option<String>,
}

impl<M> WithHistory<M> {
    /// `inner`, keeping its conversations in `store`.
    pub fn new(inner: M, store: impl ChatHistoryStore + 'static) -> Self {
        Self::with_shared_store(inner, Arc::new(store))
    }

    /// `inner`, keeping its conversations in a store shared with others.
    pub fn with_shared_store(inner: M, store: Arc<dyn ChatHistoryStore>) -> Self {
        Self {
            inner,
            store,
            session: None,
        }
    }

    /// Binds a session: the one used by calls whose [`RunConfig`] names none. Cheap to
    /// clone, so a server can make one per user: `chat.clone().session(user_id)`.
    pub fn session(mut self, session: impl Into<String>) -> Self {
        self.session = Some(session.into());
        self
    }

    /// The bound session.
    pub fn bound_session(&self) -> Option<&str> {
        self.session.as_deref()
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn ChatHistoryStore> {
        &self.store
    }

    /// The wrapped model.
    pub fn inner(&self) -> &M {
        &self.inner
    }

    /// The call's session: its own, else the bound one.
    fn session_for(&self, run: &RunConfig) -> Result<String, HistoryError> {
        run.session()
            .or(self.session.as_deref())
            .map(str::to_owned)
            .ok_or(HistoryError::NoSession)
    }
}

impl<M: fmt::Debug> fmt::Debug for WithHistory<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WithHistory")
            .field("inner", &self.inner)
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

impl<M: ChatModel> ChatModel for WithHistory<M> {
    fn stream_run<'a>(
        &'a self,
        messages: Vec<Message>,
        run: &'a RunConfig,
    ) -> BoxFuture<'a, Result<ChatStream, Error>> {
        Box::pin(async move {
            let session = self.session_for(run)?;
            let history = self.store.load(&session).await?;
            let (mut sent, turn): (Vec<Message>, Vec<Message>) = messages
                .into_iter()
                .partition(|message| matches!(message, Message::System(_)));
            sent.reserve(history.len() + turn.len());
            sent.extend(history);
            sent.extend(turn.iter().cloned());

            let inner = self.inner.stream_run(sent, run).await?;
            let rate_limits = inner.rate_limits().cloned();
            let stream_usage = inner.stream_usage();
            let recording = Recording {
                events: inner.into_events(),
                aggregator: Some(MessageAggregator::new()),
                store: Arc::clone(&self.store),
                session,
                turn,
                ended: false,
            };
            let mut stream =
                ChatStream::from_events(recording.into_stream()).with_stream_usage(stream_usage);
            if let Some(rate_limits) = rate_limits {
                stream = stream.with_rate_limits(rate_limits);
            }
            Ok(stream)
        })
    }

    fn name(&self) -> String {
        format!("history({})", self.inner.name())
    }
}

/// A reply's events on their way to the caller, folded here too so that the turn can be
/// appended when `message_stop` passes.
struct Recording {
    events: BoxStream<'static, Result<StreamEvent, Error>>,
    /// `None` once the turn was appended, or the fold failed (the caller's stream reports
    /// that failure; nothing is appended).
    aggregator: Option<MessageAggregator>,
    store: Arc<dyn ChatHistoryStore>,
    session: String,
    /// The new turn's messages, system messages left out.
    turn: Vec<Message>,
    /// After an append failure was handed out.
    ended: bool,
}

impl Recording {
    fn into_stream(self) -> impl futures_core::Stream<Item = Result<StreamEvent, Error>> + Send {
        futures_util::stream::unfold(self, |mut this| async move {
            if this.ended {
                return None;
            }
            let event = match this.events.next().await? {
                Ok(event) => event,
                Err(error) => return Some((Err(error), this)),
            };
            if let Err(error) = this.record(&event).await {
                this.ended = true;
                return Some((Err(error.into()), this));
            }
            Some((Ok(event), this))
        })
    }

    /// Folds `event`; at `message_stop`, appends the turn and the reply.
    async fn record(&mut self, event: &StreamEvent) -> Result<(), HistoryError> {
        let Some(aggregator) = self.aggregator.as_mut() else {
            return Ok(());
        };
        if aggregator.apply(event).is_err() {
            self.aggregator = None;
            return Ok(());
        }
        if !aggregator.is_complete() {
            return Ok(());
        }
        let Some(Ok(reply)) = self.aggregator.take().map(MessageAggregator::finish) else {
            return Ok(());
        };
        let mut turn = std::mem::take(&mut self.turn);
        turn.push(Message::Ai(reply));
        self.store.append(&self.session, &turn).await
    }
}
