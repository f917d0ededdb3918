//! Prompt caching: a long system prompt marked with `cache_control` (one-hour TTL) is written
//! to the cache by the first request and read by the next; `usage_metadata` shows both.
//!
//! ```text
//! cargo run --example prompt_caching
//! ```
//!
//! Calls the real API with `ANTHROPIC_API_KEY` set (the prompt is long enough to be cached),
//! the built-in mock server otherwise (it accounts for the cache the way the API does).

mod common;

use chat_anthropic::{messages::CacheControl, HumanMessage, Message, SystemMessage};
use chat_anthropic_mock::default_reply;
use common::real_or_mock;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (llm, _server) = real_or_mock("claude-sonnet-4-6", default_reply).await;
    let style_guide: String = (1..=300)
        .map(|n| format!("Rule {n}: prefer plain words, short sentences and concrete examples. "))
        .collect();
    let system = SystemMessage::new(style_guide).with_cache_control(CacheControl::ephemeral_1h());

    for question in [
        "Rewrite: 'utilize the aforementioned methodology'.",
        "Rewrite: 'at this point in time'.",
    ] {
        let conversation: Vec<Message> =
            vec![system.clone().into(), HumanMessage::new(question).into()];
        let reply = llm.invoke(conversation).await?;
        let usage = reply.usage_metadata.clone().unwrap_or_default();
        let cache = &usage.input_token_details;
        println!("{question}\n  → {}", reply.text());
        println!(
            "  input {} (cache write {} = 5m {} + 1h {}, cache read {}), output {}\n",
            usage.input_tokens,
            cache.cache_creation.unwrap_or(0),
            cache.ephemeral_5m_input_tokens.unwrap_or(0),
            cache.ephemeral_1h_input_tokens.unwrap_or(0),
            cache.cache_read.unwrap_or(0),
            usage.output_tokens,
        );
    }
    Ok(())
}
