//! Run configuration over real HTTP: the run name, tags and metadata on the call's
//! telemetry span (through wrappers too), and `max_concurrency` as the mock sees it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chat_anthropic::compose::{ChatModel, ChatModelExt, RunConfig};
use chat_anthropic::{AIMessage, ChatAnthropic, ChatStream, Error, Message};
use chat_anthropic_mock::{MockReply, MockServer};
use futures_core::future::BoxFuture;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::Subscriber;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// The fields of every `chat` span, by span id.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<HashMap<u64, HashMap<String, String>>>>);

struct Fields<'a>(&'a mut HashMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
        if attrs.metadata().name() == "chat" {
            let mut fields = HashMap::new();
            attrs.record(&mut Fields(&mut fields));
            self.0.lock().unwrap().insert(id.into_u64(), fields);
        }
    }
    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        if let Some(fields) = self.0.lock().unwrap().get_mut(&id.into_u64()) {
            values.record(&mut Fields(fields));
        }
    }
}

impl Capture {
    fn spans(&self) -> Vec<HashMap<String, String>> {
        self.0.lock().unwrap().values().cloned().collect()
    }
}

/// `capture` as this thread's subscriber (the runtime is single-threaded), and a second
/// subscriber kept alive beside it. Other tests of the binary create spans at the same time
/// on threads without a subscriber: with a single scoped subscriber registered, tracing-core
/// asks only the registering thread's subscriber about a new callsite (none there: the span
/// is cached as never enabled, and this test would see nothing); with two, it asks every one.
fn traced(capture: &Capture) -> (tracing::subscriber::DefaultGuard, tracing::Dispatch) {
    let second = tracing::Dispatch::new(tracing_subscriber::registry());
    let guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(capture.clone()));
    tracing::callsite::rebuild_interest_cache();
    (guard, second)
}

fn model(name: &str, server: &MockServer) -> ChatAnthropic {
    ChatAnthropic::new(name)
        .max_retries(0)
        .base_url(server.base_url())
        .api_key("test")
}

#[tokio::test(flavor = "current_thread")]
async fn the_run_name_tags_and_metadata_reach_the_span() {
    let capture = Capture::default();
    let _guard = traced(&capture);
    let server = MockServer::start().await;
    let llm = model("claude-sonnet-4-6", &server);

    let run = RunConfig::new()
        .run_name("support-bot")
        .tags(["prod", "eu"])
        .metadata("ticket", 42);
    llm.invoke_with("Hi", &run).await.unwrap();

    let spans = capture.spans();
    assert_eq!(spans.len(), 1);
    let span = &spans[0];
    assert_eq!(span["run.name"], "support-bot");
    assert_eq!(span["run.tags"], r#"["prod","eu"]"#);
    assert_eq!(span["run.metadata"], r#"{"ticket":42}"#);
    assert_eq!(span["gen_ai.request.model"], "claude-sonnet-4-6");

    // A call without a run configuration has no run fields.
    llm.invoke("Hi").await.unwrap();
    let spans = capture.spans();
    assert_eq!(
        spans.iter().filter(|s| s.contains_key("run.name")).count(),
        1
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_bound_config_merged_with_the_call_s_reaches_every_model_of_a_fallback_list() {
    let capture = Capture::default();
    let _guard = traced(&capture);
    let (first, second) = (MockServer::start().await, MockServer::start().await);
    first.enqueue(MockReply::error(529, "overloaded_error", "Overloaded"));
    let llm = model("claude-sonnet-4-6", &first)
        .with_fallbacks([model("claude-haiku-4-5", &second)])
        .with_config(RunConfig::new().run_name("pipeline").tag("bound"));

    llm.stream_with("Hi", &RunConfig::new().tag("call"))
        .await
        .unwrap()
        .final_message()
        .await
        .unwrap();

    let spans = capture.spans();
    assert_eq!(spans.len(), 2, "one span per model tried");
    for span in &spans {
        assert_eq!(span["run.name"], "pipeline");
        assert_eq!(span["run.tags"], r#"["bound","call"]"#);
    }
    let of = |model: &str| {
        spans
            .iter()
            .find(|s| s["gen_ai.request.model"] == model)
            .expect("a span per model")
    };
    assert_eq!(of("claude-sonnet-4-6")["error.type"], "overloaded_error");
    assert!(!of("claude-haiku-4-5").contains_key("error.type"));
}

/// Counts, at the mock, the requests in flight: the responder sees each arrival, this
/// wrapper each reply read to its end (the mock has sent it all by then).
struct Finished<M> {
    inner: M,
    done: Arc<AtomicUsize>,
}

impl<M: ChatModel> ChatModel for Finished<M> {
    fn stream_run<'a>(
        &'a self,
        messages: Vec<Message>,
        run: &'a RunConfig,
    ) -> BoxFuture<'a, Result<ChatStream, Error>> {
        self.inner.stream_run(messages, run)
    }

    fn invoke_run<'a>(
        &'a self,
        messages: Vec<Message>,
        run: &'a RunConfig,
    ) -> BoxFuture<'a, Result<AIMessage, Error>> {
        Box::pin(async move {
            let reply = self.inner.invoke_run(messages, run).await;
            self.done.fetch_add(1, Ordering::SeqCst);
            reply
        })
    }

    fn name(&self) -> String {
        self.inner.name()
    }
}

#[tokio::test]
async fn batch_max_concurrency_bounds_what_the_mock_sees_in_flight() {
    let server = MockServer::start().await;
    let done = Arc::new(AtomicUsize::new(0));
    let arrived = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    {
        let (done, arrived, peak) = (done.clone(), arrived.clone(), peak.clone());
        server.set_responder(move |_| {
            let in_flight =
                arrived.fetch_add(1, Ordering::SeqCst) + 1 - done.load(Ordering::SeqCst);
            peak.fetch_max(in_flight, Ordering::SeqCst);
            MockReply::text("slow enough to overlap").delay(Duration::from_millis(20))
        });
    }
    let llm = Finished {
        inner: model("claude-sonnet-4-6", &server),
        done: done.clone(),
    };

    let replies = llm
        .batch_with(
            (0..8).map(|i| format!("item {i}")),
            &RunConfig::new().max_concurrency(3),
        )
        .await;

    assert!(replies.iter().all(Result::is_ok));
    assert_eq!(server.request_count(), 8);
    assert_eq!(
        peak.load(Ordering::SeqCst),
        3,
        "three in flight, never more"
    );
}

#[tokio::test]
async fn the_model_s_own_batch_honours_max_concurrency() {
    let server = MockServer::start().await;
    server.set_responder(|_| {
        MockReply::text("slow enough to overlap").delay(Duration::from_millis(20))
    });
    let llm = model("claude-sonnet-4-6", &server);

    let replies = ChatModelExt::batch_with(
        &llm,
        (0..8).map(|i| format!("item {i}")),
        &RunConfig::new().max_concurrency(2),
    )
    .await;

    assert!(replies.iter().all(Result::is_ok));
    // HTTP/1.1: one request per connection at a time, and a connection is opened only when
    // none is idle, so the connections opened bound the requests in flight.
    assert!(
        server.connections() <= 2,
        "{} connections",
        server.connections()
    );
    assert_eq!(server.request_count(), 8);
}
