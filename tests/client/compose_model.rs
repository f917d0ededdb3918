//! The `ChatModel` trait as a wrapper author sees it: a wrapper that keeps a reply's events
//! and hands them out again with `ChatStream::from_events` (what a response cache will do)
//! gives the same `updates()`, chunks and `invoke()` result as the live stream; models of
//! different types in one list.

use std::sync::{Arc, Mutex};

use chat_anthropic::compose::{ChatModel, ChatModelExt, RunConfig};
use chat_anthropic::{
    AIMessage, AIMessageChunk, ChatAnthropic, ChatStream, Error, Message, StreamEvent, StreamUpdate,
};
use chat_anthropic_mock::{MockReply, MockScript, MockServer};
use futures_core::future::BoxFuture;
use futures_util::StreamExt;
use serde_json::json;

/// Keeps the events of the first reply, then replays them for every call (a one-entry
/// cache, in memory; the events serialize, so a store on disk works the same way).
struct ReplayAfterFirst<M> {
    inner: M,
    kept: Arc<Mutex<Option<Vec<StreamEvent>>>>,
}

impl<M: ChatModel> ChatModel for ReplayAfterFirst<M> {
    fn stream_run<'a>(
        &'a self,
        messages: Vec<Message>,
        run: &'a RunConfig,
    ) -> BoxFuture<'a, Result<ChatStream, Error>> {
        Box::pin(async move {
            if let Some(events) = self.kept.lock().unwrap().clone() {
                let replay = futures_util::stream::iter(events.into_iter().map(Ok));
                return Ok(ChatStream::from_events(replay));
            }
            let live = self.inner.stream_run(messages, run).await?;
            let kept = self.kept.clone();
            let mut seen = Vec::new();
            let teed = live.inspect(move |event| match event {
                Ok(event) => {
                    seen.push(event.clone());
                    if matches!(event, StreamEvent::MessageStop) {
                        *kept.lock().unwrap() = Some(std::mem::take(&mut seen));
                    }
                }
                Err(_) => seen.clear(),
            });
            Ok(ChatStream::from_events(teed))
        })
    }

    fn name(&self) -> String {
        format!("replay({})", self.inner.name())
    }
}

fn reply_with_a_tool_call() -> MockReply {
    MockReply::script(MockScript::new().text("Writing it.").tool_use(
        "toolu_1",
        "write_file",
        json!({"path": "a.txt", "content": "one two three"}),
    ))
}

#[tokio::test]
async fn a_replayed_stream_reads_like_the_live_one() {
    let server = MockServer::start().await;
    server.enqueue(reply_with_a_tool_call());
    let llm = ReplayAfterFirst {
        inner: ChatAnthropic::new("claude-sonnet-4-6")
            .base_url(server.base_url())
            .api_key("test"),
        kept: Arc::default(),
    };

    let live: Vec<StreamUpdate> = llm
        .stream("Write a.txt")
        .await
        .unwrap()
        .updates()
        .map(Result::unwrap)
        .collect()
        .await;
    let replayed: Vec<StreamUpdate> = llm
        .stream("Write a.txt")
        .await
        .unwrap()
        .updates()
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(replayed, live);
    assert!(live.iter().any(
        |u| matches!(u, StreamUpdate::ToolArgDelta { pointer, .. } if pointer.as_ref() == "/content")
    ));

    let mut sum = AIMessageChunk::default();
    let mut chunks = llm.stream("Write a.txt").await.unwrap().chunks();
    while let Some(chunk) = chunks.next().await {
        sum += chunk.unwrap();
    }
    let invoked: AIMessage = llm.invoke("Write a.txt").await.unwrap();
    assert_eq!(sum.into_message().tool_calls, invoked.tool_calls);
    assert_eq!(invoked.text(), "Writing it.");
    assert_eq!(invoked.tool_calls[0].args["content"], "one two three");
    assert_eq!(
        server.request_count(),
        1,
        "only the first call reached the API"
    );
}

#[tokio::test]
async fn models_of_different_types_share_one_list_and_one_interface() {
    let server = MockServer::start().await;
    let plain = ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("test");
    let models: Vec<Arc<dyn ChatModel>> = vec![
        plain.clone().into_arc(),
        plain
            .clone()
            .with_config(RunConfig::new().tag("x"))
            .into_arc(),
        ReplayAfterFirst {
            inner: plain,
            kept: Arc::default(),
        }
        .into_arc(),
    ];
    for model in &models {
        assert_eq!(
            model.invoke("Hi").await.unwrap().text(),
            "Mock reply to: Hi"
        );
    }
    let shared = models[0].clone().into_arc();
    assert!(
        Arc::ptr_eq(&shared, &models[0]),
        "an Arc is not wrapped again"
    );
    assert_eq!(models[2].name(), "replay(claude-sonnet-4-6)");
}

/// Hands out, call by call, streams over these event lists (no HTTP).
struct Scripted {
    replies: Mutex<Vec<Vec<StreamEvent>>>,
}

impl ChatModel for Scripted {
    fn stream_run<'a>(
        &'a self,
        _: Vec<Message>,
        _: &'a RunConfig,
    ) -> BoxFuture<'a, Result<ChatStream, Error>> {
        let events = self.replies.lock().unwrap().remove(0);
        Box::pin(async move {
            let events = futures_util::stream::iter(events.into_iter().map(Ok));
            Ok(ChatStream::from_events(events))
        })
    }

    fn name(&self) -> String {
        "scripted".into()
    }
}

async fn recorded_events() -> Vec<StreamEvent> {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/recorded/genai__usage_stream__0.sse"
    ))
    .unwrap();
    ChatStream::from_sse_bytes(bytes)
        .map(Result::unwrap)
        .collect()
        .await
}

#[tokio::test]
async fn an_early_end_before_content_is_retried_through_nested_wrappers() {
    use chat_anthropic::compose::RetryPolicy;
    let whole = recorded_events().await;
    let cut = whole[..1].to_vec(); // message_start, then the end
    let model = Scripted {
        replies: Mutex::new(vec![cut.clone(), whole.clone(), cut.clone(), cut]),
    };
    let nested = model
        .with_config(RunConfig::new().tag("x"))
        .with_retry(RetryPolicy::new(2).initial_delay(std::time::Duration::from_millis(1)))
        .with_config(RunConfig::new().tag("y"));

    let text: String = nested
        .stream("Hi")
        .await
        .unwrap()
        .text()
        .map(Result::unwrap)
        .collect()
        .await;
    assert!(text.starts_with("The sky is blue"), "{text}");

    // Both attempts cut: the early end is the stream's error.
    let err = nested.stream("Hi").await.unwrap_err();
    assert!(err.is_retryable(), "an early end before content: {err}");
    assert!(err.partial_message().is_some_and(|m| m.text().is_empty()));
}

#[tokio::test]
async fn a_prompt_pipes_into_a_wrapped_model_and_a_bad_argument_set_is_its_item_s_error() {
    use chat_anthropic::compose::RetryPolicy;
    use chat_anthropic::prompt::{ChatPromptTemplate, PromptArgs};
    let server = MockServer::start().await;
    let llm = ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("test");
    let prompt = ChatPromptTemplate::from_messages([("human", "Tell me about {topic}")]).unwrap();
    let chain = prompt | llm.with_retry(RetryPolicy::new(2));

    let replies = chain
        .batch_with(
            [
                PromptArgs::from([("topic", "owls")]),
                PromptArgs::new(),
                PromptArgs::from([("topic", "bats")]),
            ],
            &RunConfig::new().max_concurrency(2),
        )
        .await;

    assert_eq!(
        replies[0].as_ref().unwrap().text(),
        "Mock reply to: Tell me about owls"
    );
    assert!(replies[1].is_err(), "no topic given");
    assert_eq!(
        replies[2].as_ref().unwrap().text(),
        "Mock reply to: Tell me about bats"
    );
    assert_eq!(server.request_count(), 2);
    let streamed = chain
        .stream(PromptArgs::from([("topic", "cats")]))
        .await
        .unwrap()
        .final_message()
        .await
        .unwrap();
    assert_eq!(streamed.text(), "Mock reply to: Tell me about cats");
}
