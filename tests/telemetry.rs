//! The GenAI semantic-convention span of a call, seen by a tracing subscriber over real
//! HTTP to the mock: the right values, retries and the request id, and no prompt or reply
//! text unless opted in.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chat_anthropic::ChatAnthropic;
use chat_anthropic_mock::{MockReply, MockServer};
use futures_util::StreamExt;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::Subscriber;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// The fields of every `chat` span, as recorded, and whether it closed.
#[derive(Debug, Default, Clone)]
struct SeenSpan {
    fields: HashMap<String, String>,
    closed: bool,
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<HashMap<u64, SeenSpan>>>);

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
        if attrs.metadata().name() != "chat" {
            return;
        }
        let mut seen = SeenSpan::default();
        attrs.record(&mut Fields(&mut seen.fields));
        self.0.lock().unwrap().insert(id.into_u64(), seen);
    }
    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        if let Some(seen) = self.0.lock().unwrap().get_mut(&id.into_u64()) {
            values.record(&mut Fields(&mut seen.fields));
        }
    }
    fn on_close(&self, id: Id, _: Context<'_, S>) {
        if let Some(seen) = self.0.lock().unwrap().get_mut(&id.into_u64()) {
            seen.closed = true;
        }
    }
}

impl Capture {
    fn spans(&self) -> Vec<SeenSpan> {
        self.0.lock().unwrap().values().cloned().collect()
    }
}

/// Runs `body` with `capture` as the thread's subscriber (the runtime is single-threaded).
fn traced(capture: &Capture) -> tracing::subscriber::DefaultGuard {
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    tracing::subscriber::set_default(subscriber)
}

#[tokio::test(flavor = "current_thread")]
async fn the_span_carries_the_gen_ai_fields_retries_and_request_id() {
    let capture = Capture::default();
    let _guard = traced(&capture);
    let server = MockServer::start().await;
    server.enqueue(
        MockReply::error(529, "overloaded_error", "Overloaded").header("retry-after-ms", "1"),
    );
    server.enqueue(MockReply::text("The secret reply"));
    let llm = ChatAnthropic::new("claude-sonnet-4-6")
        .max_tokens(321)
        .temperature(0.5)
        .base_url(server.base_url())
        .api_key("test-key");
    let reply = llm.invoke("The secret prompt").await.unwrap();
    let spans = capture.spans();
    assert_eq!(spans.len(), 1, "{spans:?}");
    let span = &spans[0];
    let f = &span.fields;
    assert!(span.closed, "the span closes when the stream ends");
    assert_eq!(f["gen_ai.system"], "anthropic");
    assert_eq!(f["gen_ai.operation.name"], "chat");
    assert_eq!(f["otel.name"], "chat claude-sonnet-4-6");
    assert_eq!(f["gen_ai.request.model"], "claude-sonnet-4-6");
    assert_eq!(f["gen_ai.request.max_tokens"], "321");
    assert_eq!(f["gen_ai.request.temperature"], "0.5");
    assert!(
        !f.contains_key("gen_ai.request.top_k"),
        "unset settings are absent"
    );
    assert_eq!(f["gen_ai.response.id"], reply.id.clone().unwrap());
    assert_eq!(f["gen_ai.response.model"], "claude-sonnet-4-6");
    assert_eq!(f["gen_ai.response.finish_reasons"], r#"["end_turn"]"#);
    let usage = reply.usage_metadata.clone().unwrap();
    assert_eq!(
        f["gen_ai.usage.input_tokens"],
        usage.input_tokens.to_string()
    );
    assert_eq!(
        f["gen_ai.usage.output_tokens"],
        usage.output_tokens.to_string()
    );
    assert!(usage.output_tokens > 0);
    assert_eq!(
        f["http.request.resend_count"], "1",
        "the 529 was retried once"
    );
    assert_eq!(f["anthropic.request_id"], "req_mock_0000000000000002");
    let ttft: f64 = f["gen_ai.response.time_to_first_chunk"].parse().unwrap();
    assert!(ttft >= 0.0);
    assert!(!f.contains_key("error.type"));
    for (name, value) in f {
        assert!(!value.contains("secret"), "{name} leaks content: {value}");
    }
    assert!(!f.contains_key("gen_ai.input.messages") && !f.contains_key("gen_ai.output.messages"));
}

#[tokio::test(flavor = "current_thread")]
async fn content_is_recorded_only_when_opted_in() {
    let capture = Capture::default();
    let _guard = traced(&capture);
    let server = MockServer::start().await;
    server.enqueue(MockReply::text("The secret reply"));
    let llm = ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("test-key")
        .capture_message_content(true);
    llm.invoke([("system", "Be brief."), ("human", "The secret prompt")])
        .await
        .unwrap();
    let f = &capture.spans()[0].fields;
    assert!(
        f["gen_ai.input.messages"].contains("The secret prompt"),
        "{f:?}"
    );
    assert!(f["gen_ai.system_instructions"].contains("Be brief."));
    assert!(f["gen_ai.output.messages"].contains("The secret reply"));
}

#[tokio::test(flavor = "current_thread")]
async fn a_failed_call_records_its_error_type_and_closes() {
    let capture = Capture::default();
    let _guard = traced(&capture);
    let server = MockServer::start().await;
    server.enqueue(MockReply::error(400, "invalid_request_error", "bad"));
    let llm = ChatAnthropic::new("claude-sonnet-4-6")
        .base_url(server.base_url())
        .api_key("k");
    llm.invoke("Hi").await.unwrap_err();
    // A stream broken by an `error` event after its first content (earlier, it is re-sent).
    server.enqueue(MockReply::text("partial text here").error_event_after(
        5,
        "overloaded_error",
        "Overloaded",
    ));
    let mut stream = llm.stream("Hi").await.unwrap();
    let mut last = None;
    while let Some(item) = stream.next().await {
        last = Some(item);
    }
    assert!(last.unwrap().is_err());
    let mut spans = capture.spans();
    spans.sort_by_key(|s| s.fields.contains_key("gen_ai.response.id"));
    assert_eq!(spans[0].fields["error.type"], "invalid_request_error");
    assert_eq!(spans[1].fields["error.type"], "overloaded_error");
    assert!(spans.iter().all(|s| s.closed));
}
