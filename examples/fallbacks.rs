//! Fallbacks, a retry policy and a run configuration around `ChatAnthropic`, LangChain's
//! `with_fallbacks` / `with_retry` / `with_config`: every wrapper is itself a chat model
//! that streams.
//!
//! ```text
//! cargo run --example fallbacks
//! ```
//!
//! With `ANTHROPIC_API_KEY` set it calls the real API (the primary then usually answers
//! itself). Without it, it starts two local mock Messages servers — the first one overloaded
//! (529 on every request), the second one healthy — and shows the fallback taking over, for a
//! whole reply and for a stream.

mod common;

use std::io::Write;
use std::time::Duration;

use chat_anthropic::compose::{ChatModel, ChatModelExt, ErrorFilter, RetryPolicy, RunConfig};
use chat_anthropic_mock::{MockReply, RecordedRequest};
use common::real_or_mock;
use futures_util::StreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The primary: overloaded when mocked. Keep both mocks alive for the whole run.
    let (primary, busy) = real_or_mock("claude-sonnet-4-6", |_| {
        MockReply::error(529, "overloaded_error", "Overloaded")
    })
    .await;
    // The fallback: another Claude model (it could as well be the same model on Bedrock or
    // Vertex, with `.platform(..)` / `.vertex(..)`).
    let (fallback, spare) = real_or_mock("claude-haiku-4-5", answer).await;

    // The primary's own retries stay on (1 here); then a policy of 2 attempts with a short
    // back-off; then the fallback, on overload, 5xx, timeouts, connection failures and rate
    // limits (the default list, spelled out).
    let llm = primary
        .max_retries(1)
        .with_retry(RetryPolicy::new(2).initial_delay(Duration::from_millis(100)))
        .with_fallbacks([fallback])
        .on(ErrorFilter::default_fallback())
        .with_config(RunConfig::new().run_name("fallbacks-example").tag("demo"));
    println!("model: {}\n", llm.name());

    // A whole reply: whoever answered is in its metadata.
    let reply = llm.invoke("Say hello in French.").await?;
    println!("== invoke\n{}", reply.text());
    println!("(answered by {})\n", reply.response_metadata.model);

    // A stream: the fallback is chosen before the first piece is handed out.
    println!("== stream");
    let mut pieces = llm.stream("Count to five.").await?.text();
    while let Some(piece) = pieces.next().await {
        print!("{}|", piece?);
        std::io::stdout().flush()?;
    }
    println!("\n");

    if let (Some(busy), Some(spare)) = (&busy, &spare) {
        println!(
            "requests: overloaded mock {} (2 calls × 2 attempts × 2 sends), healthy mock {}",
            busy.request_count(),
            spare.request_count()
        );
    }
    Ok(())
}

/// The healthy mock's answers.
fn answer(request: &RecordedRequest) -> MockReply {
    let prompt = request.body["messages"][0]["content"]
        .as_str()
        .unwrap_or_default();
    if prompt.contains("French") {
        MockReply::text("Bonjour !")
    } else {
        MockReply::text("one two three four five").delay(Duration::from_millis(30))
    }
}
