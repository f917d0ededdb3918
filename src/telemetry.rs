//! Tracing spans named by OpenTelemetry's GenAI semantic conventions, so a
//! `tracing-opentelemetry` layer exports them as they are.
//!
//! Each model call is one `info` span (`otel.name` = `chat {model}`, `otel.kind` = `client`)
//! with these fields:
//!
//! | field | value |
//! |---|---|
//! | `gen_ai.operation.name` | `chat` |
//! | `gen_ai.system`, `gen_ai.provider.name` | `anthropic` |
//! | `gen_ai.request.model`, `gen_ai.request.max_tokens` | the settings sent |
//! | `gen_ai.request.temperature`, `.top_p`, `.top_k` | when set |
//! | `gen_ai.response.id`, `gen_ai.response.model` | from `message_start` |
//! | `gen_ai.response.finish_reasons` | the stop reason, as a JSON array text (`["end_turn"]`) |
//! | `gen_ai.usage.input_tokens` | all input tokens: uncached + cache reads + cache writes |
//! | `gen_ai.usage.output_tokens` | output tokens |
//! | `gen_ai.usage.cache_read.input_tokens`, `gen_ai.usage.cache_creation.input_tokens` | the cached parts |
//! | `gen_ai.response.time_to_first_chunk` | seconds from the request to the first content delta |
//! | `http.request.resend_count` | retries before the response (absent when none) |
//! | `anthropic.request_id` | the `request-id` header, to quote to support |
//! | `error.type` | the error's kind, when the call failed |
//! | `run.name`, `run.tags`, `run.metadata` | a run's name, tags (a JSON array text) and metadata (a JSON object text), when the call was given a [`RunConfig`](crate::compose::RunConfig) |
//! | `gen_ai.input.messages`, `gen_ai.system_instructions`, `gen_ai.output.messages` | JSON text, **only** with [`capture_message_content`](crate::ChatAnthropic::capture_message_content) |
//!
//! The span stays open while the returned stream is read, and closes when it ends (or is
//! dropped). Prompts and replies never reach a span or an event unless opted in.

use crate::clock::StdInstant as Instant;

use serde_json::Value;
use tracing::field::Empty;
use tracing::Span;

use crate::aggregate::MessageAggregator;
use crate::error::Error;
use crate::event::StreamEvent;

/// What a caller labels a run with (LangChain's `run_name`, `tags`, `metadata`), recorded on
/// the span of each call the run makes.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct RunLabels {
    pub(crate) name: Option<String>,
    pub(crate) tags: Vec<String>,
    pub(crate) metadata: serde_json::Map<String, Value>,
}

/// The span of one Messages call, with the content recorded only when `capture` is set.
pub(crate) fn chat_span(
    config: &crate::settings::ChatAnthropicConfig,
    body: &Value,
    capture: bool,
    run: Option<&RunLabels>,
) -> Span {
    let model = config.model.as_str();
    let span = tracing::info_span!(
        target: "chat_anthropic",
        "chat",
        otel.name = %format_args!("chat {model}"),
        otel.kind = "client",
        gen_ai.operation.name = "chat",
        gen_ai.system = "anthropic",
        gen_ai.provider.name = "anthropic",
        gen_ai.request.model = model,
        gen_ai.request.max_tokens = config.max_tokens,
        gen_ai.request.temperature = Empty,
        gen_ai.request.top_p = Empty,
        gen_ai.request.top_k = Empty,
        gen_ai.response.id = Empty,
        gen_ai.response.model = Empty,
        gen_ai.response.finish_reasons = Empty,
        gen_ai.usage.input_tokens = Empty,
        gen_ai.usage.output_tokens = Empty,
        gen_ai.usage.cache_read.input_tokens = Empty,
        gen_ai.usage.cache_creation.input_tokens = Empty,
        gen_ai.response.time_to_first_chunk = Empty,
        http.request.resend_count = Empty,
        anthropic.request_id = Empty,
        error.type = Empty,
        run.name = Empty,
        run.tags = Empty,
        run.metadata = Empty,
        gen_ai.input.messages = Empty,
        gen_ai.system_instructions = Empty,
        gen_ai.output.messages = Empty,
    );
    if let Some(t) = config.temperature {
        span.record("gen_ai.request.temperature", t);
    }
    if let Some(p) = config.top_p {
        span.record("gen_ai.request.top_p", p);
    }
    if let Some(k) = config.top_k {
        span.record("gen_ai.request.top_k", k);
    }
    if let Some(run) = run.filter(|_| !span.is_disabled()) {
        if let Some(name) = &run.name {
            span.record("run.name", name.as_str());
        }
        if !run.tags.is_empty() {
            span.record("run.tags", Value::from(run.tags.clone()).to_string());
        }
        if !run.metadata.is_empty() {
            span.record(
                "run.metadata",
                Value::Object(run.metadata.clone()).to_string(),
            );
        }
    }
    if capture && !span.is_disabled() {
        span.record("gen_ai.input.messages", body["messages"].to_string());
        if let Some(system) = body.get("system") {
            span.record("gen_ai.system_instructions", system.to_string());
        }
    }
    span
}

/// Counts a retry on the current span (the transport runs inside the call's span).
pub(crate) fn record_retries(retries: u32) {
    Span::current().record("http.request.resend_count", retries);
}

/// The `request-id` of the response.
pub(crate) fn record_response(span: &Span, response: &reqwest::Response) {
    if let Some(id) = response
        .headers()
        .get("request-id")
        .and_then(|v| v.to_str().ok())
    {
        span.record("anthropic.request_id", id);
    }
}

/// A failed call.
pub(crate) fn record_error(span: &Span, error: &Error) {
    let kind = match (error.api_kind(), error.is_timeout()) {
        (Some(kind), _) => kind.to_string(),
        (None, true) => "timeout".to_owned(),
        (None, false) => "error".to_owned(),
    };
    span.record("error.type", kind.as_str());
}

/// What a live stream records on its call's span as events pass.
#[derive(Debug)]
pub(crate) struct StreamTelemetry {
    span: Span,
    capture: bool,
    started: Instant,
    first_chunk_seen: bool,
}

impl StreamTelemetry {
    pub(crate) fn new(span: Span, capture: bool, started: Instant) -> Self {
        Self {
            span,
            capture,
            started,
            first_chunk_seen: false,
        }
    }

    /// Records what `event` tells: the response id and model, the time to the first chunk.
    pub(crate) fn on_event(&mut self, event: &StreamEvent) {
        if self.span.is_disabled() {
            return;
        }
        match event {
            StreamEvent::MessageStart(start) => {
                self.span
                    .record("gen_ai.response.id", start.message.id.as_str());
                self.span
                    .record("gen_ai.response.model", start.message.model.as_str());
            }
            StreamEvent::ContentBlockDelta(_) if !self.first_chunk_seen => {
                self.first_chunk_seen = true;
                let seconds = self.started.elapsed().as_secs_f64();
                self.span
                    .record("gen_ai.response.time_to_first_chunk", seconds);
            }
            _ => {}
        }
    }

    /// Records the outcome (finish reason, usage, the reply when opted in) from the fold.
    pub(crate) fn finish(&self, aggregator: &MessageAggregator, error: Option<&Error>) {
        if let Some(error) = error {
            record_error(&self.span, error);
        }
        let Some(message) = aggregator.header().filter(|_| !self.span.is_disabled()) else {
            return;
        };
        if let Some(reason) = &message.stop_reason {
            let reasons = Value::from(vec![reason.as_str()]).to_string();
            self.span
                .record("gen_ai.response.finish_reasons", reasons.as_str());
        }
        let usage = &message.usage;
        let cache_read = usage.cache_read_input_tokens.unwrap_or(0);
        let cache_creation = usage.cache_creation_input_tokens.unwrap_or(0);
        self.span.record(
            "gen_ai.usage.input_tokens",
            usage.input_tokens + cache_read + cache_creation,
        );
        self.span
            .record("gen_ai.usage.output_tokens", usage.output_tokens);
        self.span
            .record("gen_ai.usage.cache_read.input_tokens", cache_read);
        self.span
            .record("gen_ai.usage.cache_creation.input_tokens", cache_creation);
        if self.capture {
            let content = aggregator.api_message().content;
            let output = serde_json::json!([{"role": "assistant", "content": content}]);
            self.span
                .record("gen_ai.output.messages", output.to_string());
        }
    }
}
