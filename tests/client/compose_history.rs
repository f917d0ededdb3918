//! Chat history over real HTTP against the mock: what each turn sends (read off the mock's
//! request log), what the store keeps (tool calls and results included), a failed or dropped
//! stream appending nothing, sessions kept apart, and SQLite read back by a fresh store.

use chat_anthropic::compose::history::{
    ChatHistoryStore, HistoryError, InMemoryHistory, WithHistory,
};
use chat_anthropic::compose::{ChatModelExt, RunConfig, TrimOptions};
use chat_anthropic::{
    AIMessage, ChatAnthropic, HumanMessage, Message, SystemMessage, ToolCall, ToolMessage,
};
use chat_anthropic_mock::{MockReply, MockScript, MockServer};
use futures_util::StreamExt;
use serde_json::{json, Value};

/// A model on `server` that does not re-send by itself (one reply is one request).
fn model(server: &MockServer) -> ChatAnthropic {
    ChatAnthropic::new("claude-sonnet-4-6")
        .max_retries(0)
        .base_url(server.base_url())
        .api_key("test")
}

/// The `messages` of the `n`th request to `/v1/messages`.
fn sent(server: &MockServer, n: usize) -> Vec<Value> {
    let requests: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v1/messages")
        .collect();
    requests[n].body["messages"].as_array().unwrap().clone()
}

/// A sent message's text: its content string, or its first block's text.
fn text_of(message: &Value) -> String {
    match &message["content"] {
        Value::String(text) => text.clone(),
        blocks => blocks[0]["text"].as_str().unwrap_or_default().to_owned(),
    }
}

fn roles(messages: &[Message]) -> Vec<&'static str> {
    messages.iter().map(Message::role).collect()
}

/// Three turns: a greeting, a question answered by a tool call, the tool's result answered
/// by text. Returns the server, for its request log.
async fn three_turns(chat: &WithHistory<ChatAnthropic>, server: &MockServer, run: &RunConfig) {
    server.enqueue(MockReply::text("Hello Ada."));
    server.enqueue(MockReply::script(
        MockScript::new().text("Let me look.").tool_use(
            "toolu_1",
            "get_weather",
            json!({"city": "Paris"}),
        ),
    ));
    server.enqueue(MockReply::text("It's 15°C and sunny in Paris."));

    // Turn 1, invoked, with a system message (sent, not stored).
    let first = chat
        .invoke_with(
            vec![
                Message::from(SystemMessage::new("Be brief.")),
                HumanMessage::new("I'm Ada.").into(),
            ],
            run,
        )
        .await
        .unwrap();
    assert_eq!(first.text(), "Hello Ada.");

    // Turn 2, streamed to the end: a tool call.
    let mut stream = chat
        .stream_with("Weather in Paris?", run)
        .await
        .unwrap()
        .text();
    let mut text = String::new();
    while let Some(piece) = stream.next().await {
        text.push_str(&piece.unwrap());
    }
    assert_eq!(text, "Let me look.");

    // Turn 3: the tool's result, as this turn's input.
    let answer = chat
        .invoke_with(ToolMessage::new("15°C, sunny", "toolu_1"), run)
        .await
        .unwrap();
    assert_eq!(answer.text(), "It's 15°C and sunny in Paris.");
}

#[tokio::test]
async fn three_turns_with_a_tool_round_trip_send_and_keep_the_whole_conversation() {
    let server = MockServer::start().await;
    let store = InMemoryHistory::new();
    let chat = model(&server).with_history(store.clone()).session("ada");
    three_turns(&chat, &server, &RunConfig::new()).await;

    // Turn 1 sent the new message alone, the system message top-level.
    let requests = server.requests();
    assert_eq!(requests[0].body["system"], "Be brief.");
    assert_eq!(sent(&server, 0).len(), 1);
    // Turn 2 carried turn 1.
    let second = sent(&server, 1);
    assert_eq!(second.len(), 3);
    assert_eq!(second[0]["content"], "I'm Ada.");
    assert_eq!(second[1]["role"], "assistant");
    assert_eq!(text_of(&second[1]), "Hello Ada.");
    assert_eq!(second[2]["content"], "Weather in Paris?");
    assert!(
        requests[1].body.get("system").is_none(),
        "the system message was not stored"
    );
    // Turn 3 carried turns 1 and 2, the tool call and its result in place.
    let third = sent(&server, 2);
    assert_eq!(third.len(), 5);
    let call = third[3]["content"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "tool_use")
        .expect("the stored reply's tool_use block");
    assert_eq!(call["id"], "toolu_1");
    assert_eq!(call["input"], json!({"city": "Paris"}));
    assert_eq!(third[4]["role"], "user");
    assert_eq!(third[4]["content"][0]["type"], "tool_result");
    assert_eq!(third[4]["content"][0]["tool_use_id"], "toolu_1");

    // The store: every turn and reply, system message left out.
    let kept = store.load("ada").await.unwrap();
    assert_eq!(roles(&kept), ["human", "ai", "human", "ai", "tool", "ai"]);
    let Message::Ai(with_call) = &kept[3] else {
        panic!("{:?}", kept[3])
    };
    assert_eq!(
        with_call.tool_calls,
        [ToolCall::new(
            "get_weather",
            json!({"city": "Paris"}),
            "toolu_1"
        )]
    );
    let Message::Tool(result) = &kept[4] else {
        panic!("{:?}", kept[4])
    };
    assert_eq!(result.tool_call_id, "toolu_1");
}

#[tokio::test]
async fn a_stream_cut_midway_or_dropped_appends_nothing() {
    let server = MockServer::start().await;
    let store = InMemoryHistory::new();
    let chat = model(&server).with_history(store.clone()).session("s");
    let long = "one two three four five six seven eight nine ten ".repeat(20);

    // Cut by the server after a few deltas.
    server.enqueue(
        MockReply::text(long.clone())
            .chunk_size(16)
            .drop_after_events(6),
    );
    let error = chat
        .stream("First try")
        .await
        .unwrap()
        .final_message()
        .await
        .expect_err("the connection was cut");
    assert!(
        !error.partial_message().unwrap().text().is_empty(),
        "content had arrived: {error}"
    );
    assert!(store.load("s").await.unwrap().is_empty());

    // Dropped by the reader after the first event.
    server.enqueue(MockReply::text(long).delay(std::time::Duration::from_millis(20)));
    let mut stream = chat.stream("Second try").await.unwrap();
    stream.next().await.unwrap().unwrap();
    drop(stream);
    assert!(store.load("s").await.unwrap().is_empty());

    // The next turn sends itself alone: no half turn was kept.
    server.enqueue(MockReply::text("Third time."));
    chat.invoke("Third try").await.unwrap();
    let third = sent(&server, 2);
    assert_eq!(third.len(), 1);
    assert_eq!(third[0]["content"], "Third try");
    assert_eq!(
        roles(&store.load("s").await.unwrap()),
        ["human", "ai"],
        "the complete turn is kept"
    );
}

#[tokio::test]
async fn two_sessions_are_kept_apart_and_the_call_session_wins_over_the_bound_one() {
    let server = MockServer::start().await;
    let store = InMemoryHistory::new();
    let chat = model(&server)
        .with_history(store.clone())
        .session("default");
    let alice = RunConfig::new().session_id("alice");
    let bob = RunConfig::new().session_id("bob");
    for reply in ["to alice 1", "to bob 1", "to alice 2", "to bob 2"] {
        server.enqueue(MockReply::text(reply));
    }
    chat.invoke_with("alice 1", &alice).await.unwrap();
    chat.invoke_with("bob 1", &bob).await.unwrap();
    chat.invoke_with("alice 2", &alice).await.unwrap();
    chat.invoke_with("bob 2", &bob).await.unwrap();

    let bob_second = sent(&server, 3);
    let texts: Vec<String> = bob_second.iter().map(text_of).collect();
    assert_eq!(texts, ["bob 1", "to bob 1", "bob 2"]);
    assert_eq!(store.sessions(), ["alice", "bob"], "nothing in `default`");
    assert_eq!(store.load("alice").await.unwrap().len(), 4);
}

#[tokio::test]
async fn a_call_with_no_session_is_a_typed_error_and_sends_nothing() {
    let server = MockServer::start().await;
    let chat = model(&server).with_history(InMemoryHistory::new());
    let error = chat.invoke("Hi").await.unwrap_err();
    assert!(
        matches!(error.area::<HistoryError>(), Some(HistoryError::NoSession)),
        "{error:?}"
    );
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn concurrent_turns_of_one_session_are_each_appended_whole() {
    let server = MockServer::start().await;
    server.set_responder(|request| {
        let prompt = request.body["messages"]
            .as_array()
            .and_then(|m| m.last())
            .and_then(|m| m["content"].as_str())
            .unwrap_or_default()
            .to_owned();
        MockReply::text(format!("re: {prompt}")).chunk_size(3)
    });
    let store = InMemoryHistory::new();
    let chat = model(&server).with_history(store.clone()).session("busy");
    let calls = (0..8).map(|i| chat.invoke(format!("q{i}")));
    for reply in futures_util::future::join_all(calls).await {
        reply.unwrap();
    }
    let kept = store.load("busy").await.unwrap();
    assert_eq!(kept.len(), 16);
    for pair in kept.chunks(2) {
        let question = pair[0].content().text();
        assert_eq!(pair[0].role(), "human");
        assert_eq!(pair[1].text_of_reply(), format!("re: {question}"));
    }
}

/// The reply's text, for an AI message.
trait ReplyText {
    fn text_of_reply(&self) -> String;
}

impl ReplyText for Message {
    fn text_of_reply(&self) -> String {
        match self {
            Message::Ai(ai) => ai.text(),
            other => panic!("not a reply: {other:?}"),
        }
    }
}

#[tokio::test]
async fn history_and_trimming_compose_the_store_keeps_all_the_request_the_recent_part() {
    let server = MockServer::start().await;
    let store = InMemoryHistory::new();
    let chat = model(&server)
        .with_trimming(TrimOptions::new(40))
        .with_history(store.clone())
        .session("long");
    for i in 0..6 {
        server.enqueue(MockReply::text(format!(
            "Answer number {i}, with some words to count."
        )));
        chat.invoke(format!("Question number {i}, with some words."))
            .await
            .unwrap();
    }
    assert_eq!(store.load("long").await.unwrap().len(), 12);
    let last = sent(&server, 5);
    assert!(last.len() < 11, "trimmed: {} messages", last.len());
    assert_eq!(last[0]["role"], "user");
    assert_eq!(
        last.last().unwrap()["content"],
        "Question number 5, with some words."
    );
}

#[tokio::test]
async fn messages_round_trip_through_json_with_tool_calls_and_results() {
    let mut call = AIMessage::new("");
    call.tool_calls.push(ToolCall::new(
        "f",
        json!({"a": [1, 2], "b": null}),
        "toolu_9",
    ));
    let conversation: Vec<Message> = vec![
        SystemMessage::new("s").into(),
        HumanMessage::new("h").into(),
        call.into(),
        ToolMessage::error("failed", "toolu_9").into(),
    ];
    let json = serde_json::to_string(&conversation).unwrap();
    let back: Vec<Message> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, conversation);
}

#[cfg(feature = "history-sqlite")]
mod sqlite {
    use super::*;
    use chat_anthropic::compose::history::SqliteHistory;

    /// A database file of this test's own, removed when dropped.
    struct TempDb(std::path::PathBuf);

    impl TempDb {
        fn new(name: &str) -> Self {
            let path = std::env::temp_dir().join(format!(
                "chat-anthropic-history-{name}-{}-{}.db",
                std::process::id(),
                fastrand_suffix()
            ));
            let _ = std::fs::remove_file(&path);
            Self(path)
        }
    }

    impl Drop for TempDb {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    fn fastrand_suffix() -> u128 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    }

    #[tokio::test]
    async fn sqlite_history_is_read_back_by_a_fresh_store_on_the_same_file() {
        let db = TempDb::new("fresh");
        let server = MockServer::start().await;
        let first_store = SqliteHistory::open(&db.0).unwrap();
        let chat = model(&server)
            .with_history(first_store.clone())
            .session("ada");
        three_turns(&chat, &server, &RunConfig::new()).await;
        let written = first_store.load("ada").await.unwrap();
        drop((chat, first_store));

        let fresh = SqliteHistory::open(&db.0).unwrap();
        let read = fresh.load("ada").await.unwrap();
        assert_eq!(roles(&read), ["human", "ai", "human", "ai", "tool", "ai"]);
        assert_eq!(read, written, "messages round-trip through the file");

        // A fourth turn through the fresh store carries all six.
        server.enqueue(MockReply::text("You're welcome."));
        let chat = model(&server).with_history(fresh.clone()).session("ada");
        chat.invoke("Thanks!").await.unwrap();
        assert_eq!(sent(&server, 3).len(), 7);
        assert_eq!(fresh.load("ada").await.unwrap().len(), 8);
        assert!(fresh.load("someone else").await.unwrap().is_empty());
        fresh.clear("ada").await.unwrap();
        assert!(SqliteHistory::open(&db.0)
            .unwrap()
            .load("ada")
            .await
            .unwrap()
            .is_empty());
    }

    #[tokio::test]
    async fn sqlite_appends_concurrent_turns_of_one_session_whole() {
        let db = TempDb::new("busy");
        let server = MockServer::start().await;
        server.set_responder(|request| {
            let prompt = request.body["messages"]
                .as_array()
                .and_then(|m| m.last())
                .and_then(|m| m["content"].as_str())
                .unwrap_or_default()
                .to_owned();
            MockReply::text(format!("re: {prompt}")).chunk_size(3)
        });
        let store = SqliteHistory::open(&db.0).unwrap();
        let chat = model(&server).with_history(store.clone()).session("busy");
        let calls = (0..8).map(|i| chat.invoke(format!("q{i}")));
        for reply in futures_util::future::join_all(calls).await {
            reply.unwrap();
        }
        let kept = SqliteHistory::open(&db.0)
            .unwrap()
            .load("busy")
            .await
            .unwrap();
        assert_eq!(kept.len(), 16);
        for pair in kept.chunks(2) {
            let question = pair[0].content().text();
            assert_eq!(pair[1].text_of_reply(), format!("re: {question}"));
        }
    }

    #[tokio::test]
    async fn sqlite_keeps_sessions_apart_and_a_cut_stream_appends_nothing() {
        let db = TempDb::new("apart");
        let server = MockServer::start().await;
        let store = SqliteHistory::open(&db.0).unwrap();
        let chat = model(&server).with_history(store.clone());
        server.enqueue(MockReply::text("to alice"));
        server.enqueue(
            MockReply::text("to bob, cut ".repeat(30))
                .chunk_size(16)
                .drop_after_events(6),
        );
        chat.invoke_with("alice", &RunConfig::new().session_id("alice"))
            .await
            .unwrap();
        chat.invoke_with("bob", &RunConfig::new().session_id("bob"))
            .await
            .unwrap_err();
        assert_eq!(store.load("alice").await.unwrap().len(), 2);
        assert!(store.load("bob").await.unwrap().is_empty());
    }
}

/// A store of the user's own whose appends fail (a database gone read-only).
struct ReadOnly(InMemoryHistory);

impl ChatHistoryStore for ReadOnly {
    fn load<'a>(
        &'a self,
        session: &'a str,
    ) -> futures_core::future::BoxFuture<'a, Result<Vec<Message>, HistoryError>> {
        self.0.load(session)
    }

    fn append<'a>(
        &'a self,
        _session: &'a str,
        _messages: &'a [Message],
    ) -> futures_core::future::BoxFuture<'a, Result<(), HistoryError>> {
        Box::pin(async { Err(HistoryError::store("the database is read-only")) })
    }

    fn clear<'a>(
        &'a self,
        session: &'a str,
    ) -> futures_core::future::BoxFuture<'a, Result<(), HistoryError>> {
        self.0.clear(session)
    }
}

#[tokio::test]
async fn a_failed_append_ends_the_stream_with_the_store_error_and_the_reply() {
    let server = MockServer::start().await;
    let chat = model(&server)
        .with_history(ReadOnly(InMemoryHistory::new()))
        .session("s");
    server.enqueue(MockReply::text("Stored nowhere."));
    let error = chat.invoke("Hi").await.unwrap_err();
    assert!(
        matches!(error.area::<HistoryError>(), Some(HistoryError::Store(_))),
        "{error:?}"
    );
    assert_eq!(
        error.partial_message().unwrap().text(),
        "Stored nowhere.",
        "the reply is not lost"
    );
}
